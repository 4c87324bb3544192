from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    print_summary,
    progress_bar,
    resolve_year,
    stdout_console,
)

# Writing a form takes a few hundredths of a second: from this many on, a bar helps.
TEMPLATE_PROGRESS_MIN = 20

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc template                   # mọi biểu mẫu của năm mới nhất, vào forms/<năm>
    cchc template -y 2023 --kind survey
    cchc template -y 2023 --kind appraisal --round 2
"""


def template(
    year: YearOpt = None,
    kind: Annotated[
        str,
        typer.Option("--kind", "-k", metavar="LOẠI",
                     help="self (tự đánh giá), appraisal (thẩm định), survey (khảo sát, mỗi"
                     " khối một tệp) hoặc all (mặc định)."),
    ] = "all",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Thư mục ghi biểu mẫu (mặc định: forms/<năm>).",
                     file_okay=False, metavar="THƯ_MỤC"),
    ] = None,
    round_no: Annotated[
        int,
        typer.Option("--round", "-r", min=1, metavar="N",
                     help="Vòng thẩm định; từ vòng 2, biểu điền sẵn kết quả vòng trước."),
    ] = 1,
    workspace: WorkspaceOpt = Path("."),
    jobs: JobsOpt = None,
    output: FormatOpt = OutputFormat.text,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Lập biểu mẫu gửi đơn vị: tự đánh giá (mỗi đơn vị một tệp), thẩm định (mỗi cơ quan
    thẩm định một tệp, điền sẵn kết quả tự đánh giá đã nhận), khảo sát (mỗi khối một
    tệp)."""
    from cchc_cli import api

    with guard(debug), progress_bar(quiet, "Lập biểu mẫu",
                                    minimum=TEMPLATE_PROGRESS_MIN) as progress:
        year = resolve_year(workspace, year)
        result = api.template(workspace, year=year, kind=kind, out=out, round_no=round_no,
                              jobs=jobs, progress=progress)
    if output is OutputFormat.json:
        emit_json(result.to_dict())
        return
    console = stdout_console()
    console.print(f"Đã lập {len(result.written)} biểu mẫu:")
    for path in result.written[:10]:
        console.print(f"  {esc(path)}")
    if len(result.written) > 10:
        console.print(f"  … và {len(result.written) - 10} tệp khác trong {esc(result.folder)}")
    if result.issues:
        print_summary(console, result.issues)
