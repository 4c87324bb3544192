"""The draft news item ``tin-bai-Y.docx`` (SPEC §13.4), from ``templates/tin-bai.docx``.

Rendered like the decision and the report: in Jinja's sandbox, then finished by
:mod:`cchc_cli.writers.docx_finish` (Vietnamese language, the authority as author, fixed
dates and zip times). A workspace's own ``templates/tin-bai.docx`` replaces the bundled
one; its values are those of the other documents plus ``news`` (:mod:`cchc_cli.news`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cchc_cli.writers.documents import render
from cchc_cli.writers.docx_finish import DocumentProperties

if TYPE_CHECKING:
    from cchc_cli.record import YearResult
    from cchc_cli.report import DocumentOptions

NEWS_TEMPLATE = "tin-bai.docx"
NEWS_TITLE = "Tin bài: kết quả Chỉ số cải cách hành chính năm {year}"


def render_news(result: YearResult, template: Path, options: DocumentOptions) -> bytes:
    """The news item's bytes; a template that cannot be rendered raises
    :class:`~cchc_cli.writers.documents.TemplateProblem`."""
    from cchc_cli.report import build_context

    context = build_context(result, options)
    properties = DocumentProperties(author=result.settings.authority,
                                    title=NEWS_TITLE.format(year=result.year),
                                    moment=result.as_of)
    return render(template, context.for_document("news"), None, properties)
