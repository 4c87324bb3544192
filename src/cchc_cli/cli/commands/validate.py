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
    print_summary,
    progress_bar,
    stdout_console,
)

# A long list of problems ends with the same problems grouped by cause.
SUMMARY_FROM = 10

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc validate                   # mọi năm
    cchc validate -y 2023
    cchc validate data/2023/tu-danh-gia/tu-danh-gia-STP.xlsx
"""


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Chỉ kiểm tra các tệp này (mặc định: toàn bộ không gian làm việc).",
                       metavar="TỆP", show_default=False),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    year: OptionalYearOpt = None,
    output: FormatOpt = OutputFormat.text,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Kiểm tra cchc.yaml, bộ tiêu chí, danh sách đơn vị và mọi biểu mẫu; liệt kê mọi lỗi.

    Không có --year: kiểm tra mọi năm của không gian làm việc."""
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
    if len(report.issues) > SUMMARY_FROM:
        print_summary(console, report.issues)
    errors, warnings = issue_counts(report.issues)
    years = ", ".join(str(y) for y in report.years) or "không có năm nào"
    if errors:
        console.print(f"[bold red]Có {errors} lỗi[/] và {warnings} cảnh báo (năm {years}).")
    else:
        console.print(f"[bold green]Hợp lệ[/] — {warnings} cảnh báo (năm {years}).")
    raise typer.Exit(int(exit_code_for(report.issues)))
