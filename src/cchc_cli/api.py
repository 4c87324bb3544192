"""The library face of cchc: one function per command.

The CLI parses options, calls exactly one of these and renders what it returns, so
``cchc X --format json`` and ``api.X(...)`` give the same document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_cli.inputs import Progress, read_year
from cchc_cli.issues import Issue, has_errors, sorted_issues
from cchc_cli.numbers import json_number
from cchc_cli.settings import SETTINGS_FILE
from cchc_cli.workspace import Workspace

_YEAR = re.compile(r"^\d{4}$")


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


def criteria_schema() -> dict[str, Any]:
    """The JSON Schema of criteria files."""
    from cchc_cli.criteria import json_schema

    return json_schema()


__all__ = ["ValidationReport", "TemplateReport", "validate", "template", "criteria_schema"]
