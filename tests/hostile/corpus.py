"""Broken and hostile input files for cchc, built by code in a temporary workspace.

Nothing here is a stored binary blob: every file is generated from bytes, zip records,
compound-file sectors, BIFF records, openpyxl or python-docx, so that a reader can see
exactly what is hostile about it. Each ``make_*`` function takes a complete
:class:`~tests.builders.Sandbox` (valid self forms for every unit plus a survey), puts
one hostile input where cchc would read it, and returns that file's path.

The low-level builders come first: zip archives (with honest or lying sizes), minimal
xlsx packages, OLE2 compound files (CFB) and BIFF8 workbook streams.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl

from cchc_cli.formspec import Entered
from cchc_cli.readers.register import Unit
from tests.builders import FORM_CRITERIA, Sandbox

SELF = "Tự đánh giá"
APPRAISAL = "Thẩm định"
SURVEY = "Khảo sát"
META = "_cchc"
REGISTER = "Đơn vị"

# Where hostile files go, relative to the workspace root.
SELF_DIR = "data/2023/tu-danh-gia"
APPRAISAL_DIR = "data/2023/tham-dinh"
SURVEY_DIR = "data/2023/khao-sat"
REGISTER_FILE = "data/2023/don-vi.xlsx"
CRITERIA_FILE = "criteria/2023/so-nganh.yaml"
SETTINGS_FILE = "cchc.yaml"
STP_FORM = f"{SELF_DIR}/tu-danh-gia-STP.xlsx"

# A marker that must never be found in any output (used as the target of XXE payloads).
SECRET = "BI-MAT-KHONG-DUOC-LO-7f3a9c"


# ======================================================================================
# Zip archives
# ======================================================================================


@dataclass(frozen=True)
class ZipPart:
    """One member of a hand-built zip.

    ``data`` is the real content. ``raw`` (already-deflated bytes) replaces it when the
    content is too large to hold; ``size`` then gives its inflated size. ``declared``
    overrides the uncompressed size written in both headers (a lie, when it differs).
    """

    name: str
    data: bytes = b""
    raw: bytes | None = None
    size: int | None = None
    declared: int | None = None
    stored: bool = False
    method: int | None = None  # compression method written in the headers, if not 0/8


def deflate(data: bytes) -> bytes:
    """Raw deflate (as in zip members) at the highest compression."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return packer.compress(data) + packer.flush()


def deflate_repeated(chunk: bytes, times: int, *, head: bytes = b"", tail: bytes = b""
                     ) -> tuple[bytes, int]:
    """``head + chunk * times + tail`` deflated without ever building it in memory.

    After a full flush the compressor forgets its history, so the same chunk compresses
    to the same bytes every time: they are computed once and repeated. Returns the raw
    deflate stream and the inflated size.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    body = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.compress(tail) + packer.flush()
    check = zlib.decompressobj(-15)
    probe = check.decompress(start + body + body + end)
    assert probe == head + chunk + chunk + tail, "deflate_repeated broke the stream"
    return start + body * times + end, len(head) + len(chunk) * times + len(tail)


def build_zip(parts: Iterable[ZipPart]) -> bytes:
    """A zip archive written record by record, so that any field may lie."""
    out = io.BytesIO()
    central = []
    for part in parts:
        name = part.name.encode("utf-8")
        if part.raw is not None:
            payload, size, method, crc = part.raw, part.size or 0, 8, 0
        elif part.stored:
            payload, size, method = part.data, len(part.data), 0
            crc = zlib.crc32(part.data)
        else:
            payload, size, method = deflate(part.data), len(part.data), 8
            crc = zlib.crc32(part.data)
        declared = size if part.declared is None else part.declared
        if part.method is not None:
            method = part.method
        offset = out.tell()
        flags = 0x800  # names are UTF-8
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0x21,
                              crc, len(payload), declared, len(name), 0))
        out.write(name)
        out.write(payload)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags,
                                   method, 0, 0x21, crc, len(payload), declared, len(name),
                                   0, 0, 0, 0, 0, offset) + name)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central),
                          size, start, 0))
    return out.getvalue()


def zip_members(path: Path) -> list[ZipPart]:
    """The members of an existing xlsx, as parts that build_zip writes back unchanged."""
    with zipfile.ZipFile(path) as archive:
        return [ZipPart(info.filename, archive.read(info)) for info in archive.infolist()]


def rewrite_members(path: Path, change: Mapping[str, Callable[[bytes], bytes]]) -> Path:
    """Rewrite some members of an xlsx (by name) through functions of their bytes."""
    parts = []
    for part in zip_members(path):
        fn = change.get(part.name)
        parts.append(ZipPart(part.name, fn(part.data)) if fn else part)
    path.write_bytes(build_zip(parts))
    return path


# ======================================================================================
# Minimal xlsx packages
# ======================================================================================

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook_parts(sheets: list[tuple[str, str]], *, shared: bytes | None = None
                   ) -> list[ZipPart]:
    """The package parts around some sheets: (sheet name, part name under xl/)."""
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<workbook xmlns="{SHEET_NS}" xmlns:r="{REL_NS}"><sheets>{entries}</sheets>'
                f"</workbook>")
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="{target}"/>'
        for i, (_, target) in enumerate(sheets, start=1)
    )
    if shared is not None:
        rels += (f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL_NS}/sharedStrings"'
                 ' Target="sharedStrings.xml"/>')
    workbook_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                     f'relationships">{rels}</Relationships>')
    parts = [
        ZipPart("[Content_Types].xml", CONTENT_TYPES.encode()),
        ZipPart("_rels/.rels", PACKAGE_RELS.encode()),
        ZipPart("xl/workbook.xml", workbook.encode()),
        ZipPart("xl/_rels/workbook.xml.rels", workbook_rels.encode()),
    ]
    if shared is not None:
        parts.append(ZipPart("xl/sharedStrings.xml", shared))
    return parts


def sheet_xml(cells: Mapping[str, Any], *, dimension: str | None = None) -> bytes:
    """A worksheet part with the given cells (numbers, or text as inline strings)."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        row = int("".join(ch for ch in ref if ch.isdigit()))
        if isinstance(value, int | float):
            rows.setdefault(row, []).append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            rows.setdefault(row, []).append(
                f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{SHEET_NS}">{dim}<sheetData>{body}</sheetData></worksheet>'
            ).encode()


def tiny_xlsx(sheet: bytes | ZipPart, *, name: str = SELF,
              target: str = "worksheets/sheet1.xml") -> bytes:
    """A one-sheet xlsx whose sheet part is given (bytes, or a ready ZipPart)."""
    part = sheet if isinstance(sheet, ZipPart) else ZipPart(f"xl/{target}", sheet)
    return build_zip([*workbook_parts([(name, target)]), part])


# ======================================================================================
# OLE2 compound files (CFB) and BIFF8 workbooks
# ======================================================================================

_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_SECTOR = 512


def _directory_entry(name: str, kind: int, start: int, size: int, *, child: int = _FREE,
                     right: int = _FREE) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    return struct.pack("<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, _FREE,
                       right, child, b"\x00" * 16, 0, 0, 0, start, size)


def cfb(streams: Mapping[str, bytes], *, directory_last: bool = False,
        mini_sizes: bool = False) -> bytes:
    """A version-3 compound file holding ``streams`` in the root storage.

    Streams are padded to the 4096-byte mini-stream cutoff so that they live in regular
    sectors (no mini FAT needed). ``directory_last`` puts the directory sector after the
    streams, as writers of large files do. ``mini_sizes`` records the unpadded sizes, so
    that short streams claim to live in a mini stream that does not exist (malformed).
    """
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # CFB sibling order
    blobs = [streams[n] + b"\x00" * max(0, 4096 - len(streams[n])) for n in names]
    blobs = [b + b"\x00" * (-len(b) % _SECTOR) for b in blobs]
    stream_sectors = [len(b) // _SECTOR for b in blobs]
    entries = 1 + len(names)
    dir_sectors = -(-entries * 128 // _SECTOR)
    body = sum(stream_sectors) + dir_sectors
    fat_sectors = 1
    while fat_sectors * 128 < body + fat_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109
    fat = [_FATSECT] * fat_sectors
    sector = fat_sectors

    def chain(count: int) -> int:
        nonlocal sector
        first = sector
        for i in range(count):
            fat.append(sector + 1 if i < count - 1 else _END)
            sector += 1
        return first

    starts = []
    dir_start = 0
    if not directory_last:
        dir_start = chain(dir_sectors)
    for count in stream_sectors:
        starts.append(chain(count))
    if directory_last:
        dir_start = chain(dir_sectors)
    fat += [_FREE] * (fat_sectors * 128 - len(fat))
    directory = _directory_entry("Root Entry", 5, _END, 0, child=1 if names else _FREE)
    for i, (name, start) in enumerate(zip(names, starts, strict=True)):
        right = i + 2 if i + 1 < len(names) else _FREE
        size = len(streams[name]) if mini_sizes else len(blobs[i])
        directory += _directory_entry(name, 2, start, size, right=right)
    directory += b"\x00" * (dir_sectors * _SECTOR - len(directory))
    difat = list(range(fat_sectors)) + [_FREE] * (109 - fat_sectors)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                         b"\x00" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\x00" * 6, 0, fat_sectors,
                         dir_start, 0, 4096, _END, 0, _END, 0)
    header += struct.pack("<109I", *difat)
    out = io.BytesIO()
    out.write(header)
    out.write(struct.pack(f"<{len(fat)}I", *fat))
    layout = [] if directory_last else [directory]
    layout += blobs
    if directory_last:
        layout.append(directory)
    for chunk in layout:
        out.write(chunk)
    return out.getvalue()


def encrypted_ooxml(*, directory_last: bool = False, package_size: int = 8192) -> bytes:
    """What Excel writes for a workbook with a password: a CFB with the encryption
    description and the encrypted package (random bytes here)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64"'
        b' cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"'
        b' saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>'
    )
    rng = random.Random(7)
    package = struct.pack("<Q", package_size) + rng.randbytes(package_size)
    return cfb({"EncryptionInfo": info, "EncryptedPackage": package},
               directory_last=directory_last)


def _record(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def biff8_stream(sheet_name: str, cells: Mapping[tuple[int, int], float], *,
                 dimensions: tuple[int, int] | None = None) -> bytes:
    """The ``Workbook`` stream of a BIFF8 (Excel 97) file: one sheet with numbers at
    (row, col), 0-based."""
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC,
                                              0, 0x06))
    bof_sheet = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC,
                                            0, 0x06))
    name = sheet_name.encode("utf-16-le")
    # One default cell format (XF), which every NUMBER record below points at.
    xf = _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0,
                                     0x20C0))
    fonts = _record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0)
                    + bytes([5, 0]) + b"Arial")

    def globals_with(offset: int) -> bytes:
        sheet = _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(sheet_name), 1)
                        + name)
        return (bof_globals + _record(0x0042, struct.pack("<H", 1200)) + fonts
                + xf * 16 + sheet + _record(0x000A))

    offset = len(globals_with(0))
    rows = [r for r, _ in cells] or [0]
    cols = [c for _, c in cells] or [0]
    last_row, last_col = dimensions or (max(rows) + 1, max(cols) + 1)
    sheet = bof_sheet + _record(0x0200, struct.pack("<IIHHH", 0, last_row, 0, last_col, 0))
    for (r, c), value in sorted(cells.items()):
        sheet += _record(0x0203, struct.pack("<HHHd", r, c, 15, value))
    sheet += _record(0x000A)
    return globals_with(offset) + sheet


def biff8_workbook(sheet_name: str, cells: Mapping[tuple[int, int], float], *,
                   dimensions: tuple[int, int] | None = None) -> bytes:
    """A BIFF8 (Excel 97) .xls file: one sheet with numbers at (row, col), 0-based."""
    return cfb({"Workbook": biff8_stream(sheet_name, cells, dimensions=dimensions)})


# ======================================================================================
# Helpers on a sandbox
# ======================================================================================


def rel(box: Sandbox, path: Path) -> str:
    """A path as cchc prints it: relative to the workspace, forward slashes (the file
    itself may be a symbolic link: only its folder is resolved)."""
    return (path.parent.resolve() / path.name).relative_to(box.root.resolve()).as_posix()


def place(box: Sandbox, where: str, data: bytes) -> Path:
    """Write ``data`` at ``where`` (relative to the workspace root)."""
    path = box.root / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def stp_form(box: Sandbox) -> Path:
    return box.root / STP_FORM


def set_cells(path: Path, cells: Mapping[str, Any], *, sheet: str = SELF,
              as_text: bool = False, number_format: str | None = None) -> Path:
    """Change cells with openpyxl; ``as_text`` stores strings that look like formulas
    (``=…``) or errors (``#REF!``) as plain text, the way a cell formatted as Text keeps
    them."""
    workbook = openpyxl.load_workbook(path)
    ws = workbook[sheet]
    for ref, value in cells.items():
        ws[ref] = value
        if as_text and isinstance(value, str):
            ws[ref].data_type = "s"
        if number_format:
            ws[ref].number_format = number_format
    workbook.save(path)
    return path


def set_meta(path: Path, key: str, value: str) -> Path:
    """Change one key of the hidden _cchc sheet."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[META]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
    sheet.cell(row, 2).value = value
    sheet.cell(row, 2).data_type = "s"
    workbook.save(path)
    return path


def replace_stp(box: Sandbox, name: str) -> Path:
    """Move the valid STP form to another name (another extension, usually)."""
    source = stp_form(box)
    target = source.with_name(name)
    source.rename(target)
    return target


# ======================================================================================
# Files that are not spreadsheets at all
# ======================================================================================


def make_empty(box: Sandbox) -> Path:
    return place(box, f"{SELF_DIR}/rong.xlsx", b"")


def make_whitespace(box: Sandbox) -> Path:
    return place(box, f"{SELF_DIR}/khoang-trang.xlsx", b"   \r\n\t \n" * 64)


def make_random_bytes(box: Sandbox) -> Path:
    data = random.Random(2023).randbytes(8192)
    assert not data.startswith((b"PK", b"\xd0\xcf"))
    return place(box, f"{SELF_DIR}/ngau-nhien.xlsx", data)


def make_truncated_zip(box: Sandbox) -> Path:
    data = stp_form(box).read_bytes()
    return place(box, f"{SELF_DIR}/tu-danh-gia-STP-bi-cat.xlsx", data[: len(data) // 2])


def make_truncated_xls(box: Sandbox) -> Path:
    data = (Path(__file__).resolve().parents[1] / "data" / "tu-danh-gia-STP.xls").read_bytes()
    return place(box, f"{SELF_DIR}/tu-danh-gia-STP-bi-cat.xls", data[: len(data) // 2])


def make_zip_without_workbook(box: Sandbox) -> Path:
    data = build_zip([ZipPart("ghi-chu.txt", "Hồ sơ tự đánh giá gửi kèm.".encode()),
                      ZipPart("anh/minh-chung.jpg", random.Random(1).randbytes(2000))])
    return place(box, f"{SELF_DIR}/ho-so.xlsx", data)


def make_docx_renamed(box: Sandbox) -> Path:
    from docx import Document

    document = Document()
    document.add_paragraph("Báo cáo tự đánh giá chỉ số cải cách hành chính năm 2023")
    buffer = io.BytesIO()
    document.save(buffer)
    return place(box, f"{SELF_DIR}/bao-cao-STP.xlsx", buffer.getvalue())


def make_pdf_renamed(box: Sandbox) -> Path:
    pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
           b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
           b"trailer << /Root 1 0 R >>\n%%EOF\n")
    return place(box, f"{SELF_DIR}/bieu-mau-STP.xlsx", pdf)


def make_html_as_xls(box: Sandbox) -> Path:
    """What many web systems export as 'Excel': an HTML table named .xls."""
    html = ("<html><head><meta charset='utf-8'></head><body><table>"
            "<tr><td>Mã tiêu chí</td><td>Điểm tự chấm</td></tr>"
            "<tr><td>1.2</td><td>2,75</td></tr></table></body></html>")
    return place(box, f"{SELF_DIR}/xuat-tu-phan-mem.xls", html.encode())


def make_csv_renamed(box: Sandbox) -> Path:
    text = "Mã tiêu chí;Điểm tự chấm\n1.2;2,75\n"
    return place(box, f"{SELF_DIR}/bang-diem.xlsx", text.encode("utf-8-sig"))


def make_too_large(box: Sandbox) -> Path:
    """Over MAX_FILE_BYTES (50 MiB): refused by its size, before being read."""
    path = box.root / SELF_DIR / "qua-lon.xlsx"
    with path.open("wb") as out:
        out.write(b"PK\x03\x04")
        out.truncate(51 * 1024 * 1024)
    return path


def make_lzma_member(box: Sandbox) -> Path:
    """A zip whose sheet part claims a compression method cchc does not inflate."""
    parts = workbook_parts([(SELF, "worksheets/sheet1.xml")])
    sheet = ZipPart("xl/worksheets/sheet1.xml", raw=random.Random(3).randbytes(300),
                    size=4000, method=14)
    return place(box, f"{SELF_DIR}/nen-lzma.xlsx", build_zip([*parts, sheet]))


def make_malformed_cfb(box: Sandbox) -> Path:
    """An .xls whose Workbook stream claims to live in a mini stream that is missing."""
    data = cfb({"Workbook": biff8_stream(SELF, {(0, 0): 1.0})}, mini_sizes=True)
    return place(box, f"{SELF_DIR}/hong-cau-truc.xls", data)


# ======================================================================================
# Passwords and wrong extensions
# ======================================================================================


def make_encrypted(box: Sandbox) -> Path:
    return place(box, f"{SELF_DIR}/tu-danh-gia-STP-mat-khau.xlsx", encrypted_ooxml())


def make_encrypted_large(box: Sandbox) -> Path:
    """A larger password-protected workbook whose CFB directory comes after its
    encrypted package (beyond the first 64 KiB of the file), as CFB allows."""
    data = encrypted_ooxml(directory_last=True, package_size=96 * 1024)
    return place(box, f"{SELF_DIR}/tu-danh-gia-STP-mat-khau-lon.xlsx", data)


def make_encrypted_register(box: Sandbox) -> Path:
    return place(box, REGISTER_FILE, encrypted_ooxml())


def make_xlsx_named_xls(box: Sandbox) -> Path:
    return replace_stp(box, "tu-danh-gia-STP.xls")


def make_xlsx_named_ods(box: Sandbox) -> Path:
    return replace_stp(box, "tu-danh-gia-STP.ods")


def make_xls_named_xlsx(box: Sandbox) -> Path:
    source = Path(__file__).resolve().parents[1] / "data" / "tu-danh-gia-STP.xls"
    target = stp_form(box)
    shutil.copyfile(source, target)
    return target


# ======================================================================================
# Workbooks that are not (quite) forms
# ======================================================================================


def make_unrecognised(box: Sandbox) -> Path:
    path = box.root / SELF_DIR / "bang-tinh-khac.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Trang tính 1"
    workbook.active["A1"] = "Danh sách cán bộ đầu mối CCHC"
    workbook.save(path)
    return path


def make_header_missing(box: Sandbox) -> Path:
    return set_cells(stp_form(box), {f"{col}6": None for col in "ABCDEFGHIJ"})


def make_blank_sheet(box: Sandbox) -> Path:
    """The form's sheet was emptied (select all, delete) and saved."""
    path = stp_form(box)
    workbook = openpyxl.load_workbook(path)
    ws = workbook[SELF]
    for merged in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(merged))
    ws.delete_rows(1, ws.max_row)
    workbook.save(path)
    return path


def make_duplicate_header(box: Sandbox) -> Path:
    """A second 'Lựa chọn' column, typed in capitals and decomposed Unicode."""
    return set_cells(stp_form(box), {"K6": unicodedata.normalize("NFD", "LỰA  CHỌN")})


def make_kind_lies(box: Sandbox) -> Path:
    """The hidden sheet says 'appraisal' on a self-assessment."""
    return set_meta(stp_form(box), "kind", "appraisal")


def _appraisal_with_split_header(box: Sandbox, *, vertical: bool) -> Path:
    """An appraisal form rebuilt by a person with a two-row header: 'Không áp dụng'
    merged over '(tự đánh giá)' and '(thẩm định)'. With ``vertical``, each other header
    is merged over both rows, as Excel users usually do."""
    path = box.appraisal_form("vp", [("STP", "2.1", Entered(na=True,
                                                            comment="Không phát sinh"))])
    source = openpyxl.load_workbook(path)
    ws = source[APPRAISAL]
    headers = [ws.cell(5, c).value for c in range(1, 16)]
    values = [ws.cell(6, c).value for c in range(1, 16)]
    # Both N/A columns side by side (M, N) under one merged 'Không áp dụng'.
    order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 9, 13, 14]
    target = openpyxl.Workbook()
    out = target.active
    out.title = APPRAISAL
    out["A1"] = "BIỂU THẨM ĐỊNH (bản trình bày lại)"
    for c, i in enumerate(order, start=1):
        text = headers[i]
        if text.startswith("Không áp dụng"):
            out.cell(5, c, text.replace("Không áp dụng ", ""))
        else:
            out.cell(4, c, text)
            if vertical:
                out.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
        value = values[i]
        if not (isinstance(value, str) and value.startswith("=")):
            out.cell(6, c, value)
    out["M4"] = "Không áp dụng"
    out.merge_cells("M4:N4")
    meta = target.create_sheet(META)
    for r, row in enumerate(source[META].iter_rows(values_only=True), start=1):
        meta.cell(r, 1, row[0])
        meta.cell(r, 2, row[1])
    meta.sheet_state = "hidden"
    target.save(path)
    return path


def make_split_header(box: Sandbox) -> Path:
    return _appraisal_with_split_header(box, vertical=False)


def make_split_header_vertical(box: Sandbox) -> Path:
    return _appraisal_with_split_header(box, vertical=True)


# ======================================================================================
# Every type of value in an input cell (STP's form: G9 = 1.2 manual 0..3 step 0.25,
# F8 = 1.1 choice, E10 = 1.10 tiers, E12 = 2.1 ratio, G14 = 2.3 penalty)
# ======================================================================================


def cell_maker(cells: Mapping[str, Any], **options: Any) -> Callable[[Sandbox], Path]:
    def make(box: Sandbox) -> Path:
        return set_cells(stp_form(box), cells, **options)

    return make


make_date = cell_maker({"G9": dt.datetime(2023, 3, 2)}, number_format="dd/mm/yyyy")
make_boolean = cell_maker({"G9": True})
make_error_ref = cell_maker({"G9": "#REF!"})
make_error_div0 = cell_maker({"E10": "#DIV/0!"})
make_long_text_choice = cell_maker({"F8": "Ban hành " * 4445})  # 40 005 characters
make_long_text_score = cell_maker({"G9": "9" * 40000})
make_emoji_choice = cell_maker({"F8": "Ban hành đúng thời hạn 🎉👍"})
make_nfd_choice = cell_maker({"F8": unicodedata.normalize("NFD", "Ban hành chậm")})
make_thousands = cell_maker({"E10": "1.234,5"})
make_decimal_comma_1234 = cell_maker({"E10": "1,234"})
make_decimal_comma = cell_maker({"G9": "1,5"})
make_decimal_point = cell_maker({"G9": "1.5"})
make_negative_zero = cell_maker({"G9": -0.0, "G14": "-0"})
make_nan_text = cell_maker({"G9": "NaN"})
make_inf_text = cell_maker({"E10": "inf"})
make_minus_inf_text = cell_maker({"G9": "-inf"})
make_negative_data = cell_maker({"E12": "-1"})
make_over_max_text = cell_maker({"G9": "3,5"})
make_percent_nbsp = cell_maker({"E10": "\u00a091,5\u202f%"})
make_huge_float = cell_maker({"G9": 1e308})
make_error_in_penalty = cell_maker({"G14": "#N/A"})
make_markup_choice = cell_maker({"F8": "[/][bold]Ban hành[/bold]"})

# ======================================================================================
# Rows: duplicated, missing, extra or renamed codes; a changed max
# ======================================================================================

make_duplicate_row = cell_maker({"A20": 1.2, "G20": 1})
make_missing_code = cell_maker({"A10": None})
make_extra_code = cell_maker({"A20": "4.1", "B20": "Tiêu chí tự thêm", "G20": 1})
make_code_as_number = cell_maker({"A8": 1.1})
make_code_110_as_number = cell_maker({"A10": 1.1})
make_max_changed = cell_maker({"C9": 5})
make_max_cleared = cell_maker({"C10": None})
make_max_as_words = cell_maker({"C9": "ba điểm"})
make_formula_like_code = cell_maker({"A20": '=HYPERLINK("http://x","y")', "G20": 1},
                                    as_text=True)


# ======================================================================================
# Identity: another year, block, unit, criteria version; two forms for one unit
# ======================================================================================


def meta_maker(key: str, value: str) -> Callable[[Sandbox], Path]:
    def make(box: Sandbox) -> Path:
        return set_meta(stp_form(box), key, value)

    return make


make_other_year = meta_maker("year", "2022")
make_other_block = meta_maker("block", "huyen")
make_unknown_unit = meta_maker("unit", "SXX")
make_other_unit = meta_maker("unit", "SNV")
make_old_fingerprint = meta_maker("criteria_fingerprint", "0" * 64)


def make_two_forms(box: Sandbox) -> Path:
    return box.self_form("STP", name="STP-ban-sua-lan-2.xlsx")


# ======================================================================================
# Appraisal and survey
# ======================================================================================


def make_appraisal_unknown_unit(box: Sandbox) -> Path:
    path = box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a")),
                                      ("SNV", "1.2", Entered(score=Decimal(2), comment="b"))])
    return set_cells(path, {"A7": "SXX"}, sheet=APPRAISAL)


def make_appraisal_unknown_leaf(box: Sandbox) -> Path:
    path = box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a"))])
    return set_cells(path, {"C6": "1.99"}, sheet=APPRAISAL)


def make_appraisal_conflict_files(box: Sandbox) -> Path:
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a"))],
                       name="a-snv.xlsx")
    return box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal("1.5"),
                                                             comment="b"))],
                              name="b-snv.xlsx")


def make_appraisal_conflict_rows(box: Sandbox) -> Path:
    """One file, two rows for the same unit and leaf with different points."""
    return box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a")),
                                      ("STP", "1.2", Entered(score=Decimal(1), comment="b"))])


def make_appraisal_bad_round(box: Sandbox) -> Path:
    path = box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a"))])
    return set_meta(path, "round", "vòng hai")


def make_appraisal_huge_round(box: Sandbox) -> Path:
    """A round number written with a huge exponent in the hidden sheet."""
    path = box.appraisal_form("snv", [("STP", "1.2", Entered(score=Decimal(2), comment="a"))])
    return set_meta(path, "round", "1e999999999")


def survey_maker(unit: str, code: str, value: Any) -> Callable[[Sandbox], Path]:
    def make(box: Sandbox) -> Path:
        values = {(u.code, c): Decimal(v) for u in box.units
                  for c, v in (("3.1", "91.17"), ("3.2", "80"))}
        values[(unit, code)] = value
        return box.survey_form(values)

    return make


make_survey_fraction = survey_maker("STC", "3.2", Decimal("0.85"))
make_survey_above_100 = survey_maker("SNV", "3.1", Decimal("101"))
make_survey_negative = survey_maker("SNV", "3.1", Decimal("-5"))
make_survey_nan = survey_maker("STP", "3.1", "NaN")


# ======================================================================================
# The unit register
# ======================================================================================


def make_register_empty(box: Sandbox) -> Path:
    return place(box, REGISTER_FILE, b"")


def make_register_no_sheet(box: Sandbox) -> Path:
    path = box.root / REGISTER_FILE
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.active["A1"] = "Danh sách (chưa có tiêu đề cột)"
    workbook.save(path)
    return path


def make_register_duplicate_header(box: Sandbox) -> Path:
    return set_cells(box.root / REGISTER_FILE, {"G4": "Mã  đơn vị"}, sheet=REGISTER)


def make_register_formula_name(box: Sandbox) -> Path:
    """A unit name that is a formula with no cached result (saved by openpyxl)."""
    return set_cells(box.root / REGISTER_FILE, {"B6": '=CONCATENATE("Sở ","Nội vụ")'},
                     sheet=REGISTER)


# Unit names and heads that a spreadsheet would take for formulas.
FORMULA_NAMES = {
    "STP": '=HYPERLINK("http://x","y")',
    "SNV": "+1+2",
    "STC": "-3+4",
    "SYT": "@SUM(A1:A2)",
}


def make_register_formula_like_names(box: Sandbox) -> Path:
    units = [Unit(code, FORMULA_NAMES[code], "so-nganh", f"={code}!A1") for code in
             FORMULA_NAMES]
    box.write_register(units)
    for stale in (box.root / SELF_DIR).glob("*.xlsx"):
        stale.unlink()
    box.complete()
    return box.root / REGISTER_FILE


# ======================================================================================
# XML external entities and entity expansion
# ======================================================================================

_DOCTYPE = '<!DOCTYPE sst [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def make_xxe_shared_strings(box: Sandbox) -> Path:
    """sharedStrings.xml declares an external entity and uses it as the choice of 1.1."""

    def change(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"?>")
        rest = rest.replace("<t>Ban hành đúng thời hạn</t>".encode(), b"<t>&e;</t>")
        return head + b"?>" + _DOCTYPE.encode() + rest

    return rewrite_members(stp_form(box), {"xl/sharedStrings.xml": change})


def make_xxe_sheet(box: Sandbox, secret_file: Path) -> Path:
    """The sheet XML declares an external entity pointing at a local file and puts it in
    the choice cell F8 as an inline string."""

    def change(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"?>")
        doctype = f'<!DOCTYPE worksheet [<!ENTITY e SYSTEM "{secret_file.as_uri()}">]>'
        start = rest.index(b'<c r="F8"')
        end = rest.index(b"</c>", start) + 4
        cell = b'<c r="F8" t="inlineStr"><is><t>&e;</t></is></c>'
        return head + b"?>" + doctype.encode() + rest[:start] + cell + rest[end:]

    return rewrite_members(stp_form(box), {"xl/worksheets/sheet1.xml": change})


# ======================================================================================
# Resource bombs (run in a memory-limited subprocess by the tests)
# ======================================================================================

_SHEET_HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<worksheet xmlns="{SHEET_NS}"><sheetData>').encode()
_SHEET_TAIL = b"</sheetData></worksheet>"


def _bomb_file(box: Sandbox, name: str, data: bytes) -> Path:
    return place(box, f"{SELF_DIR}/{name}", data)


def make_zip_bomb(box: Sandbox) -> Path:
    """A 270 KB xlsx whose sheet XML inflates to 65 MB (over MAX_XML_BYTES), sizes honest."""
    raw, size = deflate_repeated(b"<row><c><v>1</v></c></row>" * 1000, 2500,
                                 head=_SHEET_HEAD, tail=_SHEET_TAIL)
    part = ZipPart("xl/worksheets/sheet1.xml", raw=raw, size=size)
    return _bomb_file(box, "tu-danh-gia-STP-bom-nen.xlsx", tiny_xlsx(part))


def make_zip_bomb_lying(box: Sandbox) -> Path:
    """An 11 MB xlsx whose sheet declares 5 000 bytes but inflates to 2.6 GB."""
    raw, size = deflate_repeated(b"<row><c><v>1</v></c></row>" * 1000, 100_000,
                                 head=_SHEET_HEAD, tail=_SHEET_TAIL)
    part = ZipPart("xl/worksheets/sheet1.xml", raw=raw, size=size, declared=5000)
    return _bomb_file(box, "tu-danh-gia-STP-bom-noi-doi.xlsx", tiny_xlsx(part))


def make_zip_bomb_lying_elsewhere(box: Sandbox) -> Path:
    """The same lie, in a sheet part stored outside xl/worksheets/ (legal in OOXML: the
    workbook's relationships say where each sheet is)."""
    raw, size = deflate_repeated(b"<row><c><v>1</v></c></row>" * 1000, 100_000,
                                 head=_SHEET_HEAD, tail=_SHEET_TAIL)
    part = ZipPart("xl/data/sheet1.xml", raw=raw, size=size, declared=5000)
    data = tiny_xlsx(part, target="data/sheet1.xml")
    return _bomb_file(box, "tu-danh-gia-STP-bom-noi-khac.xlsx", data)


def make_cell_count_bomb(box: Sandbox) -> Path:
    """5.2 million empty cells (20 MB of XML, 170 KB zipped): over MAX_CELLS."""
    raw, size = deflate_repeated(b"<c/>" * 1000, 5200, head=_SHEET_HEAD + b"<row>",
                                 tail=b"</row>" + _SHEET_TAIL)
    part = ZipPart("xl/worksheets/sheet1.xml", raw=raw, size=size)
    return _bomb_file(box, "tu-danh-gia-STP-bom-o.xlsx", tiny_xlsx(part))


def _far_sheet(cell: str, row_attrs: str = ' r="1048576"') -> bytes:
    return _SHEET_HEAD + f"<row{row_attrs}>{cell}</row>".encode() + _SHEET_TAIL


def make_far_cell(box: Sandbox) -> Path:
    """One valued cell at XFD1048576, the last cell of a sheet."""
    data = tiny_xlsx(_far_sheet('<c r="XFD1048576"><v>1</v></c>'))
    return _bomb_file(box, "tu-danh-gia-STP-o-cuoi.xlsx", data)


def make_far_cell_single_quotes(box: Sandbox) -> Path:
    """The same cell with its attributes in single quotes (well-formed XML)."""
    data = tiny_xlsx(_far_sheet("<c r='XFD1048576'><v>1</v></c>", " r='1048576'"))
    return _bomb_file(box, "tu-danh-gia-STP-o-cuoi-nhay-don.xlsx", data)


def make_far_cell_tab(box: Sandbox) -> Path:
    """The same cell with a tab (not a space) before its attribute (well-formed XML)."""
    data = tiny_xlsx(_far_sheet('<c\tr="XFD1048576"><v>1</v></c>', '\tr="1048576"'))
    return _bomb_file(box, "tu-danh-gia-STP-o-cuoi-tab.xlsx", data)


def make_far_cell_lowercase(box: Sandbox) -> Path:
    """The same cell with its reference in lower case (xfd1048576)."""
    data = tiny_xlsx(_far_sheet('<c r="xfd1048576"><v>1</v></c>'))
    return _bomb_file(box, "tu-danh-gia-STP-o-cuoi-chu-thuong.xlsx", data)


def make_far_row_eight_digits(box: Sandbox) -> Path:
    """A valued cell at A99999999: a row number past Excel's last row, eight digits."""
    data = tiny_xlsx(_far_sheet('<c r="A99999999"><v>1</v></c>', ' r="99999999"'))
    return _bomb_file(box, "tu-danh-gia-STP-dong-8-chu-so.xlsx", data)


def make_far_cell_elsewhere(box: Sandbox) -> Path:
    """A valued cell at AAA200000 (140 million cells) in a sheet part outside
    xl/worksheets/."""
    data = tiny_xlsx(_far_sheet('<c r="AAA200000"><v>1</v></c>', ' r="200000"'),
                     target="data/sheet1.xml")
    return _bomb_file(box, "tu-danh-gia-STP-o-xa-noi-khac.xlsx", data)


def make_row_without_cell_refs(box: Sandbox) -> Path:
    """Row 1 048 576 holding 200 cells without references (placed one after another)."""
    data = tiny_xlsx(_far_sheet("<c><v>1</v></c>" * 200))
    return _bomb_file(box, "tu-danh-gia-STP-dong-cuoi.xlsx", data)


def make_xml_entity_bomb(box: Sandbox) -> Path:
    """'Billion laughs' in sharedStrings.xml: nested internal entities, 10^9 'lol's."""
    entities = '<!ENTITY l0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    shared = (f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
              f'<sst xmlns="{SHEET_NS}"><si><t>&l9;</t></si></sst>').encode()
    sheet = _SHEET_HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + _SHEET_TAIL
    data = build_zip([*workbook_parts([(SELF, "worksheets/sheet1.xml")], shared=shared),
                      ZipPart("xl/worksheets/sheet1.xml", sheet)])
    return _bomb_file(box, "tu-danh-gia-STP-bom-xml.xlsx", data)


def make_ods_repeat_bomb(box: Sandbox) -> Path:
    """An ODS form with one valued cell repeated 1 000 × 1 000 000 times."""
    row = (b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell'
           b' office:value-type="float" office:value="1"'
           b' table:number-columns-repeated="1000"/></table:table-row>')

    def change(xml: bytes) -> bytes:
        at = xml.index(b"<table:table-row")
        return xml[:at] + row + xml[at:]

    path = box.root / SELF_DIR / "tu-danh-gia-STP-bom.ods"
    shutil.copyfile(Path(__file__).resolve().parents[1] / "data" / "tu-danh-gia-STP.ods",
                    path)
    return rewrite_members(path, {"content.xml": change})


def make_xls_far_cell(box: Sandbox) -> Path:
    """A 5 KB Excel 97 file with a number at IV65536 (16.7 million cells)."""
    data = biff8_workbook(SELF, {(0, 0): 1.0, (65535, 255): 2.0})
    return _bomb_file(box, "tu-danh-gia-STP-o-cuoi.xls", data)


def make_cfb_directory_loop(box: Sandbox) -> Path:
    """A 5 KB .xls whose directory sector chain points at itself."""
    data = bytearray(biff8_workbook(SELF, {(0, 0): 1.0}))
    # Sector 0 is the FAT, sector 1 the directory: make the directory's next sector 1.
    struct.pack_into("<I", data, _SECTOR + 4 * 1, 1)
    return _bomb_file(box, "tu-danh-gia-STP-vong-lap.xls", bytes(data))


def make_unclosed_cells(box: Sandbox) -> Path:
    """Sheet XML with 100 000 '<c ' tags that never close (300 KB): malformed, and a
    trap for a scanner that looks for the end of every tag from every start."""
    sheet = (_SHEET_HEAD + b'<row r="1"><c r="AA1"><v>1</v></c></row>' + b"<c " * 100_000
             + _SHEET_TAIL)
    return _bomb_file(box, "tu-danh-gia-STP-the-mo.xlsx", tiny_xlsx(sheet))


def make_ods_unclosed_rows(box: Sandbox) -> Path:
    """ODS content with 40 000 table rows that never close (700 KB)."""
    content = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content'
               b' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
               b' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
               + '<office:body><office:spreadsheet><table:table table:name="Tự đánh giá">'
               .encode()
               + b"<table:table-row>" * 40_000
               + b"</table:table></office:spreadsheet></office:body></office:document-content>")
    data = build_zip([ZipPart("mimetype", b"application/vnd.oasis.opendocument.spreadsheet",
                              stored=True), ZipPart("content.xml", content)])
    return _bomb_file(box, "tu-danh-gia-STP-the-mo.ods", data)


def make_register_endless(box: Sandbox) -> Path:
    """The register is a symbolic link to /dev/zero: an endless file of zero bytes."""
    path = box.root / REGISTER_FILE
    path.unlink()
    path.symlink_to("/dev/zero")
    return path


def make_settings_endless(box: Sandbox) -> Path:
    """cchc.yaml is a symbolic link to /dev/zero."""
    path = box.root / SETTINGS_FILE
    path.unlink()
    path.symlink_to("/dev/zero")
    return path


def make_template_bomb(box: Sandbox) -> Path:
    """A 6 MB workspace template whose word/document.xml inflates to 1.4 GB (its CRC is
    left at zero: the damage is done before any check of it)."""
    path = make_template(box, "{{ province }}")
    raw, size = deflate_repeated(
        b"<w:p><w:r><w:t>lol</w:t></w:r></w:p>" * 1000, 40_000,
        head=b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document'
             b' xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             b"<w:body>",
        tail=b"</w:body></w:document>")
    parts = [ZipPart(p.name, raw=raw, size=size) if p.name == "word/document.xml" else p
             for p in zip_members(path)]
    path.write_bytes(build_zip(parts))
    return path


# ======================================================================================
# YAML: criteria and cchc.yaml
# ======================================================================================


def write_criteria(box: Sandbox, text: str | bytes) -> Path:
    path = box.root / CRITERIA_FILE
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def write_settings(box: Sandbox, text: str | bytes) -> Path:
    path = box.root / SETTINGS_FILE
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


CRITERIA_TAB = FORM_CRITERIA.replace("    max: 3\n", "\tmax: 3\n", 1)
CRITERIA_ANCHOR = FORM_CRITERIA.replace("max: 3\n", "max: &ba 3\n", 1).replace(
    "max: 10\n", "max: *ba\n", 1)
CRITERIA_DUPLICATE_KEY = FORM_CRITERIA.replace("scale: 20\n", "scale: 20\nid: ban-sao\n")
CRITERIA_UNKNOWN_KEY = FORM_CRITERIA.replace("max: 3\n", "maxx: 3\n", 1)
CRITERIA_TWO_DOCUMENTS = FORM_CRITERIA + "---\nid: tai-lieu-thu-hai\n"
CRITERIA_UNQUOTED = FORM_CRITERIA.replace('code: "1.1"\n', "code: 1.1\n").replace(
    'code: "1.10"\n', "code: 1.10\n")
CRITERIA_HUGE_MAX = FORM_CRITERIA.replace("max: 3\n", "max: 1e999999999\n", 1)
CRITERIA_HUGE_SCALE = FORM_CRITERIA.replace("scale: 20\n", "scale: 1e999999999\n")


def billion_laughs() -> str:
    lines = ['lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        refs = ",".join(f"*a{i - 1}" for _ in range(9))
        lines.append(f"lol{i}: &a{i} [{refs}]")
    return FORM_CRITERIA + "\n".join(lines) + "\n"


def os_system_criteria(marker: Path) -> str:
    payload = f"!!python/object/apply:os.system ['touch {marker}']"
    return FORM_CRITERIA.replace("title: Bộ tiêu chí thử nghiệm",
                                 f"title: {payload}")


def os_system_settings(marker: Path) -> str:
    return (f"province: !!python/object/apply:os.system ['touch {marker}']\n"
            f"place: !!python/object/new:subprocess.check_output [['touch', '{marker}']]\n")


def encode_cp1258(text: str) -> bytes:
    """Vietnamese text as Windows-1258 (what old Vietnamese Windows editors save): a
    letter with two marks is a precomposed letter plus one combining mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            rest = "".join(marks[:i] + marks[i + 1:])
            try:
                out += unicodedata.normalize("NFC", base + mark).encode("cp1258")
                out += rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += (base + "".join(marks)).encode("cp1258", errors="replace")
    return bytes(out)


def cp1258_criteria() -> bytes:
    """The criteria saved in Windows-1258 instead of UTF-8."""
    data = encode_cp1258(FORM_CRITERIA)
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == FORM_CRITERIA
    return data


def utf16_criteria() -> bytes:
    """The criteria saved as 'Unicode' by Notepad: UTF-16 with a byte-order mark."""
    return FORM_CRITERIA.encode("utf-16")


def deep_criteria(depth: int) -> str:
    """A criteria tree nested ``depth`` levels deep (block style, valid YAML)."""
    out = ["id: so-nganh-2023", "title: Bộ tiêu chí lồng sâu", "block: so-nganh",
           "year: 2023", "scale: 1", "items:"]
    for level in range(depth):
        indent = "  " * (2 * level + 1)
        out += [f'{indent}- code: "{level}"', f"{indent}  name: Mức {level}",
                f"{indent}  items:"]
    indent = "  " * (2 * depth + 1)
    out += [f'{indent}- code: "la"', f"{indent}  name: Tiêu chí lá", f"{indent}  max: 1"]
    return "\n".join(out) + "\n"


SETTINGS_UNKNOWN_KEY = "province: Tỉnh Thử\nprovnice: Tỉnh Gõ Nhầm\n"
SETTINGS_ANCHOR = "province: &p Tỉnh Thử\nplace: *p\n"


# ======================================================================================
# Document templates
# ======================================================================================


def make_template(box: Sandbox, content: str, name: str = "bao-cao.docx") -> Path:
    from docx import Document

    folder = box.root / "templates"
    folder.mkdir(exist_ok=True)
    document = Document()
    document.add_paragraph(content)
    path = folder / name
    document.save(path)
    return path
