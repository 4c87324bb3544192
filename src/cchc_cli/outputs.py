"""Every file cchc writes, named in one table.

Results go to ``results/<year>/``, blank forms to ``forms/<year>/`` (SPEC §3); the names
below are the contract other tools and people rely on, so they live here and nowhere
else. A name built from a code (a unit, an appraiser, a block) is checked to stay inside
its folder: codes come from spreadsheets, and a code is never trusted as a path.
"""

from __future__ import annotations

from pathlib import Path

from cchc_cli.paths import inside

# What `score`, `rank` and `report` write into results/<year>/.
RESULT_FILES: dict[str, str] = {
    "scores": "cham-diem-{year}.xlsx",
    "ranking": "xep-hang-{year}.xlsx",
    "issues": "van-de-{year}.xlsx",
    "decision": "quyet-dinh-{year}.docx",
    "report": "bao-cao-{year}.docx",
    # `report` also writes the page for the province's portal and a draft news item
    # (SPEC §13.4).
    "page": "cong-bo-{year}.html",
    "news": "tin-bai-{year}.docx",
}

# The province's results database, across years (`publish`, read by `rank`, `report`
# and `history`): directly under results/, since it belongs to no single year.
DATABASE_FILE = "chi-so-cchc.sqlite"

# What `template` writes into forms/<year>/ (or --out), one sub-folder per kind.
FORM_FILES: dict[str, str] = {
    "self": "tu-danh-gia/tu-danh-gia-{unit}.xlsx",
    "appraisal": "tham-dinh/tham-dinh-{appraiser}-vong-{round}.xlsx",
    "survey": "khao-sat/khao-sat-{block}-{year}.xlsx",
}


# What `feedback` (and `status --reminder`) write into results/<year>/gui-don-vi/: files
# to send back to each unit, and the reminder to the late ones.
FEEDBACK_FOLDER = "gui-don-vi"
FEEDBACK_FILES: dict[str, str] = {
    "fix": "{unit}-can-sua.xlsx",  # the unit's workbook, its problems marked
    "fix_macros": "{unit}-can-sua.xlsm",  # the same, of a workbook with macros
    "appraisal": "{unit}-ket-qua-tham-dinh.xlsx",  # what the appraisal changed
    "letter": "{unit}-cong-van.docx",  # the cover letter
    "reminder": "cong-van-don-doc-{year}.docx",  # công văn đôn đốc
}


def result_name(kind: str, year: int) -> str:
    """``result_name("ranking", 2023)`` → ``xep-hang-2023.xlsx``."""
    return RESULT_FILES[kind].format(year=year)


def result_path(results_dir: Path, kind: str, year: int) -> Path:
    return results_dir / result_name(kind, year)


def database_path(results_root: Path) -> Path:
    """``results/chi-so-cchc.sqlite`` of a workspace whose results folder is given."""
    return results_root / DATABASE_FILE


def form_path(folder: Path, kind: str, **fields: object) -> Path:
    """Where a blank form of ``kind`` goes under ``folder``; refuses a code that would
    lead outside it (``..``, a slash, an absolute path)."""
    return confined(folder, FORM_FILES[kind], **fields)


def feedback_path(results_dir: Path, kind: str, **fields: object) -> Path:
    """Where a file of ``feedback`` goes: ``results/<year>/gui-don-vi/…``, refusing a code
    that would lead outside that folder."""
    return confined(results_dir / FEEDBACK_FOLDER, FEEDBACK_FILES[kind], **fields)


def confined(folder: Path, pattern: str, **fields: object) -> Path:
    """``folder / pattern.format(**fields)``, each part of the pattern filled in on its
    own and checked to be one plain name that stays inside ``folder`` (symbolic links
    resolved, :func:`cchc_cli.paths.inside`): a code from a spreadsheet is never trusted
    as a path, nor allowed to add a folder of its own."""
    return inside(folder, *(part.format(**fields) for part in pattern.split("/")))
