"""The convenience formulas written into forms agree with the points cchc computes.

Real self-assessment forms are written with random values (hypothesis) for a criteria
set using every rule type and the constructs of SPEC §13.1. Each form's formulas are then
evaluated by a spreadsheet engine — LibreOffice headless, recalculating on load, when it
is installed, and always by the small evaluator of ``tests/excel_formula.py`` — and the
values and points it shows are compared with what cchc reads and scores from the same
form. A unit filling the form must see, live, the points cchc will give.
"""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_cli.formspec import Entered
from cchc_cli.readers.forms import ReadContext, SelfForm, read_input
from cchc_cli.readers.register import Unit
from cchc_cli.rules import FormulaRule, RelativeRule
from tests.builders import Sandbox
from tests.conftest import dedent
from tests.excel_formula import sheet_cells

FORMULA_SET = dedent(
    """
    id: so-nganh-2023
    title: Thử công thức
    block: so-nganh
    year: 2023
    scale: 17
    items:
      - code: "1"
        name: Số liệu tính từ các số đếm
        items:
          - code: "1.1"
            name: Tỷ lệ đúng hạn
            max: 2
            rule:
              type: tiers
              inputs:
                - {key: a, label: Đúng hạn, integer: true}
                - {key: b, label: Tổng, integer: true}
              value: "a / b * 100"
              when_zero: na
              tiers: [{above: 95, points: 2}, {min: 80, points: 1}, {min: 50, points: 0.5}]
          - code: "1.2"
            name: Tỷ lệ thanh toán
            max: 2
            rule:
              type: tiers
              inputs: [{key: a, label: Có thanh toán}, {key: b, label: Tổng}]
              value: "a / b * 100"
              when_zero: full
              tiers: [{min: 70, points: 2}, {above: 33.3, points: 1}]
          - code: "1.3"
            name: Tỷ lệ có điều kiện
            max: 2
            rule:
              type: ratio
              inputs: [{key: a, label: A}, {key: b, label: B}]
              value: "min(a, b) / b * 100"
              when_zero: zero
              target: 90
              zero_below: 50
          - code: "1.4"
            name: Công thức
            max: 2
            rule:
              type: formula
              inputs:
                - {key: a, label: Tổng, integer: true}
                - {key: b, label: Toàn trình, integer: true}
                - {key: c, label: Một phần, integer: true}
              points: "if(a > 0 and not (b > a or c > a), min(1.5, (b / a) * 1 + (c / a) * 0.5), 0)"
              when_zero: zero
          - code: "1.5"
            name: Trừ theo số lần
            max: 1
            floor: -1
            rule:
              type: formula
              inputs: [{key: late, label: Số lần chậm, integer: true}]
              points: "max(-1, 1 - 0.25 * late)"
          - code: "1.6"
            name: So với khối
            max: 2
            rule:
              type: relative
              inputs: [{key: d, label: Đã giải ngân}, {key: p, label: Kế hoạch}]
              value: "d / p * 100"
              when_zero: na
      - code: "2"
        name: Một ô số liệu
        items:
          - code: "2.1"
            name: Bậc
            max: 2
            rule: {type: tiers, tiers: [{above: 90, points: 2}, {min: 70, points: 1}]}
          - code: "2.2"
            name: Tỷ lệ
            max: 3
            rule: {type: ratio, target: 80, zero_below: 20}
          - code: "2.3"
            name: Lựa chọn
            max: 1
            floor: -1
            rule:
              type: choice
              options:
                - {label: Có, points: 1}
                - {label: Chậm, points: 0.5}
                - {label: Không, points: -1}
          - code: "2.4"
            name: Thưởng
            max: 2
            rule: {type: bonus, options: [{label: Xuất sắc, points: 2}, {label: Tốt, points: 1.5}]}
    """
)

LIBREOFFICE = shutil.which("soffice")


def _counts(maximum: int = 400) -> st.SearchStrategy[D]:
    return st.integers(0, maximum).map(D)


def _amounts() -> st.SearchStrategy[D]:
    return st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False,
                       allow_infinity=False)


@st.composite
def filled(draw: Any) -> dict[str, Entered]:
    """One unit's random self-assessment of FORMULA_SET (zeros included, to divide by)."""
    b = draw(_counts())
    return {
        "1.1": Entered(inputs={"a": draw(st.integers(0, int(b)).map(D)), "b": b}),
        "1.2": Entered(inputs={"a": draw(_amounts()), "b": draw(_amounts() | st.just(D(0)))}),
        "1.3": Entered(inputs={"a": draw(_amounts()), "b": draw(_amounts())}),
        "1.4": Entered(inputs={"a": draw(_counts(60)), "b": draw(_counts(60)),
                               "c": draw(_counts(60))}),
        "1.5": Entered(inputs={"late": draw(_counts(12))}),
        "1.6": Entered(inputs={"d": draw(_amounts()), "p": draw(_amounts())}),
        "2.1": Entered(data=draw(st.sampled_from([D(90), D("90.01"), D(70), D("69.99")])
                                 | _amounts())),
        "2.2": Entered(data=draw(_amounts())),
        "2.3": Entered(choice=draw(st.sampled_from(["Có", "Chậm", "Không", None]))),
        "2.4": Entered(choice=draw(st.sampled_from(["Xuất sắc", "Tốt", None]))),
    }


def _formulas(path: Path) -> tuple[dict[str, list[list[Any]]], dict[tuple[str, int, int], str]]:
    """Every sheet's constant values and formulas, as a person's spreadsheet holds them."""
    book = openpyxl.load_workbook(path)
    values: dict[str, list[list[Any]]] = {}
    formulas: dict[tuple[str, int, int], str] = {}
    for sheet in book.worksheets:
        rows = []
        for r, row in enumerate(sheet.iter_rows()):
            cells = []
            for c, cell in enumerate(row):
                value = cell.value
                if isinstance(value, str) and value.startswith("="):
                    formulas[(sheet.title, r, c)] = value
                    value = None
                elif isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                cells.append(value)
            rows.append(cells)
        values[sheet.title] = rows
    return values, formulas


def _expected(box: Sandbox, path: Path) -> dict[str, tuple[Any, Any]]:
    """(value, points) of every leaf, as cchc reads and scores the form: None where the
    form shows nothing ("" in the spreadsheet)."""
    criteria = box.criteria()
    context = ReadContext(year=2023, sets={"so-nganh": criteria},
                          units={"STP": ("so-nganh", "Sở Tư pháp")}, appraisers={})
    result = read_input(path, "form.xlsx", context)
    assert isinstance(result.form, SelfForm), [i.message for i in result.issues]
    expected: dict[str, tuple[Any, Any]] = {}
    for leaf in criteria.leaves:
        entry = result.form.entries[leaf.code]
        rule = leaf.rule
        if rule.inputs:
            values = entry.values
            outcome = rule.evaluate(values) if values is not None else None
            if outcome is None:
                expected[leaf.code] = (None, None)
                continue
            value: Any = outcome.value
            if outcome.zero:
                value = "zero"
            points = None if isinstance(rule, RelativeRule) else outcome.points
            if outcome.na or outcome.error:
                points = None
            expected[leaf.code] = (None if isinstance(rule, FormulaRule) else value, points)
        else:
            expected[leaf.code] = (None, entry.points)
    return expected


def _close(shown: Any, exact: Any) -> bool:
    if exact is None:
        return shown in (None, "")
    if exact == "zero":
        return isinstance(shown, str) and shown in ("chia cho 0", "không phát sinh")
    if not isinstance(shown, float):
        return False
    return abs(Fraction(shown) - Fraction(exact)) <= Fraction(1, 10**8)


def _check(box: Sandbox, path: Path, shown: dict[str, tuple[Any, Any]]) -> None:
    expected = _expected(box, path)
    for code, (value, points) in expected.items():
        got_value, got_points = shown[code]
        assert _close(got_points, points), (code, got_points, points, shown[code])
        if value is not None or code.startswith("1."):
            assert _close(got_value, value), (code, got_value, value)


def _shown_by_evaluator(box: Sandbox, path: Path) -> dict[str, tuple[Any, Any]]:
    values, formulas = _formulas(path)
    read = sheet_cells(values, "Tự đánh giá", formulas)
    rows = {cells[0]: r for r, cells in enumerate(values["Tự đánh giá"]) if cells}
    shown = {}
    for leaf in box.criteria().leaves:
        r = rows[leaf.code]
        shown[leaf.code] = (read(None, r, 4) if leaf.rule.inputs else None, read(None, r, 6))
    return shown


@pytest.fixture(scope="module")
def module_box(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return Sandbox(tmp_path_factory.mktemp("formulas") / "ws",
                   units=[Unit("STP", "Sở Tư pháp", "so-nganh")], criteria_text=FORMULA_SET)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=filled())
def test_form_formulas_agree_with_cchc(module_box: Sandbox, values: dict[str, Entered]):
    path = module_box.self_form("STP", values, name="tu-danh-gia-STP.xlsx")
    _check(module_box, path, _shown_by_evaluator(module_box, path))


def _drop_cached_results(path: Path) -> None:
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = re.sub(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1", data)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _recalculated_by_libreoffice(paths: list[Path], out: Path, profile: Path) -> list[Path]:
    """Let LibreOffice open each form, recalculate every formula, and save a copy."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>'
        '</oor:items>\n', encoding="utf-8")
    subprocess.run([LIBREOFFICE or "soffice", f"-env:UserInstallation={profile.as_uri()}",
                    "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out),
                    *map(str, paths)], check=True, capture_output=True, timeout=240)
    return [out / p.name for p in paths]


@pytest.mark.libreoffice
@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed")
@settings(max_examples=1, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(samples=st.lists(filled(), min_size=20, max_size=20))
def test_libreoffice_recalculates_the_same_points(tmp_path: Path,
                                                   samples: list[dict[str, Entered]]):
    from python_calamine import CalamineWorkbook

    box = Sandbox(tmp_path / "ws", units=[Unit("STP", "Sở Tư pháp", "so-nganh")],
                  criteria_text=FORMULA_SET)
    paths = [box.self_form("STP", values, name=f"form-{i:02d}-STP.xlsx")
             for i, values in enumerate(samples)]
    # The writer caches cchc's own results in the formula cells: drop them, so that what
    # is compared below can only come from LibreOffice's recalculation.
    for path in paths:
        _drop_cached_results(path)
    recalculated = _recalculated_by_libreoffice(paths, tmp_path / "lo", tmp_path / "profile")
    for source, done in zip(paths, recalculated, strict=True):
        rows = CalamineWorkbook.from_path(str(done)).get_sheet_by_name("Tự đánh giá") \
            .to_python()
        index = {str(cells[0]): r for r, cells in enumerate(rows) if cells}
        shown = {}
        for leaf in box.criteria().leaves:
            row = rows[index[leaf.code]]
            value = row[4] if leaf.rule.inputs else None
            shown[leaf.code] = (value if value != "" else None,
                                row[6] if row[6] != "" else None)
        _check(box, source, shown)
