"""Problems found in the inputs, as data.

Every problem is an :class:`Issue` with a stable slug ``code`` from :data:`CATALOGUE`,
a severity, where it is (file and line, or file, sheet and cell; unit and criterion) and a
Vietnamese message rendered from the catalogue's template. Readers, scoring and ranking
collect issues in one pass and never raise for bad input; the CLI decides the exit code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from cchc_cli.cells import address_key


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# The keys every issue has in JSON; a parameter never overwrites one of them.
_RECORD_KEYS = frozenset({"code", "severity", "file", "sheet", "cell", "line", "unit",
                          "criterion", "message"})

# A parameter value as an issue keeps it: hashable (issues are deduplicated in a set)
# and plain (issues travel back from worker processes).
Param = str | int | float | bool | Decimal | None | tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    line: int | None = None
    unit: str | None = None
    criterion: str | None = None
    # What the message was rendered from — the offending value, the limit, the rule —
    # as (name, value) pairs, so that scripts can filter issues by them (the way
    # frictionless keeps each error's fields beside its message).
    params: tuple[tuple[str, Param], ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def fields(self) -> dict[str, Param]:
        """The issue's parameters by name, e.g. ``{"value": "1.5", "max": Decimal(1)}``."""
        return dict(self.params)

    def param(self, name: str, default: Param = None) -> Param:
        for key, value in self.params:
            if key == name:
                return value
        return default

    def location(self) -> str:
        """``file:line`` or ``file, Sheet!G14`` — as precise as the issue allows."""
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.sheet:
            parts.append(f"{self.sheet}!{self.cell}" if self.cell else self.sheet)
        elif self.cell:
            parts.append(self.cell)
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of an issue: its fixed keys, then each parameter as a key of its own."""
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "line": self.line,
            "unit": self.unit,
            "criterion": self.criterion,
            "message": self.message,
        }
        for key, value in self.params:
            if key not in _RECORD_KEYS:
                data[key] = _json_value(value)
        return data

    def sort_key(self) -> tuple:
        return (
            self.file or "",
            self.sheet or "",
            self.line or 0,
            address_key(self.cell),
            self.unit or "",
            self.criterion or "",
            self.code,
        )


E, W = Severity.ERROR, Severity.WARNING

# code → (severity, message template). Templates use str.format fields passed to issue().
CATALOGUE: dict[str, tuple[Severity, str]] = {
    # --- files -----------------------------------------------------------------------
    "tep-rong": (E, "Tệp rỗng (0 byte): không có dữ liệu để đọc."),
    "tep-qua-lon": (E, "Tệp quá lớn ({size} byte; giới hạn {limit} byte); cchc không đọc."),
    "tep-qua-lon-o": (
        E,
        "Trang tính có vùng dữ liệu quá lớn ({rows} dòng × {cols} cột; giới hạn {limit} ô);"
        " cchc từ chối đọc để không làm cạn bộ nhớ.",
    ),
    "tep-vuot-gioi-han-doc": (
        E,
        "Đọc tệp cần {what} (giới hạn {limit}); thường do trang tính có vùng dữ liệu quá"
        " lớn hoặc tệp được tạo để gây hại. Hãy mở tệp, lưu lại dạng .xlsx rồi gửi lại.",
    ),
    "tep-co-mat-khau": (E, "Tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại."),
    "tep-hong": (E, "Tệp bị hỏng, không đọc được ({detail})."),
    "khong-phai-bang-tinh": (
        E,
        "Tệp không phải bảng tính Excel (.xlsx, .xlsm, .xls) hay ODS ({detail}).",
    ),
    "khong-doc-duoc-tep": (E, "Không đọc được tệp ({detail})."),
    "phan-mo-rong-sai": (
        W,
        "Phần mở rộng '{ext}' không khớp với nội dung thật của tệp ({real});"
        " cchc vẫn đọc theo nội dung.",
    ),
    "tep-khong-nhan-dang": (
        W,
        "Không nhận dạng được loại biểu mẫu: không có trang ẩn '_cchc' và không có trang"
        " nào tên {expected}; tệp bị bỏ qua.",
    ),
    "khong-co-trang": (E, "Không tìm thấy trang tính '{sheet_name}' (các trang có: {sheets})."),
    "thieu-cot": (
        E,
        "Không tìm thấy dòng tiêu đề có cột {missing} trong {rows} dòng đầu của trang.",
    ),
    "cot-trung": (E, "Cột '{header}' xuất hiện hai lần (ô {first} và {second})."),
    # --- what the person sees is what is scored (SPEC §13.2) ---------------------------
    "o-dinh-dang-phan-tram": (
        E,
        "Ô ở cột '{column}' được định dạng phần trăm (đang hiện {value}%), nhưng cột này"
        " nhập điểm, không nhập tỷ lệ; hãy bỏ định dạng phần trăm của ô (Format Cells →"
        " Number) rồi nhập số điểm.",
    ),
    "cong-thuc-chua-tinh": (
        E,
        "Ô ở cột '{column}' chứa công thức nhưng tệp không lưu giá trị đã tính (tệp thường"
        " do một chương trình tạo ra); cchc không tự tính công thức nên không đọc được ô"
        " này. Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi lại (hoặc nhập"
        " thẳng giá trị vào ô).",
    ),
    "trang-trung-ten": (
        E,
        "Tệp có hai trang tính trùng tên khi không phân biệt chữ hoa, chữ thường và cách"
        " mã hóa Unicode: '{first}' (trang thứ {first_no}) và '{second}' (trang thứ"
        " {second_no}); cchc không tự chọn một trang. Hãy xóa hoặc đổi tên trang thừa.",
    ),
    "ma-don-vi-khong-hop-le": (
        E,
        "Mã đơn vị '{value}' không dùng được: mã còn dùng để đặt tên tệp, nên chỉ gồm chữ"
        " cái không dấu, chữ số và các dấu . _ -, bắt đầu bằng chữ hoặc số, tối đa 32 ký"
        " tự (ví dụ STP, XA-001).",
    ),
    "don-vi-trung-ma-chu-hoa": (
        E,
        "Mã đơn vị '{unit}' chỉ khác mã '{other}' (ô {first}) ở chữ hoa, chữ thường; trên"
        " Windows tệp của hai đơn vị sẽ trùng tên. Hãy đặt hai mã khác hẳn nhau.",
    ),
    "khong-ap-dung-ma-nhap-nhang": (
        E,
        "Ô Không áp dụng của '{unit}' chứa số {value}, có thể là mã {codes}; hãy nhập mã"
        " dạng văn bản (gõ dấu ' phía trước, ví dụ '{example}) để Excel không đổi"
        " {example} thành {value}.",
    ),
    # --- YAML --------------------------------------------------------------------------
    "yaml-khong-phai-utf8": (
        E,
        "Tệp không phải văn bản UTF-8 (byte {byte} không hợp lệ); hãy lưu lại với mã UTF-8.",
    ),
    "yaml-cu-phap": (E, "Lỗi cú pháp YAML: {detail}."),
    "yaml-tab": (
        E,
        "Dùng ký tự Tab để thụt lề; YAML chỉ chấp nhận dấu cách (thay mỗi Tab bằng 2 dấu cách).",
    ),
    "yaml-neo": (
        E,
        "Không dùng neo và tham chiếu YAML (&, *) trong tệp này; hãy viết đầy đủ từng mục.",
    ),
    "yaml-the": (E, "Thẻ YAML '{tag}' không được phép; chỉ dùng văn bản, số, true/false."),
    "yaml-khoa-trung": (E, "Khóa '{key}' xuất hiện hai lần trong cùng một mục (dòng {first})."),
    "yaml-qua-sau": (
        E,
        "Cấu trúc lồng nhau quá sâu (hơn {limit} cấp); bộ tiêu chí chỉ cần vài cấp.",
    ),
    "yaml-nhieu-tai-lieu": (E, "Tệp chứa nhiều tài liệu YAML (---); chỉ được có một."),
    "yaml-khong-phai-anh-xa": (E, "Nội dung tệp phải là các cặp 'khóa: giá trị'."),
    "khoa-la": (E, "Khóa '{key}' không hợp lệ ở đây{hint}."),
    "thieu-khoa": (E, "Thiếu khóa bắt buộc '{key}'."),
    "gia-tri-khong-hop-le": (E, "Giá trị của '{key}' không hợp lệ: {detail}."),
    # --- cchc.yaml ---------------------------------------------------------------------
    "khong-co-cau-hinh": (E, "Không tìm thấy cchc.yaml."),
    "xep-loai-khong-giam-dan": (
        E,
        "Các mức xếp loại phải xếp từ cao xuống thấp với 'min' giảm dần: '{label}' có min"
        " {value} không nhỏ hơn mức trước ({previous}).",
    ),
    "xep-loai-thieu-muc-0": (
        E,
        "Mức xếp loại thấp nhất ('{label}') phải có min: 0 để mọi đơn vị đều được xếp loại.",
    ),
    "xep-loai-trung": (E, "Nhãn xếp loại '{label}' bị lặp lại."),
    "danh-gia-thieu-xep-loai": (
        E,
        "leader_rating không có đánh giá người đứng đầu cho mức xếp loại '{label}'.",
    ),
    "danh-gia-xep-loai-la": (
        E,
        "leader_rating có mức '{label}' không nằm trong các mức xếp loại ({labels}).",
    ),
    "nguoi-tham-dinh-mac-dinh-la": (
        E,
        "default_appraiser '{value}' không có trong danh sách appraisers ({known}).",
    ),
    # --- criteria files ----------------------------------------------------------------
    "ma-trung": (E, "Mã '{criterion}' bị trùng (đã dùng ở dòng {first})."),
    "ma-khong-phai-van-ban": (
        E,
        "Mã tiêu chí phải là văn bản (ví dụ code: \"1.10\"); giá trị '{value}' không dùng được.",
    ),
    "ma-nen-dat-trong-ngoac": (
        W,
        "Mã {value} được viết như một số; cchc giữ nguyên văn bản '{value}', nhưng hãy đặt"
        " trong dấu nháy (code: \"{value}\") để công cụ khác không đọc thành {as_number}.",
    ),
    "la-thieu-diem-toi-da": (E, "Tiêu chí '{criterion}' không có tiêu chí con nên phải có 'max'."),
    "diem-toi-da-khong-duong": (
        E,
        "Điểm tối đa của '{criterion}' phải lớn hơn 0 (đang là {value}).",
    ),
    "tong-con-khong-khop": (
        E,
        "Điểm tối đa của '{criterion}' là {stated} nhưng tổng điểm tối đa các tiêu chí con"
        " là {total}.",
    ),
    "thang-diem-khong-khop": (
        E,
        "scale là {stated} nhưng tổng điểm tối đa các tiêu chí được chấm là {total}"
        " (không tính điểm thưởng, điểm trừ).",
    ),
    "nut-co-ca-con-va-cach-cham": (
        E,
        "Tiêu chí '{criterion}' có tiêu chí con nên không được có 'rule' (cách chấm).",
    ),
    "nut-khong-co-con": (E, "Tiêu chí '{criterion}' có 'items' rỗng."),
    "diem-lua-chon-vuot-toi-da": (
        E,
        "Lựa chọn '{label}' của '{criterion}' cho {value} điểm, vượt điểm tối đa {max}.",
    ),
    "lua-chon-trung": (E, "Lựa chọn '{label}' của '{criterion}' bị lặp lại."),
    "diem-muc-vuot-toi-da": (
        E,
        "Mức {position} của '{criterion}' cho {value} điểm, vượt điểm tối đa {max}.",
    ),
    "muc-khong-giam-dan": (
        E,
        "Các mức của '{criterion}' phải có ngưỡng giảm dần: mức {position} ({bound}) không"
        " thấp hơn mức trước ({previous}).",
    ),
    "muc-thieu-nguong": (
        E,
        "Mức {position} của '{criterion}' phải có đúng một trong hai ngưỡng 'min' hoặc 'above'.",
    ),
    "diem-am": (
        E,
        "Giá trị {value} của '{criterion}' không được âm (muốn cho phép điểm âm, hãy đặt"
        " điểm sàn cho tiêu chí, ví dụ floor: -1).",
    ),
    "buoc-khong-hop-le": (
        E,
        "Bước chấm (step) của '{criterion}' phải lớn hơn 0 và chia hết điểm tối đa {max}.",
    ),
    "muc-tieu-khong-duong": (E, "Mục tiêu (target) của '{criterion}' phải lớn hơn 0."),
    "nguoi-tham-dinh-la": (
        E,
        "Cơ quan thẩm định '{value}' của '{criterion}' không có trong appraisers của"
        " cchc.yaml ({known}).",
    ),
    # --- named inputs, expressions, floors and caps (SPEC §13.1) -------------------------
    "ten-so-lieu-sai": (E, "Tên số liệu '{value}' của '{criterion}' {detail}."),
    "ten-so-lieu-trung": (
        E, "Tên số liệu '{value}' của '{criterion}' bị lặp lại (đã dùng ở dòng {first})."),
    "thieu-so-lieu": (E, "Danh sách inputs của '{criterion}' rỗng; hãy khai báo ít nhất một số"
                         " liệu hoặc bỏ khóa inputs."),
    "bieu-thuc-sai": (E, "Biểu thức {key} của '{criterion}' (\"{value}\") sai: {detail}."),
    "bieu-thuc-can-so-lieu": (
        E, "Khóa '{key}' của '{criterion}' chỉ dùng được khi tiêu chí khai báo các số liệu"
           " (inputs)."),
    "can-bieu-thuc-gia-tri": (
        E, "Tiêu chí '{criterion}' có {count} số liệu nên phải có 'value' (biểu thức tính giá"
           " trị từ các số liệu, ví dụ value: \"a / b * 100\")."),
    "can-so-lieu": (E, "Cách chấm '{type}' của '{criterion}' cần khai báo các số liệu (inputs)."),
    "diem-duoi-san": (
        E, "Giá trị {value} của '{criterion}' thấp hơn điểm sàn (floor) {floor}."),
    "khoa-xung-dot": (
        E, "Tiêu chí '{criterion}' không được có cả '{first}' và '{second}'."),
    "tran-khong-duong": (E, "Trần điểm (cap) của '{criterion}' phải lớn hơn 0 (đang là {value})."),
    "tran-khong-hop-le": (
        E, "Trần điểm (cap) chỉ đặt ở một nhóm tiêu chí mà mọi tiêu chí con đều là điểm thưởng"
           " (bonus) hoặc đều là điểm trừ (penalty); '{criterion}' không phải nhóm như vậy."),
    "khoa-chi-cho-tieu-chi-cham": (
        E, "Khóa '{key}' chỉ dùng cho tiêu chí được chấm điểm (không có tiêu chí con);"
           " '{criterion}' có tiêu chí con."),
    "san-khong-ap-dung": (
        E, "Điểm sàn (floor) không dùng được với cách chấm '{type}' của '{criterion}' (chỉ với"
           " manual, choice, tiers, formula)."),
    "san-duong": (
        E, "Điểm sàn (floor) của '{criterion}' phải nhỏ hơn hoặc bằng 0 (đang là {value})."),
    "ma-so-lieu-trung-ma": (
        E, "Dòng số liệu '{value}' của '{criterion}' trùng mã với một tiêu chí khác (dòng"
           " {first}); hãy đổi tên số liệu."),
    "khoi-la": (E, "Khối '{value}' không có trong cchc.yaml (các khối: {known})."),
    "nam-khong-khop": (E, "year là {value} nhưng tệp nằm trong thư mục năm {expected}."),
    "ten-tep-khong-khop-khoi": (
        W,
        "Tệp tên '{name}' nhưng khai báo block: {value}; nên đặt tên tệp theo mã khối.",
    ),
    "bo-tieu-chi-trung-khoi": (
        E,
        "Có hai bộ tiêu chí cho khối '{value}' năm {year}: {first} và tệp này.",
    ),
    "khoi-khong-co-bo-tieu-chi": (
        E,
        "Khối '{value}' chưa có bộ tiêu chí năm {year} (cần tệp criteria/{year}/{value}.yaml).",
    ),
    "khong-co-bo-tieu-chi": (E, "Không có bộ tiêu chí nào cho năm {year} trong criteria/{year}/."),
    # --- unit register -----------------------------------------------------------------
    "thieu-danh-sach-don-vi": (E, "Không có danh sách đơn vị {path}."),
    "don-vi-trung-ma": (E, "Mã đơn vị '{unit}' bị trùng (đã có ở ô {first})."),
    "don-vi-thieu-gia-tri": (E, "Thiếu {what} của đơn vị ở dòng {row}."),
    "don-vi-khoi-la": (E, "Khối '{value}' của đơn vị '{unit}' không có trong cchc.yaml ({known})."),
    "khong-ap-dung-ma-la": (
        E,
        "Mã tiêu chí '{value}' trong cột Không áp dụng của '{unit}' không có trong bộ tiêu"
        " chí khối {block}.",
    ),
    "danh-sach-don-vi-rong": (W, "Danh sách đơn vị chưa có đơn vị nào."),
    # --- forms: identity ---------------------------------------------------------------
    "bieu-mau-sai-nam": (E, "Biểu mẫu của năm {value}, không phải năm {expected}; tệp bị bỏ qua."),
    "bieu-mau-sai-khoi": (
        E,
        "Biểu mẫu lập cho khối '{value}' nhưng đơn vị '{unit}' thuộc khối '{expected}';"
        " tệp bị bỏ qua.",
    ),
    "don-vi-khong-co-trong-danh-sach": (
        E,
        "Đơn vị '{unit}' không có trong danh sách đơn vị năm {year}; tệp bị bỏ qua.",
    ),
    "khong-xac-dinh-don-vi": (
        E,
        "Không xác định được đơn vị của biểu tự đánh giá: tệp không có trang '_cchc' và tên"
        " tệp {detail}. Hãy đặt tên tệp chứa đúng một mã đơn vị, ví dụ 'STP.xlsx'.",
    ),
    "bieu-mau-trung-don-vi": (
        E,
        "Đơn vị '{unit}' có hai biểu tự đánh giá: {first} và tệp này; hãy giữ lại một tệp.",
    ),
    "phien-ban-tieu-chi-khac": (
        W,
        "Biểu mẫu được lập từ một phiên bản khác của bộ tiêu chí ({form_id}, hiện là"
        " {current_id}); {detail}.",
    ),
    "meta-khong-hop-le": (W, "Trang '_cchc' có giá trị '{key}' không hợp lệ: '{value}'."),
    "khong-co-bo-tieu-chi-cho-bieu-mau": (
        E,
        "Không chấm được biểu mẫu vì bộ tiêu chí khối '{value}' năm {year} có lỗi hoặc"
        " chưa có.",
    ),
    # --- forms: rows and cells -------------------------------------------------------
    "ma-tieu-chi-la": (E, "Mã tiêu chí '{criterion}' không có trong bộ tiêu chí {criteria_id}."),
    "thieu-tieu-chi": (E, "Thiếu dòng của tiêu chí '{criterion}' ({name})."),
    "tieu-chi-trung-dong": (
        E,
        "Tiêu chí '{criterion}' xuất hiện hai lần (ô {first} và ô này); hãy xóa một dòng.",
    ),
    "diem-toi-da-bi-sua": (
        E,
        "Điểm tối đa của '{criterion}' bị sửa thành {value}; theo bộ tiêu chí là {expected}.",
    ),
    "khong-phai-so": (E, "Giá trị '{value}' ở cột '{column}' {reason}."),
    "tu-cham-vuot-toi-da": (
        E,
        "Điểm tự chấm {value} của '{criterion}' vượt điểm tối đa {max}.",
    ),
    "tham-dinh-vuot-toi-da": (
        E,
        "Điểm thẩm định {value} của '{criterion}' vượt điểm tối đa {max}.",
    ),
    "gia-tri-am": (E, "Giá trị {value} ở cột '{column}' không được âm."),
    "khong-dung-buoc": (
        E,
        "Điểm {value} của '{criterion}' phải là bội số của {step} (ví dụ 0; {step}; …).",
    ),
    "lua-chon-la": (
        E,
        "Lựa chọn '{value}' của '{criterion}' không có trong danh sách: {options}.",
    ),
    "khong-ap-dung-khong-cho-phep": (
        E,
        "Tiêu chí '{criterion}' không được phép đánh dấu không áp dụng.",
    ),
    "dau-khong-ap-dung-la": (
        E,
        "Cột '{column}' chỉ nhận x (không áp dụng) hoặc để trống; đang là '{value}'.",
    ),
    "diem-duoi-san-nhap": (
        E, "Điểm {value} ở cột '{column}' của '{criterion}' thấp hơn điểm sàn {floor}."),
    "thieu-dong-so-lieu": (
        E, "Thiếu dòng số liệu '{input}' ({label}) của tiêu chí '{criterion}'; hãy dùng biểu"
           " mẫu do cchc lập hoặc thêm dòng có mã '{input}'."),
    "thieu-so-lieu-tham-dinh": (
        E, "Tiêu chí '{criterion}' của đơn vị '{unit}' đã được thẩm định ở vòng này nhưng số"
           " liệu '{input}' ({label}) để trống; khi thẩm định một tiêu chí có nhiều số liệu,"
           " hãy nhập đủ mọi số liệu thẩm định."),
    "thieu-tai-lieu-kiem-chung": (
        W,
        "Tiêu chí '{criterion}' được {points} điểm nhưng chưa ghi tài liệu kiểm chứng.",
    ),
    "diem-tinh-khac": (
        W,
        "Ô điểm của '{criterion}' ghi {shown} nhưng theo dữ liệu nhập được {computed};"
        " cchc dùng {computed}.",
    ),
    # --- appraisal -------------------------------------------------------------------
    "ma-don-vi-la": (E, "Mã đơn vị '{unit}' không có trong danh sách đơn vị năm {year}."),
    "tham-dinh-tieu-chi-la": (
        E,
        "Tiêu chí '{criterion}' không có trong bộ tiêu chí khối '{block}' của đơn vị '{unit}'.",
    ),
    "tham-dinh-tieu-chi-khao-sat": (
        E,
        "Tiêu chí '{criterion}' chấm theo kết quả khảo sát, không nhập ở biểu thẩm định.",
    ),
    "tham-dinh-khac-co-quan": (
        W,
        "Tiêu chí '{criterion}' được giao cho {owner} thẩm định, nhưng có trong biểu của"
        " {appraiser}.",
    ),
    "tham-dinh-thieu-du-lieu": (
        E,
        "Có '{score_column}' nhưng thiếu '{column}': cchc chấm lại từ {column}, hãy nhập giá"
        " trị đó.",
    ),
    "tham-dinh-mau-thuan": (
        E,
        "Hai kết quả thẩm định vòng {round} khác nhau cho đơn vị '{unit}', tiêu chí"
        " '{criterion}': {first} ({first_at}) và {second} (ô này).",
    ),
    "tham-dinh-khong-nhan-xet": (
        W,
        "Kết quả thẩm định ({appraised}) khác tự đánh giá ({own}) nhưng không có nhận xét.",
    ),
    "vong-tham-dinh-khong-hop-le": (E, "Vòng thẩm định '{value}' không hợp lệ (phải là 1, 2, …)."),
    # --- survey ----------------------------------------------------------------------
    "khao-sat-ngoai-khoang": (E, "Tỷ lệ khảo sát {value} nằm ngoài khoảng 0–100."),
    "khao-sat-co-the-la-ty-le": (
        W,
        "Tỷ lệ khảo sát {value} có vẻ là phân số; nếu là {percent}% hãy nhập {percent}.",
    ),
    "khao-sat-cot-la": (
        E,
        "Cột '{value}' không phải chỉ số khảo sát của bộ tiêu chí nào năm {year}.",
    ),
    "khao-sat-khong-thuoc-khoi": (
        E,
        "Chỉ số '{criterion}' không thuộc bộ tiêu chí khối '{block}' của đơn vị '{unit}'.",
    ),
    "khao-sat-trung": (
        E,
        "Hai giá trị khảo sát khác nhau cho đơn vị '{unit}', chỉ số '{criterion}': {first}"
        " ({first_at}) và {second} (ô này).",
    ),
    # --- completeness and scoring ----------------------------------------------------
    "thieu-tu-danh-gia": (E, "Đơn vị '{unit}' ({name}) chưa có biểu tự đánh giá năm {year}."),
    "thieu-du-lieu": (E, "Tiêu chí '{criterion}' của đơn vị '{unit}' chưa có {what}."),
    "kiem-tra-khong-dat": (
        E, "Số liệu của '{criterion}' không đạt kiểm tra: {message} ({detail})."),
    "kiem-tra-khong-dat-tu-danh-gia": (
        W, "Số liệu tự đánh giá của '{criterion}' (đã được thẩm định thay thế) không đạt kiểm"
           " tra: {message} ({detail})."),
    "chia-cho-khong": (
        E, "Không tính được '{criterion}' của đơn vị '{unit}': phép chia cho 0 ({detail}), và"
           " bộ tiêu chí không quy định cách xử lý (when_zero: na | full | zero)."),
    "diem-cong-thuc-ngoai-khoang": (
        E, "Điểm tính theo công thức của '{criterion}' (đơn vị '{unit}') là {value}, nằm ngoài"
           " khoảng từ {floor} đến {max} ({detail}); hãy kiểm tra số liệu hoặc công thức."),
    "gia-tri-tinh-am": (
        E, "Giá trị tính được của '{criterion}' (đơn vị '{unit}') là {value} ({detail}); cách"
           " chấm so sánh với khối chỉ nhận giá trị không âm."),
    "chua-tham-dinh": (
        W,
        "{count} tiêu chí chưa thẩm định, dùng kết quả tự đánh giá: {codes}.",
    ),
    "khong-co-tieu-chi-ap-dung": (
        E,
        "Mọi tiêu chí của đơn vị '{unit}' ({name}) đều không áp dụng: không tính được chỉ số.",
    ),
    # --- ranking -------------------------------------------------------------------------
    "ma-nam-truoc-khong-thay": (
        W,
        "Mã năm trước '{value}' của đơn vị '{unit}' không có trong kết quả năm {year};"
        " đơn vị được coi là mới, không so sánh thứ hạng.",
    ),
    "nam-truoc-co-loi": (
        W,
        "Dữ liệu năm {year} có {count} lỗi; {units} đơn vị năm đó không được xếp hạng nên"
        " không so sánh được thứ hạng.",
    ),
    # --- the results database and published years (SPEC §13.4) -------------------------
    "co-so-du-lieu-loi": (
        W,
        "{detail} Kết quả năm trước được lấy từ dữ liệu đầu vào hoặc tệp nam-truoc.xlsx.",
    ),
    "chi-so-ngoai-khoang": (E, "Chỉ số {value} nằm ngoài khoảng 0–100."),
    "chi-so-co-the-la-phan-so": (
        W,
        "Chỉ số {value} có vẻ là phân số (ô định dạng phần trăm?); nếu chỉ số là"
        " {percent} %, hãy nhập {percent}.",
    ),
    "xep-hang-khong-khop-chi-so": (
        W,
        "Đơn vị '{unit}' xếp hạng {rank} với chỉ số {index}, cao hơn chỉ số {other_index}"
        " của '{other}' xếp hạng {other_rank} cùng khối; hãy kiểm tra lại bảng đã gõ.",
    ),
    # --- documents -------------------------------------------------------------------------
    "mau-van-ban-hong": (E, "Không mở được mẫu văn bản Word ({detail})."),
    "mau-van-ban-loi": (E, "Mẫu văn bản có thẻ Jinja sai hoặc dùng biến không có: {detail}."),
    "mau-van-ban-khong-an-toan": (
        E,
        "Mẫu văn bản bị từ chối vì cố truy cập vào bên trong chương trình (môi trường an"
        " toàn của Jinja): {detail}.",
    ),
    "mau-van-ban-con-the": (E, "Văn bản còn thẻ chưa thay giá trị: '{detail}'."),
    "thieu-khao-sat": (
        E,
        "Chưa có kết quả khảo sát chỉ số '{criterion}' của đơn vị '{unit}'.",
    ),
    # --- second release: documents, survey per block, command line -------------------
    "khao-sat-sai-khoi": (
        E,
        "Biểu khảo sát này lập cho khối '{value}' nhưng đơn vị '{unit}' thuộc khối"
        " '{expected}'; dòng bị bỏ qua — hãy nhập vào biểu khảo sát của khối '{expected}'.",
    ),
}


class UnknownIssueCode(KeyError):
    """A programming error: an issue code missing from the catalogue."""


def issue(
    code: str,
    *,
    file: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    line: int | None = None,
    unit: str | None = None,
    criterion: str | None = None,
    severity: Severity | None = None,
    **params: Any,
) -> Issue:
    """Build an Issue from the catalogue, rendering its Vietnamese message."""
    try:
        default_severity, template = CATALOGUE[code]
    except KeyError as exc:
        raise UnknownIssueCode(code) from exc
    message = template.format(unit=unit, criterion=criterion, **params)
    return Issue(
        code=code,
        severity=severity or default_severity,
        message=message,
        file=file,
        sheet=sheet,
        cell=cell,
        line=line,
        unit=unit,
        criterion=criterion,
        params=tuple((key, _kept(value)) for key, value in params.items()),
    )


def _kept(value: Any) -> Param:
    """A parameter as the issue stores it: plain values as they are, sequences as
    tuples, anything else (a path, a set) as its text."""
    if value is None or isinstance(value, str | int | float | Decimal):
        return value
    if isinstance(value, list | tuple):
        return tuple(_kept(item) for item in value)
    return str(value)


def _json_value(value: Param) -> Any:
    if isinstance(value, Decimal):
        from cchc_cli.numbers import json_number

        return json_number(value) if value.is_finite() else str(value)
    if isinstance(value, tuple):
        return [_json_value(item) for item in value]
    return value


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(i.is_error for i in issues)


def sorted_issues(issues: Iterable[Issue]) -> list[Issue]:
    """Deterministic order: by file, then position; duplicates removed."""
    return sorted(set(issues), key=Issue.sort_key)
