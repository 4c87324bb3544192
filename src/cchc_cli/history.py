"""Years of published results: ``cchc history``, last year from the database, and the
history a report tells (SPEC §13.4).

Streaks follow each unit through renames and mergers (:mod:`cchc_cli.streaks`, small
records shared with ``report``, which must not load pandas); the year × block figures of
``cchc history`` (ranked units, mean, highest and lowest index per year) come from the
pandas panel of :mod:`cchc_cli.panels`, built only by this command.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_cli.database import DatabaseError, UnitRow, read_units, recorded_years
from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import json_number
from cchc_cli.outputs import database_path
from cchc_cli.ranking import SOURCE_DATABASE, PreviousEntry, PreviousYear, YearRanking
from cchc_cli.readers.register import Register
from cchc_cli.streaks import Panel, Series, Streak, UnitYear, YearHistory, notable
from cchc_cli.workspace import Workspace


def database_of(ws: Workspace) -> tuple[Path, str]:
    """The workspace's results database and the name messages give it."""
    path = database_path(ws.root / "results")
    return path, ws.rel(path)


def unit_year(row: UnitRow) -> UnitYear:
    return UnitYear(year=row.year, code=row.code, name=row.name, block=row.block,
                    rank=row.rank, index=row.index_published, band=row.band,
                    previous_codes=row.previous_codes)


def ranking_years(ranking: YearRanking, register: Register | None) -> list[UnitYear]:
    """A ranked year as the panel holds it (former codes from the register)."""
    units = register.units if register is not None else {}
    return [
        UnitYear(year=ranking.year, code=entry.code, name=entry.unit.name, block=block.block,
                 rank=entry.rank, index=entry.unit.index_published, band=entry.band,
                 previous_codes=units[entry.code].previous if entry.code in units else ())
        for block in ranking.blocks for entry in block.entries
    ]


def previous_years(previous: PreviousYear) -> list[UnitYear]:
    """Last year as compared (recomputed or from nam-truoc.xlsx): what it knows. A file
    without 'Khối' gives no block, and then no link across years either."""
    return [
        UnitYear(year=previous.year, code=e.code, name=e.name or e.code, block=e.block or "",
                 rank=e.rank, index=e.index, band=e.band)
        for e in previous.entries.values()
    ]


def recorded_previous(ws: Workspace, year: int) -> tuple[PreviousYear | None, list[Issue]]:
    """Year Y−1 as published in the database, when the database holds it. A database
    that cannot be read is a warning: the ranking then falls back to the inputs."""
    path, shown = database_of(ws)
    if not path.exists():
        return None, []
    try:
        if year - 1 not in recorded_years(path, shown):
            return None, []
        rows = read_units(path, shown, years=[year - 1])
    except DatabaseError as exc:
        return None, [issue("co-so-du-lieu-loi", file=shown, detail=str(exc))]
    previous = PreviousYear(year=year - 1, source=SOURCE_DATABASE, file=shown)
    for row in rows:
        previous.entries[row.code] = PreviousEntry(code=row.code, rank=row.rank,
                                                   index=row.index_published,
                                                   block=row.block, band=row.band,
                                                   name=row.name)
    return previous, []


def report_history(ws: Workspace, ranking: YearRanking, register: Register | None
                   ) -> tuple[YearHistory, list[Issue]]:
    """The history of a ranked year: the database's earlier years, last year as
    compared when the database does not hold it, and this year as ranked now."""
    path, shown = database_of(ws)
    issues: list[Issue] = []
    rows: list[UnitRow] = []
    try:
        rows = [row for row in read_units(path, shown) if row.year < ranking.year]
    except DatabaseError as exc:
        issues.append(issue("co-so-du-lieu-loi", file=shown, detail=str(exc)))
    panel = Panel(unit_year(row) for row in rows)
    previous = ranking.previous
    if previous is not None and previous.year not in panel.years:
        panel.replace_year(previous.year, previous_years(previous))
    panel.replace_year(ranking.year, ranking_years(ranking, register))
    return YearHistory(year=ranking.year, panel=panel), issues


# --------------------------------------------------------------------------------------
# cchc history
# --------------------------------------------------------------------------------------


@dataclass
class HistoryReport:
    """Every unit's years and current streaks, as ``cchc history`` shows them."""

    years: list[int]
    series: list[Series]
    block_names: dict[str, str]
    database: str
    # Each block's highest band in cchc.yaml: a streak in it is worth the headline.
    top_bands: dict[str, str] = field(default_factory=dict)
    # Per block and year: ranked units, mean, highest and lowest index (panels.py).
    trends: list[Any] = field(default_factory=list)

    @property
    def latest(self) -> int | None:
        return self.years[-1] if self.years else None

    def current(self, series: Series) -> bool:
        """The unit exists in the latest recorded year (its streaks are current)."""
        return series.last.year == self.latest

    def streaks(self, series: Series) -> list[Streak]:
        return series.streaks() if self.current(series) else []

    def notable(self, series: Series) -> list[Streak]:
        """First place, rising, and the block's highest band (SPEC §13.4's examples)."""
        return notable(self.streaks(series), self.top_bands.get(series.last.block))

    def to_dict(self) -> dict[str, Any]:
        return {"years": self.years, "database": self.database,
                "units": [self.unit_dict(s) for s in self.series],
                "blocks": [trend.to_dict() for trend in self.trends]}

    def unit_dict(self, series: Series) -> dict[str, Any]:
        last = series.last
        return {
            "code": last.code,
            "name": last.name,
            "block": last.block,
            "years": [{"year": e.year, "code": e.code, "block": e.block, "rank": e.rank,
                       "index_published": json_number(e.index), "band": e.band}
                      for e in series.years],
            "streaks": [streak.to_dict() for streak in self.streaks(series)],
        }


def build_history(rows: Iterable[UnitRow], *, block_order: list[str],
                  block_names: dict[str, str], database: str,
                  top_bands: dict[str, str] | None = None) -> HistoryReport:
    """Every unit's series, by block (in the order of cchc.yaml), current units first
    by their latest rank, then the units that no longer exist."""
    panel = Panel(unit_year(row) for row in rows)
    years = panel.sorted_years()
    latest = panel.latest
    order = {block: i for i, block in enumerate(block_order)}

    def key(series: Series) -> tuple[Any, ...]:
        last = series.last
        return (order.get(last.block, len(order)), last.block, last.year != latest,
                -last.year, last.rank is None, last.rank or 0, last.code)

    names = dict(block_names)
    for entry in (e for year in panel.years.values() for e in year.values()):
        names.setdefault(entry.block, entry.block)
    return HistoryReport(years=years, series=sorted(panel.all_series(), key=key),
                         block_names=names, database=database, top_bands=top_bands or {})


def select(report: HistoryReport, *, unit: str | None = None, block: str | None = None
           ) -> HistoryReport:
    """Only the units of one block, or the one unit whose series holds a code (today's
    or a former one, e.g. the code before a rename)."""
    from cchc_cli.errors import UsageError

    chosen = report.series
    if block is not None:
        if block not in report.block_names:
            raise UsageError(f"Không có khối '{block}' trong cơ sở dữ liệu hay cchc.yaml"
                             f" (các khối: {', '.join(report.block_names)}).")
        chosen = [s for s in chosen if s.last.block == block]
    if unit is not None:
        wanted = unit.strip().casefold()
        found = [s for s in chosen if any(c.casefold() == wanted for c in s.codes())]
        if not found:
            raise UsageError(_unknown_unit(unit, chosen))
        chosen = found
    return HistoryReport(years=report.years, series=chosen, block_names=report.block_names,
                         database=report.database, top_bands=report.top_bands)


def with_trends(report: HistoryReport, block_order: list[str]) -> HistoryReport:
    """The report with each shown block's figures per year, from the pandas panel."""
    from cchc_cli.panels import block_trends

    entries = [entry for series in report.series for entry in series.years]
    report.trends = block_trends(entries, names=report.block_names, order=block_order)
    return report


def _unknown_unit(unit: str, series: list[Series]) -> str:
    import difflib

    codes = sorted({c for s in series for c in s.codes()})
    close = difflib.get_close_matches(unit.upper(), codes, n=3)
    hint = f" Có phải: {', '.join(close)}?" if close else ""
    return f"Không có đơn vị mã '{unit}' trong cơ sở dữ liệu kết quả.{hint}"
