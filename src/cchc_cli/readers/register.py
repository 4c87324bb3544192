"""The unit register ``data/<year>/don-vi.xlsx`` (SPEC §6)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_cli.cells import address, header_key
from cchc_cli.issues import Issue, issue
from cchc_cli.readers.tables import Header, HeaderMissing, cell_text, find_header
from cchc_cli.readers.workbook import Book, BookError, Sheet, open_book

REGISTER_SHEET = "Đơn vị"
REGISTER_HEADERS = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "block": "Khối",
    "head": "Người đứng đầu",
    "previous": "Mã năm trước",
    "na": "Không áp dụng",
}
REGISTER_REQUIRED = {"code", "name", "block"}
REGISTER_HEADER_ROWS = 20
_LIST_SPLIT = re.compile(r"[,;\n]+")


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    block: str
    head: str = ""
    previous: tuple[str, ...] = ()
    not_applicable: tuple[str, ...] = ()
    cell: str = ""  # the cell of the unit's code
    na_cell: str = ""


@dataclass
class Register:
    file: str
    sheet: str
    units: dict[str, Unit] = field(default_factory=dict)

    def by_block(self, block: str) -> list[Unit]:
        return [u for u in self.units.values() if u.block == block]


def split_codes(text: str) -> tuple[str, ...]:
    """'3.4, 7.2.1; 8' → ('3.4', '7.2.1', '8')."""
    return tuple(part.strip() for part in _LIST_SPLIT.split(text) if part.strip())


def pick_sheet(book: Book, name: str) -> str | None:
    """The sheet whose name matches ``name`` after normalisation (case, spacing, NFC)."""
    wanted = header_key(name)
    for sheet in book.sheet_names:
        if header_key(sheet) == wanted:
            return sheet
    return None


def read_register(
    path: Path, *, file: str, blocks: Mapping[str, object]
) -> tuple[Register | None, list[Issue]]:
    """Read the register; ``blocks`` are the block codes of cchc.yaml."""
    if not path.exists():
        return None, [issue("thieu-danh-sach-don-vi", file=file, path=file)]
    try:
        book = open_book(path)
    except BookError as exc:
        return None, [issue(exc.code, file=file, **exc.params)]
    name = pick_sheet(book, REGISTER_SHEET)
    candidates = [name] if name else [s for s in book.sheet_names if s not in book.hidden]
    for sheet_name in candidates:
        try:
            sheet = book.sheet(sheet_name)
        except BookError as exc:
            return None, [issue(exc.code, file=file, sheet=sheet_name, **exc.params)]
        header = find_header(sheet, REGISTER_HEADERS, REGISTER_REQUIRED,
                             rows=REGISTER_HEADER_ROWS)
        if isinstance(header, Header):
            return _read_units(sheet, header, file=file, blocks=blocks)
        if name:
            return None, [_missing(header, file, sheet_name)]
    return None, [
        issue(
            "khong-co-trang",
            file=file,
            sheet=REGISTER_SHEET,
            sheet_name=REGISTER_SHEET,
            sheets=", ".join(book.sheet_names) or "không có",
        )
    ]


def _missing(header: HeaderMissing, file: str, sheet: str) -> Issue:
    return issue(
        "thieu-cot",
        file=file,
        sheet=sheet,
        missing=", ".join(f"'{m}'" for m in header.missing),
        rows=header.searched,
    )


def _read_units(
    sheet: Sheet, header: Header, *, file: str, blocks: Mapping[str, object]
) -> tuple[Register, list[Issue]]:
    issues: list[Issue] = []
    for shown, first, second in header.duplicates:
        issues.append(
            issue("cot-trung", file=file, sheet=sheet.name, cell=second, header=shown,
                  first=first, second=second)
        )
    register = Register(file=file, sheet=sheet.name)
    cols = header.columns

    def text(row: list[Any], name: str) -> str:
        c = cols.get(name)
        return cell_text(row[c]) if c is not None and c < len(row) else ""

    for r in range(header.row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        code, name, block = text(row, "code"), text(row, "name"), text(row, "block")
        if not (code or name or block):
            continue
        missing = [
            (what, key)
            for what, key in (("mã đơn vị", "code"), ("tên đơn vị", "name"), ("khối", "block"))
            if not text(row, key)
        ]
        for what, key in missing:
            issues.append(
                issue(
                    "don-vi-thieu-gia-tri",
                    file=file,
                    sheet=sheet.name,
                    cell=address(r, cols[key]),
                    unit=code or None,
                    what=what,
                    row=r + 1,
                )
            )
        if not code:
            continue
        cell = address(r, cols["code"])
        if code in register.units:
            issues.append(
                issue(
                    "don-vi-trung-ma",
                    file=file,
                    sheet=sheet.name,
                    cell=cell,
                    unit=code,
                    first=register.units[code].cell,
                )
            )
            continue
        if block and block not in blocks:
            issues.append(
                issue(
                    "don-vi-khoi-la",
                    file=file,
                    sheet=sheet.name,
                    cell=address(r, cols["block"]),
                    unit=code,
                    value=block,
                    known=", ".join(blocks),
                )
            )
        na_col = cols.get("na")
        register.units[code] = Unit(
            code=code,
            name=name,
            block=block,
            head=text(row, "head"),
            previous=split_codes(text(row, "previous")),
            not_applicable=split_codes(text(row, "na")),
            cell=cell,
            na_cell=address(r, na_col) if na_col is not None else "",
        )
    if not register.units:
        issues.append(issue("danh-sach-don-vi-rong", file=file, sheet=sheet.name))
    return register, issues


def check_not_applicable(register: Register, sets: dict, *, sheet: str) -> list[Issue]:
    """Every code in ``Không áp dụng`` must exist in the unit's block's criteria set."""
    issues: list[Issue] = []
    for unit in register.units.values():
        criteria = sets.get(unit.block)
        if criteria is None:
            continue
        for code in unit.not_applicable:
            if code not in criteria.nodes:
                issues.append(
                    issue(
                        "khong-ap-dung-ma-la",
                        file=register.file,
                        sheet=sheet,
                        cell=unit.na_cell,
                        unit=unit.code,
                        criterion=code,
                        value=code,
                        block=unit.block,
                    )
                )
    return issues
