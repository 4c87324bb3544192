"""The library face of cchc: one function per command.

The CLI parses options, calls exactly one of these and renders what it returns, so
``cchc X --format json`` and ``api.X(...)`` give the same document.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_cli.criteria import CriteriaSet
from cchc_cli.errors import UsageError
from cchc_cli.inputs import FinalRound, Progress, YearInputs, read_year
from cchc_cli.issues import Issue, has_errors, sorted_issues
from cchc_cli.numbers import json_number
from cchc_cli.ranking import PreviousYear, YearRanking
from cchc_cli.scoring import UnitScore, YearScores
from cchc_cli.settings import SETTINGS_FILE
from cchc_cli.timing import stage
from cchc_cli.workspace import Workspace

_YEAR = re.compile(r"^\d{4}$")


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
) -> TemplateReport:
    """Write blank forms (appraisal forms prefilled from the self-assessments received)."""
    from cchc_cli.forms import write_forms

    ws = Workspace.open(workspace)
    folder = out or ws.forms_dir(year)
    result = write_forms(ws, year, kind=kind, out=folder, round_no=round_no, jobs=jobs)
    return TemplateReport(folder=folder, written=result.written,
                          issues=sorted_issues(result.issues))


def parse_as_of(text: str | None) -> dt.datetime:
    """``--as-of``: the time written in the outputs' ``Nguồn`` sheet (default: now)."""
    if text is None:
        return dt.datetime.now().replace(microsecond=0)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"--as-of '{text}' không phải ngày giờ dạng YYYY-MM-DD[THH:MM].") from exc
    return value.replace(tzinfo=None, microsecond=0)


@dataclass
class ScoreRun:
    """Everything ``cchc score`` computed and wrote."""

    workspace: Workspace
    year: int
    inputs: YearInputs
    scores: YearScores
    issues: list[Issue]
    as_of: dt.datetime
    written: list[Path] = field(default_factory=list)
    blocked: bool = False  # errors and no --allow-errors: results not written

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)

    def to_dict(self) -> dict[str, Any]:
        from cchc_cli.results import score_document

        return score_document(self.scores, province=self.workspace.settings.province,
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


def _blocked(run: ScoreRun, allow_errors: bool) -> bool:
    """Inputs with errors, and no --allow-errors: only ``van-de-Y.xlsx`` (the issues) is
    written, and the results are not."""
    if allow_errors or not has_errors(run.issues):
        return False
    from cchc_cli.writers.scores import write_issues_workbook

    path = run.workspace.results_dir(run.year) / f"van-de-{run.year}.xlsx"
    write_issues_workbook(path, run.issues, year=run.year)
    run.blocked = True
    run.written.append(path)
    return True


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
    moment = as_of if isinstance(as_of, dt.datetime) else parse_as_of(as_of)
    with stage("read"):
        inputs = read_year(ws, year, jobs=jobs, progress=progress)
    with stage("score"):
        inputs, scores, issues = compute_scores(ws, year, inputs=inputs)
    run = ScoreRun(workspace=ws, year=year, inputs=inputs, scores=scores, issues=issues,
                   as_of=moment)
    if not write or _blocked(run, allow_errors):
        return run
    path = ws.results_dir(year) / f"cham-diem-{year}.xlsx"
    with stage("write"):
        write_scores_workbook(path, run)
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
    """Score the year and return one unit's computation, leaf by leaf."""
    import difflib

    ws = Workspace.open(workspace)
    inputs = read_year(ws, year, jobs=jobs, progress=progress, keep_text=True)
    inputs, scores, issues = compute_scores(ws, year, inputs=inputs)
    found = scores.unit(unit)
    if found is None:
        codes = [u.code for u in scores.all_units()]
        close = difflib.get_close_matches(unit, codes, n=3)
        hint = f" Có phải: {', '.join(close)}?" if close else ""
        raise UsageError(f"Không có đơn vị mã '{unit}' trong danh sách đơn vị năm {year}.{hint}")
    mine = [i for i in issues if i.unit == unit]
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

    ranking: YearRanking | None = None

    @property
    def ranked(self) -> YearRanking:
        """The ranking, which every finished rank run has."""
        if self.ranking is None:  # pragma: no cover - compute_ranking always sets it
            raise RuntimeError("rank run without a ranking")
        return self.ranking

    def to_dict(self) -> dict[str, Any]:
        from cchc_cli.results import rank_document

        return rank_document(self.ranking, province=self.workspace.settings.province,
                             issues=self.issues)


def has_year_inputs(ws: Workspace, year: int) -> bool:
    return bool(ws.criteria_files(year)) and ws.register_path(year).exists()


def load_previous(ws: Workspace, year: int, *, jobs: int | None = None,
                  inputs: YearInputs | None = None) -> tuple[PreviousYear | None, list[Issue]]:
    """Last year's ranks: recomputed from year Y−1's inputs when the workspace has them
    (under Y−1's own criteria), else read from ``data/Y/nam-truoc.xlsx``."""
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
                    progress: Progress | None = None, final: FinalRound | None = None
                    ) -> RankRun:
    """Score and rank a year with its comparison to last year (no output). ``final``
    reads one more appraisal round of the year, above all others (``cchc whatif``)."""
    from cchc_cli.inputs import read_years
    from cchc_cli.ranking import rank_year

    # This year and last year's inputs are read together: one pool, one pass.
    years = [year, year - 1] if has_year_inputs(ws, year - 1) else [year]
    with stage("read"):
        read = read_years(ws, years, jobs=jobs, progress=progress,
                          final={year: final} if final is not None else None)
    with stage("score"):
        inputs, scores, issues = compute_scores(ws, year, inputs=read[year])
        previous, previous_issues = load_previous(ws, year, inputs=read.get(year - 1))
    with stage("rank"):
        ranking = rank_year(scores, ws.settings, inputs.register, previous)
        issues = sorted_issues([*issues, *previous_issues, *ranking.issues])
        compare_criteria(ranking, ws, read.get(year - 1))
    return RankRun(workspace=ws, year=year, inputs=inputs, scores=scores, issues=issues,
                   as_of=dt.datetime.now().replace(microsecond=0), ranking=ranking)


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
    moment = as_of if isinstance(as_of, dt.datetime) else parse_as_of(as_of)
    run = compute_ranking(ws, year, jobs=jobs, progress=progress)
    run.as_of = moment
    if not write or _blocked(run, allow_errors):
        return run
    path = ws.results_dir(year) / f"xep-hang-{year}.xlsx"
    with stage("write"):
        write_ranking_workbook(path, run)
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
) -> ReportRun:
    """Rank, then write the draft decision and the results report (Word)."""
    from cchc_cli.errors import InputError
    from cchc_cli.issues import issue
    from cchc_cli.report import build_context
    from cchc_cli.writers.atomic import write_bytes_atomic
    from cchc_cli.writers.documents import (
        DECISION_TEMPLATE,
        REPORT_TEMPLATE,
        TemplateProblem,
        bar_chart_png,
        render,
        template_path,
    )

    ranked = rank(workspace, year=year, jobs=jobs, progress=progress,
                  allow_errors=allow_errors, as_of=as_of, write=write)
    run = ReportRun(**{f: getattr(ranked, f) for f in ranked.__dataclass_fields__})
    if not write or run.blocked:
        return run
    ws = run.workspace
    appraisers = {a.appraiser for history in run.inputs.appraisals.values() for a in history}
    context = build_context(run.ranked, ws.settings, as_of=run.as_of,
                            appraisers=len(appraisers))
    with stage("charts"):
        charts = [bar_chart_png(names, values, precision=run.ranked.precision)
                  for _, names, values in context.charts]
    rendered: list[tuple[Path, bytes]] = []
    problems: list[Issue] = []
    results = ws.results_dir(year)
    for name, target, with_charts in ((DECISION_TEMPLATE, f"quyet-dinh-{year}.docx", False),
                                      (REPORT_TEMPLATE, f"bao-cao-{year}.docx", True)):
        path = template_path(ws.root, name)
        try:
            with stage("documents"):
                data = render(path, context.values, charts if with_charts else None)
        except TemplateProblem as problem:
            problems.append(issue(problem.code, file=ws.rel(path),
                                  detail=problem.detail.rstrip(". ")))
            continue
        rendered.append((results / target, data))
    if problems:
        run.issues = sorted_issues([*run.issues, *problems])
        raise InputError("Không lập được văn bản vì mẫu văn bản có vấn đề.", problems)
    for path, data in rendered:
        write_bytes_atomic(path, data)
        run.written.append(path)
    return run


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


def latest_year_of(workspace: Path) -> int:
    """The latest year with criteria or data in the workspace (the default ``--year``)."""
    years = Workspace.open(workspace).years()
    if not years:
        raise UsageError("Không gian làm việc chưa có năm nào (thư mục criteria/<năm>/ hoặc"
                         " data/<năm>/); hãy chỉ năm bằng --year.")
    return years[-1]


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
           "load_previous", "report", "ReportRun", "criteria_schema", "diff", "whatif", "disputes",
           "latest_year_of"]
