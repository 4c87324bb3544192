"""Percent cells and formulas without a value, read from the workbook's own parts.

The fast scans must agree with the exact pass, and both with what the cells are
(checked against an oracle on generated sheets); the .ods and .xls readings are checked
record by record; every scan stays bounded on crafted input.
"""

from __future__ import annotations

import struct
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_cli.files import FileRefused
from cchc_cli.readers import biff, marks
from cchc_cli.readers.workbook import check_sheet_extent
from tests.hostile import truth as t
from tests.hostile.corpus import SHEET_NS, _record

# ======================================================================================
# Number format codes
# ======================================================================================


@pytest.mark.parametrize(("code", "percent"), [
    ("0%", True), ("0.00%", True), ("#,##0.0%", True), ("0.0%;[Red]-0.0%", True),
    ("[Red]0%", True), ("[<1]0.0%;0", True), ("%0", True),
    ("General", False), ("0.00", False), ('0.0"%"', False), ("0\\%", False),
    ("0_%", False), ("0*%", False), ("[$%-409]0", False), ('"tỷ lệ %" 0', False),
    ("[Red", False),
])
def test_percent_format_codes(code, percent):
    assert marks.is_percent_format(code) is percent


def styles_xml(custom: dict[int, str], cell_formats: list[int], named: list[int]) -> bytes:
    formats = "".join(f'<numFmt numFmtId="{n}" formatCode="{code}"/>'
                      for n, code in custom.items())
    style_xfs = "".join(f'<xf numFmtId="{n}" fontId="0"/>' for n in named)
    cell_xfs = "".join(f'<xf numFmtId="{n}" fontId="0" xfId="0"/>' for n in cell_formats)
    return (f'<styleSheet xmlns="{SHEET_NS}"><numFmts count="{len(custom)}">{formats}'
            f'</numFmts><cellStyleXfs count="{len(named)}">{style_xfs}</cellStyleXfs>'
            f'<cellXfs count="{len(cell_formats)}">{cell_xfs}</cellXfs></styleSheet>').encode()


def test_percent_styles_are_cell_formats_with_a_percent():
    styles = styles_xml({164: "0.0%", 165: "0.00", 166: '0"%"'},
                        [0, 164, 9, 165, 10, 166, 2], named=[9, 10, 164])
    # cellXfs 1 (custom 0.0%), 2 (built-in 9), 4 (built-in 10); named styles do not count.
    assert marks.percent_styles(styles) == {1, 2, 4}
    assert marks.percent_styles(styles_xml({}, [0, 2, 4], [0])) == frozenset()


def test_a_custom_code_replaces_a_built_in_id():
    assert marks.percent_styles(styles_xml({9: "0.00"}, [9, 10], [])) == {1}


# ======================================================================================
# .xlsx sheets: fast scans against the exact pass against the oracle
# ======================================================================================

# What a cell holds, and how each kind is written.
KINDS = {
    "number": '<v>0.5</v>',
    "text": '',  # an inline string, see below
    "cached": "<f>A1*2</f><v>1.5</v>",
    "absent": "<f>A1*2</f>",
    "shared": '<f t="shared" si="0"/>',
    "empty": "<f>A1*2</f><v></v>",
    "zero": "<f>A1*2</f><v>0</v>",
    "str-empty": "<f>\"\"</f><v></v>",
    "str-zero": "<f>\"0\"</f><v>0</v>",
    "blank": None,
}
UNCACHED = {"absent", "shared", "empty"}  # and "zero", "str-zero" when recalculating


def cell_xml(ref: str, style: int | None, kind: str) -> str:
    s = f' s="{style}"' if style is not None else ""
    if kind == "blank":
        return f'<c r="{ref}"{s}/>'
    if kind == "text":
        return f'<c r="{ref}"{s} t="inlineStr"><is><t>x</t></is></c>'
    t_attr = ' t="str"' if kind.startswith("str") else ""
    return f'<c r="{ref}"{s}{t_attr}>{KINDS[kind]}</c>'


cells_strategy = st.dictionaries(
    st.tuples(st.integers(0, 30), st.integers(0, 8)),
    st.tuples(st.one_of(st.none(), st.integers(0, 5)), st.sampled_from(sorted(KINDS))),
    max_size=60,
)


def sheet_of(cells: dict) -> bytes:
    rows: dict[int, list[str]] = {}
    for (r, c), (style, kind) in sorted(cells.items()):
        rows.setdefault(r, []).append(cell_xml(f"{chr(65 + c)}{r + 1}", style, kind))
    body = "".join(f'<row r="{r + 1}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet'
            f' xmlns="{SHEET_NS}"><sheetData>{body}</sheetData></worksheet>').encode()


def oracle(cells: dict, styles: frozenset[int], recalc: bool):
    percent = {at for at, (style, _) in cells.items() if (style or 0) in styles}
    missing = UNCACHED | ({"zero", "str-zero"} if recalc else set())
    uncached = {at for at, (_, kind) in cells.items() if kind in missing}
    return percent, uncached


@settings(max_examples=150, deadline=None)
@given(cells=cells_strategy, styles=st.frozensets(st.integers(1, 5), max_size=3),
       recalc=st.booleans())
def test_fast_scan_agrees_with_the_exact_pass(cells, styles, recalc):
    xml = sheet_of(cells)
    regular = check_sheet_extent(xml)
    assert regular
    fast = marks.xlsx_marks(xml, styles, recalc, regular)
    assert fast == marks._exact_marks(xml, styles, recalc)
    assert fast == oracle(cells, styles, recalc)


@settings(max_examples=60, deadline=None)
@given(cells=cells_strategy, recalc=st.booleans())
def test_a_percent_default_format_marks_unstyled_cells(cells, recalc):
    """A crafted styles part whose first cell format is a percent: cells without an
    ``s`` are percentages too (the exact pass handles it)."""
    styles = frozenset({0, 2})
    assert marks.xlsx_marks(sheet_of(cells), styles, recalc, True) == \
        oracle(cells, styles, recalc)


IRREGULAR = [
    pytest.param('<x:row r="3"><x:c r="B3"><x:f>1+1</x:f></x:c></x:row>', id="prefixed"),
    pytest.param('<row r="3">\n  <c r="B3">\n    <f>1+1</f>\n  </c>\n</row>', id="indented"),
    pytest.param("<row r='3'><c r='B3'><f>1+1</f><v/></c></row>", id="single-quotes"),
    pytest.param('<row r="3"><c r="A3"><v>1</v></c><c><f>1+1</f></c></row>', id="no-ref"),
    pytest.param('<row r="3"><c r="B3" t="n"><is/><f>1+1</f></c></row>', id="f-not-first"),
]


@pytest.mark.parametrize("cells", IRREGULAR)
def test_irregular_sheets_are_read_exactly(cells):
    xml = (f'<worksheet xmlns="{SHEET_NS}" xmlns:x="{SHEET_NS}"><sheetData>{cells}'
           "</sheetData></worksheet>").encode()
    regular = check_sheet_extent(xml)
    assert marks.xlsx_marks(xml, frozenset(), False, regular) == (frozenset(), {(2, 1)})


def test_nothing_to_mark_costs_a_search():
    """A form without percent formats whose formulas all hold values is not scanned."""
    xml = sheet_of({(r, 6): (None, "cached") for r in range(200)})
    start = time.perf_counter()
    for _ in range(100):
        assert marks.xlsx_marks(xml, frozenset(), True, True) == (frozenset(), frozenset())
    assert time.perf_counter() - start < 0.5


def test_too_many_formulas_without_value_are_refused():
    """Over MAX_MARKS (250 000) formula cells without a value: refused, not indexed."""
    body = b"".join(b'<row r="%d"><c r="A%d"><f/></c><c r="B%d"><f/></c></row>'
                    % (r, r, r) for r in range(1, marks.MAX_MARKS // 2 + 2))
    xml = f'<worksheet xmlns="{SHEET_NS}"><sheetData>'.encode() + body + \
        b"</sheetData></worksheet>"
    with pytest.raises(FileRefused) as refused:
        marks.xlsx_marks(xml, frozenset(), False, True)
    assert refused.value.code == "tep-qua-lon-o"


# ======================================================================================
# .ods
# ======================================================================================


def content(rows: str, name: str = "Tự đánh giá") -> bytes:
    return (f'<office:document-content><office:body><office:spreadsheet><table:table'
            f' table:name="{name}">{rows}</table:table></office:spreadsheet></office:body>'
            "</office:document-content>").encode()


def test_ods_marks_follow_repeated_rows_and_cells():
    rows = (
        '<table:table-row table:number-rows-repeated="2"><table:table-cell/>'
        '<table:table-cell office:value-type="percentage" office:value="0.5"'
        ' table:number-columns-repeated="2"/></table:table-row>'
        '<table:table-row><table:covered-table-cell table:number-columns-repeated="3"/>'
        '<table:table-cell table:formula="of:=1+1"><text:p/></table:table-cell>'
        '<table:table-cell table:formula="of:=1+1" office:value-type="float"'
        ' office:value="2"/>'
        '<table:table-cell table:formula="of:=&quot;a&quot;" office:value-type="string"'
        ' office:string-value="a"/>'
        '<table:table-cell table:formula="of:=1" office:value-type="percentage"/>'
        "</table:table-row>"
    )
    found = marks.ods_marks(content(rows))
    percent, uncached = found["Tự đánh giá"]
    # Rows 0 and 1, columns 1 and 2; then row 2: three covered cells, a formula without
    # a value at column 3, computed ones at 4 and 5, a percentage without its value at 6.
    assert percent == {(0, 1), (0, 2), (1, 1), (1, 2)}
    assert uncached == {(2, 3), (2, 6)}


def test_ods_repeated_formulas_are_refused_before_they_are_indexed():
    rows = ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell'
            ' table:formula="of:=1" table:number-columns-repeated="10"/></table:table-row>')
    start = time.perf_counter()
    with pytest.raises(FileRefused):
        marks.ods_marks(content(rows))
    assert time.perf_counter() - start < 1


def test_ods_without_formulas_or_percentages_is_not_scanned():
    assert marks.ods_marks(content("<table:table-row><table:table-cell/></table:table-row>")) \
        == {}


# ======================================================================================
# .xls
# ======================================================================================


def sheet_stream(records: bytes) -> bytes:
    bof = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 6))
    return bof + records + _record(0x000A)


def formula(r: int, c: int, result: bytes) -> bytes:
    return _record(0x0006, struct.pack("<HHH", r, c, 15) + result
                   + struct.pack("<HIH", 0, 0, 3) + b"\x1e\x01\x00")


TEXT_RESULT = bytes([0, 0, 0, 0, 0, 0, 0xFF, 0xFF])
EMPTY_RESULT = bytes([3, 0, 0, 0, 0, 0, 0xFF, 0xFF])


def test_biff_cells_and_results():
    percent_xf = 16
    records = (
        _record(0x0203, struct.pack("<HHHd", 0, 0, percent_xf, 0.5))  # NUMBER, percent
        + _record(0x027E, struct.pack("<HHHI", 0, 1, 15, 0))  # RK, plain
        # MULRK at row 1 from column 2: percent, plain, percent.
        + _record(0x00BD, struct.pack("<HH", 1, 2) + struct.pack("<HI", 16, 0)
                  + struct.pack("<HI", 15, 0) + struct.pack("<HI", 16, 0)
                  + struct.pack("<H", 4))
        + formula(2, 0, EMPTY_RESULT)  # the empty text: no value (xlwt)
        + formula(2, 1, TEXT_RESULT) + _record(0x0207, t._unicode("a"))  # text, given
        + formula(2, 2, TEXT_RESULT) + _record(0x04BC, b"\0" * 10)  # shared, then its text
        + _record(0x0207, t._unicode("b"))
        + formula(2, 3, TEXT_RESULT)  # text announced, never given
        + _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0020, 0, 0, 0, 6))  # a chart…
        + _record(0x0203, struct.pack("<HHHd", 9, 9, percent_xf, 0.5))  # …its cells
        + _record(0x000A)
        + formula(3, 0, struct.pack("<d", 0.25)).replace(struct.pack("<HHH", 3, 0, 15),
                                                          struct.pack("<HHH", 3, 0, 16))
    )
    percent, uncached = biff._sheet_marks(sheet_stream(records), 0, frozenset({percent_xf}))
    assert percent == {(0, 0), (1, 2), (1, 4), (3, 0)}
    assert uncached == {(2, 0), (2, 3)}


def test_xls_book_marks_by_sheet():
    data = t.xls_book([("Một", [[t.Percent(0.5), 1.0, "chữ"]]),
                       ("Hai", [["x", t.Formula()], [t.Formula(result=2.0)]])],
                      custom_percent="0.0%")
    found = biff.by_name(biff.xls_marks(data), ["Một", "Hai"])
    assert found == {"Một": ({(0, 0)}, frozenset()), "Hai": (frozenset(), {(0, 1)})}


def test_xls_names_read_otherwise_are_matched_by_position():
    found = [("Sheet", frozenset({(0, 0)}), frozenset())]
    assert biff.by_name(found, ["Trang tính"]) == {"Trang tính": ({(0, 0)}, frozenset())}
    assert biff.by_name(found, ["A", "B"]) == {}


@pytest.mark.parametrize("cut", [600, 1100, 3000])
def test_broken_xls_structure_is_a_refusal(cut):
    data = t.xls_book([("Một", [[1.0] * 50] * 40)])
    with pytest.raises(biff.BiffError) as refused:
        biff.xls_marks(data[:cut])
    assert refused.value.code == "tep-hong"
