"""Data safety: inputs untouched, outputs atomic and reproducible, nothing deleted."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import pytest

from cchc_cli.writers.atomic import atomic_path
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "tinh-mau"
OUTPUT_FOLDERS = ("results", "forms")


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def inputs_only(files: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in files.items() if not k.startswith(OUTPUT_FOLDERS)}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("safe") / "tinh-mau"
    shutil.copytree(EXAMPLE, root)
    return root


COMMANDS = [
    ("validate", "--year", "2023"),
    ("validate",),
    ("template", "--year", "2023", "--kind", "all"),
    ("template", "--year", "2023", "--kind", "appraisal", "--round", "2"),
    ("score", "--year", "2023", "--as-of", "2024-01-31"),
    ("explain", "STP", "--year", "2023"),
    ("rank", "--year", "2023", "--as-of", "2024-01-31"),
    ("report", "--year", "2023", "--as-of", "2024-01-31"),
    ("score", "--year", "2022", "--as-of", "2024-01-31"),
]


def test_no_command_changes_or_deletes_an_input(workspace, cli):
    before = snapshot(workspace)
    for command in COMMANDS:
        result = cli(command[0], "-w", workspace, *command[1:])
        assert result.exit_code == 0, (command, result.output)
        after = snapshot(workspace)
        # Every input is still there, byte for byte; only results/ and forms/ grew.
        assert inputs_only(after) == inputs_only(before), command
        new = set(after) - set(before)
        assert all(path.startswith(OUTPUT_FOLDERS) for path in new), new


def test_outputs_are_byte_identical_for_identical_inputs(workspace, cli):
    names = ["results/2023/cham-diem-2023.xlsx", "results/2023/xep-hang-2023.xlsx",
             "results/2023/quyet-dinh-2023.docx", "results/2023/bao-cao-2023.docx"]
    for command in (("score",), ("report",)):
        assert cli(command[0], "-w", workspace, "--year", "2023", "--as-of",
                   "2024-01-31").exit_code == 0
    first = {name: (workspace / name).read_bytes() for name in names}
    for command in (("score",), ("report",)):
        assert cli(command[0], "-w", workspace, "--year", "2023", "--as-of",
                   "2024-01-31").exit_code == 0
    assert {name: (workspace / name).read_bytes() for name in names} == first


def test_errors_write_no_results_and_keep_the_previous_ones(workspace, cli, tmp_path):
    copy = tmp_path / "ws"
    shutil.copytree(workspace, copy)
    assert cli("rank", "-w", copy, "--year", "2023", "--as-of", "2024-01-31").exit_code == 0
    ranking = copy / "results/2023/xep-hang-2023.xlsx"
    before = ranking.read_bytes()
    (copy / "data/2023/tu-danh-gia/tu-danh-gia-STP.xlsx").write_bytes(b"not a workbook")
    assert cli("rank", "-w", copy, "--year", "2023").exit_code == 1
    assert ranking.read_bytes() == before
    assert (copy / "results/2023/van-de-2023.xlsx").exists()


def _write_slowly(target: str, ready) -> None:  # runs in a child process
    with atomic_path(Path(target)) as temp:
        temp.write_bytes(b"half a new result")
        ready.send(str(temp))
        signal.pause()  # killed here, mid-write


def test_a_run_killed_mid_write_leaves_the_previous_result_intact(tmp_path):
    target = tmp_path / "results" / "xep-hang-2023.xlsx"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the previous, complete result")
    parent, child = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=_write_slowly,
                                                         args=(str(target), child))
    process.start()
    temp = Path(parent.recv())  # the child is now in the middle of writing
    assert temp.exists() and temp.parent == target.parent and temp.name.startswith(".")
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    assert process.exitcode == -signal.SIGKILL
    assert target.read_bytes() == b"the previous, complete result"


def test_an_interrupted_write_in_process_cleans_its_temporary_file(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temp:
        temp.write_bytes(b"partial")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_outputs_get_the_usual_permissions(workspace, cli):
    """Temporary files are private (mkstemp); the renamed result is not."""
    assert cli("rank", "-w", workspace, "--year", "2023").exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    path = workspace / "results/2023/xep-hang-2023.xlsx"
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


class _GrowsWhenSeen(type(Path())):  # type: ignore[misc]
    """A file that another program lengthens between cchc's look at its size and the
    read (a unit's file being saved over the network while the run starts)."""

    extra = b""

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        seen = super().stat(follow_symlinks=follow_symlinks)
        with open(self, "ab") as handle:
            handle.write(self.extra)
        return seen


def test_a_file_that_grows_while_read_is_read_whole_or_refused(tmp_path):
    from cchc_cli.files import FileRefused, read_limited

    grows = _GrowsWhenSeen(tmp_path / "f.xlsx")
    grows.write_bytes(b"x" * 10)
    grows.extra = b"y" * 5
    # 10 bytes when its size was taken, 15 when read: all 15 are read (limit 20).
    assert read_limited(grows, 20) == b"x" * 10 + b"y" * 5
    # 15 bytes seen, 25 by the read: beyond the limit of 20, refused.
    grows.extra = b"z" * 10
    with pytest.raises(FileRefused) as refused:
        read_limited(grows, 20)
    assert refused.value.code == "tep-qua-lon"
    assert read_limited(tmp_path / "f.xlsx", 25) == b"x" * 10 + b"y" * 5 + b"z" * 10
