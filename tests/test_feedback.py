"""``cchc feedback`` (SPEC §13.3): each unit's marked-up workbook, the appraisal's changes,
letters and the reminder — read back from the files written.

The year is the one of tests/test_status.py: STP's self-assessment is clean; SNV's has an
error at Tự đánh giá!G9 (3.5 points on 1.2, max 3) and a warning at I8 (1 point on 1.1
without evidence); STC sent nothing; snv's round-1 appraisal changed STP 1.2 (2.75 → 2.5),
SNV 1.1 ('Ban hành đúng thời hạn' → 'Ban hành chậm') and gave STC 1.2 two points.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from cchc_cli import api
from cchc_cli.errors import InputError
from cchc_cli.formspec import Entered
from cchc_cli.outputs import feedback_path
from cchc_cli.writers.feedback import AUTHOR, ERROR_FILL, FIX_SHEET, MARK_FORMULA, WARNING_FILL
from tests.builders import FORM_CRITERIA, GOOD, Sandbox, edit
from tests.conftest import dedent
from tests.test_status import build

OUT = "results/2023/gui-don-vi"
SELF = "Tự đánh giá"


@pytest.fixture
def box(tmp_path) -> Sandbox:
    return build(tmp_path / "ws")


def feedback(cli, box: Sandbox, *args: str) -> dict:
    result = cli("feedback", "-w", box.root, "-y", "2023", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def problem_rows(path: Path) -> list[tuple]:
    """The rows of the sheet 'Vấn đề cần sửa' below its header (STT in column A)."""
    sheet = openpyxl.load_workbook(path)[FIX_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    assert rows[header] == ("STT", "Mức độ", "Ô", "Mã tiêu chí", "Tiêu chí", "Vấn đề",
                            "Cách sửa")
    return [row for row in rows[header + 1:] if row[0] is not None]


def marks(sheet) -> dict[str, str]:
    """cell → fill colour of cchc's conditional-formatting marks on a sheet."""
    found = {}
    for formatting in sheet.conditional_formatting:
        for rule in formatting.rules:
            if rule.formula == [MARK_FORMULA]:
                found[str(formatting.sqref)] = rule.dxf.fill.fgColor.rgb[-6:]
    return found


# --- <CODE>-can-sua.xlsx -----------------------------------------------------------------


def test_only_a_unit_with_problems_gets_its_workbook_back(cli, box):
    found = feedback(cli, box)
    by_code = {u["code"]: u for u in found["units"]}
    assert by_code["SNV"]["fix_file"] == f"{OUT}/SNV-can-sua.xlsx"
    assert (by_code["SNV"]["errors"], by_code["SNV"]["warnings"]) == (1, 1)
    assert by_code["STP"]["fix_file"] is None and by_code["STC"]["fix_file"] is None
    assert not (box.root / OUT / "STP-can-sua.xlsx").exists()


def test_the_problems_sheet_comes_first_and_names_cell_criterion_and_what_to_do(cli, box):
    feedback(cli, box)
    path = box.root / OUT / "SNV-can-sua.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == FIX_SHEET and workbook.active.title == FIX_SHEET
    # Only the first sheet is selected (a second would group the sheets in Excel).
    assert [s.sheet_view.tabSelected for s in workbook.worksheets] == \
        [True] + [False] * (len(workbook.worksheets) - 1)
    rows = problem_rows(path)
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        (1, "Cảnh báo", f"{SELF}!I8", "1.1", "Ban hành kế hoạch CCHC"),
        (2, "Lỗi", f"{SELF}!G9", "1.2", "Mức độ hoàn thành kế hoạch"),
    ]
    assert "3.5" in rows[1][5] and "vượt điểm tối đa 3" in rows[1][5]
    assert rows[1][6] == "Nhập điểm từ 0 đến 3."
    assert "tài liệu kiểm chứng" in rows[0][6]
    sheet = workbook[FIX_SHEET]
    link = next(c for c in sheet["C"] if c.value == f"{SELF}!G9").hyperlink
    assert link.location == f"'{SELF}'!G9"


def test_problem_cells_are_coloured_and_commented_and_the_rest_is_the_units_own(cli, box):
    feedback(cli, box)
    source = box.data / "tu-danh-gia" / "tu-danh-gia-SNV.xlsx"
    original = openpyxl.load_workbook(source)
    copy = openpyxl.load_workbook(box.root / OUT / "SNV-can-sua.xlsx")
    sheet = copy[SELF]
    assert marks(sheet) == {"G9": ERROR_FILL, "I8": WARNING_FILL}
    note = sheet["G9"].comment
    assert note.author == AUTHOR
    assert "LỖI — tiêu chí 1.2 (Mức độ hoàn thành kế hoạch), ô G9" in note.text
    assert "Cách sửa: Nhập điểm từ 0 đến 3." in note.text
    # The form's own note on the evidence cell (what to cite) is kept below cchc's.
    assert "(Ghi chú của biểu mẫu: Tài liệu kiểm chứng: Kế hoạch CCHC năm)" in \
        sheet["I8"].comment.text
    # Values, the cells' own fills, validations, protection and the hidden sheet: kept.
    mine = original[SELF]
    for ref in ("A9", "B9", "C9", "G9", "I9", "E10"):
        assert sheet[ref].value == mine[ref].value
        assert (sheet[ref].fill.fill_type, sheet[ref].fill.fgColor.rgb) == \
            (mine[ref].fill.fill_type, mine[ref].fill.fgColor.rgb)
        assert sheet[ref].number_format == mine[ref].number_format
    assert len(sheet.data_validations.dataValidation) == \
        len(mine.data_validations.dataValidation)
    assert sheet.protection.sheet == mine.protection.sheet
    assert copy["_cchc"].sheet_state == "hidden"


def test_the_original_is_never_modified_and_runs_repeat_byte_for_byte(cli, box):
    source = box.data / "tu-danh-gia" / "tu-danh-gia-SNV.xlsx"
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    feedback(cli, box)
    first = {p.name: p.read_bytes() for p in (box.root / OUT).iterdir()}
    feedback(cli, box)
    again = {p.name: p.read_bytes() for p in (box.root / OUT).iterdir()}
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    assert first == again
    assert not [p for p in (box.root / OUT).iterdir() if p.name.startswith(".")]


def test_the_marked_up_file_sent_back_fixed_is_marked_afresh(cli, box):
    feedback(cli, box)
    # SNV fixes G9 in the file it was sent and sends that file back.
    returned = box.data / "tu-danh-gia" / "tu-danh-gia-SNV.xlsx"
    shutil.copy(box.root / OUT / "SNV-can-sua.xlsx", returned)
    edit(returned, {"G9": 2.5}, sheet=SELF)
    found = feedback(cli, box)
    snv = next(u for u in found["units"] if u["code"] == "SNV")
    assert (snv["errors"], snv["warnings"]) == (0, 1)
    copy = openpyxl.load_workbook(box.root / OUT / "SNV-can-sua.xlsx")
    assert copy.sheetnames.count(FIX_SHEET) == 1
    assert marks(copy[SELF]) == {"I8": WARNING_FILL}
    assert copy[SELF]["G9"].comment is None
    # The form's own note is back as it was, cchc's words gone.
    assert copy[SELF]["I8"].comment.text.count("Ghi chú của biểu mẫu") == 1
    assert [r[2] for r in problem_rows(box.root / OUT / "SNV-can-sua.xlsx")] == [f"{SELF}!I8"]
    # Then the warning too: nothing is left to send, and the old file is taken away.
    edit(returned, {"I8": "Kế hoạch số 9/KH"}, sheet=SELF)
    found = feedback(cli, box)
    assert found["removed"] == [f"{OUT}/SNV-can-sua.xlsx"]
    assert not (box.root / OUT / "SNV-can-sua.xlsx").exists()


def test_a_second_file_of_the_unit_is_named_not_marked_in_the_first(cli, box):
    # SNV also sent a second copy (read after the first), whose 1.2 says 4 points: its
    # problems are listed with that file's name, and no cell of the file in use is
    # marked for them.
    box.self_form("SNV", {**GOOD, "1.2": Entered(score=Decimal("4"), evidence="BC")},
                  name="tu-danh-gia-SNV_ban-cu.xlsx")
    feedback(cli, box, "SNV")
    rows = problem_rows(box.root / OUT / "SNV-can-sua.xlsx")
    others = [r for r in rows if r[5].startswith("Trong tệp tu-danh-gia-SNV_ban-cu.xlsx")]
    assert others and all(r[2] == "(cả tệp)" for r in others)
    assert any("ô Tự đánh giá!G9: Điểm tự chấm 4" in r[5] for r in others)
    copy = openpyxl.load_workbook(box.root / OUT / "SNV-can-sua.xlsx")
    assert "3.5" in copy[SELF]["G9"].comment.text and "Điểm tự chấm 4" not in \
        copy[SELF]["G9"].comment.text


def test_a_workbook_with_macros_keeps_them_and_its_kind(cli, box):
    path = box.data / "tu-danh-gia" / "tu-danh-gia-SNV.xlsx"
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/vbaProject.bin"] = b"VBA of the unit"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    path.unlink()
    (path.with_suffix(".xlsm")).write_bytes(buffer.getvalue())
    snv = next(u for u in feedback(cli, box)["units"] if u["code"] == "SNV")
    # Excel opens a workbook with macros only under .xlsm.
    assert snv["fix_file"] == f"{OUT}/SNV-can-sua.xlsm"
    with zipfile.ZipFile(box.root / snv["fix_file"]) as archive:
        assert archive.read("xl/vbaProject.bin") == b"VBA of the unit"
        assert b"macroEnabled" in archive.read("[Content_Types].xml")
    assert not (box.root / OUT / "SNV-can-sua.xlsx").exists()


def test_units_are_chosen_by_code_in_any_case(cli, box):
    found = feedback(cli, box, "snv", "SNV")
    assert [u["code"] for u in found["units"]] == ["SNV"]
    assert sorted(p.name for p in (box.root / OUT).iterdir()) == [
        "SNV-can-sua.xlsx", "SNV-ket-qua-tham-dinh.xlsx"]
    result = cli("feedback", "-w", box.root, "-y", "2023", "sxd")
    assert result.exit_code == 2 and "sxd" in result.stderr


LIBREOFFICE_FORMS = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["tu-danh-gia-STP.ods", "tu-danh-gia-STP.xls"])
def test_an_xls_or_ods_gets_a_new_xlsx_of_its_values_with_the_same_marks(cli, tmp_path, name):
    # The LibreOffice-saved STP form says 2.25 points on 1.2 (G9) and keeps max 3 (C9);
    # with 1.2 worth 2 here, both cells are wrong.
    criteria = FORM_CRITERIA.replace("scale: 20", "scale: 19").replace(
        "max: 3\n", "max: 2\n", 1)  # the first 'max: 3' is 1.2's
    box = Sandbox(tmp_path / "ws", criteria_text=criteria)
    target = box.data / "tu-danh-gia" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(LIBREOFFICE_FORMS / name, target)
    found = feedback(cli, box, "STP")
    stp = found["units"][0]
    assert stp["fix_file"] == f"{OUT}/STP-can-sua.xlsx" and stp["values_only"] is True
    copy = openpyxl.load_workbook(box.root / stp["fix_file"])
    assert copy.sheetnames == [FIX_SHEET, SELF]
    assert copy[SELF]["G9"].value == 2.25 and copy[SELF]["A10"].value == "1.10"
    assert {"C9", "G9"} <= set(marks(copy[SELF]))
    texts = [c.value for row in copy[FIX_SHEET].iter_rows() for c in row if c.value]
    assert any(f"là .{name.rsplit('.', 1)[1]}" in str(t) and "bản sao giá trị" in str(t)
               for t in texts)
    assert {r[2] for r in problem_rows(box.root / stp["fix_file"])} >= {f"{SELF}!C9",
                                                                         f"{SELF}!G9"}


def rewrite_part(path: Path, part: str, old: bytes, new: bytes) -> None:
    """Change one part of a workbook's archive, the others as they were."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    assert old in parts[part]
    parts[part] = parts[part].replace(old, new, 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize(("part", "old", "new", "why"), [
    # An entity declaration: openpyxl is given no XML with a DTD.
    ("docProps/app.xml", b"?>", b'?><!DOCTYPE x [<!ENTITY e "x">]>', "DTD"),
    # A merged range of the whole sheet, which cchc's reader keeps as two corners but
    # openpyxl would fill with 17 billion cell objects.
    ("xl/worksheets/sheet1.xml", b'<mergeCell ref="A1:J1"/>',
     b'<mergeCell ref="A1:XFD1048576"/>', "các trang có tới"),
])
def test_a_workbook_openpyxl_should_not_open_is_copied_as_values(cli, box, part, old, new,
                                                                 why):
    path = box.data / "tu-danh-gia" / "tu-danh-gia-SNV.xlsx"
    rewrite_part(path, part, old, new)
    snv = next(u for u in feedback(cli, box)["units"] if u["code"] == "SNV")
    assert snv["values_only"] is True
    copy = openpyxl.load_workbook(box.root / snv["fix_file"])
    assert copy[SELF]["G9"].value == 3.5 and marks(copy[SELF]) == {
        "G9": ERROR_FILL, "I8": WARNING_FILL}
    texts = " ".join(str(c.value) for row in copy[FIX_SHEET].iter_rows() for c in row
                     if c.value)
    assert why in texts and "bản sao giá trị" in texts


def test_a_file_changed_after_reading_is_not_copied(box):
    from cchc_cli.feedback import fix_copy, problem_of
    from cchc_cli.status import read_collection

    found = read_collection(box.workspace(), 2023)
    source = found.self_files["SNV"][0]
    edit(box.root / source, {"G9": 3}, sheet=SELF)
    copy = fix_copy(found, source, [problem_of(i, None) for i in found.problems("SNV")])
    assert copy.data is None and copy.rows == [] and "đã thay đổi" in copy.note


def test_paths_from_unit_codes_stay_in_the_feedback_folder(tmp_path):
    results = tmp_path / "results" / "2023"
    assert feedback_path(results, "fix", unit="STP") == results / "gui-don-vi/STP-can-sua.xlsx"
    for code in ("../STP", "../../cchc", "/etc/passwd"):
        with pytest.raises(InputError):
            feedback_path(results, "fix", unit=code)


def test_every_advice_is_for_a_known_issue_and_uses_only_its_parameters():
    from string import Formatter

    from cchc_cli.advice import ADVICE
    from cchc_cli.issues import CATALOGUE

    for code, advice in ADVICE.items():
        assert code in CATALOGUE, code
        given = {f for _, f, _, _ in Formatter().parse(CATALOGUE[code][1]) if f}
        used = {f for _, f, _, _ in Formatter().parse(advice) if f}
        assert used <= given | {"criterion"}, code


def test_advice_is_filled_in_and_falls_back_when_a_parameter_is_missing():
    from cchc_cli.advice import GENERIC_ADVICE, advice_for
    from cchc_cli.issues import Issue, Severity, issue

    over = issue("tu-cham-vuot-toi-da", criterion="1.2", value="3.5", max=Decimal("2.5"))
    assert advice_for(over) == "Nhập điểm từ 0 đến 2,5."
    bare = Issue("tu-cham-vuot-toi-da", Severity.ERROR, "…")  # no 'max' kept
    assert advice_for(bare) == GENERIC_ADVICE


# --- <CODE>-ket-qua-tham-dinh.xlsx -------------------------------------------------------


def changes(path: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path)["Kết quả thẩm định"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    assert rows[header][-1] == "Giải trình"
    return rows[header + 1:]


def test_every_unit_gets_the_appraisals_changes_with_an_empty_reply_column(cli, box):
    found = feedback(cli, box)
    assert {u["code"]: u["changed"] for u in found["units"]} == {"STP": 1, "SNV": 1, "STC": 1}
    # STP 1.2: 2.75 → 2.5 points; the gap −0.25; the comment; an empty Giải trình.
    assert changes(box.root / OUT / "STP-ket-qua-tham-dinh.xlsx") == [
        (1, "1.2", "Mức độ hoàn thành kế hoạch", 3, 2.75, 2.5, 2.75, 2.5, -0.25,
         "Sở Nội vụ (vòng 1)", "Thiếu minh chứng", None)]
    # SNV 1.1: 'Ban hành đúng thời hạn' (1 point) → 'Ban hành chậm' (0.5). Its 1.10 got a
    # comment but kept its value: not a change.
    assert changes(box.root / OUT / "SNV-ket-qua-tham-dinh.xlsx") == [
        (1, "1.1", "Ban hành kế hoạch CCHC", 1, "Ban hành đúng thời hạn", "Ban hành chậm",
         1, 0.5, -0.5, "Sở Nội vụ (vòng 1)", "Chậm 5 ngày", None)]
    # STC sent nothing: its own value is '(chưa gửi)', no points before.
    assert changes(box.root / OUT / "STC-ket-qua-tham-dinh.xlsx") == [
        (1, "1.2", "Mức độ hoàn thành kế hoạch", 3, "(chưa gửi)", 2, None, 2, None,
         "Sở Nội vụ (vòng 1)", None, None)]


def test_before_any_appraisal_no_results_are_sent(cli, box):
    (box.data / "tham-dinh" / "tham-dinh-snv-vong-1.xlsx").unlink()
    found = feedback(cli, box)
    assert all(u["appraisal_file"] is None for u in found["units"])


NAMED = dedent(
    """
    id: so-nganh-2023
    title: Thử số liệu
    block: so-nganh
    year: 2023
    scale: 5
    items:
      - code: "1"
        name: Thủ tục hành chính
        items:
          - code: "1.1"
            name: Tỷ lệ hồ sơ đúng hạn
            max: 2
            rule:
              type: tiers
              inputs:
                - {key: a, label: Số hồ sơ đúng hạn, integer: true}
                - {key: b, label: Tổng số hồ sơ, integer: true}
              value: "a / b * 100"
              tiers: [{min: 95, points: 2}, {min: 80, points: 1}]
          - code: "1.2"
            name: Mức độ hoàn thành kế hoạch
            max: 3
            rule: {type: manual}
    """
)


def test_a_leaf_with_named_inputs_is_shown_input_by_input(cli, tmp_path):
    box = Sandbox(tmp_path / "ws", criteria_text=NAMED)
    own = {"1.1": Entered(inputs={"a": Decimal(190), "b": Decimal(200)}, evidence="BC 1"),
           "1.2": Entered(score=Decimal(3), evidence="BC 2")}
    for unit in box.units:
        box.self_form(unit.code, own)
    # 190/200 = 95 % → 2 points; appraised 150/200 = 75 % → no tier, 0 points.
    box.appraisal_form("snv", [("STP", "1.1", Entered(
        inputs={"a": Decimal(150), "b": Decimal(200)}, comment="Chỉ 150 hồ sơ đúng hạn"))])
    feedback(cli, box, "STP")
    assert changes(box.root / OUT / "STP-ket-qua-tham-dinh.xlsx") == [
        (1, "1.1", "Tỷ lệ hồ sơ đúng hạn", 2, 95, 75, 2, 0, -2, "Sở Nội vụ (vòng 1)",
         "Chỉ 150 hồ sơ đúng hạn", None),
        (None, "1.1.a", "   Số hồ sơ đúng hạn", None, 190, 150, None, None, None, None, None,
         None),
        (None, "1.1.b", "   Tổng số hồ sơ", None, 200, 200, None, None, None, None, None,
         None),
    ]


# --- letters ---------------------------------------------------------------------------


def document_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_a_cover_letter_per_unit_names_what_is_attached(cli, box):
    found = feedback(cli, box, "--letter", "--as-of", "2023-12-20")
    letters = {u["code"]: u["letter"] for u in found["units"]}
    assert letters["SNV"] == f"{OUT}/SNV-cong-van.docx"
    text = document_text(box.root / letters["SNV"])
    assert "Kính gửi: Sở Nội vụ." in text
    assert "1 lỗi và 1 cảnh báo" in text and "SNV-can-sua.xlsx" in text
    assert "SNV-ket-qua-tham-dinh.xlsx" in text and "DỰ THẢO" in text
    assert "{{" not in text and "{%" not in text


def test_the_reminder_lists_who_is_late(cli, box):
    result = cli("status", "-w", box.root, "-y", "2023", "--as-of", "2023-12-20",
                 "--reminder")
    assert result.exit_code == 0, result.output
    path = box.root / OUT / "cong-van-don-doc-2023.docx"
    assert path.exists() and "cong-van-don-doc-2023.docx" in result.stdout
    text = document_text(path)
    assert "Đến ngày 20 tháng 12 năm 2023" in text
    assert "Sở Tài chính" in text and "Chưa gửi biểu tự đánh giá" in text
    assert "Kết quả thẩm định vòng 1 mới có 7/9 dòng được giao" in text
    assert "Văn phòng UBND tỉnh" in text and "Chưa gửi kết quả thẩm định vòng 2" in text
    assert "chậm nhất ngày 10/11/2023" in text
    # The same from feedback; and nothing when nobody is late.
    found = feedback(cli, box, "--reminder", "--as-of", "2023-12-20")
    assert found["reminder"] == f"{OUT}/cong-van-don-doc-2023.docx"
    path.unlink()
    result = cli("status", "-w", box.root, "-y", "2023", "--as-of", "2023-11-01",
                 "--reminder")
    assert result.exit_code == 0 and not path.exists()
    assert "không lập công văn đôn đốc" in result.stdout


def test_a_workspace_template_overrides_and_a_broken_one_cannot_run(cli, box):
    (box.root / "templates").mkdir()
    (box.root / "templates" / "cong-van-don-doc.docx").write_bytes(b"not a docx")
    result = cli("status", "-w", box.root, "-y", "2023", "--as-of", "2023-12-20",
                 "--reminder")
    assert result.exit_code == 3
    assert "cong-van-don-doc.docx" in result.stderr and "Traceback" not in result.output


# --- the command ------------------------------------------------------------------------


def test_text_output_says_what_was_written(cli, box):
    result = cli("feedback", "-w", box.root, "-y", "2023")
    assert result.exit_code == 0, result.output
    assert "Biểu cần sửa: 1 đơn vị; kết quả thẩm định: 3 đơn vị" in result.stdout
    assert "SNV Sở Nội vụ: 1 lỗi, 1 cảnh báo → SNV-can-sua.xlsx" in result.stdout


def test_api_equals_cli(cli, box):
    run = api.feedback(box.root, year=2023, units=["stp"])
    assert run.to_dict() == feedback(cli, box, "STP")


def test_many_units_are_written_in_parallel_as_in_one_process(cli, tmp_path):
    """Forty units or more are shared between worker processes: the files are the same
    bytes as one process writes."""
    from cchc_cli.readers.register import Unit

    box = Sandbox(tmp_path / "ws")
    units = [Unit(f"S{i:02d}", f"Sở {i}", "so-nganh") for i in range(44)]
    box.write_register(units)
    for unit in units:
        box.self_form(unit.code, {**GOOD, "1.2": Entered(score=Decimal("3.5"), evidence="x")})
    box.appraisal_form("snv", [(u.code, "1.2", Entered(score=Decimal(2))) for u in units])
    feedback(cli, box, "-j", "1")
    alone = {p.name: p.read_bytes() for p in (box.root / OUT).iterdir()}
    shutil.rmtree(box.root / OUT)
    feedback(cli, box, "-j", "2")
    shared = {p.name: p.read_bytes() for p in (box.root / OUT).iterdir()}
    assert len(alone) == 88 and shared == alone
