"""The installed command: help, init → validate, broken files, JSON, schema."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_cli.resources import bundled
from tests.conftest import ROOT


def cchc_executable() -> str:
    found = shutil.which("cchc", path=str(Path(sys.executable).parent)) or shutil.which("cchc")
    assert found, "the cchc entry point is not installed"
    return found


def test_help_runs_from_the_installed_entry_point_without_heavy_imports():
    code = (
        "import sys; sys.argv = ['cchc', '--help'];"
        "from cchc_cli.cli.app import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'openpyxl', 'pydantic', 'xlsxwriter', 'docx',"
        " 'docxtpl', 'matplotlib', 'python_calamine', 'yaml', 'rich') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert "HEAVY []" in result.stdout
    installed = subprocess.run([cchc_executable(), "--help"], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    assert "Cách dùng" in installed.stdout
    for command in ("init", "validate", "schema"):
        assert command in installed.stdout


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "cchc_cli", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("cchc ")


def test_every_command_has_help_and_is_in_the_readme(cli):
    from cchc_cli.cli.app import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [command.name for command in app.registered_commands]
    assert names
    for name in names:
        result = cli(name, "--help")
        assert result.exit_code == 0, result.output
        assert "Cách dùng" in result.stdout
        assert f"cchc {name}" in readme, f"cchc {name} is not documented in README.md"


def test_init_then_validate_exits_0(workspace, cli):
    result = cli("validate", "-w", workspace)
    assert result.exit_code == 0, result.output
    for block in ("so-nganh", "huyen", "xa", "tw"):
        assert f"criteria/2023/{block}.yaml" in result.stdout
    assert "Hợp lệ" in result.stdout


def test_init_with_2025_criteria_has_two_blocks(tmp_path, cli):
    result = cli("init", tmp_path / "ws", "--year", "2026", "--criteria", "mau-2025")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "ws/criteria/2026").iterdir()) == [
        "so-nganh.yaml", "xa.yaml"]
    text = (tmp_path / "ws/cchc.yaml").read_text(encoding="utf-8")
    assert "\n  huyen:" not in text and "\n  so-nganh:" in text
    check = cli("validate", "-w", tmp_path / "ws", "--year", "2026")
    assert check.exit_code == 0, check.output


def test_init_refuses_to_overwrite_and_unknown_sets(workspace, cli, tmp_path):
    again = cli("init", workspace, "--year", "2023")
    assert again.exit_code == 2
    assert "đã tồn tại" in again.stderr
    unknown = cli("init", tmp_path / "other", "--year", "2023", "--criteria", "khong-co")
    assert unknown.exit_code == 2
    assert "mau-2023" in unknown.stderr


def test_broken_criteria_file_exits_1_without_traceback(workspace, cli):
    path = workspace / "criteria/2023/xa.yaml"
    text = path.read_text(encoding="utf-8").replace("scale: 100", "scale: 99", 1)
    path.write_text(text, encoding="utf-8")
    result = cli("validate", "-w", workspace)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "criteria/2023/xa.yaml:" in result.stdout
    assert "thang-diem-khong-khop" in result.stdout


def test_validate_json_is_one_document(workspace, cli):
    path = workspace / "cchc.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "thresholds: 1\n", encoding="utf-8")
    result = cli("validate", "-w", workspace, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    problem = next(i for i in document["issues"] if i["code"] == "khoa-la")
    assert problem["file"] == "cchc.yaml" and problem["line"] > 1
    assert {s["block"] for s in document["criteria"]} == {"so-nganh", "huyen", "xa", "tw"}


def test_validate_only_the_given_paths(workspace, cli):
    bad = workspace / "criteria/2023/tw.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("scale: 60", "scale: 61"),
                   encoding="utf-8")
    good = workspace / "criteria/2023/xa.yaml"
    assert cli("validate", "-w", workspace, good).exit_code == 0
    result = cli("validate", "-w", workspace, bad)
    assert result.exit_code == 1
    assert "tw.yaml" in result.stdout and "xa.yaml" not in result.stdout


def test_no_workspace_exits_3(tmp_path, cli):
    result = cli("validate", "-w", tmp_path)
    assert result.exit_code == 3
    assert "cchc.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_unreadable_settings_exit_3_and_debug_shows_traceback(workspace, cli):
    (workspace / "cchc.yaml").write_text("province: [\n", encoding="utf-8")
    plain = cli("validate", "-w", workspace)
    assert plain.exit_code == 3
    assert "Traceback" not in plain.output
    debug = cli("validate", "-w", workspace, "--debug")
    assert debug.exit_code == 3
    assert "Traceback" in debug.stderr


def test_usage_error_exits_2(cli):
    assert cli("validate", "--format", "xml").exit_code == 2


def test_schema_describes_criteria_files(cli, tmp_path):
    result = cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "items" in schema["properties"] and "scale" in schema["required"]
    out = tmp_path / "schema.json"
    assert cli("schema", "--out", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == schema


def test_schema_accepts_the_bundled_sets():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from cchc_cli.criteria import json_schema

    schema = json_schema()
    for path in sorted(bundled("criteria").glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)


@pytest.mark.skipif(os.name == "nt", reason="POSIX paths")
def test_bundled_location_is_the_repository_in_a_checkout():
    assert bundled("criteria") == ROOT / "criteria"
