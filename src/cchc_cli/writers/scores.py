"""``results/Y/cham-diem-Y.xlsx`` (SPEC §10.2) and ``results/Y/van-de-Y.xlsx``.

Written with xlsxwriter in constant-memory mode (rows strictly in order), atomically,
and reproducibly: the only moment recorded is ``--as-of`` (or the run time) in the
``Nguồn`` sheet. Everything comes from the run's :class:`YearResult`: no input is opened
again and nothing is scored again.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli import __version__
from cchc_cli.criteria import CriteriaSet
from cchc_cli.issues import Issue
from cchc_cli.numbers import ZERO, Exact, exact_sub, plain
from cchc_cli.record import SOURCE_KIND_TEXT, YearResult
from cchc_cli.scoring import STATUS_OK, LeafResult, UnitScore
from cchc_cli.writers.atomic import atomic_path
from cchc_cli.writers.xlsx import (
    RESULT_FONT_SIZE,
    Styles,
    apply_print,
    fit_height,
    header_row,
    new_workbook,
    plan_pages,
    print_setup,
    row_height,
    sheet_title,
    title_row,
    write_value,
)

CHANGED_FILL = "#F8CBAD"  # an appraised value that differs from the unit's own
NA_FILL = "#E7E6E6"
ERROR_FILL = "#FFC7CE"
NO_ISSUE = "Không có vấn đề nào: dữ liệu đầu vào không có lỗi, không có cảnh báo."

__all__ = ["sheet_title", "write_scores_workbook", "write_issues_workbook",
           "write_issue_sheet", "sources_rows", "write_sources_sheet", "own_points",
           "result_styles", "vi_moment"]


def result_styles(workbook: Any, precision: int = 2) -> Styles:
    return Styles(workbook, precision=precision, font_size=RESULT_FONT_SIZE)


def status_text(unit: UnitScore) -> str:
    return "Hợp lệ" if unit.status == STATUS_OK else "Lỗi"


def vi_moment(moment: Any) -> str:
    """05/02/2024 14:30 — dates as Vietnamese readers write them."""
    return moment.strftime("%d/%m/%Y %H:%M")


def own_points(result: LeafResult) -> Exact | None:
    """Points of the unit's own input for a leaf (None if N/A, missing or invalid), as
    scoring recorded them."""
    return result.own_points


def _entry_text(value: Any, na: bool) -> Any:
    if na:
        return "Không áp dụng"
    if isinstance(value, dict):  # named inputs: 'a = 12; b = 14'
        return "; ".join(f"{key} = {'(trống)' if v is None else plain(v)}"
                         for key, v in value.items())
    if isinstance(value, Decimal):
        return float(value)
    return value


# --------------------------------------------------------------------------------------


def write_scores_workbook(path: Path, result: YearResult) -> None:
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, constant_memory=True, font_size=RESULT_FONT_SIZE)
        styles = result_styles(workbook, result.precision)
        used: set[str] = set()
        _summary_sheet(workbook, styles, result, sheet_title("Tổng hợp", used))
        for block in result.scores.blocks:
            if block.criteria is not None:
                _block_sheet(workbook, styles, result, block, sheet_title(block.name, used))
        _differences_sheet(workbook, styles, result, sheet_title("Chênh lệch", used))
        write_issue_sheet(workbook, styles, result.issues, sheet_title("Vấn đề", used))
        write_sources_sheet(workbook, styles, sources_rows(result), sheet_title("Nguồn", used))
        workbook.close()


def write_issues_workbook(path: Path, issues: list[Issue], *, year: int,
                          blocked: bool = True) -> None:
    """``van-de-Y.xlsx``: every issue of the run (``blocked``: the results were not
    written because of them)."""
    title = f"CÁC VẤN ĐỀ TRONG DỮ LIỆU NĂM {year}"
    if blocked:
        title += " (chưa tính kết quả vì dữ liệu có lỗi)"
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, constant_memory=True, font_size=RESULT_FONT_SIZE)
        styles = result_styles(workbook)
        write_issue_sheet(workbook, styles, issues, "Vấn đề", title=title)
        workbook.close()


_SUMMARY_HEADERS = [("STT", 5), ("Khối", 14), ("Mã đơn vị", 9), ("Tên đơn vị", 30),
                    ("Trạng thái", 8), ("Điểm đạt được", 8), ("Điểm tối đa áp dụng", 8),
                    ("Chỉ số (%)", 8), ("Điểm thẩm định", 8), ("Điểm khảo sát", 8),
                    ("Điểm thưởng", 7), ("Điểm trừ", 7), ("Tiêu chí không áp dụng", 16),
                    ("Số tiêu chí chưa thẩm định", 9)]


def _summary_sheet(workbook: Any, styles: Styles, result: YearResult, name: str) -> None:
    sheet = workbook.add_worksheet(name)
    headers = _SUMMARY_HEADERS
    widths = [w for _, w in headers]
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    title = (f"KẾT QUẢ CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {result.year}"
             f" — {result.province.upper()}")
    title_row(sheet, styles, title, len(headers) - 1)
    header_row(sheet, styles, 2, headers, height=45)
    text, number = styles.text(), styles.number()
    index = styles.index()
    error = styles.text(bg_color=ERROR_FILL)
    r = 2
    for block in result.scores.blocks:
        for unit in block.units:
            r += 1
            ok = unit.status == STATUS_OK
            na = ", ".join(unit.not_applicable)
            fit_height(sheet, r, [(block.name, widths[1]), (unit.name, widths[3]),
                                  (na, widths[12])])
            values: list[tuple[Any, Any]] = [
                (r - 2, text), (block.name, text), (unit.code, text), (unit.name, text),
                (status_text(unit), text if ok else error),
                (unit.points, number), (unit.max_points, number),
                (unit.index_published if ok else None, index),
                (unit.appraised_points, number), (unit.survey_points, number),
                (unit.bonus, number), (unit.penalty, number),
                (na, text), (len(unit.unappraised), text),
            ]
            for c, (value, fmt) in enumerate(values):
                write_value(sheet, r, c, value, fmt)
    sheet.freeze_panes(3, 4)
    sheet.autofilter(2, 0, max(r, 3), len(headers) - 1)
    print_setup(sheet, widths, title=title, repeat_rows=(2, 2), unit_columns=4)


_LEAF_WIDTH = 7
_DETAIL_UNIT_WIDTHS = [10, 30]
_DETAIL_TOTALS = [("Tổng điểm", 9), ("Điểm tối đa áp dụng", 9), ("Chỉ số (%)", 9)]


def _block_sheet(workbook: Any, styles: Styles, result: YearResult, block: Any,
                 name: str) -> None:
    """Units × leaves of one block. Too wide for one page: it prints across pages at
    full size, each page starting at an area, with the code and name columns and the
    two header rows repeated, and the sheet's title in every page header."""
    criteria: CriteriaSet = block.criteria
    sheet = workbook.add_worksheet(name)
    leaves = [leaf.code for leaf in criteria.leaves]
    first = len(_DETAIL_UNIT_WIDTHS)
    widths = [*_DETAIL_UNIT_WIDTHS, *[_LEAF_WIDTH] * len(leaves),
              *[w for _, w in _DETAIL_TOTALS]]
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    plan = plan_pages(widths, unit_columns=first,
                      groups=[*_area_starts(criteria, leaves, first), first + len(leaves)])
    title = f"CHI TIẾT ĐIỂM TỪNG TIÊU CHÍ — {block.name.upper()} — NĂM {result.year}"
    # Printed across pages, only the unit columns are on every page: the title and the
    # legend stay within them, so that no page shows them cut.
    span = len(widths) - 1 if plan.fit else first - 1
    note = ("Ô tô màu cam: kết quả thẩm định khác kết quả tự đánh giá (xem trang Chênh"
            " lệch); KAD: không áp dụng; ô đỏ: thiếu dữ liệu.")
    span_width = sum(widths[: span + 1])
    # The title is 14 pt bold: about 0.7 of the letters of 11 pt text fit a width.
    sheet.set_row(0, max(24.0, fit_height_of(title, span_width * 0.7, line=18)))
    sheet.merge_range(0, 0, 0, span, title, styles.title())
    sheet.set_row(1, fit_height_of(note, span_width))
    sheet.merge_range(1, 0, 1, span, note,
                      styles.get(italic=True, text_wrap=True, valign="top"))
    # Constant-memory mode: each row is written completely before the next one.
    header = styles.header()
    sheet.set_row(3, 30)
    sheet.write_string(3, 0, "Mã đơn vị", header)
    sheet.write_string(3, 1, "Tên đơn vị", header)
    for i, code in enumerate(leaves):
        sheet.write_string(3, first + i, code, header)
    for j, (text, _) in enumerate(_DETAIL_TOTALS):
        sheet.write_string(3, first + len(leaves) + j, text, header)
    sheet.write_string(4, 0, "", header)
    sheet.write_string(4, 1, "Điểm tối đa", header)
    maximum = styles.get(bold=True, align="center", border=1, bg_color="#DDEBF7",
                         num_format=styles.number_format())
    for i, code in enumerate(leaves):
        sheet.write_number(4, first + i, float(criteria.leaf_of(code).max), maximum)
    for j in range(len(_DETAIL_TOTALS)):
        sheet.write_blank(4, first + len(leaves) + j, None, header)
    plain_fmt = styles.number()
    changed = styles.number(bg_color=CHANGED_FILL)
    na_fmt = styles.get(border=1, bg_color=NA_FILL, align="center", font_size=9)
    missing = styles.get(border=1, bg_color=ERROR_FILL, align="center")
    text = styles.text()
    number = styles.number()
    index = styles.index()
    r = 4
    for unit in block.units:
        r += 1
        fit_height(sheet, r, [(unit.name, widths[1])])
        sheet.write_string(r, 0, unit.code, text)
        sheet.write_string(r, 1, unit.name, text)
        for i, code in enumerate(leaves):
            leaf_result = unit.leaves.get(code)
            c = first + i
            if leaf_result is None or leaf_result.missing:
                sheet.write_string(r, c, "–", missing)
            elif leaf_result.na:
                sheet.write_string(r, c, "KAD", na_fmt)
            else:
                fmt = changed if leaf_result.changed_by_appraisal else plain_fmt
                sheet.write_number(r, c, float(leaf_result.points), fmt)
        ok = unit.status == STATUS_OK
        write_value(sheet, r, first + len(leaves), unit.points, number)
        write_value(sheet, r, first + len(leaves) + 1, unit.max_points, number)
        write_value(sheet, r, first + len(leaves) + 2, unit.index_published if ok else "Lỗi",
                    index)
    sheet.freeze_panes(5, 2)
    apply_print(sheet, plan, title=title, repeat_rows=(3, 4), unit_columns=first)


def fit_height_of(text: str, width: float, *, line: float = 13.5) -> float:
    return row_height([(text, width)], line=line)


def _area_starts(criteria: CriteriaSet, leaves: list[str], first: int) -> list[int]:
    """The column where each area's leaves begin (pages break there when they can)."""
    starts: list[int] = []
    seen: set[str] = set()
    for i, code in enumerate(leaves):
        path = criteria.leaf_of(code).path
        area = path[0] if path else code
        if area not in seen:
            seen.add(area)
            starts.append(first + i)
    return starts


# 160 width units: one page wide at 80 % (a list is read down, not across pages).
_DIFFERENCE_HEADERS = [("Khối", 10), ("Mã đơn vị", 8), ("Đơn vị", 18), ("Mã tiêu chí", 7),
                       ("Tiêu chí", 22), ("Tự đánh giá", 10), ("Điểm tự đánh giá", 7),
                       ("Thẩm định", 10), ("Điểm thẩm định", 7), ("Chênh lệch", 7),
                       ("Vòng", 5), ("Cơ quan thẩm định", 9), ("Nhận xét", 20),
                       ("Nguồn", 20)]


def _differences_sheet(workbook: Any, styles: Styles, result: YearResult, name: str) -> None:
    sheet = workbook.add_worksheet(name)
    headers = _DIFFERENCE_HEADERS
    widths = [w for _, w in headers]
    title = f"CÁC TIÊU CHÍ CÓ KẾT QUẢ THẨM ĐỊNH KHÁC TỰ ĐÁNH GIÁ — NĂM {result.year}"
    title_row(sheet, styles, title, len(headers) - 1)
    header_row(sheet, styles, 2, headers, height=45)
    text, number = styles.text(), styles.number()
    appraisers = result.settings.appraisers
    r = 2
    for block in result.scores.blocks:
        criteria = block.criteria
        if criteria is None:
            continue
        for unit in block.units:
            for leaf_result in unit.leaves.values():
                if not leaf_result.changed_by_appraisal:
                    continue
                r += 1
                values = _difference_row(block.name, unit, leaf_result, criteria, appraisers)
                fit_height(sheet, r, [(str(v), w) for (v, _), w in zip(values, widths,
                                                                       strict=True)
                                      if isinstance(v, str)])
                for c, (value, kind) in enumerate(values):
                    write_value(sheet, r, c, value, number if kind == "n" else text)
    if r == 2:
        _nothing_to_list(sheet, styles, 3, len(headers) - 1,
                         "Không có tiêu chí nào có kết quả thẩm định khác tự đánh giá.")
    sheet.freeze_panes(3, 4)
    sheet.autofilter(2, 0, max(r, 3), len(headers) - 1)
    print_setup(sheet, widths, title=title, repeat_rows=(2, 2), unit_columns=3)


def _difference_row(block_name: str, unit: UnitScore, result: LeafResult,
                    criteria: CriteriaSet, appraisers: dict[str, str]
                    ) -> list[tuple[Any, str]]:
    own = result.own
    before = own_points(result)
    after = None if result.na else result.points
    delta = exact_sub(after or ZERO, before or ZERO)
    leaf = criteria.leaf(result.code)
    where = f"{result.file}, {result.sheet}!{result.cell or result.na_cell or ''}"
    mine = ({i.key: i.value for i in own.inputs} if own is not None and own.inputs is not None
            else own.value if own is not None else None)
    return [
        (block_name, "t"), (unit.code, "t"), (unit.name, "t"), (result.code, "t"),
        (leaf.name if leaf else "", "t"),
        (_entry_text(mine, own.na) if own else "(không có)", "t"),
        (before, "n"), (_entry_text(result.input, result.na), "t"), (after, "n"),
        (delta, "n"), (result.round, "t"),
        (appraisers.get(result.appraiser or "", result.appraiser), "t"),
        (result.comment, "t"), (where, "t"),
    ]


def _nothing_to_list(sheet: Any, styles: Styles, row: int, last: int, text: str) -> None:
    """An empty table says so, rather than printing bare headers."""
    sheet.set_row(row, 24)
    sheet.merge_range(row, 0, row, last, text,
                      styles.get(italic=True, align="center", border=1, bg_color="#E2EFDA"))


SEVERITY_TEXT = {"error": "Lỗi", "warning": "Cảnh báo"}
_ISSUE_HEADERS = [("STT", 5), ("Mức độ", 8), ("Mã vấn đề", 16), ("Tệp", 24), ("Trang", 10),
                  ("Ô / dòng", 7), ("Đơn vị", 8), ("Tiêu chí", 7), ("Nội dung", 45)]


def write_issue_sheet(workbook: Any, styles: Styles, issues: Iterable[Issue], name: str, *,
                      title: str | None = None) -> None:
    sheet = workbook.add_worksheet(name)
    headers = _ISSUE_HEADERS
    widths = [w for _, w in headers]
    title = title or "CÁC VẤN ĐỀ TRONG DỮ LIỆU ĐẦU VÀO"
    title_row(sheet, styles, title, len(headers) - 1)
    header_row(sheet, styles, 2, headers)
    text = styles.text()
    error = styles.text(bg_color=ERROR_FILL)
    r = 2
    for r, item in enumerate(issues, start=3):
        where = item.cell or (f"dòng {item.line}" if item.line else "")
        values = [r - 2, SEVERITY_TEXT.get(item.severity.value, item.severity.value),
                  item.code, item.file or "", item.sheet or "", where, item.unit or "",
                  item.criterion or "", item.message]
        fit_height(sheet, r, [(str(v), w) for v, w in zip(values, widths, strict=True)
                              if isinstance(v, str)])
        for c, value in enumerate(values):
            write_value(sheet, r, c, value, error if (c == 1 and item.is_error) else text)
    if r == 2:
        _nothing_to_list(sheet, styles, 3, len(headers) - 1, NO_ISSUE)
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, max(r, 3), len(headers) - 1)
    print_setup(sheet, widths, title=title, repeat_rows=(2, 2))


TIE_TEXT = {
    "competition": "đơn vị bằng chỉ số đồng hạng, hạng tiếp theo bỏ qua số hạng đã dùng"
                   " (1, 2, 2, 4)",
    "dense": "đơn vị bằng chỉ số đồng hạng, hạng tiếp theo liền sau (1, 2, 2, 3)",
}
BASIS_TEXT = {"published": "chỉ số công bố (đã làm tròn)", "exact": "chỉ số chính xác"}
SECTION_HEADS = ("Thông tin", "Bộ tiêu chí (khối)", "Tệp đầu vào")


def sources_rows(result: YearResult, extra: list[list[Any]] | None = None) -> list[list[Any]]:
    """The provenance of a result: settings, criteria fingerprints, every input's sha256
    (as read by this run). ``extra`` rows (label, value) are added to the settings block.
    """
    settings = result.settings
    ranking = settings.ranking
    basis = getattr(ranking, "basis", "published")
    rows: list[list[Any]] = [
        ["Thông tin", "Giá trị", ""],
        ["Tỉnh", settings.province, ""],
        ["Năm đánh giá", result.year, ""],
        ["Thời điểm tính", vi_moment(result.as_of), ""],
        ["Phiên bản cchc", __version__, ""],
        ["Số chữ số thập phân công bố", settings.precision, ""],
        ["Xếp hạng theo", BASIS_TEXT.get(basis, basis), ""],
        ["Quy tắc đồng hạng", TIE_TEXT.get(ranking.ties, ranking.ties), ""],
        ["Làm tròn", "nửa lên (5 làm tròn lên), chỉ ở giá trị công bố", ""],
        *[[label, value, ""] for label, value in (extra or [])],
        ["", "", ""],
        ["Bộ tiêu chí (khối)", "Mã bộ tiêu chí (tệp)", "Dấu vân tay (mã băm SHA-256)"],
    ]
    for block, criteria in sorted(result.criteria.items()):
        rows.append([block, f"{criteria.id} ({criteria.file})", criteria.fingerprint])
    rows += [["", "", ""], ["Tệp đầu vào", "Loại", "Mã băm SHA-256 khi đọc"]]
    for source in result.sources:
        rows.append([source.file, SOURCE_KIND_TEXT.get(source.kind, source.kind),
                     source.sha256 or "(không đọc được)"])
    return rows


_SOURCE_WIDTHS = [44, 26, 66]


def write_sources_sheet(workbook: Any, styles: Styles, rows: list[list[Any]], name: str) -> None:
    sheet = workbook.add_worksheet(name)
    for c, width in enumerate(_SOURCE_WIDTHS):
        sheet.set_column(c, c, width)
    title = "NGUỒN DỮ LIỆU VÀ CÁCH TÍNH"
    title_row(sheet, styles, title, 2)
    text = styles.text()
    bold = styles.text(bold=True, bg_color="#DDEBF7")
    for r, row in enumerate(rows, start=2):
        is_head = row[0] in SECTION_HEADS
        fit_height(sheet, r, [(str(v), w) for v, w in zip(row, _SOURCE_WIDTHS, strict=True)
                              if isinstance(v, str)])
        for c, value in enumerate(row):
            write_value(sheet, r, c, value, bold if is_head else text)
    print_setup(sheet, _SOURCE_WIDTHS, title=title)
