"""Regenerate the LibreOffice-saved fixtures of tests/test_forms_roundtrip.py.

Needs LibreOffice (``soffice``). Run from the repository root:

    python tests/data/make_office_files.py

It fills the STP self-assessment template exactly as the round-trip test does, then asks
LibreOffice to save it as .xls (Excel 97) and .ods, next to this script.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from cchc_cli import api  # noqa: E402
from tests.builders import Sandbox, edit  # noqa: E402
from tests.test_forms_roundtrip import TYPED  # noqa: E402


def main() -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        sys.exit("LibreOffice (soffice) is needed")
    with tempfile.TemporaryDirectory() as tmp:
        box = Sandbox(Path(tmp) / "ws")
        report = api.template(box.root, year=2023, kind="self")
        blank = next(p for p in report.written if p.name == "tu-danh-gia-STP.xlsx")
        filled = Path(tmp) / blank.name
        shutil.copy(blank, filled)
        edit(filled, TYPED, sheet="Tự đánh giá")
        for target in ("xls:MS Excel 97", "ods"):
            subprocess.run([office, "--headless", "--convert-to", target, "--outdir",
                            str(HERE), str(filled)], check=True, capture_output=True)
    print("written:", *sorted(p.name for p in HERE.glob("tu-danh-gia-STP.*")))


if __name__ == "__main__":
    main()
