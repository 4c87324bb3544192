"""The bundled sample sets (SPEC §11) validate and add up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc_cli.criteria import BONUS, PENALTY, SURVEY, load_criteria
from cchc_cli.resources import bundled
from cchc_cli.settings import Settings

SETS = sorted(bundled("criteria").glob("*/*.yaml"))
RULE_TYPES = {"manual", "choice", "tiers", "ratio", "survey", "bonus", "penalty", "formula",
              "relative"}


def test_the_six_sets_are_there():
    names = {f"{p.parent.name}/{p.stem}" for p in SETS}
    assert names == {"mau-2023/so-nganh", "mau-2023/huyen", "mau-2023/xa", "mau-2023/tw",
                     "mau-2025/so-nganh", "mau-2025/xa"}


@pytest.mark.parametrize("path", SETS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_bundled_set_is_clean_and_sums_to_its_scale(path):
    criteria, issues = load_criteria(path, settings=Settings(), file=path.name)
    assert issues == [], [i.message for i in issues]
    scored = [leaf for leaf in criteria.leaves if leaf.kind not in (BONUS, PENALTY)]
    assert sum((leaf.max for leaf in scored), Decimal(0)) == criteria.scale
    assert criteria.scale == (Decimal(60) if criteria.block == "tw" else Decimal(100))
    # Sets are labelled as samples to be replaced by the province's decision.
    assert "mẫu" in path.read_text(encoding="utf-8").lower()
    survey = [leaf for leaf in criteria.leaves if leaf.kind == SURVEY]
    assert any("SIPAS" in leaf.name and leaf.max == 10 for leaf in survey)
    # A capped group of bonus leaves: one graded (options), one entered.
    bonus = [leaf for leaf in criteria.leaves if leaf.kind == BONUS]
    assert len(bonus) == 2 and bonus[0].path == bonus[1].path
    assert criteria.nodes[bonus[0].path[-1]].cap == bonus[0].max
    assert bonus[0].rule.options and not bonus[1].rule.options
    assert sum(1 for leaf in criteria.leaves if leaf.kind == PENALTY) == 1
    assert any(leaf.na_allowed and leaf.na_note for leaf in criteria.leaves)
    summary = criteria.summary()
    if criteria.block != "tw":
        assert summary["areas"] == 8
        assert 30 <= summary["criteria"] <= 40
        assert 70 <= summary["leaves"] <= 90


@pytest.mark.parametrize("path", SETS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_set_uses_every_rule_type(path):
    criteria, _ = load_criteria(path, settings=Settings(), file=path.name)
    assert {leaf.rule.type for leaf in criteria.leaves} == RULE_TYPES


@pytest.mark.parametrize("path", SETS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_real_patterns_of_provincial_sets(path):
    """SPEC §13.1: dossier rates from two counts (no dossier → deducted), a per-report
    deduction, a negative option, a score relative to the block's best."""
    criteria, _ = load_criteria(path, settings=Settings(), file=path.name)
    rates = [leaf for leaf in criteria.leaves
             if "đúng hạn" in leaf.name and len(leaf.rule.inputs) == 2]
    assert rates and all(leaf.rule.when_zero == "na" and leaf.rule.checks for leaf in rates)
    assert any(leaf.rule.type == "relative" for leaf in criteria.leaves)
    reports = [leaf for leaf in criteria.leaves if "chế độ báo cáo CCHC định kỳ" in leaf.name]
    if criteria.block != "tw":  # central agencies report to their own ministry
        assert reports and all(leaf.rule.type == "formula" and leaf.method for leaf in reports)


def test_negative_points_for_a_plan_not_issued():
    floors = 0
    for path in SETS:
        criteria, _ = load_criteria(path, settings=Settings(), file=path.name)
        for leaf in criteria.leaves:
            if leaf.floor < 0:
                floors += 1
                assert min(o.points for o in leaf.rule.options) == leaf.floor == -1
    assert floors >= 4


def test_disbursement_is_scored_in_tiers():
    for path in SETS:
        criteria, _ = load_criteria(path, settings=Settings(), file=path.name)
        if criteria.block == "tw":
            continue
        names = [leaf for leaf in criteria.leaves if "giải ngân" in leaf.name.lower()]
        assert names and all(leaf.rule.type == "tiers" for leaf in names), path
        # On the rate computed from the amounts disbursed and planned.
        assert all([i.key for i in leaf.rule.inputs] == ["d", "p"] for leaf in names), path


def test_codes_1_1_and_1_10_style_coexist():
    for path in SETS:
        criteria, _ = load_criteria(path, settings=Settings(), file=path.name)
        assert any(code.endswith(".10") for code in criteria.nodes), path
