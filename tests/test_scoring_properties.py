"""Invariants of scoring, checked on generated inputs (hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal as D

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_cli.inputs import read_year
from cchc_cli.readers.register import Unit
from cchc_cli.scoring import score_year
from tests.builders import FORM_CRITERIA, GOOD, Sandbox
from tests.scoring_helpers import NA, criteria_from, score, year_inputs

CRITERIA = criteria_from(FORM_CRITERIA)
STP = Unit("STP", "Sở Tư pháp", "so-nganh")
LABELS = [o.label for o in CRITERIA.leaf("1.1").rule.options]

quarter = st.integers(min_value=0, max_value=12).map(lambda n: str(D(n) / 4))
percent = st.decimals(min_value=0, max_value=100, places=2).map(str)


@st.composite
def unit_inputs(draw):
    """A complete, valid self-assessment and survey for STP, with optional N/A marks."""
    own = {
        "1.1": draw(st.sampled_from(LABELS)),
        "1.2": draw(quarter),
        "1.10": draw(percent),
        "2.1": draw(st.one_of(percent, st.just(NA))),
        "2.2": draw(st.sampled_from(["0", "0.5", "1", "2"])),
        "2.3": draw(st.sampled_from(["0", "1", "3"])),
    }
    survey = {("STP", "3.1"): draw(percent), ("STP", "3.2"): draw(st.one_of(percent,
                                                                           st.just(NA)))}
    return own, survey


@given(unit_inputs())
def test_index_is_always_between_0_and_100(case):
    own, survey = case
    unit = score(year_inputs(CRITERIA, [STP], {"STP": own}, survey=survey)).unit("STP")
    assert unit.status == "ok"
    assert D(0) <= unit.index <= D(100)
    assert D(0) <= unit.index_published <= D(100)
    assert unit.max_points <= CRITERIA.scale


@given(unit_inputs(), st.sampled_from(["2.1"]))
def test_marking_a_leaf_na_never_changes_other_leaves(case, code):
    own, survey = case
    before = score(year_inputs(CRITERIA, [STP], {"STP": own}, survey=survey)).unit("STP")
    marked = dict(own, **{code: NA})
    after = score(year_inputs(CRITERIA, [STP], {"STP": marked}, survey=survey)).unit("STP")
    for other, result in before.leaves.items():
        if other != code:
            assert after.leaves[other].points == result.points
            assert after.leaves[other].na == result.na


@given(unit_inputs())
def test_na_never_raises_the_index_above_full_marks(case):
    """Not applicable removes a leaf; full marks on it can only do at least as well."""
    own, survey = case
    full = dict(own, **{"2.1": "100"})
    na = dict(own, **{"2.1": NA})
    with_full = score(year_inputs(CRITERIA, [STP], {"STP": full}, survey=survey)).unit("STP")
    with_na = score(year_inputs(CRITERIA, [STP], {"STP": na}, survey=survey)).unit("STP")
    assert with_na.index <= with_full.index


@given(st.permutations(list(range(10))), st.randoms(use_true_random=False))
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_scores_do_not_depend_on_row_or_column_order(tmp_path_factory, order, rng):
    box = Sandbox(tmp_path_factory.mktemp("ws"))
    box.complete()
    expected = _scores(box)
    path = box.data / "tu-danh-gia" / "tu-danh-gia-STP.xlsx"
    _shuffle(path, order, rng)
    assert _scores(box) == expected


def _scores(box: Sandbox) -> dict:
    inputs = read_year(box.workspace(), 2023)
    result = score_year(inputs, blocks={"so-nganh": "x"}, precision=2)
    return {u.code: (u.points, u.max_points, u.index,
                     {c: (r.points, r.na) for c, r in u.leaves.items()})
            for u in result.all_units()}


def _shuffle(path, order: list[int], rng: random.Random) -> None:
    """Rewrite a self form with its columns permuted and its leaf rows shuffled."""
    source = openpyxl.load_workbook(path)
    rows = [[c.value for c in row] for row in source["Tự đánh giá"].iter_rows(min_row=6)]
    header, body = rows[0], rows[1:]
    rng.shuffle(body)
    target = openpyxl.Workbook()
    sheet = target.active
    sheet.title = "Tự đánh giá"
    for r, row in enumerate([header, *body], start=3):
        for c, i in enumerate(order, start=1):
            sheet.cell(row=r, column=c, value=row[i] if i < len(row) else None)
    meta = target.create_sheet("_cchc")
    for r, row in enumerate(source["_cchc"].iter_rows(values_only=True), start=1):
        meta.cell(row=r, column=1, value=row[0])
        meta.cell(row=r, column=2, value=row[1])
    target.save(path)


def test_good_fixture_is_complete():
    assert set(GOOD) == {leaf.code for leaf in CRITERIA.leaves if leaf.kind != "survey"}
