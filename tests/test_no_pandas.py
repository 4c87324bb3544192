"""pandas is never on the path of `cchc --help`, `cchc rank` and the commands that must
stay as fast (it would add half a second to each run); only the two commands that analyse
panels load it: `history` (years × units) and `whatif` (base × variant)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "tinh-mau"
# Runs one command in a fresh interpreter, then says whether pandas was imported.
PROBE = (
    "import sys\n"
    "sys.argv = ['cchc', *sys.argv[1:]]\n"
    "from cchc_cli.cli.app import app\n"
    "try:\n    app()\nexcept SystemExit as exc:\n    code = exc.code\n"
    "print('EXIT', code, 'PANDAS', 'pandas' in sys.modules)\n"
)


def probe(*args: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, timeout=300)
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    root = tmp_path_factory.mktemp("nopd") / "tinh-mau"
    shutil.copytree(EXAMPLE, root)
    return root


def test_pandas_is_importable_here_so_the_probe_can_see_it():
    # The test extra installs pandas: its absence below is the code's doing.
    assert probe("--version") == "EXIT 0 PANDAS False"
    done = subprocess.run([sys.executable, "-c", "import pandas, sys;"
                           " print('pandas' in sys.modules)"], capture_output=True, text=True)
    assert done.stdout.strip() == "True"


@pytest.mark.slow
def test_help_rank_publish_and_history_never_import_pandas(example):
    assert probe("--help") == "EXIT 0 PANDAS False"
    root = str(example)
    assert probe("rank", "-w", root, "-y", "2023", "-q") == "EXIT 0 PANDAS False"
    assert probe("publish", "-w", root, "-y", "2023", "-q") == "EXIT 0 PANDAS False"
    assert probe("report", "-w", root, "-y", "2023", "-q") == "EXIT 0 PANDAS False"
    # history's year × block figures come from a pandas panel.
    assert probe("history", "-w", root) == "EXIT 0 PANDAS True"


@pytest.mark.slow
def test_the_councils_tools_load_pandas_only_for_a_variant(example):
    # whatif cross-tabulates the bands of base and variant with pandas; the disputes'
    # bounds and the criteria diff never need it.
    root = str(example)
    settings = str(example / "cchc.yaml")
    assert probe("whatif", "-w", root, "-y", "2023", "--settings", settings, "-q") == \
        "EXIT 0 PANDAS True"
    assert probe("whatif", "-w", root, "-y", "2023", "--disputes", "-q") == \
        "EXIT 0 PANDAS False"
    assert probe("diff", "-w", root, "-y", "2023") == "EXIT 0 PANDAS False"
