from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

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
    exit_code_for,
    guard,
    issue_counts,
    print_summary,
    progress_bar,
    resolve_year,
    stdout_console,
)

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc publish                    # năm mới nhất, kết quả như cchc rank
    cchc publish -y 2023 --replace  # ghi lại năm 2023 đã có trong cơ sở dữ liệu
    cchc publish -y 2021 --from ket-qua-2021.xlsx   # nhập năm công bố trước khi dùng cchc
"""


def publish(
    year: YearOpt = None,
    workspace: WorkspaceOpt = Path("."),
    source: Annotated[
        Path | None,
        typer.Option("--from", metavar="TỆP", dir_okay=False, show_default=False,
                     help="Nhập một năm đã công bố trước khi dùng cchc từ bảng tính có"
                     " trang 'Xếp hạng năm trước' với các cột Mã đơn vị, Tên đơn vị, Khối,"
                     " Xếp hạng, Chỉ số (tùy chọn: Xếp loại, Mã năm trước); cần --year là"
                     " năm của kết quả trong tệp."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Ghi đè năm đã có trong cơ sở dữ liệu."),
    ] = False,
    output: FormatOpt = OutputFormat.text,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="NGÀY[THH:MM]",
                     help="Thời điểm ghi vào cơ sở dữ liệu (cột published_at), dạng"
                     " YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM. Mặc định: lúc chạy."),
    ] = None,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Ghi kết quả cuối cùng của một năm vào cơ sở dữ liệu kết quả của tỉnh
    results/chi-so-cchc.sqlite (tạo mới nếu chưa có): chỉ số, thứ hạng, xếp loại của
    từng đơn vị, điểm từng lĩnh vực, từng tiêu chí, các tệp đầu vào. Kết quả là kết quả
    của cchc rank; năm có lỗi không được ghi. Năm đã ghi chỉ được ghi đè khi có
    --replace."""
    from cchc_cli import api
    from cchc_cli.errors import UsageError

    with guard(debug), progress_bar(quiet) as progress:
        if source is not None and year is None:
            # The latest year of the workspace is never a safe guess for old results.
            raise UsageError("Khi nhập kết quả từ tệp (--from), hãy ghi rõ năm của kết quả"
                             " trong tệp bằng --year, ví dụ --year 2021.")
        year = resolve_year(workspace, year)
        run = api.publish(workspace, year=year, source=source, replace=replace, as_of=as_of,
                          jobs=jobs, progress=progress)
    finish(run, output)


SOURCE_TEXT = {"database": "cơ sở dữ liệu", "inputs": "tính lại từ dữ liệu năm trước",
               "file": "tệp nam-truoc.xlsx"}


def finish(run: Any, output: OutputFormat) -> NoReturn:
    if output is OutputFormat.json:
        emit_json(run.to_dict())
        raise typer.Exit(int(exit_code_for(run.issues)))
    console = stdout_console()
    shown = run.workspace.rel(run.database)
    print_summary(console, run.issues)
    if not run.recorded:
        errors, _ = issue_counts(run.issues)
        console.print(f"[bold red]Có {errors} lỗi[/]: chưa ghi năm {run.year} vào"
                      f" {esc(shown)} — chỉ ghi kết quả không còn lỗi.")
        raise typer.Exit(int(exit_code_for(run.issues)))
    origin = (f"nhập từ {esc(run.file)}" if run.source == "file"
              else "tính từ dữ liệu đầu vào như cchc rank")
    console.print(f"Đã {'ghi đè' if run.replaced else 'ghi'} kết quả năm {run.year} vào"
                  f" {esc(shown)} ({origin}): {run.units} đơn vị, {run.areas} dòng lĩnh vực,"
                  f" {run.leaves} dòng tiêu chí.")
    if run.previous_source:
        console.print(f"Năm trước để so sánh thứ hạng: {SOURCE_TEXT[run.previous_source]}.")
    console.print("Cơ sở dữ liệu có các năm: " + ", ".join(map(str, run.years)) + ".")
    raise typer.Exit(int(exit_code_for(run.issues)))
