"""Undecided appraisals (SPEC §13.5): how far could each unit's index and rank still move?

A leaf is *disputed* when its final appraisal differs from the unit's own value and the
unit's own value is itself a valid input (it scores without an error). Each disputed
leaf may be settled either way, independently; the result for the other way is computed
by the scoring code itself, on the year's inputs without those appraisals, with each
``relative`` leaf's reference kept at its base value (SPEC §13.1.10).

For one unit, with ``a``/``b`` the points and applicable max of its undisputed scored
leaves and one pair ``(x, y)`` (points, max; ``(0, 0)`` when not applicable) per way of
settling each disputed scored leaf, the index is

    clip(100 × (a + E + Σ x) ÷ (b + Σ y), 0, 100)

where E is the capped bonus minus the capped penalty. E depends on other leaves than
the ratio and grows with each bonus leaf's points (a cap is a minimum, and caps nest
bottom-up), so its extremes come from each bonus and penalty leaf at its own extreme.
The ratio is not monotone in a leaf (an N/A changes the denominator): its maximum over
the 2^k combinations is found exactly by Dinkelbach's method — for a trial ratio λ, each
leaf independently takes the way with the larger x − λ·y; the ratio of that choice is the
next λ; when no choice beats λ, λ is the maximum (the minimum likewise). The units'
disputes are independent, so a unit's best rank puts it at its maximum and every other
unit at its minimum, and its worst rank the reverse (``ties: competition``). With
``ties: dense`` a rank counts distinct values, so the values each unit can reach matter:
the worst rank is a maximum matching of the units above to distinct values, the best a
minimum set of values that every unit forced above can take — a minimum hitting set,
NP-hard in general: settled by bounds or an exhaustive search when the units that can
share values form small groups, else reported as a safe bound and marked (``loose``).
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from cchc_cli.criteria import BONUS, PENALTY, CriteriaSet, Leaf
from cchc_cli.inputs import YearInputs, describe_entry, same_entry
from cchc_cli.numbers import Exact, exact_sub, exact_sum, fraction, json_number, round_half_up
from cchc_cli.ranking import DENSE, band_for
from cchc_cli.rules import RelativeRule
from cchc_cli.scoring import (
    SOURCE_APPRAISAL,
    LeafResult,
    UnitScore,
    YearScores,
    extra_below,
    resolve_relative,
    score_leaves,
)
from cchc_cli.settings import Settings

HUNDRED = Fraction(100)
# Beyond this many combinations of a unit's disputes, the values it can reach are not
# listed one by one (only ``ties: dense`` needs them); its rank bounds are then safe
# (they contain every outcome) but may not be tight, and say so.
VALUE_LIMIT = 1 << 16
# Nodes of the exact search for the best dense rank before it settles for a safe bound.
SEARCH_LIMIT = 20_000
SEARCH_SETS = 40  # groups of more units than this are not searched


# --------------------------------------------------------------------------------------
# Which leaves are disputed, and the other way of settling them
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dispute:
    """One disputed leaf of one unit: the appraised result and the unit's own."""

    unit: str
    leaf: Leaf
    appraised: LeafResult
    own: LeafResult

    @property
    def code(self) -> str:
        return self.leaf.code

    def to_dict(self) -> dict[str, Any]:
        appraised, own = self.appraised, self.own
        return {"unit": self.unit, "criterion": self.code, "name": self.leaf.name,
                "own": describe_entry(own.origin), "appraised": describe_entry(appraised.origin),
                "own_points": None if own.na else json_number(own.points),
                "appraised_points": None if appraised.na else json_number(appraised.points),
                "max": json_number(self.leaf.max), "comment": appraised.comment or None,
                "file": appraised.file, "cell": appraised.cell or appraised.na_cell}


def _candidates(unit: UnitScore) -> list[LeafResult]:
    """Leaves whose final appraisal differs from a valid value of the unit's own."""
    found = []
    for result in unit.leaves.values():
        own = result.own
        if result.source != SOURCE_APPRAISAL or own is None or own.bad:
            continue
        if not same_entry(own, result.origin):
            found.append(result)
    return found


def find_disputes(inputs: YearInputs, scores: YearScores) -> dict[str, list[Dispute]]:
    """Every unit's disputes (units with errors have none: they have no index)."""
    found: dict[str, list[Dispute]] = {}
    register = inputs.register
    for block in scores.blocks:
        criteria = block.criteria
        if criteria is None or register is None:
            continue
        wanted = {u.code: _candidates(u) for u in block.units if u.ok}
        wanted = {code: results for code, results in wanted.items() if results}
        if not wanted:
            continue
        own = _settled_for_own(inputs, criteria, block.units, wanted)
        for code, results in wanted.items():
            disputes = [Dispute(code, r.leaf, r, own[code][r.code]) for r in results]
            # The unit's own value must be scorable: one that fails a check, say, is no
            # way of settling the dispute.
            valid = [d for d in disputes if not d.own.missing and not d.own.pending]
            if valid:
                found[code] = valid
    return found


def _settled_for_own(inputs: YearInputs, criteria: CriteriaSet, units: list[UnitScore],
                     wanted: Mapping[str, list[LeafResult]]) -> dict[str, dict[str, LeafResult]]:
    """The leaves of the disputing units, scored as if none of their disputed appraisals
    had been made (relative references fixed at the base result's)."""
    assert inputs.register is not None
    dropped = {(unit, r.code) for unit, results in wanted.items() for r in results}
    own_inputs = dataclasses.replace(
        inputs, appraisals={k: v for k, v in inputs.appraisals.items() if k not in dropped})
    scored = [score_leaves(inputs.register.units[code], criteria, own_inputs, prior_errors=0)
              for code in wanted]
    references = base_references(criteria, units)
    if any(isinstance(leaf.rule, RelativeRule) for leaf in criteria.leaves):
        resolve_relative(criteria, scored, fixed=references)
    return {item.unit.code: item.leaves for item in scored}


def base_references(criteria: CriteriaSet, units: Iterable[UnitScore]) -> dict[str, Exact]:
    """Each relative leaf's reference in the base result."""
    found: dict[str, Exact] = {}
    for leaf in criteria.leaves:
        if not isinstance(leaf.rule, RelativeRule):
            continue
        for unit in units:
            result = unit.leaves.get(leaf.code)
            if result is not None and result.reference is not None:
                found[leaf.code] = result.reference
                break
    return found


def block_relative(criteria: CriteriaSet) -> list[str]:
    """Relative leaves whose reference comes from the block (not a fixed number)."""
    return [leaf.code for leaf in criteria.leaves
            if isinstance(leaf.rule, RelativeRule) and leaf.rule.fixed is None]


# --------------------------------------------------------------------------------------
# One unit: the index as a function of the settlements
# --------------------------------------------------------------------------------------

Pair = tuple[Fraction, Fraction]  # (points, applicable max) of one way of settling


def _pair(result: LeafResult) -> Pair:
    if result.na:
        return Fraction(0), Fraction(0)
    return fraction(result.points), Fraction(result.leaf.max)


@dataclass
class UnitModel:
    """A unit's exact index over every way its disputes could be settled."""

    unit: UnitScore
    criteria: CriteriaSet
    fixed_points: Fraction  # a: undisputed scored leaves
    fixed_max: Fraction  # b
    scored: list[tuple[Pair, Pair]]  # (appraised, own) of each disputed scored leaf
    extra: list[Dispute]  # disputed bonus and penalty leaves

    @classmethod
    def of(cls, unit: UnitScore, criteria: CriteriaSet, disputes: Sequence[Dispute]
           ) -> UnitModel:
        disputed = {d.code for d in disputes}
        points, top = [], []
        for code, result in unit.leaves.items():
            if code in disputed or result.na or not result.counts_in_scale:
                continue
            points.append(fraction(result.points))
            top.append(Fraction(result.leaf.max))
        scored = [(_pair(d.appraised), _pair(d.own)) for d in disputes
                  if d.leaf.kind not in (BONUS, PENALTY)]
        extra = [d for d in disputes if d.leaf.kind in (BONUS, PENALTY)]
        return cls(unit, criteria, sum(points, Fraction(0)), sum(top, Fraction(0)), scored,
                   extra)

    # --- bonus and penalty ----------------------------------------------------------------
    def _extra_with(self, chosen: Mapping[str, LeafResult]) -> Fraction:
        """Capped bonus − capped penalty with some disputed leaves settled (``chosen``)."""
        leaves = {**self.unit.leaves, **chosen}
        areas = self.criteria.areas
        bonus = exact_sum(extra_below(self.criteria, leaves, a, BONUS) for a in areas)
        penalty = exact_sum(extra_below(self.criteria, leaves, a, PENALTY) for a in areas)
        return fraction(exact_sub(bonus, penalty))

    def extra_range(self) -> tuple[Fraction, Fraction]:
        """(least, most) of bonus − penalty: each leaf at its own extreme (capped sums
        grow with each leaf's points)."""
        low: dict[str, LeafResult] = {}
        high: dict[str, LeafResult] = {}
        for d in self.extra:
            small, big = sorted((d.appraised, d.own), key=_counted_points)
            up, down = (big, small) if d.leaf.kind == BONUS else (small, big)
            high[d.code], low[d.code] = up, down
        return self._extra_with(low), self._extra_with(high)

    def extra_values(self) -> set[Fraction] | None:
        """Every value bonus − penalty can take (None: too many combinations)."""
        if 1 << len(self.extra) > VALUE_LIMIT:
            return None
        found = set()
        for ways in itertools.product(*((d.appraised, d.own) for d in self.extra)):
            found.add(self._extra_with({d.code: w for d, w in zip(self.extra, ways,
                                                                   strict=True)}))
        return found

    # --- the index ------------------------------------------------------------------------
    @property
    def may_lose_index(self) -> bool:
        """Some settlement leaves nothing applicable (the unit then has no index)."""
        return self.fixed_max == 0 and all(min(p[1] for p in pair) == 0
                                           for pair in self.scored)

    def index_range(self) -> tuple[Fraction, Fraction]:
        """(least, most) exact index over every settlement that leaves an index."""
        low_extra, high_extra = self.extra_range()
        a, b = self.fixed_points, self.fixed_max
        most = _most_ratio(a + high_extra, b, self.scored)
        least = -_most_ratio(-(a + low_extra), b,
                             [((-x1, y1), (-x2, y2)) for (x1, y1), (x2, y2) in self.scored])
        return _clip(least), _clip(most)

    def index_values(self) -> set[Fraction] | None:
        """Every exact index the unit can reach (None: too many to list)."""
        extras = self.extra_values()
        if extras is None:
            return None
        states = {(self.fixed_points, self.fixed_max)}
        for pair in self.scored:
            states = {(n + x, d + y) for n, d in states for x, y in pair}
            if len(states) * len(extras) > VALUE_LIMIT:
                return None
        return {_clip((n + e) / d) for n, d in states if d > 0 for e in extras}


def _counted_points(result: LeafResult) -> Exact:
    """What a bonus or penalty leaf adds to its group (nothing when not applicable)."""
    return Decimal(0) if result.na else result.points


def _clip(ratio: Fraction) -> Fraction:
    return min(HUNDRED, max(Fraction(0), ratio * HUNDRED))


def _most_ratio(a: Fraction, b: Fraction, pairs: Sequence[tuple[Pair, Pair]]) -> Fraction:
    """max of (a + Σx) ÷ (b + Σy), one (x, y) of each pair, over the choices with a
    positive denominator — Dinkelbach's iteration, exact. The first choice of every pair
    (the base result) has a positive denominator."""
    n = a + sum((p[0][0] for p in pairs), Fraction(0))
    d = b + sum((p[0][1] for p in pairs), Fraction(0))
    ratio = n / d
    while True:
        n, d = a, b
        for pair in pairs:
            x, y = max(pair, key=lambda s: s[0] - ratio * s[1])
            n, d = n + x, d + y
        # n − ratio·d ≥ 0 always (the previous choice gives 0); it is 0 exactly when no
        # choice beats the ratio. A choice with d = 0 has n = 0 (nothing applies, nothing
        # is earned), so it never beats a ratio either.
        if n - ratio * d <= 0:
            return ratio
        ratio = n / d


# --------------------------------------------------------------------------------------
# Ranks within a block
# --------------------------------------------------------------------------------------


@dataclass
class Span:
    """What one ranked unit can reach: its rank keys (published or exact index)."""

    code: str
    low: Decimal | Fraction
    high: Decimal | Fraction
    may_vanish: bool
    values: set[Any] | None = None  # every key it can reach (dense only); None: unlisted


def competition_bounds(spans: list[Span]) -> dict[str, tuple[int, int]]:
    """(best, worst) rank of each unit: 1 + the units that must be (may be) above it."""
    lows = sorted(s.low for s in spans if not s.may_vanish)
    highs = sorted(s.high for s in spans)
    found = {}
    for span in spans:
        above = len(lows) - bisect.bisect_right(lows, span.high)
        may = len(highs) - bisect.bisect_right(highs, span.low) - (span.high > span.low)
        found[span.code] = (1 + above, 1 + may)
    return found


def dense_bounds(spans: list[Span]) -> tuple[dict[str, tuple[int, int]], set[str]]:
    """(best, worst) dense rank of each unit, and the units whose bounds are only safe
    (they contain every outcome but may be wider)."""
    block = _DenseBlock(spans)
    found = {}
    loose = set()
    for i, span in enumerate(spans):
        best, tight = block.fewest_values_above(i)
        worst, tight_too = block.most_values_above(i)
        found[span.code] = (1 + best, 1 + worst)
        if not (tight and tight_too):
            loose.add(span.code)
    return found, loose


class _DenseBlock:
    """The values the units of a block can reach, indexed once for every unit's bounds."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.sorted = [sorted(s.values) if s.values is not None else None for s in spans]
        owners: dict[Any, list[int]] = {}
        for i, span in enumerate(spans):
            for value in span.values or ():
                owners.setdefault(value, []).append(i)
        # Values two units can share: the only ones that tie units together.
        self.shared = {v: units for v, units in owners.items() if len(units) > 1}

    def _single(self, i: int) -> Any:
        values = self.spans[i].values
        return next(iter(values)) if values is not None and len(values) == 1 else None

    def fewest_values_above(self, x: int) -> tuple[int, bool]:
        """The fewest distinct values the units that must be above unit ``x`` (at its
        highest) can share: the values of those that cannot move, plus a minimum hitting
        set of the others, solved per group of units that can share a value (a unit whose
        values are not listed is assumed to share one: a safe bound)."""
        top = self.spans[x].high
        forced = [i for i, s in enumerate(self.spans)
                  if not s.may_vanish and s.low > top and i != x]
        fixed = {v for i in forced if (v := self._single(i)) is not None}
        rest = []
        tight = True
        for i in forced:
            values = self.spans[i].values
            if values is None:
                tight = False
            elif len(values) > 1 and values.isdisjoint(fixed):
                rest.append(i)
        total = len(fixed)
        for group in self._groups(rest):
            if len(group) == 1:
                total += 1
                continue
            count, proved = _hitting_set([self.spans[i].values or set() for i in group])
            total += count
            tight &= proved
        return total, tight

    def _groups(self, members: list[int]) -> list[list[int]]:
        """The units of ``members`` joined when they can share a value."""
        parent = {i: i for i in members}

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i in members:
            for value in self.spans[i].values or ():
                for j in self.shared.get(value, ()):
                    if j in parent:
                        parent[root(j)] = root(i)
        groups: dict[int, list[int]] = {}
        for i in members:
            groups.setdefault(root(i), []).append(i)
        return list(groups.values())

    def most_values_above(self, x: int) -> tuple[int, bool]:
        """The most distinct values above unit ``x`` (at its lowest) the other units can
        take at once: the values of units that cannot move, plus a maximum matching of
        the others to further distinct values (a unit whose values are not listed is
        assumed to find one: a safe bound)."""
        bottom = self.spans[x].low
        candidates = [i for i, s in enumerate(self.spans) if s.high > bottom and i != x]
        fixed = {v for i in candidates if (v := self._single(i)) is not None}
        free = 0
        choices = []
        for i in candidates:
            values = self.sorted[i]
            if values is None:
                free += 1
            elif len(values) > 1:
                above = values[bisect.bisect_right(values, bottom):]
                choices.append([v for v in reversed(above) if v not in fixed])
        return len(fixed) + free + _matching(choices), free == 0


def _hitting_set(sets: list[set[Any]]) -> tuple[int, bool]:
    """The size of a smallest set of values meeting every set, and whether it is proved
    (else a lower bound). Finding it is NP-hard in general: a lower bound (sets that
    share no value need one each; a fractional packing) and a greedy cover settle most
    groups; a small group still open is searched exhaustively, within a budget."""
    lower = max(_disjoint_count(sets), _fractional_bound(sets))
    upper = _greedy_cover(sets)
    if lower == upper:
        return upper, True
    if len(sets) > SEARCH_SETS:
        return lower, False
    budget = [SEARCH_LIMIT]
    best = [upper]

    def search(remaining: list[set[Any]], used: int) -> None:
        if not remaining:
            best[0] = min(best[0], used)
            return
        budget[0] -= 1
        if budget[0] < 0 or used + _disjoint_count(remaining) >= best[0]:
            return
        smallest = min(remaining, key=len)
        for value in sorted(smallest, key=lambda v: -sum(v in s for s in remaining)):
            search([s for s in remaining if value not in s], used + 1)

    search(sets, 0)
    if budget[0] >= 0:
        return best[0], True
    return lower, False


def _greedy_cover(sets: list[set[Any]]) -> int:
    """The size of a cover built by taking, each time, the value in most sets not yet
    met (a heap with lazy counts)."""
    holders: dict[Any, list[int]] = {}
    for i, s in enumerate(sets):
        for v in s:
            holders.setdefault(v, []).append(i)
    counts = {v: len(found) for v, found in holders.items()}
    order = {v: n for n, v in enumerate(sorted(holders))}  # deterministic ties
    heap = [(-count, order[v], v) for v, count in counts.items()]
    heapq.heapify(heap)
    met = [False] * len(sets)
    left, chosen = len(sets), 0
    while left:
        negative, _, value = heapq.heappop(heap)
        if -negative != counts[value]:
            heapq.heappush(heap, (-counts[value], order[value], value))
            continue
        chosen += 1
        for i in holders[value]:
            if met[i]:
                continue
            met[i] = True
            left -= 1
            for v in sets[i]:
                counts[v] -= 1
    return chosen


def _disjoint_count(sets: list[set[Any]]) -> int:
    """Sets chosen greedily so that no two share a value: each needs its own value."""
    taken: set[Any] = set()
    count = 0
    for s in sorted(sets, key=len):
        if s.isdisjoint(taken):
            taken |= s
            count += 1
    return count


def _fractional_bound(sets: list[set[Any]]) -> int:
    """A fractional packing: each set weighs 1 ÷ the most sets any of its values is in,
    so that no value carries more than 1; a cover needs at least the total."""
    degree: dict[Any, int] = {}
    for s in sets:
        for v in s:
            degree[v] = degree.get(v, 0) + 1
    total = sum((Fraction(1, max(degree[v] for v in s)) for s in sets), Fraction(0))
    return math.ceil(total)


def _matching(choices: list[list[Any]]) -> int:
    """Maximum matching of items to distinct values (augmenting paths, iterative)."""
    owner: dict[Any, int] = {}
    for item, values in enumerate(choices):
        free = next((v for v in values if v not in owner), None)
        if free is not None:
            owner[free] = item
            continue
        _augment(item, choices, owner)
    return len(owner)


def _augment(start: int, choices: list[list[Any]], owner: dict[Any, int]) -> bool:
    """Find a chain of reassignments that frees a value for ``start`` (depth first,
    without recursion)."""
    seen: set[Any] = set()
    stack: list[tuple[int, int]] = [(start, 0)]  # (item, next choice to try)
    path: list[Any] = []  # the value taken at each level but the last
    while stack:
        item, i = stack[-1]
        values = choices[item]
        if i >= len(values):
            stack.pop()
            if path:
                path.pop()
            continue
        stack[-1] = (item, i + 1)
        value = values[i]
        if value in seen:
            continue
        seen.add(value)
        path.append(value)
        if value not in owner:
            for level, (holder, _) in enumerate(stack):
                owner[path[level]] = holder
            return True
        stack.append((owner[value], 0))
    return False


# --------------------------------------------------------------------------------------
# The year
# --------------------------------------------------------------------------------------


@dataclass
class UnitBounds:
    """What is still open for one unit."""

    code: str
    name: str
    block: str
    block_name: str
    disputes: int
    index: tuple[Fraction, Fraction] | None = None  # exact index, least and most
    published: tuple[Decimal, Decimal] | None = None
    rank: tuple[int, int] | None = None  # best, worst
    bands: tuple[str | None, str | None] = (None, None)  # at the least and the most index
    ratings: tuple[str | None, str | None] = (None, None)
    certain_rank: bool = False
    certain_band: bool = False
    certain_rating: bool = False
    may_lose_index: bool = False
    rank_tight: bool = True  # False: the rank bounds contain every outcome, maybe more

    def to_dict(self) -> dict[str, Any]:
        """The unit's entry of the JSON, exactly as SPEC §13.5 (index on the exact index)."""
        index, rank = self.index, self.rank
        return {
            "code": self.code, "block": self.block,
            "index": {"min": json_number(index[0]) if index else None,
                      "max": json_number(index[1]) if index else None},
            "rank": {"best": rank[0] if rank else None, "worst": rank[1] if rank else None},
            "certain": {"rank": self.certain_rank, "band": self.certain_band,
                        "leader_rating": self.certain_rating},
            "disputes": self.disputes,
        }


@dataclass
class YearBounds:
    year: int
    precision: int
    ties: str
    basis: str
    units: list[UnitBounds]
    disputes: list[Dispute]
    # Blocks whose relative leaves kept their base reference: block → leaf codes.
    relative: dict[str, list[str]] = field(default_factory=dict)
    # Units whose rank bounds are safe but maybe not tight (ties: dense, see
    # VALUE_LIMIT and _hitting_set).
    loose: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not self.loose

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "ties": self.ties, "basis": self.basis,
                "exact": self.exact, "loose": self.loose,
                "relative_reference_fixed": self.relative,
                "units": [u.to_dict() for u in self.units],
                "disputes": [d.to_dict() for d in self.disputes]}


def bound_year(inputs: YearInputs, scores: YearScores, ranking: Any, settings: Settings
               ) -> YearBounds:
    """Every unit's index interval, rank interval and what is certain."""
    disputes = find_disputes(inputs, scores)
    result = YearBounds(year=scores.year, precision=scores.precision,
                        ties=settings.ranking.ties, basis=settings.ranking.basis, units=[],
                        disputes=[d for found in disputes.values() for d in found])
    for block in ranking.blocks:
        if block.criteria is None:  # no usable criteria set: its units have no index
            result.units.extend(UnitBounds(e.code, e.unit.name, block.block, block.name, 0)
                                for e in block.entries)
            continue
        relative = block_relative(block.criteria)
        if relative and any(e.code in disputes for e in block.entries):
            result.relative[block.block] = relative
        result.loose.extend(_bound_block(block, disputes, settings, result))
    return result


def _bound_block(block: Any, disputes: Mapping[str, list[Dispute]], settings: Settings,
                 result: YearBounds) -> list[str]:
    """The bounds of one block's units; the units whose rank bounds are only safe."""
    precision = result.precision
    dense = settings.ranking.ties == DENSE

    def key(index: Fraction) -> Decimal | Fraction:
        return index if result.basis == "exact" else round_half_up(index, precision)

    bounds: list[UnitBounds] = []
    models: dict[str, UnitModel | None] = {}
    spans: list[Span] = []
    for entry in block.entries:
        unit = entry.unit
        mine = disputes.get(unit.code, [])
        found = UnitBounds(unit.code, unit.name, block.block, block.name, len(mine))
        bounds.append(found)
        if entry.rank is None or unit.exact_index is None:
            continue
        model = UnitModel.of(unit, block.criteria, mine) if mine else None
        models[unit.code] = model
        low, high = model.index_range() if model else (unit.exact_index, unit.exact_index)
        found.index = (low, high)
        found.published = (round_half_up(low, precision), round_half_up(high, precision))
        found.may_lose_index = model.may_lose_index if model else False
        span = Span(unit.code, key(low), key(high), found.may_lose_index)
        if dense:
            values = model.index_values() if model else {low}
            span.values = None if values is None else {key(v) for v in values}
        spans.append(span)
    loose: set[str] = set()
    if dense:
        ranks, loose = dense_bounds(spans)
    else:
        ranks = competition_bounds(spans)
    for found in bounds:
        if found.code in ranks:
            _settle_certainty(found, ranks[found.code], models[found.code], block.block,
                              settings)
    result.units.extend(bounds)
    for found in bounds:
        found.rank_tight = found.code not in loose
    return [found.code for found in bounds if found.code in loose]


def _settle_certainty(found: UnitBounds, rank: tuple[int, int], model: UnitModel | None,
                      block: str, settings: Settings) -> None:
    assert found.published is not None
    bands, ratings = settings.bands(block), settings.ratings(block)
    labels = []
    for value in found.published:
        band = band_for(value, bands)
        labels.append(band.label if band else None)
    found.rank = rank
    found.bands = (labels[0], labels[1])
    found.ratings = (ratings.get(labels[0] or ""), ratings.get(labels[1] or ""))
    stays = not found.may_lose_index
    found.certain_rank = stays and rank[0] == rank[1]
    found.certain_band = stays and labels[0] == labels[1]
    found.certain_rating = stays and (found.certain_band or _one_rating(found, model, block,
                                                                       settings))


def _one_rating(found: UnitBounds, model: UnitModel | None, block: str, settings: Settings
                ) -> bool:
    """The head's rating is the same whatever band the unit ends in (two bands may share a
    rating: Khá and Trung bình both give 'Hoàn thành nhiệm vụ')."""
    assert found.published is not None
    bands, ratings = settings.bands(block), settings.ratings(block)
    low, high = found.published
    between = {ratings.get(b.label) for i, b in enumerate(bands)
               if b.min <= high and (i == 0 or bands[i - 1].min > low)}
    if len(between) == 1:
        return True
    if model is None or found.ratings[0] != found.ratings[1]:
        return False
    # The bands between the two ends differ in rating: only the values the unit can
    # really reach decide.
    values = model.index_values()
    if values is None:
        return False
    reached = set()
    for value in values:
        band = band_for(round_half_up(value, settings.precision), bands)
        reached.add(ratings.get(band.label) if band else None)
    return len(reached) == 1


@dataclass
class DisputeRun:
    """``cchc whatif --disputes``: the bounds, and the issues of the inputs."""

    workspace: Any
    year: int
    bounds: YearBounds
    issues: list[Any]
    as_of: Any
    written: list[Any] = field(default_factory=list)
    blocked: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**self.bounds.to_dict(), "issues": [i.to_dict() for i in self.issues]}
