"""`cchc publish --from`: a year published before cchc, typed from the decision (SPEC
§13.4), and every problem such a table can have, at its cell."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from tests.builders import PUBLISHED_HEADERS, Sandbox, write_published

DATABASE = "results/chi-so-cchc.sqlite"
WITH_FORMER = ["Mã đơn vị", "Tên đơn vị", "Khối", "Xếp hạng", "Chỉ số", "Mã năm trước"]


@pytest.fixture
def box(tmp_path) -> Sandbox:
    return Sandbox(tmp_path / "ws")


def units(root: Path, year: int) -> dict[str, tuple]:
    with sqlite3.connect(root / DATABASE) as connection:
        found = connection.execute(
            "SELECT code, rank, index_published, index_published_text, band, leader_rating,"
            " previous_codes, previous_rank, rank_change, change_note FROM units"
            " WHERE year = ?", (year,)).fetchall()
    return {row[0]: row[1:] for row in found}


def test_a_typed_year_is_recorded_with_bands_from_cchc_yaml(box, cli):
    table = write_published(box.root / "cu" / "2021.xlsx", [
        ["STP", "Sở Tư pháp", "so-nganh", 1, 91.5, ""],
        ["SNV", "Sở Nội vụ", "so-nganh", 2, "80,25", ""],
        ["STC", "Sở Tài chính", "so-nganh", 3, 69.99, "SKH, STC-CU"],
    ], headers=WITH_FORMER)
    result = cli("publish", "-w", box.root, "-y", "2021", "--from", table)
    assert result.exit_code == 0, result.output
    assert "nhập từ cu/2021.xlsx" in result.stdout
    # No 'Xếp loại' column: bands from the default classification (90 / 80 / 70 / 50).
    assert units(box.root, 2021) == {
        "STP": (1, 91.5, "91.5", "Xuất sắc", "Hoàn thành xuất sắc nhiệm vụ", None, None,
                None, None),
        "SNV": (2, 80.25, "80.25", "Tốt", "Hoàn thành tốt nhiệm vụ", None, None, None, None),
        "STC": (3, 69.99, "69.99", "Trung bình", "Hoàn thành nhiệm vụ", "SKH, STC-CU", None,
                None, None),
    }


def test_a_typed_year_is_compared_with_the_year_before_it_in_the_database(box, cli):
    first = write_published(box.root / "cu" / "2021.xlsx", [
        ["STP", "Sở Tư pháp", "so-nganh", 1, 91.5, "Xuất sắc"],
        ["SNV", "Sở Nội vụ", "so-nganh", 2, 85, "Tốt"],
        ["STC", "Sở Tài chính", "so-nganh", 3, 70, "Khá"],
        ["H1", "Huyện Một", "huyen", 1, 88, "Tốt"],
    ])
    second = write_published(box.root / "cu" / "2022.xlsx", [
        ["SNV", "Sở Nội vụ", "so-nganh", 1, 90, ""],
        ["STP", "Sở Tư pháp", "so-nganh", 2, 89, ""],
        ["STC2", "Sở Tài chính (tên mới)", "so-nganh", 3, 75, "STC"],
        ["MOI", "Sở Mới", "so-nganh", 4, 60, ""],
        ["H1", "Huyện Một", "so-nganh", 5, 55, ""],
        ["H2", "Huyện Hai", "huyen", 1, 80, "H1, H3"],
    ], headers=[*PUBLISHED_HEADERS[:5], "Mã năm trước"])
    for year, table in ((2021, first), (2022, second)):
        result = cli("publish", "-w", box.root, "-y", str(year), "--from", table)
        assert result.exit_code == 0, result.output
    got = {code: row[-3:] for code, row in units(box.root, 2022).items()}
    # previous rank, change = previous − now, why there is none.
    assert got == {"SNV": (2, 1, None), "STP": (1, -1, None), "STC2": (3, 0, None),
                   "MOI": (None, None, "mới"), "H1": (None, None, "đổi khối"),
                   "H2": (None, None, "hợp nhất")}


def cells(document: dict, code: str) -> list[str]:
    return [i["cell"] for i in document["issues"] if i["code"] == code]


def test_every_problem_of_a_typed_table_is_named_at_its_cell(box, cli):
    # Header on row 3: A code, B name, C block, D rank, E index, F band; data from row 4.
    table = write_published(box.root / "cu" / "2021.xlsx", [
        ["STP", "Sở Tư pháp", "so-nganh", 1, 91.5, ""],        # row 4: fine
        ["SNV", "", "so-nganh", 2, 85, ""],                      # row 5: no name
        ["STC", "Sở Tài chính", "khong-co", 3, 80, ""],          # row 6: unknown block
        ["STP", "Sở Tư pháp", "so-nganh", 4, 79, ""],            # row 7: code twice
        ["SKH", "Sở Kế hoạch", "so-nganh", "hai", 78, ""],       # row 8: rank not a number
        ["SXD", "Sở Xây dựng", "so-nganh", 1.5, 77, ""],         # row 9: rank not whole
        ["SCT", "Sở Công Thương", "so-nganh", 7, 120, ""],       # row 10: index > 100
    ])
    result = cli("publish", "-w", box.root, "-y", "2021", "--from", table, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["recorded"] is False
    assert cells(document, "don-vi-thieu-gia-tri") == ["B5"]
    assert cells(document, "don-vi-khoi-la") == ["C6"]
    assert cells(document, "don-vi-trung-ma") == ["A7"]
    assert cells(document, "khong-phai-so") == ["D8", "D9"]
    assert cells(document, "chi-so-ngoai-khoang") == ["E10"]
    assert all(i["file"] == "cu/2021.xlsx" and i["sheet"] == "Xếp hạng năm trước"
               for i in document["issues"])
    assert not (box.root / DATABASE).exists()


def test_warnings_of_a_typed_table_do_not_stop_it(box, cli):
    table = write_published(box.root / "cu" / "2021.xlsx", [
        ["STP", "Sở Tư pháp", "so-nganh", 1, 80, ""],
        ["SNV", "Sở Nội vụ", "so-nganh", 2, 85, ""],       # higher index, worse rank
        ["STC", "Sở Tài chính", "so-nganh", 3, 0.6512, ""],  # a percentage cell's 65,12 %
    ])
    result = cli("publish", "-w", box.root, "-y", "2021", "--from", table, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    warnings = {i["code"]: i for i in document["issues"]}
    assert warnings["xep-hang-khong-khop-chi-so"]["cell"] == "A5"
    assert warnings["xep-hang-khong-khop-chi-so"]["other"] == "STP"
    assert warnings["chi-so-co-the-la-phan-so"]["cell"] == "E6"
    assert "65,12" in warnings["chi-so-co-the-la-phan-so"]["message"]
    assert document["recorded"] is True and document["units"] == 3


def test_a_table_without_its_columns_or_its_sheet(box, cli):
    missing = write_published(box.root / "cu" / "thieu.xlsx", [["STP", 1, 90]],
                              headers=["Mã đơn vị", "Xếp hạng", "Chỉ số"])
    document = json.loads(cli("publish", "-w", box.root, "-y", "2021", "--from", missing,
                              "--format", "json").stdout)
    found = next(i for i in document["issues"] if i["code"] == "thieu-cot")
    assert "'Khối'" in found["message"] and "'Tên đơn vị'" in found["message"]
    other = box.root / "cu" / "trang-khac.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Kết quả"
    workbook.save(other)
    result = cli("publish", "-w", box.root, "-y", "2021", "--from", other)
    assert result.exit_code == 1
    assert "Xếp hạng năm trước" in result.stdout


def test_from_needs_the_year_and_an_existing_file(box, cli):
    table = write_published(box.root / "cu" / "2021.xlsx",
                            [["STP", "Sở Tư pháp", "so-nganh", 1, 90, ""]])
    no_year = cli("publish", "-w", box.root, "--from", table)
    assert no_year.exit_code == 2
    assert "--year" in no_year.stderr
    assert cli("publish", "-w", box.root, "-y", "2021", "--from",
               box.root / "khong-co.xlsx").exit_code == 2
