"""`cchc report`: the draft decision and the results report, read back with python-docx."""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest
from docx import Document

from cchc_cli.numbers import vi
from cchc_cli.report import authority_lines, block_phrase, written_out
from tests.builders import Sandbox
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "tinh-mau"


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    from typer.testing import CliRunner

    from cchc_cli.cli.app import app

    copy = tmp_path_factory.mktemp("rp") / "tinh-mau"
    shutil.copytree(EXAMPLE, copy)
    runner = CliRunner()
    result = runner.invoke(app, ["report", "-w", str(copy), "--year", "2023", "--as-of",
                                 "2024-02-05", "--date", "2024-02-05", "--format", "json"])
    assert result.exit_code == 0, result.output
    return copy, json.loads(result.stdout)


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_decision_has_one_annex_table_per_block_and_the_heads_annex(reported):
    root, doc = reported
    document = Document(str(root / "results/2023/quyet-dinh-2023.docx"))
    blocks = doc["blocks"]
    annexes = [t for t in document.tables if t.rows[0].cells[0].text == "STT"
               and t.rows[0].cells[-1].text == "Xếp loại"]
    assert len(annexes) == len(blocks) == 4
    for table, block in zip(annexes, blocks, strict=True):
        rows = [[c.text for c in r.cells] for r in table.rows[1:]]
        assert len(rows) == len(block["units"])
        for row, unit in zip(rows, block["units"], strict=True):
            assert row[1] == unit["name"]
            if unit["rank"] is not None:
                assert row[3] == vi(unit["index_published"], 2).replace(".", ",")
                assert row[4] == str(unit["rank"])
                assert row[6] == unit["band"]


def test_every_ranked_unit_appears_with_its_index_in_vietnamese_notation(reported):
    root, doc = reported
    text = all_text(Document(str(root / "results/2023/quyet-dinh-2023.docx")))
    for block in doc["blocks"]:
        for unit in block["units"]:
            assert unit["name"] in text
            published = f"{unit['index_published']:.2f}".replace(".", ",")
            assert published in text
    # No number in English notation (93.69) anywhere in the decision.
    assert not re.search(r"\b\d{1,3}\.\d{2}\b", text)


def test_heads_annex_matches_the_json(reported):
    root, doc = reported
    document = Document(str(root / "results/2023/quyet-dinh-2023.docx"))
    heads = next(t for t in document.tables if t.rows[0].cells[-1].text ==
                 "Đánh giá người đứng đầu")
    got = []
    for row in heads.rows[1:]:
        cells = [c.text for c in row.cells]
        # A block's heading spans the row (merged cells repeat the same text).
        got.append((cells[0],) if len(set(cells)) == 1 else (cells[1], cells[3], cells[4],
                                                                cells[5]))
    expected = []
    for roman, block in zip(("I", "II", "III", "IV"), doc["blocks"], strict=True):
        # Legal text writes the abbreviation out: "UBND cấp huyện" → "ỦY BAN NHÂN DÂN …".
        expected.append((f"{roman}. {written_out(block['name']).upper()}",))
        for unit in block["units"]:
            expected.append((unit["name"], f"{unit['index_published']:.2f}".replace(".", ","),
                             unit["band"], unit["leader_rating"]))
    assert got == expected


def test_decision_layout_of_nghi_dinh_30(reported):
    root, _ = reported
    document = Document(str(root / "results/2023/quyet-dinh-2023.docx"))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    header = document.tables[0]
    left, right = (c.text for c in header.rows[0].cells)
    assert "ỦY BAN NHÂN DÂN" in left and "TỈNH MẪU" in left and "Số:" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert "Mẫu Sơn, ngày 05 tháng 02 năm 2024" in right
    text = all_text(document)
    for needle in ("QUYẾT ĐỊNH", "Căn cứ Luật Tổ chức chính quyền địa phương", "QUYẾT ĐỊNH:",
                   "Điều 1.", "Điều 2.", "Điều 3.", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN",
                   "KT. CHỦ TỊCH", "Phụ lục I", "Phụ lục V"):
        assert needle in text
    fonts = {run.font.name for p in document.paragraphs for run in p.runs if run.font.name}
    assert fonts == {"Times New Roman"}


def test_no_template_tag_is_left(reported):
    root, _ = reported
    for name in ("quyet-dinh-2023.docx", "bao-cao-2023.docx"):
        with zipfile.ZipFile(root / "results/2023" / name) as archive:
            for member in archive.namelist():
                if member.endswith(".xml"):
                    xml = archive.read(member).decode("utf-8")
                    assert "{{" not in xml and "{%" not in xml, (name, member)


def test_report_has_one_chart_image_per_block_with_its_title(reported):
    root, doc = reported
    document = Document(str(root / "results/2023/bao-cao-2023.docx"))
    assert len(document.inline_shapes) == len(doc["blocks"])
    with zipfile.ZipFile(root / "results/2023/bao-cao-2023.docx") as archive:
        images = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(images) == len(doc["blocks"])
    text = all_text(document)
    assert "Biểu đồ 01: Kết quả Chỉ số CCHC của các sở, ban, ngành năm 2023" in text
    assert "Biểu đồ 02: Kết quả Chỉ số CCHC của Ủy ban nhân dân cấp huyện năm 2023" in text
    for needle in ("BÁO CÁO", "KẾT QUẢ CHUNG CỦA TỈNH", "Xuất sắc", "tăng bậc nhiều nhất",
                   "giảm bậc nhiều nhất", "KẾT QUẢ THEO LĨNH VỰC VÀ TIÊU CHÍ",
                   "Những tiêu chí nhiều đơn vị bị trừ điểm"):
        assert needle in text


def test_documents_are_byte_identical_for_identical_inputs(reported, cli):
    root, _ = reported
    paths = [root / "results/2023/quyet-dinh-2023.docx", root / "results/2023/bao-cao-2023.docx"]
    before = [p.read_bytes() for p in paths]
    assert cli("report", "-w", root, "--year", "2023", "--as-of", "2024-02-05", "--date",
               "2024-02-05").exit_code == 0
    assert [p.read_bytes() for p in paths] == before


def test_report_json_is_the_rank_document(reported):
    _, doc = reported
    assert {"year", "province", "precision", "blocks", "issues"} <= set(doc)
    assert doc["blocks"][0]["units"][0]["rank"] == 1


def test_workspace_template_overrides_the_bundled_one(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    own = box.root / "templates"
    own.mkdir()
    from docx import Document as NewDocument

    document = NewDocument()
    document.add_paragraph("Bản riêng của tỉnh: {{ province }}, năm {{ year }}")
    document.save(own / "quyet-dinh.docx")
    result = cli("report", "-w", box.root, "--year", "2023")
    assert result.exit_code == 0, result.output
    text = all_text(Document(str(box.root / "results/2023/quyet-dinh-2023.docx")))
    assert text.strip() == "Bản riêng của tỉnh: Tỉnh Thử, năm 2023"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "mau-van-ban-khong-an-toan"),
        ("{{ cycler.__init__.__globals__.os.popen('id').read() }}",
         "mau-van-ban-khong-an-toan"),
        ("{{ year | attr('__class__') }}", "mau-van-ban-khong-an-toan"),
        ("{% for x in %}", "mau-van-ban-loi"),
        ("{{ khong_co_bien_nay }}", "mau-van-ban-loi"),
    ],
)
def test_hostile_or_broken_templates_are_refused(tmp_path, cli, content, code):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    own = box.root / "templates"
    own.mkdir()
    from docx import Document as NewDocument

    document = NewDocument()
    document.add_paragraph(content)
    document.save(own / "bao-cao.docx")
    result = cli("report", "-w", box.root, "--year", "2023")
    assert result.exit_code == 1
    assert code in result.stderr, result.stderr
    assert "templates/bao-cao.docx" in result.stderr
    assert "Traceback" not in result.output
    assert not (box.root / "results/2023/bao-cao-2023.docx").exists()
    assert not (box.root / "results/2023/quyet-dinh-2023.docx").exists()


def test_phrases_and_header_lines():
    assert block_phrase("Sở, ban, ngành") == "các sở, ban, ngành"
    assert block_phrase("UBND cấp huyện") == "UBND cấp huyện"
    assert block_phrase("Cơ quan Trung ương đóng trên địa bàn") == \
        "các cơ quan Trung ương đóng trên địa bàn"
    assert authority_lines("Ủy ban nhân dân tỉnh Mẫu") == ["ỦY BAN NHÂN DÂN", "TỈNH MẪU"]


def test_demo_runs_the_whole_pipeline(tmp_path, cli):
    target = tmp_path / "demo"
    result = cli("demo", target)
    assert result.exit_code == 0, result.output
    for name in ("cham-diem-2023.xlsx", "xep-hang-2023.xlsx", "van-de-2023.xlsx",
                 "quyet-dinh-2023.docx", "bao-cao-2023.docx"):
        assert (target / "results/2023" / name).exists(), name
        assert name in result.stdout
    assert "Sở, ban, ngành" in result.stdout
    # Every form too: 66 self-assessments, one survey workbook per block.
    forms = target / "forms/2023"
    assert len(list((forms / "tu-danh-gia").glob("*.xlsx"))) == 66
    assert sorted(p.name for p in (forms / "khao-sat").iterdir()) == [
        "khao-sat-huyen-2023.xlsx", "khao-sat-so-nganh-2023.xlsx", "khao-sat-tw-2023.xlsx",
        "khao-sat-xa-2023.xlsx"]
    # It ends by saying which file to open first, and with what.
    ending = " ".join(result.stdout.split()[-60:])
    assert re.search(r"Mở trước tiên: demo/results/2023/quyet-dinh-2023\.docx bằng Microsoft"
                     r" Word hoặc LibreOffice Writer", ending), ending
    again = cli("demo", target)
    assert again.exit_code == 2


def test_readme_shows_the_first_page_of_each_document():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for picture in ("docs/quyet-dinh-trang-1.png", "docs/bao-cao-trang-1.png"):
        assert picture in readme
        assert (ROOT / picture).stat().st_size > 10_000

