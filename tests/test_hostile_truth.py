"""What the person sees is what is scored (SPEC §13.2), through ``cchc`` itself.

Every case puts one file, built the way Excel, LibreOffice or a script stores it
(tests/hostile/truth.py), into a clean sandbox year (self forms of STP, SNV, STC and a
survey) and checks that cchc scores the number the person saw, or stops with an issue
naming file, sheet and cell — never a silent change — and leaves the inputs'
bytes unchanged. The arithmetic of each expected value is in a comment.

FORM_CRITERIA (tests/builders.py): 1.1 choice (max 1), 1.2 manual (max 3, step 0.25),
1.10 tiers (> 90 → 2, ≥ 70 → 1), 2.1 ratio (max 2, target 100, 0 below 50, N/A allowed),
2.2 bonus (max 2), 2.3 penalty (max 3), 3.1 survey (max 10), 3.2 survey (max 2). In the
self form: F8 = choice of 1.1, G9 = points of 1.2, E10 = figure of 1.10, E12 = figure of
2.1, H12 = its N/A mark, G13 = bonus 2.2, G14 = penalty 2.3.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cchc_cli.formspec import Entered
from cchc_cli.readers.register import Unit
from tests.builders import Sandbox
from tests.hostile import corpus as c
from tests.hostile import truth as t
from tests.test_hostile_corpus import expect, expect_exit, run_cli, sha256, validate

SELF = c.SELF
STP = c.STP_FORM
FORMATS = ["xlsx", "ods", "xls"]


@pytest.fixture(autouse=True)
def short_rust_panics(monkeypatch):
    monkeypatch.setenv("RUST_BACKTRACE", "0")


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    sandbox = Sandbox(tmp_path / "ws")
    sandbox.complete()
    return sandbox


def stp_path(box: Sandbox) -> Path:
    return box.root / STP


def put(box: Sandbox, fmt: str, cells: dict[str, Any], *, sheet: str = SELF,
        path: Path | None = None, custom_percent: str | None = None) -> Path:
    """Change cells of a form (default: STP's self form) and save it as ``fmt``."""
    path = path or stp_path(box)
    if fmt == "xlsx":
        return t.set_xlsx_cells(path, sheet, cells)
    return t.rebuilt(path, fmt, {(sheet, ref): v for ref, v in cells.items()},
                     custom_percent=custom_percent)


def score(cli, box: Sandbox, watched: list[Path], *extra: str) -> tuple[Any, dict]:
    result = run_cli(cli, watched, "score", "-w", box.root, "--year", "2023",
                     "--format", "json", *extra)
    return result, json.loads(result.stdout)


def unit_of(document: dict, code: str) -> dict:
    return next(u for b in document["blocks"] for u in b["units"] if u["code"] == code)


def leaves_of(document: dict, code: str) -> dict[str, dict]:
    return {leaf["code"]: leaf for leaf in unit_of(document, code)["leaves"]}


# ======================================================================================
# Percent cells: the number the person typed
# ======================================================================================

PERCENT_VARIANTS = [
    pytest.param("xlsx", None, id="xlsx-builtin-0.00%"),   # what Excel applies on typing 96,4%
    pytest.param("xlsx", "0%", id="xlsx-custom-0%"),        # what LibreOffice writes
    pytest.param("ods", None, id="ods-percentage"),
    pytest.param("xls", None, id="xls-builtin"),
    pytest.param("xls", "0.0%", id="xls-format-record"),
]


@pytest.mark.parametrize(("fmt", "code"), PERCENT_VARIANTS)
def test_percent_figures_are_read_as_typed(box, cli, fmt, code):
    """1.10 typed 96,4% (stored 0.964) and 2.1 typed 81,2345% shown as 81% (stored
    0.812345) are 96.4 and 81.2345, at full precision."""
    path = put(box, fmt, {"E10": t.Percent(0.964, code), "E12": t.Percent(0.812345, code)},
               custom_percent=code)
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    result, document = score(cli, box, [path])
    assert result.exit_code == 0, result.stdout
    leaves = leaves_of(document, "STP")
    # 1.10: 96.4 > 90 → 2 points (read as 0.964 it would earn 0).
    assert leaves["1.10"]["input"] == 96.4 and leaves["1.10"]["points"] == 2
    # 2.1: 2 × min(1, 81.2345 / 100) = 1.62469 (read as 0.812345: below 50 → 0).
    assert leaves["2.1"]["input"] == 81.2345 and leaves["2.1"]["points"] == 1.62469
    # STP: 1 + 2.75 + 2 + 1.62469 + 9.117 (survey 91.17 % of 10) + 1.6 (80 % of 2)
    # = 18.09169 of 20 → 90.45845.
    assert unit_of(document, "STP")["index"] == 90.45845


@pytest.mark.parametrize("fmt", FORMATS)
def test_percent_points_are_an_error(box, cli, fmt):
    """Points typed as 2% in 'Điểm tự chấm' (stored 0.02) are not 0.02 points."""
    path = put(box, fmt, {"G9": t.Percent(0.02)})
    outcome = validate(cli, box, [path])
    found = expect(outcome, "o-dinh-dang-phan-tram", file=c.rel(box, path), sheet=SELF,
                   cell="G9", unit="STP", criterion="1.2")
    assert "2%" in found["message"] and "Điểm tự chấm" in found["message"]
    assert outcome.exit_code == 1
    expect_exit(outcome)


def test_percent_format_in_quotes_is_not_a_percentage(box, cli):
    """A format '0.0"%"' prints a literal % after the number: 91.5 stays 91.5."""
    path = put(box, "xlsx", {"E10": t.Percent(91.5, '0.0"%"')})
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    _, document = score(cli, box, [path])
    assert leaves_of(document, "STP")["1.10"]["input"] == 91.5


def test_percent_appraisal_figure_and_points(box, cli):
    """An appraiser types 95% for 1.10 (K6) and 2% as points of 1.2 (M7)."""
    path = box.appraisal_form("snv", [("STP", "1.10", Entered(data=Decimal(50), comment="a")),
                                      ("STP", "1.2", Entered(score=Decimal(2), comment="b"))])
    put(box, "xlsx", {"K6": t.Percent(0.95)}, sheet="Thẩm định", path=path)
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    _, document = score(cli, box, [path])
    leaf = leaves_of(document, "STP")["1.10"]
    # 95 > 90 → 2 points, from the appraisal (50 would give 0).
    assert (leaf["input"], leaf["points"], leaf["source"]) == (95, 2, "appraisal")
    put(box, "xlsx", {"M7": t.Percent(0.02)}, sheet="Thẩm định", path=path)
    outcome = validate(cli, box, [path])
    expect(outcome, "o-dinh-dang-phan-tram", file=c.rel(box, path), sheet="Thẩm định",
           cell="M7", unit="STP", criterion="1.2")
    assert outcome.exit_code == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_percent_survey_rate(box, cli, fmt):
    """SIPAS typed 91,17% in the survey (stored 0.9117) is 91.17: 9.117 points of 10,
    without the 'looks like a fraction' warning."""
    survey = box.root / c.SURVEY_DIR / "khao-sat.xlsx"
    path = put(box, fmt, {"C6": t.Percent(0.9117)}, sheet=c.SURVEY, path=survey)
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    assert not outcome.of("khao-sat-co-the-la-ty-le"), outcome.show()
    _, document = score(cli, box, [path])
    assert leaves_of(document, "STP")["3.1"]["points"] == 9.117


def previous_year_file(box: Sandbox, index: Any, *, as_percent: bool) -> Path:
    """data/2023/nam-truoc.xlsx as an analyst types it in Excel (openpyxl)."""
    path = box.data / "nam-truoc.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Xếp hạng năm trước"
    sheet.append(["Mã đơn vị", "Xếp hạng", "Chỉ số"])
    for code, rank, value in (("STP", 2, index), ("SNV", 1, 0.95), ("STC", 3, 0.9)):
        sheet.append([code, rank, value])
        if as_percent:
            sheet.cell(sheet.max_row, 3).number_format = "0.00%"
    workbook.save(path)
    return path


def test_previous_index_shown_as_percent(box, cli):
    path = previous_year_file(box, 0.9369, as_percent=True)
    result = run_cli(cli, [path], "rank", "-w", box.root, "--year", "2023", "--format", "json")
    assert result.exit_code == 0, result.stdout
    stp = unit_of(json.loads(result.stdout), "STP")
    # 0.9369 shown as 93,69% → 93.69; rank 2 last year.
    assert stp["previous_index"] == 93.69 and stp["previous_rank"] == 2


def test_previous_index_formula_without_value(box, cli):
    path = previous_year_file(box, "=0.9*1", as_percent=False)  # openpyxl: no cached value
    result = run_cli(cli, [path], "rank", "-w", box.root, "--year", "2023", "--format", "json")
    issues = [i for i in json.loads(result.stdout)["issues"]
              if i["code"] == "cong-thuc-chua-tinh"]
    assert [(i["file"], i["sheet"], i["cell"], i["unit"]) for i in issues] == [
        ("data/2023/nam-truoc.xlsx", "Xếp hạng năm trước", "C2", "STP")]
    assert result.exit_code == 1


# ======================================================================================
# Formulas without a computed value
# ======================================================================================

MISSING = [
    pytest.param("xlsx", "absent", id="xlsx-f-without-v"),
    pytest.param("xlsx", "empty", id="xlsx-empty-v-openpyxl"),
    pytest.param("xlsx", "zero", id="xlsx-placeholder-0-xlsxwriter"),
    pytest.param("ods", "absent", id="ods-formula-without-value"),
    pytest.param("xls", "absent", id="xls-result-empty-text"),
]
INPUT_CELLS = [
    pytest.param("E10", "1.10", "Số liệu", id="figure"),
    pytest.param("F8", "1.1", "Lựa chọn", id="choice"),
    pytest.param("H12", "2.1", "Không áp dụng", id="na-mark"),
    pytest.param("G13", "2.2", "Điểm tự chấm", id="bonus"),  # would silently count 0
]


@pytest.mark.parametrize(("fmt", "missing"), MISSING)
@pytest.mark.parametrize(("cell", "leaf", "column"), INPUT_CELLS)
def test_formula_without_value_in_an_input_cell(box, cli, fmt, missing, cell, leaf, column):
    path = put(box, fmt, {cell: t.Formula("D10*2", missing=missing)})
    outcome = validate(cli, box, [path])
    found = expect(outcome, "cong-thuc-chua-tinh", file=c.rel(box, path), sheet=SELF,
                   cell=cell, unit="STP", criterion=leaf)
    assert column in found["message"] and "LibreOffice" in found["message"]
    assert outcome.exit_code == 1
    expect_exit(outcome)


@pytest.mark.parametrize("fmt", FORMATS)
def test_formula_with_its_value_is_read(box, cli, fmt):
    """=D12*100 computed and stored as 81.25 by the spreadsheet: 81.25 is read."""
    path = put(box, fmt, {"E12": t.Formula("D12*100", result=81.25)})
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    _, document = score(cli, box, [path])
    # 2 × 81.25 / 100 = 1.625
    assert leaves_of(document, "STP")["2.1"]["points"] == 1.625


def test_formula_giving_empty_text_as_libreoffice_saves_it(box, cli):
    """LibreOffice stores =IF(…;"x";"") that gives "" as t="str" with an empty <v>:
    computed, read as an empty N/A mark (2.1 is scored from its figure, 80 → 1.6)."""
    path = put(box, "xlsx", {"H12": t.Formula('IF(E12="";"x";"")', result="")})
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    _, document = score(cli, box, [path])
    assert leaves_of(document, "STP")["2.1"]["points"] == 1.6


@pytest.mark.parametrize("missing", ["absent", "empty", "zero"])
def test_computed_points_formulas_are_ignored(box, cli, missing):
    """The template's convenience formulas (points of 1.1 in G8, of 1.10 in G10, the
    subtotal of area 1 in G7) are never inputs, with or without a value."""
    path = put(box, "xlsx", {ref: t.Formula("1+1", missing=missing)
                             for ref in ("G7", "G8", "G10")})
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    assert not [i for i in outcome.issues if i["file"] == STP
                and i["code"] != "chua-tham-dinh"], outcome.show()


def test_appraised_points_formula_without_value(box, cli):
    """An appraiser's 'Điểm thẩm định' computed by a script, without a value: an error,
    never the unit's own score in its place."""
    path = box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a"))])
    put(box, "xlsx", {"M6": t.Formula("3-1", missing="empty")}, sheet="Thẩm định", path=path)
    outcome = validate(cli, box, [path])
    expect(outcome, "cong-thuc-chua-tinh", file=c.rel(box, path), sheet="Thẩm định",
           cell="M6", unit="STP", criterion="1.2")
    assert outcome.exit_code == 1


def test_appraisal_row_with_only_computed_points_is_not_appraised(box, cli):
    """A row of 1.1 left empty (its computed points cell is a formula without a value)
    stays unappraised: no issue, 1.1 keeps the unit's own choice."""
    path = box.appraisal_form("snv", [("STP", "1.1", Entered()),
                                      ("STP", "1.2", Entered(score=Decimal(2), comment="a"))])
    put(box, "xlsx", {"M6": t.Formula("IFERROR(1;0)", missing="absent")},
        sheet="Thẩm định", path=path)
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    pending = next(i for i in outcome.of("chua-tham-dinh") if i["unit"] == "STP")
    assert "1.1," in pending["message"] or pending["message"].endswith("1.1.")


def test_register_formula_without_value(box, cli):
    """STP's 'Không áp dụng' (F5) is a formula a script wrote without a value: the list
    is not silently empty."""
    path = box.root / c.REGISTER_FILE
    put(box, "xlsx", {"F5": t.Formula('"2.1"', missing="absent")}, sheet=c.REGISTER,
        path=path)
    outcome = validate(cli, box, [path])
    found = expect(outcome, "cong-thuc-chua-tinh", file=c.REGISTER_FILE, sheet=c.REGISTER,
                   cell="F5", unit="STP")
    assert "Không áp dụng" in found["message"]
    assert outcome.exit_code == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_survey_value_formula_without_value(box, cli, fmt):
    survey = box.root / c.SURVEY_DIR / "khao-sat.xlsx"
    path = put(box, fmt, {"C7": t.Formula()}, sheet=c.SURVEY, path=survey)
    outcome = validate(cli, box, [path])
    expect(outcome, "cong-thuc-chua-tinh", file=c.rel(box, path), sheet=c.SURVEY, cell="C7",
           unit="SNV", criterion="3.1")
    assert outcome.exit_code == 1


# ======================================================================================
# Twin sheets
# ======================================================================================

NFD_SELF = unicodedata.normalize("NFD", SELF)


@pytest.mark.parametrize("twin", ["tự đánh giá", "TỰ ĐÁNH GIÁ", NFD_SELF],
                         ids=["lower-case", "upper-case", "nfd"])
def test_twin_form_sheets_are_refused(box, cli, twin):
    """An old draft sheet whose name differs from 'Tự đánh giá' only in case or Unicode
    form (here the third sheet, renamed)."""
    path = t.rename_sheet_xlsx(stp_path(box), "_ds", twin)
    outcome = validate(cli, box, [path])
    found = expect(outcome, "trang-trung-ten", file=STP, sheet=SELF)
    assert f"'{SELF}' (trang thứ 1)" in found["message"]
    assert f"'{twin}' (trang thứ 3)" in found["message"]
    assert outcome.exit_code == 1


def test_twin_meta_sheets_are_refused(box, cli):
    path = t.rename_sheet_xlsx(stp_path(box), "_ds", "_CCHC")
    outcome = validate(cli, box, [path])
    expect(outcome, "trang-trung-ten", file=STP, sheet="_cchc")
    assert outcome.exit_code == 1


def with_twin(path: Path, twin: str) -> Path:
    """A second sheet named ``twin`` (openpyxl itself refuses such a name: the sheet is
    added under another name and renamed in workbook.xml)."""
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("Bản nháp")
    workbook.save(path)
    return t.rename_sheet_xlsx(path, "Bản nháp", twin)


def test_twin_register_sheets_are_refused(box, cli):
    path = with_twin(box.root / c.REGISTER_FILE, "ĐƠN VỊ")
    outcome = validate(cli, box, [path])
    found = expect(outcome, "trang-trung-ten", file=c.REGISTER_FILE, sheet=c.REGISTER)
    assert "'ĐƠN VỊ' (trang thứ 2)" in found["message"]
    assert outcome.exit_code == 1


def test_twin_previous_year_sheets_are_refused(box, cli):
    path = with_twin(previous_year_file(box, 0.9369, as_percent=True), "xếp hạng năm trước")
    result = run_cli(cli, [path], "rank", "-w", box.root, "--year", "2023", "--format", "json")
    codes = [(i["code"], i["file"]) for i in json.loads(result.stdout)["issues"]]
    assert ("trang-trung-ten", "data/2023/nam-truoc.xlsx") in codes
    assert result.exit_code == 1


# ======================================================================================
# Unit codes, and the paths built from them
# ======================================================================================

BAD_CODES = [
    pytest.param("../../data/2023/tu-danh-gia/STP", id="path-traversal"),
    pytest.param("STP/../../x", id="separator"),
    pytest.param("-STP", id="leading-dash"),
    pytest.param(".hidden", id="leading-dot"),
    pytest.param("S TP", id="space"),
    pytest.param("SỞ-TP", id="vietnamese-letter"),
    pytest.param("A" * 33, id="33-characters"),
    pytest.param("STP\u202e", id="bidi-override"),
    pytest.param("C:x", id="drive"),
]


@pytest.mark.parametrize("code", BAD_CODES)
def test_unit_codes_that_cannot_name_files(box, cli, code):
    units = [*box.units, Unit(code, "Đơn vị mới", "so-nganh")]
    path = box.write_register(units)
    outcome = validate(cli, box, [path])
    expect(outcome, "ma-don-vi-khong-hop-le", file=c.REGISTER_FILE, sheet=c.REGISTER,
           cell="A8")
    assert outcome.exit_code == 1


def test_codes_equal_but_for_case(box, cli):
    path = box.write_register([*box.units, Unit("stp", "Sở Tư pháp (bản sao)", "so-nganh")])
    outcome = validate(cli, box, [path])
    found = expect(outcome, "don-vi-trung-ma-chu-hoa", file=c.REGISTER_FILE,
                   sheet=c.REGISTER, cell="A8", unit="stp")
    assert "'STP' (ô A5)" in found["message"]
    assert outcome.exit_code == 1


def test_template_never_writes_outside_forms(box, cli, tmp_path):
    """A code '../../data/2023/tu-danh-gia/tu-danh-gia-STP' would have overwritten STP's
    returned form: refused, nothing written, every input unchanged."""
    units = [*box.units, Unit("../../data/2023/tu-danh-gia/tu-danh-gia-STP", "X", "so-nganh")]
    register = box.write_register(units)
    watched = [register, *sorted((box.root / c.SELF_DIR).glob("*.xlsx"))]
    result = run_cli(cli, watched, "template", "-w", box.root, "--year", "2023",
                     "--kind", "self")
    assert result.exit_code == 1
    assert "ma-don-vi-khong-hop-le" in result.stderr
    assert not (box.root / "forms").exists()


def test_paths_from_codes_are_checked_where_they_are_built(box, cli, monkeypatch):
    """The second lock: should a code ever pass the register, the path built from it
    is still refused (exit 1, nothing written outside forms/)."""
    from cchc_cli import outputs

    monkeypatch.setitem(outputs.FORM_FILES, "self", "tu-danh-gia/../../../{unit}.xlsx")
    result = run_cli(cli, [], "template", "-w", box.root, "--year", "2023", "--kind", "self")
    assert result.exit_code == 1
    assert "ngoài thư mục" in result.stderr
    assert not list(box.root.parent.glob("*.xlsx"))


def test_form_paths_take_a_code_as_one_name(tmp_path):
    """A code with a separator is refused even where the path would stay in forms/ or
    results/Y/gui-don-vi/ (it would write into a folder of its own making)."""
    from cchc_cli.errors import UnsafePathError
    from cchc_cli.outputs import feedback_path, form_path

    folder = tmp_path / "forms" / "2023"
    results = tmp_path / "results" / "2023"
    assert form_path(folder, "self", unit="STP") == \
        folder / "tu-danh-gia" / "tu-danh-gia-STP.xlsx"
    for code in ("a/b", "../x", "..\\x"):
        with pytest.raises(UnsafePathError):
            form_path(folder, "self", unit=code)
        with pytest.raises(UnsafePathError):
            feedback_path(results, "fix", unit=code)


def test_inside_refuses_every_way_out(tmp_path):
    from cchc_cli.errors import UnsafePathError
    from cchc_cli.paths import inside

    folder = tmp_path / "forms"
    folder.mkdir()
    assert inside(folder, "tu-danh-gia", "tu-danh-gia-STP.xlsx") == \
        folder / "tu-danh-gia" / "tu-danh-gia-STP.xlsx"
    (folder / "lien-ket").symlink_to(tmp_path)
    for names in ((".."), ("a/../..",), ("/etc/passwd",), ("",), (".",),
                  ("lien-ket", "x.xlsx"), ("a\\..\\..\\x",), ("x\x00y",)):
        with pytest.raises(UnsafePathError):
            inside(folder, *names)


# ======================================================================================
# The register's 'Không áp dụng' typed as a number
# ======================================================================================


def register_na(box: Sandbox, value: Any) -> Path:
    path = box.root / c.REGISTER_FILE
    return t.set_xlsx_cells(path, c.REGISTER, {"F5": value})


def test_na_number_standing_for_two_codes(box, cli):
    """1.10 typed in a General cell becomes the number 1.1: both 1.1 and 1.10 exist."""
    path = register_na(box, 1.1)
    outcome = validate(cli, box, [path])
    found = expect(outcome, "khong-ap-dung-ma-nhap-nhang", file=c.REGISTER_FILE,
                   sheet=c.REGISTER, cell="F5", unit="STP")
    assert "'1.1' hoặc '1.10'" in found["message"] and "'1.10" in found["message"]
    assert outcome.exit_code == 1


@pytest.mark.parametrize(("value", "code"), [(2.1, "2.1"), ("1.10", "1.10")],
                         ids=["number-one-reading", "text"])
def test_na_codes_that_are_not_ambiguous(box, cli, value, code):
    path = register_na(box, value)
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    result = run_cli(cli, [path], "rank", "-w", box.root, "--year", "2023", "--format", "json")
    assert unit_of(json.loads(result.stdout), "STP")["not_applicable"] == [code]


# ======================================================================================
# The terminal shows data, never obeys it
# ======================================================================================

ESCAPES = "_x001B_[2J_x001B_[31mGIẢ MẠO_x000D_\u202eLỖI: hết_x0007_"


def test_control_characters_never_reach_the_terminal(box, cli):
    path = put(box, "xlsx", {"F8": ESCAPES})
    outcome = validate(cli, box, [path])
    found = expect(outcome, "lua-chon-la", file=STP, sheet=SELF, cell="F8")
    # JSON stays exact: the escape character is in the message …
    assert "\x1b[2J" in found["message"] and "\u202e" in found["message"]
    # … and the terminal shows a picture of it instead.
    text = outcome.text.stdout + outcome.text.stderr
    for raw in ("\x1b", "\r", "\x07", "\u202e"):
        assert raw not in text
    # (the carriage return is whitespace: the reader already made it a space)
    assert "␛[2J␛[31mGIẢ MẠO <U+202E>LỖI: hết␇" in text


def test_file_names_are_sanitised(box, cli):
    """A second form of STP whose name holds an escape sequence and a line break."""
    name = "STP-\x1b[2J\nLỖI giả.xlsx"
    path = box.self_form("STP", name=name)
    outcome = validate(cli, box, [path])
    issue = expect(outcome, "bieu-mau-trung-don-vi", file=STP)
    assert name in issue["message"]  # exact in JSON
    text = outcome.text.stdout
    assert "\x1b" not in text and "STP-␛[2J␊LỖI giả.xlsx" in text


def test_huge_text_is_cut_on_the_terminal(box, cli):
    """A unit name of one million characters (written straight into the register)."""
    name = "Sở Tư pháp " + "rất dài " * 125_000
    path = t.set_xlsx_cells(box.root / c.REGISTER_FILE, c.REGISTER, {"B5": name})
    result = run_cli(cli, [path], "rank", "-w", box.root, "--year", "2023")
    assert result.exit_code == 0, result.stdout[:2000]
    assert len(result.stdout) < 20_000
    assert "Sở Tư pháp rất dài" in result.stdout and "…" in result.stdout


def test_explain_sanitises_evidence_and_names(box, cli):
    path = put(box, "xlsx", {"I9": "Báo cáo _x001B_[2J số 5", "B9": "Mức độ _x001B_]0;x_x0007_"})
    result = run_cli(cli, [path], "explain", "-w", box.root, "--year", "2023", "STP")
    assert result.exit_code == 0, result.stdout
    assert "\x1b" not in result.stdout and "Báo cáo ␛[2J số 5" in result.stdout


# ======================================================================================
# An output that cannot be replaced
# ======================================================================================


def results_dir(box: Sandbox) -> Path:
    return box.root / "results" / "2023"


def test_output_open_in_excel(box, cli, monkeypatch):
    """Windows refuses to replace a workbook open in Excel (PermissionError): exit 3,
    the file and what to do in Vietnamese, the previous output intact."""
    import cchc_cli.writers.atomic as atomic

    first = run_cli(cli, [], "score", "-w", box.root, "--year", "2023")
    assert first.exit_code == 0, first.stdout
    target = results_dir(box) / "cham-diem-2023.xlsx"
    before = sha256(target)
    real = os.replace

    def locked(src, dst, *args, **kwargs):
        if str(dst).endswith("cham-diem-2023.xlsx"):
            raise PermissionError(13, "The process cannot access the file", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "replace", locked)
    result = run_cli(cli, [target], "score", "-w", box.root, "--year", "2023", "--as-of",
                     "2024-01-02")
    assert result.exit_code == 3
    assert "cham-diem-2023.xlsx" in result.stderr and "đóng tệp" in result.stderr
    assert "tệp cũ vẫn được giữ nguyên" in result.stderr
    assert sha256(target) == before
    assert not [p for p in results_dir(box).iterdir() if p.name.startswith(".")]


def test_output_name_taken_by_a_folder(box, cli):
    """No mock: a folder where the results workbook should go."""
    (results_dir(box) / "cham-diem-2023.xlsx").mkdir(parents=True)
    result = run_cli(cli, [], "score", "-w", box.root, "--year", "2023")
    assert result.exit_code == 3
    assert "cham-diem-2023.xlsx" in result.stderr and "thư mục trùng tên" in result.stderr
    assert not [p for p in results_dir(box).iterdir() if p.name.startswith(".")]


def test_output_folder_not_writable(box, cli, monkeypatch):
    import cchc_cli.writers.atomic as atomic

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refused)
    result = run_cli(cli, [], "score", "-w", box.root, "--year", "2023")
    assert result.exit_code == 3
    assert "results/2023" in result.stderr and "quyền ghi" in result.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_output_folder_read_only(box, cli):
    folder = results_dir(box)
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    try:
        result = run_cli(cli, [], "score", "-w", box.root, "--year", "2023")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 3
    assert "quyền ghi" in result.stderr


# ======================================================================================
# Through LibreOffice: the same indices after a person re-saves every form
# ======================================================================================

FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "ods": "ods", "xls": "xls:MS Excel 97"}


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("target", ["xlsx", "ods", "xls"])
def test_forms_resaved_by_libreoffice_give_the_same_indices(box, cli, tmp_path, target):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    forms = box.data / "tu-danh-gia"
    survey = box.root / c.SURVEY_DIR / "khao-sat.xlsx"
    # Percentages typed with Excel's built-in format and with LibreOffice's own codes.
    put(box, "xlsx", {"E10": t.Percent(0.964), "E12": t.Percent(0.8125)})
    put(box, "xlsx", {"E12": t.Percent(0.7, "0.0%")}, path=forms / "tu-danh-gia-SNV.xlsx")
    put(box, "xlsx", {"C6": t.Percent(0.9117), "C8": t.Percent(0.855, "0.00%")},
        sheet=c.SURVEY, path=survey)
    _, before = score(cli, box, [])
    indices = {u["code"]: u["index"] for b in before["blocks"] for u in b["units"]}
    # STP: 1 + 2.75 + 2 (96.4 > 90) + 1.625 (2 × 0.8125) + 9.117 + 1.6 = 18.092 → 90.46
    # SNV: 1 + 2.75 + 2 + 1.4 (2 × 0.70) + 9.117 + 1.6 = 17.867 → 89.335
    # STC: 1 + 2.75 + 2 + 1.6 + 8.55 (85.5 % of 10) + 1.6 = 17.5 → 87.5
    assert indices == {"STP": 90.46, "SNV": 89.335, "STC": 87.5}
    sources = [*sorted(forms.glob("*.xlsx")), survey]
    out = tmp_path / "libreoffice"
    profile = (tmp_path / "ho-so-libreoffice").as_uri()
    subprocess.run([office, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", FILTERS[target], "--outdir", str(out),
                    *map(str, sources)], check=True, capture_output=True, timeout=300)
    for source in sources:
        converted = out / f"{source.stem}.{target}"
        source.unlink()
        shutil.move(converted, source.with_suffix(f".{target}"))
    resaved = sorted(p for p in box.data.rglob(f"*.{target}") if p.name != "don-vi.xlsx")
    assert len(resaved) == 4
    outcome = validate(cli, box, resaved)
    assert outcome.exit_code == 0, outcome.show()
    _, after = score(cli, box, resaved)
    assert {u["code"]: u["index"] for b in after["blocks"] for u in b["units"]} == indices


# ======================================================================================
# Bounded: marks never cost more than a refusal
# ======================================================================================


@pytest.mark.slow
def test_a_million_formulas_without_value_are_refused_cheaply(box):
    """1.2 million formula cells without a value (29 MB of XML, 60 KB zipped), written
    without references so that only the exact pass can place them: refused after
    MAX_MARKS (250 000) of them."""
    from tests.test_hostile_corpus import check_child, run_child

    raw, size = c.deflate_repeated(b"<row><c><f>1</f></c></row>" * 1000, 1200,
                                   head=c._SHEET_HEAD, tail=c._SHEET_TAIL)
    data = c.tiny_xlsx(c.ZipPart("xl/worksheets/sheet1.xml", raw=raw, size=size))
    path = c.place(box, f"{c.SELF_DIR}/tu-danh-gia-STP-bom-cong-thuc.xlsx", data)
    child = run_child(box, [path])
    summary = check_child(child)
    assert child.exit_code == 1, summary
    issues = json.loads(child.stdout)["issues"]
    assert [i["code"] for i in issues if i["file"] == c.rel(box, path)] == ["tep-qua-lon-o"]


# ======================================================================================
# Named inputs (SPEC §13.1): their rows are input cells too
# ======================================================================================

NAMED_INPUTS = """\
id: so-nganh-2023
title: Bộ tiêu chí thử số liệu đặt tên
block: so-nganh
year: 2023
scale: 4
items:
  - code: "1"
    name: Số liệu
    items:
      - code: "1.1"
        name: Tỷ lệ hồ sơ giải quyết đúng hạn
        max: 2
        rule:
          type: tiers
          inputs:
            - {key: a, label: Số hồ sơ đúng hạn, integer: true}
            - {key: b, label: Tổng số hồ sơ, integer: true}
          value: "a / b * 100"
          tiers: [{min: 95, points: 2}, {min: 80, points: 1}]
      - code: "1.2"
        name: Tỷ lệ giải ngân
        max: 2
        rule:
          type: ratio
          inputs: [{key: r, label: Tỷ lệ giải ngân}]
"""


@pytest.fixture
def named(tmp_path: Path) -> Sandbox:
    sandbox = Sandbox(tmp_path / "ws", units=[Unit("STP", "Sở Tư pháp", "so-nganh")],
                      criteria_text=NAMED_INPUTS)
    sandbox.self_form("STP", {
        "1.1": Entered(inputs={"a": Decimal(19), "b": Decimal(20)}, evidence="BC 1"),
        "1.2": Entered(inputs={"r": Decimal(50)}, evidence="BC 2"),
    })
    return sandbox


def row_of(path: Path, code: str) -> int:
    rows = dict(t.workbook_rows(path))[SELF]
    return next(r for r, row in enumerate(rows, start=1) if row and row[0] == code)


def test_named_input_typed_as_a_percentage(named, cli):
    path = stp_path(named)
    cell = f"E{row_of(path, '1.2.r')}"
    put(named, "xlsx", {cell: t.Percent(0.875)})
    outcome = validate(cli, named, [path])
    assert outcome.exit_code == 0, outcome.show()
    _, document = score(cli, named, [path])
    leaf = leaves_of(document, "STP")["1.2"]
    # r typed 87,5% (stored 0.875) is 87.5: 2 × 87.5 / 100 = 1.75 points.
    assert leaf["input"] == {"r": 87.5} and leaf["points"] == 1.75


def test_named_input_formula_without_value(named, cli):
    path = stp_path(named)
    own, leaf_row = f"E{row_of(path, '1.1.a')}", f"E{row_of(path, '1.2')}"
    # An input row whose count a script wrote as a formula; and the leaf row's computed
    # figure (a convenience formula) without its value, which is ignored.
    put(named, "xlsx", {own: t.Formula("20-1", missing="empty"),
                        leaf_row: t.Formula("E12", missing="absent")})
    outcome = validate(cli, named, [path])
    expect(outcome, "cong-thuc-chua-tinh", file=STP, sheet=SELF, cell=own, unit="STP",
           criterion="1.1")
    assert [i["cell"] for i in outcome.of("cong-thuc-chua-tinh")] == [own]
    assert outcome.exit_code == 1


# ======================================================================================
# A year published before cchc (publish --from): the nam-truoc.xlsx headers, read as seen
# ======================================================================================


def published_table(box: Sandbox, index: Any, *, as_percent: bool) -> Path:
    from tests.builders import write_published

    path = write_published(box.root / "cu" / "2021.xlsx", [
        ["STP", "Sở Tư pháp", "so-nganh", 1, index, ""],
        ["SNV", "Sở Nội vụ", "so-nganh", 2, 85, ""],
        ["STC", "Sở Tài chính", "so-nganh", 3, 80, ""],
    ])
    if as_percent:  # E4: STP's index, typed 93,69% in Excel
        workbook = openpyxl.load_workbook(path)
        workbook.active["E4"].number_format = "0.00%"
        workbook.save(path)
    return path


def published_units(root: Path) -> dict[str, float]:
    import sqlite3

    with sqlite3.connect(root / "results" / "chi-so-cchc.sqlite") as connection:
        return dict(connection.execute(
            "SELECT code, index_published FROM units WHERE year = 2021").fetchall())


def test_published_index_shown_as_percent(box, cli):
    path = published_table(box, 0.9369, as_percent=True)
    result = run_cli(cli, [path], "publish", "-w", box.root, "-y", "2021", "--from", path,
                     "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert not [i for i in json.loads(result.stdout)["issues"]
                if i["code"] == "chi-so-co-the-la-phan-so"]
    # 0.9369 shown as 93,69% is recorded as 93.69, not as 0.9369.
    assert published_units(box.root) == {"STP": 93.69, "SNV": 85, "STC": 80}


def test_published_table_formula_without_value_and_twin_sheets(box, cli):
    path = published_table(box, "=93.69*1", as_percent=False)
    result = run_cli(cli, [path], "publish", "-w", box.root, "-y", "2021", "--from", path,
                     "--format", "json")
    found = [(i["code"], i["cell"], i["unit"]) for i in json.loads(result.stdout)["issues"]]
    assert ("cong-thuc-chua-tinh", "E4", "STP") in found
    assert result.exit_code == 1
    twin = with_twin(published_table(box, 93.69, as_percent=False), "XẾP HẠNG NĂM TRƯỚC")
    result = run_cli(cli, [twin], "publish", "-w", box.root, "-y", "2021", "--from", twin,
                     "--format", "json")
    assert [i["code"] for i in json.loads(result.stdout)["issues"]] == ["trang-trung-ten"]
    assert result.exit_code == 1
    assert not (box.root / "results" / "chi-so-cchc.sqlite").exists()
