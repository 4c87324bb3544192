"""Opening a spreadsheet safely and fast, whatever its extension says.

Every input is read once into memory: the bytes give the sha256 recorded in the
outputs, tell the real format (a ``.xlsx`` renamed ``.xls`` is still read), and are
checked *before* python-calamine parses them, so that a crafted file cannot make the
parser allocate gigabytes or crash the process:

- only regular files, at most MAX_FILE_BYTES;
- .xlsx/.xlsm: every part the parser reads is inflated here with a bound (a zip bomb
  that lies about its size is caught without paying for it), and every sheet's extent
  (rows × columns, counting references however they are written) is at most MAX_CELLS;
- .xls and .ods, rare and with parsers that have less armour, are read in a child
  process with a memory ceiling and a time limit: whatever a crafted file does there,
  this process only sees an answer or a refusal.

Each sheet read also carries what the parser does not say (:mod:`.marks`,
:mod:`.biff`): the cells displayed as percentages and the formulas without a computed
value (SPEC §13.2).

The limits are documented in the README ("Tệp đầu vào được chấp nhận, giới hạn và an
toàn"). Nothing here writes to the input.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_cli.files import FileRefused, read_limited
from cchc_cli.readers import marks
from cchc_cli.readers.marks import NONE, Cells, column_number

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_XML_BYTES = 60 * 1024 * 1024
MAX_CELLS = 5_000_000
# The .xls/.ods reader's child process: memory beyond what it inherits, and seconds.
SANDBOX_MEMORY = 768 * 1024 * 1024
SANDBOX_SECONDS = 30

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_NAMES = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))

# Fast checks of a sheet's XML, each a search for a literal so that the regex engine
# skips ahead. Every writer puts a cell's or a row's reference first, after one space
# (<c r="B7" …>, <row r="7" …>), and forms stay within column Z and row 99 999 — at
# most 2.6 million cells, under MAX_CELLS. A cell or row tag that does not start that
# way, a tag with a namespace prefix, an r attribute (first or repeated: the parser
# takes the last) that is not such a reference, or whitespace other than spaces among
# the cells sends the sheet to the exact, linear count below.
_ODD_CELL = re.compile(rb'<c(?=[\s/>])(?! r=")')
_ODD_ROW = re.compile(rb'<row(?=[\s/>])(?! r=")')
_ODD_REF = re.compile(rb' r(?:="(?![A-Z]?\d{1,5}")|=[^"]|\s+=)')
_PREFIXED = re.compile(rb':(?:c|row|f|v)[\s/>]')
_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^<>]*)>")
_ATTR_R = re.compile(rb'(?:^|\s)r\s*=\s*(["\'])([^"\']*)\1')
_REF = re.compile(r"^\s*([A-Za-z]*)\s*(\d*)\s*$")
_ERROR_TYPE = re.compile(rb't=(?:"e"|\'e\')')
_ERROR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s([^<>]*)>")
_SHEET_ENTRY = re.compile(rb"<(?:[\w.-]+:)?sheet\s([^<>]*)/?>")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\s([^<>]*)/?>")

# The tags that decide an ODS sheet's extent, found in one linear pass.
_ODS_TOKEN = re.compile(
    rb"<(/?)(table:table-row|table:covered-table-cell|table:table-cell|table:table|text:p)"
    rb"(?=[\s/>])([^<>]*)>"
)
_ODS_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_ODS_COLS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')


# A file that cannot be read as a spreadsheet; ``code`` is an issue code.
BookError = FileRefused


@dataclass(slots=True)
class Sheet:
    """A sheet's values from A1, as python-calamine gives them."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # Cells holding a formula error (#REF!, #DIV/0!, …), which the parser reads as empty.
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    # Cells displayed as a percentage (the person typed 96,4% and the file holds 0.964).
    percent: Cells = NONE
    # Formula cells whose computed value the file does not hold (read as empty or 0).
    uncached: Cells = NONE

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
    _check: _XlsxCheck | None = None

    def sheet(self, name: str) -> Sheet:
        cached = self._sheets.get(name)
        if cached is None:
            if self._workbook is None:
                raise BookError("tep-hong", detail=f"không có trang '{name}'")
            checked = self._check.sheet(name) if self._check is not None else ({}, NONE, NONE)
            try:
                raw = self._workbook.get_sheet_by_name(name)
                rows = raw.to_python(skip_empty_area=False)
                merged = list(raw.merged_cell_ranges or ())
            except BaseException as exc:  # calamine's errors, and a Rust panic
                _reraise_interrupts(exc)
                raise BookError("tep-hong", detail=str(exc)[:200]) from exc
            cached = Sheet(name, rows, merged, *checked)
            self._sheets[name] = cached
        return cached


def _reraise_interrupts(exc: BaseException) -> None:
    """A Rust panic inside the parser arrives as a BaseException (pyo3's
    PanicException): it is a broken file, not a reason to stop. Ctrl-C still is."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


# --------------------------------------------------------------------------------------
# Sniffing
# --------------------------------------------------------------------------------------


def sniff_format(data: bytes) -> str:
    """The real format of a file's bytes: zip, xls, encrypted, or unknown."""
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        # An OOXML file with a password is an OLE container holding "EncryptedPackage";
        # its directory may sit anywhere in the file.
        if any(name in data for name in _ENCRYPTED_NAMES):
            return "encrypted"
        return "xls"
    return "unknown"


# --------------------------------------------------------------------------------------
# Zip containers (.xlsx, .xlsm, .ods)
# --------------------------------------------------------------------------------------


def inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
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


def open_archive(data: bytes, limit: int) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """A zip's directory, refusing archives that declare more than ``limit`` bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise BookError("tep-hong", detail="tệp nén bị hỏng hoặc không trọn vẹn") from exc
    total = sum(info.file_size for info in infos.values())
    if total > limit:
        raise BookError("tep-qua-lon", size=total, limit=limit)
    return archive, infos


def _relationships(rels: bytes) -> dict[str, tuple[str, str]]:
    """Id → (type, zip member) of the workbook's relationships (a part may be stored
    anywhere in the archive)."""
    relations: dict[str, tuple[str, str]] = {}
    for raw in _RELATIONSHIP.findall(rels):
        found = marks.attributes(raw)
        target = found.get(b"Target", "")
        if target:
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            parts: list[str] = []
            for piece in path.split("/"):
                if piece == "..":
                    if parts:
                        parts.pop()
                elif piece not in ("", "."):
                    parts.append(piece)
            relations[found.get(b"Id", "")] = (found.get(b"Type", ""), "/".join(parts))
    return relations


def _worksheet_parts(infos: dict[str, zipfile.ZipInfo], workbook: bytes,
                     relations: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Sheet name → zip member, from workbook.xml and its relationships."""
    sheets: dict[str, str] = {}
    for raw in _SHEET_ENTRY.findall(workbook):
        found = marks.attributes(raw)
        _, member = relations.get(found.get(b"id", ""), ("", ""))
        if member and member in infos:
            sheets[found.get(b"name", "")] = member
    return sheets


# Deflate's largest possible expansion, and the most a part skipped by the bounded
# inflation may then grow to.
_DEFLATE_RATIO = 1032
_HARMLESS_BYTES = 16 * 1024 * 1024


def _harmless(info: zipfile.ZipInfo) -> bool:
    """A deflated part that cannot inflate past _HARMLESS_BYTES whatever it declares."""
    return (info.compress_type == zipfile.ZIP_DEFLATED
            and info.compress_size * _DEFLATE_RATIO <= _HARMLESS_BYTES)


class _XlsxCheck:
    """The checks of an .xlsx made before the parser touches a part.

    The parts the parser reads on opening (workbook, relationships, shared strings,
    styles) are inflated with a bound at once — except shared strings when they are too
    small to be a bomb (deflate expands at most 1032 times); styles are always inflated,
    for their percent formats. A sheet is inflated, bounded and checked only when it is
    asked for — forms read two of their sheets. A sheet that the relationships do not
    name is checked with every worksheet part, to be safe.
    """

    def __init__(self, data: bytes, infos: dict[str, zipfile.ZipInfo]) -> None:
        inflated: dict[str, bytes] = {}
        for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if name in infos:
                inflated[name] = self._inflate(data, infos[name])
        relations = _relationships(inflated.get("xl/_rels/workbook.xml.rels", b""))
        styles = {member for kind, member in relations.values()
                  if kind.endswith("/styles") and member in infos}
        for name in ("xl/sharedStrings.xml", "xl/styles.xml"):
            info = infos.get(name)
            if info is not None and name not in styles and not _harmless(info):
                self._inflate(data, info)
        # The part the parser takes its formats from: the related one, else the usual.
        member = min(styles) if styles else "xl/styles.xml"
        found = self._inflate(data, infos[member]) if member in infos else b""
        self.percent_styles = marks.percent_styles(found)
        workbook = inflated.get("xl/workbook.xml", b"")
        self.recalc = marks.recalculates(workbook)
        self.data, self.infos = data, infos
        self.parts = _worksheet_parts(infos, workbook, relations)

    @staticmethod
    def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
        try:
            return inflate(data, info)
        except (struct.error, IndexError, ValueError) as exc:
            raise BookError("tep-hong", detail="tệp nén bị hỏng") from exc

    def sheet(self, name: str) -> tuple[dict[tuple[int, int], str], Cells, Cells]:
        """Check the sheet ``name``; return its formula-error cells, its percent cells
        and its formulas without a computed value."""
        member = self.parts.get(name)
        members = [member] if member else sorted(
            n for n in self.infos if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        errors: dict[tuple[int, int], str] = {}
        percent = uncached = NONE
        for part in members:
            xml = self._inflate(self.data, self.infos[part])
            regular = check_sheet_extent(xml)
            if member:
                if _ERROR_TYPE.search(xml) is not None:
                    errors = _error_cells(xml)
                percent, uncached = marks.xlsx_marks(xml, self.percent_styles, self.recalc,
                                                     regular)
        return errors, percent, uncached


def check_sheet_extent(xml: bytes) -> bool:
    """Refuse a sheet whose used range would need more than MAX_CELLS cells; True when
    the sheet is regular (every cell and row tag starts with a plain reference)."""
    # Excel ends its XML declaration with a line break: whitespace counts from the
    # first mention of the cells on (a crafted earlier mention only widens the search).
    cells = max(0, xml.find(b"<sheetData"))
    suspicious = (
        xml.find(b"\t", cells) >= 0
        or xml.find(b"\n", cells) >= 0
        or xml.find(b"\r", cells) >= 0
        or _ODD_REF.search(xml) is not None
        or _ODD_CELL.search(xml) is not None
        or _ODD_ROW.search(xml) is not None
        or _PREFIXED.search(xml) is not None
    )
    if not suspicious:
        return True
    rows, cols = sheet_extent(xml)
    if rows * max(cols, 1) > MAX_CELLS:
        raise BookError("tep-qua-lon-o", rows=rows, cols=cols, limit=MAX_CELLS)
    return False


def _column_number(letters: str) -> int:
    return column_number(letters, MAX_CELLS + 1)  # far beyond any sheet: refused


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """Rows and columns a parser would allocate for a sheet, in one linear pass.

    Cells and rows without a reference are placed one after another, as parsers do;
    references are decoded whatever their quoting, case or character entities.
    """
    row = col = max_row = max_col = 0
    for closing, name, attrs in map(re.Match.groups, _TAG.finditer(xml)):
        if closing:
            continue
        # An r attribute written twice (invalid, but a parser may take either): the
        # farther one counts.
        refs = [html.unescape(value.decode("latin-1")) for _, value in _ATTR_R.findall(attrs)]
        if name == b"row":
            col = 0
            rows = [int(r) for r in refs if r.strip().isdigit() and len(r.strip()) < 12]
            row = max(rows) if rows else row + 1
        else:
            cols, rows = [], []
            for ref in refs:
                parsed = _REF.match(ref)
                if parsed and (parsed.group(1) or parsed.group(2)):
                    letters, digits = parsed.groups()
                    cols.append(_column_number(letters) if letters else col + 1)
                    if digits:
                        rows.append(int(digits) if len(digits) < 12 else MAX_CELLS + 1)
            col = max(cols) if cols else col + 1
            row = max(rows) if rows else row
        max_row, max_col = max(max_row, row), max(max_col, col)
        if max_row * max(max_col, 1) > MAX_CELLS:
            break
    return max_row, max_col


def _error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, column) → the error shown (#REF!, #DIV/0!, …) of every error cell."""
    found: dict[tuple[int, int], str] = {}
    for match in _ERROR_CELL.finditer(xml):
        attrs = match.group(1)
        if b't="e"' not in attrs and b"t='e'" not in attrs:
            continue
        ref = _ATTR_R.search(attrs)
        parsed = _REF.match(ref.group(2).decode("latin-1")) if ref else None
        if not parsed or not parsed.group(1) or not parsed.group(2):
            continue
        end = match.end()
        start = xml.find(b"<v>", end, end + 400)
        stop = xml.find(b"</v>", start, start + 100) if start >= 0 else -1
        text = xml[start + 3:stop].decode("utf-8", "replace") if stop > 0 else "#ERROR"
        found[(int(parsed.group(2)) - 1, _column_number(parsed.group(1)) - 1)] = text
    return found


def ods_extent(xml: bytes) -> tuple[int, int]:
    """The used range of an ODS sheet: rows and columns up to the last non-empty cell.

    ODS repeats rows and cells by attribute; LibreOffice pads every sheet with a million
    repeated *empty* rows and 16 384 empty columns, which cost nothing, while a repeated
    cell that holds a value would be expanded cell by cell by the parser. A cell holds a
    value when it has a value type or a paragraph of text.
    """
    max_row = max_col = 0
    row = col = last_col = repeat = cell_end = 0
    in_cell = False
    for match in _ODS_TOKEN.finditer(xml):
        closing, name, attrs = match.groups()
        single = attrs.endswith(b"/")
        if name == b"table:table":
            if not closing:
                row = 0
        elif name == b"table:table-row":
            if closing:
                row += repeat
                if last_col:
                    max_row, max_col = max(max_row, row), max(max_col, last_col)
                continue
            found = _ODS_ROWS_REPEATED.search(attrs)
            repeat = int(found.group(1)) if found else 1
            col = last_col = 0
            if single:
                row += repeat
        elif name == b"text:p":
            if in_cell and not closing:
                last_col = max(last_col, cell_end)
        elif closing:
            in_cell = False
        else:  # a cell or a covered cell
            found = _ODS_COLS_REPEATED.search(attrs)
            col += int(found.group(1)) if found else 1
            cell_end = col
            if b"value-type" in attrs:
                last_col = max(last_col, col)
            in_cell = not single
    return max_row, max_col


def _check_ods(data: bytes, infos: dict[str, zipfile.ZipInfo]) -> None:
    for name in ("content.xml", "styles.xml"):
        if name in infos:
            xml = inflate(data, infos[name])
            if name == "content.xml":
                rows, cols = ods_extent(xml)
                if rows * max(cols, 1) > MAX_CELLS:
                    raise BookError("tep-qua-lon-o", rows=rows, cols=cols, limit=MAX_CELLS)


# --------------------------------------------------------------------------------------
# Opening
# --------------------------------------------------------------------------------------


def _calamine(data: bytes) -> Any:
    import python_calamine

    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise BookError("tep-co-mat-khau") from exc
    except BaseException as exc:  # calamine's errors are not one family; Rust panics
        _reraise_interrupts(exc)
        raise BookError("tep-hong", detail=str(exc)[:200]) from exc


def _names(workbook: Any) -> tuple[list[str], set[str]]:
    try:
        metadata = workbook.sheets_metadata
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise BookError("tep-hong", detail=str(exc)[:200]) from exc
    names = [m.name for m in metadata]
    hidden = {m.name for m in metadata if str(m.visible).rsplit(".", 1)[-1] != "Visible"}
    return names, hidden


def open_book(path: Path, data: bytes | None = None) -> Book:
    """Open ``path`` (or its already-read bytes) for reading; raise BookError if unusable."""
    if data is None:
        data = read_limited(path, MAX_FILE_BYTES)
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
    check = None
    if kind == "zip":
        _, infos = open_archive(data, MAX_XML_BYTES)
        if "xl/workbook.xml" in infos:
            kind = "xlsx"
            check = _XlsxCheck(data, infos)
        elif "content.xml" in infos and "mimetype" in infos:
            kind = "ods"
            _check_ods(data, infos)
        else:
            raise BookError("khong-phai-bang-tinh", detail="tệp nén không chứa bảng tính")
    if kind in ("xls", "ods"):
        return _sandboxed(path, kind, digest, data)
    workbook = _calamine(data)
    names, hidden = _names(workbook)
    return Book(path, kind, digest, names, hidden, workbook, _check=check)


# --------------------------------------------------------------------------------------
# The sandbox for .xls and .ods
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _ReadSheets:
    """What the sandboxed child sends back: every sheet, already read."""

    sheet_names: list[str]
    hidden: set[str]
    sheets: dict[str, Sheet]


def _read_everything(data: bytes, kind: str) -> _ReadSheets | BookError:
    """In the child: parse every sheet (refusing oversized ones) and its marks — or say
    why not."""
    try:
        workbook = _calamine(data)
        names, hidden = _names(workbook)
        sheets = {}
        for name in names:
            try:
                raw = workbook.get_sheet_by_name(name)
                height, width = raw.height, raw.width
                if height * max(width, 1) > MAX_CELLS:
                    return BookError("tep-qua-lon-o", rows=height, cols=width, limit=MAX_CELLS)
                rows = raw.to_python(skip_empty_area=False)
                merged = list(raw.merged_cell_ranges or ())
            except BaseException as exc:
                _reraise_interrupts(exc)
                return BookError("tep-hong", detail=str(exc)[:200])
            sheets[name] = Sheet(name, rows, merged)
        for name, (percent, uncached) in _sheet_marks(data, kind, names).items():
            if name in sheets:
                sheets[name].percent, sheets[name].uncached = percent, uncached
        return _ReadSheets(names, hidden, sheets)
    except BookError as exc:
        return exc


def _sheet_marks(data: bytes, kind: str, names: list[str]) -> marks.SheetMarks:
    """Percent cells and formulas without a value of every sheet of an .ods or .xls."""
    if kind == "ods":
        _, infos = open_archive(data, MAX_XML_BYTES)
        info = infos.get("content.xml")
        return marks.ods_marks(inflate(data, info)) if info is not None else {}
    from cchc_cli.readers import biff

    return biff.by_name(biff.xls_marks(data), names)


def _limit_resources() -> None:
    """Cap this process's memory and time where the system allows it.

    Linux: address space (what the process already maps, plus SANDBOX_MEMORY) and an
    alarm. Where ``resource``, ``/proc`` or ``signal.alarm`` do not exist (Windows; the
    memory part on macOS), that limit is not set: the parent's time limit, which kills
    the child, still holds, and memory is bounded only by the file size checks.
    """
    import signal

    try:
        import resource

        with open("/proc/self/status") as handle:
            size = next(int(line.split()[1]) * 1024 for line in handle
                        if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (size + SANDBOX_MEMORY,) * 2)
    except (ImportError, OSError, StopIteration, ValueError):
        pass
    alarm = getattr(signal, "alarm", None)
    if alarm is not None:
        alarm(SANDBOX_SECONDS)


def _child(data: bytes, kind: str, pipe: Any) -> None:
    _limit_resources()
    # A reader that runs out of memory aborts with a message of its own: the user is told
    # by the parent, in Vietnamese, not by a stray line on the terminal.
    try:
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)
    except OSError:
        pass
    try:
        answer: Any = _read_everything(data, kind)
    except MemoryError:
        answer = _too_much("memory")
    try:
        pipe.send(answer)
    except BaseException:  # an answer too large to send: a refusal is still an answer
        pipe.send(_too_much("memory"))
    pipe.close()
    os._exit(0)


def _too_much(what: str) -> BookError:
    if what == "memory":
        return BookError("tep-vuot-gioi-han-doc", what="quá nhiều bộ nhớ",
                         limit=f"{SANDBOX_MEMORY // 2**20} MB")
    return BookError("tep-vuot-gioi-han-doc", what="quá nhiều thời gian",
                     limit=f"{SANDBOX_SECONDS} giây")


def _signals(*names: str) -> set[int]:
    """Exit codes of a child killed by these signals (those the system has)."""
    import signal

    return {-int(getattr(signal, name)) for name in names if hasattr(signal, name)}


def _sandboxed(path: Path, kind: str, digest: str, data: bytes) -> Book:
    import multiprocessing

    from cchc_cli.processes import start_method

    # With spawn (Windows, or CCHC_START_METHOD=spawn) the child starts a fresh
    # interpreter and receives the bytes through the pipe; with fork it inherits them.
    context: Any = multiprocessing.get_context(start_method())
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(data, kind, send), daemon=True)
    child.start()
    send.close()
    answer: Any = None
    try:
        # Spawning a fresh interpreter takes a moment more than forking.
        if receive.poll(SANDBOX_SECONDS + 10):
            answer = receive.recv()
    except (EOFError, OSError):
        answer = None
    finally:
        child.join(2)
        timed_out = child.is_alive()
        if timed_out:
            child.kill()
            child.join()
        receive.close()
    if isinstance(answer, BookError):
        raise answer
    if answer is None and (timed_out or child.exitcode in _signals("SIGALRM")):
        raise _too_much("time")
    if answer is None and child.exitcode in _signals("SIGABRT", "SIGKILL"):
        raise _too_much("memory")  # a failed allocation aborts; the OOM killer kills
    if not isinstance(answer, _ReadSheets):
        raise BookError("tep-hong", detail=f"bộ đọc tệp .{kind} không đọc được nội dung"
                        " (tệp hỏng hoặc được tạo để gây hại)")
    # Every sheet is already read: the book needs no parser of its own.
    return Book(path, kind, digest, answer.sheet_names, answer.hidden, None, answer.sheets)
