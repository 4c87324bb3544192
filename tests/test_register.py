"""The unit register (SPEC §6): headers found by text, problems named by cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from cchc_cli.criteria import parse_criteria
from cchc_cli.readers.register import check_not_applicable, read_register
from cchc_cli.settings import Settings
from tests.conftest import MINIMAL_CRITERIA

BLOCKS = Settings().blocks


def build(path: Path, rows: list[list], *, sheet: str = "Đơn vị", title_rows: int = 2) -> Path:
    """A register as a person makes it: title rows, then a header, then units."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    for r in range(title_rows):
        ws.cell(row=r + 1, column=1, value=f"Dòng tiêu đề {r + 1}")
    for r, row in enumerate(rows, start=title_rows + 1):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    workbook.save(path)
    return path


def test_headers_found_by_text_in_any_order(tmp_path):
    path = build(
        tmp_path / "don-vi.xlsx",
        [
            ["Ghi chú", "  KHỐI ", "Tên đơn vị", "Mã  đơn vị", "Không áp dụng", "Mã năm trước"],
            ["", "so-nganh", "Sở Tư pháp", "STP", "1.1, 2", ""],
            ["x", "so-nganh", "Sở Nội vụ", "SNV", "", "SNV-CU"],
            ["", "", "", "", "", ""],
            ["", "so-nganh", "Sở Tài chính", "STC", "", "SKH, STC"],
        ],
    )
    register, issues = read_register(path, file="data/2023/don-vi.xlsx", blocks=BLOCKS)
    assert issues == []
    assert list(register.units) == ["STP", "SNV", "STC"]
    stp = register.units["STP"]
    assert stp.cell == "D4" and stp.na_cell == "E4"
    assert stp.not_applicable == ("1.1", "2")
    assert register.units["SNV"].previous == ("SNV-CU",)
    assert register.units["STC"].previous == ("SKH", "STC")


def test_duplicate_codes_unknown_blocks_and_missing_values_name_the_cell(tmp_path):
    path = build(
        tmp_path / "don-vi.xlsx",
        [
            ["Mã đơn vị", "Tên đơn vị", "Khối"],
            ["STP", "Sở Tư pháp", "so-nganh"],
            ["STP", "Sở Tư pháp (trùng)", "so-nganh"],
            ["HX", "Huyện X", "quan"],
            ["SYT", "", "so-nganh"],
        ],
        title_rows=0,
    )
    register, issues = read_register(path, file="data/2023/don-vi.xlsx", blocks=BLOCKS)
    found = {(i.code, i.cell, i.unit) for i in issues}
    assert found == {
        ("don-vi-trung-ma", "A3", "STP"),
        ("don-vi-khoi-la", "C4", "HX"),
        ("don-vi-thieu-gia-tri", "B5", "SYT"),
    }
    dup = next(i for i in issues if i.code == "don-vi-trung-ma")
    assert "A2" in dup.message and dup.sheet == "Đơn vị"


def test_unknown_criteria_codes_in_not_applicable(tmp_path):
    path = build(
        tmp_path / "don-vi.xlsx",
        [["Mã đơn vị", "Tên đơn vị", "Khối", "Không áp dụng"],
         ["STP", "Sở Tư pháp", "so-nganh", "1.1; 9.9"]],
        title_rows=0,
    )
    register, issues = read_register(path, file="data/2023/don-vi.xlsx", blocks=BLOCKS)
    assert issues == []
    criteria, _ = parse_criteria(MINIMAL_CRITERIA, settings=Settings(), file="c.yaml")
    found = check_not_applicable(register, {"so-nganh": criteria}, sheet=register.sheet)
    assert [(i.code, i.cell, i.criterion) for i in found] == [("khong-ap-dung-ma-la", "D2", "9.9")]


def test_missing_header_names_the_columns(tmp_path):
    path = build(tmp_path / "don-vi.xlsx", [["Mã đơn vị", "Tên"], ["A", "B"]])
    register, issues = read_register(path, file="data/2023/don-vi.xlsx", blocks=BLOCKS)
    assert register is None
    assert [i.code for i in issues] == ["thieu-cot"]
    assert "'Tên đơn vị'" in issues[0].message and "'Khối'" in issues[0].message
    assert issues[0].sheet == "Đơn vị"


def test_missing_register_file(tmp_path):
    register, issues = read_register(tmp_path / "don-vi.xlsx", file="data/2023/don-vi.xlsx",
                                      blocks=BLOCKS)
    assert register is None
    assert [i.code for i in issues] == ["thieu-danh-sach-don-vi"]


def test_numeric_unit_codes_are_text(tmp_path):
    path = build(tmp_path / "don-vi.xlsx",
                 [["Mã đơn vị", "Tên đơn vị", "Khối"], [101, "Xã Một", "xa"]], title_rows=0)
    register, _ = read_register(path, file="f", blocks=BLOCKS)
    assert list(register.units) == ["101"]
