"""``tiers``: the first tier, in the order written, whose bound holds (SPEC §5).

``min: X`` means value ≥ X, ``above: X`` means value > X; no tier holds → 0 points. The
value is the leaf's ``Số liệu``, or computed from named inputs (SPEC §13.1), e.g. a
dossier rate ``a / b * 100`` compared with the province's thresholds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from cchc_cli.modelcheck import Num, StrictModel, Text
from cchc_cli.numbers import ZERO, Exact, vi
from cchc_cli.rules.base import (
    Cells,
    Outcome,
    RawCheck,
    ValueSpec,
    check_numeric_raw,
    check_points_range,
    number,
    number_text,
)
from cchc_cli.rules.numeric import NumericRule
from cchc_cli.yamlio import YList, YMap


class Tier(StrictModel):
    min: Num | None = Field(default=None, description="Áp dụng khi giá trị ≥ min")
    above: Num | None = Field(default=None, description="Áp dụng khi giá trị > above")
    points: Num = Field(description="Điểm của mức")

    @model_validator(mode="after")
    def _one_bound(self) -> Tier:
        if (self.min is None) == (self.above is None):
            raise ValueError("mỗi mức phải có đúng một trong hai ngưỡng 'min' hoặc 'above'")
        return self

    @property
    def bound(self) -> Decimal:
        return self.min if self.min is not None else self.above  # type: ignore[return-value]

    @property
    def strict(self) -> bool:
        return self.above is not None


class TiersSpec(ValueSpec):
    """Số liệu (hoặc giá trị tính từ các số liệu) so với các ngưỡng, lấy mức đầu tiên thỏa
    mãn theo thứ tự viết."""

    type: Literal["tiers"]
    unit: Text = Field(default="", description="Đơn vị của số liệu, ví dụ '%'")
    tiers: list[Tier] = Field(min_length=1)


class TiersRule(NumericRule):
    type = "tiers"
    spec_model = TiersSpec
    allows_floor = True

    @property
    def tiers(self) -> list[Tier]:
        return list(self.spec.tiers)

    @classmethod
    def check_raw(cls, rule: YMap, check: RawCheck) -> None:
        check_numeric_raw(rule, check)
        tiers = rule.get("tiers")
        if not isinstance(tiers, YList):
            return
        previous: tuple[Decimal, int, str] | None = None
        for position, (tier, line) in enumerate(zip(tiers, tiers.item_lines, strict=True), 1):
            if not isinstance(tier, YMap):
                continue
            has_min, has_above = "min" in tier, "above" in tier
            if has_min == has_above:
                check.add("muc-thieu-nguong", line, position=position)
                continue
            check_points_range(number(tier.get("points")), check,
                               tier.key_lines.get("points", line), "diem-muc-vuot-toi-da",
                               position=position)
            bound = number(tier.get("above" if has_above else "min"))
            if bound is None:
                continue
            # "above X" is stricter than "min X": (X, 1) > (X, 0) in the order of bounds.
            key = (bound, 1 if has_above else 0)
            shown = f"{'>' if has_above else '≥'} {vi(bound)}"
            if previous is not None and key >= previous[:2]:
                check.add("muc-khong-giam-dan", line, position=position, bound=shown,
                          previous=previous[2])
            previous = (key[0], key[1], shown)

    def points_of(self, value: Exact) -> Outcome:
        for tier in self.spec.tiers:
            if tier.above is not None:
                if value > tier.above:
                    return Outcome(value=value, points=tier.points)
            elif value >= tier.min:
                return Outcome(value=value, points=tier.points)
        return Outcome(value=value, points=ZERO)

    def describe(self) -> str:
        unit = self.unit
        parts = [f"{'>' if t.strict else '≥'} {vi(t.bound)}{unit}: {vi(t.points)}"
                 for t in self.spec.tiers]
        lead = "Nhập số liệu" if not self.inputs else f"Nhập các số liệu; {self.value_words()}"
        return f"{lead}; " + "; ".join(parts) + "; còn lại: 0" + self.zero_words()

    def excel_points(self, cells: Cells) -> str | None:
        inner = "0"
        for tier in reversed(self.spec.tiers):
            op = ">" if tier.strict else ">="
            inner = (f"IF({cells.data}{op}{number_text(tier.bound)},"
                     f"{number_text(tier.points)},{inner})")
        return self.excel_guard(cells, inner)
