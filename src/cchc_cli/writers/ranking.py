"""``results/Y/xep-hang-Y.xlsx`` (SPEC §10.2): the tables that go into the decision."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_cli.cells import column_letter
from cchc_cli.numbers import round_half_up
from cchc_cli.ranking import BlockRanking, change_text
from cchc_cli.scoring import STATUS_OK
from cchc_cli.summary import BlockSummary, summarize
from cchc_cli.writers.atomic import atomic_path
from cchc_cli.writers.scores import (
    sheet_title,
    sources_rows,
    write_issue_sheet,
    write_sources_sheet,
)
from cchc_cli.writers.xlsx import (
    Styles,
    a4_landscape,
    header_row,
    new_workbook,
    title_row,
    write_value,
)

if TYPE_CHECKING:
    from cchc_cli.api import RankRun

# Row colours by band position (first band = best).
BAND_FILLS = ["#C6EFCE", "#DDEBF7", "#FFF2CC", "#FCE4D6", "#FFC7CE", "#E7E6E6"]
HEADER_ROW = 3
CHART_MAX_UNITS = 40


def write_ranking_workbook(path: Path, run: RankRun) -> None:
    ranking = run.ranked
    precision = ranking.precision
    summaries = summarize(ranking)
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, constant_memory=True)
        styles = Styles(workbook, precision=precision)
        used: set[str] = set()
        for block in ranking.blocks:
            _block_sheet(workbook, styles, run, block, sheet_title(block.name, used))
        _summary_sheet(workbook, styles, run, summaries, sheet_title("Tổng hợp", used))
        _areas_sheet(workbook, styles, run, summaries, sheet_title("Lĩnh vực", used))
        write_issue_sheet(workbook, styles, run.issues, sheet_title("Vấn đề", used))
        rows = sources_rows(run, [["Xếp hạng năm trước", previous_text(ranking.previous)]])
        write_sources_sheet(workbook, styles, rows, sheet_title("Nguồn", used))
        workbook.close()


def previous_text(previous: Any) -> str:
    if previous is None:
        return "không có (không so sánh thứ hạng)"
    if previous.source == "inputs":
        return f"tính lại từ dữ liệu năm {previous.year} ({previous.file})"
    return f"đọc từ tệp {previous.file}"


def _block_sheet(workbook: Any, styles: Styles, run: RankRun, block: BlockRanking,
                 name: str) -> None:
    sheet = workbook.add_worksheet(name)
    ranking = run.ranked
    criteria = block.criteria
    areas = list(criteria.areas) if criteria is not None else []
    names = {code: criteria.nodes[code] for code in areas} if criteria is not None else {}
    headers: list[tuple[str, float]] = [("STT", 5), ("Mã", 9), ("Đơn vị", 34)]
    for code in areas:
        node = names[code]
        headers.append((f"Lĩnh vực {code} ({_plain(node.max)} điểm)", 10))
    headers += [("Tổng điểm", 9), ("Điểm tối đa áp dụng", 9), ("Chỉ số (%)", 9),
                ("Xếp hạng", 8), ("Xếp hạng năm trước", 9), ("Tăng/giảm bậc", 14),
                ("Tăng/giảm (số bậc)", 9), ("Xếp loại", 11), ("Đánh giá người đứng đầu", 26)]
    last = len(headers) - 1
    first_total = 3 + len(areas)
    col_index = first_total + 2
    col_band = last - 1
    title_row(sheet, styles, f"KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM"
              f" {ranking.year} — {block.name.upper()}", last)
    ties = "1, 2, 2, 4" if ranking.ties == "competition" else "1, 2, 2, 3"
    basis = (f"chỉ số đã làm tròn {ranking.precision} chữ số" if ranking.basis != "exact"
             else "chỉ số chính xác (chưa làm tròn)")
    sheet.merge_range(1, 0, 1, last, f"Xếp hạng theo {basis}; đơn vị bằng chỉ số đồng hạng"
                      f" (kiểu {ties}).", styles.get(italic=True, align="center"))
    header_row(sheet, styles, HEADER_ROW, headers, height=48)
    text, number = styles.text(), styles.number()
    center = styles.text(align="center")
    r = HEADER_ROW
    for r, entry in enumerate(block.entries, start=HEADER_ROW + 1):
        unit = entry.unit
        ok = unit.status == STATUS_OK
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
            (unit.index_published if ok else "Lỗi", number),
            (entry.rank, center),
            (entry.previous_rank, center),
            (change_text(entry), text),
            (entry.rank_change, center),
            (entry.band, text),
            (entry.leader_rating, text),
        ]
        for c, (value, fmt) in enumerate(values):
            write_value(sheet, r, c, value, fmt)
    end = max(r, HEADER_ROW + 1)
    band_letter = column_letter(col_band)
    for position, band in enumerate(block.bands):
        fill = BAND_FILLS[min(position, len(BAND_FILLS) - 1)]
        sheet.conditional_format(HEADER_ROW + 1, 0, end, last, {
            "type": "formula",
            "criteria": f'=${band_letter}{HEADER_ROW + 2}="{band.label.replace(chr(34), "")}"',
            "format": workbook.add_format({"bg_color": fill}),
        })
    sheet.freeze_panes(HEADER_ROW + 1, 3)
    sheet.autofilter(HEADER_ROW, 0, end, last)
    a4_landscape(sheet, repeat_rows=(HEADER_ROW, HEADER_ROW))
    # The areas' names, spelled out under the table.
    legend = styles.get(italic=True, font_size=10)
    r = end + 1
    for code in areas:
        r += 1
        sheet.write_string(r, 1, f"Lĩnh vực {code}: {names[code].name}", legend)
    _chart(workbook, sheet, run, block, name, col_index, r)


def _chart(workbook: Any, sheet: Any, run: RankRun, block: BlockRanking, sheet_name: str,
           col_index: int, end: int) -> None:
    ranked = [e for e in block.entries if e.rank is not None]
    if not ranked:
        return
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
        "data_labels": {"value": True, "num_format": "0." + "0" * run.ranked.precision
                        if run.ranked.precision else "0"},
        "fill": {"color": "#2E75B6"},
        "gap": 40,
    })
    lowest = min(e.unit.index_published or 0 for e in shown)
    floor = max(0, int(lowest // 10) * 10 - 10)
    title = f"Chỉ số CCHC năm {run.year} — {block.name}"
    if len(shown) < len(ranked):
        title += f" ({len(shown)} đơn vị dẫn đầu / {len(ranked)})"
    chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    chart.set_x_axis({"min": floor, "max": 100, "num_format": "0",
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 760, "height": max(260, 22 * len(shown) + 90)})
    sheet.insert_chart(end + 3, 1, chart)


def _plain(value: Decimal) -> str:
    from cchc_cli.numbers import vi

    return vi(value)


def _summary_sheet(workbook: Any, styles: Styles, run: RankRun,
                   summaries: list[BlockSummary], name: str) -> None:
    sheet = workbook.add_worksheet(name)
    labels: list[str] = []
    for summary in summaries:
        labels += [label for label in summary.counts if label not in labels]
    headers = [("Khối", 30), ("Số đơn vị", 9)] + [(label, 10) for label in labels] + [
        ("Không xếp hạng", 10), ("Chỉ số bình quân (%)", 11), ("Cao nhất (%)", 10),
        ("Thấp nhất (%)", 10)]
    title_row(sheet, styles, f"TỔNG HỢP XẾP LOẠI CHỈ SỐ CCHC NĂM {run.year}",
              len(headers) - 1)
    header_row(sheet, styles, 2, headers)
    text, number, center = styles.text(), styles.number(), styles.text(align="center")
    precision = run.ranked.precision
    r = 2
    for r, summary in enumerate(summaries, start=3):
        indices = [e.unit.index_published for e in summary.ranked
                   if e.unit.index_published is not None]
        values: list[tuple[Any, Any]] = [
            (summary.name, text), (len(summary.ranked) + len(summary.unranked), center)]
        values += [(summary.counts.get(label, 0), center) for label in labels]
        values += [
            (len(summary.unranked), center),
            (round_half_up(summary.average, precision) if summary.average is not None
             else None, number),
            (max(indices) if indices else None, number),
            (min(indices) if indices else None, number),
        ]
        for c, (value, fmt) in enumerate(values):
            write_value(sheet, r, c, value, fmt)
    a4_landscape(sheet, repeat_rows=(2, 2))


def _areas_sheet(workbook: Any, styles: Styles, run: RankRun, summaries: list[BlockSummary],
                 name: str) -> None:
    sheet = workbook.add_worksheet(name)
    headers = [("Khối", 30), ("Mã lĩnh vực", 9), ("Lĩnh vực", 60),
               ("Chỉ số thành phần bình quân (%)", 14), ("Số đơn vị", 9)]
    title_row(sheet, styles, f"CHỈ SỐ THÀNH PHẦN BÌNH QUÂN THEO LĨNH VỰC NĂM {run.year}",
              len(headers) - 1)
    header_row(sheet, styles, 2, headers)
    text, number, center = styles.text(), styles.number(), styles.text(align="center")
    precision = run.ranked.precision
    r = 2
    for summary in summaries:
        for area in summary.areas:
            r += 1
            average = (round_half_up(area.average_index, precision)
                       if area.average_index is not None else None)
            for c, (value, fmt) in enumerate([(summary.name, text), (area.code, center),
                                              (area.name, text), (average, number),
                                              (area.units, center)]):
                write_value(sheet, r, c, value, fmt)
    sheet.autofilter(2, 0, max(r, 3), len(headers) - 1)
    a4_landscape(sheet, repeat_rows=(2, 2))
