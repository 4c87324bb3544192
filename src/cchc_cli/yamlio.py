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

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TRUE = {"true", "yes", "on"}


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


def _loader_class() -> type:
    import yaml

    class SafeComposer(yaml.SafeLoader):
        """Refuses anchors and aliases at composition time, before any expansion."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _Refused("yaml-neo", event.start_mark.line + 1)
            return super().compose_node(parent, index)

    return SafeComposer


def load_yaml(data: bytes | str, *, file: str) -> tuple[Any, list[Issue]]:
    """Parse YAML text into YMap/YList/str/YamlNumber/bool/None, with issues.

    Returns ``(None, issues)`` when the text cannot be parsed at all.
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
    loader = _loader_class()(text)
    try:
        root = loader.get_single_node()
    except _Refused as refused:
        return None, [issue(refused.code, file=file, line=refused.line, **refused.params)]
    except yaml.composer.ComposerError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        if "single document" in str(exc):
            return None, [issue("yaml-nhieu-tai-lieu", file=file, line=line)]
        return None, [_syntax_issue(exc, file)]
    except yaml.YAMLError as exc:
        return None, [_syntax_issue(exc, file)]
    finally:
        loader.dispose()
    issues: list[Issue] = []
    if root is None:
        return YMap(), issues
    value = _convert(root, file, issues)
    return value, issues


def _syntax_issue(exc: Any, file: str) -> Issue:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    if "\\t" in problem or "\t" in problem:
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


def _convert(node: Any, file: str, issues: list[Issue]) -> Any:
    import yaml

    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, file, line, issues)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            issues.append(issue("yaml-the", file=file, line=line, tag=node.tag))
        items = YList()
        items.line = line
        items.item_lines = []
        for child in node.value:
            items.append(_convert(child, file, issues))
            items.item_lines.append(child.start_mark.line + 1)
        return items
    if node.tag != _MAP:
        issues.append(issue("yaml-the", file=file, line=line, tag=node.tag))
    mapping = YMap()
    mapping.line = line
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            issues.append(issue("yaml-cu-phap", file=file, line=key_line, detail="khóa phức"))
            continue
        if key_node.value == "<<":
            issues.append(issue("yaml-neo", file=file, line=key_line))
            continue
        key = unicodedata.normalize("NFC", key_node.value)
        if key in mapping:
            issues.append(
                issue(
                    "yaml-khoa-trung",
                    file=file,
                    line=key_line,
                    key=key,
                    first=mapping.key_lines[key],
                )
            )
            continue
        mapping[key] = _convert(value_node, file, issues)
        mapping.key_lines[key] = key_line
    return mapping


def _scalar(node: Any, file: str, line: int, issues: list[Issue]) -> Any:
    tag, raw = node.tag, node.value
    plain = node.style is None
    if tag == _STR:
        return unicodedata.normalize("NFC", raw)
    if tag in (_INT, _FLOAT):
        try:
            number = YamlNumber(raw, plain)
        except (InvalidOperation, ValueError):
            # 0x1F, 0o17, .inf, .nan: legal YAML, but never a sensible point value.
            return raw
        return number if number.is_finite() else raw
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
    for part in loc:
        if isinstance(current, YMap) and isinstance(part, str) and part in current:
            line = current.key_lines.get(part, line)
            current = current[part]
        elif isinstance(current, YList) and isinstance(part, int) and 0 <= part < len(current):
            line = current.item_lines[part]
            current = current[part]
    return line
