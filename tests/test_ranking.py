"""Ranking (SPEC §9): ties, rounding, bands, heads' ratings and last year — by hand."""

from __future__ import annotations

import json
import shutil
import zipfile
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from cchc_cli import api
from cchc_cli.ranking import (
    PreviousEntry,
    PreviousYear,
    assign_ranks,
    band_for,
    change_text,
    rank_year,
)
from cchc_cli.readers.register import Unit
from cchc_cli.settings import Settings
from tests.builders import Sandbox
from tests.conftest import ROOT, dedent
from tests.scoring_helpers import criteria_from, score, year_inputs

EXAMPLE = ROOT / "examples" / "tinh-mau"

ONE_LEAF = dedent("""
    id: so-nganh-2023
    title: Thử
    block: so-nganh
    year: 2023
    scale: 3
    items:
      - {code: "1", name: a, max: 3}
""")


def scored(points: dict[str, str], *, units: list[Unit] | None = None):
    """Units of one block with one 3-point leaf, scored ``points`` each."""
    criteria = criteria_from(ONE_LEAF)
    units = units or [Unit(code, f"Đơn vị {code}", "so-nganh") for code in points]
    inputs = year_inputs(criteria, units, {code: {"1": value} for code, value in
                                           points.items()})
    return inputs, score(inputs)


def ranks_of(ranking) -> dict[str, int | None]:
    return {e.code: e.rank for e in ranking.blocks[0].entries}


def settings_with(**changes) -> Settings:
    return Settings.model_validate({**Settings().model_dump(), **changes})


def test_three_way_tie_competition_and_dense():
    # Points out of 3 → index: A 2.85 (95), B/C/D 2.7 (90), E 2.4 (80).
    inputs, scores = scored({"A": "2.85", "B": "2.7", "C": "2.7", "D": "2.7", "E": "2.4"})
    competition = rank_year(scores, Settings(), inputs.register, None)
    assert ranks_of(competition) == {"A": 1, "B": 2, "C": 2, "D": 2, "E": 5}
    dense = rank_year(scores, settings_with(ranking={"ties": "dense"}), inputs.register, None)
    assert ranks_of(dense) == {"A": 1, "B": 2, "C": 2, "D": 2, "E": 3}


def test_tie_at_the_rounding_boundary():
    # A: 2.81059 ÷ 3 = 93.686333… → 93.69; B: 2.81069 ÷ 3 = 93.689666… → 93.69.
    # The exact indices differ; the published ones are equal: they share rank 1.
    inputs, scores = scored({"A": "2.81059", "B": "2.81069", "C": "2.8"})
    a, b = scores.unit("A"), scores.unit("B")
    assert a.index != b.index
    assert a.index_published == b.index_published == D("93.69")
    ranking = rank_year(scores, Settings(), inputs.register, None)
    assert ranks_of(ranking) == {"A": 1, "B": 1, "C": 3}  # C: 2.8 ÷ 3 = 93.33


def test_assign_ranks_is_order_independent():
    indices = {"x": D("90"), "y": D("95"), "z": D("90"), "w": D("70")}
    assert assign_ranks(indices) == {"y": 1, "x": 2, "z": 2, "w": 4}
    assert assign_ranks(dict(reversed(indices.items()))) == {"y": 1, "x": 2, "z": 2, "w": 4}
    assert assign_ranks(indices, "dense") == {"y": 1, "x": 2, "z": 2, "w": 3}


@pytest.mark.parametrize(
    ("index", "label"),
    [("90", "Xuất sắc"), ("89.99", "Tốt"), ("80", "Tốt"), ("79.99", "Khá"), ("70", "Khá"),
     ("50", "Trung bình"), ("49.99", "Yếu"), ("0", "Yếu"), ("100", "Xuất sắc")],
)
def test_band_edges_exactly_on_min(index, label):
    assert band_for(D(index), Settings().classification).label == label


def test_bands_and_heads_ratings_from_settings():
    # 2.7 ÷ 3 = 90.00 → Xuất sắc (on the edge); 2.4 ÷ 3 = 80.00 → Tốt; 1.2 ÷ 3 = 40 → Yếu.
    inputs, scores = scored({"A": "2.7", "B": "2.4", "C": "1.2"})
    ranking = rank_year(scores, Settings(), inputs.register, None)
    got = {e.code: (e.band, e.leader_rating) for e in ranking.blocks[0].entries}
    assert got == {"A": ("Xuất sắc", "Hoàn thành xuất sắc nhiệm vụ"),
                   "B": ("Tốt", "Hoàn thành tốt nhiệm vụ"),
                   "C": ("Yếu", "Không hoàn thành nhiệm vụ")}


def test_per_block_band_overrides():
    settings = settings_with(blocks={
        "so-nganh": {"name": "Sở, ban, ngành",
                     "classification": [{"label": "Nhóm A", "min": D(85)},
                                        {"label": "Nhóm B", "min": D(0)}],
                     "leader_rating": {"Nhóm A": "Hoàn thành tốt nhiệm vụ",
                                       "Nhóm B": "Hoàn thành nhiệm vụ"}}})
    # 2.7 → 90 → Nhóm A; 2.55 → 85.00 → Nhóm A (on the edge); 2.4 → 80 → Nhóm B.
    inputs, scores = scored({"A": "2.7", "B": "2.55", "C": "2.4"})
    ranking = rank_year(scores, settings, inputs.register, None)
    got = {e.code: (e.band, e.leader_rating) for e in ranking.blocks[0].entries}
    assert got == {"A": ("Nhóm A", "Hoàn thành tốt nhiệm vụ"),
                   "B": ("Nhóm A", "Hoàn thành tốt nhiệm vụ"),
                   "C": ("Nhóm B", "Hoàn thành nhiệm vụ")}


def test_units_with_errors_are_listed_without_rank():
    criteria = criteria_from(ONE_LEAF)
    units = [Unit("A", "A", "so-nganh"), Unit("B", "B", "so-nganh")]
    inputs = year_inputs(criteria, units, {"A": {"1": "2"}, "B": {"1": None}})
    ranking = rank_year(score(inputs), Settings(), inputs.register, None)
    entries = ranking.blocks[0].entries
    # A: 2 ÷ 3 × 100 = 66.67 → Trung bình; B has no input: an error, no rank, no band.
    assert [(e.code, e.rank, e.band) for e in entries] == [("A", 1, "Trung bình"),
                                                           ("B", None, None)]


def test_year_on_year_matching():
    units = [
        Unit("A", "A", "so-nganh"),
        Unit("B2", "B đổi tên", "so-nganh", previous=("B",)),     # renamed
        Unit("M", "M hợp nhất", "so-nganh", previous=("M1", "M2")),  # merged
        Unit("N", "N mới", "so-nganh"),                            # new
        Unit("K", "K đổi khối", "so-nganh"),                       # was a huyện last year
    ]
    inputs, scores = scored({"A": "2.4", "B2": "2.7", "M": "2.1", "N": "2.85", "K": "1.5"},
                            units=units)
    previous = PreviousYear(year=2022, source="file", file="nam-truoc.xlsx", entries={
        "A": PreviousEntry("A", 1, D("92.5")),
        "B": PreviousEntry("B", 4, D("71")),
        "M1": PreviousEntry("M1", 2, D("90")),
        "M2": PreviousEntry("M2", 3, D("85")),
        "K": PreviousEntry("K", 1, D("99"), block="huyen"),
    })
    ranking = rank_year(scores, Settings(), inputs.register, previous)
    got = {e.code: (e.rank, e.previous_rank, e.rank_change, e.change_note, change_text(e))
           for e in ranking.blocks[0].entries}
    # This year: N 95 (1), B2 90 (2), A 80 (3), M 70 (4), K 50 (5).
    assert got == {
        "N": (1, None, None, "mới", "mới"),
        "B2": (2, 4, 2, None, "tăng 2 bậc"),          # 4 − 2 = +2
        "A": (3, 1, -2, None, "giảm 2 bậc"),          # 1 − 3 = −2
        "M": (4, None, None, "hợp nhất", "hợp nhất"),
        "K": (5, None, None, "đổi khối", "đổi khối"),
    }
    assert ranking.entry("B2").previous_index == D("71")


def test_same_rank_as_last_year_reads_giu_nguyen():
    inputs, scores = scored({"A": "2.4"})
    previous = PreviousYear(2022, "file", None, {"A": PreviousEntry("A", 1, D(80))})
    entry = rank_year(scores, Settings(), inputs.register, previous).entry("A")
    assert (entry.rank_change, change_text(entry)) == (0, "giữ nguyên")


def two_years(tmp_path: Path) -> tuple[Sandbox, Sandbox]:
    """The same three units in 2022 and 2023, the order of two of them swapped."""
    root = tmp_path / "ws"
    last = Sandbox(root, year=2022, criteria_text=_for_year(2022))
    this = Sandbox(root, year=2023)
    from cchc_cli.formspec import Entered

    def with_score(value: str):
        return {**_good(), "1.2": Entered(score=D(value), evidence="BC")}

    for box, scores in ((last, {"STP": "3", "SNV": "2", "STC": "1"}),
                        (this, {"STP": "1", "SNV": "2", "STC": "3"})):
        for code, value in scores.items():
            box.self_form(code, with_score(value))
        box.survey_form()
    return last, this


def _good():
    from tests.builders import GOOD

    return dict(GOOD)


def _for_year(year: int) -> str:
    from tests.builders import FORM_CRITERIA

    return FORM_CRITERIA.replace("year: 2023", f"year: {year}")


def test_previous_year_recomputed_from_its_inputs(tmp_path):
    _, this = two_years(tmp_path)
    run = api.rank(this.root, year=2023, write=False)
    previous = run.ranking.previous
    assert (previous.source, previous.year) == ("inputs", 2022)
    got = {e.code: (e.rank, e.previous_rank, e.rank_change) for e in run.ranking.blocks[0].entries}
    # 2022: STP 1, SNV 2, STC 3; 2023: STC 1, SNV 2, STP 3.
    assert got == {"STC": (1, 3, 2), "SNV": (2, 2, 0), "STP": (3, 1, -2)}


def write_previous_file(path: Path, rows: list[list]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Xếp hạng năm trước"
    sheet.append(["Kết quả công bố năm 2022"])
    sheet.append([])
    sheet.append(["Mã đơn vị", "Tên", "Chỉ số", "Xếp hạng"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_previous_year_from_nam_truoc_file(tmp_path):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    write_previous_file(box.data / "nam-truoc.xlsx",
                        [["STP", "Sở Tư pháp", "88,10", 3], ["SNV", "Sở Nội vụ", 90.5, 1],
                         ["STC", "Sở Tài chính", 89, 2]])
    run = api.rank(box.root, year=2023, write=False)
    assert run.ranking.previous.source == "file"
    entry = run.ranking.entry("STP")
    assert entry.previous_rank == 3 and entry.previous_index == D("88.1")
    # All three self-assessments are identical: a three-way tie at rank 1 this year.
    assert {e.code: e.rank_change for e in run.ranking.blocks[0].entries} == {
        "STP": 2, "SNV": 0, "STC": 1}


def test_renamed_unit_matched_through_ma_nam_truoc_file(tmp_path):
    box = Sandbox(tmp_path / "ws")
    box.write_register([Unit("STP", "Sở Tư pháp", "so-nganh", previous=("STP-CU",)),
                        Unit("SNV", "Sở Nội vụ", "so-nganh"),
                        Unit("STC", "Sở Tài chính", "so-nganh", previous=("SKH", "STC"))])
    box.complete()
    write_previous_file(box.data / "nam-truoc.xlsx",
                        [["STP-CU", "Sở Tư pháp (tên cũ)", 80, 3], ["SNV", "", 90, 2]])
    run = api.rank(box.root, year=2023, write=False)
    got = {e.code: (e.previous_rank, e.rank_change, e.change_note)
           for e in run.ranking.blocks[0].entries}
    assert got == {"STP": (3, 2, None), "SNV": (2, 1, None), "STC": (None, None, "hợp nhất")}


def test_previous_code_that_is_not_found_is_a_warning(tmp_path):
    box = Sandbox(tmp_path / "ws")
    box.write_register([Unit("STP", "Sở Tư pháp", "so-nganh", previous=("XYZ",)),
                        Unit("SNV", "Sở Nội vụ", "so-nganh"), Unit("STC", "STC", "so-nganh")])
    box.complete()
    write_previous_file(box.data / "nam-truoc.xlsx", [["SNV", "", 90, 1]])
    run = api.rank(box.root, year=2023, write=False)
    found = next(i for i in run.issues if i.code == "ma-nam-truoc-khong-thay")
    assert found.unit == "STP" and "XYZ" in found.message
    assert run.ranking.entry("STP").change_note == "mới"


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    copy = tmp_path_factory.mktemp("ex") / "tinh-mau"
    shutil.copytree(EXAMPLE, copy)
    return copy


def test_rank_example_exits_0_with_sensible_movements(example_run, cli):
    result = cli("rank", "-w", example_run, "--year", "2023", "--as-of", "2024-02-05")
    assert result.exit_code == 0, result.output
    assert "so với năm 2022" in result.stdout
    assert "tăng" in result.stdout and "giảm" in result.stdout
    document = json.loads(cli("rank", "-w", example_run, "--year", "2023", "--format",
                              "json").stdout)
    units = {u["code"]: u for b in document["blocks"] for u in b["units"]}
    assert units["BDTTG"]["previous_rank"] is not None        # renamed from BDT
    assert units["SKHCN"]["change_note"] == "hợp nhất"        # SKHCN + STTTT
    assert units["BQLDA"]["change_note"] == "mới"
    assert units["X30"]["change_note"] == "hợp nhất"
    moved = [u["rank_change"] for u in units.values() if u["rank_change"] is not None]
    assert len(moved) >= 55 and any(c > 0 for c in moved) and any(c < 0 for c in moved)
    for block in document["blocks"]:
        ranks = [u["rank"] for u in block["units"] if u["rank"] is not None]
        assert ranks == sorted(ranks) and ranks[0] == 1
        for unit in block["units"]:
            if unit["rank"] is not None and unit["previous_rank"] is not None:
                assert unit["rank_change"] == unit["previous_rank"] - unit["rank"]


def test_rank_json_is_the_library_result(example_run, cli):
    result = cli("rank", "-w", example_run, "--year", "2023", "--format", "json")
    library = api.rank(example_run, year=2023, write=False).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(library, ensure_ascii=False))
    unit = json.loads(result.stdout)["blocks"][0]["units"][0]
    for key in ("code", "name", "status", "rank", "index", "index_published", "points",
                "max_points", "appraised_points", "survey_points", "bonus", "penalty", "band",
                "leader_rating", "previous_rank", "previous_index", "rank_change",
                "not_applicable", "areas"):
        assert key in unit
    assert unit["rank"] == 1


def test_ranking_workbook(example_run, cli):
    assert cli("rank", "-w", example_run, "--year", "2023", "--as-of", "2024-02-05").exit_code == 0
    path = example_run / "results/2023/xep-hang-2023.xlsx"
    first = path.read_bytes()
    assert cli("rank", "-w", example_run, "--year", "2023", "--as-of", "2024-02-05").exit_code == 0
    assert path.read_bytes() == first  # byte-identical for identical inputs
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[:4] == ["Sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã",
                                    "Cơ quan Trung ương đóng trên"]
    assert book.sheet_names[4:] == ["Tổng hợp", "Lĩnh vực", "Vấn đề", "Nguồn"]
    rows = book.get_sheet_by_name("Sở, ban, ngành").to_python(skip_empty_area=False)
    header = rows[3]
    for text in ("STT", "Mã", "Đơn vị", "Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số (%)",
                 "Xếp hạng", "Xếp hạng năm trước", "Tăng/giảm bậc", "Xếp loại",
                 "Đánh giá người đứng đầu"):
        assert text in header
    change = header.index("Tăng/giảm bậc")
    assert {r[change] for r in rows[4:24]} & {"giữ nguyên", "mới", "hợp nhất"}
    assert any(str(r[change]).startswith("tăng ") for r in rows[4:24])
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 4
        chart = archive.read("xl/charts/chart1.xml").decode()
    # Unit names (column C) on the axis, indices as values.
    assert "$C$5:$C$24" in chart
    summary = book.get_sheet_by_name("Tổng hợp").to_python()
    assert summary[2][:2] == ["Khối", "Số đơn vị"] and "Xuất sắc" in summary[2]
