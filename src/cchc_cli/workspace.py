"""The workspace (SPEC §3): where settings, criteria, registers and forms live.

A :class:`Workspace` knows its root and settings and answers "where is X of year Y";
:func:`load_year` reads what every command of a year needs first: the criteria sets of
each block and the unit register, with all their issues.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from cchc_cli.criteria import CriteriaSet, load_criteria
from cchc_cli.issues import Issue, issue
from cchc_cli.settings import SETTINGS_FILE, Settings, load_settings

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
REGISTER_STEM = "don-vi"
PREVIOUS_STEM = "nam-truoc"
_YEAR_DIR = re.compile(r"^\d{4}$")


@dataclass
class Workspace:
    root: Path
    settings: Settings
    settings_issues: list[Issue] = field(default_factory=list)

    @classmethod
    def open(cls, root: Path | str) -> Workspace:
        """Open the workspace at ``root``; raise WorkspaceError if there is none."""
        root = Path(root).resolve()
        settings, issues = load_settings(root / SETTINGS_FILE)
        return cls(root=root, settings=settings, settings_issues=issues)

    # --- paths --------------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        """A path as shown in messages: relative to the workspace, with forward slashes."""
        # A symbolic link is named as it appears in the workspace, not by its target.
        for candidate in (Path(os.path.abspath(path)), path.resolve()):
            try:
                return candidate.relative_to(self.root).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def criteria_dir(self, year: int) -> Path:
        return self.root / "criteria" / str(year)

    def data_dir(self, year: int) -> Path:
        return self.root / "data" / str(year)

    def results_dir(self, year: int) -> Path:
        return self.root / "results" / str(year)

    def forms_dir(self, year: int) -> Path:
        return self.root / "forms" / str(year)

    def register_path(self, year: int) -> Path:
        return _first_existing(self.data_dir(year), REGISTER_STEM)

    def previous_ranks_path(self, year: int) -> Path | None:
        path = _first_existing(self.data_dir(year), PREVIOUS_STEM)
        return path if path.exists() else None

    def years(self) -> list[int]:
        """Every year that has criteria or data in the workspace."""
        found: set[int] = set()
        for parent in (self.root / "criteria", self.root / "data"):
            if parent.is_dir():
                found.update(
                    int(p.name) for p in parent.iterdir() if p.is_dir() and _YEAR_DIR.match(p.name)
                )
        return sorted(found)

    def criteria_files(self, year: int) -> list[Path]:
        folder = self.criteria_dir(year)
        if not folder.is_dir():
            return []
        return sorted(
            p for p in folder.iterdir()
            if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith(".")
        )

    def input_files(self, year: int) -> list[Path]:
        """Every spreadsheet under ``data/Y`` except the register and last year's ranks.

        Lock files (``~$…``) and hidden files or folders are skipped; the order is stable.
        """
        folder = self.data_dir(year)
        if not folder.is_dir():
            return []
        reserved = {self.register_path(year)}
        previous = self.previous_ranks_path(year)
        if previous is not None:
            reserved.add(previous)
        found = []
        for path in folder.rglob("*"):
            parts = path.relative_to(folder).parts
            if any(p.startswith((".", "~$")) for p in parts):
                continue
            if path.suffix.lower() in SPREADSHEET_SUFFIXES and path not in reserved \
                    and path.is_file():
                found.append(path)
        return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _first_existing(folder: Path, stem: str) -> Path:
    for suffix in SPREADSHEET_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return folder / f"{stem}.xlsx"


@dataclass
class CriteriaLoad:
    """The criteria sets of one year, by block, with the summary of each file."""

    sets: dict[str, CriteriaSet]
    issues: list[Issue]
    summaries: list[dict]


def load_year_criteria(ws: Workspace, year: int) -> CriteriaLoad:
    sets: dict[str, CriteriaSet] = {}
    issues: list[Issue] = []
    summaries: list[dict] = []
    files = ws.criteria_files(year)
    if not files:
        issues.append(issue("khong-co-bo-tieu-chi", file=f"criteria/{year}", year=year))
    for path in files:
        rel = ws.rel(path)
        criteria, found = load_criteria(path, settings=ws.settings, file=rel, folder_year=year)
        issues.extend(found)
        if criteria is None:
            summaries.append({"file": rel, "ok": False})
            continue
        if criteria.block in sets:
            issues.append(
                issue(
                    "bo-tieu-chi-trung-khoi",
                    file=rel,
                    value=criteria.block,
                    year=year,
                    first=sets[criteria.block].file,
                )
            )
            continue
        sets[criteria.block] = criteria
        summaries.append({"file": rel, "ok": True, "id": criteria.id, "block": criteria.block,
                          **criteria.summary()})
    return CriteriaLoad(sets=sets, issues=issues, summaries=summaries)
