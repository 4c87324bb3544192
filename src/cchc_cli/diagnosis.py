"""Issues grouped by root cause, for the short summary printed after a run.

A run lists every problem in ``van-de-Y.xlsx``; the terminal gets what an analyst acts
on: one line per cause, with its count and the first few examples. Most causes are one
kind of problem (the same issue code). One is worth recognising across codes: a unit
whose code was changed in the register while the forms still carry the old code makes
its self-assessment, its appraisal rows and its survey rows fail, and leaves the new
code without any of them — dozens of errors, one cause, said once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from cchc_cli.formspec import APPRAISAL_SHEET, SURVEY_SHEET
from cchc_cli.issues import Issue

# A form row or file naming a unit the register does not have.
UNKNOWN_UNIT_CODES = ("don-vi-khong-co-trong-danh-sach", "ma-don-vi-la")
# What a unit of the register lacks when its forms carry another code.
MISSING_CODES = ("thieu-tu-danh-gia", "thieu-khao-sat", "thieu-du-lieu")
EXAMPLES = 3


@dataclass
class Cause:
    """One root cause: a sentence, the issues it explains, and whether any is an error."""

    title: str
    issues: list[Issue] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return any(i.is_error for i in self.issues)

    @property
    def examples(self) -> list[Issue]:
        """The first few issues, one of each kind before a second of any, those that
        name a file first: what shows the analyst where to look."""
        seen: dict[str, int] = {}
        keyed = []
        for position, item in enumerate(self.issues):
            nth = seen[item.code] = seen.get(item.code, -1) + 1
            if nth < EXAMPLES:  # later ones are never among the first few
                keyed.append(((not item.file, nth, position), item))
        keyed.sort(key=lambda pair: pair[0])
        return [item for _, item in keyed[:EXAMPLES]]

    @property
    def more(self) -> int:
        return max(0, len(self.issues) - EXAMPLES)


def root_causes(issues: Iterable[Issue]) -> list[Cause]:
    """Every issue in exactly one cause; errors first, then the largest causes."""
    issues = list(issues)
    causes, rest = _renamed_units(issues)
    by_code: dict[str, Cause] = {}
    for item in rest:
        cause = by_code.get(item.code)
        if cause is None:
            cause = by_code[item.code] = Cause(title=_code_title(item))
        cause.issues.append(item)
    for cause in by_code.values():
        if len(cause.issues) > 1:
            cause.title = f"{cause.title} ({len(cause.issues)} {_noun(cause)})"
    found = causes + list(by_code.values())
    found.sort(key=lambda c: (not c.is_error, -len(c.issues)))
    return found


def _noun(cause: Cause) -> str:
    return "lỗi" if cause.is_error else "cảnh báo"


def _code_title(item: Issue) -> str:
    """A cause named by its first issue's message, with the code a script filters by."""
    return f"{item.message} [{item.code}]"


def _renamed_units(issues: list[Issue]) -> tuple[list[Cause], list[Issue]]:
    """Unknown codes in the forms, each paired (when it can be) with the register's unit
    that has no forms: the same unit under its old and new code."""
    unknown: dict[str, list[Issue]] = {}
    for item in issues:
        if item.code in UNKNOWN_UNIT_CODES and item.unit:
            unknown.setdefault(item.unit, []).append(item)
    if not unknown:
        return [], issues
    missing = {i.unit: i for i in issues if i.code == "thieu-tu-danh-gia" and i.unit}
    pairs = _pair(list(unknown), list(missing))
    taken: set[int] = set()
    causes = []
    for old, found in unknown.items():
        new = pairs.get(old)
        explained = [i for i in issues if i.unit == old
                     or (new is not None and i.unit == new and i.code in MISSING_CODES)]
        taken.update(id(i) for i in explained)
        name = missing[new].param("name") if new is not None else None
        causes.append(Cause(title=_renamed_title(old, new, name, found, explained),
                            issues=explained))
    return causes, [i for i in issues if id(i) not in taken]


def _pair(unknown: list[str], missing: list[str]) -> dict[str, str]:
    """Old code → new code: the only two, or codes alike enough to be one unit."""
    if len(unknown) == 1 and len(missing) == 1:
        return {unknown[0]: missing[0]}
    pairs: dict[str, str] = {}
    free = list(missing)
    for code in unknown:
        close = difflib.get_close_matches(code.upper(), [m.upper() for m in free], n=1,
                                          cutoff=0.6)
        if close:
            match = next(m for m in free if m.upper() == close[0])
            pairs[code] = match
            free.remove(match)
    return pairs


def _renamed_title(old: str, new: str | None, name: object, found: list[Issue],
                   explained: list[Issue]) -> str:
    where = _where_counts(found)
    title = (f"Mã đơn vị '{old}' có trong biểu mẫu ({where}) nhưng không có trong danh"
             " sách đơn vị")
    if new is None:
        return title + "; hãy sửa mã trong biểu hoặc thêm đơn vị vào danh sách."
    others = sum(1 for i in explained if i.unit == new)
    unit = f"'{new}'" + (f" ({name})" if name else "")
    return (title + f"; có lẽ đơn vị đã đổi mã thành {unit}, mã mới chưa có biểu nào"
            f" ({others} lỗi kéo theo). Hãy thống nhất mã đơn vị giữa danh sách đơn vị và"
            " các biểu.")


def _where_counts(found: list[Issue]) -> str:
    """'1 biểu tự đánh giá, 84 dòng thẩm định, 1 dòng khảo sát'."""
    forms = sum(1 for i in found if i.code == "don-vi-khong-co-trong-danh-sach")
    appraisal = sum(1 for i in found if i.code == "ma-don-vi-la" and i.sheet == APPRAISAL_SHEET)
    survey = sum(1 for i in found if i.code == "ma-don-vi-la" and i.sheet == SURVEY_SHEET)
    other = len(found) - forms - appraisal - survey
    parts = [f"{n} {label}" for n, label in ((forms, "biểu tự đánh giá"),
                                             (appraisal, "dòng thẩm định"),
                                             (survey, "dòng khảo sát"), (other, "chỗ khác"))
             if n]
    return ", ".join(parts)
