"""``cchc demo``: the whole pipeline on a copy of the bundled example province."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_cli.errors import UsageError
from cchc_cli.resources import bundled

DEMO_YEAR = 2023


@dataclass
class DemoResult:
    root: Path
    year: int
    steps: list[tuple[str, Any]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    forms: list[Path] = field(default_factory=list)


def copy_example(target: Path) -> Path:
    """Copy ``examples/tinh-mau`` to ``target`` (which must not hold a workspace yet)."""
    source = bundled("examples/tinh-mau")
    if not (source / "cchc.yaml").exists():
        raise UsageError(f"Không tìm thấy dữ liệu mẫu tại {source}.")
    if (target / "cchc.yaml").exists():
        raise UsageError(
            f"{target} đã có không gian làm việc; chọn thư mục khác, ví dụ: cchc demo ./demo-2"
        )
    shutil.copytree(source, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("results", "forms"))
    return target


def run_demo(target: Path, *, jobs: int | None = None) -> DemoResult:
    """The whole process of a year on the example: validate, score, rank and report,
    then the blank forms of the year — every output cchc writes."""
    from cchc_cli import api

    copy_example(target)
    result = DemoResult(root=target.resolve(), year=DEMO_YEAR)
    report = api.validate(target, year=DEMO_YEAR, jobs=jobs)
    result.steps.append(("validate", report))
    scored = api.score(target, year=DEMO_YEAR, jobs=jobs)
    result.steps.append(("score", scored))
    run = api.report(target, year=DEMO_YEAR, jobs=jobs)
    result.steps.append(("rank", run))
    forms = api.template(target, year=DEMO_YEAR, jobs=jobs)
    result.steps.append(("template", forms))
    for step in (scored, run):
        result.written.extend(p for p in step.written if p not in result.written)
    result.forms = forms.written
    return result
