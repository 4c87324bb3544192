"""Criteria sets (Bộ tiêu chí, SPEC §5): the YAML model, its checks, and the runtime set.

A criteria file is read in three layers:

1. :mod:`cchc_cli.yamlio` parses it with line numbers, codes kept as written;
2. :func:`check_tree` runs every semantic check of SPEC §5 on the parsed tree (so that all
   problems are listed in one pass, even when some values have the wrong type), and the
   pydantic model :class:`CriteriaDocument` checks types and rejects unknown keys;
3. when both are clean, :func:`build_set` makes the immutable :class:`CriteriaSet` that
   forms, scoring and reports use.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from cchc_cli import rules as _rules
from cchc_cli.files import MAX_YAML_BYTES, FileRefused, read_limited
from cchc_cli.issues import Issue, issue
from cchc_cli.modelcheck import Num, StrictModel, Text, pydantic_issues
from cchc_cli.numbers import ZERO, plain
from cchc_cli.rules import BONUS, PENALTY, SCORED, SURVEY, RawCheck, Rule, RuleSpec
from cchc_cli.settings import Settings
from cchc_cli.yamlio import YamlNumber, YList, YMap, line_of, load_yaml

# --------------------------------------------------------------------------------------
# The file model (pydantic): types, required keys, unknown keys.
# --------------------------------------------------------------------------------------


RULE_TYPES = _rules.RULE_TYPES


class CriterionNode(StrictModel):
    code: Text = Field(description="Mã tiêu chí, viết trong dấu nháy: \"1.10\"")
    name: Text = Field(description="Tên lĩnh vực, tiêu chí hoặc tiêu chí thành phần")
    items: list[CriterionNode] | None = Field(default=None, description="Các tiêu chí con")
    max: Num | None = Field(default=None, description="Điểm tối đa")
    rule: RuleSpec | None = Field(default=None, description="Cách chấm (mặc định: manual)")
    floor: Num | None = Field(
        default=None, description="Điểm thấp nhất của tiêu chí (âm khi có điểm trừ, ví dụ -1);"
        " mặc định 0")
    cap: Num | None = Field(
        default=None, description="Trần tổng điểm thưởng (hoặc điểm trừ) của nhóm tiêu chí con")
    method: Text | None = Field(
        default=None, description="Cách chấm nguyên văn theo quyết định của tỉnh, in ở cột"
        " 'Cách chấm' của biểu mẫu")
    appraiser: Text | None = Field(default=None, description="Mã cơ quan thẩm định")
    evidence: Text | None = Field(default=None, description="Tài liệu kiểm chứng")
    source: Text | None = Field(default=None, description="Căn cứ")
    note: Text | None = Field(default=None, description="Ghi chú")
    na_allowed: bool = Field(default=False, description="Đơn vị được đánh dấu không áp dụng")
    na_note: Text | None = Field(default=None, description="Khi nào được không áp dụng")


class CriteriaDocument(StrictModel):
    id: Text = Field(description="Mã bộ tiêu chí, ví dụ so-nganh-2023")
    title: Text = Field(description="Tên bộ tiêu chí")
    block: Text = Field(description="Mã khối trong cchc.yaml")
    year: int = Field(description="Năm đánh giá")
    source: Text | None = Field(default=None, description="Văn bản ban hành")
    scale: Num = Field(description="Thang điểm: tổng điểm tối đa các tiêu chí được chấm")
    items: list[CriterionNode] = Field(min_length=1, description="Các lĩnh vực")


def _known_keys() -> set[str]:
    keys: set[str] = set()
    for model in (CriteriaDocument, CriterionNode, *_rules.SPEC_MODELS):
        keys.update(model.model_fields)
    return keys


def json_schema() -> dict[str, Any]:
    """JSON Schema of criteria files, for editors (YAML language servers) and docs."""
    schema = CriteriaDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Bộ tiêu chí xác định Chỉ số CCHC (cchc)"
    return schema


# --------------------------------------------------------------------------------------
# The runtime set.
# --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Leaf:
    """A scored sub-criterion (tiêu chí thành phần)."""

    code: str
    name: str
    max: Decimal
    rule: Rule  # compiled: reads, evaluates, describes, writes its Excel formula
    kind: str  # scored | survey | bonus | penalty
    appraiser: str
    na_allowed: bool
    path: tuple[str, ...]  # ancestor codes, area first
    na_note: str | None = None
    evidence: str | None = None
    note: str | None = None
    line: int | None = None
    floor: Decimal = ZERO
    method: str | None = None  # the province's own words for 'Cách chấm'
    # Asked of the rule for every leaf of every unit, so answered once here: the form
    # column the rule reads (data, choice, score, survey), whether it has named inputs,
    # and whether one form row decides its points (the reader then computes them).
    reads: str = field(init=False, compare=False)
    has_inputs: bool = field(init=False, compare=False)
    per_row: bool = field(init=False, compare=False)
    max_float: float = field(init=False, compare=False)  # an untouched max cell reads so

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_float", float(self.max))
        object.__setattr__(self, "reads", self.rule.reads)
        object.__setattr__(self, "has_inputs", bool(self.rule.inputs))
        object.__setattr__(self, "per_row", bool(self.rule.per_row))

    @property
    def is_leaf(self) -> bool:
        return True

    @property
    def counts_in_scale(self) -> bool:
        return self.kind in (SCORED, SURVEY)

    def input_code(self, key: str) -> str:
        """The code of an input's own row in the forms: '<leaf code>.<key>'."""
        return f"{self.code}.{key}"

    @property
    def method_text(self) -> str:
        """'Cách chấm' in the forms: the province's words when given, else cchc's."""
        return self.method or self.rule.describe()


@dataclass(frozen=True, slots=True)
class Group:
    """An area (lĩnh vực) or criterion (tiêu chí) with children."""

    code: str
    name: str
    max: Decimal  # sum of the scored leaves below, bonus and penalty excluded
    path: tuple[str, ...]
    children: tuple[str, ...]
    leaves: tuple[str, ...]  # every leaf below, in document order
    evidence: str | None = None
    note: str | None = None
    line: int | None = None
    cap: Decimal | None = None  # the most its bonus (or penalty) leaves add up to

    @property
    def is_leaf(self) -> bool:
        return False


Node = Leaf | Group


@dataclass(frozen=True)
class CriteriaSet:
    id: str
    title: str
    block: str
    year: int
    source: str | None
    scale: Decimal
    file: str
    fingerprint: str
    nodes: dict[str, Node]  # every node, in document order
    areas: tuple[str, ...]
    leaves: tuple[Leaf, ...] = field(repr=False)

    _leaf_map: dict[str, Leaf] = field(init=False, repr=False, compare=False)
    groups: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # '<leaf>.<key>' → (leaf, key): the codes of input rows in the forms (SPEC §13.1.8).
    input_rows: dict[str, tuple[Leaf, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_leaf_map", {leaf.code: leaf for leaf in self.leaves})
        object.__setattr__(self, "groups", tuple(code for code, node in self.nodes.items()
                                                 if isinstance(node, Group)))
        object.__setattr__(self, "input_rows", {
            leaf.input_code(spec.key): (leaf, spec.key)
            for leaf in self.leaves for spec in leaf.rule.inputs})

    def leaf(self, code: str) -> Leaf | None:
        return self._leaf_map.get(code)

    def leaf_of(self, code: str) -> Leaf:
        """The leaf ``code``, which the caller knows to be a leaf of this set."""
        return self._leaf_map[code]

    def subtree(self, code: str) -> tuple[str, ...]:
        """Leaf codes covered by ``code`` (itself if a leaf)."""
        node = self.nodes.get(code)
        if node is None:
            return ()
        return (code,) if isinstance(node, Leaf) else node.leaves

    def walk(self) -> Iterator[tuple[int, Node]]:
        """Every node with its depth (0 = area), in document order."""
        for node in self.nodes.values():
            yield len(node.path), node

    def summary(self) -> dict[str, Any]:
        criteria = sum(1 for node in self.nodes.values() if len(node.path) == 1)
        return {
            "areas": len(self.areas),
            "criteria": criteria,
            "leaves": len(self.leaves),
            "scale": self.scale,
        }


# --------------------------------------------------------------------------------------
# Checks on the parsed tree (SPEC §5), run before and independently of pydantic.
# --------------------------------------------------------------------------------------


def _num(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) and value.is_finite() else None


def _code_text(value: Any) -> str | None:
    if isinstance(value, YamlNumber):
        return value.raw.strip()
    if isinstance(value, str):
        return value.strip()
    return None


def _rule_type(node: YMap) -> str:
    rule = node.get("rule")
    if isinstance(rule, YMap):
        kind = rule.get("type")
        return kind if isinstance(kind, str) else "?"
    return "manual"


@dataclass
class _TreeCheck:
    file: str
    root: YMap
    settings: Settings | None
    issues: list[Issue] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)
    leaf_kinds: list[str] = field(default_factory=list)  # scored | bonus | penalty, in order
    input_codes: list[tuple[str, str, int]] = field(default_factory=list)

    def add(self, code: str, line: int | None, **params: Any) -> None:
        self.issues.append(issue(code, file=self.file, line=line, **params))

    def run(self, folder_year: int | None, folder_block: str | None) -> None:
        root = self.root
        self._check_header(folder_year, folder_block)
        items = root.get("items")
        total = self._check_children(items, None) if isinstance(items, YList) else None
        self.check_input_codes()
        scale = _num(root.get("scale"))
        if total is not None and scale is not None and total != scale:
            self.add(
                "thang-diem-khong-khop",
                root.key_lines.get("scale"),
                stated=plain(scale),
                total=plain(total),
            )

    def _check_header(self, folder_year: int | None, folder_block: str | None) -> None:
        root, settings = self.root, self.settings
        block = root.get("block")
        if isinstance(block, str) and settings is not None and block not in settings.blocks:
            self.add(
                "khoi-la",
                root.key_lines.get("block"),
                value=block,
                known=", ".join(settings.blocks),
            )
        if isinstance(block, str) and folder_block and block != folder_block:
            self.add(
                "ten-tep-khong-khop-khoi",
                root.key_lines.get("block"),
                name=f"{folder_block}.yaml",
                value=block,
            )
        year = _num(root.get("year"))
        if year is not None and folder_year is not None and year != folder_year:
            self.add(
                "nam-khong-khop",
                root.key_lines.get("year"),
                value=plain(year),
                expected=folder_year,
            )

    def _check_children(self, items: YList, inherited: str | None) -> Decimal | None:
        """Check each child; return the sum of their scored max (None if unknown)."""
        total: Decimal | None = Decimal(0)
        for child, line in zip(items, items.item_lines, strict=True):
            if not isinstance(child, YMap):
                total = None
                continue
            subtotal = self._check_node(child, line, inherited)
            total = None if subtotal is None or total is None else total + subtotal
        return total

    def _check_node(self, node: YMap, line: int, inherited: str | None) -> Decimal | None:
        code = self._check_code(node, line)
        appraiser = node.get("appraiser")
        if isinstance(appraiser, str) and self.settings is not None:
            if appraiser not in self.settings.appraisers:
                self.issues.append(
                    issue(
                        "nguoi-tham-dinh-la",
                        file=self.file,
                        line=node.key_lines.get("appraiser"),
                        criterion=code,
                        value=appraiser,
                        known=", ".join(self.settings.appraisers),
                    )
                )
        stated = node.get("max")
        items = node.get("items")
        if items is not None:
            return self._check_group(node, code, items, stated, appraiser or inherited)
        return self._check_leaf(node, code, line, stated)

    def _check_code(self, node: YMap, line: int) -> str | None:
        raw = node.get("code")
        where = node.key_lines.get("code", line)
        if "code" not in node:
            return None  # pydantic reports the missing key
        code = _code_text(raw)
        if not code:
            self.issues.append(
                issue("ma-khong-phai-van-ban", file=self.file, line=where, value=raw)
            )
            return None
        if isinstance(raw, YamlNumber) and raw.plain:
            as_number = format(float(raw), "g") if raw.raw.replace(".", "").isdigit() else None
            if as_number is not None and as_number != raw.raw:
                self.issues.append(
                    issue(
                        "ma-nen-dat-trong-ngoac",
                        file=self.file,
                        line=where,
                        criterion=code,
                        value=raw.raw,
                        as_number=as_number,
                    )
                )
        if code in self.codes:
            self.issues.append(
                issue(
                    "ma-trung",
                    file=self.file,
                    line=where,
                    criterion=code,
                    first=self.codes[code],
                )
            )
        else:
            self.codes[code] = where
        return code

    def _check_group(
        self, node: YMap, code: str | None, items: Any, stated: Any, inherited: str | None
    ) -> Decimal | None:
        if "rule" in node:
            self.add("nut-co-ca-con-va-cach-cham", node.key_lines.get("rule"), criterion=code)
        for key in ("floor", "method"):
            if key in node:
                self.add("khoa-chi-cho-tieu-chi-cham", node.key_lines.get(key), criterion=code,
                         key=key)
        if not isinstance(items, YList):
            return None
        if not items:
            self.add("nut-khong-co-con", node.key_lines.get("items"), criterion=code)
            return Decimal(0)
        first_leaf = len(self.leaf_kinds)
        total = self._check_children(items, inherited)
        if "cap" in node:
            self._check_cap(node, code, self.leaf_kinds[first_leaf:])
        stated_max = _num(stated)
        if stated_max is not None and total is not None and stated_max != total:
            self.add("tong-con-khong-khop", node.key_lines.get("max"), criterion=code,
                     stated=plain(stated_max), total=plain(total))
        return total

    def _check_cap(self, node: YMap, code: str | None, kinds: list[str]) -> None:
        """A cap bounds the sum of a group of bonus (or of penalty) leaves (SPEC §13.1.6)."""
        cap = _num(node.get("cap"))
        line = node.key_lines.get("cap")
        if cap is not None and cap <= 0:
            self.add("tran-khong-duong", line, criterion=code, value=plain(cap))
        if not kinds or set(kinds) not in ({BONUS}, {PENALTY}):
            self.add("tran-khong-hop-le", line, criterion=code)

    def _check_leaf(
        self, node: YMap, code: str | None, line: int, stated: Any
    ) -> Decimal | None:
        kind = _rule_type(node)
        self.leaf_kinds.append({"bonus": BONUS, "penalty": PENALTY}.get(kind, SCORED))
        if "cap" in node:
            self.add("tran-khong-hop-le", node.key_lines.get("cap"), criterion=code)
        if stated is None:
            self.add("la-thieu-diem-toi-da", line, criterion=code)
            return None
        top = _num(stated)
        if top is None:
            return None  # wrong type: pydantic reports it
        if top <= 0:
            self.add("diem-toi-da-khong-duong", node.key_lines.get("max"), criterion=code,
                     value=plain(top))
        floor = self._check_floor(node, code, kind)
        rule = node.get("rule")
        if isinstance(rule, YMap):
            rule_class = _rules.RULE_CLASSES.get(kind)
            if rule_class is not None:
                rule_class.check_raw(rule, RawCheck(self.file, self.issues, code, top, floor))
            self._remember_inputs(rule, code)
        return Decimal(0) if kind in (BONUS, PENALTY) else top

    def _check_floor(self, node: YMap, code: str | None, kind: str) -> Decimal:
        """``floor`` (default 0) lets a leaf's points go negative: "Không ban hành: −1"."""
        if "floor" not in node:
            return ZERO
        floor = _num(node.get("floor"))
        line = node.key_lines.get("floor")
        rule_class = _rules.RULE_CLASSES.get(kind)
        if rule_class is not None and not rule_class.allows_floor:
            self.add("san-khong-ap-dung", line, criterion=code, type=kind)
            return ZERO
        if floor is not None and floor > 0:
            self.add("san-duong", line, criterion=code, value=plain(floor))
            return ZERO
        return floor if floor is not None else ZERO

    def _remember_inputs(self, rule: YMap, code: str | None) -> None:
        items = rule.get("inputs")
        if code is None or not isinstance(items, YList):
            return
        for item, line in zip(items, items.item_lines, strict=True):
            key = item.get("key") if isinstance(item, YMap) else None
            if isinstance(key, str):
                where = item.key_lines.get("key", line)
                self.input_codes.append((f"{code}.{key.strip()}", code, where))

    def check_input_codes(self) -> None:
        """An input's row code '<leaf>.<key>' must not be the code of another node."""
        for input_code, leaf, line in self.input_codes:
            if input_code in self.codes:
                self.add("ma-so-lieu-trung-ma", line, criterion=leaf, value=input_code,
                         first=self.codes[input_code])


# --------------------------------------------------------------------------------------
# Loading.
# --------------------------------------------------------------------------------------


def load_criteria(
    path: Path,
    *,
    settings: Settings | None,
    file: str,
    folder_year: int | None = None,
) -> tuple[CriteriaSet | None, list[Issue]]:
    """Read, check and build one criteria file; ``(None, issues)`` if it has errors."""
    try:
        data = read_limited(path, MAX_YAML_BYTES)
    except FileRefused as exc:
        return None, [issue(exc.code, file=file, **exc.params)]
    return parse_criteria(data, settings=settings, file=file, folder_year=folder_year,
                          folder_block=path.stem)


def parse_criteria(
    data: bytes | str,
    *,
    settings: Settings | None,
    file: str,
    folder_year: int | None = None,
    folder_block: str | None = None,
) -> tuple[CriteriaSet | None, list[Issue]]:
    root, issues = load_yaml(data, file=file)
    if root is None:
        return None, issues
    if not isinstance(root, YMap):
        issues.append(issue("yaml-khong-phai-anh-xa", file=file, line=getattr(root, "line", 1)))
        return None, issues
    check = _TreeCheck(file=file, root=root, settings=settings)
    check.run(folder_year, folder_block)
    issues.extend(check.issues)
    try:
        document = CriteriaDocument.model_validate(dict(root))
    except ValidationError as exc:
        issues.extend(
            i
            for i in pydantic_issues(
                exc,
                root,
                file=file,
                known_keys=_known_keys(),
                criterion_at=lambda loc: _criterion_at(root, loc),
            )
            if not _reported_already(i, check.issues)
        )
        return None, issues
    if any(i.is_error for i in issues):
        return None, issues
    default = settings.default_appraiser if settings is not None else "snv"
    return build_set(document, file=file, root=root, default_appraiser=default), issues


def _reported_already(candidate: Issue, reported: list[Issue]) -> bool:
    """Pydantic repeats some checks of the tree (a tier with two bounds, a code that is
    not text): keep the tree's more precise message for the same line."""
    if candidate.code != "gia-tri-khong-hop-le":
        return False
    return any(r.line == candidate.line and r.is_error for r in reported)


def _criterion_at(root: YMap, loc: tuple[Any, ...]) -> str | None:
    """The code of the deepest criterion node on a pydantic error location."""
    current: Any = root
    code = None
    for part in loc:
        if isinstance(current, YMap) and part in current:
            current = current[part]
        elif isinstance(current, YList) and isinstance(part, int) and part < len(current):
            current = current[part]
        else:
            continue
        if isinstance(current, YMap) and "code" in current and "name" in current:
            code = _code_text(current.get("code")) or code
    return code


def build_set(
    document: CriteriaDocument,
    *,
    file: str,
    root: YMap | None = None,
    default_appraiser: str = "snv",
) -> CriteriaSet:
    """The runtime set of a checked document (inherits appraisers, sums group max)."""
    nodes: dict[str, Node] = {}
    leaves: list[Leaf] = []

    def visit(
        node: CriterionNode, path: tuple[str, ...], inherited: str | None, loc: tuple[Any, ...]
    ) -> tuple[str, ...]:
        code = node.code.strip()
        line = line_of(root, loc) if root is not None else None
        appraiser = node.appraiser or inherited
        if node.items is not None:
            # Reserve the position so that nodes stay in document order.
            nodes[code] = None  # type: ignore[assignment]
            below: list[str] = []
            for i, child in enumerate(node.items):
                below.extend(visit(child, (*path, code), appraiser, (*loc, "items", i)))
            scored = sum(
                (nodes[c].max for c in below if nodes[c].counts_in_scale),  # type: ignore[union-attr]
                Decimal(0),
            )
            nodes[code] = Group(
                code=code,
                name=node.name,
                max=scored,
                path=path,
                children=tuple(child.code.strip() for child in node.items),
                leaves=tuple(below),
                evidence=node.evidence,
                note=node.note,
                line=line,
                cap=node.cap,
            )
            return tuple(below)
        top = node.max or Decimal(0)
        floor = node.floor if node.floor is not None else ZERO
        rule = _rules.compile_rule(node.rule or _rules.ManualSpec(), code=code, max=top,
                                   floor=floor)
        leaf = Leaf(
            code=code,
            name=node.name,
            max=top,
            rule=rule,
            kind=rule.kind,
            appraiser=appraiser or default_appraiser,
            na_allowed=node.na_allowed,
            path=path,
            na_note=node.na_note,
            evidence=node.evidence,
            note=node.note,
            line=line,
            floor=floor,
            method=node.method,
        )
        nodes[code] = leaf
        leaves.append(leaf)
        return (code,)

    for i, area in enumerate(document.items):
        visit(area, (), None, ("items", i))
    return CriteriaSet(
        id=document.id,
        title=document.title,
        block=document.block,
        year=document.year,
        source=document.source,
        scale=document.scale,
        file=file,
        fingerprint=fingerprint(document),
        nodes=nodes,
        areas=tuple(area.code.strip() for area in document.items),
        leaves=tuple(leaves),
    )


# --------------------------------------------------------------------------------------
# Fingerprint.
# --------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, str):
        return value.strip()
    return value


_NEW_DEFAULTS = {"when_zero": "error"}


def fingerprint(document: CriteriaDocument) -> str:
    """sha256 of the set's meaning: formatting, comments, key order and the way numbers
    are written (1 vs 1.0) do not change it; inherited appraisers are made explicit."""

    def node_data(node: CriterionNode, inherited: str | None) -> dict[str, Any]:
        appraiser = node.appraiser or inherited
        data = node.model_dump(exclude={"items", "rule", "appraiser"})
        if node.items is not None:
            data["items"] = [node_data(child, appraiser) for child in node.items]
        else:
            rule = (node.rule or _rules.ManualSpec()).model_dump()
            # Keys added in the second release, at their defaults, leave the fingerprint
            # of a set that does not use them unchanged (forms already sent out stay valid).
            data["rule"] = {k: v for k, v in rule.items()
                            if not (k in _NEW_DEFAULTS and v == _NEW_DEFAULTS[k])}
            data["appraiser"] = appraiser
        return data

    canonical = {
        "id": document.id,
        "title": document.title,
        "block": document.block,
        "year": document.year,
        "source": document.source,
        "scale": document.scale,
        "items": [node_data(area, None) for area in document.items],
    }
    text = json.dumps(_canonical(canonical), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
