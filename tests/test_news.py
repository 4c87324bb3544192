"""The draft news item `tin-bai-Y.docx` (SPEC §13.4): the portals' phrases, from a
template the workspace may override, rendered and finished like the other documents."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from cchc_cli.formspec import Entered
from tests.builders import GOOD, Sandbox
from tests.test_ranking import two_years

NEWS = "results/2023/tin-bai-2023.docx"


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.text.strip()]


def scored(value: str) -> dict:
    return {**GOOD, "1.2": Entered(score=D(value), evidence="BC")}


@pytest.fixture
def reported(tmp_path, cli) -> Path:
    """2022: STP 1, SNV 2, STC 3; 2023: STC 1, SNV 2, STP 3 (1.2 scored 3, 2, 1)."""
    _, this = two_years(tmp_path)
    result = cli("report", "-w", this.root, "-y", "2023", "--as-of", "2024-02-05")
    assert result.exit_code == 0, result.output
    return this.root


def test_the_news_item_names_the_podium_with_the_changes(reported):
    text = paragraphs(reported / NEWS)
    assert text[0] == "DỰ THẢO"
    assert "Công bố Chỉ số cải cách hành chính năm 2023 của các cơ quan, đơn vị trên địa bàn" \
           " tỉnh Thử" in text
    block = next(p for p in text if p.startswith("Ở khối sở, ban, ngành: "))
    # STC was 3rd in 2022: up 2 places; SNV stays 2nd; STP falls from 1st to 3rd.
    assert block.startswith("Ở khối sở, ban, ngành: Sở Tài chính xếp vị trí số 1 (tăng 2 bậc"
                            " so với năm 2022) với chỉ số ")
    assert (", xếp vị trí số 2 là Sở Nội vụ (giữ nguyên vị trí so với năm 2022), xếp vị trí"
            " số 3 là Sở Tư pháp (giảm 2 bậc so với năm 2022).") in block
    # Three units: the lowest is the third, and is not named twice.
    assert "thấp nhất" not in block


def test_the_news_item_is_finished_like_the_other_documents(reported, tmp_path, cli):
    document = Document(str(reported / NEWS))
    # The authority of cchc.yaml (here its default), not a library's name.
    assert document.core_properties.author == "Ủy ban nhân dân tỉnh Mẫu"
    langs = {lang.get(qn("w:val")) for lang in document.element.body.iter(qn("w:lang"))}
    assert langs == {"vi-VN"}
    final = tmp_path / "final"
    shutil.copytree(reported, final)
    assert cli("report", "-w", final, "-y", "2023", "--final").exit_code == 0
    assert "DỰ THẢO" not in paragraphs(final / NEWS)


def own_template(path: Path, *lines: str) -> None:
    from docx import Document as New

    document = New()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def test_a_workspace_template_replaces_the_bundled_one(reported, cli):
    own_template(reported / "templates" / "tin-bai.docx", "TIN CỦA TỈNH: {{ news.title }}",
                 "{% for line in news.paragraphs %}{{ line }} | {% endfor %}")
    assert cli("report", "-w", reported, "-y", "2023").exit_code == 0
    text = paragraphs(reported / NEWS)
    assert text[0] == ("TIN CỦA TỈNH: Công bố Chỉ số cải cách hành chính năm 2023 của các cơ"
                       " quan, đơn vị trên địa bàn tỉnh Thử")
    assert "Ở khối sở, ban, ngành: Sở Tài chính xếp vị trí số 1" in text[1]


@pytest.mark.parametrize(("content", "code"), [
    ("{{ news.khong_co }}", "mau-van-ban-loi"),
    ("{{ news.__class__.__mro__ }}", "mau-van-ban-khong-an-toan"),
])
def test_a_broken_news_template_stops_the_report(reported, cli, content, code):
    own_template(reported / "templates" / "tin-bai.docx", content)
    before = (reported / NEWS).read_bytes()
    result = cli("report", "-w", reported, "-y", "2023", "--format", "json")
    assert result.exit_code == 1
    assert code in result.stderr and "templates/tin-bai.docx" in result.stderr
    assert (reported / NEWS).read_bytes() == before  # the previous one is kept


def test_ties_share_a_place_in_the_news(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.complete()  # three identical self-assessments: all three first
    assert cli("report", "-w", box.root).exit_code == 0
    block = next(p for p in paragraphs(box.root / NEWS) if p.startswith("Ở khối"))
    # Tied units in the ranking's order (by code); no last year to compare with.
    assert block.startswith("Ở khối sở, ban, ngành: Sở Nội vụ, Sở Tài chính và Sở Tư pháp cùng"
                            " xếp vị trí số 1. Chỉ số bình quân của khối đạt")
