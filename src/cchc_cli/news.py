"""Sentences about streaks and podiums, in the style of the provincial portals.

"Ở khối sở, ngành: Sở KH&CN giữ vị trí số 1 (năm thứ 2 liên tiếp), xếp vị trí số 2 là
Sở TT&TT (tăng 3 bậc so với năm 2022)…" — the draft news item (``tin-bai-Y.docx``), the
page for the portal and the results report tell the same streaks
(:mod:`cchc_cli.streaks`) with these phrases. Plain text values, ready for templates.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from cchc_cli.ranking import RankEntry
from cchc_cli.report import DocumentContext, join_vi, lower_first
from cchc_cli.streaks import TOP, Streak, YearHistory, notable
from cchc_cli.summary import BlockSummary

PODIUM = 3  # the places a news item names
STREAK_UNITS = 8  # units named in a block's sentence on streaks


def streaks_of(history: YearHistory | None, code: str) -> list[Streak]:
    return history.streaks.get(code, []) if history is not None else []


def top_band(summary: BlockSummary) -> str | None:
    """The block's highest band (its bands are kept highest first)."""
    return next(iter(summary.counts), None)


def streak_sentence(summary: BlockSummary, history: YearHistory | None, *,
                    with_top: bool = True) -> str:
    """'Đáng chú ý, Sở A đứng đầu khối năm thứ 3 liên tiếp; Sở B 3 năm liên tiếp tăng
    bậc.' — the block's notable streaks, best ranked first ('' when there are none);
    without first places when the sentence before has told them."""
    band = top_band(summary)
    parts = []
    for entry in summary.ranked:
        found = [s for s in notable(streaks_of(history, entry.code), band)
                 if with_top or s.kind != TOP]
        if found:
            parts.append(f"{entry.unit.name} {join_vi([s.text for s in found])}")
    if not parts:
        return ""
    shown = parts[:STREAK_UNITS]
    more = len(parts) - len(shown)
    tail = f"; và {more} đơn vị khác" if more else ""
    return "Đáng chú ý, " + "; ".join(shown) + tail + "."


def change_phrase(entry: RankEntry, last_year: int) -> str:
    """'tăng 3 bậc so với năm 2022' ('' when there is nothing to compare)."""
    change = entry.rank_change
    if change is None:
        return ""
    if change > 0:
        return f"tăng {change} bậc so với năm {last_year}"
    if change < 0:
        return f"giảm {-change} bậc so với năm {last_year}"
    return f"giữ nguyên vị trí so với năm {last_year}"


def _first(group: list[RankEntry], history: YearHistory | None, last_year: int,
           percent: Any) -> str:
    if len(group) > 1:
        return f"{join_vi([e.unit.name for e in group])} cùng xếp vị trí số 1"
    entry = group[0]
    top = next((s for s in streaks_of(history, entry.code) if s.kind == TOP), None)
    if top is not None:
        text = f"{entry.unit.name} giữ vị trí số 1 (năm thứ {top.years} liên tiếp)"
    else:
        change = change_phrase(entry, last_year)
        text = f"{entry.unit.name} xếp vị trí số 1" + (f" ({change})" if change else "")
    return f"{text} với chỉ số {percent(entry.unit.index_published)}"


def _place(rank: int, group: list[RankEntry], last_year: int) -> str:
    if len(group) > 1:
        return f"đồng xếp vị trí số {rank} là {join_vi([e.unit.name for e in group])}"
    entry = group[0]
    change = change_phrase(entry, last_year)
    return f"xếp vị trí số {rank} là {entry.unit.name}" + (f" ({change})" if change else "")


def podium(summary: BlockSummary, history: YearHistory | None, last_year: int,
           percent: Any) -> str:
    """'Sở A giữ vị trí số 1 (năm thứ 2 liên tiếp) với chỉ số 93,85 %, xếp vị trí số 2
    là Sở B (tăng 3 bậc so với năm 2022), xếp vị trí số 3 là …'."""
    groups = [(rank, list(group)) for rank, group in
              groupby(summary.ranked, key=lambda e: e.rank or 0) if rank <= PODIUM]
    parts = []
    for rank, group in groups:
        if rank == 1:
            parts.append(_first(group, history, last_year, percent))
        else:
            parts.append(_place(rank, group, last_year))
    return ", ".join(parts)


def block_paragraph(summary: BlockSummary, values: dict[str, Any],
                    history: YearHistory | None, last_year: int, percent: Any) -> str:
    """One block of the news item: its podium, its average and lowest unit, its
    streaks."""
    if not summary.ranked:
        return ""
    text = f"Ở khối {lower_first(summary.name)}: {podium(summary, history, last_year, percent)}."
    average = f" Chỉ số bình quân của khối đạt {values['average']}"
    if values.get("previous_average"):
        average += f" (năm {last_year}: {values['previous_average']})"
    text += average
    if len(summary.ranked) > PODIUM:
        last = summary.ranked[-1]
        text += (f"; đơn vị có chỉ số thấp nhất là {last.unit.name}"
                 f" ({percent(last.unit.index_published)})")
    text += "."
    # The podium has said "giữ vị trí số 1 (năm thứ N liên tiếp)".
    streaks = streak_sentence(summary, history, with_top=False)
    return f"{text} {streaks}" if streaks else text


def news_values(context: DocumentContext, summaries: list[BlockSummary],
                history: YearHistory | None, *, last_year: int, percent: Any
                ) -> dict[str, Any]:
    """The values of ``tin-bai.docx``: ``news.title``, ``news.lead``,
    ``news.paragraphs`` (the province, then one per block), ``news.closing``."""
    values = context.values
    year = values["year"]
    lead = (f"{values['authority']} công bố kết quả Chỉ số cải cách hành chính (Chỉ số CCHC)"
            f" năm {year} của {values['scope']}.")
    paragraphs = list(values["overview_lines"])
    paragraphs += [p for p in (block_paragraph(s, b, history, last_year, percent)
                               for s, b in zip(summaries, values["blocks"], strict=True)) if p]
    closing = (f"Kết quả Chỉ số CCHC năm {year} là căn cứ để đánh giá, xếp loại mức độ hoàn"
               " thành nhiệm vụ của người đứng đầu các cơ quan, đơn vị và xem xét khen"
               " thưởng. Các cơ quan, đơn vị rà soát những tiêu chí bị trừ điểm để có giải"
               f" pháp khắc phục, nâng cao Chỉ số năm {values['next_year']}.")
    title = (f"Công bố Chỉ số cải cách hành chính năm {year} của các cơ quan, đơn vị trên"
             f" địa bàn {lower_first(values['province'])}")
    return {"title": title, "lead": lead, "paragraphs": paragraphs, "closing": closing}
