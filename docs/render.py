"""Render every output of the example province to PNG pages, as an analyst would see them.

    python docs/render.py [OUT]          # default OUT: ./cchc-render (needs LibreOffice, poppler)
    python docs/render.py --readme       # also refresh the README's pictures in docs/

Runs ``cchc score``, ``cchc report`` and ``cchc template`` on a copy of
``examples/tinh-mau`` (fixed ``--as-of``), converts the decision, the report and every
result workbook (and one form of each kind) to PDF with LibreOffice, and renders each
page with ``pdftoppm`` into ``OUT/png/<file>-<page>.png``; ``OUT/pages.txt`` lists the
page count of each file. Look at every page before sending a change: this is how the
documents and workbooks print.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
YEAR = "2023"
AS_OF = "2024-02-05"
# The README shows the first page of each document.
README_PICTURES = {"quyet-dinh-2023": "quyet-dinh-trang-1", "bao-cao-2023": "bao-cao-trang-1"}


def cchc(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "cchc_cli", *args, "-q"], check=True,
                   stdout=subprocess.DEVNULL)


def to_pdf(office: str, files: list[Path], folder: Path) -> None:
    # One LibreOffice process for all files: starting it is the slow part.
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(folder),
                    *map(str, files)], check=True, capture_output=True)


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def render(out: Path, *, readme: bool, dpi: int) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdftoppm") is None:
        sys.exit("LibreOffice (soffice) and poppler (pdftoppm) are needed")
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "tinh-mau"
        shutil.copytree(ROOT / "examples" / "tinh-mau", workspace)
        ws = ["-w", str(workspace), "--year", YEAR]
        cchc("score", *ws, "--as-of", AS_OF)
        cchc("report", *ws, "--as-of", AS_OF)
        cchc("template", *ws)
        results = workspace / "results" / YEAR
        forms = workspace / "forms" / YEAR
        files = sorted(results.glob("*.docx")) + sorted(results.glob("*.xlsx"))
        files += [next(iter(sorted((forms / kind).glob("*.xlsx"))))
                  for kind in ("tu-danh-gia", "tham-dinh", "khao-sat")]
        pdfs = out / "pdf"
        pictures = out / "png"
        for folder in (pdfs, pictures):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        to_pdf(office, files, pdfs)
        lines = []
        for pdf in sorted(pdfs.glob("*.pdf")):
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf),
                            str(pictures / pdf.stem)], check=True)
            lines.append(f"{pdf.stem}: {pages(pdf)} trang")
            if readme and pdf.stem in README_PICTURES:
                subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1",
                                "-singlefile", str(pdf),
                                str(HERE / README_PICTURES[pdf.stem])], check=True)
    (out / "pages.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"Ảnh từng trang: {pictures}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("cchc-render"))
    parser.add_argument("--readme", action="store_true",
                        help="cập nhật ảnh trang 1 của hai văn bản trong docs/")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    render(args.out.resolve(), readme=args.readme, dpi=args.dpi)


if __name__ == "__main__":
    main()
