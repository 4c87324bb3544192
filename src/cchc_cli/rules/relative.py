"""``relative``: points against the best (or mean) unit of the block, or a fixed
reference such as the national average (SPEC §13.1.4).

points = max × min(1, value ÷ reference) when higher is better, max × min(1, reference ÷
value) when lower is better. The reference is known only once every unit's inputs are
read, so scoring computes these points in a second pass (:meth:`RelativeRule.points_with`);
the value itself is computed like any numeric rule's.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from pydantic import Field

from cchc_cli.modelcheck import Num, Text
from cchc_cli.numbers import ZERO, Exact, exact_div, exact_mul, exact_sum, plain, vi
from cchc_cli.rules.base import Cells, Outcome, RawCheck, ValueSpec, check_numeric_raw, number
from cchc_cli.rules.numeric import NumericRule
from cchc_cli.yamlio import YMap

ONE = Decimal(1)


class RelativeSpec(ValueSpec):
    """Điểm so với đơn vị tốt nhất (hoặc bình quân) của khối, hoặc một mốc cố định."""

    type: Literal["relative"]
    to: Literal["best", "mean"] | Num = Field(
        default="best",
        description="best (đơn vị tốt nhất của khối), mean (bình quân của khối) hoặc một số"
        " cố định, ví dụ bình quân cả nước")
    better: Literal["higher", "lower"] = Field(
        default="higher", description="higher (càng cao càng tốt) hoặc lower (càng thấp càng tốt)")
    unit: Text = Field(default="", description="Đơn vị của giá trị, ví dụ '%'")


class RelativeRule(NumericRule):
    type = "relative"
    spec_model = RelativeSpec

    @property
    def per_row(self) -> bool:  # type: ignore[override]
        return False

    @property
    def fixed(self) -> Decimal | None:
        """The reference given in the criteria file, or None (from the block)."""
        to = self.spec.to
        return to if isinstance(to, Decimal) else None

    @property
    def lower_is_better(self) -> bool:
        return bool(self.spec.better == "lower")

    @classmethod
    def check_raw(cls, rule: YMap, check: RawCheck) -> None:
        check_numeric_raw(rule, check)
        to = number(rule.get("to"))
        if to is not None and to <= 0:
            check.add("muc-tieu-khong-duong", check.at(rule, "to"))

    def points_of(self, value: Exact) -> Outcome:
        if value < 0:
            return Outcome(value=value, error="gia-tri-tinh-am", params={"value": plain(value)})
        return Outcome(value=value)  # the points wait for the reference

    def reference(self, values: Sequence[Exact]) -> Exact | None:
        """The reference of a block whose units (where the leaf applies and the value is
        defined) have ``values``; None when there is none."""
        fixed = self.fixed
        if fixed is not None:
            return fixed
        if not values:
            return None
        if self.spec.to == "mean":
            return exact_div(exact_sum(values), Decimal(len(values)))
        return min(values) if self.lower_is_better else max(values)

    def points_with(self, value: Exact, reference: Exact) -> Outcome:
        """The points of a unit's ``value`` once the block's reference is known."""
        if self.lower_is_better:
            if value == 0:
                return Outcome(value=value, points=self.max)
            if reference == 0:
                return Outcome(value=value, points=ZERO)
            share = exact_div(reference, value)
        else:
            if reference == 0:
                outcome = self.on_zero()
                outcome.value = value
                return outcome
            share = exact_div(value, reference)
        return Outcome(value=value, points=exact_mul(self.max, ONE if share > ONE else share))

    def describe(self) -> str:
        top = vi(self.max)
        fixed = self.fixed
        if fixed is not None:
            against = f"mốc {vi(fixed)}{self.unit}"
        elif self.spec.to == "mean":
            against = "giá trị bình quân của khối"
        else:
            against = ("giá trị thấp nhất (tốt nhất) của khối" if self.lower_is_better
                       else "giá trị cao nhất của khối")
        what = "số liệu" if not self.inputs else "giá trị"
        ratio = (f"{against} ÷ {what}" if self.lower_is_better else f"{what} ÷ {against}")
        lead = "Nhập số liệu" if not self.inputs else f"Nhập các số liệu; {self.value_words()}"
        return f"{lead}; điểm = {top} × {ratio} (tối đa {top}){self.zero_words()}"

    def excel_points(self, cells: Cells) -> str | None:
        return None  # the reference depends on the other units: no convenience points
