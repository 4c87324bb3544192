"""Options shared by every command, output helpers, and the one map to exit codes."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from cchc_cli.errors import CchcError
from cchc_cli.terminal import LIMIT, safe


class ExitCode(IntEnum):
    """SPEC §2. Any other failure is a bug and keeps its traceback."""

    OK = 0
    INPUT_ERRORS = 1
    USAGE = 2
    CANNOT_RUN = 3


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


WorkspaceOpt = Annotated[
    Path,
    typer.Option("--workspace", "-w", help="Thư mục làm việc (mặc định: thư mục hiện tại).",
                 file_okay=False, metavar="THƯ_MỤC", show_default=False),
]
# Result commands (score, rank, report, explain, template, and later status, feedback,
# publish, whatif) default to the latest year of the workspace: see resolve_year.
YearOpt = Annotated[
    int | None,
    typer.Option("--year", "-y", metavar="NĂM",
                 help="Năm đánh giá, ví dụ 2023 (mặc định: năm mới nhất của không gian"
                 " làm việc)."),
]
OptionalYearOpt = Annotated[
    int | None, typer.Option("--year", "-y", metavar="NĂM",
                             help="Năm đánh giá (mặc định: mọi năm).")
]
FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", metavar="text|json", show_default=False,
                 help="text (đọc trên màn hình, mặc định) hoặc json (cho máy đọc)."),
]
DebugOpt = Annotated[
    bool, typer.Option("--debug", help="Hiện chi tiết lỗi (traceback) để báo lỗi phần mềm.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Không hiện thanh tiến trình.")]
JobsOpt = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, metavar="N",
                 help="Số tiến trình đọc tệp song song (mặc định: số lõi CPU;"
                 " tuần tự khi ít tệp)."),
]
AllowErrorsOpt = Annotated[
    bool,
    typer.Option("--allow-errors",
                 help="Vẫn ghi kết quả khi đầu vào có lỗi; đơn vị lỗi không được xếp hạng."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="NGÀY[THH:MM]",
                 help="Thời điểm tính kết quả, dạng YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM: ghi"
                 " vào trang Nguồn của bảng tính và thuộc tính văn bản, và là năm ở dòng"
                 " ngày tháng của dự thảo quyết định khi không có --date. Cùng đầu vào và"
                 " cùng --as-of thì kết quả giống hệt từng byte. Mặc định: lúc chạy."),
]


def resolve_year(workspace: Path, year: int | None) -> int:
    """``--year``, or else the latest year of the workspace — said on stderr, so that
    stdout (``--format json``) stays one document. Call inside ``guard``."""
    if year is not None:
        return year
    from cchc_cli.api import latest_year

    found = latest_year(workspace)
    stderr_console().print(f"Năm đánh giá: {found} (năm mới nhất trong không gian làm việc;"
                           " chọn năm khác bằng --year).")
    return found


def esc(value: object, limit: int = LIMIT) -> str:
    """Text from the data (paths, unit names) printed as it is: never as rich markup,
    never as terminal control, at most ``limit`` characters (SPEC §13.2)."""
    from rich.markup import escape

    return escape(safe(value, limit))


def exit_code_for(issues: Iterable[Any]) -> ExitCode:
    return ExitCode.INPUT_ERRORS if any(i.is_error for i in issues) else ExitCode.OK


def stdout_console() -> Any:
    """Results on stdout. Piped into a file, lines are wrapped at 160 columns (not 80),
    so that messages with long file names stay readable."""
    import os

    from rich.console import Console

    width = None
    if not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        width = 160
    return Console(highlight=False, emoji=False, width=width)


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


@contextlib.contextmanager
def guard(debug: bool) -> Iterator[None]:
    """Turn cchc's own exceptions into a message and their exit code; bugs propagate."""
    try:
        yield
    except CchcError as exc:
        if debug:
            import traceback

            traceback.print_exc(file=sys.stderr)
        console = stderr_console()
        found = getattr(exc, "issues", None)
        if found:
            from cchc_cli.issues import sorted_issues

            print_issues(console, sorted_issues(found))
        console.print(f"[bold red]Lỗi:[/] {esc(exc, MESSAGE_LIMIT)}", markup=True)
        raise typer.Exit(int(exc.exit_code)) from None


# Reading this many files takes about a second: below it, a bar would only flicker.
PROGRESS_MIN_FILES = 300


@contextlib.contextmanager
def progress_bar(quiet: bool, label: str = "Đọc tệp", *,
                 minimum: int = PROGRESS_MIN_FILES) -> Iterator[Any]:
    """A callback ``(done, total)`` that drives a rich progress bar on stderr.

    The bar appears only for long runs (``minimum`` items or more) and never on stdout,
    so ``--format json`` output stays one clean document.
    """
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if quiet or total < minimum:
            return
        if "bar" not in state:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                           console=stderr_console(), transient=True)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task(label, total=total)
        state["bar"].update(state["task"], completed=done, total=total)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()


def emit_json(document: Any) -> None:
    """One JSON document on stdout, nothing else there.

    Compact: Python's C encoder only runs without indentation, and a national ranking
    is tens of megabytes (pipe through ``python -m json.tool`` to read it).
    """
    import json

    sys.stdout.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
    sys.stdout.write("\n")
    sys.stdout.flush()


def finish_run(run: Any, output: OutputFormat, *, render: Any, blocked: str) -> NoReturn:
    """The end of score, rank and report: the JSON document, or the tables
    (``render(console, run)``), then — after them, where they do not scroll away — a
    short summary of the issues by root cause, why nothing was written (``blocked``) and
    what was; the exit code the issues call for."""
    from cchc_cli.timing import stage

    if output is OutputFormat.json:
        with stage("output"):
            emit_json(run.to_dict())
        raise typer.Exit(int(exit_code_for(run.issues)))
    console = stdout_console()
    render(console, run)
    details = next((p for p in run.written if p.name.startswith("van-de-")), None)
    print_summary(console, run.issues, details=details, root=run.workspace.root)
    if run.blocked:
        errors, _ = issue_counts(run.issues)
        console.print(f"[bold red]Có {errors} lỗi[/]: {blocked}")
    for path in run.written:
        console.print(f"Đã ghi {esc(path)}")
    raise typer.Exit(int(exit_code_for(run.issues)))


# A message is a sentence of the catalogue around values from the inputs: longer than
# one value, still bounded.
MESSAGE_LIMIT = 600


def print_summary(console: Any, issues: Iterable[Any], *, details: Path | None = None,
                  root: Path | None = None) -> None:
    """Errors and warnings grouped by root cause, each with its first examples."""
    from cchc_cli.diagnosis import root_causes

    issues = list(issues)
    if not issues:
        console.print("[green]Không có lỗi, không có cảnh báo.[/]")
        return
    errors, warnings = issue_counts(issues)
    causes = root_causes(issues)
    console.print()
    console.print(f"[bold]Tóm tắt:[/] {errors} lỗi, {warnings} cảnh báo, do {len(causes)}"
                  " nguyên nhân:")
    for cause in causes:
        colour, label = ("red", "LỖI") if cause.is_error else ("yellow", "CẢNH BÁO")
        console.print(f"[bold {colour}]{label}[/] {esc(cause.title, MESSAGE_LIMIT)}")
        for item in cause.examples:
            console.print(f"    [dim]{esc(item.location() or '–', 2 * LIMIT)}:[/]"
                          f" {esc(item.message, MESSAGE_LIMIT)}")
        if cause.more:
            console.print(f"    [dim]… và {cause.more} vấn đề khác cùng nguyên nhân.[/]")
    if details is not None:
        shown = details
        if root is not None:
            with contextlib.suppress(ValueError):
                shown = details.relative_to(root)
        console.print(f"Danh sách đầy đủ ({len(issues)} vấn đề, kèm tệp, trang, ô):"
                      f" {esc(shown.as_posix())}")


def print_issues(console: Any, issues: Iterable[Any], *, limit: int | None = None) -> None:
    issues = list(issues)
    shown = issues if limit is None else issues[:limit]
    for item in shown:
        colour = "red" if item.is_error else "yellow"
        label = "LỖI" if item.is_error else "CẢNH BÁO"
        where = item.location()
        who = " ".join(
            part for part in (
                f"[đơn vị {safe(item.unit, 60)}]" if item.unit else "",
                f"[tiêu chí {safe(item.criterion, 60)}]" if item.criterion else "",
            ) if part
        )
        console.print(
            f"[bold {colour}]{label}[/] {esc(where, 2 * LIMIT)}"
            + (f" {esc(who)}" if who else "")
            + f": {esc(item.message, MESSAGE_LIMIT)} [dim]({item.code})[/]"
        )
    if limit is not None and len(issues) > limit:
        console.print(f"… và {len(issues) - limit} vấn đề khác (xem --format json).")


def issue_counts(issues: Iterable[Any]) -> tuple[int, int]:
    issues = list(issues)
    errors = sum(1 for i in issues if i.is_error)
    return errors, len(issues) - errors
