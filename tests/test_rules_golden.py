"""The constructs of SPEC §13.1, from filled workbooks to the JSON of ``cchc score``.

Every expected number is computed by hand in the comment beside it. The forms are
written by cchc's own writers (as ``cchc template`` would, with the units' values), read
back by the readers, scored, and printed by the CLI — the path a real run takes.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from fractions import Fraction as F
from pathlib import Path

import pytest

from cchc_cli.formspec import Entered
from cchc_cli.readers.register import Unit
from cchc_cli.writers.forms import AppraisalLine, write_appraisal_form
from tests.builders import Sandbox
from tests.conftest import dedent

NEW_RULES = dedent(
    """
    id: so-nganh-2023
    title: Bộ tiêu chí thử các cách chấm mới
    block: so-nganh
    year: 2023
    scale: 11
    items:
      - code: "1"
        name: Cải cách thủ tục hành chính
        items:
          - code: "1.1"
            name: Tỷ lệ hồ sơ giải quyết đúng hạn
            max: 2
            appraiser: vp
            rule:
              type: tiers
              inputs:
                - {key: a, label: Số hồ sơ giải quyết đúng hạn, integer: true}
                - {key: b, label: Tổng số hồ sơ tiếp nhận, integer: true}
              value: "a / b * 100"
              when_zero: na
              checks:
                - {expr: "a <= b", message: Số hồ sơ đúng hạn không được lớn hơn tổng số hồ sơ}
              unit: "%"
              tiers: [{min: 95, points: 2}, {min: 80, points: 1}]
          - code: "1.2"
            name: Hồ sơ trực tuyến
            max: 1
            rule:
              type: formula
              inputs:
                - {key: a, label: Tổng số hồ sơ, integer: true}
                - {key: b, label: Hồ sơ trực tuyến toàn trình, integer: true}
                - {key: c, label: Hồ sơ trực tuyến một phần, integer: true}
              points: "(b / a) * 1 + (c / a) * 0.5"
              when_zero: full
          - code: "1.3"
            name: Báo cáo định kỳ đúng hạn
            max: 1
            floor: -1
            method: "Đủ báo cáo: 1 điểm; mỗi báo cáo chậm trừ 0,25 điểm; thấp nhất -1 điểm"
            rule:
              type: formula
              inputs: [{key: late, label: Số báo cáo gửi chậm, integer: true}]
              points: "max(-1, 1 - 0.25 * late)"
          - code: "1.4"
            name: Mức độ hoàn thành kế hoạch
            max: 1
            rule: {type: manual, step: 0.5}
      - code: "2"
        name: Giải ngân và thời gian giải quyết
        items:
          - code: "2.1"
            name: Tỷ lệ giải ngân so với đơn vị cao nhất của khối
            max: 2
            rule:
              type: relative
              inputs:
                - {key: d, label: Số vốn đã giải ngân (triệu đồng)}
                - {key: p, label: Kế hoạch vốn được giao (triệu đồng)}
              value: "d / p * 100"
          - code: "2.2"
            name: Thời gian giải quyết bình quân (ngày)
            max: 1
            rule: {type: relative, better: lower, to: mean}
          - code: "2.3"
            name: Tỷ lệ giải ngân so với bình quân cả nước
            max: 2
            rule: {type: relative, to: 80, unit: "%"}
      - code: "3"
        name: Ban hành kế hoạch cải cách hành chính
        max: 1
        floor: -1
        rule:
          type: choice
          options:
            - {label: Đúng hạn, points: 1}
            - {label: Chậm, points: 0}
            - {label: Không ban hành, points: -1}
      - code: "4"
        name: Điểm thưởng
        cap: 2
        items:
          - code: "4.1"
            name: Sáng kiến cải cách hành chính
            max: 2
            rule:
              type: bonus
              options:
                - {label: Cấp tỉnh công nhận, points: 2}
                - {label: Cấp sở công nhận, points: 1}
          - code: "4.2"
            name: Giải thưởng
            max: 1.5
            rule: {type: bonus}
    """
)

UNITS = [Unit("STP", "Sở Tư pháp", "so-nganh"), Unit("SNV", "Sở Nội vụ", "so-nganh"),
         Unit("STC", "Sở Tài chính", "so-nganh")]


def counts(**values: int | str) -> dict[str, D]:
    return {key: D(str(value)) for key, value in values.items()}


OWN = {
    "STP": {
        "1.1": Entered(inputs=counts(a=190, b=200), evidence="BC 1"),
        "1.2": Entered(inputs=counts(a=40, b=20, c=10), evidence="BC 2"),
        "1.3": Entered(inputs=counts(late=1), evidence="BC 3"),
        "1.4": Entered(score=D("0.5"), evidence="BC 4"),
        "2.1": Entered(inputs=counts(d=90, p=100), evidence="BC 5"),
        "2.2": Entered(data=D(10), evidence="BC 6"),
        "2.3": Entered(data=D(40), evidence="BC 7"),
        "3": Entered(choice="Đúng hạn", evidence="KH 1"),
        "4.1": Entered(choice="Cấp sở công nhận", evidence="QĐ 1"),
        "4.2": Entered(score=D("1.5"), evidence="QĐ 2"),
    },
    "SNV": {
        "1.1": Entered(inputs=counts(a=0, b=0)),
        "1.2": Entered(inputs=counts(a=0, b=0, c=0), evidence="BC 2"),
        "1.3": Entered(inputs=counts(late=8)),
        "1.4": Entered(score=D("0.5"), evidence="BC 4"),
        "2.1": Entered(inputs=counts(d=150, p=200), evidence="BC 5"),
        "2.2": Entered(data=D(20), evidence="BC 6"),
        "2.3": Entered(data=D(100), evidence="BC 7"),
        "3": Entered(choice="Không ban hành"),
        "4.1": Entered(choice="Cấp sở công nhận", evidence="QĐ 1"),
        "4.2": Entered(),
    },
    "STC": {
        "1.1": Entered(inputs=counts(a=170, b=200), evidence="BC 1"),
        "1.2": Entered(inputs=counts(a=30, b=10, c=0), evidence="BC 2"),
        "1.3": Entered(inputs=counts(late=0), evidence="BC 3"),
        "1.4": Entered(score=D(1), evidence="BC 4"),
        "2.1": Entered(inputs=counts(d=1, p=3), evidence="BC 5"),
        "2.2": Entered(data=D(30), evidence="BC 6"),
        "2.3": Entered(data=D(0)),
        "3": Entered(choice="Chậm"),
        "4.1": Entered(),
        "4.2": Entered(score=D("0.5"), evidence="QĐ 2"),
    },
}


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    sandbox = Sandbox(tmp_path / "ws", units=list(UNITS), criteria_text=NEW_RULES)
    for unit in UNITS:
        sandbox.self_form(unit.code, OWN[unit.code])
    return sandbox


def score_json(cli, box: Sandbox, *extra: str) -> dict:
    result = cli("score", "-w", box.root, "--year", "2023", "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def units_of(document: dict) -> dict[str, dict]:
    return {u["code"]: u for b in document["blocks"] for u in b["units"]}


def leaves_of(unit: dict) -> dict[str, dict]:
    return {leaf["code"]: leaf for leaf in unit["leaves"]}


def approx(value: F | D) -> float:
    """A JSON number: exact values rounded half-up to 6 decimals."""
    from cchc_cli.numbers import json_number

    number = json_number(value)
    assert number is not None
    return float(number)


def test_every_construct_from_filled_forms_to_json(cli, box):
    document = score_json(cli, box)
    errors = [i for i in document["issues"] if i["severity"] == "error"]
    assert errors == []
    units = units_of(document)
    stp, snv, stc = (leaves_of(units[c]) for c in ("STP", "SNV", "STC"))

    # 1.1 tiers on a rate from two counts: 190 ÷ 200 × 100 = 95 ≥ 95 → 2 points.
    assert stp["1.1"]["input"] == {"a": 190, "b": 200}
    assert stp["1.1"]["value"] == 95 and stp["1.1"]["points"] == 2
    # 170 ÷ 200 × 100 = 85: ≥ 80 → 1 point.
    assert stc["1.1"]["value"] == 85 and stc["1.1"]["points"] == 1
    # SNV received no dossier: 0 ÷ 0 → when_zero: na → not applicable, khong-phat-sinh.
    assert snv["1.1"]["na"] is True and snv["1.1"]["na_reason"] == "khong-phat-sinh"
    assert snv["1.1"]["value"] is None and snv["1.1"]["points"] == 0

    # 1.2 formula: (20 ÷ 40) × 1 + (10 ÷ 40) × 0.5 = 0.5 + 0.125 = 0.625; no value.
    assert stp["1.2"]["points"] == 0.625 and stp["1.2"]["value"] is None
    # (10 ÷ 30) × 1 + 0 = 1/3 → 0.333333 in JSON (exact inside).
    assert stc["1.2"]["points"] == 0.333333
    # a = 0: when_zero: full → max 1.
    assert snv["1.2"]["points"] == 1

    # 1.3 per-report deduction with floor −1: 1 − 0.25 × 1 = 0.75; max(−1, 1 − 2) = −1.
    assert stp["1.3"]["points"] == 0.75
    assert snv["1.3"]["points"] == -1
    assert stc["1.3"]["points"] == 1

    # 2.1 relative to the best: values 90 (STP), 150 ÷ 200 × 100 = 75 (SNV),
    # 1 ÷ 3 × 100 = 33.333… (STC); reference = 90, set by STP.
    assert stp["2.1"]["reference"] == 90 and stp["2.1"]["points"] == 2
    # SNV 2 × 75 ÷ 90 = 5/3; STC 2 × (100/3) ÷ 90 = 20/27.
    assert snv["2.1"]["points"] == approx(F(5, 3))
    assert stc["2.1"]["value"] == approx(F(100, 3))
    assert stc["2.1"]["points"] == approx(F(20, 27))

    # 2.2 lower is better, against the mean: (10 + 20 + 30) ÷ 3 = 20.
    # STP 1 × min(1, 20 ÷ 10) = 1; SNV 1 × 20 ÷ 20 = 1; STC 1 × 20 ÷ 30 = 2/3.
    assert stp["2.2"]["reference"] == 20
    assert (stp["2.2"]["points"], snv["2.2"]["points"]) == (1, 1)
    assert stc["2.2"]["points"] == approx(F(2, 3))

    # 2.3 against a fixed 80: STP 2 × 40 ÷ 80 = 1; SNV min(1, 100 ÷ 80) → 2; STC 0.
    assert (stp["2.3"]["points"], snv["2.3"]["points"], stc["2.3"]["points"]) == (1, 2, 0)
    assert stp["2.3"]["reference"] == 80

    # 3 choice with a negative option (floor −1): "Không ban hành" → −1.
    assert snv["3"]["points"] == -1

    # Totals.
    # STP scored: 2 + 0.625 + 0.75 + 0.5 + 2 + 1 + 1 + 1 = 8.875; bonus 1 + 1.5 = 2.5,
    # capped at 2 → points 10.875; max 11 → 98.863636… → 98.86.
    assert units["STP"]["bonus"] == 2
    assert units["STP"]["points"] == 10.875 and units["STP"]["max_points"] == 11
    assert units["STP"]["index_published"] == 98.86
    # Each capped leaf keeps its own points.
    assert stp["4.1"]["points"] == 1 and stp["4.2"]["points"] == 1.5
    # SNV: 1.1 not applicable (max 11 − 2 = 9); scored 1 − 1 + 0.5 + 5/3 + 1 + 2 − 1 =
    # 25/6; bonus 1 → 31/6; index 31/6 ÷ 9 × 100 = 3100/54 = 57.407407… → 57.41.
    assert units["SNV"]["max_points"] == 9
    assert units["SNV"]["points"] == approx(F(31, 6))
    assert units["SNV"]["index"] == approx(F(3100, 54))
    assert units["SNV"]["index_published"] == 57.41
    assert units["SNV"]["not_applicable"] == ["1.1"]
    # STC: 1 + 1/3 + 1 + 1 + 20/27 + 2/3 + 0 + 0 = 128/27; bonus 0.5 → 283/54;
    # index 283/54 ÷ 11 × 100 = 28300/594 = 47.643097… → 47.64.
    assert units["STC"]["points"] == approx(F(283, 54))
    assert units["STC"]["index_published"] == 47.64

    # The area that is itself a leaf ("3") is in the areas list: SNV −1 of 1 → index
    # clipped at 0; and the areas add up to the scored points.
    areas = {a["code"]: a for a in units["SNV"]["areas"]}
    assert list(areas) == ["1", "2", "3", "4"]
    assert areas["3"]["points"] == -1 and areas["3"]["max_points"] == 1
    assert areas["3"]["index"] == 0
    # Area 1 for SNV: 1.2 1 + 1.3 −1 + 1.4 0.5 = 0.5 of 3 (1.1 not applicable).
    assert areas["1"]["points"] == 0.5 and areas["1"]["max_points"] == 3
    # Area 2: 5/3 + 1 + 2 = 14/3; the bonus area 4 has no scale (max 0, no index).
    assert areas["2"]["points"] == approx(F(14, 3))
    assert areas["4"]["max_points"] == 0 and areas["4"]["index"] is None
    # 0.5 + 14/3 − 1 = 25/6: the areas add up to the scored points (bonus aside).
    assert sum(F(str(a["max_points"])) for a in areas.values()) == units["SNV"]["max_points"]


def test_explain_tells_inputs_expression_and_reference(cli, box):
    result = cli("explain", "STC", "-w", box.root, "--year", "2023")
    assert result.exit_code == 0, result.output
    text = result.stdout
    # The named inputs with their cells (the self form's rows for 2.1.d and 2.1.p).
    assert "d — Số vốn đã giải ngân (triệu đồng): 1" in text
    assert "giá trị = 1 ÷ 3 × 100 = 33,333333…" in text
    # The reference of the relative leaf and the unit that set it.
    assert "tham chiếu 90 (giá trị cao nhất của khối, của STP)" in text
    assert "điểm = (10 ÷ 30) × 1 + (0 ÷ 30) × 0,5 = 0,333333…" in text \
        or "điểm = 10 ÷ 30 × 1 + 0 ÷ 30 × 0,5 = 0,333333…" in text

    document = json.loads(cli("explain", "SNV", "-w", box.root, "--year", "2023",
                              "--format", "json").stdout)
    nodes = {n["code"]: n for n in document["nodes"]}
    assert nodes["1.1"]["na_reason"] == "khong-phat-sinh"
    assert "không phát sinh" in nodes["1.1"]["steps"]["when_zero"]
    steps = nodes["2.1"]["steps"]
    assert [i["key"] for i in steps["inputs"]] == ["d", "p"]
    assert steps["inputs"][0]["cell"] is not None
    assert steps["reference_units"] == ["STP"]
    assert nodes["1.3"]["method"].startswith("Đủ báo cáo")


def test_exact_ranking_basis_separates_units_that_round_alike(tmp_path, cli):
    # Two units whose indices round to the same 90.02: 90.0249… and 90.0151…
    text = dedent(
        """
        id: so-nganh-2023
        title: Thử
        block: so-nganh
        year: 2023
        scale: 100000
        items:
          - {code: "1", name: Điểm, max: 100000}
        """
    )
    box = Sandbox(tmp_path / "ws", units=list(UNITS[:2]), criteria_text=text)
    box.self_form("STP", {"1": Entered(score=D("90024.9"), evidence="x")})
    box.self_form("SNV", {"1": Entered(score=D("90015.1"), evidence="x")})
    result = cli("rank", "-w", box.root, "--year", "2023", "--format", "json")
    ranks = {u["code"]: u["rank"] for u in json.loads(result.stdout)["blocks"][0]["units"]}
    # Published basis: both 90.02 → tied at 1.
    assert ranks == {"STP": 1, "SNV": 1}
    settings = box.root / "cchc.yaml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "ranking: {basis: exact}\n", encoding="utf-8")
    result = cli("rank", "-w", box.root, "--year", "2023", "--format", "json")
    document = json.loads(result.stdout)
    ranks = {u["code"]: u["rank"] for u in document["blocks"][0]["units"]}
    # Exact basis: 90.0249 > 90.0151 → 1 and 2; both still published as 90.02.
    assert ranks == {"STP": 1, "SNV": 2}
    assert document["basis"] == "exact"
    assert {u["index_published"] for u in document["blocks"][0]["units"]} == {90.02}


def test_check_failure_is_an_error_at_the_input_cell(cli, box):
    values = dict(OWN["STP"])
    values["1.1"] = Entered(inputs=counts(a=210, b=200), evidence="BC")
    box.self_form("STP", values)
    document = score_json(cli, box)
    found = [i for i in document["issues"] if i["code"] == "kiem-tra-khong-dat"]
    assert len(found) == 1
    issue = found[0]
    assert issue["unit"] == "STP" and issue["criterion"] == "1.1"
    assert issue["file"] == "data/2023/tu-danh-gia/tu-danh-gia-STP.xlsx"
    # Rows: 1 (r7), 1.1 (r8), its inputs a (r9) and b (r10); the value column is E.
    assert issue["cell"] == "E9"
    assert "Số hồ sơ đúng hạn không được lớn hơn tổng số hồ sơ" in issue["message"]
    assert "a = 210 (ô E9)" in issue["message"] and "b = 200 (ô E10)" in issue["message"]
    assert units_of(document)["STP"]["status"] == "loi"


def test_appraised_counts_replace_the_units_own(cli, box):
    criteria = box.criteria()
    leaf = criteria.leaf_of("1.1")
    path = box.data / "tham-dinh" / "tham-dinh-vp-vong-1.xlsx"
    lines = [AppraisalLine(box.unit("STP"), leaf, OWN["STP"]["1.1"],
                           Entered(inputs=counts(a=180, b=200), comment="Sai số liệu")),
             AppraisalLine(box.unit("STC"), leaf, OWN["STC"]["1.1"], None)]
    write_appraisal_form(path, appraiser="vp", round_no=1, lines=lines, sets=[criteria],
                         context=box.context())
    document = score_json(cli, box)
    stp = leaves_of(units_of(document)["STP"])
    # Appraised: 180 ÷ 200 × 100 = 90 → 1 point (was 2 from the unit's 190).
    assert stp["1.1"]["source"] == "appraisal"
    assert stp["1.1"]["input"] == {"a": 180, "b": 200}
    assert stp["1.1"]["value"] == 90 and stp["1.1"]["points"] == 1
    # STC's row was prefilled with its own counts: appraised, unchanged.
    stc = leaves_of(units_of(document)["STC"])
    assert stc["1.1"]["source"] == "appraisal" and stc["1.1"]["points"] == 1


def test_an_appraisal_with_an_empty_input_row_is_an_error(cli, box):
    criteria = box.criteria()
    leaf = criteria.leaf_of("1.1")
    path = box.data / "tham-dinh" / "tham-dinh-vp-vong-1.xlsx"
    lines = [AppraisalLine(box.unit("STP"), leaf, OWN["STP"]["1.1"],
                           Entered(inputs={"a": D(180), "b": None}, comment="Sai số liệu"))]
    write_appraisal_form(path, appraiser="vp", round_no=1, lines=lines, sets=[criteria],
                         context=box.context())
    document = score_json(cli, box)
    found = [i for i in document["issues"] if i["code"] == "thieu-so-lieu-tham-dinh"]
    assert len(found) == 1
    # Header on row 5; STP's 1.1 leaf row is 6, input a row 7, input b row 8, column K.
    assert found[0]["cell"] == "K8" and found[0]["unit"] == "STP"
    assert "1.1.b" in found[0]["message"]
