"""The council's workbooks (SPEC §13.5): ``phuong-an-Y.xlsx`` (the year as it stands and as
the council would change it, side by side) and ``chua-thong-nhat-Y.xlsx`` (what the
undecided appraisals could still do). Both are handed out at the meeting: A4 landscape,
header rows repeated on every page, the rows that matter coloured."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_cli import __version__
from cchc_cli.writers.atomic import atomic_path
from cchc_cli.writers.scores import result_styles, write_issue_sheet
from cchc_cli.writers.xlsx import (
    RESULT_FONT_SIZE,
    Styles,
    fit_height,
    header_row,
    new_workbook,
    print_setup,
    sheet_title,
    title_row,
    write_value,
)

if TYPE_CHECKING:
    from cchc_cli.whatif import UnitOutcome, WhatifRun

CHANGED_FILL = "#FFF2CC"  # a unit whose rank, band or head's rating changes
HEADER_ROW = 4


def _side_headers(with_block: bool) -> list[tuple[str, float]]:
    headers: list[tuple[str, float]] = [("STT", 5)]
    if with_block:
        headers.append(("Khối", 12))
    headers += [("Mã", 8), ("Đơn vị", 24), ("Chỉ số hiện tại", 9), ("Chỉ số phương án", 9),
                ("Chênh lệch", 8), ("Hạng hiện tại", 7), ("Hạng phương án", 8),
                ("Xếp loại hiện tại", 10), ("Xếp loại phương án", 10),
                # wide enough for 'Hoàn thành xuất sắc nhiệm vụ' on one line
                ("Đánh giá người đứng đầu hiện tại", 25),
                ("Đánh giá người đứng đầu phương án", 25)]
    return headers


def write_whatif_workbook(path: Path, run: WhatifRun) -> None:
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, font_size=RESULT_FONT_SIZE)
        styles = result_styles(workbook, run.precision)
        used: set[str] = set()
        _summary_sheet(workbook, styles, run, sheet_title("Tóm tắt", used))
        blocks: dict[str, list[UnitOutcome]] = {}
        for unit in run.units:
            blocks.setdefault(unit.block_name, []).append(unit)
        for name, units in blocks.items():
            _block_sheet(workbook, styles, run, name, units, sheet_title(name, used))
        _changes_sheet(workbook, styles, run, sheet_title("Nội dung điều chỉnh", used))
        _bands_sheet(workbook, styles, run, sheet_title("Chuyển xếp loại", used))
        write_issue_sheet(workbook, styles, run.issues, sheet_title("Vấn đề", used))
        _sources_sheet(workbook, styles, run, sheet_title("Nguồn", used))
        workbook.close()


def what_changed(run: WhatifRun) -> str:
    """One sentence: what the variant changes."""
    parts = []
    sources = run.sources
    if sources.get("criteria"):
        count = sum(len(block.changes) for block in run.criteria_changes)
        parts.append(f"bộ tiêu chí trong {sources['criteria']} ({count} thay đổi)")
    if sources.get("settings"):
        parts.append(f"cchc.yaml thay bằng {sources['settings']}"
                     f" ({len(run.setting_changes)} khóa khác)")
    if sources.get("override"):
        parts.append(f"{len(run.override)} giá trị điều chỉnh trong {sources['override']},"
                     " coi như vòng thẩm định cuối cùng")
    return "; ".join(parts) or "không có"


def _summary_sheet(workbook: Any, styles: Styles, run: WhatifRun, name: str) -> None:
    sheet = workbook.add_worksheet(name)
    headers = _side_headers(with_block=True)
    last = len(headers) - 1
    title = f"PHƯƠNG ÁN ĐIỀU CHỈNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {run.year}"
    title_row(sheet, styles, title, last)
    wrap = styles.get(text_wrap=True, valign="top")
    province = run.workspace.settings.province
    lines = [f"{province}: kết quả hiện tại (theo dữ liệu đã nhận) và kết quả theo phương án"
             " điều chỉnh, tính như lệnh 'cchc rank'.",
             f"Nội dung điều chỉnh: {what_changed(run)} (chi tiết ở trang 'Nội dung điều"
             " chỉnh').",
             f"Có {len(run.changed)} đơn vị thay đổi xếp hạng, xếp loại hoặc đánh giá người"
             " đứng đầu (liệt kê dưới đây; ở trang từng khối được tô màu)."]
    for row, text in enumerate(lines, start=1):
        sheet.merge_range(row, 0, row, last, text, wrap)
        fit_height(sheet, row, [(text, 140)])
    header_row(sheet, styles, HEADER_ROW, headers, height=48)
    changed = run.changed
    if not changed:
        sheet.merge_range(HEADER_ROW + 1, 0, HEADER_ROW + 1, last,
                          "Không có đơn vị nào thay đổi xếp hạng, xếp loại hay đánh giá"
                          " người đứng đầu.", styles.text(italic=True))
    for r, unit in enumerate(changed, start=HEADER_ROW + 1):
        _unit_row(sheet, styles, r, r - HEADER_ROW, unit, with_block=True, fill=None)
    _finish(sheet, headers, HEADER_ROW, HEADER_ROW + max(1, len(changed)), title)


def _block_sheet(workbook: Any, styles: Styles, run: WhatifRun, block_name: str,
                 units: list[UnitOutcome], name: str) -> None:
    sheet = workbook.add_worksheet(name)
    headers = _side_headers(with_block=False)
    last = len(headers) - 1
    title = f"{block_name.upper()} — HIỆN TẠI VÀ PHƯƠNG ÁN ĐIỀU CHỈNH NĂM {run.year}"
    title_row(sheet, styles, title, last)
    note = styles.get(italic=True, text_wrap=True)
    sheet.merge_range(1, 0, 1, last, "Các đơn vị thay đổi xếp hạng, xếp loại hoặc đánh giá"
                      " người đứng đầu được tô màu và xếp trước; sau đó các đơn vị còn lại"
                      " theo thứ hạng hiện tại.", note)
    header_row(sheet, styles, HEADER_ROW, headers, height=48)
    ordered = [*(u for u in units if u.changed), *(u for u in units if not u.changed)]
    for r, unit in enumerate(ordered, start=HEADER_ROW + 1):
        _unit_row(sheet, styles, r, r - HEADER_ROW, unit, with_block=False,
                  fill=CHANGED_FILL if unit.changed else None)
    _finish(sheet, headers, HEADER_ROW, HEADER_ROW + max(1, len(ordered)), title)


def _unit_row(sheet: Any, styles: Styles, r: int, number: int, unit: UnitOutcome, *,
              with_block: bool, fill: str | None) -> None:
    extra = {"bg_color": fill} if fill else {}
    text, centre = styles.text(**extra), styles.text(align="center", **extra)
    index = styles.get(border=1, num_format=styles.number_format(), **extra)
    signed = styles.get(border=1, num_format=_signed_format(styles), **extra)
    base, variant = unit.base, unit.variant
    values: list[tuple[Any, Any]] = [(number, centre)]
    if with_block:
        values.append((unit.block_name, text))
    values += [(unit.code, text), (unit.name, text)]
    values += [(_index(side), index) for side in (base, variant)]
    values.append((unit.index_change, signed))
    values += [(side.rank if side else None, centre) for side in (base, variant)]
    values += [(side.band if side else None, text) for side in (base, variant)]
    values += [(side.leader_rating if side else None, text) for side in (base, variant)]
    for c, (value, fmt) in enumerate(values):
        write_value(sheet, r, c, value, fmt)
    widths = _side_headers(with_block)
    fit_height(sheet, r, [(v, widths[c][1]) for c, (v, _) in enumerate(values)
                          if isinstance(v, str)])


def _index(side: Any) -> Any:
    if side is None:
        return None
    return side.index_published if side.index_published is not None else "Lỗi"


def _signed_format(styles: Styles) -> str:
    places = styles.number_format()
    return f"+{places};-{places};{places}"


def _finish(sheet: Any, headers: Sequence[tuple[str, float]], header: int, last_row: int,
            title: str) -> None:
    """Frozen and filtered header; printed A4 landscape, header rows on every page."""
    sheet.freeze_panes(header + 1, 0)
    sheet.autofilter(header, 0, last_row, len(headers) - 1)
    print_setup(sheet, [w for _, w in headers], title=title, repeat_rows=(header, header))


def _bands_sheet(workbook: Any, styles: Styles, run: WhatifRun, name: str) -> None:
    """Per block, how many units go from each band (rows) to each band (columns)."""
    sheet = workbook.add_worksheet(name)
    width = max((len(m.bands) for m in run.band_moves), default=1) + 1
    title = f"CHUYỂN XẾP LOẠI THEO PHƯƠNG ÁN — NĂM {run.year}"
    title_row(sheet, styles, title, width - 1)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, width - 1, 13)
    text, bold, header = styles.text(), styles.text(bold=True), styles.header()
    number = styles.text(align="center")
    moved = styles.text(align="center", bold=True, bg_color="#FCE4D6")
    r = 2
    for moves in run.band_moves:
        sheet.merge_range(r, 0, r, width - 1, f"{moves.name}: {moves.moved} đơn vị đổi xếp"
                          " loại (dòng: hiện tại; cột: theo phương án)", bold)
        r += 1
        sheet.write_string(r, 0, "Hiện tại \\ Phương án", header)
        for c, label in enumerate(moves.bands, start=1):
            sheet.write_string(r, c, label, header)
        for i, (label, row) in enumerate(zip(moves.bands, moves.counts, strict=True)):
            r += 1
            sheet.write_string(r, 0, label, text)
            for j, count in enumerate(row):
                sheet.write_number(r, j + 1, count, moved if count and i != j else number)
        r += 2
    if not run.band_moves:
        sheet.write_string(2, 0, "Không có đơn vị nào được xếp loại.", text)
    print_setup(sheet, [24, *[13] * (width - 1)], title=title)


def _changes_sheet(workbook: Any, styles: Styles, run: WhatifRun, name: str) -> None:
    """Everything the variant changes: criteria, cchc.yaml, values."""
    from cchc_cli.diff import describe
    from cchc_cli.whatif import shown_setting

    sheet = workbook.add_worksheet(name)
    widths = [6, 16, 12, 40, 60]
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    title = f"NỘI DUNG ĐIỀU CHỈNH — NĂM {run.year}"
    title_row(sheet, styles, title, len(widths) - 1)
    row = 2
    criteria = [(c.block or "", c.code, c.name, describe(c))
                for block in run.criteria_changes for c in block.changes]
    row = _section(sheet, styles, row, "1. Bộ tiêu chí", ("STT", "Khối", "Mã", "Tiêu chí",
                                                          "Thay đổi"), criteria, widths)
    settings = [("cchc.yaml", c.key, shown_setting(c.old), shown_setting(c.new))
                for c in run.setting_changes]
    row = _section(sheet, styles, row, "2. Cài đặt (cchc.yaml)",
                   ("STT", "Tệp", "Khóa", "Hiện tại", "Phương án"), settings, widths)
    values = [(r.unit, r.criterion, r.old, f"{r.new}" + (f" — {r.comment}" if r.comment else ""))
              for r in run.override]
    _section(sheet, styles, row, "3. Giá trị điều chỉnh (vòng thẩm định cuối cùng)",
             ("STT", "Mã đơn vị", "Mã tiêu chí", "Hiện tại", "Phương án (nhận xét)"), values,
             widths)
    print_setup(sheet, widths, title=title)


def _section(sheet: Any, styles: Styles, row: int, title: str, headers: Sequence[str],
             rows: Sequence[Sequence[Any]], widths: list[int]) -> int:
    """A titled table; returns the row after it."""
    last = len(headers) - 1
    sheet.merge_range(row, 0, row, last, title, styles.get(bold=True))
    row += 1
    for c, text in enumerate(headers):
        sheet.write_string(row, c, text, styles.header())
    row += 1
    if not rows:
        sheet.merge_range(row, 0, row, last, "Không thay đổi.", styles.text(italic=True))
        return row + 2
    text = styles.text()
    for n, values in enumerate(rows, start=1):
        cells = [n, *values]
        for c, value in enumerate(cells):
            write_value(sheet, row, c, value, text)
        fit_height(sheet, row, [(str(v), widths[c]) for c, v in enumerate(cells)])
        row += 1
    return row + 1


def _sources_sheet(workbook: Any, styles: Styles, run: WhatifRun, name: str) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 80)
    title_row(sheet, styles, "NGUỒN CỦA PHƯƠNG ÁN", 1)
    sources = run.sources
    rows = [("Tỉnh", run.workspace.settings.province), ("Năm đánh giá", run.year),
            ("Thời điểm tính", run.as_of.strftime("%d/%m/%Y %H:%M")),
            ("Phiên bản cchc", __version__),
            ("Bộ tiêu chí của phương án", sources.get("criteria") or "không đổi"),
            ("cchc.yaml của phương án", sources.get("settings") or "không đổi"),
            ("Tệp giá trị điều chỉnh", sources.get("override") or "không có")]
    text = styles.text()
    for r, (label, value) in enumerate(rows, start=2):
        write_value(sheet, r, 0, label, styles.text(bold=True))
        write_value(sheet, r, 1, value, text)
    print_setup(sheet, [36, 80], title="NGUỒN CỦA PHƯƠNG ÁN")


# --------------------------------------------------------------------------------------
# chua-thong-nhat-Y.xlsx
# --------------------------------------------------------------------------------------

OPEN_FILL = "#FCE4D6"  # something (rank, band or rating) is not yet certain

METHOD_LINES = (
    "Điểm chưa thống nhất: tiêu chí mà kết quả thẩm định cuối cùng khác kết quả tự đánh giá"
    " của đơn vị (và kết quả tự đánh giá là giá trị hợp lệ). Mỗi điểm có thể được giải quyết"
    " theo thẩm định hoặc theo tự đánh giá; các khoảng dưới đây bao gồm mọi cách giải quyết.",
    "Chỉ số thấp nhất, cao nhất là chính xác (không lấy mẫu). Một điểm về 'không áp dụng'"
    " làm đổi cả điểm tối đa áp dụng, nên chỉ số không tăng giảm đều theo từng tiêu chí:"
    " cchc tìm giá trị lớn nhất, nhỏ nhất của tỷ số (điểm ÷ điểm tối đa áp dụng) bằng phương"
    " pháp Dinkelbach; điểm thưởng, điểm trừ (kể cả trần) lấy ở mức cao nhất, thấp nhất.",
    "Hạng tốt nhất: đơn vị ở chỉ số cao nhất, các đơn vị khác ở chỉ số thấp nhất; hạng kém"
    " nhất: ngược lại. 'Chắc chắn' nghĩa là như nhau với mọi cách giải quyết.",
)


def write_disputes_workbook(path: Path, run: Any) -> None:
    bounds = run.bounds
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, font_size=RESULT_FONT_SIZE)
        styles = result_styles(workbook, bounds.precision)
        used: set[str] = set()
        _bounds_sheet(workbook, styles, run, sheet_title("Khoảng kết quả", used))
        _disputes_sheet(workbook, styles, run, sheet_title("Điểm chưa thống nhất", used))
        write_issue_sheet(workbook, styles, run.issues, sheet_title("Vấn đề", used))
        workbook.close()


def bounds_notes(bounds: Any) -> list[str]:
    """What the reader must know besides the method: fixed references, safe bounds."""
    notes = []
    for block, codes in bounds.relative.items():
        notes.append(f"Khối {block}: tiêu chí so sánh với khối ({', '.join(codes)}) giữ mốc so"
                     " sánh của kết quả hiện tại.")
    if not bounds.exact:
        notes.append(f"{len(bounds.loose)} đơn vị (đánh dấu *) có khoảng hạng chỉ là cận an"
                     " toàn: chứa mọi kết quả nhưng có thể rộng hơn thực tế (đồng hạng kiểu"
                     " dense, quá nhiều cách các đơn vị trùng chỉ số để xét hết).")
    return notes


def _bounds_sheet(workbook: Any, styles: Styles, run: Any, name: str) -> None:
    bounds = run.bounds
    sheet = workbook.add_worksheet(name)
    headers: list[tuple[str, float]] = [
        ("STT", 5), ("Khối", 14), ("Mã", 8), ("Đơn vị", 24), ("Số điểm chưa thống nhất", 9),
        ("Chỉ số thấp nhất", 9), ("Chỉ số cao nhất", 9), ("Hạng tốt nhất", 7),
        ("Hạng kém nhất", 7), ("Xếp loại", 15), ("Đánh giá người đứng đầu", 25),
        ("Hạng chắc chắn", 9), ("Xếp loại chắc chắn", 9), ("Đánh giá chắc chắn", 9)]
    last = len(headers) - 1
    title = f"KẾT QUẢ CÒN CHỜ THỐNG NHẤT — CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {bounds.year}"
    title_row(sheet, styles, title, last)
    wrap = styles.get(text_wrap=True, valign="top")
    lines = [*METHOD_LINES, *bounds_notes(bounds)]
    for row, text in enumerate(lines, start=1):
        sheet.merge_range(row, 0, row, last, text, wrap)
        fit_height(sheet, row, [(text, 150)])
    header = len(lines) + 2
    header_row(sheet, styles, header, headers, height=48)
    r = header
    for r, unit in enumerate(bounds.units, start=header + 1):
        fill = {} if unit.certain_rank and unit.certain_band and unit.certain_rating \
            else {"bg_color": OPEN_FILL}
        text, centre = styles.text(**fill), styles.text(align="center", **fill)
        index = styles.get(border=1, num_format=styles.number_format(), **fill)
        published = unit.published
        values: list[tuple[Any, Any]] = [
            (r - header, centre), (unit.block_name, text), (unit.code, text),
            (unit.name, text), (unit.disputes, centre),
            (published[0] if published else "Lỗi", index),
            (published[1] if published else "Lỗi", index),
            (rank_value(unit, 0), centre), (rank_value(unit, 1), centre),
            (span_text(unit.bands), text), (span_text(unit.ratings), text),
            (yes_no(unit.certain_rank), centre), (yes_no(unit.certain_band), centre),
            (yes_no(unit.certain_rating), centre)]
        for c, (value, fmt) in enumerate(values):
            write_value(sheet, r, c, value, fmt)
        fit_height(sheet, r, [(v, headers[c][1]) for c, (v, _) in enumerate(values)
                              if isinstance(v, str)])
    _finish(sheet, headers, header, max(r, header + 1), title)


def rank_value(unit: Any, end: int) -> Any:
    """A rank bound; '12*' when the unit's rank bounds are only safe."""
    if unit.rank is None:
        return None
    return unit.rank[end] if unit.rank_tight else f"{unit.rank[end]}*"


def span_text(pair: tuple[Any, Any]) -> str:
    low, high = pair
    if low is None and high is None:
        return ""
    return str(low) if low == high else f"{low} – {high}"


def yes_no(value: bool) -> str:
    return "chắc chắn" if value else "chưa"


def _disputes_sheet(workbook: Any, styles: Styles, run: Any, name: str) -> None:
    sheet = workbook.add_worksheet(name)
    headers: list[tuple[str, float]] = [
        ("STT", 5), ("Mã đơn vị", 9), ("Mã tiêu chí", 9), ("Tiêu chí", 28),
        ("Tự đánh giá", 16), ("Điểm tự đánh giá", 8), ("Thẩm định", 16),
        ("Điểm thẩm định", 8), ("Điểm tối đa", 7), ("Nhận xét", 28), ("Tệp, ô", 26)]
    last = len(headers) - 1
    title = f"CÁC ĐIỂM THẨM ĐỊNH CHƯA THỐNG NHẤT — NĂM {run.bounds.year}"
    title_row(sheet, styles, title, last)
    header_row(sheet, styles, 2, headers, height=36)
    text, number = styles.text(), styles.number()
    r = 2
    for r, dispute in enumerate(run.bounds.disputes, start=3):
        own, appraised = dispute.own, dispute.appraised
        where = f"{appraised.file}, {appraised.cell or appraised.na_cell or ''}".rstrip(", ")
        values: list[tuple[Any, Any]] = [
            (r - 2, text), (dispute.unit, text), (dispute.code, text),
            (dispute.leaf.name, text),
            (_said(own), text), (None if own.na else own.points, number),
            (_said(appraised), text), (None if appraised.na else appraised.points, number),
            (dispute.leaf.max, number), (appraised.comment, text), (where, text)]
        for c, (value, fmt) in enumerate(values):
            write_value(sheet, r, c, value, fmt)
        fit_height(sheet, r, [(str(v), headers[c][1]) for c, (v, _) in enumerate(values)
                              if isinstance(v, str)])
    if not run.bounds.disputes:
        sheet.merge_range(3, 0, 3, last, "Không có điểm nào chưa thống nhất: thẩm định trùng"
                          " tự đánh giá, hoặc chưa thẩm định.", styles.text(italic=True))
    _finish(sheet, headers, 2, max(r, 3), title)


def _said(result: Any) -> str:
    from cchc_cli.inputs import describe_entry

    return describe_entry(result.origin)
