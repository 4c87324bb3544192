"""How a leaf's points were computed, step by step, for ``cchc explain`` (text and JSON).

For a leaf with named inputs: every input with its file and cell, the expression with the
values put in, what a division by zero did (``when_zero``); for a relative leaf: the
block's reference and the unit(s) that set it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cchc_cli.numbers import Exact, vi
from cchc_cli.readers.forms import LeafEntry
from cchc_cli.rules import FormulaRule, NumericRule, RelativeRule
from cchc_cli.scoring import NA_NO_CASES, LeafResult

WHEN_ZERO_WORDS = {
    "na": "không phát sinh: tiêu chí không áp dụng (trừ khỏi điểm tối đa)",
    "full": "được đủ điểm theo bộ tiêu chí (when_zero: full)",
    "zero": "0 điểm theo bộ tiêu chí (when_zero: zero)",
    "error": "lỗi (bộ tiêu chí không quy định cách xử lý)",
}


@dataclass
class InputLine:
    key: str
    label: str
    value: Exact | None
    cell: str | None


@dataclass
class LeafStory:
    """The steps between a leaf's inputs and its points."""

    inputs: list[InputLine] = field(default_factory=list)
    value: str | None = None  # 'giá trị = 12 ÷ 14 × 100 = 85,714286…'
    points: str | None = None  # 'điểm = 2 × 85,7 ÷ 95 = 1,8…' (formula, relative)
    zero: str | None = None  # what a division by zero did
    reference: str | None = None  # relative: the block's reference and who set it
    reference_units: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.inputs or self.value or self.points or self.zero or self.reference)

    def to_dict(self) -> dict[str, Any]:
        from cchc_cli.numbers import json_number

        return {
            "inputs": [{"key": i.key, "label": i.label, "value": json_number(i.value),
                        "cell": i.cell} for i in self.inputs],
            "value": self.value,
            "points": self.points,
            "when_zero": self.zero,
            "reference": self.reference,
            "reference_units": self.reference_units,
        }


def _shown(value: Exact | None) -> str:
    return "(trống)" if value is None else vi(value)


def leaf_story(result: LeafResult, reference_units: list[str] | None = None) -> LeafStory:
    """The story of one scored leaf (empty for rules read from one cell and scored by a
    table: choice, manual, tiers on ``Số liệu``, …)."""
    story = LeafStory()
    rule = result.leaf.rule
    if not isinstance(rule, NumericRule):
        return story
    entry = result.origin if isinstance(result.origin, LeafEntry) else None
    values: dict[str, Exact] = {}
    if entry is not None and entry.inputs is not None:
        labels = {spec.key: spec.label for spec in rule.inputs}
        for item in entry.inputs:
            story.inputs.append(InputLine(item.key, labels.get(item.key, item.key), item.value,
                                          item.cell))
            if item.value is not None:
                values[item.key] = item.value
    complete = bool(rule.inputs) and len(values) == len(rule.inputs)
    if complete and rule.value_expression is not None:
        expression = rule.value_expression.shown(lambda k: _shown(values.get(k)),
                                                 vietnamese=True)
        outcome = "chia cho 0" if result.zero and result.value is None else _shown(result.value)
        story.value = f"giá trị = {expression} = {outcome}"
    if complete and isinstance(rule, FormulaRule):
        expression = rule.points_expression.shown(lambda k: _shown(values.get(k)),
                                                  vietnamese=True)
        outcome = "chia cho 0" if result.zero else _shown(result.points)
        story.points = f"điểm = {expression} = {outcome}"
    if result.zero:
        story.zero = "phép chia cho 0 → " + WHEN_ZERO_WORDS[rule.when_zero]
    if isinstance(rule, RelativeRule) and result.reference is not None:
        story.reference = _reference_words(rule, result, reference_units or [])
        story.reference_units = list(reference_units or [])
        if result.value is not None and not result.na and not result.zero:
            ratio = (f"{_shown(result.reference)} ÷ {_shown(result.value)}"
                     if rule.lower_is_better else
                     f"{_shown(result.value)} ÷ {_shown(result.reference)}")
            story.points = (f"điểm = {vi(result.leaf.max)} × min(1; {ratio}) ="
                            f" {_shown(result.points)}")
    if result.na_reason == NA_NO_CASES and story.zero is None:
        story.zero = "phép chia cho 0 → " + WHEN_ZERO_WORDS["na"]
    return story


def _reference_words(rule: RelativeRule, result: LeafResult, units: list[str]) -> str:
    reference = _shown(result.reference)
    if rule.fixed is not None:
        return f"tham chiếu {reference} (mốc cố định trong bộ tiêu chí)"
    if rule.spec.to == "mean":
        return f"tham chiếu {reference} (giá trị bình quân của khối)"
    best = "thấp nhất" if rule.lower_is_better else "cao nhất"
    who = f", của {', '.join(units)}" if units else ""
    return f"tham chiếu {reference} (giá trị {best} của khối{who})"
