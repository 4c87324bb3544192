"""Building a year's inputs directly in memory (no files), for scoring tests."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cchc_cli.criteria import CriteriaSet, Leaf, parse_criteria
from cchc_cli.inputs import Appraised, YearInputs
from cchc_cli.readers.forms import LeafEntry, SelfForm, SurveyValue, entry_for
from cchc_cli.readers.register import Register, Unit
from cchc_cli.scoring import YearScores, score_year
from cchc_cli.settings import Settings

NA = "x"  # marks a leaf not applicable in the helpers below


def criteria_from(text: str) -> CriteriaSet:
    criteria, issues = parse_criteria(text, settings=Settings(), file="criteria/2023/t.yaml")
    assert criteria is not None, [i.message for i in issues]
    return criteria


def entry(leaf: Leaf, value: Any, row: int = 0) -> LeafEntry:
    """A form row for ``leaf``, made as the readers make it (``readers.forms.entry_for``:
    the leaf's rule computes the points). ``value`` is a number, an option's label, NA,
    or a dict of named inputs."""
    if value == NA:
        return entry_for(leaf, None, row=row, na=True)
    if isinstance(value, dict):
        return entry_for(leaf, None, row=row, inputs={
            k: None if v is None else Decimal(str(v)) for k, v in value.items()})
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            value = leaf.rule.find_option(value) or value  # a choice label
    return entry_for(leaf, value, row=row)


def year_inputs(
    criteria: CriteriaSet,
    units: list[Unit],
    own: Mapping[str, Mapping[str, Any]],
    *,
    appraisals: Mapping[tuple[str, str], list[tuple[int, Any]]] | None = None,
    survey: Mapping[tuple[str, str], Any] | None = None,
) -> YearInputs:
    """own[unit][code] = value | NA; appraisals[(unit, code)] = [(round, value)]."""
    register = Register(file="data/2023/don-vi.xlsx", sheet="Đơn vị",
                        units={u.code: u for u in units})
    inputs = YearInputs(year=2023, sets={criteria.block: criteria}, register=register)
    for unit in units:
        if unit.code in own:
            entries = {code: entry(criteria.leaf_of(code), value, i) for i, (code, value)
                       in enumerate(own[unit.code].items())}
            inputs.self_forms[unit.code] = SelfForm(
                file=f"data/2023/tu-danh-gia/{unit.code}.xlsx", sheet="Tự đánh giá",
                unit=unit.code, block=unit.block, entries=entries)
    for (unit, code), rounds in (appraisals or {}).items():
        inputs.appraisals[(unit, code)] = [
            Appraised(entry(criteria.leaf_of(code), value, 5 + n), "data/2023/tham-dinh/t.xlsx",
                      "Thẩm định",
                      round_no, "snv")
            for n, (round_no, value) in enumerate(sorted(rounds, key=lambda p: p[0]))
        ]
    for (unit, code), value in (survey or {}).items():
        na = value == NA
        inputs.survey[(unit, code)] = (
            SurveyValue(unit=unit, code=code, value=None if na else Decimal(str(value)),
                        na=na, cell="C6"),
            "data/2023/khao-sat/k.xlsx", "Khảo sát")
    return inputs


def score(inputs: YearInputs, precision: int = 2) -> YearScores:
    return score_year(inputs, blocks={"so-nganh": "Sở, ban, ngành"}, precision=precision)
