from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cchc_cli.cli.commands.status import ReminderOpt, StatusAsOfOpt
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
    progress_bar,
    resolve_year,
    stdout_console,
)

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc feedback                   # mọi đơn vị, năm mới nhất
    cchc feedback stp snv --letter  # hai đơn vị, kèm công văn gửi từng đơn vị
    cchc feedback -y 2023 --reminder --as-of 2023-11-26
"""

LetterOpt = Annotated[
    bool,
    typer.Option("--letter",
                 help="Lập thêm công văn gửi từng đơn vị (<MÃ>-cong-van.docx) kèm các tệp.")
]


def feedback(
    units: Annotated[
        list[str] | None,
        typer.Argument(help="Mã đơn vị (không phân biệt chữ hoa, chữ thường); mặc định: mọi"
                       " đơn vị.", metavar="MÃ_ĐƠN_VỊ", show_default=False),
    ] = None,
    year: YearOpt = None,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    letter: LetterOpt = False,
    reminder: ReminderOpt = False,
    as_of: StatusAsOfOpt = None,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Lập các tệp gửi lại từng đơn vị vào results/<năm>/gui-don-vi/: <MÃ>-can-sua.xlsx
    (bản sao biểu tự đánh giá của đơn vị, ô có lỗi hoặc cảnh báo được tô màu và ghi chú
    cách sửa, trang đầu 'Vấn đề cần sửa' liệt kê từng vấn đề) cho đơn vị có biểu cần sửa;
    khi đã có kết quả thẩm định, <MÃ>-ket-qua-tham-dinh.xlsx (các tiêu chí thẩm định khác
    tự đánh giá, nhận xét, cột 'Giải trình' để đơn vị trả lời). Tệp gốc của đơn vị không
    bị sửa."""
    from cchc_cli import api

    with guard(debug), progress_bar(quiet) as progress:
        year = resolve_year(workspace, year)
        run = api.feedback(workspace, year=year, units=units or (), letter=letter,
                           reminder=reminder, as_of=as_of, jobs=jobs, progress=progress)
    if output is OutputFormat.json:
        emit_json(run.to_dict())
        return
    render_feedback(stdout_console(), run)


def render_feedback(console: Any, run: Any) -> None:
    rel = run.collection.workspace.rel
    fixes = [u for u in run.units if u.fix_file]
    changes = [u for u in run.units if u.appraisal_file]
    console.print(f"[bold]Tệp gửi lại đơn vị, năm {run.year}[/] — thư mục {esc(rel(run.folder))}")
    console.print(f"Biểu cần sửa: {len(fixes)} đơn vị; kết quả thẩm định: {len(changes)} đơn"
                  f" vị (trong {len(run.units)} đơn vị).")
    for unit in fixes:
        counts = ", ".join(part for part in (
            f"[red]{unit.errors} lỗi[/]" if unit.errors else "",
            f"[yellow]{unit.warnings} cảnh báo[/]" if unit.warnings else "") if part)
        note = " — bản sao giá trị (tệp gốc không sửa trực tiếp được)" if unit.copy_note else ""
        console.print(f"  {esc(unit.code)} {esc(unit.name)}: {counts} →"
                      f" {esc(unit.fix_file.name)}{esc(note)}")
    changed = [u for u in changes if u.changed]
    if changes:
        console.print(f"Thẩm định thay đổi kết quả tự đánh giá của {len(changed)} đơn vị"
                      f" ({sum(u.changed for u in changes)} tiêu chí).")
    letters = [u for u in run.units if u.letter]
    if letters:
        console.print(f"Công văn gửi đơn vị: {len(letters)} tệp (<MÃ>-cong-van.docx).")
    if run.reminder:
        console.print(f"Đã ghi công văn đôn đốc {esc(rel(run.reminder))}")
    for path in run.removed:
        console.print(f"Đã xóa tệp cũ {esc(rel(path))} (đơn vị không còn vấn đề đó).")
    if not fixes and not changes:
        console.print("[green]Không có gì cần gửi lại: các biểu tự đánh giá không có vấn đề,"
                      " chưa có kết quả thẩm định.[/]")
