"""``cchc status`` (SPEC §13.3): where the collection of a year's forms stands.

Between sending the forms and the council's meeting an analyst asks every morning: which
units have sent their self-assessment, and is it clean; which appraising departments have
sent their file for each round, does it cover every row they were given, and what did they
change; who is late against ``deadlines`` in cchc.yaml; what arrived that matches nobody;
what was dropped into ``data/Y/`` that is not a spreadsheet at all.

The year is read the way ``validate`` reads it (one pass over every file, then scoring,
which finds missing inputs), keeping each file's own record: :class:`Collection` is what
``status`` and ``feedback`` both start from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cchc_cli.criteria import SURVEY
from cchc_cli.errors import WorkspaceError
from cchc_cli.formspec import KIND_SELF
from cchc_cli.inputs import Progress, YearInputs, merge, read_files, same_entry
from cchc_cli.issues import Issue, sorted_issues
from cchc_cli.readers.forms import AppraisalForm, LeafEntry, ReadResult, SurveyForm
from cchc_cli.readers.register import Register, Unit
from cchc_cli.scoring import YearScores, register_na, score_year
from cchc_cli.settings import DEADLINE_SELF, Settings, deadline_key
from cchc_cli.workspace import SPREADSHEET_SUFFIXES, Workspace

# The state of the appraisal, not a problem in a unit's file: never counted against it.
NOT_A_FILE_PROBLEM = frozenset({"chua-tham-dinh"})
# Files that systems drop into every folder; listing them would only hide real ones.
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


@dataclass
class Collection:
    """A year read for the collection loop: the inputs merged as every command merges
    them, each file's own record, the scores, and every issue."""

    workspace: Workspace
    inputs: YearInputs
    register: Register
    results: list[ReadResult]
    scores: YearScores
    issues: list[Issue]
    # unit → the files identified as its self-assessment (the one used first).
    self_files: dict[str, list[str]] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.workspace.settings

    def problems(self, unit: str) -> list[Issue]:
        """The errors and warnings found in the unit's own self-assessment file(s)."""
        files = set(self.self_files.get(unit, ()))
        return [i for i in self.issues if i.file in files and i.code not in NOT_A_FILE_PROBLEM]

    def units(self) -> list[Unit]:
        """The register's units, block by block in the order of cchc.yaml."""
        order = list(self.settings.blocks)
        members = list(self.register.units.values())
        rank = {block: i for i, block in enumerate(order)}
        return sorted(members, key=lambda u: rank.get(u.block, len(order)))

    def appraisal_forms(self) -> list[AppraisalForm]:
        return [r.form for r in self.results if isinstance(r.form, AppraisalForm)]


def read_collection(ws: Workspace, year: int, *, jobs: int | None = None,
                    progress: Progress | None = None) -> Collection:
    """Criteria, register and every input form of ``year``, merged and scored, with each
    file's record kept. Without a unit register there is nothing to follow: that stops
    the command (exit 3)."""
    # The first half of inputs.read_year, so that each file's ReadResult stays at hand.
    from cchc_cli.inputs import prepare_year

    inputs, context = prepare_year(ws, year)
    register = inputs.register
    if register is None or context is None:
        reason = next((i.message for i in inputs.issues if i.file == ws.rel(
            ws.register_path(year))), "")
        raise WorkspaceError(f"Chưa đọc được danh sách đơn vị năm {year}"
                             f" ({ws.rel(ws.register_path(year))}): {reason} Hãy chạy"
                             f" 'cchc validate -y {year}' để xem chi tiết.")
    items = [(path, ws.rel(path), year) for path in ws.input_files(year)]
    context = dataclasses.replace(context, rows_present=True)
    results = read_files(items, {year: context}, jobs=jobs, progress=progress)
    merge(inputs, results)
    blocks = {code: b.name for code, b in ws.settings.blocks.items()}
    scores = score_year(inputs, blocks=blocks, precision=ws.settings.precision)
    issues = sorted_issues([*ws.settings_issues, *inputs.issues, *scores.issues])
    found = Collection(workspace=ws, inputs=inputs, register=register, results=results,
                       scores=scores, issues=issues)
    found.self_files = _self_files(inputs, results, register)
    return found


def _self_files(inputs: YearInputs, results: list[ReadResult], register: Register
                ) -> dict[str, list[str]]:
    """Each unit's self-assessment files: the one in use, then any other naming the unit
    — a second one (reported as a duplicate), or one refused for what it is (another
    block's form, columns missing)."""
    files = {unit: [form.file] for unit, form in inputs.self_forms.items()}
    used = {form.file for form in inputs.self_forms.values()}
    for result in results:
        if result.kind != KIND_SELF or result.file in used:
            continue
        unit = getattr(result.form, "unit", None) or next(
            (i.unit for i in result.issues if i.unit in register.units), None)
        if unit in register.units:
            files.setdefault(unit, []).append(result.file)
    return files


# --------------------------------------------------------------------------------------
# Who must appraise what
# --------------------------------------------------------------------------------------


def assigned_pairs(inputs: YearInputs, register: Register) -> dict[str, set[tuple[str, str]]]:
    """appraiser → the (unit, leaf) pairs it must appraise: the rows ``cchc template``
    gives it (forms._appraisal_lines): every unit of the register whose block has
    criteria, every leaf of that appraiser, survey leaves and the leaves the register
    marks not applicable excluded. Input rows of named inputs (SPEC §13.1) are not
    pairs: a leaf is appraised as a whole."""
    pairs: dict[str, set[tuple[str, str]]] = {}
    for unit in register.units.values():
        criteria = inputs.sets.get(unit.block)
        if criteria is None:
            continue
        excluded = register_na(unit, criteria)
        for leaf in criteria.leaves:
            if leaf.kind == SURVEY or leaf.code in excluded:
                continue
            pairs.setdefault(leaf.appraiser, set()).add((unit.code, leaf.code))
    return pairs


def changed_pairs(forms: list[AppraisalForm], inputs: YearInputs) -> set[tuple[str, str]]:
    """The pairs these forms appraised differently from the unit's own value, or with a
    ``Nhận xét``. The template prefills every appraisal cell with the unit's value, so a
    filled cell alone says nothing."""
    found: set[tuple[str, str]] = set()
    for form in forms:
        for row in form.rows:
            own_form = inputs.self_forms.get(row.unit)
            own = own_form.entries.get(row.entry.code) if own_form else None
            if _differs(row.entry, own):
                found.add((row.unit, row.entry.code))
    return found


def _differs(entry: LeafEntry, own: LeafEntry | None) -> bool:
    return bool(entry.note) or own is None or not same_entry(own, entry)


# --------------------------------------------------------------------------------------
# The status
# --------------------------------------------------------------------------------------


@dataclass
class UnitStatus:
    code: str
    name: str
    block: str
    files: list[str]  # its self-assessment files, the one in use first
    errors: int
    warnings: int
    overdue: bool

    @property
    def self_form(self) -> str | None:
        return self.files[0] if self.files else None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "block": self.block, "self_form": self.self_form,
                "errors": self.errors, "warnings": self.warnings, "overdue": self.overdue}


@dataclass
class AppraiserStatus:
    code: str
    name: str
    round: int
    files: list[str]
    assigned: int
    rows: int
    changed: int
    deadline: dt.date | None
    overdue: bool

    @property
    def file(self) -> str | None:
        return self.files[0] if self.files else None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "round": self.round, "file": self.file,
                "assigned": self.assigned, "rows": self.rows, "changed": self.changed,
                "overdue": self.overdue}


@dataclass
class Unmatched:
    file: str
    reason: str


@dataclass
class YearStatus:
    year: int
    as_of: dt.date
    deadlines: dict[str, dt.date]
    units: list[UnitStatus]
    appraisers: list[AppraiserStatus]
    unmatched: list[Unmatched]
    ignored: list[str]
    # Errors of cchc.yaml, the criteria and the register: `validate` tells more.
    setup_errors: int = 0
    block_names: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """SPEC §13.3, exactly."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "units": [u.to_dict() for u in self.units],
            "appraisers": [a.to_dict() for a in self.appraisers],
            "unmatched": [u.file for u in self.unmatched],
            "ignored": list(self.ignored),
        }

    @property
    def overdue_units(self) -> list[UnitStatus]:
        return [u for u in self.units if u.overdue]

    @property
    def overdue_appraisers(self) -> list[AppraiserStatus]:
        return [a for a in self.appraisers if a.overdue]


def year_status(found: Collection, *, as_of: dt.date) -> YearStatus:
    """Where the year stands on ``as_of`` (deadlines are compared with this day)."""
    settings = found.settings
    due_self = settings.deadline(DEADLINE_SELF)
    units = []
    for unit in found.units():
        files = found.self_files.get(unit.code, [])
        problems = found.problems(unit.code)
        errors = sum(1 for i in problems if i.is_error)
        units.append(UnitStatus(
            code=unit.code, name=unit.name, block=unit.block, files=files, errors=errors,
            warnings=len(problems) - errors,
            overdue=not files and due_self is not None and as_of > due_self))
    ws = found.workspace
    forms = {r.file for r in found.results}
    setup_errors = sum(1 for i in found.issues
                       if i.is_error and i.file is not None and i.file not in forms)
    return YearStatus(
        year=found.inputs.year, as_of=as_of, deadlines=dict(settings.deadlines), units=units,
        appraisers=_appraisers(found, as_of), unmatched=_unmatched(found),
        ignored=ignored_files(ws, found.inputs.year), setup_errors=setup_errors,
        block_names={code: b.name for code, b in settings.blocks.items()})


def _appraisers(found: Collection, as_of: dt.date) -> list[AppraiserStatus]:
    """One entry per appraiser and round: every round with a file, round 1 for every
    appraiser with rows to appraise (its file is expected even before it arrives), and
    every round whose deadline cchc.yaml sets."""
    settings, inputs = found.settings, found.inputs
    assigned = assigned_pairs(inputs, found.register)
    by_key: dict[tuple[str, int], list[AppraisalForm]] = {}
    for form in found.appraisal_forms():
        if form.appraiser in settings.appraisers:
            by_key.setdefault((form.appraiser, form.round), []).append(form)
    planned = {1} | {n for n in range(2, 100) if deadline_key(n) in settings.deadlines}
    for code in settings.appraisers:
        if assigned.get(code):
            for round_no in planned:
                by_key.setdefault((code, round_no), [])
    order = list(settings.appraisers)
    entries = []
    for (code, round_no), forms in sorted(by_key.items(),
                                          key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        mine = assigned.get(code, set())
        present: set[tuple[str, str]] = set().union(*(f.present for f in forms))
        rows = len(mine & present)
        due = settings.deadline(deadline_key(round_no))
        late = due is not None and as_of > due and (not forms or rows < len(mine))
        entries.append(AppraiserStatus(
            code=code, name=settings.appraisers[code], round=round_no,
            files=sorted(f.file for f in forms), assigned=len(mine), rows=rows,
            changed=len(changed_pairs(forms, inputs) & mine), deadline=due, overdue=late))
    return entries


def _unmatched(found: Collection) -> list[Unmatched]:
    """Files that give nobody anything: unreadable or unrecognised, of another year, a
    self-assessment of a unit not in the register, an appraisal of an appraiser not in
    cchc.yaml; each with the first thing its reading said."""
    settings = found.settings
    matched = {file for files in found.self_files.values() for file in files}
    for result in found.results:
        form = result.form
        if isinstance(form, SurveyForm) or (
                isinstance(form, AppraisalForm) and form.appraiser in settings.appraisers):
            matched.add(result.file)
    unmatched = []
    for result in found.results:
        if result.file in matched:
            continue
        reason = next((i.message for i in result.issues if i.is_error),
                      next((i.message for i in result.issues), ""))
        if isinstance(result.form, AppraisalForm):
            reason = (f"Không xác định được cơ quan thẩm định (mã '{result.form.appraiser}'"
                      " không có trong cchc.yaml)." if result.form.appraiser else
                      "Không xác định được cơ quan thẩm định: tệp không có trang '_cchc' và"
                      " tên tệp không chứa mã cơ quan thẩm định nào.")
        unmatched.append(Unmatched(result.file, reason))
    return unmatched


def ignored_files(ws: Workspace, year: int) -> list[str]:
    """Files in ``data/Y`` that are not spreadsheets (a PDF, a Word file): listed, never
    silently skipped. Hidden files, Excel's lock files and the folders' system files are
    left out, as everywhere."""
    folder = ws.data_dir(year)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.rglob("*"):
        parts = path.relative_to(folder).parts
        if any(p.startswith((".", "~$")) for p in parts) or path.name.lower() in SYSTEM_FILES:
            continue
        if path.suffix.lower() not in SPREADSHEET_SUFFIXES and path.is_file():
            found.append(ws.rel(path))
    return sorted(found)


__all__ = ["Collection", "read_collection", "year_status", "YearStatus", "UnitStatus",
           "AppraiserStatus", "Unmatched", "assigned_pairs", "changed_pairs", "ignored_files"]
