"""The benchmark script, at tiny sizes, so that it cannot rot (no timing asserted)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip("pandas")


def load_bench():
    spec = importlib.util.spec_from_file_location("cchc_bench", ROOT / "tests/perf/bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_benchmark_smoke_run(tmp_path, capsys):
    bench = load_bench()
    results = bench.main(["--smoke", "--work", str(tmp_path), "--no-national"])
    province = results["province"]
    assert province["rank"]["exit"] == 0 and province["report"]["exit"] == 0
    assert province["disputes"]["exit"] == 0 and "bounds" in province["disputes"]["stages"]
    assert province["files"] > province["units"] >= 19
    assert province["rank"]["wall"] > 0 and province["naive_read"] > 0
    assert set(province["rank"]["stages"]) >= {"read", "score", "rank", "write"}
    assert province["rank"]["peak_mb"] > 10
    assert [row["units"] for row in results["growth"]] == [5, 10, 20]
    collection = results["collection"]
    assert [collection[k]["exit"] for k in ("status", "feedback", "feedback_flawed")] == [0] * 3
    # In the copy whose criteria changed, every unit's workbook came back marked up.
    flawed = tmp_path / "smoke-flawed" / "results" / "2023" / "gui-don-vi"
    assert len(list(flawed.glob("*-can-sua.xlsx"))) == province["units"]
    table = capsys.readouterr().out
    assert "| `cchc rank`, tỉnh" in table and "≥ 8×" in table
    assert "| `cchc whatif --disputes`, tỉnh" in table
    assert "| `cchc status`, tỉnh" in table and "biểu nào cũng cần sửa" in table
    assert (tmp_path / "results.json").exists()
    history = results["history"]
    assert [history[k]["exit"] for k in ("import", "publish", "history")] == [0, 0, 0]
    assert "| `cchc publish`, tỉnh" in table and "| `cchc history`, tỉnh" in table
    assert not (tmp_path / "smoke" / "results" / "chi-so-cchc.sqlite").exists()
