"""The council's what-if (SPEC §13.5): the year scored as the workspace stands and as the
council would change it, side by side.

The variant is computed by the very code of ``cchc rank``, on a workspace seen through
the changes: :class:`VariantWorkspace` answers with the other ``cchc.yaml`` and, for the
year, the other criteria files; the override workbook is read by the appraisal reader as
one more appraisal round, above every round received (``inputs.read_years(final=…)``).
A test copies a workspace, makes the same changes on disk, runs ``cchc rank`` and finds
the same document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.errors import UsageError
from cchc_cli.formspec import APPRAISAL_HEADERS, KIND_APPRAISAL
from cchc_cli.inputs import YearInputs, describe_entry
from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import json_number
from cchc_cli.readers.forms import LeafEntry, ReadContext, ReadResult
from cchc_cli.readers.workbook import Sheet
from cchc_cli.settings import Settings, load_settings
from cchc_cli.workspace import Workspace

OVERRIDE_SHEET = "Điều chỉnh"
# The columns of the override sheet: the appraisal form's own (its reader reads it).
OVERRIDE_HEADERS = (APPRAISAL_HEADERS["unit"], APPRAISAL_HEADERS["code"],
                    APPRAISAL_HEADERS["data"], APPRAISAL_HEADERS["choice"],
                    APPRAISAL_HEADERS["score"], APPRAISAL_HEADERS["na"],
                    APPRAISAL_HEADERS["comment"])
CRITERIA_SUFFIXES = (".yaml", ".yml")


# --------------------------------------------------------------------------------------
# The changed workspace
# --------------------------------------------------------------------------------------


@dataclass
class VariantWorkspace(Workspace):
    """The workspace as changed by the council: its settings are the other cchc.yaml
    (given to the constructor), and each criteria file of ``criteria_folder`` replaces
    the file of the same name in ``criteria/<year>/`` (or is added)."""

    year: int = 0
    criteria_folder: Path | None = None

    def criteria_files(self, year: int) -> list[Path]:
        files = super().criteria_files(year)
        if year != self.year or self.criteria_folder is None:
            return files
        by_name = {path.name: path for path in files}
        by_name.update({path.name: path for path in criteria_in(self.criteria_folder)})
        return [by_name[name] for name in sorted(by_name)]


def criteria_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in CRITERIA_SUFFIXES and p.is_file()
                  and not p.name.startswith("."))


def variant_workspace(ws: Workspace, year: int, *, criteria: Path | None,
                      settings: Path | None) -> VariantWorkspace:
    """``ws`` seen through the council's changes (the override is read separately)."""
    if criteria is not None and not criteria_in(criteria):
        raise UsageError(f"Thư mục {criteria} không có tệp bộ tiêu chí .yaml nào.")
    loaded, issues = ws.settings, ws.settings_issues
    if settings is not None:
        loaded, issues = load_settings(settings, file=ws.rel(settings))
    return VariantWorkspace(root=ws.root, settings=loaded, settings_issues=list(issues),
                            year=year, criteria_folder=criteria)


def override_reader(path: Path, rel: str) -> Any:
    """The reader of an override workbook, for ``inputs.read_years(final=…)``."""

    def read(ctx: ReadContext) -> ReadResult:
        return read_override(path, rel, ctx)

    return read


def read_override(path: Path, rel: str, ctx: ReadContext) -> ReadResult:
    """The sheet ``Điều chỉnh``, read by the appraisal form's reader: same headers, same
    rules, same issues (an unknown unit, a value above max, an input row left empty)."""
    from cchc_cli.readers.forms import read_appraisal_sheet
    from cchc_cli.readers.register import pick_sheet
    from cchc_cli.readers.workbook import BookError, open_book

    result = ReadResult(file=rel, kind=KIND_APPRAISAL)
    try:
        book = open_book(path)
        result.sha256 = book.sha256
        name = pick_sheet(book, OVERRIDE_SHEET)
        if name is None:
            result.issues.append(issue("khong-co-trang", file=rel, sheet_name=OVERRIDE_SHEET,
                                       sheets=", ".join(book.sheet_names)))
            return result
        sheet = book.sheet(name)
    except BookError as exc:
        result.issues.append(issue(exc.code, file=rel, **exc.params))
        return result
    complete = with_every_input_column(sheet, rel, result.issues)
    if complete is None:
        return result
    # The council is no appraiser: a neutral name, so that no appraiser code is taken
    # from the file's name and every criterion may be changed. The round is numbered
    # above every round received by inputs.last_round.
    result.form = read_appraisal_sheet(complete, {"round": "1"}, Path("_"), rel, ctx,
                                  result.issues)
    return result


INPUT_FIELDS = ("data", "choice", "score", "na")


def with_every_input_column(sheet: Sheet, rel: str, issues: list[Issue]) -> Sheet | None:
    """The override sheet as the appraisal reader wants it: an override may give only the
    input columns it uses (``Điểm thẩm định`` alone, say); the others are added, empty,
    after its last column. None (and an issue) when it has none of them."""
    from cchc_cli.readers.tables import HEADER_SEARCH_ROWS, HeaderMissing, find_header

    header = find_header(sheet, APPRAISAL_HEADERS, {"unit", "code"})
    if isinstance(header, HeaderMissing):
        return sheet  # the reader reports the missing columns
    missing = [f for f in INPUT_FIELDS if f not in header.columns]
    if not missing:
        return sheet
    if len(missing) == len(INPUT_FIELDS):
        issues.append(issue("thieu-cot", file=rel, sheet=sheet.name,
                            missing=", ".join(f"'{APPRAISAL_HEADERS[f]}'" for f in missing),
                            rows=HEADER_SEARCH_ROWS))
        return None
    rows = list(sheet.rows)
    width = max(len(row) for row in rows)
    rows[header.row] = [*rows[header.row], *[""] * (width - len(rows[header.row])),
                        *(APPRAISAL_HEADERS[f] for f in missing)]
    return dataclasses.replace(sheet, rows=rows)


# --------------------------------------------------------------------------------------
# Side by side
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where a unit stands in one result."""

    status: str
    rank: int | None
    index_published: Decimal | None
    band: str | None
    leader_rating: str | None

    @classmethod
    def of(cls, entry: Any) -> Standing:
        unit = entry.unit
        return cls(unit.status, entry.rank, unit.index_published, entry.band,
                   entry.leader_rating)

    def to_dict(self, precision: int) -> dict[str, Any]:
        published = self.index_published
        return {"rank": self.rank,
                "index_published": None if published is None
                else json_number(published, precision),
                "band": self.band, "leader_rating": self.leader_rating}


@dataclass
class UnitOutcome:
    code: str
    name: str
    block: str
    block_name: str
    base: Standing | None
    variant: Standing | None

    @property
    def changed(self) -> bool:
        """Rank, band or head's rating differs (SPEC §13.5)."""
        a, b = self.base, self.variant
        if a is None or b is None:
            return a is not b
        return (a.rank, a.band, a.leader_rating) != (b.rank, b.band, b.leader_rating)

    @property
    def index_change(self) -> Decimal | None:
        a, b = self.base, self.variant
        if a is None or b is None or a.index_published is None or b.index_published is None:
            return None
        return b.index_published - a.index_published

    def to_dict(self, precision: int) -> dict[str, Any]:
        empty = dict.fromkeys(("rank", "index_published", "band", "leader_rating"))
        return {"code": self.code, "block": self.block,
                "base": self.base.to_dict(precision) if self.base else empty,
                "variant": self.variant.to_dict(precision) if self.variant else empty,
                "changed": self.changed}


def side_by_side(base: Any, variant: Any) -> list[UnitOutcome]:
    """Every unit of either ranking, in the base's block order and rank order (units the
    variant alone has come after)."""
    found: dict[str, UnitOutcome] = {}
    for ranking, side in ((base, "base"), (variant, "variant")):
        for block in ranking.blocks:
            for entry in block.entries:
                outcome = found.get(entry.code)
                if outcome is None:
                    outcome = found[entry.code] = UnitOutcome(
                        entry.code, entry.unit.name, block.block, block.name, None, None)
                setattr(outcome, side, Standing.of(entry))
    return list(found.values())


# --------------------------------------------------------------------------------------
# What the council changed
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingChange:
    key: str  # 'ranking.ties'
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "old": self.old, "new": self.new}


def settings_changes(old: Settings, new: Settings) -> list[SettingChange]:
    """The keys of cchc.yaml whose value differs, dotted ('ranking.ties'); lists (bands)
    compare as a whole."""
    before = _flatten(_plain(old.model_dump()))
    after = _flatten(_plain(new.model_dump()))
    keys = list(before) + [k for k in after if k not in before]
    return [SettingChange(k, before.get(k), after.get(k)) for k in keys
            if before.get(k) != after.get(k)]


def _plain(value: Any) -> Any:
    """Settings as JSON data, numbers as numbers."""
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            found.update(_flatten(value, path + "."))
        else:
            found[path] = value
    return found


def shown_setting(value: Any) -> str:
    if value is None:
        return "(không có)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class OverrideRow:
    """One leaf of one unit the override changed: before and after, as text."""

    unit: str
    criterion: str
    old: str
    new: str
    comment: str
    cell: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "criterion": self.criterion, "old": self.old,
                "new": self.new, "comment": self.comment or None, "cell": self.cell}


def override_rows(base: YearInputs, variant: YearInputs, file: str) -> list[OverrideRow]:
    """The leaves whose final input came from the override file, with what they were."""
    rows = []
    for (unit, code), history in sorted(variant.appraisals.items()):
        final = history[-1]
        if final.file != file:
            continue
        before = _final_entry(base, unit, code)
        entry = final.entry
        rows.append(OverrideRow(unit, code, "(chưa có)" if before is None
                                else describe_entry(before), describe_entry(entry),
                                entry.note, entry.cell or entry.na_cell))
    return rows


def _final_entry(inputs: YearInputs, unit: str, code: str) -> LeafEntry | None:
    history = inputs.appraisals.get((unit, code))
    if history:
        return history[-1].entry
    form = inputs.self_forms.get(unit)
    return form.entries.get(code) if form is not None else None


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


@dataclass
class WhatifRun:
    """``cchc whatif``: both results, side by side, and what was changed."""

    workspace: Workspace
    year: int
    base: Any  # api.RankRun
    variant: Any  # api.RankRun
    units: list[UnitOutcome]
    criteria_changes: list[Any]  # diff.BlockDiff of each block whose criteria differ
    setting_changes: list[SettingChange]
    override: list[OverrideRow]
    sources: dict[str, str | None]  # criteria folder, settings file, override file
    issues: list[Issue]
    as_of: dt.datetime
    written: list[Path] = field(default_factory=list)
    blocked: bool = False
    # Per block, base band × variant band (pandas.crosstab, see panels.band_moves).
    band_moves: list[Any] = field(default_factory=list)

    @property
    def precision(self) -> int:
        return int(self.variant.ranking.precision)

    @property
    def changed(self) -> list[UnitOutcome]:
        return [u for u in self.units if u.changed]

    def ordered(self) -> list[UnitOutcome]:
        """Units whose rank, band or rating changes first, each group in block and rank
        order."""
        return [*self.changed, *(u for u in self.units if not u.changed)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "units": [u.to_dict(self.precision) for u in self.ordered()],
            "changes": {
                "criteria": [c.to_dict() for block in self.criteria_changes
                             for c in block.changes],
                "settings": [c.to_dict() for c in self.setting_changes],
                "override": [row.to_dict() for row in self.override],
            },
            "bands": [moves.to_dict() for moves in self.band_moves],
            "sources": self.sources,
            "issues": [i.to_dict() for i in self.issues],
        }


def criteria_changes(base: YearInputs, variant: YearInputs) -> list[Any]:
    """The blocks whose criteria set differs between the two results (a variant's file
    that does not load is reported by its issues, not as every criterion removed)."""
    from cchc_cli.diff import compare_blocks

    found = []
    for block, after in variant.sets.items():
        before = base.sets.get(block)
        if before is None or before.fingerprint != after.fingerprint:
            found.append(compare_blocks(block, before, after))
    return found
