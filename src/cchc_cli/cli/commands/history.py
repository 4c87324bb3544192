from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cchc_cli.cli.common import (
    DebugOpt,
    FormatOpt,
    OutputFormat,
    WorkspaceOpt,
    emit_json,
    esc,
    guard,
    stdout_console,
)

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc history                    # mọi đơn vị, mọi năm đã ghi
    cchc history --block huyen
    cchc history --unit STP --format json
"""

BARS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 30


def history(
    unit: Annotated[
        str | None,
        typer.Option("--unit", "-u", metavar="MÃ_ĐƠN_VỊ", show_default=False,
                     help="Chỉ một đơn vị (mã năm nay hoặc mã cũ trước khi đổi tên)."),
    ] = None,
    block: Annotated[
        str | None,
        typer.Option("--block", "-b", metavar="KHỐI", show_default=False,
                     help="Chỉ các đơn vị của một khối, ví dụ so-nganh."),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    debug: DebugOpt = False,
) -> None:
    """Thứ hạng và chỉ số của từng đơn vị qua các năm đã ghi trong cơ sở dữ liệu kết quả
    (cchc publish), theo dấu đơn vị đổi tên qua Mã năm trước. Trên cùng là các thành
    tích liên tiếp đến năm mới nhất ("đứng đầu khối năm thứ 3 liên tiếp", "3 năm liên
    tiếp tăng bậc", xếp loại cao nhất nhiều năm liền); mọi chuỗi (kể cả xếp loại khác)
    ở cột cuối của bảng và trong JSON."""
    from cchc_cli import api

    with guard(debug):
        report = api.history(workspace, unit=unit, block=block)
    if output is OutputFormat.json:
        emit_json(report.to_dict())
        return
    console = stdout_console()
    console.print(f"Cơ sở dữ liệu {esc(report.database)}: các năm"
                  f" {', '.join(map(str, report.years))}.")
    render_streaks(console, report)
    if unit is not None:
        for series in report.series:
            render_unit(console, report, series)
        return
    render_blocks(console, report)
    render_trends(console, report)


def render_trends(console: Any, report: Any) -> None:
    """Each block over the years: ranked units, mean index and its change, range."""
    from rich.table import Table

    if not report.trends:
        return
    table = Table(title="Chỉ số của các khối qua các năm", title_justify="left")
    for title, right in (("Khối", False), ("Năm", True), ("Số đơn vị", True),
                         ("Bình quân", True), ("So với năm trước", True),
                         ("Cao nhất", True), ("Thấp nhất", True)):
        table.add_column(title, justify="right" if right else "left")
    for trend in report.trends:
        for i, year in enumerate(trend.years):
            change = year.change
            moved = "–" if change is None else (
                ("+" if change > 0 else "") + published(change))
            table.add_row(esc(trend.name) if i == 0 else "", str(year.year), str(year.units),
                          published(year.mean), moved, published(year.highest),
                          published(year.lowest))
    console.print(table)


def render_streaks(console: Any, report: Any) -> None:
    """The headline: first places, rising units and the highest band kept (every streak
    is in the tables' last column and in the JSON)."""
    found = [(s, found) for s in report.series if (found := report.notable(s))]
    console.print()
    if not found:
        console.print(f"[bold]Thành tích liên tiếp đến năm {report.latest}:[/] chưa có"
                      " (đứng đầu khối, tăng bậc hay xếp loại cao nhất từ hai năm liền).")
        return
    console.print(f"[bold]Thành tích liên tiếp đến năm {report.latest}:[/]")
    for series, streaks in found:
        texts = "; ".join(s.text for s in streaks)
        console.print(f"  [green]•[/] {esc(series.last.name)} ({esc(series.last.code)}):"
                      f" [bold]{esc(texts)}[/]")


def published(index: Any) -> str:
    """The index as it was published, its decimals kept: '90,00'."""
    return "–" if index is None else format(index, "f").replace(".", ",")


def _cell(entry: Any) -> str:
    return "" if entry is None else f"{entry.rank or '–'} · {published(entry.index)}"


def sparkline(values: list[Any], low: Any, high: Any) -> str:
    """'▃▅█': each year's index on one scale for the whole block."""
    span = (high - low) or 1
    return "".join(" " if v is None else BARS[min(len(BARS) - 1, int((v - low) / span
                                                                      * len(BARS)))]
                   for v in values)


def render_blocks(console: Any, report: Any) -> None:
    from rich.table import Table

    by_block: dict[str, list[Any]] = {}
    for series in report.series:
        by_block.setdefault(series.last.block, []).append(series)
    for block, members in by_block.items():
        known = [e.index for s in members for e in s.years if e.index is not None]
        low, high = (min(known), max(known)) if known else (0, 1)
        table = Table(title=esc(f"{report.block_names.get(block, block)} — hạng · chỉ số"),
                      title_justify="left")
        table.add_column("Mã")
        table.add_column("Đơn vị")
        for year in report.years:
            table.add_column(str(year), justify="right")
        table.add_column("Xu hướng")
        table.add_column("Chuỗi hiện tại")
        for series in members:
            by_year = {e.year: e for e in series.years}
            values = [by_year[y].index if y in by_year else None for y in report.years]
            name = esc(series.last.name)
            if not report.current(series):
                name += f" [dim](đến năm {series.last.year})[/]"
            table.add_row(esc(series.last.code), name,
                          *[esc(_cell(by_year.get(y))) for y in report.years],
                          sparkline(values, low, high),
                          esc("; ".join(s.text for s in report.streaks(series))))
        console.print(table)


def render_unit(console: Any, report: Any, series: Any) -> None:
    """One unit, year by year, with a bar of its index."""
    from rich.table import Table

    last = series.last
    console.print(f"\n[bold]{esc(last.name)}[/] ({esc(last.code)}) —"
                  f" {esc(report.block_names.get(last.block, last.block))}")
    table = Table(show_edge=False)
    for name, right in (("Năm", False), ("Mã", False), ("Hạng", True), ("Chỉ số", True),
                        ("Xếp loại", False), ("", False)):
        table.add_column(name, justify="right" if right else "left")
    for entry in series.years:
        index = entry.index
        bar = "█" * round(float(index) / 100 * BAR_WIDTH) if index is not None else ""
        table.add_row(str(entry.year), esc(entry.code), str(entry.rank or "–"),
                      published(index), esc(entry.band or "–"),
                      f"[blue]{bar}[/]")
    console.print(table)
