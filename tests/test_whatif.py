"""``cchc whatif``: the variant is what ``cchc rank`` gives on a workspace changed the same
way — proved over random changes by making them for real on a copy — and the command,
its JSON and its workbook."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from cchc_cli import api
from cchc_cli.formspec import Entered
from cchc_cli.whatif import OVERRIDE_HEADERS
from tests.builders import FORM_CRITERIA, GOOD, Sandbox
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "tinh-mau"
DATA, CHOICE, SCORE, NA_COL, COMMENT = OVERRIDE_HEADERS[2:]


def write_override(path: Path, rows: list[tuple[str, str, Mapping[str, Any]]], *,
                   as_round: int | None = None, year: int = 2023,
                   headers: tuple[str, ...] = OVERRIDE_HEADERS) -> Path:
    """An override workbook: sheet 'Điều chỉnh' with the appraisal form's headers. With
    ``as_round``, also the hidden ``_cchc`` sheet of an appraisal form of that round: the
    same file saved in data/Y/ is then read as the last appraisal round."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Điều chỉnh")
    for c, header in enumerate(headers):
        sheet.write_string(0, c, header)
    for r, (unit, code, values) in enumerate(rows, start=1):
        sheet.write_string(r, 0, unit)
        sheet.write_string(r, 1, code)
        for c, header in enumerate(headers[2:], start=2):
            value = values.get(header)
            if isinstance(value, D | int | float):
                sheet.write_number(r, c, float(value))
            elif value is not None:
                sheet.write_string(r, c, str(value))
    if as_round is not None:
        meta = workbook.add_worksheet("_cchc")
        for r, (key, value) in enumerate([("key", "value"), ("kind", "appraisal"),
                                          ("year", str(year)), ("round", str(as_round))]):
            meta.write_string(r, 0, key)
            meta.write_string(r, 1, value)
        meta.hide()
    workbook.close()
    return path


# --------------------------------------------------------------------------------------
# A small workspace, and the changes a council makes
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox_root(tmp_path_factory) -> Path:
    """Three units that rank apart, one appraisal round."""
    box = Sandbox(tmp_path_factory.mktemp("whatif") / "ws")
    box.self_form("STP")
    box.self_form("SNV", {**GOOD, "1.2": Entered(score=D("2"), evidence="BC"),
                          "1.10": Entered(data=D("75"), evidence="BC")})
    box.self_form("STC", {**GOOD, "1.1": Entered(choice="Ban hành chậm", evidence="KH"),
                          "2.1": Entered(na=True)})
    box.survey_form()
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=D("2.5"), comment="Thiếu BC")),
                               ("SNV", "1.1", Entered(choice="Ban hành chậm", comment="Chậm"))])
    return box.root


CRITERIA_CHANGES = {
    "tiers": ("- {above: 90, points: 2}", "- {above: 95, points: 2}"),
    "options": ("- {label: Ban hành chậm, points: 0.5}", "- {label: Ban hành chậm, points: 0.25}"),
    "appraiser": ("appraiser: vp", "appraiser: stp"),
    "na": ("na_allowed: true\n        na_note: Không có TTHC phát sinh phí, lệ phí\n", ""),
    "max": ("max: 3\n        rule: {type: manual, step: 0.25}",
            "max: 4\n        rule: {type: manual, step: 0.25}"),
}
SETTINGS_LINES = {
    "dense": "ranking: {ties: dense, basis: exact}\n",
    "precision": "precision: 0\n",
    "bands": "classification:\n  - {label: Xuất sắc, min: 75}\n  - {label: Tốt, min: 50}\n"
             "  - {label: Yếu, min: 0}\nleader_rating: {Xuất sắc: HTXS, Tốt: HTT, Yếu: KHT}\n",
}
OVERRIDE_ROWS = [
    ("STP", "1.2", {SCORE: D("1.5"), COMMENT: "Hội đồng giảm"}),
    ("SNV", "1.1", {CHOICE: "Ban hành đúng thời hạn"}),
    ("STC", "1.10", {DATA: D("65")}),
    ("SNV", "2.1", {NA_COL: "x", COMMENT: "Không phát sinh"}),
    ("STP", "2.2", {SCORE: D("1")}),
    ("STC", "2.3", {SCORE: D("0.5")}),
    ("STC", "2.1", {DATA: D("40")}),
    ("XYZ", "1.2", {SCORE: D("1")}),  # an unknown unit: an error in the override file
]


@st.composite
def council_changes(draw: Any) -> dict[str, Any]:
    changes = {
        "criteria": draw(st.lists(st.sampled_from(sorted(CRITERIA_CHANGES)), unique=True)),
        "settings": draw(st.lists(st.sampled_from(sorted(SETTINGS_LINES)), unique=True)),
        "override": draw(st.lists(st.sampled_from(range(len(OVERRIDE_ROWS))), unique=True)),
    }
    if not (changes["criteria"] or changes["settings"] or changes["override"]):
        changes["settings"] = ["dense"]
    return changes


def criteria_text(names: list[str]) -> str:
    text = FORM_CRITERIA
    for name in names:
        old, new = CRITERIA_CHANGES[name]
        assert old in text
        text = text.replace(old, new)
        if name == "max":
            text = text.replace("scale: 20", "scale: 21")
    return text


def settings_text(names: list[str]) -> str:
    return "province: Tỉnh Thử\n" + "".join(SETTINGS_LINES[n] for n in names)


def rank_json(cli: Any, root: Path) -> dict[str, Any]:
    result = cli("rank", "-w", root, "--year", "2023", "--format", "json", "--allow-errors",
                 "--as-of", "2024-01-20")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def whatif_and_rank(cli: Any, source: Path, work: Path, changes: dict[str, Any],
                    *, appraisal_rounds: int = 1, year: int = 2023
                    ) -> tuple[Any, dict[str, Any]]:
    """The variant by ``whatif``, and ``rank`` on a copy changed for real."""
    root = work / "ws"
    shutil.copytree(source, root)
    proposal = work / "phuong-an"
    options: dict[str, Path] = {}
    if changes.get("criteria"):
        folder = proposal / "tieu-chi"
        folder.mkdir(parents=True)
        for name, text in changes["criteria"].items():
            (folder / name).write_text(text, encoding="utf-8")
        options["criteria"] = folder
    if changes.get("settings") is not None:
        options["settings"] = proposal / "cchc.yaml"
        options["settings"].parent.mkdir(parents=True, exist_ok=True)
        options["settings"].write_text(changes["settings"], encoding="utf-8")
    rows = changes.get("override")
    if rows:
        options["override"] = write_override(proposal / "dieu-chinh.xlsx", rows)
    run = api.whatif(root, year=year, write=False, as_of="2024-01-20", **options)
    # The same changes, made on a copy of the workspace.
    changed = work / "changed"
    shutil.copytree(root, changed)
    if "criteria" in options:
        for path in options["criteria"].iterdir():
            shutil.copy(path, changed / "criteria" / str(year) / path.name)
    if "settings" in options:
        shutil.copy(options["settings"], changed / "cchc.yaml")
    if rows:
        write_override(changed / "data" / str(year) / "tham-dinh" / "dieu-chinh-cuoi.xlsx",
                       rows, as_round=appraisal_rounds + 1, year=year)
    return run, rank_json(cli, changed)


def assert_variant_is_rank(run: Any, ranked: dict[str, Any]) -> None:
    variant = json.loads(json.dumps(run.variant.to_dict(), ensure_ascii=False))
    assert variant["blocks"] == ranked["blocks"]
    for key in ("precision", "ties", "basis", "previous"):
        assert variant[key] == ranked[key]
    units = {u["code"]: u for block in ranked["blocks"] for u in block["units"]}
    for unit in run.to_dict()["units"]:
        expected = units[unit["code"]]
        assert unit["variant"] == {k: expected[k] for k in
                                   ("rank", "index_published", "band", "leader_rating")}
    codes = {i["code"] for i in ranked["issues"] if i["severity"] == "error"}
    assert codes == {i.code for i in run.variant.issues if i.is_error}


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(council_changes())
def test_the_variant_is_what_rank_gives_on_the_changed_workspace(sandbox_root, cli, changes):
    with tempfile.TemporaryDirectory() as work:
        run, ranked = whatif_and_rank(cli, sandbox_root, Path(work), {
            "criteria": {"so-nganh.yaml": criteria_text(changes["criteria"])}
            if changes["criteria"] else None,
            "settings": settings_text(changes["settings"]) if changes["settings"] else None,
            "override": [OVERRIDE_ROWS[i] for i in changes["override"]],
        })
        assert_variant_is_rank(run, ranked)


def test_with_last_year_and_two_rounds_on_the_example_province(cli, tmp_path):
    # The example has 2022 (recomputed for the comparison) and two appraisal rounds: the
    # override is round 3. cchc.yaml changes the ties of both years' rankings.
    changes = {
        "criteria": {"xa.yaml": (EXAMPLE / "criteria/2023/xa.yaml").read_text(encoding="utf-8")
                     .replace("appraiser: vp", "appraiser: snv")},
        "settings": (EXAMPLE / "cchc.yaml").read_text(encoding="utf-8")
        .replace("ranking: {ties: competition}", "ranking: {ties: dense}"),
        "override": [("H01", "1.1", {CHOICE: "Không ban hành", COMMENT: "Hội đồng"}),
                     ("X05", "1.3.2", {SCORE: D("0.25")})],
    }
    run, ranked = whatif_and_rank(cli, EXAMPLE, tmp_path, changes, appraisal_rounds=2)
    assert ranked["previous"]["source"] == "inputs"
    assert not [i for i in run.variant.issues if i.is_error]
    assert [(r.unit, r.criterion) for r in run.override] == [("H01", "1.1"), ("X05", "1.3.2")]
    assert_variant_is_rank(run, ranked)
    assert run.variant.ranked.ties == "dense" and run.base.ranked.ties == "competition"
    changes = run.to_dict()["changes"]
    assert changes["settings"] == [{"key": "ranking.ties", "old": "competition",
                                    "new": "dense"}]
    assert changes["criteria"] and {(c["kind"], c["block"], c["old"], c["new"])
                                    for c in changes["criteria"]} == {
        ("appraiser", "xa", "vp", "snv")}


# --------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy = tmp_path / "tinh-mau"
    shutil.copytree(EXAMPLE, copy)
    return copy


def test_an_override_that_lowers_the_leader_moves_units_and_writes_the_workbook(example, cli):
    # H02 leads the huyện block at 92.37 (92.368739: 92.368739 points of 100). Its plan
    # '1.1' was on time (1 point); the council finds none: 'Không ban hành' is −1 point.
    # 92.368739 − 2 = 90.368739 → 90.37: H02 stays first and Xuất sắc.
    override = write_override(example / "phuong-an" / "dieu-chinh.xlsx", [
        ("H02", "1.1", {CHOICE: "Không ban hành", COMMENT: "Không có kế hoạch"}),
    ])
    result = cli("whatif", "-w", example, "--year", "2023", "--override", override,
                 "--as-of", "2024-01-20", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document)[:2] == ["year", "units"] and document["year"] == 2023
    h02 = next(u for u in document["units"] if u["code"] == "H02")
    assert set(h02) == {"code", "block", "base", "variant", "changed"}
    assert set(h02["base"]) == {"rank", "index_published", "band", "leader_rating"}
    assert h02["base"] == {"rank": 1, "index_published": 92.37, "band": "Xuất sắc",
                           "leader_rating": "Hoàn thành xuất sắc nhiệm vụ"}
    assert h02["variant"] == dict(h02["base"], index_published=90.37)
    assert h02["changed"] is False
    assert document["changes"]["override"] == [
        {"unit": "H02", "criterion": "1.1", "old": "'Ban hành đúng thời hạn'",
         "new": "'Không ban hành'", "comment": "Không có kế hoạch", "cell": "D2"}]
    changed = [u["code"] for u in document["units"] if u["changed"]]
    assert changed == [u["code"] for u in document["units"][:len(changed)]]
    # The workbook.
    result = cli("whatif", "-w", example, "--year", "2023", "--override", override,
                 "--as-of", "2024-01-20")
    assert result.exit_code == 0, result.output
    path = example / "results/2023/phuong-an-2023.xlsx"
    assert f"Đã ghi {path}" in result.stdout.replace("\n", "")
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[0] == "Tóm tắt" and "Nội dung điều chỉnh" in book.sheet_names
    summary = book.get_sheet_by_name("Tóm tắt").to_python()
    assert summary[4][:4] == ["STT", "Khối", "Mã", "Đơn vị"]
    listed = [row[2] for row in summary[5:] if row[2]]
    assert listed == changed
    contents = [c for row in book.get_sheet_by_name("Nội dung điều chỉnh").to_python()
                for c in row]
    assert "Không có kế hoạch" in " ".join(str(c) for c in contents)


def test_identical_inputs_give_an_identical_workbook(example, cli):
    settings = example / "phuong-an.yaml"
    settings.write_text((example / "cchc.yaml").read_text(encoding="utf-8")
                        .replace("min: 90", "min: 85"), encoding="utf-8")
    args = ("whatif", "-w", example, "-y", "2023", "--settings", settings,
            "--as-of", "2024-01-20")
    assert cli(*args).exit_code == 0
    first = (example / "results/2023/phuong-an-2023.xlsx").read_bytes()
    assert cli(*args).exit_code == 0
    assert (example / "results/2023/phuong-an-2023.xlsx").read_bytes() == first


def test_a_band_threshold_changes_bands_and_ratings_not_ranks(example, cli):
    settings = example / "phuong-an.yaml"
    settings.write_text((example / "cchc.yaml").read_text(encoding="utf-8")
                        .replace("min: 90", "min: 85"), encoding="utf-8")
    result = cli("whatif", "-w", example, "-y", "2023", "--settings", settings, "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    library = api.whatif(example, year=2023, settings=settings, write=False).to_dict()
    assert document == json.loads(json.dumps(library, ensure_ascii=False))
    for unit in document["units"]:
        base, variant = unit["base"], unit["variant"]
        assert base["rank"] == variant["rank"]
        moved = 85 <= base["index_published"] < 90
        assert unit["changed"] == moved
        if moved:
            assert (base["band"], variant["band"]) == ("Tốt", "Xuất sắc")
            assert variant["leader_rating"] == "Hoàn thành xuất sắc nhiệm vụ"
    # The band moves per block (pandas.crosstab): only Tốt → Xuất sắc, exactly as many
    # units as have a published index in [85, 90); everyone else stays on the diagonal.
    for moves in document["bands"]:
        units = [u for u in document["units"] if u["block"] == moves["block"]]
        labels, counts = moves["bands"], moves["counts"]
        expected = sum(1 for u in units if 85 <= (u["base"]["index_published"] or 0) < 90)
        assert moves["moved"] == expected
        for i, row in enumerate(counts):
            for j, count in enumerate(row):
                if i != j and count:
                    assert (labels[i], labels[j]) == ("Tốt", "Xuất sắc")
        for i, label in enumerate(labels):  # every unit counted once, by its base band
            assert sum(counts[i]) == sum(1 for u in units if (u["base"]["band"] or "–")
                                         == label)
    assert any(m["moved"] for m in document["bands"])
    bands = [("Xuất sắc", 90), ("Tốt", 80), ("Khá", 70), ("Trung bình", 50), ("Yếu", 0)]
    old = [{"label": label, "min": low} for label, low in bands]
    new = [dict(old[0], min=85), *old[1:]]
    assert document["changes"]["settings"] == [{"key": "classification", "old": old,
                                                "new": new}]


def test_errors_in_the_override_exit_1_and_write_nothing_without_allow_errors(example, cli):
    override = write_override(example / "dieu-chinh.xlsx",
                              [("XYZ", "1.1.1", {CHOICE: "Không ban hành"})])
    result = cli("whatif", "-w", example, "-y", "2023", "--override", override)
    assert result.exit_code == 1
    assert "ma-don-vi-la" in result.stdout and "dieu-chinh.xlsx" in result.stdout
    assert not (example / "results/2023/phuong-an-2023.xlsx").exists()
    result = cli("whatif", "-w", example, "-y", "2023", "--override", override,
                 "--allow-errors")
    assert result.exit_code == 1
    assert (example / "results/2023/phuong-an-2023.xlsx").exists()


def test_an_override_without_its_sheet_is_an_error_naming_the_sheet(example, cli, tmp_path):
    path = tmp_path / "khac.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Trang 1").write_string(0, 0, "Mã đơn vị")
    workbook.close()
    result = cli("whatif", "-w", example, "-y", "2023", "--override", path, "-f", "json")
    assert result.exit_code == 1
    found = [i for i in json.loads(result.stdout)["issues"] if i["code"] == "khong-co-trang"]
    assert found and "Điều chỉnh" in found[0]["message"]


def test_usage_errors_exit_2_and_no_workspace_exits_3(example, cli, tmp_path):
    assert cli("whatif", "-w", example, "-y", "2023").exit_code == 2  # nothing to change
    folder = tmp_path / "tieu-chi"
    folder.mkdir()
    assert cli("whatif", "-w", example, "-y", "2023", "--criteria", folder).exit_code == 2
    assert cli("whatif", "-w", example, "--disputes", "--criteria", folder).exit_code == 2
    assert cli("whatif", "-w", example, "--override", tmp_path / "khong-co.xlsx"
               ).exit_code == 2
    assert cli("whatif", "-w", tmp_path, "-y", "2023", "--disputes").exit_code == 3


def test_year_defaults_to_the_latest_and_says_so(example, cli):
    result = cli("whatif", "-w", example, "--disputes", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["year"] == 2023
    assert "2023" in result.stderr and "mới nhất" in result.stderr


def test_an_override_may_give_only_the_columns_it_uses(example, cli):
    # 'Mã đơn vị', 'Mã tiêu chí', 'Điểm thẩm định' alone: the same variant as the full
    # sheet (X05's 1.3.2 lowered to 0.25 of 0.75: 0.5 points less, X05 91.12 → 90.61).
    rows = [("X05", "1.3.2", {SCORE: D("0.25"), COMMENT: "Hội đồng"})]
    short = write_override(example / "ngan.xlsx", rows,
                           headers=(*OVERRIDE_HEADERS[:2], SCORE))
    full = write_override(example / "du.xlsx", rows)
    documents = []
    for path in (short, full):
        result = cli("whatif", "-w", example, "-y", "2023", "--override", path, "-f", "json")
        assert result.exit_code == 0, result.output
        documents.append(json.loads(result.stdout)["units"])
    assert documents[0] == documents[1]
    x05 = next(u for u in documents[0] if u["code"] == "X05")
    assert (x05["base"]["index_published"], x05["variant"]["index_published"]) == \
        (91.12, 90.61)
    # No input column at all: nothing could be read, and the sheet says so.
    none = write_override(example / "khong.xlsx", rows, headers=OVERRIDE_HEADERS[:2])
    result = cli("whatif", "-w", example, "-y", "2023", "--override", none, "-f", "json")
    assert result.exit_code == 1
    (found,) = [i for i in json.loads(result.stdout)["issues"] if i["code"] == "thieu-cot"]
    assert "Điểm thẩm định" in found["message"] and found["file"] == "khong.xlsx"
