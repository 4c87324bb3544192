"""Reading a year's files: parallel and sequential give the same records."""

from __future__ import annotations

import concurrent.futures

import pytest

from cchc_cli import inputs as inputs_module
from cchc_cli.inputs import default_jobs, effective_jobs, read_year
from tests.builders import Sandbox


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_parallel_reading_gives_the_same_result(tmp_path, monkeypatch, method):
    """Workers forked (Linux) or spawned (Windows, CCHC_START_METHOD=spawn) read the
    same records as this process alone."""
    monkeypatch.setenv("CCHC_START_METHOD", method)
    box = Sandbox(tmp_path / "ws")
    box.complete()
    sequential = read_year(box.workspace(), 2023, jobs=1)
    monkeypatch.setattr(inputs_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(inputs_module, "FILES_PER_PROCESS", 1)
    pools: list[int] = []
    real_pool = concurrent.futures.ProcessPoolExecutor

    def spy(*args, **kwargs):
        pools.append(kwargs["max_workers"])
        assert kwargs["mp_context"].get_start_method() == method
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", spy)
    seen: list[tuple[int, int]] = []
    parallel = read_year(box.workspace(), 2023, jobs=2,
                         progress=lambda done, total: seen.append((done, total)))
    assert parallel.self_forms == sequential.self_forms
    assert parallel.survey == sequential.survey
    assert [f.file for f in parallel.files] == [f.file for f in sequential.files]
    assert seen[-1] == (4, 4)
    assert pools == [1]  # this process and one worker really read in parallel


@pytest.mark.parametrize(("jobs", "files", "expected"), [
    (2, 39, 1),       # below PARALLEL_MIN_FILES (40): no pool
    (2, 40, 2),
    (4, 60, 3),       # 60 files // 20 per process
    (64, 300, 15),    # a big server does not fork 64 processes for a province
    (2, 10_600, 2),
    (1, 10_600, 1),
])
def test_effective_jobs(jobs, files, expected):
    assert effective_jobs(jobs, files) == expected


def test_default_jobs_respects_affinity_and_container_quota(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs_module.os, "sched_getaffinity", lambda pid: set(range(64)),
                        raising=False)
    quota = tmp_path / "cpu.max"
    monkeypatch.setattr(inputs_module, "CGROUP_CPU_MAX", quota)
    assert default_jobs() == 64  # no cgroup file
    quota.write_text("max 100000\n")
    assert default_jobs() == 64  # no quota
    quota.write_text("200000 100000\n")
    assert default_jobs() == 2  # 200 ms of CPU per 100 ms: 2 CPUs
    quota.write_text("150000 100000\n")
    assert default_jobs() == 2  # 1.5 CPUs: rounded up
    monkeypatch.setattr(inputs_module.os, "sched_getaffinity", lambda pid: {0},
                        raising=False)
    assert default_jobs() == 1  # pinned to one CPU
