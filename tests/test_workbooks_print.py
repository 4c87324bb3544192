"""Result workbooks that print cleanly (SPEC §13.6), read back with openpyxl."""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cchc_cli import api
from cchc_cli.readers.register import Unit
from cchc_cli.writers.scores import NO_ISSUE, write_issues_workbook
from cchc_cli.writers.xlsx import (
    PAGE_HEIGHT_POINTS,
    PAGE_WIDTH_UNITS,
    column_breaks,
    plan_pages,
    sheet_title,
)
from tests.builders import UNITS, Sandbox
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "tinh-mau"
A4 = 9


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("wb") / "tinh-mau"
    shutil.copytree(EXAMPLE, root)
    api.score(root, year=2023, as_of="2024-02-05T14:30")
    api.rank(root, year=2023, as_of="2024-02-05T14:30")
    return root / "results" / "2023"


def book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


# --- names ---------------------------------------------------------------------------------


def test_sheet_names_are_cut_on_a_word_boundary_and_unique():
    used: set[str] = set()
    long = "Cơ quan Trung ương đóng trên địa bàn"  # 36 characters; Excel allows 31
    assert sheet_title(long, used) == "Cơ quan Trung ương đóng trên"
    assert sheet_title(long + " tỉnh", used) == "Cơ quan Trung ương đóng (2)"
    assert sheet_title("Tổng hợp", used) == "Tổng hợp"
    assert sheet_title("TỔNG HỢP", used) == "TỔNG HỢP (2)"  # Excel ignores case
    assert sheet_title("Khối: A/B [1]", used) == "Khối A B 1"
    assert sheet_title("X" * 40, used) == "X" * 31  # one word longer than a name


def test_result_workbooks_have_whole_words_in_their_sheet_names(results):
    for name in ("cham-diem-2023.xlsx", "xep-hang-2023.xlsx"):
        names = book(results / name).sheetnames
        assert "Cơ quan Trung ương đóng trên" in names
        assert len({n.casefold() for n in names}) == len(names)


# --- print setup --------------------------------------------------------------------------


def test_every_sheet_prints_on_a4_landscape_with_its_title_and_page_numbers(results):
    for name in ("cham-diem-2023.xlsx", "xep-hang-2023.xlsx", "van-de-2023.xlsx"):
        for sheet in book(results / name).worksheets:
            assert int(sheet.page_setup.paperSize) == A4, (name, sheet.title)
            assert sheet.page_setup.orientation == "landscape", (name, sheet.title)
            assert "Trang &P/&N" in sheet.oddFooter.center.text
            assert sheet.oddHeader.center.text, (name, sheet.title)


def test_ranking_sheets_fit_one_page_wide_at_a_readable_size(results):
    workbook = book(results / "xep-hang-2023.xlsx")
    for name in ("Sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã",
                 "Cơ quan Trung ương đóng trên"):
        sheet = workbook[name]
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # fitToWidth absent means 1 (ECMA-376); fitToHeight 0: as many pages as needed.
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        widths = column_widths(sheet)
        # Fitting shrinks by PAGE_WIDTH_UNITS / width: never below 80 % (9 pt of 11).
        assert plan_pages(widths).scale >= 0.8, name


def column_widths(sheet) -> list[float]:
    """Widths as cchc sets them (xlsxwriter stores each with 0.71 of padding added;
    openpyxl groups equal neighbours into one range)."""
    widths = [0.0] * sheet.max_column
    for dimension in sheet.column_dimensions.values():
        for column in range(dimension.min, min(dimension.max, sheet.max_column) + 1):
            widths[column - 1] = round(dimension.width - 0.7109375, 2)
    return widths


def test_wide_detail_sheets_print_across_pages_at_full_size(results):
    workbook = book(results / "cham-diem-2023.xlsx")
    for name in ("Sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã",
                 "Cơ quan Trung ương đóng trên"):
        sheet = workbook[name]
        assert not sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.page_setup.scale in (None, 100)
        assert sheet.print_title_cols == "$A:$B"   # unit code and name on every page
        assert sheet.print_title_rows == "$4:$5"   # criterion codes and their max
        breaks = [b.id for b in sheet.col_breaks.brk]
        assert len(breaks) >= 3, name
        # Each page's columns (after the repeated A:B) fit the page at 100 %.
        widths = column_widths(sheet)
        assert widths[:2] == [10, 30]
        bounds = [2, *breaks, len(widths)]
        for start, end in zip(bounds, bounds[1:], strict=False):
            assert sum(widths[:2]) + sum(widths[start:end]) <= PAGE_WIDTH_UNITS
        assert "CHI TIẾT ĐIỂM TỪNG TIÊU CHÍ" in sheet.oddHeader.center.text


def test_pages_break_between_areas_when_they_fit():
    # Two unit columns of 40, then areas of 5, 6 and 4 columns of 7: 88 units fit a page
    # beside the repeated columns (128 − 40), so areas 1 and 2 (77) share one and area 3
    # (28) goes to the next rather than being cut.
    widths = [10, 30, *[7] * 5, *[7] * 6, *[7] * 4]
    assert column_breaks(widths, 2, [2, 7, 13]) == [13]


def test_charts_start_on_a_page_of_their_own_when_a_break_would_cut_them(results):
    with zipfile.ZipFile(results / "xep-hang-2023.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        drawing = archive.read("xl/drawings/drawing1.xml").decode()
        chart = archive.read("xl/charts/chart1.xml").decode()
    # 20 units and their header fill the first page: the chart (anchored one row below
    # a manual page break) starts the second.
    anchor = int(re.search(r"<xdr:from><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff>"
                           r"<xdr:row>(\d+)</xdr:row>", drawing).group(1))
    breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', sheet.split("<rowBreaks")[1])]
    assert anchor == breaks[0] + 1
    # The axis of indices starts at 0.
    assert '<c:min val="0"/>' in chart


def test_chart_break_is_decided_by_the_space_left_on_the_page():
    from cchc_cli.writers.xlsx import chart_breaks

    class Sheet:
        breaks: list[int] = []

        def set_h_pagebreaks(self, rows: list[int]) -> None:
            self.breaks = rows

    room = Sheet()
    assert chart_breaks(room, rows_above=100, chart_points=300, scale=1.0, row=30) == 30
    assert room.breaks == []
    cut = Sheet()  # 400 + 300 > PAGE_HEIGHT_POINTS (480): the chart starts a new page
    assert chart_breaks(cut, rows_above=400, chart_points=300, scale=1.0, row=30) == 31
    assert cut.breaks == [30] and 400 + 300 > PAGE_HEIGHT_POINTS


# --- rows, numbers, texts ------------------------------------------------------------------


LONG_NAME = ("Ban Quản lý các khu công nghiệp, khu kinh tế và khu chế xuất của tỉnh, đơn vị"
             " sự nghiệp công lập trực thuộc Ủy ban nhân dân tỉnh")  # 126 characters


@pytest.fixture
def long_named(tmp_path) -> Path:
    box = Sandbox(tmp_path / "ws", units=[Unit("BQL", LONG_NAME, "so-nganh"), *UNITS[1:]])
    box.complete()
    api.score(box.root, year=2023, as_of="2024-02-05")
    api.rank(box.root, year=2023, as_of="2024-02-05")
    return box.root / "results" / "2023"


def name_row_height(sheet, name: str) -> tuple[float, float]:
    """(row height, width of the column holding ``name``) of the row naming the unit."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == name:
                width = sheet.column_dimensions[cell.column_letter].width
                return sheet.row_dimensions[cell.row].height or 15.0, width
    raise AssertionError(f"{name} not in {sheet.title}")


def test_rows_are_high_enough_for_long_unit_names(long_named):
    checked = 0
    for name, sheets in (("cham-diem-2023.xlsx", ["Tổng hợp", "Sở, ban, ngành"]),
                         ("xep-hang-2023.xlsx", ["Sở, ban, ngành"])):
        workbook = book(long_named / name)
        for title in sheets:
            height, width = name_row_height(workbook[title], LONG_NAME)
            # Even at a generous 1.3 letters per width unit, the name needs this many
            # lines of 11 pt text, 13.5 pt each (as LibreOffice lays them out); a shorter
            # row would print it over the rows below.
            lines = math.ceil(len(LONG_NAME) / (width * 1.3))
            assert lines >= 3 and height >= 13.5 * lines, (name, title, height, width)
            checked += 1
    assert checked == 3


def test_numbers_cannot_be_misread(results, tmp_path):
    workbook = book(results / "xep-hang-2023.xlsx")
    sheet = workbook["Sở, ban, ngành"]
    header = [c.value for c in sheet[4]]
    index = header.index("Chỉ số (%)") + 1
    total = header.index("Tổng điểm") + 1
    assert sheet.cell(5, index).number_format == "0.00"
    assert sheet.cell(5, total).number_format == "0.00"
    for name in ("cham-diem-2023.xlsx", "xep-hang-2023.xlsx"):
        for ws in book(results / name).worksheets:
            formats = {c.number_format for row in ws.iter_rows() for c in row}
            assert "0.000" not in formats, (name, ws.title)


def test_three_decimals_never_show_one_point_as_one_thousand(tmp_path):
    box = Sandbox(tmp_path / "ws")
    (box.root / "cchc.yaml").write_text("province: Tỉnh Thử\nprecision: 3\n", encoding="utf-8")
    box.complete()
    api.score(box.root, year=2023, as_of="2024-02-05")
    sheet = book(box.root / "results/2023/cham-diem-2023.xlsx")["Sở, ban, ngành"]
    header = [c.value for c in sheet[4]]
    point = sheet.cell(6, header.index("1.1") + 1)   # 1 point: "1.0", never "1.000"
    assert (point.value, point.number_format) == (1, "0.0##")
    index = sheet.cell(6, header.index("Chỉ số (%)") + 1)
    assert index.number_format == "0.000"          # an index keeps its 3 decimals


def test_sources_sheet_is_vietnamese_with_vietnamese_dates(results):
    sheet = book(results / "xep-hang-2023.xlsx")["Nguồn"]
    rows = list(sheet.iter_rows(values_only=True))
    labels = {row[0]: row[1] for row in rows if row[0]}
    assert labels["Thời điểm tính"] == "05/02/2024 14:30"
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    for english in ("competition", "dense", "half-up", "published", "register", "None"):
        assert english not in text
    assert "không nhận dạng" not in text  # every input of the example was recognised


def test_an_empty_issue_sheet_says_there_is_no_issue(tmp_path):
    path = tmp_path / "van-de-2023.xlsx"
    write_issues_workbook(path, [], year=2023, blocked=False)
    rows = list(book(path)["Vấn đề"].iter_rows(values_only=True))
    assert rows[2][:3] == ("STT", "Mức độ", "Mã vấn đề")
    assert rows[3][0] == NO_ISSUE


def test_an_empty_differences_sheet_says_so(long_named):
    rows = list(book(long_named / "cham-diem-2023.xlsx")["Chênh lệch"].iter_rows(
        values_only=True))
    assert rows[3][0] == "Không có tiêu chí nào có kết quả thẩm định khác tự đánh giá."


def test_every_run_writes_the_full_issue_list_it_points_to(tmp_path):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    run = api.score(box.root, year=2023, as_of="2024-02-05")
    # No appraisal in the sandbox: a warning per unit ("chưa thẩm định"), no error.
    assert not run.blocked and run.issues
    path = box.root / "results/2023/van-de-2023.xlsx"
    assert path in run.written
    rows = list(book(path)["Vấn đề"].iter_rows(values_only=True))
    assert rows[0][0] == "CÁC VẤN ĐỀ TRONG DỮ LIỆU NĂM 2023"
    assert [r[2] for r in rows[3:]] == [i.code for i in run.issues]
