"""Build the Word templates of ``cchc report`` (run once; the .docx files are committed).

    python templates/build_templates.py

The templates are ordinary .docx files with Jinja2 tags (docxtpl): an analyst can open
them in Word, restyle them, and save them in the workspace's own ``templates/`` folder.
Layout of the decision follows Nghị định 30/2020/NĐ-CP, Phụ lục I (A4; margins top and
bottom 20 mm, left 30 mm, right 15 mm; Times New Roman; the two-column header with the
issuing authority and number on the left, quốc hiệu and tiêu ngữ on the right).

``tin-bai.docx`` is the draft news item for the portal (values: those of the report plus
``news``, see cchc_cli/news.py).

Tags used (see cchc_cli/report.py for the context): ``{{ … }}`` for values,
``{%p … %}`` for paragraph loops, ``{%tr … %}`` for table-row loops.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

HERE = Path(__file__).resolve().parent
FONT = "Times New Roman"
LANGUAGE = "vi-VN"


# --- helpers --------------------------------------------------------------------------


def set_language(properties):
    """w:lang vi-VN in a run's (or a style's) properties: Word checks spelling in
    Vietnamese instead of marking every word."""
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    for key in ("val", "eastAsia"):
        lang.set(qn(f"w:{key}"), LANGUAGE)


def set_font(run, size: float | None = None, *, bold: bool = False, italic: bool = False):
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    set_language(run._element.get_or_add_rPr())
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    return run


def para(container, text: str = "", *, size: float = 14, bold: bool = False,
         italic: bool = False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False,
         before: float = 0, after: float = 6, keep: bool = False):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = 1.15
    if indent:
        fmt.first_line_indent = Cm(1.27)
    if keep:
        fmt.keep_with_next = True
    if text:
        set_font(paragraph.add_run(text), size, bold=bold, italic=italic)
    return paragraph


def center(container, text: str = "", **kw):
    kw.setdefault("after", 0)
    return para(container, text, align=WD_ALIGN_PARAGRAPH.CENTER, **kw)


def tag(container, text: str):
    """A paragraph holding only a {%p … %} tag (docxtpl removes it when rendering)."""
    paragraph = container.add_paragraph()
    set_font(paragraph.add_run(text), 2)
    return paragraph


def short_rule(container, indent_cm: float):
    """A short centred line under a heading (a bottom border between wide indents)."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(indent_cm)
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
    set_font(paragraph.add_run(""), 4)
    return paragraph


def page_break(container):
    paragraph = container.add_paragraph()
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    return paragraph


def no_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def set_widths(table, widths_cm: list[float]):
    """Column widths for Word (cell widths) and LibreOffice (the table grid)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=False):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def cell_text(cell, text: str, *, size: float = 12, bold: bool = False, italic: bool = False,
              align=WD_ALIGN_PARAGRAPH.CENTER):
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(2)
    set_font(paragraph.add_run(text), size, bold=bold, italic=italic)
    return paragraph


def middle(row):
    """Header cells centred vertically (a wrapped header beside a one-line one)."""
    for cell in row.cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def shade(cell, fill: str = "D9E2F3"):
    properties = cell._tc.get_or_add_tcPr()
    element = OxmlElement("w:shd")
    element.set(qn("w:val"), "clear")
    element.set(qn("w:color"), "auto")
    element.set(qn("w:fill"), fill)
    properties.append(element)


def repeat_header(row):
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def keep_rows_whole(table):
    """No row of the table is ever split across two pages."""
    for row in table.rows:
        row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))


def keep_with_next(cell):
    for paragraph in cell.paragraphs:
        paragraph.paragraph_format.keep_with_next = True


def loop_table(container, headers: list[str], cells: list[str], widths: list[float], *,
               open_tag: str, close_tag: str, aligns: list | None = None, size: float = 12):
    """A grid table: a header row, then one row repeated by a {%tr for %} loop."""
    table = container.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, text in enumerate(headers):
        cell_text(table.rows[0].cells[c], text, size=size, bold=True)
        shade(table.rows[0].cells[c])
    repeat_header(table.rows[0])
    middle(table.rows[0])
    cell_text(table.rows[1].cells[0], open_tag, size=2)
    for c, text in enumerate(cells):
        align = (aligns or [])[c] if aligns and c < len(aligns) else WD_ALIGN_PARAGRAPH.CENTER
        cell_text(table.rows[2].cells[c], text, size=size, align=align)
    cell_text(table.rows[3].cells[0], close_tag, size=2)
    set_widths(table, widths)
    keep_rows_whole(table)
    return table


def a4(document, *, landscape: bool = False):
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    for defaults in document.styles.element.iter(qn("w:rPrDefault")):
        set_language(defaults.find(qn("w:rPr")))
    set_language(style.element.get_or_add_rPr())
    # Page numbers centred at the top, from page 2 on (Nghị định 30: trang 2 trở đi).
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = header.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    set_font(run, 13)


def draft_mark(container):
    """'DỰ THẢO' in a box at the top right of the first page, above the heading (gone
    with --final); in the body, so that it is part of the document's text."""
    tag(container, "{%p if draft %}")
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.paragraph_format.space_after = Pt(8)
    run = set_font(paragraph.add_run("{{ draft_mark }}"), 13, bold=True)
    border = OxmlElement("w:bdr")
    for key, value in (("val", "single"), ("sz", "8"), ("space", "2"), ("color", "000000")):
        border.set(qn(f"w:{key}"), value)
    run._element.get_or_add_rPr().find(qn("w:lang")).addprevious(border)
    tag(container, "{%p endif %}")


def landscape_section(document):
    """A new landscape section (the annexes: their tables need the width)."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    # Page numbers on every page of the annexes; the DỰ THẢO mark is the first page's.
    section.different_first_page_header_footer = False
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    return section


def heading_block(document, *, title: str):
    """The two-column header of an administrative document (ND 30/2020, Phụ lục I)."""
    draft_mark(document)
    table = document.add_table(rows=1, cols=2)
    no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, [6.2, 10.3])
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    first.paragraph_format.space_after = Pt(0)
    set_font(first.add_run("{{ authority_lines[0] }}"), 13, bold=True)
    center(left, "{{ authority_lines[1] }}", size=13, bold=True)
    short_rule(left, 1.8)
    center(left, "Số:        /{{ number_suffix }}", size=13, after=0)
    top = right.paragraphs[0]
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    top.paragraph_format.space_after = Pt(0)
    set_font(top.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 12.5, bold=True)
    center(right, "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True)
    short_rule(right, 2.4)
    center(right, "{{ date_line }}", size=14, italic=True)
    center(document, "", after=6)
    center(document, title, size=14, bold=True)


def signature_block(document, *, recipients: str = "recipients"):
    table = document.add_table(rows=1, cols=2)
    no_borders(table)
    set_widths(table, [8.0, 8.5])
    left, right = table.rows[0].cells
    if recipients:
        first = left.paragraphs[0]
        first.paragraph_format.space_after = Pt(0)
        set_font(first.add_run("Nơi nhận:"), 12, bold=True, italic=True)
        tag(left, "{%p for r in " + recipients + " %}")
        para(left, "- {{ r }}", size=11, after=0, align=WD_ALIGN_PARAGRAPH.LEFT)
        tag(left, "{%p endfor %}")
    # The loop's tag is the cell's first paragraph (removed when rendering), so that the
    # signer's title starts level with "Nơi nhận:".
    set_font(right.paragraphs[0].add_run("{%p for line in signer_lines %}"), 2)
    center(right, "{{ line }}", size=14, bold=True)
    tag(right, "{%p endfor %}")
    for _ in range(4):
        center(right, "")
    center(right, "{{ signer_name }}", size=14, bold=True)


# --- the decision -----------------------------------------------------------------------

C = WD_ALIGN_PARAGRAPH.CENTER
L = WD_ALIGN_PARAGRAPH.LEFT


def annex_heading(document, number: str, title: str):
    center(document, f"Phụ lục {number}", bold=True, keep=True)
    center(document, title, bold=True, keep=True)
    center(document, "(Kèm theo Quyết định số        /{{ number_suffix }} {{ annex_date }}"
           " của {{ authority }})", italic=True, size=13, after=12, keep=True)


def build_decision(path: Path) -> None:
    document = Document()
    a4(document)
    heading_block(document, title="QUYẾT ĐỊNH")
    center(document, "Phê duyệt Chỉ số cải cách hành chính năm {{ year }} của {{ scope }}",
           bold=True)
    short_rule(document, 6.0)
    center(document, "{{ authority_upper }}", bold=True, after=12, before=6)
    tag(document, "{%p for line in legal_basis %}")
    para(document, "{{ line }}", italic=True, indent=True)
    tag(document, "{%p endfor %}")
    para(document, "{{ proposal }}", italic=True, indent=True)
    center(document, "QUYẾT ĐỊNH:", bold=True, before=6, after=12)
    p = para(document, "", indent=True)
    set_font(p.add_run("Điều 1. "), 14, bold=True)
    set_font(p.add_run("Phê duyệt Chỉ số cải cách hành chính năm {{ year }} của {{ scope }}"
                       " (chi tiết tại các Phụ lục {{ annex_range }} kèm theo Quyết định này),"
                       " cụ thể:"), 14)
    tag(document, "{%p for b in blocks %}")
    para(document, "{{ b.article_line }}", indent=True)
    tag(document, "{%p endfor %}")
    p = para(document, "", indent=True)
    set_font(p.add_run("Điều 2. "), 14, bold=True)
    set_font(p.add_run("Kết quả Chỉ số cải cách hành chính năm {{ year }} là căn cứ để đánh"
                       " giá, xếp loại mức độ hoàn thành nhiệm vụ năm {{ year }} của người đứng"
                       " đầu các cơ quan, đơn vị (chi tiết tại Phụ lục {{ heads_annex }}) và"
                       " để xem xét, đề nghị khen thưởng theo quy định."), 14)
    para(document, "Giao Sở Nội vụ công bố kết quả Chỉ số cải cách hành chính năm {{ year }};"
         " các cơ quan, đơn vị căn cứ kết quả được phê duyệt, xây dựng kế hoạch khắc phục tồn"
         " tại, hạn chế, nâng cao hiệu quả công tác cải cách hành chính năm {{ next_year }}.",
         indent=True)
    p = para(document, "", indent=True)
    set_font(p.add_run("Điều 3. "), 14, bold=True)
    set_font(p.add_run("Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân"
                       " dân tỉnh, Giám đốc Sở Nội vụ, Thủ trưởng các sở, ban, ngành và cơ quan,"
                       " đơn vị có tên tại các Phụ lục kèm theo chịu trách nhiệm thi hành Quyết"
                       " định này./."), 14)
    p.paragraph_format.keep_with_next = True
    center(document, "", after=6, keep=True)
    signature_block(document)

    # The annexes, in landscape: their tables keep each name and rating on one line.
    landscape_section(document)
    tag(document, "{%p for b in blocks %}")
    annex_heading(document, "{{ b.annex }}",
                  "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {{ year }} {{ b.title_upper }}")
    loop_table(
        document,
        ["STT", "Đơn vị", "Tổng điểm", "Chỉ số (%)", "Xếp hạng", "So với năm {{ previous_year }}",
         "Xếp loại"],
        ["{{ u.stt }}", "{{ u.name }}", "{{ u.points }}", "{{ u.index }}", "{{ u.rank }}",
         "{{ u.change }}", "{{ u.band }}"],
        [1.3, 9.6, 2.4, 2.4, 2.2, 3.4, 3.0],
        open_tag="{%tr for u in b.units %}", close_tag="{%tr endfor %}",
        aligns=[C, L, C, C, C, C, C],
    )
    tag(document, "{%p if b.note %}")
    para(document, "{{ b.note }}", italic=True, size=12, before=6)
    tag(document, "{%p endif %}")
    page_break(document)
    tag(document, "{%p endfor %}")

    # The heads' ratings.
    annex_heading(document, "{{ heads_annex }}",
                  "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI NGƯỜI ĐỨNG ĐẦU THEO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH"
                  " NĂM {{ year }}")
    table = document.add_table(rows=7, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, text in enumerate(["STT", "Cơ quan, đơn vị", "Người đứng đầu", "Chỉ số (%)",
                              "Xếp loại", "Đánh giá người đứng đầu"]):
        cell_text(table.rows[0].cells[c], text, bold=True)
        shade(table.rows[0].cells[c])
    repeat_header(table.rows[0])
    middle(table.rows[0])
    cell_text(table.rows[1].cells[0], "{%tr for b in blocks %}", size=2)
    group = table.rows[2].cells[0].merge(table.rows[2].cells[5])
    cell_text(group, "{{ b.roman }}. {{ b.name_upper }}", bold=True, align=L)
    keep_with_next(group)
    cell_text(table.rows[3].cells[0], "{%tr for u in b.units %}", size=2)
    for c, text in enumerate(["{{ u.stt }}", "{{ u.name }}", "{{ u.head }}", "{{ u.index }}",
                              "{{ u.band }}", "{{ u.leader_rating }}"]):
        cell_text(table.rows[4].cells[c], text, align=L if c in (1, 2) else C)
    cell_text(table.rows[5].cells[0], "{%tr endfor %}", size=2)
    cell_text(table.rows[6].cells[0], "{%tr endfor %}", size=2)
    set_widths(table, [1.2, 7.8, 4.4, 2.2, 2.8, 6.8])
    keep_rows_whole(table)
    document.save(path)


# --- the report -------------------------------------------------------------------------


def build_report(path: Path) -> None:
    document = Document()
    a4(document)
    heading_block(document, title="BÁO CÁO")
    center(document, "Kết quả xác định Chỉ số cải cách hành chính năm {{ year }}"
           " của {{ scope }}", bold=True)
    short_rule(document, 6.0)
    para(document, "Thực hiện Bộ tiêu chí xác định Chỉ số cải cách hành chính của tỉnh,"
         " {{ authority }} báo cáo kết quả xác định Chỉ số cải cách hành chính năm {{ year }}"
         " như sau:", indent=True, before=6)
    para(document, "I. KẾT QUẢ CHUNG CỦA TỈNH", bold=True, keep=True)
    tag(document, "{%p for line in overview_lines %}")
    para(document, "{{ line }}", indent=True)
    tag(document, "{%p endfor %}")
    para(document, "{{ method_line }}", indent=True)
    para(document, "Kết quả xếp loại theo khối:", indent=True, keep=True)
    table = document.add_table(rows=7, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, text in enumerate(["Khối", "Xếp loại", "Số đơn vị", "Tỷ lệ (%)"]):
        cell_text(table.rows[0].cells[c], text, bold=True)
        shade(table.rows[0].cells[c])
    repeat_header(table.rows[0])
    middle(table.rows[0])
    cell_text(table.rows[1].cells[0], "{%tr for b in blocks %}", size=2)
    group = table.rows[2].cells[0].merge(table.rows[2].cells[3])
    cell_text(group, "{{ b.label }} ({{ b.count }} đơn vị; chỉ số bình quân {{ b.average }})",
              bold=True, align=L)
    keep_with_next(group)
    cell_text(table.rows[3].cells[0], "{%tr for band in b.bands %}", size=2)
    for c, text in enumerate(["", "{{ band.label }}", "{{ band.count }}", "{{ band.share }}"]):
        cell_text(table.rows[4].cells[c], text, align=C)
    cell_text(table.rows[5].cells[0], "{%tr endfor %}", size=2)
    cell_text(table.rows[6].cells[0], "{%tr endfor %}", size=2)
    set_widths(table, [5.5, 4.0, 3.0, 3.0])
    keep_rows_whole(table)
    para(document, "", after=0)
    para(document, "II. KẾT QUẢ TỪNG KHỐI", bold=True, keep=True)
    tag(document, "{%p for b in blocks %}")
    para(document, "{{ b.heading }}", bold=True, keep=True)
    para(document, "{{ b.overview }}", indent=True)
    for line in ("top_line", "bottom_line", "movers_line", "note"):
        tag(document, "{%p if b." + line + " %}")
        para(document, "{{ b." + line + " }}", indent=True, italic=line == "note")
        tag(document, "{%p endif %}")
    center(document, "{{ b.chart_title }}", bold=True, italic=True, size=13, before=6,
           keep=True)
    center(document, "{{ b.chart }}", after=6)
    tag(document, "{%p endfor %}")
    para(document, "III. KẾT QUẢ THEO LĨNH VỰC VÀ TIÊU CHÍ", bold=True, keep=True)
    para(document, "1. Lĩnh vực có chỉ số thành phần bình quân thấp nhất của từng khối",
         bold=True, italic=True, keep=True)
    loop_table(
        document, ["Khối", "Lĩnh vực", "Chỉ số bình quân (%)"],
        ["{{ a.block }}", "{{ a.name }}", "{{ a.index }}"], [5.0, 8.5, 3.0],
        open_tag="{%tr for a in weak_areas %}", close_tag="{%tr endfor %}",
        aligns=[L, L, C])
    para(document, "", after=0)
    para(document, "2. Những tiêu chí nhiều đơn vị bị trừ điểm", bold=True, italic=True,
         keep=True)
    loop_table(
        document, ["Khối", "Tiêu chí", "Số đơn vị bị trừ điểm", "Tổng điểm bị trừ"],
        ["{{ x.block }}", "{{ x.name }}", "{{ x.units }}", "{{ x.lost }}"],
        [4.0, 8.0, 2.3, 2.2],
        open_tag="{%tr for x in losses %}", close_tag="{%tr endfor %}",
        aligns=[L, L, C, C])
    para(document, "", after=0)
    para(document, "IV. ĐỀ XUẤT, KIẾN NGHỊ", bold=True, keep=True)
    # Kept with the signature: a signature never stands alone on the last page.
    para(document, "Đề nghị các cơ quan, đơn vị nghiêm túc rà soát những tiêu chí bị trừ điểm,"
         " làm rõ nguyên nhân, trách nhiệm và có giải pháp khắc phục; người đứng đầu các cơ"
         " quan, đơn vị có kết quả xếp loại thấp chủ động chỉ đạo cải thiện Chỉ số năm"
         " {{ next_year }}.", indent=True, keep=True)
    center(document, "", after=6, keep=True)
    signature_block(document, recipients="report_recipients")
    document.save(path)


# --- the news item ---------------------------------------------------------------------


def build_news(path: Path) -> None:
    """The draft news item for the province's portal (SPEC §13.4): a title, a lead in
    bold, the province's results, one paragraph per block, a closing paragraph. Plain
    paragraphs, so that an editor can paste them into the portal's editor."""
    document = Document()
    a4(document)
    draft_mark(document)
    para(document, "TIN BÀI ĐĂNG CỔNG THÔNG TIN ĐIỆN TỬ – BẢN THẢO ĐỂ BIÊN TẬP", size=11,
         italic=True, align=L, after=12)
    para(document, "{{ news.title }}", size=16, bold=True, align=L, after=12)
    para(document, "{{ news.lead }}", bold=True, indent=True)
    tag(document, "{%p for line in news.paragraphs %}")
    para(document, "{{ line }}", indent=True)
    tag(document, "{%p endfor %}")
    para(document, "{{ news.closing }}", indent=True)
    document.save(path)


# --- the letters of the collection loop (cchc feedback, cchc status --reminder) ---------


def letter_heading(document, *, subject: str):
    """The header of a công văn of the Sở Nội vụ (ND 30/2020, Phụ lục I): the province's
    council above the Sở on the left with the number and the subject (V/v …), quốc hiệu
    and tiêu ngữ with the date line on the right."""
    draft_mark(document)
    table = document.add_table(rows=1, cols=2)
    no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, [6.6, 9.9])
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    first.paragraph_format.space_after = Pt(0)
    set_font(first.add_run("{{ parent_upper }}"), 12.5)
    center(left, "SỞ NỘI VỤ", size=13, bold=True)
    short_rule(left, 2.0)
    center(left, "Số:        /SNV-CCHC", size=13)
    center(left, subject, size=12, after=0)
    top = right.paragraphs[0]
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    top.paragraph_format.space_after = Pt(0)
    set_font(top.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 12.5, bold=True)
    center(right, "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True)
    short_rule(right, 2.4)
    center(right, "{{ date_line }}", size=14, italic=True)
    center(document, "", after=6)


def letter_signature(document):
    """Nơi nhận on the left, the Sở's signer on the right (edit to suit the Sở)."""
    table = document.add_table(rows=1, cols=2)
    no_borders(table)
    set_widths(table, [8.0, 8.5])
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    first.paragraph_format.space_after = Pt(0)
    set_font(first.add_run("Nơi nhận:"), 12, bold=True, italic=True)
    para(left, "- Như trên;", size=11, after=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    para(left, "- Lưu: VT, CCHC.", size=11, after=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    top = right.paragraphs[0]
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(top.add_run("KT. GIÁM ĐỐC"), 14, bold=True)
    center(right, "PHÓ GIÁM ĐỐC", size=14, bold=True)


def build_letter(path: Path) -> None:
    """The cover letter of the files sent back to one unit (``cchc feedback --letter``)."""
    document = Document()
    a4(document)
    letter_heading(document, subject="V/v hoàn thiện hồ sơ Chỉ số cải cách hành chính"
                   " năm {{ year }}")
    center(document, "Kính gửi: {{ unit_name }}.", after=12)
    tag(document, "{%p for text in paragraphs %}")
    para(document, "{{ text }}", indent=True)
    tag(document, "{%p endfor %}")
    para(document, "Tài liệu gửi kèm:", indent=True, keep=True, after=0)
    tag(document, "{%p for name in attachments %}")
    para(document, "- {{ name }}", indent=True, after=0)
    tag(document, "{%p endfor %}")
    para(document, "Đề nghị đơn vị gửi lại Sở Nội vụ trước ngày ……/……/{{ year_now }} để tổng"
         " hợp, báo cáo Hội đồng thẩm định./.", indent=True, before=6, keep=True)
    center(document, "", after=6, keep=True)
    letter_signature(document)
    document.save(path)


def build_reminder(path: Path) -> None:
    """The draft công văn đôn đốc to the units and appraisers that are late
    (``cchc status --reminder``)."""
    document = Document()
    a4(document)
    letter_heading(document, subject="V/v đôn đốc thực hiện xác định Chỉ số cải cách hành"
                   " chính năm {{ year }}")
    center(document, "Kính gửi: Các cơ quan, đơn vị có tên tại danh sách dưới đây.", after=12)
    tag(document, "{%p if plan %}")
    para(document, "Thực hiện Kế hoạch xác định Chỉ số cải cách hành chính năm {{ year }},"
         " theo đó {{ plan }}.", indent=True)
    tag(document, "{%p endif %}")
    para(document, "Đến {{ as_of }}, các cơ quan, đơn vị sau chưa hoàn thành:", indent=True,
         keep=True)
    tag(document, "{%p if units %}")
    para(document, "1. Gửi biểu tự đánh giá, chấm điểm", bold=True, keep=True)
    loop_table(document, ["STT", "Cơ quan, đơn vị", "Khối", "Việc chưa hoàn thành", "Hạn"],
               ["{{ u.stt }}", "{{ u.name }}", "{{ u.block }}", "{{ u.task }}", "{{ u.due }}"],
               [1.2, 5.6, 3.6, 4.0, 2.4], open_tag="{%tr for u in units %}",
               close_tag="{%tr endfor %}", aligns=[C, L, L, L, C], size=12)
    para(document, "", after=0)
    tag(document, "{%p endif %}")
    tag(document, "{%p if appraisers %}")
    para(document, "{{ '2' if units else '1' }}. Thẩm định kết quả tự đánh giá", bold=True,
         keep=True)
    loop_table(document, ["STT", "Cơ quan thẩm định", "Vòng", "Việc chưa hoàn thành", "Hạn"],
               ["{{ a.stt }}", "{{ a.name }}", "{{ a.round }}", "{{ a.task }}", "{{ a.due }}"],
               [1.2, 5.0, 1.6, 6.2, 2.4], open_tag="{%tr for a in appraisers %}",
               close_tag="{%tr endfor %}", aligns=[C, L, C, L, C], size=12)
    para(document, "", after=0)
    tag(document, "{%p endif %}")
    para(document, "Sở Nội vụ đề nghị các cơ quan, đơn vị khẩn trương hoàn thành, gửi về Sở"
         " Nội vụ trước ngày ……/……/{{ year_now }} để tổng hợp, báo cáo Hội đồng thẩm định"
         " Chỉ số cải cách hành chính của tỉnh./.", indent=True, keep=True)
    center(document, "", after=6, keep=True)
    letter_signature(document)
    document.save(path)


def main() -> None:
    build_decision(HERE / "quyet-dinh.docx")
    build_report(HERE / "bao-cao.docx")
    build_news(HERE / "tin-bai.docx")
    build_letter(HERE / "cong-van-gui-don-vi.docx")
    build_reminder(HERE / "cong-van-don-doc.docx")
    print("written:", *(HERE / name for name in ("quyet-dinh.docx", "bao-cao.docx",
                                                 "tin-bai.docx", "cong-van-gui-don-vi.docx",
                                                 "cong-van-don-doc.docx")))


if __name__ == "__main__":
    main()
