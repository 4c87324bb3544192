"""``survey``: a percentage 0–100 from the survey workbook (SIPAS, điều tra xã hội học),
not self-assessed; points = max × value ÷ 100 (SPEC §5, published check: SIPAS 91.17 %
on a 10-point leaf → 9.117)."""

from __future__ import annotations

from typing import Any, Literal

from cchc_cli.modelcheck import StrictModel
from cchc_cli.numbers import percent_of, vi
from cchc_cli.rules.base import INPUT_SURVEY, SURVEY, Outcome, Rule


class SurveySpec(StrictModel):
    """Điểm = max × tỷ lệ khảo sát (%) ÷ 100, lấy từ tệp khảo sát."""

    type: Literal["survey"]


class SurveyRule(Rule):
    type = "survey"
    kind = SURVEY
    spec_model = SurveySpec

    @property
    def reads(self) -> str:
        return INPUT_SURVEY

    def evaluate(self, entered: Any) -> Outcome:
        return Outcome(value=entered, points=percent_of(self.max, entered))

    def describe(self) -> str:
        return f"Theo kết quả khảo sát: {vi(self.max)} × tỷ lệ (%) ÷ 100"
