"""``manual``: the unit enters its points (SPEC §5), within [floor, max], optionally a
multiple of ``step``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from cchc_cli.modelcheck import Num, StrictModel
from cchc_cli.numbers import plain, vi
from cchc_cli.rules.base import INPUT_SCORE, Outcome, RawCheck, Rule, number
from cchc_cli.yamlio import YMap


class ManualSpec(StrictModel):
    """Đơn vị tự chấm điểm trong khoảng [0, max]."""

    type: Literal["manual"] = "manual"
    step: Num | None = Field(default=None, description="Bước điểm, ví dụ 0.25")


def check_step(rule: YMap, check: RawCheck) -> None:
    step = number(rule.get("step"))
    if step is not None and check.max is not None and (step <= 0 or check.max % step != 0):
        check.add("buoc-khong-hop-le", check.at(rule, "step"), max=plain(check.max))


class ManualRule(Rule):
    type = "manual"
    spec_model = ManualSpec
    allows_floor = True

    @property
    def reads(self) -> str:
        return INPUT_SCORE

    @property
    def step(self) -> Decimal | None:
        step: Decimal | None = self.spec.step
        return step

    @classmethod
    def check_raw(cls, rule: YMap, check: RawCheck) -> None:
        check_step(rule, check)

    def evaluate(self, entered: Any) -> Outcome:
        return Outcome(points=entered)

    def describe(self) -> str:
        step = f", bước {vi(self.step)}" if self.step else ""
        return f"Tự chấm từ {vi(self.floor)} đến {vi(self.max)} điểm{step}"
