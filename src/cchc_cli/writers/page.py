"""The page for the province's portal, ``cong-bo-Y.html`` (SPEC §13.4).

One self-contained HTML file: no script, no font, no picture, no style sheet from
anywhere else — its Content-Security-Policy even forbids them, so that a page edited
later to load something fails loudly in any browser. Per block: the ranked table
(caption, header cells with their scope), a bar chart in inline SVG, movers and streaks,
and — when there are several years — each unit's trend and a chart of the block over
the years.

The charts lay out in percentages of their width and pixels of height, without a
``viewBox``: text keeps its size on a phone and on a desktop alike, and only the bars
stretch. The page reads on a 390 px screen, and prints on A4 (print styles).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from cchc_cli.news import streaks_of, top_band
from cchc_cli.numbers import vi
from cchc_cli.ranking import RankEntry, change_text
from cchc_cli.streaks import YearHistory, notable

if TYPE_CHECKING:
    from cchc_cli.record import YearResult
    from cchc_cli.report import DocumentContext, DocumentOptions
    from cchc_cli.summary import BlockSummary

POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
BAR_COLOUR, AVERAGE_COLOUR, TEXT_COLOUR = "#1F5F99", "#B00020", "#1A1A1A"
# Share of a bar chart's width for 100 %: the rest holds the value after the bar.
SCALE = Decimal("0.84")
ROW_PX, TOP_PX, BOTTOM_PX = 42, 30, 26
CHART_MAX_BARS, NAME_CHARS = 40, 52

CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;
 color:#1a1a1a;background:#fff;line-height:1.5;font-size:1rem}
.page{max-width:62rem;margin:0 auto;padding:1rem 1rem 2rem}
.draft{border:2px solid #b00020;color:#b00020;font-weight:700;padding:.25rem .75rem;
 display:inline-block;margin:0 0 .75rem;letter-spacing:.05em}
header.top{border-bottom:3px solid #1f5f99;padding-bottom:.75rem;margin-bottom:1rem}
.org{margin:0;font-size:.85rem;font-weight:700;letter-spacing:.04em;color:#1f5f99}
h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 .5rem}
h2{font-size:1.35rem;line-height:1.3;margin:2rem 0 .5rem;padding-top:.5rem;
 border-top:1px solid #d0d7de}
h3{font-size:1.05rem;margin:1.25rem 0 .4rem}
p{margin:.4rem 0 .8rem}
nav ul{list-style:none;padding:0;margin:.5rem 0 0;display:flex;flex-wrap:wrap;gap:.4rem}
nav a{display:inline-block;padding:.3rem .7rem;border:1px solid #1f5f99;border-radius:1rem;
 color:#1f5f99;text-decoration:none;font-size:.9rem}
nav a:focus,nav a:hover{background:#1f5f99;color:#fff}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(10.5rem,1fr));gap:.6rem;
 margin:1rem 0;padding:0;list-style:none}
.figures li{border:1px solid #d0d7de;border-radius:.4rem;padding:.6rem .8rem;background:#f6f8fa}
.figures b{display:block;font-size:1.5rem;color:#1f5f99;font-variant-numeric:tabular-nums}
figure{margin:1rem 0;break-inside:avoid}
figcaption{font-weight:700;font-style:italic;text-align:center;margin-top:.3rem;font-size:.95rem}
svg.chart{display:block;width:100%;overflow:visible}
svg.chart text{font-family:inherit;fill:#1a1a1a;paint-order:stroke;stroke:#fff;
 stroke-width:4px;stroke-linejoin:round}
.table-wrap{overflow-x:auto;margin:.5rem 0 1rem}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;font-weight:700;padding:.3rem 0}
th,td{border-bottom:1px solid #d0d7de;padding:.45rem .5rem;vertical-align:middle}
thead th{background:#e8eef5;text-align:left;font-size:.85rem;border-bottom:2px solid #1f5f99}
tbody th{text-align:left;font-weight:600}
tbody tr:nth-child(even){background:#f6f8fa}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.rank{text-align:center;font-weight:700}
th.center{text-align:center}
.up{color:#0b6b2b}.down{color:#b00020}
.band,.change{white-space:nowrap}
td.trend svg{display:block}
ul.list{padding-left:1.2rem;margin:.3rem 0 .8rem}
ul.list li{margin:.15rem 0}
.note{color:#57606a;font-size:.9rem}
footer{margin-top:2rem;border-top:1px solid #d0d7de;padding-top:.75rem;color:#57606a;
 font-size:.85rem}
@media (max-width:40rem){
 .page{padding:.75rem .6rem 1.5rem}
 h1{font-size:1.3rem}h2{font-size:1.15rem}
 table{font-size:.85rem}
 th,td{padding:.35rem .3rem}
 .col-trend,.word{display:none}
 thead th.num{white-space:normal}
 .figures b{font-size:1.25rem}
}
@media print{
 @page{size:A4;margin:14mm 12mm}
 body{font-size:10.5pt}
 .page{max-width:none;padding:0}
 nav,.skip{display:none}
 h2{border-top:none}
 section.block>h2{break-before:page}
 h2,h3,caption{break-after:avoid}
 tr,figure,.figures li{break-inside:avoid}
 figure.bars{zoom:var(--print-zoom)}
 thead{display:table-header-group}
 .table-wrap{overflow:visible}
 tbody tr:nth-child(even),thead th,.figures li{-webkit-print-color-adjust:exact;
  print-color-adjust:exact}
 a{color:inherit;text-decoration:none}
}
"""


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def anchor(code: str) -> str:
    """An element id from a block code (codes come from cchc.yaml: kept to safe
    characters)."""
    return "khoi-" + re.sub(r"[^A-Za-z0-9_-]", "-", code)


def render_page(result: YearResult, options: DocumentOptions) -> str:
    """The page's HTML text."""
    from cchc_cli.report import build_context

    context = build_context(result, options)
    page = _Page(result, context, options)
    return page.html()


@dataclass
class _Page:
    result: YearResult
    context: DocumentContext
    options: DocumentOptions

    @property
    def values(self) -> dict[str, Any]:
        return self.context.values

    @property
    def precision(self) -> int:
        return self.result.precision

    def percent(self, value: Decimal | None) -> str:
        return "–" if value is None else f"{vi(value, self.precision)}\u00a0%"

    def html(self) -> str:
        title = f"Kết quả Chỉ số cải cách hành chính năm {self.values['year']}"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="vi">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
            f"<title>{esc(title)} – {esc(self.values['province'])}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            '<div class="page">',
            self.header(title),
            '<main id="noi-dung">',
            self.overview(),
            *[self.block(i, block, summary) for i, (block, summary) in enumerate(
                zip(self.values["blocks"], self.context.summaries, strict=True), 1)],
            "</main>",
            self.footer(),
            "</div>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"

    # --- the top of the page ------------------------------------------------------------

    def header(self, title: str) -> str:
        values = self.values
        draft = "" if self.options.final else '<p class="draft">DỰ THẢO</p>\n'
        links = "".join(f'<li><a href="#{anchor(b["code"])}">{esc(b["label"])}</a></li>'
                        for b in values["blocks"])
        return (f'<header class="top">\n{draft}<p class="org">{esc(values["authority_upper"])}'
                f"</p>\n<h1>{esc(title)}</h1>\n<p>Kết quả Chỉ số cải cách hành chính năm"
                f" {esc(values['year'])} của {esc(values['scope'])}.</p>\n"
                f'<nav aria-label="Các khối"><ul>{links}</ul></nav>\n</header>')

    def overview(self) -> str:
        values = self.values
        summaries = self.context.summaries
        ranked = [e for s in summaries for e in s.ranked]
        figures = [(values["total_units"], "cơ quan, đơn vị được đánh giá"),
                   (values["province_average"], "chỉ số bình quân chung")]
        best = {band for s in summaries if (band := top_band(s)) is not None}
        if len(best) == 1:
            label = next(iter(best))
            count = sum(s.counts.get(label, 0) for s in summaries)
            figures.append((str(count), f"đơn vị xếp loại {label}"))
        if self.result.ranking is not None and self.result.ranking.previous is not None:
            risen = sum(1 for e in ranked if e.rank_change and e.rank_change > 0)
            figures.append((str(risen), f"đơn vị tăng bậc so với năm"
                                        f" {self.result.ranking.previous.year}"))
        items = "".join(f"<li><b>{esc(value)}</b>{esc(label)}</li>" for value, label in figures)
        lines = "".join(f"<p>{esc(line)}</p>" for line in values["overview_lines"])
        return (f'<section aria-labelledby="tong-quan"><h2 id="tong-quan">Kết quả chung</h2>'
                f'<ul class="figures">{items}</ul>{lines}</section>')

    def footer(self) -> str:
        moment = self.result.as_of.strftime("%d/%m/%Y")
        return (f"<footer><p>Nguồn: {esc(self.values['authority'])}. Số liệu tổng hợp ngày"
                f" {moment}; chỉ số làm tròn {self.precision} chữ số thập phân, đơn vị có cùng"
                " chỉ số được xếp đồng hạng.</p></footer>")

    # --- one block ----------------------------------------------------------------------

    def block(self, position: int, block: dict[str, Any], summary: BlockSummary) -> str:
        history = self.result.history
        heading = f"h-{anchor(block['code'])}"
        parts = [
            f'<section class="block" id="{anchor(block["code"])}" aria-labelledby="{heading}">',
            f'<h2 id="{heading}">{esc(block["label"])}</h2>',
            f"<p>{esc(block['overview'])}</p>",
        ]
        parts += [f"<p>{esc(block[key])}</p>" for key in ("top_line", "bottom_line")
                  if block[key]]
        parts.append(self.bar_figure(block["chart_title"], summary, position))
        parts.append(self.table(position, block, summary, history))
        parts.append(self.movers(summary))
        parts.append(self.streaks(summary, history))
        trend = self.trend_figure(position, block, summary, history)
        if trend:
            parts.append(trend)
        if block["note"]:
            parts.append(f'<p class="note">{esc(block["note"])}</p>')
        parts.append("</section>")
        return "\n".join(p for p in parts if p)

    def table(self, position: int, block: dict[str, Any], summary: BlockSummary,
              history: YearHistory | None) -> str:
        years = history.years() if history is not None else []
        trend = len(years) >= 2
        previous = self.result.ranking.previous if self.result.ranking else None
        heads = ['<th scope="col" class="center">Hạng</th>', '<th scope="col">Đơn vị</th>',
                 '<th scope="col" class="num">Chỉ số (%)</th>']
        if previous is not None:
            heads.append(f'<th scope="col">So với năm {previous.year}</th>')
        heads.append('<th scope="col">Xếp loại</th>')
        if trend:
            heads.append(f'<th scope="col" class="col-trend">{years[0]}–{years[-1]}</th>')
        entries = summary.ranked + summary.unranked
        scale = _Scale.of(history, summary.block) if trend else None
        rows = [self.row(entry, row, previous is not None, history, scale)
                for entry, row in zip(entries, block["units"], strict=True)]
        caption = (f"Bảng {position:02d}: Xếp hạng Chỉ số CCHC năm {self.values['year']} của"
                   f" {block['phrase']}")
        return (f'<div class="table-wrap"><table><caption>{esc(caption)}</caption>'
                f"<thead><tr>{''.join(heads)}</tr></thead><tbody>{''.join(rows)}</tbody>"
                "</table></div>")

    def row(self, entry: RankEntry, row: dict[str, str], compared: bool,
            history: YearHistory | None, scale: _Scale | None) -> str:
        cells = [f'<td class="rank">{esc(row["rank"])}</td>',
                 f'<th scope="row">{esc(row["name"])}</th>',
                 f'<td class="num">{esc(row["index"])}</td>']
        if compared:
            cells.append(change_cell(entry))
        cells.append(f'<td class="band">{esc(row["band"])}</td>')
        if scale is not None:
            line = sparkline(history, entry, scale, self.precision)
            cells.append(f'<td class="trend col-trend">{line}</td>')
        return f"<tr>{''.join(cells)}</tr>"

    def movers(self, summary: BlockSummary) -> str:
        ranking = self.result.ranking
        if ranking is None or ranking.previous is None:
            return ""
        items = []
        for label, entries in (("Tăng bậc nhiều nhất", summary.risers),
                               ("Giảm bậc nhiều nhất", summary.fallers)):
            if entries:
                names = "; ".join(f"{e.unit.name} ({change_text(e)}, từ hạng"
                                  f" {e.previous_rank} {_to(e)} hạng {e.rank})"
                                  for e in entries)
                items.append(f"<li><b>{label}:</b> {esc(names)}</li>")
        if not items:
            items.append("<li>Không đơn vị nào thay đổi thứ hạng.</li>")
        return (f"<h3>So với năm {ranking.previous.year}</h3>"
                f'<ul class="list">{"".join(items)}</ul>')

    def streaks(self, summary: BlockSummary, history: YearHistory | None) -> str:
        band = top_band(summary)
        items = [f"<li><b>{esc(e.unit.name)}</b>: {esc(', '.join(s.text for s in found))}</li>"
                 for e in summary.ranked
                 if (found := notable(streaks_of(history, e.code), band))]
        if not items:
            return ""
        return f'<h3>Thành tích liên tiếp</h3><ul class="list">{"".join(items)}</ul>'

    # --- charts -------------------------------------------------------------------------

    def bar_figure(self, title: str, summary: BlockSummary, position: int) -> str:
        chart_id = f"bd-{position:02d}"
        svg = bar_chart(summary.ranked, summary.average, precision=self.precision,
                        chart_id=chart_id, title=title)
        zoom = print_zoom(chart_height(len(summary.ranked)))
        return (f'<figure class="bars" style="--print-zoom:{zoom}">{svg}'
                f"<figcaption>{esc(title)}</figcaption></figure>")

    def trend_figure(self, position: int, block: dict[str, Any], summary: BlockSummary,
                     history: YearHistory | None) -> str:
        if history is None:
            return ""
        points = block_trend(history, summary.block)
        if len(points) < 2:
            return ""
        # Not numbered: "Biểu đồ 01…04" are the blocks' bar charts, as in the report.
        title = (f"Chỉ số CCHC của {block['phrase']} qua các năm (cao nhất, bình quân,"
                 " thấp nhất)")
        svg = trend_chart(points, precision=self.precision, chart_id=f"xh-{position:02d}",
                          title=title)
        return f"<figure>{svg}<figcaption>{esc(title)}</figcaption></figure>"


def change_cell(entry: RankEntry) -> str:
    """'▲ tăng 2 bậc', shortened to '▲ 2' on a phone (the words are hidden there)."""
    change = entry.rank_change
    if not change:
        return f'<td class="change">{esc(change_text(entry) or "–")}</td>'
    word, mark, kind = ("tăng", "▲", "up") if change > 0 else ("giảm", "▼", "down")
    return (f'<td class="change {kind}">{mark} <span class="word">{word} </span>{abs(change)}'
            '<span class="word"> bậc</span></td>')


def _to(entry: RankEntry) -> str:
    return "lên" if (entry.rank_change or 0) > 0 else "xuống"


# --------------------------------------------------------------------------------------
# Bar chart
# --------------------------------------------------------------------------------------


def _x(value: Decimal) -> str:
    """A position on the bar chart's axis, in percent of the chart's width."""
    return f"{(value * SCALE).quantize(Decimal('0.01'))}%"


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1].rstrip() + "…"


def chart_height(units: int) -> int:
    """Pixels of a bar chart of ``units`` bars (40 at most, and a gap, are drawn)."""
    rows = units if units <= CHART_MAX_BARS else CHART_MAX_BARS + 1
    return TOP_PX + ROW_PX * rows + BOTTOM_PX


# On paper, a block's chart shares its first page with the heading and a few lines: a
# taller chart is printed smaller (never below 60 %, where labels stay readable).
PRINT_CHART_PX = 760


def print_zoom(height: int) -> str:
    return str(max(Decimal("0.6"), min(Decimal(1), Decimal(PRINT_CHART_PX) / height)
                   ).quantize(Decimal("0.01")))


def bar_chart(entries: Sequence[RankEntry], average: Decimal | None, *, precision: int,
              chart_id: str, title: str) -> str:
    """Each unit's index as a bar (axis from 0 to 100, the block average dashed); a
    block of more than 40 units shows its 20 highest and 20 lowest."""
    shown: list[RankEntry | None] = list(entries)
    note = ""
    if len(entries) > CHART_MAX_BARS:
        half = CHART_MAX_BARS // 2
        shown = [*entries[:half], None, *entries[-half:]]
        note = f"{half} đơn vị cao nhất và {half} đơn vị thấp nhất trong {len(entries)} đơn vị"
    height = chart_height(len(entries))
    bottom = height - BOTTOM_PX
    parts = [f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d"'
             f' height="{height}">',
             f'<title id="{chart_id}-t">{esc(title)}</title>',
             f'<desc id="{chart_id}-d">{esc(_describe(entries, precision, note))}</desc>']
    for tick in range(0, 101, 20):
        x = _x(Decimal(tick))
        parts.append(f'<line x1="{x}" x2="{x}" y1="{TOP_PX - 6}" y2="{bottom}"'
                     ' stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text x="{x}" y="{bottom + 17}" font-size="12"'
                     f' text-anchor="middle">{tick}</text>')
    # Bars, then the average's line over them, then every text over both (on a white
    # halo, see CSS): the line never crosses a name or a number.
    texts: list[str] = []
    for i, entry in enumerate(shown):
        bar, words = _bar(entry, TOP_PX + i * ROW_PX, precision)
        parts.extend(bar)
        texts.extend(words)
    if average is not None:
        x = _x(average)
        parts.append(f'<line x1="{x}" x2="{x}" y1="{TOP_PX - 8}" y2="{bottom}"'
                     f' stroke="{AVERAGE_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>')
        texts.append(f'<text x="{x}" y="{TOP_PX - 13}" font-size="13" text-anchor="end"'
                     f' style="fill:{AVERAGE_COLOUR}">Bình quân khối:'
                     f" {vi(average, precision)} %</text>")
    parts.extend(texts)
    if note:
        parts.append(f'<text x="0" y="{height - 2}" font-size="12">{esc(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _bar(entry: RankEntry | None, top: int, precision: int) -> tuple[list[str], list[str]]:
    """One unit's bar, and its texts (its rank and name above, its index after)."""
    if entry is None:
        return [], [f'<text x="0" y="{top + 20}" font-size="14">…</text>']
    index = entry.unit.index_published or Decimal(0)
    label = f"{entry.rank}. {_short(entry.unit.name)}"
    bar = f'<rect x="0" y="{top + 20}" width="{_x(index)}" height="15" fill="{BAR_COLOUR}"/>'
    return [bar], [
        f'<text x="0" y="{top + 14}" font-size="14">{esc(label)}</text>',
        f'<text x="{_x(index + 1)}" y="{top + 32}" font-size="13"'
        f' font-weight="600">{vi(index, precision)}</text>',
    ]


def _describe(entries: Sequence[RankEntry], precision: int, note: str) -> str:
    text = "; ".join(f"{e.unit.name}: {vi(e.unit.index_published, precision)} %"
                     for e in entries if e.unit.index_published is not None)
    return f"{text}." + (f" Biểu đồ thể hiện {note}." if note else "")


# --------------------------------------------------------------------------------------
# Years: sparklines and the block's trend
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """One vertical scale for every sparkline of a block, so that they compare."""

    low: Decimal
    high: Decimal
    years: tuple[int, ...]

    @classmethod
    def of(cls, history: YearHistory | None, block: str) -> _Scale | None:
        if history is None:
            return None
        values = [e.index for year in history.years()
                  for e in history.panel.years[year].values()
                  if e.block == block and e.index is not None]
        if not values:
            return None
        return cls(low=min(values), high=max(values), years=tuple(history.years()))

    def y(self, value: Decimal, height: int) -> Decimal:
        span = self.high - self.low or Decimal(1)
        return (Decimal(height - 4) - (value - self.low) / span * (height - 8)).quantize(
            Decimal("0.1"))


def sparkline(history: YearHistory | None, entry: RankEntry, scale: _Scale,
              precision: int) -> str:
    """A unit's published index over the years, as a small line (its own years only:
    those of its predecessor under a former code included)."""
    series = history.series(entry.code) if history is not None else None
    if series is None:
        return ""
    known = [(e.year, e.index) for e in series.years if e.index is not None]
    if len(known) < 2:
        return '<span class="note">–</span>'
    width, height = 96, 28
    first = scale.years[0]
    span = max(1, scale.years[-1] - first)
    points = [(Decimal(4 + (year - first) * (width - 8) / span).quantize(Decimal("0.1")),
               scale.y(value, height)) for year, value in known]
    label = "; ".join(f"{year}: {vi(value, precision)} %" for year, value in known)
    line = " ".join(f"{x},{y}" for x, y in points)
    x, y = points[-1]
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
            f' role="img" aria-label="{esc(label)}">'
            f"<title>{esc(label)}</title>"
            f'<polyline points="{line}" fill="none" stroke="{BAR_COLOUR}" stroke-width="2"/>'
            f'<circle cx="{x}" cy="{y}" r="3" fill="{BAR_COLOUR}"/></svg>')


@dataclass(frozen=True)
class TrendPoint:
    year: int
    high: Decimal
    mean: Decimal
    low: Decimal


def block_trend(history: YearHistory, block: str) -> list[TrendPoint]:
    """The block's highest, mean and lowest published index, year by year."""
    points = []
    for year in history.years():
        values = [e.index for e in history.panel.years[year].values()
                  if e.block == block and e.index is not None and e.rank is not None]
        if values:
            points.append(TrendPoint(year, max(values), sum(values, Decimal(0)) / len(values),
                                     min(values)))
    return points


TREND_SERIES = (("high", "Cao nhất", "#0B6B2B", ""), ("mean", "Bình quân", BAR_COLOUR, ""),
                ("low", "Thấp nhất", "#8A5A00", "5 4"))


def trend_chart(points: Sequence[TrendPoint], *, precision: int, chart_id: str,
                title: str) -> str:
    """Lines of the block's highest, mean and lowest index over the years."""
    height, top, bottom = 260, 34, 226
    floor = max(0, int(min(p.low for p in points)) // 10 * 10 - 10)

    def y(value: Decimal) -> str:
        return str((bottom - (value - floor) / (100 - floor) * (bottom - top)).quantize(
            Decimal("0.1")))

    def x(i: int) -> str:
        return f"{10 + i * 84 / (len(points) - 1):.2f}%"

    parts = [f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d"'
             f' height="{height}">',
             f'<title id="{chart_id}-t">{esc(title)}</title>',
             f'<desc id="{chart_id}-d">{esc(_describe_trend(points, precision))}</desc>']
    for tick in range(floor, 101, 10):
        parts.append(f'<line x1="7%" x2="98%" y1="{y(Decimal(tick))}" y2="{y(Decimal(tick))}"'
                     ' stroke="#d0d7de" stroke-width="1"/>'
                     f'<text x="0" y="{y(Decimal(tick))}" font-size="12" dy="4">{tick}</text>')
    for i, point in enumerate(points):
        parts.append(f'<text x="{x(i)}" y="{bottom + 24}" font-size="13"'
                     f' text-anchor="middle">{point.year}</text>')
    for key, _label, colour, dash in TREND_SERIES:
        values = [getattr(p, key) for p in points]
        style = f' stroke-dasharray="{dash}"' if dash else ""
        for i in range(len(values) - 1):
            parts.append(f'<line x1="{x(i)}" y1="{y(values[i])}" x2="{x(i + 1)}"'
                         f' y2="{y(values[i + 1])}" stroke="{colour}" stroke-width="2.5"'
                         f"{style}/>")
        for i, value in enumerate(values):
            parts.append(f'<circle cx="{x(i)}" cy="{y(value)}" r="4" fill="{colour}"/>')
        last = len(values) - 1
        parts.append(f'<text x="{x(last)}" y="{y(values[last])}" dx="-8" dy="-8"'
                     f' font-size="12" text-anchor="end" style="fill:{colour}">'
                     f"{vi(values[last], precision)}</text>")
    parts.append(_legend(top))
    parts.append("</svg>")
    return "".join(parts)


def _legend(top: int) -> str:
    items = []
    for i, (_, label, colour, dash) in enumerate(TREND_SERIES):
        x = 7 + i * 30
        style = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(f'<line x1="{x}%" x2="{x + 5}%" y1="{top - 22}" y2="{top - 22}"'
                     f' stroke="{colour}" stroke-width="3"{style}/>'
                     f'<text x="{x + 6}%" y="{top - 18}" font-size="13">{label}</text>')
    return "".join(items)


def _describe_trend(points: Iterable[TrendPoint], precision: int) -> str:
    return "; ".join(f"{p.year}: cao nhất {vi(p.high, precision)} %, bình quân"
                     f" {vi(p.mean, precision)} %, thấp nhất {vi(p.low, precision)} %"
                     for p in points) + "."
