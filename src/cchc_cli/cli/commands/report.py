from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    finish_run,
    guard,
    progress_bar,
    resolve_year,
)

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc report                     # năm mới nhất, có dấu DỰ THẢO
    cchc report -y 2023 --date 2024-02-05 --final
"""


def report(
    year: YearOpt = None,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    final: Annotated[
        bool,
        typer.Option("--final", help="Bản chính thức: bỏ dấu DỰ THẢO ở trang đầu."),
    ] = False,
    date: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD",
                     help="Ngày ký ghi ở dòng địa danh, ngày tháng của quyết định và các phụ"
                     " lục; mặc định để trống ngày, tháng cho người ký điền (năm lấy theo"
                     " --as-of hoặc hôm nay)."),
    ] = None,
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
        year = resolve_year(workspace, year)
        run = api.report(workspace, year=year, jobs=jobs, progress=progress,
                         allow_errors=allow_errors, as_of=as_of, final=final, date=date)
    finish_run(run, output, render=render_ranking,
               blocked="chưa lập văn bản (dùng --allow-errors để vẫn lập, đơn vị lỗi sẽ"
               " không được xếp hạng).")
