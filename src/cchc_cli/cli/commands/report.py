from __future__ import annotations

from pathlib import Path

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
)


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
    finish_run(run, output, render=render_ranking,
               blocked="chưa lập văn bản (dùng --allow-errors để vẫn lập, đơn vị lỗi sẽ"
               " không được xếp hạng).")
