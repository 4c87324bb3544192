"""``results/Y/cham-diem-Y.xlsx`` (SPEC §10.2) and ``results/Y/van-de-Y.xlsx``.

Written with xlsxwriter in constant-memory mode (rows strictly in order), atomically,
and reproducibly: the only moment recorded is ``--as-of`` (or the run time) in the
``Nguồn`` sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_cli import __version__
from cchc_cli.criteria import CriteriaSet
from cchc_cli.issues import Issue
from cchc_cli.numbers import ZERO, Exact, exact_sub, plain
from cchc_cli.scoring import STATUS_OK, LeafResult, UnitScore
from cchc_cli.writers.atomic import atomic_path
from cchc_cli.writers.xlsx import (
    Styles,
    a4_landscape,
    header_row,
    new_workbook,
    title_row,
    write_value,
)

if TYPE_CHECKING:
    from cchc_cli.api import ScoreRun

CHANGED_FILL = "#F8CBAD"  # an appraised value that differs from the unit's own
NA_FILL = "#E7E6E6"
ERROR_FILL = "#FFC7CE"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str, used: set[str]) -> str:
    """A legal, unique Excel sheet name (≤ 31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub(" ", text).strip()[:31] or "Trang"
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.casefold())
    return name


def status_text(unit: UnitScore) -> str:
    return "Hợp lệ" if unit.status == STATUS_OK else "Lỗi"


def own_points(result: LeafResult, criteria: CriteriaSet) -> Exact | None:
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


def write_scores_workbook(path: Path, run: ScoreRun) -> None:
    precision = run.workspace.settings.precision
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, constant_memory=True)
        styles = Styles(workbook, precision=precision)
        used: set[str] = set()
        _summary_sheet(workbook, styles, run, sheet_title("Tổng hợp", used))
        for block in run.scores.blocks:
            if block.criteria is not None:
                _block_sheet(workbook, styles, run, block, sheet_title(block.name, used))
        _differences_sheet(workbook, styles, run, sheet_title("Chênh lệch", used))
        write_issue_sheet(workbook, styles, run.issues, sheet_title("Vấn đề", used))
        write_sources_sheet(workbook, styles, sources_rows(run), sheet_title("Nguồn", used))
        workbook.close()


def write_issues_workbook(path: Path, issues: list[Issue], *, year: int) -> None:
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, constant_memory=True)
        styles = Styles(workbook)
        write_issue_sheet(workbook, styles, issues, "Vấn đề",
                          title=f"CÁC VẤN ĐỀ TRONG DỮ LIỆU NĂM {year} (chưa tính kết quả)")
        workbook.close()


def _summary_sheet(workbook: Any, styles: Styles, run: ScoreRun, name: str) -> None:
    sheet = workbook.add_worksheet(name)
    headers = [("STT", 5), ("Khối", 16), ("Mã đơn vị", 10), ("Tên đơn vị", 36),
               ("Trạng thái", 10), ("Điểm đạt được", 10), ("Điểm tối đa áp dụng", 10),
               ("Chỉ số (%)", 10), ("Điểm thẩm định", 10), ("Điểm khảo sát", 10),
               ("Điểm thưởng", 9), ("Điểm trừ", 9), ("Tiêu chí không áp dụng", 30),
               ("Tiêu chí chưa thẩm định", 12)]
    for c, (_, width) in enumerate(headers):
        sheet.set_column(c, c, width)
    province = run.workspace.settings.province
    title_row(sheet, styles, f"KẾT QUẢ CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {run.year}"
           f" — {province.upper()}", len(headers) - 1)
    header_row(sheet, styles, 2, headers)
    text, number = styles.text(), styles.number()
    error = styles.text(bg_color=ERROR_FILL)
    r = 2
    for block in run.scores.blocks:
        for unit in block.units:
            r += 1
            ok = unit.status == STATUS_OK
            values: list[tuple[Any, Any]] = [
                (r - 2, text), (block.name, text), (unit.code, text), (unit.name, text),
                (status_text(unit), text if ok else error),
                (unit.points, number), (unit.max_points, number),
                (unit.index_published if ok else None, number),
                (unit.appraised_points, number), (unit.survey_points, number),
                (unit.bonus, number), (unit.penalty, number),
                (", ".join(unit.not_applicable), text), (len(unit.unappraised), text),
            ]
            for c, (value, fmt) in enumerate(values):
                write_value(sheet, r, c, value, fmt)
    sheet.freeze_panes(3, 4)
    sheet.autofilter(2, 0, max(r, 3), len(headers) - 1)
    a4_landscape(sheet, repeat_rows=(2, 2))


def _block_sheet(workbook: Any, styles: Styles, run: ScoreRun, block: Any, name: str) -> None:
    criteria: CriteriaSet = block.criteria
    sheet = workbook.add_worksheet(name)
    leaves = [leaf.code for leaf in criteria.leaves]
    first = 2
    totals = ["Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số (%)"]
    last = first + len(leaves) + len(totals) - 1
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 32)
    sheet.set_column(first, first + len(leaves) - 1, 7)
    sheet.set_column(first + len(leaves), last, 10)
    title_row(sheet, styles, f"CHI TIẾT ĐIỂM TỪNG TIÊU CHÍ — {block.name.upper()} — NĂM {run.year}",
           min(last, 20))
    sheet.merge_range(1, 0, 1, min(last, 20),
                      "Ô tô màu cam: kết quả thẩm định khác kết quả tự đánh giá (xem trang"
                      " Chênh lệch); KAD: không áp dụng; ô đỏ: thiếu dữ liệu.",
                      styles.get(italic=True))
    # Constant-memory mode: each row is written completely before the next one.
    header = styles.header()
    sheet.set_row(3, 30)
    sheet.write_string(3, 0, "Mã đơn vị", header)
    sheet.write_string(3, 1, "Tên đơn vị", header)
    for i, code in enumerate(leaves):
        sheet.write_string(3, first + i, code, header)
    for j, text in enumerate(totals):
        sheet.write_string(3, first + len(leaves) + j, text, header)
    sheet.write_string(4, 0, "", header)
    sheet.write_string(4, 1, "Điểm tối đa", header)
    for i, code in enumerate(leaves):
        sheet.write_number(4, first + i, float(criteria.leaf_of(code).max), header)
    for j in range(len(totals)):
        sheet.write_blank(4, first + len(leaves) + j, None, header)
    plain_fmt = styles.number(3)
    changed = styles.number(3, bg_color=CHANGED_FILL)
    na_fmt = styles.get(border=1, bg_color=NA_FILL, align="center", font_size=9)
    missing = styles.get(border=1, bg_color=ERROR_FILL, align="center")
    text = styles.text()
    number = styles.number()
    r = 4
    for unit in block.units:
        r += 1
        sheet.write_string(r, 0, unit.code, text)
        sheet.write_string(r, 1, unit.name, text)
        for i, code in enumerate(leaves):
            result = unit.leaves.get(code)
            c = first + i
            if result is None or result.missing:
                sheet.write_string(r, c, "–", missing)
            elif result.na:
                sheet.write_string(r, c, "KAD", na_fmt)
            else:
                fmt = changed if result.changed_by_appraisal else plain_fmt
                sheet.write_number(r, c, float(result.points), fmt)
        ok = unit.status == STATUS_OK
        write_value(sheet, r, first + len(leaves), unit.points, number)
        write_value(sheet, r, first + len(leaves) + 1, unit.max_points, number)
        write_value(sheet, r, first + len(leaves) + 2, unit.index_published if ok else "Lỗi",
                    number)
    sheet.freeze_panes(5, 2)
    a4_landscape(sheet, repeat_rows=(3, 4))
    # Too many columns for one page: print across pages, repeating code and name.
    sheet.fit_to_pages(0, 0)
    sheet.repeat_columns(0, 1)


def _differences_sheet(workbook: Any, styles: Styles, run: ScoreRun, name: str) -> None:
    sheet = workbook.add_worksheet(name)
    headers = [("Khối", 14), ("Mã đơn vị", 10), ("Đơn vị", 26), ("Mã tiêu chí", 9),
               ("Tiêu chí", 36), ("Tự đánh giá", 18), ("Điểm tự đánh giá", 9),
               ("Thẩm định", 18), ("Điểm thẩm định", 9), ("Chênh lệch", 9), ("Vòng", 6),
               ("Cơ quan thẩm định", 16), ("Nhận xét", 36), ("Nguồn", 34)]
    title_row(sheet, styles, f"CÁC TIÊU CHÍ CÓ KẾT QUẢ THẨM ĐỊNH KHÁC TỰ ĐÁNH GIÁ — NĂM {run.year}",
           len(headers) - 1)
    header_row(sheet, styles, 2, headers)
    text, number = styles.text(), styles.number()
    appraisers = run.workspace.settings.appraisers
    r = 2
    for block in run.scores.blocks:
        criteria = block.criteria
        if criteria is None:
            continue
        for unit in block.units:
            for result in unit.leaves.values():
                if not result.changed_by_appraisal:
                    continue
                r += 1
                own = result.own
                before = own_points(result, criteria)
                after = None if result.na else result.points
                delta = exact_sub(after or ZERO, before or ZERO)
                leaf = criteria.leaf(result.code)
                where = f"{result.file}, {result.sheet}!{result.cell or result.na_cell or ''}"
                values: list[tuple[Any, Any]] = [
                    (block.name, text), (unit.code, text), (unit.name, text),
                    (result.code, text), (leaf.name if leaf else "", text),
                    (_entry_text({i.key: i.value for i in own.inputs} if own.inputs is not None
                                 else own.value, own.na) if own else "(không có)", text),
                    (before, number),
                    (_entry_text(result.input, result.na), text),
                    (after, number), (delta, number), (result.round, text),
                    (appraisers.get(result.appraiser or "", result.appraiser), text),
                    (result.comment, text), (where, text),
                ]
                for c, (value, fmt) in enumerate(values):
                    write_value(sheet, r, c, value, fmt)
    sheet.freeze_panes(3, 4)
    sheet.autofilter(2, 0, max(r, 3), len(headers) - 1)
    a4_landscape(sheet, repeat_rows=(2, 2))


SEVERITY_TEXT = {"error": "Lỗi", "warning": "Cảnh báo"}


def write_issue_sheet(workbook: Any, styles: Styles, issues: Iterable[Issue], name: str, *,
                      title: str | None = None) -> None:
    sheet = workbook.add_worksheet(name)
    headers = [("STT", 5), ("Mức độ", 9), ("Mã vấn đề", 22), ("Tệp", 36), ("Trang", 12),
               ("Ô / dòng", 8), ("Đơn vị", 10), ("Tiêu chí", 9), ("Nội dung", 70)]
    title_row(sheet, styles, title or "CÁC VẤN ĐỀ TRONG DỮ LIỆU ĐẦU VÀO", len(headers) - 1)
    header_row(sheet, styles, 2, headers)
    text = styles.text()
    error = styles.text(bg_color=ERROR_FILL)
    r = 2
    for r, item in enumerate(issues, start=3):
        where = item.cell or (f"dòng {item.line}" if item.line else "")
        values = [r - 2, SEVERITY_TEXT.get(item.severity.value, item.severity.value),
                  item.code, item.file or "", item.sheet or "", where, item.unit or "",
                  item.criterion or "", item.message]
        for c, value in enumerate(values):
            write_value(sheet, r, c, value, error if (c == 1 and item.is_error) else text)
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, max(r, 3), len(headers) - 1)
    a4_landscape(sheet, repeat_rows=(2, 2))


def sources_rows(run: Any, extra: list[list[Any]] | None = None) -> list[list[Any]]:
    """The provenance of a result: settings, criteria fingerprints, every input's sha256.

    ``extra`` rows (label, value) are added to the settings block.
    """
    settings = run.workspace.settings
    rows: list[list[Any]] = [
        ["Thông tin", "Giá trị", ""],
        ["Tỉnh", settings.province, ""],
        ["Năm đánh giá", run.year, ""],
        ["Thời điểm tính", run.as_of.isoformat(sep=" "), ""],
        ["Phiên bản cchc", __version__, ""],
        ["Số chữ số thập phân công bố", settings.precision, ""],
        ["Quy tắc đồng hạng", {"competition": "competition (1, 2, 2, 4)",
                               "dense": "dense (1, 2, 2, 3)"}[settings.ranking.ties], ""],
        ["Làm tròn", "nửa lên (half-up), chỉ ở giá trị công bố", ""],
        *[[label, value, ""] for label, value in (extra or [])],
        ["", "", ""],
        ["Bộ tiêu chí (khối)", "Mã bộ tiêu chí / tệp", "Dấu vân tay (sha256)"],
    ]
    for block, criteria in sorted(run.inputs.sets.items()):
        rows.append([block, f"{criteria.id} ({criteria.file})", criteria.fingerprint])
    rows += [["", "", ""], ["Tệp đầu vào", "Loại", "sha256"]]
    register = run.inputs.register
    if register is not None:
        rows.append([register.file, "danh sách đơn vị", _sha256_of(run, register.file)])
    kinds = {"self": "tự đánh giá", "appraisal": "thẩm định", "survey": "khảo sát",
             None: "không nhận dạng"}
    for item in run.inputs.files:
        rows.append([item.file, kinds.get(item.kind, item.kind), item.sha256 or "(không đọc được)"])
    return rows


def _sha256_of(run: Any, rel: str) -> str:
    import hashlib

    path = run.workspace.root / rel
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "(không đọc được)"


def write_sources_sheet(workbook: Any, styles: Styles, rows: list[list[Any]], name: str) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 1, 44)
    sheet.set_column(2, 2, 68)
    title_row(sheet, styles, "NGUỒN DỮ LIỆU VÀ CÁCH TÍNH", 2)
    text = styles.text()
    bold = styles.text(bold=True, bg_color="#DDEBF7")
    for r, row in enumerate(rows, start=2):
        is_head = row[0] in ("Thông tin", "Bộ tiêu chí (khối)", "Tệp đầu vào")
        for c, value in enumerate(row):
            write_value(sheet, r, c, value, bold if is_head else text)
    a4_landscape(sheet)

