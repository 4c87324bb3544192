"""Shared plumbing of every workbook cchc writes (through xlsxwriter).

- Reproducible: fixed document properties, so identical inputs give identical bytes.
- Safe: text is always written as text; a unit name such as ``=HYPERLINK(…)`` or
  ``-Sở X`` never becomes a formula (``strings_to_formulas`` off, ``write_string`` only).
- Pleasant: one place for fonts, borders and number formats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

FIXED_TIME = dt.datetime(2000, 1, 1)
FONT = "Times New Roman"


def new_workbook(path: Path, *, constant_memory: bool = False, font_size: int = 12) -> Any:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "constant_memory": constant_memory,
        },
    )
    workbook.set_properties(
        {"created": FIXED_TIME, "author": "cchc", "comments": "Tạo bởi cchc"}
    )
    workbook.formats[0].set_font_name(FONT)
    workbook.formats[0].set_font_size(font_size)
    return workbook


class Styles:
    """Formats created once per workbook, by name."""

    def __init__(self, workbook: Any, precision: int = 2, font_size: int = 12) -> None:
        self.workbook = workbook
        self.precision = precision
        self.base: dict[str, Any] = {"font_name": FONT, "font_size": font_size,
                                     "valign": "vcenter"}
        self._cache: dict[tuple, Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self.workbook.add_format({**self.base, **props})
            self._cache[key] = fmt
        return fmt

    def number_format(self, places: int | None = None) -> str:
        places = self.precision if places is None else places
        return "0" if places == 0 else "0." + "0" * places

    # Common looks.
    def title(self) -> Any:
        return self.get(bold=True, font_size=14, align="center", text_wrap=True)

    def header(self) -> Any:
        return self.get(bold=True, align="center", text_wrap=True, border=1, bg_color="#DDEBF7")

    def text(self, **extra: Any) -> Any:
        return self.get(border=1, text_wrap=True, **extra)

    def number(self, places: int | None = None, **extra: Any) -> Any:
        return self.get(border=1, num_format=self.number_format(places), **extra)


def title_row(sheet: Any, styles: Styles, text: str, last_col: int, row: int = 0) -> None:
    """A sheet's title, merged across the table."""
    sheet.set_row(row, 24)
    sheet.merge_range(row, 0, row, last_col, text, styles.title())


def header_row(sheet: Any, styles: Styles, row: int, headers: Sequence[tuple[str, float]], *,
               height: float = 36) -> None:
    """A table's header row; each header comes with its column's width."""
    sheet.set_row(row, height)
    for c, (text, width) in enumerate(headers):
        sheet.set_column(c, c, width)
        sheet.write_string(row, c, text, styles.header())


def write_value(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write ``value`` with the right cell type; text is never a formula."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, Decimal | Fraction):
        sheet.write_number(row, col, float(value), fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def fit_height(sheet: Any, row: int, cells: list[tuple[str, float]], *,
               line: float = 15.0, minimum: int = 1) -> None:
    """Set a row's height for wrapped text (neither Excel nor LibreOffice sizes rows of
    generated files by themselves). ``cells`` are (text, column width in characters)."""
    import math

    lines = minimum
    for text, width in cells:
        if text:
            usable = max(1.0, width * 1.15 - 1)
            count = sum(max(1, math.ceil(len(part) / usable)) for part in text.split("\n"))
            lines = max(lines, count)
    if lines > 1:
        sheet.set_row(row, line * lines)


def a4_landscape(sheet: Any, *, repeat_rows: tuple[int, int] | None = None) -> None:
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    if repeat_rows:
        sheet.repeat_rows(*repeat_rows)
    sheet.set_footer("&CTrang &P/&N")


def a4_portrait(sheet: Any, *, repeat_rows: tuple[int, int] | None = None) -> None:
    a4_landscape(sheet, repeat_rows=repeat_rows)
    sheet.set_portrait()
