"""The page for the portal, `cong-bo-Y.html` (SPEC §13.4): self-contained, accessible,
the same figures as `cchc rank` — and rendered by a real browser (headless Chromium) at
desktop and phone widths and to PDF, without a console message."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from cchc_cli.cli.app import app
from cchc_cli.numbers import vi
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "tinh-mau"
PAGE = "results/2023/cong-bo-2023.html"


def report(root: Path, *extra: str) -> dict:
    result = CliRunner().invoke(app, ["report", "-w", str(root), "-y", "2023", "--as-of",
                                      "2024-02-05", "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, dict, str]:
    root = tmp_path_factory.mktemp("page") / "tinh-mau"
    shutil.copytree(EXAMPLE, root)
    document = report(root)
    return root, document, (root / PAGE).read_text(encoding="utf-8")


def test_the_page_is_one_self_contained_file_in_vietnamese(published):
    _, _, page = published
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"vi\">")
    assert '<meta charset="utf-8">' in page and 'name="viewport"' in page
    # Nothing is loaded from anywhere: no script, style sheet, font, picture, frame or
    # link out of the page (its own anchors only), and a policy that forbids them.
    for pattern in (r"<script", r"<link", r"<img", r"<iframe", r"<object", r"<embed",
                    r"@import", r"url\(", r"https?:", r"//[a-z]", r"\ssrc\s*="):
        assert not re.search(pattern, page, re.IGNORECASE), pattern
    assert re.findall(r'href="([^"]*)"', page) == [
        "#khoi-so-nganh", "#khoi-huyen", "#khoi-xa", "#khoi-tw"]
    assert "Content-Security-Policy\" content=\"default-src 'none'" in page
    assert "@media print" in page and "@media (max-width:40rem)" in page


def test_each_block_has_its_chart_and_an_accessible_ranked_table(published):
    _, document, page = published
    tables = re.findall(r"<table>(.*?)</table>", page, re.DOTALL)
    assert len(tables) == len(document["blocks"]) == 4
    for position, (table, block) in enumerate(zip(tables, document["blocks"], strict=True), 1):
        assert f"<caption>Bảng {position:02d}: Xếp hạng Chỉ số CCHC năm 2023 của" in table
        assert table.count('<th scope="col"') == 6  # Hạng … Xếp loại, and the years
        rows = re.findall(r'<tr><td class="rank">(.*?)</td><th scope="row">(.*?)</th>'
                          r'<td class="num">(.*?)</td>', table)
        assert [(r, n, i) for r, n, i in rows] == [
            (str(u["rank"]), u["name"].replace("&", "&amp;"),
             vi(u["index_published"], 2)) for u in block["units"]]
    assert ("<figcaption>Biểu đồ 01: Kết quả Chỉ số CCHC của các sở, ban, ngành năm 2023"
            "</figcaption>") in page
    assert page.count('<svg class="chart" role="img"') == 8  # a bar chart and the years
    assert "Bình quân khối: 75,47 %" in page  # the JSON's block average
    sở = document["blocks"][0]["units"]
    assert sum(u["index_published"] for u in sở) / len(sở) == pytest.approx(75.47, abs=0.005)


def test_movers_and_the_draft_mark(published, tmp_path):
    root, document, page = published
    # SCT: 14th in 2022 (recomputed), 5th in 2023.
    assert "Sở Công Thương (tăng 9 bậc, từ hạng 14 lên hạng 5)" in page
    assert '<p class="draft">DỰ THẢO</p>' in page
    final = tmp_path / "final"
    shutil.copytree(root, final)
    report(final, "--final")
    assert "DỰ THẢO" not in (final / PAGE).read_text(encoding="utf-8")


def test_identical_inputs_give_an_identical_page(published, tmp_path):
    root, _, page = published
    again = tmp_path / "again"
    shutil.copytree(EXAMPLE, again)
    report(again)
    assert (again / PAGE).read_bytes() == (root / PAGE).read_bytes()
    assert (again / "results/2023/tin-bai-2023.docx").read_bytes() == \
        (root / "results/2023/tin-bai-2023.docx").read_bytes()


def test_a_block_of_many_units_charts_its_highest_and_lowest():
    from decimal import Decimal as D
    from types import SimpleNamespace

    from cchc_cli.writers.page import bar_chart, chart_height, print_zoom

    entries = [SimpleNamespace(rank=i, unit=SimpleNamespace(name=f"Xã {i}",
                                                             index_published=D(100 - i)))
               for i in range(1, 46)]
    svg = bar_chart(entries, D("77"), precision=2, chart_id="t", title="Biểu đồ 03")
    # 45 communes: the 20 highest (1–20), a gap, the 20 lowest (26–45).
    assert svg.count("<rect") == 40
    assert ">1. Xã 1<" in svg and ">20. Xã 20<" in svg and ">26. Xã 26<" in svg
    assert "Xã 21<" not in svg and "Xã 25<" not in svg
    assert "20 đơn vị cao nhất và 20 đơn vị thấp nhất trong 45 đơn vị" in svg
    # 30 + 41 rows × 42 + 26 pixels: printed at 760 / 1778, floored at 60 %.
    assert chart_height(45) == 1778 and print_zoom(1778) == "0.60"
    assert print_zoom(chart_height(10)) == "1.00"  # 476 px fit as they are


# --------------------------------------------------------------------------------------
# In a real browser
# --------------------------------------------------------------------------------------

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
browser = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


def chromium(page: Path, tmp_path: Path, *action: str, width: int = 1280,
             height: int = 4000) -> list[str]:
    """Run headless Chromium with a new, empty profile; the console's messages."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                           f"--window-size={width},{height}", *action, page.as_uri()],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


@browser
@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_page_renders_without_console_errors(published, tmp_path, width):
    root, _, _ = published
    shot = tmp_path / f"cong-bo-{width}.png"
    assert chromium(root / PAGE, tmp_path, f"--screenshot={shot}", width=width) == []
    with Image.open(shot) as image:
        assert image.size == (width, 4000)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 100  # text, bars and tables drawn, not a blank page


@browser
@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_nothing_is_wider_than_the_screen(published, tmp_path, width):
    """A copy of the page with a script (its policy lifted) that reports any element
    wider than the window, and any table that would need sideways scrolling."""
    root, _, page = published
    probe = tmp_path / "probe.html"
    script = ("<script>addEventListener('load',()=>{"
              "const w=innerWidth,d=document.documentElement.scrollWidth;"
              "if(d>w)console.error('page '+d+' > '+w);"
              "for(const t of document.querySelectorAll('.table-wrap'))"
              "if(t.scrollWidth>t.clientWidth+1)console.error('table '+t.scrollWidth+' > '"
              "+t.clientWidth);console.error('probe ran')});</script>")
    probe.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
                     .replace("</body>", script + "</body>"), encoding="utf-8")
    messages = chromium(probe, tmp_path, f"--screenshot={tmp_path / 'probe.png'}",
                        width=width, height=1200)
    assert len(messages) == 1 and '"probe ran"' in messages[0], messages


@browser
@pytest.mark.browser
def test_the_page_prints_to_pdf(published, tmp_path):
    root, _, _ = published
    pdf = tmp_path / "cong-bo.pdf"
    assert chromium(root / PAGE, tmp_path, f"--print-to-pdf={pdf}",
                    "--no-pdf-header-footer") == []
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 5  # the province, then each of the four blocks on a page of its own


@browser
@pytest.mark.browser
def test_the_console_check_catches_an_external_resource(published, tmp_path):
    """The check above can fail: the same page with a style sheet from elsewhere is
    blocked by its own policy, and Chromium says so on the console."""
    _, _, page = published
    spoiled = tmp_path / "spoiled.html"
    spoiled.write_text(page.replace("</head>", '<link rel="stylesheet"'
                                    ' href="https://example.invalid/a.css"></head>'),
                       encoding="utf-8")
    messages = chromium(spoiled, tmp_path, f"--screenshot={tmp_path / 'spoiled.png'}")
    assert any("Content Security Policy" in message for message in messages)
