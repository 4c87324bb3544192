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
    print_issues,
    resolve_year,
    stdout_console,
)

# The end of the command's help (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc diff criteria/2022/so-nganh.yaml criteria/2023/so-nganh.yaml
    cchc diff --year 2023            # mọi khối năm 2022 so với năm 2023
    cchc diff -y 2023 --format json
"""

OldFile = Annotated[
    Path | None,
    typer.Argument(help="Tệp bộ tiêu chí cũ (.yaml).", exists=True, dir_okay=False,
                   show_default=False, metavar="CŨ"),
]
NewFile = Annotated[
    Path | None,
    typer.Argument(help="Tệp bộ tiêu chí mới (.yaml).", exists=True, dir_okay=False,
                   show_default=False, metavar="MỚI"),
]


def diff(
    old: OldFile = None,
    new: NewFile = None,
    year: Annotated[int | None, typer.Option(
        "--year", "-y", metavar="NĂM",
        help="So mọi khối của năm trước với năm này (mặc định, khi không chỉ hai tệp: năm"
        " mới nhất của không gian làm việc).")] = None,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    debug: DebugOpt = False,
) -> None:
    """So sánh hai bộ tiêu chí: tiêu chí thêm mới, bỏ, đổi tên hoặc đổi mã; đổi điểm tối
    đa, cách chấm, cơ quan thẩm định, quyền không áp dụng, điểm sàn, trần điểm hoặc cách
    chấm nguyên văn. Cho biết mỗi khối đổi cách tính bao nhiêu phần thang điểm. Thoát 0 dù
    có thay đổi hay không."""
    from cchc_cli import api
    from cchc_cli.errors import UsageError

    with guard(debug):
        if (old is None) != (new is None):
            raise UsageError("Cần đủ hai tệp: cchc diff CŨ MỚI.")
        if old is not None and year is not None:
            raise UsageError("Chỉ hai tệp bộ tiêu chí hoặc --year, không dùng cả hai.")
        if old is None:
            year = resolve_year(workspace, year)
        report = api.diff(workspace, old=old, new=new, year=year)
    code = 1 if any(i.is_error for i in report.issues) else 0
    if output is OutputFormat.json:
        emit_json(report.to_dict())
        raise typer.Exit(code)
    console = stdout_console()
    print_issues(console, report.issues)
    render_diff(console, report)
    raise typer.Exit(code)


def render_diff(console: Any, report: Any) -> None:
    from rich.table import Table

    from cchc_cli.diff import LARGE_SHARE, describe, share_text

    years = report.years
    for block in report.blocks:
        title = f"Khối {block.block}" + (f": năm {years[0]} → năm {years[1]}" if years else
                                           f": {block.old_file} → {block.new_file}")
        if not block.changes:
            console.print(f"{esc(title)} — không có thay đổi.")
            continue
        table = Table(title=esc(title), title_justify="left")
        for name in ("Mã", "Tiêu chí", "Thay đổi"):
            table.add_column(name)
        for change in block.changes:
            table.add_row(esc(change.code), esc(change.name), esc(describe(change)))
        console.print(table)
        line = (f"{len(block.changes)} thay đổi; {share_text(block.share)} thang điểm đổi"
                " cách tính"
                f" (điểm tối đa, cách chấm, quyền không áp dụng, điểm sàn, thêm hoặc bỏ).")
        if block.large:
            line += (f" [bold yellow]Từ {share_text(LARGE_SHARE)} trở lên: so sánh thứ hạng"
                     " với năm trước cần thận trọng.[/]")
        console.print(line)
