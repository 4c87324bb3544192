"""Scoring (SPEC §8): every unit's points, applicable maximum and index, leaf by leaf.

Exact decimals throughout; only published values are rounded, half-up, at the end. Each
leaf result remembers where its input came from (file, sheet, cell; self-assessment,
appraisal round, survey) and why it is not applicable, so ``cchc explain`` can retell
the whole computation.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cchc_cli.criteria import BONUS, PENALTY, SURVEY, CriteriaSet, Leaf
from cchc_cli.inputs import YearInputs
from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import HUNDRED, ZERO, round_half_up
from cchc_cli.readers.forms import LeafEntry, SelfForm
from cchc_cli.readers.register import Unit
from cchc_cli.rules import INPUT_CHOICE, INPUT_DATA, input_kind, points

STATUS_OK, STATUS_ERROR = "ok", "loi"
SOURCE_SELF, SOURCE_APPRAISAL, SOURCE_SURVEY = "self", "appraisal", "survey"
NA_REGISTER, NA_MARKED = "register", "marked"

# Enough digits that no quotient can be rounded the wrong way at 6 decimals.
_CONTEXT = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN)


class LeafResult:
    """How one leaf of one unit was scored.

    A national run holds one of these per leaf per commune (about 750 000): the record
    keeps references to what it was computed from — the leaf, the input record, the
    file — and derives the rest (code, input, cell, comment) on demand.
    """

    __slots__ = ("leaf", "points", "source", "origin", "file", "sheet", "round", "appraiser",
                 "na", "na_reason", "register_cell", "missing", "own")

    def __init__(self, leaf: Leaf, own: LeafEntry | None = None) -> None:
        self.leaf = leaf
        self.points: Decimal = ZERO
        self.source: str | None = None  # self | appraisal | survey
        self.origin: LeafEntry | Any = None  # the record the input came from
        self.file: str | None = None
        self.sheet: str | None = None
        self.round: int | None = None
        self.appraiser: str | None = None
        self.na = False
        self.na_reason: str | None = None  # register | marked
        self.register_cell: str | None = None
        self.missing = False  # no usable input: the unit has an error
        self.own = own  # the unit's self-assessed row, for differences

    @property
    def code(self) -> str:
        return self.leaf.code

    @property
    def kind(self) -> str:
        return self.leaf.kind

    @property
    def max(self) -> Decimal:
        return self.leaf.max

    @property
    def input(self) -> Decimal | str | None:
        if self.origin is None or self.na or self.missing:
            return None
        return self.origin.value

    @property
    def cell(self) -> str | None:
        return self.origin.cell if self.origin is not None else None

    @property
    def na_cell(self) -> str | None:
        if self.na_reason == NA_REGISTER:
            return self.register_cell
        return getattr(self.origin, "na_cell", None) or self.cell if self.na else None

    @property
    def comment(self) -> str:
        return self.origin.note if self.source == SOURCE_APPRAISAL else ""

    @property
    def applicable(self) -> bool:
        return not self.na

    @property
    def counts_in_scale(self) -> bool:
        return self.leaf.kind not in (BONUS, PENALTY)

    @property
    def changed_by_appraisal(self) -> bool:
        """The appraisal's input or N/A mark differs from the unit's own."""
        if self.source != SOURCE_APPRAISAL:
            return False
        own = self.own
        if own is None:
            return True
        if own.na or self.na:
            return own.na != self.na
        return own.value != self.input


@dataclass(slots=True)
class NodeResult:
    """Totals of an area or criterion (bonus and penalty excluded)."""

    code: str
    name: str
    points: Decimal
    max_points: Decimal

    @property
    def index(self) -> Decimal | None:
        if not self.max_points:
            return None
        return _CONTEXT.multiply(_CONTEXT.divide(self.points, self.max_points), HUNDRED)


class NodeTotals(Mapping[str, NodeResult]):
    """Totals of every area and criterion of a unit, made into records when read (a
    national run would otherwise build 360 000 of them to publish a few per unit)."""

    __slots__ = ("criteria", "sums")

    def __init__(self, criteria: CriteriaSet, sums: dict[str, list[Decimal]]) -> None:
        self.criteria = criteria
        self.sums = sums

    def __getitem__(self, code: str) -> NodeResult:
        points, top = self.sums[code]
        return NodeResult(code, self.criteria.nodes[code].name, points, top)

    def __iter__(self) -> Iterator[str]:
        return iter(self.sums)

    def __len__(self) -> int:
        return len(self.sums)


@dataclass
class UnitScore:
    code: str
    name: str
    block: str
    head: str
    status: str
    points: Decimal
    max_points: Decimal
    index: Decimal | None
    index_published: Decimal | None
    appraised_points: Decimal
    survey_points: Decimal
    bonus: Decimal
    penalty: Decimal
    not_applicable: list[str]
    nodes: Mapping[str, NodeResult]
    leaves: dict[str, LeafResult]
    unappraised: list[str] = field(default_factory=list)
    errors: int = 0

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    def areas(self, criteria: CriteriaSet) -> list[NodeResult]:
        return [self.nodes[code] for code in criteria.areas if code in self.nodes]


@dataclass
class BlockScores:
    block: str
    name: str
    criteria: CriteriaSet | None
    units: list[UnitScore]


@dataclass
class YearScores:
    year: int
    precision: int
    blocks: list[BlockScores]
    issues: list[Issue]

    def unit(self, code: str) -> UnitScore | None:
        for block in self.blocks:
            for unit in block.units:
                if unit.code == code:
                    return unit
        return None

    def all_units(self) -> list[UnitScore]:
        return [u for b in self.blocks for u in b.units]


# --------------------------------------------------------------------------------------


def _what(leaf: Leaf) -> str:
    kind = input_kind(leaf)
    if kind == INPUT_CHOICE:
        return "lựa chọn (cột 'Lựa chọn')"
    if kind == INPUT_DATA:
        return "số liệu (cột 'Số liệu')"
    return "điểm (cột 'Điểm tự chấm')"


def register_na(unit: Unit, criteria: CriteriaSet) -> set[str]:
    """Leaves the register declares not applicable (a code covers its subtree)."""
    found: set[str] = set()
    for code in unit.not_applicable:
        found.update(criteria.subtree(code))
    return found


def score_leaf(leaf: Leaf, unit: Unit, inputs: YearInputs, self_form: SelfForm | None,
               excluded: set[str], issues: list[Issue]) -> LeafResult:
    """One leaf of one unit (SPEC §8 steps 1–3)."""
    own = self_form.entries.get(leaf.code) if self_form is not None else None
    result = LeafResult(leaf, own)
    if excluded and leaf.code in excluded:
        result.na, result.na_reason = True, NA_REGISTER
        if inputs.register is not None:
            result.file, result.sheet = inputs.register.file, inputs.register.sheet
        result.register_cell = unit.na_cell
        return result
    if leaf.kind == SURVEY:
        found = inputs.survey.get((unit.code, leaf.code))
        if found is None:
            issues.append(issue("thieu-khao-sat", unit=unit.code, criterion=leaf.code))
            result.missing = True
            return result
        value, result.file, result.sheet = found
        result.source, result.origin = SOURCE_SURVEY, value
        if value.na or value.value is None:
            result.na, result.na_reason = True, NA_MARKED
            return result
        result.points = points(leaf, value.value)
        return result
    history = inputs.appraisals.get((unit.code, leaf.code))
    if history:
        final = history[-1]
        entry = final.entry
        result.source, result.file, result.sheet = SOURCE_APPRAISAL, final.file, final.sheet
        result.round, result.appraiser = final.round, final.appraiser
    elif own is not None:
        entry = own
        result.source = SOURCE_SELF
        result.file, result.sheet = self_form.file, self_form.sheet  # type: ignore[union-attr]
    else:
        # No row at all: the missing form or row is already an error of this unit.
        result.missing = True
        return result
    result.origin = entry
    if entry.bad:
        result.missing = True  # the bad cell is already reported
        return result
    if entry.na:
        result.na, result.na_reason = True, NA_MARKED
        return result
    if entry.value is None:
        if leaf.kind in (BONUS, PENALTY):
            return result  # nothing claimed, nothing deducted
        issues.append(issue("thieu-du-lieu", file=result.file, sheet=result.sheet,
                            cell=entry.cell, unit=unit.code, criterion=leaf.code,
                            what=_what(leaf)))
        result.missing = True
        return result
    result.points = entry.points if entry.points is not None else points(leaf, entry.value)
    return result


def score_unit(unit: Unit, criteria: CriteriaSet, inputs: YearInputs, *, precision: int,
               prior_errors: int) -> tuple[UnitScore, list[Issue]]:
    """Every leaf and total of one unit (SPEC §8 steps 1–5)."""
    issues: list[Issue] = []
    self_form = inputs.self_forms.get(unit.code)
    excluded = register_na(unit, criteria)
    leaves: dict[str, LeafResult] = {}
    unappraised: list[str] = []
    for leaf in criteria.leaves:
        result = score_leaf(leaf, unit, inputs, self_form, excluded, issues)
        leaves[leaf.code] = result
        own = result.own
        if (result.source == SOURCE_SELF and own is not None
                and (own.value is not None or own.na)):
            unappraised.append(leaf.code)
    if unappraised and self_form is not None:
        shown = ", ".join(unappraised[:12]) + (" …" if len(unappraised) > 12 else "")
        issues.append(issue("chua-tham-dinh", file=self_form.file, sheet=self_form.sheet,
                            unit=unit.code, count=len(unappraised), codes=shown))
    # Totals in one pass; each applicable scored leaf also counts for its ancestors.
    total = max_points = bonus = penalty = survey_points = ZERO
    sums: dict[str, list[Decimal]] = {code: [ZERO, ZERO] for code in criteria.groups}
    for result in leaves.values():
        if result.na:
            continue
        leaf = result.leaf
        kind = leaf.kind
        if kind == BONUS:
            bonus += result.points
        elif kind == PENALTY:
            penalty += result.points
        else:
            total += result.points
            max_points += leaf.max
            if kind == SURVEY:
                survey_points += result.points
            for ancestor in leaf.path:
                pair = sums[ancestor]
                pair[0] += result.points
                pair[1] += leaf.max
    points_total = total + bonus - penalty
    nodes = NodeTotals(criteria, sums)
    errors = prior_errors + sum(1 for i in issues if i.is_error)
    index = None
    if max_points > 0:
        raw = _CONTEXT.multiply(_CONTEXT.divide(points_total, max_points), HUNDRED)
        index = min(HUNDRED, max(ZERO, raw))
    else:
        issues.append(issue("khong-co-tieu-chi-ap-dung", unit=unit.code, name=unit.name))
        errors += 1
    status = STATUS_ERROR if errors else STATUS_OK
    published = round_half_up(index, precision) if index is not None and not errors else None
    score = UnitScore(
        code=unit.code,
        name=unit.name,
        block=unit.block,
        head=unit.head,
        status=status,
        points=points_total,
        max_points=max_points,
        index=index if not errors else None,
        index_published=published,
        appraised_points=total - survey_points,
        survey_points=survey_points,
        bonus=bonus,
        penalty=penalty,
        not_applicable=[code for code, r in leaves.items() if r.na],
        nodes=nodes,
        leaves=leaves,
        unappraised=unappraised,
        errors=errors,
    )
    return score, issues


def score_year(inputs: YearInputs, *, blocks: dict[str, str], precision: int) -> YearScores:
    """Score every unit of the register; a unit's errors never stop the others.

    ``blocks`` maps block codes to names, in the order of cchc.yaml.
    """
    issues: list[Issue] = []
    errors_by_unit: dict[str, int] = {}
    for found in inputs.issues:
        if found.is_error and found.unit:
            errors_by_unit[found.unit] = errors_by_unit.get(found.unit, 0) + 1
    result: list[BlockScores] = []
    register = inputs.register
    units = list(register.units.values()) if register else []
    for block, name in blocks.items():
        members = [u for u in units if u.block == block]
        criteria = inputs.sets.get(block)
        if not members:
            continue
        scores: list[UnitScore] = []
        if criteria is not None:
            for unit in members:
                score, unit_issues = score_unit(unit, criteria, inputs, precision=precision,
                                                prior_errors=errors_by_unit.get(unit.code, 0))
                scores.append(score)
                issues.extend(unit_issues)
        else:
            scores = [_unscorable(unit) for unit in members]
        result.append(BlockScores(block=block, name=name, criteria=criteria, units=scores))
    return YearScores(year=inputs.year, precision=precision, blocks=result, issues=issues)


def _unscorable(unit: Unit) -> UnitScore:
    """A unit whose block has no usable criteria set (the set's errors say why)."""
    return UnitScore(code=unit.code, name=unit.name, block=unit.block, head=unit.head,
                     status=STATUS_ERROR, points=ZERO, max_points=ZERO, index=None,
                     index_published=None, appraised_points=ZERO, survey_points=ZERO,
                     bonus=ZERO, penalty=ZERO, not_applicable=[], nodes={}, leaves={},
                     errors=1)


def all_issues(inputs: YearInputs, scores: YearScores) -> Iterable[Issue]:
    yield from inputs.issues
    yield from scores.issues
