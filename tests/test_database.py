"""The results database `results/chi-so-cchc.sqlite` (SPEC §13.4): its tables, what a
publish refuses, where last year comes from, and a database that cannot be used."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest

from cchc_cli.readers.register import Unit
from tests.builders import Sandbox
from tests.test_ranking import two_years, write_previous_file

DATABASE = "results/chi-so-cchc.sqlite"

# SPEC §13.4, "Tables (at least)".
SPEC_COLUMNS = {
    "years": ["year", "published_at", "source", "criteria_fingerprints"],
    "units": ["year", "block", "code", "name", "status", "points", "max_points", "index",
              "index_published", "rank", "band", "leader_rating", "previous_rank",
              "rank_change", "previous_codes"],
    "areas": ["year", "code", "area", "name", "points", "max_points", "index"],
    "leaves": ["year", "code", "criterion", "input", "value", "source", "na", "points",
               "max"],
}
PRIMARY_KEYS = {"years": ["year"], "units": ["year", "code"],
                "areas": ["year", "code", "area"], "leaves": ["year", "code", "criterion"]}


def rows(root: Path, query: str, *parameters: object) -> list[tuple]:
    with sqlite3.connect(root / DATABASE) as connection:
        return connection.execute(query, parameters).fetchall()


def test_tables_columns_and_primary_keys_are_those_of_the_spec(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    result = cli("publish", "-w", box.root, "--as-of", "2024-02-05")
    assert result.exit_code == 0, result.output
    assert "Năm đánh giá: 2023" in result.stderr  # the latest year, said on stderr
    with sqlite3.connect(box.root / DATABASE) as connection:
        for table, wanted in SPEC_COLUMNS.items():
            info = connection.execute(f"PRAGMA table_info({table})").fetchall()
            names = [row[1] for row in info]
            assert names[:len(wanted)] == wanted
            keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
            assert keys == PRIMARY_KEYS[table]
    years = rows(box.root, "SELECT year, published_at, source, criteria_fingerprints FROM years")
    assert years[0][:3] == (2023, "2024-02-05T00:00:00", "inputs")
    fingerprint = box.criteria().fingerprint
    assert json.loads(years[0][3]) == {"so-nganh": fingerprint}
    files = {row[0] for row in rows(box.root, "SELECT file FROM sources")}
    assert "data/2023/don-vi.xlsx" in files and "data/2023/khao-sat/khao-sat.xlsx" in files


def test_numbers_are_stored_as_published(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    assert cli("publish", "-w", box.root).exit_code == 0
    ranked = json.loads(cli("rank", "-w", box.root, "--format", "json").stdout)
    unit = ranked["blocks"][0]["units"][0]
    stored = rows(box.root, 'SELECT index_published, index_published_text, "index", points'
                  " FROM units WHERE code = ?", unit["code"])[0]
    # REAL, rounded as the JSON of rank; the published text keeps its two decimals.
    assert stored[0] == unit["index_published"]
    assert stored[1] == f"{D(str(unit['index_published'])):.2f}"
    assert stored[2:] == (unit["index"], unit["points"])
    # Every leaf of the unit, as `score --format json` gives it.
    scored = json.loads(cli("score", "-w", box.root, "--format", "json").stdout)
    leaves = {leaf["code"]: leaf for leaf in scored["blocks"][0]["units"][0]["leaves"]}
    stored_leaves = rows(box.root, "SELECT criterion, input, value, source, na, points, max"
                         " FROM leaves WHERE code = ?", unit["code"])
    assert {row[0] for row in stored_leaves} == set(leaves)
    for criterion, value_in, value, source, na, points, top in stored_leaves:
        leaf = leaves[criterion]
        assert (value, source, bool(na), points, top) == (
            leaf["value"], leaf["source"], leaf["na"], leaf["points"], leaf["max"])
        expected = leaf["input"]
        assert value_in == (None if expected is None else str(expected))


def test_a_year_with_errors_is_not_recorded(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.self_form("STP")  # SNV and STC have sent nothing: errors
    box.survey_form()
    result = cli("publish", "-w", box.root, "-y", "2023")
    assert result.exit_code == 1
    assert "chưa ghi năm 2023" in result.stdout
    assert not (box.root / DATABASE).exists()
    document = json.loads(cli("publish", "-w", box.root, "-y", "2023", "--format",
                              "json").stdout)
    assert document["recorded"] is False
    assert {"thieu-tu-danh-gia"} <= {i["code"] for i in document["issues"]}


def test_last_year_comes_from_the_database_first(tmp_path, cli):
    last, this = two_years(tmp_path)
    assert cli("publish", "-w", last.root, "-y", "2022").exit_code == 0
    # The published figures, not a recomputation: change them in the database.
    with sqlite3.connect(last.root / DATABASE) as connection:
        connection.execute("UPDATE units SET rank = 2 WHERE year = 2022 AND code = 'STC'")
        connection.execute("UPDATE units SET rank = 3 WHERE year = 2022 AND code = 'SNV'")
    # And take year 2022's inputs away: they must not be needed.
    shutil.rmtree(last.root / "data" / "2022")
    shutil.rmtree(last.root / "criteria" / "2022")
    document = json.loads(cli("rank", "-w", this.root, "-y", "2023", "--format",
                              "json").stdout)
    assert document["previous_source"] == "database"
    got = {u["code"]: (u["rank"], u["previous_rank"], u["rank_change"])
           for u in document["blocks"][0]["units"]}
    # 2023: STC 1, SNV 2, STP 3; 2022 as recorded now: STP 1, STC 2, SNV 3.
    assert got == {"STC": (1, 2, 1), "SNV": (2, 3, 1), "STP": (3, 1, -2)}


def test_last_year_from_inputs_then_from_nam_truoc(tmp_path, cli):
    _, this = two_years(tmp_path)
    document = json.loads(cli("rank", "-w", this.root, "-y", "2023", "--format",
                              "json").stdout)
    assert document["previous_source"] == "inputs"
    alone = Sandbox(tmp_path / "alone")
    alone.complete()
    document = json.loads(cli("rank", "-w", alone.root, "--format", "json").stdout)
    assert document["previous_source"] is None and document["previous"] is None
    write_previous_file(alone.data / "nam-truoc.xlsx", [["STP", "", 90, 1]])
    document = json.loads(cli("rank", "-w", alone.root, "--format", "json").stdout)
    assert document["previous_source"] == "file"


def test_a_broken_database_is_a_warning_for_rank_and_stops_publish_and_history(tmp_path,
                                                                                cli):
    _, this = two_years(tmp_path)
    broken = this.root / DATABASE
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(b"this is not a database" * 100)
    result = cli("rank", "-w", this.root, "-y", "2023", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["previous_source"] == "inputs"
    warning = next(i for i in document["issues"] if i["code"] == "co-so-du-lieu-loi")
    assert warning["severity"] == "warning" and warning["file"] == DATABASE
    for command in (("publish", "-y", "2023"), ("history",)):
        stopped = cli(*command, "-w", this.root)
        assert stopped.exit_code == 3, stopped.output
        assert "không phải tệp SQLite hợp lệ" in stopped.stderr
        assert "Traceback" not in stopped.output
    assert broken.read_bytes() == b"this is not a database" * 100  # left as it was


def test_a_database_that_cannot_be_opened_stops_publish(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    # A folder where the file should be: SQLite cannot open it (as a read-only folder
    # would, for any user including root).
    (box.root / DATABASE).mkdir(parents=True)
    result = cli("publish", "-w", box.root)
    assert result.exit_code == 3
    assert "results/chi-so-cchc.sqlite không ghi hoặc không mở được" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 command")
def test_the_file_opens_in_the_sqlite3_command_line_tool(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.write_register([Unit("STP", "Sở Tư pháp", "so-nganh"),
                        Unit("SNV", "Sở Nội vụ", "so-nganh", previous=("SNV-CU", "SCU"))])
    box.complete()
    assert cli("publish", "-w", box.root).exit_code == 0
    query = ('SELECT code, rank, previous_codes FROM units WHERE year = 2023'
             ' AND index_published >= 50 ORDER BY code;')
    out = subprocess.run(["sqlite3", str(box.root / DATABASE), query], capture_output=True,
                         text=True, check=True).stdout
    # Same self-assessments: a tie at rank 1; SNV's former codes kept as typed.
    assert out.splitlines() == ["SNV|1|SNV-CU, SCU", "STP|1|"]
