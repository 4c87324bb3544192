"""Invariants of the rules of SPEC §13.1, on generated inputs (hypothesis)."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from cchc_cli.numbers import Exact, exact, exact_sum, fraction, round_half_up
from cchc_cli.readers.register import Unit
from tests.scoring_helpers import criteria_from, score, year_inputs
from tests.test_rules_golden import NEW_RULES

CRITERIA = criteria_from(NEW_RULES)
UNITS = [Unit(f"U{i}", f"Đơn vị {i}", "so-nganh") for i in range(4)]

count = st.integers(min_value=0, max_value=300)
amount = st.decimals(min_value=0, max_value=500, places=2).map(str)
# 2.1 divides by p and by the block's best d ÷ p: both stay above 0 here (a zero is
# when_zero's business, tested by hand in test_rules_golden).
positive = st.decimals(min_value=D("0.01"), max_value=500, places=2).map(str)


@st.composite
def unit_values(draw) -> dict:
    b = draw(count)
    total = draw(count)
    online = draw(st.integers(0, total))
    partly = draw(st.integers(0, total - online))
    return {
        "1.1": {"a": draw(st.integers(0, b)), "b": b},
        # b + c ≤ a keeps (b ÷ a) × 1 + (c ÷ a) × 0.5 within [0, 1].
        "1.2": {"a": total, "b": online, "c": partly},
        "1.3": {"late": draw(st.integers(0, 20))},
        "1.4": draw(st.sampled_from(["0", "0.5", "1"])),
        "2.1": {"d": draw(positive), "p": draw(positive)},
        "2.2": draw(amount),
        "2.3": draw(amount),
        "3": draw(st.sampled_from(["Đúng hạn", "Chậm", "Không ban hành"])),
        "4.1": draw(st.sampled_from(["Cấp tỉnh công nhận", "Cấp sở công nhận"])),
        "4.2": draw(st.sampled_from(["0", "0.5", "1", "1.5"])),
    }


def scored(values: list[dict]):
    own = {unit.code: v for unit, v in zip(UNITS, values, strict=False)}
    return score(year_inputs(CRITERIA, UNITS[:len(values)], own))


@given(st.lists(unit_values(), min_size=1, max_size=4))
def test_points_stay_within_floor_and_max_and_totals_add_up(values):
    result = scored(values)
    for unit in result.all_units():
        for leaf in unit.leaves.values():
            if leaf.na or leaf.missing:
                continue
            assert leaf.leaf.floor <= leaf.points <= leaf.max, (leaf.code, leaf.points)
        assert unit.status == "ok", [i.message for i in result.issues if i.is_error]
        scored_points = [r.points for r in unit.leaves.values()
                         if not r.na and r.counts_in_scale]
        # Bonus capped at 2: the unit's bonus is min(2, sum of its bonus leaves).
        bonus = exact_sum(r.points for r in unit.leaves.values() if r.leaf.kind == "bonus")
        assert fraction(unit.bonus) == min(F(2), fraction(bonus))
        assert fraction(unit.points) == fraction(exact_sum(scored_points)) + fraction(unit.bonus)
        assert 0 <= unit.index <= 100
        exact_index = min(F(100), max(F(0), fraction(unit.points) * 100 /
                                      fraction(unit.max_points)))
        assert unit.index_published == round_half_up(exact_index, 2)


@given(st.lists(unit_values(), min_size=2, max_size=4))
def test_relative_points_follow_the_best_unit(values):
    result = scored(values)
    units = result.all_units()
    best_leaf = [u.leaves["2.1"] for u in units
                 if u.errors == 0 and not u.leaves["2.1"].na and u.leaves["2.1"].value is not None]
    for unit in units:
        leaf = unit.leaves["2.1"]
        if leaf.na or leaf.missing or leaf.reference is None:
            continue
        values_in_set: list[Exact] = [r.value for r in best_leaf if r.value is not None]
        if values_in_set:
            assert leaf.reference == max(values_in_set)
        if leaf.reference and leaf.value is not None:
            # 2 × min(1, value ÷ reference), exactly.
            expected = F(2) * min(F(1), fraction(leaf.value) / fraction(leaf.reference))
            assert fraction(leaf.points) == expected


@given(count, count)
def test_a_rate_from_counts_is_exact(a, b):
    rule = CRITERIA.leaf_of("1.1").rule
    outcome = rule.evaluate({"a": D(min(a, b)), "b": D(b)})
    if b == 0:
        assert outcome.na  # when_zero: na
        return
    value = F(min(a, b), b) * 100
    assert outcome.value == exact(value)
    expected = 2 if value >= 95 else 1 if value >= 80 else 0
    assert outcome.points == expected


@given(st.integers(1, 100), st.integers(0, 100))
def test_a_formula_outside_its_range_is_an_error_never_clipped(a, extra):
    # b = a + 1 + extra > a: (b ÷ a) × 1 > 1 = max.
    values = {"1.2": {"a": a, "b": a + 1 + extra, "c": 0}}
    result = score(year_inputs(CRITERIA, UNITS[:1], {"U0": values}))
    found = [i for i in result.issues if i.code == "diem-cong-thuc-ngoai-khoang"]
    assert len(found) == 1 and found[0].unit == "U0"
    assert result.unit("U0").leaves["1.2"].missing
