"""Scoring (SPEC §8, §13.1): every unit's points, applicable maximum and index, leaf by
leaf.

Exact numbers throughout (see :mod:`cchc_cli.numbers`); only published values are
rounded, half-up, at the end. Each leaf result remembers where its input came from
(file, sheet, cell; self-assessment, appraisal round, survey) and why it is not
applicable, so ``cchc explain`` can retell the whole computation.

A block is scored in two passes when its criteria have ``relative`` leaves: first every
unit's leaves (the values of relative leaves included), then each relative leaf's
reference from the block's values and the points it gives, then the totals.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from cchc_cli.criteria import BONUS, PENALTY, SURVEY, CriteriaSet, Group, Leaf
from cchc_cli.inputs import YearInputs
from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import (
    HUNDRED,
    ZERO,
    Exact,
    as_decimal,
    exact_sub,
    exact_sum,
    fraction,
    plain,
    round_half_up,
)
from cchc_cli.readers.forms import LeafEntry, SelfForm
from cchc_cli.readers.register import Unit
from cchc_cli.rules import INPUT_CHOICE, INPUT_DATA, Outcome, RelativeRule

STATUS_OK, STATUS_ERROR = "ok", "loi"
SOURCE_SELF, SOURCE_APPRAISAL, SOURCE_SURVEY = "self", "appraisal", "survey"
# Where a leaf's final N/A came from (SPEC §13.1.10), in order of precedence.
NA_REGISTER, NA_SELF, NA_APPRAISAL, NA_SURVEY, NA_NO_CASES = (
    "register", "self", "appraisal", "survey", "khong-phat-sinh")

# Enough digits that no quotient can be rounded the wrong way at 6 decimals, and that
# sums of decimal points never round.
_CONTEXT = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN)
_ONE_HUNDRED = Fraction(100)


def clipped_index(points: Exact, top: Exact) -> Fraction:
    """points ÷ max × 100, exactly, clipped to [0, 100] (SPEC §8, §13.1.10)."""
    value = fraction(points) * _ONE_HUNDRED / fraction(top)
    return min(_ONE_HUNDRED, max(Fraction(0), value))


def index_of(points: Exact, top: Decimal) -> Decimal:
    """points ÷ max × 100, clipped to [0, 100], to 50 significant digits.

    The quotient of two decimals is exact whenever it terminates within 50 digits, and
    one that does not terminate cannot lie on a half-way point of the ≤ 6 decimals
    published: rounding this value half-up gives what rounding the exact fraction gives
    (SPEC §8.5), at a tenth of the cost of fractions — a national run computes it for
    every area of 10 600 communes.
    """
    if points.__class__ is Decimal:
        raw = _CONTEXT.divide(_CONTEXT.multiply(points, HUNDRED), top)
    else:
        raw = as_decimal(fraction(points) * _ONE_HUNDRED / fraction(top), 50)
    return HUNDRED if raw > HUNDRED else (ZERO if raw < ZERO else raw)


class LeafResult:
    """How one leaf of one unit was scored.

    A national run holds one of these per leaf per commune (about 750 000): the record
    keeps references to what it was computed from — the leaf, the input record, the
    file — and derives the rest (code, input, cell, comment) on demand.
    """

    __slots__ = ("leaf", "points", "source", "origin", "file", "sheet", "round", "appraiser",
                 "na", "na_reason", "register_cell", "missing", "own", "value", "reference",
                 "pending", "zero")

    def __init__(self, leaf: Leaf, own: LeafEntry | None = None) -> None:
        self.leaf = leaf
        self.points: Exact = ZERO
        self.source: str | None = None  # self | appraisal | survey
        self.origin: LeafEntry | Any = None  # the record the input came from
        self.file: str | None = None
        self.sheet: str | None = None
        self.round: int | None = None
        self.appraiser: str | None = None
        self.na = False
        self.na_reason: str | None = None  # register | self | appraisal | survey | …
        self.register_cell: str | None = None
        self.missing = False  # no usable input: the unit has an error
        self.own = own  # the unit's self-assessed row, for differences
        self.value: Exact | None = None  # the number a numeric rule compared or scaled
        self.reference: Exact | None = None  # relative leaves: the block's reference
        self.pending = False  # relative leaves between the two passes
        self.zero = False  # a division by zero happened: when_zero decided (SPEC §13.1.1)

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
    def input(self) -> Decimal | str | dict[str, Decimal | None] | None:
        """The final input: a number, an option's label, or the named inputs."""
        if self.origin is None or self.na or self.missing:
            return None
        if isinstance(self.origin, LeafEntry) and self.origin.inputs is not None:
            return {item.key: item.value for item in self.origin.inputs}
        value: Decimal | str | None = self.origin.value
        return value

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
        return str(self.origin.note) if self.source == SOURCE_APPRAISAL else ""

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
        from cchc_cli.inputs import same_entry

        return not same_entry(own, self.origin)

    @property
    def own_points(self) -> Exact | None:
        """The points the unit's own input would earn (None if N/A, missing, invalid, or
        waiting for a reference); what scoring recorded, computed by the leaf's rule."""
        own = self.own
        if own is None or own.bad or own.na:
            return None
        if self.source == SOURCE_SELF and not self.na and not self.missing:
            return self.points
        if own.points is not None:
            return own.points
        values = own.values
        if values is None or self.leaf.rule.type == "relative":
            return None
        return self.leaf.rule.evaluate(values).points


@dataclass(slots=True)
class NodeResult:
    """Totals of an area or criterion (bonus and penalty excluded)."""

    code: str
    name: str
    points: Exact
    max_points: Decimal

    @property
    def index(self) -> Decimal | None:
        """points ÷ applicable max × 100, clipped to [0, 100] (None when nothing applies)."""
        if not self.max_points:
            return None
        return index_of(self.points, self.max_points)


class NodeTotals(Mapping[str, NodeResult]):
    """Totals of every area and criterion of a unit, made into records when read (a
    national run would otherwise build 360 000 of them to publish a few per unit)."""

    __slots__ = ("criteria", "sums")

    def __init__(self, criteria: CriteriaSet, sums: dict[str, list[Exact]]) -> None:
        self.criteria = criteria
        self.sums = sums

    def __getitem__(self, code: str) -> NodeResult:
        points, top = self.sums[code]
        return NodeResult(code, self.criteria.nodes[code].name, points, top)  # type: ignore[arg-type]

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
    points: Exact
    max_points: Decimal
    index: Decimal | None
    index_published: Decimal | None
    appraised_points: Exact
    survey_points: Exact
    bonus: Exact
    penalty: Exact
    not_applicable: list[str]
    nodes: Mapping[str, NodeResult]
    leaves: dict[str, LeafResult]
    unappraised: list[str] = field(default_factory=list)
    errors: int = 0

    @property
    def exact_index(self) -> Fraction | None:
        """The index as an exact fraction (ranking.basis: exact, SPEC §13.1.7; the
        council's bounds): worked out only when asked."""
        if self.index is None or not self.max_points:
            return None
        return clipped_index(self.points, self.max_points)

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    def areas(self, criteria: CriteriaSet) -> list[NodeResult]:
        """Every area's totals, an area that is itself a leaf included."""
        found = []
        for code in criteria.areas:
            totals = self.nodes.get(code)
            if totals is None:
                leaf = self.leaves.get(code)
                if leaf is None or not leaf.counts_in_scale:
                    continue
                top = ZERO if leaf.na else leaf.max
                totals = NodeResult(code, leaf.leaf.name, ZERO if leaf.na else leaf.points,
                                    top)
            found.append(totals)
        return found


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
# One leaf
# --------------------------------------------------------------------------------------


def _what(leaf: Leaf, entry: LeafEntry | None = None) -> str:
    if leaf.rule.inputs:
        empty = [item for item in (entry.inputs if entry is not None and entry.inputs else ())
                 if item.value is None]
        names = ", ".join(
            f"{leaf.input_code(item.key)}" + (f" (ô {item.cell})" if item.cell else "")
            for item in empty) or ", ".join(leaf.input_code(i.key) for i in leaf.rule.inputs)
        return f"số liệu {names}"
    kind = leaf.reads
    if kind == INPUT_CHOICE:
        return "lựa chọn (cột 'Lựa chọn')"
    if kind == INPUT_DATA:
        return "số liệu (cột 'Số liệu')"
    return "điểm (cột 'Điểm tự chấm')"


def inputs_text(entry: LeafEntry) -> str:
    """'a = 12 (ô E12), b = 14 (ô E13)': the named inputs with their cells, for messages."""
    return ", ".join(
        f"{item.key} = {'(trống)' if item.value is None else plain(item.value)}"
        + (f" (ô {item.cell})" if item.cell else "")
        for item in entry.inputs or ())


def register_na(unit: Unit, criteria: CriteriaSet) -> set[str]:
    """Leaves the register declares not applicable (a code covers its subtree)."""
    found: set[str] = set()
    for code in unit.not_applicable:
        found.update(criteria.subtree(code))
    return found


@dataclass
class _Issues:
    """Where one unit's issues go."""

    unit: str
    issues: list[Issue]

    def add(self, code: str, result: LeafResult, cell: str | None, **params: Any) -> None:
        self.issues.append(issue(code, file=result.file, sheet=result.sheet, cell=cell,
                                 unit=self.unit, criterion=result.code, **params))


@dataclass
class _Scoring(_Issues):
    """What scoring one unit needs besides the leaf."""

    inputs: YearInputs = field(repr=False, default=None)  # type: ignore[assignment]
    self_form: SelfForm | None = None
    excluded: set[str] = field(default_factory=set)
    register: Unit | None = None


def score_leaf(leaf: Leaf, job: _Scoring) -> LeafResult:
    """One leaf of one unit (SPEC §8 steps 1–3, §13.1); relative leaves leave their
    points pending until the block's reference is known."""
    inputs, self_form = job.inputs, job.self_form
    unit = job.register
    assert unit is not None
    own = self_form.entries.get(leaf.code) if self_form is not None else None
    result = LeafResult(leaf, own)
    if job.excluded and leaf.code in job.excluded:
        result.na, result.na_reason = True, NA_REGISTER
        if inputs.register is not None:
            result.file, result.sheet = inputs.register.file, inputs.register.sheet
        result.register_cell = unit.na_cell
        return result
    if leaf.kind == SURVEY:
        found = inputs.survey.get((unit.code, leaf.code))
        if found is None:
            job.issues.append(issue("thieu-khao-sat", unit=unit.code, criterion=leaf.code))
            result.missing = True
            return result
        value, result.file, result.sheet = found
        result.source, result.origin = SOURCE_SURVEY, value
        if value.na or value.value is None:
            result.na, result.na_reason = True, NA_SURVEY
            return result
        return _apply(result, leaf.rule.evaluate(value.value), job, None)
    history = inputs.appraisals.get((unit.code, leaf.code))
    if history:
        final = history[-1]
        entry = final.entry
        result.source, result.file, result.sheet = SOURCE_APPRAISAL, final.file, final.sheet
        result.round, result.appraiser = final.round, final.appraiser
    elif own is not None and self_form is not None:
        entry = own
        result.source = SOURCE_SELF
        result.file, result.sheet = self_form.file, self_form.sheet
    else:
        # No row at all: the missing form or row is already an error of this unit.
        result.missing = True
        return result
    result.origin = entry
    if entry.bad:
        result.missing = True  # the bad cell is already reported
        return result
    if entry.na:
        result.na = True
        result.na_reason = NA_APPRAISAL if result.source == SOURCE_APPRAISAL else NA_SELF
        return result
    rule = leaf.rule
    if rule.inputs:
        values = entry.values
        if values is None:
            job.add("thieu-du-lieu", result, entry.cell, what=_what(leaf, entry))
            result.missing = True
            return result
        if not _checks_hold(result, entry, values, job):
            result.missing = True
            return result
        return _apply(result, rule.evaluate(values), job, entry)
    if entry.value is None:
        if leaf.kind in (BONUS, PENALTY):
            return result  # nothing claimed, nothing deducted
        job.add("thieu-du-lieu", result, entry.cell, what=_what(leaf))
        result.missing = True
        return result
    if rule.per_row:
        # The reader computed the points with the same rule (readers.forms._read_leaf).
        assert entry.points is not None, f"{leaf.code}: entry read without its points"
        result.points = entry.points
        if isinstance(entry.value, Decimal) and rule.reads == INPUT_DATA:
            result.value = entry.value
        return result
    return _apply(result, rule.evaluate(entry.value), job, entry)


def _checks_hold(result: LeafResult, entry: LeafEntry, values: dict[str, Decimal],
                 job: _Scoring) -> bool:
    """``checks`` on the final inputs: a failure is an error at the first input cell; the
    unit's own values that an appraisal replaced and that fail are a warning."""
    rule = result.leaf.rule
    failed = rule.failed_checks(values)  # type: ignore[attr-defined]
    for message in failed:
        job.add("kiem-tra-khong-dat", result, entry.cell, message=message.rstrip("."),
                detail=inputs_text(entry))
    own = result.own
    if result.source == SOURCE_APPRAISAL and own is not None and not own.na and \
            job.self_form is not None:
        own_values = own.values
        if own_values is not None:
            for message in rule.failed_checks(own_values):  # type: ignore[attr-defined]
                job.issues.append(issue(
                    "kiem-tra-khong-dat-tu-danh-gia", file=job.self_form.file,
                    sheet=job.self_form.sheet, cell=own.cell, unit=job.unit,
                    criterion=result.code, message=message.rstrip("."),
                    detail=inputs_text(own)))
    return not failed


def _apply(result: LeafResult, outcome: Outcome, job: _Issues, entry: LeafEntry | None
           ) -> LeafResult:
    """Record a rule's outcome on the leaf result (when_zero, errors, pending points)."""
    result.value = outcome.value
    result.zero = outcome.zero
    if outcome.na:
        result.na, result.na_reason = True, NA_NO_CASES
        return result
    if outcome.error is not None:
        detail = inputs_text(entry) if entry is not None and entry.inputs else \
            (plain(result.value) if result.value is not None else "")
        job.add(outcome.error, result, entry.cell if entry is not None else None,
                detail=detail, **outcome.params)
        result.missing = True
        return result
    if outcome.points is None:
        result.pending = True  # a relative leaf: the block's reference decides
        return result
    result.points = outcome.points
    return result


# --------------------------------------------------------------------------------------
# Totals
# --------------------------------------------------------------------------------------


def extra_below(criteria: CriteriaSet, leaves: Mapping[str, LeafResult], code: str,
                kind: str) -> Exact:
    """The bonus (or penalty) points below node ``code``: each leaf's own points, capped
    bottom-up by the ``cap`` of every group on the way (SPEC §13.1.6, §13.1.10)."""
    node = criteria.nodes[code]
    if isinstance(node, Leaf):
        result = leaves[code]
        return result.points if node.kind == kind and not result.na else ZERO
    total = exact_sum(extra_below(criteria, leaves, child, kind) for child in node.children)
    if node.cap is not None and total > node.cap:
        return node.cap
    return total


def _capped_extra(criteria: CriteriaSet, leaves: dict[str, LeafResult], kind: str,
                  roots: tuple[str, ...]) -> Exact:
    """The unit's bonus (or penalty), caps applied; ``roots`` are the topmost nodes that
    hold such leaves (worked out once per set: the rest of the tree has none)."""
    return exact_sum(extra_below(criteria, leaves, code, kind) for code in roots)


@dataclass(frozen=True)
class _Shape:
    """What totals need to know about a criteria set, worked out once per set."""

    capped: bool  # some group has a cap
    # The highest nodes under which bonus (penalty) leaves lie: the only subtrees a
    # capped sum has to walk.
    bonus_roots: tuple[str, ...] = ()
    penalty_roots: tuple[str, ...] = ()

    @classmethod
    def of(cls, criteria: CriteriaSet) -> _Shape:
        capped = any(isinstance(node, Group) and node.cap is not None
                     for node in criteria.nodes.values())

        def roots(kind: str) -> tuple[str, ...]:
            found: list[str] = []
            for leaf in criteria.leaves:
                if leaf.kind == kind:
                    top = (*leaf.path, leaf.code)[0]
                    if top not in found:
                        found.append(top)
            return tuple(found)

        return cls(capped=capped, bonus_roots=roots(BONUS), penalty_roots=roots(PENALTY))


def total_unit(unit: Unit, criteria: CriteriaSet, leaves: dict[str, LeafResult], *,
               precision: int, errors: int, issues: list[Issue], shape: _Shape | None = None
               ) -> UnitScore:
    """The totals of a unit whose leaves are scored (SPEC §8 steps 4–5)."""
    shape = shape or _Shape.of(criteria)
    bonus: Exact = ZERO
    penalty: Exact = ZERO
    scored: list[Exact] = []
    surveyed: list[Exact] = []
    max_points = ZERO
    sums: dict[str, list[Exact]] = {code: [ZERO, ZERO] for code in criteria.groups}
    slow: dict[str, list[Exact]] = {}  # groups that received a Fraction
    with decimal.localcontext(_CONTEXT):
        for result in leaves.values():
            if result.na:
                continue
            leaf = result.leaf
            kind = leaf.kind
            points = result.points
            if kind == BONUS:
                bonus = points if not bonus else exact_sum((bonus, points))
                continue
            if kind == PENALTY:
                penalty = points if not penalty else exact_sum((penalty, points))
                continue
            scored.append(points)
            if kind == SURVEY:
                surveyed.append(points)
            max_points += leaf.max
            if points.__class__ is Decimal:
                for ancestor in leaf.path:
                    pair = sums[ancestor]
                    pair[0] += points  # type: ignore[operator]
                    pair[1] += leaf.max  # type: ignore[operator]
            else:
                for ancestor in leaf.path:
                    sums[ancestor][1] += leaf.max  # type: ignore[operator]
                    slow.setdefault(ancestor, []).append(points)
    for code, extra in slow.items():
        sums[code][0] = exact_sum((sums[code][0], *extra))
    if shape.capped:
        bonus = _capped_extra(criteria, leaves, BONUS, shape.bonus_roots)
        penalty = _capped_extra(criteria, leaves, PENALTY, shape.penalty_roots)
    total = exact_sum(scored)
    survey_points = exact_sum(surveyed)
    points_total = exact_sub(exact_sum((total, bonus)), penalty)
    index = published = None
    if max_points > 0:
        index = index_of(points_total, max_points)
    else:
        issues.append(issue("khong-co-tieu-chi-ap-dung", unit=unit.code, name=unit.name))
        errors += 1
    if errors:
        index = None
    elif index is not None:
        published = round_half_up(index, precision)
    appraised = exact_sub(total, survey_points)
    return UnitScore(
        code=unit.code,
        name=unit.name,
        block=unit.block,
        head=unit.head,
        status=STATUS_ERROR if errors else STATUS_OK,
        points=points_total,
        max_points=max_points,
        index=index,
        index_published=published,
        appraised_points=appraised,
        survey_points=survey_points,
        bonus=bonus,
        penalty=penalty,
        not_applicable=[code for code, r in leaves.items() if r.na],
        nodes=NodeTotals(criteria, sums),
        leaves=leaves,
        errors=errors,
    )


# --------------------------------------------------------------------------------------
# A block, a year
# --------------------------------------------------------------------------------------


@dataclass
class _Scored:
    """A unit between the passes: its leaves, its issues, its errors so far."""

    unit: Unit
    leaves: dict[str, LeafResult]
    issues: list[Issue]
    errors: int
    unappraised: list[str]


def score_leaves(unit: Unit, criteria: CriteriaSet, inputs: YearInputs, *,
                 prior_errors: int) -> _Scored:
    """The first pass over one unit: every leaf (relative ones up to their value)."""
    issues: list[Issue] = []
    self_form = inputs.self_forms.get(unit.code)
    job = _Scoring(unit.code, issues, inputs, self_form, register_na(unit, criteria), unit)
    leaves: dict[str, LeafResult] = {}
    unappraised: list[str] = []
    # Most leaves of most units are the unit's own value, scored by its row alone, with no
    # appraisal, no register N/A and no survey: their result is the reader's, taken here
    # without the general path (a national run scores 800 000 leaves).
    entries = self_form.entries if self_form is not None else {}
    appraised = unit.code in inputs.appraised_units
    excluded = job.excluded
    for leaf in criteria.leaves:
        code = leaf.code
        own = entries.get(code)
        if (own is None or appraised or not leaf.per_row or leaf.has_inputs or own.bad
                or own.na or own.value is None or (excluded and code in excluded)):
            result = score_leaf(leaf, job)
            own = result.own
            if result.source == SOURCE_SELF and own is not None and not own.empty:
                unappraised.append(code)
        else:
            result = LeafResult(leaf, own)
            result.source = SOURCE_SELF
            result.file, result.sheet = self_form.file, self_form.sheet  # type: ignore[union-attr]
            result.origin = own
            result.points = own.points  # type: ignore[assignment]
            if leaf.reads == INPUT_DATA:
                result.value = own.value  # type: ignore[assignment]
            unappraised.append(code)
        leaves[code] = result
    if unappraised and self_form is not None:
        shown = ", ".join(unappraised[:12]) + (" …" if len(unappraised) > 12 else "")
        issues.append(issue("chua-tham-dinh", file=self_form.file, sheet=self_form.sheet,
                            unit=unit.code, count=len(unappraised), codes=shown))
    errors = prior_errors + sum(1 for i in issues if i.is_error)
    return _Scored(unit, leaves, issues, errors, unappraised)


def resolve_relative(criteria: CriteriaSet, scored: list[_Scored],
                     fixed: Mapping[str, Exact] | None = None) -> None:
    """The second pass: each relative leaf's reference among the block's units (those
    without an error in the first pass, where the leaf applies and has a value), then
    every unit's points against it. ``fixed`` gives references decided elsewhere (the
    council's disputes keep the base result's, SPEC §13.5)."""
    for leaf in criteria.leaves:
        rule = leaf.rule
        if not isinstance(rule, RelativeRule):
            continue
        if fixed is not None and leaf.code in fixed:
            reference: Exact | None = fixed[leaf.code]
        else:
            values = [s.leaves[leaf.code].value for s in scored
                      if not s.errors and _has_value(s.leaves[leaf.code])]
            reference = rule.reference([v for v in values if v is not None])
        for unit in scored:
            result = unit.leaves[leaf.code]
            if not result.pending:
                continue
            result.pending = False
            result.reference = reference
            if reference is None or result.value is None:
                # Only a unit left out of the set can meet an empty one; it has errors.
                result.missing = True
                continue
            outcome = rule.points_with(result.value, reference)
            before = len(unit.issues)
            entry = result.origin if isinstance(result.origin, LeafEntry) else None
            _apply(result, outcome, _Issues(unit.unit.code, unit.issues), entry)
            unit.errors += sum(1 for i in unit.issues[before:] if i.is_error)


def _has_value(result: LeafResult) -> bool:
    return not result.na and not result.missing and result.value is not None


def reference_units(scored: Iterable[UnitScore], code: str) -> list[str]:
    """The units whose value set a relative leaf's reference (for ``explain``)."""
    return [u.code for u in scored if u.ok and (r := u.leaves.get(code)) is not None
            and r.reference is not None and r.value is not None and r.value == r.reference]


def score_block(units: list[Unit], criteria: CriteriaSet, inputs: YearInputs, *,
                precision: int, errors_by_unit: Mapping[str, int]
                ) -> tuple[list[UnitScore], list[Issue]]:
    """Every unit of a block: leaves, relative references, totals."""
    scored = [score_leaves(unit, criteria, inputs, prior_errors=errors_by_unit.get(unit.code, 0))
              for unit in units]
    if any(isinstance(leaf.rule, RelativeRule) for leaf in criteria.leaves):
        resolve_relative(criteria, scored)
    shape = _Shape.of(criteria)
    results: list[UnitScore] = []
    issues: list[Issue] = []
    for item in scored:
        score = total_unit(item.unit, criteria, item.leaves, precision=precision,
                           errors=item.errors, issues=item.issues, shape=shape)
        score.unappraised = item.unappraised
        results.append(score)
        issues.extend(item.issues)
    return results, issues


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
        if criteria is not None:
            scores, block_issues = score_block(members, criteria, inputs, precision=precision,
                                               errors_by_unit=errors_by_unit)
            issues.extend(block_issues)
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

