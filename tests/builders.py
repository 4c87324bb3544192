"""Workspaces and forms built by code for the tests.

``Sandbox`` makes a small workspace with :data:`FORM_CRITERIA` (every rule type, codes
1.1 next to 1.10) and writes forms through cchc's own writers; ``edit`` then changes
cells with openpyxl the way a person saves a workbook (which drops cached formula
values, as LibreOffice-unaware tools do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from cchc_cli.formspec import Entered
from cchc_cli.readers.register import Unit
from cchc_cli.settings import Settings
from cchc_cli.workspace import Workspace, load_year_criteria
from cchc_cli.writers.forms import (
    AppraisalLine,
    FormContext,
    write_appraisal_form,
    write_self_form,
    write_survey_form,
)
from cchc_cli.writers.register import write_register
from tests.conftest import dedent

FORM_CRITERIA = dedent(
    """
    id: so-nganh-2023
    title: Bộ tiêu chí thử nghiệm
    block: so-nganh
    year: 2023
    scale: 20
    items:
      - code: "1"
        name: Công tác chỉ đạo, điều hành
        items:
          - code: "1.1"
            name: Ban hành kế hoạch CCHC
            max: 1
            evidence: Kế hoạch CCHC năm
            rule:
              type: choice
              options:
                - {label: Ban hành đúng thời hạn, points: 1}
                - {label: Ban hành chậm, points: 0.5}
                - {label: Không ban hành, points: 0}
          - code: "1.2"
            name: Mức độ hoàn thành kế hoạch
            max: 3
            rule: {type: manual, step: 0.25}
          - code: "1.10"
            name: Tỷ lệ giải ngân vốn đầu tư công
            max: 2
            rule:
              type: tiers
              unit: "%"
              tiers:
                - {above: 90, points: 2}
                - {min: 70, points: 1}
                - {min: 0, points: 0}
      - code: "2"
        name: Hiện đại hóa hành chính
        appraiser: vp
        items:
          - code: "2.1"
            name: Tỷ lệ thanh toán trực tuyến
            max: 2
            na_allowed: true
            na_note: Không có TTHC phát sinh phí, lệ phí
            rule: {type: ratio, target: 100, zero_below: 50, unit: "%"}
          - code: "2.2"
            name: "Điểm thưởng: sáng kiến"
            max: 2
            rule: {type: bonus}
          - code: "2.3"
            name: "Điểm trừ: vi phạm"
            max: 3
            rule: {type: penalty}
      - code: "3"
        name: Tác động của CCHC
        items:
          - code: "3.1"
            name: Chỉ số hài lòng (SIPAS)
            max: 10
            rule: {type: survey}
          - code: "3.2"
            name: Đánh giá của công chức
            max: 2
            na_allowed: true
            rule: {type: survey}
    """
)

# Excel rows of FORM_CRITERIA in a self form (header on row 6): code → row number.
SELF_ROWS = {"1": 7, "1.1": 8, "1.2": 9, "1.10": 10, "2": 11, "2.1": 12, "2.2": 13,
             "2.3": 14, "3": 15, "3.1": 16, "3.2": 17}
# Columns of the self form.
COL = {"code": "A", "name": "B", "max": "C", "rule": "D", "data": "E", "choice": "F",
       "score": "G", "na": "H", "evidence": "I", "explanation": "J"}

UNITS = [
    Unit("STP", "Sở Tư pháp", "so-nganh", "Nguyễn Văn A"),
    Unit("SNV", "Sở Nội vụ", "so-nganh", "Trần Thị B"),
    Unit("STC", "Sở Tài chính", "so-nganh", "Lê Văn C"),
]

# A complete, valid self-assessment of FORM_CRITERIA.
GOOD = {
    "1.1": Entered(choice="Ban hành đúng thời hạn", evidence="Kế hoạch số 10/KH-STP"),
    "1.2": Entered(score=Decimal("2.75"), evidence="Báo cáo số 5/BC"),
    "1.10": Entered(data=Decimal("91.5"), evidence="Báo cáo giải ngân"),
    "2.1": Entered(data=Decimal("80"), evidence="Báo cáo thanh toán"),
    "2.2": Entered(),
    "2.3": Entered(),
}


@dataclass
class Sandbox:
    root: Path
    year: int = 2023
    units: list[Unit] = field(default_factory=lambda: list(UNITS))
    criteria_text: str = FORM_CRITERIA

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "cchc.yaml").write_text("province: Tỉnh Thử\n", encoding="utf-8")
        folder = self.root / "criteria" / str(self.year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "so-nganh.yaml").write_text(self.criteria_text, encoding="utf-8")
        self.write_register()

    # --- workspace pieces -------------------------------------------------------------
    @property
    def data(self) -> Path:
        return self.root / "data" / str(self.year)

    def workspace(self) -> Workspace:
        return Workspace.open(self.root)

    def criteria(self):
        return load_year_criteria(self.workspace(), self.year).sets["so-nganh"]

    def context(self) -> FormContext:
        return FormContext(settings=Settings(), year=self.year)

    def write_register(self, units: list[Unit] | None = None) -> Path:
        if units is not None:
            self.units = units
        path = self.data / "don-vi.xlsx"
        write_register(path, year=self.year, blocks={"so-nganh": "Sở, ban, ngành"},
                       units=self.units)
        return path

    def unit(self, code: str) -> Unit:
        return next(u for u in self.units if u.code == code)

    # --- forms ---------------------------------------------------------------------
    def self_form(self, code: str, values: Mapping[str, Entered] | None = None, *,
                  name: str | None = None, with_meta: bool = True) -> Path:
        path = self.data / "tu-danh-gia" / (name or f"tu-danh-gia-{code}.xlsx")
        write_self_form(path, unit=self.unit(code), criteria=self.criteria(),
                        context=self.context(), values=GOOD if values is None else values,
                        with_meta=with_meta)
        return path

    def appraisal_form(self, appraiser: str, rows: list[tuple[str, str, Entered]], *,
                       round_no: int = 1, name: str | None = None) -> Path:
        """rows: (unit, leaf code, appraised values)."""
        criteria = self.criteria()
        lines = [AppraisalLine(self.unit(u), criteria.leaf(c), GOOD.get(c), e)
                 for u, c, e in rows]
        path = self.data / "tham-dinh" / (name or f"tham-dinh-{appraiser}-vong-{round_no}.xlsx")
        write_appraisal_form(path, appraiser=appraiser, round_no=round_no, lines=lines,
                             sets=[criteria], context=self.context())
        return path

    def survey_form(self, values: Mapping[tuple[str, str], Any] | None = None, *,
                    name: str = "khao-sat.xlsx") -> Path:
        if values is None:
            values = {(u.code, c): Decimal(v) for u in self.units
                      for c, v in (("3.1", "91.17"), ("3.2", "80"))}
        path = self.data / "khao-sat" / name
        write_survey_form(path, units=self.units, sets={"so-nganh": self.criteria()},
                          context=self.context(), values=values)
        return path

    def complete(self) -> None:
        """Self forms for every unit and a survey: a year that validates cleanly."""
        for unit in self.units:
            self.self_form(unit.code)
        self.survey_form()


def edit(path: Path, cells: Mapping[str, Any], *, sheet: str | None = None) -> Path:
    """Change cells as a person would (openpyxl: no cached formula values survive)."""
    workbook = openpyxl.load_workbook(path)
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    for ref, value in cells.items():
        ws[ref] = value
    workbook.save(path)
    return path


def drop_sheet(path: Path, name: str) -> Path:
    workbook = openpyxl.load_workbook(path)
    del workbook[name]
    workbook.save(path)
    return path


PUBLISHED_HEADERS = ["Mã đơn vị", "Tên đơn vị", "Khối", "Xếp hạng", "Chỉ số", "Xếp loại"]


def write_published(path: Path, rows: list[list[Any]],
                    headers: list[str] | None = None) -> Path:
    """A year's published table as an analyst types it for ``cchc publish --from``:
    sheet 'Xếp hạng năm trước', a title and a blank row above the headers."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Xếp hạng năm trước"
    sheet.append(["Kết quả Chỉ số CCHC đã công bố"])
    sheet.append([])
    sheet.append(headers or PUBLISHED_HEADERS)
    for row in rows:
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
