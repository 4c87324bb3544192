"""Documents ready to sign (SPEC §13.6): the decision and the report, read back.

The example province is reported once (module fixture) without --date; a small two-year
workspace with hand-computed indices checks the numbers the report states.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from cchc_cli import api
from cchc_cli.formspec import Entered
from cchc_cli.report import Chart
from cchc_cli.writers.documents import bar_chart_figure
from tests.builders import GOOD, Sandbox
from tests.conftest import ROOT, dedent

EXAMPLE = ROOT / "examples" / "tinh-mau"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> Path:
    """The example reported as a draft: no --date, --as-of in 2024."""
    root = tmp_path_factory.mktemp("draft") / "tinh-mau"
    shutil.copytree(EXAMPLE, root)
    api.report(root, year=2023, as_of="2024-02-05T09:30")
    return root / "results" / "2023"


def texts(document) -> list[str]:
    """Every paragraph of the body, tables included, in order."""
    body = document.element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def header_texts(document) -> str:
    parts = []
    for section in document.sections:
        for header in (section.first_page_header, section.header):
            parts += [p.text for p in header.paragraphs]
    return "\n".join(parts)


# --- the decision ------------------------------------------------------------------------


def test_draft_leaves_day_and_month_blank_and_takes_the_year_of_as_of(drafted):
    document = Document(str(drafted / "quyet-dinh-2023.docx"))
    header = document.tables[0].rows[0].cells[1].text
    assert re.search(r"Mẫu Sơn, ngày\s+tháng\s+năm 2024", header), header
    annex_lines = [t for t in texts(document) if t.startswith("(Kèm theo Quyết định số")]
    assert len(annex_lines) == 5  # four blocks and the heads' annex
    for line in annex_lines:
        assert re.search(r"/QĐ-UBND ngày\s+tháng\s+năm 2024 của Ủy ban nhân dân tỉnh Mẫu",
                         line), line


def test_draft_mark_is_on_the_first_page_and_final_removes_it(drafted, tmp_path):
    for name in ("quyet-dinh-2023.docx", "bao-cao-2023.docx"):
        first = Document(str(drafted / name)).paragraphs[0]
        # The first thing on the first page, at the right, in a box.
        assert first.text == "DỰ THẢO" and first.alignment == 2  # WD_ALIGN_PARAGRAPH.RIGHT
        assert first.runs[0]._r.find(qn("w:rPr")).find(qn("w:bdr")) is not None
    root = tmp_path / "tinh-mau"
    shutil.copytree(EXAMPLE, root)
    api.report(root, year=2023, as_of="2024-02-05", final=True, date="2024-02-23")
    final = Document(str(root / "results/2023/quyet-dinh-2023.docx"))
    assert "DỰ THẢO" not in "\n".join(texts(final)) + header_texts(final)
    # A given date fills the date line and every annex's reference to the decision.
    assert "Mẫu Sơn, ngày 23 tháng 02 năm 2024" in final.tables[0].rows[0].cells[1].text
    annex_lines = [t for t in texts(final) if t.startswith("(Kèm theo Quyết định số")]
    assert all("ngày 23 tháng 02 năm 2024 của" in line for line in annex_lines)


def test_no_table_row_splits_across_pages_and_headers_repeat(drafted):
    for name in ("quyet-dinh-2023.docx", "bao-cao-2023.docx"):
        document = Document(str(drafted / name))
        rows = list(document.element.body.iter(qn("w:tr")))
        assert rows
        for row in rows:
            properties = row.find(qn("w:trPr"))
            assert properties is not None and properties.find(qn("w:cantSplit")) is not None
        # Every grid table (the annexes, the report's tables) repeats its header row.
        grids = [t for t in document.tables if t.style is not None
                 and t.style.name == "Table Grid"]
        assert grids
        for table in grids:
            first = table.rows[0]._tr.find(qn("w:trPr"))
            assert first.find(qn("w:tblHeader")) is not None, table.rows[0].cells[0].text


def test_annexes_are_landscape_and_ratings_fit_on_one_line(drafted):
    document = Document(str(drafted / "quyet-dinh-2023.docx"))
    body, annexes = document.sections[0], document.sections[-1]
    assert round(body.page_width.mm) == 210
    assert (round(annexes.page_width.mm), round(annexes.page_height.mm)) == (297, 210)
    heads = next(t for t in document.tables
                 if t.rows[0].cells[-1].text == "Đánh giá người đứng đầu")
    # "Hoàn thành xuất sắc nhiệm vụ" is 5.0 cm wide in Times New Roman 12 (measured),
    # plus 0.38 cm of cell margins: the column is wider than that.
    assert heads.columns[-1].width.cm >= 5.4
    # The text between the margins: 297 − 30 − 15 = 252 mm holds the whole table.
    assert sum(c.width.mm for c in heads.columns) <= 252


def test_language_is_vietnamese_and_the_author_is_the_authority(drafted):
    for name in ("quyet-dinh-2023.docx", "bao-cao-2023.docx"):
        path = drafted / name
        document = Document(str(path))
        core = document.core_properties
        assert core.author == "Ủy ban nhân dân tỉnh Mẫu"
        assert core.last_modified_by == "Ủy ban nhân dân tỉnh Mẫu"
        assert core.language == "vi-VN"
        assert core.created.replace(tzinfo=None).isoformat() == "2024-02-05T09:30:00"
        with zipfile.ZipFile(path) as archive:
            styles = archive.read("word/styles.xml").decode()
            xml = archive.read("word/document.xml").decode()
        defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S).group(0)
        assert 'w:lang w:val="vi-VN"' in defaults
        assert "en-US" not in styles and "en-US" not in xml
        runs = list(document.element.body.iter(qn("w:r")))
        assert runs
        for run in runs:
            lang = run.find(qn("w:rPr")).find(qn("w:lang"))
            assert lang.get(qn("w:val")) == "vi-VN"


def test_a_number_and_its_percent_never_part(drafted):
    for name in ("quyet-dinh-2023.docx", "bao-cao-2023.docx"):
        lines = texts(Document(str(drafted / name)))
        joined = "\n".join(lines)
        assert not re.search(r"\d %", joined), re.search(r".{20}\d %.{5}", joined)
        assert re.search(rf"\d,\d\d{NBSP}%", joined)


def test_the_title_and_articles_have_no_abbreviation(drafted):
    lines = texts(Document(str(drafted / "quyet-dinh-2023.docx")))
    title = next(t for t in lines if t.startswith("Phê duyệt Chỉ số cải cách hành chính"))
    assert "UBND" not in title
    assert title == ("Phê duyệt Chỉ số cải cách hành chính năm 2023 của các sở, ban, ngành,"
                     " Ủy ban nhân dân cấp huyện, cấp xã và các cơ quan Trung ương đóng trên"
                     " địa bàn tỉnh Mẫu")
    articles = [t for t in lines if re.match(r"[a-d]\) ", t)]
    assert [a.split(":")[0] for a in articles] == [
        "a) Các sở, ban, ngành", "b) Ủy ban nhân dân cấp huyện", "c) Ủy ban nhân dân cấp xã",
        "d) Các cơ quan Trung ương đóng trên địa bàn"]


def test_formal_name_from_cchc_yaml_names_the_block_in_legal_text(tmp_path):
    root = tmp_path / "tinh-mau"
    shutil.copytree(EXAMPLE, root)
    settings = root / "cchc.yaml"
    text = settings.read_text(encoding="utf-8")
    block = 'huyen: {name: "UBND cấp huyện"}'
    assert block in text, "the example's cchc.yaml changed shape"
    text = text.replace(block, 'huyen: {name: "UBND cấp huyện", formal_name: "Ủy ban nhân'
                        ' dân các huyện, thị xã, thành phố"}')
    settings.write_text(text, encoding="utf-8")
    api.report(root, year=2023, as_of="2024-02-05")
    lines = texts(Document(str(root / "results/2023/quyet-dinh-2023.docx")))
    title = next(t for t in lines if t.startswith("Phê duyệt Chỉ số"))
    assert "Ủy ban nhân dân các huyện, thị xã, thành phố" in title
    assert "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023 CỦA ỦY BAN NHÂN DÂN CÁC HUYỆN, THỊ" \
           " XÃ, THÀNH PHỐ" in lines
    assert "b) Ủy ban nhân dân các huyện, thị xã, thành phố: 10 đơn vị" in "\n".join(lines)


# --- the report ------------------------------------------------------------------------


def test_report_is_numbered_as_a_report(drafted):
    decision = Document(str(drafted / "quyet-dinh-2023.docx")).tables[0].rows[0].cells[0].text
    report = Document(str(drafted / "bao-cao-2023.docx")).tables[0].rows[0].cells[0].text
    assert re.search(r"Số:\s+/QĐ-UBND", decision)
    assert re.search(r"Số:\s+/BC-UBND", report) and "/QĐ-" not in report


def test_report_has_no_empty_last_page(drafted):
    document = Document(str(drafted / "bao-cao-2023.docx"))
    body = [child for child in document.element.body if child.tag != qn("w:sectPr")]
    # It ends with the signature: a table, then the one paragraph Word requires after
    # it — without a page break, and 1 pt high so that it can never need a page.
    assert body[-2].tag == qn("w:tbl")
    last = body[-1]
    assert not "".join(t.text or "" for t in last.iter(qn("w:t"))).strip()
    assert not list(last.iter(qn("w:br")))
    assert last.find(qn("w:pPr")).find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) == "2"
    breaks = [b for b in document.element.body.iter(qn("w:br"))
              if b.get(qn("w:type")) == "page"]
    assert not breaks  # the report flows; nothing forces a page


@pytest.mark.libreoffice
def test_every_page_of_the_report_has_text(drafted, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and poppler are needed")
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(drafted / "bao-cao-2023.docx")], check=True, capture_output=True)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "bao-cao-2023.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    if not pages[-1].strip():
        pages = pages[:-1]  # pdftotext ends with a form feed
    assert all(page.strip() for page in pages)
    assert "TM. ỦY BAN NHÂN DÂN" in pages[-1]  # the signature is on the last page


def sentences(document) -> list[str]:
    """The sentences of the running text (tables list names, not sentences)."""
    found = []
    for paragraph in document.paragraphs:
        found += [s.strip() for s in re.split(r"(?<=\.)\s+", paragraph.text)
                  if len(s.strip()) > 25]
    return found


def test_report_says_no_sentence_twice(drafted):
    said = sentences(Document(str(drafted / "bao-cao-2023.docx")))
    repeated = {s for s in said if said.count(s) > 1}
    assert not repeated


def test_report_opens_with_the_province(drafted):
    lines = [t for t in texts(Document(str(drafted / "bao-cao-2023.docx"))) if t.strip()]
    opening = lines.index("I. KẾT QUẢ CHUNG CỦA TỈNH")
    overview = lines[opening + 1]
    assert overview.startswith("Năm 2023, Chỉ số cải cách hành chính được xác định đối với 66"
                               " cơ quan, đơn vị trên địa bàn tỉnh Mẫu")
    assert "Chỉ số bình quân chung đạt" in overview and "(năm 2022:" in overview


YEAR_CRITERIA = dedent("""
    id: so-nganh-{year}
    title: Thử
    block: so-nganh
    year: {year}
    scale: 20
""")


def small_two_years(tmp_path: Path) -> Path:
    """Three units; 1.2 scored (3, 2, 1) in 2022 and (2, 2, 1) in 2023.

    Every other leaf as GOOD: 1.1 → 1, 1.10 (91.5 %, above 90) → 2, 2.1 (80 % of 2) →
    1.6, 3.1 (91.17 % of 10) → 9.117, 3.2 (80 % of 2) → 1.6; max 20. Points = 15.317 + s:
      s = 3: 18.317 / 20 = 91.585 % → 91.59;  s = 2: 86.585 → 86.59;  s = 1: 81.585 → 81.59
    2022 average (91.59 + 86.59 + 81.59) / 3 = 86.59;
    2023 average (86.59 + 86.59 + 81.59) / 3 = 84.923… → 84,92, i.e. 1.666… → 1,67 lower.
    """
    from tests.builders import FORM_CRITERIA

    root = tmp_path / "ws"
    for year, scores in ((2022, ("3", "2", "1")), (2023, ("2", "2", "1"))):
        box = Sandbox(root, year=year,
                      criteria_text=FORM_CRITERIA.replace("year: 2023", f"year: {year}"))
        for code, value in zip(("STP", "SNV", "STC"), scores, strict=True):
            box.self_form(code, {**GOOD, "1.2": Entered(score=D(value), evidence="BC")})
        box.survey_form()
    return root


def test_report_compares_each_block_average_with_last_year(tmp_path):
    root = small_two_years(tmp_path)
    api.report(root, year=2023, as_of="2024-02-05")
    lines = texts(Document(str(root / "results/2023/bao-cao-2023.docx")))
    assert (f"Khối có 3 đơn vị; chỉ số bình quân đạt 84,92{NBSP}% (năm 2022: 86,59{NBSP}%,"
            " giảm 1,67 điểm phần trăm).") in lines
    overview = next(t for t in lines if t.startswith("Năm 2023, Chỉ số"))
    assert f"Chỉ số bình quân chung đạt 84,92{NBSP}% (năm 2022: 86,59{NBSP}%" in overview


def test_chart_starts_at_zero_and_marks_the_block_average():
    chart = Chart(title="Biểu đồ 01", names=["A", "B", "C"],
                  values=[D("91.59"), D("86.59"), D("81.59")], average=D("86.59"))
    figure = bar_chart_figure(chart, precision=2)
    axes = figure.axes[0]
    assert axes.get_xlim() == (0.0, 100.0)
    lines = [line for line in axes.get_lines() if "Bình quân khối" in line.get_label()]
    assert len(lines) == 1
    assert list(lines[0].get_xdata()) == [86.59, 86.59]
    assert lines[0].get_label() == "Bình quân khối: 86,59 %"
    assert [round(bar.get_width(), 2) for bar in axes.patches] == [91.59, 86.59, 81.59]


def test_without_last_year_the_report_says_so_once(tmp_path):
    root = tmp_path / "tinh-mau"
    shutil.copytree(EXAMPLE, root)
    for folder in ("criteria/2022", "data/2022"):
        shutil.rmtree(root / folder)
    run = api.report(root, year=2023, as_of="2024-02-05")
    document = Document(str(root / "results/2023/bao-cao-2023.docx"))
    said = sentences(document)
    assert said.count("Không có kết quả năm trước để so sánh thứ hạng.") == 1
    assert not {s for s in said if said.count(s) > 1}
    # Without last year, a block's average stands alone: the mean of the published
    # indices of the block's 20 units, rounded to 2 decimals.
    units = run.to_dict()["blocks"][0]["units"]
    average = sum(D(str(u["index_published"])) for u in units) / len(units)
    shown = f"{average.quantize(D('0.01'), rounding='ROUND_HALF_UP')}".replace(".", ",")
    assert f"Khối có 20 đơn vị; chỉ số bình quân đạt {shown}{NBSP}%." in texts(document)
