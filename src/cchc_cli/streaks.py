"""A unit's results across years, and its current streaks (SPEC §13.4).

Provinces announce "giữ vị trí số 1, năm thứ 9 liên tiếp" and "5 năm liên tiếp tăng
bậc": counted by hand today, and easily wrong when a unit was renamed. Here a unit's
years are linked back through its ``Mã năm trước``:

- no former code: the same code the year before;
- one former code: that code (a renamed unit keeps its history and its streaks);
- several former codes: a merger. The history shows the unit's own code the year
  before when it is one of them (the unit absorbed others), but every streak ends
  there: the merged unit is not the one that earned them.

A change of block also ends the streaks (ranks and bands of two blocks do not compare),
and so does a year missing from the record. Pure logic over plain records: the
database, the ranking and the report build the :class:`Panel` it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

TOP, RISING, BAND = "top", "rising", "band"
# How a year links to the year before.
SAME, RENAMED, MERGED, OTHER_BLOCK = "same", "renamed", "merged", "block"
_CONTINUES = (SAME, RENAMED)
# A streak is told from its second year on: one year is not "liên tiếp".
MIN_YEARS = 2


@dataclass(frozen=True, slots=True)
class UnitYear:
    """One unit's published result in one year."""

    year: int
    code: str
    name: str
    block: str
    rank: int | None
    index: Decimal | None  # the published index
    band: str | None
    previous_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Streak:
    kind: str  # top | rising | band
    years: int
    band: str | None = None

    @property
    def text(self) -> str:
        if self.kind == TOP:
            return f"đứng đầu khối năm thứ {self.years} liên tiếp"
        if self.kind == RISING:
            return f"{self.years} năm liên tiếp tăng bậc"
        return f"xếp loại {self.band} năm thứ {self.years} liên tiếp"

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "years": self.years, "text": self.text}


@dataclass
class Series:
    """A unit's years, oldest first, and how each links to the one before
    (``links[i]`` links ``years[i]`` to ``years[i + 1]``)."""

    years: list[UnitYear]
    links: list[str] = field(default_factory=list)

    @property
    def last(self) -> UnitYear:
        return self.years[-1]

    def codes(self) -> set[str]:
        return {entry.code for entry in self.years}

    def streaks(self) -> list[Streak]:
        """The streaks that run up to the series' last year, longest kinds first."""
        run = self.unbroken()
        found = [
            Streak(TOP, _trailing(run, lambda e: e.rank == 1)),
            Streak(RISING, _rising(run)),
            Streak(BAND, _trailing(run, lambda e: e.band is not None
                                   and e.band == run[-1].band), run[-1].band),
        ]
        return [s for s in found if s.years >= MIN_YEARS]

    def unbroken(self) -> list[UnitYear]:
        """The last years joined by links that carry a streak (same code, or renamed)."""
        start = len(self.years) - 1
        while start > 0 and self.links[start - 1] in _CONTINUES:
            start -= 1
        return self.years[start:]


def _trailing(run: list[UnitYear], holds: Callable[[UnitYear], bool]) -> int:
    count = 0
    for entry in reversed(run):
        if not holds(entry):
            break
        count += 1
    return count


def _rising(run: list[UnitYear]) -> int:
    """Years in a row, up to the last, in which the rank improved on the year before."""
    count = 0
    for before, after in zip(reversed(run[:-1]), reversed(run[1:]), strict=True):
        if before.rank is None or after.rank is None or after.rank >= before.rank:
            break
        count += 1
    return count


class Panel:
    """Published results by year and unit code: what the history is made of."""

    def __init__(self, entries: Iterable[UnitYear] = ()) -> None:
        self.years: dict[int, dict[str, UnitYear]] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: UnitYear) -> None:
        self.years.setdefault(entry.year, {})[entry.code] = entry

    def replace_year(self, year: int, entries: Iterable[UnitYear]) -> None:
        self.years[year] = {entry.code: entry for entry in entries}

    @property
    def latest(self) -> int | None:
        return max(self.years) if self.years else None

    def sorted_years(self) -> list[int]:
        return sorted(self.years)

    def before(self, entry: UnitYear) -> tuple[UnitYear | None, str]:
        """The unit the year before, and the kind of link (None: new, or a gap)."""
        last_year = self.years.get(entry.year - 1)
        if last_year is None:
            return None, ""
        codes = entry.previous_codes
        kind = SAME
        if len(codes) == 1:
            key: str | None = codes[0]
            kind = SAME if codes[0] == entry.code else RENAMED
        elif len(codes) > 1:
            key, kind = (entry.code if entry.code in codes else None), MERGED
        else:
            key = entry.code
        found = last_year.get(key) if key is not None else None
        if found is None:
            return None, ""
        if found.block != entry.block:
            kind = OTHER_BLOCK
        return found, kind

    def series_of(self, entry: UnitYear) -> Series:
        """The years of the unit ``entry`` belongs to, up to ``entry``'s year."""
        years, links = [entry], []
        seen = {(entry.year, entry.code)}
        current = entry
        while True:
            found, kind = self.before(current)
            if found is None or (found.year, found.code) in seen:
                break
            years.append(found)
            links.append(kind)
            seen.add((found.year, found.code))
            current = found
        return Series(years=years[::-1], links=links[::-1])

    def all_series(self) -> list[Series]:
        """Every unit of the latest year with its years; then the units that no longer
        exist (dissolved, or merged into another), each from its own last year."""
        found: list[Series] = []
        covered: set[tuple[int, str]] = set()
        for year in sorted(self.years, reverse=True):
            for entry in self.years[year].values():
                if (year, entry.code) in covered:
                    continue
                series = self.series_of(entry)
                covered.update((e.year, e.code) for e in series.years)
                found.append(series)
        return found

    def current_streaks(self, year: int | None = None) -> dict[str, list[Streak]]:
        """The streaks of every unit of ``year`` (default: the latest), by its code."""
        year = self.latest if year is None else year
        if year is None or year not in self.years:
            return {}
        return {code: self.series_of(entry).streaks()
                for code, entry in self.years[year].items()}


def notable(streaks: Iterable[Streak], top_band: str | None) -> list[Streak]:
    """The streaks worth a line in the page and the news: first place, rising, and the
    highest band (a long run of "Tốt" is the norm, not news)."""
    return [s for s in streaks if s.kind != BAND or (top_band is not None
                                                    and s.band == top_band)]


@dataclass
class YearHistory:
    """What the page, the news item and the report of a year know of earlier years: the
    panel up to that year (the database's years before it, last year as compared, this
    year as ranked) and every current unit's streaks."""

    year: int
    panel: Panel

    def years(self) -> list[int]:
        return [y for y in self.panel.sorted_years() if y <= self.year]

    @cached_property
    def streaks(self) -> dict[str, list[Streak]]:
        return self.panel.current_streaks(self.year)

    def series(self, code: str) -> Series | None:
        entry = self.panel.years.get(self.year, {}).get(code)
        return self.panel.series_of(entry) if entry is not None else None
