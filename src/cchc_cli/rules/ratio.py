"""``ratio``: max × min(1, value ÷ target); 0 below ``zero_below`` (SPEC §5).

The value is the leaf's ``Số liệu`` or is computed from named inputs (SPEC §13.1).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from cchc_cli.modelcheck import Num, Text
from cchc_cli.numbers import ZERO, Exact, exact_div, exact_mul, vi
from cchc_cli.rules.base import (
    Cells,
    Outcome,
    RawCheck,
    ValueSpec,
    check_numeric_raw,
    number,
    number_text,
)
from cchc_cli.rules.numeric import NumericRule
from cchc_cli.yamlio import YMap

ONE = Decimal(1)


class RatioSpec(ValueSpec):
    """Điểm = max × min(1, số liệu ÷ target); 0 nếu số liệu < zero_below."""

    type: Literal["ratio"]
    target: Num = Field(default=Decimal(100), description="Số liệu đạt điểm tối đa")
    zero_below: Num | None = Field(default=None, description="Dưới ngưỡng này: 0 điểm")
    unit: Text = Field(default="%", description="Đơn vị của số liệu")


class RatioRule(NumericRule):
    type = "ratio"
    spec_model = RatioSpec

    @classmethod
    def check_raw(cls, rule: YMap, check: RawCheck) -> None:
        check_numeric_raw(rule, check)
        target = number(rule.get("target"))
        if target is not None and target <= 0:
            check.add("muc-tieu-khong-duong", check.at(rule, "target"))

    def points_of(self, value: Exact) -> Outcome:
        spec = self.spec
        if spec.zero_below is not None and value < spec.zero_below:
            return Outcome(value=value, points=ZERO)
        share = exact_div(value, spec.target)
        share = ONE if share > ONE else (ZERO if share < ZERO else share)
        return Outcome(value=value, points=exact_mul(self.max, share))

    def describe(self) -> str:
        spec, top, unit = self.spec, vi(self.max), self.unit
        lead = "Nhập số liệu" if not self.inputs else f"Nhập các số liệu; {self.value_words()}"
        what = "số liệu" if not self.inputs else "giá trị"
        text = f"{lead}; điểm = {top} × {what} ÷ {vi(spec.target)}{unit} (tối đa {top})"
        if spec.zero_below is not None:
            text += f"; dưới {vi(spec.zero_below)}{unit}: 0"
        return text + self.zero_words()

    def excel_points(self, cells: Cells) -> str | None:
        spec, data = self.spec, cells.data
        core = f"MIN(1,MAX(0,{data}/{number_text(spec.target)}))*{number_text(self.max)}"
        if spec.zero_below is not None:
            core = f"IF({data}<{number_text(spec.zero_below)},0,{core})"
        return self.excel_guard(cells, core)
