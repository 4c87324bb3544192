"""Criteria files (SPEC §5): every check names the file and the line.

Each YAML below marks the line the issue must point at with a comment ``# <- name``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc_cli.criteria import parse_criteria
from cchc_cli.settings import Settings
from tests.conftest import MINIMAL_CRITERIA, dedent
from tests.conftest import criteria_header as header

FILE = "criteria/2023/so-nganh.yaml"


def marker(text: str, name: str) -> int:
    """1-based line of the line carrying ``# <- name``."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.rstrip().endswith(f"# <- {name}"):
            return number
    raise AssertionError(f"no marker {name}")


def parse(text: str, **kw):
    kw.setdefault("settings", Settings())
    kw.setdefault("folder_year", 2023)
    kw.setdefault("folder_block", "so-nganh")
    return parse_criteria(text, file=FILE, **kw)


def the_issue(issues, code: str):
    found = [i for i in issues if i.code == code]
    assert len(found) == 1, [(i.code, i.line, i.message) for i in issues]
    assert found[0].file == FILE
    return found[0]



def test_minimal_set_loads_with_exact_decimals():
    criteria, issues = parse(MINIMAL_CRITERIA)
    assert issues == []
    assert criteria is not None
    assert [leaf.code for leaf in criteria.leaves] == ["1.1", "1.2", "2.1"]
    assert criteria.nodes["1"].max == Decimal("4")
    # 1.2 inherits nothing: the default appraiser of cchc.yaml applies.
    assert criteria.leaf("1.2").appraiser == "snv"
    assert criteria.summary() == {"areas": 2, "criteria": 3, "leaves": 3, "scale": Decimal(10)}


def test_codes_1_1_and_1_10_stay_distinct_even_unquoted():
    text = header("3") + dedent(
        """
          - code: 1
            name: A
            items:
              - code: 1.1
                name: một chấm một
                max: 1
              - code: 1.10   # <- ten
                name: một chấm mười
                max: 2
        """
    )
    criteria, issues = parse(text)
    assert criteria is not None, issues
    assert set(criteria.nodes) == {"1", "1.1", "1.10"}
    assert criteria.leaf("1.1").max == Decimal(1)
    assert criteria.leaf("1.10").max == Decimal(2)
    warning = the_issue(issues, "ma-nen-dat-trong-ngoac")
    assert warning.severity == "warning"
    assert warning.line == marker(text, "ten")
    assert warning.criterion == "1.10"


def test_missing_code():
    text = header("1") + dedent(
        """
          - name: Không có mã   # <- here
            max: 1
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "thieu-khoa")
    assert found.line == marker(text, "here")
    assert "'code'" in found.message


def test_duplicate_code():
    text = header("2") + dedent(
        """
          - code: "1"
            name: A
            items:
              - code: "1.1"
                name: x
                max: 1
              - code: "1.1"   # <- dup
                name: y
                max: 1
        """
    )
    criteria, issues = parse(text)
    assert criteria is None
    found = the_issue(issues, "ma-trung")
    assert found.line == marker(text, "dup")
    assert found.criterion == "1.1"
    assert f"dòng {marker(text, 'dup') - 3}" in found.message


def test_code_that_is_not_text():
    text = header("1") + dedent(
        """
          - code: yes   # <- bool
            name: A
            max: 1
        """
    )
    criteria, issues = parse(text)
    assert criteria is None
    found = the_issue(issues, "ma-khong-phai-van-ban")
    assert found.line == marker(text, "bool")


def test_leaf_without_max():
    text = header("1") + dedent(
        """
          - code: "1"   # <- leaf
            name: A
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "la-thieu-diem-toi-da")
    assert found.line == marker(text, "leaf")
    assert found.criterion == "1"


@pytest.mark.parametrize("value", ["0", "-1"])
def test_max_not_positive(value):
    text = header("1") + dedent(
        f"""
          - code: "1"
            name: A
            max: {value}   # <- max
          - code: "2"
            name: B
            max: 1
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "diem-toi-da-khong-duong")
    assert found.line == marker(text, "max")


def test_children_not_summing_to_stated_max():
    # 1.1 (1) + 1.2 (0.75) = 1.75, stated 2; the bonus leaf 1.3 does not count.
    text = header("1.75") + dedent(
        """
          - code: "1"
            name: A
            max: 2   # <- stated
            items:
              - {code: "1.1", name: x, max: 1}
              - {code: "1.2", name: y, max: 0.75}
              - {code: "1.3", name: thưởng, max: 5, rule: {type: bonus}}
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "tong-con-khong-khop")
    assert found.line == marker(text, "stated")
    assert "2" in found.message and "1.75" in found.message


def test_scale_not_equal_to_sum_of_scored_leaves():
    # 4 + 2.5 = 6.5 scored; the penalty leaf's 3 points are outside the scale.
    text = header("9.5") + dedent(
        """
          - {code: "1", name: A, max: 4}
          - {code: "2", name: B, max: 2.5, rule: {type: survey}}
          - {code: "3", name: trừ, max: 3, rule: {type: penalty}}
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "thang-diem-khong-khop")
    assert found.line == marker(text.replace("scale: 9.5", "scale: 9.5   # <- scale"), "scale")
    assert "9.5" in found.message and "6.5" in found.message


def test_option_points_above_max():
    text = header("1") + dedent(
        """
          - code: "1"
            name: A
            max: 1
            rule:
              type: choice
              options:
                - {label: Đúng hạn, points: 1}
                - {label: Vượt, points: 1.5}   # <- option
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "diem-lua-chon-vuot-toi-da")
    assert found.line == marker(text, "option")
    assert found.criterion == "1"


def test_tier_points_above_max():
    text = header("2") + dedent(
        """
          - code: "1"
            name: Giải ngân
            max: 2
            rule:
              type: tiers
              unit: "%"
              tiers:
                - above: 95
                  points: 3   # <- points
                - {min: 0, points: 0}
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "diem-muc-vuot-toi-da")
    assert found.line == marker(text, "points")


def test_tier_bounds_must_strictly_decrease():
    text = header("2") + dedent(
        """
          - code: "1"
            name: Giải ngân
            max: 2
            rule:
              type: tiers
              tiers:
                - {above: 90, points: 2}
                - {min: 90, points: 1.5}
                - {min: 95, points: 1}   # <- bad
                - {min: 0, points: 0}
        """
    )
    _, issues = parse(text)
    # "above 90" then "min 90" is a valid order (the value 90 itself gets 1.5);
    # "min 95" after "min 90" is not.
    found = the_issue(issues, "muc-khong-giam-dan")
    assert found.line == marker(text, "bad")
    assert "≥ 95" in found.message and "≥ 90" in found.message


def test_tier_needs_exactly_one_bound():
    text = header("2") + dedent(
        """
          - code: "1"
            name: Giải ngân
            max: 2
            rule:
              type: tiers
              tiers:
                - {min: 90, above: 80, points: 2}   # <- both
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "muc-thieu-nguong")
    assert found.line == marker(text, "both")


def test_unknown_rule_type():
    text = header("1") + dedent(
        """
          - code: "1"
            name: A
            max: 1
            rule: {type: percent}   # <- type
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "gia-tri-khong-hop-le")
    assert found.line == marker(text, "type")
    assert "percent" in found.message and "choice" in found.message


@pytest.mark.parametrize(
    ("typo", "suggestion"), [("maxx", "max"), ("na_alowed", "na_allowed"), ("optons", None)]
)
def test_unknown_keys_are_rejected_with_a_suggestion(typo, suggestion):
    text = header("1") + dedent(
        f"""
          - code: "1"
            name: A
            max: 1
            {typo}: 1   # <- typo
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "khoa-la")
    assert found.line == marker(text, "typo")
    assert typo in found.message
    if suggestion:
        assert f"'{suggestion}'" in found.message


def test_unknown_key_inside_a_rule():
    text = header("1") + dedent(
        """
          - code: "1"
            name: A
            max: 1
            rule:
              type: ratio
              traget: 100   # <- typo
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "khoa-la")
    assert found.line == marker(text, "typo")
    assert "'target'" in found.message
    assert found.criterion == "1"


def test_unknown_appraiser():
    text = header("1") + dedent(
        """
          - code: "1"
            name: A
            appraiser: sxd   # <- who
            items:
              - {code: "1.1", name: x, max: 1}
        """
    )
    _, issues = parse(text)
    found = the_issue(issues, "nguoi-tham-dinh-la")
    assert found.line == marker(text, "who")
    assert "sxd" in found.message and "snv" in found.message


def test_block_not_in_settings():
    text = MINIMAL_CRITERIA.replace("block: so-nganh", "block: phuong   # <- block")
    _, issues = parse(text, folder_block="phuong")
    found = the_issue(issues, "khoi-la")
    assert found.line == marker(text, "block")


def test_year_not_matching_folder():
    text = MINIMAL_CRITERIA.replace("year: 2023", "year: 2022   # <- year")
    _, issues = parse(text)
    found = the_issue(issues, "nam-khong-khop")
    assert found.line == marker(text, "year")
    assert "2022" in found.message and "2023" in found.message


def test_appraiser_is_inherited_from_the_parent():
    text = MINIMAL_CRITERIA.replace(
        "    name: Công tác chỉ đạo, điều hành\n",
        "    name: Công tác chỉ đạo, điều hành\n    appraiser: vp\n",
    )
    criteria, issues = parse(text)
    assert issues == []
    assert criteria.leaf("1.1").appraiser == "vp"
    assert criteria.leaf("2.1").appraiser == "snv"


def test_all_problems_are_listed_in_one_pass():
    text = header("5") + dedent(
        """
          - code: "1"
            name: A
            maxx: 1   # <- typo
          - code: "1"   # <- dup
            name: B
            max: 0   # <- zero
        """
    )
    _, issues = parse(text)
    codes = {i.code: i.line for i in issues}
    assert codes["khoa-la"] == marker(text, "typo")
    assert codes["ma-trung"] == marker(text, "dup")
    assert codes["diem-toi-da-khong-duong"] == marker(text, "zero")


def test_fingerprint_ignores_formatting_comments_and_number_spelling():
    base, _ = parse(MINIMAL_CRITERIA)
    reformatted = (
        "# một chú thích\n"
        + MINIMAL_CRITERIA.replace("max: 1\n", "max: 1.0   # chú thích\n")
        .replace("scale: 10", "scale: 10.00")
        .replace("rule: {type: manual, step: 0.25}", "rule:\n          type: manual\n"
                 "          step: .25")
    )
    other, issues = parse(reformatted)
    assert issues == []
    assert other.fingerprint == base.fingerprint
    changed, _ = parse(MINIMAL_CRITERIA.replace("points: 0.5", "points: 0.75"))
    assert changed.fingerprint != base.fingerprint
