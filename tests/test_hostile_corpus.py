"""The hostile corpus: broken and malicious input files, each refused or read correctly.

Every item of tests/hostile/corpus.py is put into a clean sandbox workspace (a complete,
valid year: self forms of STP, SNV, STC and a survey) at the place where cchc reads it;
then ``cchc validate`` (text and JSON) must name the right issue code, file, sheet and
cell, exit 1 on errors and 0 on warnings only, never print a traceback or the content of
a local file, and leave the input's bytes unchanged (sha256 before and after).

Resource bombs (zip bombs, far cells, entity expansion, quadratic scans) run cchc in a
subprocess with an address-space limit and a watchdog, and check its peak memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cchc_cli.issues import CATALOGUE
from tests.builders import FORM_CRITERIA, Sandbox
from tests.hostile import corpus as c

ANY: Any = object()  # "do not check this field"
SELF = c.SELF
GIB = 1024**3
# What must never appear in any output: a traceback, a Rust panic, local files' content.
FORBIDDEN = ("Traceback", "panicked at", "root:x:0:0", c.SECRET)


# ======================================================================================
# The shared harness
# ======================================================================================


def sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def invoke(cli: Callable, *args: Any):
    """Run cchc in-process; a Rust panic surfaces as a BaseException and fails the test."""
    try:
        return cli(*args)
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException is a BaseException
        pytest.fail(f"cchc {' '.join(map(str, args))} crashed: {type(exc).__name__}: {exc}")


def assert_clean(result, args: tuple) -> None:
    """No traceback, no panic, no leaked file content; no exception but the exit."""
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        shown = "".join(traceback.format_exception(exc))
        pytest.fail(f"cchc {' '.join(map(str, args))} raised {type(exc).__name__}:\n{shown}")
    for stream in (result.stdout, result.stderr):
        for needle in FORBIDDEN:
            assert needle not in stream, (needle, stream[:2000])


def run_cli(cli: Callable, watched: list[Path], *args: Any):
    """Run one cchc command; the watched input files must keep their exact bytes."""
    before = {p: sha256(p) for p in watched}
    result = invoke(cli, *args)
    assert_clean(result, args)
    after = {p: sha256(p) for p in watched}
    assert after == before, "cchc changed an input file"
    return result


@dataclass
class Outcome:
    text: Any  # the CliRunner result of the text run
    json: Any  # … of the JSON run
    issues: list[dict]
    exit_code: int

    def of(self, code: str) -> list[dict]:
        return [i for i in self.issues if i["code"] == code]

    def errors(self) -> list[dict]:
        return [i for i in self.issues if i["severity"] == "error"]

    def show(self) -> str:
        return "\n".join(f"{i['code']} {i['severity']} {i['file']} {i['sheet']}!{i['cell']}"
                         f" line={i['line']} unit={i['unit']} crit={i['criterion']}"
                         for i in self.issues)


def validate(cli: Callable, box: Sandbox, watched: list[Path]) -> Outcome:
    """``cchc validate --year 2023``, as text and as JSON."""
    base = ("validate", "-w", box.root, "--year", "2023")
    text = run_cli(cli, watched, *base)
    as_json = run_cli(cli, watched, *base, "--format", "json")
    document = json.loads(as_json.stdout)
    assert text.exit_code == as_json.exit_code, (text.stdout, as_json.stdout)
    return Outcome(text, as_json, document["issues"], as_json.exit_code)


def location(issue: dict) -> str:
    """Where an issue is, as the text output spells it (Issue.location)."""
    parts = []
    if issue["file"]:
        parts.append(f"{issue['file']}:{issue['line']}" if issue["line"] else issue["file"])
    if issue["sheet"]:
        parts.append(f"{issue['sheet']}!{issue['cell']}" if issue["cell"] else issue["sheet"])
    return ", ".join(parts)


def expect(outcome: Outcome, code: str, *, file: str, sheet: Any = ANY, cell: Any = ANY,
           line: Any = ANY, unit: Any = ANY, criterion: Any = ANY) -> dict:
    """The issue ``code`` in ``file`` with the given fields, in JSON and in the text."""
    assert code in CATALOGUE, f"{code} is not in the catalogue"
    wanted = {"sheet": sheet, "cell": cell, "line": line, "unit": unit,
              "criterion": criterion}
    same_code = [i for i in outcome.issues if i["code"] == code and i["file"] == file]
    found = [i for i in same_code
             if all(v is ANY or i[k] == v for k, v in wanted.items())]
    assert found, (f"expected {code} in {file} with "
                   f"{ {k: v for k, v in wanted.items() if v is not ANY} }; got:\n"
                   + outcome.show())
    issue = found[0]
    assert issue["severity"] == CATALOGUE[code][0].value
    assert issue["message"], issue
    text = outcome.text.stdout
    assert f"({code})" in text, text
    assert location(issue) in text, (location(issue), text)
    return issue


def expect_exit(outcome: Outcome) -> None:
    """Exit 1 exactly when there are errors."""
    assert outcome.exit_code == (1 if outcome.errors() else 0), outcome.show()


@pytest.fixture(autouse=True)
def short_rust_panics(monkeypatch):
    """A panic in the spreadsheet parser prints one line, not a 150-frame backtrace."""
    monkeypatch.setenv("RUST_BACKTRACE", "0")


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    sandbox = Sandbox(tmp_path / "ws")
    sandbox.complete()
    return sandbox


# ======================================================================================
# One issue per item: the table
# ======================================================================================


@dataclass(frozen=True)
class Case:
    make: Callable[[Sandbox], Path]
    code: str
    file: str | None = None  # default: the built file
    sheet: Any = ANY
    cell: Any = ANY
    line: Any = ANY
    unit: Any = ANY
    criterion: Any = ANY
    exit: int = 1
    # Every error must be in the hostile file itself (it was added next to a valid year).
    isolated: bool = False
    extra: dict = field(default_factory=dict)


NOT_A_FILE = {"sheet": None, "cell": None, "unit": None, "criterion": None, "isolated": True}

CASES = [
    # --- files that are not spreadsheets ---------------------------------------------
    pytest.param(Case(c.make_empty, "tep-rong", **NOT_A_FILE), id="empty-0-bytes"),
    pytest.param(Case(c.make_whitespace, "khong-phai-bang-tinh", **NOT_A_FILE),
                 id="whitespace-only"),
    pytest.param(Case(c.make_random_bytes, "khong-phai-bang-tinh", **NOT_A_FILE),
                 id="random-bytes"),
    pytest.param(Case(c.make_truncated_zip, "tep-hong", **NOT_A_FILE), id="truncated-zip"),
    pytest.param(Case(c.make_truncated_xls, "tep-hong", **NOT_A_FILE), id="truncated-xls"),
    pytest.param(Case(c.make_zip_without_workbook, "khong-phai-bang-tinh", **NOT_A_FILE),
                 id="zip-without-workbook"),
    pytest.param(Case(c.make_docx_renamed, "khong-phai-bang-tinh", **NOT_A_FILE),
                 id="docx-renamed-xlsx"),
    pytest.param(Case(c.make_pdf_renamed, "khong-phai-bang-tinh", **NOT_A_FILE),
                 id="pdf-renamed-xlsx"),
    pytest.param(Case(c.make_html_as_xls, "khong-phai-bang-tinh", **NOT_A_FILE),
                 id="html-table-named-xls"),
    pytest.param(Case(c.make_csv_renamed, "khong-phai-bang-tinh", **NOT_A_FILE),
                 id="csv-renamed-xlsx"),
    pytest.param(Case(c.make_too_large, "tep-qua-lon", **NOT_A_FILE), id="over-50-mib"),
    pytest.param(Case(c.make_lzma_member, "tep-hong", **NOT_A_FILE),
                 id="zip-member-unsupported-compression"),
    pytest.param(Case(c.make_malformed_cfb, "tep-hong", **NOT_A_FILE),
                 id="xls-malformed-compound-file"),
    # --- passwords and extensions ----------------------------------------------------
    pytest.param(Case(c.make_encrypted, "tep-co-mat-khau", **NOT_A_FILE),
                 id="password-protected"),
    pytest.param(Case(c.make_encrypted_large, "tep-co-mat-khau", **NOT_A_FILE),
                 id="password-protected-directory-after-64k"),
    pytest.param(Case(c.make_encrypted_register, "tep-co-mat-khau", sheet=None, cell=None),
                 id="register-password-protected"),
    pytest.param(Case(c.make_xlsx_named_xls, "phan-mo-rong-sai", sheet=None, exit=0),
                 id="xlsx-renamed-xls"),
    pytest.param(Case(c.make_xlsx_named_ods, "phan-mo-rong-sai", sheet=None, exit=0),
                 id="xlsx-renamed-ods"),
    pytest.param(Case(c.make_xls_named_xlsx, "phan-mo-rong-sai", sheet=None, exit=0),
                 id="real-xls-renamed-xlsx"),
    # --- workbooks that are not (quite) forms ----------------------------------------
    pytest.param(Case(c.make_unrecognised, "tep-khong-nhan-dang", sheet=None, exit=0),
                 id="no-known-sheet-no-meta"),
    pytest.param(Case(c.make_header_missing, "thieu-cot", sheet=SELF, unit="STP"),
                 id="header-row-missing"),
    pytest.param(Case(c.make_blank_sheet, "thieu-cot", sheet=SELF, unit="STP"),
                 id="sheet-emptied"),
    pytest.param(Case(c.make_duplicate_header, "cot-trung", sheet=SELF, cell="K6"),
                 id="header-duplicated-nfd-capitals"),
    pytest.param(Case(c.make_kind_lies, "thieu-cot", sheet=SELF), id="meta-kind-lies"),
    # --- every value type in an input cell -------------------------------------------
    pytest.param(Case(c.make_date, "khong-phai-so", sheet=SELF, cell="G9", unit="STP",
                      criterion="1.2"), id="date-in-score"),
    pytest.param(Case(c.make_boolean, "khong-phai-so", sheet=SELF, cell="G9", unit="STP",
                      criterion="1.2"), id="boolean-in-score"),
    pytest.param(Case(c.make_error_ref, "khong-phai-so", sheet=SELF, cell="G9", unit="STP",
                      criterion="1.2", extra={"in_message": "#REF!"}),
                 id="error-ref-in-score"),
    pytest.param(Case(c.make_error_div0, "khong-phai-so", sheet=SELF, cell="E10",
                      unit="STP", criterion="1.10", extra={"in_message": "#DIV/0!"}),
                 id="error-div0-in-data"),
    pytest.param(Case(c.make_error_in_penalty, "khong-phai-so", sheet=SELF, cell="G14",
                      unit="STP", criterion="2.3", extra={"in_message": "#N/A"}),
                 id="error-na-in-optional-penalty"),
    pytest.param(Case(c.make_long_text_choice, "lua-chon-la", sheet=SELF, cell="F8",
                      unit="STP", criterion="1.1", extra={"max_message": 600}),
                 id="40000-chars-in-choice"),
    pytest.param(Case(c.make_long_text_score, "khong-phai-so", sheet=SELF, cell="G9",
                      unit="STP", criterion="1.2", extra={"max_message": 600}),
                 id="40000-digits-in-score"),
    pytest.param(Case(c.make_emoji_choice, "lua-chon-la", sheet=SELF, cell="F8", unit="STP",
                      criterion="1.1", extra={"in_message": "🎉"}), id="emoji-in-choice"),
    pytest.param(Case(c.make_nan_text, "khong-phai-so", sheet=SELF, cell="G9", unit="STP",
                      criterion="1.2"), id="nan-text"),
    pytest.param(Case(c.make_inf_text, "khong-phai-so", sheet=SELF, cell="E10", unit="STP",
                      criterion="1.10"), id="inf-text"),
    pytest.param(Case(c.make_minus_inf_text, "khong-phai-so", sheet=SELF, cell="G9",
                      unit="STP", criterion="1.2"), id="minus-inf-text"),
    pytest.param(Case(c.make_negative_data, "gia-tri-am", sheet=SELF, cell="E12",
                      unit="STP", criterion="2.1"), id="negative-data"),
    pytest.param(Case(c.make_over_max_text, "tu-cham-vuot-toi-da", sheet=SELF, cell="G9",
                      unit="STP", criterion="1.2"), id="over-max-as-text-decimal-comma"),
    pytest.param(Case(c.make_huge_float, "khong-phai-so", sheet=SELF, cell="G9",
                      unit="STP", criterion="1.2"), id="1e308"),
    pytest.param(Case(c.make_markup_choice, "lua-chon-la", sheet=SELF, cell="F8",
                      unit="STP", criterion="1.1",
                      extra={"in_text": "[/][bold]Ban hành[/bold]"}),
                 id="rich-markup-in-choice"),
    # --- rows --------------------------------------------------------------------------
    pytest.param(Case(c.make_duplicate_row, "tieu-chi-trung-dong", sheet=SELF, cell="A20",
                      unit="STP", criterion="1.2", extra={"in_message": "A9"}),
                 id="duplicate-row-code-as-number"),
    pytest.param(Case(c.make_missing_code, "thieu-tieu-chi", sheet=SELF, unit="STP",
                      criterion="1.10"), id="code-missing"),
    pytest.param(Case(c.make_extra_code, "ma-tieu-chi-la", sheet=SELF, cell="A20",
                      unit="STP", criterion="4.1"), id="code-extra"),
    pytest.param(Case(c.make_code_110_as_number, "tieu-chi-trung-dong", sheet=SELF,
                      cell="A10", unit="STP", criterion="1.1", extra={"also": [
                          ("thieu-tieu-chi", "1.10")]}),
                 id="code-1.10-typed-as-number"),
    pytest.param(Case(c.make_max_changed, "diem-toi-da-bi-sua", sheet=SELF, cell="C9",
                      unit="STP", criterion="1.2"), id="max-changed"),
    pytest.param(Case(c.make_max_cleared, "diem-toi-da-bi-sua", sheet=SELF, cell="C10",
                      unit="STP", criterion="1.10", extra={"in_message": "(trống)"}),
                 id="max-cleared"),
    pytest.param(Case(c.make_max_as_words, "diem-toi-da-bi-sua", sheet=SELF, cell="C9",
                      unit="STP", criterion="1.2", extra={"in_message": "ba điểm"}),
                 id="max-in-words"),
    # --- identity ------------------------------------------------------------------------
    pytest.param(Case(c.make_other_year, "bieu-mau-sai-nam", sheet="_cchc"),
                 id="form-of-another-year"),
    pytest.param(Case(c.make_other_block, "bieu-mau-sai-khoi", sheet=SELF, unit="STP"),
                 id="form-of-another-block"),
    pytest.param(Case(c.make_unknown_unit, "don-vi-khong-co-trong-danh-sach", sheet=SELF,
                      unit="SXX"), id="form-of-unknown-unit"),
    pytest.param(Case(c.make_other_unit, "bieu-mau-trung-don-vi", sheet=SELF, unit="SNV"),
                 id="form-claims-another-unit"),
    pytest.param(Case(c.make_old_fingerprint, "phien-ban-tieu-chi-khac", sheet=SELF,
                      unit="STP", exit=0), id="older-criteria-fingerprint"),
    # Forms are read in name order: the second one read (tu-danh-gia-STP.xlsx) is named.
    pytest.param(Case(c.make_two_forms, "bieu-mau-trung-don-vi", file=c.STP_FORM,
                      sheet=SELF, unit="STP", extra={"in_message": "STP-ban-sua-lan-2.xlsx"}),
                 id="two-forms-for-one-unit"),
    # --- appraisal and survey ------------------------------------------------------------
    pytest.param(Case(c.make_appraisal_unknown_unit, "ma-don-vi-la", sheet="Thẩm định",
                      cell="A7", unit="SXX"), id="appraisal-unknown-unit"),
    pytest.param(Case(c.make_appraisal_unknown_leaf, "tham-dinh-tieu-chi-la",
                      sheet="Thẩm định", cell="C6", unit="STP", criterion="1.99"),
                 id="appraisal-unknown-leaf"),
    pytest.param(Case(c.make_appraisal_conflict_files, "tham-dinh-mau-thuan",
                      sheet="Thẩm định", cell="M6", unit="STP", criterion="1.2",
                      extra={"in_message": "a-snv.xlsx, Thẩm định!M6"}),
                 id="appraisal-conflict-two-files"),
    pytest.param(Case(c.make_appraisal_conflict_rows, "tham-dinh-mau-thuan",
                      sheet="Thẩm định", cell="M7", unit="STP", criterion="1.2",
                      extra={"in_message": "Thẩm định!M6"}),
                 id="appraisal-conflict-one-file"),
    pytest.param(Case(c.make_appraisal_bad_round, "vong-tham-dinh-khong-hop-le",
                      sheet="Thẩm định"), id="appraisal-round-in-words"),
    pytest.param(Case(c.make_survey_fraction, "khao-sat-co-the-la-ty-le", sheet="Khảo sát",
                      cell="D8", unit="STC", criterion="3.2", exit=0),
                 id="survey-fraction"),
    pytest.param(Case(c.make_survey_above_100, "khao-sat-ngoai-khoang", sheet="Khảo sát",
                      cell="C7", unit="SNV", criterion="3.1"), id="survey-above-100"),
    pytest.param(Case(c.make_survey_negative, "khao-sat-ngoai-khoang", sheet="Khảo sát",
                      cell="C7", unit="SNV", criterion="3.1"), id="survey-negative"),
    pytest.param(Case(c.make_survey_nan, "khong-phai-so", sheet="Khảo sát", cell="C6",
                      unit="STP", criterion="3.1"), id="survey-nan-text"),
    # --- the unit register ---------------------------------------------------------------
    pytest.param(Case(c.make_register_empty, "tep-rong", sheet=None, cell=None),
                 id="register-empty"),
    pytest.param(Case(c.make_register_no_sheet, "khong-co-trang", sheet="Đơn vị"),
                 id="register-without-sheet-or-headers"),
    pytest.param(Case(c.make_register_duplicate_header, "cot-trung", sheet="Đơn vị",
                      cell="G4"), id="register-duplicate-header"),
    # A formula without a computed value is reported as such (SPEC §13.2), not as empty.
    pytest.param(Case(c.make_register_formula_name, "cong-thuc-chua-tinh", sheet="Đơn vị",
                      cell="B6", unit="SNV"), id="register-name-is-uncached-formula"),
]


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_gives_the_right_issue(box, cli, case: Case):
    path = case.make(box)
    outcome = validate(cli, box, [path])
    file = case.file or c.rel(box, path)
    found = expect(outcome, case.code, file=file, sheet=case.sheet, cell=case.cell,
                   line=case.line, unit=case.unit, criterion=case.criterion)
    assert outcome.exit_code == case.exit, outcome.show()
    expect_exit(outcome)
    if case.isolated:
        assert {i["file"] for i in outcome.errors()} == {file}, outcome.show()
    if "in_message" in case.extra:
        assert case.extra["in_message"] in found["message"], found["message"]
    if "max_message" in case.extra:
        assert len(found["message"]) <= case.extra["max_message"], len(found["message"])
    if "in_text" in case.extra:
        assert case.extra["in_text"] in outcome.text.stdout, outcome.text.stdout
    for code, criterion in case.extra.get("also", []):
        expect(outcome, code, file=file, criterion=criterion)


# ======================================================================================
# Hostile but valid: read, and read right
# ======================================================================================

ACCEPTED = [
    pytest.param(c.make_nfd_choice, "1.1", "Ban hành chậm", id="nfd-choice-label"),
    pytest.param(c.make_thousands, "1.10", 1234.5, id="thousands-1.234,5"),
    pytest.param(c.make_decimal_comma_1234, "1.10", 1.234, id="decimal-comma-1,234"),
    pytest.param(c.make_decimal_comma, "1.2", 1.5, id="decimal-comma-1,5"),
    pytest.param(c.make_decimal_point, "1.2", 1.5, id="decimal-point-1.5"),
    pytest.param(c.make_negative_zero, "1.2", 0, id="negative-zero"),
    pytest.param(c.make_percent_nbsp, "1.10", 91.5, id="percent-and-nbsp"),
    pytest.param(c.make_code_as_number, "1.1", "Ban hành đúng thời hạn",
                 id="code-1.1-typed-as-number"),
]


@pytest.mark.parametrize(("make", "leaf", "value"), ACCEPTED)
def test_unusual_but_valid_values_are_read_exactly(box, cli, make, leaf, value):
    path = make(box)
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    stp = [i for i in outcome.issues if i["file"] == c.STP_FORM and i["code"] != "chua-tham-dinh"]
    assert stp == [], outcome.show()
    scored = run_cli(cli, [path], "score", "-w", box.root, "--year", "2023", "--format", "json")
    assert scored.exit_code == 0, scored.stdout
    unit = next(u for b in json.loads(scored.stdout)["blocks"] for u in b["units"]
                if u["code"] == "STP")
    leaves = {entry["code"]: entry for entry in unit["leaves"]}
    assert leaves[leaf]["input"] == value
    if make is c.make_negative_zero:
        assert leaves["2.3"]["input"] == 0


@pytest.mark.parametrize("vertical", [False, True], ids=["group-merged", "all-merged"])
def test_header_split_over_two_rows_is_read(box, cli, vertical):
    """'Không áp dụng' merged over '(tự đánh giá)' and '(thẩm định)' in an appraisal."""
    path = c.make_split_header_vertical(box) if vertical else c.make_split_header(box)
    outcome = validate(cli, box, [path])
    assert outcome.exit_code == 0, outcome.show()
    assert not [i for i in outcome.issues if i["file"] == c.rel(box, path)], outcome.show()
    # The row was read: 2.1 of STP is appraised (N/A), three leaves remain self-assessed.
    pending = next(i for i in outcome.of("chua-tham-dinh") if i["unit"] == "STP")
    assert pending["message"].startswith("3 tiêu chí"), pending["message"]
    assert "2.1" not in pending["message"]


# ======================================================================================
# XML external entities: never resolved
# ======================================================================================


def test_xxe_in_shared_strings_is_not_resolved(box, cli):
    path = c.make_xxe_shared_strings(box)
    outcome = validate(cli, box, [path])
    passwd = Path("/etc/passwd")
    lines = [line for line in passwd.read_text(errors="replace").splitlines()[:5]
             if len(line) > 8] if passwd.exists() else []
    for result in (outcome.text, outcome.json):
        for line in lines:
            assert line not in result.stdout and line not in result.stderr
    mine = [i for i in outcome.errors() if i["file"] == c.STP_FORM]
    assert mine, outcome.show()  # refused, or the unexpanded entity is not a valid choice
    assert outcome.exit_code == 1


def test_xxe_in_sheet_xml_is_not_resolved(box, cli, tmp_path):
    secret = tmp_path / "bi-mat.txt"
    secret.write_text(c.SECRET + "\n", encoding="utf-8")
    path = c.make_xxe_sheet(box, secret)
    outcome = validate(cli, box, [path, secret])  # FORBIDDEN includes c.SECRET
    mine = [i for i in outcome.errors() if i["file"] == c.STP_FORM]
    assert mine, outcome.show()
    assert outcome.exit_code == 1


# ======================================================================================
# Resource bombs: in a subprocess, with a memory limit and a watchdog
# ======================================================================================

MEMORY_BUDGET = 1 * GIB  # SPEC §12: peak memory ≤ 1 GB
ADDRESS_LIMIT = 3 * GIB  # a runaway allocation fails here instead of hurting the machine
WALL_LIMIT = 20.0  # seconds; a clean refusal takes about one


@dataclass
class Child:
    exit_code: int | None  # None: killed by the watchdog
    stdout: str
    stderr: str
    peak_rss: int  # bytes
    seconds: float


VALIDATE_JSON = ("validate", "--year", "2023", "--format", "json", "--jobs", "1")


def run_child(box: Sandbox, watched: list[Path], args: tuple = VALIDATE_JSON) -> Child:
    """``python -m cchc_cli ARGS -w ROOT`` in a child process with an address-space
    limit and a watchdog. Its peak memory comes from its own rusage (os.wait4), so that
    other children of the test process do not count."""
    out, err = box.root.parent / "stdout.txt", box.root.parent / "stderr.txt"
    before = {p: sha256(p) for p in watched}

    def limit() -> None:  # runs in the child before exec
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_LIMIT, ADDRESS_LIMIT))

    env = dict(os.environ, COLUMNS="200", RUST_BACKTRACE="0")
    start = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "cchc_cli", *args, "-w", str(box.root)],
            stdout=stdout, stderr=stderr, preexec_fn=limit, env=env)
        killed = threading.Event()

        def watchdog() -> None:
            if not finished.wait(WALL_LIMIT):
                killed.set()
                os.kill(child.pid, signal.SIGKILL)

        finished = threading.Event()
        threading.Thread(target=watchdog, daemon=True).start()
        _, status, usage = os.wait4(child.pid, 0)
        finished.set()
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    after = {p: sha256(p) for p in watched}
    assert after == before, "cchc changed an input file"
    return Child(None if killed.is_set() else child.returncode,
                 out.read_text(errors="replace"), err.read_text(errors="replace"),
                 usage.ru_maxrss * 1024, seconds)


def check_child(child: Child) -> str:
    summary = (f"exit={child.exit_code} peak={child.peak_rss / 2**20:.0f} MiB"
               f" time={child.seconds:.1f} s\nstderr: {child.stderr[-1500:]}")
    assert child.exit_code is not None, f"still running after {WALL_LIMIT} s; {summary}"
    assert child.peak_rss < MEMORY_BUDGET, summary
    for needle in FORBIDDEN:
        assert needle not in child.stdout and needle not in child.stderr, summary
    return summary


BOMBS = [
    pytest.param(c.make_zip_bomb, {"tep-qua-lon"}, id="zip-bomb-65mb-sheet"),
    pytest.param(c.make_zip_bomb_lying, {"tep-qua-lon"}, id="zip-bomb-size-lies"),
    # Refused by cchc's bound or by the zip reader's own check of the declared size.
    pytest.param(c.make_zip_bomb_lying_elsewhere, {"tep-qua-lon", "tep-hong"},
                 id="zip-bomb-size-lies-outside-xl-worksheets"),
    pytest.param(c.make_cell_count_bomb, {"tep-qua-lon-o"}, id="5-million-cells"),
    pytest.param(c.make_far_cell, {"tep-qua-lon-o"}, id="cell-at-XFD1048576"),
    pytest.param(c.make_far_cell_single_quotes, {"tep-qua-lon-o"},
                 id="cell-at-XFD1048576-single-quoted"),
    pytest.param(c.make_far_cell_tab, {"tep-qua-lon-o"}, id="cell-at-XFD1048576-tab"),
    pytest.param(c.make_far_cell_lowercase, {"tep-qua-lon-o"},
                 id="cell-at-XFD1048576-lower-case"),
    pytest.param(c.make_far_row_eight_digits, {"tep-qua-lon-o"},
                 id="cell-at-A99999999"),
    pytest.param(c.make_far_cell_elsewhere, {"tep-qua-lon-o"},
                 id="far-cell-outside-xl-worksheets"),
    pytest.param(c.make_row_without_cell_refs, {"tep-qua-lon-o"},
                 id="last-row-cells-without-refs"),
    pytest.param(c.make_xml_entity_bomb, {"tep-hong"}, id="xml-billion-laughs"),
    pytest.param(c.make_ods_repeat_bomb, {"tep-qua-lon-o"}, id="ods-repeated-cells"),
    # Refused by its size, or by the reader's memory ceiling first, depending on the machine.
    pytest.param(c.make_xls_far_cell, {"tep-qua-lon-o", "tep-vuot-gioi-han-doc"},
                 id="xls-cell-at-IV65536"),
    pytest.param(c.make_cfb_directory_loop, {"tep-hong", "tep-vuot-gioi-han-doc"},
                 id="xls-directory-loop"),
    pytest.param(c.make_unclosed_cells, {"tep-hong"}, id="xlsx-100k-unclosed-tags"),
    pytest.param(c.make_ods_unclosed_rows, {"tep-hong"}, id="ods-40k-unclosed-rows"),
    pytest.param(c.make_appraisal_huge_round, {"vong-tham-dinh-khong-hop-le"},
                 id="appraisal-round-1e999999999"),
    # Not a regular file: 'cannot read' is the natural answer, 'too large' acceptable.
    pytest.param(c.make_register_endless, {"khong-doc-duoc-tep", "tep-qua-lon"},
                 id="register-is-dev-zero"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("make", "codes"), BOMBS)
def test_resource_bombs_are_refused_cheaply(box, make, codes):
    path = make(box)
    file = c.rel(box, path)
    # A symbolic link to /dev/zero has no bytes to compare: watch real files only.
    child = run_child(box, [] if path.is_symlink() else [path])
    summary = check_child(child)
    assert child.exit_code == 1, summary
    issues = json.loads(child.stdout)["issues"]
    mine = [i for i in issues if i["file"] == file and i["code"] in codes]
    assert mine, (codes, [(i["code"], i["file"]) for i in issues], summary)
    assert mine[0]["severity"] == "error"


@pytest.mark.slow
def test_endless_settings_file_cannot_run(box):
    """cchc.yaml is a symbolic link to /dev/zero: exit 3 (cannot run), memory bounded."""
    path = c.make_settings_endless(box)
    child = run_child(box, [], ("validate", "--year", "2023"))
    summary = check_child(child)
    assert child.exit_code == 3, summary
    assert "cchc.yaml" in child.stderr, summary
    assert path.is_symlink()


@pytest.mark.slow
def test_template_zip_bomb_is_refused_cheaply(box):
    template = c.make_template_bomb(box)
    child = run_child(box, [template], ("report", "--year", "2023"))
    summary = check_child(child)
    assert child.exit_code == 1, summary
    assert "mau-van-ban-hong" in child.stderr and "templates/bao-cao.docx" in child.stderr
    assert not (box.root / "results/2023/bao-cao-2023.docx").exists()


# ======================================================================================
# YAML: criteria files and cchc.yaml
# ======================================================================================

CRIT = c.CRITERIA_FILE


def yaml_case(text: str | bytes, code: str, line: int | None, *, file: str = CRIT,
              settings: bool = False):
    return (text, code, line, file, settings)


YAML_CASES = [
    pytest.param(*yaml_case(c.CRITERIA_TAB, "yaml-tab",
                            c.line_of(c.CRITERIA_TAB, "\tmax: 3")), id="tabs"),
    pytest.param(*yaml_case(c.CRITERIA_ANCHOR, "yaml-neo",
                            c.line_of(c.CRITERIA_ANCHOR, "&ba")), id="anchor-alias"),
    pytest.param(*yaml_case(c.CRITERIA_DUPLICATE_KEY, "yaml-khoa-trung",
                            c.line_of(c.CRITERIA_DUPLICATE_KEY, "id: ban-sao")),
                 id="duplicate-key"),
    pytest.param(*yaml_case(c.CRITERIA_UNKNOWN_KEY, "khoa-la",
                            c.line_of(c.CRITERIA_UNKNOWN_KEY, "maxx:")), id="unknown-key"),
    pytest.param(*yaml_case(c.CRITERIA_TWO_DOCUMENTS, "yaml-nhieu-tai-lieu",
                            c.line_of(c.CRITERIA_TWO_DOCUMENTS, "---")),
                 id="two-documents"),
    pytest.param(*yaml_case(c.cp1258_criteria(), "yaml-khong-phai-utf8",
                            c.line_of(FORM_CRITERIA, "title:")), id="windows-1258-bytes"),
    pytest.param(*yaml_case(c.utf16_criteria(), "yaml-khong-phai-utf8", 1),
                 id="utf-16-with-bom"),
    pytest.param(*yaml_case(c.CRITERIA_HUGE_MAX, "gia-tri-khong-hop-le",
                            c.line_of(c.CRITERIA_HUGE_MAX, "1e999999999")),
                 id="max-1e999999999"),
    pytest.param(*yaml_case(c.CRITERIA_HUGE_SCALE, "gia-tri-khong-hop-le",
                            c.line_of(c.CRITERIA_HUGE_SCALE, "1e999999999")),
                 id="scale-1e999999999"),
    # 200 levels (250 kB) passes the size limit and meets the depth limit; 1500 levels
    # (13.6 MB) is refused for its size before it is parsed.
    pytest.param(*yaml_case(c.deep_criteria(200), "yaml-qua-sau", ANY),
                 id="nested-200-levels"),
    pytest.param(*yaml_case(c.deep_criteria(1500), "tep-qua-lon", None),
                 id="nested-1500-levels"),
    pytest.param(*yaml_case(c.SETTINGS_UNKNOWN_KEY, "khoa-la", 2, file="cchc.yaml",
                            settings=True), id="settings-unknown-key"),
]


@pytest.mark.parametrize(("text", "code", "line", "file", "settings"), YAML_CASES)
def test_hostile_yaml_gives_the_right_issue(box, cli, text, code, line, file, settings):
    path = c.write_settings(box, text) if settings else c.write_criteria(box, text)
    outcome = validate(cli, box, [path])
    expect(outcome, code, file=file, line=line, sheet=None, cell=None)
    assert outcome.exit_code == 1
    expect_exit(outcome)


def test_billion_laughs_yaml_is_refused_quickly(box, cli):
    text = c.billion_laughs()
    path = c.write_criteria(box, text)
    start = time.perf_counter()
    outcome = validate(cli, box, [path])
    assert time.perf_counter() - start < 3.0
    expect(outcome, "yaml-neo", file=CRIT, line=c.line_of(text, "lol0:"))
    assert outcome.exit_code == 1


def test_python_tags_in_criteria_never_execute(box, cli, tmp_path):
    marker = tmp_path / "da-chay-lenh"
    path = c.write_criteria(box, c.os_system_criteria(marker))
    outcome = validate(cli, box, [path])
    assert not marker.exists()
    expect(outcome, "yaml-the", file=CRIT, line=c.line_of(FORM_CRITERIA, "title:"))
    assert outcome.exit_code == 1


def test_python_tags_in_settings_never_execute(box, cli, tmp_path):
    marker = tmp_path / "da-chay-lenh"
    path = c.write_settings(box, c.os_system_settings(marker))
    outcome = validate(cli, box, [path])
    assert not marker.exists()
    expect(outcome, "yaml-the", file="cchc.yaml", line=1)
    expect(outcome, "yaml-the", file="cchc.yaml", line=2)
    assert outcome.exit_code == 1


def test_unquoted_codes_warn_and_stay_distinct(box, cli):
    path = c.write_criteria(box, c.CRITERIA_UNQUOTED)
    outcome = validate(cli, box, [path])
    found = expect(outcome, "ma-nen-dat-trong-ngoac", file=CRIT,
                   line=c.line_of(c.CRITERIA_UNQUOTED, "code: 1.10"), criterion="1.10")
    assert "1.10" in found["message"]
    # 1.1 and 1.10 are two leaves: every form still validates.
    assert outcome.exit_code == 0, outcome.show()
    assert not outcome.of("thieu-tieu-chi") and not outcome.of("ma-tieu-chi-la")


def test_settings_with_anchors_cannot_run(box, cli):
    path = c.write_settings(box, c.SETTINGS_ANCHOR)
    args = ("validate", "-w", box.root, "--year", "2023")
    result = run_cli(cli, [path], *args)
    assert result.exit_code == 3
    assert "cchc.yaml:1" in result.stderr and "(&, *)" in result.stderr


# ======================================================================================
# Text that a spreadsheet or a terminal would interpret
# ======================================================================================


def test_formula_like_unit_names_are_written_as_text(box, cli):
    """Names and heads beginning with =, +, -, @ stay strings in the results workbooks."""
    register = c.make_register_formula_like_names(box)
    watched = [register, *sorted((box.root / c.SELF_DIR).glob("*.xlsx"))]
    assert validate(cli, box, watched).exit_code == 0
    names = set(c.FORMULA_NAMES.values())
    heads = {f"={code}!A1" for code in c.FORMULA_NAMES}
    for command, name in (("score", "cham-diem-2023.xlsx"), ("rank", "xep-hang-2023.xlsx")):
        result = run_cli(cli, watched, command, "-w", box.root, "--year", "2023")
        assert result.exit_code == 0, result.stdout
        workbook = openpyxl.load_workbook(box.root / "results/2023" / name)
        seen = set()
        for ws in workbook.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value in names | heads:
                        assert cell.data_type == "s", (name, ws.title, cell.coordinate)
                        seen.add(cell.value)
        # Every name is there as text (a name written as a formula would not be).
        assert names <= seen, (name, names - seen)


def test_formula_like_code_in_a_form_is_text_in_the_issues_workbook(box, cli):
    path = c.make_formula_like_code(box)
    outcome = validate(cli, box, [path])
    expect(outcome, "ma-tieu-chi-la", file=c.STP_FORM, sheet=SELF, cell="A20",
           criterion='=HYPERLINK("http://x","y")')
    result = run_cli(cli, [path], "score", "-w", box.root, "--year", "2023")
    assert result.exit_code == 1
    workbook = openpyxl.load_workbook(box.root / "results/2023/van-de-2023.xlsx")
    cells = [cell for ws in workbook.worksheets for row in ws.iter_rows() for cell in row
             if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_workspace_path_with_markup_is_printed_verbatim(tmp_path, cli):
    """A folder name with '[/b]' in it (rich markup) when cchc.yaml is missing."""
    root = tmp_path / "ho-so[" / "b]"
    root.mkdir(parents=True)
    result = run_cli(cli, [], "validate", "-w", root, "--year", "2023")
    assert result.exit_code == 3
    assert "Không tìm thấy cchc.yaml" in result.stderr


def test_results_path_with_markup_is_printed_verbatim(tmp_path, cli):
    """A complete workspace inside a folder whose path contains '[/b]'."""
    box = Sandbox(tmp_path / "ho-so[" / "b]" / "ws")
    box.complete()
    result = run_cli(cli, [box.root / c.STP_FORM], "score", "-w", box.root, "--year", "2023")
    assert result.exit_code == 0
    assert "cham-diem-2023.xlsx" in result.stdout


# ======================================================================================
# Document templates that try to leave the Jinja sandbox
# ======================================================================================

TEMPLATES = [
    pytest.param("{{ lipsum.__globals__ }}", id="lipsum-globals"),
    pytest.param("{% for k in [].__class__.__base__.__subclasses__() %}{{ k }}{% endfor %}",
                 id="subclasses-loop"),
    pytest.param("{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", id="attr-escaped-underscores"),
    pytest.param("{{ '{0.__class__.__mro__}'.format(year) }}", id="str-format-traversal"),
]


@pytest.mark.parametrize("content", TEMPLATES)
def test_template_escaping_the_sandbox_is_refused(box, cli, content):
    template = c.make_template(box, content)
    result = run_cli(cli, [template], "report", "-w", box.root, "--year", "2023")
    assert result.exit_code == 1
    assert "mau-van-ban-khong-an-toan" in result.stderr, result.stderr
    assert "templates/bao-cao.docx" in result.stderr
    for name in ("bao-cao-2023.docx", "quyet-dinh-2023.docx"):
        assert not (box.root / "results/2023" / name).exists()
