"""The committed example province: generated deterministically, and valid."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.builders import edit
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "tinh-mau"


def load_generator():
    """examples/generate.py is a script, not a package module: load it by path."""
    if "cchc_example_generator" in sys.modules:
        return sys.modules["cchc_example_generator"]
    spec = importlib.util.spec_from_file_location("cchc_example_generator",
                                                  ROOT / "examples/generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


def workbook_values(path: Path) -> dict[str, list]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names}


def generated_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and p.name != "README.md"
                  and not p.relative_to(root).as_posix().startswith(("results/", "forms/")))


@pytest.mark.slow
def test_committed_example_is_what_the_generator_produces(tmp_path):
    fresh = tmp_path / "tinh-mau"
    generator = load_generator()
    generator.generate(fresh, generator.PROFILES["example"])
    assert generated_files(fresh) == generated_files(EXAMPLE)
    for rel in generated_files(fresh):
        mine, committed = fresh / rel, EXAMPLE / rel
        if rel.endswith(".xlsx"):
            assert workbook_values(mine) == workbook_values(committed), rel
        else:
            assert mine.read_bytes() == committed.read_bytes(), rel


def test_example_covers_what_it_promises():
    files = generated_files(EXAMPLE)
    for year in (2022, 2023):
        assert f"data/{year}/don-vi.xlsx" in files
        for block in ("so-nganh", "huyen", "xa", "tw"):
            assert f"criteria/{year}/{block}.yaml" in files
        assert any(f.startswith(f"data/{year}/tham-dinh/") and f.endswith("vong-2.xlsx")
                   for f in files)
        assert f"data/{year}/khao-sat/khao-sat-{year}.xlsx" in files
    assert "TỔNG HỢP" in (EXAMPLE / "cchc.yaml").read_text(encoding="utf-8")


def test_example_2023_validates(cli):
    result = cli("validate", "-w", EXAMPLE, "--year", "2023")
    assert result.exit_code == 0, result.stdout
    assert "Hợp lệ" in result.stdout


def test_example_2022_validates(cli):
    assert cli("validate", "-w", EXAMPLE, "--year", "2022").exit_code == 0


def test_breaking_one_cell_of_the_example_names_it(cli, tmp_path):
    copy = tmp_path / "tinh-mau"
    shutil.copytree(EXAMPLE, copy)
    form = copy / "data/2023/tu-danh-gia/tu-danh-gia-SYT.xlsx"
    rows = CalamineWorkbook.from_path(str(form)).get_sheet_by_name("Tự đánh giá").to_python(
        skip_empty_area=False)
    # The first manual leaf: its Điểm tự chấm cell (column G) gets a score above its max.
    r = next(i for i, row in enumerate(rows) if str(row[3]).startswith("Tự chấm từ 0"))
    cell = f"G{r + 1}"
    edit(form, {cell: 99}, sheet="Tự đánh giá")
    result = cli("validate", "-w", copy, "--year", "2023")
    assert result.exit_code == 1
    assert f"tu-danh-gia-SYT.xlsx, Tự đánh giá!{cell}" in result.stdout
    assert "tu-cham-vuot-toi-da" in result.stdout
