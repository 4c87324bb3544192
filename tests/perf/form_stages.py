"""Where the CPU time of reading one self-assessment form goes.

    python tests/perf/form_stages.py /tmp/cchc-bench/province [--files 300] [--repeat 3]

Reads each form of the workspace's year 2023 in this process, step by step as the reader
does (file, SHA-256, zip directory, workbook checks, python-calamine, the safety scans of
the data sheet), then the whole ``read_input``, and prints milliseconds per form. The
difference between ``read_input`` and the steps is the reading of the criterion rows.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import time
from pathlib import Path

import python_calamine

from cchc_cli.files import read_limited
from cchc_cli.formspec import SELF_SHEET
from cchc_cli.inputs import prepare_year
from cchc_cli.readers import forms, workbook
from cchc_cli.workspace import Workspace

YEAR = 2023


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ws = Workspace.open(args.workspace)
    _, context = prepare_year(ws, YEAR)
    assert context is not None, "the workspace's register does not read"
    paths = [p for p in ws.input_files(YEAR) if "tu-danh-gia" in p.parts][:args.files]
    spent: dict[str, float] = {}

    def timed(name: str, start: float) -> None:
        spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

    for _ in range(args.repeat):
        for path in paths:
            start = time.perf_counter()
            data = read_limited(path, workbook.MAX_FILE_BYTES)
            timed("đọc tệp", start)
            start = time.perf_counter()
            hashlib.sha256(data).hexdigest()
            timed("SHA-256", start)
            start = time.perf_counter()
            _, infos = workbook.open_archive(data, workbook.MAX_XML_BYTES)
            timed("danh mục nén", start)
            start = time.perf_counter()
            check = workbook._XlsxCheck(data, infos)
            timed("kiểu định dạng, sổ tính", start)
            start = time.perf_counter()
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            timed("calamine: mở tệp", start)
            start = time.perf_counter()
            book.get_sheet_by_name("_cchc").to_python()
            timed("calamine: trang _cchc", start)
            start = time.perf_counter()
            check.sheet(SELF_SHEET)
            timed("quét an toàn trang dữ liệu", start)
            start = time.perf_counter()
            sheet = book.get_sheet_by_name(SELF_SHEET)
            timed("calamine: phân tích trang dữ liệu", start)
            start = time.perf_counter()
            sheet.to_python(skip_empty_area=False)
            timed("calamine: sang Python", start)
            start = time.perf_counter()
            forms.read_input(path, ws.rel(path), context)
            timed("read_input (cả biểu)", start)
    count = args.repeat * len(paths)
    whole = spent.pop("read_input (cả biểu)")
    for name, seconds in spent.items():
        print(f"{name:36s} {seconds / count * 1000:6.3f} ms")
    steps = sum(spent.values())
    print(f"{'đọc các dòng tiêu chí (phần còn lại)':36s} {(whole - steps) / count * 1000:6.3f} ms")
    print(f"{'read_input (cả biểu)':36s} {whole / count * 1000:6.3f} ms")


if __name__ == "__main__":
    main()
