"""The machinery of the rules that read numbers (tiers, ratio, relative, formula): named
inputs, the ``value`` expression, ``when_zero`` and ``checks`` (SPEC §13.1.1).

Without named inputs such a leaf reads its one ``Số liệu`` cell, as in SPEC §5; with
them, each input is a row of its own in the forms and the leaf's value is computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from cchc_cli.expressions import CONDITION, DivisionByZero, Expression, parse
from cchc_cli.numbers import ZERO, Exact, exact, vi
from cchc_cli.rules.base import (
    EXCEL_ROUND,
    INPUT_DATA,
    Cells,
    InputSpec,
    Outcome,
    Rule,
    number_text,
)

# What the computed-value cell of a form shows when a division by zero happened.
ZERO_TEXT = {"na": "không phát sinh", "full": "chia cho 0", "zero": "chia cho 0",
             "error": "chia cho 0"}

Entered = Decimal | Mapping[str, Decimal]


def vi_expression(expression: Expression, labels: Mapping[str, str] | None = None) -> str:
    """An expression as printed for a person: × ÷ ≤ ≥ ≠, decimal commas, 'và', 'hoặc'."""
    return expression.shown(lambda key: labels.get(key, key) if labels else key,
                            vietnamese=True)


class NumericRule(Rule):
    """A rule whose input is a number: one ``Số liệu`` cell, or named inputs."""

    needs_value_expression: ClassVar[bool] = True

    def __init__(self, spec: Any, *, code: str, max: Decimal, floor: Decimal = ZERO) -> None:
        super().__init__(spec, code=code, max=max, floor=floor)
        self._inputs: tuple[InputSpec, ...] = tuple(spec.inputs or ())
        names = frozenset(i.key for i in self._inputs)
        value = getattr(spec, "value", None)
        self.value_expression: Expression | None = parse(value, names) if value else None
        self.checks: tuple[tuple[Expression, str], ...] = tuple(
            (parse(c.expr, names, want=CONDITION), c.message) for c in spec.checks or ())
        self.when_zero: str = spec.when_zero

    @property
    def reads(self) -> str:
        return INPUT_DATA

    @property
    def inputs(self) -> tuple[InputSpec, ...]:
        return self._inputs

    @property
    def per_row(self) -> bool:  # type: ignore[override]
        return not self._inputs

    @property
    def unit(self) -> str:
        return str(getattr(self.spec, "unit", "") or "")

    # --- values --------------------------------------------------------------------------
    def value_of(self, entered: Entered) -> Exact:
        """The number the rule compares or scales; raises DivisionByZero."""
        if isinstance(entered, Decimal):
            return entered
        values = {key: Fraction(number) for key, number in entered.items()}
        if self.value_expression is not None:
            return exact(self.value_expression.number(values))
        return exact(values[self._inputs[0].key])

    def failed_checks(self, entered: Mapping[str, Decimal]) -> list[str]:
        """Messages of the checks that do not hold (a check that divides by zero is
        skipped, SPEC §13.1.10)."""
        if not self.checks:
            return []
        values = {key: Fraction(number) for key, number in entered.items()}
        failed = []
        for expression, message in self.checks:
            try:
                if not expression.holds(values):
                    failed.append(message)
            except DivisionByZero:
                continue
        return failed

    def on_zero(self) -> Outcome:
        """``when_zero``: what a division by zero makes of the leaf."""
        if self.when_zero == "na":
            return Outcome(zero=True, na=True)
        if self.when_zero == "full":
            return Outcome(zero=True, points=self.max)
        if self.when_zero == "zero":
            return Outcome(zero=True, points=ZERO)
        return Outcome(zero=True, error="chia-cho-khong")

    def evaluate(self, entered: Entered) -> Outcome:
        try:
            value = self.value_of(entered)
        except DivisionByZero:
            return self.on_zero()
        return self.points_of(value)

    def points_of(self, value: Exact) -> Outcome:  # pragma: no cover - subclasses override
        raise NotImplementedError

    # --- words ---------------------------------------------------------------------------
    def value_words(self) -> str:
        """How the compared value is made, e.g. 'giá trị = a ÷ b × 100 (a: …; b: …)'."""
        if not self._inputs:
            return "số liệu"
        labels = "; ".join(f"{i.key}: {i.label}" for i in self._inputs)
        if self.value_expression is None:
            return f"số liệu {self._inputs[0].key} ({labels})"
        return f"giá trị = {vi_expression(self.value_expression)} ({labels})"

    def zero_words(self) -> str:
        if not self._inputs:
            return ""
        return {"na": "; chia cho 0 (không phát sinh): không áp dụng",
                "full": f"; chia cho 0: {vi(self.max)} điểm",
                "zero": "; chia cho 0: 0 điểm",
                "error": ""}[self.when_zero]

    # --- formulas ------------------------------------------------------------------------
    def excel_value(self, cells: Cells) -> str | None:
        """The computed value from the input rows, rounded as SPEC §13.1.10 says."""
        if not self._inputs:
            return None
        refs = [cells.inputs[i.key] for i in self._inputs]
        count = f"COUNT({','.join(refs)})<{len(refs)}"
        if self.value_expression is None:
            return f'=IF({count},"",{refs[0]})'
        body = self.value_expression.excel(cells.inputs)
        marker = ZERO_TEXT[self.when_zero]
        return f'=IF({count},"",IFERROR(ROUND({body},{EXCEL_ROUND}),"{marker}"))'

    def excel_zero_points(self) -> str:
        """The points cell when the value cell says a division by zero happened."""
        return {"na": '""', "full": number_text(self.max), "zero": "0",
                "error": '""'}[self.when_zero]

    def excel_guard(self, cells: Cells, core: str) -> str:
        """Wrap the points formula ``core`` (reading ``cells.data``) so that an N/A mark, an
        empty value and a division by zero show what cchc will do."""
        if not self._inputs:
            return f'=IF(OR({cells.na}="x",{cells.data}=""),"",{core})'
        return (f'=IF(OR({cells.na}="x",{cells.data}=""),"",IF(ISNUMBER({cells.data}),'
                f'{core},{self.excel_zero_points()}))')
