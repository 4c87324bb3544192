"""``cchc init``: a new workspace from a bundled criteria set."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cchc_cli.errors import UsageError
from cchc_cli.resources import bundled, bundled_criteria_names
from cchc_cli.settings import DEFAULT_LEGAL_BASIS, SETTINGS_FILE, Settings
from cchc_cli.writers.atomic import write_text_atomic

DEFAULT_CRITERIA = "mau-2023"
INPUT_FOLDERS = ("tu-danh-gia", "tham-dinh", "khao-sat")

_YEAR_LINE = re.compile(r"^year:\s*\d{4}\s*$", re.MULTILINE)
_ID_LINE = re.compile(r"^(id:\s*[\"']?)(.*?)-?(\d{4})([\"']?)\s*$", re.MULTILINE)
_BLOCK_LINE = re.compile(r"^block:\s*[\"']?([^\"'\s#]+)", re.MULTILINE)


@dataclass
class InitResult:
    root: Path
    written: list[Path]
    blocks: list[str]


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def settings_template(blocks: list[str]) -> str:
    """A commented ``cchc.yaml`` with every key at its default, for the given blocks."""
    defaults = Settings()
    lines = [
        "# Cấu hình của tỉnh cho cchc (xem README, mục 'cchc.yaml').",
        "# Mọi khóa đều không bắt buộc; giá trị dưới đây là giá trị mặc định.",
        "# Khóa viết sai sẽ bị báo lỗi khi chạy 'cchc validate'.",
        "",
        f"province: {defaults.province}                    # tên tỉnh",
        f"authority: {defaults.authority}   # cơ quan ban hành quyết định",
        f"place: {defaults.place}                      # địa danh ở dòng ngày tháng",
        "precision: 2                          # số chữ số thập phân khi công bố",
        "",
        "blocks:                               # các khối, theo thứ tự trình bày",
    ]
    for code in blocks:
        name = defaults.block_name(code)
        lines.append(f"  {code}: {{name: {_yaml_text(name)}}}")
    lines += [
        "  # Mỗi khối có thể có classification và leader_rating riêng, ví dụ:",
        f"  # {blocks[0]}:",
        f"  #   name: {_yaml_text(defaults.block_name(blocks[0]))}",
        "  #   classification: [{label: Xuất sắc, min: 85}, {label: Tốt, min: 0}]",
        "  #   leader_rating: {Xuất sắc: Hoàn thành xuất sắc nhiệm vụ, Tốt: Hoàn thành tốt"
        " nhiệm vụ}",
        "",
        "appraisers:                           # mã cơ quan thẩm định dùng trong bộ tiêu chí",
    ]
    lines += [f"  {code}: {name}" for code, name in defaults.appraisers.items()]
    lines += [
        f"default_appraiser: {defaults.default_appraiser}",
        "",
        "ranking: {ties: competition}          # competition (1, 2, 2, 4) hoặc dense (1, 2, 2, 3)",
        "",
        "classification:                       # mức xếp loại, từ cao xuống thấp",
    ]
    lines += [f"  - {{label: {b.label}, min: {b.min}}}" for b in defaults.classification]
    lines += ["", "leader_rating:                        # xếp loại → đánh giá người đứng đầu"]
    lines += [f"  {label}: {rating}" for label, rating in defaults.leader_rating.items()]
    lines += ["", "decision:                             # nội dung dự thảo quyết định",
              "  legal_basis:"]
    lines += [f"    - {_yaml_text(text)}" for text in DEFAULT_LEGAL_BASIS]
    lines += [
        f"  proposal: {_yaml_text(defaults.decision.proposal)}",
        f"  signer_title: {_yaml_text(defaults.decision.signer_title)}",
        "  signer_name: \"\"",
        "  recipients:",
    ]
    lines += [f"    - {_yaml_text(text)}" for text in defaults.decision.recipients]
    return "\n".join(lines) + "\n"


def adapt_criteria_text(text: str, year: int) -> str:
    """A bundled criteria file re-dated for ``year`` (comments and layout kept)."""
    text = _YEAR_LINE.sub(f"year: {year}", text, count=1)
    return _ID_LINE.sub(lambda m: f"{m.group(1)}{m.group(2)}-{year}{m.group(4)}", text, count=1)


def init_workspace(target: Path, *, year: int, criteria: str = DEFAULT_CRITERIA) -> InitResult:
    from cchc_cli.writers.register import write_register

    source = bundled("criteria") / criteria
    available = bundled_criteria_names()
    if criteria not in available:
        raise UsageError(
            f"Không có bộ tiêu chí mẫu '{criteria}'. Các bộ có sẵn: {', '.join(available)}."
        )
    if (target / SETTINGS_FILE).exists():
        raise UsageError(
            f"{target / SETTINGS_FILE} đã tồn tại; cchc init không ghi đè không gian làm việc."
        )
    if not 2000 <= year <= 2100:
        raise UsageError(f"Năm {year} không hợp lệ.")
    written: list[Path] = []
    blocks: list[str] = []
    criteria_dir = target / "criteria" / str(year)
    criteria_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.yaml")):
        text = adapt_criteria_text(path.read_text(encoding="utf-8"), year)
        match = _BLOCK_LINE.search(text)
        blocks.append(match.group(1) if match else path.stem)
        out = criteria_dir / path.name
        write_text_atomic(out, text)
        written.append(out)
    ordered = [b for b in Settings().blocks if b in blocks] + [
        b for b in blocks if b not in Settings().blocks
    ]
    settings_path = target / SETTINGS_FILE
    write_text_atomic(settings_path, settings_template(ordered))
    written.insert(0, settings_path)
    data_dir = target / "data" / str(year)
    for folder in INPUT_FOLDERS:
        (data_dir / folder).mkdir(parents=True, exist_ok=True)
    for folder in ("forms", "results", "templates"):
        (target / folder).mkdir(exist_ok=True)
    names = {code: Settings().block_name(code) for code in ordered}
    register = data_dir / "don-vi.xlsx"
    write_register(register, year=year, blocks=names)
    written.append(register)
    return InitResult(root=target, written=written, blocks=ordered)
