"""Numbers in the JSON documents: rounded half-up at 6 decimals (or the precision),
integers as integers, whatever places the exact value carries."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction as F

from cchc_cli.numbers import json_number


def test_by_hand() -> None:
    assert json_number(D("93.69")) == 93.69
    assert json_number(D("5.00")) == 5 and isinstance(json_number(D("5.00")), int)
    assert json_number(D("1E+2")) == 100 and isinstance(json_number(D("1E+2")), int)
    assert json_number(D("-0.00")) == 0
    # 7 decimals: rounded half-up at 6 (0.1234565 → 0.123457).
    assert json_number(D("0.1234565")) == 0.123457
    # Precision 2: 93.685 → 93.69 (half-up), 93.6849 → 93.68.
    assert json_number(D("93.685"), 2) == 93.69
    assert json_number(D("93.6849"), 2) == 93.68
    assert json_number(F(1, 3)) == 0.333333
    assert json_number(None) is None
