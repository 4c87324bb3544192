"""The letters of the collection loop, drafts from Word templates: the cover letter of
the files sent back to a unit (``cchc feedback --letter``) and the reminder to the units
and appraisers that are late (``cchc status --reminder``, ``cchc feedback --reminder``).

Templates live in ``templates/`` (built by ``templates/build_templates.py``) and may be
overridden by a workspace's own ``templates/``; they render in Jinja's sandbox like the
documents of ``cchc report`` (:mod:`cchc_cli.writers.documents`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_cli.errors import WorkspaceError
from cchc_cli.numbers import vi_date
from cchc_cli.outputs import feedback_path

if TYPE_CHECKING:
    from cchc_cli.feedback import UnitFeedback
    from cchc_cli.status import Collection, YearStatus


def _render(template: Path, values: dict[str, Any], *, title: str, moment: dt.datetime,
            author: str) -> bytes:
    from cchc_cli.writers.documents import TemplateProblem, render
    from cchc_cli.writers.docx_finish import DocumentProperties

    try:
        return render(template, values, None, DocumentProperties(author=author, title=title,
                                                                 moment=moment))
    except TemplateProblem as problem:
        from cchc_cli.issues import issue

        found = issue(problem.code, detail=problem.detail.rstrip(". "))
        raise WorkspaceError(f"Không lập được văn bản từ mẫu {template}: {found.message}"
                             ) from problem


def _letterhead(found: Collection, as_of: dt.date) -> dict[str, Any]:
    """What every letter of the collection loop starts with: the province's council
    above the Sở Nội vụ, and a date line whose day and month the signer writes."""
    from cchc_cli.report import BLANK, DRAFT_MARK

    settings = found.settings
    parent = settings.authority.upper().replace("ỦY BAN NHÂN DÂN", "UBND")
    return {"draft": True, "draft_mark": DRAFT_MARK, "parent_upper": parent,
            "year": found.inputs.year, "year_now": as_of.year,
            "date_line": f"{settings.place}, ngày{BLANK}tháng{BLANK}năm {as_of.year}"}


def write_letter(found: Collection, mine: UnitFeedback, *, template: Path, as_of: dt.date
                 ) -> Path:
    """The cover letter of a unit's files (``<CODE>-cong-van.docx``)."""
    from cchc_cli.writers.atomic import write_bytes_atomic

    year = found.inputs.year
    parts = []
    if mine.fix_file is not None:
        parts.append(f"Qua kiểm tra, biểu tự đánh giá của {mine.name} còn"
                     f" {_counts(mine.errors, mine.warnings)} (chi tiết tại tệp"
                     f" {mine.fix_file.name} gửi kèm: trang đầu liệt kê từng vấn đề, ô có vấn"
                     " đề được tô màu và ghi chú cách sửa). Đề nghị đơn vị hoàn thiện, gửi lại"
                     " biểu tự đánh giá.")
    if mine.appraisal_file is not None:
        changed = (f"có {mine.changed} tiêu chí thành phần thay đổi so với kết quả tự đánh giá"
                   if mine.changed else "không có tiêu chí nào thay đổi so với kết quả tự"
                   " đánh giá")
        parts.append(f"Kết quả thẩm định Chỉ số CCHC năm {year} của đơn vị {changed} (chi"
                     f" tiết tại tệp {mine.appraisal_file.name} gửi kèm, kèm nhận xét của cơ"
                     " quan thẩm định). Trường hợp không thống nhất, đề nghị đơn vị ghi ý kiến"
                     " giải trình vào cột 'Giải trình' và gửi lại kèm tài liệu kiểm chứng.")
    values = {**_letterhead(found, as_of), "unit_name": mine.name, "unit_code": mine.code,
              "paragraphs": parts,
              "attachments": [p.name for p in (mine.fix_file, mine.appraisal_file) if p]}
    path = feedback_path(found.workspace.results_dir(year), "letter", unit=mine.code)
    moment = dt.datetime.combine(as_of, dt.time())
    write_bytes_atomic(path, _render(template, values, moment=moment,
                                     author=found.settings.authority,
                                     title=f"Công văn gửi {mine.name}"))
    return path


def _counts(errors: int, warnings: int) -> str:
    parts = [f"{errors} lỗi" if errors else "", f"{warnings} cảnh báo" if warnings else ""]
    return " và ".join(p for p in parts if p)


def write_reminder(found: Collection, status: YearStatus, *, template: Path) -> Path | None:
    """The draft reminder (công văn đôn đốc) to the units and appraisers overdue on the
    status's day; None when nobody is."""
    from cchc_cli.writers.atomic import write_bytes_atomic

    late_units, late_appraisers = status.overdue_units, status.overdue_appraisers
    if not late_units and not late_appraisers:
        return None
    year, day = status.year, status.as_of
    deadlines = status.deadlines
    units = [{"stt": i, "name": u.name, "block": status.block_names.get(u.block, u.block),
              "task": "Chưa gửi biểu tự đánh giá",
              "due": _day(deadlines.get("self"))}
             for i, u in enumerate(late_units, 1)]
    appraisers = [{"stt": i, "name": a.name, "round": a.round,
                   "task": (f"Chưa gửi kết quả thẩm định vòng {a.round}" if not a.files else
                            f"Kết quả thẩm định vòng {a.round} mới có {a.rows}/{a.assigned}"
                            " dòng được giao"),
                   "due": _day(a.deadline)}
                  for i, a in enumerate(late_appraisers, 1)]
    values = {**_letterhead(found, day), "as_of": vi_date(day), "units": units,
              "appraisers": appraisers, "plan": _plan(deadlines)}
    path = feedback_path(found.workspace.results_dir(year), "reminder", year=year)
    moment = dt.datetime.combine(day, dt.time())
    write_bytes_atomic(path, _render(template, values, moment=moment,
                                     author=found.settings.authority,
                                     title=f"Đôn đốc thực hiện Chỉ số CCHC năm {year}"))
    return path


def _day(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _plan(deadlines: dict[str, dt.date]) -> str:
    """'các cơ quan, đơn vị gửi biểu tự đánh giá trước ngày 10/11/2026; …'."""
    parts = []
    if "self" in deadlines:
        parts.append(f"các cơ quan, đơn vị gửi biểu tự đánh giá chậm nhất ngày"
                     f" {_day(deadlines['self'])}")
    for key, day in sorted(deadlines.items()):
        if key.startswith("appraisal"):
            round_no = key.partition("_")[2] or "1"
            parts.append(f"các cơ quan thẩm định gửi kết quả thẩm định vòng {round_no} chậm"
                         f" nhất ngày {_day(day)}")
    return "; ".join(parts)
