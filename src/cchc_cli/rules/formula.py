"""``formula``: the points are an expression over named inputs (SPEC §13.1.3).

"(b / a) × 1 + (c / a) × 0,5", "−0,25 điểm mỗi báo cáo chậm": the province writes the
points as it decided them. A result outside [floor, max] is an error naming the unit, the
leaf and the inputs — never silently clipped (use ``max(…)`` or ``min(…)`` in the
expression where the province's rule clips).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from pydantic import Field

from cchc_cli.expressions import NUMBER, DivisionByZero, Expression, parse
from cchc_cli.modelcheck import Text
from cchc_cli.numbers import ZERO, exact, plain, vi
from cchc_cli.rules.base import (
    EXCEL_ROUND,
    Cells,
    InputsSpec,
    Outcome,
    RawCheck,
    check_expression,
    check_numeric_raw,
)
from cchc_cli.rules.numeric import NumericRule, vi_expression
from cchc_cli.yamlio import YMap


class FormulaSpec(InputsSpec):
    """Điểm tính bằng biểu thức từ các số liệu, ví dụ \"(b / a) * 1 + (c / a) * 0.5\"."""

    type: Literal["formula"]
    points: Text = Field(description="Biểu thức tính điểm từ các số liệu")


class FormulaRule(NumericRule):
    type = "formula"
    spec_model = FormulaSpec
    allows_floor = True

    def __init__(self, spec: Any, *, code: str, max: Decimal, floor: Decimal = ZERO) -> None:
        super().__init__(spec, code=code, max=max, floor=floor)
        names = frozenset(i.key for i in self.inputs)
        self.points_expression: Expression = parse(spec.points, names)

    @property
    def per_row(self) -> bool:  # type: ignore[override]
        return False

    @classmethod
    def check_raw(cls, rule: YMap, check: RawCheck) -> None:
        names = check_numeric_raw(rule, check, needs_value=False)
        if "inputs" not in rule:
            check.add("can-so-lieu", check.at(rule, "type"), type="formula")
        check_expression(rule, "points", names, NUMBER, check)

    def evaluate(self, entered: Decimal | Mapping[str, Decimal]) -> Outcome:
        if isinstance(entered, Decimal):  # pragma: no cover - formula always has inputs
            raise TypeError("a formula leaf reads named inputs")
        values = {key: Fraction(number) for key, number in entered.items()}
        try:
            points = exact(self.points_expression.number(values))
        except DivisionByZero:
            return self.on_zero()
        if points > self.max or points < self.floor:
            return Outcome(points=None, error="diem-cong-thuc-ngoai-khoang",
                           params={"value": plain(points), "floor": plain(self.floor),
                                   "max": plain(self.max)})
        return Outcome(points=points)

    def describe(self) -> str:
        labels = "; ".join(f"{i.key}: {i.label}" for i in self.inputs)
        bounds = f"từ {vi(self.floor)} đến {vi(self.max)}"
        return (f"Nhập các số liệu; điểm = {vi_expression(self.points_expression)} ({labels});"
                f" điểm {bounds}{self.zero_words()}")

    def excel_value(self, cells: Cells) -> str | None:
        return None  # a formula leaf has no value of its own: its points are the result

    def excel_points(self, cells: Cells) -> str | None:
        refs = [cells.inputs[i.key] for i in self.inputs]
        body = self.points_expression.excel(cells.inputs)
        return (f'=IF(OR({cells.na}="x",COUNT({",".join(refs)})<{len(refs)}),"",'
                f'IFERROR(ROUND({body},{EXCEL_ROUND}),{self.excel_zero_points()}))')
