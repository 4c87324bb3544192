from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cchc_cli.cli.common import (
    DebugOpt,
    FormatOpt,
    JobsOpt,
    OptionalYearOpt,
    OutputFormat,
    QuietOpt,
    WorkspaceOpt,
    emit_json,
    esc,
    exit_code_for,
    guard,
    issue_counts,
    print_issues,
    progress_bar,
    stdout_console,
)


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Chỉ kiểm tra các tệp này (mặc định: toàn bộ không gian làm việc)."),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    year: OptionalYearOpt = None,
    output: FormatOpt = OutputFormat.text,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Kiểm tra cchc.yaml, bộ tiêu chí, danh sách đơn vị và mọi biểu mẫu; liệt kê mọi lỗi."""
    from cchc_cli import api

    with guard(debug), progress_bar(quiet) as progress:
        report = api.validate(workspace, year=year, paths=paths or (), jobs=jobs,
                              progress=progress)
    if output is OutputFormat.json:
        emit_json(report.to_dict())
        raise typer.Exit(int(exit_code_for(report.issues)))
    console = stdout_console()
    for summary in report.criteria:
        if summary.get("ok"):
            console.print(
                f"{esc(summary['file'])}: {summary['areas']} lĩnh vực,"
                f" {summary['criteria']} tiêu chí, {summary['leaves']} tiêu chí thành phần,"
                f" thang điểm {summary['scale']}"
            )
        else:
            console.print(f"{esc(summary['file'])}: có lỗi, xem bên dưới")
    print_issues(console, report.issues)
    errors, warnings = issue_counts(report.issues)
    years = ", ".join(str(y) for y in report.years) or "không có năm nào"
    if errors:
        console.print(f"[bold red]Có {errors} lỗi[/] và {warnings} cảnh báo (năm {years}).")
    else:
        console.print(f"[bold green]Hợp lệ[/] — {warnings} cảnh báo (năm {years}).")
    raise typer.Exit(int(exit_code_for(report.issues)))
