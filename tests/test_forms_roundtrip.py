"""Template → filled by a person → read back: exactly the values entered, at their cells."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from cchc_cli import api
from cchc_cli.readers.forms import ReadContext, read_input
from cchc_cli.settings import Settings
from tests.builders import SELF_ROWS, Sandbox, edit
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"


def context(box: Sandbox) -> ReadContext:
    return ReadContext(year=box.year, sets={"so-nganh": box.criteria()},
                       units={u.code: (u.block, u.name) for u in box.units},
                       appraisers=dict(Settings().appraisers), keep_text=True)


# What a person types into the blank form of STP, by cell.
TYPED = {
    f"F{SELF_ROWS['1.1']}": "ban hành  CHẬM",       # case and spacing do not matter
    f"I{SELF_ROWS['1.1']}": "Kế hoạch số 12/KH-STP ngày 05/01/2023",
    f"G{SELF_ROWS['1.2']}": 2.25,
    f"I{SELF_ROWS['1.2']}": "Báo cáo số 7/BC-STP",
    f"E{SELF_ROWS['1.10']}": "91,5",                # text with a decimal comma
    f"I{SELF_ROWS['1.10']}": "Báo cáo giải ngân",
    f"H{SELF_ROWS['2.1']}": "X",                    # N/A, upper case
    f"J{SELF_ROWS['2.1']}": "Không có TTHC thu phí",
    f"G{SELF_ROWS['2.2']}": 1,
    f"I{SELF_ROWS['2.2']}": "Quyết định công nhận sáng kiến",
}

EXPECTED = {
    "1.1": ("Ban hành chậm", "F8", False),
    "1.2": (Decimal("2.25"), "G9", False),
    "1.10": (Decimal("91.5"), "E10", False),
    "2.1": (None, "E12", True),
    "2.2": (Decimal(1), "G13", False),
    "2.3": (None, "G14", False),
}


def check(form, issues) -> None:
    assert [i for i in issues if i.is_error] == [], [(i.code, i.cell) for i in issues]
    assert form.unit == "STP"
    got = {code: (e.value, e.cell, e.na) for code, e in form.entries.items()}
    assert got == EXPECTED
    assert form.entries["2.1"].na_cell == "H12"
    assert form.entries["1.1"].evidence == "Kế hoạch số 12/KH-STP ngày 05/01/2023"
    assert form.entries["2.1"].note == "Không có TTHC thu phí"
    assert "3.1" not in form.entries  # survey leaves are not self-assessed


@pytest.fixture
def filled(tmp_path) -> tuple[Sandbox, Path]:
    box = Sandbox(tmp_path / "ws")
    report = api.template(box.root, year=2023, kind="self")
    blank = next(p for p in report.written if p.name == "tu-danh-gia-STP.xlsx")
    target = box.data / "tu-danh-gia" / blank.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(blank, target)
    edit(target, TYPED, sheet="Tự đánh giá")
    return box, target


def test_template_filled_with_openpyxl_reads_back_exactly(filled):
    box, path = filled
    result = read_input(path, "data/2023/tu-danh-gia/tu-danh-gia-STP.xlsx", context(box))
    assert result.kind == "self"
    check(result.form, result.issues)


def test_openpyxl_save_leaves_formulas_without_cached_values(filled):
    _, path = filled
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Tự đánh giá").to_python(
        skip_empty_area=False)
    # The computed-points cell of 1.1 lost its cached value: cchc must not need it.
    assert rows[SELF_ROWS["1.1"] - 1][6] == ""


def test_blank_template_has_cached_values_and_hidden_meta(tmp_path):
    box = Sandbox(tmp_path / "ws")
    report = api.template(box.root, year=2023, kind="self")
    path = report.written[0]
    book = CalamineWorkbook.from_path(str(path))
    # The form, its identity, and the options of its drop-downs (label, points).
    assert book.sheet_names == ["Tự đánh giá", "_cchc", "_ds"]
    hidden = {m.name for m in book.sheets_metadata if str(m.visible).endswith("Hidden")}
    assert hidden == {"_cchc", "_ds"}
    options = book.get_sheet_by_name("_ds").to_python()
    assert options[:3] == [["Ban hành đúng thời hạn", 1.0], ["Ban hành chậm", 0.5],
                           ["Không ban hành", 0.0]]
    assert all(len(row) == 2 for row in options)  # stacked in two columns
    meta = dict(book.get_sheet_by_name("_cchc").to_python()[1:])
    assert meta["kind"] == "self" and meta["year"] == "2023" and meta["block"] == "so-nganh"
    assert meta["criteria_fingerprint"] == box.criteria().fingerprint
    rows = book.get_sheet_by_name("Tự đánh giá").to_python(skip_empty_area=False)
    assert rows[5][:10] == ["Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Cách chấm", "Số liệu",
                            "Lựa chọn", "Điểm tự chấm", "Không áp dụng",
                            "Tài liệu kiểm chứng", "Giải trình"]
    # Codes are text, 1.1 and 1.10 on their own rows.
    assert rows[SELF_ROWS["1.1"] - 1][0] == "1.1"
    assert rows[SELF_ROWS["1.10"] - 1][0] == "1.10"
    assert "Sở Tư pháp" in rows[1][0] or any("Sở" in str(r[0]) for r in rows[:3])


def test_prefilled_form_formulas_carry_the_computed_points(tmp_path):
    box = Sandbox(tmp_path / "ws")
    path = box.self_form("STP")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Tự đánh giá").to_python(
        skip_empty_area=False)
    score = {code: rows[r - 1][6] for code, r in SELF_ROWS.items()}
    assert score["1.1"] == 1.0          # "Ban hành đúng thời hạn"
    assert score["1.10"] == 2.0         # 91.5 > 90
    assert score["2.1"] == 1.6          # 2 × 80 / 100
    assert score["1"] == 1.0 + 2.75 + 2.0   # area subtotal: 1.1 + 1.2 + 1.10


def _libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.libreoffice
@pytest.mark.parametrize("target", ["xls", "ods", "xlsx"])
def test_libreoffice_saved_copies_read_back_exactly(filled, tmp_path, target):
    office = _libreoffice()
    if office is None:
        pytest.skip("LibreOffice is not installed")
    box, path = filled
    out = tmp_path / "converted"
    filter_name = {"xls": "xls:MS Excel 97", "ods": "ods", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
    subprocess.run([office, "--headless", "--convert-to", filter_name[target], "--outdir",
                    str(out), str(path)], check=True, capture_output=True, timeout=180)
    converted = next(out.iterdir())
    result = read_input(converted, f"x.{target}", context(box))
    check(result.form, result.issues)


@pytest.mark.parametrize("name", ["tu-danh-gia-STP.xls", "tu-danh-gia-STP.ods"])
def test_committed_office_files_read_back_exactly(tmp_path, name):
    """Files saved by LibreOffice from the filled form (kept in tests/data so that the
    .xls and .ods readers are tested even where LibreOffice is absent)."""
    box = Sandbox(tmp_path / "ws")
    result = read_input(DATA / name, name, context(box))
    check(result.form, result.issues)


def test_appraisal_template_is_prefilled_from_the_self_assessments(tmp_path):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    report = api.template(box.root, year=2023, kind="appraisal")
    names = sorted(p.name for p in report.written)
    assert names == ["tham-dinh-snv-vong-1.xlsx", "tham-dinh-vp-vong-1.xlsx"]
    snv = next(p for p in report.written if "snv" in p.name)
    rows = CalamineWorkbook.from_path(str(snv)).get_sheet_by_name("Thẩm định").to_python(
        skip_empty_area=False)
    header = rows[4]
    assert header[:3] == ["Mã đơn vị", "Đơn vị", "Mã tiêu chí"]
    body = [r for r in rows[5:] if r[0]]
    # 3 units × the 3 leaves of area 1 (snv); area 2 belongs to vp, area 3 is a survey.
    assert [(r[0], r[2]) for r in body] == [(u, c) for u in ("STP", "SNV", "STC")
                                           for c in ("1.1", "1.2", "1.10")]
    stp_12 = body[1]
    assert stp_12[8] == 2.75 and stp_12[12] == 2.75  # Điểm tự chấm = Điểm thẩm định
    # Returned unchanged, it confirms every self-assessed value without a warning.
    target = box.data / "tham-dinh" / snv.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(snv, target)
    validation = api.validate(box.root, year=2023)
    # Only area 2 (appraised by vp, not returned yet) is still self-assessed.
    assert {(i.code, i.unit) for i in validation.issues} == {
        ("chua-tham-dinh", u) for u in ("STP", "SNV", "STC")}
    assert all("1 tiêu chí" in i.message and "2.1" in i.message for i in validation.issues)
    from cchc_cli.inputs import read_year

    inputs = read_year(box.workspace(), 2023)
    assert inputs.appraisals[("STP", "1.2")][-1].entry.value == Decimal("2.75")
    assert inputs.appraisals[("STP", "1.2")][-1].entry.cell == "M7"


def test_round_two_template_is_prefilled_with_round_one(tmp_path):
    from cchc_cli.formspec import Entered

    box = Sandbox(tmp_path / "ws")
    box.complete()
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="thiếu"))])
    report = api.template(box.root, year=2023, kind="appraisal", round_no=2)
    snv = next(p for p in report.written if p.name == "tham-dinh-snv-vong-2.xlsx")
    rows = CalamineWorkbook.from_path(str(snv)).get_sheet_by_name("Thẩm định").to_python(
        skip_empty_area=False)
    stp_12 = next(r for r in rows if r[0] == "STP" and r[2] == "1.2")
    assert stp_12[8] == 2.75      # the unit's own score
    assert stp_12[12] == 2.0      # round 1's appraisal, to be confirmed or changed
    assert stp_12[14] == "thiếu"
    meta = dict(CalamineWorkbook.from_path(str(snv)).get_sheet_by_name("_cchc").to_python()[1:])
    assert meta["round"] == "2" and meta["appraiser"] == "snv"


def test_survey_rows_of_the_self_form_are_high_enough_for_their_text(tmp_path):
    """A survey leaf's row (greyed, "theo kết quả khảo sát") wraps its name like any
    other row: a row left at the default height prints its text over the next rows."""
    import math

    import openpyxl

    root = tmp_path / "tinh-mau"
    shutil.copytree(ROOT / "examples" / "tinh-mau", root,
                    ignore=shutil.ignore_patterns("results", "forms"))
    api.template(root, year=2023, kind="self")
    path = next((root / "forms" / "2023").rglob("tu-danh-gia-X01*.xlsx"))
    sheet = openpyxl.load_workbook(path)["Tự đánh giá"]
    width = sheet.column_dimensions["B"].width
    checked = 0
    for row in sheet.iter_rows(min_row=7):
        if row[4].value != "theo kết quả khảo sát":
            continue
        # At a generous 1.3 letters per width unit, the name needs this many lines of
        # 13.5 pt (as LibreOffice lays out 11 pt text).
        lines = math.ceil(len(row[1].value) / (width * 1.3))
        height = sheet.row_dimensions[row[0].row].height or 15.0
        assert height >= 13.5 * lines, (row[0].value, height, lines)
        checked += lines > 1
    assert checked >= 2  # names long enough to wrap were checked
