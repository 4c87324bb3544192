"""The scoring rules of SPEC §5: which input each rule reads, the points it gives, and
how it is explained to a person.

Exact decimals throughout; nothing here rounds. ``min`` bounds are inclusive, ``above``
bounds strict; a tiers value that meets no bound earns 0.
"""

from __future__ import annotations

from decimal import Decimal

from cchc_cli.cells import header_key
from cchc_cli.criteria import Leaf, RatioRule, TiersRule
from cchc_cli.numbers import HUNDRED, ZERO, vi

# The form column a rule reads (SPEC §7.1): data = Số liệu, choice = Lựa chọn,
# score = Điểm tự chấm; survey leaves read the survey workbook.
INPUT_DATA, INPUT_CHOICE, INPUT_SCORE, INPUT_SURVEY = "data", "choice", "score", "survey"

_INPUT_OF = {
    "manual": INPUT_SCORE,
    "bonus": INPUT_SCORE,
    "penalty": INPUT_SCORE,
    "choice": INPUT_CHOICE,
    "tiers": INPUT_DATA,
    "ratio": INPUT_DATA,
    "survey": INPUT_SURVEY,
}


def input_kind(leaf: Leaf) -> str:
    return _INPUT_OF[leaf.rule.type]


def tier_points(rule: TiersRule, value: Decimal) -> Decimal:
    """The first tier, in the order written, whose bound holds; none → 0."""
    for tier in rule.tiers:
        if tier.above is not None:
            if value > tier.above:
                return tier.points
        elif value >= tier.min:  # type: ignore[operator]
            return tier.points
    return ZERO


def ratio_points(rule: RatioRule, top: Decimal, value: Decimal) -> Decimal:
    """max × min(1, value ÷ target); 0 below ``zero_below``."""
    if rule.zero_below is not None and value < rule.zero_below:
        return ZERO
    share = value / rule.target
    return top * min(Decimal(1), max(ZERO, share))


def option_points(leaf: Leaf, label: str) -> Decimal | None:
    found = leaf.choice_points.get(label)
    if found is not None:
        return found
    own = leaf.choices.get(header_key(label))
    return leaf.choice_points[own] if own is not None else None


def canonical_label(leaf: Leaf, label: str) -> str | None:
    """The option's own spelling of ``label`` (case, spacing and NFC do not matter)."""
    if label in leaf.choice_points:
        return label
    return leaf.choices.get(header_key(label))


def points(leaf: Leaf, value: Decimal | str) -> Decimal:
    """Points of an applicable leaf for a checked input (number, or option label).

    Bonus and penalty return their (positive) points; the caller adds or subtracts.
    """
    rule = leaf.rule
    kind = rule.type
    if kind in ("manual", "bonus", "penalty"):
        return value  # type: ignore[return-value]
    if kind == "choice":
        found = option_points(leaf, value)  # type: ignore[arg-type]
        if found is None:
            raise ValueError(f"unknown option {value!r} for {leaf.code}")
        return found
    if kind == "tiers":
        return tier_points(rule, value)  # type: ignore[arg-type]
    if kind == "ratio":
        return ratio_points(rule, leaf.max, value)  # type: ignore[arg-type]
    if kind == "survey":
        return leaf.max * value / HUNDRED  # type: ignore[operator]
    raise ValueError(f"unknown rule {kind}")  # pragma: no cover - the model forbids it


def describe(leaf: Leaf) -> str:
    """'Cách chấm' in words, as printed in forms and in ``cchc explain``."""
    rule = leaf.rule
    top = vi(leaf.max)
    kind = rule.type
    if kind == "manual":
        step = f", bước {vi(rule.step)}" if rule.step else ""
        return f"Tự chấm từ 0 đến {top} điểm{step}"
    if kind == "bonus":
        return f"Điểm thưởng từ 0 đến {top} (cộng thêm, ngoài thang điểm)"
    if kind == "penalty":
        return f"Điểm trừ từ 0 đến {top} (trừ vào tổng điểm)"
    if kind == "choice":
        return "Chọn một: " + "; ".join(f"{o.label} ({vi(o.points)})" for o in rule.options)
    if kind == "tiers":
        unit = rule.unit
        parts = [
            f"{'>' if t.above is not None else '≥'} {vi(t.bound)}{unit}: {vi(t.points)}"
            for t in rule.tiers
        ]
        return "Nhập số liệu; " + "; ".join(parts) + "; còn lại: 0"
    if kind == "ratio":
        text = f"Nhập số liệu; điểm = {top} × số liệu ÷ {vi(rule.target)}{rule.unit}" \
               f" (tối đa {top})"
        if rule.zero_below is not None:
            text += f"; dưới {vi(rule.zero_below)}{rule.unit}: 0"
        return text
    if kind == "survey":
        return f"Theo kết quả khảo sát: {top} × tỷ lệ (%) ÷ 100"
    return kind  # pragma: no cover
