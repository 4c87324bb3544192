"""Scoring (SPEC §8): golden cases computed by hand, the arithmetic written beside them."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from cchc_cli.numbers import round_half_up
from cchc_cli.readers.register import Unit
from tests.builders import FORM_CRITERIA
from tests.conftest import criteria_header as header
from tests.conftest import dedent
from tests.scoring_helpers import NA, criteria_from, score, year_inputs

STP = Unit("STP", "Sở Tư pháp", "so-nganh")
SNV = Unit("SNV", "Sở Nội vụ", "so-nganh")



def test_published_check_sipas_91_17_percent_on_a_10_point_leaf():
    criteria = criteria_from(header("10") + dedent("""
          - {code: "8.1", name: SIPAS, max: 10, rule: {type: survey}}
    """))
    result = score(year_inputs(criteria, [STP], {"STP": {}},
                               survey={("STP", "8.1"): "91.17"}))
    unit = result.unit("STP")
    # 10 × 91.17 ÷ 100 = 9.117 exactly; published with 2 decimals, half-up: 9.12.
    assert unit.leaves["8.1"].points == D("9.117")
    assert round_half_up(unit.leaves["8.1"].points, 2) == D("9.12")
    assert unit.survey_points == D("9.117")
    # Index 9.117 ÷ 10 × 100 = 91.17.
    assert unit.index_published == D("91.17")


def test_published_check_68_32_points_with_16_not_applicable_is_81_33():
    criteria = criteria_from(header("100") + dedent("""
          - {code: "1", name: Phần áp dụng, max: 84}
          - code: "2"
            name: Phần không áp dụng
            items:
              - {code: "2.1", name: a, max: 10}
              - {code: "2.2", name: b, max: 6}
    """))
    unit_def = Unit("BDT", "Ban Dân tộc", "so-nganh", not_applicable=("2",))
    result = score(year_inputs(criteria, [unit_def], {"BDT": {"1": "68.32"}}))
    unit = result.unit("BDT")
    # Max 100 − (10 + 6) not applicable = 84; 68.32 ÷ 84 × 100 = 81.3333… → 81.33.
    assert unit.max_points == D(84)
    assert unit.points == D("68.32")
    assert unit.index_published == D("81.33")
    assert str(unit.index)[:10] == "81.3333333"
    assert unit.not_applicable == ["2.1", "2.2"]
    assert unit.leaves["2.1"].na_reason == "register"


TIERS = header("2") + dedent("""
      - code: "1"
        name: Giải ngân
        max: 2
        rule:
          type: tiers
          tiers:
            - {above: 90, points: 2}
            - {min: 70, points: 1}
""")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90", "1"),          # exactly on "above 90": not above → falls to "min 70"
        ("90.0001", "2"),     # just above 90
        ("100", "2"),
        ("70", "1"),          # exactly on "min 70": inclusive
        ("69.99", "0"),       # below every bound → 0
        ("0", "0"),
    ],
)
def test_tier_bounds_min_inclusive_above_strict(value, expected):
    criteria = criteria_from(TIERS)
    unit = score(year_inputs(criteria, [STP], {"STP": {"1": value}})).unit("STP")
    assert unit.leaves["1"].points == D(expected)


RATIO = header("2") + dedent("""
      - code: "1"
        name: Thanh toán trực tuyến
        max: 2
        rule: {type: ratio, target: 80, zero_below: 50}
""")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("49.99", "0"),      # below zero_below 50 → 0
        ("50", "1.25"),      # 2 × 50 ÷ 80 = 1.25 (zero_below is exclusive of 50 itself)
        ("60", "1.5"),       # 2 × 60 ÷ 80 = 1.5
        ("80", "2"),         # the target gives the max
        ("95", "2"),         # min(1, 95 ÷ 80) = 1 → 2
    ],
)
def test_ratio(value, expected):
    criteria = criteria_from(RATIO)
    unit = score(year_inputs(criteria, [STP], {"STP": {"1": value}})).unit("STP")
    assert unit.leaves["1"].points == D(expected)


def test_choice_and_manual():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Ban hành chậm", "1.2": "2.25", "1.10": "75", "2.1": "80"}
    result = score(year_inputs(criteria, [STP], {"STP": own},
                               survey={("STP", "3.1"): "90", ("STP", "3.2"): "50"}))
    unit = result.unit("STP")
    # 1.1 chậm 0.5; 1.2 2.25; 1.10 75 ≥ 70 → 1; 2.1 2 × 80 ÷ 100 = 1.6;
    # 3.1 10 × 90 ÷ 100 = 9; 3.2 2 × 50 ÷ 100 = 1.
    assert {c: r.points for c, r in unit.leaves.items()} == {
        "1.1": D("0.5"), "1.2": D("2.25"), "1.10": D(1), "2.1": D("1.6"), "2.2": D(0),
        "2.3": D(0), "3.1": D(9), "3.2": D(1)}
    # Total 0.5 + 2.25 + 1 + 1.6 + 9 + 1 = 15.35 of 20 → 76.75 %.
    assert unit.points == D("15.35") and unit.max_points == D(20)
    assert unit.index_published == D("76.75")
    assert unit.appraised_points == D("5.35") and unit.survey_points == D(10)
    # Area totals: area 1 = 0.5 + 2.25 + 1 = 3.75 of 6 → 62.5 %; area 2 = 1.6 of 2.
    assert (unit.nodes["1"].points, unit.nodes["1"].max_points) == (D("3.75"), D(6))
    assert unit.nodes["1"].index == D("62.5")
    assert unit.nodes["2"].points == D("1.6") and unit.nodes["2"].max_points == D(2)
    # Without appraisal every self-assessed leaf is "chưa thẩm định".
    warning = next(i for i in result.issues if i.code == "chua-tham-dinh")
    assert warning.unit == "STP" and "4 tiêu chí" in warning.message


def test_na_claim_on_an_allowed_leaf_leaves_the_denominator():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Ban hành đúng thời hạn", "1.2": "3", "1.10": "95", "2.1": NA}
    unit = score(year_inputs(criteria, [STP], {"STP": own},
                             survey={("STP", "3.1"): "80", ("STP", "3.2"): NA})).unit("STP")
    # 2.1 (2) and 3.2 (2) not applicable: max 20 − 4 = 16.
    # Points 1 + 3 + 2 + 10 × 80 ÷ 100 = 14 → 14 ÷ 16 = 87.5 %.
    assert unit.max_points == D(16)
    assert unit.points == D(14)
    assert unit.index_published == D("87.50")
    assert unit.leaves["2.1"].na_reason == "self"
    assert unit.leaves["3.2"].na_reason == "survey"
    assert unit.leaves["3.2"].source == "survey" and unit.leaves["3.2"].na


def test_appraiser_rejects_an_na_claim():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Ban hành đúng thời hạn", "1.2": "3", "1.10": "95", "2.1": NA}
    survey = {("STP", "3.1"): "80", ("STP", "3.2"): "50"}
    # The appraiser clears the N/A mark of 2.1 and enters 60 %: 2 × 60 ÷ 100 = 1.2.
    result = score(year_inputs(criteria, [STP], {"STP": own}, survey=survey,
                               appraisals={("STP", "2.1"): [(1, "60")]}))
    unit = result.unit("STP")
    assert unit.leaves["2.1"].na is False
    assert unit.leaves["2.1"].points == D("1.2")
    assert unit.leaves["2.1"].source == "appraisal"
    assert unit.leaves["2.1"].changed_by_appraisal
    # Max back to 20; points 1 + 3 + 2 + 1.2 + 8 + 1 = 16.2 → 81 %.
    assert unit.max_points == D(20)
    assert unit.points == D("16.2")
    assert unit.index_published == D("81.00")


def test_appraiser_confirms_an_na_claim():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Ban hành đúng thời hạn", "1.2": "3", "1.10": "95", "2.1": NA}
    unit = score(year_inputs(criteria, [STP], {"STP": own},
                             survey={("STP", "3.1"): "80", ("STP", "3.2"): "50"},
                             appraisals={("STP", "2.1"): [(1, NA)]})).unit("STP")
    assert unit.leaves["2.1"].na and unit.leaves["2.1"].source == "appraisal"
    assert not unit.leaves["2.1"].changed_by_appraisal
    assert unit.max_points == D(18)


def test_round_two_overrides_round_one_on_its_rows_only():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Ban hành đúng thời hạn", "1.2": "3", "1.10": "95", "2.1": "100"}
    appraisals = {
        ("STP", "1.2"): [(1, "2"), (2, "2.5")],       # round 2 revises round 1
        ("STP", "1.10"): [(1, "75")],                 # round 1 stands
        ("STP", "1.1"): [(1, "Ban hành chậm")],       # round 1 stands
    }
    unit = score(year_inputs(criteria, [STP], {"STP": own}, appraisals=appraisals,
                             survey={("STP", "3.1"): "100", ("STP", "3.2"): "100"})
                 ).unit("STP")
    assert (unit.leaves["1.2"].points, unit.leaves["1.2"].round) == (D("2.5"), 2)
    assert (unit.leaves["1.10"].points, unit.leaves["1.10"].round) == (D(1), 1)
    assert unit.leaves["1.1"].points == D("0.5")
    assert unit.leaves["2.1"].source == "self"
    # 0.5 + 2.5 + 1 + 2 + 10 + 2 = 18 of 20 → 90 %.
    assert unit.points == D(18) and unit.index_published == D("90.00")
    assert unit.unappraised == ["2.1"]


def test_bonus_and_penalty_are_outside_the_scale():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Ban hành chậm", "1.2": "2", "1.10": "80", "2.1": "50",
           "2.2": "1.5", "2.3": "1"}
    unit = score(year_inputs(criteria, [STP], {"STP": own},
                             survey={("STP", "3.1"): "70", ("STP", "3.2"): "50"})).unit("STP")
    # Scored: 0.5 + 2 + 1 + 2 × 50 ÷ 100 + 7 + 1 = 12.5; + 1.5 bonus − 1 penalty = 13.
    assert unit.bonus == D("1.5") and unit.penalty == D(1)
    assert unit.points == D(13)
    assert unit.max_points == D(20)  # bonus and penalty never enter the maximum
    assert unit.index_published == D("65.00")
    assert unit.appraised_points == D("4.5")  # 0.5 + 2 + 1 + 1, bonus/penalty apart
    # Areas exclude bonus and penalty: area 2 = 2.1 only.
    assert unit.nodes["2"].points == D(1) and unit.nodes["2"].max_points == D(2)


def test_index_is_clipped_to_100():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Ban hành đúng thời hạn", "1.2": "3", "1.10": "95", "2.1": "100",
           "2.2": "2"}
    unit = score(year_inputs(criteria, [STP], {"STP": own},
                             survey={("STP", "3.1"): "100", ("STP", "3.2"): "100"})
                 ).unit("STP")
    # 20 of 20 plus a bonus of 2: 22 ÷ 20 = 110 % → clipped to 100.
    assert unit.points == D(22)
    assert unit.index == D(100) and unit.index_published == D("100.00")


def test_index_is_clipped_at_0_when_penalties_exceed_points():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Không ban hành", "1.2": "0", "1.10": "10", "2.1": "10", "2.3": "3"}
    unit = score(year_inputs(criteria, [STP], {"STP": own},
                             survey={("STP", "3.1"): "1", ("STP", "3.2"): "0"})).unit("STP")
    # 10 × 1 ÷ 100 = 0.1 point, minus 3 → −2.9 → index clipped to 0.
    assert unit.points == D("-2.9")
    assert unit.index == D(0)


def test_missing_input_is_an_error_and_other_units_are_still_scored():
    criteria = criteria_from(FORM_CRITERIA)
    full = {"1.1": "Ban hành đúng thời hạn", "1.2": "3", "1.10": "95", "2.1": "100"}
    gap = {"1.1": "Ban hành đúng thời hạn", "1.2": None, "1.10": "95", "2.1": "100"}
    survey = {(u, c): "100" for u in ("STP", "SNV") for c in ("3.1", "3.2")}
    result = score(year_inputs(criteria, [STP, SNV], {"STP": full, "SNV": gap},
                               survey=survey))
    snv = result.unit("SNV")
    missing = next(i for i in result.issues if i.code == "thieu-du-lieu")
    assert (missing.unit, missing.criterion) == ("SNV", "1.2")
    assert snv.status == "loi" and snv.index is None and snv.index_published is None
    assert result.unit("STP").status == "ok"
    assert result.unit("STP").index_published == D("100.00")


def test_missing_survey_value_is_an_error():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Ban hành đúng thời hạn", "1.2": "3", "1.10": "95", "2.1": "100"}
    result = score(year_inputs(criteria, [STP], {"STP": own},
                               survey={("STP", "3.1"): "100"}))
    found = next(i for i in result.issues if i.code == "thieu-khao-sat")
    assert (found.unit, found.criterion) == ("STP", "3.2")
    assert result.unit("STP").status == "loi"


def test_empty_bonus_and_penalty_count_as_zero():
    criteria = criteria_from(FORM_CRITERIA)
    own = {"1.1": "Ban hành đúng thời hạn", "1.2": "3", "1.10": "95", "2.1": "100",
           "2.2": None, "2.3": None}
    result = score(year_inputs(criteria, [STP], {"STP": own},
                               survey={("STP", "3.1"): "100", ("STP", "3.2"): "100"}))
    assert result.unit("STP").status == "ok"
    assert not [i for i in result.issues if i.is_error]


def test_everything_not_applicable_is_an_error():
    criteria = criteria_from(FORM_CRITERIA)
    unit_def = Unit("STP", "Sở Tư pháp", "so-nganh", not_applicable=("1", "2", "3"))
    result = score(year_inputs(criteria, [unit_def], {"STP": {}}))
    assert result.unit("STP").status == "loi"
    assert any(i.code == "khong-co-tieu-chi-ap-dung" for i in result.issues)


def test_precision_three_decimals():
    criteria = criteria_from(header("3") + dedent("""
          - {code: "1", name: a, max: 3}
    """))
    unit = score(year_inputs(criteria, [STP], {"STP": {"1": "2.8106"}}), precision=3).unit(
        "STP")
    # 2.8106 ÷ 3 × 100 = 93.68666… → 93.687 with three decimals (half-up).
    assert unit.index_published == D("93.687")


def test_half_up_rounding_at_the_boundary():
    criteria = criteria_from(header("8") + dedent("""
          - {code: "1", name: a, max: 8}
    """))
    unit = score(year_inputs(criteria, [STP], {"STP": {"1": "7.4996"}})).unit("STP")
    # 7.4996 ÷ 8 × 100 = 93.745 exactly → half-up gives 93.75 (banker's would give 93.74).
    assert unit.index == D("93.745")
    assert unit.index_published == D("93.75")
