"""``cchc whatif --disputes``: the bounds are proved against brute force — every way of
settling every dispute of every unit is scored by the scoring code and ranked, and the
extremes over all of them must be exactly what the bounds say."""

from __future__ import annotations

import dataclasses
import itertools
import json
from decimal import Decimal as D
from fractions import Fraction
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from cchc_cli.disputes import Span, UnitModel, bound_year, dense_bounds, find_disputes
from cchc_cli.formspec import Entered
from cchc_cli.inputs import same_entry
from cchc_cli.ranking import rank_year
from cchc_cli.readers.register import Unit
from cchc_cli.scoring import (
    BlockScores,
    YearScores,
    resolve_relative,
    score_leaves,
    score_year,
    total_unit,
)
from cchc_cli.settings import Ranking, Settings
from tests.builders import GOOD, Sandbox
from tests.conftest import dedent
from tests.scoring_helpers import NA, criteria_from, year_inputs

# Every way a leaf can move an index: a negative floor, an N/A claim (the denominator
# changes), tiers, a block-relative leaf, capped bonus, penalty.
CRITERIA_TEXT = dedent(
    """
    id: so-nganh-2023
    title: Thử các điểm chưa thống nhất
    block: so-nganh
    year: 2023
    scale: 10
    items:
      - code: "1"
        name: Chỉ đạo, điều hành
        items:
          - code: "1.1"
            name: Kế hoạch
            max: 2
            floor: -1
            rule:
              type: choice
              options:
                - {label: Đúng hạn, points: 2}
                - {label: Chậm, points: 1}
                - {label: Không ban hành, points: -1}
          - code: "1.2"
            name: Thực hiện
            max: 3
            na_allowed: true
            rule: {type: manual, step: 0.5}
          - code: "1.3"
            name: Điểm thưởng (tối đa 1,5)
            cap: 1.5
            items:
              - {code: "1.3.1", name: Sáng kiến, max: 1, rule: {type: bonus}}
              - {code: "1.3.2", name: Khen thưởng, max: 1, rule: {type: bonus}}
      - code: "2"
        name: Hiện đại hóa
        items:
          - code: "2.1"
            name: Thanh toán trực tuyến
            max: 2
            na_allowed: true
            rule:
              type: tiers
              tiers: [{min: 90, points: 2}, {min: 50, points: 1}, {min: 0, points: 0}]
          - code: "2.2"
            name: Giải ngân
            max: 3
            rule: {type: relative, to: best}
          - code: "2.3"
            name: Vi phạm
            max: 2
            rule: {type: penalty}
    """
)
CRITERIA = criteria_from(CRITERIA_TEXT)
UNITS = [Unit(code, f"Đơn vị {code}", "so-nganh") for code in ("A", "B", "C", "D")]
DOMAIN: dict[str, list[Any]] = {
    "1.1": ["Đúng hạn", "Chậm", "Không ban hành"],
    "1.2": ["0", "1.5", "2.5", "3", NA],
    "1.3.1": ["0", "0.5", "1"],
    "1.3.2": ["0", "1"],
    "2.1": ["30", "60", "95", NA],
    "2.2": ["20", "50", "100"],
    "2.3": ["0", "0.5", "2"],
}


@st.composite
def years(draw: Any) -> tuple[Any, Settings]:
    """Units' own values, appraisals that may differ, and the ranking settings."""
    count = draw(st.integers(min_value=2, max_value=4))
    units = UNITS[:count]
    own = {u.code: {code: draw(st.sampled_from(values)) for code, values in DOMAIN.items()}
           for u in units}
    appraisals = {}
    for u in units:
        for code, values in DOMAIN.items():
            if draw(st.booleans()):
                appraisals[(u.code, code)] = [(1, draw(st.sampled_from(values)))]
    ranking = Ranking(ties=draw(st.sampled_from(["competition", "dense"])),
                      basis=draw(st.sampled_from(["published", "exact"])))
    province = Settings(precision=draw(st.sampled_from([0, 1, 2])), ranking=ranking)
    return year_inputs(CRITERIA, units, own, appraisals=appraisals), province


def score_and_rank(inputs: Any, province: Settings) -> tuple[Any, Any]:
    scores = score_year(inputs, blocks={"so-nganh": "Sở, ban, ngành"},
                        precision=province.precision)
    return scores, rank_year(scores, province, inputs.register, None)


def disputed_pairs(inputs: Any) -> list[tuple[str, str]]:
    """Independently of the module: appraised rows that differ from the unit's own."""
    found = []
    for (unit, code), history in sorted(inputs.appraisals.items()):
        own = inputs.self_forms[unit].entries[code]
        if not same_entry(own, history[-1].entry):
            found.append((unit, code))
    return found


def outcomes(inputs: Any, province: Settings, base: Any) -> list[dict[str, Any]]:
    """Every way of settling every dispute, each scored by the scoring code (relative
    references fixed at the base result's) and ranked: code → (index, rank, band,
    rating), or None when the unit has no rank in that outcome."""
    pairs = disputed_pairs(inputs)
    references = {code: result.reference for unit in base.all_units()
                  for code, result in unit.leaves.items() if result.reference is not None}
    units = list(inputs.register.units.values())
    found = []
    for choice in itertools.product((False, True), repeat=len(pairs)):
        dropped = {pair for pair, own in zip(pairs, choice, strict=True) if own}
        settled = dataclasses.replace(inputs, appraisals={
            k: v for k, v in inputs.appraisals.items() if k not in dropped})
        scored = [score_leaves(u, CRITERIA, settled, prior_errors=0) for u in units]
        resolve_relative(CRITERIA, scored, fixed=references)
        totals = [total_unit(item.unit, CRITERIA, item.leaves, precision=province.precision,
                             errors=item.errors, issues=item.issues) for item in scored]
        year = YearScores(2023, province.precision,
                          [BlockScores("so-nganh", "Sở, ban, ngành", CRITERIA, totals)], [])
        ranking = rank_year(year, province, inputs.register, None)
        found.append({e.code: None if e.rank is None else
                      (e.unit.exact_index, e.rank, e.band, e.leader_rating)
                      for e in ranking.blocks[0].entries})
    return found


def check_against_brute_force(inputs: Any, province: Settings) -> Any:
    scores, ranking = score_and_rank(inputs, province)
    bounds = bound_year(inputs, scores, ranking, province)
    seen = outcomes(inputs, province, scores)
    assert sum(u.disputes for u in bounds.units) == len(disputed_pairs(inputs))
    for unit in bounds.units:
        results = [o[unit.code] for o in seen]
        reached = [r for r in results if r is not None]
        if not reached:
            assert unit.rank is None
            continue
        indices = [r[0] for r in reached]
        ranks = [r[1] for r in reached]
        assert unit.index == (min(indices), max(indices)), unit.code
        assert unit.rank == (min(ranks), max(ranks)), unit.code
        always = len(reached) == len(results)
        assert unit.certain_rank == (always and len(set(ranks)) == 1)
        assert unit.certain_band == (always and len({r[2] for r in reached}) == 1)
        assert unit.certain_rating == (always and len({r[3] for r in reached}) == 1)
        assert unit.may_lose_index == (not always)
    assert bounds.exact
    return bounds


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(years())
def test_bounds_equal_brute_force_over_every_settlement(case):
    inputs, province = case
    assume(len(disputed_pairs(inputs)) <= 10)
    check_against_brute_force(inputs, province)


def test_an_na_dispute_can_lower_and_raise_the_index_hand_computed():
    # A's own: 1.1 Đúng hạn 2, 1.2 = 3, 2.1 N/A, 2.2 = 100 (the best: 3 points), no bonus,
    # no penalty → 8 / 8 = 100. The appraiser rejects the N/A of 2.1 and finds 60 % (1 of 2
    # points) → 9 / 10 = 90; and lowers 1.2 to 1.5 → 7.5 / 10 = 75.
    # Settlements: (2.1 own, 1.2 own) 8/8 = 100; (own, appraised) 6.5/8 = 81.25;
    # (appraised, own) 9/10 = 90; (appraised, appraised) 7.5/10 = 75.
    own = {"1.1": "Đúng hạn", "1.2": "3", "1.3.1": "0", "1.3.2": "0", "2.1": NA, "2.2": "100",
           "2.3": "0"}
    other = dict(own, **{"2.2": "50", "2.1": "95"})
    inputs = year_inputs(CRITERIA, UNITS[:2], {"A": own, "B": other},
                         appraisals={("A", "2.1"): [(1, "60")], ("A", "1.2"): [(1, "1.5")]})
    province = Settings()
    bounds = check_against_brute_force(inputs, province)
    a = next(u for u in bounds.units if u.code == "A")
    assert a.index == (Fraction(75), Fraction(100))
    assert a.disputes == 2
    # B: 2 + 3 + 2 + 3 × 50/100 = 8.5 / 10 = 85, no dispute: A ranks 1st (at 100 or 90)
    # or 2nd (at 81.25 or 75).
    assert a.rank == (1, 2) and not a.certain_rank
    assert a.bands == ("Khá", "Xuất sắc")


def test_capped_bonus_and_the_clip_at_100():
    # A earns everything (10 / 10) and claims 1 + 1 bonus, capped at 1.5 → 11.5 / 10,
    # clipped to 100. The appraiser grants no bonus: 10 / 10 = 100 anyway. The index is
    # certain although the points are disputed.
    own = {"1.1": "Đúng hạn", "1.2": "3", "1.3.1": "1", "1.3.2": "1", "2.1": "95",
           "2.2": "100", "2.3": "0"}
    inputs = year_inputs(CRITERIA, UNITS[:1], {"A": own},
                         appraisals={("A", "1.3.1"): [(1, "0")], ("A", "1.3.2"): [(1, "0")]})
    bounds = check_against_brute_force(inputs, Settings())
    (a,) = bounds.units
    assert a.disputes == 2 and a.index == (Fraction(100), Fraction(100))
    assert a.certain_rank and a.certain_band and a.certain_rating


def test_the_extremes_of_a_capped_group_take_each_leaf_at_its_extreme():
    # Own: 1 + 1 bonus (capped 1.5), penalty 0.5; appraised: 0.5 + 0 bonus, penalty 2.
    # Bonus − penalty ranges from 0.5 − 2 = −1.5 to 1.5 − 0.5 = 1.
    own = {"1.1": "Chậm", "1.2": "1.5", "1.3.1": "1", "1.3.2": "1", "2.1": "60",
           "2.2": "50", "2.3": "0.5"}
    inputs = year_inputs(CRITERIA, UNITS[:1], {"A": own}, appraisals={
        ("A", "1.3.1"): [(1, "0.5")], ("A", "1.3.2"): [(1, "0")], ("A", "2.3"): [(1, "2")]})
    scores, _ = score_and_rank(inputs, Settings())
    (disputes,) = find_disputes(inputs, scores).values()
    model = UnitModel.of(scores.unit("A"), CRITERIA, disputes)
    assert model.extra_range() == (Fraction(-3, 2), Fraction(1))
    assert model.extra_values() == {Fraction(v) for v in ("-1.5", "-1", "-0.5", "0", "0.5",
                                                          "1", "-1.0")}


def test_a_unit_that_may_lose_every_applicable_criterion():
    # A criteria set where every scored leaf may be N/A: A claims N/A on both, the
    # appraiser rejects both. Settling both for A leaves nothing applicable: no index.
    text = dedent(
        """
        id: so-nganh-2023
        title: Thử
        block: so-nganh
        year: 2023
        scale: 4
        items:
          - code: "1"
            name: Lĩnh vực
            items:
              - {code: "1.1", name: Một, max: 1, na_allowed: true, rule: {type: manual}}
              - {code: "1.2", name: Hai, max: 3, na_allowed: true, rule: {type: manual}}
        """
    )
    criteria = criteria_from(text)
    inputs = year_inputs(criteria, UNITS[:2], {"A": {"1.1": NA, "1.2": NA},
                                                "B": {"1.1": "1", "1.2": "2"}},
                         appraisals={("A", "1.1"): [(1, "0.5")], ("A", "1.2"): [(1, "3")]})
    scores, ranking = score_and_rank(inputs, Settings())
    bounds = bound_year(inputs, scores, ranking, Settings())
    a, b = sorted(bounds.units, key=lambda u: u.code)
    # Settled: 3.5/4 = 87.5 (both appraised), 0.5/1 = 50, 3/3 = 100, or no index.
    assert a.index == (Fraction(50), Fraction(100)) and a.may_lose_index
    assert not (a.certain_rank or a.certain_band or a.certain_rating)
    # B = 3/4 = 75: first when A has no index (or 50), second otherwise.
    assert b.rank == (1, 2) and not b.may_lose_index


@pytest.mark.parametrize("ties", ["competition", "dense"])
def test_ties_count_as_the_settings_say(ties):
    # A: 2 + 3 + 1 (60 %) + 3 (the best 2.2) = 9 / 10 = 90, or 80 with the appraised 1.2 = 2;
    # B and C: 80; D: 70. A is 1st either way (alone at 90, or tied at 80); B and C are 2nd
    # (after A at 90) or tied 1st. D is 4th in competition whatever happens; in dense it
    # counts the distinct values above it: {80} or {90, 80} → 2nd or 3rd.
    own = {"1.1": "Đúng hạn", "1.2": "3", "1.3.1": "0", "1.3.2": "0", "2.1": "60",
           "2.2": "100", "2.3": "0"}
    values = {"A": own, "B": dict(own, **{"1.2": "2"}), "C": dict(own, **{"1.2": "2"}),
              "D": dict(own, **{"1.2": "1"})}
    inputs = year_inputs(CRITERIA, UNITS, values, appraisals={("A", "1.2"): [(1, "2")]})
    province = Settings(precision=0, ranking=Ranking(ties=ties))
    bounds = check_against_brute_force(inputs, province)
    ranks = {u.code: u.rank for u in bounds.units}
    assert ranks["A"] == (1, 1)
    assert ranks["B"] == ranks["C"] == (1, 2)
    assert ranks["D"] == ((4, 4) if ties == "competition" else (2, 3))


def test_published_index_is_the_rounded_exact_index():
    own = {"1.1": "Chậm", "1.2": "2.5", "1.3.1": "0", "1.3.2": "0", "2.1": "60",
           "2.2": "50", "2.3": "0"}
    inputs = year_inputs(CRITERIA, UNITS[:2], {"A": own, "B": own},
                         appraisals={("A", "2.2"): [(1, "20")]})
    scores, ranking = score_and_rank(inputs, Settings())
    units = bound_year(inputs, scores, ranking, Settings()).units
    a = next(u for u in units if u.code == "A")
    # Appraised 2.2 = 20 against the best 50: 3 × 20/50 = 1.2 → (1 + 2.5 + 1 + 1.2) / 10
    # = 57 %; own 50 → 3 → 7.5 / 10 = 75 %.
    assert a.index == (Fraction(57), Fraction(75))
    assert a.published == (D("57.00"), D("75.00"))


# --------------------------------------------------------------------------------------
# The command, on forms read from files
# --------------------------------------------------------------------------------------


@pytest.fixture
def disputed(tmp_path):
    """FORM_CRITERIA: each unit's own points are 1 (1.1) + x (1.2) + 2 (1.10: 91.5 %) +
    1.6 (2.1: 80 % of 2) + 9.117 (SIPAS 91.17 % of 10) + 1.6 (3.2: 80 % of 2), of 20.
    STP: 1.2 = 2.75 → 18.067 / 20 = 90.335 %; SNV: 1.2 = 2.5 → 89.085 %; STC: 1.1 late
    (0.5), 1.2 = 2.75 → 87.835 %. The appraisers lower STP's 1.2 to 2 and find its 2.1 not
    applicable."""
    box = Sandbox(tmp_path / "ws")
    box.self_form("STP")
    box.self_form("SNV", {**GOOD, "1.2": Entered(score=D("2.5"), evidence="BC")})
    box.self_form("STC", {**GOOD, "1.1": Entered(choice="Ban hành chậm", evidence="KH")})
    box.survey_form()
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=D("2"), comment="Thiếu BC"))])
    box.appraisal_form("vp", [("STP", "2.1", Entered(na=True, comment="Không phát sinh"))])
    return box


def test_disputes_from_files_hand_computed(disputed, cli):
    result = cli("whatif", "-w", disputed.root, "--year", "2023", "--disputes", "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    units = {u["code"]: u for u in document["units"]}
    assert set(units["STP"]) == {"code", "block", "index", "rank", "certain", "disputes"}
    # STP's four settlements: both appraised 15.717 / 18 = 87.316667 %; 1.2 own, 2.1 N/A
    # 16.467 / 18 = 91.483333 %; 1.2 = 2, 2.1 own 17.317 / 20 = 86.585 %; both own 90.335 %.
    assert units["STP"] == {
        "code": "STP", "block": "so-nganh", "index": {"min": 86.585, "max": 91.483333},
        "rank": {"best": 1, "worst": 3}, "disputes": 2,
        "certain": {"rank": False, "band": False, "leader_rating": False}}
    # SNV (89.085) is above STC (87.835) whatever happens; STP may pass either or both.
    assert units["SNV"]["rank"] == {"best": 1, "worst": 2}
    assert units["STC"]["rank"] == {"best": 2, "worst": 3}
    assert units["SNV"]["certain"] == {"rank": False, "band": True, "leader_rating": True}
    assert units["SNV"]["index"] == {"min": 89.085, "max": 89.085}
    assert [(d["unit"], d["criterion"], d["appraised"]) for d in document["disputes"]] == [
        ("STP", "1.2", "2"), ("STP", "2.1", "không áp dụng")]
    assert document["relative_reference_fixed"] == {} and document["exact"] is True


def test_disputes_workbook_and_screen(disputed, cli):
    result = cli("whatif", "-w", disputed.root, "-y", "2023", "--disputes")
    assert result.exit_code == 0, result.output
    assert "86,59 – 91,48" in result.stdout and "1 – 3" in result.stdout
    path = disputed.root / "results/2023/chua-thong-nhat-2023.xlsx"
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Khoảng kết quả", "Điểm chưa thống nhất", "Vấn đề"]
    rows = book.get_sheet_by_name("Điểm chưa thống nhất").to_python()
    assert [(r[1], r[2], r[6]) for r in rows[3:] if r[1]] == [
        ("STP", "1.2", "2"), ("STP", "2.1", "không áp dụng")]
    bounds = book.get_sheet_by_name("Khoảng kết quả").to_python()
    stp = next(r for r in bounds if len(r) > 2 and r[2] == "STP")
    assert stp[5:9] == [86.59, 91.48, 1, 3]
    assert stp[9] == "Tốt – Xuất sắc"


def test_disputes_with_input_errors_exit_1_and_write_only_with_allow_errors(disputed, cli):
    (disputed.data / "tu-danh-gia" / "tu-danh-gia-STC.xlsx").unlink()  # thieu-tu-danh-gia
    result = cli("whatif", "-w", disputed.root, "-y", "2023", "--disputes", "-f", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert any(i["code"] == "thieu-tu-danh-gia" for i in document["issues"])
    stc = next(u for u in document["units"] if u["code"] == "STC")
    assert stc["index"] == {"min": None, "max": None} and stc["rank"]["best"] is None
    path = disputed.root / "results/2023/chua-thong-nhat-2023.xlsx"
    assert not path.exists()
    assert cli("whatif", "-w", disputed.root, "-y", "2023", "--disputes",
               "--allow-errors").exit_code == 1
    assert path.exists()


# --------------------------------------------------------------------------------------
# Dense ranks on their own: values units can reach, every combination tried
# --------------------------------------------------------------------------------------


@st.composite
def reachable(draw: Any, most: int = 6) -> list[Span]:
    """A block of units, each with the few index values it can reach (on a coarse grid,
    so that units share values and dense ranks merge them)."""
    count = draw(st.integers(min_value=1, max_value=most))
    spans = []
    for n in range(count):
        values = draw(st.sets(st.integers(min_value=0, max_value=11), min_size=1, max_size=3))
        spans.append(Span(f"U{n}", min(values), max(values), False, set(values)))
    return spans


def dense_brute_force(spans: list[Span]) -> dict[str, tuple[int, int]]:
    found: dict[str, list[int]] = {s.code: [] for s in spans}
    for choice in itertools.product(*(sorted(s.values) for s in spans)):
        for span, value in zip(spans, choice, strict=True):
            found[span.code].append(1 + len({v for v in choice if v > value}))
    return {code: (min(ranks), max(ranks)) for code, ranks in found.items()}


@settings(max_examples=300, deadline=None)
@given(reachable())
def test_dense_bounds_equal_every_combination(spans):
    ranks, loose = dense_bounds(spans)
    assert not loose
    assert ranks == dense_brute_force(spans)


@settings(max_examples=150, deadline=None)
@given(reachable(most=8))
def test_dense_bounds_without_the_search_stay_safe(spans):
    # With no exhaustive search, a group the bounds cannot settle is reported with a safe
    # best rank (never worse than the truth) and marked; the worst rank stays exact.
    with mock.patch("cchc_cli.disputes.SEARCH_SETS", 0):
        ranks, loose = dense_bounds(spans)
    truth = dense_brute_force(spans)
    for code, (best, worst) in ranks.items():
        assert best <= truth[code][0] and worst == truth[code][1]
        if code not in loose:
            assert best == truth[code][0]


def test_too_many_settlements_to_list_give_safe_dense_ranks():
    # As in test_ties_count_as_the_settings_say (dense), but no unit's values may be
    # listed: A's rank bounds must still contain every outcome, and say they are loose.
    own = {"1.1": "Đúng hạn", "1.2": "3", "1.3.1": "0", "1.3.2": "0", "2.1": "60",
           "2.2": "100", "2.3": "0"}
    values = {"A": own, "B": dict(own, **{"1.2": "2"}), "C": dict(own, **{"1.2": "2"}),
              "D": dict(own, **{"1.2": "1"})}
    inputs = year_inputs(CRITERIA, UNITS, values, appraisals={("A", "1.2"): [(1, "2")]})
    province = Settings(precision=0, ranking=Ranking(ties="dense"))
    scores, ranking = score_and_rank(inputs, province)
    with mock.patch("cchc_cli.disputes.VALUE_LIMIT", 1):
        bounds = bound_year(inputs, scores, ranking, province)
    truth = {"A": (1, 1), "B": (1, 2), "C": (1, 2), "D": (2, 3)}
    assert not bounds.exact and "B" in bounds.loose
    for unit in bounds.units:
        best, worst = unit.rank
        assert best <= truth[unit.code][0] and worst >= truth[unit.code][1]
        assert not (unit.certain_rank and truth[unit.code][0] != truth[unit.code][1])


def test_disputes_json_is_the_library_result_and_the_workbook_is_reproducible(disputed, cli):
    from cchc_cli import api

    result = cli("whatif", "-w", disputed.root, "-y", "2023", "--disputes", "-f", "json")
    library = api.disputes(disputed.root, year=2023, write=False).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(library, ensure_ascii=False))
    path = disputed.root / "results/2023/chua-thong-nhat-2023.xlsx"
    first = path.read_bytes()
    assert cli("whatif", "-w", disputed.root, "-y", "2023", "--disputes").exit_code == 0
    assert path.read_bytes() == first
