"""Reading a year's files: parallel and sequential give the same records."""

from __future__ import annotations

from cchc_cli import inputs as inputs_module
from cchc_cli.inputs import read_year
from tests.builders import Sandbox


def test_parallel_reading_gives_the_same_result(tmp_path, monkeypatch):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    sequential = read_year(box.workspace(), 2023, jobs=1)
    monkeypatch.setattr(inputs_module, "PARALLEL_MIN_FILES", 1)
    seen: list[tuple[int, int]] = []
    parallel = read_year(box.workspace(), 2023, jobs=2,
                         progress=lambda done, total: seen.append((done, total)))
    assert parallel.self_forms == sequential.self_forms
    assert parallel.survey == sequential.survey
    assert [f.file for f in parallel.files] == [f.file for f in sequential.files]
    assert seen[-1] == (4, 4)
