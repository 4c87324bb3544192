"""Ranking (SPEC §9): ranks per block, ties, bands, heads' ratings, year on year."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from cchc_cli.criteria import CriteriaSet
from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import NotANumber, parse_number
from cchc_cli.readers.register import Register, pick_sheet
from cchc_cli.scoring import STATUS_OK, UnitScore, YearScores
from cchc_cli.settings import Band, Settings

COMPETITION, DENSE = "competition", "dense"

# Why a unit has no year-on-year change.
NOTE_NEW = "mới"
NOTE_MERGED = "hợp nhất"
NOTE_BLOCK = "đổi khối"
NOTE_UNRANKED = "năm trước không xếp hạng"


def assign_ranks(indices: Mapping[str, Decimal | Fraction], ties: str = COMPETITION
                 ) -> dict[str, int]:
    """Ranks of indices (published, or exact fractions), highest first; equal indices
    share a rank.

    competition: 1, 2, 2, 4 — one plus the number of strictly better units;
    dense:       1, 2, 2, 3 — one plus the number of strictly better indices.
    """
    ordered = sorted(set(indices.values()), reverse=True)
    if ties == DENSE:
        position = {value: i + 1 for i, value in enumerate(ordered)}
        return {code: position[value] for code, value in indices.items()}
    values = sorted(indices.values(), reverse=True)
    first: dict[Decimal | Fraction, int] = {}
    for i, value in enumerate(values):
        first.setdefault(value, i + 1)
    return {code: first[value] for code, value in indices.items()}


def band_for(index: Decimal, bands: list[Band]) -> Band | None:
    """The first band, highest first, whose ``min`` ≤ the published index."""
    for band in bands:
        if band.min <= index:
            return band
    return None


@dataclass(frozen=True, slots=True)
class PreviousEntry:
    code: str
    rank: int | None
    index: Decimal | None
    block: str | None = None
    # Known when last year comes from the database or its inputs (the history of a
    # report carries them); a nam-truoc.xlsx has neither.
    band: str | None = None
    name: str | None = None


# Where last year's results came from (SPEC §13.4), in the order they are looked for.
SOURCE_DATABASE, SOURCE_INPUTS, SOURCE_FILE = "database", "inputs", "file"


@dataclass
class PreviousYear:
    """Last year's published ranks: from the results database, recomputed from its
    inputs, or read from ``nam-truoc.xlsx``."""

    year: int
    source: str  # "database" | "inputs" | "file"
    file: str | None
    entries: dict[str, PreviousEntry] = field(default_factory=dict)


@dataclass
class RankEntry:
    unit: UnitScore
    rank: int | None = None
    band: str | None = None
    leader_rating: str | None = None
    previous_rank: int | None = None
    previous_index: Decimal | None = None
    rank_change: int | None = None
    change_note: str | None = None

    @property
    def code(self) -> str:
        return self.unit.code


@dataclass
class BlockRanking:
    block: str
    name: str
    criteria: CriteriaSet | None
    entries: list[RankEntry]
    bands: list[Band]
    # How much the block's criteria changed since last year (diff.BlockChange), when
    # last year's criteria are in the workspace: a rank change is then read with care.
    criteria_change: Any = None


@dataclass
class YearRanking:
    year: int
    precision: int
    ties: str
    blocks: list[BlockRanking]
    previous: PreviousYear | None
    issues: list[Issue] = field(default_factory=list)
    basis: str = "published"  # published | exact (SPEC §13.1.7)

    def entry(self, code: str) -> RankEntry | None:
        for block in self.blocks:
            for entry in block.entries:
                if entry.code == code:
                    return entry
        return None


def change_text(entry: RankEntry) -> str:
    """'tăng 2 bậc', 'giảm 1 bậc', 'giữ nguyên', or why there is no change."""
    if entry.rank_change is None:
        if entry.change_note:
            return entry.change_note
        return "" if entry.rank is None else "không có dữ liệu"
    if entry.rank_change > 0:
        return f"tăng {entry.rank_change} bậc"
    if entry.rank_change < 0:
        return f"giảm {-entry.rank_change} bậc"
    return "giữ nguyên"


def rank_year(scores: YearScores, settings: Settings, register: Register | None,
              previous: PreviousYear | None) -> YearRanking:
    """Rank every block of a scored year and compare with last year."""
    ranking = YearRanking(year=scores.year, precision=scores.precision,
                          ties=settings.ranking.ties, blocks=[], previous=previous,
                          basis=settings.ranking.basis)
    for block in scores.blocks:
        bands = settings.bands(block.block)
        ratings = settings.ratings(block.block)
        # SPEC §9.1: by the published (rounded) index; §13.1.7 basis exact: by the exact
        # index, a fraction compared without rounding (bands still use the published one).
        exact = settings.ranking.basis == "exact"
        ranked: dict[str, Decimal | Fraction] = {}
        for u in block.units:
            if u.status == STATUS_OK and u.index_published is not None:
                key = u.exact_index if exact else u.index_published
                ranked[u.code] = key if key is not None else u.index_published
        ranks = assign_ranks(ranked, settings.ranking.ties)
        entries = []
        for unit in block.units:
            entry = RankEntry(unit=unit, rank=ranks.get(unit.code))
            if entry.rank is not None:
                band = band_for(unit.index_published, bands)  # type: ignore[arg-type]
                entry.band = band.label if band else None
                entry.leader_rating = ratings.get(entry.band) if entry.band else None
            entries.append(entry)
        entries.sort(key=lambda e: (e.rank is None, e.rank or 0, e.code))
        ranking.blocks.append(BlockRanking(block.block, block.name, block.criteria, entries,
                                           bands))
    if previous is not None and register is not None:
        ranking.issues.extend(compare_with(ranking, previous, register))
    return ranking


def compare_with(ranking: YearRanking, previous: PreviousYear, register: Register
                 ) -> list[Issue]:
    """Fill last year's rank and the change for every unit (SPEC §9.4)."""
    issues: list[Issue] = []
    for block in ranking.blocks:
        for entry in block.entries:
            unit = register.units.get(entry.code)
            former = unit.previous if unit else ()
            if len(former) > 1:
                entry.change_note = NOTE_MERGED
                continue
            key = former[0] if former else entry.code
            found = previous.entries.get(key)
            if found is None:
                entry.change_note = NOTE_NEW
                if former and unit is not None:
                    issues.append(issue("ma-nam-truoc-khong-thay", file=register.file,
                                        sheet=register.sheet, unit=entry.code, value=key,
                                        year=previous.year))
                continue
            if found.block is not None and found.block != block.block:
                entry.change_note = NOTE_BLOCK
                continue
            entry.previous_rank, entry.previous_index = found.rank, found.index
            if found.rank is None:
                entry.change_note = NOTE_UNRANKED
            elif entry.rank is not None:
                entry.rank_change = found.rank - entry.rank
    return issues


def previous_from_ranking(ranking: YearRanking, source: str = "inputs") -> PreviousYear:
    previous = PreviousYear(year=ranking.year, source=source, file=None)
    for block in ranking.blocks:
        for entry in block.entries:
            previous.entries[entry.code] = PreviousEntry(
                code=entry.code, rank=entry.rank, index=entry.unit.index_published,
                block=block.block, band=entry.band, name=entry.unit.name)
    return previous


PREVIOUS_SHEET = "Xếp hạng năm trước"
PREVIOUS_HEADERS = {"code": "Mã đơn vị", "rank": "Xếp hạng", "index": "Chỉ số",
                    "block": "Khối"}


def read_previous_file(path: Path, *, file: str, year: int) -> tuple[PreviousYear | None,
                                                                      list[Issue]]:
    """``data/Y/nam-truoc.xlsx``: last year's published ranks (SPEC §9.4).

    Read as the person sees it (SPEC §13.2): an index displayed as a percentage is the
    stored value × 100; a formula without a computed value is an error, never a blank.
    """
    from cchc_cli.cells import address
    from cchc_cli.readers.tables import Header, cell_text, find_header, percent_shown
    from cchc_cli.readers.workbook import BookError, open_book

    try:
        book = open_book(path)
        name = pick_sheet(book, PREVIOUS_SHEET)
    except BookError as exc:
        return None, [issue(exc.code, file=file, **exc.params)]
    if name is None:
        return None, [issue("khong-co-trang", file=file, sheet_name=PREVIOUS_SHEET,
                            sheets=", ".join(book.sheet_names))]
    try:
        sheet = book.sheet(name)
    except BookError as exc:
        return None, [issue(exc.code, file=file, sheet=name, **exc.params)]
    header = find_header(sheet, PREVIOUS_HEADERS, {"code", "rank", "index"})
    if not isinstance(header, Header):
        return None, [issue("thieu-cot", file=file, sheet=name,
                            missing=", ".join(f"'{m}'" for m in header.missing),
                            rows=header.searched)]
    issues: list[Issue] = []
    previous = PreviousYear(year=year, source="file", file=file)
    cols = header.columns
    for r in range(header.row + 1, len(sheet.rows)):
        row = sheet.rows[r]

        def value(name: str, row: list = row) -> object:
            c = cols.get(name)
            return row[c] if c is not None and c < len(row) else ""

        formulas = [key for key, c in cols.items() if (r, c) in sheet.uncached]
        code = cell_text(value("code"))
        for key in formulas:
            issues.append(issue("cong-thuc-chua-tinh", file=file, sheet=name,
                                cell=address(r, cols[key]), unit=code or None,
                                column=PREVIOUS_HEADERS[key]))
        if not code or formulas:
            continue
        shown = value("index")
        if (r, cols["index"]) in sheet.percent:
            shown = percent_shown(shown) or shown
        try:
            rank = parse_number(value("rank") or None)
            index = parse_number(shown or None)
        except NotANumber as exc:
            issues.append(issue("khong-phai-so", file=file, sheet=name,
                                cell=address(r, cols["rank"]), unit=code,
                                value=cell_text(value("rank")), column="Xếp hạng / Chỉ số",
                                reason=exc.reason))
            continue
        if rank is not None and (rank != rank.to_integral_value() or rank < 1):
            issues.append(issue("khong-phai-so", file=file, sheet=name,
                                cell=address(r, cols["rank"]), unit=code, value=str(rank),
                                column="Xếp hạng", reason="không phải số nguyên dương"))
            rank = None
        block = cell_text(value("block")) or None
        previous.entries[code] = PreviousEntry(code=code, rank=int(rank) if rank else None,
                                               index=index, block=block)
    return previous, issues


def ranked_entries(ranking: YearRanking) -> Iterable[RankEntry]:
    for block in ranking.blocks:
        yield from block.entries
