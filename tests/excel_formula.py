"""A small evaluator of the Excel formulas that cchc writes into its forms, for tests.

It covers exactly the subset the form writers use — numbers, strings, TRUE/FALSE, cell
references (``E9``, ``$A$1``, ``'_ds'!$A$1:$B$3``), ``+ - * /``, comparisons, and the
functions IF, IFERROR, ROUND, MIN, MAX, NOT, OR, AND, COUNT, ISNUMBER, VLOOKUP, SUM — with
Excel's semantics where they matter here: binary floating point, a blank cell is 0 in
arithmetic and equal to "", IF and IFERROR are lazy, errors propagate. When LibreOffice
is installed the tests also let a real spreadsheet engine recalculate the same forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|(?P<string>\"(?:[^\"]|\"\")*\")"
    r"|(?P<ref>(?:'[^']+'!|[A-Za-z_][A-Za-z0-9_]*!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)"
    r"|(?P<name>[A-Z][A-Z0-9.]*)"
    r"|(?P<op><>|<=|>=|[-+*/(),=<>&]))"
)


class ExcelError(Exception):
    """An Excel error value (#DIV/0!, #VALUE!, #N/A)."""


Cells = Callable[[str | None, int, int], Any]  # (sheet, row, col) → value


def _col(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


def _parse_ref(text: str) -> tuple[str | None, tuple[int, int], tuple[int, int]]:
    sheet = None
    if "!" in text:
        sheet, text = text.rsplit("!", 1)
        sheet = sheet.strip("'")
    parts = text.replace("$", "").split(":")
    cells = []
    for part in parts:
        match = re.match(r"([A-Z]+)(\d+)", part)
        assert match is not None, part
        cells.append((int(match.group(2)) - 1, _col(match.group(1))))
    return sheet, cells[0], cells[-1]


class _Formula:
    def __init__(self, text: str, cells: Cells) -> None:
        self.tokens = []
        position = 0
        text = text.lstrip("=")
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                if text[position:].strip() == "":
                    break
                raise ValueError(f"cannot read formula at {text[position:]!r}")
            kind = match.lastgroup or "op"
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.tokens.append(("end", ""))
        self.position = 0
        self.cells = cells

    # Parsing builds closures so that IF/IFERROR stay lazy.
    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position]

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, text: str) -> None:
        kind, value = self.take()
        assert value == text, (value, text)

    def parse(self) -> Callable[[], Any]:
        node = self.comparison()
        assert self.peek()[0] == "end", self.tokens[self.position:]
        return node

    def comparison(self) -> Callable[[], Any]:
        left = self.additive()
        kind, op = self.peek()
        if kind == "op" and op in ("=", "<>", "<", "<=", ">", ">="):
            self.take()
            right = self.additive()
            return lambda: _compare(op, left(), right())
        return left

    def additive(self) -> Callable[[], Any]:
        node = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            node = _binary(op, node, self.term())
        return node

    def term(self) -> Callable[[], Any]:
        node = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            node = _binary(op, node, self.unary())
        return node

    def unary(self) -> Callable[[], Any]:
        if self.peek() == ("op", "-"):
            self.take()
            operand = self.unary()
            return lambda: -_number(operand())
        return self.primary()

    def primary(self) -> Callable[[], Any]:
        kind, value = self.take()
        if kind == "number":
            number = float(value)
            return lambda: number
        if kind == "string":
            text = value[1:-1].replace('""', '"')
            return lambda: text
        if kind == "ref":
            sheet, first, last = _parse_ref(value)
            if first != last:
                return lambda: ("range", sheet, first, last)
            return lambda: self.cells(sheet, first[0], first[1])
        if kind == "name" and value in ("TRUE", "FALSE"):
            if self.peek() == ("op", "("):
                self.take()
                self.expect(")")
            truth = value == "TRUE"
            return lambda: truth
        if kind == "name":
            self.expect("(")
            args: list[Callable[[], Any]] = []
            if self.peek() != ("op", ")"):
                args.append(self.comparison())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.comparison())
            self.expect(")")
            return self.function(value, args)
        if (kind, value) == ("op", "("):
            node = self.comparison()
            self.expect(")")
            return node
        raise ValueError(f"unexpected {value!r}")

    def function(self, name: str, args: list[Callable[[], Any]]) -> Callable[[], Any]:
        cells = self.cells

        def values(arg: Callable[[], Any]) -> list[Any]:
            result = arg()
            if isinstance(result, tuple) and result and result[0] == "range":
                _, sheet, (r0, c0), (r1, c1) = result
                return [cells(sheet, r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
            return [result]

        if name == "IF":
            def if_() -> Any:
                chosen = args[1] if _truth(args[0]()) else (args[2] if len(args) > 2 else None)
                return chosen() if chosen is not None else False
            return if_
        if name == "IFERROR":
            def iferror() -> Any:
                try:
                    return args[0]()
                except ExcelError:
                    return args[1]()
            return iferror
        if name == "ROUND":
            return lambda: _round(_number(args[0]()), int(_number(args[1]())))
        if name in ("MIN", "MAX"):
            def extreme() -> Any:
                numbers = [_number(v) for a in args for v in values(a) if v is not None]
                return (min if name == "MIN" else max)(numbers) if numbers else 0.0
            return extreme
        if name == "SUM":
            return lambda: sum(v for a in args for v in values(a) if isinstance(v, float))
        if name == "NOT":
            return lambda: not _truth(args[0]())
        # Excel's OR and AND evaluate every argument (an error anywhere is the result):
        # the lists are built in full on purpose.
        if name == "OR":
            return lambda: any([_truth(a()) for a in args])  # noqa: C419
        if name == "AND":
            return lambda: all([_truth(a()) for a in args])  # noqa: C419
        if name == "COUNT":
            return lambda: float(sum(1 for a in args for v in values(a)
                                     if isinstance(v, float) and not isinstance(v, bool)))
        if name == "ISNUMBER":
            return lambda: isinstance(args[0](), float) and not isinstance(args[0](), bool)
        if name == "VLOOKUP":
            def vlookup() -> Any:
                wanted = args[0]()
                _, sheet, (r0, c0), (r1, c1) = args[1]()
                column = int(_number(args[2]())) - 1
                for r in range(r0, r1 + 1):
                    if _equal(cells(sheet, r, c0), wanted):
                        return cells(sheet, r, c0 + column)
                raise ExcelError("#N/A")
            return vlookup
        raise ValueError(f"function {name} is not supported")


def _round(value: float, places: int) -> float:
    """Excel's ROUND: half away from zero, on the 15 significant digits Excel shows."""
    shown = Decimal(format(value, ".15g"))
    return float(shown.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _number(value: Any) -> float:
    if value is None or value == "":
        if value == "":
            raise ExcelError("#VALUE!")
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    raise ExcelError("#VALUE!")


def _truth(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, float | int):
        return value != 0
    raise ExcelError("#VALUE!")


def _binary(op: str, left: Callable[[], Any], right: Callable[[], Any]) -> Callable[[], Any]:
    def apply() -> float:
        a, b = _number(left()), _number(right())
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise ExcelError("#DIV/0!")
        return a / b
    return apply


def _key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, float | int):
        return (0, float(value))
    return (1, str(value).casefold())


def _equal(a: Any, b: Any) -> bool:
    if a is None:
        a = "" if isinstance(b, str) else 0.0
    if b is None:
        b = "" if isinstance(a, str) else 0.0
    return _key(a) == _key(b)


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "=":
        return _equal(a, b)
    if op == "<>":
        return not _equal(a, b)
    if a is None:
        a = "" if isinstance(b, str) else 0.0
    if b is None:
        b = "" if isinstance(a, str) else 0.0
    ka, kb = _key(a), _key(b)
    return {"<": ka < kb, "<=": ka <= kb, ">": ka > kb, ">=": ka >= kb}[op]


def evaluate(formula: str, cells: Cells) -> Any:
    """The value of ``formula``; an Excel error value is returned as its text."""
    try:
        return _Formula(formula, cells).parse()()
    except ExcelError as error:
        return str(error)


def sheet_cells(sheets: Mapping[str, list[list[Any]]], default: str,
                formulas: Mapping[tuple[str, int, int], str]) -> Cells:
    """A cell reader over values by sheet, evaluating formula cells on demand."""

    def read(sheet: str | None, row: int, col: int) -> Any:
        name = sheet or default
        formula = formulas.get((name, row, col))
        if formula is not None:
            return evaluate(formula, lambda s, r, c: read(s or name, r, c))
        rows = sheets.get(name, [])
        if row < len(rows) and col < len(rows[row]):
            value = rows[row][col]
            return None if value in ("", None) else value
        return None

    return read
