"""Regenerate the README's pictures of the documents (needs LibreOffice and poppler).

    python docs/make_pictures.py

Runs ``cchc report`` on a copy of the example province (fixed --as-of), converts both
documents to PDF with LibreOffice and renders their first page with pdftoppm, as a
person opening them would see them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdftoppm") is None:
        sys.exit("LibreOffice (soffice) and poppler (pdftoppm) are needed")
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "tinh-mau"
        shutil.copytree(ROOT / "examples" / "tinh-mau", workspace)
        subprocess.run([sys.executable, "-m", "cchc_cli", "report", "-w", str(workspace),
                        "--year", "2023", "--as-of", "2024-02-05", "-q"], check=True,
                       stdout=subprocess.DEVNULL)
        for name in ("quyet-dinh", "bao-cao"):
            docx = workspace / "results" / "2023" / f"{name}-2023.docx"
            subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", tmp,
                            str(docx)], check=True, capture_output=True)
            pdf = Path(tmp) / f"{name}-2023.pdf"
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1",
                            "-singlefile", str(pdf), str(HERE / f"{name}-trang-1")],
                           check=True)
    print("written:", *sorted(p.name for p in HERE.glob("*-trang-1.png")))


if __name__ == "__main__":
    main()
