"""``cchc diff``: what changed between two criteria sets, and the year-on-year warning of
``rank`` when a block's criteria changed a lot."""

from __future__ import annotations

import json
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path

from cchc_cli.diff import changed_share, diff_sets
from tests.builders import FORM_CRITERIA, Sandbox
from tests.scoring_helpers import criteria_from

OLD = FORM_CRITERIA.replace(
    """  - code: "2"
    name: Hiện đại hóa hành chính""",
    """      - code: "1.11"
        name: Tiêu chí sẽ bị bỏ
        max: 0.5
        rule: {type: manual}
  - code: "2"
    name: Hiện đại hóa hành chính""").replace("scale: 20", "scale: 20.5")
# Every kind of change, once (FORM_CRITERIA is the new set but for these edits).
NEW = (
    FORM_CRITERIA
    # renamed: same code, other name
    .replace("name: Ban hành kế hoạch CCHC\n", "name: Ban hành kế hoạch cải cách hành chính\n")
    # max (the area's max follows) and rule (tiers)
    .replace("""        max: 2
        rule:
          type: tiers""", """        max: 3
        rule:
          type: tiers""")
    .replace("- {above: 90, points: 2}", "- {above: 95, points: 3}")
    # appraiser, N/A permission, method
    .replace("    appraiser: vp\n", "    appraiser: stp\n")
    .replace("""        max: 2
        na_allowed: true
        na_note: Không có TTHC phát sinh phí, lệ phí
""", """        max: 2
        method: Tỷ lệ hồ sơ thanh toán trực tuyến × 2
""")
    # renamed: same name, other code
    .replace('code: "2.3"', 'code: "2.4"')
    # added
    .replace("""  - code: "3"
    name: Tác động của CCHC""", """      - code: "2.5"
        name: Tiêu chí mới
        max: 1
        floor: -1
        rule: {type: manual}
  - code: "3"
    name: Tác động của CCHC""")
    .replace("scale: 20", "scale: 22")
)


def test_every_kind_of_change_is_listed_in_code_order():
    old, new = criteria_from(OLD), criteria_from(NEW)
    found = [(c.kind, c.code, c.old, c.new) for c in diff_sets(old, new)]
    tiers_old = {"type": "tiers", "unit": "%", "tiers": [
        {"above": D(90), "points": D(2)}, {"min": D(70), "points": D(1)},
        {"min": D(0), "points": D(0)}]}
    tiers_new = dict(tiers_old, tiers=[{"above": D(95), "points": D(3)}, *tiers_old["tiers"][1:]])
    assert found == [
        ("max", "1", D(6.5), D(7)),  # 1 + 3 + 2 + 0.5 → 1 + 3 + 3
        ("renamed", "1.1", "Ban hành kế hoạch CCHC", "Ban hành kế hoạch cải cách hành chính"),
        ("max", "1.10", D(2), D(3)),
        ("rule", "1.10", tiers_old, tiers_new),
        ("removed", "1.11", "Tiêu chí sẽ bị bỏ", None),
        ("max", "2", D(2), D(3)),  # 2.1 + the new 2.5 (bonus and penalty do not count)
        ("appraiser", "2.1", "vp", "stp"),
        ("na_allowed", "2.1", True, False),
        ("method", "2.1", None, "Tỷ lệ hồ sơ thanh toán trực tuyến × 2"),
        ("appraiser", "2.2", "vp", "stp"),
        ("renamed", "2.4", "2.3", "2.4"),  # same name 'Điểm trừ: vi phạm', other code
        ("appraiser", "2.4", "vp", "stp"),
        ("added", "2.5", None, "Tiêu chí mới"),
    ]


def test_share_of_the_scale_whose_scoring_changed():
    old, new = criteria_from(OLD), criteria_from(NEW)
    # Scored leaves changed — new side: 1.10 (max 3), 2.1 (N/A permission, max 2), 2.5
    # added (1) = 6 of 22; old side: 1.10 (2), 2.1 (2), 1.11 removed (0.5) = 4.5 of 20.5.
    # The larger: 6/22 = 27.3 %.
    assert changed_share(old, new) == Fraction(6, 22)
    assert changed_share(old, old) == 0


def test_a_rule_change_says_which_part_changed():
    old = criteria_from(FORM_CRITERIA)
    new = criteria_from(FORM_CRITERIA.replace("rule: {type: manual, step: 0.25}",
                                              "rule: {type: manual, step: 0.5}"))
    (change,) = diff_sets(old, new)
    assert (change.kind, change.code, change.detail) == ("rule", "1.2", "đổi bước điểm")
    retyped = criteria_from(FORM_CRITERIA.replace(
        "rule: {type: manual, step: 0.25}",
        "rule: {type: choice, options: [{label: Đạt, points: 3}, {label: Không, points: 0}]}"))
    (change,) = diff_sets(old, retyped)
    assert change.detail == "loại: manual → choice"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_of_two_files_outside_a_workspace(cli, tmp_path):
    old = write(tmp_path / "cu" / "so-nganh.yaml", OLD)
    new = write(tmp_path / "moi.yaml", NEW)  # any file name: no block check by name
    result = cli("diff", old, new, "-w", tmp_path, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["changes"][1] == {
        "kind": "renamed", "code": "1.1", "old": "Ban hành kế hoạch CCHC",
        "new": "Ban hành kế hoạch cải cách hành chính", "block": "so-nganh"}
    assert document["changes"][0] == {"kind": "max", "code": "1", "old": 6.5, "new": 7,
                                      "block": "so-nganh"}
    assert {c["kind"] for c in document["changes"]} == {
        "max", "renamed", "rule", "removed", "appraiser", "na_allowed", "method", "added"}
    assert document["blocks"] == [{"block": "so-nganh", "old_file": str(old),
                                   "new_file": str(new), "changes": 13, "share": 0.272727,
                                   "large": True}]
    text = cli("diff", old, new, "-w", tmp_path)
    assert text.exit_code == 0
    assert "Tên: Ban hành kế hoạch CCHC → Ban hành kế hoạch cải cách hành chính" in \
        text.stdout.replace("\n", " ").replace("│", " ").replace("  ", " ")
    assert "27,3 %" in text.stdout and "thận trọng" in text.stdout


def test_no_change_exits_0_and_says_so(cli, tmp_path):
    old = write(tmp_path / "a.yaml", FORM_CRITERIA)
    # Written differently, same meaning: 1.0 is 1, a comment is nothing.
    same = FORM_CRITERIA.replace("        max: 1\n        evidence",
                                 "        max: 1.0  # một điểm\n        evidence")
    assert same != FORM_CRITERIA
    new = write(tmp_path / "b.yaml", same)
    result = cli("diff", old, new, "-w", tmp_path)
    assert result.exit_code == 0
    assert "không có thay đổi" in result.stdout
    assert json.loads(cli("diff", old, new, "-w", tmp_path, "-f", "json").stdout)[
        "changes"] == []


def test_errors_and_usage(cli, tmp_path):
    good = write(tmp_path / "a.yaml", FORM_CRITERIA)
    broken = write(tmp_path / "b.yaml", FORM_CRITERIA.replace("max: 3", "max: -3"))
    result = cli("diff", good, broken, "-w", tmp_path, "-f", "json")
    assert result.exit_code == 1
    assert any(i["file"] == str(broken) and i["line"] for i in
               json.loads(result.stdout)["issues"])
    assert cli("diff", good, "-w", tmp_path).exit_code == 2
    assert cli("diff", good, good, "--year", "2023", "-w", tmp_path).exit_code == 2
    assert cli("diff", good, tmp_path / "khong-co.yaml").exit_code == 2
    assert cli("diff", "--year", "2023", "-w", tmp_path).exit_code == 3  # no cchc.yaml


def last_year_criteria(box: Sandbox, text: str) -> None:
    write(box.root / "criteria" / "2022" / "so-nganh.yaml",
          text.replace("year: 2023", "year: 2022"))


def test_diff_by_year_and_the_warning_of_rank(cli, tmp_path):
    # Last year, 1.10 had other tiers and 2.1 could not be N/A: 2 + 2 = 4 of 20 points
    # scored differently = 20 % — "a lot" (≥ 20 %): rank says so under the block.
    box = Sandbox(tmp_path / "ws")
    box.complete()
    last_year_criteria(box, FORM_CRITERIA.replace("- {above: 90, points: 2}",
                                                  "- {min: 80, points: 2}")
                       .replace("        na_allowed: true\n        na_note: Không có TTHC"
                                " phát sinh phí, lệ phí\n", ""))
    result = cli("diff", "-w", box.root, "--year", "2023", "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["years"] == [2022, 2023]
    assert [(c["kind"], c["code"]) for c in document["changes"]] == [
        ("rule", "1.10"), ("na_allowed", "2.1")]
    ranked = cli("rank", "-w", box.root, "--year", "2023", "-f", "json")
    assert ranked.exit_code == 0, ranked.output
    (block,) = json.loads(ranked.stdout)["blocks"]
    assert block["criteria_change"] == {"previous_year": 2022, "changes": 2, "share": 0.2,
                                        "large": True}
    screen = cli("rank", "-w", box.root, "--year", "2023").stdout
    assert "Lưu ý:" in screen and "20 %" in screen and "thận trọng" in screen


def test_a_small_change_is_mentioned_without_alarm(cli, tmp_path):
    # Only 1.10 (2 of 20 points): 10 %.
    box = Sandbox(tmp_path / "ws")
    box.complete()
    last_year_criteria(box, FORM_CRITERIA.replace("- {above: 90, points: 2}",
                                                  "- {min: 80, points: 2}"))
    ranked = json.loads(cli("rank", "-w", box.root, "-y", "2023", "-f", "json").stdout)
    assert ranked["blocks"][0]["criteria_change"]["large"] is False
    screen = cli("rank", "-w", box.root, "--year", "2023").stdout
    assert "10 %" in screen and "Lưu ý:" not in screen


def test_no_criteria_last_year_no_comparison(cli, tmp_path):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    ranked = json.loads(cli("rank", "-w", box.root, "-y", "2023", "-f", "json").stdout)
    assert ranked["blocks"][0]["criteria_change"] is None
