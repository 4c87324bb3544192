"""The workbooks ``cchc feedback`` sends back to a unit (content: :mod:`cchc_cli.feedback`).

``<CODE>-can-sua.xlsx`` is the unit's own workbook, loaded and saved with openpyxl — the
one tool that edits an existing workbook and keeps its formatting, validations and (with
``keep_vba``) macros. The markup is reversible: problem cells are coloured by conditional
formatting rules (the cells' own fills stay untouched) and carry comments of an author
of their own (:data:`AUTHOR`); a first sheet ``Vấn đề cần sửa`` lists the problems with
links to the cells.
A unit that sends the marked-up file back, fixed, gets a clean copy next time: the old
rules, comments and sheet are removed before the new ones are added.

``<CODE>-ket-qua-tham-dinh.xlsx`` is a new workbook (xlsxwriter, in memory).

Both are saved with fixed times, so that identical inputs give identical bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from cchc_cli.writers.xlsx import FIXED_TIME, FONT, text_lines

if TYPE_CHECKING:
    from cchc_cli.feedback import AppraisalChanges, ChangedLeaf, FixCopy, FixHeader, Problem

FIX_SHEET = "Vấn đề cần sửa"
# The author of cchc's comments on problem cells: not plain 'cchc', the author of the
# forms' own notes, which a later run must not take away.
AUTHOR = "cchc — vấn đề cần sửa"
# An always-true formula that only cchc writes: it marks the conditional formatting
# rules that colour problem cells, so that a later run can take them away again.
MARK_FORMULA = '"cchc"="cchc"'
ERROR_FILL, WARNING_FILL = "FFC7CE", "FCD5B4"
LINK_COLOUR = "0563C1"
FIX_COLUMNS = [("STT", 5), ("Mức độ", 9), ("Ô", 15), ("Mã tiêu chí", 10), ("Tiêu chí", 30),
               ("Vấn đề", 46), ("Cách sửa", 40)]
COMMENT_WIDTH_PX = 380
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# In a copy of values, a longer text does not size its column: it is wrapped, or spans
# the table when it is alone on its row (a title, an instruction).
SPILL = 40
OWN_NOTE = "\n\n(Ghi chú của biểu mẫu: "


class CannotOpen(Exception):
    """openpyxl could not load a workbook that cchc's reader read (a quirk of the file)."""


# --------------------------------------------------------------------------------------
# The marked-up copy
# --------------------------------------------------------------------------------------


def marked_workbook(copy: FixCopy, problems: list[Problem], header: FixHeader) -> bytes:
    """The unit's workbook (or the values of its form sheet) with every problem marked,
    and the sheet ``Vấn đề cần sửa`` first."""
    if copy.data is not None:
        workbook = _load(copy.data, copy.macros)
        modified = workbook.properties.modified
        _unmark(workbook)
    else:
        workbook, modified = _values_workbook(copy), None
    _mark(workbook, problems)
    _problem_sheet(workbook, problems, header)
    return _save(workbook, modified)


def _load(data: bytes, macros: bool) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), keep_vba=macros)
    except Exception as exc:  # openpyxl's parser on a file another parser accepted
        raise CannotOpen(str(exc)[:200] or type(exc).__name__) from exc


def _values_workbook(copy: FixCopy) -> Any:
    """A new workbook with the values of the unit's form sheet at their own addresses
    (text always as text: a cell reading '=…' never becomes a formula), laid out to be
    read: columns as wide as the table's texts, a title alone on its row across the
    table, long texts wrapped."""
    import openpyxl
    from openpyxl.styles import Alignment

    workbook = openpyxl.Workbook()
    workbook.properties.created = FIXED_TIME
    sheet = workbook.active
    sheet.title = copy.sheet
    if not copy.rows:
        workbook.remove(sheet)
        return workbook
    filled = [[c for c, v in enumerate(row, 1) if v is not None and v != ""]
              for row in copy.rows]
    last = max((cols[-1] for cols in filled if len(cols) >= 3), default=1)
    widths: dict[int, float] = {}
    for r, (row, cols) in enumerate(zip(copy.rows, filled, strict=True), 1):
        for c in cols:
            cell = sheet.cell(r, c, _plain(row[c - 1]))
            if not isinstance(cell.value, str):
                continue
            cell.data_type = "s"
            if len(cell.value) <= SPILL:
                widths[c] = max(widths.get(c, 8), len(cell.value) + 2)
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if cols == [c] and c < last:  # a title or an instruction
                    sheet.merge_cells(start_row=r, start_column=c, end_row=r, end_column=last)
    for c in range(1, last + 1):
        sheet.column_dimensions[_letter(c)].width = widths.get(c, 8)
    for r, (row, cols) in enumerate(zip(copy.rows, filled, strict=True), 1):
        room = {c: sum(widths.get(k, 8) for k in range(c, last + 1)) if cols == [c]
                else widths.get(c, 8) for c in cols}
        lines = max([1, *(text_lines(row[c - 1], room[c]) for c in cols
                          if isinstance(row[c - 1], str) and len(row[c - 1]) > SPILL)])
        if lines > 1:
            sheet.row_dimensions[r].height = 14.5 * lines + 3
    _print_setup(sheet, None)
    return workbook


def _plain(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    import datetime as dt

    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return value
    return str(value)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def _unmark(workbook: Any) -> None:
    """Take away an earlier run's markup: its sheet, its comments, its colour rules."""
    from openpyxl.formatting.formatting import ConditionalFormattingList

    if FIX_SHEET in workbook.sheetnames:
        workbook.remove(workbook[FIX_SHEET])
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = _own_note(cell.comment)
        kept = ConditionalFormattingList()
        for formatting in sheet.conditional_formatting:
            for rule in formatting.rules:
                if list(rule.formula or ()) != [MARK_FORMULA]:
                    kept.add(str(formatting.sqref), rule)
        sheet.conditional_formatting = kept


def _own_note(comment: Any) -> Any:
    """The note a cell had before cchc wrote its own around it (None if it had none)."""
    from openpyxl.comments import Comment

    text = comment.text
    if OWN_NOTE not in text:
        return None
    own = text.split(OWN_NOTE, 1)[1].removesuffix(")")
    return Comment(own, "cchc", height=comment.height, width=comment.width)


def _mark(workbook: Any, problems: Iterable[Problem]) -> None:
    """Colour each problem cell (red for an error, orange for a warning) and comment it
    with every problem found there."""
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for problem in problems:
        if problem.sheet and problem.cell:
            by_cell.setdefault((problem.sheet, problem.cell), []).append(problem)
    for (sheet_name, ref), found in by_cell.items():
        sheet = _sheet(workbook, sheet_name)
        if sheet is None:
            continue
        ref = _top_left(sheet, ref)
        colour = ERROR_FILL if any(p.error for p in found) else WARNING_FILL
        fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        sheet.conditional_formatting.add(ref, FormulaRule(formula=[MARK_FORMULA], fill=fill))
        cell = sheet[ref]
        text = "\n\n".join(p.note() for p in found)
        if cell.comment is not None:  # the form's own note (what evidence to cite)
            text += f"{OWN_NOTE}{cell.comment.text})"
        lines = text_lines(text, COMMENT_WIDTH_PX / 7)
        cell.comment = Comment(text, AUTHOR, height=min(600, 16 * lines + 12),
                               width=COMMENT_WIDTH_PX)


def _sheet(workbook: Any, name: str) -> Any:
    if name in workbook.sheetnames:
        return workbook[name]
    from cchc_cli.cells import header_key

    wanted = header_key(name)
    return next((workbook[s] for s in workbook.sheetnames if header_key(s) == wanted), None)


def _top_left(sheet: Any, ref: str) -> str:
    """A cell inside a merged range is marked at the range's first cell."""
    for merged in sheet.merged_cells.ranges:
        if ref in merged:
            return str(merged.start_cell.coordinate)
    return ref


def _problem_sheet(workbook: Any, problems: list[Problem], header: FixHeader) -> None:
    """The first sheet: what is wrong, where (a link to the cell), what to do."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.hyperlink import Hyperlink

    sheet = workbook.create_sheet(FIX_SHEET, 0)
    last = len(FIX_COLUMNS)
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    body = Font(name=FONT, size=11)
    width = sum(w for _, w in FIX_COLUMNS)
    row = 1
    for text, font in [(header.title, Font(name=FONT, size=14, bold=True)),
                       *[(line, body) for line in header.lines],
                       *([(header.note, Font(name=FONT, size=11, bold=True, color="C00000"))]
                         if header.note else [])]:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        cell = sheet.cell(row, 1, text)
        cell.data_type = "s"
        cell.font, cell.alignment = font, Alignment(wrap_text=True, vertical="center")
        sheet.row_dimensions[row].height = 18 * text_lines(text, width * 0.92) + 4
        row += 1
    top = row
    for c, (title, column_width) in enumerate(FIX_COLUMNS, 1):
        cell = sheet.cell(row, c, title)
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.fill = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
        cell.border, cell.alignment = box, Alignment(horizontal="center", vertical="center",
                                                     wrap_text=True)
        sheet.column_dimensions[_letter(c)].width = column_width
    for number, problem in enumerate(problems, 1):
        row += 1
        values = [number, problem.severity, problem.where, problem.criterion or "",
                  problem.name, problem.message, problem.advice]
        for c, value in enumerate(values, 1):
            cell = sheet.cell(row, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
            cell.font, cell.border, cell.alignment = body, box, wrap
        if problem.error:
            sheet.cell(row, 2).font = Font(name=FONT, size=11, bold=True, color="C00000")
        if problem.sheet and problem.cell and _sheet(workbook, problem.sheet) is not None:
            link = sheet.cell(row, 3)
            target = _sheet(workbook, problem.sheet).title.replace("'", "''")
            link.hyperlink = Hyperlink(ref="", location=f"'{target}'!{problem.cell}")
            link.font = Font(name=FONT, size=11, color=LINK_COLOUR, underline="single")
        lines = max(text_lines(str(v), w) for v, (_, w) in zip(values, FIX_COLUMNS, strict=True))
        sheet.row_dimensions[row].height = max(15, 14.5 * lines + 3)
    sheet.freeze_panes = sheet.cell(top + 1, 1)
    _print_setup(sheet, top)
    _select_first(workbook)


def _print_setup(sheet: Any, header_row: int | None) -> None:
    """A4 landscape, one page wide, the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row is not None:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.oddFooter.center.text = "Trang &P/&N"


def _select_first(workbook: Any) -> None:
    """Open on the problems sheet, and on it alone: a second selected tab would put the
    workbook in Excel's group-editing mode."""
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = False
    workbook.active = 0
    workbook.worksheets[0].sheet_view.tabSelected = True
    for view in workbook.views:
        view.firstSheet = 0
        view.activeTab = 0


def _save(workbook: Any, modified: Any) -> bytes:
    """The workbook's bytes, with fixed times: openpyxl's ``save`` stamps the current
    time into the document's properties and every member of the archive."""
    from openpyxl.writer.excel import ExcelWriter

    workbook.properties.modified = modified or FIXED_TIME
    if workbook.properties.created is None:
        workbook.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    ExcelWriter(workbook, _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return buffer.getvalue()


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose members all carry one fixed time (openpyxl adds members by name, or
    from a temporary file, both stamped with the time of the run)."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = _member(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        with open(filename, "rb") as handle:
            self.writestr(_member(str(arcname or filename)), handle.read())


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


# --------------------------------------------------------------------------------------
# The appraisal's changes
# --------------------------------------------------------------------------------------

CHANGES_SHEET = "Kết quả thẩm định"
CHANGES_COLUMNS = [("STT", 4), ("Mã tiêu chí", 8), ("Tiêu chí", 28), ("Điểm tối đa", 6),
                   ("Tự đánh giá", 12), ("Thẩm định", 12), ("Điểm tự chấm", 8),
                   ("Điểm sau thẩm định", 8), ("Chênh lệch", 7), ("Cơ quan thẩm định", 13),
                   ("Nhận xét", 24), ("Giải trình", 28)]


def appraisal_workbook(changes: AppraisalChanges) -> bytes:
    """``<CODE>-ket-qua-tham-dinh.xlsx``: every leaf the appraisal changed, leaves with
    named inputs input by input, and an empty ``Giải trình`` column for the reply."""
    import xlsxwriter

    from cchc_cli.writers.xlsx import Styles, a4_landscape, fit_height, header_row

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False,
                                            "strings_to_urls": False})
    workbook.set_properties({"created": FIXED_TIME, "author": "cchc",
                             "title": f"Kết quả thẩm định năm {changes.year}"})
    styles = Styles(workbook, changes.precision, font_size=11)
    sheet = workbook.add_worksheet(CHANGES_SHEET)
    last = len(CHANGES_COLUMNS) - 1
    width = sum(w for _, w in CHANGES_COLUMNS)
    row = 0
    for text, look in _changes_top(changes, styles):
        sheet.merge_range(row, 0, row, last, text, look)
        fit_height(sheet, row, [(text, width * 0.9)])
        row += 1
    header_row(sheet, styles, row, CHANGES_COLUMNS, height=45)
    top = row
    if not changes.changed:
        row += 1
        sheet.merge_range(row, 0, row, last, "Kết quả thẩm định không thay đổi tiêu chí nào so"
                          " với kết quả tự đánh giá của đơn vị.", styles.text(italic=True))
    for number, leaf in enumerate(changes.changed, 1):
        row = _changed_rows(sheet, styles, row + 1, number, leaf)
    sheet.freeze_panes(top + 1, 3)
    a4_landscape(sheet, repeat_rows=(top, top))
    workbook.close()
    return buffer.getvalue()


def _changes_top(changes: AppraisalChanges, styles: Any) -> list[tuple[str, Any]]:
    from cchc_cli.numbers import vi

    unit = changes.unit
    precision = changes.precision
    summary = (f"Đã thẩm định {changes.appraised}/{changes.leaves} tiêu chí thành phần;"
               f" {len(changes.changed)} tiêu chí thay đổi so với kết quả tự đánh giá.")
    if changes.points is not None and changes.max_points is not None and \
            changes.index is not None:
        summary += (f" Tạm tính sau thẩm định (kể cả khảo sát): {vi(changes.points, precision)}"
                    f"/{vi(changes.max_points, precision)} điểm, chỉ số"
                    f" {vi(changes.index, precision)}.")
    return [
        (f"KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {changes.year}", styles.title()),
        (f"Đơn vị: {unit.name} (mã {unit.code})", styles.get(bold=True, text_wrap=True)),
        (summary, styles.get(text_wrap=True)),
        ("Các tiêu chí dưới đây có kết quả thẩm định khác kết quả tự đánh giá của đơn vị."
         " Đơn vị không thống nhất ở tiêu chí nào thì ghi ý kiến vào cột 'Giải trình' của"
         " dòng đó (kèm tài liệu kiểm chứng bổ sung, nếu có) và gửi lại Sở Nội vụ trước vòng"
         " thẩm định sau.", styles.get(text_wrap=True, italic=True)),
    ]


def _changed_rows(sheet: Any, styles: Any, row: int, number: int, leaf: ChangedLeaf) -> int:
    """A changed leaf's row, then its named inputs; returns the last row written."""
    from cchc_cli.writers.xlsx import write_value

    text, points = styles.text(valign="top"), styles.number(valign="top")
    changed = styles.text(valign="top", bold=True)
    reply = styles.get(border=1, text_wrap=True, valign="top", bg_color="#FFF2CC")
    values = [number, leaf.code, leaf.name, leaf.max, _cell(leaf.own), _cell(leaf.appraised),
              leaf.before, leaf.after, leaf.gap, leaf.appraiser, leaf.comment, None]
    looks = [text, text, text, points, text, changed, points, points, points, text, text,
             reply]
    for c, (value, look) in enumerate(zip(values, looks, strict=True)):
        write_value(sheet, row, c, value, look)
    _fit(sheet, row, values)
    for item in leaf.inputs:
        row += 1
        look = changed if item.own != item.appraised else text
        cells = [None, item.code, f"   {item.label}", None, _cell(item.own),
                 _cell(item.appraised), None, None, None, None, None, None]
        for c, value in enumerate(cells):
            write_value(sheet, row, c, value, look if c == 5 else text)
        _fit(sheet, row, cells)
    return row


# Computed values (a rate a / b × 100) are shown to this many decimals.
SHOWN_PLACES = 4


def _cell(value: Any) -> Any:
    """A value as the sheet shows it: numbers stay numbers (a computed rate rounded for
    reading); nothing entered is '(trống)'."""
    from cchc_cli.numbers import round_half_up

    if value is None:
        return "(trống)"
    if isinstance(value, Fraction | Decimal):
        return round_half_up(value, SHOWN_PLACES)
    return value


def _fit(sheet: Any, row: int, values: list[Any]) -> None:
    from cchc_cli.writers.xlsx import fit_height

    fit_height(sheet, row, [(str(v), w) for v, (_, w) in zip(values, CHANGES_COLUMNS,
                                                             strict=True)
                            if isinstance(v, str)])
