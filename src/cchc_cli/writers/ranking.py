"""``results/Y/xep-hang-Y.xlsx`` (SPEC §10.2): the tables that go into the decision.

Each block's sheet prints at A4 landscape: fitted to the page width when that keeps the
type readable, else across two pages (points, then ranks and ratings) with the unit
columns repeated. Its chart starts on a page of its own when a page break would cut it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.cells import column_letter
from cchc_cli.numbers import round_half_up
from cchc_cli.ranking import BlockRanking, YearRanking, change_text
from cchc_cli.record import YearResult
from cchc_cli.scoring import STATUS_OK
from cchc_cli.summary import BlockSummary, summarize
from cchc_cli.writers.atomic import atomic_path
from cchc_cli.writers.scores import (
    result_styles,
    sources_rows,
    write_issue_sheet,
    write_sources_sheet,
)
from cchc_cli.writers.xlsx import (
    DEFAULT_ROW_POINTS,
    PAGE_HEIGHT_POINTS,
    RESULT_FONT_SIZE,
    Styles,
    apply_print,
    chart_breaks,
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

# Row colours by band position (first band = best).
BAND_FILLS = ["#C6EFCE", "#DDEBF7", "#FFF2CC", "#FCE4D6", "#FFC7CE", "#E7E6E6"]
HEADER_ROW = 3
HEADER_POINTS = 60.0
CHART_MAX_UNITS = 40
# Widths chosen so that a block with the usual 8 areas fits one A4 landscape page wide
# at 80 % or more (see xlsx.plan_pages); a wider one prints across two pages.
UNIT_WIDTHS = [("STT", 3.5), ("Mã", 8), ("Đơn vị", 24)]
AREA_WIDTH = 5.5
TOTAL_HEADERS = [("Tổng điểm", 7), ("Điểm tối đa áp dụng", 7), ("Chỉ số (%)", 7)]
RANK_HEADERS = [("Xếp hạng", 6), ("Xếp hạng năm trước", 6), ("Tăng/giảm bậc", 10),
                ("Tăng/giảm (số bậc)", 5), ("Xếp loại", 9), ("Đánh giá người đứng đầu", 20)]


def write_ranking_workbook(path: Path, result: YearResult) -> None:
    ranking = result.ranking
    if ranking is None:  # pragma: no cover - rank always ranks
        raise ValueError("the ranking workbook needs a ranked year")
    summaries = summarize(ranking)
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, constant_memory=True, font_size=RESULT_FONT_SIZE)
        styles = result_styles(workbook, ranking.precision)
        used: set[str] = set()
        for block in ranking.blocks:
            _block_sheet(workbook, styles, result, ranking, block, sheet_title(block.name, used))
        _summary_sheet(workbook, styles, result, summaries, sheet_title("Tổng hợp", used))
        _areas_sheet(workbook, styles, result, summaries, sheet_title("Lĩnh vực", used))
        write_issue_sheet(workbook, styles, result.issues, sheet_title("Vấn đề", used))
        rows = sources_rows(result, [["Xếp hạng năm trước", previous_text(ranking.previous)]])
        write_sources_sheet(workbook, styles, rows, sheet_title("Nguồn", used))
        workbook.close()


def previous_text(previous: Any) -> str:
    if previous is None:
        return "không có (không so sánh thứ hạng)"
    if previous.source == "inputs":
        return f"tính lại từ dữ liệu năm {previous.year} ({previous.file})"
    return f"đọc từ tệp {previous.file}"


def _block_sheet(workbook: Any, styles: Styles, result: YearResult, ranking: YearRanking,
                 block: BlockRanking, name: str) -> None:
    sheet = workbook.add_worksheet(name)
    criteria = block.criteria
    areas = list(criteria.areas) if criteria is not None else []
    nodes = {code: criteria.nodes[code] for code in areas} if criteria is not None else {}
    headers: list[tuple[str, float]] = list(UNIT_WIDTHS)
    # A code never wraps in the middle (SLDTBXH): its column fits the longest.
    longest = max((len(e.unit.code) for e in block.entries), default=3)
    headers[1] = ("Mã", max(headers[1][1], min(16.0, 1.3 * longest + 1)))
    for code in areas:
        headers.append((f"Lĩnh vực {code} ({_plain(nodes[code].max)} điểm)", AREA_WIDTH))
    headers += TOTAL_HEADERS + RANK_HEADERS
    widths = [w for _, w in headers]
    last = len(headers) - 1
    first_total = len(UNIT_WIDTHS) + len(areas)
    col_index = first_total + 2
    col_band = last - 1
    title = (f"KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {ranking.year}"
             f" — {block.name.upper()}")
    plan = plan_pages(widths, unit_columns=len(UNIT_WIDTHS),
                      groups=[first_total + len(TOTAL_HEADERS)])
    span = plan.first_page_end(len(widths))
    title_row(sheet, styles, title, span)
    ties = "1, 2, 2, 4" if ranking.ties == "competition" else "1, 2, 2, 3"
    basis = (f"chỉ số đã làm tròn {ranking.precision} chữ số" if ranking.basis != "exact"
             else "chỉ số chính xác (chưa làm tròn)")
    sheet.merge_range(1, 0, 1, span, f"Xếp hạng theo {basis}; đơn vị bằng chỉ số đồng hạng"
                      f" (kiểu {ties}).", styles.get(italic=True, align="center"))
    # The areas' names, spelled out above the table (below it, they would fall on the
    # chart's page, under a repeated header row).
    legend = "; ".join(f"Lĩnh vực {code}: {nodes[code].name}" for code in areas)
    legend_points = row_height([(legend, sum(widths[: span + 1]) * 1.1)], line=13)
    if areas:
        sheet.set_row(2, legend_points)
        sheet.merge_range(2, 0, 2, span, legend,
                          styles.get(italic=True, font_size=10, text_wrap=True, valign="top"))
    header_row(sheet, styles, HEADER_ROW, headers, height=HEADER_POINTS)
    text, number = styles.text(), styles.number()
    index = styles.index()
    center = styles.text(align="center")
    rows_height = 24 + DEFAULT_ROW_POINTS + legend_points + HEADER_POINTS
    r = HEADER_ROW
    for r, entry in enumerate(block.entries, start=HEADER_ROW + 1):
        unit = entry.unit
        ok = unit.status == STATUS_OK
        change = change_text(entry)
        rows_height += fit_height(sheet, r, [(unit.name, widths[2]), (change, widths[-4]),
                                             (entry.leader_rating or "", widths[-1])])
        values: list[tuple[Any, Any]] = [(r - HEADER_ROW, center), (unit.code, text),
                                         (unit.name, text)]
        for code in areas:
            totals = unit.nodes.get(code)
            leaf = unit.leaves.get(code)
            value = totals.points if totals is not None else (leaf.points if leaf else None)
            values.append((value if ok else None, number))
        values += [
            (unit.points if ok else None, number),
            (unit.max_points if ok else None, number),
            (unit.index_published if ok else "Lỗi", index),
            (entry.rank, center),
            (entry.previous_rank, center),
            (change, text),
            (entry.rank_change, center),
            (entry.band, text),
            (entry.leader_rating, text),
        ]
        for c, (value, fmt) in enumerate(values):
            write_value(sheet, r, c, value, fmt)
    end = max(r, HEADER_ROW + 1)
    _band_colours(workbook, sheet, block, end, last, col_band)
    sheet.freeze_panes(HEADER_ROW + 1, len(UNIT_WIDTHS))
    sheet.autofilter(HEADER_ROW, 0, end, last)
    # The header row repeats only for a table longer than a page: a chart alone on its
    # page is not printed under a header row.
    long_table = rows_height * plan.scale > PAGE_HEIGHT_POINTS
    apply_print(sheet, plan, title=title,
                repeat_rows=(HEADER_ROW, HEADER_ROW) if long_table else None,
                unit_columns=len(UNIT_WIDTHS))
    _chart(workbook, sheet, result, block, name, col_index, end + 2, rows_height, plan.scale)


def _band_colours(workbook: Any, sheet: Any, block: BlockRanking, end: int, last: int,
                  col_band: int) -> None:
    band_letter = column_letter(col_band)
    for position, band in enumerate(block.bands):
        fill = BAND_FILLS[min(position, len(BAND_FILLS) - 1)]
        sheet.conditional_format(HEADER_ROW + 1, 0, end, last, {
            "type": "formula",
            "criteria": f'=${band_letter}{HEADER_ROW + 2}="{band.label.replace(chr(34), "")}"',
            "format": workbook.add_format({"bg_color": fill}),
        })


def _chart(workbook: Any, sheet: Any, result: YearResult, block: BlockRanking,
           sheet_name: str, col_index: int, row: int, rows_height: float, scale: float
           ) -> None:
    ranked = [e for e in block.entries if e.rank is not None]
    if not ranked:
        return
    precision = result.precision
    # Hundreds of bars are unreadable: a large block's chart shows its leading units
    # (the table above is sorted by rank, so they are the first rows).
    shown = ranked[:CHART_MAX_UNITS]
    first, last = HEADER_ROW + 1, HEADER_ROW + len(shown)
    quoted = "'" + sheet_name.replace("'", "''") + "'"
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series({
        "name": "Chỉ số CCHC",
        "categories": f"={quoted}!$C${first + 1}:$C${last + 1}",
        "values": f"={quoted}!${column_letter(col_index)}${first + 1}:"
                  f"${column_letter(col_index)}${last + 1}",
        "data_labels": {"value": True, "num_format": "0." + "0" * precision
                        if precision else "0"},
        "fill": {"color": "#2E75B6"},
        "gap": 40,
    })
    title = f"Chỉ số CCHC năm {result.year} — {block.name}"
    if len(shown) < len(ranked):
        title += f" ({len(shown)} đơn vị dẫn đầu / {len(ranked)})"
    chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    # From 0, so that bar lengths compare honestly.
    chart.set_x_axis({"min": 0, "max": 100, "num_format": "0",
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    chart.set_legend({"none": True})
    height = min(620, max(260, 15 * len(shown) + 100))
    chart.set_size({"width": 760, "height": height})
    anchor = chart_breaks(sheet, rows_above=rows_height + DEFAULT_ROW_POINTS * 2,
                          chart_points=height * 0.75, scale=scale, row=row)
    sheet.insert_chart(anchor, 1, chart)


def _plain(value: Decimal) -> str:
    from cchc_cli.numbers import vi

    return vi(value)


def _summary_sheet(workbook: Any, styles: Styles, result: YearResult,
                   summaries: list[BlockSummary], name: str) -> None:
    sheet = workbook.add_worksheet(name)
    ranking: YearRanking = result.ranking  # type: ignore[assignment]
    labels: list[str] = []
    for summary in summaries:
        labels += [label for label in summary.counts if label not in labels]
    headers = [("Khối", 28), ("Số đơn vị", 8)] + [(label, 9) for label in labels] + [
        ("Không xếp hạng", 9), ("Chỉ số bình quân (%)", 10),
        (f"Bình quân năm {ranking.year - 1} (%)", 10), ("Cao nhất (%)", 9),
        ("Thấp nhất (%)", 9)]
    widths = [w for _, w in headers]
    title = f"TỔNG HỢP XẾP LOẠI CHỈ SỐ CCHC NĂM {result.year}"
    title_row(sheet, styles, title, len(headers) - 1)
    header_row(sheet, styles, 2, headers, height=45)
    text, center = styles.text(), styles.text(align="center")
    index = styles.index()
    precision = ranking.precision

    def rounded(value: Decimal | None) -> Decimal | None:
        return round_half_up(value, precision) if value is not None else None

    r = 2
    for r, summary in enumerate(summaries, start=3):
        indices = [e.unit.index_published for e in summary.ranked
                   if e.unit.index_published is not None]
        fit_height(sheet, r, [(summary.name, widths[0])])
        values: list[tuple[Any, Any]] = [
            (summary.name, text), (len(summary.ranked) + len(summary.unranked), center)]
        values += [(summary.counts.get(label, 0), center) for label in labels]
        values += [
            (len(summary.unranked), center),
            (rounded(summary.average), index),
            (rounded(summary.previous_average), index),
            (max(indices) if indices else None, index),
            (min(indices) if indices else None, index),
        ]
        for c, (value, fmt) in enumerate(values):
            write_value(sheet, r, c, value, fmt)
    print_setup(sheet, widths, title=title, repeat_rows=(2, 2))


def _areas_sheet(workbook: Any, styles: Styles, result: YearResult,
                 summaries: list[BlockSummary], name: str) -> None:
    sheet = workbook.add_worksheet(name)
    headers = [("Khối", 24), ("Mã lĩnh vực", 8), ("Lĩnh vực", 54),
               ("Chỉ số thành phần bình quân (%)", 14), ("Số đơn vị", 8)]
    widths = [w for _, w in headers]
    title = f"CHỈ SỐ THÀNH PHẦN BÌNH QUÂN THEO LĨNH VỰC NĂM {result.year}"
    title_row(sheet, styles, title, len(headers) - 1)
    header_row(sheet, styles, 2, headers, height=45)
    text, center = styles.text(), styles.text(align="center")
    precision = result.precision
    index = styles.index()
    r = 2
    for summary in summaries:
        for area in summary.areas:
            r += 1
            average = (round_half_up(area.average_index, precision)
                       if area.average_index is not None else None)
            fit_height(sheet, r, [(summary.name, widths[0]), (area.name, widths[2])])
            for c, (value, fmt) in enumerate([(summary.name, text), (area.code, center),
                                              (area.name, text), (average, index),
                                              (area.units, center)]):
                write_value(sheet, r, c, value, fmt)
    sheet.autofilter(2, 0, max(r, 3), len(headers) - 1)
    print_setup(sheet, widths, title=title, repeat_rows=(2, 2))
