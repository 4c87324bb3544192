"""``bonus`` and ``penalty``: points outside the scale, added to or subtracted from the
unit's total (SPEC §5); entered as points, or chosen among graded ``options`` (SPEC
§13.1.6: "Hoàn thành xuất sắc: 2; tốt: 1,5"). A blank counts 0. Groups of them may be
capped (``cap`` on their parent node, applied by scoring)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from cchc_cli.modelcheck import Num, StrictModel
from cchc_cli.numbers import vi
from cchc_cli.rules.base import (
    BONUS,
    INPUT_CHOICE,
    INPUT_SCORE,
    PENALTY,
    Cells,
    Outcome,
    RawCheck,
    Rule,
)
from cchc_cli.rules.choice import ChoiceOption, Options, check_options
from cchc_cli.rules.manual import check_step
from cchc_cli.yamlio import YMap

ZERO = Decimal(0)


class BonusSpec(StrictModel):
    """Điểm thưởng, cộng vào tổng; không tính vào thang điểm."""

    type: Literal["bonus"]
    step: Num | None = None
    options: list[ChoiceOption] | None = Field(
        default=None, description="Các mức thưởng để chọn (thay cho nhập điểm)", min_length=1)


class PenaltySpec(StrictModel):
    """Điểm trừ, trừ vào tổng; không tính vào thang điểm."""

    type: Literal["penalty"]
    step: Num | None = None
    options: list[ChoiceOption] | None = Field(
        default=None, description="Các mức trừ để chọn (thay cho nhập điểm)", min_length=1)


class _ExtraRule(Rule):
    words: str  # what the points are
    effect: str  # what they do to the total

    def __init__(self, spec: Any, *, code: str, max: Decimal, floor: Decimal = ZERO) -> None:
        super().__init__(spec, code=code, max=max, floor=floor)
        self.choices = Options(spec.options) if spec.options else None

    @property
    def reads(self) -> str:
        return INPUT_CHOICE if self.choices is not None else INPUT_SCORE

    @property
    def options(self) -> tuple[ChoiceOption, ...]:
        return self.choices.items if self.choices is not None else ()

    @property
    def step(self) -> Decimal | None:
        step: Decimal | None = self.spec.step
        return step

    def find_option(self, entered: str) -> str | None:
        return self.choices.label(entered) if self.choices is not None else None

    @classmethod
    def check_raw(cls, rule: YMap, check: RawCheck) -> None:
        check_step(rule, check)
        check_options(rule, check)
        if "options" in rule and "step" in rule:
            check.add("khoa-xung-dot", check.at(rule, "step"), first="options", second="step")

    def evaluate(self, entered: Any) -> Outcome:
        if self.choices is not None:
            return Outcome(points=self.choices.points[entered])
        return Outcome(points=entered)

    def describe(self) -> str:
        if self.choices is not None:
            return f"{self.words} ({self.effect}), chọn một: {self.choices.describe()}"
        return f"{self.words} từ 0 đến {vi(self.max)} ({self.effect})"

    def excel_points(self, cells: Cells) -> str | None:
        return self.choices.excel(cells) if self.choices is not None else None


class BonusRule(_ExtraRule):
    type = "bonus"
    kind = BONUS
    spec_model = BonusSpec
    words = "Điểm thưởng"
    effect = "cộng thêm, ngoài thang điểm"


class PenaltyRule(_ExtraRule):
    type = "penalty"
    kind = PENALTY
    spec_model = PenaltySpec
    words = "Điểm trừ"
    effect = "trừ vào tổng điểm"
