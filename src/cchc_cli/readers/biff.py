"""Percent formats and formula results of an .xls file, from its BIFF records.

An .xls file is a compound file (CFB: a little file system of 512-byte sectors) holding
the ``Workbook`` stream (``Book`` in Excel 95 files), a sequence of BIFF records. The
global part lists the number formats (FORMAT: custom codes by id), the cell formats
(XF, in order: each names a number format) and the sheets (BOUNDSHEET: name and where
its records start). In a sheet, every number cell (NUMBER, RK, MULRK, FORMULA) names its
XF, and a FORMULA record holds its cached result: a number, or a tag for text (followed
by a STRING record), a boolean, an error, or the empty text — which is also what
programs that do not compute formulas store (xlwt), so it is reported as "no computed
value" (the fix, opening and saving the file, is the same).

Only what is needed is decoded, with every offset and sector chain checked: this runs
inside the sandboxed reader, and a crafted file gets a refusal, never a loop.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from cchc_cli.files import FileRefused
from cchc_cli.readers.marks import MAX_MARKS, Cells, SheetMarks, percent_formats

_END_OF_CHAIN = 0xFFFFFFFE
_MAX_SECTOR = 0xFFFFFFFA


class BiffError(FileRefused):
    """An .xls file whose structure cannot be followed."""

    def __init__(self, what: str) -> None:
        super().__init__("tep-hong", detail=f"cấu trúc tệp .xls không hợp lệ ({what})")


# --------------------------------------------------------------------------------------
# The compound file
# --------------------------------------------------------------------------------------


class _Compound:
    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise BiffError("không phải tệp OLE")
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise BiffError("kích thước sector")
        self.size = 1 << shift
        self.count = max(0, (len(data) - self.size) // self.size)
        (fat_sectors, self.first_directory, _, self.mini_cutoff, self.first_mini_fat,
         _, first_difat, difat_sectors) = struct.unpack_from("<IIIIIIII", data, 44)
        header_difat = struct.unpack_from("<109I", data, 76)
        self.fat = self._fat(list(header_difat), fat_sectors, first_difat, difat_sectors)

    def sector(self, number: int) -> bytes:
        if number >= self.count:
            raise BiffError("sector ngoài tệp")
        start = (number + 1) * self.size
        return self.data[start:start + self.size]

    def _fat(self, difat: list[int], fat_sectors: int, first_difat: int,
             difat_sectors: int) -> tuple[int, ...]:
        numbers = [n for n in difat[:min(fat_sectors, 109)] if n <= _MAX_SECTOR]
        per_sector = self.size // 4 - 1
        seen: set[int] = set()
        current = first_difat
        while len(numbers) < fat_sectors and current <= _MAX_SECTOR and difat_sectors:
            if current in seen:
                raise BiffError("vòng lặp DIFAT")
            seen.add(current)
            entries = struct.unpack(f"<{per_sector + 1}I", self.sector(current))
            numbers += [n for n in entries[:per_sector] if n <= _MAX_SECTOR]
            current = entries[per_sector]
        if len(numbers) > self.count:
            raise BiffError("bảng FAT quá lớn")
        fat = b"".join(self.sector(n) for n in numbers[:fat_sectors])
        return struct.unpack(f"<{len(fat) // 4}I", fat)

    def chain(self, first: int, table: tuple[int, ...], limit: int) -> list[int]:
        """The sector numbers of a chain, refusing loops and chains out of the table."""
        found: list[int] = []
        seen: set[int] = set()
        current = first
        while current != _END_OF_CHAIN:
            if current >= len(table) or current in seen or len(found) > limit:
                raise BiffError("chuỗi sector hỏng")
            seen.add(current)
            found.append(current)
            current = table[current]
        return found

    def stream(self, names: tuple[str, ...]) -> bytes:
        """The first stream of the root storage named one of ``names``."""
        directory = b"".join(self.sector(n) for n in
                             self.chain(self.first_directory, self.fat, self.count))
        root: tuple[int, int] | None = None
        wanted: tuple[int, int] | None = None
        for offset in range(0, len(directory) - 127, 128):
            length, kind = struct.unpack_from("<HB", directory, offset + 64)
            name = directory[offset:offset + min(length, 64)].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<IQ", directory, offset + 116)
            if self.size == 512:
                size &= 0xFFFFFFFF  # version 3 files use only the low 32 bits
            if kind == 5:
                root = (start, size)
            elif kind == 2 and name.rstrip("\x00") in names and wanted is None:
                wanted = (start, size)
        if wanted is None:
            raise BiffError("không có luồng Workbook")
        start, size = wanted
        if size > len(self.data):
            raise BiffError("luồng lớn hơn tệp")
        if size >= self.mini_cutoff:
            sectors = self.chain(start, self.fat, self.count)
            return b"".join(self.sector(n) for n in sectors)[:size]
        return self._mini(start, size, root)

    def _mini(self, start: int, size: int, root: tuple[int, int] | None) -> bytes:
        if root is None:
            raise BiffError("không có thư mục gốc")
        container = b"".join(self.sector(n) for n in self.chain(root[0], self.fat, self.count))
        table = b"".join(self.sector(n) for n in
                         self.chain(self.first_mini_fat, self.fat, self.count))
        mini_fat = struct.unpack(f"<{len(table) // 4}I", table)
        pieces = [container[n * 64:n * 64 + 64] for n in self.chain(start, mini_fat,
                                                                    len(container) // 64)]
        return b"".join(pieces)[:size]


# --------------------------------------------------------------------------------------
# BIFF records
# --------------------------------------------------------------------------------------

_BOF, _EOF, _FORMAT, _XF, _BOUNDSHEET, _CODEPAGE = 0x0809, 0x000A, 0x041E, 0x00E0, 0x0085, 0x0042
_NUMBER, _RK, _MULRK, _FORMULA, _STRING = 0x0203, 0x027E, 0x00BD, 0x0006, 0x0207
_RESULT_TEXT, _RESULT_EMPTY = 0, 3
# Records that may come between a FORMULA with a text result and its STRING.
_BETWEEN = frozenset({0x04BC, 0x0221, 0x0236})  # SHRFMLA, ARRAY, TABLE


def _records(stream: bytes, at: int) -> Iterator[tuple[int, bytes, int]]:
    """(id, body, offset of the next record) from ``at`` to the end of the stream."""
    size = len(stream)
    while at + 4 <= size:
        kind, length = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4:at + 4 + length]
        at += 4 + length
        yield kind, body, at


def _text(body: bytes, at: int, wide_length: bool, biff8: bool, codepage: str) -> str:
    """A string in a record: BIFF8 (length, flags, Latin-1 or UTF-16) or BIFF5 (bytes)."""
    if wide_length:
        (length,) = struct.unpack_from("<H", body, at)
        at += 2
    else:
        length = body[at]
        at += 1
    if not biff8:
        return body[at:at + length].decode(codepage, "replace")
    flags = body[at]
    at += 1
    if flags & 1:
        return body[at:at + 2 * length].decode("utf-16-le", "replace")
    return body[at:at + length].decode("latin-1")


class _Globals:
    def __init__(self) -> None:
        self.biff8 = True
        self.codepage = "cp1252"
        self.formats: list[tuple[int, str]] = []
        self.xf_formats: list[int] = []
        self.sheets: list[tuple[str, int]] = []  # (name, offset of its BOF)


def _read_globals(stream: bytes) -> _Globals:
    found = _Globals()
    records = _records(stream, 0)
    first = next(records, None)
    if first is None or first[0] != _BOF or len(first[1]) < 4:
        raise BiffError("không có BOF")
    version = struct.unpack_from("<H", first[1], 0)[0]
    found.biff8 = version >= 0x0600
    for kind, body, _ in records:
        if kind == _EOF:
            break
        try:
            _global_record(found, kind, body)
        except (struct.error, IndexError) as exc:
            raise BiffError(f"bản ghi {kind:#06x} hỏng") from exc
    return found


def _global_record(found: _Globals, kind: int, body: bytes) -> None:
    if kind == _CODEPAGE and len(body) >= 2:
        page = struct.unpack_from("<H", body, 0)[0]
        found.codepage = f"cp{page}" if page not in (1200, 32768, 32769) else "cp1252"
        try:
            "".encode(found.codepage)
        except LookupError:
            found.codepage = "cp1252"
    elif kind == _FORMAT:
        number = struct.unpack_from("<H", body, 0)[0]
        found.formats.append((number, _text(body, 2, found.biff8, found.biff8,
                                            found.codepage)))
    elif kind == _XF:
        found.xf_formats.append(struct.unpack_from("<H", body, 2)[0])
    elif kind == _BOUNDSHEET:
        offset = struct.unpack_from("<I", body, 0)[0]
        name = _text(body, 6, False, found.biff8, found.codepage)
        found.sheets.append((name, offset))


def xls_marks(data: bytes) -> list[tuple[str, Cells, Cells]]:
    """(sheet name, percent cells, formula cells without a result), in the order of the
    workbook's sheets; BiffError when the file's structure cannot be followed."""
    try:
        return _xls_marks(data)
    except (struct.error, IndexError, ValueError, OverflowError) as exc:
        raise BiffError("bản ghi bị cắt cụt") from exc


def _xls_marks(data: bytes) -> list[tuple[str, Cells, Cells]]:
    stream = _Compound(data).stream(("Workbook", "Book", "WORKBOOK", "BOOK"))
    found = _read_globals(stream)
    percent_ids = percent_formats(found.formats)
    percent_xfs = frozenset(i for i, number in enumerate(found.xf_formats)
                            if number in percent_ids)
    sheets = []
    for name, offset in found.sheets:
        if offset >= len(stream):
            raise BiffError("vị trí trang tính ngoài luồng")
        percent, uncached = _sheet_marks(stream, offset, percent_xfs)
        sheets.append((name, percent, uncached))
    return sheets


def _sheet_marks(stream: bytes, offset: int, percent_xfs: frozenset[int]
                 ) -> tuple[Cells, Cells]:
    percent: set[tuple[int, int]] = set()
    uncached: set[tuple[int, int]] = set()
    depth = 0
    waiting: tuple[int, int] | None = None  # a text result's cell, until its STRING
    for kind, body, _ in _records(stream, offset):
        if waiting is not None:
            if kind in _BETWEEN:
                continue
            if kind != _STRING:
                uncached.add(waiting)
            waiting = None
        if kind == _BOF:
            depth += 1  # a chart inside the sheet has its own BOF … EOF
        elif kind == _EOF:
            depth -= 1
            if depth <= 0:
                break
        elif depth == 1 and kind in (_NUMBER, _RK, _FORMULA) and len(body) >= 6:
            row, col, xf = struct.unpack_from("<HHH", body, 0)
            if kind == _FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff":
                if body[6] == _RESULT_EMPTY:
                    uncached.add((row, col))
                elif body[6] == _RESULT_TEXT:
                    waiting = (row, col)
            elif xf in percent_xfs:
                percent.add((row, col))
        elif depth == 1 and kind == _MULRK and len(body) >= 6:
            row, first = struct.unpack_from("<HH", body, 0)
            for i in range((len(body) - 6) // 6):
                if struct.unpack_from("<H", body, 4 + 6 * i)[0] in percent_xfs:
                    percent.add((row, first + i))
        if len(percent) + len(uncached) > MAX_MARKS:
            raise FileRefused("tep-qua-lon-o", rows=len(percent) + len(uncached), cols=1,
                              limit=MAX_MARKS)
    if waiting is not None:
        uncached.add(waiting)
    return frozenset(percent), frozenset(uncached)


def by_name(found: list[tuple[str, Cells, Cells]], names: list[str]) -> SheetMarks:
    """The marks of each sheet named by the parser: by name, or by position when the
    parser decoded a name differently (an Excel 95 file in another code page)."""
    marks = {name: (percent, uncached) for name, percent, uncached in found}
    same_count = len(found) == len(names)
    result: SheetMarks = {}
    for i, name in enumerate(names):
        if name in marks:
            result[name] = marks[name]
        elif same_count:
            result[name] = (found[i][1], found[i][2])
    return result
