from __future__ import annotations

from pathlib import Path
from typing import Any

from cchc_cli.cli.common import (
    AllowErrorsOpt,
    AsOfOpt,
    DebugOpt,
    FormatOpt,
    JobsOpt,
    OutputFormat,
    QuietOpt,
    WorkspaceOpt,
    YearOpt,
    esc,
    finish_run,
    guard,
    progress_bar,
    resolve_year,
)

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc rank                       # năm mới nhất, thư mục hiện tại
    cchc rank -w tinh-mau -y 2023
    cchc rank -y 2023 --allow-errors   # vẫn xếp hạng khi có đơn vị lỗi
"""


def rank(
    year: YearOpt = None,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    allow_errors: AllowErrorsOpt = False,
    as_of: AsOfOpt = None,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Chấm điểm, xếp hạng từng khối, so với năm trước, xếp loại và đánh giá người đứng
    đầu; ghi results/<năm>/xep-hang-<năm>.xlsx."""
    from cchc_cli import api

    with guard(debug), progress_bar(quiet) as progress:
        year = resolve_year(workspace, year)
        run = api.rank(workspace, year=year, jobs=jobs, progress=progress,
                       allow_errors=allow_errors, as_of=as_of)
    finish_run(run, output, render=render_ranking,
               blocked="chưa ghi kết quả xếp hạng (dùng --allow-errors để vẫn ghi, đơn vị"
               " lỗi sẽ không được xếp hạng).")


# A block of hundreds of communes is read in the workbook, not on a terminal: beyond
# this many units, the table shows the head and the tail of the ranking.
TERMINAL_ROWS = 40
TERMINAL_HEAD, TERMINAL_TAIL = 20, 10


def render_ranking(console: Any, run: Any) -> None:
    from rich.table import Table

    from cchc_cli.numbers import vi
    from cchc_cli.ranking import change_text

    ranking = run.ranking
    previous = ranking.previous
    for block in ranking.blocks:
        entries = block.entries
        hidden = 0
        if len(entries) > TERMINAL_ROWS:
            hidden = len(entries) - TERMINAL_HEAD - TERMINAL_TAIL
            entries = [*entries[:TERMINAL_HEAD], None, *entries[-TERMINAL_TAIL:]]
        title = f"{block.name} — năm {ranking.year}"
        if previous is not None:
            title += f" (so với năm {previous.year})"
        table = Table(title=esc(title), title_justify="left")
        for name, right in (("Hạng", True), ("Mã", False), ("Đơn vị", False),
                            ("Chỉ số", True), ("Năm trước", True), ("Thay đổi", False),
                            ("Xếp loại", False), ("Người đứng đầu", False)):
            table.add_column(name, justify="right" if right else "left")
        for entry in entries:
            if entry is None:
                table.add_row("…", "", f"[dim]… {hidden} đơn vị nữa (xem tệp xếp hạng)[/]",
                              "", "", "", "", "")
                continue
            unit = entry.unit
            index = (vi(unit.index_published, ranking.precision)
                     if unit.index_published is not None else "[red]lỗi[/]")
            change = change_text(entry)
            if entry.rank_change:
                change = f"[{'green' if entry.rank_change > 0 else 'red'}]{change}[/]"
            table.add_row(str(entry.rank or "–"), esc(unit.code), esc(unit.name), index,
                          str(entry.previous_rank or "–"), change, esc(entry.band or ""),
                          esc(entry.leader_rating or ""))
        console.print(table)
        _criteria_note(console, block)


def _criteria_note(console: Any, block: Any) -> None:
    """A block whose criteria changed since last year says so under its table."""
    from cchc_cli.diff import LARGE_SHARE, share_text

    change = block.criteria_change
    if change is None or not change.changes:
        return
    share = share_text(change.share)
    text = (f"Bộ tiêu chí khối này có {change.changes} thay đổi so với năm"
            f" {change.previous_year}; {share} thang điểm đổi cách tính (xem cchc diff).")
    if change.large:
        console.print(f"[bold yellow]Lưu ý:[/] {text} Từ {share_text(LARGE_SHARE)} trở lên:"
                      " đọc tăng/giảm bậc so với năm trước cần thận trọng.")
    else:
        console.print(f"[dim]{text}[/]")
