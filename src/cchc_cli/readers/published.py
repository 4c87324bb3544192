"""A year published before cchc was used, typed once by the analyst (``publish --from``).

The workbook has the sheet and headers of ``nam-truoc.xlsx`` (SPEC §9.4: sheet
``Xếp hạng năm trước``, headers ``Mã đơn vị``, ``Xếp hạng``, ``Chỉ số`` anywhere in the
first 20 rows) plus ``Khối`` and ``Tên đơn vị``, and optionally ``Xếp loại`` and
``Mã năm trước`` (SPEC §13.4). Every problem is an issue naming its cell; the rows that
were read come back with them, and the caller refuses to record a file with errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.cells import address
from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import HUNDRED, ZERO, NotANumber, parse_number, plain
from cchc_cli.readers.register import REGISTER_HEADER_ROWS, pick_sheet, split_codes
from cchc_cli.readers.tables import Header, cell_text, find_header, percent_shown
from cchc_cli.readers.workbook import BookError, Sheet, open_book

PUBLISHED_SHEET = "Xếp hạng năm trước"
PUBLISHED_HEADERS = {
    "code": "Mã đơn vị",
    "rank": "Xếp hạng",
    "index": "Chỉ số",
    "block": "Khối",
    "name": "Tên đơn vị",
    "band": "Xếp loại",
    "previous": "Mã năm trước",
}
PUBLISHED_REQUIRED = {"code", "rank", "index", "block", "name"}
_WHAT = {"code": "mã đơn vị", "name": "tên đơn vị", "block": "khối", "rank": "xếp hạng",
         "index": "chỉ số"}


@dataclass(frozen=True, slots=True)
class PublishedUnit:
    """One row of the published table."""

    code: str
    name: str
    block: str
    rank: int
    index: Decimal
    band: str | None
    previous: tuple[str, ...]
    cell: str  # the cell of the unit's code


@dataclass
class PublishedTable:
    file: str
    sheet: str
    units: list[PublishedUnit]
    sha256: str  # of the bytes that were read


def read_published(path: Path, *, file: str, blocks: Mapping[str, object]
                   ) -> tuple[PublishedTable | None, list[Issue]]:
    """Read the published table; ``blocks`` are the block codes of cchc.yaml."""
    try:
        book = open_book(path)
        name = pick_sheet(book, PUBLISHED_SHEET)  # two such sheets: an error
    except BookError as exc:
        return None, [issue(exc.code, file=file, **exc.params)]
    if name is None:
        return None, [issue("khong-co-trang", file=file, sheet_name=PUBLISHED_SHEET,
                            sheets=", ".join(book.sheet_names) or "không có")]
    try:
        sheet = book.sheet(name)
    except BookError as exc:
        return None, [issue(exc.code, file=file, sheet=name, **exc.params)]
    header = find_header(sheet, PUBLISHED_HEADERS, PUBLISHED_REQUIRED,
                         rows=REGISTER_HEADER_ROWS)
    if not isinstance(header, Header):
        return None, [issue("thieu-cot", file=file, sheet=name,
                            missing=", ".join(f"'{m}'" for m in header.missing),
                            rows=header.searched)]
    rows = _Rows(sheet, header, file=file, blocks=blocks)
    table = PublishedTable(file=file, sheet=name, units=rows.read(), sha256=book.sha256)
    return table, [*rows.issues, *check_order(table)]


class _Rows:
    """Reading the rows under the header, one issue per problem cell."""

    def __init__(self, sheet: Sheet, header: Header, *, file: str,
                 blocks: Mapping[str, object]) -> None:
        self.sheet, self.header, self.file, self.blocks = sheet, header, file, blocks
        self.issues: list[Issue] = [
            issue("cot-trung", file=file, sheet=sheet.name, cell=second, header=shown,
                  first=first, second=second)
            for shown, first, second in header.duplicates]

    def add(self, code: str, r: int, field: str, **params: Any) -> None:
        """An issue at row ``r``, in the column of ``field``."""
        self.issues.append(issue(code, file=self.file, sheet=self.sheet.name,
                                 cell=address(r, self.header.columns[field]), **params))

    def raw(self, r: int, column: str) -> Any:
        c = self.header.columns.get(column)
        return self.sheet.value(r, c) if c is not None else ""

    def text(self, r: int, column: str) -> str:
        return cell_text(self.raw(r, column))

    def read(self) -> list[PublishedUnit]:
        units: dict[str, PublishedUnit] = {}
        for r in range(self.header.row + 1, len(self.sheet.rows)):
            if not any(self.text(r, column) for column in PUBLISHED_REQUIRED) \
                    and not self.formulas(r):
                continue
            unit = self.row(r, units)
            if unit is not None:
                units[unit.code] = unit
        return list(units.values())

    def formulas(self, r: int) -> list[str]:
        """The fields of row ``r`` holding a formula without a computed value (SPEC
        §13.2: never read as empty)."""
        return [key for key, c in self.header.columns.items()
                if (r, c) in self.sheet.uncached]

    def row(self, r: int, seen: dict[str, PublishedUnit]) -> PublishedUnit | None:
        code = self.text(r, "code")
        formulas = self.formulas(r)
        for key in formulas:
            self.add("cong-thuc-chua-tinh", r, key, unit=code or None,
                     column=PUBLISHED_HEADERS[key])
        if formulas:
            return None
        missing = [key for key in ("code", "name", "block", "rank", "index")
                   if not self.text(r, key)]
        for key in missing:
            self.add("don-vi-thieu-gia-tri", r, key, unit=code or None, what=_WHAT[key],
                     row=r + 1)
        if code in seen:
            self.add("don-vi-trung-ma", r, "code", unit=code, first=seen[code].cell)
            return None
        block = self.text(r, "block")
        if block and block not in self.blocks:
            self.add("don-vi-khoi-la", r, "block", unit=code, value=block,
                     known=", ".join(self.blocks))
        rank, index = self.rank(r, code), self.index(r, code)
        if missing or rank is None or index is None or block not in self.blocks:
            return None
        return PublishedUnit(code=code, name=self.text(r, "name"), block=block, rank=rank,
                             index=index, band=self.text(r, "band") or None,
                             previous=split_codes(self.text(r, "previous")),
                             cell=address(r, self.header.columns["code"]))

    def number(self, r: int, column: str, code: str) -> Decimal | None:
        raw = self.raw(r, column)
        if column == "index" and (r, self.header.columns[column]) in self.sheet.percent:
            raw = percent_shown(raw) or raw  # 93,69 % typed: the file holds 0.9369
        try:
            return parse_number(raw if raw != "" else None)
        except NotANumber as exc:
            self.add("khong-phai-so", r, column, unit=code, value=cell_text(raw),
                     column=PUBLISHED_HEADERS[column], reason=exc.reason)
            return None

    def rank(self, r: int, code: str) -> int | None:
        rank = self.number(r, "rank", code)
        if rank is not None and (rank != rank.to_integral_value() or rank < 1):
            self.add("khong-phai-so", r, "rank", unit=code, value=str(rank),
                     column=PUBLISHED_HEADERS["rank"], reason="không phải số nguyên dương")
            return None
        return int(rank) if rank is not None else None

    def index(self, r: int, code: str) -> Decimal | None:
        index = self.number(r, "index", code)
        if index is None:
            return None
        if not ZERO <= index <= HUNDRED:
            self.add("chi-so-ngoai-khoang", r, "index", unit=code, value=str(index))
            return None
        if ZERO < index <= 1:
            # 93,69 % saved as 0.9369 in a cell formatted as a percentage.
            self.add("chi-so-co-the-la-phan-so", r, "index", unit=code, value=str(index),
                     percent=plain(index * HUNDRED).replace(".", ","))
        return index


def check_order(table: PublishedTable) -> list[Issue]:
    """A warning where, within a block, a unit with a higher index has a worse rank: a
    typing slip in the published table (ties share a rank, whatever their order)."""
    issues: list[Issue] = []
    by_block: dict[str, list[PublishedUnit]] = {}
    for unit in table.units:
        by_block.setdefault(unit.block, []).append(unit)
    for units in by_block.values():
        ordered = sorted(units, key=lambda u: (u.rank, -u.index, u.code))
        for better, worse in zip(ordered, ordered[1:], strict=False):
            if worse.index > better.index and worse.rank > better.rank:
                issues.append(issue("xep-hang-khong-khop-chi-so", file=table.file,
                                    sheet=table.sheet, cell=worse.cell, unit=worse.code,
                                    rank=worse.rank, index=str(worse.index),
                                    other=better.code, other_rank=better.rank,
                                    other_index=str(better.index)))
    return issues
