from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cchc_cli.cli.common import DebugOpt, JobsOpt, guard, issue_counts, stdout_console


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
    console.print(f"Đã chép tỉnh mẫu (dữ liệu tổng hợp) vào {result.root}")
    for name, report in result.steps:
        if name == "validate":
            errors, warnings = issue_counts(report.issues)
            console.print(f"cchc validate --year {result.year}: {errors} lỗi, {warnings} cảnh báo,"
                          f" {len(report.files)} tệp đã kiểm tra")
        elif name == "score":
            units = report.scores.all_units()
            console.print(f"cchc score --year {result.year}: {len(units)} đơn vị được chấm điểm")
    console.print("Các tệp đã ghi:")
    for path in result.written:
        console.print(f"  {path}")
