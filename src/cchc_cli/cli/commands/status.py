from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cchc_cli.cli.common import (
    DebugOpt,
    FormatOpt,
    JobsOpt,
    OutputFormat,
    QuietOpt,
    WorkspaceOpt,
    YearOpt,
    emit_json,
    esc,
    guard,
    progress_bar,
    resolve_year,
    stdout_console,
)

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc status                     # năm mới nhất, tính đến hôm nay
    cchc status -y 2023 --as-of 2023-11-26
    cchc status --reminder          # và lập dự thảo công văn đôn đốc
    cchc status --format json > tinh-hinh.json
"""

StatusAsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="NGÀY",
                 help="Ngày so với các hạn gửi (deadlines trong cchc.yaml), dạng YYYY-MM-DD."
                 " Mặc định: hôm nay."),
]
ReminderOpt = Annotated[
    bool,
    typer.Option("--reminder",
                 help="Lập dự thảo công văn đôn đốc các đơn vị, cơ quan thẩm định quá hạn:"
                 " results/<năm>/gui-don-vi/cong-van-don-doc-<năm>.docx."),
]
# Beyond this many units in one list, the terminal shows the first ones and the count:
# the answer must fit one screen (the JSON has them all).
LIST_LIMIT = 15


def status(
    year: YearOpt = None,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    as_of: StatusAsOfOpt = None,
    reminder: ReminderOpt = False,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Tình hình thu nhận biểu mẫu của năm: đơn vị nào đã gửi biểu tự đánh giá (tệp
    nào, có lỗi hay cảnh báo không), cơ quan thẩm định nào đã gửi kết quả từng vòng (bao
    nhiêu dòng được giao, bao nhiêu dòng có trong tệp, bao nhiêu dòng sửa hoặc có nhận
    xét), ai quá hạn theo deadlines trong cchc.yaml, tệp nào không khớp đơn vị nào, tệp
    nào không phải bảng tính. Chỉ đọc, không ghi gì (trừ khi có --reminder)."""
    from cchc_cli import api

    with guard(debug), progress_bar(quiet) as progress:
        year = resolve_year(workspace, year)
        run = api.status(workspace, year=year, as_of=as_of, reminder=reminder, jobs=jobs,
                         progress=progress)
    if output is OutputFormat.json:
        emit_json(run.to_dict())
        return
    console = stdout_console()
    render_status(console, run.status)
    if reminder:
        if run.written:
            for path in run.written:
                console.print(f"Đã ghi {esc(path)}")
        else:
            console.print("Không có đơn vị, cơ quan nào quá hạn: không lập công văn đôn đốc.")


def _day(day: Any) -> str:
    return day.strftime("%d/%m/%Y") if day else "chưa đặt"


def render_status(console: Any, status: Any) -> None:
    deadlines = status.deadlines
    console.print(f"[bold]Tình hình thu nhận biểu mẫu năm {status.year}[/] — tính đến ngày"
                  f" {_day(status.as_of)}")
    rounds = sorted((k for k in deadlines if k.startswith("appraisal")),
                    key=lambda k: int(k.partition("_")[2] or 1))
    due = [f"tự đánh giá {_day(deadlines.get('self'))}"] + [
        f"thẩm định vòng {k.partition('_')[2] or 1} {_day(deadlines[k])}" for k in rounds]
    if deadlines:
        console.print("Hạn gửi (deadlines trong cchc.yaml): " + "; ".join(due) + ".")
    else:
        console.print("Chưa đặt hạn gửi: thêm deadlines vào cchc.yaml để biết ai quá hạn.")
    if status.setup_errors:
        console.print(f"[bold red]cchc.yaml, bộ tiêu chí hoặc danh sách đơn vị có"
                      f" {status.setup_errors} lỗi[/]: chạy cchc validate -y {status.year}.")
    _render_units(console, status)
    _render_appraisers(console, status)
    _render_files(console, status)
    late_units, late_appraisers = status.overdue_units, status.overdue_appraisers
    if late_units or late_appraisers:
        console.print(f"\n[bold red]Quá hạn:[/] {len(late_units)} đơn vị chưa gửi biểu tự đánh"
                      f" giá, {len(late_appraisers)} lượt thẩm định chưa đủ. Lập công văn"
                      " đôn đốc: cchc status --reminder.")
    elif deadlines:
        console.print("\n[green]Chưa có ai quá hạn.[/]")


def _render_units(console: Any, status: Any) -> None:
    from rich.table import Table

    table = Table(title="Biểu tự đánh giá", title_justify="left")
    for header in ("Khối", "Đơn vị", "Đã gửi", "Chưa gửi", "Có lỗi", "Chỉ có cảnh báo"):
        table.add_column(header, justify="left" if header == "Khối" else "right")
    blocks: dict[str, list[Any]] = {}
    for unit in status.units:
        blocks.setdefault(unit.block, []).append(unit)
    for block, units in blocks.items():
        sent = [u for u in units if u.self_form]
        table.add_row(esc(status.block_names.get(block, block)), str(len(units)), str(len(sent)),
                      _red(len(units) - len(sent)), _red(sum(1 for u in sent if u.errors)),
                      str(sum(1 for u in sent if u.warnings and not u.errors)))
    console.print(table)
    missing = [u for u in status.units if not u.self_form]
    if missing:
        late = " (quá hạn)" if any(u.overdue for u in missing) else ""
        console.print(f"[bold]Chưa gửi{late}:[/] " + _names(missing))
    flawed = [u for u in status.units if u.self_form and (u.errors or u.warnings)]
    if flawed:
        console.print("[bold]Biểu có vấn đề[/] (chi tiết: cchc validate; gửi lại đơn vị: cchc"
                      " feedback):")
        for unit in flawed[:LIST_LIMIT]:
            counts = ", ".join(part for part in (
                f"[red]{unit.errors} lỗi[/]" if unit.errors else "",
                f"[yellow]{unit.warnings} cảnh báo[/]" if unit.warnings else "") if part)
            console.print(f"  {esc(unit.code)} {esc(unit.name)} — {counts} —"
                          f" {esc(unit.self_form)}")
        if len(flawed) > LIST_LIMIT:
            console.print(f"  … và {len(flawed) - LIST_LIMIT} đơn vị khác (xem --format json).")


def _red(count: int) -> str:
    return f"[red]{count}[/]" if count else "0"


def _names(units: list[Any]) -> str:
    shown = "; ".join(f"{esc(u.code)} {esc(u.name)}" for u in units[:LIST_LIMIT])
    more = f"; … và {len(units) - LIST_LIMIT} đơn vị khác" if len(units) > LIST_LIMIT else ""
    return shown + more + "."


def _render_appraisers(console: Any, status: Any) -> None:
    from rich.table import Table

    if not status.appraisers:
        console.print("Chưa có cơ quan thẩm định nào được giao tiêu chí.")
        return
    table = Table(title="Thẩm định", title_justify="left")
    for header in ("Cơ quan thẩm định", "Vòng", "Tệp", "Được giao", "Có trong tệp",
                   "Sửa hoặc nhận xét", "Hạn"):
        table.add_column(header, justify="right" if header in (
            "Vòng", "Được giao", "Có trong tệp", "Sửa hoặc nhận xét") else "left")
    for entry in status.appraisers:
        files = esc(", ".join(Path(f).name for f in entry.files)) if entry.files \
            else "[red]chưa gửi[/]"
        rows = str(entry.rows) if entry.rows >= entry.assigned else f"[yellow]{entry.rows}[/]"
        due = _day(entry.deadline) if entry.deadline else "–"
        if entry.overdue:
            due = f"[bold red]{due} quá hạn[/]"
        table.add_row(esc(entry.name), str(entry.round), files, str(entry.assigned), rows,
                      str(entry.changed), due)
    console.print(table)


def _render_files(console: Any, status: Any) -> None:
    if status.unmatched:
        console.print(f"[bold yellow]Tệp không khớp đơn vị, cơ quan nào[/]"
                      f" ({len(status.unmatched)}):")
        for item in status.unmatched:
            console.print(f"  {esc(item.file)}: {esc(item.reason)}")
    if status.ignored:
        console.print(f"[bold yellow]Tệp không phải bảng tính, không được đọc[/]"
                      f" ({len(status.ignored)}):")
        for path in status.ignored:
            console.print(f"  {esc(path)}")
