"""Worker and sandbox processes on every platform: fork or spawn, and the guards around
what only Linux has (``resource``, ``/proc``, ``signal.alarm``, CPU affinity)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_cli import inputs as inputs_module
from cchc_cli.errors import UsageError
from cchc_cli.processes import START_METHOD_ENV, start_method
from cchc_cli.readers import workbook
from cchc_cli.readers.workbook import open_book
from tests.builders import Sandbox
from tests.hostile import truth as t

# The start methods this system has (Windows: spawn only).
METHODS = [m for m in ("fork", "spawn") if m in multiprocessing.get_all_start_methods()]


def test_start_method_default_and_forced(monkeypatch):
    monkeypatch.delenv(START_METHOD_ENV, raising=False)
    available = multiprocessing.get_all_start_methods()
    assert start_method() == ("fork" if "fork" in available else "spawn")
    monkeypatch.setenv(START_METHOD_ENV, " Spawn ")
    assert start_method() == "spawn"
    monkeypatch.setenv(START_METHOD_ENV, "thread")
    with pytest.raises(UsageError) as refused:
        start_method()
    assert "CCHC_START_METHOD='thread'" in str(refused.value)


def test_unknown_start_method_is_a_usage_error(tmp_path, cli, monkeypatch):
    """Reading an .ods needs a sandbox process: a start method the system lacks stops
    the command with exit 2 and says which ones exist."""
    box = Sandbox(tmp_path / "ws")
    box.complete()
    t.rebuilt(box.data / "tu-danh-gia" / "tu-danh-gia-STP.xlsx", "ods")
    monkeypatch.setenv(START_METHOD_ENV, "khong-co")
    result = cli("validate", "-w", box.root, "--year", "2023")
    assert result.exit_code == 2
    assert "CCHC_START_METHOD='khong-co'" in result.stderr and "spawn" in result.stderr


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_sandboxed_reader_under_each_start_method(tmp_path, monkeypatch, method, fmt):
    """The .xls/.ods reader's child process, forked or spawned, sends back the same
    sheets, values and marks."""
    monkeypatch.setenv(START_METHOD_ENV, method)
    sheets = [("Một", [[t.Percent(0.964), "chữ"], [t.Formula(), 2.5]])]
    data = t.xls_book(sheets) if fmt == "xls" else t.ods_book(sheets)
    path = tmp_path / f"so-lieu.{fmt}"
    path.write_bytes(data)
    book = open_book(path)
    assert book._workbook is None  # read in the child: nothing parsed here
    sheet = book.sheet("Một")
    assert sheet.rows[0][:2] == [0.964, "chữ"] and sheet.rows[1][1] == 2.5
    assert (sheet.percent, sheet.uncached) == ({(0, 0)}, {(1, 0)})


def test_sandbox_limits_without_linux_facilities():
    """As on Windows: no ``resource`` module, no ``signal.alarm``, no /proc — the child
    sets no limit it cannot, and reads on (the parent's time limit still holds)."""
    code = (
        "import sys, signal\n"
        "sys.modules['resource'] = None\n"
        "del signal.alarm\n"
        "import builtins\n"
        "real_open = builtins.open\n"
        "def no_proc(path, *a, **k):\n"
        "    if str(path).startswith('/proc'):\n"
        "        raise FileNotFoundError(path)\n"
        "    return real_open(path, *a, **k)\n"
        "builtins.open = no_proc\n"
        "from cchc_cli.readers import workbook\n"
        "workbook._limit_resources()\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "ok", done.stderr


def test_sandbox_exit_codes_without_posix_signals(monkeypatch):
    assert workbook._signals("SIGALRM", "SIGKILL") == {-signal.SIGALRM, -signal.SIGKILL}
    monkeypatch.delattr(signal, "SIGALRM")
    monkeypatch.delattr(signal, "SIGKILL")
    assert workbook._signals("SIGALRM", "SIGKILL") == set()


def test_default_jobs_without_cpu_affinity(monkeypatch, tmp_path):
    """Windows and macOS have no sched_getaffinity, nor a cgroup file."""
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    monkeypatch.setattr(inputs_module, "CGROUP_CPU_MAX", tmp_path / "khong-co")
    assert inputs_module.default_jobs() == 6


# --------------------------------------------------------------------------------------
# The reading worker kept for the end of a run (processes.Helper)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_helper_runs_its_job_in_the_kept_worker_and_brings_back_its_error(tmp_path, method):
    from concurrent.futures import ProcessPoolExecutor

    from cchc_cli.errors import OutputError
    from cchc_cli.processes import Helper
    from cchc_cli.writers.atomic import write_bytes_atomic

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with Helper() as helper:
        helper.adopt(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(method)))
        assert helper.start(os.getpid)() != os.getpid()
        wait = helper.start(write_bytes_atomic, blocker / "ket-qua.xlsx", b"")
        with pytest.raises(OutputError) as refused:
            wait()
    assert str(blocker) in str(refused.value)


def _dies_unless_in(pid: int) -> int:
    """A job whose worker is killed (as the system does when memory runs out)."""
    if os.getpid() != pid:
        os._exit(9)
    return pid


@pytest.mark.parametrize("method", METHODS)
def test_helper_does_the_job_here_when_its_worker_died(method):
    from concurrent.futures import ProcessPoolExecutor

    from cchc_cli.processes import Helper

    here = os.getpid()
    with Helper() as helper:
        helper.adopt(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(method)))
        assert helper.start(_dies_unless_in, here)() == here  # died there, done here
        # The pool is broken now: the next job is done here at once.
        assert helper.start(os.getpid)() == here


def test_helper_without_a_worker_runs_the_job_at_once(tmp_path):
    from cchc_cli.errors import OutputError
    from cchc_cli.processes import Helper
    from cchc_cli.writers.atomic import write_bytes_atomic

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with Helper() as helper:
        assert helper.start(os.getpid)() == os.getpid()
        with pytest.raises(OutputError):  # raised by start itself: the one-core order
            helper.start(write_bytes_atomic, blocker / "ket-qua.xlsx", b"")


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tinh-mau"
RESULTS = Path("results") / "2023"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "tinh-mau"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("results"))
    # Enough files for a pool of two (PARALLEL_MIN_FILES): the worker is then kept.
    assert len(list((root / "data" / "2023").rglob("*.xlsx"))) >= inputs_module.PARALLEL_MIN_FILES
    return root


def _results(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / RESULTS).glob("*.xlsx"))}


@pytest.mark.parametrize("command", ["rank", "score"])
def test_results_written_beside_the_issues_are_the_one_core_bytes(example, tmp_path, cli,
                                                                  monkeypatch, command):
    """Issues written by the kept worker (forked, then spawned as on Windows) and the
    results written here are byte for byte those of a run on one core."""
    args = (command, "-w", example, "--year", "2023", "--as-of", "2024-01-31",
            "--allow-errors")
    assert cli(*args, "--jobs", "1").exit_code in (0, 1)
    alone = _results(example)
    assert "van-de-2023.xlsx" in alone and len(alone) == 2
    for method in METHODS:
        monkeypatch.setenv(START_METHOD_ENV, method)
        shutil.rmtree(example / RESULTS)
        assert cli(*args, "--jobs", "2").exit_code in (0, 1)
        assert _results(example) == alone, method


def test_issues_that_cannot_be_written_leave_the_previous_results(example, cli):
    """van-de-2023.xlsx cannot replace what is there (here a folder of that name): the
    ranking written beside it does not replace the previous one either, and the
    message names the issues' file (exit 3) — as when a one-core run writes it first."""
    results = example / RESULTS
    results.mkdir(parents=True)
    (results / "van-de-2023.xlsx").mkdir()
    previous = b"the previous ranking"
    (results / "xep-hang-2023.xlsx").write_bytes(previous)
    result = cli("rank", "-w", example, "--year", "2023", "--jobs", "2")
    assert result.exit_code == 3, result.output
    assert "van-de-2023.xlsx" in result.stderr and "thư mục trùng tên" in result.stderr
    assert (results / "xep-hang-2023.xlsx").read_bytes() == previous
    assert sorted(p.name for p in results.iterdir()) == ["van-de-2023.xlsx",
                                                         "xep-hang-2023.xlsx"]


def test_results_that_cannot_be_written_after_the_issues(example, cli):
    results = example / RESULTS
    results.mkdir(parents=True)
    (results / "xep-hang-2023.xlsx").mkdir()
    result = cli("rank", "-w", example, "--year", "2023", "--jobs", "2")
    assert result.exit_code == 3, result.output
    assert "xep-hang-2023.xlsx" in result.stderr and "thư mục trùng tên" in result.stderr
    assert (results / "van-de-2023.xlsx").is_file()  # written: the issues come first
    assert sorted(p.name for p in results.iterdir()) == ["van-de-2023.xlsx",
                                                         "xep-hang-2023.xlsx"]
