"""Inputs that look right and would be scored wrong (SPEC §13.2), built the way the
programs that write them store them.

- A percentage typed in a cell (``96,4%``) is stored as 0.964 with a percent number
  format: in an .xlsx the cell's ``s`` points at an ``<xf>`` of ``cellXfs`` whose
  ``numFmtId`` is a built-in percent (9, 10: what Excel applies when one types a
  percentage) or a custom code with ``%`` (what LibreOffice writes); in an .ods the cell
  has ``office:value-type="percentage"``; in an .xls the cell record names an XF record
  whose format is a percent.
- A formula without a computed value: ``<f>`` without ``<v>`` (scripts), ``<f>`` with an
  empty ``<v></v>`` (openpyxl), ``<v>0</v>`` in a workbook that asks to be recalculated
  on opening (xlsxwriter); an .ods ``table:formula`` without a value; an .xls FORMULA
  record whose result is the empty text (xlwt).

Forms are written by cchc's own writers (tests/builders.py) and then changed part by
part, or rebuilt cell by cell as .ods and .xls from what python-calamine reads of them.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from python_calamine import CalamineWorkbook

from tests.hostile.corpus import ZipPart, _record, build_zip, cfb, rewrite_members


@dataclass(frozen=True)
class Percent:
    """A number shown as a percentage: ``stored`` is what the file holds (0.964)."""

    stored: float
    code: str | None = None  # a custom format code ("0.0%"); None: Excel's built-in 0.00%


@dataclass(frozen=True)
class Formula:
    """A formula cell; ``result`` None: the file holds no computed value."""

    text: str = "1+1"
    result: float | str | None = None
    # .xlsx only: how the missing result is written — "absent" (no <v>), "empty"
    # (<v></v>, openpyxl) or "zero" (<v>0</v>, xlsxwriter, which also asks for a
    # recalculation on opening).
    missing: str = "absent"


Special = Percent | Formula


# ======================================================================================
# Reading a workbook back
# ======================================================================================


def workbook_rows(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet of a workbook as python-calamine reads it, in order."""
    book = CalamineWorkbook.from_path(str(path))
    return [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in book.sheet_names]


def cell_position(ref: str) -> tuple[int, int]:
    """'E10' → (9, 4)."""
    letters = "".join(ch for ch in ref if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters):]) - 1, col - 1


# ======================================================================================
# .xlsx: one part at a time
# ======================================================================================

_SHEET_ENTRY = re.compile(r'<sheet [^>]*name="([^"]*)"[^>]*r:id="([^"]*)"')
_RELATION = re.compile(r'<Relationship [^>]*Id="([^"]*)"[^>]*Target="([^"]*)"')


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding the sheet named ``sheet``."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(_RELATION.findall(rels))
    rid = next(rid for name, rid in _SHEET_ENTRY.findall(workbook) if name == escape(sheet))
    return "xl/" + targets[rid].lstrip("/").removeprefix("xl/")


def add_number_format(styles: bytes, *, builtin: int | None = None, code: str | None = None
                      ) -> tuple[bytes, int]:
    """Append a cell format (``<xf>`` of ``cellXfs``) with a built-in or custom number
    format; return the new styles part and the format's index (a cell's ``s``)."""
    text = styles.decode()
    number = builtin if builtin is not None else 0
    if code is not None:
        number = 200
        entry = f'<numFmt numFmtId="{number}" formatCode={quoteattr(code)}/>'
        if "<numFmts" in text:
            text = re.sub(r"(<numFmts[^>]*>)", lambda m: m.group(1) + entry, text, count=1)
        else:
            text = re.sub(r"(<styleSheet[^>]*>)",
                          lambda m: m.group(1) + f'<numFmts count="1">{entry}</numFmts>',
                          text, count=1)
    block = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", text, re.S)
    assert block is not None
    index = len(re.findall(r"<xf[\s/>]", block.group(1)))
    xf = f'<xf numFmtId="{number}" fontId="0" fillId="0" borderId="0" xfId="0"' \
         ' applyNumberFormat="1"/>'
    text = text[:block.end(1)] + xf + text[block.end(1):]
    text = re.sub(r'<cellXfs count="\d+"', f'<cellXfs count="{index + 1}"', text, count=1)
    return text.encode(), index


def replace_cell(sheet: bytes, ref: str, cell: str) -> bytes:
    """Put ``cell`` (a whole ``<c>`` element) at ``ref``, replacing what is there (the
    cell must exist: forms write every cell of their table)."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"(?:\s[^>]*?)?(?:/>|>.*?</c>)', re.S)
    changed, count = pattern.subn(cell.encode().replace(b"\\", b"\\\\"), sheet, count=1)
    assert count == 1, f"no cell {ref}"
    return changed


def xlsx_cell(special: Special | str | float, ref: str, style: int | None = None) -> str:
    """The ``<c>`` element of ``special`` as Excel, openpyxl or xlsxwriter write it."""
    s = f' s="{style}"' if style is not None else ""
    if isinstance(special, Percent):
        return f'<c r="{ref}"{s}><v>{special.stored!r}</v></c>'
    if isinstance(special, Formula):
        formula = f"<f>{escape(special.text)}</f>"
        if isinstance(special.result, str):
            return f'<c r="{ref}"{s} t="str">{formula}<v>{escape(special.result)}</v></c>'
        if special.result is not None:
            return f'<c r="{ref}"{s}>{formula}<v>{special.result!r}</v></c>'
        value = {"absent": "", "empty": "<v></v>", "zero": "<v>0</v>"}[special.missing]
        return f'<c r="{ref}"{s}>{formula}{value}</c>'
    if isinstance(special, str):
        return f'<c r="{ref}"{s} t="inlineStr"><is><t>{escape(special)}</t></is></c>'
    return f'<c r="{ref}"{s}><v>{special!r}</v></c>'


def set_xlsx_cells(path: Path, sheet: str, cells: Mapping[str, Special | str | float]
                   ) -> Path:
    """Write ``cells`` into an .xlsx part by part, as the program that typed them would
    (percent cells get a percent number format; formulas their <f>)."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml")
    elements: dict[str, str] = {}
    for ref, special in cells.items():
        style = None
        if isinstance(special, Percent):
            styles, style = add_number_format(styles, builtin=None if special.code else 10,
                                              code=special.code)
        elements[ref] = xlsx_cell(special, ref, style)
    recalc = any(isinstance(s, Formula) and s.result is None and s.missing == "zero"
                 for s in cells.values())

    def sheet_xml(xml: bytes) -> bytes:
        for ref, element in elements.items():
            xml = replace_cell(xml, ref, element)
        return xml

    def workbook_xml(xml: bytes) -> bytes:
        if not recalc or b"fullCalcOnLoad" in xml:
            return xml
        return xml.replace(b"</workbook>", b'<calcPr fullCalcOnLoad="1"/></workbook>')

    return rewrite_members(path, {part: sheet_xml, "xl/styles.xml": lambda _: styles,
                                  "xl/workbook.xml": workbook_xml})


def set_workbook_xml(path: Path, change: Any) -> Path:
    return rewrite_members(path, {"xl/workbook.xml": change})


def rename_sheet_xlsx(path: Path, old: str, new: str) -> Path:
    """Give a sheet another name in workbook.xml (its part is unchanged)."""
    def change(xml: bytes) -> bytes:
        return xml.replace(f'name="{escape(old)}"'.encode(), f'name="{escape(new)}"'.encode(),
                           1)
    return set_workbook_xml(path, change)


# ======================================================================================
# .ods, written as LibreOffice writes it
# ======================================================================================

_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
           ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
           ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
           ' xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"'
           ' xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:'
           'calcext:1.0"')
_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
    b'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry'
    b' manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.'
    b'oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml"'
    b' manifest:media-type="text/xml"/></manifest:manifest>'
)


def _ods_cell(value: Any) -> str:
    if isinstance(value, Percent):
        return (f'<table:table-cell office:value-type="percentage" office:value='
                f'"{value.stored!r}" calcext:value-type="percentage"><text:p>'
                f"{value.stored * 100:g}%</text:p></table:table-cell>")
    if isinstance(value, Formula):
        formula = f"table:formula={quoteattr('of:=' + value.text)}"
        if value.result is None:  # what a program writes: the formula, no value
            return f"<table:table-cell {formula}><text:p/></table:table-cell>"
        if isinstance(value.result, str):
            return (f'<table:table-cell {formula} office:value-type="string" office:'
                    f"string-value={quoteattr(value.result)}><text:p>"
                    f"{escape(value.result)}</text:p></table:table-cell>")
        return (f'<table:table-cell {formula} office:value-type="float" office:value='
                f'"{value.result!r}"><text:p>{value.result!r}</text:p></table:table-cell>')
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        return (f'<table:table-cell office:value-type="boolean" office:boolean-value='
                f'"{str(value).lower()}"><text:p>{value}</text:p></table:table-cell>')
    if isinstance(value, int | float):
        return (f'<table:table-cell office:value-type="float" office:value="{value!r}">'
                f"<text:p>{value!r}</text:p></table:table-cell>")
    return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>")


def ods_book(sheets: list[tuple[str, list[list[Any]]]]) -> bytes:
    """An .ods file holding ``sheets`` (rows of values, Percent or Formula cells), with
    the empty padding rows LibreOffice adds."""
    tables = []
    for name, rows in sheets:
        body = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row)
                       + "</table:table-row>" for row in rows)
        pad = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell'
               ' table:number-columns-repeated="1024"/></table:table-row>')
        tables.append(f"<table:table table:name={quoteattr(name)}>{body}{pad}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}'
               ' office:version="1.3"><office:body><office:spreadsheet>'
               + "".join(tables) + "</office:spreadsheet></office:body>"
               "</office:document-content>")
    return build_zip([
        ZipPart("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", stored=True),
        ZipPart("content.xml", content.encode()),
        ZipPart("META-INF/manifest.xml", _MANIFEST),
    ])


# ======================================================================================
# .xls (BIFF8), record by record
# ======================================================================================

_PERCENT_FORMAT = 164  # a custom format id, as Excel numbers them


def _unicode(text: str, wide_length: bool = True) -> bytes:
    """An XLUnicodeString (UTF-16): length, flags (1: two bytes per character), text."""
    data = text.encode("utf-16-le")
    head = struct.pack("<HB", len(text), 1) if wide_length else struct.pack("<BB", len(text), 1)
    return head + data


def _xf(number_format: int, style: bool) -> bytes:
    kind = 0xFFF5 if style else 0x0001  # style XF / cell XF (locked) of style 0
    return _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, number_format, kind, 0x20, 0, 0,
                                       0, 0, 0, 0x20C0))


def _biff_cell(r: int, c: int, value: Any, plain_xf: int, percent_xf: int) -> bytes:
    if isinstance(value, Percent):
        return _record(0x0203, struct.pack("<HHHd", r, c, percent_xf, value.stored))
    if isinstance(value, Formula):
        tokens = b"\x1e\x01\x00"  # the formula "=1" (tInt 1): its text does not matter
        extra = b""
        if value.result is None:
            result = bytes([3, 0, 0, 0, 0, 0, 0xFF, 0xFF])  # the empty text, as xlwt writes
        elif isinstance(value.result, str):
            result = bytes([0, 0, 0, 0, 0, 0, 0xFF, 0xFF])
            extra = _record(0x0207, _unicode(value.result))
        else:
            result = struct.pack("<d", value.result)
        body = struct.pack("<HHH", r, c, plain_xf) + result + struct.pack("<HIH", 0, 0,
                                                                          len(tokens))
        return _record(0x0006, body + tokens) + extra
    if isinstance(value, bool) or value is None or value == "":
        return b""
    if isinstance(value, int | float):
        return _record(0x0203, struct.pack("<HHHd", r, c, plain_xf, float(value)))
    return _record(0x0204, struct.pack("<HHH", r, c, plain_xf) + _unicode(str(value)))


def xls_book(sheets: list[tuple[str, list[list[Any]]]], *, custom_percent: str | None = None
             ) -> bytes:
    """A BIFF8 .xls file holding ``sheets``: numbers, texts (LABEL records), Percent cells
    (an XF with the built-in 0.00% format, or ``custom_percent`` as a FORMAT record) and
    Formula cells (FORMULA records with their cached result)."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    font = _record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0)
                   + struct.pack("<BB", 5, 0) + b"Arial")
    formats = b""
    percent_format = 10
    if custom_percent is not None:
        percent_format = _PERCENT_FORMAT
        formats = _record(0x041E, struct.pack("<H", _PERCENT_FORMAT) + _unicode(custom_percent))
    xfs = b"".join(_xf(0, True) for _ in range(15)) + _xf(0, False) + _xf(percent_format, False)
    plain_xf, percent_xf = 15, 16

    def globals_with(offsets: list[int]) -> bytes:
        sheets_records = b"".join(
            _record(0x0085, struct.pack("<IBB", offset, 0, 0) + _unicode(name, False))
            for (name, _), offset in zip(sheets, offsets, strict=True))
        return (_record(0x0809, bof) + _record(0x0042, struct.pack("<H", 1200)) + font * 5
                + formats + xfs + sheets_records + _record(0x000A))

    bodies = []
    for _, rows in sheets:
        width = max((len(row) for row in rows), default=1)
        body = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
        body += _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                body += _biff_cell(r, c, value, plain_xf, percent_xf)
        bodies.append(body + _record(0x000A))
    start = len(globals_with([0] * len(sheets)))
    offsets = []
    for body in bodies:
        offsets.append(start)
        start += len(body)
    return cfb({"Workbook": globals_with(offsets) + b"".join(bodies)})


# ======================================================================================
# Forms in another format, with some cells changed
# ======================================================================================


def rebuilt(path: Path, fmt: str, changes: Mapping[tuple[str, str], Any] | None = None,
            *, custom_percent: str | None = None) -> Path:
    """The workbook at ``path`` rewritten as .ods or .xls next to it (the .xlsx removed),
    with ``changes[(sheet, "E10")]`` put in; as a person saving in LibreOffice keeps
    every value (formulas are kept as their results)."""
    sheets = workbook_rows(path)
    grid = {name: [list(row) for row in rows] for name, rows in sheets}
    for (sheet, ref), value in (changes or {}).items():
        r, c = cell_position(ref)
        rows = grid[sheet]
        while len(rows) <= r:
            rows.append([])
        while len(rows[r]) <= c:
            rows[r].append("")
        rows[r][c] = value
    ordered = [(name, grid[name]) for name, _ in sheets]
    data = ods_book(ordered) if fmt == "ods" else xls_book(ordered, custom_percent=custom_percent)
    target = path.with_suffix("." + fmt)
    target.write_bytes(data)
    path.unlink()
    return target

