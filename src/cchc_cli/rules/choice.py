"""``choice``: the unit picks one option; the option's points (SPEC §5). Graded bonus and
penalty (SPEC §13.1.6) use the same options."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from cchc_cli.cells import header_key
from cchc_cli.modelcheck import Num, StrictModel, Text
from cchc_cli.numbers import vi
from cchc_cli.rules.base import (
    INPUT_CHOICE,
    Cells,
    Outcome,
    RawCheck,
    Rule,
    check_points_range,
    number,
    number_text,
)
from cchc_cli.yamlio import YList, YMap

ZERO = Decimal(0)


class ChoiceOption(StrictModel):
    label: Text = Field(description="Nội dung lựa chọn, hiện trong danh sách thả xuống")
    points: Num = Field(description="Điểm của lựa chọn (không vượt điểm tối đa)")


class ChoiceSpec(StrictModel):
    """Chọn một trong các lựa chọn; mỗi lựa chọn có số điểm."""

    type: Literal["choice"]
    options: list[ChoiceOption] = Field(min_length=1)


def check_options(rule: YMap, check: RawCheck) -> None:
    options = rule.get("options")
    if not isinstance(options, YList):
        return
    labels: set[str] = set()
    for option, line in zip(options, options.item_lines, strict=True):
        if not isinstance(option, YMap):
            continue
        label = option.get("label")
        if isinstance(label, str):
            key = header_key(label)
            if key in labels:
                check.add("lua-chon-trung", line, label=label)
            labels.add(key)
        check_points_range(number(option.get("points")), check,
                           option.key_lines.get("points", line), "diem-lua-chon-vuot-toi-da",
                           label=label)


class Options:
    """Looking an entered label up among a rule's options: case, spacing and Unicode
    normalisation do not matter; the option's own spelling is what is kept."""

    def __init__(self, options: list[ChoiceOption]) -> None:
        self.items = tuple(options)
        self.points = {o.label: o.points for o in options}
        self.by_key = {header_key(o.label): o.label for o in options}

    def label(self, entered: str) -> str | None:
        if entered in self.points:
            return entered
        return self.by_key.get(header_key(entered))

    def describe(self) -> str:
        return "; ".join(f"{o.label} ({vi(o.points)})" for o in self.items)

    def excel(self, cells: Cells) -> str:
        if cells.table is not None:
            return (f'=IF({cells.na}="x","",IFERROR(VLOOKUP({cells.choice},{cells.table},2,'
                    'FALSE),""))')
        inner = '""'
        for option in reversed(self.items):
            label = '"' + option.label.replace('"', '""') + '"'
            inner = f"IF({cells.choice}={label},{number_text(option.points)},{inner})"
        return f'=IF({cells.na}="x","",{inner})'


class ChoiceRule(Rule):
    type = "choice"
    spec_model = ChoiceSpec
    allows_floor = True

    def __init__(self, spec: Any, *, code: str, max: Decimal, floor: Decimal = ZERO) -> None:
        super().__init__(spec, code=code, max=max, floor=floor)
        self.choices = Options(spec.options)

    @property
    def reads(self) -> str:
        return INPUT_CHOICE

    @property
    def options(self) -> tuple[ChoiceOption, ...]:
        return self.choices.items

    def find_option(self, entered: str) -> str | None:
        return self.choices.label(entered)

    @classmethod
    def check_raw(cls, rule: YMap, check: RawCheck) -> None:
        check_options(rule, check)

    def evaluate(self, entered: Any) -> Outcome:
        """``entered`` is the option's own label (the reader found it)."""
        return Outcome(points=self.choices.points[entered])

    def describe(self) -> str:
        return "Chọn một: " + self.choices.describe()

    def excel_points(self, cells: Cells) -> str | None:
        return self.choices.excel(cells)
