from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

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
    emit_json,
    esc,
    exit_code_for,
    guard,
    issue_counts,
    print_issues,
    progress_bar,
    resolve_year,
    stdout_console,
)

# The end of the command's help (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc whatif --year 2023 --criteria phuong-an/tieu-chi
    cchc whatif --year 2023 --override dieu-chinh.xlsx --settings phuong-an/cchc.yaml
    cchc whatif --year 2023 --disputes
"""

# A block of hundreds of communes is read in the workbook, not on a terminal.
TERMINAL_ROWS = 40


def whatif(
    year: YearOpt = None,
    criteria: Annotated[Path | None, typer.Option(
        "--criteria", metavar="THƯ_MỤC", exists=True, file_okay=False,
        help="Thư mục các tệp bộ tiêu chí của phương án: mỗi tệp thay tệp cùng tên trong"
        " criteria/<năm>/.")] = None,
    settings: Annotated[Path | None, typer.Option(
        "--settings", metavar="TỆP", exists=True, dir_okay=False,
        help="Tệp cchc.yaml của phương án (thay cho cchc.yaml của không gian làm việc).")
    ] = None,
    override: Annotated[Path | None, typer.Option(
        "--override", metavar="TỆP", exists=True, dir_okay=False,
        help="Bảng tính có trang 'Điều chỉnh': Mã đơn vị, Mã tiêu chí và các cột cần dùng"
        " của biểu thẩm định (Số liệu thẩm định, Lựa chọn thẩm định, Điểm thẩm định, Không"
        " áp dụng (thẩm định), Nhận xét); coi như vòng thẩm định cuối cùng.")] = None,
    disputes: Annotated[bool, typer.Option(
        "--disputes",
        help="Khoảng chỉ số và thứ hạng của mỗi đơn vị theo mọi cách giải quyết các điểm"
        " thẩm định khác kết quả tự đánh giá; xếp hạng, xếp loại, đánh giá người đứng đầu"
        " nào đã chắc chắn.")] = False,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    allow_errors: AllowErrorsOpt = False,
    as_of: AsOfOpt = None,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Phương án cho Hội đồng thẩm định. Với --criteria, --settings và/hoặc --override:
    tính kết quả hiện tại và kết quả theo phương án (như lệnh rank), so sánh từng đơn vị
    (chỉ số, xếp hạng, xếp loại, đánh giá người đứng đầu), liệt kê trước các đơn vị thay
    đổi; ghi results/<năm>/phuong-an-<năm>.xlsx. Với --disputes: khoảng chỉ số và thứ hạng
    chính xác của mỗi đơn vị theo mọi cách giải quyết các điểm còn khác nhau giữa thẩm định
    và tự đánh giá; ghi results/<năm>/chua-thong-nhat-<năm>.xlsx."""
    from cchc_cli import api
    from cchc_cli.errors import UsageError

    with guard(debug), progress_bar(quiet) as progress:
        if disputes and (criteria or settings or override):
            raise UsageError("--disputes không dùng cùng --criteria, --settings, --override.")
        year = resolve_year(workspace, year)
        if disputes:
            run: Any = api.disputes(workspace, year=year, jobs=jobs, progress=progress,
                                    allow_errors=allow_errors, as_of=as_of)
        else:
            run = api.whatif(workspace, year=year, criteria=criteria, settings=settings,
                             override=override, jobs=jobs, progress=progress,
                             allow_errors=allow_errors, as_of=as_of)
    if output is OutputFormat.json:
        emit_json(run.to_dict())
        raise typer.Exit(int(exit_code_for(run.issues)))
    console = stdout_console()
    print_issues(console, run.issues, limit=None if len(run.issues) <= 60 else 60)
    if disputes:
        render_disputes(console, run)
    else:
        render_whatif(console, run)
    if run.blocked:
        errors, _ = issue_counts(run.issues)
        console.print(f"[bold red]Có {errors} lỗi[/]: chưa ghi bảng tính (dùng --allow-errors"
                      " để vẫn ghi; đơn vị lỗi không được xếp hạng).")
    for path in run.written:
        console.print(f"Đã ghi {esc(path)}")
    raise typer.Exit(int(exit_code_for(run.issues)))


def _arrow(before: Any, after: Any) -> str:
    a = "–" if before is None else str(before)
    b = "–" if after is None else str(after)
    return esc(a) if a == b else f"[bold]{esc(a)} → {esc(b)}[/]"


def _index(side: Any, precision: int) -> str | None:
    from cchc_cli.numbers import vi

    if side is None:
        return None
    return "lỗi" if side.index_published is None else vi(side.index_published, precision)


def render_whatif(console: Any, run: Any) -> None:
    from rich.table import Table

    from cchc_cli.writers.whatif import what_changed

    console.print(f"Năm {run.year}, phương án điều chỉnh: {esc(what_changed(run))}.")
    changed = run.changed
    console.print(f"{len(changed)} đơn vị thay đổi xếp hạng, xếp loại hoặc đánh giá người"
                  " đứng đầu" + (" (in đậm, xếp trước trong mỗi khối)." if changed else "."))
    blocks: dict[str, list[Any]] = {}
    for unit in run.units:
        blocks.setdefault(unit.block_name, []).append(unit)
    for name, units in blocks.items():
        ordered = [*(u for u in units if u.changed), *(u for u in units if not u.changed)]
        shown = ordered[:max(TERMINAL_ROWS, sum(1 for u in units if u.changed))]
        table = Table(title=esc(f"{name} — hiện tại → phương án"), title_justify="left")
        for title, right in (("Mã", False), ("Đơn vị", False), ("Chỉ số", True),
                             ("Hạng", True), ("Xếp loại", False), ("Người đứng đầu", False)):
            table.add_column(title, justify="right" if right else "left")
        for unit in shown:
            a, b = unit.base, unit.variant
            table.add_row(esc(unit.code), esc(unit.name),
                          _arrow(_index(a, run.precision), _index(b, run.precision)),
                          _arrow(a.rank if a else None, b.rank if b else None),
                          _arrow(a.band if a else None, b.band if b else None),
                          _arrow(a.leader_rating if a else None,
                                 b.leader_rating if b else None))
        if len(shown) < len(ordered):
            table.add_row("…", f"[dim]… {len(ordered) - len(shown)} đơn vị không thay đổi"
                          " nữa (xem bảng tính)[/]", "", "", "", "")
        console.print(table)
    render_band_moves(console, run)


def render_band_moves(console: Any, run: Any) -> None:
    """Per block whose units change band: how many go from each band to each other."""
    from rich.table import Table

    for moves in run.band_moves:
        if not moves.moved:
            continue
        table = Table(title=esc(f"{moves.name} — xếp loại hiện tại (dòng) → theo phương án"
                                " (cột)"), title_justify="left")
        table.add_column("")
        for label in moves.bands:
            table.add_column(esc(label), justify="right")
        for label, row in zip(moves.bands, moves.counts, strict=True):
            table.add_row(esc(label), *[
                (f"[bold]{count}[/]" if count and i != j else str(count or ""))
                for j, count in enumerate(row) for i in [moves.bands.index(label)]])
        console.print(table)


def render_disputes(console: Any, run: Any) -> None:
    """Per block, the units for which something is still open; the others counted."""
    from rich.table import Table

    from cchc_cli.numbers import vi
    from cchc_cli.writers.whatif import bounds_notes, rank_value, span_text

    bounds = run.bounds
    console.print(f"Năm {bounds.year}: {len(bounds.disputes)} điểm thẩm định khác kết quả tự"
                  " đánh giá (chưa thống nhất). Khoảng dưới đây gồm mọi cách giải quyết"
                  " chúng.")
    for note in bounds_notes(bounds):
        console.print(f"[yellow]Lưu ý:[/] {esc(note)}")
    blocks: dict[str, list[Any]] = {}
    for unit in bounds.units:
        blocks.setdefault(unit.block_name, []).append(unit)
    for name, units in blocks.items():
        open_units = [u for u in units if not (u.certain_rank and u.certain_band
                                               and u.certain_rating)]
        settled = len(units) - len(open_units)
        if not open_units:
            console.print(f"{esc(name)}: mọi xếp hạng, xếp loại, đánh giá người đứng đầu đã"
                          " chắc chắn.")
            continue
        table = Table(title=esc(f"{name} — còn có thể thay đổi"), title_justify="left")
        for title, right in (("Mã", False), ("Đơn vị", False), ("Điểm", True),
                             ("Chỉ số", True), ("Hạng", True), ("Xếp loại", False),
                             ("Người đứng đầu", False)):
            table.add_column(title, justify="right" if right else "left")
        for unit in open_units:
            published, rank = unit.published, unit.rank
            index = "lỗi" if published is None else span_text(
                (vi(published[0], bounds.precision), vi(published[1], bounds.precision)))
            ranks = "–" if rank is None else span_text(
                (rank_value(unit, 0), rank_value(unit, 1)))
            rating = span_text(unit.ratings) + ("" if unit.certain_rating else " (chưa chắc)")
            table.add_row(esc(unit.code), esc(unit.name), str(unit.disputes), index, ranks,
                          esc(span_text(unit.bands)), esc(rating))
        console.print(table)
        if settled:
            console.print(f"[dim]{settled} đơn vị khác của khối: xếp hạng, xếp loại, đánh giá"
                          " người đứng đầu đã chắc chắn.[/]")
