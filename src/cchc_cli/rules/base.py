"""What every rule type shares: the YAML pieces of named inputs, the outcome of scoring a
leaf, and the base class each rule type extends.

A rule type is one module of this package. It owns, in one place: its YAML model (a
pydantic model with ``type: Literal[...]``), the checks of a criteria file that pydantic
cannot express (:meth:`Rule.check_raw`, run on the parsed YAML with line numbers), the
form column it reads (``reads``), how an entered value or a set of named inputs becomes
points (:meth:`Rule.evaluate`), its Vietnamese description (:meth:`Rule.describe`) and
the Excel formula of the forms' convenience cells (:meth:`Rule.excel_points`).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import Field

from cchc_cli.expressions import CONDITION, NUMBER, ExpressionError, key_problem, parse
from cchc_cli.issues import Issue, issue
from cchc_cli.modelcheck import StrictModel, Text
from cchc_cli.numbers import ZERO, Exact, plain
from cchc_cli.yamlio import YamlNumber, YList, YMap

# The form column a rule reads (SPEC §7.1): data = Số liệu, choice = Lựa chọn,
# score = Điểm tự chấm; survey leaves read the survey workbook.
INPUT_DATA, INPUT_CHOICE, INPUT_SCORE, INPUT_SURVEY = "data", "choice", "score", "survey"
SCORED, SURVEY, BONUS, PENALTY = "scored", "survey", "bonus", "penalty"

WHEN_ZERO = ("na", "full", "zero", "error")
# Excel's floating point is rounded to this many decimals before it is compared with a
# tier bound (SPEC §13.1.10), so that the form agrees with cchc's exact result.
EXCEL_ROUND = 9


# --------------------------------------------------------------------------------------
# YAML pieces shared by the rules that read numbers
# --------------------------------------------------------------------------------------


class InputSpec(StrictModel):
    key: Text = Field(description="Tên số liệu dùng trong biểu thức, ví dụ a, so_ho_so")
    label: Text = Field(description="Tên số liệu hiện trong biểu mẫu")
    integer: bool = Field(default=False, description="Chỉ nhận số nguyên (đếm hồ sơ, văn bản…)")
    unit: Text = Field(default="", description="Đơn vị của số liệu, ví dụ 'hồ sơ'")


class CheckSpec(StrictModel):
    expr: Text = Field(description="Điều kiện phải đúng, ví dụ \"a <= b\"")
    message: Text = Field(description="Thông báo khi điều kiện sai")


WhenZero = Literal["na", "full", "zero", "error"]


class InputsSpec(StrictModel):
    """Named inputs (SPEC §13.1.1) of a rule that reads numbers."""

    inputs: list[InputSpec] | None = Field(
        default=None, description="Các số liệu đơn vị báo cáo (mỗi số liệu một dòng trong biểu)")
    when_zero: WhenZero = Field(
        default="error",
        description="Khi phép chia cho 0: na (không áp dụng — không phát sinh), full (đủ"
        " điểm), zero (0 điểm), error (báo lỗi)")
    checks: list[CheckSpec] | None = Field(
        default=None, description="Điều kiện kiểm tra số liệu (lỗi nếu sai)")


class ValueSpec(InputsSpec):
    value: Text | None = Field(
        default=None, description="Biểu thức tính giá trị từ các số liệu, ví dụ \"a / b * 100\"")


# --------------------------------------------------------------------------------------
# Checks of the raw YAML
# --------------------------------------------------------------------------------------


@dataclass
class RawCheck:
    """Issue factory of one criteria file, with the leaf being checked."""

    file: str
    issues: list[Issue]
    code: str | None = None  # the leaf's code
    max: Decimal | None = None
    floor: Decimal = ZERO

    def add(self, kind: str, line: int | None, **params: Any) -> None:
        self.issues.append(issue(kind, file=self.file, line=line, criterion=self.code,
                                 **params))

    def at(self, node: YMap, key: str) -> int | None:
        return node.key_lines.get(key, getattr(node, "line", None))


def number(value: Any) -> Decimal | None:
    """A finite YAML number, or None (a wrong type is pydantic's to report)."""
    return value if isinstance(value, Decimal) and value.is_finite() else None


def text(value: Any) -> str | None:
    if isinstance(value, YamlNumber):
        return value.raw
    return value if isinstance(value, str) else None


def raw_input_keys(rule: YMap, check: RawCheck) -> list[str] | None:
    """Check the ``inputs`` list; return its keys (None when there is no list)."""
    items = rule.get("inputs")
    if not isinstance(items, YList):
        return None
    keys: list[str] = []
    seen: dict[str, int] = {}
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, YMap):
            continue
        key = text(item.get("key"))
        if key is None:
            continue
        where = check.at(item, "key") or line
        problem = key_problem(key)
        if problem:
            check.add("ten-so-lieu-sai", where, value=key, detail=problem)
        if key in seen:
            check.add("ten-so-lieu-trung", where, value=key, first=seen[key])
            continue
        seen[key] = where or 0
        keys.append(key)
    if not items:
        check.add("thieu-so-lieu", check.at(rule, "inputs"))
    return keys


def check_expression(rule: YMap, key: str, names: list[str], want: str, check: RawCheck,
                     *, line: int | None = None) -> None:
    """Parse the expression at ``rule[key]`` and report what is wrong with its line."""
    source = text(rule.get(key))
    if source is None:
        return
    try:
        parse(source, set(names), want=want)
    except ExpressionError as exc:
        check.add("bieu-thuc-sai", line or check.at(rule, key), key=key, value=source,
                  detail=exc.message)


def check_numeric_raw(rule: YMap, check: RawCheck, *, needs_value: bool = True) -> list[str]:
    """The checks shared by tiers, ratio, relative and formula: inputs, value, checks."""
    keys = raw_input_keys(rule, check)
    names = keys or []
    if needs_value:
        if "value" in rule and keys is None:
            check.add("bieu-thuc-can-so-lieu", check.at(rule, "value"), key="value")
        elif keys is not None and len(keys) > 1 and "value" not in rule:
            check.add("can-bieu-thuc-gia-tri", check.at(rule, "inputs"), count=len(keys))
        check_expression(rule, "value", names, NUMBER, check)
    checks = rule.get("checks")
    if isinstance(checks, YList):
        if keys is None and checks:
            check.add("bieu-thuc-can-so-lieu", check.at(rule, "checks"), key="checks")
        else:
            for item, line in zip(checks, checks.item_lines, strict=True):
                if isinstance(item, YMap):
                    check_expression(item, "expr", names, CONDITION, check,
                                     line=check.at(item, "expr") or line)
    if "when_zero" in rule and keys is None and "value" not in rule:
        check.add("bieu-thuc-can-so-lieu", check.at(rule, "when_zero"), key="when_zero")
    return names


def check_points_range(points: Decimal | None, check: RawCheck, line: int | None,
                       over: str, **params: Any) -> None:
    """Points of an option or a tier must lie in [floor, max]; ``over`` is the issue code
    for points above max (its message names the option or the tier by ``params``)."""
    if points is None or check.max is None:
        return
    if points > check.max:
        check.add(over, line, value=plain(points), max=plain(check.max), **params)
    elif points < check.floor:
        if check.floor == 0:
            check.add("diem-am", line, value=plain(points))
        else:
            check.add("diem-duoi-san", line, value=plain(points), floor=plain(check.floor))


# --------------------------------------------------------------------------------------
# The outcome of scoring one leaf
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    """What a rule made of a leaf's inputs.

    ``points`` is None when the leaf earns nothing computable: it is not applicable
    (``na``: a division by zero under ``when_zero: na``), it waits for the block's
    reference (``relative``), or an ``error`` (an issue code with its ``params``) says why.
    """

    value: Exact | None = None
    points: Exact | None = None
    zero: bool = False  # a division by zero happened; when_zero decided the points
    na: bool = False
    error: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# The base class
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cells:
    """Cell references of one leaf in a form, for the convenience formulas."""

    data: str  # Số liệu (the entered value, or on a leaf with inputs its computed value)
    choice: str
    na: str
    inputs: Mapping[str, str] = field(default_factory=dict)  # input key → cell
    table: str | None = None  # the label-and-points range of a choice's options


class Rule:
    """One compiled rule of one leaf. Subclasses set the class attributes and override
    what differs; a rule instance is immutable and shared by every unit."""

    type: ClassVar[str]
    kind: ClassVar[str] = SCORED
    spec_model: ClassVar[builtins.type[StrictModel]]
    allows_floor: ClassVar[bool] = False
    # True when the points can be computed from one form row alone (no named inputs and
    # no reference to other units): the reader then computes them where it reads.
    per_row: ClassVar[bool] = True

    def __init__(self, spec: Any, *, code: str, max: Decimal, floor: Decimal = ZERO) -> None:
        self.spec = spec
        self.code = code
        self.max = max
        self.floor = floor

    # --- what the forms read --------------------------------------------------------------
    @property
    def reads(self) -> str:
        return INPUT_SCORE

    @property
    def inputs(self) -> tuple[InputSpec, ...]:
        return ()

    @property
    def options(self) -> tuple[Any, ...]:
        """Choice options (label, points), for rules read in ``Lựa chọn``."""
        return ()

    @property
    def step(self) -> Decimal | None:
        return None

    def find_option(self, entered: str) -> str | None:
        """The option's own label for an entered text (case, spacing and Unicode
        normalisation do not matter), or None; only rules read in ``Lựa chọn`` have any."""
        return None

    # --- class-level checks ------------------------------------------------------------
    @classmethod
    def check_raw(cls, rule: YMap, check: RawCheck) -> None:
        """Semantic checks of the YAML that pydantic cannot express."""

    # --- scoring -----------------------------------------------------------------------
    def evaluate(self, entered: Any) -> Outcome:  # pragma: no cover - every type overrides
        raise NotImplementedError

    # --- words and formulas ------------------------------------------------------------
    def describe(self) -> str:  # pragma: no cover - every type overrides
        raise NotImplementedError

    def excel_points(self, cells: Cells) -> str | None:
        """The Excel formula of the convenience points cell, or None (entered points)."""
        return None

    def excel_value(self, cells: Cells) -> str | None:
        """The Excel formula of the computed value on a leaf with named inputs."""
        return None


def number_text(value: Decimal) -> str:
    """A bound or a number in an Excel formula (en-US syntax, exact)."""
    return plain(value)
