"""`cchc score` and `cchc explain`: outputs, JSON equal to the library, error policy."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from cchc_cli import api
from cchc_cli.formspec import Entered
from tests.builders import Sandbox, edit
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "tinh-mau"


@pytest.fixture
def example(tmp_path):
    copy = tmp_path / "tinh-mau"
    shutil.copytree(EXAMPLE, copy)
    return copy


@pytest.fixture
def box(tmp_path) -> Sandbox:
    sandbox = Sandbox(tmp_path / "ws")
    sandbox.complete()
    return sandbox


def sheet_rows(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_score_example_exits_0_and_writes_the_workbook(example, cli):
    result = cli("score", "-w", example, "--year", "2023", "--as-of", "2024-01-20")
    assert result.exit_code == 0, result.output
    path = example / "results/2023/cham-diem-2023.xlsx"
    assert path.exists()
    names = CalamineWorkbook.from_path(str(path)).sheet_names
    assert names == ["Tổng hợp", "Sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã",
                     "Cơ quan Trung ương đóng trên", "Chênh lệch", "Vấn đề", "Nguồn"]
    summary = sheet_rows(path, "Tổng hợp")
    assert summary[2][:5] == ["STT", "Khối", "Mã đơn vị", "Tên đơn vị", "Trạng thái"]
    assert len([r for r in summary[3:] if r[2]]) == 66
    sources = sheet_rows(path, "Nguồn")
    flat = [cell for row in sources for cell in row]
    assert "20/01/2024 00:00" in flat  # dates as Vietnamese readers write them
    assert any(str(c).startswith("data/2023/tu-danh-gia/") for c in flat)
    assert len([c for c in flat if isinstance(c, str) and len(c) == 64]) >= 66


def test_json_is_the_library_result(example, cli):
    result = cli("score", "-w", example, "--year", "2023", "--format", "json", "--as-of",
                 "2024-01-20")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    library = api.score(example, year=2023, as_of="2024-01-20", write=False).to_dict()
    assert document == json.loads(json.dumps(library, ensure_ascii=False))
    unit = document["blocks"][0]["units"][0]
    assert set(unit) >= {"code", "name", "status", "index", "index_published", "points",
                         "max_points", "appraised_points", "survey_points", "bonus", "penalty",
                         "not_applicable", "areas", "leaves"}
    assert set(unit["leaves"][0]) == {"code", "input", "value", "reference", "source", "na",
                                      "na_reason", "points", "max"}
    assert "rank" not in unit


def test_identical_inputs_give_byte_identical_workbooks(example, cli):
    path = example / "results/2023/cham-diem-2023.xlsx"
    assert cli("score", "-w", example, "--year", "2023", "--as-of", "2024-01-20").exit_code == 0
    first = path.read_bytes()
    assert cli("score", "-w", example, "--year", "2023", "--as-of", "2024-01-20").exit_code == 0
    assert path.read_bytes() == first


def test_changed_appraisals_are_highlighted_and_listed(box, cli):
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal("2.5"),
                                                      comment="Thiếu báo cáo quý"))])
    result = cli("score", "-w", box.root, "--year", "2023")
    assert result.exit_code == 0, result.output
    path = box.root / "results/2023/cham-diem-2023.xlsx"
    differences = sheet_rows(path, "Chênh lệch")
    row = next(r for r in differences if r[1] == "STP")
    # Self 2.75, appraised 2.5: a difference of −0.25, with the comment and the cell.
    assert row[3] == "1.2" and row[6] == 2.75 and row[8] == 2.5 and row[9] == -0.25
    assert row[12] == "Thiếu báo cáo quý"
    assert row[13].endswith("Thẩm định!M6")
    detail = openpyxl.load_workbook(path)["Sở, ban, ngành"]
    codes = [c.value for c in detail[4]]
    cell = detail.cell(row=6, column=codes.index("1.2") + 1)
    assert cell.value == 2.5
    assert cell.fill.fgColor.rgb.endswith("F8CBAD")


def test_errors_block_the_results_unless_allowed(box, cli):
    edit(box.data / "tu-danh-gia/tu-danh-gia-SNV.xlsx", {"G9": 7}, sheet="Tự đánh giá")
    blocked = cli("score", "-w", box.root, "--year", "2023")
    assert blocked.exit_code == 1
    assert not (box.root / "results/2023/cham-diem-2023.xlsx").exists()
    problems = box.root / "results/2023/van-de-2023.xlsx"
    assert problems.exists()
    assert any(r[2] == "tu-cham-vuot-toi-da" for r in sheet_rows(problems, "Vấn đề"))
    allowed = cli("score", "-w", box.root, "--year", "2023", "--allow-errors", "--format",
                  "json")
    assert allowed.exit_code == 1  # the inputs still have errors, but results are written
    document = json.loads(allowed.stdout)
    status = {u["code"]: (u["status"], u["index_published"])
              for u in document["blocks"][0]["units"]}
    assert status["SNV"] == ("loi", None)
    assert status["STP"][0] == "ok" and status["STP"][1] is not None
    assert (box.root / "results/2023/cham-diem-2023.xlsx").exists()


def test_explain_tells_where_every_point_comes_from(box, cli):
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal("2.5"), comment="Thiếu"))])
    result = cli("explain", "STP", "-w", box.root, "--year", "2023")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "STP — Sở Tư pháp" in text
    assert "1.2 Mức độ hoàn thành kế hoạch — 2,5/3 điểm: 2,5 từ thẩm định vòng 1, Sở Nội vụ" \
        in text
    assert "tham-dinh-snv-vong-1.xlsx, Thẩm định!M6" in text
    assert "đơn vị tự đánh giá 2,75; nhận xét: Thiếu" in text
    assert "tu-danh-gia-STP.xlsx, Tự đánh giá!F8" in text   # 1.1 from the self form
    assert "khao-sat.xlsx, Khảo sát!C6" in text             # 3.1 from the survey
    assert "tài liệu kiểm chứng: Kế hoạch số 10/KH-STP" in text  # what the unit cited
    # 1 + 2.5 + 2 + 1.6 + 9.117 + 1.6 = 17.817 of 20 → 89.085 → 89.09
    assert "Chỉ số = 17,817 ÷ 20 × 100 = 89,085000 → công bố 89,09" in text


def test_explain_json(box, cli):
    result = cli("explain", "STP", "-w", box.root, "--year", "2023", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["unit"]["code"] == "STP"
    leaf = next(n for n in document["nodes"] if n["code"] == "1.1")
    assert leaf["source"] == "self" and leaf["cell"] == "F8" and leaf["points"] == 1
    assert leaf["input"] == "Ban hành đúng thời hạn"
    library = api.explain(box.root, year=2023, unit="STP").to_dict()
    assert document == json.loads(json.dumps(library, ensure_ascii=False))


def test_explain_unknown_unit_is_a_usage_error(box, cli):
    result = cli("explain", "STQ", "-w", box.root, "--year", "2023")
    assert result.exit_code == 2
    assert "STP" in result.stderr


def test_validate_reports_scoring_problems_too(box, cli):
    edit(box.data / "tu-danh-gia/tu-danh-gia-SNV.xlsx", {"G9": None}, sheet="Tự đánh giá")
    result = cli("validate", "-w", box.root, "--year", "2023")
    assert result.exit_code == 1
    assert "thieu-du-lieu" in result.stdout and "Tự đánh giá!G9" in result.stdout


@pytest.mark.libreoffice
def test_score_workbook_opens_in_libreoffice(example, cli, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    assert cli("score", "-w", example, "--year", "2023").exit_code == 0
    path = example / "results/2023/cham-diem-2023.xlsx"
    out = tmp_path / "pdf"
    done = subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(out),
                           str(path)], capture_output=True, timeout=240)
    assert done.returncode == 0, done.stderr
    pdf = out / "cham-diem-2023.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
