"""``cchc feedback`` (SPEC §13.3): what goes back to each unit.

After a validation round, a unit whose own self-assessment file has problems gets its
workbook back with every problem cell highlighted and explained (``<CODE>-can-sua.xlsx``):
what is wrong, in which cell, for which criterion, and what to do. Once an appraisal
exists, every unit gets the leaves where the appraisal changed its own value, with the
appraiser's comment and an empty ``Giải trình`` column for its reply
(``<CODE>-ket-qua-tham-dinh.xlsx``). Optionally a cover letter per unit, and a draft
reminder (công văn đôn đốc) to the units and appraisers that are late.

This module decides what each file says (what to do about each problem:
:mod:`cchc_cli.advice`; the letters: :mod:`cchc_cli.letters`);
:mod:`cchc_cli.writers.feedback` lays the workbooks out.
The unit's file is opened for marking up only after cchc's reader has opened the very
same bytes with its safety checks (the sha256 must match what was read), and only if
its XML carries no DTD and its sheets are of a form's size; otherwise — and for .xls and
.ods, which openpyxl cannot open — the copy is a new workbook with the values of the
form sheet, at the same cell addresses, and says so. Originals are never written to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from cchc_cli.advice import advice_for
from cchc_cli.criteria import SURVEY, CriteriaSet, Leaf
from cchc_cli.formspec import SELF_SHEET
from cchc_cli.issues import Issue
from cchc_cli.letters import write_letter, write_reminder
from cchc_cli.numbers import Exact, exact_sub
from cchc_cli.outputs import FEEDBACK_FOLDER, feedback_path
from cchc_cli.readers.forms import LeafEntry
from cchc_cli.readers.register import Unit
from cchc_cli.scoring import NA_REGISTER, SOURCE_APPRAISAL, LeafResult, UnitScore
from cchc_cli.status import Collection, YearStatus

NO_CELL = "(cả tệp)"


@dataclass(frozen=True)
class Problem:
    """One problem of a unit's file, as the unit reads it."""

    error: bool
    file: str
    sheet: str | None
    cell: str | None
    criterion: str | None
    name: str  # the criterion's name
    message: str
    advice: str

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else NO_CELL

    @property
    def severity(self) -> str:
        return "Lỗi" if self.error else "Cảnh báo"

    def note(self) -> str:
        """The text of the comment on the problem cell: the criterion, the cell, what is
        wrong, what to do."""
        about = f"tiêu chí {self.criterion}" if self.criterion else "biểu mẫu"
        if self.name:
            about += f" ({self.name})"
        return (f"{self.severity.upper()} — {about}, ô {self.cell}:\n{self.message}\n"
                f"Cách sửa: {self.advice}")


def problem_of(found: Issue, criteria: CriteriaSet | None, source: str | None = None
               ) -> Problem:
    """A problem as the unit reads it. One found in another of the unit's files than
    ``source`` (a second self-assessment it sent) names that file and is not marked in
    ``source``: its cells are elsewhere."""
    name = ""
    if criteria is not None and found.criterion:
        node = criteria.nodes.get(found.criterion)
        name = node.name if node is not None else ""
    sheet, cell, message = found.sheet, found.cell, found.message
    if source is not None and found.file and found.file != source:
        where = f", ô {sheet}!{cell}" if sheet and cell else ""
        sheet, cell = None, None
        message = f"Trong tệp {Path(found.file).name}{where}: {message}"
    return Problem(error=found.is_error, file=found.file or "", sheet=sheet, cell=cell,
                   criterion=found.criterion, name=name, message=message,
                   advice=advice_for(found))


# --------------------------------------------------------------------------------------
# What the appraisal changed
# --------------------------------------------------------------------------------------

Shown = Decimal | Fraction | str | None
NOT_APPLICABLE = "Không áp dụng"
NOT_SENT = "(chưa gửi)"
INVALID = "(không hợp lệ)"


@dataclass(frozen=True)
class ChangedInput:
    """One named input of a changed leaf (SPEC §13.1): its row code and both values."""

    code: str
    label: str
    own: Decimal | None
    appraised: Decimal | None


@dataclass(frozen=True)
class ChangedLeaf:
    """A leaf whose final appraisal differs from the unit's own value."""

    code: str
    name: str
    max: Decimal
    own: Shown
    appraised: Shown
    before: Exact | None  # the points the unit's own value earns
    after: Exact | None  # the points after the appraisal
    appraiser: str  # its name and round
    comment: str
    inputs: tuple[ChangedInput, ...] = ()

    @property
    def gap(self) -> Exact | None:
        if self.before is None or self.after is None:
            return None
        return exact_sub(self.after, self.before)


@dataclass
class AppraisalChanges:
    """What ``<CODE>-ket-qua-tham-dinh.xlsx`` says to one unit."""

    year: int
    unit: Unit
    precision: int
    appraised: int  # leaves the appraisal decided
    leaves: int  # leaves the appraisal can decide (survey excluded)
    changed: list[ChangedLeaf]
    points: Exact | None  # the unit's total after the appraisal (None: not computed)
    max_points: Exact | None
    index: Exact | None


def changed_leaves(score: UnitScore, criteria: CriteriaSet, appraisers: dict[str, str]
                   ) -> list[ChangedLeaf]:
    """Every leaf where the final appraisal differs from the unit's own value, in the
    order of the criteria."""
    found = []
    for leaf in criteria.leaves:
        result = score.leaves.get(leaf.code)
        if result is None or result.source != SOURCE_APPRAISAL or not result.changed_by_appraisal:
            continue
        final = result.origin if isinstance(result.origin, LeafEntry) else None
        who = appraisers.get(result.appraiser or "", result.appraiser or "")
        found.append(ChangedLeaf(
            code=leaf.code, name=leaf.name, max=leaf.max, own=_value(leaf, result.own),
            appraised=_value(leaf, final), before=result.own_points,
            after=None if result.na or result.missing else result.points,
            appraiser=f"{who} (vòng {result.round})", comment=result.comment,
            inputs=_inputs(leaf, result.own, final)))
    return found


def _value(leaf: Leaf, entry: LeafEntry | None) -> Shown:
    """What a row says for a leaf: the number or option, 'Không áp dụng', or — for a
    leaf with named inputs — the value computed from them (its inputs follow)."""
    if entry is None:
        return NOT_SENT
    if entry.bad:
        return INVALID
    if entry.na:
        return NOT_APPLICABLE
    if entry.inputs is None:
        return entry.value
    values = entry.values
    if values is None:
        return None
    value = leaf.rule.evaluate(values).value
    return "" if value is None else value  # a formula's points have no value of their own


def _inputs(leaf: Leaf, own: LeafEntry | None, final: LeafEntry | None
            ) -> tuple[ChangedInput, ...]:
    if not leaf.rule.inputs:
        return ()
    mine = {i.key: i.value for i in (own.inputs or ())} if own is not None else {}
    theirs = {i.key: i.value for i in (final.inputs or ())} if final is not None else {}
    return tuple(ChangedInput(leaf.input_code(spec.key), spec.label, mine.get(spec.key),
                              theirs.get(spec.key)) for spec in leaf.rule.inputs)


def appraisal_changes(found: Collection, unit: Unit) -> AppraisalChanges | None:
    """The appraisal's changes for one unit (None when its block has no criteria)."""
    score = found.scores.unit(unit.code)
    criteria = found.inputs.sets.get(unit.block)
    if score is None or criteria is None:
        return None
    results: list[LeafResult] = [r for r in score.leaves.values() if r.kind != SURVEY]
    return AppraisalChanges(
        year=found.inputs.year, unit=unit, precision=found.settings.precision,
        appraised=sum(1 for r in results if r.source == SOURCE_APPRAISAL),
        leaves=sum(1 for r in results if r.na_reason != NA_REGISTER),
        changed=changed_leaves(score, criteria, dict(found.settings.appraisers)),
        points=score.points if score.ok else None,
        max_points=score.max_points if score.ok else None,
        index=score.index_published if score.ok else None)


# --------------------------------------------------------------------------------------
# The files of one run
# --------------------------------------------------------------------------------------


@dataclass
class UnitFeedback:
    """What one unit gets."""

    code: str
    name: str
    errors: int = 0
    warnings: int = 0
    fix_file: Path | None = None
    copy_note: str = ""  # why the copy holds values only, when it does
    appraisal_file: Path | None = None
    changed: int = 0
    letter: Path | None = None
    removed: list[Path] = field(default_factory=list)  # its files that no longer apply

    def to_dict(self, rel: Any) -> dict[str, Any]:
        def shown(path: Path | None) -> str | None:
            return rel(path) if path is not None else None

        return {"code": self.code, "errors": self.errors, "warnings": self.warnings,
                "fix_file": shown(self.fix_file), "values_only": bool(self.copy_note),
                "appraisal_file": shown(self.appraisal_file), "changed": self.changed,
                "letter": shown(self.letter)}


@dataclass
class FeedbackRun:
    """Everything ``cchc feedback`` wrote."""

    collection: Collection
    folder: Path
    units: list[UnitFeedback] = field(default_factory=list)
    reminder: Path | None = None

    @property
    def year(self) -> int:
        return self.collection.inputs.year

    @property
    def written(self) -> list[Path]:
        found = [p for u in self.units for p in (u.fix_file, u.appraisal_file, u.letter)
                 if p is not None]
        return found + ([self.reminder] if self.reminder else [])

    @property
    def removed(self) -> list[Path]:
        return [path for unit in self.units for path in unit.removed]

    @property
    def issues(self) -> list[Issue]:
        return self.collection.issues

    def to_dict(self) -> dict[str, Any]:
        rel = self.collection.workspace.rel
        return {"year": self.year, "folder": rel(self.folder),
                "units": [u.to_dict(rel) for u in self.units],
                "reminder": rel(self.reminder) if self.reminder else None,
                "removed": [rel(p) for p in self.removed]}


@dataclass(frozen=True)
class Templates:
    """The Word templates a run renders (None: that document is not asked for)."""

    letter: Path | None = None
    reminder: Path | None = None


@dataclass(frozen=True)
class _Job:
    """What writing one unit's files needs besides the year."""

    as_of: dt.date
    letter: Path | None
    appraised: bool  # an appraisal exists: every unit gets its results


def write_feedback(found: Collection, units: list[Unit], *, as_of: dt.date,
                   templates: Templates = Templates(), status: YearStatus | None = None,
                   jobs: int | None = None) -> FeedbackRun:
    """Write each unit's files into ``results/Y/gui-don-vi/``; a unit's file from an
    earlier run that no longer applies (its problems are fixed) is removed, so that
    nothing stale is sent. Many units are shared between ``jobs`` processes."""
    results = found.workspace.results_dir(found.inputs.year)
    run = FeedbackRun(collection=found, folder=results / FEEDBACK_FOLDER)
    job = _Job(as_of=as_of, letter=templates.letter, appraised=bool(found.inputs.appraisals))
    run.units = _every_unit(found, units, job, jobs)
    if templates.reminder is not None and status is not None:
        with collecting_cycles():
            run.reminder = write_reminder(found, status, template=templates.reminder)
    return run


def unit_files(found: Collection, unit: Unit, job: _Job) -> UnitFeedback:
    """Write (or remove) one unit's files."""
    results = found.workspace.results_dir(found.inputs.year)
    mine = UnitFeedback(code=unit.code, name=unit.name)
    _write_fix(found, unit, mine)
    if job.appraised:
        _write_changes(found, unit, mine)
    else:
        _remove(mine, feedback_path(results, "appraisal", unit=unit.code))
    if job.letter is not None and (mine.fix_file or mine.appraisal_file):
        mine.letter = write_letter(found, mine, template=job.letter, as_of=job.as_of)
    return mine


@contextlib.contextmanager
def collecting_cycles() -> Iterator[None]:
    """Let the cyclic collector free what openpyxl and python-docx build (their objects
    point at each other) while a run's own records, which form no cycles and are many,
    are frozen out of its sight (see api.gc_paused)."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()
        gc.unfreeze()


# What forked workers write from: the year and the job (set before the pool starts).
_SHARED: list[tuple[Collection, _Job]] = []


def _work(codes: list[str]) -> list[UnitFeedback]:
    found, job = _SHARED[-1]
    with collecting_cycles():
        return [unit_files(found, found.register.units[code], job) for code in codes]


def _every_unit(found: Collection, units: list[Unit], job: _Job, jobs: int | None
                ) -> list[UnitFeedback]:
    """Every unit's files, in this process or — for many units, when processes start by
    ``fork`` — shared with worker processes that inherit the year already read (a unit's
    workbook takes openpyxl about 50 ms to load and save). Under ``spawn`` (Windows, or
    CCHC_START_METHOD=spawn) a worker would have to read the whole year again, which
    costs more than it saves: the files are then written here, one after another."""
    import multiprocessing

    from cchc_cli.inputs import default_jobs, effective_jobs
    from cchc_cli.processes import start_method

    codes = [unit.code for unit in units]
    count = effective_jobs(default_jobs() if jobs is None else max(1, jobs), len(codes))
    _SHARED.append((found, job))
    try:
        if count == 1 or start_method() != "fork":
            return _work(codes)
        from concurrent.futures import ProcessPoolExecutor

        import openpyxl  # noqa: F401  (imported once, before forking)
        import xlsxwriter  # noqa: F401

        chunks = [codes[i:i + 8] for i in range(0, len(codes), 8)]
        with ProcessPoolExecutor(max_workers=count,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            return [mine for done in pool.map(_work, chunks) for mine in done]
    finally:
        _SHARED.pop()


def _remove(mine: UnitFeedback, path: Path) -> None:
    if path.is_file():
        path.unlink()
        mine.removed.append(path)


def _write_fix(found: Collection, unit: Unit, mine: UnitFeedback) -> None:
    results = found.workspace.results_dir(found.inputs.year)
    targets = {kind: feedback_path(results, kind, unit=unit.code)
               for kind in ("fix", "fix_macros")}
    issues = found.problems(unit.code)
    mine.errors = sum(1 for i in issues if i.is_error)
    mine.warnings = len(issues) - mine.errors
    if not issues:
        for path in targets.values():
            _remove(mine, path)
        return
    criteria = found.inputs.sets.get(unit.block)
    source = found.self_files[unit.code][0]
    problems = [problem_of(i, criteria, source) for i in issues]
    from cchc_cli.writers.atomic import write_bytes_atomic
    from cchc_cli.writers.feedback import CannotOpen, marked_workbook

    copy = fix_copy(found, source, problems)
    try:
        content = marked_workbook(copy, problems,
                                  _fix_header(found, unit, source, problems, copy.note))
    except CannotOpen as failed:
        copy = fix_copy(found, source, problems, refusal=f"openpyxl không mở được: {failed}")
        content = marked_workbook(copy, problems,
                                  _fix_header(found, unit, source, problems, copy.note))
    target = targets["fix_macros" if copy.macros else "fix"]
    write_bytes_atomic(target, content)
    mine.fix_file, mine.copy_note = target, copy.note
    for path in targets.values():
        if path != target:
            _remove(mine, path)


@dataclass
class FixCopy:
    """The unit's workbook to mark up: its bytes (openpyxl opens them), or else the
    values of its form sheet (``rows``) and why (``note``)."""

    data: bytes | None = None
    macros: bool = False
    sheet: str = SELF_SHEET
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""


# Sheets of a self-assessment hold about a thousand cells; openpyxl keeps each cell as an
# object (about 0.5 kB), so a workbook with far more is copied as values instead.
OPENPYXL_MAX_CELLS = 300_000


def fix_copy(found: Collection, source: str, problems: list[Problem], *,
             refusal: str | None = None) -> FixCopy:
    """Read the unit's file again and decide how it can be copied. The bytes must be the
    ones the reader opened with its safety checks (the same sha256); an .xlsx goes to
    openpyxl after the checks of :func:`openpyxl_refusal` (``refusal``: a reason not to,
    found earlier), anything else is copied as values, read by cchc's reader again."""
    from cchc_cli.files import FileRefused, read_limited
    from cchc_cli.issues import issue
    from cchc_cli.readers.workbook import MAX_FILE_BYTES, open_book

    path = found.workspace.root / source
    sheet = next((p.sheet for p in problems if p.sheet), SELF_SHEET)
    recorded = next((f.sha256 for f in found.inputs.files if f.file == source), None)
    try:
        data = read_limited(path, MAX_FILE_BYTES)
        if hashlib.sha256(data).hexdigest() != recorded:
            return FixCopy(sheet=sheet, note="Tệp của đơn vị đã thay đổi sau khi cchc đọc;"
                           " hãy chạy lại lệnh. Dưới đây là các vấn đề của lần đọc trước.")
        if refusal is None and _is_xlsx(data):
            refusal = openpyxl_refusal(data)
            if refusal is None:
                return FixCopy(data=data, macros=_has_macros(data), sheet=sheet)
        book = open_book(path, data)
    except FileRefused as refused:
        reason = issue(refused.code, **refused.params).message
        return FixCopy(sheet=sheet, note=f"Không mở được tệp của đơn vị để đánh dấu: {reason}")
    why = (f"không sửa trực tiếp được ({refusal})" if book.format == "xlsx" else
           f"là .{book.format}, định dạng cchc không sửa trực tiếp được")
    if sheet not in book.sheet_names:
        sheet = next((s for s in book.sheet_names if s not in book.hidden), sheet)
    rows = book.sheet(sheet).rows if sheet in book.sheet_names else []
    return FixCopy(sheet=sheet, rows=rows, note=(
        f"Tệp của đơn vị {why}; đây là bản sao giá trị của trang '{sheet}', cùng địa chỉ ô."
        " Hãy sửa trong tệp gốc theo các ô được đánh dấu ở đây."))


def _is_xlsx(data: bytes) -> bool:
    from cchc_cli.readers.workbook import MAX_XML_BYTES, open_archive, sniff_format

    return sniff_format(data) == "zip" and "xl/workbook.xml" in open_archive(
        data, MAX_XML_BYTES)[1]


def openpyxl_refusal(data: bytes) -> str | None:
    """Why an .xlsx's bytes should not be given to openpyxl, or None.

    Every part is inflated within the reader's bounds; no part may declare a DTD
    (entities); and the cells openpyxl would make an object for — one per cell written,
    one per cell of a merged range or of a range a hyperlink covers — stay within
    OPENPYXL_MAX_CELLS (a crafted ``A1:XFD1048576`` would otherwise make billions).
    """
    from cchc_cli.readers.workbook import MAX_XML_BYTES, inflate, open_archive

    _, infos = open_archive(data, MAX_XML_BYTES)
    cells = 0
    for name, info in infos.items():
        if not name.endswith((".xml", ".rels", ".vml")):
            continue
        xml = inflate(data, info)
        if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
            return "tệp có khai báo DTD"
        if name.startswith("xl/worksheets/"):
            covered = _ranges_covered(xml)
            if covered is None:
                return "trang tính có vùng ô gộp hoặc liên kết không đọc được"
            # Every '<c' (and prefixed ':c') starts at most one cell: a bound, cheaply.
            cells += xml.count(b"<c") + xml.count(b":c") + covered
    if cells > OPENPYXL_MAX_CELLS:
        return f"các trang có tới {cells} ô"
    return None


_RANGE_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:mergeCell|hyperlink)\b([^>]*)>", re.IGNORECASE)
_REF_ATTR = re.compile(rb"\bref\s*=\s*[\"']([^\"']*)[\"']")
_RANGE_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$")


def _ranges_covered(xml: bytes) -> int | None:
    """Cells covered by the sheet's merged ranges and hyperlink ranges; None when a
    range is written in a way that cannot be bounded."""
    if b"mergeCell" not in xml and b"hyperlink" not in xml:
        return 0
    total = 0
    for match in _RANGE_TAG.finditer(xml):
        ref = _REF_ATTR.search(match.group(1))
        found = _RANGE_REF.match(ref.group(1).decode("latin-1").strip()) if ref else None
        if found is None:
            return None
        first_col, first_row, last_col, last_row = found.groups()
        if last_col is not None:
            rows = abs(int(last_row) - int(first_row)) + 1
            cols = abs(_column(last_col) - _column(first_col)) + 1
            total += rows * cols
    return total


def _column(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _has_macros(data: bytes) -> bool:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(name.lower().endswith("vbaproject.bin") for name in archive.namelist())


@dataclass(frozen=True)
class FixHeader:
    """The top of the sheet ``Vấn đề cần sửa``."""

    title: str
    lines: tuple[str, ...]
    note: str  # the values-only copy's explanation, or ""


def _fix_header(found: Collection, unit: Unit, source: str, problems: list[Problem],
                note: str) -> FixHeader:
    errors = sum(1 for p in problems if p.error)
    warnings = len(problems) - errors
    counts = " và ".join(part for part in (f"{errors} lỗi" if errors else "",
                                            f"{warnings} cảnh báo" if warnings else "") if part)
    how = ("Ô có lỗi được tô đỏ, ô có cảnh báo tô cam, mỗi ô có ghi chú; bấm vào địa chỉ ô"
           " ở cột 'Ô' để đến ô đó." if not note else
           "Mỗi vấn đề có địa chỉ ô trong tệp gốc của đơn vị.")
    return FixHeader(
        title=f"VẤN ĐỀ CẦN SỬA TRONG BIỂU TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM {found.inputs.year}",
        lines=(f"Đơn vị: {unit.name} (mã {unit.code}). Tệp đã nhận: {Path(source).name}.",
               f"Có {counts}. {how} Lỗi phải sửa thì mới chấm điểm được; cảnh báo cần xem"
               " lại. Sửa xong, lưu tệp và gửi lại Sở Nội vụ (trang này không ảnh hưởng đến"
               " kết quả)."),
        note=note)


def _write_changes(found: Collection, unit: Unit, mine: UnitFeedback) -> None:
    from cchc_cli.writers.atomic import write_bytes_atomic
    from cchc_cli.writers.feedback import appraisal_workbook

    changes = appraisal_changes(found, unit)
    if changes is None:
        return
    path = feedback_path(found.workspace.results_dir(found.inputs.year), "appraisal",
                         unit=unit.code)
    write_bytes_atomic(path, appraisal_workbook(changes))
    mine.appraisal_file, mine.changed = path, len(changes.changed)


__all__ = ["Problem", "problem_of", "ChangedLeaf", "ChangedInput", "AppraisalChanges",
           "changed_leaves", "appraisal_changes", "UnitFeedback", "FeedbackRun", "Templates",
           "write_feedback", "unit_files", "fix_copy", "openpyxl_refusal", "FixCopy",
           "FixHeader", "write_letter", "write_reminder"]
