from __future__ import annotations

from pathlib import Path

import typer

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
    emit_json,
    esc,
    exit_code_for,
    guard,
    issue_counts,
    print_issues,
    progress_bar,
    stdout_console,
)
from cchc_cli.timing import stage


def score(
    year: YearOpt,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    allow_errors: AllowErrorsOpt = False,
    as_of: AsOfOpt = None,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Chấm điểm mọi đơn vị của năm; ghi results/<năm>/cham-diem-<năm>.xlsx."""
    from cchc_cli import api

    with guard(debug), progress_bar(quiet) as progress:
        run = api.score(workspace, year=year, jobs=jobs, progress=progress,
                        allow_errors=allow_errors, as_of=as_of)
    if output is OutputFormat.json:
        with stage("output"):
            emit_json(run.to_dict())
        raise typer.Exit(int(exit_code_for(run.issues)))
    console = stdout_console()
    print_issues(console, run.issues, limit=None if len(run.issues) <= 60 else 60)
    render_scores(console, run)
    errors, warnings = issue_counts(run.issues)
    if run.blocked:
        console.print(f"[bold red]Có {errors} lỗi[/]: chưa ghi kết quả (dùng --allow-errors để"
                      " vẫn ghi, đơn vị lỗi sẽ không có chỉ số).")
    for path in run.written:
        console.print(f"Đã ghi {esc(path)}")
    raise typer.Exit(int(exit_code_for(run.issues)))


def render_scores(console, run) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    from cchc_cli.numbers import vi

    precision = run.workspace.settings.precision
    for block in run.scores.blocks:
        table = Table(title=esc(f"{block.name} — năm {run.year}"), title_justify="left")
        table.add_column("Mã")
        table.add_column("Đơn vị")
        table.add_column("Điểm", justify="right")
        table.add_column("Tối đa", justify="right")
        table.add_column("Chỉ số", justify="right")
        for unit in block.units:
            index = vi(unit.index_published, precision) if unit.index_published is not None \
                else "[red]lỗi[/]"
            table.add_row(esc(unit.code), esc(unit.name), vi(unit.points, precision),
                          vi(unit.max_points, precision), index)
        console.print(table)
