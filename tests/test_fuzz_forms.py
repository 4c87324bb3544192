"""Fuzzing the form reader: any cell of a valid form changed to anything.

The reader must either return the right values or issues that say where (file, sheet,
cell) — never raise. Examples are bounded so CI stays quick; raise
``CCHC_FUZZ_EXAMPLES`` locally for a longer run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell

from cchc_cli.readers.forms import ReadContext, read_input
from cchc_cli.settings import Settings
from tests.builders import SELF_ROWS, Sandbox

EXAMPLES = int(os.environ.get("CCHC_FUZZ_EXAMPLES", "40"))
ADDRESS = re.compile(r"^[A-Z]{1,3}[1-9]\d{0,6}$")
ROWS = range(1, 20)  # title, header, every node row and the total
COLUMNS = "ABCDEFGHIJK"  # the ten columns and one beyond

hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(float),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.text(max_size=60),
    st.text(alphabet="0123456789,.-% xX", max_size=12),
    st.sampled_from(["x", "X", " x ", "Ban hành chậm", "BAN HÀNH  CHẬM", "=1/0", "=A1",
                     "#REF!", "1,5", "1.5", "1.234,5", "-0", "NaN", "inf", "9" * 40,
                     "Ca\u0309i ca\u0301ch", "😀", "Mã tiêu chí", "1.10", "1.1",
                     "Tự đánh giá", "\u00a0", "\t\n"]),
)

_BASE: dict[str, object] = {}


def base(tmp_path_factory) -> tuple[Path, ReadContext]:
    """One valid STP form and its reading context, made once for every example."""
    if "form" not in _BASE:
        box = Sandbox(tmp_path_factory.mktemp("fuzz") / "ws")
        _BASE["form"] = box.self_form("STP")
        _BASE["context"] = ReadContext(
            year=2023, sets={"so-nganh": box.criteria()},
            units={u.code: (u.block, u.name) for u in box.units},
            appraisers=dict(Settings().appraisers))
    return _BASE["form"], _BASE["context"]  # type: ignore[return-value]


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(COLUMNS), st.sampled_from(ROWS), hostile_values),
                min_size=1, max_size=4))
def test_any_cell_changed_to_anything(tmp_path_factory, changes):
    original, ctx = base(tmp_path_factory)
    path = tmp_path_factory.mktemp("case") / "tu-danh-gia-STP.xlsx"
    shutil.copy(original, path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Tự đánh giá"]
    for column, row, value in changes:
        cell = sheet[f"{column}{row}"]
        if isinstance(cell, MergedCell):
            continue  # covered by a merged title: not a cell anyone can type in
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # what Excel would refuse
        cell.value = value
    workbook.save(path)

    result = read_input(path, "data/2023/tu-danh-gia/tu-danh-gia-STP.xlsx", ctx)

    for found in result.issues:
        assert found.file == "data/2023/tu-danh-gia/tu-danh-gia-STP.xlsx"
        assert found.message
        if found.cell is not None:
            assert ADDRESS.match(found.cell), found
    form = result.form
    if form is None:
        assert any(i.is_error or i.code == "tep-khong-nhan-dang" for i in result.issues)
        return
    touched = {(c, r) for c, r, _ in changes}
    for code, entry in form.entries.items():
        if entry.cell is not None:
            assert ADDRESS.match(entry.cell)
        # Rows nobody touched read back exactly as the valid form had them.
        row = SELF_ROWS[code]
        if not any(r == row for _, r in touched) and not any(c == "A" for c, _ in touched):
            assert not entry.bad
            assert entry.value == EXPECTED[code]


EXPECTED = {
    "1.1": "Ban hành đúng thời hạn",
    "1.2": Decimal("2.75"),
    "1.10": Decimal("91.5"),
    "2.1": Decimal("80"),
    "2.2": None,
    "2.3": None,
}
