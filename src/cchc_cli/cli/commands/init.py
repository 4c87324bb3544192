from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cchc_cli.cli.common import DebugOpt, esc, guard, stdout_console

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc init tinh-cua-toi --year 2024
    cchc init tinh-cua-toi --year 2026 --criteria mau-2025
"""


def init(
    directory: Annotated[Path, typer.Argument(help="Thư mục sẽ tạo không gian làm việc.",
                                              file_okay=False, metavar="THƯ_MỤC",
                                              show_default=False)],
    year: Annotated[int, typer.Option("--year", "-y", metavar="NĂM",
                                      help="Năm đánh giá đầu tiên, ví dụ 2024.")],
    criteria: Annotated[
        str,
        typer.Option("--criteria", metavar="TÊN",
                     help="Bộ tiêu chí mẫu đi kèm: mau-2023 (mặc định) hoặc mau-2025."),
    ] = "mau-2023",
    debug: DebugOpt = False,
) -> None:
    """Tạo không gian làm việc: cchc.yaml, bộ tiêu chí của năm, danh sách đơn vị trống."""
    from cchc_cli.init import init_workspace

    with guard(debug):
        result = init_workspace(directory, year=year, criteria=criteria)
    console = stdout_console()
    blocks = ", ".join(result.blocks)
    console.print(f"Đã tạo không gian làm việc tại {esc(result.root)} (khối: {esc(blocks)}).")
    for path in result.written:
        console.print(f"  {esc(path)}")
    console.print(
        "Bước tiếp theo: điền danh sách đơn vị, sửa bộ tiêu chí theo quyết định của tỉnh,"
        f" rồi chạy: cchc validate -w {directory} --year {year}"
    )
