"""Reading returned forms (SPEC §7): self-assessments, appraisals, survey results.

:func:`read_input` opens one file, decides what it is (the hidden ``_cchc`` sheet, or
else the sheet name and the file name), reads the one sheet that matters in one pass and
returns a small plain record with every value's Excel address, plus the issues found in
that file alone. It never raises for bad input, and it runs in worker processes, so its
arguments and results are picklable and free of DataFrames.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.cells import address, header_key
from cchc_cli.criteria import SURVEY, CriteriaSet, Leaf
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
    SHEET_KINDS,
    SURVEY_HEADERS,
    SURVEY_SHEET,
)
from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import (
    Exact,
    NotANumber,
    exact_sub,
    from_float,
    parse_integer,
    parse_number,
    plain,
)
from cchc_cli.readers.marks import NONE, Cells
from cchc_cli.readers.register import pick_sheet
from cchc_cli.readers.tables import (
    Header,
    HeaderMissing,
    cell_text,
    find_header,
    percent_shown,
)
from cchc_cli.readers.workbook import Book, BookError, Sheet, open_book
from cchc_cli.rules import INPUT_CHOICE, INPUT_DATA, INPUT_SCORE

_EXTENSION_FORMAT = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}
_CODE_LIKE = re.compile(r"^\d+(\.\d+)*$")
_ROUND = re.compile(r"^\s*(\d{1,3})(?:[.,]0+)?\s*$")  # "2", "2.0" (a touched cell)
_ROUND_IN_NAME = re.compile(r"(?:v(?:ong|òng)?|lan|lần|round)[\s_-]*(\d{1,2})(?!\d)", re.I)
# A displayed formula result may differ from the exact points in the last digits only.
_SHOWN_TOLERANCE = Decimal("0.0005")


@dataclass(frozen=True)
class ReadContext:
    """What a reader needs to know about the year: criteria sets and the register."""

    year: int
    sets: dict[str, CriteriaSet]
    units: dict[str, tuple[str, str]]  # code → (block, name)
    appraisers: dict[str, str]
    broken_blocks: frozenset[str] = frozenset()
    # Keep the units' evidence texts and explanations (for ``cchc explain``); a national
    # run checks them in the readers and does not carry 700 000 strings further.
    keep_text: bool = False
    # Record which (unit, code) rows each appraisal form holds (for ``cchc status``).
    rows_present: bool = False


@dataclass(slots=True)
class InputValue:
    """One named input of a leaf (SPEC §13.1): its own row of a form, and its value."""

    key: str
    value: Decimal | None
    row: int = -1  # 0-based; -1: the form has no row for it
    col: int = -1
    bad: bool = False

    @property
    def cell(self) -> str | None:
        return address(self.row, self.col) if self.row >= 0 and self.col >= 0 else None

    def __reduce__(self) -> tuple[Any, ...]:
        return (InputValue, (self.key, self.value, self.row, self.col, self.bad))


@dataclass(slots=True)
class LeafEntry:
    """The inputs one form row (and, for named inputs, its input rows) gives for one
    leaf, with their cells.

    Cells are kept as 0-based row and column numbers and spelled as Excel addresses
    only when asked for (most are never shown).
    """

    code: str
    row: int  # 0-based
    value: Decimal | str | None  # number, or the option's own label (no named inputs)
    col: int = -1  # column of the value (the rule's input cell); -1: no such column
    na: bool = False
    na_col: int = -1
    bad: bool = False  # an error was reported for this row: do not report it again
    evidence: str = ""
    note: str = ""  # Giải trình (self) or Nhận xét (appraisal)
    # The points ``value`` earns by the leaf's rule, computed where the form is read (in
    # parallel) by the rule itself, so that scoring only adds up. Only for rules whose
    # points one row decides (``rule.per_row``); the others are scored after merging.
    points: Exact | None = None
    # The named inputs, in the rule's order; None for a leaf without named inputs.
    inputs: tuple[InputValue, ...] | None = None

    @property
    def cell(self) -> str | None:
        if self.col < 0 and self.inputs:
            return self.inputs[0].cell  # where a leaf with named inputs is entered
        return address(self.row, self.col) if self.col >= 0 else None

    @property
    def na_cell(self) -> str | None:
        return address(self.row, self.na_col) if self.na_col >= 0 else None

    @property
    def values(self) -> dict[str, Decimal] | None:
        """The named inputs as key → value when every one is filled, else None."""
        if self.inputs is None:
            return None
        found: dict[str, Decimal] = {}
        for item in self.inputs:
            if item.value is None:
                return None
            found[item.key] = item.value
        return found

    @property
    def empty(self) -> bool:
        """Nothing entered: no value (or no input at all) and no N/A mark."""
        if self.na:
            return False
        if self.inputs is not None:
            return all(item.value is None for item in self.inputs)
        return self.value is None

    def __reduce__(self) -> tuple[Any, ...]:
        # Workers send thousands of these back: a plain tuple pickles 3× faster.
        return (LeafEntry, (self.code, self.row, self.value, self.col, self.na,
                            self.na_col, self.bad, self.evidence, self.note, self.points,
                            self.inputs))


def entry_for(leaf: Leaf, value: Decimal | str | None, *, row: int = 0, col: int = 6,
              na: bool = False, na_col: int = 7,
              inputs: Mapping[str, Decimal | None] | None = None) -> LeafEntry:
    """An entry made the way the readers make it — the rule computes its points — for
    code that builds inputs without a workbook (examples, tests)."""
    entry = LeafEntry(leaf.code, row, value, col, na, na_col)
    if leaf.rule.inputs:
        given = inputs or {}
        entry.inputs = tuple(InputValue(spec.key, given.get(spec.key), row + 1 + i, col)
                             for i, spec in enumerate(leaf.rule.inputs))
        entry.value = None
    elif value is not None and not na and leaf.rule.per_row:
        entry.points = leaf.rule.evaluate(value).points
    return entry


@dataclass(slots=True)
class SelfForm:
    file: str
    sheet: str
    unit: str
    block: str
    entries: dict[str, LeafEntry]


@dataclass(slots=True)
class AppraisalRow:
    unit: str
    entry: LeafEntry

    def __reduce__(self) -> tuple:
        return (AppraisalRow, (self.unit, self.entry))


@dataclass(slots=True)
class AppraisalForm:
    file: str
    sheet: str
    appraiser: str
    round: int
    rows: list[AppraisalRow]
    # Every (unit, code) that has a row in the sheet, whatever its appraisal cells hold:
    # ``cchc status`` counts an appraiser's assigned rows present in its file.
    present: frozenset[tuple[str, str]] = frozenset()


@dataclass(slots=True)
class SurveyValue:
    unit: str
    code: str
    value: Decimal | None
    na: bool
    cell: str

    def __reduce__(self) -> tuple:
        return (SurveyValue, (self.unit, self.code, self.value, self.na, self.cell))


@dataclass(slots=True)
class SurveyForm:
    file: str
    sheet: str
    values: list[SurveyValue]


Form = SelfForm | AppraisalForm | SurveyForm


@dataclass(slots=True)
class ReadResult:
    file: str
    sha256: str | None = None
    kind: str | None = None
    form: Form | None = None
    issues: list[Issue] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def read_input(path: Path, rel: str, ctx: ReadContext) -> ReadResult:
    """Read one returned form; every problem becomes an issue, never an exception."""
    result = ReadResult(file=rel)
    try:
        book = open_book(path)
    except BookError as exc:
        result.issues.append(issue(exc.code, file=rel, **exc.params))
        return result
    result.sha256 = book.sha256
    expected = _EXTENSION_FORMAT.get(path.suffix.lower())
    if expected and expected != book.format:
        result.issues.append(
            issue("phan-mo-rong-sai", file=rel, ext=path.suffix, real=book.format.upper())
        )
    try:
        _dispatch(book, path, rel, ctx, result)
    except BookError as exc:
        result.issues.append(issue(exc.code, file=rel, **exc.params))
        result.form = None
    return result


def _dispatch(book: Book, path: Path, rel: str, ctx: ReadContext, result: ReadResult) -> None:
    meta = read_meta(book, rel, result.issues)
    kind = meta.get("kind") if meta else None
    sheet_name: str | None = None
    if kind in (KIND_SELF, KIND_APPRAISAL, KIND_SURVEY):
        wanted = {KIND_SELF: SELF_SHEET, KIND_APPRAISAL: APPRAISAL_SHEET,
                  KIND_SURVEY: SURVEY_SHEET}[kind]
        sheet_name = pick_sheet(book, wanted) or _first_visible(book)
    else:
        for name, sheet_kind in SHEET_KINDS.items():
            found = pick_sheet(book, name)
            if found:
                kind, sheet_name = sheet_kind, found
                break
    if kind is None or sheet_name is None:
        result.issues.append(
            issue("tep-khong-nhan-dang", file=rel,
                  expected=", ".join(f"'{name}'" for name in SHEET_KINDS))
        )
        return
    result.kind = kind
    if meta:
        year = meta.get("year")
        if year and year != str(ctx.year):
            result.issues.append(
                issue("bieu-mau-sai-nam", file=rel, sheet=META_SHEET, value=year,
                      expected=ctx.year)
            )
            return
    sheet = book.sheet(sheet_name)
    reader = {KIND_SELF: _read_self, KIND_APPRAISAL: read_appraisal_sheet,
              KIND_SURVEY: _read_survey}[kind]
    result.form = reader(sheet, meta or {}, path, rel, ctx, result.issues)


def _first_visible(book: Book) -> str | None:
    for name in book.sheet_names:
        if name not in book.hidden and name != META_SHEET:
            return name
    return None


def read_meta(book: Book, rel: str, issues: list[Issue]) -> dict[str, str] | None:
    """The key/value pairs of the hidden ``_cchc`` sheet, or None if there is none."""
    name = pick_sheet(book, META_SHEET)
    if name is None:
        return None
    sheet = book.sheet(name)
    meta: dict[str, str] = {}
    for row in sheet.rows[1:]:
        if len(row) >= 2:
            key = cell_text(row[0]).lower()
            if key:
                meta[key] = cell_text(row[1])
    return meta


# --------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------


@dataclass
class _Where:
    """Issue factory for one sheet (and, while reading a row, one unit)."""

    file: str
    sheet: str
    issues: list[Issue]
    unit: str | None = None
    # Cells holding a formula error (#REF!…), which read as empty: (row, col) → text.
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    # The sheet's percent cells and formulas without a value (see _seen), and both:
    # only a cell in ``marked`` is handed to _seen.
    percent: Cells = NONE
    uncached: Cells = NONE
    marked: Cells = field(init=False, default=NONE)

    def __post_init__(self) -> None:
        self.marked = self.percent | self.uncached if self.percent else self.uncached

    def add(self, code: str, cell: str | None = None, criterion: str | None = None,
            **params: Any) -> None:
        self.issues.append(
            issue(code, file=self.file, sheet=self.sheet, cell=cell, unit=self.unit,
                  criterion=criterion, **params)
        )


def _cell(row: list[Any], col: int | None) -> Any:
    if col is None or col >= len(row):
        return ""
    return row[col]


def _filled(value: Any) -> bool:
    """A cell someone typed in (whitespace alone does not count)."""
    if value is None or value == "":
        return False
    return not isinstance(value, str) or not value.isspace()


def address_key_of(cell: str) -> tuple[int, int]:
    """'C7' → (6, 2): 0-based row and column."""
    from cchc_cli.cells import address_key

    row, col = address_key(cell)
    return row - 1, col - 1


def _code_text(value: Any) -> str:
    """A code cell as text; typed codes are plain ASCII strings, read without fuss."""
    if value.__class__ is str and value.isascii():
        return value.strip() if " " not in value.strip() else cell_text(value)
    return cell_text(value)


def _free_text(value: Any) -> str:
    """Evidence, explanations, comments: kept as written, only trimmed."""
    if isinstance(value, str):
        return value.strip()
    return cell_text(value)


# An input cell already reported by _seen: read as nothing, and not reported again.
_REFUSED: Any = object()


def _seen(where: _Where, raw: Any, r: int, c: int, column: str, points: bool,
          criterion: str | None) -> Any:
    """What the person sees in the input cell (r, c) of ``column`` (SPEC §13.2).

    A number displayed as a percentage is the stored value × 100 (``96,4%`` is stored
    as 0.964 and read as 96.4, at full precision, not the rounded display); where
    points are entered (``points``) it is an error. A formula whose computed value the
    file does not hold is an error, never an empty cell or a 0. After an error the
    result is ``_REFUSED``; any other cell is returned as it is. Called only for the
    cells in ``where.marked``: the common case costs one set lookup.
    """
    if (r, c) in where.uncached:
        where.add("cong-thuc-chua-tinh", address(r, c), criterion, column=column)
        return _REFUSED
    shown = percent_shown(raw) if (r, c) in where.percent else None
    if shown is not None:
        if not points:
            return shown
        where.add("o-dinh-dang-phan-tram", address(r, c), criterion, column=column,
                  value=plain(shown))
        return _REFUSED
    return raw


def _number(where: _Where, value: Any, cell: str, column: str, criterion: str | None
            ) -> tuple[Decimal | None, bool]:
    """Parse a number; (value, bad)."""
    try:
        if value.__class__ is float:  # the usual case: a number typed in a cell
            return from_float(value), False
        return parse_number(value if value != "" else None), False
    except NotANumber as exc:
        shown = cell_text(value)
        where.add("khong-phai-so", cell, criterion, value=shown[:60], column=column,
                  reason=exc.reason)
        return None, True


@dataclass(frozen=True)
class _Role:
    """The difference between reading a self form and an appraisal form."""

    over_max: str  # issue code for a score above max
    headers: dict[str, str]


_SELF_ROLE = _Role("tu-cham-vuot-toi-da", SELF_HEADERS)
_APPRAISAL_ROLE = _Role("tham-dinh-vuot-toi-da", APPRAISAL_HEADERS)


@dataclass(frozen=True, slots=True)
class _Cols:
    """Column numbers of a form's input fields (-1 where the form has no such column)."""

    data: int
    choice: int
    score: int
    na: int

    @classmethod
    def of(cls, columns: dict[str, int]) -> _Cols:
        return cls(*(columns.get(name, -1) for name in ("data", "choice", "score", "na")))

    def input_of(self, leaf: Leaf) -> int:
        """The column the leaf's row is read from; -1 for a leaf with named inputs (its
        values are in its input rows, its row's figure is a convenience formula)."""
        if leaf.rule.inputs:
            return -1
        kind = leaf.rule.reads
        return self.data if kind == INPUT_DATA else self.choice if kind == INPUT_CHOICE \
            else self.score


_FIELD = {INPUT_DATA: "data", INPUT_CHOICE: "choice", INPUT_SCORE: "score"}


def _read_na(where: _Where, row: list[Any], r: int, cols: _Cols, leaf: Leaf, role: _Role,
             entry: LeafEntry) -> None:
    """The N/A mark of a leaf row: only 'x', and only on leaves that allow it."""
    na_col = cols.na
    if na_col < 0:
        return
    entry.na_col = na_col
    raw = row[na_col] if na_col < len(row) else ""
    if (raw == "" or raw is None) and where.errors:
        raw = where.errors.get((r, na_col), "")
    if (r, na_col) in where.marked:
        raw = _seen(where, raw, r, na_col, role.headers["na"], False, leaf.code)
        if raw is _REFUSED:
            entry.bad = True
            return
    if raw == "" or raw is None:
        return
    text = cell_text(raw)
    if text.casefold() == NA_MARK:
        entry.na = True
        if not leaf.na_allowed:
            where.add("khong-ap-dung-khong-cho-phep", entry.na_cell, leaf.code)
            entry.bad = True
    elif text:
        where.add("dau-khong-ap-dung-la", entry.na_cell, leaf.code,
                  column=role.headers["na"], value=text[:40])
        entry.bad = True


def _read_leaf(where: _Where, row: list[Any], r: int, cols: _Cols, leaf: Leaf,
               role: _Role) -> LeafEntry:
    """The inputs of one leaf row, checked against the leaf's rule (SPEC §5, §7).

    Runs for every row of every form: cells are looked up by number and only cleaned
    when they hold something, and an address is spelled only for a message. A leaf with
    named inputs reads only its N/A mark here (its values are in its input rows; the leaf
    row's value and points are convenience formulas).
    """
    entry = LeafEntry(leaf.code, r, None)
    width = len(row)
    na_col = cols.na
    if na_col >= 0:
        entry.na_col = na_col
        mark = row[na_col] if na_col < width else ""
        # An empty, unmarked cell without a formula error (the usual case) says nothing.
        if (mark != "" and mark is not None) or where.errors or where.marked:
            _read_na(where, row, r, cols, leaf, role, entry)
    if leaf.has_inputs:
        return entry
    kind = leaf.reads
    col = cols.data if kind == INPUT_DATA else cols.choice if kind == INPUT_CHOICE \
        else cols.score
    if col < 0:
        return entry
    entry.col = col
    raw = row[col] if col < width else ""
    if where.marked and (r, col) in where.marked:
        raw = _seen(where, raw, r, col, role.headers[_FIELD[kind]], kind == INPUT_SCORE,
                    leaf.code)
        if raw is _REFUSED:
            entry.bad = True
            return entry
    if raw == "" or raw is None:
        failed = where.errors.get((r, col)) if where.errors else None
        if failed:
            where.add("khong-phai-so", entry.cell, leaf.code, value=failed,
                      column=role.headers[_FIELD[kind]], reason="là lỗi công thức của Excel")
            entry.bad = True
        return entry
    rule = leaf.rule
    if kind == INPUT_CHOICE:
        # The drop-down's own label (the usual case) is found as it is; anything else is
        # cleaned first (spacing, case and Unicode form do not matter).
        label = rule.find_option(raw) if raw.__class__ is str else None
        if label is None:
            text = cell_text(raw)
            if not text:
                return entry
            label = rule.find_option(text)
            if label is None:
                options = "; ".join(f"'{o.label}'" for o in rule.options)
                where.add("lua-chon-la", entry.cell, leaf.code, value=text[:80],
                          options=options)
                entry.bad = True
                return entry
        entry.value = label
        entry.points = rule.evaluate(label).points
        return entry
    number = decimal_of(raw) if raw.__class__ is float else None  # the usual case
    if number is None:  # text, or a float that is not a number cchc computes with
        number, bad = _number(where, raw, address(r, col), role.headers[_FIELD[kind]],
                              leaf.code)
        entry.bad |= bad
    if number is not None:
        entry.bad |= not _check_number(where, r, col, leaf, kind, number, role)
        entry.value = number
        if not entry.bad and leaf.per_row:
            entry.points = rule.evaluate(number).points
    return entry


# Numbers typed in forms repeat (1, 0.5, 100…): each float is converted to the decimal
# Excel shows once per process. Bounded: cleared when full.
_DECIMALS: dict[float, Decimal] = {}
_DECIMALS_LIMIT = 65_536


def decimal_of(value: float) -> Decimal | None:
    """A float cell as the decimal Excel shows (``numbers.from_float``), or None when it is
    not a finite number below 10^15."""
    found = _DECIMALS.get(value)
    if found is None:
        try:
            found = from_float(value)
        except NotANumber:
            return None
        if len(_DECIMALS) >= _DECIMALS_LIMIT:
            _DECIMALS.clear()
        _DECIMALS[value] = found
    return found


def _check_number(where: _Where, r: int, col: int, leaf: Leaf, kind: str, number: Decimal,
                  role: _Role) -> bool:
    """Range and step of an entered number; False (and an issue) when it breaks them."""
    if kind != INPUT_SCORE:
        if number < 0:
            where.add("gia-tri-am", address(r, col), leaf.code, value=plain(number),
                      column=role.headers["data"])
            return False
        return True
    if leaf.floor <= number <= leaf.max:
        step = leaf.rule.step
        if not step or number % step == 0:
            return True
    cell = address(r, col)
    column = role.headers["score"]
    if number < leaf.floor:
        if leaf.floor == 0:
            where.add("gia-tri-am", cell, leaf.code, value=plain(number), column=column)
        else:
            where.add("diem-duoi-san-nhap", cell, leaf.code, value=plain(number),
                      floor=plain(leaf.floor), column=column)
        return False
    if number > leaf.max:
        where.add(role.over_max, cell, leaf.code, value=plain(number), max=plain(leaf.max))
        return False
    step = leaf.rule.step
    if step and number % step != 0:
        where.add("khong-dung-buoc", cell, leaf.code, value=plain(number), step=plain(step))
        return False
    return True


def _read_input(where: _Where, row: list[Any], r: int, col: int, leaf: Leaf, key: str,
                column: str) -> InputValue:
    """One input row's value (SPEC §13.1.1): a number ≥ 0, an integer where the input
    says so (a text '12.345' is then 12345)."""
    found = InputValue(key, None, r, col)
    if col < 0:
        return found
    raw = row[col] if col < len(row) else ""
    if (r, col) in where.marked:
        raw = _seen(where, raw, r, col, column, False, leaf.code)
        if raw is _REFUSED:
            found.bad = True
            return found
    cell = address(r, col)
    if raw == "" or raw is None:
        failed = where.errors.get((r, col)) if where.errors else None
        if failed:
            where.add("khong-phai-so", cell, leaf.code, value=failed, column=column,
                      reason="là lỗi công thức của Excel")
            found.bad = True
        return found
    spec = next(i for i in leaf.rule.inputs if i.key == key)
    try:
        if spec.integer:
            number = parse_integer(raw)
        elif raw.__class__ is float:
            number = from_float(raw)
        else:
            number = parse_number(raw)
    except NotANumber as exc:
        where.add("khong-phai-so", cell, leaf.code, value=cell_text(raw)[:60], column=column,
                  reason=exc.reason)
        found.bad = True
        return found
    if number is not None and number < 0:
        where.add("gia-tri-am", cell, leaf.code, value=plain(number), column=column)
        found.bad = True
        return found
    found.value = number
    return found


def _attach_inputs(where: _Where, leaf: Leaf, entry: LeafEntry,
                   found: dict[str, InputValue], *, missing_code: str) -> None:
    """Give a leaf entry its input rows in the rule's order; a missing row is reported
    (``missing_code``) at the leaf row."""
    values = []
    for spec in leaf.rule.inputs:
        item = found.get(spec.key)
        if item is None:
            where.add(missing_code, address(entry.row, 0), leaf.code,
                      input=leaf.input_code(spec.key), label=spec.label)
            item = InputValue(spec.key, None, bad=True)
        values.append(item)
    entry.inputs = tuple(values)
    entry.bad |= any(item.bad for item in values)


def _missing_columns(where: _Where, header: HeaderMissing) -> None:
    where.add("thieu-cot", missing=", ".join(f"'{m}'" for m in header.missing),
              rows=header.searched)


def _duplicate_columns(where: _Where, header: Header) -> None:
    for text, first, second in header.duplicates:
        where.add("cot-trung", cell=second, header=text, first=first, second=second)


def _check_fingerprint(where: _Where, meta: dict[str, str], criteria: CriteriaSet,
                       seen: dict[str, int], sheet: Sheet, rule_col: int | None) -> None:
    """An older criteria version: say which codes differ (names, rules, max)."""
    stated = meta.get("criteria_fingerprint", "")
    if not stated:
        return
    mine = {}
    for part in stated.split(","):
        block, _, sha = part.rpartition(":")
        mine[block or criteria.block] = sha
    if mine.get(criteria.block, criteria.fingerprint) == criteria.fingerprint:
        return
    rule_texts = {} if rule_col is None else {
        code: cell_text(_cell(sheet.rows[r], rule_col)) for code, r in seen.items()}
    leaves = {leaf.code for leaf in criteria.leaves}
    added = [c for c in criteria.nodes if c not in seen]
    removed = [c for c in seen if c not in criteria.nodes]
    changed = [
        code for code, text in rule_texts.items()
        if code in leaves and text
        and header_key(text) != header_key(criteria.leaf_of(code).method_text)
    ]
    parts = []
    if added:
        parts.append("mã mới chưa có trong biểu: " + ", ".join(added[:20]))
    if removed:
        parts.append("mã trong biểu đã bị bỏ: " + ", ".join(removed[:20]))
    if changed:
        parts.append("cách chấm đã đổi: " + ", ".join(changed[:20]))
    detail = "; ".join(parts) if parts else "các mã và điểm tối đa không đổi"
    where.add("phien-ban-tieu-chi-khac", form_id=meta.get("criteria_id", "?"),
              current_id=criteria.id, detail=detail)


# --------------------------------------------------------------------------------------
# Self-assessment
# --------------------------------------------------------------------------------------


def unit_from_filename(stem: str, units: dict[str, Any]) -> tuple[str | None, list[str]]:
    """The one register code that appears as a whole word in a file name."""
    found = []
    for code in units:
        pattern = r"(?<![0-9A-Za-z])" + re.escape(code) + r"(?![0-9A-Za-z])"
        if re.search(pattern, stem, flags=re.IGNORECASE):
            found.append(code)
    return (found[0] if len(found) == 1 else None), found


def _read_self(sheet: Sheet, meta: dict[str, str], path: Path, rel: str, ctx: ReadContext,
               issues: list[Issue]) -> SelfForm | None:
    where = _Where(rel, sheet.name, issues, errors=sheet.errors, percent=sheet.percent,
                   uncached=sheet.uncached)
    if meta:
        unit = meta.get("unit", "")
    else:
        named, found = unit_from_filename(path.stem, ctx.units)
        if named is None:
            detail = ("không chứa mã đơn vị nào" if not found
                      else "chứa nhiều mã: " + ", ".join(found))
            where.add("khong-xac-dinh-don-vi", detail=detail)
            return None
        unit = named
    where.unit = unit
    if unit not in ctx.units:
        where.add("don-vi-khong-co-trong-danh-sach", year=ctx.year)
        return None
    block = ctx.units[unit][0]
    stated_block = meta.get("block")
    if stated_block and stated_block != block:
        where.add("bieu-mau-sai-khoi", value=stated_block, expected=block)
        return None
    criteria = ctx.sets.get(block)
    if criteria is None:
        where.add("khong-co-bo-tieu-chi-cho-bieu-mau", value=block, year=ctx.year)
        return None
    kinds = {leaf.reads for leaf in criteria.leaves}
    if criteria.input_rows:
        kinds.add(INPUT_DATA)
    required = {"code", "max"} | {name for name, kind in (("data", INPUT_DATA),
                                                        ("choice", INPUT_CHOICE),
                                                        ("score", INPUT_SCORE)) if kind in kinds}
    if any(leaf.na_allowed for leaf in criteria.leaves):
        required.add("na")
    header = find_header(sheet, SELF_HEADERS, required)
    if isinstance(header, HeaderMissing):
        _missing_columns(where, header)
        return None
    _duplicate_columns(where, header)
    cols = header.columns
    entries: dict[str, LeafEntry] = {}
    seen: dict[str, int] = {}
    fields = _Cols.of(cols)
    code_col = cols["code"]
    evidence_col, explanation_col = cols.get("evidence"), cols.get("explanation")
    keep_text = ctx.keep_text
    nodes = criteria.nodes
    input_rows = criteria.input_rows
    # Leaves with named inputs: their input rows may come in any order (input → row).
    found_inputs: dict[str, dict[str, InputValue]] = {}
    evidence_of: dict[str, str] = {}
    for r in range(header.row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        raw = row[code_col] if code_col < len(row) else ""
        if raw == "" or raw is None:
            continue
        code = _code_text(raw)
        if not code:
            continue
        node = nodes.get(code)
        if node is None:
            owner = input_rows.get(code)
            if owner is not None and code not in seen:
                seen[code] = r
                leaf, key = owner
                found_inputs.setdefault(leaf.code, {})[key] = _read_input(
                    where, row, r, fields.data, leaf, key, SELF_HEADERS["data"])
            elif owner is not None:
                where.add("tieu-chi-trung-dong", address(r, code_col), code,
                          first=address(seen[code], code_col))
            elif _CODE_LIKE.match(code) or any(cell_text(v) for v in row[code_col + 1:]):
                where.add("ma-tieu-chi-la", address(r, code_col), code,
                          criteria_id=criteria.id)
            continue
        if code in seen:
            where.add("tieu-chi-trung-dong", address(r, code_col), code,
                      first=address(seen[code], code_col))
            continue
        seen[code] = r
        if node.__class__ is not Leaf:
            continue
        leaf = node
        _check_max(where, row, r, cols, leaf)
        if leaf.kind == SURVEY:
            continue
        entry = _read_leaf(where, row, r, fields, leaf, _SELF_ROLE)
        evidence = ""
        if evidence_col is not None and evidence_col < len(row):
            text = row[evidence_col]
            evidence = text.strip() if text.__class__ is str else cell_text(text)
        if keep_text:
            entry.evidence = evidence
            if explanation_col is not None:
                entry.note = _free_text(_cell(row, explanation_col))
        if leaf.rule.inputs:
            evidence_of[leaf.code] = evidence
        elif not entry.na and not entry.bad and entry.points is not None:
            _check_claimed(where, row, r, cols, leaf, entry.points, evidence, evidence_col)
        entries[leaf.code] = entry
    for code in found_inputs.keys() - entries.keys():
        # Input rows of a leaf whose own row is missing: reported as a missing leaf below.
        del found_inputs[code]
    for code, entry in entries.items():
        leaf = criteria.leaf_of(code)
        if not leaf.rule.inputs:
            continue
        _attach_inputs(where, leaf, entry, found_inputs.get(code, {}),
                       missing_code="thieu-dong-so-lieu")
        values = entry.values
        if entry.na or entry.bad or values is None or leaf.rule.type == "relative":
            continue  # a relative leaf's points wait for the block's reference
        outcome = leaf.rule.evaluate(values)
        if outcome.points is not None:
            _check_claimed(where, sheet.rows[entry.row], entry.row, cols, leaf, outcome.points,
                           evidence_of.get(code, ""), evidence_col)
    for leaf in criteria.leaves:
        if leaf.code not in seen and leaf.kind != SURVEY:
            where.add("thieu-tieu-chi", None, leaf.code, name=leaf.name)
    if meta:
        _check_fingerprint(where, meta, criteria, seen, sheet, cols.get("rule"))
    return SelfForm(file=rel, sheet=sheet.name, unit=unit, block=block, entries=entries)


def _check_claimed(where: _Where, row: list[Any], r: int, cols: dict[str, int], leaf: Leaf,
                   claimed: Exact, evidence: str, evidence_col: int | None) -> None:
    """The points a unit claims: the form's cached convenience points must agree, and
    points need evidence."""
    _check_shown(where, row, r, cols, leaf, claimed)
    if claimed > 0 and evidence_col is not None and not evidence:
        where.add("thieu-tai-lieu-kiem-chung", address(r, evidence_col), leaf.code,
                  points=plain(claimed))


def _check_max(where: _Where, row: list[Any], r: int, cols: dict[str, int], leaf: Leaf) -> None:
    col = cols["max"]
    raw = _cell(row, col)
    if raw == "" and where.errors:
        raw = where.errors.get((r, col), "")
    if raw.__class__ is float and raw == leaf.max_float:
        return  # the untouched locked cell: the common case, checked without Decimals
    try:
        stated = parse_number(raw if raw != "" else None)
    except NotANumber:
        stated = None
        shown = cell_text(raw)
    else:
        shown = plain(stated) if stated is not None else ""
    if stated != leaf.max:
        where.add("diem-toi-da-bi-sua", address(r, col), leaf.code, value=shown or "(trống)",
                  expected=plain(leaf.max))


def _check_shown(where: _Where, row: list[Any], r: int, cols: dict[str, int], leaf: Leaf,
                 computed: Exact) -> None:
    """Warn when the displayed points of a computed row disagree with the inputs."""
    col = cols.get("score")
    if col is None or leaf.reads == INPUT_SCORE:
        return
    raw = _cell(row, col)
    if not isinstance(raw, float | int) or isinstance(raw, bool):
        return  # no cached formula result (openpyxl, LibreOffice-unaware tools)
    if (r, col) in where.uncached:
        return  # a placeholder, not a result
    if abs(raw - float(computed)) <= 0.0004:
        return  # the cached result agrees (compared in binary: no Decimal needed)
    shown = Decimal(repr(float(raw)))
    gap = exact_sub(shown, computed)
    if gap > _SHOWN_TOLERANCE or gap < -_SHOWN_TOLERANCE:
        where.add("diem-tinh-khac", address(r, col), leaf.code, shown=plain(shown),
                  computed=plain(computed))


# --------------------------------------------------------------------------------------
# Appraisal
# --------------------------------------------------------------------------------------


def _token_match(stem: str, codes: list[str]) -> str | None:
    found = [
        code for code in codes
        if re.search(r"(?<![0-9A-Za-z])" + re.escape(code) + r"(?![0-9A-Za-z])", stem, re.I)
    ]
    return found[0] if len(found) == 1 else None


def read_appraisal_sheet(sheet: Sheet, meta: dict[str, str], path: Path, rel: str,
                         ctx: ReadContext, issues: list[Issue]) -> AppraisalForm | None:
    where = _Where(rel, sheet.name, issues, errors=sheet.errors, percent=sheet.percent,
                   uncached=sheet.uncached)
    appraiser = meta.get("appraiser") or _token_match(path.stem, list(ctx.appraisers)) or ""
    round_text = meta.get("round") or ""
    if not round_text:
        match = _ROUND_IN_NAME.search(path.stem)
        round_text = match.group(1) if match else "1"
    found = _ROUND.match(round_text)
    round_no = int(found.group(1)) if found else 0
    if round_no < 1:
        where.add("vong-tham-dinh-khong-hop-le", value=round_text[:40])
        return None
    required = {"unit", "code", "data", "choice", "score", "na"}
    header = find_header(sheet, APPRAISAL_HEADERS, required)
    if isinstance(header, HeaderMissing):
        _missing_columns(where, header)
        return None
    _duplicate_columns(where, header)
    cols = header.columns
    rows: list[AppraisalRow] = []
    fields = _Cols.of(cols)
    wanted = (fields.data, fields.choice, fields.score, fields.na)
    first_input, last_input = min(wanted), max(wanted)
    unit_col, code_col = cols["unit"], cols["code"]
    comment_col = cols.get("comment")
    grouped: dict[tuple[str, str], _Grouped] = {}
    for r in range(header.row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        width = len(row)
        if width <= first_input:
            continue
        # Most rows of a province's form are left for other departments or rounds: the
        # test for "nothing entered" runs first and cheaply.
        if width > last_input:
            empty = not (_filled(row[wanted[0]]) or _filled(row[wanted[1]])
                         or _filled(row[wanted[2]]) or _filled(row[wanted[3]]))
        else:
            empty = not any(_filled(row[c]) for c in wanted if c < width)
        # Not appraised (or an empty row): the unit's own values stand — unless a cell
        # reads empty only because its formula has no value (decided once the leaf is
        # known: the template's computed points are formulas too).
        if empty and not (where.uncached and any((r, c) in where.uncached for c in wanted)):
            continue
        # Interned: a province's appraisal form names each unit a few dozen times, and
        # one shared string pickles once.
        unit = sys.intern(_code_text(_cell(row, unit_col)))
        code = _code_text(_cell(row, code_col))
        if not unit and not code:
            continue
        where.unit = unit or None
        if unit not in ctx.units:
            if not empty:
                where.add("ma-don-vi-la", address(r, cols["unit"]), code or None,
                          year=ctx.year)
            continue
        block = ctx.units[unit][0]
        criteria = ctx.sets.get(block)
        if criteria is None:
            continue  # the criteria set's own errors are reported elsewhere
        leaf = criteria.leaf(code)
        owner = criteria.input_rows.get(code) if leaf is None else None
        if owner is not None:
            leaf, key = owner
            group = grouped.setdefault((unit, leaf.code), _Grouped())
            group.inputs[key] = _read_input(where, row, r, fields.data, leaf, key,
                                            APPRAISAL_HEADERS["data"])
            if not group.note and comment_col is not None:
                group.note = _free_text(_cell(row, comment_col))
            continue
        if leaf is None:
            if not empty:
                where.add("tham-dinh-tieu-chi-la", address(r, cols["code"]), code,
                          block=block)
            continue
        if leaf.kind == SURVEY:
            if not empty:
                where.add("tham-dinh-tieu-chi-khao-sat", address(r, cols["code"]), code)
            continue
        if empty and (r, fields.input_of(leaf)) not in where.uncached \
                and (r, fields.na) not in where.uncached:
            continue  # only the template's computed points: not appraised
        if appraiser and leaf.appraiser != appraiser:
            where.add("tham-dinh-khac-co-quan", address(r, cols["code"]), code,
                      owner=ctx.appraisers.get(leaf.appraiser, leaf.appraiser),
                      appraiser=ctx.appraisers.get(appraiser, appraiser))
        entry = _read_leaf(where, row, r, fields, leaf, _APPRAISAL_ROLE)
        if comment_col is not None:
            entry.note = _free_text(_cell(row, comment_col))
        if leaf.rule.inputs:
            grouped.setdefault((unit, leaf.code), _Grouped()).entry = entry
            continue
        if entry.value is None and not entry.na and not entry.bad:
            _points_without_input(where, row, r, cols, leaf, entry)
        rows.append(AppraisalRow(unit=unit, entry=entry))
    for (unit, code), group in grouped.items():
        where.unit = unit
        criteria = ctx.sets[ctx.units[unit][0]]
        appraised = _appraised_inputs(where, sheet, header.row, cols, criteria.leaf_of(code),
                                      group)
        if appraised is not None:
            rows.append(AppraisalRow(unit=unit, entry=appraised))
    where.unit = None
    return AppraisalForm(file=rel, sheet=sheet.name, appraiser=appraiser, round=round_no,
                         rows=rows, present=_present(sheet, header.row, unit_col, code_col)
                         if ctx.rows_present else frozenset())


def _present(sheet: Sheet, header_row: int, unit_col: int, code_col: int
             ) -> frozenset[tuple[str, str]]:
    """(unit, code) of every row below the header; interned, so that each code pickles
    once on its way back from a worker."""
    intern = sys.intern
    return frozenset((intern(_code_text(_cell(row, unit_col))),
                      intern(_code_text(_cell(row, code_col))))
                     for row in sheet.rows[header_row + 1:])


@dataclass(slots=True)
class _Grouped:
    """The rows of one leaf with named inputs for one unit in an appraisal form."""

    entry: LeafEntry | None = None  # the leaf row (N/A mark, comment)
    inputs: dict[str, InputValue] = field(default_factory=dict)
    note: str = ""


def _appraised_inputs(where: _Where, sheet: Sheet, header_row: int, cols: dict[str, int],
                      leaf: Leaf, group: _Grouped) -> LeafEntry | None:
    """The appraisal of a leaf with named inputs, or None when this form did not
    appraise it (SPEC §13.1.10: appraised when any of its rows has an appraisal value;
    then every input needs one, unless the leaf is not applicable)."""
    entry = group.entry
    entered = any(item.value is not None or item.bad for item in group.inputs.values())
    if not entered and (entry is None or not (entry.na or entry.bad)):
        return None
    if entry is None:  # the leaf row was deleted: the input rows still count
        first = min((item.row for item in group.inputs.values()), default=header_row + 1)
        entry = LeafEntry(leaf.code, first, None)
    if not entry.note:
        entry.note = group.note
    values = []
    for spec in leaf.rule.inputs:
        item = group.inputs.get(spec.key)
        if item is None and entry.na:
            item = InputValue(spec.key, None)  # not applicable: no value needed
        elif item is None:
            item = InputValue(spec.key, None, *_row_of(sheet, header_row, cols,
                                                        where.unit or "",
                                                        leaf.input_code(spec.key)))
        if item.value is None and not item.bad and not entry.na:
            cell = item.cell or address(entry.row, cols["code"])
            where.add("thieu-so-lieu-tham-dinh", cell, leaf.code,
                      input=leaf.input_code(spec.key), label=spec.label)
            item.bad = True
        values.append(item)
    entry.inputs = tuple(values)
    entry.bad |= any(item.bad for item in values) and not entry.na
    return entry


def _row_of(sheet: Sheet, header_row: int, cols: dict[str, int], unit: str, code: str
            ) -> tuple[int, int]:
    """(row, column of 'Số liệu thẩm định') of an input row left empty, or (-1, -1) when the
    form has no such row (rare: only looked for when an appraisal is incomplete)."""
    unit_col, code_col = cols["unit"], cols["code"]
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if _code_text(_cell(row, code_col)) == code and _code_text(_cell(row, unit_col)) == unit:
            return r, cols["data"]
    return -1, -1


def _points_without_input(where: _Where, row: list[Any], r: int, cols: dict[str, int],
                          leaf: Leaf, entry: LeafEntry) -> None:
    """Only 'Điểm thẩm định' is filled on a rule that reads another column.

    For a choice, points that match exactly one option select it (kind to the appraiser
    who typed the points); otherwise the row needs its real input.
    """
    kind = leaf.reads
    if kind == INPUT_SCORE:
        return
    try:
        shown = parse_number(_cell(row, cols["score"]) or None)
    except NotANumber:
        shown = None
    if shown is None:
        return
    if kind == INPUT_CHOICE:
        matches = [o.label for o in leaf.rule.options if o.points == shown]
        if len(matches) == 1:
            entry.value = matches[0]
            entry.points = leaf.rule.evaluate(matches[0]).points
            entry.col = cols["score"]
            return
    column = APPRAISAL_HEADERS["choice" if kind == INPUT_CHOICE else "data"]
    where.add("tham-dinh-thieu-du-lieu", address(r, cols["score"]), leaf.code,
              score_column=APPRAISAL_HEADERS["score"], column=column)
    entry.bad = True


# --------------------------------------------------------------------------------------
# Survey
# --------------------------------------------------------------------------------------


def _read_survey(sheet: Sheet, meta: dict[str, str], path: Path, rel: str, ctx: ReadContext,
                 issues: list[Issue]) -> SurveyForm | None:
    """A survey workbook: one block's (its ``_cchc`` names the block, its headers carry
    codes and names) or, as written before, one for every block. Each unit's row is read
    against its own block's criteria."""
    where = _Where(rel, sheet.name, issues, errors=sheet.errors, percent=sheet.percent,
                   uncached=sheet.uncached)
    header = find_header(sheet, SURVEY_HEADERS, {"unit"})
    if isinstance(header, HeaderMissing):
        _missing_columns(where, header)
        return None
    stated = meta.get("block", "")
    form_block = stated if stated in ctx.sets else None
    survey_codes = {
        leaf.code for block, criteria in ctx.sets.items() for leaf in criteria.leaves
        if leaf.kind == SURVEY and form_block in (None, block)
    }
    code_cols: dict[int, str] = {}
    header_row = sheet.rows[header.row]
    for c, raw in enumerate(header_row):
        text = _survey_code(cell_text(raw))
        if text in survey_codes:
            code_cols[c] = text
        elif _CODE_LIKE.match(text):
            where.add("khao-sat-cot-la", address(header.row, c), text, value=text, year=ctx.year)
    values: list[SurveyValue] = []
    for r in range(header.row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        unit = cell_text(_cell(row, header.columns["unit"]))
        filled = [(c, code) for c, code in code_cols.items()
                  if cell_text(_cell(row, c)) or (r, c) in where.errors
                  or (r, c) in where.uncached]
        if not unit:
            continue
        where.unit = unit
        if unit not in ctx.units:
            if filled:
                where.add("ma-don-vi-la", address(r, header.columns["unit"]),
                          year=ctx.year)
            continue
        block = ctx.units[unit][0]
        criteria = ctx.sets.get(block)
        if criteria is None:
            continue  # the criteria set's own errors are reported elsewhere
        if form_block is not None and block != form_block and filled:
            where.add("khao-sat-sai-khoi", address(r, header.columns["unit"]),
                      value=form_block, expected=block)
            continue
        for c, code in filled:
            cell = address(r, c)
            leaf = criteria.leaf(code)
            if leaf is None or leaf.kind != SURVEY:
                where.add("khao-sat-khong-thuoc-khoi", cell, code, block=block)
                continue
            value = _survey_value(where, _cell(row, c), cell, leaf)
            if value is not None:
                values.append(value)
    where.unit = None
    return SurveyForm(file=rel, sheet=sheet.name, values=values)


def _survey_code(header: str) -> str:
    """The code a survey column's header starts with: '8.1', or '8.1' from '8.1\nChỉ
    số hài lòng …' and '8.1. Chỉ số hài lòng …'."""
    first = header.split(maxsplit=1)[0] if header else ""
    return first.rstrip(".:-–") if _CODE_LIKE.match(first.rstrip(".:-–")) else header


def _survey_value(where: _Where, raw: Any, cell: str, leaf: Leaf) -> SurveyValue | None:
    code = leaf.code
    if address_key_of(cell) in where.marked:
        raw = _seen(where, raw, *address_key_of(cell), code, False, code)
        if raw is _REFUSED:
            return None
    text = cell_text(raw)
    failed = where.errors.get(address_key_of(cell)) if not text and where.errors else None
    if failed:
        where.add("khong-phai-so", cell, code, value=failed, column=code,
                  reason="là lỗi công thức của Excel")
        return None
    if text.casefold() == NA_MARK:
        if not leaf.na_allowed:
            where.add("khong-ap-dung-khong-cho-phep", cell, code)
            return None
        return SurveyValue(unit=where.unit or "", code=code, value=None, na=True, cell=cell)
    number, bad = _number(where, raw, cell, code, code)
    if bad or number is None:
        return None
    if number < 0 or number > 100:
        where.add("khao-sat-ngoai-khoang", cell, code, value=plain(number))
        return None
    if 0 < number <= 1:
        where.add("khao-sat-co-the-la-ty-le", cell, code, value=plain(number),
                  percent=plain(number * 100))
    return SurveyValue(unit=where.unit or "", code=code, value=number, na=False, cell=cell)
