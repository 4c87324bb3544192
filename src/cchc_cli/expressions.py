"""The expressions of criteria files (SPEC §13.1.2): ``value``, ``points`` and checks.

A deliberately small language, parsed by a tokenizer and a recursive-descent parser of
its own — never by Python's ``eval`` or ``ast`` (``if`` is a Python keyword, and nothing
outside the grammar may ever run):

- numbers written ``12`` or ``0.5`` (a digit before the point, no exponent);
- input keys of the leaf;
- ``+ - * /``, unary ``-``, parentheses;
- one comparison ``< <= > >= == !=`` between two arithmetic terms (no chains);
- ``and``, ``or``, ``not`` on conditions;
- ``min(x, y, …)``, ``max(x, y, …)``, ``if(condition, x, y)``.

Expressions are parsed once per criteria set and type-checked (a condition is never
used as a number, nor a number as a condition). Evaluation is exact, over
``fractions.Fraction``, and lazy: ``if`` evaluates only the branch it takes, ``and`` and
``or`` stop as soon as the result is known, so a guarded division never divides by zero.
The same tree is written as an Excel formula for the forms' convenience cells, keeping
that laziness (``and``/``or`` become nested ``IF``, since Excel's ``AND``/``OR`` evaluate
every argument).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

NUMBER, CONDITION = "number", "condition"
FUNCTIONS = ("min", "max", "if")
RESERVED = frozenset({"min", "max", "if", "and", "or", "not"})
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class ExpressionError(ValueError):
    """A malformed expression; ``message`` is Vietnamese, ``column`` 1-based or None."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


class DivisionByZero(ArithmeticError):
    """An evaluated division by zero (the rule's ``when_zero`` decides what follows)."""


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot name an input (None when it can)."""
    if not KEY_PATTERN.match(key):
        return "phải bắt đầu bằng chữ thường a–z, chỉ gồm chữ thường, số và dấu gạch dưới"
    if key in RESERVED:
        return "là từ dành riêng của biểu thức (min, max, if, and, or, not)"
    if keyword.iskeyword(key) or keyword.issoftkeyword(key):
        return "là từ khóa của Python, không dùng được làm tên"
    return None


# --------------------------------------------------------------------------------------
# The tree
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    value: Fraction
    text: str


@dataclass(frozen=True, slots=True)
class Name:
    key: str


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # < <= > >= == !=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # and | or
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Call:
    function: str  # min | max | if
    args: tuple[Node, ...]


Node = Union[Num, Name, Neg, Arith, Compare, Logic, Not, Call]  # noqa: UP007 - recursive alias


# --------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><=|>=|==|!=|[-+*/(),<>])"
    r")"
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number | name | op | end
    text: str
    column: int  # 1-based


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            found.append(_Token("end", "", position + 1))
            return found
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(_bad_character(text, position), position + 1)
        kind = match.lastgroup or "op"
        start = match.start(kind)
        token = _Token(kind, match.group(kind), start + 1)
        position = match.end()
        if kind == "number" and position < len(text) and (
            text[position].isalnum() or text[position] in "._"
        ):
            raise ExpressionError(
                f"số viết sai ở cột {start + 1}: chỉ viết dạng 12 hoặc 0.5 (không dùng"
                " dấu phẩy thập phân, số mũ hay dấu chấm phân cách)", start + 1)
        found.append(token)


def _bad_character(text: str, position: int) -> str:
    char = text[position]
    column = position + 1
    if char == "=":
        return f"dùng '==' để so sánh bằng (cột {column})"
    if char == "." and position and (text[position - 1].isalpha() or text[position - 1] == "_"):
        return (f"dấu chấm ở cột {column} không được phép: biểu thức chỉ dùng tên số liệu,"
                " không truy cập thuộc tính")
    if char == "." or char == ",":
        return (f"số viết sai ở cột {column}: viết 0.5 (có chữ số trước dấu chấm, dấu chấm"
                " là dấu thập phân)")
    return (f"ký tự '{char}' không được phép ở cột {column} (chỉ dùng số, tên số liệu,"
            " + - * / ( ), so sánh, and, or, not, min, max, if)")


# --------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------

_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
_WORD = {NUMBER: "một số", CONDITION: "một điều kiện"}


class _Parser:
    """Recursive descent; every method returns (node, type, column of its start)."""

    def __init__(self, text: str, names: frozenset[str]) -> None:
        self.text = text
        self.names = names
        self.tokens = _tokens(text)
        self.position = 0

    # --- token helpers -----------------------------------------------------------------
    @property
    def current(self) -> _Token:
        return self.tokens[self.position]

    def advance(self) -> _Token:
        token = self.current
        self.position += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.current
        if token.kind in ("op", "name") and token.text == text:
            self.position += 1
            return True
        return False

    def expect(self, text: str, what: str) -> None:
        if not self.accept(text):
            raise self.unexpected(f"thiếu '{text}' {what}")

    def unexpected(self, hint: str | None = None) -> ExpressionError:
        token = self.current
        shown = "hết biểu thức" if token.kind == "end" else f"'{token.text}'"
        message = f"không hiểu {shown} ở cột {token.column}"
        return ExpressionError(message + (f": {hint}" if hint else ""), token.column)

    @staticmethod
    def need(kind: str, want: str, column: int, role: str) -> None:
        if kind != want:
            raise ExpressionError(
                f"{role} ở cột {column} phải là {_WORD[want]}, không phải {_WORD[kind]}",
                column)

    # --- grammar -----------------------------------------------------------------------
    def parse(self, want: str) -> Node:
        node, kind, column = self.disjunction()
        if self.current.kind != "end":
            token = self.current
            hint = None
            if token.text in _COMPARISONS:
                hint = "chỉ được một phép so sánh giữa hai vế; dùng 'and' để nối"
            elif token.text == ",":
                hint = "dấu phẩy chỉ ngăn cách các phần trong min, max, if; số thập phân viết 0.5"
            raise self.unexpected(hint)
        self.need(kind, want, column, "biểu thức")
        return node

    def disjunction(self) -> tuple[Node, str, int]:
        node, kind, column = self.conjunction()
        while self.current.kind == "name" and self.current.text == "or":
            at = self.advance().column
            self.need(kind, CONDITION, column, "vế trái của 'or'")
            right, right_kind, right_column = self.conjunction()
            self.need(right_kind, CONDITION, right_column, "vế phải của 'or'")
            node, kind = Logic("or", node, right), CONDITION
            column = min(column, at)
        return node, kind, column

    def conjunction(self) -> tuple[Node, str, int]:
        node, kind, column = self.negation()
        while self.current.kind == "name" and self.current.text == "and":
            self.advance()
            self.need(kind, CONDITION, column, "vế trái của 'and'")
            right, right_kind, right_column = self.negation()
            self.need(right_kind, CONDITION, right_column, "vế phải của 'and'")
            node, kind = Logic("and", node, right), CONDITION
        return node, kind, column

    def negation(self) -> tuple[Node, str, int]:
        if self.current.kind == "name" and self.current.text == "not":
            column = self.advance().column
            operand, kind, at = self.negation()
            self.need(kind, CONDITION, at, "vế sau 'not'")
            return Not(operand), CONDITION, column
        return self.comparison()

    def comparison(self) -> tuple[Node, str, int]:
        left, kind, column = self.sum()
        token = self.current
        if token.kind == "op" and token.text in _COMPARISONS:
            self.advance()
            self.need(kind, NUMBER, column, f"vế trái của '{token.text}'")
            right, right_kind, right_column = self.sum()
            self.need(right_kind, NUMBER, right_column, f"vế phải của '{token.text}'")
            return Compare(token.text, left, right), CONDITION, column
        return left, kind, column

    def sum(self) -> tuple[Node, str, int]:
        node, kind, column = self.product()
        while self.current.kind == "op" and self.current.text in ("+", "-"):
            op = self.advance().text
            self.need(kind, NUMBER, column, f"vế trái của '{op}'")
            right, right_kind, right_column = self.product()
            self.need(right_kind, NUMBER, right_column, f"vế phải của '{op}'")
            node = Arith(op, node, right)
        return node, kind, column

    def product(self) -> tuple[Node, str, int]:
        node, kind, column = self.unary()
        while self.current.kind == "op" and self.current.text in ("*", "/"):
            op = self.advance().text
            if self.current.kind == "op" and self.current.text == "*":
                raise self.unexpected("không có phép lũy thừa '**'")
            self.need(kind, NUMBER, column, f"vế trái của '{op}'")
            right, right_kind, right_column = self.unary()
            self.need(right_kind, NUMBER, right_column, f"vế phải của '{op}'")
            node = Arith(op, node, right)
        return node, kind, column

    def unary(self) -> tuple[Node, str, int]:
        if self.current.kind == "op" and self.current.text == "-":
            column = self.advance().column
            operand, kind, at = self.unary()
            self.need(kind, NUMBER, at, "số sau dấu '-'")
            return Neg(operand), NUMBER, column
        return self.primary()

    def primary(self) -> tuple[Node, str, int]:
        token = self.current
        if token.kind == "number":
            self.advance()
            return Num(Fraction(token.text), token.text), NUMBER, token.column
        if token.kind == "op" and token.text == "(":
            self.advance()
            node, kind, _ = self.disjunction()
            self.expect(")", f"để đóng ngoặc mở ở cột {token.column}")
            return node, kind, token.column
        if token.kind == "name":
            if token.text in FUNCTIONS:
                return self.call()
            if token.text in ("and", "or", "not"):
                raise self.unexpected(f"'{token.text}' cần một điều kiện ở trước hoặc sau")
            self.advance()
            if self.current.kind == "op" and self.current.text == "(":
                raise ExpressionError(
                    f"'{token.text}' ở cột {token.column} không phải hàm; chỉ dùng được min,"
                    " max, if", token.column)
            if token.text not in self.names:
                known = ", ".join(sorted(self.names)) or "(tiêu chí không khai báo inputs)"
                raise ExpressionError(
                    f"tên '{token.text}' ở cột {token.column} không phải số liệu của tiêu"
                    f" chí (các số liệu: {known})", token.column)
            return Name(token.text), NUMBER, token.column
        raise self.unexpected()

    def call(self) -> tuple[Node, str, int]:
        token = self.advance()
        name = token.text
        self.expect("(", f"sau '{name}'")
        args: list[tuple[Node, str, int]] = []
        if not (self.current.kind == "op" and self.current.text == ")"):
            args.append(self.disjunction())
            while self.accept(","):
                args.append(self.disjunction())
        self.expect(")", f"để đóng '{name}(' ở cột {token.column}")
        if name == "if":
            if len(args) != 3:
                raise ExpressionError(
                    f"if(…) ở cột {token.column} cần đúng 3 phần: if(điều kiện, giá trị khi"
                    f" đúng, giá trị khi sai); đang có {len(args)}", token.column)
            self.need(args[0][1], CONDITION, args[0][2], "phần đầu của if")
            self.need(args[1][1], NUMBER, args[1][2], "phần thứ hai của if")
            self.need(args[2][1], NUMBER, args[2][2], "phần thứ ba của if")
        else:
            if len(args) < 2:
                raise ExpressionError(
                    f"{name}(…) ở cột {token.column} cần ít nhất hai giá trị", token.column)
            for _node, kind, column in args:
                self.need(kind, NUMBER, column, f"giá trị trong {name}(…)")
        return Call(name, tuple(node for node, _, _ in args)), NUMBER, token.column


# --------------------------------------------------------------------------------------
# The compiled expression
# --------------------------------------------------------------------------------------


def _names(node: Node, found: set[str]) -> None:
    if isinstance(node, Name):
        found.add(node.key)
    elif isinstance(node, Neg | Not):
        _names(node.operand, found)
    elif isinstance(node, Arith | Compare | Logic):
        _names(node.left, found)
        _names(node.right, found)
    elif isinstance(node, Call):
        for arg in node.args:
            _names(arg, found)


def _evaluate(node: Node, values: Mapping[str, Fraction]) -> Fraction | bool:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return values[node.key]
    if isinstance(node, Arith):
        left = _number(node.left, values)
        right = _number(node.right, values)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if not right:
            raise DivisionByZero()
        return left / right
    if isinstance(node, Neg):
        return -_number(node.operand, values)
    if isinstance(node, Compare):
        left = _number(node.left, values)
        right = _number(node.right, values)
        return _COMPARE[node.op](left, right)
    if isinstance(node, Logic):
        first = _truth(node.left, values)
        if node.op == "and":
            return first and _truth(node.right, values)
        return first or _truth(node.right, values)
    if isinstance(node, Not):
        return not _truth(node.operand, values)
    # Call
    if node.function == "if":
        chosen = node.args[1] if _truth(node.args[0], values) else node.args[2]
        return _number(chosen, values)
    numbers = [_number(arg, values) for arg in node.args]
    return min(numbers) if node.function == "min" else max(numbers)


def _number(node: Node, values: Mapping[str, Fraction]) -> Fraction:
    result = _evaluate(node, values)
    assert not isinstance(result, bool)  # the parser's type check guarantees it
    return result


def _truth(node: Node, values: Mapping[str, Fraction]) -> bool:
    result = _evaluate(node, values)
    assert isinstance(result, bool)
    return result


_COMPARE: dict[str, Callable[[Fraction, Fraction], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_EXCEL_COMPARE = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "=", "!=": "<>"}


def _excel(node: Node, refs: Mapping[str, str]) -> str:
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Name):
        return refs[node.key]
    if isinstance(node, Arith):
        return f"({_excel(node.left, refs)}{node.op}{_excel(node.right, refs)})"
    if isinstance(node, Neg):
        return f"(-{_excel(node.operand, refs)})"
    if isinstance(node, Compare):
        return (f"({_excel(node.left, refs)}{_EXCEL_COMPARE[node.op]}"
                f"{_excel(node.right, refs)})")
    if isinstance(node, Logic):
        # Nested IFs keep the laziness of 'and'/'or' (Excel's AND/OR evaluate everything).
        left, right = _excel(node.left, refs), _excel(node.right, refs)
        if node.op == "and":
            return f"IF({left},{right},FALSE)"
        return f"IF({left},TRUE,{right})"
    if isinstance(node, Not):
        return f"NOT({_excel(node.operand, refs)})"
    args = ",".join(_excel(arg, refs) for arg in node.args)
    return f"{node.function.upper()}({args})"


_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6,
               "neg": 7, "atom": 8}
# How a person reads the operators in Vietnamese documents and in ``cchc explain``.
_VI_WORDS = {"*": "×", "/": "÷", "<=": "≤", ">=": "≥", "!=": "≠", "==": "=", "and": "và",
             "or": "hoặc", "not": "không"}


def _text(node: Node, show: Callable[[str], str], vietnamese: bool) -> tuple[str, int]:
    """The expression written back, names replaced by ``show(key)``, with only the
    parentheses it needs."""

    def word(op: str) -> str:
        return _VI_WORDS.get(op, op) if vietnamese else op

    if isinstance(node, Num):
        return (node.text.replace(".", ",") if vietnamese else node.text), _PRECEDENCE["atom"]
    if isinstance(node, Name):
        return show(node.key), _PRECEDENCE["atom"]
    if isinstance(node, Call):
        separator = "; " if vietnamese else ", "
        inner = separator.join(_text(arg, show, vietnamese)[0] for arg in node.args)
        name = {"if": "nếu"}.get(node.function, node.function) if vietnamese else node.function
        return f"{name}({inner})", _PRECEDENCE["atom"]
    if isinstance(node, Neg | Not):
        key = "neg" if isinstance(node, Neg) else "not"
        operand, level = _text(node.operand, show, vietnamese)
        if level < _PRECEDENCE[key]:
            operand = f"({operand})"
        prefix = "-" if isinstance(node, Neg) else word("not") + " "
        return prefix + operand, _PRECEDENCE[key]
    op = node.op
    level = _PRECEDENCE["cmp"] if isinstance(node, Compare) else _PRECEDENCE[op]
    left, left_level = _text(node.left, show, vietnamese)
    right, right_level = _text(node.right, show, vietnamese)
    if left_level < level:
        left = f"({left})"
    # The right operand of - and / needs parentheses at the same level: a - (b - c).
    if right_level < level or (right_level == level and op in ("-", "/")):
        right = f"({right})"
    return f"{left} {word(op)} {right}", level


@dataclass(frozen=True)
class Expression:
    """A parsed, type-checked expression."""

    text: str
    root: Node
    kind: str  # number | condition

    @property
    def names(self) -> frozenset[str]:
        found: set[str] = set()
        _names(self.root, found)
        return frozenset(found)

    def number(self, values: Mapping[str, Fraction]) -> Fraction:
        """The value of a numeric expression; raises DivisionByZero."""
        return _number(self.root, values)

    def holds(self, values: Mapping[str, Fraction]) -> bool:
        """The truth of a condition; raises DivisionByZero."""
        return _truth(self.root, values)

    def excel(self, refs: Mapping[str, str]) -> str:
        """The expression as an Excel formula body (no leading '='), keys → cells."""
        return _excel(self.root, refs)

    def shown(self, show: Callable[[str], str] | None = None, *,
              vietnamese: bool = False) -> str:
        """The expression as a person reads it; ``show`` may substitute values."""
        return _text(self.root, show or (lambda key: key), vietnamese)[0]


def parse(text: str, names: frozenset[str] | set[str], *, want: str = NUMBER) -> Expression:
    """Parse ``text`` whose names must be among ``names``; raise ExpressionError."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("biểu thức rỗng")
    if len(text) > 2000:
        raise ExpressionError("biểu thức quá dài (tối đa 2000 ký tự)")
    parser = _Parser(text, frozenset(names))
    try:
        root = parser.parse(want)
    except RecursionError:
        raise ExpressionError("biểu thức lồng nhau quá sâu") from None
    return Expression(text=text, root=root, kind=want)
