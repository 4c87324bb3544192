"""The check that keeps a small .xlsx from making the parser allocate a huge sheet.

A sheet's used range is rows × columns of the cells the parser places; a crafted sheet
can reach far with one reference, or with rows and cells that carry no reference (they
are placed one after another). The fast path only looks for what ordinary writers never
produce; everything unusual goes to the exact count, which must then refuse.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import pytest

from cchc_cli.readers import workbook
from cchc_cli.readers.workbook import MAX_CELLS, BookError, check_sheet_extent, sheet_extent
from tests.conftest import ROOT

HEAD = b'<worksheet xmlns="main" xmlns:r="rels"><sheetData>'
TAIL = b"</sheetData></worksheet>"


def sheet(body: bytes) -> bytes:
    return HEAD + body + TAIL


def refless(row_tag: bytes, cell_tag: bytes, end_row: bytes) -> bytes:
    """One row of 3000 cells, then 2999 rows of one cell: 3000 × 3000 = 9 000 000 cells
    placed, from only 6000 tags."""
    wide = row_tag + cell_tag * 3000 + end_row
    return sheet(wide + (row_tag + cell_tag + end_row) * 2999)


FAR = [
    pytest.param(sheet(b'<row r="1"><c r="XFD1048576"><v>1</v></c></row>'), id="far-cell"),
    pytest.param(sheet(b'<row r="1"><c r="A1"/></row><row r="1048576"><c r="Z1048576"/></row>'),
                 id="far-row"),
    pytest.param(sheet(b'<row r="1"><c r="A1" r="XFD1048576"/></row>'), id="second-r"),
    pytest.param(sheet(b'<row r="1"><c s="1" r="XFD1048576"/></row>'), id="r-not-first"),
    pytest.param(sheet(b'<row r="1"><c\tr="XFD1048576"/></row>'), id="tab-before-r"),
    pytest.param(sheet(b'<row r="1"><c r = "XFD1048576"/></row>'), id="spaces-around-="),
    pytest.param(sheet(b"<row r=\"1\"><c r='XFD1048576'/></row>"), id="single-quotes"),
    pytest.param(sheet(b'<row r="1"><c r="xfd1048576"/></row>'), id="lower-case"),
    pytest.param(sheet(b'<row r="1"><c r="&#88;FD1048576"/></row>'), id="entity"),
    pytest.param(sheet(b'<row r="1"><c r="Z&#49;048576"/></row>'), id="entity-in-row"),
    pytest.param(sheet(b'<x:row r="1"><x:c r="XFD1048576"/></x:row>'), id="prefixed"),
    pytest.param(sheet(b'<row r="1"><c r= "XFD1048576"/></row>'), id="space-after-="),
    pytest.param(sheet(b'<row r="1"><c  r="XFD1048576"/></row>'), id="two-spaces"),
    pytest.param(sheet(b'<row r="1"><c r="A1"\nr="XFD1048576"/></row>'),
                 id="line-break-before-second-r"),
    pytest.param(sheet(b'<row r="1"><c r="Z1000000"/></row>'), id="six-digit-row"),
    pytest.param(refless(b"<row>", b"<c/>", b"</row>"), id="no-references"),
    pytest.param(refless(b"<row\t>", b"<c\t/>", b"</row>"), id="no-references-tabs"),
    pytest.param(refless(b"<x:row>", b"<x:c/>", b"</x:row>"), id="no-references-prefixed"),
    pytest.param(refless(b'<row spans="1:3">', b'<c t="n"/>', b"</row>"),
                 id="no-references-other-attributes"),
]


@pytest.mark.parametrize("xml", FAR)
def test_far_reaching_sheets_are_refused(xml):
    rows, cols = sheet_extent(xml)
    assert rows * cols > MAX_CELLS
    with pytest.raises(BookError) as refused:
        check_sheet_extent(xml)
    assert refused.value.code == "tep-qua-lon-o"


def test_references_without_placement_count_as_written():
    # Cells without a reference follow the previous one: B1, C1; a row without one
    # follows the previous row. 2 rows, 3 columns.
    xml = sheet(b'<row r="1"><c r="A1"/><c/><c/></row><row><c/></row>')
    assert sheet_extent(xml) == (2, 3)


def test_a_crafted_but_small_sheet_passes_the_exact_count():
    xml = sheet(b'<row r="1"><c r="AA1"/></row><row r="40"><c r="B40"/></row>')
    assert sheet_extent(xml) == (40, 27)
    check_sheet_extent(xml)  # 1080 cells: accepted


def test_a_survey_of_a_whole_country_takes_the_fast_path(monkeypatch):
    """Five-digit rows within column Z (at most 2.6 million cells, under the limit) are
    ordinary: a survey of 10 600 communes reaches row 10 606."""
    monkeypatch.setattr(workbook, "sheet_extent", _no_slow_count)
    rows = b"".join(b'<row r="%d" spans="1:6"><c r="A%d" t="s"><v>1</v></c><c r="F%d" s="2">'
                    b"<v>91.5</v></c></row>" % (r, r, r) for r in range(1, 10_607))
    check_sheet_extent(b'<?xml version="1.0"?>\r\n' + sheet(rows))


def _no_slow_count(xml: bytes) -> tuple[int, int]:
    raise AssertionError("the exact count ran on an ordinary sheet")


def test_ordinary_forms_take_the_fast_path(monkeypatch):
    """Every workbook of the example province — forms written by cchc, register, last
    year's results — is checked without the slow count: a few scans of the XML."""
    monkeypatch.setattr(workbook, "sheet_extent", _no_slow_count)
    checked = 0
    for path in sorted((ROOT / "examples" / "tinh-mau" / "data").rglob("*.xlsx")):
        with zipfile.ZipFile(path) as archive:
            for part in archive.namelist():
                if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                    check_sheet_extent(archive.read(part))
                    checked += 1
    assert checked > 100


def test_a_second_reference_in_a_cell_is_caught_before_the_parser(tmp_path):
    """The parser takes the last of two r attributes (and aborts the whole process when
    the range it then allocates is too large), so the check must look past the first.
    Run in a child process: without the check, the child dies instead of the suite."""
    source = io.BytesIO()
    with zipfile.ZipFile(ROOT / "examples" / "tinh-mau" / "data" / "2023" / "don-vi.xlsx"
                         ) as original, zipfile.ZipFile(source, "w") as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'<c r="A2"' in data
                data = data.replace(b'<c r="A2"', b'<c r="A2" r="XFD1048576"', 1)
            copy.writestr(info.filename, data)
    path = tmp_path / "don-vi.xlsx"
    path.write_bytes(source.getvalue())
    script = (
        "import sys\n"
        "from cchc_cli.readers.workbook import BookError, open_book\n"
        "book = open_book(__import__('pathlib').Path(sys.argv[1]))\n"
        "try:\n"
        "    book.sheet(book.sheet_names[0])\n"
        "except BookError as refused:\n"
        "    print(refused.code)\n"
    )
    child = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                           text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-500:]
    assert child.stdout.strip() == "tep-qua-lon-o"
