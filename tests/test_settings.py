"""cchc.yaml (SPEC §4): defaults, per-block overrides, unknown keys with lines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cchc_cli.errors import WorkspaceError
from cchc_cli.init import settings_template
from cchc_cli.settings import Settings, load_settings
from tests.conftest import dedent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cchc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file_gives_the_defaults(tmp_path):
    settings, issues = load_settings(write(tmp_path, "# chỉ có chú thích\n"))
    assert issues == []
    assert list(settings.blocks) == ["so-nganh", "huyen", "xa", "tw"]
    assert settings.precision == 2
    assert settings.ranking.ties == "competition"
    assert [b.label for b in settings.classification][0] == "Xuất sắc"
    assert settings.leader_rating["Yếu"] == "Không hoàn thành nhiệm vụ"


def test_template_written_by_init_is_valid_and_equals_the_defaults(tmp_path):
    settings, issues = load_settings(write(tmp_path, settings_template(["so-nganh", "huyen",
                                                                        "xa", "tw"])))
    assert issues == []
    assert settings == Settings()


def test_per_block_overrides(tmp_path):
    text = dedent(
        """
        blocks:
          so-nganh: {name: "Sở, ban, ngành"}
          huyen:
            name: UBND cấp huyện
            classification:
              - {label: Nhóm A, min: 85}
              - {label: Nhóm B, min: 0}
            leader_rating:
              Nhóm A: Hoàn thành tốt nhiệm vụ
              Nhóm B: Hoàn thành nhiệm vụ
        """
    )
    settings, issues = load_settings(write(tmp_path, text))
    assert issues == []
    assert [b.label for b in settings.bands("huyen")] == ["Nhóm A", "Nhóm B"]
    assert settings.bands("huyen")[0].min == Decimal(85)
    assert settings.ratings("huyen")["Nhóm B"] == "Hoàn thành nhiệm vụ"
    assert [b.label for b in settings.bands("so-nganh")][0] == "Xuất sắc"


def test_unknown_keys_are_errors_with_lines(tmp_path):
    text = dedent(
        """
        province: Tỉnh Mẫu
        precison: 3
        ranking: {ties: dense, tie: x}
        """
    )
    settings, issues = load_settings(write(tmp_path, text))
    found = sorted((i.code, i.line) for i in issues)
    assert found == [("khoa-la", 2), ("khoa-la", 3)]
    assert "'precision'" in next(i.message for i in issues if i.line == 2)
    # The rest of the file still applies.
    assert settings.province == "Tỉnh Mẫu"


def test_bad_values(tmp_path):
    text = dedent(
        """
        precision: 9
        ranking: {ties: olympic}
        """
    )
    _, issues = load_settings(write(tmp_path, text))
    assert sorted((i.code, i.line) for i in issues) == [
        ("gia-tri-khong-hop-le", 1),
        ("gia-tri-khong-hop-le", 2),
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("classification:\n  - {label: A, min: 50}\n  - {label: B, min: 60}\n"
         "  - {label: C, min: 0}\nleader_rating: {A: x, B: y, C: z}\n",
         "xep-loai-khong-giam-dan"),
        ("classification:\n  - {label: A, min: 50}\n  - {label: B, min: 10}\n"
         "leader_rating: {A: x, B: y}\n", "xep-loai-thieu-muc-0"),
        ("classification:\n  - {label: A, min: 50}\n  - {label: B, min: 0}\n"
         "leader_rating: {A: x}\n", "danh-gia-thieu-xep-loai"),
        ("default_appraiser: sxd\n", "nguoi-tham-dinh-mac-dinh-la"),
    ],
)
def test_consistency_checks(tmp_path, text, code):
    _, issues = load_settings(write(tmp_path, text))
    assert code in [i.code for i in issues]
    assert all(i.line for i in issues)


def test_missing_file_cannot_run(tmp_path):
    with pytest.raises(WorkspaceError, match="cchc.yaml"):
        load_settings(tmp_path / "cchc.yaml")


def test_syntax_error_cannot_run(tmp_path):
    with pytest.raises(WorkspaceError, match=r"cchc.yaml:2: .*thiếu dấu '\]'"):
        load_settings(write(tmp_path, "province: [Tỉnh\n"))
