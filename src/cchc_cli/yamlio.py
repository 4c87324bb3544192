"""Safe YAML loading that remembers line numbers and keeps codes as written.

PyYAML composes the document into nodes; we convert the nodes ourselves so that:

- every mapping and list knows the line of each key and item (for messages ``file:line``);
- numbers become :class:`YamlNumber`, an exact ``Decimal`` that also keeps its source
  text, so ``code: 1.10`` stays ``"1.10"`` and ``max: 0.1`` is exactly 0.1;
- anchors and aliases are refused before anything is expanded (no "billion laughs"),
  tags other than the standard scalar ones are refused (no ``!!python/object``), and
  duplicate keys are reported instead of silently overwritten.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import in_range

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TRUE = {"true", "yes", "on"}
# Criteria trees are a few levels deep; a deeper document is refused before anything
# recurses through it.
MAX_DEPTH = 64


class YamlNumber(Decimal):
    """A number from YAML: an exact Decimal that remembers how it was written."""

    raw: str
    plain: bool

    def __new__(cls, raw: str, plain: bool = True) -> YamlNumber:
        value = super().__new__(cls, raw.replace("_", ""))
        value.raw = raw
        value.plain = plain
        return value


class YMap(dict):
    """A mapping with the line of the mapping and of each key (1-based)."""

    line: int
    key_lines: dict[str, int]


class YList(list):
    """A list with the line of the list and of each item (1-based)."""

    line: int
    item_lines: list[int]


class _Refused(Exception):
    def __init__(self, code: str, line: int, **params: Any) -> None:
        super().__init__(code)
        self.code, self.line, self.params = code, line, params


_NO_KEY = object()  # a complex key was refused: its value is dropped


def load_yaml(data: bytes | str, *, file: str) -> tuple[Any, list[Issue]]:
    """Parse YAML text into YMap/YList/str/YamlNumber/bool/None, with issues.

    Returns ``(None, issues)`` when the text cannot be parsed at all. Parsing uses
    libyaml's event stream when available (the pure-Python parser is ten times slower)
    and builds the tree here, event by event, so that an anchor or alias is refused the
    moment it appears.
    """
    import yaml

    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            bad = data[exc.start : exc.start + 1].hex()
            return None, [issue("yaml-khong-phai-utf8", file=file, line=line, byte=f"0x{bad}")]
    else:
        text = data
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    issues: list[Issue] = []
    try:
        root = _compose(yaml.parse(text, Loader=loader), file, issues)
    except _Refused as refused:
        return None, [issue(refused.code, file=file, line=refused.line, **refused.params)]
    except yaml.YAMLError as exc:
        return None, [_syntax_issue(exc, file, text)]
    if root is None:
        empty = YMap()
        empty.line, empty.key_lines = 1, {}
        return empty, issues
    return root, issues


class _Frame:
    __slots__ = ("container", "key", "key_line")

    def __init__(self, container: YMap | YList) -> None:
        self.container = container
        self.key: Any = None  # None: the next scalar is a key (mappings only)
        self.key_line = 0


def _compose(events: Any, file: str, issues: list[Issue]) -> Any:
    import yaml

    resolver = yaml.resolver.Resolver()
    stack: list[_Frame] = []
    root: Any = None
    documents = 0

    def emit(value: Any, line: int, is_scalar: bool) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame.container
        if isinstance(container, YList):
            container.append(value)
            container.item_lines.append(line)
            return
        if frame.key is None:
            if not is_scalar:
                issues.append(issue("yaml-cu-phap", file=file, line=line, detail="khóa phức"))
                frame.key = _NO_KEY
            else:
                frame.key = unicodedata.normalize("NFC", str(value if not isinstance(
                    value, YamlNumber) else value.raw))
            frame.key_line = line
            return
        key, frame.key = frame.key, None
        if key is _NO_KEY:
            return
        if key == "<<":
            issues.append(issue("yaml-neo", file=file, line=frame.key_line))
            return
        if key in container:
            issues.append(issue("yaml-khoa-trung", file=file, line=frame.key_line, key=key,
                                first=container.key_lines[key]))
            return
        container[key] = value
        container.key_lines[key] = frame.key_line

    for event in events:
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("yaml-neo", line)
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _Refused("yaml-nhieu-tai-lieu", line)
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = _STR if tag == "!" else resolver.resolve(yaml.ScalarNode, event.value,
                                                               event.implicit)
            plain = not event.style  # libyaml says '', PyYAML None
            emit(_scalar(tag, event.value, plain, file, line, issues), line, True)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent) \
                and len(stack) >= MAX_DEPTH:
            raise _Refused("yaml-qua-sau", line, limit=MAX_DEPTH)
        elif isinstance(event, yaml.MappingStartEvent):
            if event.tag not in (None, "!", _MAP):
                issues.append(issue("yaml-the", file=file, line=line, tag=event.tag))
            mapping = YMap()
            mapping.line, mapping.key_lines = line, {}
            stack.append(_Frame(mapping))
        elif isinstance(event, yaml.SequenceStartEvent):
            if event.tag not in (None, "!", _SEQ):
                issues.append(issue("yaml-the", file=file, line=line, tag=event.tag))
            items = YList()
            items.line, items.item_lines = line, []
            stack.append(_Frame(items))
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = stack.pop()
            emit(frame.container, frame.container.line, False)
    return root


def _syntax_issue(exc: Any, file: str, text: str) -> Issue:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        lines = text.splitlines()
        at = lines[mark.line][mark.column: mark.column + 1] if mark.line < len(lines) else ""
        if at == "\t" or "\\t" in problem:
            return issue("yaml-tab", file=file, line=line)
    for english, vietnamese in _SYNTAX_HINTS:
        if english in problem:
            return issue("yaml-cu-phap", file=file, line=line,
                         detail=f"{vietnamese} [{problem}]")
    return issue("yaml-cu-phap", file=file, line=line, detail=problem)


# The commonest PyYAML complaints, explained for someone editing YAML by hand.
_SYNTAX_HINTS = (
    ("mapping values are not allowed", "có dấu ':' không đúng chỗ; giá trị chứa ':' phải đặt"
     " trong dấu nháy"),
    ("expected ',' or ']'", "thiếu dấu ']' hoặc ',' trong danh sách [..]"),
    ("expected ',' or '}'", "thiếu dấu '}' hoặc ',' trong mục {..}"),
    ("could not find expected ':'", "thiếu dấu ':' sau tên khóa"),
    ("cannot start any token", "ký tự không được đứng đầu giá trị; hãy đặt giá trị trong"
     " dấu nháy"),
    ("found unexpected end of stream", "thiếu dấu nháy đóng"),
    ("expected <block end>", "thụt lề không thẳng hàng"),
    ("did not find expected key", "thụt lề không thẳng hàng hoặc thiếu tên khóa"),
    ("did not find expected '-' indicator", "thụt lề của danh sách không thẳng hàng"),
)


def _scalar(tag: str, raw: str, plain: bool, file: str, line: int,
            issues: list[Issue]) -> Any:
    if tag == _STR:
        return unicodedata.normalize("NFC", raw)
    if tag in (_INT, _FLOAT):
        try:
            number = YamlNumber(raw, plain)
        except (InvalidOperation, ValueError):
            # 0x1F, 0o17, .inf, .nan: legal YAML, but never a sensible point value.
            return raw
        # Kept as text (and refused where a number is needed) when not finite or too
        # large to be a point value or a year: 1e999999999 would overflow arithmetic.
        return number if in_range(number) else raw
    if tag == _BOOL:
        return raw.lower() in _TRUE
    if tag == _NULL:
        return None
    if tag == _TIMESTAMP:
        return raw
    issues.append(issue("yaml-the", file=file, line=line, tag=tag))
    return raw


def line_of(root: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest element of ``loc`` (a pydantic error location) in ``root``.

    Parts of ``loc`` that are not keys or indexes of the data (such as the name of a
    discriminated-union member) are skipped.
    """
    current, line = root, getattr(root, "line", None)
    tagged: Any = None  # the mapping whose union tag (its 'type') was already passed
    for part in loc:
        # A discriminated union puts the member's tag in the location, right after the
        # mapping: skip it once, even when a key has the same name ('tiers').
        if isinstance(current, YMap) and current is not tagged and current.get("type") == part:
            tagged = current
            continue
        if isinstance(current, YMap) and isinstance(part, str) and part in current:
            line = current.key_lines.get(part, line)
            current = current[part]
        elif isinstance(current, YList) and isinstance(part, int) and 0 <= part < len(current):
            line = current.item_lines[part]
            current = current[part]
    return line
