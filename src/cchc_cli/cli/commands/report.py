from __future__ import annotations

from pathlib import Path

import typer

from cchc_cli.cli.commands.rank import render_ranking
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


def report(
    year: YearOpt,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    allow_errors: AllowErrorsOpt = False,
    as_of: AsOfOpt = None,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Xếp hạng rồi lập dự thảo Quyết định phê duyệt Chỉ số CCHC (kèm phụ lục) và báo cáo
    kết quả (kèm biểu đồ): results/<năm>/quyet-dinh-<năm>.docx, bao-cao-<năm>.docx."""
    from cchc_cli import api

    with guard(debug), progress_bar(quiet) as progress:
        run = api.report(workspace, year=year, jobs=jobs, progress=progress,
                         allow_errors=allow_errors, as_of=as_of)
    if output is OutputFormat.json:
        with stage("output"):
            emit_json(run.to_dict())
        raise typer.Exit(int(exit_code_for(run.issues)))
    console = stdout_console()
    print_issues(console, run.issues, limit=None if len(run.issues) <= 60 else 60)
    render_ranking(console, run)
    errors, _ = issue_counts(run.issues)
    if run.blocked:
        console.print(f"[bold red]Có {errors} lỗi[/]: chưa lập văn bản (dùng --allow-errors để"
                      " vẫn lập, đơn vị lỗi sẽ không được xếp hạng).")
    for path in run.written:
        console.print(f"Đã ghi {esc(path)}")
    raise typer.Exit(int(exit_code_for(run.issues)))
