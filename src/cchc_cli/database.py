"""The province's results database ``results/chi-so-cchc.sqlite`` (SPEC §13.4).

One SQLite file holds every published year: the units with their published index,
rank and band, and — for years computed by cchc — their areas and leaves, the input
files with their sha256 and the criteria fingerprints. It is a plain SQLite file (no
STRICT tables, no extension), so that it opens in any SQLite tool and in Datasette.

Numbers are stored as REAL, so that tools sort, filter and chart them as numbers (a
text column would sort "100" before "93"), rounded as the JSON of ``cchc rank`` rounds
them: the published index at ``precision`` decimals, the rest at 6. A REAL holds any
decimal of up to 15 significant digits exactly as written (93.69 reads back as 93.69),
which covers every published figure. The published index is also kept as its exact
decimal text (``index_published_text``: "90.00", trailing zeros as published), and the
named inputs of a leaf as JSON text.

Primary keys — ``(year, code)`` for units, ``(year, code, area)``, ``(year, code,
criterion)`` — make a year appear once: a year already recorded is replaced only when
asked (``--replace``), inside one transaction that first removes all of its rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.errors import CchcError, InputError
from cchc_cli.numbers import Exact, json_number

SCHEMA_VERSION = 1
# Waiting this long for another program (Datasette, a SQLite browser) to release a lock.
LOCK_TIMEOUT_S = 5.0

# Each table starts with the columns of SPEC §13.4, in its order; cchc's own follow.
SCHEMA = """
CREATE TABLE years (
    year INTEGER PRIMARY KEY,
    published_at TEXT NOT NULL,
    source TEXT NOT NULL,
    criteria_fingerprints TEXT NOT NULL,
    source_file TEXT,
    province TEXT,
    precision INTEGER NOT NULL,
    ties TEXT,
    basis TEXT,
    tool_version TEXT
);
CREATE TABLE units (
    year INTEGER NOT NULL REFERENCES years(year),
    block TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    points REAL,
    max_points REAL,
    "index" REAL,
    index_published REAL,
    rank INTEGER,
    band TEXT,
    leader_rating TEXT,
    previous_rank INTEGER,
    rank_change INTEGER,
    previous_codes TEXT,
    index_published_text TEXT,
    previous_index REAL,
    change_note TEXT,
    head TEXT,
    PRIMARY KEY (year, code)
);
CREATE TABLE areas (
    year INTEGER NOT NULL,
    code TEXT NOT NULL,
    area TEXT NOT NULL,
    name TEXT NOT NULL,
    points REAL,
    max_points REAL,
    "index" REAL,
    PRIMARY KEY (year, code, area),
    FOREIGN KEY (year, code) REFERENCES units(year, code)
);
CREATE TABLE leaves (
    year INTEGER NOT NULL,
    code TEXT NOT NULL,
    criterion TEXT NOT NULL,
    input TEXT,
    value REAL,
    source TEXT,
    na INTEGER NOT NULL,
    points REAL,
    max REAL,
    na_reason TEXT,
    PRIMARY KEY (year, code, criterion),
    FOREIGN KEY (year, code) REFERENCES units(year, code)
);
CREATE TABLE sources (
    year INTEGER NOT NULL REFERENCES years(year),
    file TEXT NOT NULL,
    kind TEXT,
    sha256 TEXT,
    PRIMARY KEY (year, file)
);
"""
TABLES = ("years", "units", "areas", "leaves", "sources")
# Children first: a year's rows are removed in this order before it is written again.
_DELETE_ORDER = ("leaves", "areas", "sources", "units", "years")

# years.source: how the year's results came in.
SOURCE_INPUTS, SOURCE_FILE = "inputs", "file"


class DatabaseError(CchcError):
    """The database cannot be opened, read or written (exit 3)."""

    exit_code = 3


class YearRecorded(InputError):
    """The year is in the database already and ``--replace`` was not given (exit 1)."""


@dataclass(frozen=True, slots=True)
class YearInfo:
    year: int
    published_at: str
    source: str
    source_file: str | None
    precision: int


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit of one published year, as the ``units`` table holds it."""

    year: int
    block: str
    code: str
    name: str
    status: str
    rank: int | None
    index_published: Decimal | None
    band: str | None
    previous_codes: tuple[str, ...] = ()
    points: Exact | None = None
    max_points: Exact | None = None
    index: Exact | None = None
    leader_rating: str | None = None
    previous_rank: int | None = None
    rank_change: int | None = None
    previous_index: Decimal | None = None
    change_note: str | None = None
    head: str | None = None


@dataclass
class PublishedYear:
    """Everything one ``publish`` writes: the year's row, then its units, areas, leaves
    and input files (areas, leaves and sources as rows of SQL values)."""

    year: int
    published_at: str
    source: str
    source_file: str | None
    fingerprints: dict[str, str]
    province: str
    precision: int
    ties: str | None
    basis: str | None
    tool_version: str
    units: list[UnitRow] = field(default_factory=list)
    areas: list[tuple[Any, ...]] = field(default_factory=list)
    leaves: list[tuple[Any, ...]] = field(default_factory=list)
    sources: list[tuple[Any, ...]] = field(default_factory=list)


def real(value: Exact | None, places: int = 6) -> int | float | None:
    """A number as the database stores it: rounded half-up like the JSON of ``rank``."""
    return json_number(value, places)


def join_codes(codes: Sequence[str]) -> str | None:
    """``Mã năm trước`` as the register writes it: 'STTTT, SKHCN' (NULL when none)."""
    return ", ".join(codes) if codes else None


def split_codes(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


# --------------------------------------------------------------------------------------
# Opening
# --------------------------------------------------------------------------------------


def _problem(path: Path, exc: sqlite3.Error, shown: str) -> DatabaseError:
    """The Vietnamese message for a database that cannot be used, with what to do."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        advice = ("đang được một chương trình khác ghi; hãy đóng chương trình đó (trình"
                  " duyệt SQLite, Datasette) rồi chạy lại")
    elif any(word in text for word in ("readonly", "read-only", "unable to open",
                                         "disk i/o")):
        advice = ("không ghi hoặc không mở được (thư mục chỉ đọc, không có quyền, hoặc đó"
                  " không phải một tệp); hãy kiểm tra tệp và quyền ghi thư mục results/")
    elif "not a database" in text or "malformed" in text or "encrypted" in text:
        advice = ("không phải tệp SQLite hợp lệ hoặc đã hỏng; hãy chuyển tệp đó sang chỗ"
                  " khác để cchc tạo tệp mới, rồi ghi lại các năm bằng cchc publish")
    else:
        advice = f"lỗi SQLite: {exc}"
    return DatabaseError(f"Cơ sở dữ liệu kết quả {shown} {advice}.")


@contextmanager
def _connection(path: Path, shown: str, *, write: bool) -> Iterator[sqlite3.Connection]:
    """A connection whose SQLite errors become a :class:`DatabaseError`; opened
    read-only unless ``write`` (reading never creates the file)."""
    try:
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
        else:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                         timeout=LOCK_TIMEOUT_S, isolation_level=None)
    except (sqlite3.Error, OSError) as exc:
        error = exc if isinstance(exc, sqlite3.Error) else sqlite3.OperationalError(
            f"unable to open: {exc}")
        raise _problem(path, error, shown) from exc
    try:
        with closing(connection):
            _check_schema(connection, shown, create=write)
            yield connection
    except sqlite3.Error as exc:
        raise _problem(path, exc, shown) from exc


def _check_schema(connection: sqlite3.Connection, shown: str, *, create: bool) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    names = {row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == SCHEMA_VERSION and set(TABLES) <= names:
        return
    if version > SCHEMA_VERSION:
        raise DatabaseError(f"Cơ sở dữ liệu kết quả {shown} do phiên bản cchc mới hơn tạo"
                            f" (lược đồ {version}); hãy cập nhật cchc.")
    if version == 0 and not names and create:
        connection.executescript(f"BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION};"
                                 " COMMIT;")
        return
    raise DatabaseError(f"Tệp {shown} không phải cơ sở dữ liệu kết quả của cchc (thiếu các"
                        f" bảng {', '.join(TABLES)}); hãy chuyển tệp đó sang chỗ khác.")


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def recorded_years(path: Path, shown: str) -> dict[int, YearInfo]:
    """Every year in the database (empty when there is no database yet)."""
    if not path.exists():
        return {}
    with _connection(path, shown, write=False) as connection:
        rows = connection.execute("SELECT year, published_at, source, source_file, precision"
                                  " FROM years ORDER BY year").fetchall()
    return {row[0]: YearInfo(*row) for row in rows}


_UNIT_COLUMNS = ('year, block, code, name, status, rank, index_published_text,'
                 ' index_published, band, previous_codes, points, max_points, "index",'
                 ' leader_rating, previous_rank, rank_change, previous_index, change_note,'
                 ' head')


def read_units(path: Path, shown: str, *, years: Sequence[int] | None = None
               ) -> list[UnitRow]:
    """The units of the given years (all years when None), by year, block and rank."""
    if not path.exists():
        return []
    query = f"SELECT {_UNIT_COLUMNS} FROM units"
    parameters: list[int] = []
    if years is not None:
        query += f" WHERE year IN ({', '.join('?' for _ in years)})"
        parameters = list(years)
    query += " ORDER BY year, block, rank IS NULL, rank, code"
    with _connection(path, shown, write=False) as connection:
        return [_unit(row) for row in connection.execute(query, parameters)]


def _decimal(value: float | int | None) -> Decimal | None:
    """A stored REAL as the decimal it was written from (its shortest repr)."""
    return None if value is None else Decimal(repr(value))


def _unit(row: Sequence[Any]) -> UnitRow:
    (year, block, code, name, status, rank, text, published, band, previous, points, top,
     index, rating, previous_rank, change, previous_index, note, head) = row
    exact = Decimal(text) if text else _decimal(published)
    return UnitRow(year=year, block=block, code=code, name=name, status=status, rank=rank,
                   index_published=exact, band=band, previous_codes=split_codes(previous),
                   points=_decimal(points), max_points=_decimal(top), index=_decimal(index),
                   leader_rating=rating, previous_rank=previous_rank, rank_change=change,
                   previous_index=_decimal(previous_index), change_note=note, head=head)


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def record_year(path: Path, shown: str, published: PublishedYear, *, replace: bool) -> bool:
    """Write one year in one transaction; True when it replaced a recorded year.

    Raises :class:`YearRecorded` when the year is there and ``replace`` is False.
    """
    with _connection(path, shown, write=True) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("BEGIN IMMEDIATE")
        try:
            found = connection.execute("SELECT published_at, source, source_file FROM years"
                                       " WHERE year = ?", (published.year,)).fetchone()
            if found is not None and not replace:
                raise YearRecorded(recorded_message(published.year, shown, found))
            if found is not None:
                for table in _DELETE_ORDER:
                    connection.execute(f"DELETE FROM {table} WHERE year = ?",
                                       (published.year,))
            _insert(connection, published)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return found is not None


def recorded_message(year: int, shown: str, found: Sequence[Any]) -> str:
    published_at, source, source_file = found
    origin = f"nhập từ {source_file}" if source == SOURCE_FILE else "tính từ dữ liệu đầu vào"
    return (f"Năm {year} đã có trong cơ sở dữ liệu {shown} (ghi lúc"
            f" {str(published_at).replace('T', ' ')}, {origin}). Kết quả đã công bố không bị"
            " ghi đè ngầm: dùng --replace nếu thật sự muốn thay bằng kết quả mới.")


def _insert(connection: sqlite3.Connection, published: PublishedYear) -> None:
    fingerprints = json.dumps(published.fingerprints, ensure_ascii=False, sort_keys=True)
    connection.execute(
        "INSERT INTO years VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (published.year, published.published_at, published.source, fingerprints,
         published.source_file, published.province, published.precision, published.ties,
         published.basis, published.tool_version))
    connection.executemany(
        "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_unit_values(unit, published.precision) for unit in published.units])
    connection.executemany("INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?, ?)", published.areas)
    connection.executemany("INSERT INTO leaves VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           published.leaves)
    connection.executemany("INSERT INTO sources VALUES (?, ?, ?, ?)", published.sources)


def _unit_values(unit: UnitRow, precision: int) -> tuple[Any, ...]:
    published = unit.index_published
    return (unit.year, unit.block, unit.code, unit.name, unit.status, real(unit.points),
            real(unit.max_points), real(unit.index),
            real(published, max(precision, _places(published))), unit.rank, unit.band,
            unit.leader_rating, unit.previous_rank, unit.rank_change,
            join_codes(unit.previous_codes),
            None if published is None else format(published, "f"),
            real(unit.previous_index), unit.change_note, unit.head or None)


def _places(value: Decimal | None) -> int:
    """Decimals written in a number (an imported 93.689 keeps its three)."""
    if value is None:
        return 0
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
