"""Exact numbers: reading numbers from cells, rounding, and Vietnamese notation.

Points are exact from the criteria file to the published index. Almost every value is a
terminating decimal and is kept as a ``Decimal``; a rule that divides (a rate from two
counts, ``ratio``, ``formula``, ``relative``) may produce a number with no finite
decimal (1/3), which is kept as a ``fractions.Fraction`` — never rounded before
publishing. :data:`Exact` is either; :func:`exact` picks the cheaper exact form and
:func:`exact_sum` adds a mix of both.

Values that arrive as binary floats (every number in an .xlsx) are taken at Excel's 15
significant digits, which is what the person typing them saw: 91.17 stays 91.17, and the
0.1+0.2 noise of a formula disappears.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation
from fractions import Fraction

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# An exact number: a terminating decimal, or a rational with no finite decimal.
Exact = Decimal | Fraction


def _powers_of(value: int, prime: int) -> tuple[int, int]:
    count = 0
    while value % prime == 0:
        value //= prime
        count += 1
    return value, count


def exact(value: Fraction | Decimal | int) -> Exact:
    """The same number as a Decimal when it has a finite decimal expansion (its reduced
    denominator has no prime factor but 2 and 5), else as the Fraction itself."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    denominator = value.denominator
    if denominator == 1:
        return Decimal(value.numerator)
    rest, twos = _powers_of(denominator, 2)
    rest, fives = _powers_of(rest, 5)
    if rest != 1:
        return value
    places = max(twos, fives)
    scaled = value.numerator * (10 ** places // denominator)
    return Decimal(scaled).scaleb(-places)


def fraction(value: Exact | int) -> Fraction:
    """Any exact number as a Fraction (exact: a Decimal converts without rounding)."""
    return value if isinstance(value, Fraction) else Fraction(value)


def exact_sum(values: Iterable[Exact]) -> Exact:
    """The exact sum of Decimals and Fractions (Decimals are added as Decimals, in a
    context wide enough never to round, so the common all-decimal case stays cheap)."""
    decimals = ZERO
    fractions: Fraction | None = None
    add = _WIDE.add
    for value in values:
        if value.__class__ is Decimal:
            decimals = add(decimals, value)
        elif isinstance(value, Decimal):  # a subclass (YamlNumber)
            decimals = add(decimals, value)
        else:
            fractions = value if fractions is None else fractions + value
    if fractions is None:
        return decimals
    return exact(fractions + Fraction(decimals))


def exact_add(a: Exact, b: Exact) -> Exact:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return _WIDE.add(a, b)
    return exact(fraction(a) + fraction(b))


def exact_sub(a: Exact, b: Exact) -> Exact:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return _WIDE.subtract(a, b)
    return exact(fraction(a) - fraction(b))


def exact_mul(a: Exact, b: Exact) -> Exact:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return _WIDE.multiply(a, b)
    return exact(fraction(a) * fraction(b))


def exact_div(a: Exact, b: Exact) -> Exact:
    """a ÷ b exactly (b ≠ 0): a Decimal when the quotient terminates within 60 digits,
    else a Fraction."""
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        try:
            return _EXACT_DIVISION.divide(a, b)
        except Inexact:
            pass
    return exact(fraction(a) / fraction(b))


def percent_of(top: Decimal, percent: Decimal) -> Decimal:
    """top × percent ÷ 100, exactly (a product of decimals shifted by two places)."""
    return _WIDE.multiply(top, percent).scaleb(-2)


def as_decimal(value: Exact, digits: int = 40) -> Decimal:
    """A Decimal for display and binary output (float()): exact for a Decimal, rounded to
    ``digits`` significant digits for a Fraction with no finite decimal."""
    if isinstance(value, Decimal):
        return value
    context = Context(prec=digits)
    return context.divide(Decimal(value.numerator), Decimal(value.denominator))


class NotANumber(ValueError):
    """A cell value that is not a number; ``reason`` is a Vietnamese phrase."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234.567,5
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234,567.5
_PLAIN = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_STRIP = str.maketrans("", "", " \u00a0\u202f\u2009%")


# Excel keeps 15 significant digits; nothing a form asks for comes near this.
LARGEST = Decimal("1e15")


def in_range(value: Decimal) -> bool:
    """Finite and below 10^15: a number cchc computes with (a larger one, such as
    1e999999999, would overflow decimal arithmetic). copy_abs needs no context."""
    return value.is_finite() and value.copy_abs() < LARGEST


def _bounded(value: Decimal) -> Decimal:
    if not in_range(value):
        raise NotANumber("quá lớn (từ 10^15 trở lên) để là số liệu hay điểm")
    return value


def from_float(value: float) -> Decimal:
    """A binary float as the decimal Excel shows (15 significant digits)."""
    if not math.isfinite(value):
        raise NotANumber("không phải số hữu hạn")
    result = Decimal(format(value, ".15g"))
    return _bounded(result + ZERO)  # + 0 turns -0 into 0


def parse_number(value: object) -> Decimal | None:
    """A cell value → Decimal, or None for an empty cell.

    Accepts numbers, and text with a decimal comma or point, spaces and a percent sign
    (``"91,17"``, ``" 91.17 % "``). Thousands separators are accepted only when they are
    unambiguous (``1.234,5`` or ``1,234.5``). Raises :class:`NotANumber` otherwise.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotANumber("là giá trị đúng/sai, không phải số")
    if isinstance(value, int):
        return _bounded(Decimal(value))
    if isinstance(value, float):
        return from_float(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotANumber("không phải số hữu hạn")
        return _bounded(value + ZERO)
    if isinstance(value, _dt.date | _dt.datetime | _dt.time | _dt.timedelta):
        raise NotANumber("là ngày tháng, không phải số (Excel có thể đã tự đổi số thành ngày)")
    text = str(value).translate(_STRIP)
    if not text:
        return None
    text = text.replace("\u2212", "-")  # typographic minus
    if _PLAIN.match(text):
        if text.count(",") + text.count(".") > 1:
            raise NotANumber("không đọc được thành số")
        normalised = text.replace(",", ".")
    elif _GROUPED_DOT.match(text):
        normalised = text.replace(".", "").replace(",", ".")
    elif _GROUPED_COMMA.match(text):
        normalised = text.replace(",", "")
    else:
        raise NotANumber("không đọc được thành số")
    if normalised.endswith("."):
        normalised += "0"
    try:
        return _bounded(Decimal(normalised) + ZERO)
    except InvalidOperation as exc:  # pragma: no cover - regexes above exclude this
        raise NotANumber("không đọc được thành số") from exc


# An integer written with its thousands grouped in threes by one kind of separator:
# '12.345', '1.234.567', '1,234', '12 345' (SPEC §13.1.10, inputs with integer: true).
_GROUPED_INTEGER = re.compile(r"^[+-]?\d{1,3}(?:(?P<sep>[.,\u00a0\u202f ])\d{3})"
                              r"(?:(?P=sep)\d{3})*$")


def parse_integer(value: object) -> Decimal | None:
    """A count (an input with ``integer: true``): like :func:`parse_number`, but a text
    grouped in threes is read as an integer ('12.345' is 12345, not 12.345), and a value
    with a fractional part is refused."""
    if isinstance(value, str):
        text = value.strip()
        if _GROUPED_INTEGER.match(text):
            digits = re.sub(r"[^\d+-]", "", text)
            return _bounded(Decimal(digits))
    number = parse_number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise NotANumber("có phần thập phân, trong khi số liệu này phải là số nguyên")
    return number.quantize(Decimal(1)) + ZERO


_WIDE = Context(prec=60)
_EXACT_DIVISION = Context(prec=60, traps=[Inexact])


_QUANTUM = [Decimal(1).scaleb(-places) for places in range(16)]


def round_half_up(value: Exact, places: int) -> Decimal:
    """Round half away from zero at ``places`` decimals (published values only).

    A Fraction is rounded exactly: no intermediate decimal approximation can move a value
    across the half-way point.
    """
    if isinstance(value, Fraction):
        scaled = abs(value) * 10**places
        whole = int(scaled + Fraction(1, 2))  # floor of a positive number
        result = Decimal(whole).scaleb(-places)
        return -result if value < 0 else result
    quantum = _QUANTUM[places] if 0 <= places < 16 else Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=_WIDE)


# A number with no finite decimal is shown with this many decimals and an ellipsis.
SHOWN_PLACES = 6


def plain(value: Exact) -> str:
    """Shortest exact text of a number, point as separator: 1.50 → '1.5', 100 → '100';
    a number with no finite decimal is cut after six decimals: 1/3 → '0.333333…'."""
    if isinstance(value, Fraction):
        return plain(round_half_up(value, SHOWN_PLACES)) + "…"
    text = format(value.normalize(_WIDE), "f")
    return "0" if text == "-0" else text


def vi(value: Exact | int | float, places: int | None = None) -> str:
    """Vietnamese notation with a decimal comma: 93.69 → '93,69'.

    With ``places``, rounds half-up and keeps trailing zeros (90 → '90,00'); without,
    prints the exact value in its shortest form (0.5 → '0,5'; 1/3 → '0,333333…').
    """
    if not isinstance(value, Decimal | Fraction):
        value = Decimal(str(value))
    if places is not None:
        text = format(round_half_up(value, places), "f")
    else:
        text = plain(value)
    return text.replace(".", ",")


def json_number(value: Exact | None, places: int = 6) -> int | float | None:
    """A JSON number rounded half-up to ``places`` decimals; integers stay integers."""
    if value is None:
        return None
    rounded = round_half_up(value, places)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


def vi_date(day: _dt.date) -> str:
    """'ngày 05 tháng 02 năm 2024' — the date line of an administrative document.

    Nghị định 30/2020/NĐ-CP: days below 10 and the months 1 and 2 take a leading zero
    (so that nothing can be written in front of them); months 3 to 12 do not.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"
