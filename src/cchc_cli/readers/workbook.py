"""Opening a spreadsheet safely and fast, whatever its extension says.

Every input is read once into memory: the bytes give the sha256 recorded in the
outputs, tell the real format (a ``.xlsx`` renamed ``.xls`` is still read), and are
checked against size limits *before* python-calamine parses them, so a crafted file
cannot make the parser allocate gigabytes. Nothing here writes to the input.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Limits, documented in the README ("Tệp đầu vào được chấp nhận").
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_XML_BYTES = 60 * 1024 * 1024
MAX_CELLS = 5_000_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Cell and row references in sheet XML: r="XFD1048576" / r="1048576". Forms never go
# past column Z or row 9999, so a reference to a two-letter column or a five-digit row
# triggers the exact count.
_FAR_REF = re.compile(rb' r="(?:[A-Z]{2}|[A-Z]?\d{5})')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d{1,7})"')
_ODS_TABLE = re.compile(rb"<table:table[\s>]")
_ODS_ROW = re.compile(rb"<table:table-row(\s[^>]*?)?(?:/>|>(.*?)</table:table-row>)", re.S)
_ODS_CELL = re.compile(
    rb"<table:(?:covered-)?table-cell(\s[^>]*?)?(?:/>|>(.*?)</table:(?:covered-)?table-cell>)",
    re.S,
)
_ODS_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_ODS_COLS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')


class BookError(Exception):
    """A file that cannot be read as a spreadsheet; ``code`` is an issue code."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(slots=True)
class Sheet:
    """A sheet's values from A1, as python-calamine gives them."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def value(self, row: int, col: int) -> Any:
        if row < len(self.rows):
            cells = self.rows[row]
            if col < len(cells):
                return cells[col]
        return ""


@dataclass(slots=True)
class Book:
    """An opened workbook: its real format, sha256 and sheets (read on demand)."""

    path: Path
    format: str
    sha256: str
    sheet_names: list[str]
    hidden: set[str]
    _workbook: Any
    _sheets: dict[str, Sheet] = field(default_factory=dict)

    def sheet(self, name: str) -> Sheet:
        cached = self._sheets.get(name)
        if cached is None:
            try:
                raw = self._workbook.get_sheet_by_name(name)
                rows = raw.to_python(skip_empty_area=False)
                merged = list(raw.merged_cell_ranges or ())
            except Exception as exc:  # calamine raises its own family plus ValueError
                raise BookError("tep-hong", detail=str(exc)[:200]) from exc
            cached = Sheet(name, rows, merged)
            self._sheets[name] = cached
        return cached


def sniff_format(data: bytes) -> str:
    """The real format of a file's bytes: xlsx, ods, xls, encrypted, or unknown."""
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        # An OOXML file with a password is an OLE container holding "EncryptedPackage".
        if "EncryptedPackage".encode("utf-16-le") in data[:65536] or (
            "EncryptionInfo".encode("utf-16-le") in data[:65536]
        ):
            return "encrypted"
        return "xls"
    return "unknown"


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """One member's bytes, never more than its declared size.

    A crafted archive can declare a small size and inflate to gigabytes (a zip bomb);
    decompressing with a bound finds the lie without paying for it. Reading the member
    straight from the archive's bytes also skips zipfile's slower stream machinery.
    """
    offset = info.header_offset
    if data[offset:offset + 4] != b"PK\x03\x04":
        raise BookError("tep-hong", detail=f"phần {info.filename} hỏng")
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_length + extra_length
    raw = data[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        content = raw
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            content = zlib.decompressobj(-15).decompress(raw, info.file_size + 1)
        except zlib.error as exc:
            raise BookError("tep-hong", detail=f"không giải nén được {info.filename}") from exc
    else:
        raise BookError("tep-hong", detail=f"kiểu nén không hỗ trợ ở {info.filename}")
    if len(content) != info.file_size:
        raise BookError("tep-qua-lon", size=f"> {info.file_size}", limit=info.file_size)
    return content


# Parts python-calamine parses besides the sheets themselves.
_PARTS_READ = ("xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml",
               "xl/_rels/workbook.xml.rels")


def _check_zip(data: bytes) -> str:
    """Validate a zip container before parsing; return 'xlsx' or 'ods'.

    Every part the parser reads is inflated here with a bound (so a size that lies is
    caught), and every sheet is checked for references far beyond any form (so a tiny
    crafted file cannot make the parser allocate a million-row grid).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise BookError("tep-hong", detail="tệp nén bị hỏng hoặc không trọn vẹn") from exc
    total = sum(info.file_size for info in infos.values())
    if total > MAX_XML_BYTES:
        raise BookError("tep-qua-lon", size=total, limit=MAX_XML_BYTES)
    if "xl/workbook.xml" in infos:
        kind = "xlsx"
        sheets = [n for n in infos if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        others = [n for n in _PARTS_READ if n in infos]
    elif "content.xml" in infos and "mimetype" in infos:
        kind = "ods"
        sheets, others = ["content.xml"], ["styles.xml"] if "styles.xml" in infos else []
    else:
        raise BookError("khong-phai-bang-tinh", detail="tệp nén không chứa bảng tính")
    try:
        for name in others:
            _inflate(data, infos[name])
        for name in sheets:
            _check_extent(_inflate(data, infos[name]), kind)
    except (struct.error, IndexError) as exc:
        raise BookError("tep-hong", detail="tệp nén bị hỏng hoặc không trọn vẹn") from exc
    return kind


def _check_extent(xml: bytes, kind: str) -> None:
    """Refuse sheets whose used range would need more than MAX_CELLS cells."""
    if kind == "xlsx":
        # Cells without a reference are placed one after another: bound their number too.
        if xml.count(b"<c") > MAX_CELLS:
            raise BookError("tep-qua-lon-o", rows=0, cols=0, limit=MAX_CELLS)
        if not _FAR_REF.search(xml):
            return
        max_row = max((int(m) for m in _ROW_REF.findall(xml)), default=0)
        max_col = 0
        for letters, digits in _CELL_REF.findall(xml):
            max_row = max(max_row, int(digits))
            col = 0
            for ch in letters:
                col = col * 26 + ch - 64
            max_col = max(max_col, col)
        if max_row * max(max_col, 1) > MAX_CELLS:
            raise BookError("tep-qua-lon-o", rows=max_row, cols=max_col, limit=MAX_CELLS)
    else:
        max_row, max_col = _ods_extent(xml)
        if max_row * max(max_col, 1) > MAX_CELLS:
            raise BookError("tep-qua-lon-o", rows=max_row, cols=max_col, limit=MAX_CELLS)


def _has_value(attrs: bytes, body: bytes | None) -> bool:
    return b"value-type" in attrs or bool(body and b"<text:" in body)


def _ods_extent(xml: bytes) -> tuple[int, int]:
    """The used range of an ODS sheet: rows and columns up to the last non-empty cell.

    ODS repeats rows and cells by attribute; LibreOffice pads every sheet with a million
    repeated *empty* rows and 16 384 empty columns, which cost nothing, while a repeated
    cell that holds a value would be expanded cell by cell by the parser.
    """
    max_row = max_col = 0
    for table in _ODS_TABLE.split(xml)[1:]:
        row = 0
        for match in _ODS_ROW.finditer(table):
            attrs, body = match.group(1) or b"", match.group(2) or b""
            repeat = _ODS_ROWS_REPEATED.search(attrs)
            count = int(repeat.group(1)) if repeat else 1
            col = 0
            last_col = 0
            for cell in _ODS_CELL.finditer(body):
                cell_attrs, cell_body = cell.group(1) or b"", cell.group(2)
                span = _ODS_COLS_REPEATED.search(cell_attrs)
                col += int(span.group(1)) if span else 1
                if _has_value(cell_attrs, cell_body):
                    last_col = col
            row += count
            if last_col:
                max_row, max_col = max(max_row, row), max(max_col, last_col)
    return max_row, max_col


def open_book(path: Path, data: bytes | None = None) -> Book:
    """Open ``path`` (or its already-read bytes) for reading; raise BookError if unusable."""
    import python_calamine

    if data is None:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise BookError("tep-qua-lon", size=size, limit=MAX_FILE_BYTES)
            data = path.read_bytes()
        except OSError as exc:
            raise BookError("khong-doc-duoc-tep", detail=exc.strerror or str(exc)) from exc
    if not data:
        raise BookError("tep-rong")
    if len(data) > MAX_FILE_BYTES:
        raise BookError("tep-qua-lon", size=len(data), limit=MAX_FILE_BYTES)
    digest = hashlib.sha256(data).hexdigest()
    kind = sniff_format(data)
    if kind == "encrypted":
        raise BookError("tep-co-mat-khau")
    if kind == "unknown":
        raise BookError("khong-phai-bang-tinh", detail="nội dung không phải Excel hay ODS")
    if kind == "zip":
        kind = _check_zip(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = workbook.sheets_metadata
    except python_calamine.PasswordError as exc:
        raise BookError("tep-co-mat-khau") from exc
    except Exception as exc:  # calamine's errors are not one family
        raise BookError("tep-hong", detail=str(exc)[:200]) from exc
    names = [m.name for m in metadata]
    hidden = {m.name for m in metadata if str(m.visible).rsplit(".", 1)[-1] != "Visible"}
    return Book(path, kind, digest, names, hidden, workbook)
