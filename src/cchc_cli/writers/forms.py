"""The forms of SPEC §7, written with xlsxwriter: self-assessment, appraisal, survey.

Each form is pleasant to fill in Excel and LibreOffice (title with unit and year,
instructions, widths, wrapped text, frozen header, A4 landscape), guards the person
filling it (locked structure, one open input cell per leaf with a drop-down or a
number check) and carries a hidden ``_cchc`` sheet saying what it is. Computed points
are formulas *with cached values*, so every reader sees them — but cchc itself always
recomputes from the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli import __version__
from cchc_cli.criteria import BONUS, PENALTY, SURVEY, CriteriaSet, Group, Leaf
from cchc_cli.formspec import (
    APPRAISAL_HEADERS,
    APPRAISAL_SHEET,
    KIND_APPRAISAL,
    KIND_SELF,
    KIND_SURVEY,
    META_SHEET,
    NA_MARK,
    SELF_HEADERS,
    SELF_SHEET,
    SURVEY_HEADERS,
    SURVEY_SHEET,
    Entered,
)
from cchc_cli.numbers import ZERO, Exact, exact_sum, plain, vi
from cchc_cli.readers.register import Unit
from cchc_cli.rules import (
    INPUT_CHOICE,
    INPUT_DATA,
    INPUT_SCORE,
    Cells,
    NumericRule,
    Outcome,
    Rule,
)
from cchc_cli.rules.numeric import ZERO_TEXT
from cchc_cli.settings import Settings
from cchc_cli.writers.atomic import atomic_path
from cchc_cli.writers.xlsx import Styles, a4_landscape, fit_height, new_workbook, write_value

INPUT_FILL = "#FFF7D6"  # pale yellow: "type here"
GREY_FILL = "#D9D9D9"  # survey rows: not self-assessed
SURVEY_ROW_NOTE = "theo kết quả khảo sát"  # in a survey row's data cell
AREA_FILL = "#E2EFDA"

INSTRUCTIONS_SELF = (
    "Hướng dẫn: chỉ nhập vào các ô nền vàng nhạt. Tiêu chí chấm theo lựa chọn: chọn ở cột"
    " 'Lựa chọn'; chấm theo số liệu: nhập ở cột 'Số liệu'; tự chấm, điểm thưởng, điểm trừ:"
    " nhập ở cột 'Điểm tự chấm'. Chỉ đánh dấu x ở cột 'Không áp dụng' với tiêu chí được"
    " phép. Ghi rõ tài liệu kiểm chứng (số, ngày văn bản) cho mỗi tiêu chí có điểm. Điểm"
    " tự chấm của tiêu chí theo lựa chọn hoặc số liệu được tính sẵn để tham khảo; kết quả"
    " chính thức do cchc tính lại từ dữ liệu nhập."
)
INSTRUCTIONS_APPRAISAL = (
    "Hướng dẫn: các cột thẩm định đã điền sẵn kết quả tự đánh giá của đơn vị. Chỉ sửa ô nền"
    " vàng nhạt ở dòng không đồng ý, và ghi lý do ở cột 'Nhận xét'. Để bác bỏ việc đơn vị"
    " đánh dấu không áp dụng: xóa x ở cột 'Không áp dụng (thẩm định)' rồi nhập giá trị."
    " Dòng để trống cả bốn cột thẩm định được coi là chưa thẩm định."
)
INSTRUCTIONS_SURVEY = (
    "Hướng dẫn: nhập tỷ lệ phần trăm từ 0 đến 100 (ví dụ 91,17) cho từng đơn vị và từng"
    " chỉ số khảo sát; nhập x nếu không áp dụng (chỉ với chỉ số cho phép). Ô nền xám không"
    " thuộc bộ tiêu chí của khối đơn vị."
)


@dataclass(frozen=True)
class FormContext:
    settings: Settings
    year: int


def entered_outcome(leaf: Leaf, entered: Entered | None) -> Outcome | None:
    """What a filled form shows for a leaf — its value and points, computed by the leaf's
    own rule — or None when there is nothing to compute."""
    if entered is None or entered.na:
        return None
    rule = leaf.rule
    if rule.inputs:
        given = entered.inputs or {}
        values = {spec.key: given.get(spec.key) for spec in rule.inputs}
        if any(v is None for v in values.values()):
            return None
        return rule.evaluate(values)
    value: Any = {INPUT_DATA: entered.data, INPUT_CHOICE: entered.choice,
                  INPUT_SCORE: entered.score}.get(rule.reads)
    if value is None:
        return None
    if isinstance(value, str):
        value = rule.find_option(value)
        if value is None:
            return None
    return rule.evaluate(value)


def entered_points(leaf: Leaf, entered: Entered | None) -> Exact | None:
    """The points a filled form shows for a leaf (None when not computable)."""
    outcome = entered_outcome(leaf, entered)
    return None if outcome is None else outcome.points


def _cached(value: Exact | None) -> Any:
    return "" if value is None else float(value)


def _cached_value(outcome: Outcome | None, rule: Rule) -> Any:
    """The cached result of a leaf row's computed-value formula."""
    if outcome is None:
        return ""
    if outcome.zero:
        return ZERO_TEXT[rule.when_zero] if isinstance(rule, NumericRule) else ""
    return _cached(outcome.value)


def _write_meta(workbook: Any, meta: Mapping[str, Any]) -> None:
    sheet = workbook.add_worksheet(META_SHEET)
    sheet.write_string(0, 0, "key")
    sheet.write_string(0, 1, "value")
    for r, (key, value) in enumerate(meta.items(), start=1):
        sheet.write_string(r, 0, key)
        sheet.write_string(r, 1, "" if value is None else str(value))
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 70)
    sheet.hide()
    sheet.protect()


def _protect(sheet: Any) -> None:
    sheet.protect(
        "",
        {
            "format_cells": False,
            "format_columns": True,
            "format_rows": True,
            "insert_rows": False,
            "autofilter": True,
            "sort": False,
        },
    )


class _Looks:
    """The formats of one form workbook."""

    def __init__(self, workbook: Any) -> None:
        s = Styles(workbook, font_size=11)
        self.styles = s
        self.title = s.title()
        self.subtitle = s.get(align="center", italic=True, text_wrap=True)
        self.note = s.get(text_wrap=True, italic=True, font_size=11, valign="top")
        self.header = s.header()
        self.code = s.text(locked=True)
        self.text = s.text(locked=True)
        self.area_code = s.text(bold=True, bg_color=AREA_FILL)
        self.area_text = s.text(bold=True, bg_color=AREA_FILL)
        self.area_num = s.get(border=1, bold=True, bg_color=AREA_FILL, num_format="0.00")
        self.group_text = s.text(bold=True)
        self.group_num = s.get(border=1, bold=True, num_format="0.00")
        self.max = s.get(border=1, num_format="General", align="center")
        self.points = s.get(border=1, num_format="0.00")
        # A leaf's computed value (from its input rows): shown, not entered.
        self.value = s.get(border=1, num_format="0.00", italic=True)
        self.input_code = s.text(locked=True, italic=True, align="right")
        self.input_label = s.text(locked=True, italic=True, indent=1)
        self.input_text = s.text(locked=False, bg_color=INPUT_FILL)
        self.input_num = s.get(border=1, locked=False, bg_color=INPUT_FILL, num_format="General")
        self.input_center = s.get(border=1, locked=False, bg_color=INPUT_FILL, align="center")
        self.grey = s.get(border=1, bg_color=GREY_FILL, text_wrap=True, font_size=10)
        self.total_text = s.text(bold=True, bg_color="#DDEBF7")
        self.total_num = s.get(border=1, bold=True, bg_color="#DDEBF7", num_format="0.00")


class _Checks:
    """Data validations of a sheet, grouped: cells with the same rule share one
    ``<dataValidation>`` (a form repeats the same few rules on dozens of rows, and every
    byte of sheet XML is read again by everyone who opens the form)."""

    def __init__(self) -> None:
        self.groups: dict[tuple, list[tuple[int, int]]] = {}
        self.makers: dict[tuple, Any] = {}

    def add(self, key: tuple, row: int, col: int, make: Any) -> None:
        """``make(first_cell_ref)`` builds the options; relative references in custom
        formulas are written for the group's first cell and shift with the others."""
        self.groups.setdefault(key, []).append((row, col))
        self.makers.setdefault(key, make)

    def write(self, sheet: Any) -> None:
        for key, cells in self.groups.items():
            cells.sort()
            row, col = cells[0]
            options = dict(self.makers[key](f"{_col(col)}{row + 1}"))
            if len(cells) > 1:
                options["multi_range"] = " ".join(f"{_col(c)}{r + 1}" for r, c in cells)
            sheet.data_validation(row, col, row, col, options)


def _choice_validation(checks: _Checks, row: int, col: int, leaf: Leaf, lists: _Lists) -> None:
    labels, _ = lists.table_for(leaf)
    checks.add(("choice", col, labels), row, col, lambda _ref: {
        "validate": "list",
        "source": "=" + labels,
        "error_title": "Lựa chọn không hợp lệ",
        "error_message": "Hãy chọn một lựa chọn trong danh sách.",
    })


def _number_validation(checks: _Checks, row: int, col: int, top: Decimal | None,
                       step: Decimal | None = None, floor: Decimal = ZERO) -> None:
    if top is None:
        checks.add(("figure", col), row, col, lambda _ref: {
            "validate": "decimal", "criteria": ">=", "value": 0,
            "error_title": "Số liệu không hợp lệ",
            "error_message": "Nhập một số không âm.",
        })
        return
    message = f"Nhập điểm từ {vi(floor)} đến {vi(top)}"
    if step is not None:
        checks.add(("step", col, top, step, floor), row, col, lambda ref: {
            "validate": "custom",
            "value": f"=AND(ISNUMBER({ref}),{ref}>={plain(floor)},{ref}<={plain(top)},"
                     f"MOD(ROUND({ref}*10000,0),ROUND({plain(step)}*10000,0))=0)",
            "error_title": "Điểm không hợp lệ",
            "error_message": f"{message}, là bội số của {vi(step)}.",
        })
        return
    checks.add(("points", col, top, floor), row, col, lambda _ref: {
        "validate": "decimal", "criteria": "between", "minimum": float(floor),
        "maximum": float(top), "error_title": "Điểm không hợp lệ", "error_message": message + ".",
    })


def _na_validation(checks: _Checks, row: int, col: int) -> None:
    checks.add(("na", col), row, col, lambda _ref: {
        "validate": "list", "source": [NA_MARK],
        "error_title": "Không áp dụng",
        "error_message": "Chỉ nhập x (tiêu chí này được phép không áp dụng).",
    })


def _evidence_note(sheet: Any, row: int, col: int, leaf: Leaf) -> None:
    """What the evidence must be, as a note on the cell (shown on hover)."""
    if leaf.evidence:
        sheet.write_comment(row, col, f"Tài liệu kiểm chứng: {leaf.evidence}",
                            {"x_scale": 2.2, "y_scale": 1.4, "author": "cchc"})


def _col(index: int) -> str:
    from cchc_cli.cells import column_letter

    return column_letter(index)


class _Lists:
    """The hidden sheet ``_ds``: each choice rule's options (label, points) once.

    Drop-downs refer to the labels and the computed-points formulas look the points up
    (VLOOKUP), instead of repeating every label in every row's validation and formula.
    """

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.sheet: Any = None
        self.used = 0  # rows used: tables are stacked in columns A (label) and B (points)
        self.known: dict[tuple, tuple[str, str]] = {}

    def table_for(self, leaf: Leaf) -> tuple[str, str]:
        """(labels range, label-and-points range) of a choice leaf's options."""
        options = [(o.label, o.points) for o in leaf.rule.options]
        key = tuple(options)
        found = self.known.get(key)
        if found is not None:
            return found
        if self.sheet is None:
            self.sheet = self.workbook.add_worksheet("_ds")
            self.sheet.hide()
        sheet = self.sheet
        first = self.used
        for r, (label, score) in enumerate(options, start=first):
            sheet.write_string(r, 0, label)
            sheet.write_number(r, 1, float(score))
        self.used += len(options)
        top, bottom = first + 1, first + len(options)
        found = (f"'_ds'!$A${top}:$A${bottom}", f"'_ds'!$A${top}:$B${bottom}")
        self.known[key] = found
        return found


# --------------------------------------------------------------------------------------
# Self-assessment form (SPEC §7.1)
# --------------------------------------------------------------------------------------

SELF_COLUMNS = list(SELF_HEADERS)
_SELF_WIDTHS = {"code": 8, "name": 46, "max": 8, "rule": 34, "data": 9, "choice": 22,
                "score": 9, "na": 9, "evidence": 30, "explanation": 24}
SELF_HEADER_ROW = 5


def self_meta(unit: Unit, criteria: CriteriaSet, year: int) -> dict[str, Any]:
    return {
        "kind": KIND_SELF,
        "year": year,
        "block": unit.block,
        "unit": unit.code,
        "criteria_id": criteria.id,
        "criteria_fingerprint": criteria.fingerprint,
        "tool_version": __version__,
    }


def write_self_form(
    path: Path,
    *,
    unit: Unit,
    criteria: CriteriaSet,
    context: FormContext,
    values: Mapping[str, Entered] | None = None,
    with_meta: bool = True,
) -> None:
    """One unit's self-assessment workbook; ``values`` prefill it (examples, tests).

    ``with_meta=False`` leaves out the ``_cchc`` sheet, as when a unit copies its answers
    into a workbook of its own (the example province has one such file).
    """
    values = values or {}
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, font_size=11)
        looks = _Looks(workbook)
        lists = _Lists(workbook)
        sheet = workbook.add_worksheet(SELF_SHEET)
        if with_meta:
            _write_meta(workbook, self_meta(unit, criteria, context.year))
        _self_body(sheet, looks, lists, unit, criteria, context, values)
        workbook.close()


def _self_body(sheet: Any, looks: _Looks, lists: _Lists, unit: Unit, criteria: CriteriaSet,
               context: FormContext, values: Mapping[str, Entered]) -> None:
    checks = _Checks()
    col = {name: i for i, name in enumerate(SELF_COLUMNS)}
    last = len(SELF_COLUMNS) - 1
    settings = context.settings
    sheet.merge_range(0, 0, 0, last, "BIỂU TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH"
                      f" NĂM {context.year}", looks.title)
    sheet.merge_range(1, 0, 1, last, f"Đơn vị: {unit.name} (mã {unit.code}) — "
                      f"{settings.block_name(unit.block)}", looks.subtitle)
    source = f" — {criteria.source}" if criteria.source else ""
    sheet.merge_range(2, 0, 2, last, f"{criteria.title}{source}", looks.subtitle)
    sheet.merge_range(3, 0, 3, last, INSTRUCTIONS_SELF, looks.note)
    sheet.set_row(2, 30)
    sheet.set_row(3, 48)
    for name, c in col.items():
        sheet.write_string(SELF_HEADER_ROW, c, SELF_HEADERS[name], looks.header)
        sheet.set_column(c, c, _SELF_WIDTHS[name])
    sheet.set_row(SELF_HEADER_ROW, 32)

    # Each node is a row; a leaf's named inputs follow it, one row each (SPEC §13.1.8).
    row_of: dict[str, int] = {}
    r = SELF_HEADER_ROW + 1
    for _, node in criteria.walk():
        row_of[node.code] = r
        r += 1
        if isinstance(node, Leaf):
            for spec in node.rule.inputs:
                row_of[node.input_code(spec.key)] = r
                r += 1
    total_row = r

    outcomes: dict[str, Outcome | None] = {}
    computed: dict[str, Exact | None] = {}
    for leaf in criteria.leaves:
        outcome = outcomes[leaf.code] = entered_outcome(leaf, values.get(leaf.code))
        computed[leaf.code] = outcome.points if outcome is not None else None

    def ref(name: str, row: int) -> str:
        return f"{_col(col[name])}{row + 1}"

    for depth, node in criteria.walk():
        r = row_of[node.code]
        if isinstance(node, Group):
            is_area = depth == 0
            text_fmt = looks.area_text if is_area else looks.group_text
            num_fmt = looks.area_num if is_area else looks.group_num
            sheet.write_string(r, col["code"], node.code, looks.area_code if is_area else text_fmt)
            sheet.write_string(r, col["name"], node.name, text_fmt)
            fit_height(sheet, r, [(node.name, _SELF_WIDTHS["name"])])
            sheet.write_number(r, col["max"], float(node.max), num_fmt)
            scored = [c for c in node.leaves if criteria.leaf_of(c).counts_in_scale]
            refs = ",".join(ref("score", row_of[c]) for c in scored)
            cached = exact_sum(computed[c] or ZERO for c in scored
                               if criteria.leaf_of(c).kind != SURVEY)
            if refs:
                sheet.write_formula(r, col["score"], f"=SUM({refs})", num_fmt, float(cached))
            else:
                sheet.write_blank(r, col["score"], None, num_fmt)
            for name in ("rule", "data", "choice", "na", "evidence", "explanation"):
                sheet.write_blank(r, col[name], None, text_fmt)
            continue
        _self_leaf_row(sheet, looks, lists, checks, node, r, col, values.get(node.code),
                       outcomes[node.code], ref, row_of)
    checks.write(sheet)

    # Total: scored + bonus − penalty.
    scored = [leaf.code for leaf in criteria.leaves if leaf.kind not in (BONUS, PENALTY)]
    bonus = [leaf.code for leaf in criteria.leaves if leaf.kind == BONUS]
    penalty = [leaf.code for leaf in criteria.leaves if leaf.kind == PENALTY]
    formula = "=SUM(" + ",".join(ref("score", row_of[c]) for c in scored) + ")"
    if bonus:
        formula += "+SUM(" + ",".join(ref("score", row_of[c]) for c in bonus) + ")"
    if penalty:
        formula += "-SUM(" + ",".join(ref("score", row_of[c]) for c in penalty) + ")"

    def total(codes: list[str]) -> float:
        return float(exact_sum(computed[c] or ZERO for c in codes
                               if criteria.leaf_of(c).kind != SURVEY))

    shown_total = total(scored) + total(bonus) - total(penalty)
    sheet.write_string(total_row, col["code"], "", looks.total_text)
    sheet.write_string(total_row, col["name"], "TỔNG ĐIỂM TỰ CHẤM (chưa gồm điểm khảo sát)",
                       looks.total_text)
    sheet.write_number(total_row, col["max"], float(criteria.scale), looks.total_num)
    sheet.write_formula(total_row, col["score"], formula, looks.total_num, shown_total)
    for name in ("rule", "data", "choice", "na", "evidence", "explanation"):
        sheet.write_blank(total_row, col[name], None, looks.total_text)

    sheet.freeze_panes(SELF_HEADER_ROW + 1, 2)
    sheet.autofilter(SELF_HEADER_ROW, 0, total_row - 1, last)
    a4_landscape(sheet, repeat_rows=(SELF_HEADER_ROW, SELF_HEADER_ROW))
    _protect(sheet)


def _input_cells(sheet: Any, looks: _Looks, lists: _Lists, checks: _Checks, leaf: Leaf,
                 r: int, col: dict[str, int], values: Entered, outcome: Outcome | None,
                 ref: Any, input_refs: Mapping[str, str], *, na_open: bool) -> None:
    """The data, choice, points and N/A cells of a leaf row (self and appraisal forms):
    open and validated only where the leaf's rule reads them; computed points otherwise,
    as a formula with its cached value. A leaf with named inputs shows its computed value
    in the data cell (a formula over its input rows); its inputs are in their own rows."""
    rule = leaf.rule
    kind = rule.reads
    cells = Cells(data=ref("data", r), choice=ref("choice", r), na=ref("na", r),
                  inputs=input_refs,
                  table=lists.table_for(leaf)[1] if kind == INPUT_CHOICE else None)
    value_formula = rule.excel_value(cells)
    if value_formula is not None:
        sheet.write_formula(r, col["data"], value_formula, looks.value,
                            _cached_value(outcome, rule))
    elif kind == INPUT_DATA and not rule.inputs:
        write_value(sheet, r, col["data"], values.data, looks.input_num)
        _number_validation(checks, r, col["data"], None)
    else:
        sheet.write_blank(r, col["data"], None, looks.text)
    if kind == INPUT_CHOICE:
        write_value(sheet, r, col["choice"], values.choice, looks.input_text)
        _choice_validation(checks, r, col["choice"], leaf, lists)
    else:
        sheet.write_blank(r, col["choice"], None, looks.text)
    if kind == INPUT_SCORE:
        write_value(sheet, r, col["score"], values.score, looks.input_num)
        _number_validation(checks, r, col["score"], leaf.max, rule.step, leaf.floor)
    else:
        formula = rule.excel_points(cells)
        if formula is None:
            sheet.write_blank(r, col["score"], None, looks.points)
        else:
            points = outcome.points if outcome is not None else None
            sheet.write_formula(r, col["score"], formula, looks.points, _cached(points))
    if na_open:
        write_value(sheet, r, col["na"], NA_MARK if values.na else None, looks.input_center)
        _na_validation(checks, r, col["na"])
    else:
        sheet.write_blank(r, col["na"], None, looks.text)


def input_row_text(leaf: Leaf, key: str) -> tuple[str, str]:
    """(name, 'Cách chấm' text) of an input's row: its label, and what to enter."""
    spec = next(i for i in leaf.rule.inputs if i.key == key)
    unit = f" ({spec.unit})" if spec.unit else ""
    what = "Nhập số nguyên ≥ 0" if spec.integer else "Nhập số ≥ 0"
    return f"{spec.label}{unit}", f"{what}; số liệu '{key}' của tiêu chí {leaf.code}"


def _input_validation(checks: _Checks, row: int, col: int, integer: bool) -> None:
    if not integer:
        _number_validation(checks, row, col, None)
        return
    checks.add(("count", col), row, col, lambda _ref: {
        "validate": "integer", "criteria": ">=", "value": 0,
        "error_title": "Số liệu không hợp lệ",
        "error_message": "Nhập một số nguyên không âm (ví dụ số hồ sơ).",
    })


def _self_input_rows(sheet: Any, looks: _Looks, checks: _Checks, leaf: Leaf,
                     col: dict[str, int], row_of: Mapping[str, int], entered: Entered) -> None:
    given = entered.inputs or {}
    for spec in leaf.rule.inputs:
        r = row_of[leaf.input_code(spec.key)]
        name, how = input_row_text(leaf, spec.key)
        sheet.write_string(r, col["code"], leaf.input_code(spec.key), looks.input_code)
        sheet.write_string(r, col["name"], name, looks.input_label)
        sheet.write_blank(r, col["max"], None, looks.text)
        sheet.write_string(r, col["rule"], how, looks.text)
        write_value(sheet, r, col["data"], given.get(spec.key), looks.input_num)
        _input_validation(checks, r, col["data"], spec.integer)
        for name_ in ("choice", "score", "na", "evidence", "explanation"):
            sheet.write_blank(r, col[name_], None, looks.text)
        fit_height(sheet, r, [(name, _SELF_WIDTHS["name"]), (how, _SELF_WIDTHS["rule"])])


def _self_leaf_row(sheet: Any, looks: _Looks, lists: _Lists, checks: _Checks, leaf: Leaf,
                   r: int, col: dict[str, int], entered: Entered | None,
                   outcome: Outcome | None, ref: Any, row_of: Mapping[str, int]) -> None:
    entered = entered or Entered()
    method = leaf.method_text
    sheet.write_string(r, col["code"], leaf.code, looks.code)
    sheet.write_string(r, col["name"], leaf.name, looks.text)
    sheet.write_number(r, col["max"], float(leaf.max), looks.max)
    sheet.write_string(r, col["rule"], method, looks.text)
    if leaf.kind == SURVEY:
        for name in ("data", "choice", "score", "na"):
            sheet.write_blank(r, col[name], None, looks.grey)
        sheet.write_string(r, col["data"], SURVEY_ROW_NOTE, looks.grey)
        sheet.write_blank(r, col["evidence"], None, looks.grey)
        sheet.write_blank(r, col["explanation"], None, looks.grey)
        # Tall enough for its wrapped name, method and note, like every other row.
        fit_height(sheet, r, [(leaf.name, _SELF_WIDTHS["name"]), (method, _SELF_WIDTHS["rule"]),
                              (SURVEY_ROW_NOTE, _SELF_WIDTHS["data"])])
        return
    input_refs = {spec.key: ref("data", row_of[leaf.input_code(spec.key)])
                  for spec in leaf.rule.inputs}
    _input_cells(sheet, looks, lists, checks, leaf, r, col, entered, outcome, ref, input_refs,
                 na_open=leaf.na_allowed)
    write_value(sheet, r, col["evidence"], entered.evidence or None, looks.input_text)
    _evidence_note(sheet, r, col["evidence"], leaf)
    write_value(sheet, r, col["explanation"], entered.explanation or None, looks.input_text)
    fit_height(sheet, r, [
        (leaf.name, _SELF_WIDTHS["name"]), (method, _SELF_WIDTHS["rule"]),
        (entered.choice or "", _SELF_WIDTHS["choice"]),
        (entered.evidence, _SELF_WIDTHS["evidence"]),
        (entered.explanation, _SELF_WIDTHS["explanation"]),
    ])
    if leaf.rule.inputs:
        _self_input_rows(sheet, looks, checks, leaf, col, row_of, entered)


# --------------------------------------------------------------------------------------
# Appraisal form (SPEC §7.2)
# --------------------------------------------------------------------------------------

APPRAISAL_COLUMNS = list(APPRAISAL_HEADERS)
_APPRAISAL_WIDTHS = {"unit": 9, "unit_name": 20, "code": 8, "name": 34, "max": 7,
                     "rule": 26, "self_data": 9, "self_choice": 16, "self_score": 8,
                     "self_na": 10, "data": 9, "choice": 16, "score": 8, "na": 10,
                     "comment": 26}
APPRAISAL_HEADER_ROW = 4


@dataclass(frozen=True, slots=True)
class AppraisalLine:
    """One row of an appraisal form: a unit, a leaf, the unit's own inputs and the
    appraiser's (prefilled with the unit's own when the form is blank)."""

    unit: Unit
    leaf: Leaf
    own: Entered | None
    appraised: Entered | None


def multi_meta(sets: Iterable[CriteriaSet]) -> dict[str, str]:
    """criteria_id / criteria_fingerprint of a form that spans several blocks."""
    sets = list(sets)
    return {
        "block": ",".join(s.block for s in sets),
        "criteria_id": ",".join(s.id for s in sets),
        "criteria_fingerprint": ",".join(f"{s.block}:{s.fingerprint}" for s in sets),
    }


def write_appraisal_form(
    path: Path,
    *,
    appraiser: str,
    round_no: int,
    lines: list[AppraisalLine],
    sets: Iterable[CriteriaSet],
    context: FormContext,
) -> None:
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, font_size=11)
        looks = _Looks(workbook)
        lists = _Lists(workbook)
        sheet = workbook.add_worksheet(APPRAISAL_SHEET)
        meta = {"kind": KIND_APPRAISAL, "year": context.year, "appraiser": appraiser,
                "round": round_no, **multi_meta(sets), "tool_version": __version__}
        _write_meta(workbook, meta)
        _appraisal_body(sheet, looks, lists, appraiser, round_no, lines, context)
        workbook.close()


def _appraisal_body(sheet: Any, looks: _Looks, lists: _Lists, appraiser: str, round_no: int,
                    lines: list[AppraisalLine], context: FormContext) -> None:
    col = {name: i for i, name in enumerate(APPRAISAL_COLUMNS)}
    last = len(APPRAISAL_COLUMNS) - 1
    name = context.settings.appraisers.get(appraiser, appraiser)
    sheet.merge_range(0, 0, 0, last, "BIỂU THẨM ĐỊNH KẾT QUẢ TỰ ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH"
                      f" CHÍNH NĂM {context.year}", looks.title)
    sheet.merge_range(1, 0, 1, last, f"Cơ quan thẩm định: {name} (mã {appraiser}) — vòng"
                      f" {round_no}", looks.subtitle)
    sheet.merge_range(2, 0, 2, last, INSTRUCTIONS_APPRAISAL, looks.note)
    sheet.set_row(2, 36)
    for field, c in col.items():
        sheet.write_string(APPRAISAL_HEADER_ROW, c, APPRAISAL_HEADERS[field], looks.header)
        sheet.set_column(c, c, _APPRAISAL_WIDTHS[field])
    sheet.set_row(APPRAISAL_HEADER_ROW, 45)

    def ref(field: str, row: int) -> str:
        return f"{_col(col[field])}{row + 1}"

    checks = _Checks()
    r = APPRAISAL_HEADER_ROW
    for line in lines:
        r = _appraisal_line(sheet, looks, lists, checks, line, r + 1, col, ref)
    checks.write(sheet)
    sheet.freeze_panes(APPRAISAL_HEADER_ROW + 1, 3)
    sheet.autofilter(APPRAISAL_HEADER_ROW, 0, max(r, APPRAISAL_HEADER_ROW + 1), last)
    a4_landscape(sheet, repeat_rows=(APPRAISAL_HEADER_ROW, APPRAISAL_HEADER_ROW))
    _protect(sheet)


def _appraisal_line(sheet: Any, looks: _Looks, lists: _Lists, checks: _Checks,
                    line: AppraisalLine, r: int, col: dict[str, int], ref: Any) -> int:
    """One unit's leaf in an appraisal form: the leaf row, then one row per named input
    (SPEC §13.1.8); returns the last row written."""
    leaf, own = line.leaf, line.own or Entered()
    mine = line.appraised if line.appraised is not None else own
    method = leaf.method_text
    sheet.write_string(r, col["unit"], line.unit.code, looks.code)
    sheet.write_string(r, col["unit_name"], line.unit.name, looks.text)
    sheet.write_string(r, col["code"], leaf.code, looks.code)
    sheet.write_string(r, col["name"], leaf.name, looks.text)
    sheet.write_number(r, col["max"], float(leaf.max), looks.max)
    sheet.write_string(r, col["rule"], method, looks.text)
    own_outcome = entered_outcome(leaf, own)
    if leaf.rule.inputs:
        shown = own_outcome.value if own_outcome is not None else None
        write_value(sheet, r, col["self_data"], _cached(shown), looks.value)
    else:
        write_value(sheet, r, col["self_data"], own.data, looks.text)
    write_value(sheet, r, col["self_choice"], own.choice, looks.text)
    own_points = own.score if leaf.reads == INPUT_SCORE else (
        own_outcome.points if own_outcome is not None else None)
    write_value(sheet, r, col["self_score"], None if own.na else _cached(own_points),
                looks.points)
    write_value(sheet, r, col["self_na"], NA_MARK if own.na else None, looks.text)
    input_refs = {spec.key: ref("data", r + 1 + i) for i, spec in enumerate(leaf.rule.inputs)}
    # The N/A cell stays open where the unit claimed N/A, so the appraiser can confirm or
    # clear it.
    _input_cells(sheet, looks, lists, checks, leaf, r, col, mine, entered_outcome(leaf, mine),
                 ref, input_refs, na_open=leaf.na_allowed or mine.na)
    write_value(sheet, r, col["comment"], mine.comment or None, looks.input_text)
    fit_height(sheet, r, [
        (line.unit.name, _APPRAISAL_WIDTHS["unit_name"]),
        (leaf.name, _APPRAISAL_WIDTHS["name"]), (method, _APPRAISAL_WIDTHS["rule"]),
        (own.choice or "", _APPRAISAL_WIDTHS["self_choice"]),
        (mine.choice or "", _APPRAISAL_WIDTHS["choice"]),
        (mine.comment, _APPRAISAL_WIDTHS["comment"]),
    ])
    own_inputs, my_inputs = own.inputs or {}, mine.inputs or {}
    for spec in leaf.rule.inputs:
        r += 1
        name, how = input_row_text(leaf, spec.key)
        sheet.write_string(r, col["unit"], line.unit.code, looks.code)
        sheet.write_string(r, col["unit_name"], line.unit.name, looks.text)
        sheet.write_string(r, col["code"], leaf.input_code(spec.key), looks.input_code)
        sheet.write_string(r, col["name"], name, looks.input_label)
        sheet.write_blank(r, col["max"], None, looks.text)
        sheet.write_string(r, col["rule"], how, looks.text)
        write_value(sheet, r, col["self_data"], own_inputs.get(spec.key), looks.text)
        for field in ("self_choice", "self_score", "self_na", "choice", "score", "na",
                      "comment"):
            sheet.write_blank(r, col[field], None, looks.text)
        write_value(sheet, r, col["data"], my_inputs.get(spec.key), looks.input_num)
        _input_validation(checks, r, col["data"], spec.integer)
        fit_height(sheet, r, [(line.unit.name, _APPRAISAL_WIDTHS["unit_name"]),
                              (name, _APPRAISAL_WIDTHS["name"]),
                              (how, _APPRAISAL_WIDTHS["rule"])])
    return r


# --------------------------------------------------------------------------------------
# Survey form (SPEC §7.3)
# --------------------------------------------------------------------------------------

SURVEY_HEADER_ROW = 4


def survey_columns(sets: Iterable[CriteriaSet]) -> list[tuple[str, str]]:
    """(code, name) of every survey leaf, in order of first appearance across blocks."""
    seen: dict[str, str] = {}
    for criteria in sets:
        for leaf in criteria.leaves:
            if leaf.kind == SURVEY and leaf.code not in seen:
                seen[leaf.code] = leaf.name
    return list(seen.items())


def survey_header(code: str, name: str) -> str:
    """A survey column's header: the leaf's code, then its name on the next line (the
    reader takes the code from the first word)."""
    return f"{code}\n{name}"


def write_survey_form(
    path: Path,
    *,
    units: list[Unit],
    sets: Mapping[str, CriteriaSet],
    context: FormContext,
    values: Mapping[tuple[str, str], Decimal | str] | None = None,
) -> None:
    """A survey workbook; ``values[(unit, code)]`` is a % or ``"x"``.

    With one block's criteria set (what ``cchc template`` writes, one workbook per
    block): that block's survey leaves, each header carrying the code and the block's
    own name of the leaf, and ``_cchc`` naming the block — one code may mean different
    things in different blocks. With several sets: the single workbook of the first
    release, every unit against its own block (still read, and written by the example
    generator).
    """
    values = values or {}
    if len(sets) == 1:
        _write_block_survey(path, units=units, criteria=next(iter(sets.values())),
                            context=context, values=values)
        return
    columns = survey_columns(sets.values())
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, font_size=11)
        looks = _Looks(workbook)
        sheet = workbook.add_worksheet(SURVEY_SHEET)
        meta = {"kind": KIND_SURVEY, "year": context.year, **multi_meta(sets.values()),
                "tool_version": __version__}
        _write_meta(workbook, meta)
        last = 1 + len(columns)
        sheet.merge_range(0, 0, 0, last,
                          f"KẾT QUẢ KHẢO SÁT, ĐIỀU TRA XÃ HỘI HỌC NĂM {context.year}",
                          looks.title)
        sheet.merge_range(1, 0, 1, last, INSTRUCTIONS_SURVEY, looks.note)
        sheet.set_row(1, 36)
        sheet.write_string(3, 0, "", looks.text)
        sheet.write_string(3, 1, "Chỉ số khảo sát →", looks.group_text)
        for i, (_, name) in enumerate(columns):
            sheet.write_string(3, 2 + i, name, looks.note)
        sheet.set_row(3, 90)
        sheet.write_string(SURVEY_HEADER_ROW, 0, SURVEY_HEADERS["unit"], looks.header)
        sheet.write_string(SURVEY_HEADER_ROW, 1, SURVEY_HEADERS["unit_name"], looks.header)
        sheet.set_column(0, 0, 11)
        sheet.set_column(1, 1, 36)
        for i, (code, _) in enumerate(columns):
            sheet.write_string(SURVEY_HEADER_ROW, 2 + i, code, looks.header)
            sheet.set_column(2 + i, 2 + i, 16)
        checks = _Checks()
        r = SURVEY_HEADER_ROW
        for r, unit in enumerate(units, start=SURVEY_HEADER_ROW + 1):
            criteria = sets.get(unit.block)
            sheet.write_string(r, 0, unit.code, looks.code)
            sheet.write_string(r, 1, unit.name, looks.text)
            for i, (code, _) in enumerate(columns):
                c = 2 + i
                leaf = criteria.leaf(code) if criteria else None
                if leaf is None or leaf.kind != SURVEY or code in _na_codes(unit, criteria):
                    sheet.write_blank(r, c, None, looks.grey)
                    continue
                value = values.get((unit.code, code))
                write_value(sheet, r, c, value, looks.input_num)
                checks.add(("survey", c, leaf.na_allowed), r, c, _survey_check(leaf.na_allowed))
        _finish_survey_sheet(sheet, checks, r, last)
        workbook.close()


def _write_block_survey(path: Path, *, units: list[Unit], criteria: CriteriaSet,
                        context: FormContext,
                        values: Mapping[tuple[str, str], Decimal | str]) -> None:
    columns = survey_columns([criteria])
    name = context.settings.block_name(criteria.block)
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, font_size=11)
        looks = _Looks(workbook)
        sheet = workbook.add_worksheet(SURVEY_SHEET)
        _write_meta(workbook, {"kind": KIND_SURVEY, "year": context.year,
                               "block": criteria.block, "criteria_id": criteria.id,
                               "criteria_fingerprint": criteria.fingerprint,
                               "tool_version": __version__})
        last = 1 + len(columns)
        widths = [11.0, 34.0, *[22.0] * len(columns)]
        for c, width in enumerate(widths):
            sheet.set_column(c, c, width)
        sheet.merge_range(0, 0, 0, last, "KẾT QUẢ KHẢO SÁT, ĐIỀU TRA XÃ HỘI HỌC NĂM"
                          f" {context.year} — {name.upper()}", looks.title)
        sheet.set_row(0, 36)
        sheet.merge_range(1, 0, 1, last, INSTRUCTIONS_SURVEY_BLOCK, looks.note)
        sheet.set_row(1, 48)
        sheet.merge_range(3, 0, 3, last, f"Khối: {name} (mã {criteria.block}); bộ tiêu chí"
                          f" {criteria.id}", looks.subtitle)
        sheet.write_string(SURVEY_HEADER_ROW, 0, SURVEY_HEADERS["unit"], looks.header)
        sheet.write_string(SURVEY_HEADER_ROW, 1, SURVEY_HEADERS["unit_name"], looks.header)
        for i, (code, leaf_name) in enumerate(columns):
            sheet.write_string(SURVEY_HEADER_ROW, 2 + i, survey_header(code, leaf_name),
                               looks.header)
        fit_height(sheet, SURVEY_HEADER_ROW, [(survey_header(code, leaf_name), widths[2])
                                              for code, leaf_name in columns])
        checks = _Checks()
        r = SURVEY_HEADER_ROW
        for r, unit in enumerate(units, start=SURVEY_HEADER_ROW + 1):
            sheet.write_string(r, 0, unit.code, looks.code)
            sheet.write_string(r, 1, unit.name, looks.text)
            fit_height(sheet, r, [(unit.name, widths[1])])
            excluded = _na_codes(unit, criteria)
            for i, (code, _) in enumerate(columns):
                c = 2 + i
                leaf = criteria.leaf_of(code)
                if code in excluded:  # the register says not applicable
                    sheet.write_blank(r, c, None, looks.grey)
                    continue
                write_value(sheet, r, c, values.get((unit.code, code)), looks.input_num)
                checks.add(("survey", c, leaf.na_allowed), r, c,
                           _survey_check(leaf.na_allowed))
        _finish_survey_sheet(sheet, checks, r, last)
        workbook.close()


def _finish_survey_sheet(sheet: Any, checks: _Checks, last_row: int, last_col: int) -> None:
    """What both survey layouts end with: the input checks, frozen headers, a filter,
    the print setup and the protection of everything but the input cells."""
    checks.write(sheet)
    sheet.freeze_panes(SURVEY_HEADER_ROW + 1, 2)
    sheet.autofilter(SURVEY_HEADER_ROW, 0, max(last_row, SURVEY_HEADER_ROW + 1), last_col)
    a4_landscape(sheet, repeat_rows=(SURVEY_HEADER_ROW, SURVEY_HEADER_ROW))
    _protect(sheet)


INSTRUCTIONS_SURVEY_BLOCK = (
    "Hướng dẫn: nhập tỷ lệ phần trăm từ 0 đến 100 (ví dụ 91,17) cho từng đơn vị và từng"
    " chỉ số khảo sát của khối; nhập x nếu không áp dụng (chỉ với chỉ số cho phép). Mỗi"
    " khối có biểu khảo sát riêng vì cùng một mã chỉ số có thể có nội dung khác nhau ở"
    " các khối."
)


def _survey_check(na_allowed: bool) -> Any:
    def make(ref: str) -> dict[str, Any]:
        allowed_na = f',{ref}="{NA_MARK}"' if na_allowed else ""
        return {
            "validate": "custom",
            "value": f"=OR(AND(ISNUMBER({ref}),{ref}>=0,{ref}<=100){allowed_na})",
            "error_title": "Tỷ lệ không hợp lệ",
            "error_message": "Nhập tỷ lệ phần trăm từ 0 đến 100 (ví dụ 91,17)"
            + (" hoặc x" if na_allowed else "") + ".",
        }

    return make


def _na_codes(unit: Unit, criteria: CriteriaSet | None) -> set[str]:
    """Leaves the register marks not applicable for the unit (with their subtrees)."""
    if criteria is None:
        return set()
    found: set[str] = set()
    for code in unit.not_applicable:
        found.update(criteria.subtree(code))
    return found
