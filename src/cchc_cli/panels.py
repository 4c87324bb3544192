"""Panels of results analysed with pandas: years × units for ``cchc history``, base ×
variant for ``cchc whatif``.

pandas is imported by these functions only — never on the path of ``cchc rank`` or
``cchc --help`` (a test checks it). Published figures go in as exact decimals (object
columns, never floats), so every mean below is computed exactly and rounded half-up once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cchc_cli.numbers import exact_div, exact_sum, json_number, round_half_up


@dataclass(frozen=True)
class YearTrend:
    """A block in one recorded year: its ranked units and their published indices."""

    year: int
    units: int
    mean: Decimal | None
    highest: Decimal | None
    lowest: Decimal | None
    change: Decimal | None  # mean − the previous recorded year's mean

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "units": self.units, "mean": json_number(self.mean),
                "highest": json_number(self.highest), "lowest": json_number(self.lowest),
                "change": json_number(self.change)}


@dataclass(frozen=True)
class BlockTrend:
    block: str
    name: str
    years: tuple[YearTrend, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"block": self.block, "name": self.name,
                "years": [y.to_dict() for y in self.years]}


def _mean(values: Iterable[Decimal], places: int) -> Decimal | None:
    found = [v for v in values if v is not None]
    if not found:
        return None
    return round_half_up(exact_div(exact_sum(found), Decimal(len(found))), places)


def history_frame(rows: Iterable[Any]) -> Any:
    """The long panel: one row per unit and recorded year (block, code, year, rank,
    published index, band), as the database holds them."""
    import pandas as pd

    records = [{"block": r.block, "code": r.code, "name": r.name, "year": r.year,
                "rank": r.rank, "index": r.index, "band": r.band} for r in rows]
    frame = pd.DataFrame.from_records(
        records, columns=["block", "code", "name", "year", "rank", "index", "band"])
    frame["index"] = frame["index"].astype(object)  # exact decimals, never floats
    return frame


def block_trends(rows: Iterable[Any], *, names: dict[str, str], order: list[str],
                 places: int = 2) -> list[BlockTrend]:
    """Per block and recorded year: ranked units, mean, highest and lowest published
    index, and how the mean moved since the previous recorded year."""
    frame = history_frame(rows)
    if frame.empty:
        return []
    ranked = frame[frame["rank"].notna() & frame["index"].notna()]
    grouped = ranked.groupby(["block", "year"], sort=True)["index"].agg(
        units="count", mean=lambda s: _mean(s, places), highest="max", lowest="min")
    position = {block: i for i, block in enumerate(order)}
    trends = []
    for block in sorted({b for b, _ in grouped.index}, key=lambda b: (position.get(b, 99), b)):
        part = grouped.loc[block]
        years: list[YearTrend] = []
        previous: Decimal | None = None
        for year, row in part.iterrows():
            mean = row["mean"]
            change = mean - previous if mean is not None and previous is not None else None
            years.append(YearTrend(int(year), int(row["units"]), mean, row["highest"],
                                   row["lowest"], change))
            previous = mean
        trends.append(BlockTrend(block, names.get(block, block), tuple(years)))
    return trends


@dataclass(frozen=True)
class BandMoves:
    """How a block's units move between bands from the base result to the variant: the
    council's first question about a proposal ("who leaves Xuất sắc?")."""

    block: str
    name: str
    bands: tuple[str, ...]  # band labels, best first, then "–" (no band: errors, absent)
    counts: tuple[tuple[int, ...], ...]  # counts[i][j]: from bands[i] to bands[j]

    @property
    def moved(self) -> int:
        return sum(c for i, row in enumerate(self.counts) for j, c in enumerate(row)
                   if i != j)

    def to_dict(self) -> dict[str, Any]:
        return {"block": self.block, "name": self.name, "bands": list(self.bands),
                "counts": [list(row) for row in self.counts], "moved": self.moved}


NO_BAND = "–"


def band_moves(units: Iterable[Any], band_order: dict[str, list[str]]) -> list[BandMoves]:
    """Per block, the cross-tabulation of base band × variant band (pandas.crosstab)."""
    import pandas as pd

    records = [{"block": u.block, "name": u.block_name,
                "base": (u.base.band if u.base and u.base.band else NO_BAND),
                "variant": (u.variant.band if u.variant and u.variant.band else NO_BAND)}
               for u in units]
    if not records:
        return []
    frame = pd.DataFrame.from_records(records)
    found = []
    for block, part in frame.groupby("block", sort=False):
        labels = [*band_order.get(str(block), []), NO_BAND]
        table = pd.crosstab(part["base"], part["variant"]).reindex(
            index=labels, columns=labels, fill_value=0)
        used = [label for label in labels
                if table.loc[label].sum() or table[label].sum()]
        table = table.loc[used, used]
        found.append(BandMoves(str(block), str(part["name"].iloc[0]), tuple(used),
                               tuple(tuple(int(c) for c in row) for row in table.values)))
    return found
