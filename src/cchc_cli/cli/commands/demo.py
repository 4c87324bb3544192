from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cchc_cli.cli.common import DebugOpt, JobsOpt, esc, guard, issue_counts, stdout_console

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc demo
    cchc demo /tmp/thu-cchc
"""


def demo(
    directory: Annotated[
        Path,
        typer.Argument(help="Thư mục chép dữ liệu mẫu vào (mặc định: ./cchc-demo).",
                       file_okay=False, metavar="THƯ_MỤC", show_default=False),
    ] = Path("cchc-demo"),
    jobs: JobsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Chạy thử toàn bộ quy trình trên tỉnh mẫu (dữ liệu tổng hợp): kiểm tra, chấm điểm,
    xếp hạng, lập văn bản và biểu mẫu; in nơi có kết quả và tệp nên mở trước."""
    from cchc_cli.demo import run_demo

    with guard(debug):
        result = run_demo(directory, jobs=jobs)
    console = stdout_console()
    console.print(f"Đã chép tỉnh mẫu (dữ liệu tổng hợp) vào {esc(result.root)}")
    year = result.year
    for name, report in result.steps:
        if name == "validate":
            errors, warnings = issue_counts(report.issues)
            console.print(f"cchc validate --year {year}: {errors} lỗi, {warnings} cảnh báo,"
                          f" {len(report.files)} tệp đã kiểm tra")
        elif name == "score":
            console.print(f"cchc score --year {year}: đã chấm điểm"
                          f" {sum(1 for _ in report.scores.all_units())} đơn vị")
        elif name == "rank":
            console.print(f"cchc rank --year {year}, cchc report --year {year}:")
            console.print(summary_table(report))
        elif name == "template":
            console.print(f"cchc template --year {year}: {len(report.written)} biểu mẫu trong"
                          f" {esc(_shown(report.folder, result.root))}")
    console.print("Các tệp kết quả:")
    for path in result.written:
        console.print(f"  {esc(_shown(path, result.root))}")
    results = result.root / "results" / str(year)
    console.print()
    console.print("[bold]Mở trước tiên:[/] "
                  f"{esc(_shown(results / f'quyet-dinh-{year}.docx', result.root))} bằng"
                  " Microsoft Word hoặc LibreOffice Writer — dự thảo quyết định kèm phụ lục"
                  " kết quả từng khối. Sau đó: "
                  f"{esc(_shown(results / f'xep-hang-{year}.xlsx', result.root))} bằng Excel"
                  " hoặc LibreOffice Calc (bảng xếp hạng, biểu đồ), và "
                  f"{esc(_shown(results / f'bao-cao-{year}.docx', result.root))} (báo cáo).")


def _shown(path: Path, root: Path) -> str:
    """A path inside the demo folder, as the analyst types it from there."""
    try:
        return (root.name / path.resolve().relative_to(root)).as_posix()
    except ValueError:
        return str(path)


def summary_table(run: Any) -> Any:
    from rich.table import Table

    from cchc_cli.numbers import vi
    from cchc_cli.summary import summarize

    precision = run.ranking.precision
    table = Table()
    for name, right in (("Khối", False), ("Số đơn vị", True), ("Chỉ số bình quân", True),
                        ("Đứng đầu", False), ("Xếp loại", False)):
        table.add_column(name, justify="right" if right else "left")
    for block in summarize(run.ranking):
        top = block.ranked[0] if block.ranked else None
        bands = ", ".join(f"{label} {count}" for label, count in block.counts.items() if count)
        table.add_row(
            esc(block.name), str(len(block.ranked) + len(block.unranked)),
            vi(block.average, precision) if block.average is not None else "–",
            esc(f"{top.unit.name} ({vi(top.unit.index_published or 0, precision)})") if top
            else "–",
            esc(bands),
        )
    return table
