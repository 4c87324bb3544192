"""The content of the two documents of ``cchc report``, as plain text values.

Everything a template shows is prepared here, already in Vietnamese notation (``93,69``,
``ngày 05 tháng 02 năm 2024``, a non-breaking space before ``%`` so that a line never
starts with it), so that templates stay simple for the analysts who restyle them:
``{{ u.index }}``, never arithmetic. The document module only renders.

Legal text (the decision's title and articles, the annexes' titles) names blocks by
their ``formal_name`` from cchc.yaml, or else by their name with abbreviations such as
"UBND" written out (Nghị định 30/2020/NĐ-CP: no abbreviation in a title).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cchc_cli.numbers import Exact, vi, vi_date
from cchc_cli.ranking import RankEntry, YearRanking, change_text
from cchc_cli.record import YearResult
from cchc_cli.settings import Settings
from cchc_cli.summary import BlockSummary, ProvinceSummary, summarize, summarize_province

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
         "XIV", "XV"]
LETTERS = "abcdefghiklmnopqrstuvxy"
NBSP = "\u00a0"
DRAFT_MARK = "DỰ THẢO"
# Room for the signer to write the day and month by hand.
BLANK = "      "
ABBREVIATIONS = {"UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân"}
_ABBREVIATION = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")\b")
_COUNCIL = "Ủy ban nhân dân cấp "


def roman(n: int) -> str:
    return ROMAN[n - 1] if n <= len(ROMAN) else str(n)


# Names of organs keep their capital in the middle of a sentence.
_PROPER = ("Ủy ban", "Uỷ ban", "Hội đồng")


def lower_first(text: str) -> str:
    """'Sở, ban, ngành' → 'sở, ban, ngành'; acronyms such as 'UBND' and organs such as
    'Ủy ban nhân dân cấp huyện' keep their case."""
    if len(text) > 1 and text[1].islower() and not text.startswith(_PROPER):
        return text[:1].lower() + text[1:]
    return text


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def written_out(text: str) -> str:
    """'UBND cấp huyện' → 'Ủy ban nhân dân cấp huyện'."""
    return _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], text)


def block_phrase(name: str) -> str:
    """A block's name as it reads in the middle of a sentence: 'Sở, ban, ngành' → 'các
    sở, ban, ngành'; a council ('UBND cấp huyện') is named as it is."""
    if name.startswith(("UBND", "Ủy ban", "Uỷ ban", "các ")):
        return name
    return "các " + lower_first(name)


def formal_phrase(settings: Settings, block: str, name: str) -> str:
    """The block in legal text: its ``formal_name``, else its name written out."""
    return settings.formal_name(block) or block_phrase(written_out(name))


def formal_label(settings: Settings, block: str, name: str) -> str:
    """The block as a heading ('Sở, ban, ngành', 'Ủy ban nhân dân cấp huyện')."""
    return upper_first(settings.formal_name(block) or written_out(name))


def authority_lines(authority: str) -> list[str]:
    """The left header of an administrative document: organ, then its place."""
    upper = authority.upper()
    for organ in ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "SỞ NỘI VỤ"):
        if upper.startswith(organ + " "):
            return [organ, upper[len(organ) + 1:]]
    return [upper, ""]


def number_suffix(kind: str, lines: list[str]) -> str:
    """The part of a document's number after the slash: QĐ-UBND for a decision of the
    provincial council, BC-UBND for its report (never a report numbered as a decision)."""
    prefix = "QĐ" if kind == "decision" else "BC"
    organ = {"ỦY BAN NHÂN DÂN": "UBND", "UỶ BAN NHÂN DÂN": "UBND",
             "SỞ NỘI VỤ": "SNV"}.get(lines[0])
    return f"{prefix}-{organ}" if organ else prefix


def join_vi(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def join_scope(phrases: list[str]) -> str:
    """The blocks of a decision in one phrase; councils of several levels are named
    once: 'Ủy ban nhân dân cấp huyện, cấp xã'."""
    merged: list[str] = []
    for phrase in phrases:
        if merged and phrase.startswith(_COUNCIL) and merged[-1].startswith(_COUNCIL):
            merged[-1] += ", cấp " + phrase[len(_COUNCIL):]
        else:
            merged.append(phrase)
    return join_vi(merged)


@dataclass(frozen=True)
class DocumentOptions:
    """What the analyst chose for this run's documents."""

    final: bool = False  # no DỰ THẢO mark
    date: dt.date | None = None  # the signing date; None leaves day and month blank


@dataclass
class DocumentContext:
    """The Jinja context of both templates (plus chart data, rendered by the writer)."""

    values: dict[str, Any]
    charts: list[Chart]
    # The blocks' aggregates the values were made from (the portal page reads them).
    summaries: list[BlockSummary] = field(default_factory=list)

    def for_document(self, kind: str) -> dict[str, Any]:
        """The values of one document: a decision is numbered …/QĐ-…, a report …/BC-…."""
        suffix = number_suffix(kind, self.values["authority_lines"])
        return {**self.values, "number_suffix": suffix, "document": kind}


@dataclass(frozen=True)
class Chart:
    """One block's bar chart: units best first, with the block average marked."""

    title: str
    names: list[str]
    values: list[Decimal]
    average: Decimal | None


class _Words:
    """Numbers as the documents print them."""

    def __init__(self, precision: int) -> None:
        self.precision = precision

    def number(self, value: Exact | None) -> str:
        return vi(value, self.precision) if value is not None else "–"

    def percent(self, value: Exact | None) -> str:
        return f"{self.number(value)}{NBSP}%"

    def names(self, entries: list[RankEntry]) -> str:
        return join_vi([f"{e.unit.name} ({self.percent(e.unit.index_published)})"
                        for e in entries])

    def compared(self, value: Decimal | None, previous: Decimal | None, year: int) -> str:
        """'76,59 % (năm 2022: 75,36 %, tăng 1,23 điểm phần trăm)'."""
        text = self.percent(value)
        if value is None or previous is None:
            return text
        gap = vi(abs(value - previous), self.precision)
        if gap == vi(Decimal(0), self.precision):
            trend = "bằng năm trước"
        else:
            trend = f"{'tăng' if value > previous else 'giảm'} {gap} điểm phần trăm"
        return f"{text} (năm {year}: {self.percent(previous)}, {trend})"


def _unit_row(entry: RankEntry, stt: int, words: _Words, previous: bool) -> dict[str, str]:
    unit = entry.unit
    ok = entry.rank is not None
    change = change_text(entry) if previous else ""
    return {
        "stt": str(stt),
        "code": unit.code,
        "name": unit.name,
        "head": unit.head or "",
        "points": words.number(unit.points) if ok else "–",
        "max_points": words.number(unit.max_points) if ok else "–",
        "index": words.number(unit.index_published) if ok else "chưa xếp hạng",
        "rank": str(entry.rank) if ok else "–",
        "previous_rank": str(entry.previous_rank) if entry.previous_rank else "–",
        "change": change or "–",
        "band": entry.band or "–",
        "leader_rating": entry.leader_rating or "–",
    }


def _band_words(counts: dict[str, int]) -> str:
    """'2 đơn vị xếp loại Xuất sắc, …' — a band's name never split at a line end."""
    return ", ".join(f"{n} đơn vị xếp loại {label.replace(' ', NBSP)}"
                     for label, n in counts.items() if n)


def _movers(summary: BlockSummary, ranking: YearRanking) -> str:
    if ranking.previous is None:
        return ""
    risers = "; ".join(f"{e.unit.name} ({change_text(e)})" for e in summary.risers)
    fallers = "; ".join(f"{e.unit.name} ({change_text(e)})" for e in summary.fallers)
    return (f"So với năm {ranking.previous.year}, "
            + (f"tăng bậc nhiều nhất: {risers}" if risers else "không đơn vị nào tăng bậc")
            + "; "
            + (f"giảm bậc nhiều nhất: {fallers}" if fallers else "không đơn vị nào giảm bậc")
            + ".")


def _leaders(summary: BlockSummary, words: _Words) -> tuple[str, str]:
    """'Dẫn đầu khối …' and 'Thấp nhất khối …' (the two never name the same unit)."""
    top = summary.top
    if not top:
        return "", ""
    first, rest = top[0], top[1:]
    leaders = f"Dẫn đầu khối là {words.names([first])}"
    leaders += f", tiếp theo là {words.names(rest)}." if rest else "."
    bottom = [e for e in summary.bottom if not any(e is t for t in top)]
    if not bottom:
        return leaders, ""
    last, others = bottom[0], bottom[1:]
    lowest = f"Chỉ số thấp nhất khối là {words.names([last])}"
    lowest += f"; trong nhóm cuối còn có {words.names(others)}." if others else "."
    return leaders, lowest


def _block_values(summary: BlockSummary, position: int, ranking: YearRanking,
                  settings: Settings, words: _Words) -> dict[str, Any]:
    entries = summary.ranked + summary.unranked
    phrase = formal_phrase(settings, summary.block, summary.name)
    label = formal_label(settings, summary.block, summary.name)
    count = len(entries)
    ranked = len(summary.ranked)
    bands = [
        {"label": band, "count": str(n),
         "share": vi(Decimal(n) * 100 / ranked, 2) if ranked else "–"}
        for band, n in summary.counts.items()
    ]
    band_words = _band_words(summary.counts)
    average = words.percent(summary.average)
    article = (f"{LETTERS[(position - 1) % len(LETTERS)]}) {upper_first(phrase)}: {count} đơn"
               f" vị, chỉ số bình quân {average}" + (f"; {band_words}" if band_words else "")
               + ".")
    last_year = ranking.previous.year if ranking.previous is not None else ranking.year - 1
    overview = (f"Khối có {count} đơn vị; chỉ số bình quân đạt"
                f" {words.compared(summary.average, summary.previous_average, last_year)}.")
    leaders, lowest = _leaders(summary, words)
    unranked = summary.unranked
    note = ("Đơn vị chưa xếp hạng do dữ liệu có lỗi: "
            + ", ".join(e.unit.name for e in unranked) + ".") if unranked else ""
    return {
        "code": summary.block,
        "name": summary.name,
        "label": label,
        "name_upper": label.upper(),
        "phrase": phrase,
        "title_upper": "CỦA " + phrase.upper(),
        "annex": roman(position),
        "roman": roman(position),
        "count": str(count),
        "average": average,
        "previous_average": words.percent(summary.previous_average)
        if summary.previous_average is not None else "",
        "bands": bands,
        "units": [_unit_row(e, i, words, ranking.previous is not None)
                  for i, e in enumerate(entries, 1)],
        "article_line": article,
        "heading": f"2.{position}. Khối {lower_first(label)}",
        "overview": overview,
        "top_line": leaders,
        "bottom_line": lowest,
        "movers_line": _movers(summary, ranking),
        "chart_title": f"Biểu đồ {position:02d}: Kết quả Chỉ số CCHC của {phrase} năm"
                       f" {ranking.year}",
        "note": note,
    }


def _overview(province: ProvinceSummary, ranking: YearRanking, settings: Settings,
              blocks_counted: str, words: _Words) -> list[str]:
    """The report's opening: the province as a whole, then how the index was made."""
    lines = [
        f"Năm {ranking.year}, Chỉ số cải cách hành chính được xác định đối với"
        f" {province.units} cơ quan, đơn vị trên địa bàn {lower_first(settings.province)},"
        f" gồm {blocks_counted}. Chỉ số bình quân chung đạt"
        f" {words.compared(province.average, province.previous_average, ranking.year - 1)}.",
    ]
    bands = _band_words(province.counts)
    if bands:
        lines.append(f"Về xếp loại, toàn tỉnh có {bands}"
                     + (f"; {province.unranked} đơn vị chưa xếp hạng do dữ liệu có lỗi"
                        if province.unranked else "") + ".")
    if ranking.previous is not None:
        lines.append(f"So với năm {ranking.previous.year}, {province.risen} đơn vị tăng bậc,"
                     f" {province.fallen} đơn vị giảm bậc, {province.kept} đơn vị giữ nguyên"
                     f" thứ hạng trong khối; {province.not_compared} đơn vị không so sánh được"
                     " (đơn vị mới, hợp nhất hoặc đổi khối).")
    else:
        lines.append("Không có kết quả năm trước để so sánh thứ hạng.")
    return lines


def _method(result: YearResult) -> str:
    return (f"Các đơn vị tự đánh giá, chấm điểm theo Bộ tiêu chí; {len(result.appraisers)}"
            " cơ quan thẩm định kết quả theo lĩnh vực được giao; điểm điều tra xã hội học,"
            " chỉ số hài lòng (SIPAS) lấy từ kết quả khảo sát. Chỉ số của mỗi đơn vị bằng tổng"
            " điểm đạt được chia cho tổng điểm tối đa của các tiêu chí áp dụng, nhân 100; kết"
            f" quả công bố làm tròn {result.precision} chữ số thập phân; đơn vị có cùng chỉ số"
            " được xếp đồng hạng.")


def _dates(result: YearResult, options: DocumentOptions) -> dict[str, str]:
    """The date line and the annexes' reference to the decision: day and month blank
    for the signer unless a date is given; the year is the date's, else that of
    ``--as-of`` (or today)."""
    if options.date is not None:
        when = vi_date(options.date)
        year = options.date.year
    else:
        year = result.as_of.year
        when = f"ngày{BLANK}tháng{BLANK}năm {year}"
    return {
        "date": when,
        "date_line": f"{result.settings.place}, {when}",
        "annex_date": when,
        "decision_year": str(year),
    }


def build_context(result: YearResult, options: DocumentOptions | None = None
                  ) -> DocumentContext:
    options = options or DocumentOptions()
    ranking = result.ranking
    if ranking is None:  # pragma: no cover - report always ranks first
        raise ValueError("documents need a ranked year")
    settings = result.settings
    words = _Words(ranking.precision)
    summaries = summarize(ranking)
    province = summarize_province(ranking, summaries)
    blocks = [_block_values(s, i, ranking, settings, words) for i, s in enumerate(summaries, 1)]
    decision = settings.decision
    lines = authority_lines(settings.authority)
    place_of = lower_first(settings.province)
    scope = join_scope([b["phrase"] for b in blocks])
    # "… cơ quan Trung ương đóng trên địa bàn" already says where: add only the province.
    scope += f" {place_of}" if scope.endswith("trên địa bàn") else f" trên địa bàn {place_of}"
    weak = [
        {"block": b["label"], "name": f"{a.code}. {a.name}",
         "index": words.number(a.average_index)}
        for b, s in zip(blocks, summaries, strict=True) for a in s.weakest_areas[:2]
    ]
    losses = [
        {"block": b["label"], "name": f"{x.code}. {x.name}",
         "units": f"{x.units_losing}/{x.units}", "lost": words.number(x.points_lost)}
        for b, s in zip(blocks, summaries, strict=True) for x in s.losses[:5] if x.units_losing
    ]
    blocks_counted = join_vi([f"{len(s.ranked) + len(s.unranked)} {lower_first(b['label'])}"
                              for b, s in zip(blocks, summaries, strict=True)])
    values: dict[str, Any] = {
        "province": settings.province,
        "authority": settings.authority,
        "authority_upper": settings.authority.upper(),
        "authority_lines": lines,
        "number_suffix": number_suffix("decision", lines),
        "draft": not options.final,
        "draft_mark": "" if options.final else DRAFT_MARK,
        "place": settings.place,
        **_dates(result, options),
        "year": str(ranking.year),
        "next_year": str(ranking.year + 1),
        "previous_year": str(ranking.year - 1),
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
        "total_units": str(province.units),
        "blocks_counted": blocks_counted,
        "appraisers_count": str(len(result.appraisers)),
        "precision": str(ranking.precision),
        "province_average": words.percent(province.average),
        "overview_lines": _overview(province, ranking, settings, blocks_counted, words),
        "method_line": _method(result),
        "weak_areas": weak,
        "losses": losses,
    }
    _tell_history(result, values, summaries)
    charts = [
        Chart(title=b["chart_title"], names=[e.unit.name for e in s.ranked],
              values=[e.unit.index_published for e in s.ranked
                      if e.unit.index_published is not None],
              average=s.average)
        for b, s in zip(blocks, summaries, strict=True)
    ]
    context = DocumentContext(values=values, charts=charts, summaries=summaries)
    from cchc_cli.news import news_values

    last_year = ranking.previous.year if ranking.previous is not None else ranking.year - 1
    values["news"] = news_values(context, summaries, result.history, last_year=last_year,
                                 percent=words.percent)
    return context


def _tell_history(result: YearResult, values: dict[str, Any], summaries: list[BlockSummary]
                  ) -> None:
    """Each block's streaks (SPEC §13.4: the report and the page tell the same ones),
    after its movers: ``b.streaks_line``, also appended to ``b.movers_line`` so that a
    workspace's own report template tells them too."""
    from cchc_cli.news import streak_sentence

    for block, summary in zip(values["blocks"], summaries, strict=True):
        line = streak_sentence(summary, result.history)
        block["streaks_line"] = line
        if line:
            block["movers_line"] = " ".join(t for t in (block["movers_line"], line) if t)
