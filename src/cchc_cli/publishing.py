"""What ``cchc publish`` records: a ranked year, or a year published before cchc.

Both become one :class:`~cchc_cli.database.PublishedYear`, the rows the database
writes. A ranked year brings everything ``cchc rank`` computed (units, areas, leaves,
input files, criteria fingerprints); an imported year brings the published table.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from cchc_cli import __version__
from cchc_cli.database import (
    SOURCE_FILE,
    SOURCE_INPUTS,
    PublishedYear,
    UnitRow,
    real,
)
from cchc_cli.numbers import json_number, plain
from cchc_cli.ranking import NOTE_BLOCK, NOTE_MERGED, NOTE_NEW, RankEntry, band_for
from cchc_cli.readers.published import PublishedTable
from cchc_cli.record import YearResult
from cchc_cli.scoring import LeafResult
from cchc_cli.settings import Settings
from cchc_cli.streaks import OTHER_BLOCK, RENAMED, SAME, Panel, UnitYear


def published_at(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def from_result(result: YearResult) -> PublishedYear:
    """A ranked year (no errors: the caller has checked) as the database records it."""
    ranking = result.ranking
    if ranking is None:  # pragma: no cover - publish always ranks first
        raise ValueError("publishing needs a ranked year")
    settings = result.settings
    published = PublishedYear(
        year=result.year, published_at=published_at(result.as_of), source=SOURCE_INPUTS,
        source_file=None,
        fingerprints={block: c.fingerprint for block, c in sorted(result.criteria.items())},
        province=settings.province, precision=settings.precision, ties=ranking.ties,
        basis=ranking.basis, tool_version=__version__)
    units = result.register.units if result.register is not None else {}
    for block in ranking.blocks:
        for entry in block.entries:
            former = units[entry.code].previous if entry.code in units else ()
            published.units.append(_unit_row(result.year, block.block, entry, former))
            unit = entry.unit
            if block.criteria is not None:
                published.areas.extend(
                    (result.year, unit.code, area.code, area.name, real(area.points),
                     real(area.max_points), real(area.index))
                    for area in unit.areas(block.criteria))
            published.leaves.extend(_leaf_row(result.year, unit.code, leaf)
                                    for leaf in unit.leaves.values())
    published.sources = [(result.year, source.file, source.kind, source.sha256)
                         for source in result.sources]
    return published


def _unit_row(year: int, block: str, entry: RankEntry, former: tuple[str, ...]) -> UnitRow:
    unit = entry.unit
    return UnitRow(year=year, block=block, code=unit.code, name=unit.name, status=unit.status,
                   rank=entry.rank, index_published=unit.index_published, band=entry.band,
                   previous_codes=former, points=unit.points, max_points=unit.max_points,
                   index=unit.index, leader_rating=entry.leader_rating,
                   previous_rank=entry.previous_rank, rank_change=entry.rank_change,
                   previous_index=entry.previous_index, change_note=entry.change_note,
                   head=unit.head)


def _leaf_row(year: int, code: str, leaf: LeafResult) -> tuple[Any, ...]:
    return (year, code, leaf.code, input_text(leaf.input),
            None if leaf.na else real(leaf.value), leaf.source, int(leaf.na),
            real(leaf.points), real(leaf.max), leaf.na_reason)


def input_text(value: Decimal | str | dict[str, Decimal | None] | None) -> str | None:
    """A leaf's input as text: named inputs as a JSON object (SPEC §13.4), a number as
    its exact decimal, an option as its label."""
    if isinstance(value, dict):
        return json.dumps({key: json_number(number) for key, number in value.items()},
                          ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, Decimal):
        return plain(value)
    return value


def from_table(table: PublishedTable, *, year: int, settings: Settings, moment: dt.datetime,
               last_year: list[UnitYear]) -> PublishedYear:
    """An imported year. A missing band is the one cchc.yaml gives the index (said in
    the README); last year's rank comes from the database's year Y−1 when it holds it."""
    places = max((_places(u.index) for u in table.units), default=settings.precision)
    published = PublishedYear(
        year=year, published_at=published_at(moment), source=SOURCE_FILE,
        source_file=table.file, fingerprints={}, province=settings.province,
        precision=places, ties=None, basis=None, tool_version=__version__,
        sources=[(year, table.file, "published", table.sha256)])
    panel = Panel(last_year)
    for unit in table.units:
        band = unit.band
        if band is None:
            found = band_for(unit.index, settings.bands(unit.block))
            band = found.label if found else None
        rating = settings.ratings(unit.block).get(band) if band else None
        row = UnitRow(year=year, block=unit.block, code=unit.code, name=unit.name,
                      status="ok", rank=unit.rank, index_published=unit.index, band=band,
                      previous_codes=unit.previous, leader_rating=rating)
        published.units.append(_compared(row, panel, has_last_year=bool(last_year)))
    return published


def _compared(row: UnitRow, panel: Panel, *, has_last_year: bool) -> UnitRow:
    """The row with last year's rank and the change, linked as the history links them."""
    from dataclasses import replace

    if not has_last_year:
        return row
    if len(row.previous_codes) > 1:
        return replace(row, change_note=NOTE_MERGED)
    found, kind = panel.before(UnitYear(year=row.year, code=row.code, name=row.name,
                                        block=row.block, rank=row.rank,
                                        index=row.index_published, band=row.band,
                                        previous_codes=row.previous_codes))
    if found is None:
        return replace(row, change_note=NOTE_NEW)
    if kind == OTHER_BLOCK:
        return replace(row, change_note=NOTE_BLOCK)
    assert kind in (SAME, RENAMED)
    change = found.rank - row.rank if found.rank is not None and row.rank else None
    return replace(row, previous_rank=found.rank, previous_index=found.index,
                   rank_change=change)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
