"""The year-result record: what one run read and computed, handed to every writer.

Built once per run (``api``), from what the readers returned and what scoring and
ranking computed. Writers take this record and nothing else: they never open an input
again (the sha256 of each input is the one of the bytes that were read), never score
again, and never import ``api``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cchc_cli.criteria import CriteriaSet
from cchc_cli.issues import Issue
from cchc_cli.ranking import YearRanking
from cchc_cli.readers.register import Register
from cchc_cli.scoring import YearScores
from cchc_cli.settings import Settings
from cchc_cli.streaks import YearHistory

# Kinds of input files, as the ``Nguồn`` sheets name them.
KIND_REGISTER = "register"
SOURCE_KIND_TEXT = {
    KIND_REGISTER: "danh sách đơn vị",
    "self": "tự đánh giá",
    "appraisal": "thẩm định",
    "survey": "khảo sát",
    None: "không nhận dạng",
}


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file of the year: its name in the workspace, its kind, its sha256."""

    file: str
    kind: str | None
    sha256: str | None


@dataclass
class YearResult:
    settings: Settings
    year: int
    as_of: dt.datetime
    sources: list[SourceFile]
    criteria: dict[str, CriteriaSet]
    register: Register | None
    scores: YearScores
    issues: list[Issue]
    ranking: YearRanking | None = None
    # Codes of the appraisers whose forms were read (the report counts them).
    appraisers: tuple[str, ...] = field(default_factory=tuple)
    # Earlier years and current streaks (SPEC §13.4), set by ``report`` for the page,
    # the news item and the results report.
    history: YearHistory | None = None

    @property
    def precision(self) -> int:
        return self.settings.precision

    @property
    def province(self) -> str:
        return self.settings.province
