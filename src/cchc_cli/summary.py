"""Aggregates of a ranked year, shared by the ranking workbook and the report.

A handful of counts, means and sums per block: plain Python over exact decimals (pandas
would add half a second of start-up to every ``cchc rank`` for no gain here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from cchc_cli.criteria import BONUS, PENALTY, SURVEY, CriteriaSet, Group
from cchc_cli.numbers import HUNDRED, ZERO, Exact, exact_sub, exact_sum
from cchc_cli.ranking import BlockRanking, PreviousYear, RankEntry, YearRanking
from cchc_cli.scoring import index_of


@dataclass
class AreaSummary:
    code: str
    name: str
    average_index: Decimal | None
    units: int


@dataclass
class CriterionLoss:
    """Points lost on one criterion across the units of a block."""

    code: str
    name: str
    max: Decimal
    units_losing: int
    points_lost: Exact
    units: int

    @property
    def share_losing(self) -> Decimal:
        return Decimal(self.units_losing) * HUNDRED / self.units if self.units else ZERO


@dataclass
class BlockSummary:
    block: str
    name: str
    ranked: list[RankEntry]
    unranked: list[RankEntry]
    counts: dict[str, int]  # band label → units, in band order
    average: Decimal | None
    # Last year's average published index of the block (None when last year's blocks
    # are unknown, e.g. a nam-truoc.xlsx without its 'Khối' column).
    previous_average: Decimal | None = None
    areas: list[AreaSummary] = field(default_factory=list)
    criteria: CriteriaSet | None = None

    @cached_property
    def losses(self) -> list[CriterionLoss]:
        """Criteria where units lost points (computed when a report asks for them)."""
        return _losses(self.criteria, self.ranked) if self.criteria is not None else []

    @property
    def top(self) -> list[RankEntry]:
        return self.ranked[:3]

    @property
    def bottom(self) -> list[RankEntry]:
        return self.ranked[-3:][::-1] if len(self.ranked) > 3 else []

    @property
    def risers(self) -> list[RankEntry]:
        moved = [e for e in self.ranked if e.rank_change and e.rank_change > 0]
        return sorted(moved, key=lambda e: (-e.rank_change, e.rank))[:5]  # type: ignore[operator]

    @property
    def fallers(self) -> list[RankEntry]:
        moved = [e for e in self.ranked if e.rank_change and e.rank_change < 0]
        return sorted(moved, key=lambda e: (e.rank_change or 0, e.rank or 0))[:5]

    @property
    def weakest_areas(self) -> list[AreaSummary]:
        known = [a for a in self.areas if a.average_index is not None]
        return sorted(known, key=lambda a: a.average_index)[:3]  # type: ignore[arg-type,return-value]


def mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, ZERO) / len(values) if values else None


def previous_average(previous: PreviousYear | None, block: str | None = None
                     ) -> Decimal | None:
    """Last year's average published index, of one block or (``block`` None) of all."""
    if previous is None:
        return None
    values = [e.index for e in previous.entries.values() if e.index is not None
              and e.rank is not None and (block is None or e.block == block)]
    return mean(values)


def summarize_block(block: BlockRanking, previous: PreviousYear | None = None
                    ) -> BlockSummary:
    ranked = [e for e in block.entries if e.rank is not None]
    unranked = [e for e in block.entries if e.rank is None]
    counts = {band.label: 0 for band in block.bands}
    for entry in ranked:
        if entry.band is not None:
            counts[entry.band] = counts.get(entry.band, 0) + 1
    summary = BlockSummary(
        block=block.block,
        name=block.name,
        ranked=ranked,
        unranked=unranked,
        counts=counts,
        average=mean([e.unit.index_published for e in ranked]),  # type: ignore[misc]
        previous_average=previous_average(previous, block.block),
    )
    if block.criteria is not None:
        summary.areas = _areas(block.criteria, ranked)
        summary.criteria = block.criteria
    return summary


def _areas(criteria: CriteriaSet, ranked: list[RankEntry]) -> list[AreaSummary]:
    areas = []
    for code in criteria.areas:
        node = criteria.nodes[code]
        indices = []
        for entry in ranked:
            totals = entry.unit.nodes.get(code)
            if totals is not None and totals.index is not None:
                indices.append(totals.index)
            elif not isinstance(node, Group):
                leaf = entry.unit.leaves.get(code)
                if leaf is not None and not leaf.na and leaf.max:
                    indices.append(index_of(leaf.points, leaf.max))
        areas.append(AreaSummary(code=code, name=node.name, average_index=mean(indices),
                                 units=len(indices)))
    return areas


def _losses(criteria: CriteriaSet, ranked: list[RankEntry]) -> list[CriterionLoss]:
    """Criteria (second level, or leaves directly under an area) where points were lost;
    survey results, bonus and penalty are not shortcomings of the units' own work."""
    losses = []
    for node in criteria.nodes.values():
        if len(node.path) != 1:
            continue
        leaves = [criteria.leaf_of(c) for c in criteria.subtree(node.code)]
        codes = [leaf.code for leaf in leaves if leaf.kind not in (SURVEY, BONUS, PENALTY)]
        if not codes:
            continue
        losing, counted = 0, 0
        lost: Exact = ZERO
        for entry in ranked:
            results = [entry.unit.leaves[c] for c in codes if not entry.unit.leaves[c].na]
            if not results:
                continue
            counted += 1
            gap = exact_sub(exact_sum(r.max for r in results), exact_sum(r.points for r in results))
            if gap > 0:
                losing += 1
                lost = exact_sum((lost, gap))
        top = sum((criteria.leaf_of(c).max for c in codes), ZERO)
        losses.append(CriterionLoss(code=node.code, name=node.name, max=top,
                                    units_losing=losing, points_lost=lost, units=counted))
    losses.sort(key=lambda item: (-item.points_lost, -item.units_losing, item.code))
    return losses


def summarize(ranking: YearRanking) -> list[BlockSummary]:
    return [summarize_block(block, ranking.previous) for block in ranking.blocks]


@dataclass
class ProvinceSummary:
    """The whole province: what the report opens with."""

    units: int
    unranked: int
    counts: dict[str, int]  # band label → units, bands of every block in order
    average: Decimal | None
    previous_average: Decimal | None
    risen: int
    fallen: int
    kept: int
    not_compared: int


def summarize_province(ranking: YearRanking, blocks: list[BlockSummary]) -> ProvinceSummary:
    counts: dict[str, int] = {}
    for block in blocks:
        for label, n in block.counts.items():
            counts[label] = counts.get(label, 0) + n
    ranked = [e for block in blocks for e in block.ranked]
    changes = [e.rank_change for e in ranked]
    return ProvinceSummary(
        units=sum(len(b.ranked) + len(b.unranked) for b in blocks),
        unranked=sum(len(b.unranked) for b in blocks),
        counts=counts,
        average=mean([e.unit.index_published for e in ranked]),  # type: ignore[misc]
        previous_average=previous_average(ranking.previous),
        risen=sum(1 for c in changes if c is not None and c > 0),
        fallen=sum(1 for c in changes if c is not None and c < 0),
        kept=sum(1 for c in changes if c == 0),
        not_compared=sum(1 for c in changes if c is None),
    )
