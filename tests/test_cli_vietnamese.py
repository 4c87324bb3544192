"""The command line speaks Vietnamese, defaults to the latest year, and ends a run with
a short summary of its issues by root cause."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from cchc_cli import api
from cchc_cli.errors import UsageError
from cchc_cli.formspec import Entered
from cchc_cli.readers.register import Unit
from tests.builders import FORM_CRITERIA, UNITS, Sandbox

ENGLISH = ("Usage:", "Error:", "Try '", "No such option", "No such command", "Missing ",
           "Invalid value", "Got unexpected", "requires an argument", "Did you mean",
           "Input should", "is not one of", "is a file", "Possible options", "[default:",
           "[required]", "<int", "<str>", "<dir>", "Show this message")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["score", "--foo"], "Không có tùy chọn --foo."),
        (["score", "--yaer", "2023"], "Không có tùy chọn --yaer. Có phải: --year?"),
        (["explain"], "Thiếu tham số 'MÃ_ĐƠN_VỊ'."),
        (["init", "x"], "Thiếu tùy chọn '--year' / '-y'."),
        (["score", "--year", "hai"], "Giá trị không hợp lệ cho '--year' / '-y': phải là số"
                                     " nguyên."),
        (["rank", "--format", "xml"], "'xml' không phải một trong các giá trị 'text',"
                                      " 'json'"),
        (["score", "-y", "2023", "thua"], "Thừa tham số: thua."),
        (["scor"], "Không có lệnh 'scor'. Có phải 'score'?"),
        (["score", "--year"], "Tùy chọn '--year' cần một giá trị."),
        (["rank", "-j", "0"], "phải lớn hơn hoặc bằng 1."),
        (["template", "-r", "0"], "phải lớn hơn hoặc bằng 1."),
    ],
)
def test_usage_errors_are_in_vietnamese(cli, args, says):
    result = cli(*args)
    assert result.exit_code == 2
    assert says in result.output
    assert "Lỗi: " in result.output
    for english in ENGLISH:
        assert english not in result.output, english


def test_usage_errors_show_the_usage_and_where_the_help_is(cli):
    result = cli("rank", "--foo")
    assert "Cách dùng: cchc rank [TÙY CHỌN]" in result.output
    assert "Xem hướng dẫn: cchc rank -h" in result.output


def test_every_command_help_is_vietnamese_and_ends_with_examples(cli):
    from cchc_cli.cli.app import app

    for command in app.registered_commands:
        result = cli(command.name, "--help")
        assert result.exit_code == 0, result.output
        for english in ENGLISH:
            assert english not in result.stdout, (command.name, english)
        lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        examples = lines.index("Ví dụ:")
        assert examples > lines.index("Tùy chọn:"), command.name  # after the options
        assert lines[examples + 1:], command.name
        assert all(line.startswith("cchc ") for line in lines[examples + 1:]), command.name


def test_as_of_says_what_it_really_does(cli):
    text = " ".join(cli("report", "--help").stdout.split())
    assert "ghi vào trang Nguồn" in text and "năm ở dòng ngày tháng" in text
    assert "giống hệt từng byte" in text


# --- the year ------------------------------------------------------------------------


@pytest.fixture
def two_years(tmp_path) -> Sandbox:
    root = tmp_path / "ws"
    for year in (2022, 2023):
        box = Sandbox(root, year=year,
                      criteria_text=FORM_CRITERIA.replace("year: 2023", f"year: {year}"))
        box.complete()
    return box


def test_result_commands_default_to_the_latest_year_and_say_so(two_years, cli):
    root = two_years.root
    for args in (["score"], ["rank"], ["report"], ["explain", "STP"]):
        result = cli(*args, "-w", root, "--format", "json")
        assert result.exit_code == 0, result.output
        assert "Năm đánh giá: 2023 (năm mới nhất trong không gian làm việc" in result.stderr
        assert json.loads(result.stdout)["year"] == 2023  # stdout stays one document
    template = cli("template", "-w", root, "--kind", "self")
    assert template.exit_code == 0, template.output
    assert "Năm đánh giá: 2023" in template.stderr
    assert (root / "forms/2023/tu-danh-gia/tu-danh-gia-STP.xlsx").exists()
    # An explicit year is taken as given, and nothing is said about it.
    older = cli("rank", "-w", root, "--year", "2022", "--format", "json")
    assert json.loads(older.stdout)["year"] == 2022 and "Năm đánh giá" not in older.stderr


def test_validate_without_a_year_still_checks_every_year(two_years, cli):
    result = cli("validate", "-w", two_years.root, "--format", "json")
    assert json.loads(result.stdout)["years"] == [2022, 2023]
    assert "Năm đánh giá" not in result.stderr


def test_a_workspace_without_any_year_asks_for_one(tmp_path, cli):
    (tmp_path / "cchc.yaml").write_text("province: Tỉnh Thử\n", encoding="utf-8")
    result = cli("rank", "-w", tmp_path)
    assert result.exit_code == 2
    assert "hãy chỉ năm bằng --year" in result.stderr


# --- unit codes ----------------------------------------------------------------------


def test_unit_codes_match_whatever_their_case(two_years, cli):
    result = cli("explain", "stp", "-w", two_years.root, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unit"]["code"] == "STP"


def test_unit_codes_that_do_not_match_or_match_twice_are_usage_errors():
    assert api.match_unit("h01", ["H01", "H02"], year=2023) == "H01"
    assert api.match_unit("H01", ["H01", "h01"], year=2023) == "H01"  # exact first
    # Only a register that already has an error for it holds two such codes.
    with pytest.raises(UsageError, match="ứng với nhiều đơn vị.*: Ab, AB"):
        api.match_unit("ab", ["Ab", "AB", "X"], year=2023)
    with pytest.raises(UsageError, match="Không có đơn vị mã 'STX'.*Có phải: STP"):
        api.match_unit("STX", ["STP", "SNV"], year=2023)


# --- the summary after a run ---------------------------------------------------------


def test_warnings_only_run_ends_with_a_short_summary_after_the_tables(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.complete()  # no appraisal: each of the 3 units has one "chưa thẩm định" warning
    result = cli("rank", "-w", box.root, "--year", "2023")
    assert result.exit_code == 0, result.output
    out = result.stdout
    table = out.index("Sở, ban, ngành — năm 2023")
    summary = out.index("Tóm tắt: 0 lỗi, 3 cảnh báo, do 1 nguyên nhân:")
    assert table < summary
    assert "… và" not in out[summary:]  # three warnings, three examples shown
    assert out.count("CẢNH BÁO") == 1
    assert "results/2023/van-de-2023.xlsx" in out[summary:]


def test_a_renamed_unit_code_is_one_root_cause(tmp_path, cli):
    box = Sandbox(tmp_path / "ws")
    box.complete()
    box.appraisal_form("snv", [("STP", "1.2", Entered(score=D("2"), comment="Thiếu"))])
    # The register now calls Sở Tư pháp "STP2"; its forms still say STP.
    box.write_register([Unit("STP2", "Sở Tư pháp", "so-nganh"), *UNITS[1:]])
    result = cli("rank", "-w", box.root, "--year", "2023")
    assert result.exit_code == 1
    out = result.stdout
    summary = out[out.index("Tóm tắt:"):]
    causes = [line for line in summary.splitlines() if line.startswith(("LỖI", "CẢNH BÁO"))]
    # The self form, the appraisal row and the survey row name STP: 3 errors; STP2 has
    # no self form and no survey result for its 2 survey leaves: 3 more. One cause; the
    # other one is the 2 warnings "chưa thẩm định" of SNV and STC.
    assert causes[0].startswith("LỖI Mã đơn vị 'STP' có trong biểu mẫu (1 biểu tự đánh"
                                " giá, 1 dòng thẩm định, 1 dòng khảo sát)")
    assert "đổi mã thành 'STP2' (Sở Tư pháp)" in summary
    assert "(3 lỗi kéo theo)" in summary
    assert sum(1 for c in causes if c.startswith("LỖI")) == 1
    assert summary.startswith("Tóm tắt: 6 lỗi, 2 cảnh báo, do 2 nguyên nhân:")


def test_template_reports_its_progress_form_by_form(tmp_path):
    box = Sandbox(tmp_path / "ws")
    calls: list[tuple[int, int]] = []
    report = api.template(box.root, year=2023, progress=lambda done, total: calls.append(
        (done, total)))
    # 3 self forms, 4 appraisers of cchc.yaml (snv and vp have criteria, stp and stc
    # none: nothing to write for them), 1 survey workbook (one block): 8 steps, 6 files.
    assert calls == [(n, 8) for n in range(1, 9)]
    assert len(report.written) == 6
