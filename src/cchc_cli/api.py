"""The library face of cchc: one function per command.

The CLI parses options, calls exactly one of these and renders what it returns, so
``cchc X --format json`` and ``api.X(...)`` give the same document.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_cli.criteria import CriteriaSet
from cchc_cli.errors import UsageError
from cchc_cli.inputs import FinalRound, Progress, YearInputs, read_year
from cchc_cli.issues import Issue, has_errors, sorted_issues
from cchc_cli.numbers import json_number
from cchc_cli.outputs import result_path
from cchc_cli.processes import Helper
from cchc_cli.ranking import PreviousYear, YearRanking
from cchc_cli.record import KIND_REGISTER, SourceFile, YearResult
from cchc_cli.scoring import UnitScore, YearScores
from cchc_cli.settings import SETTINGS_FILE
from cchc_cli.timing import stage
from cchc_cli.workspace import Workspace

if TYPE_CHECKING:
    from cchc_cli.database import PublishedYear
    from cchc_cli.history import HistoryReport

_YEAR = re.compile(r"^\d{4}$")
# The Word templates of the collection loop (templates/, or the workspace's own).
LETTER, REMINDER = "cong-van-gui-don-vi.docx", "cong-van-don-doc.docx"


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a run builds its records.

    A run allocates a million small objects that live until it ends and form no
    cycles; the collector would repeatedly walk them all (measured: 60 % of scoring
    time at 1 000 units). Reference counting still frees everything else.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class ValidationReport:
    years: list[int]
    criteria: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)

    def to_dict(self) -> dict[str, Any]:
        criteria = [
            {k: (json_number(v) if k == "scale" else v) for k, v in summary.items()}
            for summary in self.criteria
        ]
        return {
            "years": self.years,
            "ok": self.ok,
            "errors": sum(1 for i in self.issues if i.is_error),
            "warnings": sum(1 for i in self.issues if not i.is_error),
            "criteria": criteria,
            "files": self.files,
            "issues": [i.to_dict() for i in self.issues],
        }


def _year_of(ws: Workspace, path: Path) -> int | None:
    """The year folder a path lies in (criteria/2023/…, data/2023/…)."""
    try:
        parts = path.resolve().relative_to(ws.root).parts
    except ValueError:
        parts = path.resolve().parts
    for part in parts:
        if _YEAR.match(part):
            return int(part)
    return None


@gc_paused()
def validate(
    workspace: Path,
    *,
    year: int | None = None,
    paths: Sequence[Path] = (),
    jobs: int | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """Check cchc.yaml, criteria files, registers and input forms; list every problem.

    With ``paths``, only those files are read and reported (the year's criteria and
    register are still loaded, since forms are checked against them).
    """
    ws = Workspace.open(workspace)
    wanted = {p.resolve() for p in paths}
    if paths:
        years = sorted({y for p in paths if (y := year or _year_of(ws, p)) is not None})
    else:
        years = [year] if year is not None else ws.years()
    report = ValidationReport(years=years)
    if not paths or (ws.root / SETTINGS_FILE).resolve() in wanted:
        report.issues.extend(ws.settings_issues)
        report.files.append(SETTINGS_FILE)
    for y in years:
        inputs = read_year(ws, y, jobs=jobs, progress=progress, only=wanted or None)
        if not paths:
            from cchc_cli.scoring import score_year

            blocks = {code: b.name for code, b in ws.settings.blocks.items()}
            report.issues.extend(
                score_year(inputs, blocks=blocks, precision=ws.settings.precision).issues
            )
        report.criteria.extend(inputs.criteria_summaries)
        report.files.extend(s["file"] for s in inputs.criteria_summaries)
        report.files.append(ws.rel(ws.register_path(y)))
        report.files.extend(f.file for f in inputs.files)
        report.issues.extend(inputs.issues)
    if paths:
        keep = {ws.rel(p) for p in wanted}
        report.files = [f for f in report.files if f in keep]
        report.criteria = [s for s in report.criteria if s["file"] in keep]
        report.issues = [i for i in report.issues if i.file in keep or i.file is None]
    report.issues = sorted_issues(report.issues)
    return report


def latest_year(workspace: Path) -> int:
    """The year result commands take when ``--year`` is not given: the latest year that
    has criteria or data in the workspace."""
    years = Workspace.open(workspace).years()
    if not years:
        raise UsageError("Không gian làm việc chưa có năm nào (thư mục criteria/<năm>/ hoặc"
                         " data/<năm>/); hãy chỉ năm bằng --year.")
    return years[-1]


def match_unit(given: str, codes: Iterable[str], *, year: int) -> str:
    """The register's code that a code typed on the command line means.

    An exact match wins; otherwise the one code equal to it ignoring case (``stp`` →
    ``STP``). No match, or several (only in a register that already has an error for
    it), is a usage error with the closest codes as a hint.
    """
    import difflib

    codes = list(codes)
    if given in codes:
        return given
    folded = given.strip().casefold()
    same = [code for code in codes if code.casefold() == folded]
    if len(same) == 1:
        return same[0]
    if same:
        raise UsageError(f"Mã '{given}' ứng với nhiều đơn vị khi không phân biệt chữ hoa,"
                         f" chữ thường: {', '.join(same)}; hãy gõ đúng mã.")
    close = difflib.get_close_matches(given.upper(), [c.upper() for c in codes], n=3)
    by_upper = {c.upper(): c for c in codes}
    hint = f" Có phải: {', '.join(by_upper[c] for c in close)}?" if close else ""
    raise UsageError(f"Không có đơn vị mã '{given}' trong danh sách đơn vị năm {year}.{hint}")


@dataclass
class TemplateReport:
    folder: Path
    written: list[Path]
    issues: list[Issue]

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "written": [str(p) for p in self.written],
            "issues": [i.to_dict() for i in self.issues],
        }


def template(
    workspace: Path,
    *,
    year: int,
    kind: str = "all",
    out: Path | None = None,
    round_no: int = 1,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> TemplateReport:
    """Write blank forms (appraisal forms prefilled from the self-assessments received);
    ``progress(done, total)`` is called after each form."""
    from cchc_cli.forms import write_forms

    ws = Workspace.open(workspace)
    folder = out or ws.forms_dir(year)
    result = write_forms(ws, year, kind=kind, out=folder, round_no=round_no, jobs=jobs,
                         progress=progress)
    return TemplateReport(folder=folder, written=result.written,
                          issues=sorted_issues(result.issues))


def parse_as_of(text: str | None) -> dt.datetime:
    """``--as-of``: the moment the results are computed "as of" — written in the
    ``Nguồn`` sheets and the documents' properties, and the year of an undated decision
    (default: now). Giving it makes a run repeatable byte for byte."""
    if text is None:
        return dt.datetime.now().replace(microsecond=0)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"--as-of '{text}' không phải ngày giờ dạng YYYY-MM-DD[THH:MM].") from exc
    return value.replace(tzinfo=None, microsecond=0)


def parse_date(text: str | dt.date | None) -> dt.date | None:
    """``--date``: the signing date printed in the decision (default: left blank)."""
    if text is None or isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise UsageError(f"--date '{text}' không phải ngày dạng YYYY-MM-DD.") from exc


def _moment(as_of: str | dt.datetime | None) -> dt.datetime:
    return as_of if isinstance(as_of, dt.datetime) else parse_as_of(as_of)


@dataclass
class ScoreRun:
    """Everything ``cchc score`` computed and wrote: what was read, and the record."""

    workspace: Workspace
    inputs: YearInputs
    result: YearResult
    written: list[Path] = field(default_factory=list)
    blocked: bool = False  # errors and no --allow-errors: results not written

    @property
    def year(self) -> int:
        return self.result.year

    @property
    def scores(self) -> YearScores:
        return self.result.scores

    @property
    def as_of(self) -> dt.datetime:
        return self.result.as_of

    @property
    def issues(self) -> list[Issue]:
        return self.result.issues

    @issues.setter
    def issues(self, value: list[Issue]) -> None:
        self.result.issues = value

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)

    def to_dict(self) -> dict[str, Any]:
        from cchc_cli.results import score_document

        return score_document(self.scores, province=self.result.province,
                              issues=self.issues)


def compute_scores(ws: Workspace, year: int, *, jobs: int | None = None,
                   progress: Progress | None = None, inputs: YearInputs | None = None
                   ) -> tuple[YearInputs, YearScores, list[Issue]]:
    """Read and score a year (no output): the shared first half of score/rank/report."""
    from cchc_cli.scoring import score_year

    if inputs is None:
        inputs = read_year(ws, year, jobs=jobs, progress=progress)
    blocks = {code: b.name for code, b in ws.settings.blocks.items()}
    scores = score_year(inputs, blocks=blocks, precision=ws.settings.precision)
    issues = sorted_issues([*ws.settings_issues, *inputs.issues, *scores.issues])
    return inputs, scores, issues


def year_result(ws: Workspace, inputs: YearInputs, scores: YearScores, issues: list[Issue],
                *, as_of: dt.datetime, ranking: YearRanking | None = None) -> YearResult:
    """The record every writer of this run takes (built once per run)."""
    sources: list[SourceFile] = []
    register = inputs.register
    if register is not None:
        sources.append(SourceFile(register.file, KIND_REGISTER, register.sha256))
    sources.extend(SourceFile(f.file, f.kind, f.sha256) for f in inputs.files)
    appraisers = {a.appraiser for history in inputs.appraisals.values() for a in history}
    return YearResult(settings=ws.settings, year=inputs.year, as_of=as_of, sources=sources,
                      criteria=dict(inputs.sets), register=register, scores=scores,
                      issues=issues, ranking=ranking, appraisers=tuple(sorted(appraisers)))


def _start_issues(run: ScoreRun, allow_errors: bool, helper: Helper) -> Callable[[], None]:
    """Start writing ``van-de-Y.xlsx``, the full list of issues that the terminal's
    summary points to (on every run, so that it is never stale), beside this process
    when ``helper`` has a worker; return the wait for it. ``run.blocked`` is set when
    the inputs have errors and no --allow-errors: then the results are not written."""
    from cchc_cli.writers.scores import write_issues_workbook

    run.blocked = has_errors(run.issues) and not allow_errors
    path = result_path(run.workspace.results_dir(run.year), "issues", run.year)
    written = helper.start(write_issues_workbook, path, run.issues, year=run.year,
                           blocked=run.blocked)
    run.written.append(path)
    return written


def _write_beside(issues_written: Callable[[], None], path: Path,
                  write: Callable[[Path], None]) -> None:
    """Write the results (``write(target)``) while the issues are written beside, and
    let them replace ``path`` only once the issues are in place — as when a one-core
    run writes the issues first: if ``van-de-Y.xlsx`` cannot be written (open in Excel,
    a read-only folder), the previous results stay as they were and that error is the
    one raised."""
    from cchc_cli.writers.atomic import atomic_path

    with atomic_path(path) as temp:
        try:
            write(temp)
        except BaseException:
            issues_written()
            raise
        issues_written()


@gc_paused()
def score(
    workspace: Path,
    *,
    year: int,
    jobs: int | None = None,
    progress: Progress | None = None,
    allow_errors: bool = False,
    as_of: str | dt.datetime | None = None,
    write: bool = True,
) -> ScoreRun:
    """Score every unit of ``year``; write ``results/Y/cham-diem-Y.xlsx``.

    With errors in the inputs, only ``results/Y/van-de-Y.xlsx`` (the issues) is written,
    unless ``allow_errors``.
    """
    from cchc_cli.writers.scores import write_scores_workbook

    ws = Workspace.open(workspace)
    moment = _moment(as_of)
    with Helper() as helper:
        with stage("read"):
            inputs = read_year(ws, year, jobs=jobs, progress=progress, keep=helper)
        with stage("score"):
            inputs, scores, issues = compute_scores(ws, year, inputs=inputs)
        run = ScoreRun(workspace=ws, inputs=inputs,
                       result=year_result(ws, inputs, scores, issues, as_of=moment))
        if not write:
            return run
        issues_written = _start_issues(run, allow_errors, helper)
        if run.blocked:
            issues_written()
            return run
        path = result_path(ws.results_dir(year), "scores", year)
        with stage("write"):
            _write_beside(issues_written, path,
                          lambda target: write_scores_workbook(target, run.result))
    run.written.append(path)
    return run


@dataclass
class Explanation:
    """How one unit's total was reached."""

    year: int
    precision: int
    unit: UnitScore
    criteria: CriteriaSet | None
    issues: list[Issue]
    appraisers: dict[str, str]
    # Relative leaves: the units whose value set the block's reference.
    references: dict[str, list[str]] = field(default_factory=dict)

    def story(self, code: str) -> Any:
        """The steps from a leaf's inputs to its points (:mod:`cchc_cli.story`)."""
        from cchc_cli.story import leaf_story

        return leaf_story(self.unit.leaves[code], self.references.get(code))

    def describe(self, leaf: Any) -> str:
        """cchc's own description of the leaf's rule (the criteria's ``method`` text, when
        given, is what the forms print; ``explain`` shows both)."""
        return str(leaf.rule.describe())

    def to_dict(self) -> dict[str, Any]:
        from cchc_cli.results import explain_document

        return explain_document(self)


@gc_paused()
def explain(
    workspace: Path,
    *,
    year: int,
    unit: str,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Explanation:
    """Score the year and return one unit's computation, leaf by leaf.

    ``unit`` matches the register's code ignoring case when that is unambiguous.
    """
    ws = Workspace.open(workspace)
    inputs = read_year(ws, year, jobs=jobs, progress=progress, keep_text=True)
    inputs, scores, issues = compute_scores(ws, year, inputs=inputs)
    code = match_unit(unit, (u.code for u in scores.all_units()), year=year)
    found = scores.unit(code)
    assert found is not None  # match_unit returned one of these codes
    mine = [i for i in issues if i.unit == code]
    criteria = inputs.sets.get(found.block)
    references: dict[str, list[str]] = {}
    if criteria is not None:
        from cchc_cli.rules import RelativeRule
        from cchc_cli.scoring import reference_units

        block = next(b for b in scores.blocks if b.block == found.block)
        references = {leaf.code: reference_units(block.units, leaf.code)
                      for leaf in criteria.leaves if isinstance(leaf.rule, RelativeRule)}
    return Explanation(year=year, precision=ws.settings.precision, unit=found,
                       criteria=criteria, issues=mine,
                       appraisers=dict(ws.settings.appraisers), references=references)


@dataclass
class RankRun(ScoreRun):
    """Everything ``cchc rank`` computed and wrote."""

    @property
    def ranking(self) -> YearRanking | None:
        return self.result.ranking

    @property
    def ranked(self) -> YearRanking:
        """The ranking, which every finished rank run has."""
        if self.result.ranking is None:  # pragma: no cover - compute_ranking always sets it
            raise RuntimeError("rank run without a ranking")
        return self.result.ranking

    def to_dict(self) -> dict[str, Any]:
        from cchc_cli.results import rank_document

        return rank_document(self.ranking, province=self.result.province,
                             issues=self.issues)


def has_year_inputs(ws: Workspace, year: int) -> bool:
    return bool(ws.criteria_files(year)) and ws.register_path(year).exists()


def load_previous(ws: Workspace, year: int, *, jobs: int | None = None,
                  inputs: YearInputs | None = None, database: bool = True
                  ) -> tuple[PreviousYear | None, list[Issue]]:
    """Last year's ranks (SPEC §13.4): as published in the results database when it
    holds year Y−1; else recomputed from year Y−1's inputs when the workspace has them
    (under Y−1's own criteria); else read from ``data/Y/nam-truoc.xlsx``."""
    found_db: list[Issue] = []
    if database:
        from cchc_cli.history import recorded_previous

        recorded, found_db = recorded_previous(ws, year)
        if recorded is not None:
            return recorded, found_db
    previous, found = _previous_from_inputs_or_file(ws, year, jobs=jobs, inputs=inputs)
    return previous, [*found_db, *found]


def _previous_from_inputs_or_file(ws: Workspace, year: int, *, jobs: int | None,
                                  inputs: YearInputs | None
                                  ) -> tuple[PreviousYear | None, list[Issue]]:
    from cchc_cli.issues import issue
    from cchc_cli.ranking import previous_from_ranking, rank_year, read_previous_file

    last = year - 1
    if inputs is not None or has_year_inputs(ws, last):
        inputs, scores, issues = compute_scores(ws, last, jobs=jobs, inputs=inputs)
        ranking = rank_year(scores, ws.settings, inputs.register, None)
        found: list[Issue] = []
        errors = [i for i in issues if i.is_error]
        if errors:
            unranked = sum(1 for u in scores.all_units() if u.index_published is None)
            found.append(issue("nam-truoc-co-loi", file=f"data/{last}", year=last,
                               count=len(errors), units=unranked))
        previous = previous_from_ranking(ranking)
        previous.file = f"data/{last}"
        return previous, found
    path = ws.previous_ranks_path(year)
    if path is None:
        return None, []
    return read_previous_file(path, file=ws.rel(path), year=last)


def compute_ranking(ws: Workspace, year: int, *, jobs: int | None = None,
                    progress: Progress | None = None,
                    as_of: str | dt.datetime | None = None,
                    final: FinalRound | None = None, keep: Helper | None = None) -> RankRun:
    """Score and rank a year with its comparison to last year (no output). ``final``
    reads one more appraisal round of the year, above all others (``cchc whatif``);
    ``keep`` keeps the reading workers for a job at the end."""
    from cchc_cli.history import recorded_previous
    from cchc_cli.inputs import read_years
    from cchc_cli.ranking import rank_year

    moment = _moment(as_of)
    # Last year as published in the results database, when it holds it: then year
    # Y−1's inputs are not read at all.
    recorded, previous_issues = recorded_previous(ws, year)
    # This year and last year's inputs are read together: one pool, one pass.
    years = [year, year - 1] if recorded is None and has_year_inputs(ws, year - 1) \
        else [year]
    with stage("read"):
        read = read_years(ws, years, jobs=jobs, progress=progress,
                          final={year: final} if final is not None else None, keep=keep)
    with stage("score"):
        inputs, scores, issues = compute_scores(ws, year, inputs=read[year])
        previous = recorded
        if recorded is None:
            previous, found = load_previous(ws, year, inputs=read.get(year - 1),
                                            database=False)
            previous_issues = [*previous_issues, *found]
    with stage("rank"):
        ranking = rank_year(scores, ws.settings, inputs.register, previous)
        issues = sorted_issues([*issues, *previous_issues, *ranking.issues])
        compare_criteria(ranking, ws, read.get(year - 1))
    result = year_result(ws, inputs, scores, issues, as_of=moment, ranking=ranking)
    return RankRun(workspace=ws, inputs=inputs, result=result)


def compare_criteria(ranking: YearRanking, ws: Workspace, last: YearInputs | None) -> None:
    """Say, per block, how much its criteria changed since last year (SPEC §13.5)."""
    from cchc_cli.diff import block_change
    from cchc_cli.workspace import load_year_criteria

    if last is not None:
        sets = last.sets
    elif ws.criteria_files(ranking.year - 1):
        sets = load_year_criteria(ws, ranking.year - 1).sets
    else:
        return
    for block in ranking.blocks:
        block.criteria_change = block_change(sets.get(block.block), block.criteria,
                                             ranking.year - 1)


@gc_paused()
def rank(
    workspace: Path,
    *,
    year: int,
    jobs: int | None = None,
    progress: Progress | None = None,
    allow_errors: bool = False,
    as_of: str | dt.datetime | None = None,
    write: bool = True,
) -> RankRun:
    """Score, rank each block, compare with last year; write ``xep-hang-Y.xlsx``."""
    from cchc_cli.writers.ranking import write_ranking_workbook

    ws = Workspace.open(workspace)
    with Helper() as helper:
        run = compute_ranking(ws, year, jobs=jobs, progress=progress, as_of=as_of,
                              keep=helper)
        if not write:
            return run
        issues_written = _start_issues(run, allow_errors, helper)
        if run.blocked:
            issues_written()
            return run
        path = result_path(ws.results_dir(year), "ranking", year)
        with stage("write"):
            _write_beside(issues_written, path,
                          lambda target: write_ranking_workbook(target, run.result))
    run.written.append(path)
    return run


@dataclass
class ReportRun(RankRun):
    """Everything ``cchc report`` computed and wrote (its JSON is rank's)."""


@gc_paused()
def report(
    workspace: Path,
    *,
    year: int,
    jobs: int | None = None,
    progress: Progress | None = None,
    allow_errors: bool = False,
    as_of: str | dt.datetime | None = None,
    write: bool = True,
    final: bool = False,
    date: str | dt.date | None = None,
) -> ReportRun:
    """Rank, then write the draft decision and the results report (Word).

    The decision carries a visible ``DỰ THẢO`` mark unless ``final``; its day and month
    stay blank for the signer unless ``date`` is given.
    """
    from cchc_cli.errors import InputError
    from cchc_cli.issues import issue
    from cchc_cli.report import DocumentOptions
    from cchc_cli.writers.atomic import write_bytes_atomic
    from cchc_cli.writers.documents import DOCUMENT_TEMPLATES, render_documents

    signed = parse_date(date)
    ranked = rank(workspace, year=year, jobs=jobs, progress=progress,
                  allow_errors=allow_errors, as_of=as_of, write=write)
    run = ReportRun(workspace=ranked.workspace, inputs=ranked.inputs, result=ranked.result,
                    written=ranked.written, blocked=ranked.blocked)
    if not write or run.blocked:
        return run
    ws = run.workspace
    # Earlier years and streaks (SPEC §13.4), for the page, the news and the report.
    from cchc_cli.history import report_history

    run.result.history, found_history = report_history(ws, run.ranked, run.result.register)
    run.issues = sorted_issues([*run.issues, *found_history])
    templates = {kind: template_file(ws.root, name) for kind, name in DOCUMENT_TEMPLATES.items()}
    options = DocumentOptions(final=final, date=signed)
    rendered, problems = render_documents(run.result, templates, options)
    rendered_more, more_problems = _render_publishing(run.result, ws.root, options, templates)
    rendered |= rendered_more
    problems += more_problems
    if problems:
        found = [issue(p.code, file=ws.rel(templates[kind]), detail=p.detail.rstrip(". "))
                 for kind, p in problems]
        run.issues = sorted_issues([*run.issues, *found])
        raise InputError("Không lập được văn bản vì mẫu văn bản có vấn đề.", found)
    results = ws.results_dir(year)
    for kind, data in rendered.items():
        path = result_path(results, kind, year)
        write_bytes_atomic(path, data)
        run.written.append(path)
    return run


def _render_publishing(result: YearResult, root: Path, options: Any,
                       templates: dict[str, Path]) -> tuple[dict[str, bytes], list[Any]]:
    """The page for the portal and the draft news item (SPEC §13.4); the news item's
    template joins ``templates`` so that its problems name it."""
    from cchc_cli.timing import stage
    from cchc_cli.writers.documents import TemplateProblem
    from cchc_cli.writers.news import NEWS_TEMPLATE, render_news
    from cchc_cli.writers.page import render_page

    rendered: dict[str, bytes] = {}
    problems: list[tuple[str, TemplateProblem]] = []
    with stage("documents"):
        rendered["page"] = render_page(result, options).encode("utf-8")
        templates["news"] = template_file(root, NEWS_TEMPLATE)
        try:
            rendered["news"] = render_news(result, templates["news"], options)
        except TemplateProblem as problem:
            problems.append(("news", problem))
    return rendered, problems


@dataclass
class StatusRun:
    """What ``cchc status`` found (and, with ``reminder``, the reminder it wrote)."""

    workspace: Workspace
    status: Any  # status.YearStatus
    written: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.status.to_dict())


def status_day(as_of: str | dt.date | None) -> dt.date:
    """``--as-of`` of ``status``: the day deadlines are compared with (default: today)."""
    if isinstance(as_of, dt.date):
        return as_of if not isinstance(as_of, dt.datetime) else as_of.date()
    return parse_as_of(as_of).date()


@gc_paused()
def status(
    workspace: Path,
    *,
    year: int,
    as_of: str | dt.date | None = None,
    reminder: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> StatusRun:
    """Where the year's collection stands on ``as_of``: each unit's self-assessment,
    each appraiser's file per round, who is overdue against ``deadlines``, files that
    match nobody, files that are not spreadsheets (SPEC §13.3). With ``reminder``,
    also the draft reminder to the overdue (``results/Y/gui-don-vi/``)."""
    from cchc_cli.status import read_collection, year_status

    ws = Workspace.open(workspace)
    day = status_day(as_of)
    with stage("read"):
        found = read_collection(ws, year, jobs=jobs, progress=progress)
    run = StatusRun(workspace=ws, status=year_status(found, as_of=day))
    if reminder:
        from cchc_cli.letters import write_reminder

        path = write_reminder(found, run.status, template=template_file(ws.root, REMINDER))
        if path is not None:
            run.written.append(path)
    return run


@gc_paused()
def feedback(
    workspace: Path,
    *,
    year: int,
    units: Sequence[str] = (),
    letter: bool = False,
    reminder: bool = False,
    as_of: str | dt.date | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Any:
    """Write what goes back to each unit into ``results/Y/gui-don-vi/`` (SPEC §13.3):
    ``<CODE>-can-sua.xlsx`` for a unit whose self-assessment file has problems, and once
    an appraisal exists ``<CODE>-ket-qua-tham-dinh.xlsx``; with ``letter`` a cover letter
    per unit, with ``reminder`` the reminder to the overdue. ``units``: codes (any case);
    none means every unit of the register. Returns a :class:`feedback.FeedbackRun`."""
    from cchc_cli.feedback import Templates, write_feedback
    from cchc_cli.status import read_collection, year_status

    ws = Workspace.open(workspace)
    day = status_day(as_of)
    with stage("read"):
        found = read_collection(ws, year, jobs=jobs, progress=progress)
    codes = dict.fromkeys(match_unit(code, found.register.units, year=year) for code in units)
    chosen = [found.register.units[code] for code in codes] or found.units()
    templates = Templates(letter=template_file(ws.root, LETTER) if letter else None,
                          reminder=template_file(ws.root, REMINDER) if reminder else None)
    with stage("write"):
        return write_feedback(found, chosen, as_of=day, templates=templates,
                              status=year_status(found, as_of=day) if reminder else None,
                              jobs=jobs)


def template_file(root: Path, name: str) -> Path:
    """The workspace's own ``templates/<name>`` if present, else the bundled one."""
    from cchc_cli.resources import bundled

    own = root / "templates" / name
    return own if own.is_file() else bundled("templates") / name


@dataclass
class PublishRun:
    """What ``cchc publish`` recorded (or why not: the issues)."""

    workspace: Workspace
    year: int
    database: Path
    source: str  # inputs | file
    file: str | None = None
    issues: list[Issue] = field(default_factory=list)
    recorded: bool = False
    replaced: bool = False
    units: int = 0
    areas: int = 0
    leaves: int = 0
    previous_source: str | None = None
    years: list[int] = field(default_factory=list)  # in the database afterwards

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "database": self.workspace.rel(self.database),
            "recorded": self.recorded,
            "replaced": self.replaced,
            "source": self.source,
            "file": self.file,
            "previous_source": self.previous_source,
            "units": self.units,
            "areas": self.areas,
            "leaves": self.leaves,
            "years": self.years,
            "issues": [i.to_dict() for i in self.issues],
        }


@gc_paused()
def publish(
    workspace: Path,
    *,
    year: int,
    source: Path | None = None,
    replace: bool = False,
    as_of: str | dt.datetime | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> PublishRun:
    """Record the year's final results in ``results/chi-so-cchc.sqlite`` (SPEC §13.4):
    as ``rank`` computes them, or — with ``source`` — from a published table typed in a
    workbook. A year with errors is not recorded; a year already recorded is replaced
    only with ``replace`` (else :class:`~cchc_cli.database.YearRecorded`)."""
    from cchc_cli.database import record_year, recorded_years
    from cchc_cli.history import database_of

    ws = Workspace.open(workspace)
    path, shown = database_of(ws)
    known = recorded_years(path, shown)
    if year in known and not replace:
        from cchc_cli.database import YearRecorded, recorded_message

        info = known[year]
        raise YearRecorded(recorded_message(year, shown, (info.published_at, info.source,
                                                           info.source_file)))
    moment = _moment(as_of)
    if source is not None:
        run, published = _published_table(ws, year, source, moment, path, shown)
    else:
        run, published = _published_ranking(ws, year, moment, path, jobs, progress)
    if published is None or not run.ok:
        return run
    with stage("write"):
        run.replaced = record_year(path, shown, published, replace=replace)
    run.recorded = True
    run.units, run.areas, run.leaves = (len(published.units), len(published.areas),
                                        len(published.leaves))
    run.years = sorted(recorded_years(path, shown))
    return run


def _published_ranking(ws: Workspace, year: int, moment: dt.datetime, path: Path,
                       jobs: int | None, progress: Progress | None
                       ) -> tuple[PublishRun, PublishedYear | None]:
    from cchc_cli.publishing import from_result

    ranked = compute_ranking(ws, year, jobs=jobs, progress=progress, as_of=moment)
    previous = ranked.ranked.previous
    run = PublishRun(workspace=ws, year=year, database=path, source="inputs",
                     issues=ranked.issues,
                     previous_source=previous.source if previous is not None else None)
    return run, (from_result(ranked.result) if run.ok else None)


def _published_table(ws: Workspace, year: int, source: Path, moment: dt.datetime,
                     path: Path, shown: str) -> tuple[PublishRun, PublishedYear | None]:
    from cchc_cli.database import read_units
    from cchc_cli.history import unit_year
    from cchc_cli.publishing import from_table
    from cchc_cli.readers.published import read_published

    if not source.is_file():
        raise UsageError(f"Không có tệp '{source}' (--from).")
    file = ws.rel(source)
    table, issues = read_published(source, file=file, blocks=ws.settings.blocks)
    run = PublishRun(workspace=ws, year=year, database=path, source="file", file=file,
                     issues=sorted_issues([*ws.settings_issues, *issues]))
    if table is None or not run.ok:
        return run, None
    if not table.units:
        raise UsageError(f"Tệp {file} không có dòng kết quả nào dưới dòng tiêu đề.")
    last_year = [unit_year(row) for row in read_units(path, shown, years=[year - 1])]
    published = from_table(table, year=year, settings=ws.settings, moment=moment,
                           last_year=last_year)
    return run, published


def history(workspace: Path, *, unit: str | None = None, block: str | None = None
            ) -> HistoryReport:
    """Each unit's rank and index over the years recorded in the results database, and
    its current streaks (SPEC §13.4)."""
    from cchc_cli.database import DatabaseError, read_units
    from cchc_cli.history import build_history, database_of, select, with_trends

    ws = Workspace.open(workspace)
    path, shown = database_of(ws)
    rows = read_units(path, shown)
    if not rows:
        raise DatabaseError(f"Chưa có kết quả nào trong cơ sở dữ liệu {shown}: hãy ghi các"
                            " năm đã công bố bằng cchc publish (ví dụ: cchc publish --year"
                            " 2023).")
    settings = ws.settings
    found = build_history(rows, block_order=list(settings.blocks),
                          block_names={code: b.name for code, b in settings.blocks.items()},
                          database=shown,
                          top_bands={code: settings.bands(code)[0].label
                                     for code in settings.blocks if settings.bands(code)})
    return with_trends(select(found, unit=unit, block=block), list(settings.blocks))


@gc_paused()
def whatif(
    workspace: Path,
    *,
    year: int,
    criteria: Path | None = None,
    settings: Path | None = None,
    override: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    allow_errors: bool = False,
    as_of: str | dt.datetime | None = None,
    write: bool = True,
) -> Any:
    """``cchc whatif``: rank the year as the workspace stands and as changed by other
    criteria files, another cchc.yaml and/or an override workbook (a final appraisal
    round); write ``results/Y/phuong-an-Y.xlsx``. A :class:`cchc_cli.whatif.WhatifRun`."""
    from cchc_cli import whatif as council

    if criteria is None and settings is None and override is None:
        raise UsageError("Hãy cho biết điều chỉnh: --criteria THƯ_MỤC, --settings TỆP"
                         " và/hoặc --override TỆP (hoặc dùng --disputes).")
    ws = Workspace.open(workspace)
    changed = council.variant_workspace(ws, year, criteria=criteria, settings=settings)
    final = council.override_reader(override, ws.rel(override)) if override else None
    base = compute_ranking(ws, year, jobs=jobs, progress=progress)
    variant = compute_ranking(changed, year, jobs=jobs, progress=progress, final=final)
    run = council.WhatifRun(
        workspace=ws, year=year, base=base, variant=variant,
        units=council.side_by_side(base.ranked, variant.ranked),
        criteria_changes=council.criteria_changes(base.inputs, variant.inputs),
        setting_changes=council.settings_changes(ws.settings, changed.settings),
        override=council.override_rows(base.inputs, variant.inputs, ws.rel(override))
        if override else [],
        sources={"criteria": ws.rel(criteria) if criteria else None,
                 "settings": ws.rel(settings) if settings else None,
                 "override": ws.rel(override) if override else None},
        issues=sorted_issues([*base.issues, *variant.issues]),
        as_of=as_of if isinstance(as_of, dt.datetime) else parse_as_of(as_of))
    from cchc_cli.panels import band_moves

    run.band_moves = band_moves(run.units, {
        code: [band.label for band in changed.settings.bands(code)]
        for code in changed.settings.blocks})
    run.blocked = has_errors(run.issues) and not allow_errors
    if write and not run.blocked:
        from cchc_cli.writers.whatif import write_whatif_workbook

        path = ws.results_dir(year) / f"phuong-an-{year}.xlsx"
        write_whatif_workbook(path, run)
        run.written.append(path)
    return run


@gc_paused()
def disputes(
    workspace: Path,
    *,
    year: int,
    jobs: int | None = None,
    progress: Progress | None = None,
    allow_errors: bool = False,
    as_of: str | dt.datetime | None = None,
    write: bool = True,
) -> Any:
    """``cchc whatif --disputes``: each unit's exact index and rank interval over every
    way its undecided appraisals could be settled, and what is already certain; write
    ``results/Y/chua-thong-nhat-Y.xlsx``. A :class:`cchc_cli.disputes.DisputeRun`."""
    from cchc_cli.disputes import DisputeRun, bound_year
    from cchc_cli.ranking import rank_year

    ws = Workspace.open(workspace)
    with stage("read"):
        inputs = read_year(ws, year, jobs=jobs, progress=progress)
    with stage("score"):
        inputs, scores, issues = compute_scores(ws, year, inputs=inputs)
    with stage("bounds"):
        ranking = rank_year(scores, ws.settings, inputs.register, None)
        bounds = bound_year(inputs, scores, ranking, ws.settings)
    run = DisputeRun(workspace=ws, year=year, bounds=bounds, issues=issues,
                     as_of=as_of if isinstance(as_of, dt.datetime) else parse_as_of(as_of))
    run.blocked = has_errors(issues) and not allow_errors
    if write and not run.blocked:
        from cchc_cli.writers.whatif import write_disputes_workbook

        path = ws.results_dir(year) / f"chua-thong-nhat-{year}.xlsx"
        with stage("write"):
            write_disputes_workbook(path, run)
        run.written.append(path)
    return run


def diff(workspace: Path, *, old: Path | None = None, new: Path | None = None,
         year: int | None = None) -> Any:
    """``cchc diff``: two criteria files (``old``, ``new``), or every block of year − 1
    against ``year``; a :class:`cchc_cli.diff.DiffReport`."""
    from cchc_cli.diff import diff_files, diff_years
    from cchc_cli.errors import WorkspaceError

    if old is not None and new is not None:
        try:
            settings = Workspace.open(workspace).settings
        except WorkspaceError:
            settings = None  # two files compared outside a workspace: no block names to check
        report = diff_files(old, new, settings=settings, old_name=str(old), new_name=str(new))
    elif year is not None:
        report = diff_years(Workspace.open(workspace), year)
    else:
        raise UsageError("Hãy chỉ hai tệp bộ tiêu chí (CŨ MỚI) hoặc --year NĂM.")
    report.issues = sorted_issues(report.issues)
    return report


def criteria_schema() -> dict[str, Any]:
    """The JSON Schema of criteria files."""
    from cchc_cli.criteria import json_schema

    return json_schema()


__all__ = ["ValidationReport", "TemplateReport", "ScoreRun", "validate", "template", "score",
           "compute_scores", "explain", "Explanation", "rank", "RankRun", "compute_ranking",
           "load_previous", "report", "ReportRun", "criteria_schema", "latest_year",
           "match_unit", "year_result", "parse_date", "publish", "PublishRun", "history",
           "diff", "whatif", "disputes", "status", "StatusRun", "feedback"]
