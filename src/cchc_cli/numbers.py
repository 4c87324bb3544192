"""Exact decimals: reading numbers from cells, rounding, and Vietnamese notation.

Points are ``Decimal`` from the criteria file to the published index. Values that
arrive as binary floats (every number in an .xlsx) are taken at Excel's 15 significant
digits, which is what the person typing them saw: 91.17 stays 91.17, and the 0.1+0.2
noise of a formula disappears.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

ZERO = Decimal(0)
HUNDRED = Decimal(100)


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


_WIDE = Context(prec=60)


_QUANTUM = [Decimal(1).scaleb(-places) for places in range(16)]


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round half away from zero at ``places`` decimals (published values only)."""
    quantum = _QUANTUM[places] if 0 <= places < 16 else Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=_WIDE)


def plain(value: Decimal) -> str:
    """Shortest exact text of a decimal, point as separator: 1.50 → '1.5', 100 → '100'."""
    text = format(value.normalize(_WIDE), "f")
    return "0" if text == "-0" else text


def vi(value: Decimal | int | float, places: int | None = None) -> str:
    """Vietnamese notation with a decimal comma: 93.69 → '93,69'.

    With ``places``, rounds half-up and keeps trailing zeros (90 → '90,00'); without,
    prints the exact value in its shortest form (0.5 → '0,5').
    """
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if places is not None:
        text = format(round_half_up(value, places), "f")
    else:
        text = plain(value)
    return text.replace(".", ",")


def json_number(value: Decimal | None, places: int = 6) -> int | float | None:
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
