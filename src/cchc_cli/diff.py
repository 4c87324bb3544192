"""What changed between two criteria sets (SPEC §13.5): criteria added, removed, renamed,
and changed in max, rule, appraiser, N/A permission, floor, cap or method.

Nodes are matched by code. What is left on each side is then matched by name (the same
name on both sides, once each): a criterion that only changed its code is *renamed*, not
removed and added again. The changes come in code order, so a whole area reads together.

:func:`block_change` sums a block's changes up for the year-on-year comparison of
``rank``: the share of the scale whose scoring changed, and whether that is a lot.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_cli.criteria import CriteriaSet, Group, Leaf, Node
from cchc_cli.numbers import ZERO, json_number, plain, round_half_up
from cchc_cli.settings import Settings

if TYPE_CHECKING:
    from cchc_cli.workspace import Workspace

ADDED, REMOVED, RENAMED = "added", "removed", "renamed"
MAX, RULE, APPRAISER, NA_ALLOWED, FLOOR, CAP, METHOD = (
    "max", "rule", "appraiser", "na_allowed", "floor", "cap", "method")
KINDS = (ADDED, REMOVED, RENAMED, MAX, RULE, APPRAISER, NA_ALLOWED, FLOOR, CAP, METHOD)
# The changes that change how a leaf earns points (a new appraiser or a reworded method
# does not).
SCORING = frozenset({ADDED, REMOVED, MAX, RULE, NA_ALLOWED, FLOOR})

# A block whose criteria changed how this share of its scale is scored (or more) is not
# comparable with last year without care: its rank changes are flagged (README, "So với
# năm trước").
LARGE_SHARE = Fraction(1, 5)

# Vietnamese names of the parts of a rule, for the detail of a rule change.
_RULE_PARTS = {"type": "loại", "inputs": "số liệu đầu vào", "value": "biểu thức giá trị",
               "points": "biểu thức điểm", "checks": "điều kiện kiểm tra",
               "tiers": "các mức", "options": "các lựa chọn", "when_zero": "khi chia cho 0",
               "target": "mục tiêu", "zero_below": "ngưỡng 0 điểm", "to": "mốc so sánh",
               "better": "chiều tốt hơn", "step": "bước điểm", "unit": "đơn vị"}
_DEFAULTS = {"when_zero": "error"}  # a default written out is no change


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new set."""

    kind: str
    code: str  # the new code (the old one for a removed criterion)
    old: Any
    new: Any
    name: str  # the criterion's name (the new one when both exist)
    detail: str = ""  # what part of a rule changed, in Vietnamese
    block: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """SPEC §13.5's fields, and the block (a code means different things in
        different blocks)."""
        return {"kind": self.kind, "code": self.code, "old": _json(self.old),
                "new": _json(self.new), "block": self.block}


def _json(value: Any) -> Any:
    if isinstance(value, Decimal | Fraction):
        return json_number(value)
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def natural_key(code: str) -> tuple[Any, ...]:
    """'1.2' before '1.10': numeric parts compared as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"[.\s]+", code))


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


# --------------------------------------------------------------------------------------
# Matching nodes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Matched:
    """The nodes of two sets paired up: same code, or same name under another code."""

    pairs: list[tuple[Node, Node]]
    added: list[Node]
    removed: list[Node]
    recoded: set[str]  # new codes of the pairs matched by name


def match_nodes(old: CriteriaSet, new: CriteriaSet) -> Matched:
    pairs = [(old.nodes[code], node) for code, node in new.nodes.items() if code in old.nodes]
    added = [node for code, node in new.nodes.items() if code not in old.nodes]
    removed = [node for code, node in old.nodes.items() if code not in new.nodes]
    by_name_old = _unique_names(removed)
    by_name_new = _unique_names(added)
    recoded: set[str] = set()
    for key, new_node in by_name_new.items():
        old_node = by_name_old.get(key)
        if old_node is None or old_node.is_leaf != new_node.is_leaf:
            continue
        pairs.append((old_node, new_node))
        added.remove(new_node)
        removed.remove(old_node)
        recoded.add(new_node.code)
    return Matched(pairs, added, removed, recoded)


def _unique_names(nodes: Iterable[Node]) -> dict[str, Node]:
    """Nodes by name, for the names that occur once."""
    found: dict[str, Node | None] = {}
    for node in nodes:
        key = _name_key(node.name)
        found[key] = None if key in found else node
    return {key: node for key, node in found.items() if node is not None}


# --------------------------------------------------------------------------------------
# Comparing one pair
# --------------------------------------------------------------------------------------


def rule_data(leaf: Leaf) -> dict[str, Any]:
    """A leaf's rule as plain data: numbers exact and normalised (1 and 1.0 are one
    number), empty keys and written-out defaults left out."""
    data = _canonical(leaf.rule.spec.model_dump())
    return {k: v for k, v in data.items() if _DEFAULTS.get(k, ...) != v}


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize() if value else ZERO
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, str):
        return value.strip()
    return value


def _rule_detail(old: dict[str, Any], new: dict[str, Any]) -> str:
    if old.get("type") != new.get("type"):
        return f"loại: {old.get('type')} → {new.get('type')}"
    parts = [key for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]
    return "đổi " + ", ".join(_RULE_PARTS.get(key, key) for key in parts)


def compare_pair(old: Node, new: Node, *, recoded: bool, block: str | None = None
                 ) -> list[Change]:
    """Every difference between two matched nodes, in a fixed order."""
    found: list[Change] = []

    def add(kind: str, before: Any, after: Any, detail: str = "") -> None:
        found.append(Change(kind, new.code, before, after, new.name, detail, block))

    if recoded:
        add(RENAMED, old.code, new.code, "đổi mã")
    elif _name_key(old.name) != _name_key(new.name):
        add(RENAMED, old.name, new.name, "đổi tên")
    if old.max != new.max:
        add(MAX, old.max, new.max)
    if isinstance(old, Leaf) and isinstance(new, Leaf):
        found.extend(_compare_leaves(old, new, block))
    elif isinstance(old, Group) and isinstance(new, Group):
        if old.cap != new.cap:
            add(CAP, old.cap, new.cap)
    else:
        detail = "tiêu chí được chấm thành nhóm" if isinstance(old, Leaf) else \
            "nhóm thành tiêu chí được chấm"
        add(RULE, rule_data(old) if isinstance(old, Leaf) else None,
            rule_data(new) if isinstance(new, Leaf) else None, detail)
    return found


def _compare_leaves(old: Leaf, new: Leaf, block: str | None) -> list[Change]:
    found: list[Change] = []
    before, after = rule_data(old), rule_data(new)
    if before != after:
        found.append(Change(RULE, new.code, before, after, new.name,
                            _rule_detail(before, after), block))
    for kind, a, b in ((APPRAISER, old.appraiser, new.appraiser),
                       (NA_ALLOWED, old.na_allowed, new.na_allowed),
                       (FLOOR, old.floor, new.floor),
                       (METHOD, (old.method or "").strip() or None,
                        (new.method or "").strip() or None)):
        if a != b:
            found.append(Change(kind, new.code, a, b, new.name, "", block))
    return found


# --------------------------------------------------------------------------------------
# Two sets
# --------------------------------------------------------------------------------------


def diff_sets(old: CriteriaSet, new: CriteriaSet, *, block: str | None = None
              ) -> list[Change]:
    """Every change from ``old`` to ``new``, in code order."""
    matched = match_nodes(old, new)
    found: list[Change] = []
    for before, after in matched.pairs:
        found.extend(compare_pair(before, after, recoded=after.code in matched.recoded,
                                  block=block))
    found.extend(Change(ADDED, node.code, None, node.name, node.name, "", block)
                 for node in matched.added)
    found.extend(Change(REMOVED, node.code, node.name, None, node.name, "", block)
                 for node in matched.removed)
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(found, key=lambda c: (natural_key(c.code), order[c.kind]))


@dataclass(frozen=True)
class BlockChange:
    """How much of a block's criteria changed since last year (for ``rank``)."""

    block: str
    previous_year: int
    changes: int
    share: Fraction  # of the scale whose scoring changed, the larger of old and new

    @property
    def large(self) -> bool:
        return self.share >= LARGE_SHARE

    def to_dict(self) -> dict[str, Any]:
        return {"previous_year": self.previous_year, "changes": self.changes,
                "share": json_number(self.share), "large": self.large}


def changed_share(old: CriteriaSet, new: CriteriaSet) -> Fraction:
    """The share of the scale whose scoring changed: the max of the scored leaves added,
    removed, or changed in max, rule, N/A permission or floor — counted in the new set
    (÷ its scale) and in the old one (÷ its scale); the larger share."""
    matched = match_nodes(old, new)
    changed_new = [node for node in matched.added if isinstance(node, Leaf)]
    changed_old = [node for node in matched.removed if isinstance(node, Leaf)]
    for before, after in matched.pairs:
        kinds = {c.kind for c in compare_pair(before, after, recoded=False)}
        if kinds & SCORING:
            if isinstance(after, Leaf):
                changed_new.append(after)
            if isinstance(before, Leaf):
                changed_old.append(before)
    return max(_share(changed_new, new.scale), _share(changed_old, old.scale))


def _share(leaves: list[Leaf], scale: Decimal) -> Fraction:
    weight = sum((leaf.max for leaf in leaves if leaf.counts_in_scale), ZERO)
    return Fraction(weight) / Fraction(scale) if scale > 0 else Fraction(0)


def block_change(old: CriteriaSet | None, new: CriteriaSet | None, previous_year: int
                 ) -> BlockChange | None:
    """The comparison of one block's criteria with last year's, or None without both."""
    if old is None or new is None:
        return None
    return BlockChange(block=new.block, previous_year=previous_year,
                       changes=len(diff_sets(old, new)), share=changed_share(old, new))


def share_text(share: Fraction) -> str:
    """'1,5 %', '25 %': a share of the scale, to one decimal."""
    return f"{plain(round_half_up(share * 100, 1)).replace('.', ',')} %"


def describe(change: Change) -> str:
    """One line for a person: 'Điểm tối đa 2 → 3', 'Thêm mới', …"""
    kind = change.kind
    if kind == ADDED:
        return "Thêm mới"
    if kind == REMOVED:
        return "Bỏ"
    if kind == RULE:
        return f"Cách chấm: {change.detail}"
    labels = {RENAMED: "Mã" if change.detail == "đổi mã" else "Tên", MAX: "Điểm tối đa",
              APPRAISER: "Cơ quan thẩm định", NA_ALLOWED: "Được không áp dụng",
              FLOOR: "Điểm sàn", CAP: "Trần điểm", METHOD: "Cách chấm (nguyên văn)"}
    return f"{labels[kind]}: {_shown(change.old)} → {_shown(change.new)}"


def _shown(value: Any) -> str:
    if value is None:
        return "(không có)"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Decimal | Fraction):
        return plain(value).replace(".", ",")
    return str(value)


# --------------------------------------------------------------------------------------
# Files and years
# --------------------------------------------------------------------------------------


@dataclass
class BlockDiff:
    """One block (or one pair of files) compared."""

    block: str
    old_file: str | None
    new_file: str | None
    changes: list[Change]
    share: Fraction

    @property
    def large(self) -> bool:
        return self.share >= LARGE_SHARE

    def to_dict(self) -> dict[str, Any]:
        return {"block": self.block, "old_file": self.old_file, "new_file": self.new_file,
                "changes": len(self.changes), "share": json_number(self.share),
                "large": self.large}


def compare_blocks(block: str, old: CriteriaSet | None, new: CriteriaSet | None
                   ) -> BlockDiff:
    """A block's changes; a block that exists on one side only is all added (or all
    removed)."""
    if old is not None and new is not None:
        return BlockDiff(block, old.file, new.file, diff_sets(old, new, block=block),
                         changed_share(old, new))
    present = new or old
    assert present is not None
    kind = ADDED if new is not None else REMOVED
    changes = [Change(kind, node.code, None if new else node.name, node.name if new else None,
                      node.name, "", block) for node in present.nodes.values()]
    return BlockDiff(block, old.file if old else None, new.file if new else None, changes,
                     Fraction(1))


@dataclass
class DiffReport:
    """``cchc diff``: the changes of every block compared, and the problems of the files."""

    blocks: list[BlockDiff]
    issues: list[Any]
    years: tuple[int, int] | None = None

    @property
    def changes(self) -> list[Change]:
        return [change for block in self.blocks for change in block.changes]

    def to_dict(self) -> dict[str, Any]:
        return {"years": list(self.years) if self.years else None,
                "changes": [change.to_dict() for change in self.changes],
                "blocks": [block.to_dict() for block in self.blocks],
                "issues": [i.to_dict() for i in self.issues]}


def diff_files(old: Path, new: Path, *, settings: Settings | None, old_name: str,
               new_name: str) -> DiffReport:
    """Two criteria files, whatever their names and years."""
    issues: list[Any] = []
    sets = []
    for path, name in ((old, old_name), (new, new_name)):
        criteria, found = _load_file(path, name, settings)
        issues.extend(found)
        sets.append(criteria)
    before, after = sets
    if before is None or after is None:
        return DiffReport([], issues)
    return DiffReport([compare_blocks(after.block, before, after)], issues)


def _load_file(path: Path, name: str, settings: Settings | None
               ) -> tuple[CriteriaSet | None, list[Any]]:
    from cchc_cli.criteria import parse_criteria
    from cchc_cli.files import MAX_YAML_BYTES, FileRefused, read_limited
    from cchc_cli.issues import issue

    try:
        data = read_limited(path, MAX_YAML_BYTES)
    except FileRefused as exc:
        return None, [issue(exc.code, file=name, **exc.params)]
    return parse_criteria(data, settings=settings, file=name)


def diff_years(ws: Workspace, year: int) -> DiffReport:
    """Every block of year − 1 against year, in the order of cchc.yaml."""
    from cchc_cli.workspace import load_year_criteria

    before = load_year_criteria(ws, year - 1)
    after = load_year_criteria(ws, year)
    blocks = [b for b in ws.settings.blocks if b in before.sets or b in after.sets]
    blocks += sorted((before.sets.keys() | after.sets.keys()) - set(blocks))
    return DiffReport([compare_blocks(b, before.sets.get(b), after.sets.get(b)) for b in blocks],
                      [*before.issues, *after.issues], years=(year - 1, year))
