from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cchc_cli.cli.common import DebugOpt, JobsOpt, esc, guard, issue_counts, stdout_console


def demo(
    directory: Annotated[
        Path,
        typer.Argument(help="Thư mục chép dữ liệu mẫu vào (mặc định: ./cchc-demo).",
                       file_okay=False),
    ] = Path("cchc-demo"),
    jobs: JobsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Chạy thử toàn bộ quy trình trên tỉnh mẫu (dữ liệu tổng hợp) và in nơi có kết quả."""
    from cchc_cli.demo import run_demo

    with guard(debug):
        result = run_demo(directory, jobs=jobs)
    console = stdout_console()
    console.print(f"Đã chép tỉnh mẫu (dữ liệu tổng hợp) vào {esc(result.root)}")
    for name, report in result.steps:
        if name == "validate":
            errors, warnings = issue_counts(report.issues)
            console.print(f"cchc validate --year {result.year}: {errors} lỗi, {warnings} cảnh báo,"
                          f" {len(report.files)} tệp đã kiểm tra")
        elif name == "rank":
            console.print(f"cchc rank --year {result.year}, cchc report --year {result.year}:")
            console.print(summary_table(report))
    console.print("Các tệp đã ghi:")
    for path in result.written:
        console.print(f"  {esc(path)}")


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
