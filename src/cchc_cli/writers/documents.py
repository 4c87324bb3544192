"""Rendering the Word documents of ``cchc report`` (docxtpl, matplotlib).

Templates are .docx files with Jinja2 tags. They render in Jinja's *sandboxed*
environment — a workspace template is data an analyst received, and must not reach
Python internals — with strict undefined variables, so a misspelt tag fails loudly
instead of printing nothing. The result is checked for tags left unrendered and written
with fixed zip timestamps, so identical inputs give identical bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_cli.numbers import vi
from cchc_cli.writers.docx_finish import DocumentProperties, finish

if TYPE_CHECKING:
    from cchc_cli.record import YearResult
    from cchc_cli.report import Chart, DocumentOptions

# The documents of ``cchc report`` (keys of outputs.RESULT_FILES) and their templates.
DOCUMENT_TEMPLATES = {"decision": "quyet-dinh.docx", "report": "bao-cao.docx"}
DECISION_TEMPLATE = DOCUMENT_TEMPLATES["decision"]
REPORT_TEMPLATE = DOCUMENT_TEMPLATES["report"]
DOCUMENT_TITLES = {
    "decision": "Quyết định phê duyệt Chỉ số cải cách hành chính năm {year}",
    "report": "Báo cáo kết quả xác định Chỉ số cải cách hành chính năm {year}",
}
_LEFTOVER = re.compile(r"\{\{|\{%|%\}|\}\}")
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class TemplateProblem(Exception):
    """A template that cannot be rendered safely; ``code`` is an issue code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


CHART_MAX_BARS = 40
AVERAGE_COLOUR = "#C00000"


def bar_chart_png(chart: Chart, *, precision: int) -> bytes:
    """:func:`bar_chart_figure` as PNG bytes (no software name, for identical bytes)."""
    buffer = io.BytesIO()
    bar_chart_figure(chart, precision=precision).savefig(buffer, format="png",
                                                         metadata={"Software": None})
    return buffer.getvalue()


def bar_chart_figure(chart: Chart, *, precision: int) -> Any:
    """A horizontal bar chart of a block's indices, best first (a matplotlib Figure).

    The axis starts at 0, so that bar lengths compare honestly, and a dashed line marks
    the block average. A block of more than 40 units (the communes of a province) would
    make bars too thin to read on an A4 page: the chart then shows the 20 highest and
    the 20 lowest.
    """
    names: list[str] = list(chart.names)
    values: list[Decimal | None] = list(chart.values)
    note = ""
    if len(names) > CHART_MAX_BARS:
        half = CHART_MAX_BARS // 2
        note = f"{half} đơn vị cao nhất và {half} đơn vị thấp nhất trong {len(names)} đơn vị"
        names = [*names[:half], "…", *names[-half:]]
        values = [*values[:half], None, *values[-half:]]
    # Figure + Agg canvas directly: pyplot's import and state machine are not needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    serif = "DejaVu Serif"
    height = max(2.6, 0.24 * len(names) + 1.5)
    figure = Figure(figsize=(7.2, height), dpi=130)
    FigureCanvasAgg(figure)
    longest = max((len(n) for n in names), default=10)
    # Room for the names on the left (tight_layout would measure them, slowly), and for
    # the key above the bars.
    figure.subplots_adjust(left=min(0.5, 0.04 + 0.0118 * longest), right=0.96,
                           top=1 - 0.45 / height, bottom=0.8 / height)
    axes = figure.subplots()
    numbers = [float(v) if v is not None else 0.0 for v in values]
    positions = list(range(len(names)))
    axes.barh(positions, numbers, color="#2E75B6", height=0.7)
    axes.margins(y=0.01)
    axes.set_yticks(positions, labels=names, fontsize=9, fontfamily=serif)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("Chỉ số CCHC (%)" + (f" — {note}" if note else ""), fontsize=8,
                    fontfamily=serif)
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", color="#D9D9D9", linewidth=0.6)
    axes.set_axisbelow(True)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    for y, value in zip(positions, values, strict=True):
        if value is not None:
            # On white, so that the average's line never crosses a number.
            axes.text(float(value) + 0.6, y, vi(value, precision), va="center", fontsize=8,
                      fontfamily=serif, zorder=4,
                      bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.4})
    if chart.average is not None:
        label = f"Bình quân khối: {vi(chart.average, precision)} %"
        axes.axvline(float(chart.average), color=AVERAGE_COLOUR, linestyle="--",
                     linewidth=1.2, label=label, zorder=3)
        # Above the bars, clear of them.
        axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False,
                    borderaxespad=0.2, prop={"size": 9, "family": serif})
    return figure


def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


# A Word template is a few hundred kilobytes; these bounds leave room for pictures.
MAX_TEMPLATE_BYTES = 50 * 2**20
MAX_TEMPLATE_INFLATED = 200 * 2**20


def _checked_template(template: Path) -> bytes:
    """The template's bytes, after checking that no member inflates beyond what the zip
    directory declares and that the declared total is bounded: a zip bomb is refused
    before python-docx decompresses it."""
    from cchc_cli.files import FileRefused, read_limited
    from cchc_cli.issues import issue
    from cchc_cli.readers.workbook import inflate, open_archive

    try:
        data = read_limited(template, MAX_TEMPLATE_BYTES)
        _, infos = open_archive(data, MAX_TEMPLATE_INFLATED)
        for info in infos.values():
            inflate(data, info)
    except FileRefused as refused:
        detail = issue(refused.code, **refused.params).message
        raise TemplateProblem("mau-van-ban-hong", detail.rstrip(".")) from refused
    return data


def render_documents(result: YearResult, templates: dict[str, Path], options: DocumentOptions
                     ) -> tuple[dict[str, bytes], list[tuple[str, TemplateProblem]]]:
    """Both documents of a ranked year, as bytes by kind, and the templates' problems.

    ``templates`` maps each kind of DOCUMENT_TEMPLATES to the template file to use.
    """
    from cchc_cli.report import build_context
    from cchc_cli.timing import stage

    context = build_context(result, options)
    with stage("charts"):
        charts = [bar_chart_png(chart, precision=result.precision) for chart in context.charts]
    rendered: dict[str, bytes] = {}
    problems: list[tuple[str, TemplateProblem]] = []
    for kind, template in templates.items():
        properties = DocumentProperties(
            author=result.settings.authority,
            title=DOCUMENT_TITLES[kind].format(year=result.year),
            moment=result.as_of,
        )
        try:
            with stage("documents"):
                rendered[kind] = render(template, context.for_document(kind),
                                        charts if kind == "report" else None, properties)
        except TemplateProblem as problem:
            problems.append((kind, problem))
    return rendered, problems


def render(template: Path, values: dict[str, Any], charts: list[bytes] | None = None,
           properties: DocumentProperties | None = None) -> bytes:
    """Render one template; charts (PNG bytes, one per block) go to ``blocks[i].chart``;
    then the finishing touches every document gets (:func:`docx_finish.finish`)."""
    import jinja2
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    data = _checked_template(template)
    try:
        document = DocxTemplate(io.BytesIO(data))
        document.init_docx()
    except Exception as exc:  # not a .docx, a broken zip, …
        raise TemplateProblem("mau-van-ban-hong", str(exc)[:200]) from exc
    context = dict(values)
    if charts is not None:
        context["blocks"] = [
            {**block, "chart": InlineImage(document, io.BytesIO(png), width=Mm(160))}
            for block, png in zip(values["blocks"], charts, strict=True)
        ]
    try:
        document.render(context, jinja_env=_environment(), autoescape=True)
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateProblem("mau-van-ban-khong-an-toan", str(exc)[:200]) from exc
    except jinja2.exceptions.TemplateSyntaxError as exc:
        raise TemplateProblem("mau-van-ban-loi", f"dòng {exc.lineno}: {exc.message}") from exc
    except jinja2.exceptions.UndefinedError as exc:
        raise TemplateProblem("mau-van-ban-loi", str(exc)[:200]) from exc
    except Exception as exc:  # docxtpl's own errors on malformed tags
        raise TemplateProblem("mau-van-ban-loi", f"{type(exc).__name__}: {str(exc)[:200]}") \
            from exc
    finish(document.docx, properties)
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    leftover = _leftover_tag(data)
    if leftover:
        raise TemplateProblem("mau-van-ban-con-the", leftover)
    return normalise_zip(data)


def _leftover_tag(data: bytes) -> str | None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                text = re.sub(r"<[^>]+>", "", archive.read(name).decode("utf-8", "replace"))
                match = _LEFTOVER.search(text)
                if match:
                    start = max(0, match.start() - 30)
                    return text[start: match.end() + 30]
    return None


def normalise_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps (python-docx stamps the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return output.getvalue()
