from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cchc_cli.cli.common import (
    DebugOpt,
    FormatOpt,
    JobsOpt,
    OutputFormat,
    WorkspaceOpt,
    YearOpt,
    emit_json,
    esc,
    guard,
    print_issues,
    stdout_console,
)


def template(
    year: YearOpt,
    kind: Annotated[
        str,
        typer.Option("--kind", "-k",
                     help="self (tự đánh giá), appraisal (thẩm định), survey (khảo sát) hoặc all."),
    ] = "all",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Thư mục ghi biểu mẫu (mặc định: forms/<năm>).",
                     file_okay=False),
    ] = None,
    round_no: Annotated[
        int,
        typer.Option("--round", "-r", min=1,
                     help="Vòng thẩm định; từ vòng 2, biểu điền sẵn kết quả vòng trước."),
    ] = 1,
    workspace: WorkspaceOpt = Path("."),
    jobs: JobsOpt = None,
    output: FormatOpt = OutputFormat.text,
    debug: DebugOpt = False,
) -> None:
    """Lập biểu mẫu gửi đơn vị: tự đánh giá (mỗi đơn vị một tệp), thẩm định (mỗi cơ quan
    thẩm định một tệp, điền sẵn kết quả tự đánh giá đã nhận), khảo sát."""
    from cchc_cli import api

    with guard(debug):
        result = api.template(workspace, year=year, kind=kind, out=out, round_no=round_no,
                              jobs=jobs)
    if output is OutputFormat.json:
        emit_json(result.to_dict())
        return
    console = stdout_console()
    if result.issues:
        print_issues(console, result.issues, limit=20)
    console.print(f"Đã lập {len(result.written)} biểu mẫu:")
    for path in result.written[:10]:
        console.print(f"  {esc(path)}")
    if len(result.written) > 10:
        console.print(f"  … và {len(result.written) - 10} tệp khác trong {esc(result.folder)}")
