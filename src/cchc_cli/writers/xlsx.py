"""Shared plumbing of every workbook cchc writes (through xlsxwriter).

- Reproducible: fixed document properties, so identical inputs give identical bytes.
- Safe: text is always written as text; a unit name such as ``=HYPERLINK(…)`` or
  ``-Sở X`` never becomes a formula (``strings_to_formulas`` off, ``write_string`` only).
- Pleasant: one place for fonts, borders and number formats.
- Printable: A4 landscape at a readable size. A table that fits one page wide at 80 %
  or more is fitted to the width; a wider one prints across pages at full size, its
  header rows and unit columns repeated on every page, broken between groups of
  columns (areas) where it can be.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

FIXED_TIME = dt.datetime(2000, 1, 1)
FONT = "Times New Roman"
# Result workbooks are printed: 11 pt is readable and leaves room for the columns.
RESULT_FONT_SIZE = 11
# Column-width units one A4 landscape page holds at 100 % (margins 0.5", 11 pt Times
# New Roman), measured by printing through LibreOffice; the smallest scale at which a
# table is still fitted to one page wide (80 % of 11 pt is about 9 pt).
PAGE_WIDTH_UNITS = 128.0
MIN_FIT_SCALE = 0.8
# Printable height of an A4 landscape page in points (8.27" minus margins, header and
# footer), at 100 %.
PAGE_HEIGHT_POINTS = 480.0
DEFAULT_ROW_POINTS = 15.0
# One more line of wrapped 11 pt text (LibreOffice and Excel lay out about 13.5 pt).
LINE_POINTS = 13.5
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


def sheet_title(text: str, used: set[str]) -> str:
    """A legal, unique Excel sheet name: at most 31 characters, none of ``[]:*?/\\``,
    shortened on a word boundary ('Cơ quan Trung ương đóng trên địa bàn' → 'Cơ quan
    Trung ương đóng trên'), made unique with ' (2)', ' (3)' … (Excel compares names
    ignoring case)."""
    base = " ".join(_BAD_SHEET_CHARS.sub(" ", text).split()) or "Trang"
    name, n = _shortened(base, SHEET_NAME_MAX), 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name = _shortened(base, SHEET_NAME_MAX - len(suffix)) + suffix
        n += 1
    used.add(name.casefold())
    return name


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    # A single word longer than the limit is cut where it must be.
    short = cut[:space] if space > 0 else text[:limit]
    return short.rstrip(" ,;-–")


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
        """Points: '0.00'. Never three fixed decimals: '1.000' reads as one thousand to a
        Vietnamese eye, so from three places on the format keeps one decimal and shows
        the others only when they are not zero ('1.0', '0.125')."""
        places = self.precision if places is None else places
        if places == 0:
            return "0"
        if places >= 3:
            return "0.0" + "#" * (places - 1)
        return "0." + "0" * places

    def index_format(self) -> str:
        """A published index keeps its ``precision`` decimals ('93.69', '93.689'): it is
        a percentage, never near one thousand."""
        return "0." + "0" * self.precision if self.precision else "0"

    # Common looks.
    def title(self) -> Any:
        return self.get(bold=True, font_size=14, align="center", text_wrap=True)

    def header(self) -> Any:
        return self.get(bold=True, align="center", text_wrap=True, border=1, bg_color="#DDEBF7")

    def text(self, **extra: Any) -> Any:
        return self.get(border=1, text_wrap=True, **extra)

    def number(self, places: int | None = None, **extra: Any) -> Any:
        return self.get(border=1, num_format=self.number_format(places), **extra)

    def index(self, **extra: Any) -> Any:
        return self.get(border=1, num_format=self.index_format(), **extra)


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
    kind = value.__class__
    if kind is str:  # the common cases first, by class (a national workbook: 400 000 cells)
        if value:
            sheet.write_string(row, col, value, fmt)
        else:
            sheet.write_blank(row, col, None, fmt)
    elif kind is Decimal:
        sheet.write_number(row, col, float(value), fmt)
    elif value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, Decimal | Fraction):
        sheet.write_number(row, col, float(value), fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def text_lines(text: str, width: float) -> int:
    """Lines a text takes when word-wrapped in a column ``width`` characters wide.

    A column's width counts widths of the digit 0; a Vietnamese text's letters are
    narrower on average (measured in Times New Roman: about 1.2 letters per unit).
    Words are wrapped whole, as Excel and LibreOffice do; a word longer than a line
    takes as many lines as it needs.
    """
    if not text:
        return 1
    usable = max(1.0, width * 1.18 - 0.5)
    if len(text) <= usable and "\n" not in text:
        return 1  # the words and the spaces between them fit: one line
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            if len(word) > usable:  # a path, a long code: cut where it must be
                lines += (1 if used else 0) + math.ceil(len(word) / usable) - 1
                used = len(word) % usable or usable
                continue
            needed = len(word) + (1 if used else 0)
            if used + needed > usable:
                lines += 1
                used = len(word)
            else:
                used += needed
    return lines


def row_height(cells: Sequence[tuple[str, float]], *, line: float = LINE_POINTS,
               minimum: int = 1) -> float:
    """The height (points) a row of wrapped texts needs: (text, column width) pairs."""
    lines = max([minimum, *(text_lines(text, width) for text, width in cells if text)])
    return DEFAULT_ROW_POINTS if lines == 1 else line * lines + 3


def fit_height(sheet: Any, row: int, cells: list[tuple[str, float]], *,
               line: float = LINE_POINTS, minimum: int = 1) -> float:
    """Set a row's height for wrapped text (neither Excel nor LibreOffice sizes rows of
    generated files by themselves); returns the height. ``cells`` are (text, column
    width in characters)."""
    height = row_height(cells, line=line, minimum=minimum)
    if height > DEFAULT_ROW_POINTS:
        sheet.set_row(row, height)
    return height


@dataclass(frozen=True)
class PagePlan:
    """How a table prints: fitted to one page wide (at ``scale``), or across pages at
    full size with vertical page breaks before the columns ``breaks``."""

    fit: bool
    scale: float
    breaks: tuple[int, ...] = ()

    def first_page_end(self, columns: int) -> int:
        """The last column printed on the first page (titles are merged up to it)."""
        return (self.breaks[0] if self.breaks else columns) - 1


def plan_pages(widths: Sequence[float], *, unit_columns: int = 0, groups: Sequence[int] = ()
               ) -> PagePlan:
    """A table that fits one A4 landscape page wide at MIN_FIT_SCALE or more is fitted;
    a wider one prints across pages at full size, broken between groups of columns."""
    total = sum(widths)
    if total <= PAGE_WIDTH_UNITS / MIN_FIT_SCALE:
        return PagePlan(fit=True, scale=min(1.0, PAGE_WIDTH_UNITS / total) if total else 1.0)
    return PagePlan(fit=False, scale=1.0,
                    breaks=tuple(column_breaks(widths, unit_columns, groups)))


def apply_print(sheet: Any, plan: PagePlan, *, title: str,
                repeat_rows: tuple[int, int] | None = None, unit_columns: int = 0) -> None:
    """A4 landscape by ``plan``; the title goes in the page header too, so that every
    page says what it is; the unit columns repeat on every page of a wide table."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_header("&C&\"Times New Roman,Bold\"&10" + _header_text(title))
    sheet.set_footer("&C&\"Times New Roman\"&10Trang &P/&N")
    if repeat_rows:
        sheet.repeat_rows(*repeat_rows)
    if plan.fit:
        sheet.fit_to_pages(1, 0)
        return
    if unit_columns:
        sheet.repeat_columns(0, unit_columns - 1)
    if plan.breaks:
        sheet.set_v_pagebreaks(list(plan.breaks))


def print_setup(sheet: Any, widths: Sequence[float], *, title: str,
                repeat_rows: tuple[int, int] | None = None, unit_columns: int = 0,
                groups: Sequence[int] = ()) -> PagePlan:
    """:func:`plan_pages` then :func:`apply_print`, for tables whose title does not
    depend on the plan."""
    plan = plan_pages(widths, unit_columns=unit_columns, groups=groups)
    apply_print(sheet, plan, title=title, repeat_rows=repeat_rows, unit_columns=unit_columns)
    return plan


def _header_text(title: str) -> str:
    # '&' starts a control code in Excel headers; the whole header is at most 255.
    return title.replace("&", "&&")[:200]


def column_breaks(widths: Sequence[float], unit_columns: int, groups: Sequence[int] = ()
                  ) -> list[int]:
    """Where to break a wide table into pages: each page holds the repeated unit columns
    and as many whole groups as fit; a group wider than a page is split where it must."""
    room = PAGE_WIDTH_UNITS - sum(widths[:unit_columns])
    starts = sorted({unit_columns, *(g for g in groups if unit_columns < g < len(widths))})
    bounds = [*starts, len(widths)]
    breaks: list[int] = []
    used = 0.0
    for start, end in zip(bounds, bounds[1:], strict=False):
        if used and used + sum(widths[start:end]) > room:
            breaks.append(start)
            used = 0.0
        for col in range(start, end):
            if used and used + widths[col] > room:
                breaks.append(col)
                used = 0.0
            used += widths[col]
    return breaks


def chart_breaks(sheet: Any, *, rows_above: float, chart_points: float, scale: float,
                 row: int) -> int:
    """Start a chart on a new page when it would otherwise be cut by a page break;
    returns the row to anchor the chart at (one below the break, clear of it)."""
    page = PAGE_HEIGHT_POINTS / max(scale, 0.1)
    top = rows_above % page
    if top + chart_points > page and top > 0:
        sheet.set_h_pagebreaks([row])
        return row + 1
    return row


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
