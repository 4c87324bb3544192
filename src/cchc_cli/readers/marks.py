"""What python-calamine does not say about a cell, read from the workbook's own parts.

python-calamine gives values only. Two things the person sees are lost on the way
(SPEC §13.2):

- a cell displayed as a percentage: Excel and LibreOffice store ``96,4%`` as 0.964 with
  a percent number format (.xlsx: the cell's style → ``cellXfs`` → ``numFmts`` of
  ``styles.xml``; .ods: ``office:value-type="percentage"``; .xls: the XF and FORMAT
  records, in :mod:`cchc_cli.readers.biff`);
- a formula without a computed value (files written by programs): the parser reads it
  as an empty cell, or as the placeholder 0 that a writer such as xlsxwriter stores
  when it was not given the result and asks the spreadsheet to recalculate on opening.

Both are returned as sets of 0-based ``(row, column)``. The scans are cheap where
nothing is marked (a search for a literal), and exact where something might be: a
linear pass over the cell tags, never a regular expression that can backtrack over the
whole part. Nothing here allocates more than :data:`MAX_MARKS` positions.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from cchc_cli.files import FileRefused

Cells = frozenset[tuple[int, int]]
NONE: Cells = frozenset()

# Far more marked cells than any form holds (a province's appraisal form has ~10 000
# formulas, a national survey form ~50 000 rates): a sheet beyond this is refused rather
# than indexed.
MAX_MARKS = 250_000
# Excel's built-in percent formats: 9 is "0%", 10 is "0.00%".
PERCENT_BUILTIN = frozenset({9, 10})

_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*(["\'])([^"\']*)\2')


def attributes(raw: bytes) -> dict[bytes, str]:
    """The attributes of a tag (local names, entities decoded)."""
    return {name.rsplit(b":", 1)[-1]: html.unescape(value.decode("utf-8", "replace"))
            for name, _, value in _ATTR.findall(raw)}


def column_number(letters: str, beyond: int) -> int:
    """'A' → 1, 'AA' → 27; ``beyond`` for more than four letters (far past any sheet)."""
    if len(letters) > 4:
        return beyond
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _refused(rows: int, cols: int) -> FileRefused:
    return FileRefused("tep-qua-lon-o", rows=rows, cols=cols, limit=MAX_MARKS)


# --------------------------------------------------------------------------------------
# Number formats
# --------------------------------------------------------------------------------------


def is_percent_format(code: str) -> bool:
    """A number format code that shows its number × 100: a ``%`` outside quoted text,
    brackets ([Red], [<100]) and escapes (``\\%``, and ``_%`` / ``*%``, which stand for
    a space as wide as ``%`` and a fill with ``%``)."""
    quoted = False
    i, size = 0, len(code)
    while i < size:
        ch = code[i]
        if quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = True
        elif ch in "\\_*":
            i += 1
        elif ch == "[":
            end = code.find("]", i)
            if end < 0:
                return False
            i = end
        elif ch == "%":
            return True
        i += 1
    return False


def percent_formats(custom: Iterable[tuple[int, str]]) -> frozenset[int]:
    """Format ids that show a percentage: the built-ins, plus custom codes with a ``%``
    (a custom code given to a built-in id replaces it)."""
    found = set(PERCENT_BUILTIN)
    for number, code in custom:
        if is_percent_format(code):
            found.add(number)
        else:
            found.discard(number)
    return frozenset(found)


_NUMFMT = re.compile(rb"<(?:[\w.-]+:)?numFmt(?=[\s/>])([^<>]*)>")
_CELLXFS_OPEN = re.compile(rb"<(?:[\w.-]+:)?cellXfs(?=[\s/>])[^<>]*>")
_CELLXFS_CLOSE = re.compile(rb"</(?:[\w.-]+:)?cellXfs\s*>")
_XF = re.compile(rb"<(?:[\w.-]+:)?xf(?=[\s/>])([^<>]*)>")
_BUILTIN_PERCENT = re.compile(rb"numFmtId\s*=\s*[\"']\s*(?:9|10)\s*[\"']")


def _number(text: str | None, default: int = -1) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else default


def percent_styles(styles: bytes) -> frozenset[int]:
    """Indexes of ``cellXfs`` (the ``s`` of a cell) whose number format is a percentage.

    Most workbooks have none, which one search tells; ``cellStyleXfs`` (named styles)
    also hold ``<xf>`` elements and are not what a cell's ``s`` points at.
    """
    if b"%" not in styles and _BUILTIN_PERCENT.search(styles) is None:
        return frozenset()
    custom = []
    for raw in _NUMFMT.findall(styles):
        found = attributes(raw)
        number = _number(found.get(b"numFmtId"))
        if number >= 0:
            custom.append((number, found.get(b"formatCode", "")))
    percent = percent_formats(custom)
    opening = _CELLXFS_OPEN.search(styles)
    if opening is None:
        return frozenset()
    closing = _CELLXFS_CLOSE.search(styles, opening.end())
    block = styles[opening.end():closing.start() if closing else len(styles)]
    return frozenset(i for i, raw in enumerate(_XF.findall(block))
                     if _number(attributes(raw).get(b"numFmtId"), 0) in percent)


# --------------------------------------------------------------------------------------
# .xlsx sheets
# --------------------------------------------------------------------------------------

_FULL_CALC = re.compile(rb"fullCalcOnLoad\s*=\s*[\"'](?:1|true)[\"']")


def recalculates(workbook_xml: bytes) -> bool:
    """The workbook asks to be recalculated on opening (``fullCalcOnLoad``): written by
    a program that may have stored 0 in place of results it did not compute."""
    return _FULL_CALC.search(workbook_xml) is not None


_ANY_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
# A formula element (with text, or empty as a shared formula's other cells are) not
# followed by a stored result ("<v>" with something in it) — or, in a workbook that
# recalculates on opening, followed by the placeholder 0. One pattern that starts with
# the literal "<f", so that the search skips from formula to formula.
_FORMULA_ELEMENT = rb"<f(?:\s[^<>]*)?(?:/>|>[^<]*</f>)"
_NO_RESULT = re.compile(_FORMULA_ELEMENT + rb"(?!\s*<v>[^<])")
_NO_RESULT_OR_ZERO = re.compile(_FORMULA_ELEMENT + rb"(?!\s*<v>(?!0</v>)[^<])")
_REF = re.compile(rb"([A-Z]{1,3})(\d{1,7})")
_CELL_HEAD = 512  # the most bytes a cell's start tag takes in a regular sheet


def xlsx_marks(xml: bytes, styles: frozenset[int], recalc: bool, regular: bool
               ) -> tuple[Cells, Cells]:
    """(percent, uncached) cells of a worksheet part.

    ``styles``: the percent ``cellXfs`` indexes; ``recalc``: the workbook recalculates
    on opening; ``regular``: the part passed the fast extent check (every cell tag is
    ``<c r="A1"…`` with a plain reference, no prefixed tags, no line breaks), so that a
    formula's cell is the last cell start tag before it.
    """
    if regular and 0 not in styles:  # (cells without an s attribute are plain)
        fast = _fast_marks(xml, styles, _NO_RESULT_OR_ZERO if recalc else _NO_RESULT)
        if fast is not None:
            return fast
    elif not styles and _ANY_FORMULA.search(xml) is None:
        return NONE, NONE
    return _exact_marks(xml, styles, recalc)


_PERCENT_CELLS: dict[frozenset[int], re.Pattern[bytes]] = {}


def _percent_cells(styles: frozenset[int]) -> re.Pattern[bytes]:
    pattern = _PERCENT_CELLS.get(styles)
    if pattern is None:
        choices = b"|".join(str(s).encode() for s in sorted(styles))
        pattern = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^<>]*? s="(?:' + choices + rb')"')
        _PERCENT_CELLS[styles] = pattern
    return pattern


def _position(letters: bytes, digits: bytes) -> tuple[int, int]:
    return int(digits) - 1, column_number(letters.decode(), MAX_MARKS) - 1


def _fast_marks(xml: bytes, styles: frozenset[int], no_result: re.Pattern[bytes]
                ) -> tuple[Cells, Cells] | None:
    """The marks of a regular sheet, from the few places that can hold one (searches
    for literals); None when a formula is not written right after its cell's start tag
    (then the exact pass decides)."""
    percent: set[tuple[int, int]] = set()
    if styles:
        for match in _percent_cells(styles).finditer(xml):
            percent.add(_position(*match.groups()))
            if len(percent) > MAX_MARKS:
                raise _refused(len(percent), 0)
    uncached: set[tuple[int, int]] = set()
    for match in no_result.finditer(xml):
        at = match.start()
        start = xml.rfind(b'<c r="', max(0, at - _CELL_HEAD), at)
        close = xml.find(b">", start, at) if start >= 0 else -1
        if close + 1 != at or xml[close - 1] == 47:  # 47: "/", a cell closed at once
            return None
        ref = _REF.match(xml, start + 6)
        if ref is None:
            return None
        end = match.end()
        if b' t="str"' in xml[start:close] and xml.startswith((b"<v></v>", b"<v/>"), end):
            continue  # a formula whose result is the empty text: computed
        uncached.add(_position(*ref.groups()))
        if len(uncached) > MAX_MARKS:
            raise _refused(len(uncached), 0)
    if not percent and not uncached:
        return NONE, NONE
    return frozenset(percent), frozenset(uncached)


_CELL_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c|f|v)(?=[\s/>])([^<>]*)>")
_ATTR_R = re.compile(rb'(?:^|\s)r\s*=\s*(["\'])([^"\']*)\1')
_ATTR_S = re.compile(rb'(?:^|\s)s\s*=\s*(["\'])\s*(\d{1,9})\s*\1')
_ATTR_T = re.compile(rb'(?:^|\s)t\s*=\s*(["\'])\s*([A-Za-z]*)\s*\1')
_TEXT_REF = re.compile(r"^\s*([A-Za-z]*)\s*(\d*)\s*$")


class _Cell:
    """The cell being read by the exact pass."""

    __slots__ = ("at", "style", "text", "formula", "result", "empty_result")

    def __init__(self, at: tuple[int, int], style: int, text: bool) -> None:
        self.at, self.style, self.text = at, style, text
        self.formula = self.result = self.empty_result = False


def _exact_marks(xml: bytes, styles: frozenset[int], recalc: bool) -> tuple[Cells, Cells]:
    """Every cell tag in order, placed as parsers place them (a cell or row without a
    reference follows the previous one), whatever the quoting, prefixes or spacing."""
    percent: set[tuple[int, int]] = set()
    uncached: set[tuple[int, int]] = set()
    row = col = 0
    cell: _Cell | None = None

    def finish(done: _Cell) -> None:
        if done.style in styles:
            percent.add(done.at)
        if done.formula and not (done.result or (done.text and done.empty_result)):
            uncached.add(done.at)
        if len(percent) + len(uncached) > MAX_MARKS:
            raise _refused(row + 1, col)

    for match in _CELL_TAG.finditer(xml):
        closing, name, attrs = match.groups()
        single = attrs.endswith(b"/")
        if name == b"c":
            if closing:
                if cell is not None:
                    finish(cell)
                cell = None
                continue
            row, col = _cell_place(attrs, row, col)
            style = _ATTR_S.search(attrs)
            kind = _ATTR_T.search(attrs)
            cell = _Cell((row - 1, col - 1), int(style.group(2)) if style else 0,
                         kind is not None and kind.group(2) == b"str")
            if single:
                finish(cell)
                cell = None
        elif name == b"row":
            if not closing:
                found = _ATTR_R.search(attrs)
                digits = found.group(2).strip() if found else b""
                row = int(digits) if digits.isdigit() and len(digits) < 12 else row + 1
                col = 0
        elif cell is not None and not closing:
            if name == b"f":
                cell.formula = True
            elif single:  # <v/>: an empty result
                cell.empty_result = True
            else:  # <v>: a result, unless it is empty (or a recalculating writer's 0)
                text = xml[match.end():match.end() + 4]
                stored = not text.startswith(b"<")
                cell.empty_result = not stored
                cell.result = stored and not (recalc and cell.formula and text == b"0</v")
    return frozenset(percent), frozenset(uncached)


def _cell_place(attrs: bytes, row: int, col: int) -> tuple[int, int]:
    """(row, column), 1-based, of a cell tag: its reference, or the next place."""
    found = _ATTR_R.search(attrs)
    parsed = _TEXT_REF.match(html.unescape(found.group(2).decode("latin-1"))) if found else None
    if not parsed or not (parsed.group(1) or parsed.group(2)):
        return max(row, 1), col + 1
    letters, digits = parsed.groups()
    col = column_number(letters, MAX_MARKS) if letters else col + 1
    if digits:
        row = int(digits) if len(digits) < 12 else MAX_MARKS
    return max(row, 1), col


# --------------------------------------------------------------------------------------
# .ods
# --------------------------------------------------------------------------------------

_ODS_TAG = re.compile(
    rb"<(/?)(table:table-row|table:covered-table-cell|table:table-cell|table:table)"
    rb"(?=[\s/>])([^<>]*)>"
)
_ODS_NAME = re.compile(rb'table:name\s*=\s*(["\'])([^"\']*)\1')
_ODS_ROWS = re.compile(rb'number-rows-repeated\s*=\s*["\'](\d{1,9})["\']')
_ODS_COLS = re.compile(rb'number-columns-repeated\s*=\s*["\'](\d{1,9})["\']')
_ODS_TYPE = re.compile(rb'office:value-type\s*=\s*["\']([a-z]*)["\']')
# The attribute that holds the result of each value type (strings are in the text).
_ODS_RESULT = {b"float": b"office:value=", b"percentage": b"office:value=",
               b"currency": b"office:value=", b"date": b"office:date-value=",
               b"time": b"office:time-value=", b"boolean": b"office:boolean-value="}

SheetMarks = dict[str, tuple[Cells, Cells]]


def ods_marks(content: bytes) -> SheetMarks:
    """Sheet name → (percent, uncached) cells of an ODS ``content.xml``.

    A percentage is a cell of value type ``percentage``; a formula without a result
    has ``table:formula`` and no result attribute for its type (no type at all is what
    a program writes — and also what LibreOffice writes for a formula that gives the
    empty text: both are reported, the fix is the same).
    """
    found: SheetMarks = {}
    if b"percentage" not in content and b"table:formula" not in content:
        return found
    name = ""
    percent: set[tuple[int, int]] = set()
    uncached: set[tuple[int, int]] = set()
    row = col = repeat = 0
    pending: list[tuple[int, int, bool]] = []  # (first column, columns, percent?)
    for match in _ODS_TAG.finditer(content):
        closing, tag, attrs = match.groups()
        if tag == b"table:table":
            if closing:
                found[name] = (frozenset(percent), frozenset(uncached))
            else:
                named = _ODS_NAME.search(attrs)
                name = html.unescape(named.group(2).decode("utf-8", "replace")) if named else ""
                percent, uncached, row = set(), set(), 0
        elif tag == b"table:table-row":
            if closing:
                _mark_rows(pending, row, repeat, percent, uncached)
                row += repeat
                continue
            repeated = _ODS_ROWS.search(attrs)
            repeat = int(repeated.group(1)) if repeated else 1
            col, pending = 0, []
            if attrs.endswith(b"/"):
                row += repeat
        elif not closing:
            repeated = _ODS_COLS.search(attrs)
            count = int(repeated.group(1)) if repeated else 1
            mark = _ods_mark(attrs)
            if mark is not None:
                pending.append((col, count, mark))
            col += count
    return found


def _ods_mark(attrs: bytes) -> bool | None:
    """True: a percentage; False: a formula without a result; None: neither."""
    kind = _ODS_TYPE.search(attrs)
    if b"table:formula" in attrs:
        result = _ODS_RESULT.get(kind.group(1)) if kind else None
        if kind is None or (result is not None and result not in attrs):
            return False
    if kind is not None and kind.group(1) == b"percentage":
        return True
    return None


def _mark_rows(pending: list[tuple[int, int, bool]], row: int, repeat: int,
               percent: set[tuple[int, int]], uncached: set[tuple[int, int]]) -> None:
    for first, count, is_percent in pending:
        if (len(percent) + len(uncached)) + count * repeat > MAX_MARKS:
            raise _refused(row + repeat, first + count)
        target = percent if is_percent else uncached
        target.update((r, c) for r in range(row, row + repeat)
                      for c in range(first, first + count))
