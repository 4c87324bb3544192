"""Criteria files with the constructs of SPEC §13.1: every mistake a criteria author can
make is reported with the file and the line (marked ``# <- name`` below)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc_cli.expressions import ExpressionError, parse
from tests.conftest import criteria_header as header
from tests.conftest import dedent
from tests.test_criteria import marker, the_issue
from tests.test_criteria import parse as parse_text

RATE = """
  - code: "1"
    name: Tỷ lệ hồ sơ đúng hạn
    max: 2
    rule:
      type: tiers
      inputs:
        - {key: a, label: Đúng hạn, integer: true}
        - {key: b, label: Tổng số, integer: true}
      value: {value}
      when_zero: na
      tiers: [{min: 95, points: 2}, {min: 80, points: 1}]
"""


def rate(value: str) -> str:
    return header("2") + RATE.lstrip("\n").replace("{value}", value)


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ('"a / / b"', "không hiểu '/' ở cột 5"),
        ('"a / c * 100"', "tên 'c' ở cột 5 không phải số liệu của tiêu chí (các số liệu: a, b)"),
        ('"a > b"', "biểu thức ở cột 1 phải là một số, không phải một điều kiện"),
        ('"a ** 2"', "không có phép lũy thừa"),
        ('"1e3 * a"', "số viết sai ở cột 1"),
        ('"a.__class__"', "không truy cập thuộc tính"),
        ('"open(a)"', "'open' ở cột 1 không phải hàm"),
        ('"if(a > b, 1)"', "if(…) ở cột 1 cần đúng 3 phần"),
    ],
)
def test_malformed_value_expression_names_the_line(value, detail):
    text = rate(value).replace(f"value: {value}", f"value: {value}   # <- value")
    criteria, issues = parse_text(text)
    assert criteria is None
    found = the_issue(issues, "bieu-thuc-sai")
    assert found.line == marker(text, "value")
    assert found.criterion == "1"
    assert detail in found.message


def test_a_check_must_be_a_condition():
    text = rate('"a / b * 100"').replace(
        "      when_zero: na\n",
        "      when_zero: na\n      checks:\n"
        "        - {expr: \"a + b\", message: Sai}   # <- check\n")
    _, issues = parse_text(text)
    found = the_issue(issues, "bieu-thuc-sai")
    assert found.line == marker(text, "check")
    assert "phải là một điều kiện" in found.message


@pytest.mark.parametrize(
    ("key", "detail"),
    [("A", "phải bắt đầu bằng chữ thường"), ("so-ho-so", "chỉ gồm chữ thường"),
     ("min", "từ dành riêng"), ("in", "từ khóa của Python"), ("for", "từ khóa của Python")],
)
def test_bad_input_keys(key, detail):
    text = rate('"a / b * 100"').replace(
        "        - {key: a, label: Đúng hạn, integer: true}",
        f"        - {{key: {key}, label: Đúng hạn, integer: true}}   # <- key")
    _, issues = parse_text(text)
    found = the_issue(issues, "ten-so-lieu-sai")
    assert found.line == marker(text, "key")
    assert detail in found.message


def test_duplicate_input_key():
    text = rate('"a / b * 100"').replace(
        "        - {key: b, label: Tổng số, integer: true}",
        "        - {key: a, label: Tổng số, integer: true}   # <- dup")
    _, issues = parse_text(text)
    assert the_issue(issues, "ten-so-lieu-trung").line == marker(text, "dup")


def test_several_inputs_need_a_value_expression():
    text = rate('"a / b * 100"').replace('      value: "a / b * 100"\n', "")
    text = text.replace("      inputs:\n", "      inputs:   # <- inputs\n")
    _, issues = parse_text(text)
    found = the_issue(issues, "can-bieu-thuc-gia-tri")
    assert found.line == marker(text, "inputs")
    assert "2 số liệu" in found.message


def test_value_without_inputs_and_formula_without_inputs():
    text = header("3") + dedent(
        """
          - code: "1"
            name: Một
            max: 2
            rule:
              type: tiers
              value: "a * 2"   # <- value
              tiers: [{min: 1, points: 2}]
          - code: "2"
            name: Hai
            max: 1
            rule:
              type: formula   # <- formula
              points: "1"
        """
    )
    _, issues = parse_text(text)
    assert the_issue(issues, "bieu-thuc-can-so-lieu").line == marker(text, "value")
    assert the_issue(issues, "can-so-lieu").line == marker(text, "formula")


def test_an_input_row_code_must_not_be_another_nodes_code():
    text = header("3") + dedent(
        """
          - code: "1"
            name: Nhóm
            items:
              - code: "1.1"
                name: Tỷ lệ
                max: 2
                rule:
                  type: ratio
                  inputs:
                    - {key: a, label: A}   # <- input
              - code: "1.1.a"
                name: Trùng với dòng số liệu của 1.1
                max: 1
        """
    )
    _, issues = parse_text(text)
    found = the_issue(issues, "ma-so-lieu-trung-ma")
    assert found.line == marker(text, "input")
    assert "1.1.a" in found.message


def test_floor_cap_and_method_checks():
    text = header("4") + dedent(
        """
          - code: "1"
            name: Lĩnh vực
            floor: -1   # <- group-floor
            items:
              - code: "1.1"
                name: Tỷ lệ
                max: 2
                floor: -1   # <- ratio-floor
                rule: {type: ratio}
              - code: "1.2"
                name: Dương
                max: 1
                floor: 0.5   # <- positive
                rule: {type: manual}
              - code: "1.3"
                name: Lựa chọn
                max: 1
                floor: -0.5
                rule:
                  type: choice
                  options:
                    - {label: Có, points: 1}
                    - {label: Không ban hành, points: -1}   # <- below
          - code: "2"
            name: Thưởng trộn với trừ
            cap: 2   # <- mixed
            items:
              - {code: "2.1", name: Thưởng, max: 2, rule: {type: bonus}}
              - {code: "2.2", name: Trừ, max: 1, rule: {type: penalty}}
          - code: "3"
            name: Thưởng
            cap: 0   # <- zero
            items:
              - {code: "3.1", name: Thưởng, max: 2, rule: {type: bonus}}
        """
    )
    _, issues = parse_text(text)
    assert the_issue(issues, "khoa-chi-cho-tieu-chi-cham").line == marker(text, "group-floor")
    assert the_issue(issues, "san-khong-ap-dung").line == marker(text, "ratio-floor")
    assert the_issue(issues, "san-duong").line == marker(text, "positive")
    below = the_issue(issues, "diem-duoi-san")
    assert below.line == marker(text, "below") and "-0.5" in below.message
    assert the_issue(issues, "tran-khong-hop-le").line == marker(text, "mixed")
    assert the_issue(issues, "tran-khong-duong").line == marker(text, "zero")


def test_negative_option_without_floor_says_how_to_allow_it():
    text = header("1") + dedent(
        """
          - code: "1"
            name: Lựa chọn
            max: 1
            rule:
              type: choice
              options:
                - {label: Có, points: 1}
                - {label: Không ban hành, points: -1}   # <- negative
        """
    )
    _, issues = parse_text(text)
    found = the_issue(issues, "diem-am")
    assert found.line == marker(text, "negative")
    assert "floor: -1" in found.message


def test_misspelt_new_keys_get_a_hint():
    text = rate('"a / b * 100"').replace("      when_zero: na\n",
                                         "      when_zeor: na   # <- typo\n")
    _, issues = parse_text(text)
    found = the_issue(issues, "khoa-la")
    assert found.line == marker(text, "typo")
    assert "when_zero" in found.message


def test_unknown_when_zero_and_relative_reference():
    text = header("4") + dedent(
        """
          - code: "1"
            name: Tỷ lệ
            max: 2
            rule:
              type: ratio
              inputs: [{key: a, label: A}]
              when_zero: skip   # <- when
          - code: "2"
            name: So với mốc
            max: 2
            rule: {type: relative, to: 0}   # <- to
        """
    )
    _, issues = parse_text(text)
    when = [i for i in issues if i.code == "gia-tri-khong-hop-le"]
    assert [i.line for i in when] == [marker(text, "when")]
    assert "na" in when[0].message and "full" in when[0].message
    assert the_issue(issues, "muc-tieu-khong-duong").line == marker(text, "to")


def test_graded_bonus_cannot_also_take_a_step():
    text = header("1") + dedent(
        """
          - {code: "1", name: Chấm, max: 1}
          - code: "2"
            name: Thưởng
            max: 2
            rule:
              type: bonus
              step: 0.5   # <- step
              options: [{label: Xuất sắc, points: 2}]
        """
    )
    _, issues = parse_text(text)
    assert the_issue(issues, "khoa-xung-dot").line == marker(text, "step")


def test_a_valid_set_compiles_its_rules():
    text = rate('"a / b * 100"')
    criteria, issues = parse_text(text)
    assert issues == [] and criteria is not None
    leaf = criteria.leaf_of("1")
    assert [i.key for i in leaf.rule.inputs] == ["a", "b"]
    assert set(criteria.input_rows) == {"1.a", "1.b"}
    # 190 ÷ 200 × 100 = 95 → 2 points; 0 ÷ 0 → not applicable (when_zero: na).
    outcome = leaf.rule.evaluate({"a": Decimal(190), "b": Decimal(200)})
    assert (outcome.value, outcome.points) == (Decimal(95), Decimal(2))
    assert leaf.rule.evaluate({"a": Decimal(0), "b": Decimal(0)}).na


def test_fingerprint_of_an_old_set_is_unchanged_by_the_new_keys():
    # The fingerprint of a set without the new keys must not change between releases:
    # forms sent out before carry it. This value was computed by the first release.
    from cchc_cli.criteria import parse_criteria
    from cchc_cli.settings import Settings
    from tests.conftest import MINIMAL_CRITERIA

    criteria, _ = parse_criteria(MINIMAL_CRITERIA, settings=Settings(), file="x.yaml")
    assert criteria is not None
    assert criteria.fingerprint == FIRST_RELEASE_FINGERPRINT


FIRST_RELEASE_FINGERPRINT = "d26ad53b71e3367842a5aa3c20facb0bfe2ee5cba72dc1c40e98f05467c66e77"


def test_expressions_never_reach_python():
    # Nothing but the grammar parses: no attribute, no call of anything but min/max/if,
    # no string, no subscript, no lambda.
    for text in ("__import__('os')", "a[0]", "lambda: 1", "'x'", "a if b else c",
                 "(a).real", "min", "max()"):
        with pytest.raises(ExpressionError):
            parse(text, {"a", "b", "c"})
