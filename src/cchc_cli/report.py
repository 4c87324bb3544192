"""The content of the two documents of ``cchc report``, as plain text values.

Everything a template shows is prepared here, already in Vietnamese notation (``93,69``,
``ngày 05 tháng 02 năm 2024``), so that templates stay simple for the analysts who
restyle them: ``{{ u.index }}``, never arithmetic. The document module only renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cchc_cli.numbers import vi, vi_date
from cchc_cli.ranking import RankEntry, YearRanking, change_text
from cchc_cli.settings import Settings
from cchc_cli.summary import BlockSummary, summarize

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
         "XIV", "XV"]
LETTERS = "abcdefghiklmnopqrstuvxy"


def roman(n: int) -> str:
    return ROMAN[n - 1] if n <= len(ROMAN) else str(n)


def lower_first(text: str) -> str:
    """'Sở, ban, ngành' → 'sở, ban, ngành'; acronyms such as 'UBND' keep their case."""
    if len(text) > 1 and text[1].islower():
        return text[:1].lower() + text[1:]
    return text


def block_phrase(name: str) -> str:
    """'Sở, ban, ngành' → 'các sở, ban, ngành'; 'UBND cấp huyện' stays as written."""
    if name.startswith(("UBND", "Ủy ban", "Uỷ ban")):
        return name
    return "các " + lower_first(name)


def authority_lines(authority: str) -> list[str]:
    """The left header of an administrative document: organ, then its place."""
    upper = authority.upper()
    for organ in ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "SỞ NỘI VỤ"):
        if upper.startswith(organ + " "):
            return [organ, upper[len(organ) + 1:]]
    return [upper, ""]


def join_vi(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


@dataclass
class DocumentContext:
    """The Jinja context of both templates (plus chart data, rendered by the writer)."""

    values: dict[str, Any]
    charts: list[tuple[str, list[str], list[Decimal]]]  # (title, names, indices) per block


def _percent(value: Decimal | None, precision: int) -> str:
    return vi(value, precision) if value is not None else "–"


def _unit_row(entry: RankEntry, stt: int, precision: int, previous: bool) -> dict[str, str]:
    unit = entry.unit
    ok = entry.rank is not None
    change = change_text(entry) if previous else ""
    return {
        "stt": str(stt),
        "code": unit.code,
        "name": unit.name,
        "head": unit.head or "",
        "points": vi(unit.points, precision) if ok else "–",
        "max_points": vi(unit.max_points, precision) if ok else "–",
        "index": _percent(unit.index_published, precision) if ok else "chưa xếp hạng",
        "rank": str(entry.rank) if ok else "–",
        "previous_rank": str(entry.previous_rank) if entry.previous_rank else "–",
        "change": change or "–",
        "band": entry.band or "–",
        "leader_rating": entry.leader_rating or "–",
    }


def _names(entries: list[RankEntry], precision: int) -> str:
    return "; ".join(f"{e.unit.name} ({_percent(e.unit.index_published, precision)} %)"
                     for e in entries)


def _block_values(summary: BlockSummary, position: int, ranking: YearRanking,
                  settings: Settings) -> dict[str, Any]:
    precision = ranking.precision
    previous = ranking.previous is not None
    entries = summary.ranked + summary.unranked
    phrase = block_phrase(summary.name)
    count = len(entries)
    ranked = len(summary.ranked)
    bands = [
        {"label": label, "count": str(n),
         "share": vi(Decimal(n) * 100 / ranked, 2) if ranked else "–"}
        for label, n in summary.counts.items()
    ]
    band_words = ", ".join(f"{n} đơn vị xếp loại {label}"
                           for label, n in summary.counts.items() if n)
    average = _percent(summary.average, precision)
    article = (f"{LETTERS[position - 1]}) Khối {lower_first(summary.name)}:"
               f" {count} đơn vị, chỉ số bình quân {average} %"
               + (f"; {band_words}" if band_words else "") + ".")
    overview = f"Chỉ số bình quân của khối là {average} %"
    if summary.ranked:
        best, worst = summary.ranked[0].unit, summary.ranked[-1].unit
        overview += (f"; cao nhất là {best.name} ({_percent(best.index_published, precision)}"
                     f" %), thấp nhất là {worst.name}"
                     f" ({_percent(worst.index_published, precision)} %)")
    overview += "."
    if ranking.previous is not None:
        risers = "; ".join(f"{e.unit.name} ({change_text(e)})" for e in summary.risers)
        fallers = "; ".join(f"{e.unit.name} ({change_text(e)})" for e in summary.fallers)
        movers = (f"So với năm {ranking.previous.year}: "
                  + (f"tăng bậc nhiều nhất: {risers}" if risers else "không đơn vị nào tăng bậc")
                  + "; "
                  + (f"giảm bậc nhiều nhất: {fallers}" if fallers
                     else "không đơn vị nào giảm bậc") + ".")
    else:
        movers = "Không có kết quả năm trước để so sánh thứ hạng."
    unranked = summary.unranked
    note = ("Đơn vị chưa xếp hạng do dữ liệu có lỗi: "
            + ", ".join(e.unit.name for e in unranked) + ".") if unranked else ""
    return {
        "code": summary.block,
        "name": summary.name,
        "name_upper": summary.name.upper(),
        "phrase": phrase,
        "title_upper": "CỦA " + phrase.upper(),
        "annex": roman(position),
        "roman": roman(position),
        "count": str(count),
        "average": average,
        "bands": bands,
        "units": [_unit_row(e, i, precision, previous) for i, e in enumerate(entries, 1)],
        "article_line": article,
        "heading": f"2.{position}. Khối {lower_first(summary.name)}",
        "overview": overview,
        "top_line": "Các đơn vị dẫn đầu: " + _names(summary.top, precision) + "."
        if summary.top else "",
        "bottom_line": "Các đơn vị có chỉ số thấp nhất: " + _names(summary.bottom, precision)
        + "." if summary.bottom else "",
        "movers_line": movers,
        "chart_title": f"Biểu đồ {position:02d}: Kết quả Chỉ số CCHC của {phrase} năm"
                       f" {ranking.year}",
        "note": note,
    }


def build_context(ranking: YearRanking, settings: Settings, *, as_of: dt.datetime,
                  appraisers: int) -> DocumentContext:
    precision = ranking.precision
    summaries = summarize(ranking)
    blocks = [_block_values(s, i, ranking, settings) for i, s in enumerate(summaries, 1)]
    decision = settings.decision
    lines = authority_lines(settings.authority)
    province = settings.province
    place_of = lower_first(province)
    scope = join_vi([b["phrase"] for b in blocks])
    # "… cơ quan Trung ương đóng trên địa bàn" already says where: add only the province.
    scope += f" {place_of}" if scope.endswith("trên địa bàn") else f" trên địa bàn {place_of}"
    weak = [
        {"block": s.name, "name": f"{a.code}. {a.name}",
         "index": _percent(a.average_index, precision)}
        for s in summaries for a in s.weakest_areas[:2]
    ]
    losses = [
        {"block": s.name, "name": f"{x.code}. {x.name}",
         "units": f"{x.units_losing}/{x.units}", "lost": vi(x.points_lost, precision)}
        for s in summaries for x in s.losses[:5] if x.units_losing
    ]
    total = sum(len(s.ranked) + len(s.unranked) for s in summaries)
    values: dict[str, Any] = {
        "province": province,
        "authority": settings.authority,
        "authority_upper": settings.authority.upper(),
        "authority_lines": lines,
        "number_suffix": "QĐ-UBND" if "NHÂN DÂN" in lines[0] else "QĐ",
        "place": settings.place,
        "date": vi_date(as_of.date()),
        "date_line": f"{settings.place}, {vi_date(as_of.date())}",
        "year": str(ranking.year),
        "next_year": str(ranking.year + 1),
        "previous_year": str(ranking.year - 1),
        "decision_year": str(as_of.year),
        "scope": scope,
        "legal_basis": list(decision.legal_basis),
        "proposal": decision.proposal,
        "signer_lines": [f"TM. {lines[0]}", *[p.strip() for p in
                                               decision.signer_title.split("/") if p.strip()]],
        "signer_name": decision.signer_name,
        "recipients": list(decision.recipients),
        # A report has no "Điều 3" to point to.
        "report_recipients": [r for r in decision.recipients
                              if not r.lower().startswith("như điều")],
        "blocks": blocks,
        "annex_range": (f"{roman(1)} đến {roman(len(blocks))}" if len(blocks) > 1
                        else roman(1)),
        "heads_annex": roman(len(blocks) + 1),
        "total_units": str(total),
        "blocks_counted": join_vi([f"{len(s.ranked) + len(s.unranked)} {lower_first(s.name)}"
                                   for s in summaries]),
        "appraisers_count": str(appraisers),
        "precision": str(precision),
        "weak_areas": weak,
        "losses": losses,
    }
    charts = [
        (b["chart_title"], [e.unit.name for e in s.ranked],
         [e.unit.index_published for e in s.ranked])
        for b, s in zip(blocks, summaries, strict=True)
    ]
    return DocumentContext(values=values, charts=charts)  # type: ignore[arg-type]
