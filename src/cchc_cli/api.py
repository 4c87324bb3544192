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

from cchc_cli.issues import Issue, has_errors, sorted_issues
from cchc_cli.numbers import json_number
from cchc_cli.settings import SETTINGS_FILE
from cchc_cli.workspace import REGISTER_STEM, Workspace, load_year_criteria

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
    workspace: Path, *, year: int | None = None, paths: Sequence[Path] = ()
) -> ValidationReport:
    """Check cchc.yaml, criteria files, registers and input forms; list every problem."""
    from cchc_cli.readers.register import check_not_applicable, read_register

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
        loaded = load_year_criteria(ws, y)
        report.criteria.extend(loaded.summaries)
        report.issues.extend(loaded.issues)
        report.files.extend(s["file"] for s in loaded.summaries)
        register_path = ws.register_path(y)
        register, found = read_register(
            register_path, file=ws.rel(register_path), blocks=ws.settings.blocks
        )
        report.issues.extend(found)
        report.files.append(ws.rel(register_path))
        if register is not None:
            report.issues.extend(
                check_not_applicable(register, loaded.sets, sheet=register.sheet)
            )
            for block in sorted({u.block for u in register.units.values()}):
                if block in ws.settings.blocks and block not in loaded.sets:
                    if not any(s["file"].endswith(f"/{block}.yaml") for s in loaded.summaries):
                        report.issues.append(_missing_block(block, y))
    if paths:
        keep = {ws.rel(p) for p in wanted}
        report.files = [f for f in report.files if f in keep]
        report.criteria = [s for s in report.criteria if s["file"] in keep]
        report.issues = [i for i in report.issues if i.file in keep or i.file is None]
    report.issues = sorted_issues(report.issues)
    return report


def _missing_block(block: str, year: int) -> Issue:
    from cchc_cli.issues import issue

    return issue("khoi-khong-co-bo-tieu-chi", file=f"criteria/{year}", value=block, year=year)


def criteria_schema() -> dict[str, Any]:
    """The JSON Schema of criteria files."""
    from cchc_cli.criteria import json_schema

    return json_schema()


__all__ = ["ValidationReport", "validate", "criteria_schema", "REGISTER_STEM"]
