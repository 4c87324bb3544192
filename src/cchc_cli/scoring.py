"""Scoring (SPEC §8): every unit's points, applicable maximum and index, leaf by leaf.

Exact decimals throughout; only published values are rounded, half-up, at the end. Each
leaf result remembers where its input came from (file, sheet, cell; self-assessment,
appraisal round, survey) and why it is not applicable, so ``cchc explain`` can retell
the whole computation.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from cchc_cli.criteria import BONUS, PENALTY, SURVEY, CriteriaSet, Group, Leaf
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


@dataclass(slots=True)
class LeafResult:
    """How one leaf of one unit was scored."""

    code: str
    kind: str
    max: Decimal
    points: Decimal = ZERO
    input: Decimal | str | None = None
    source: str | None = None  # self | appraisal | survey
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    round: int | None = None
    appraiser: str | None = None
    comment: str = ""
    na: bool = False
    na_reason: str | None = None  # register | marked
    na_cell: str | None = None
    missing: bool = False  # no usable input: the unit has an error
    own: LeafEntry | None = None  # the unit's self-assessed row, for differences

    @property
    def applicable(self) -> bool:
        return not self.na

    @property
    def counts_in_scale(self) -> bool:
        return self.kind not in (BONUS, PENALTY)

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
    nodes: dict[str, NodeResult]
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
    result = LeafResult(code=leaf.code, kind=leaf.kind, max=leaf.max)
    own = self_form.entries.get(leaf.code) if self_form else None
    result.own = own
    if leaf.code in excluded:
        result.na, result.na_reason = True, NA_REGISTER
        if inputs.register is not None:
            result.file, result.sheet = inputs.register.file, inputs.register.sheet
        result.na_cell = unit.na_cell
        return result
    if leaf.kind == SURVEY:
        found = inputs.survey.get((unit.code, leaf.code))
        if found is None:
            issues.append(issue("thieu-khao-sat", unit=unit.code, criterion=leaf.code))
            result.missing = True
            return result
        value, file, sheet = found
        result.source, result.file, result.sheet, result.cell = SOURCE_SURVEY, file, sheet, \
            value.cell
        if value.na:
            result.na, result.na_reason, result.na_cell = True, NA_MARKED, value.cell
            return result
        result.input = value.value
        result.points = points(leaf, value.value)
        return result
    history = inputs.appraisals.get((unit.code, leaf.code))
    final = history[-1] if history else None
    if final is not None:
        entry = final.entry
        result.source, result.file, result.sheet = SOURCE_APPRAISAL, final.file, final.sheet
        result.round, result.appraiser, result.comment = final.round, final.appraiser, entry.note
    elif own is not None:
        entry = own
        result.source = SOURCE_SELF
        result.file, result.sheet = self_form.file, self_form.sheet  # type: ignore[union-attr]
    else:
        # No row at all: the missing form or row is already an error of this unit.
        result.missing = True
        return result
    result.cell = entry.cell
    if entry.bad:
        result.missing = True  # the bad cell is already reported
        return result
    if entry.na:
        result.na, result.na_reason, result.na_cell = True, NA_MARKED, entry.na_cell
        return result
    if entry.value is None:
        if leaf.kind in (BONUS, PENALTY):
            return result  # nothing claimed, nothing deducted
        issues.append(issue("thieu-du-lieu", file=result.file, sheet=result.sheet,
                            cell=entry.cell, unit=unit.code, criterion=leaf.code,
                            what=_what(leaf)))
        result.missing = True
        return result
    result.input = entry.value
    result.points = points(leaf, entry.value)
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
    scored = [r for r in leaves.values() if r.counts_in_scale and not r.na]
    total = sum((r.points for r in scored), ZERO)
    max_points = sum((r.max for r in scored), ZERO)
    bonus = sum((r.points for r in leaves.values() if r.kind == BONUS and not r.na), ZERO)
    penalty = sum((r.points for r in leaves.values() if r.kind == PENALTY and not r.na), ZERO)
    points_total = total + bonus - penalty
    survey_points = sum((r.points for r in scored if r.kind == SURVEY), ZERO)
    nodes = _node_totals(criteria, leaves)
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


def _node_totals(criteria: CriteriaSet, leaves: dict[str, LeafResult]) -> dict[str, NodeResult]:
    nodes: dict[str, NodeResult] = {}
    for node in criteria.nodes.values():
        if not isinstance(node, Group):
            continue
        below = [leaves[c] for c in node.leaves if leaves[c].counts_in_scale and not leaves[c].na]
        nodes[node.code] = NodeResult(
            code=node.code,
            name=node.name,
            points=sum((r.points for r in below), ZERO),
            max_points=sum((r.max for r in below), ZERO),
        )
    return nodes


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
                score, found = score_unit(unit, criteria, inputs, precision=precision,
                                          prior_errors=errors_by_unit.get(unit.code, 0))
                scores.append(score)
                issues.extend(found)
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
