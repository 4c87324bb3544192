"""Every problem `cchc validate` finds in returned forms: its code, sheet and cell.

The sandbox year is clean (every unit's self form plus a survey) until a test breaks it
the way people do. Rows of the self form: see tests/builders.py (1.1 on row 8, 1.2 on
row 9, 1.10 on row 10, 2.1 on row 12; columns E Số liệu, F Lựa chọn, G Điểm tự chấm,
H Không áp dụng, I Tài liệu kiểm chứng).
"""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from cchc_cli import api
from cchc_cli.formspec import Entered
from cchc_cli.readers.register import Unit
from tests.builders import GOOD, UNITS, Sandbox, drop_sheet, edit

SELF = "Tự đánh giá"
APPRAISAL = "Thẩm định"
SURVEY = "Khảo sát"


@pytest.fixture
def box(tmp_path) -> Sandbox:
    sandbox = Sandbox(tmp_path / "ws")
    sandbox.complete()
    return sandbox


def set_meta(path, key: str, value: str) -> None:
    """Change one key of the hidden _cchc sheet, as a curious person might."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["_cchc"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
    sheet.cell(row, 2).value = value
    workbook.save(path)


def report(box: Sandbox):
    return api.validate(box.root, year=box.year)


def only(box: Sandbox, code: str):
    found = [i for i in report(box).issues if i.code == code]
    assert len(found) == 1, [(i.code, i.file, i.cell, i.message) for i in report(box).issues]
    return found[0]


def test_the_clean_year_validates(box):
    result = report(box)
    assert result.ok, [(i.code, i.cell, i.message) for i in result.issues]
    # No appraisal has come in yet: each unit is told its scores are self-assessed.
    assert {(i.code, i.unit) for i in result.issues} == {
        ("chua-tham-dinh", u) for u in ("STP", "SNV", "STC")}


# --- identity of a form ----------------------------------------------------------------


def test_unit_not_in_register(box):
    box.units.append(Unit("SYT", "Sở Y tế", "so-nganh"))
    box.self_form("SYT")
    box.units.pop()
    found = only(box, "don-vi-khong-co-trong-danh-sach")
    assert (found.file, found.sheet, found.unit) == (
        "data/2023/tu-danh-gia/tu-danh-gia-SYT.xlsx", SELF, "SYT")
    assert found.is_error


def test_two_forms_for_one_unit(box):
    box.self_form("STP", name="STP-ban-sua.xlsx")
    found = only(box, "bieu-mau-trung-don-vi")
    assert found.unit == "STP" and found.sheet == SELF
    both = found.message + found.file
    assert "tu-danh-gia-STP.xlsx" in both and "STP-ban-sua.xlsx" in both


def test_form_for_another_year(box):
    set_meta(box.self_form("STP"), "year", "2022")
    found = only(box, "bieu-mau-sai-nam")
    assert found.sheet == "_cchc" and "2022" in found.message
    assert only(box, "thieu-tu-danh-gia").unit == "STP"


def test_form_for_another_block(box):
    set_meta(box.self_form("STP"), "block", "huyen")
    found = only(box, "bieu-mau-sai-khoi")
    assert (found.sheet, found.unit) == (SELF, "STP")
    assert "huyen" in found.message and "so-nganh" in found.message


def test_older_criteria_version_names_the_codes_that_differ(box):
    # The form was made from a set where 1.10 did not exist yet and 1.2 had another rule.
    path = box.self_form("STP")
    set_meta(path, "criteria_fingerprint", "0" * 64)
    edit(path, {"A10": "", "B10": "", "D9": "Tự chấm từ 0 đến 3 điểm"}, sheet=SELF)
    result = report(box)
    version = next(i for i in result.issues if i.code == "phien-ban-tieu-chi-khac")
    assert version.severity == "warning" and version.unit == "STP"
    assert "mã mới chưa có trong biểu: 1.10" in version.message
    assert "cách chấm đã đổi: 1.2" in version.message
    missing = next(i for i in result.issues if i.code == "thieu-tieu-chi")
    assert missing.criterion == "1.10"


def test_form_without_meta_is_identified_by_sheet_and_file_name(box):
    box.self_form("STP", values=GOOD, with_meta=False, name="STP - bao cao CCHC.xlsx")
    (box.data / "tu-danh-gia" / "tu-danh-gia-STP.xlsx").unlink()
    assert report(box).ok


def test_form_without_meta_and_no_code_in_its_name(box):
    box.self_form("STP", with_meta=False, name="bieu-tu-danh-gia.xlsx")
    found = only(box, "khong-xac-dinh-don-vi")
    assert found.sheet == SELF and "không chứa mã đơn vị nào" in found.message


def test_form_without_meta_naming_two_units(box):
    box.self_form("STP", with_meta=False, name="STP va SNV.xlsx")
    found = only(box, "khong-xac-dinh-don-vi")
    assert "STP, SNV" in found.message or "SNV, STP" in found.message


# --- rows ------------------------------------------------------------------------------


def test_unknown_criterion_row(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"A20": "9.9", "G20": 1}, sheet=SELF)
    found = only(box, "ma-tieu-chi-la")
    assert (found.sheet, found.cell, found.criterion) == (SELF, "A20", "9.9")


def test_missing_criterion_row(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"A9": None}, sheet=SELF)
    found = only(box, "thieu-tieu-chi")
    assert (found.sheet, found.criterion, found.unit) == (SELF, "1.2", "STP")


def test_duplicate_criterion_row(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"A20": "1.2", "G20": 1}, sheet=SELF)
    found = only(box, "tieu-chi-trung-dong")
    assert (found.cell, found.criterion) == ("A20", "1.2")
    assert "A9" in found.message


def test_changed_max(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"C9": 5}, sheet=SELF)
    found = only(box, "diem-toi-da-bi-sua")
    assert (found.sheet, found.cell, found.criterion) == (SELF, "C9", "1.2")


def test_missing_header_column(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"F6": "Ghi chú"}, sheet=SELF)
    found = only(box, "thieu-cot")
    assert found.sheet == SELF and "'Lựa chọn'" in found.message


def test_duplicated_header_column(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"K6": "Điểm tự chấm"}, sheet=SELF)
    found = only(box, "cot-trung")
    assert found.cell == "K6" and "G6" in found.message


# --- cells -----------------------------------------------------------------------------


def test_score_above_max(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"G9": 3.5}, sheet=SELF)
    found = only(box, "tu-cham-vuot-toi-da")
    assert (found.sheet, found.cell, found.criterion, found.unit) == (SELF, "G9", "1.2", "STP")
    assert "3.5" in found.message and "3" in found.message


def test_negative_score(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"G9": -0.5}, sheet=SELF)
    assert only(box, "gia-tri-am").cell == "G9"


def test_score_not_a_multiple_of_step(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"G9": 2.3}, sheet=SELF)
    found = only(box, "khong-dung-buoc")
    assert (found.cell, found.criterion) == ("G9", "1.2")
    assert "0.25" in found.message


def test_score_that_is_not_a_number(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"G9": "hai điểm"}, sheet=SELF)
    found = only(box, "khong-phai-so")
    assert found.cell == "G9" and "hai điểm" in found.message


def test_unknown_choice_label(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"F8": "Đúng hạn"}, sheet=SELF)
    found = only(box, "lua-chon-la")
    assert (found.cell, found.criterion) == ("F8", "1.1")
    assert "'Ban hành đúng thời hạn'" in found.message


def test_na_on_a_leaf_that_does_not_allow_it(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"H9": "x"}, sheet=SELF)
    found = only(box, "khong-ap-dung-khong-cho-phep")
    assert (found.sheet, found.cell, found.criterion) == (SELF, "H9", "1.2")


def test_na_cell_with_something_else_than_x(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"H12": "có"}, sheet=SELF)
    found = only(box, "dau-khong-ap-dung-la")
    assert found.cell == "H12"


def test_missing_evidence_where_points_are_claimed_is_a_warning(box):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"I8": None}, sheet=SELF)
    result = report(box)
    assert result.ok
    found = next(i for i in result.issues if i.code == "thieu-tai-lieu-kiem-chung")
    assert (found.severity, found.cell, found.criterion) == ("warning", "I8", "1.1")


def test_displayed_points_that_disagree_with_the_input(box):
    # Someone overwrote the formula of 1.1 with a number.
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"G8": 0.5}, sheet=SELF)
    found = next(i for i in report(box).issues if i.code == "diem-tinh-khac")
    assert (found.severity, found.cell) == ("warning", "G8")


def test_reordered_columns_extra_columns_and_rows(box):
    """A person moved columns, added a note column and blank rows, merged a title."""
    path = box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx"
    source = openpyxl.load_workbook(path)
    rows = [[c.value for c in row] for row in source[SELF].iter_rows(min_row=6)]
    order = [9, 0, 6, 1, 2, 5, 4, 3, 7, 8]  # Giải trình first, then Mã, Điểm tự chấm, …
    target = openpyxl.Workbook()
    ws = target.active
    ws.title = SELF
    ws["A1"] = "BIỂU TỰ ĐÁNH GIÁ (bản đơn vị tự trình bày)"
    ws.merge_cells("A1:K2")
    for r, row in enumerate(rows, start=5):
        values = [row[i] for i in order] + ["ghi chú thêm" if r == 5 else None]
        for c, value in enumerate(values, start=1):
            ws.cell(row=r + (1 if r > 8 else 0), column=c, value=value)
    meta = target.create_sheet("_cchc")
    for r, row in enumerate(source["_cchc"].iter_rows(values_only=True), start=1):
        meta.cell(row=r, column=1, value=row[0])
        meta.cell(row=r, column=2, value=row[1])
    target.save(path)
    result = report(box)
    assert result.ok, [(i.code, i.cell, i.message) for i in result.issues]
    from cchc_cli.inputs import read_year

    entries = read_year(box.workspace(), 2023).self_forms["STP"].entries
    # Header now on row 5, area 1 on row 6, 1.1 on 7, 1.2 on 8, a blank row, 1.10 on 10.
    # Điểm tự chấm moved from G to C, Lựa chọn stays in F, Số liệu moved from E to G.
    assert (entries["1.2"].cell, entries["1.2"].value) == ("C8", Decimal("2.75"))
    assert (entries["1.1"].cell, entries["1.1"].value) == ("F7", "Ban hành đúng thời hạn")
    assert (entries["1.10"].cell, entries["1.10"].value) == ("G10", Decimal("91.5"))


# --- appraisal -------------------------------------------------------------------------


def test_conflicting_appraisals_in_one_round_name_both_cells(box):
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a"))],
                       name="a-snv.xlsx")
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal("1.5"), comment="b"))],
                       name="b-snv.xlsx")
    found = only(box, "tham-dinh-mau-thuan")
    assert (found.sheet, found.cell, found.unit, found.criterion) == (APPRAISAL, "M6", "STP",
                                                                      "1.2")
    assert found.file.endswith("b-snv.xlsx")
    assert "a-snv.xlsx, Thẩm định!M6" in found.message


def test_same_appraisal_twice_is_not_a_conflict(box):
    for name in ("a.xlsx", "b.xlsx"):
        box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="x"))],
                           name=name)
    assert report(box).ok


def test_different_rounds_do_not_conflict(box):
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a"))])
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal("2.5"), comment="b"))],
                       round_no=2)
    assert report(box).ok


def test_appraisal_for_a_unit_or_leaf_that_does_not_exist(box):
    path = box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a")),
                                      ("SNV", "1.2", Entered(score=Decimal(2), comment="a"))])
    edit(path, {"A7": "SXX", "C6": "1.99"}, sheet=APPRAISAL)
    result = report(box)
    unit = next(i for i in result.issues if i.code == "ma-don-vi-la")
    leaf = next(i for i in result.issues if i.code == "tham-dinh-tieu-chi-la")
    assert (unit.sheet, unit.cell, unit.unit) == (APPRAISAL, "A7", "SXX")
    assert (leaf.cell, leaf.criterion, leaf.unit) == ("C6", "1.99", "STP")


def test_appraisal_of_a_survey_leaf(box):
    path = box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a"))])
    edit(path, {"C6": "3.1"}, sheet=APPRAISAL)
    assert only(box, "tham-dinh-tieu-chi-khao-sat").cell == "C6"


def test_changed_value_without_comment_is_a_warning(box):
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2)))])
    result = report(box)
    assert result.ok
    found = next(i for i in result.issues if i.code == "tham-dinh-khong-nhan-xet")
    assert (found.cell, found.criterion, found.unit) == ("M6", "1.2", "STP")
    assert "2.75" in found.message


def test_appraiser_score_above_max(box):
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="x"))])
    edit(box.data / "tham-dinh/tham-dinh-snv-vong-1.xlsx", {"M6": 4}, sheet=APPRAISAL)
    found = only(box, "tham-dinh-vuot-toi-da")
    assert (found.sheet, found.cell) == (APPRAISAL, "M6")


def test_appraisal_of_a_leaf_assigned_to_another_appraiser_is_a_warning(box):
    box.appraisal_form("stp", [("STP", "2.1", Entered(data=Decimal(60), comment="x"))])
    found = next(i for i in report(box).issues if i.code == "tham-dinh-khac-co-quan")
    assert found.severity == "warning" and found.cell == "C6"


def test_appraisal_points_typed_without_the_choice(box):
    path = box.appraisal_form("snv", [("STP", "1.1", Entered(choice="Ban hành chậm",
                                                             comment="chậm"))])
    # The appraiser cleared the choice and typed 0.5: it matches exactly one option.
    edit(path, {"L6": None, "M6": 0.5}, sheet=APPRAISAL)
    from cchc_cli.inputs import read_year

    inputs = read_year(box.workspace(), 2023)
    assert inputs.appraisals[("STP", "1.1")][-1].entry.value == "Ban hành chậm"
    # For a tiers leaf, points without the figure cannot be used.
    path = box.appraisal_form("snv", [("SNV", "1.10", Entered(data=Decimal(75),
                                                              comment="x"))], name="b.xlsx")
    edit(path, {"K6": None, "M6": 1}, sheet=APPRAISAL)
    assert only(box, "tham-dinh-thieu-du-lieu").cell == "M6"


# --- survey ----------------------------------------------------------------------------


def survey_values(**override):
    values = {(u.code, c): Decimal(v) for u in UNITS for c, v in (("3.1", "91.17"),
                                                                   ("3.2", "80"))}
    values.update(override)
    return values


def test_survey_value_out_of_range(box):
    box.survey_form(survey_values(**{}) | {("SNV", "3.1"): Decimal("101")})
    found = only(box, "khao-sat-ngoai-khoang")
    assert (found.sheet, found.cell, found.unit, found.criterion) == (SURVEY, "C7", "SNV",
                                                                      "3.1")


def test_survey_value_that_looks_like_a_fraction(box):
    box.survey_form(survey_values() | {("STC", "3.2"): Decimal("0.85")})
    result = report(box)
    found = next(i for i in result.issues if i.code == "khao-sat-co-the-la-ty-le")
    assert (found.severity, found.cell) == ("warning", "D8")
    assert "85" in found.message


def test_survey_text_with_decimal_comma_is_a_number(box):
    box.survey_form(survey_values() | {("STP", "3.1"): "91,17"})
    assert report(box).ok


def test_survey_na_on_a_leaf_that_does_not_allow_it(box):
    box.survey_form(survey_values() | {("STP", "3.1"): "x", ("SNV", "3.2"): "x"})
    found = only(box, "khong-ap-dung-khong-cho-phep")
    assert (found.sheet, found.cell, found.criterion) == (SURVEY, "C6", "3.1")


def test_survey_column_that_is_not_a_survey_leaf(box):
    path = box.survey_form()
    edit(path, {"E5": "3.3", "E6": 50}, sheet=SURVEY)
    found = only(box, "khao-sat-cot-la")
    assert found.cell == "E5"


def test_two_surveys_disagreeing(box):
    box.survey_form(survey_values() | {("STP", "3.1"): Decimal("90")}, name="dot-2.xlsx")
    found = only(box, "khao-sat-trung")
    assert found.cell == "C6" and "91.17" in found.message and "90" in found.message


# --- completeness ----------------------------------------------------------------------


def test_unit_without_a_self_assessment(box):
    (box.data / "tu-danh-gia" / "tu-danh-gia-SNV.xlsx").unlink()
    found = only(box, "thieu-tu-danh-gia")
    assert (found.file, found.sheet, found.unit) == ("data/2023/don-vi.xlsx", "Đơn vị", "SNV")
    assert found.cell == "A6"


def test_unrecognised_workbook_is_a_warning(box):
    path = box.self_form("STP", name="khac.xlsx")
    drop_sheet(path, "_cchc")
    workbook = openpyxl.load_workbook(path)
    workbook[SELF].title = "Trang 1"
    workbook.save(path)
    found = next(i for i in report(box).issues if i.code == "tep-khong-nhan-dang")
    assert found.severity == "warning" and found.file.endswith("khac.xlsx")


def test_lock_files_and_hidden_files_are_skipped(box):
    (box.data / "tu-danh-gia" / "~$tu-danh-gia-STP.xlsx").write_bytes(b"lock")
    (box.data / "tu-danh-gia" / ".an.xlsx").write_bytes(b"hidden")
    assert report(box).ok


def test_validate_cli_names_the_broken_cell(box, cli):
    edit(box.data / "tu-danh-gia/tu-danh-gia-STP.xlsx", {"G9": 9}, sheet=SELF)
    result = cli("validate", "-w", box.root, "--year", "2023")
    assert result.exit_code == 1
    assert "data/2023/tu-danh-gia/tu-danh-gia-STP.xlsx, Tự đánh giá!G9" in result.stdout
    assert "tu-cham-vuot-toi-da" in result.stdout
    assert "Traceback" not in result.output


def test_an_appraisal_of_zero_points_is_an_appraisal(box):
    """0 is a value: a row whose only appraisal cell holds 0 replaces the unit's own."""
    path = box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(0),
                                                             comment="Không có báo cáo"))])
    from cchc_cli.inputs import read_year

    history = read_year(box.workspace(), 2023).appraisals[("STP", "1.2")]
    assert history[-1].entry.value == Decimal(0)
    assert history[-1].file.endswith(path.name)
