"""What a unit should do about each problem cchc finds in its self-assessment file.

An issue's message (:data:`cchc_cli.issues.CATALOGUE`) says what is wrong and where;
the feedback a unit receives (``cchc feedback``) also says what to do, in the words of
this table.
"""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Any

from cchc_cli.issues import Issue
from cchc_cli.numbers import vi

# What a unit should do about each problem its file can have: the issue's message says
# what is wrong, this says what to do. Fields in braces come from the issue's own
# parameters (``{max}`` of 'tu-cham-vuot-toi-da'); an issue without them gets GENERIC.
ADVICE: dict[str, str] = {
    # the file
    "tep-rong": "Lưu lại biểu tự đánh giá đã điền rồi gửi lại.",
    "tep-qua-lon": "Chỉ gửi biểu tự đánh giá (tài liệu kiểm chứng gửi riêng); xóa hình ảnh,"
                   " trang không cần thiết rồi gửi lại.",
    "tep-qua-lon-o": "Xóa các dòng, cột thừa ở cuối trang, hoặc chép kết quả sang biểu mẫu"
                     " mới do Sở Nội vụ gửi, rồi gửi lại.",
    "tep-vuot-gioi-han-doc": "Mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại.",
    "tep-co-mat-khau": "Gỡ mật khẩu của tệp (Excel: Tệp → Thông tin → Bảo vệ sổ làm việc)"
                       " rồi gửi lại.",
    "tep-hong": "Mở tệp bằng Excel để kiểm tra, lưu lại dạng .xlsx; nếu không mở được, điền"
                " lại vào biểu mẫu do Sở Nội vụ gửi.",
    "khong-phai-bang-tinh": "Gửi biểu tự đánh giá dạng Excel (.xlsx) theo biểu mẫu do Sở Nội"
                            " vụ gửi; tài liệu PDF, Word gửi riêng.",
    "khong-doc-duoc-tep": "Gửi lại tệp.",
    "phan-mo-rong-sai": "Lưu lại tệp bằng Excel đúng định dạng (Lưu thành → Sổ làm việc Excel"
                        " .xlsx).",
    "tep-khong-nhan-dang": "Dùng biểu mẫu tự đánh giá do Sở Nội vụ gửi; không đổi tên trang"
                           " 'Tự đánh giá'.",
    "khong-co-trang": "Dùng biểu mẫu do Sở Nội vụ gửi; không đổi tên hoặc xóa trang.",
    "thieu-cot": "Khôi phục các cột của biểu mẫu (không xóa, không đổi tiêu đề cột), hoặc chép"
                 " kết quả sang biểu mẫu mới.",
    "cot-trung": "Xóa một trong hai cột trùng tiêu đề, giữ cột có kết quả.",
    # which form it is
    "bieu-mau-sai-nam": "Dùng biểu mẫu năm {expected} do Sở Nội vụ gửi.",
    "bieu-mau-sai-khoi": "Dùng biểu mẫu lập cho chính đơn vị (khối {expected}).",
    "bieu-mau-trung-don-vi": "Chỉ gửi một biểu tự đánh giá; báo Sở Nội vụ tệp nào là bản cuối"
                             " cùng.",
    "phien-ban-tieu-chi-khac": "Chép kết quả sang biểu mẫu mới nhất do Sở Nội vụ gửi (bộ tiêu"
                               " chí đã thay đổi) rồi gửi lại.",
    "meta-khong-hop-le": "Không sửa trang ẩn '_cchc'; dùng biểu mẫu do Sở Nội vụ gửi.",
    "khong-co-bo-tieu-chi-cho-bieu-mau": "Đơn vị chưa cần sửa: Sở Nội vụ đang hoàn thiện bộ"
                                         " tiêu chí và sẽ thông báo.",
    # rows and cells
    "ma-tieu-chi-la": "Sửa lại đúng mã tiêu chí như biểu mẫu gốc, hoặc xóa dòng này nếu là"
                      " dòng thêm vào.",
    "thieu-tieu-chi": "Bổ sung dòng của tiêu chí {criterion} (chép từ biểu mẫu gốc) và nhập"
                      " kết quả.",
    "tieu-chi-trung-dong": "Xóa một trong hai dòng, giữ dòng có kết quả đúng.",
    "diem-toi-da-bi-sua": "Trả lại điểm tối đa {expected} như biểu mẫu gốc (ô này không được"
                          " sửa).",
    "khong-phai-so": "Nhập một số (ví dụ 0,5 hoặc 85,5), không kèm chữ hay ký hiệu.",
    "tu-cham-vuot-toi-da": "Nhập điểm từ 0 đến {max}.",
    "gia-tri-am": "Nhập số không âm.",
    "khong-dung-buoc": "Nhập điểm là bội số của {step} (0; {step}; …).",
    "lua-chon-la": "Chọn một lựa chọn trong danh sách thả xuống của ô, không gõ tay.",
    "khong-ap-dung-khong-cho-phep": "Xóa dấu x ở cột 'Không áp dụng' và nhập kết quả của tiêu"
                                    " chí.",
    "dau-khong-ap-dung-la": "Ghi x nếu tiêu chí không áp dụng với đơn vị, nếu không thì để"
                            " trống.",
    "diem-duoi-san-nhap": "Nhập điểm từ {floor} đến điểm tối đa.",
    "thieu-dong-so-lieu": "Bổ sung dòng mã {input} ({label}) ngay dưới dòng tiêu chí và nhập"
                          " số liệu.",
    "thieu-tai-lieu-kiem-chung": "Ghi số, ngày, tên văn bản là tài liệu kiểm chứng vào cột"
                                 " 'Tài liệu kiểm chứng'.",
    "o-dinh-dang-phan-tram": "Bỏ định dạng phần trăm của ô (Định dạng ô → Số → Chung) rồi"
                             " nhập số điểm, ví dụ 0,75.",
    "cong-thuc-chua-tinh": "Mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi lại; hoặc xóa"
                           " công thức ở ô và nhập trực tiếp giá trị.",
    "trang-trung-ten": "Xóa hoặc đổi tên trang thừa ('{second}' hoặc '{first}'), chỉ giữ một"
                       " trang biểu mẫu.",
    "diem-tinh-khac": "Kiểm tra lại dữ liệu đã nhập (theo dữ liệu nhập, tiêu chí được"
                      " {computed} điểm); lưu tệp bằng Excel để ô điểm được tính lại.",
    # what scoring found in the unit's values
    "thieu-du-lieu": "Nhập {what}; nếu tiêu chí không áp dụng với đơn vị (và được phép), ghi x"
                     " ở cột 'Không áp dụng'.",
    "kiem-tra-khong-dat": "Sửa các số liệu của tiêu chí cho đúng điều kiện: {message}.",
    "kiem-tra-khong-dat-tu-danh-gia": "Số liệu đã được cơ quan thẩm định thay thế; rà soát lại"
                                      " số liệu của đơn vị cho đúng điều kiện: {message}.",
    "chia-cho-khong": "Kiểm tra các số liệu (mẫu số bằng 0); nếu đúng là không phát sinh, ghi"
                      " rõ ở cột 'Giải trình'.",
    "diem-cong-thuc-ngoai-khoang": "Kiểm tra lại các số liệu của tiêu chí.",
    "gia-tri-tinh-am": "Kiểm tra lại các số liệu của tiêu chí.",
    "khong-co-tieu-chi-ap-dung": "Bỏ dấu x ở các tiêu chí có áp dụng với đơn vị và nhập kết"
                                 " quả.",
}
GENERIC_ADVICE = "Sửa ô được đánh dấu theo nội dung vấn đề; cần hỏi thêm, liên hệ Sở Nội vụ."


def advice_for(found: Issue) -> str:
    """What to do about an issue, filled in with its own parameters."""
    template = ADVICE.get(found.code)
    if template is None:
        return GENERIC_ADVICE
    values = {key: _shown(value) for key, value in found.params}
    values["criterion"] = found.criterion or ""
    try:
        return string.Formatter().vformat(template, (), values)
    except (KeyError, IndexError, ValueError):
        return GENERIC_ADVICE


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return vi(value)
    return str(value)
