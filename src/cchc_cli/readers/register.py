"""The unit register ``data/<year>/don-vi.xlsx`` (SPEC §6)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
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
# A unit code also names files (forms/Y/tu-danh-gia/tu-danh-gia-<CODE>.xlsx): plain
# letters, digits and . _ -, starting with a letter or digit (no "..", no separators).
UNIT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_CODE_LIKE = re.compile(r"\d+(?:\.\d+)*")


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
    # ``Không áp dụng`` was a number cell (3.10 typed becomes 3.1): checked against the
    # criteria for the codes it could stand for.
    na_number: bool = False


@dataclass
class Register:
    file: str
    sheet: str
    units: dict[str, Unit] = field(default_factory=dict)
    sha256: str | None = None  # of the bytes read (recorded in the outputs' Nguồn)

    def by_block(self, block: str) -> list[Unit]:
        return [u for u in self.units.values() if u.block == block]


def split_codes(text: str) -> tuple[str, ...]:
    """'3.4, 7.2.1; 8' → ('3.4', '7.2.1', '8')."""
    return tuple(part.strip() for part in _LIST_SPLIT.split(text) if part.strip())


def pick_sheet(book: Book, name: str) -> str | None:
    """The sheet whose name matches ``name`` after normalisation (case, spacing, NFC).

    Two such sheets (an old draft beside the form) are refused with a BookError naming
    both, never picked silently (SPEC §13.2).
    """
    wanted = header_key(name)
    found = [(n, sheet) for n, sheet in enumerate(book.sheet_names, start=1)
             if header_key(sheet) == wanted]
    if len(found) > 1:
        (first_no, first), (second_no, second) = found[:2]
        raise BookError("trang-trung-ten", sheet=first, first=first, second=second,
                        first_no=first_no, second_no=second_no)
    return found[0][1] if found else None


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
    try:
        name = pick_sheet(book, REGISTER_SHEET)
    except BookError as exc:
        return None, [issue(exc.code, file=file, **exc.params)]
    candidates = [name] if name else [s for s in book.sheet_names if s not in book.hidden]
    for sheet_name in candidates:
        try:
            sheet = book.sheet(sheet_name)
        except BookError as exc:
            return None, [issue(exc.code, file=file, sheet=sheet_name, **exc.params)]
        header = find_header(sheet, REGISTER_HEADERS, REGISTER_REQUIRED,
                             rows=REGISTER_HEADER_ROWS)
        if isinstance(header, Header):
            register, found = _read_units(sheet, header, file=file, blocks=blocks)
            register.sha256 = book.sha256
            return register, found
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
    folded: dict[str, str] = {}  # casefolded code → the code as written first

    def add(code: str, r: int, key: str, unit: str | None = None, **params: Any) -> None:
        issues.append(issue(code, file=file, sheet=sheet.name, cell=address(r, cols[key]),
                            unit=unit, **params))

    for r in range(header.row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        values, formulas = _row_values(sheet, r, cols)
        code, name, block = values["code"], values["name"], values["block"]
        if not (code or name or block or formulas):
            continue
        for key in formulas:
            add("cong-thuc-chua-tinh", r, key, code or None, column=REGISTER_HEADERS[key])
        for what, key in (("mã đơn vị", "code"), ("tên đơn vị", "name"), ("khối", "block")):
            if not values[key] and key not in formulas:
                add("don-vi-thieu-gia-tri", r, key, code or None, what=what, row=r + 1)
        if not code:
            continue
        cell = address(r, cols["code"])
        if code in register.units:
            add("don-vi-trung-ma", r, "code", code, first=register.units[code].cell)
            continue
        if not UNIT_CODE.fullmatch(code):
            add("ma-don-vi-khong-hop-le", r, "code", value=code[:60])
            continue
        other = folded.setdefault(code.casefold(), code)
        if other != code:
            add("don-vi-trung-ma-chu-hoa", r, "code", code, other=other,
                first=register.units[other].cell)
            continue
        if block and block not in blocks:
            add("don-vi-khoi-la", r, "block", code, value=block, known=", ".join(blocks))
        na_col = cols.get("na")
        raw_na = row[na_col] if na_col is not None and na_col < len(row) else ""
        register.units[code] = Unit(
            code=code,
            name=name,
            block=block,
            head=values["head"],
            previous=split_codes(values["previous"]),
            not_applicable=split_codes(values["na"]),
            cell=cell,
            na_cell=address(r, na_col) if na_col is not None else "",
            na_number=raw_na.__class__ in (float, int),
        )
    if not register.units:
        issues.append(issue("danh-sach-don-vi-rong", file=file, sheet=sheet.name))
    return register, issues


def _row_values(sheet: Sheet, r: int, cols: dict[str, int]) -> tuple[dict[str, str], list[str]]:
    """Every register field of row ``r`` as text, and the fields whose cell is a formula
    without a computed value (read as empty by the parser: never taken for empty)."""
    row = sheet.rows[r]
    values: dict[str, str] = {}
    formulas: list[str] = []
    for key in REGISTER_HEADERS:
        c = cols.get(key)
        values[key] = cell_text(row[c]) if c is not None and c < len(row) else ""
        if c is not None and (r, c) in sheet.uncached:
            formulas.append(key)
    return values, formulas


def check_not_applicable(register: Register, sets: dict, *, sheet: str) -> list[Issue]:
    """Every code in ``Không áp dụng`` must exist in the unit's block's criteria set,
    and a number cell must not stand for two codes (3.1 and 3.10)."""
    issues: list[Issue] = []
    for unit in register.units.values():
        criteria = sets.get(unit.block)
        if criteria is None:
            continue
        for code in unit.not_applicable:
            where: dict[str, Any] = {"file": register.file, "sheet": sheet, "cell": unit.na_cell,
                     "unit": unit.code}
            readings = _readings(code, criteria.nodes) if unit.na_number else []
            if len(readings) > 1:
                example = max(readings, key=len)
                issues.append(issue("khong-ap-dung-ma-nhap-nhang", **where, value=code,
                                    codes=" hoặc ".join(f"'{c}'" for c in readings),
                                    example=example))
            elif code not in criteria.nodes:
                issues.append(issue("khong-ap-dung-ma-la", **where, criterion=code,
                                    value=code, block=unit.block))
    return issues


def _readings(number: str, codes: Iterable[str]) -> list[str]:
    """The criteria codes a number cell may have been typed as: 3.1 for '3.1', '3.10'."""
    if not _CODE_LIKE.fullmatch(number):
        return []
    value = Decimal(number)
    return sorted((code for code in codes
                   if _CODE_LIKE.fullmatch(code) and code.count(".") <= 1
                   and Decimal(code) == value), key=lambda c: (len(c), c))
