"""Locating header rows and reading cell values by column, whatever the layout.

Headers are matched by normalised text (case, spacing and Unicode normalisation do not
matter), anywhere in the first rows of the sheet; columns may be in any order, extra
columns are ignored, and a header split over two rows by merged cells is recombined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cchc_cli.cells import address, clean_text, header_key
from cchc_cli.numbers import HUNDRED, NotANumber, from_float
from cchc_cli.readers.workbook import Sheet

HEADER_SEARCH_ROWS = 30


@dataclass(slots=True)
class Header:
    """Where a table's header is and which column holds each field (0-based)."""

    row: int  # last header row; data starts below it
    columns: dict[str, int]
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # text, cell, cell


@dataclass(slots=True)
class HeaderMissing:
    missing: list[str]  # header texts not found
    searched: int


def cell_text(value: Any) -> str:
    """A cell as text: numbers in their shortest form (8.1, 2023), text NFC and trimmed."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    return clean_text(str(value))


def percent_shown(value: Any) -> Decimal | None:
    """What a number cell displayed as a percentage shows: the stored value × 100 (the
    file holds 0.964 for ``96,4%``), at Excel's 15 significant digits, not the rounded
    display. None for anything but a finite number."""
    try:
        if value.__class__ is float:
            return from_float(value) * HUNDRED
        if value.__class__ is int:
            return Decimal(value) * HUNDRED
    except NotANumber:
        pass
    return None


# Header rows repeat from form to form (a province's forms share their titles and
# instructions): their keys are remembered, up to a bound. Long text is a title or an
# instruction, never a header, and is not normalised at all.
_KEYS: dict[str, str] = {}
_KEYS_LIMIT = 4096
_LONGEST_HEADER = 120


def _key(value: Any) -> str:
    if value.__class__ is not str:
        return header_key(cell_text(value))
    key = _KEYS.get(value)
    if key is None:
        key = header_key(cell_text(value)) if len(value) <= _LONGEST_HEADER else ""
        if len(_KEYS) >= _KEYS_LIMIT:
            _KEYS.clear()
        _KEYS[value] = key
    return key


def _row_keys(sheet: Sheet, r: int) -> list[str]:
    return [_key(v) for v in sheet.rows[r]] if r < len(sheet.rows) else []


def _merged_fill(sheet: Sheet, r: int) -> list[str]:
    """Row ``r`` as texts, with each horizontally merged range's text copied across it."""
    texts = [cell_text(v) for v in sheet.rows[r]]
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 <= r <= r1:
            top = cell_text(sheet.value(r0, c0))
            for c in range(c0, min(c1 + 1, len(texts))):
                if not texts[c]:
                    texts[c] = top
    return texts


def find_header(
    sheet: Sheet,
    wanted: dict[str, str],
    required: set[str],
    *,
    rows: int = HEADER_SEARCH_ROWS,
) -> Header | HeaderMissing:
    """Find the header row holding every ``required`` field of ``wanted`` (field → text)."""
    keys = {header_key(text): name for name, text in wanted.items()}
    limit = min(rows, len(sheet.rows))
    best: tuple[int, set[str]] = (-1, set())
    for r in range(limit):
        row_keys = _row_keys(sheet, r)
        found = _match(row_keys, keys)
        if required <= found.keys():
            return _header(sheet, r, row_keys, keys)
        if len(found) > len(best[1]):
            best = (r, set(found))
    # A header split over two rows by merged cells: "Không áp dụng" over "(thẩm định)".
    if sheet.merged:
        for r in range(limit - 1):
            top, bottom = _merged_fill(sheet, r), _merged_fill(sheet, r + 1)
            width = max(len(top), len(bottom))
            top += [""] * (width - len(top))
            bottom += [""] * (width - len(bottom))
            # A header merged over both rows reads the same in both: say it once.
            combined = [
                header_key(a if a == b else " ".join(t for t in (a, b) if t))
                for a, b in zip(top, bottom, strict=True)
            ]
            found = _match(combined, keys)
            if required <= found.keys():
                return _header(sheet, r + 1, combined, keys)
    missing = [wanted[name] for name in wanted if name in required and name not in best[1]]
    return HeaderMissing(missing=missing, searched=limit)


def _match(row: list[str], keys: dict[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for c, key in enumerate(row):
        name = keys.get(key)
        if name is not None and name not in found:
            found[name] = c
    return found


def _header(sheet: Sheet, r: int, row: list[str], keys: dict[str, str]) -> Header:
    columns: dict[str, int] = {}
    duplicates: list[tuple[str, str, str]] = []
    for c, key in enumerate(row):
        if not key:
            continue
        name = keys.get(key)
        if name is None:
            continue  # a column the form does not need
        if name in columns:
            duplicates.append((cell_text(sheet.value(r, c)) or key, address(r, columns[name]),
                               address(r, c)))
        else:
            columns[name] = c
    return Header(row=r, columns=columns, duplicates=duplicates)
