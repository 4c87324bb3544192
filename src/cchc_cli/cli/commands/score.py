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
    cchc score                      # năm mới nhất, thư mục hiện tại
    cchc score -w tinh-mau -y 2023 --as-of 2024-02-05
    cchc score -y 2023 --format json > diem-2023.json
"""


def score(
    year: YearOpt = None,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    allow_errors: AllowErrorsOpt = False,
    as_of: AsOfOpt = None,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Chấm điểm mọi đơn vị của năm; ghi results/<năm>/cham-diem-<năm>.xlsx (và danh
    sách vấn đề van-de-<năm>.xlsx)."""
    from cchc_cli import api

    with guard(debug), progress_bar(quiet) as progress:
        year = resolve_year(workspace, year)
        run = api.score(workspace, year=year, jobs=jobs, progress=progress,
                        allow_errors=allow_errors, as_of=as_of)
    finish_run(run, output, render=render_scores,
               blocked="chưa ghi kết quả (dùng --allow-errors để vẫn ghi, đơn vị lỗi sẽ"
               " không có chỉ số).")


def render_scores(console: Any, run: Any) -> None:
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
