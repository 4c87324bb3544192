"""cchc — tính Chỉ số cải cách hành chính từ các tệp Excel của đơn vị."""

__version__ = "0.1.0"
