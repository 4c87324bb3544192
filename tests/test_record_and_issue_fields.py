"""The year-result record the writers take, output names in one table, and issues that
keep their parameters as fields."""

from __future__ import annotations

import ast
import hashlib
import json
from decimal import Decimal as D
from pathlib import Path

from python_calamine import CalamineWorkbook

from cchc_cli import api
from cchc_cli.issues import issue, sorted_issues
from cchc_cli.outputs import FORM_FILES, RESULT_FILES, result_name
from cchc_cli.writers.scores import write_scores_workbook
from tests.builders import Sandbox, edit
from tests.conftest import ROOT

WRITERS = ROOT / "src" / "cchc_cli" / "writers"


def test_issue_parameters_are_fields_and_json_keys():
    found = issue("tu-cham-vuot-toi-da", file="data/2023/tu-danh-gia/STP.xlsx",
                  sheet="Tự đánh giá", cell="G9", unit="STP", criterion="1.2", value="3.5",
                  max=D(3))
    assert found.fields == {"value": "3.5", "max": D(3)}
    assert found.param("max") == D(3) and found.param("limit") is None
    data = found.to_dict()
    assert list(data)[:9] == ["code", "severity", "file", "sheet", "cell", "line", "unit",
                              "criterion", "message"]  # the keys scripts already read
    assert (data["value"], data["max"]) == ("3.5", 3)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_issues_with_parameters_stay_hashable_and_deduplicated():
    one = issue("khao-sat-ngoai-khoang", file="k.xlsx", cell="C7", value="101")
    same = issue("khao-sat-ngoai-khoang", file="k.xlsx", cell="C7", value="101")
    listed = issue("khong-co-trang", file="k.xlsx", sheet_name="X", sheets=["A", "B"])
    assert listed.param("sheets") == ("A", "B")  # a list is kept as a tuple
    kept = sorted_issues([one, same, listed])
    assert len(kept) == 2 and set(kept) == {one, listed}


def test_a_real_issue_carries_the_offending_value_and_the_limit_in_json(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"G9": 3.5}, sheet="Tự đánh giá")
    result = cli("validate", "-w", box.root, "--year", "2023", "--format", "json")
    found = [i for i in json.loads(result.stdout)["issues"]
             if i["code"] == "tu-cham-vuot-toi-da"]
    # Leaf 1.2 is worth 3 points; 3.5 was typed in G9.
    assert [(i["cell"], i["value"], i["max"]) for i in found] == [("G9", "3.5", "3")]


def test_writers_never_open_an_input_again(tmp_path):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    register = box.data / "don-vi.xlsx"
    digest = hashlib.sha256(register.read_bytes()).hexdigest()
    run = api.score(box.root, year=2023, as_of="2024-02-05", write=False)
    # Inputs changed or gone after the run read them: the workbook still records what
    # was read.
    register.unlink()
    for path in (box.data / "tu-danh-gia").iterdir():
        path.write_bytes(b"changed")
    out = tmp_path / "cham-diem.xlsx"
    write_scores_workbook(out, run.result)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Nguồn").to_python()
    by_file = {row[0]: row[2] for row in rows if row and str(row[0]).startswith("data/")}
    assert by_file["data/2023/don-vi.xlsx"] == digest
    for source in run.result.sources:
        assert by_file[source.file] == source.sha256 and len(source.sha256) == 64


def test_no_writer_imports_the_api_or_scores_again():
    for path in sorted(WRITERS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module == "cchc_cli.rules" for alias in node.names}
        assert "cchc_cli.api" not in imported, path.name
        assert "points" not in names or path.name == "forms.py", path.name


def test_output_names_come_from_one_table(tmp_path):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    written = {p.name for run in (api.score(box.root, year=2023, as_of="2024-02-05"),
                                  api.report(box.root, year=2023, as_of="2024-02-05"))
               for p in run.written}
    assert written == {result_name(kind, 2023) for kind in RESULT_FILES}
    forms = api.template(box.root, year=2023)
    folder = box.root / "forms/2023"
    expected = {FORM_FILES["self"].format(unit=u.code) for u in box.units}
    expected |= {FORM_FILES["appraisal"].format(appraiser=a, round=1) for a in ("snv", "vp")}
    expected.add(FORM_FILES["survey"].format(block="so-nganh", year=2023))
    assert {Path(p).relative_to(folder).as_posix() for p in forms.written} == expected
