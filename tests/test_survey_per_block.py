"""Survey forms per block (SPEC §13.6): one workbook per block, and the old single one."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from python_calamine import CalamineWorkbook

from cchc_cli import api
from cchc_cli.readers.register import Unit
from cchc_cli.writers.forms import write_survey_form
from tests.builders import FORM_CRITERIA, GOOD, Sandbox, edit

# The same code, another meaning: in the huyện set, 3.1 is the citizens' survey of the
# district's one-stop shop, not SIPAS.
HUYEN_CRITERIA = (FORM_CRITERIA.replace("id: so-nganh-2023", "id: huyen-2023")
                  .replace("block: so-nganh", "block: huyen")
                  .replace("name: Chỉ số hài lòng (SIPAS)",
                           "name: Mức độ hài lòng với Bộ phận Một cửa cấp huyện"))
UNITS = [Unit("STP", "Sở Tư pháp", "so-nganh"), Unit("SNV", "Sở Nội vụ", "so-nganh"),
         Unit("H01", "Huyện Một", "huyen"), Unit("H02", "Huyện Hai", "huyen")]


@pytest.fixture
def box(tmp_path) -> Sandbox:
    sandbox = Sandbox(tmp_path / "ws", units=list(UNITS))
    (sandbox.root / "criteria/2023/huyen.yaml").write_text(HUYEN_CRITERIA, encoding="utf-8")
    sandbox.write_register()
    return sandbox


def sheets(path) -> dict[str, list[list]]:
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names}


def test_template_writes_one_survey_per_block_with_its_own_names(box, cli):
    result = cli("template", "-w", box.root, "--year", "2023", "--kind", "survey")
    assert result.exit_code == 0, result.output
    folder = box.root / "forms/2023/khao-sat"
    assert sorted(p.name for p in folder.iterdir()) == ["khao-sat-huyen-2023.xlsx",
                                                       "khao-sat-so-nganh-2023.xlsx"]
    names = {"so-nganh": "Chỉ số hài lòng (SIPAS)",
             "huyen": "Mức độ hài lòng với Bộ phận Một cửa cấp huyện"}
    for block, units in (("so-nganh", ["STP", "SNV"]), ("huyen", ["H01", "H02"])):
        found = sheets(folder / f"khao-sat-{block}-2023.xlsx")
        meta = dict(row[:2] for row in found["_cchc"][1:])
        assert (meta["kind"], meta["block"], meta["criteria_id"]) == (
            "survey", block, f"{block}-2023")
        header = found["Khảo sát"][4]
        assert header[:2] == ["Mã đơn vị", "Đơn vị"]
        assert header[2] == f"3.1\n{names[block]}"
        assert header[3] == "3.2\nĐánh giá của công chức"
        assert [row[0] for row in found["Khảo sát"][5:] if row[0]] == units


def fill(box: Sandbox, block: str, values: dict[tuple[str, str], object]) -> None:
    sets = {block: _criteria(box, block)}
    write_survey_form(box.data / "khao-sat" / f"khao-sat-{block}-2023.xlsx",
                      units=[u for u in UNITS if u.block == block], sets=sets,
                      context=box.context(), values=values)


def _criteria(box: Sandbox, block: str):
    from cchc_cli.workspace import load_year_criteria

    return load_year_criteria(box.workspace(), 2023).sets[block]


def complete_self_forms(box: Sandbox) -> None:
    """GOOD self-assessments for every unit, each on its own block's criteria."""
    from cchc_cli.writers.forms import write_self_form

    for unit in UNITS:
        write_self_form(box.data / "tu-danh-gia" / f"tu-danh-gia-{unit.code}.xlsx",
                        unit=unit, criteria=_criteria(box, unit.block),
                        context=box.context(), values=GOOD)


def survey_inputs(run) -> dict[tuple[str, str], object]:
    return {(u["code"], leaf["code"]): leaf["input"]
            for b in run.to_dict()["blocks"] for u in b["units"] for leaf in u["leaves"]
            if leaf["source"] == "survey"}


def test_per_block_surveys_are_read_against_each_block(box):
    complete_self_forms(box)
    fill(box, "so-nganh", {("STP", "3.1"): D("91.17"), ("STP", "3.2"): D("80"),
                           ("SNV", "3.1"): D("88.5"), ("SNV", "3.2"): D("75")})
    fill(box, "huyen", {("H01", "3.1"): D("70"), ("H01", "3.2"): D("60"),
                        ("H02", "3.1"): "85,5", ("H02", "3.2"): D("90")})
    run = api.score(box.root, year=2023, write=False)
    assert not [i for i in run.issues if i.is_error], run.issues
    assert survey_inputs(run) == {
        ("STP", "3.1"): 91.17, ("STP", "3.2"): 80, ("SNV", "3.1"): 88.5, ("SNV", "3.2"): 75,
        ("H01", "3.1"): 70, ("H01", "3.2"): 60, ("H02", "3.1"): 85.5, ("H02", "3.2"): 90}


def test_a_unit_of_another_block_in_a_block_survey_is_an_error(box):
    complete_self_forms(box)
    fill(box, "so-nganh", {("STP", "3.1"): D("91"), ("STP", "3.2"): D("80"),
                           ("SNV", "3.1"): D("88"), ("SNV", "3.2"): D("75")})
    fill(box, "huyen", {("H01", "3.1"): D("70"), ("H01", "3.2"): D("60"),
                        ("H02", "3.1"): D("85"), ("H02", "3.2"): D("90")})
    # Someone types a district's result into the departments' survey (row 8).
    edit(box.data / "khao-sat/khao-sat-so-nganh-2023.xlsx",
         {"A8": "H02", "B8": "Huyện Hai", "C8": 12}, sheet="Khảo sát")
    run = api.score(box.root, year=2023, write=False)
    found = [i for i in run.issues if i.code == "khao-sat-sai-khoi"]
    assert len(found) == 1
    problem = found[0]
    assert (problem.file, problem.sheet, problem.cell, problem.unit) == (
        "data/2023/khao-sat/khao-sat-so-nganh-2023.xlsx", "Khảo sát", "A8", "H02")
    assert problem.fields == {"value": "so-nganh", "expected": "huyen"}
    assert "khối 'huyen'" in problem.message
    # The district's own survey still counts: 85, not the 12 typed in the wrong form.
    assert survey_inputs(run)[("H02", "3.1")] == 85


def test_the_single_survey_workbook_of_the_first_release_is_still_read(box):
    complete_self_forms(box)
    sets = {"so-nganh": _criteria(box, "so-nganh"), "huyen": _criteria(box, "huyen")}
    write_survey_form(box.data / "khao-sat" / "khao-sat-2023.xlsx", units=UNITS, sets=sets,
                      context=box.context(),
                      values={(u.code, c): D(v) for u in UNITS
                              for c, v in (("3.1", "91.17"), ("3.2", "80"))})
    found = sheets(box.data / "khao-sat" / "khao-sat-2023.xlsx")
    assert found["Khảo sát"][4][2:4] == ["3.1", "3.2"]  # codes only, as before
    run = api.score(box.root, year=2023, write=False)
    assert not [i for i in run.issues if i.is_error], run.issues
    inputs = survey_inputs(run)
    assert inputs[("H01", "3.1")] == 91.17 and inputs[("STP", "3.1")] == 91.17
    # Each unit's 3.1 is scored by its own block's leaf: both are 10-point leaves here,
    # 91.17 % of 10 = 9.117 points.
    leaves = {(u["code"], leaf["code"]): leaf["points"] for b in run.to_dict()["blocks"]
              for u in b["units"] for leaf in u["leaves"]}
    assert leaves[("H01", "3.1")] == leaves[("STP", "3.1")] == 9.117
