"""``cchc status`` (SPEC §13.3): a hand-built year where every count is known.

The sandbox's criteria (tests/builders.py): 1.1, 1.2, 1.10 are appraised by snv (the
default appraiser); 2.1, 2.2, 2.3 by vp (area 2 says so); 3.1 and 3.2 are survey leaves.
Units STP, SNV, STC; the register marks 2.1 not applicable for STC. So:

- snv is assigned 3 units × 3 leaves = 9 pairs;
- vp is assigned 3 units × 3 leaves − (STC, 2.1) = 8 pairs;
- stp and stc (Sở Tư pháp, Sở Tài chính as appraisers) have no leaf: no entry.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from cchc_cli import api
from cchc_cli.formspec import Entered
from cchc_cli.readers.register import Unit
from cchc_cli.settings import load_settings
from tests.builders import GOOD, Sandbox

DEADLINES = "deadlines: {self: 2023-11-10, appraisal: 2023-11-25, appraisal_2: 2023-12-15}\n"
SNV_FILE = "data/2023/tham-dinh/tham-dinh-snv-vong-1.xlsx"

# snv's round-1 file: 7 of its 9 pairs have a row (SNV 1.2 and STC 1.10 are missing).
SNV_ROWS = [
    ("STP", "1.1", GOOD["1.1"]),                                     # as the unit said
    ("STP", "1.2", Entered(score=Decimal("2.5"), comment="Thiếu minh chứng")),  # changed
    ("STP", "1.10", GOOD["1.10"]),                                   # as the unit said
    ("SNV", "1.1", Entered(choice="Ban hành chậm", comment="Chậm 5 ngày")),     # changed
    ("SNV", "1.10", Entered(data=Decimal("91.5"), comment="Đã đối chiếu")),     # comment
    ("STC", "1.1", Entered()),             # a row left empty: present, not appraised
    ("STC", "1.2", Entered(score=Decimal("2"))),  # STC sent nothing: differs from nothing
]


def build(root, *, deadlines: str = DEADLINES) -> Sandbox:
    box = Sandbox(root)
    box.write_register([Unit("STP", "Sở Tư pháp", "so-nganh"), Unit("SNV", "Sở Nội vụ", "so-nganh"),
                        Unit("STC", "Sở Tài chính", "so-nganh", not_applicable=("2.1",))])
    (box.root / "cchc.yaml").write_text("province: Tỉnh Thử\n" + deadlines, encoding="utf-8")
    box.self_form("STP")
    # SNV: 3.5 points on 1.2 (max 3) is an error (G9); 1.1 earns 1 point without
    # evidence, a warning (I8).
    box.self_form("SNV", {**GOOD, "1.2": Entered(score=Decimal("3.5"), evidence="BC 1"),
                          "1.1": Entered(choice="Ban hành đúng thời hạn")})
    box.survey_form()
    box.appraisal_form("snv", SNV_ROWS)
    return box


@pytest.fixture
def box(tmp_path) -> Sandbox:
    return build(tmp_path / "ws")


def status(cli, box: Sandbox, *args: str) -> dict:
    result = cli("status", "-w", box.root, "-y", "2023", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_is_exactly_the_contract(cli, box):
    found = status(cli, box, "--as-of", "2023-12-20")
    assert list(found) == ["year", "as_of", "units", "appraisers", "unmatched", "ignored"]
    assert found["year"] == 2023 and found["as_of"] == "2023-12-20"
    assert all(list(u) == ["code", "block", "self_form", "errors", "warnings", "overdue"]
               for u in found["units"])
    assert all(list(a) == ["code", "round", "file", "assigned", "rows", "changed", "overdue"]
               for a in found["appraisers"])


def test_units_received_errors_warnings_and_overdue(cli, box):
    units = status(cli, box, "--as-of", "2023-12-20")["units"]
    assert units == [
        {"code": "STP", "block": "so-nganh",
         "self_form": "data/2023/tu-danh-gia/tu-danh-gia-STP.xlsx",
         "errors": 0, "warnings": 0, "overdue": False},
        # tu-cham-vuot-toi-da (G9) and thieu-tai-lieu-kiem-chung (I8), both in its file;
        # 'chua-tham-dinh' (SNV 1.2 is not appraised) is a state, not a problem of it.
        {"code": "SNV", "block": "so-nganh",
         "self_form": "data/2023/tu-danh-gia/tu-danh-gia-SNV.xlsx",
         "errors": 1, "warnings": 1, "overdue": False},
        # Nothing received, and 2023-12-20 is after the self deadline 2023-11-10.
        {"code": "STC", "block": "so-nganh", "self_form": None,
         "errors": 0, "warnings": 0, "overdue": True},
    ]


def test_appraisers_assigned_present_changed_and_overdue(cli, box):
    entries = status(cli, box, "--as-of", "2023-12-20")["appraisers"]
    assert entries == [
        # 7 of 9 rows present; changed: STP 1.2 (2.75 → 2.5), SNV 1.1 (another option),
        # SNV 1.10 (same value, with a comment), STC 1.2 (no own value) = 4. Overdue:
        # after 2023-11-25 with 7 < 9 rows.
        {"code": "snv", "round": 1, "file": SNV_FILE, "assigned": 9, "rows": 7,
         "changed": 4, "overdue": True},
        # appraisal_2 is set: round 2 is expected from every appraiser with rows.
        {"code": "snv", "round": 2, "file": None, "assigned": 9, "rows": 0, "changed": 0,
         "overdue": True},
        # vp's round-1 file has not arrived: one entry all the same (SPEC §13.3).
        {"code": "vp", "round": 1, "file": None, "assigned": 8, "rows": 0, "changed": 0,
         "overdue": True},
        {"code": "vp", "round": 2, "file": None, "assigned": 8, "rows": 0, "changed": 0,
         "overdue": True},
    ]


def test_nothing_is_overdue_before_the_deadlines(cli, box):
    # 2023-11-10 is the self deadline itself: not yet after it.
    found = status(cli, box, "--as-of", "2023-11-10")
    assert not any(u["overdue"] for u in found["units"])
    assert not any(a["overdue"] for a in found["appraisers"])
    found = status(cli, box, "--as-of", "2023-11-11")
    assert [u["code"] for u in found["units"] if u["overdue"]] == ["STC"]
    assert not any(a["overdue"] for a in found["appraisers"])


def test_a_complete_file_is_not_overdue(cli, tmp_path):
    box = build(tmp_path / "ws")
    rows = [(u, c, GOOD[c]) for u in ("STP", "SNV", "STC") for c in ("1.1", "1.2", "1.10")]
    box.appraisal_form("snv", rows)
    entry = status(cli, box, "--as-of", "2023-12-01")["appraisers"][0]
    # All 9 rows present, each with the sandbox's own good values; changed: STC's three
    # (it sent no self-assessment) and SNV 1.2 (its own 3.5 against 2.75) = 4.
    assert (entry["rows"], entry["changed"], entry["overdue"]) == (9, 4, False)


def test_without_deadlines_nothing_is_overdue_and_only_round_one_is_expected(cli, tmp_path):
    box = build(tmp_path / "ws", deadlines="")
    found = status(cli, box, "--as-of", "2030-01-01")
    assert not any(u["overdue"] for u in found["units"])
    assert [(a["code"], a["round"]) for a in found["appraisers"]] == [("snv", 1), ("vp", 1)]


def test_a_second_round_file_is_its_own_entry(cli, box):
    box.appraisal_form("vp", [("STP", "2.1", Entered(data=Decimal("70"), comment="Sai số liệu"))],
                       round_no=2)
    entries = status(cli, box, "--as-of", "2023-12-20")["appraisers"]
    vp2 = next(a for a in entries if (a["code"], a["round"]) == ("vp", 2))
    assert vp2 == {"code": "vp", "round": 2, "file": "data/2023/tham-dinh/tham-dinh-vp-vong-2.xlsx",
                   "assigned": 8, "rows": 1, "changed": 1, "overdue": True}


def test_unmatched_forms_and_files_that_are_not_spreadsheets(cli, box):
    # A self-assessment without _cchc whose name names no unit, and a workbook that is no
    # form at all: neither matches a unit.
    box.self_form("STP", name="bieu-gui-lai.xlsx", with_meta=False)
    (box.data / "tu-danh-gia" / "ghi-chu.xlsx").write_bytes(
        (box.data / "don-vi.xlsx").read_bytes())
    (box.data / "tu-danh-gia" / "minh-chung-STP.pdf").write_bytes(b"%PDF-1.4\n")
    (box.data / "cong-van.docx").write_bytes(b"PK\x03\x04")
    (box.data / "tu-danh-gia" / "~$tu-danh-gia-STP.xlsx").write_bytes(b"lock")
    (box.data / ".DS_Store").write_bytes(b"x")
    found = status(cli, box, "--as-of", "2023-12-20")
    assert found["unmatched"] == ["data/2023/tu-danh-gia/bieu-gui-lai.xlsx",
                                  "data/2023/tu-danh-gia/ghi-chu.xlsx"]
    assert found["ignored"] == ["data/2023/cong-van.docx",
                                "data/2023/tu-danh-gia/minh-chung-STP.pdf"]


def test_a_refused_form_still_counts_as_received_with_its_errors(cli, box):
    # STC sends a form made for another year: it arrived (not overdue), and it is wrong.
    path = box.self_form("STC")
    from tests.test_form_validation import set_meta

    set_meta(path, "year", "2022")
    stc = status(cli, box, "--as-of", "2023-12-20")["units"][2]
    # A form of another year names no unit before it is refused: it matches nobody.
    assert stc["self_form"] is None
    box.self_form("STC")
    set_meta(path, "block", "huyen")  # another block's form, naming STC
    stc = status(cli, box, "--as-of", "2023-12-20")["units"][2]
    assert stc == {"code": "STC", "block": "so-nganh",
                   "self_form": "data/2023/tu-danh-gia/tu-danh-gia-STC.xlsx",
                   "errors": 1, "warnings": 0, "overdue": False}


def test_text_is_one_screen_in_vietnamese(cli, box):
    (box.data / "tu-danh-gia" / "minh-chung-STP.pdf").write_bytes(b"%PDF-1.4\n")
    result = cli("status", "-w", box.root, "-y", "2023", "--as-of", "2023-12-20")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "tính đến ngày 20/12/2023" in out
    assert "Chưa gửi (quá hạn):" in out and "STC Sở Tài chính" in out
    assert "SNV Sở Nội vụ — 1 lỗi, 1 cảnh báo" in out
    assert "tham-dinh-snv-vong-1.xlsx" in out and "chưa gửi" in out
    assert "25/11/2023 quá hạn" in out
    assert "minh-chung-STP.pdf" in out
    assert "1 đơn vị chưa gửi biểu tự đánh giá, 4 lượt thẩm định chưa đủ" in out


def test_api_equals_cli(cli, box):
    run = api.status(box.root, year=2023, as_of=dt.date(2023, 12, 20))
    assert run.to_dict() == status(cli, box, "--as-of", "2023-12-20")


def test_cannot_run_without_a_workspace_or_a_register(cli, tmp_path, box):
    result = cli("status", "-w", tmp_path / "khong-co", "-y", "2023")
    assert result.exit_code == 3
    (box.data / "don-vi.xlsx").unlink()
    result = cli("status", "-w", box.root, "-y", "2023")
    assert result.exit_code == 3
    assert "danh sách đơn vị" in result.stderr and "Traceback" not in result.output


def test_a_bad_date_is_a_usage_error(cli, box):
    result = cli("status", "-w", box.root, "-y", "2023", "--as-of", "20/12/2023")
    assert result.exit_code == 2
    assert "--as-of" in result.stderr


def test_problems_in_the_inputs_still_exit_zero(cli, box):
    # SNV's form has an error; status reports it and succeeds.
    result = cli("status", "-w", box.root, "-y", "2023")
    assert result.exit_code == 0


# --- deadlines in cchc.yaml ------------------------------------------------------------


def test_deadlines_are_iso_dates(tmp_path):
    path = tmp_path / "cchc.yaml"
    path.write_text(DEADLINES, encoding="utf-8")
    settings, issues = load_settings(path)
    assert issues == []
    assert settings.deadlines == {"self": dt.date(2023, 11, 10),
                                  "appraisal": dt.date(2023, 11, 25),
                                  "appraisal_2": dt.date(2023, 12, 15)}


def test_bad_deadlines_are_reported_with_their_lines(tmp_path):
    path = tmp_path / "cchc.yaml"
    path.write_text("deadlines:\n  self: 10/11/2023\n  apraisal: 2023-11-25\n"
                    "  appraisal_1: 2023-11-25\n", encoding="utf-8")
    _, issues = load_settings(path)
    found = sorted((i.code, i.line) for i in issues)
    assert found == [("gia-tri-khong-hop-le", 2), ("khoa-la", 3), ("khoa-la", 4)]
    messages = " ".join(i.message for i in issues)
    assert "YYYY-MM-DD" in messages and "có phải 'appraisal'?" in messages
