"""Finishing touches every document of ``cchc report`` gets, whatever its template.

A workspace's own template may come from any Word installation; what a Phòng CCHC must
not have to retouch is enforced here, on the rendered document (python-docx objects):

- the language is Vietnamese (vi-VN) in the styles and in every run, so that Word does
  not mark every word as misspelt;
- the author is the province's authority, not "python-docx", and the dates are the run's;
- no table row is split across two pages;
- a number and its ``%`` never part at a line end (non-breaking space);
- the document does not end with an empty page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

LANGUAGE = "vi-VN"
NBSP = "\u00a0"
_NUMBER_PERCENT = re.compile(r"(\d) +%")
# Elements of a run's properties that come after w:lang (ECMA-376, CT_RPr order).
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


@dataclass(frozen=True)
class DocumentProperties:
    author: str
    title: str
    moment: dt.datetime


def finish(document: Any, properties: DocumentProperties | None) -> None:
    """Apply every touch to a rendered python-docx ``Document``."""
    if properties is not None:
        set_properties(document, properties)
    for part in document.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is None or not hasattr(element, "iter"):
            continue
        set_language(element)
        keep_percent(element)
    keep_rows_whole(document.element.body)
    trim_end(document.element.body)


def set_properties(document: Any, properties: DocumentProperties) -> None:
    core = document.core_properties
    core.author = properties.author
    core.last_modified_by = properties.author
    core.title = properties.title
    core.language = LANGUAGE
    core.comments = ""
    core.created = properties.moment
    core.modified = properties.moment
    core.revision = 1


def set_language(element: Any) -> None:
    """vi-VN in the default run properties (styles) and in every run."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for lang in element.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)
    for defaults in element.iter(qn("w:rPrDefault")):
        run_properties = defaults.find(qn("w:rPr"))
        if run_properties is None:
            run_properties = OxmlElement("w:rPr")
            defaults.append(run_properties)
        _add_lang(run_properties)
    for run in element.iter(qn("w:r")):
        if hasattr(run, "get_or_add_rPr"):
            _add_lang(run.get_or_add_rPr())


def _add_lang(run_properties: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if run_properties.find(qn("w:lang")) is not None:
        return
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    for successor in _AFTER_LANG:
        found = run_properties.find(qn(successor))
        if found is not None:
            found.addprevious(lang)
            return
    run_properties.append(lang)


def keep_percent(element: Any) -> None:
    """'93,69 %' with a non-breaking space, so that '%' never starts a line."""
    from docx.oxml.ns import qn

    for text in element.iter(qn("w:t")):
        if text.text and "%" in text.text:
            text.text = _NUMBER_PERCENT.sub(rf"\1{NBSP}%", text.text)


def keep_rows_whole(body: Any) -> None:
    """``w:cantSplit`` on every table row: a row is never cut by a page break."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for row in body.iter(qn("w:tr")):
        row_properties = row.get_or_add_trPr()
        if row_properties.find(qn("w:cantSplit")) is None:
            row_properties.insert(0, OxmlElement("w:cantSplit"))


def trim_end(body: Any) -> None:
    """No empty page at the end: trailing empty paragraphs and page breaks go; the one
    paragraph Word requires after a final table is made too small to need a page."""
    from docx.oxml.ns import qn

    ending = [child for child in body if child.tag != qn("w:sectPr")]
    while len(ending) > 1 and _blank(ending[-1]) and ending[-2].tag == qn("w:p"):
        body.remove(ending.pop())
    last = ending[-1] if ending else None
    if last is not None and last.tag == qn("w:tbl"):
        # Word shows a paragraph mark after a final table anyway, at full size: one of
        # our own, shrunk, cannot spill onto a page of its own.
        from docx.oxml import OxmlElement

        last.addnext(OxmlElement("w:p"))
        last = last.getnext()
    if last is None or last.tag != qn("w:p") or not _blank(last):
        return
    for page_break in list(last.iter(qn("w:br"))):
        page_break.getparent().remove(page_break)
    _shrink(last)


def _blank(element: Any) -> bool:
    """A paragraph with no text, picture or field: nothing a reader would miss."""
    from docx.oxml.ns import qn

    if element.tag != qn("w:p"):
        return False
    if any(t.text and t.text.strip() for t in element.iter(qn("w:t"))):
        return False
    return not any(True for tag in ("w:drawing", "w:pict", "w:fldChar", "w:fldSimple")
                   for _ in element.iter(qn(tag)))


def _shrink(paragraph: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph.get_or_add_pPr()
    spacing = properties.get_or_add_spacing()
    for key, value in (("before", "0"), ("after", "0"), ("line", "20"),
                       ("lineRule", "exact")):
        spacing.set(qn(f"w:{key}"), value)
    marks = properties.find(qn("w:rPr"))
    if marks is None:
        marks = OxmlElement("w:rPr")
        properties.insert_element_before(marks, "w:sectPr", "w:pPrChange")
    marks.get_or_add_sz().set(qn("w:val"), "2")
