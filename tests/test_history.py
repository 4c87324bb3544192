"""The example province with three years in its results database — 2021 imported from a
typed published table, 2022 and 2023 published from their inputs — then `cchc history`,
the page and the news item of 2023 (SPEC §13.4)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from decimal import Decimal as D
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from cchc_cli import api
from cchc_cli.cli.app import app
from tests.builders import write_published
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "tinh-mau"
DATABASE = "results/chi-so-cchc.sqlite"
# In the 2021 table typed below, these units are moved to these places (everything else
# keeps its 2022 order): the streaks asserted below follow from them.
PLACES_2021 = {"SXD": 6, "BDT": 15, "KBNN": 2}


def band(index: D) -> str:
    """The default classification of cchc.yaml."""
    for label, low in (("Xuất sắc", 90), ("Tốt", 80), ("Khá", 70), ("Trung bình", 50)):
        if index >= low:
            return label
    return "Yếu"


def table_2021(root: Path) -> list[list]:
    """2021 as typed from the published decision: every 2022 unit, in 2022's order but
    for PLACES_2021; rank = place, index = 95 − rank (so that ranks follow indices)."""
    ranking = api.rank(root, year=2022, write=False).ranked
    rows = []
    for block in ranking.blocks:
        order = [e for e in block.entries if e.code not in PLACES_2021]
        for code, place in sorted(PLACES_2021.items(), key=lambda item: item[1]):
            entry = next((e for e in block.entries if e.code == code), None)
            if entry is not None:
                order.insert(place - 1, entry)
        for rank, entry in enumerate(order, 1):
            index = D(95 - rank)
            rows.append([entry.code, entry.unit.name, block.block, rank, float(index),
                         band(index)])
    return rows


def invoke(*args: object):
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    return result


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hist") / "tinh-mau"
    shutil.copytree(EXAMPLE, root)
    write_published(root / "nhap" / "ket-qua-2021.xlsx", table_2021(root))
    for args in (("-y", "2021", "--from", root / "nhap" / "ket-qua-2021.xlsx", "--as-of",
                  "2022-02-10"),
                 ("-y", "2022", "--as-of", "2023-02-01"),
                 ("-y", "2023", "--as-of", "2024-02-05")):
        result = invoke("publish", "-w", root, *args)
        assert result.exit_code == 0, result.output
    result = invoke("report", "-w", root, "-y", "2023", "--as-of", "2024-02-05", "--date",
                    "2024-02-05")
    assert result.exit_code == 0, result.output
    return root


def history_json(root: Path, *args: str) -> dict:
    result = invoke("history", "-w", root, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_history_tells_each_units_current_streaks(province):
    document = history_json(province)
    assert document["years"] == [2021, 2022, 2023]
    units = {u["code"]: u for u in document["units"] if u["years"][-1]["year"] == 2023}

    def told(code: str) -> list[tuple[str, int, str]]:
        return [(s["kind"], s["years"], s["text"]) for s in units[code]["streaks"]]

    # H02: first of its block in 2021 (typed), 2022 and 2023; Xuất sắc in all three
    # (2021: 95 − 1 = 94; 2022: 90,05; 2023: 92,37).
    assert told("H02") == [("top", 3, "đứng đầu khối năm thứ 3 liên tiếp"),
                           ("band", 3, "xếp loại Xuất sắc năm thứ 3 liên tiếp")]
    # SXD: 6th (2021) → 3rd (2022) → 1st (2023): two years rising; Tốt, Tốt, Xuất sắc.
    assert told("SXD") == [("rising", 2, "2 năm liên tiếp tăng bậc")]
    # KBNN: 2nd → 1st → 1st; bands Xuất sắc (93), Tốt (89,77), Tốt (87,81).
    assert told("KBNN") == [("top", 2, "đứng đầu khối năm thứ 2 liên tiếp"),
                            ("band", 2, "xếp loại Tốt năm thứ 2 liên tiếp")]


def test_a_renamed_unit_is_followed_and_a_merger_ends_its_streaks(province):
    units = history_json(province)["units"]
    renamed = next(u for u in units if u["code"] == "BDTTG")
    # BDT was 15th (2021) and 9th (2022); renamed BDTTG, 3rd in 2023.
    assert [(y["year"], y["code"], y["rank"]) for y in renamed["years"]] == [
        (2021, "BDT", 15), (2022, "BDT", 9), (2023, "BDTTG", 3)]
    assert renamed["years"][0]["index_published"] == 80  # 95 − 15
    assert [s["text"] for s in renamed["streaks"]] == ["2 năm liên tiếp tăng bậc"]
    # SKHCN absorbed STTTT in 2023: its own years are shown, its streaks start again.
    merged = next(u for u in units if u["code"] == "SKHCN")
    assert [y["year"] for y in merged["years"]] == [2021, 2022, 2023]
    assert merged["streaks"] == []
    # STTTT, first in 2021 and 2022, exists no more: listed to 2022, no current streak.
    gone = next(u for u in units if u["code"] == "STTTT")
    assert [(y["year"], y["rank"]) for y in gone["years"]] == [(2021, 1), (2022, 1)]
    assert gone["streaks"] == []


def test_history_text_puts_the_streaks_on_top_and_filters(province):
    result = invoke("history", "-w", province)
    assert result.exit_code == 0, result.output
    out = result.stdout
    streak = out.index("Thị xã Mẫu Giang (H02): đứng đầu khối năm thứ 3 liên tiếp")
    assert streak < out.index("Sở, ban, ngành — hạng · chỉ số")
    # The headline leaves ordinary bands to the tables: H01 is Tốt in 2022 and 2023.
    assert "Thành phố Mẫu Sơn (H01)" not in out[:out.index("Sở, ban, ngành — hạng")]
    assert "xếp loại Tốt năm thứ 2 liên tiếp" in out
    assert "1 · 92,37" in out and "15 · 80 " in out  # 2021 as typed: 80
    one = invoke("history", "-w", province, "--unit", "bdt")  # the former code
    assert one.exit_code == 0, one.output
    assert "Ban Dân tộc và Tôn giáo (BDTTG)" in one.stdout
    assert "BDT " in one.stdout and "82,61" in one.stdout
    huyen = history_json(province, "--block", "huyen")
    assert {u["block"] for u in huyen["units"]} == {"huyen"}
    assert len(huyen["units"]) == 10


def test_history_usage_errors_and_no_database(province, tmp_path):
    assert invoke("history", "-w", province, "--unit", "KHONGCO").exit_code == 2
    assert invoke("history", "-w", province, "--block", "khong-co").exit_code == 2
    empty = tmp_path / "ws"
    shutil.copytree(EXAMPLE, empty)
    result = invoke("history", "-w", empty)
    assert result.exit_code == 3
    assert "cchc publish" in result.stderr


def database_rows(root: Path, query: str, *parameters: object) -> list[tuple]:
    with sqlite3.connect(root / DATABASE) as connection:
        return connection.execute(query, parameters).fetchall()


@pytest.mark.parametrize("year", [2022, 2023])
def test_database_agrees_with_rank_for_every_unit(province, year):
    result = invoke("rank", "-w", province, "-y", str(year), "--format", "json")
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.stdout)
    stored = {row[0]: row[1:] for row in database_rows(
        province, 'SELECT code, block, name, rank, index_published, "index", points,'
        " max_points, band, leader_rating, previous_rank, rank_change FROM units"
        " WHERE year = ?", year)}
    expected = {u["code"]: (b["block"], u["name"], u["rank"], u["index_published"],
                            u["index"], u["points"], u["max_points"], u["band"],
                            u["leader_rating"], u["previous_rank"], u["rank_change"])
                for b in ranked["blocks"] for u in b["units"]}
    assert stored == expected
    areas = database_rows(province, 'SELECT code, area, points, max_points, "index"'
                          " FROM areas WHERE year = ? ORDER BY code, area", year)
    expected_areas = sorted((u["code"], a["code"], a["points"], a["max_points"], a["index"])
                            for b in ranked["blocks"] for u in b["units"] for a in u["areas"])
    assert sorted(areas) == expected_areas


def test_leaves_with_named_inputs_keep_them_as_json(province):
    scored = json.loads(invoke("score", "-w", province, "-y", "2023", "--format",
                               "json").stdout)
    leaves = {(u["code"], leaf["code"]): leaf for b in scored["blocks"] for u in b["units"]
              for leaf in u["leaves"]}
    stored = database_rows(province, "SELECT code, criterion, input, value, points FROM"
                           " leaves WHERE year = 2023")
    assert len(stored) == len(leaves)
    named = [row for row in stored if isinstance(leaves[row[:2]]["input"], dict)]
    assert len(named) > 100  # the example's criteria use named inputs
    for code, criterion, text, value, points in named:
        leaf = leaves[(code, criterion)]
        assert json.loads(text) == leaf["input"]
        assert (value, points) == (leaf["value"], leaf["points"])


def test_database_holds_the_imported_year_as_typed(province):
    typed = {row[0]: row for row in table_2021(province)}
    stored = database_rows(province, "SELECT code, name, block, rank, index_published,"
                           " band, previous_rank FROM units WHERE year = 2021")
    assert len(stored) == len(typed)
    for code, name, block, rank, index, band_, previous in stored:
        assert (name, block, rank, index, band_) == tuple(typed[code][1:])
        assert previous is None  # no 2020 in the database
    assert database_rows(province, "SELECT source, source_file FROM years WHERE year = 2021"
                         ) == [("file", "nhap/ket-qua-2021.xlsx")]


def dump(root: Path) -> dict[str, list[tuple]]:
    tables = ("years", "units", "areas", "leaves", "sources")
    return {t: sorted(database_rows(root, f"SELECT * FROM {t}"), key=repr) for t in tables}


def test_publishing_again_is_refused_without_replace_and_idempotent_with_it(province):
    before = dump(province)
    refused = invoke("publish", "-w", province, "-y", "2023")
    assert refused.exit_code == 1
    assert "đã có trong cơ sở dữ liệu" in refused.stderr and "--replace" in refused.stderr
    assert dump(province) == before
    for args in (("-y", "2023", "--as-of", "2024-02-05"),
                 ("-y", "2021", "--from", province / "nhap" / "ket-qua-2021.xlsx",
                  "--as-of", "2022-02-10")):
        again = invoke("publish", "-w", province, "--replace", *args)
        assert again.exit_code == 0, again.output
        assert "Đã ghi đè" in again.stdout
    assert dump(province) == before


def test_rank_compares_with_the_published_year_in_the_database(province):
    document = json.loads(invoke("rank", "-w", province, "-y", "2023", "--format",
                                 "json").stdout)
    assert document["previous_source"] == "database"
    assert document["previous"] == {"year": 2022, "source": "database", "file": DATABASE}


def test_page_shows_streaks_and_years(province):
    page = (province / "results/2023/cong-bo-2023.html").read_text(encoding="utf-8")
    assert "<b>Thị xã Mẫu Giang</b>: đứng đầu khối năm thứ 3 liên tiếp, xếp loại Xuất sắc" \
           " năm thứ 3 liên tiếp" in page
    assert "<b>Sở Xây dựng</b>: 2 năm liên tiếp tăng bậc" in page
    # Each unit's trend over the three years, its former code's years included.
    assert 'aria-label="2021: 80,00 %; 2022: 78,98 %; 2023: 82,61 %"' in page
    assert page.count(">2021–2023</th>") == 4
    assert page.count("qua các năm (cao nhất, bình quân, thấp nhất)</title>") == 4
    # Block trend of UBND cấp huyện, 2021: ranks 1..10 typed as 94..85.
    assert "2021: cao nhất 94,00 %, bình quân 89,50 %, thấp nhất 85,00 %" in page


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.text.strip()]


def test_news_item_tells_podiums_and_streaks_in_the_portals_style(province):
    text = "\n".join(paragraphs(province / "results/2023/tin-bai-2023.docx"))
    assert ("Ở khối UBND cấp huyện: Thị xã Mẫu Giang giữ vị trí số 1 (năm thứ 3 liên tiếp)"
            " với chỉ số 92,37\u00a0%") in text
    # BDTTG: 9th in 2022 (as published), 3rd in 2023.
    assert "xếp vị trí số 3 là Ban Dân tộc và Tôn giáo (tăng 6 bậc so với năm 2022)" in text
    assert "Ở khối Sở, ban, ngành" not in text and "Ở khối sở, ban, ngành: Sở Xây dựng" \
        " xếp vị trí số 1 (tăng 2 bậc so với năm 2022)" in text
    assert "Đáng chú ý, Sở Xây dựng 2 năm liên tiếp tăng bậc" in text
    report = "\n".join(paragraphs(province / "results/2023/bao-cao-2023.docx"))
    assert "Thị xã Mẫu Giang đứng đầu khối năm thứ 3 liên tiếp" in report


def test_history_gives_each_blocks_figures_over_the_years(province):
    """The year × block panel (pandas): in 2021 the central agencies' block, typed with
    index = 95 − rank for ranks 1 to 6, has indices 94, 93, 92, 91, 90, 89."""
    document = history_json(province)
    trends = {t["block"]: t for t in document["blocks"]}
    assert list(trends) == ["so-nganh", "huyen", "xa", "tw"]  # cchc.yaml's order
    years = {y["year"]: y for y in trends["tw"]["years"]}
    # 6 units; mean (94 + 93 + 92 + 91 + 90 + 89) ÷ 6 = 549 ÷ 6 = 91.5; range 89–94;
    # the first recorded year has nothing to change from.
    assert years[2021] == {"year": 2021, "units": 6, "mean": 91.5, "highest": 94,
                           "lowest": 89, "change": None}
    # Later years: the mean of the published indices the units list, exactly, and the
    # change from the year before.
    for year in (2022, 2023):
        published = [D(str(e["index_published"])) for u in document["units"]
                     for e in u["years"] if e["year"] == year and e["block"] == "tw"
                     and e["rank"] is not None]
        mean = (sum(published) / len(published)).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        assert D(str(years[year]["mean"])) == mean
        assert years[year]["units"] == len(published)
        assert D(str(years[year]["change"])) == mean - D(str(years[year - 1]["mean"]))
    text = invoke("history", "-w", province).stdout
    assert "Chỉ số của các khối qua các năm" in text and "91,50" in text
