"""Everything a year's scoring reads, gathered once: criteria, register, every form.

:func:`read_year` is the one pass over a year's files. Forms are read in parallel worker
processes when there are many (each worker returns small plain records); then the
records are merged here, where the checks that need more than one file happen: two
forms for one unit, conflicting appraisals within a round, appraisals that change a
value without a comment, units without a self-assessment.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cchc_cli.criteria import CriteriaSet
from cchc_cli.formspec import APPRAISAL_SHEET
from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import plain
from cchc_cli.processes import Helper
from cchc_cli.readers.forms import (
    AppraisalForm,
    LeafEntry,
    ReadContext,
    ReadResult,
    SelfForm,
    SurveyForm,
    SurveyValue,
    read_input,
)
from cchc_cli.readers.register import Register, check_not_applicable, read_register
from cchc_cli.workspace import Workspace, load_year_criteria

Progress = Callable[[int, int], None]
# A workbook from outside data/Y read as the year's last appraisal round (the council's
# what-if values, SPEC §13.5): it reads itself against the year's context.
FinalRound = Callable[[ReadContext], ReadResult]

# Below this many files a process pool costs more than it saves (measured in
# tests/perf/bench.py: starting workers and shipping the context ≈ 60 ms).
PARALLEL_MIN_FILES = 40


@dataclass(slots=True)
class Appraised:
    """One appraisal of one leaf of one unit, with where it came from."""

    entry: LeafEntry
    file: str
    sheet: str
    round: int
    appraiser: str


@dataclass(slots=True)
class InputFile:
    file: str
    sha256: str | None
    kind: str | None


@dataclass
class YearInputs:
    year: int
    sets: dict[str, CriteriaSet]
    register: Register | None
    self_forms: dict[str, SelfForm] = field(default_factory=dict)
    # (unit, leaf) → appraisals in round order; the last one is final.
    appraisals: dict[tuple[str, str], list[Appraised]] = field(default_factory=dict)
    survey: dict[tuple[str, str], tuple[SurveyValue, str, str]] = field(default_factory=dict)
    files: list[InputFile] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    criteria_summaries: list[dict] = field(default_factory=list)
    _appraised: tuple[int, frozenset[str]] = field(default=(-1, frozenset()), repr=False)

    @property
    def appraised_units(self) -> frozenset[str]:
        """The units some appraisal speaks of (worked out again only when the appraisals
        change: scoring asks for every unit)."""
        size, units = self._appraised
        if size != len(self.appraisals):
            units = frozenset(unit for unit, _ in self.appraisals)
            self._appraised = (len(self.appraisals), units)
        return units


CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
# Each process must have enough files to repay its start (forking, shipping results).
FILES_PER_PROCESS = 20


def default_jobs() -> int:
    """The processors this process may really use: its CPU affinity, within a container's
    CPU quota (a 2-CPU container on a 64-core host gets 2, not 64)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpus(CGROUP_CPU_MAX)
    return max(1, min(cpus, quota) if quota else cpus)


def _cgroup_cpus(path: Path) -> int | None:
    """CPUs granted by a cgroup v2 quota ('200000 100000' → 2), None without a quota."""
    try:
        fields = path.read_text().split()
    except OSError:
        return None
    if len(fields) != 2 or fields[0] == "max":
        return None
    try:
        return max(1, math.ceil(int(fields[0]) / int(fields[1])))
    except (ValueError, ZeroDivisionError):
        return None


def effective_jobs(jobs: int, files: int) -> int:
    """Processes worth starting for ``files`` files: none below PARALLEL_MIN_FILES, and
    never more than one per FILES_PER_PROCESS files."""
    if files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(jobs, files // FILES_PER_PROCESS))


# --------------------------------------------------------------------------------------
# Reading, sequential or in a pool
# --------------------------------------------------------------------------------------

# A file to read: its path, its name in messages, and the year whose context checks it.
Item = tuple[Path, str, int]

_WORKER_CONTEXTS: dict[int, ReadContext] = {}


def _init_worker(contexts: dict[int, ReadContext]) -> None:
    _WORKER_CONTEXTS.clear()
    _WORKER_CONTEXTS.update(contexts)


def _read_chunk(chunk: list[tuple[int, str, str, int]]) -> list[tuple[int, ReadResult]]:
    return [(index, read_input(Path(path), rel, _WORKER_CONTEXTS[year]))
            for index, path, rel, year in chunk]


def _chunks(items: list[Item], jobs: int) -> list[list[tuple[int, str, str, int]]]:
    """Largest files first, each alone (an appraisal workbook of a whole province takes
    as long as a hundred self-assessments), then the rest in small chunks."""
    sized = []
    for index, (path, rel, year) in enumerate(items):
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        sized.append((size, index, str(path), rel, year))
    sized.sort(key=lambda item: (-item[0], item[1]))
    alone = jobs * 2
    chunks = [[(i, p, r, y)] for _, i, p, r, y in sized[:alone]]
    rest = [(i, p, r, y) for _, i, p, r, y in sized[alone:]]
    size = max(1, min(32, len(rest) // (jobs * 16) or 1))
    chunks += [rest[k:k + size] for k in range(0, len(rest), size)]
    return chunks


def read_files(items: list[Item], contexts: dict[int, ReadContext], *, jobs: int | None = None,
               progress: Progress | None = None, keep: Helper | None = None
               ) -> list[ReadResult]:
    """Read every item; results in the order given.

    Small runs are read in this process. Many files are shared between this process and
    ``jobs − 1`` workers: workers take chunks from the front of the list (largest files
    first), this process reads from the back, so both finish together and the results
    this process reads never need pickling. Workers are forked where the system can
    (nothing is imported twice) and spawned elsewhere (Windows) or when
    ``CCHC_START_METHOD`` asks: then each imports the reader and receives the year's
    contexts once, pickled. With ``keep``, the pool is not closed but handed over to it,
    for a job at the end of the run (:class:`~cchc_cli.processes.Helper`).
    """
    total = len(items)
    jobs = effective_jobs(default_jobs() if jobs is None else max(1, jobs), total)
    ordered: list[ReadResult | None] = [None] * total
    done = 0

    def store(chunk: list[tuple[int, ReadResult]]) -> None:
        nonlocal done
        for index, result in chunk:
            ordered[index] = result
        done += len(chunk)
        if progress:
            progress(done, total)

    if jobs == 1:
        for index, (path, rel, year) in enumerate(items):
            store([(index, read_input(path, rel, contexts[year]))])
        return ordered  # type: ignore[return-value]
    import multiprocessing
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from cchc_cli.processes import start_method

    method = start_method()
    _init_worker(contexts)  # this process reads too
    workers = jobs - 1
    pending = deque(_chunks(items, jobs))
    running: set = set()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(contexts,),
    )
    try:
        while pending or running:
            while pending and len(running) < workers * 2:
                running.add(pool.submit(_read_chunk, pending.popleft()))
            if pending:
                store(_read_chunk(pending.pop()))
                finished = {f for f in running if f.done()}
            else:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                running.discard(future)
                store(future.result())
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    if keep is not None:
        keep.adopt(pool)
    else:
        pool.shutdown(wait=True)
    return ordered  # type: ignore[return-value]


# --------------------------------------------------------------------------------------
# The year
# --------------------------------------------------------------------------------------


def prepare_year(ws: Workspace, year: int, keep_text: bool = False
                 ) -> tuple[YearInputs, ReadContext | None]:
    """Criteria and register of a year, and the context its forms are read against."""
    loaded = load_year_criteria(ws, year)
    register_path = ws.register_path(year)
    register, register_issues = read_register(register_path, file=ws.rel(register_path),
                                              blocks=ws.settings.blocks)
    inputs = YearInputs(year=year, sets=loaded.sets, register=register,
                        criteria_summaries=loaded.summaries)
    inputs.issues.extend(loaded.issues)
    inputs.issues.extend(register_issues)
    if register is None:
        return inputs, None
    inputs.issues.extend(check_not_applicable(register, loaded.sets, sheet=register.sheet))
    for block in sorted({u.block for u in register.units.values()}):
        if block in ws.settings.blocks and block not in loaded.sets and not any(
            s["file"].endswith(f"/{block}.yaml") for s in loaded.summaries
        ):
            inputs.issues.append(issue("khoi-khong-co-bo-tieu-chi", file=f"criteria/{year}",
                                       value=block, year=year))
    context = ReadContext(
        year=year,
        sets=loaded.sets,
        units={u.code: (u.block, u.name) for u in register.units.values()},
        appraisers=dict(ws.settings.appraisers),
        keep_text=keep_text,
    )
    return inputs, context


def read_years(ws: Workspace, years: list[int], *, jobs: int | None = None,
               progress: Progress | None = None, only: set[Path] | None = None,
               keep_text: bool = False, final: Mapping[int, FinalRound] | None = None,
               keep: Helper | None = None) -> dict[int, YearInputs]:
    """Several years at once (this year and last year for ``rank``): one pool, one pass
    over every file. ``keep_text`` keeps evidence and explanations (for explain);
    ``final`` adds a last appraisal round to a year, above every round read; ``keep``
    keeps the reading workers for a job at the end of the run."""
    prepared = {year: prepare_year(ws, year, keep_text) for year in years}
    contexts = {year: ctx for year, (_, ctx) in prepared.items() if ctx is not None}
    items: list[Item] = []
    for year in contexts:
        paths = ws.input_files(year)
        if only is not None:
            paths = [p for p in paths if p.resolve() in only]
        items.extend((p, ws.rel(p), year) for p in paths)
    results = read_files(items, contexts, jobs=jobs, progress=progress, keep=keep)
    by_year: dict[int, list[ReadResult]] = {year: [] for year in contexts}
    for (_, _, year), result in zip(items, results, strict=True):
        by_year[year].append(result)
    for year, read_final in (final or {}).items():
        if year in contexts:
            by_year[year].append(last_round(read_final(contexts[year]), by_year[year]))
    found: dict[int, YearInputs] = {}
    for year, (inputs, ctx) in prepared.items():
        if ctx is not None and inputs.register is not None:
            merge(inputs, by_year[year])
            if only is None:
                _check_missing_self(inputs, inputs.register)
        found[year] = inputs
    return found


def read_year(ws: Workspace, year: int, *, jobs: int | None = None,
              progress: Progress | None = None, only: set[Path] | None = None,
              keep_text: bool = False, keep: Helper | None = None) -> YearInputs:
    """Criteria, register and every input form of ``year``, merged and cross-checked."""
    return read_years(ws, [year], jobs=jobs, progress=progress, only=only,
                      keep_text=keep_text, keep=keep)[year]


def last_round(result: ReadResult, others: list[ReadResult]) -> ReadResult:
    """Number an appraisal one round above every appraisal round in ``others``."""
    if isinstance(result.form, AppraisalForm):
        result.form.round = 1 + max((r.form.round for r in others
                                     if isinstance(r.form, AppraisalForm)), default=0)
    return result


def merge(inputs: YearInputs, results: list[ReadResult]) -> None:
    """Fold the per-file records into the year, with the cross-file checks."""
    appraisal_forms: list[AppraisalForm] = []
    for result in results:
        inputs.files.append(InputFile(result.file, result.sha256, result.kind))
        inputs.issues.extend(result.issues)
        form = result.form
        if isinstance(form, SelfForm):
            first = inputs.self_forms.get(form.unit)
            if first is not None:
                inputs.issues.append(issue("bieu-mau-trung-don-vi", file=form.file,
                                           sheet=form.sheet, unit=form.unit, first=first.file))
            else:
                inputs.self_forms[form.unit] = form
        elif isinstance(form, AppraisalForm):
            appraisal_forms.append(form)
        elif isinstance(form, SurveyForm):
            _merge_survey(inputs, form)
    _merge_appraisals(inputs, appraisal_forms)


def describe_entry(entry: LeafEntry) -> str:
    """What a row says, for messages: 'không áp dụng', '91.5', "'Ban hành chậm'",
    'a = 12; b = 14'."""
    if entry.na:
        return "không áp dụng"
    if entry.inputs is not None:
        return "; ".join(f"{item.key} = {'(trống)' if item.value is None else plain(item.value)}"
                         for item in entry.inputs)
    if entry.value is None:
        return "(trống)"
    return plain(entry.value) if not isinstance(entry.value, str) else f"'{entry.value}'"


def same_entry(a: LeafEntry, b: LeafEntry) -> bool:
    """Two rows that say the same for a leaf (N/A, or the same value or inputs)."""
    if a.na or b.na:
        return a.na == b.na
    if a.inputs is not None or b.inputs is not None:
        return _input_values(a) == _input_values(b)
    return a.value == b.value


def _input_values(entry: LeafEntry) -> tuple[tuple[str, Decimal | None], ...]:
    return tuple((item.key, item.value) for item in entry.inputs or ())


def _conflict_cell(a: LeafEntry, b: LeafEntry) -> tuple[str | None, str | None]:
    """The first cells where two appraisals of one leaf disagree (per input row)."""
    if a.inputs is not None and b.inputs is not None and not (a.na or b.na):
        for mine, theirs in zip(a.inputs, b.inputs, strict=False):
            if mine.value != theirs.value:
                return mine.cell, theirs.cell
    return a.cell or a.na_cell, b.cell or b.na_cell


def _merge_appraisals(inputs: YearInputs, forms: list[AppraisalForm]) -> None:
    by_round: dict[tuple[str, str, int], Appraised] = {}
    for form in forms:
        for row in form.rows:
            key = (row.unit, row.entry.code, form.round)
            found = Appraised(row.entry, form.file, form.sheet, form.round, form.appraiser)
            earlier = by_round.get(key)
            if earlier is None:
                by_round[key] = found
                continue
            if earlier.entry.bad or row.entry.bad or same_entry(earlier.entry, row.entry):
                continue
            first_cell, second_cell = _conflict_cell(earlier.entry, row.entry)
            where = f"{earlier.file}, {earlier.sheet}!{first_cell}"
            inputs.issues.append(
                issue("tham-dinh-mau-thuan", file=form.file, sheet=form.sheet,
                      cell=second_cell, unit=row.unit,
                      criterion=row.entry.code, round=form.round,
                      first=describe_entry(earlier.entry), first_at=where,
                      second=describe_entry(row.entry))
            )
    for (unit, code, _), found in sorted(by_round.items(), key=lambda kv: kv[0]):
        inputs.appraisals.setdefault((unit, code), []).append(found)
    # An appraisal that changes the unit's own value should say why.
    for (unit, code), history in inputs.appraisals.items():
        own_form = inputs.self_forms.get(unit)
        own = own_form.entries.get(code) if own_form else None
        for found in history:
            entry = found.entry
            if own is None or entry.bad or own.bad or entry.note or same_entry(own, entry):
                continue
            inputs.issues.append(
                issue("tham-dinh-khong-nhan-xet", file=found.file, sheet=found.sheet or
                      APPRAISAL_SHEET, cell=entry.cell or entry.na_cell, unit=unit,
                      criterion=code, appraised=describe_entry(entry), own=describe_entry(own))
            )


def _merge_survey(inputs: YearInputs, form: SurveyForm) -> None:
    for value in form.values:
        key = (value.unit, value.code)
        earlier = inputs.survey.get(key)
        if earlier is None:
            inputs.survey[key] = (value, form.file, form.sheet)
            continue
        first = earlier[0]
        if first.na == value.na and first.value == value.value:
            continue
        inputs.issues.append(
            issue("khao-sat-trung", file=form.file, sheet=form.sheet, cell=value.cell,
                  unit=value.unit, criterion=value.code,
                  first=_survey_text(first), first_at=f"{earlier[1]}, {earlier[2]}!{first.cell}",
                  second=_survey_text(value))
        )


def _survey_text(value: SurveyValue) -> str:
    return "x" if value.na or value.value is None else plain(value.value)


def _check_missing_self(inputs: YearInputs, register: Register) -> None:
    for unit in register.units.values():
        if unit.code not in inputs.self_forms and unit.block in inputs.sets:
            inputs.issues.append(
                issue("thieu-tu-danh-gia", file=register.file, sheet=register.sheet,
                      cell=unit.cell, unit=unit.code, name=unit.name, year=inputs.year)
            )
