"""The layout of the forms (SPEC §7), shared by the form writers and the readers:
sheet names, column headers, the ``_cchc`` keys, and the values a unit enters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

META_SHEET = "_cchc"
NA_MARK = "x"

KIND_SELF, KIND_APPRAISAL, KIND_SURVEY = "self", "appraisal", "survey"

SELF_SHEET = "Tự đánh giá"
SELF_HEADERS = {
    "code": "Mã tiêu chí",
    "name": "Tiêu chí",
    "max": "Điểm tối đa",
    "rule": "Cách chấm",
    "data": "Số liệu",
    "choice": "Lựa chọn",
    "score": "Điểm tự chấm",
    "na": "Không áp dụng",
    "evidence": "Tài liệu kiểm chứng",
    "explanation": "Giải trình",
}

APPRAISAL_SHEET = "Thẩm định"
APPRAISAL_HEADERS = {
    "unit": "Mã đơn vị",
    "unit_name": "Đơn vị",
    "code": "Mã tiêu chí",
    "name": "Tiêu chí",
    "max": "Điểm tối đa",
    "rule": "Cách chấm",
    "self_data": "Số liệu tự báo cáo",
    "self_choice": "Lựa chọn tự đánh giá",
    "self_score": "Điểm tự chấm",
    "self_na": "Không áp dụng (tự đánh giá)",
    "data": "Số liệu thẩm định",
    "choice": "Lựa chọn thẩm định",
    "score": "Điểm thẩm định",
    "na": "Không áp dụng (thẩm định)",
    "comment": "Nhận xét",
}

SURVEY_SHEET = "Khảo sát"
SURVEY_HEADERS = {"unit": "Mã đơn vị", "unit_name": "Đơn vị"}

SHEET_KINDS = {SELF_SHEET: KIND_SELF, APPRAISAL_SHEET: KIND_APPRAISAL, SURVEY_SHEET: KIND_SURVEY}
META_KEYS = (
    "kind",
    "year",
    "block",
    "unit",
    "appraiser",
    "round",
    "criteria_id",
    "criteria_fingerprint",
    "tool_version",
)


@dataclass(frozen=True, slots=True)
class Entered:
    """What a person entered for one leaf: the inputs of SPEC §7.1 (or of an appraisal).

    Used to prefill forms (appraisal forms, the example province) — never read back
    from a form's computed cells.
    """

    data: Decimal | None = None
    choice: str | None = None
    score: Decimal | None = None
    na: bool = False
    evidence: str = ""
    explanation: str = ""
    comment: str = ""
    # The named inputs of a leaf (SPEC §13.1), key → value (None: left empty).
    inputs: Mapping[str, Decimal | None] | None = None

    @property
    def is_empty(self) -> bool:
        if self.inputs is not None and any(v is not None for v in self.inputs.values()):
            return False
        return self.data is None and self.choice is None and self.score is None and not self.na
