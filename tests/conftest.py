"""Shared fixtures: a CLI runner, small criteria files, and workspaces built by code."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cchc_cli.cli.app import app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner) -> Callable:
    """Run ``cchc`` with arguments; returns the typer Result (stdout and stderr apart)."""

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})

    return invoke


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def criteria_header(scale: str = "10") -> str:
    """The top of a so-nganh 2023 criteria file, up to ``items:``, for tests that write
    the tree themselves."""
    return dedent(
        f"""
        id: so-nganh-2023
        title: Thử
        block: so-nganh
        year: 2023
        scale: {scale}
        items:
        """
    )


MINIMAL_CRITERIA = dedent(
    """
    id: so-nganh-2023
    title: Bộ tiêu chí thử
    block: so-nganh
    year: 2023
    scale: 10
    items:
      - code: "1"
        name: Công tác chỉ đạo, điều hành
        max: 4
        items:
          - code: "1.1"
            name: Ban hành kế hoạch CCHC
            max: 1
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
      - code: "2"
        name: Tác động
        items:
          - code: "2.1"
            name: SIPAS
            max: 6
            rule: {type: survey}
    """
)


@pytest.fixture
def workspace(tmp_path: Path, cli) -> Path:
    """A fresh workspace made by ``cchc init`` (bundled mau-2023 set, year 2023)."""
    root = tmp_path / "ws"
    result = cli("init", root, "--year", "2023")
    assert result.exit_code == 0, result.output
    return root
