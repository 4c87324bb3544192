"""Heavy libraries stay out of the commands that do not need them: ``rank`` never loads
pandas (SPEC §12: it is the budget the province waits for), nor do the council's tools."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.builders import Sandbox

PROBE = (
    "import sys; sys.argv = ['cchc', *sys.argv[1:]]\n"
    "from cchc_cli.cli.app import app\n"
    "try:\n    app()\nexcept SystemExit as exc:\n    print('EXIT', exc.code)\n"
    "print('PANDAS', 'pandas' in sys.modules)\n"
)


@pytest.fixture(scope="module")
def box(tmp_path_factory) -> Sandbox:
    sandbox = Sandbox(tmp_path_factory.mktemp("imports") / "ws")
    sandbox.complete()
    return sandbox


@pytest.mark.parametrize("args", [
    ("rank", "--year", "2023", "-q"),
    ("whatif", "--year", "2023", "--disputes", "-q"),
    ("diff", "--year", "2023"),
])
def test_commands_run_without_pandas(box, args):
    result = subprocess.run([sys.executable, "-c", PROBE, *args, "-w", str(box.root)],
                            capture_output=True, text=True, check=True)
    # The command ran (0: done, 1: the inputs' errors listed), and pandas was not loaded.
    assert re.search(r"^EXIT [01]$", result.stdout, re.M), result.stdout + result.stderr
    assert "PANDAS False" in result.stdout
