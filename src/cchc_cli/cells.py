"""Excel cell addresses and the normalisation of text read from cells.

Pure functions, no I/O: shared by readers, writers and messages.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=512)
def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def address(row: int, col: int) -> str:
    """0-based row and column → Excel address (0, 0 → A1)."""
    return f"{column_letter(col)}{row + 1}"


_ADDRESS = re.compile(r"^([A-Z]+)(\d+)$")


def address_key(cell: str | None) -> tuple[int, int]:
    """Sort key (row, column) of an Excel address; unparseable addresses sort first."""
    if not cell:
        return (0, 0)
    match = _ADDRESS.match(cell)
    if not match:
        return (0, 0)
    letters, digits = match.groups()
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return (int(digits), col)


def clean_text(value: str) -> str:
    """NFC, trimmed, inner whitespace (including non-breaking) collapsed to one space.

    Called for every text cell read: ``str.split`` and ``is_normalized`` are C-fast and
    most text is already NFC, so normalising is skipped when there is nothing to do.
    """
    text = " ".join(value.split())
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def header_key(value: object) -> str:
    """Normalised form of a header or label: NFC, casefolded, spacing collapsed.

    Diacritics are kept: ``Không áp dụng`` and ``Khong ap dung`` are different words.
    """
    if value is None:
        return ""
    return clean_text(str(value)).casefold()
