"""Province settings: the model of ``cchc.yaml`` (SPEC §4) and its loader."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError

from cchc_cli.errors import WorkspaceError
from cchc_cli.files import MAX_YAML_BYTES, FileRefused, read_limited
from cchc_cli.issues import Issue, issue
from cchc_cli.modelcheck import Num, StrictModel, Text, pydantic_issues
from cchc_cli.yamlio import YMap, load_yaml

SETTINGS_FILE = "cchc.yaml"


class Band(StrictModel):
    label: Text = Field(description="Tên mức xếp loại, ví dụ 'Xuất sắc'")
    min: Num = Field(description="Chỉ số tối thiểu (đã làm tròn) để đạt mức này")


class BlockSettings(StrictModel):
    name: Text = Field(description="Tên khối, ví dụ 'Sở, ban, ngành'")
    formal_name: Text | None = Field(
        default=None,
        description="Tên khối trong văn bản (quyết định, báo cáo), viết như giữa câu, ví dụ"
        " 'Ủy ban nhân dân các huyện, thị xã, thành phố'; mặc định: theo 'name'",
    )
    classification: list[Band] | None = Field(
        default=None, description="Mức xếp loại riêng của khối (nếu khác mặc định)"
    )
    leader_rating: dict[str, Text] | None = Field(
        default=None, description="Đánh giá người đứng đầu riêng của khối theo xếp loại"
    )


class Ranking(StrictModel):
    ties: Literal["competition", "dense"] = Field(
        default="competition",
        description="Đồng hạng: competition (1, 2, 2, 4) hoặc dense (1, 2, 2, 3)",
    )
    basis: Literal["published", "exact"] = Field(
        default="published",
        description="Xếp hạng theo chỉ số công bố (đã làm tròn; bằng nhau thì đồng hạng) hoặc"
        " theo chỉ số chính xác (exact)",
    )


# deadlines (SPEC §13.3): ``self``, ``appraisal`` (round 1), ``appraisal_N`` (round N ≥ 2).
DEADLINE_SELF, DEADLINE_APPRAISAL = "self", "appraisal"
_DEADLINE_KEY = re.compile(r"^(self|appraisal|appraisal_[1-9][0-9]?)$")


def _valid_deadline_key(key: object) -> bool:
    return isinstance(key, str) and bool(_DEADLINE_KEY.match(key)) and key != "appraisal_1"


def _deadline_key(key: str) -> str:
    # Reached only by code that builds Settings directly: load_settings reports unknown
    # keys as 'khoa-la' first (_check_deadline_keys).
    if not _valid_deadline_key(key):
        raise ValueError(f"hạn '{key}' không có")
    return key


def _iso_date(value: Any) -> Any:
    """An ISO date (2026-11-10), as YAML writes it unquoted or quoted; nothing else (a
    date written 10/11/2026 could be read two ways)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = str(value).strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"'{text}' không phải ngày dạng YYYY-MM-DD (ví dụ 2026-11-10)")


DeadlineKey = Annotated[str, AfterValidator(_deadline_key)]
Deadline = Annotated[dt.date, BeforeValidator(_iso_date)]


def deadline_key(round_no: int) -> str:
    """The key of an appraisal round's deadline: ``appraisal`` for round 1."""
    return DEADLINE_APPRAISAL if round_no == 1 else f"{DEADLINE_APPRAISAL}_{round_no}"


DEFAULT_LEGAL_BASIS = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ ban hành"
    " Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030;",
    "Căn cứ Quyết định của Ủy ban nhân dân tỉnh ban hành Bộ tiêu chí xác định Chỉ số"
    " cải cách hành chính của các cơ quan, đơn vị trên địa bàn tỉnh;",
]


class Decision(StrictModel):
    legal_basis: list[Text] = Field(
        default_factory=lambda: list(DEFAULT_LEGAL_BASIS),
        description="Các dòng căn cứ của quyết định",
    )
    proposal: Text = Field(
        default="Theo đề nghị của Giám đốc Sở Nội vụ.",
        description="Dòng 'Theo đề nghị của …'",
    )
    signer_title: Text = Field(
        default="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        description="Chức vụ người ký; dùng ' / ' để xuống dòng",
    )
    signer_name: Text = Field(default="", description="Họ tên người ký (để trống khi dự thảo)")
    recipients: list[Text] = Field(
        default_factory=lambda: [
            "Như Điều 3;",
            "Bộ Nội vụ (để báo cáo);",
            "TTr Tỉnh ủy, TTr HĐND tỉnh (để báo cáo);",
            "Chủ tịch, các PCT UBND tỉnh;",
            "Lưu: VT, NC.",
        ],
        description="Danh sách 'Nơi nhận'",
    )


def _default_blocks() -> dict[str, BlockSettings]:
    return {
        "so-nganh": BlockSettings(name="Sở, ban, ngành"),
        "huyen": BlockSettings(name="UBND cấp huyện"),
        "xa": BlockSettings(name="UBND cấp xã"),
        "tw": BlockSettings(name="Cơ quan Trung ương đóng trên địa bàn"),
    }


def _default_bands() -> list[Band]:
    return [
        Band(label="Xuất sắc", min=Decimal(90)),
        Band(label="Tốt", min=Decimal(80)),
        Band(label="Khá", min=Decimal(70)),
        Band(label="Trung bình", min=Decimal(50)),
        Band(label="Yếu", min=Decimal(0)),
    ]


def _default_ratings() -> dict[str, str]:
    return {
        "Xuất sắc": "Hoàn thành xuất sắc nhiệm vụ",
        "Tốt": "Hoàn thành tốt nhiệm vụ",
        "Khá": "Hoàn thành nhiệm vụ",
        "Trung bình": "Hoàn thành nhiệm vụ",
        "Yếu": "Không hoàn thành nhiệm vụ",
    }


class Settings(StrictModel):
    province: Text = Field(default="Tỉnh Mẫu", description="Tên tỉnh")
    authority: Text = Field(
        default="Ủy ban nhân dân tỉnh Mẫu", description="Cơ quan ban hành quyết định"
    )
    place: Text = Field(default="Mẫu Sơn", description="Địa danh ghi ở dòng ngày tháng")
    precision: int = Field(
        default=2, ge=0, le=6, description="Số chữ số thập phân của chỉ số và điểm công bố"
    )
    blocks: dict[str, BlockSettings] = Field(
        default_factory=_default_blocks, description="Các khối, theo thứ tự trình bày"
    )
    appraisers: dict[str, Text] = Field(
        default_factory=lambda: {
            "snv": "Sở Nội vụ",
            "stp": "Sở Tư pháp",
            "stc": "Sở Tài chính",
            "vp": "Văn phòng UBND tỉnh",
        },
        description="Mã và tên các cơ quan thẩm định",
    )
    default_appraiser: Text = Field(default="snv", description="Cơ quan thẩm định mặc định")
    ranking: Ranking = Field(default_factory=Ranking)
    deadlines: dict[DeadlineKey, Deadline] = Field(
        default_factory=dict,
        description="Hạn gửi, dạng YYYY-MM-DD: self (biểu tự đánh giá), appraisal (kết quả"
        " thẩm định vòng 1), appraisal_2, appraisal_3, … (các vòng sau); cchc status so với"
        " các hạn này",
    )
    classification: list[Band] = Field(default_factory=_default_bands, min_length=1)
    leader_rating: dict[str, Text] = Field(default_factory=_default_ratings)
    decision: Decision = Field(default_factory=Decision)

    def bands(self, block: str) -> list[Band]:
        own = self.blocks.get(block)
        return (own.classification if own and own.classification else None) or list(
            self.classification
        )

    def ratings(self, block: str) -> dict[str, str]:
        own = self.blocks.get(block)
        return (own.leader_rating if own and own.leader_rating else None) or dict(
            self.leader_rating
        )

    def block_name(self, block: str) -> str:
        own = self.blocks.get(block)
        return own.name if own else block

    def deadline(self, key: str) -> dt.date | None:
        """A deadline of cchc.yaml (``self``, or :func:`deadline_key` of a round)."""
        return self.deadlines.get(key)

    def formal_name(self, block: str) -> str | None:
        """The block's name as legal text writes it, when cchc.yaml gives one."""
        own = self.blocks.get(block)
        return own.formal_name if own and own.formal_name else None


def _known_keys() -> set[str]:
    keys: set[str] = set()
    for model in (Settings, BlockSettings, Band, Ranking, Decision):
        keys.update(model.model_fields)
    return keys


def check_settings(settings: Settings, *, file: str, root: Any) -> list[Issue]:
    """Checks pydantic cannot express: band order, ratings per band, appraisers."""
    issues: list[Issue] = []

    def line(*path: Any) -> int | None:
        from cchc_cli.yamlio import line_of

        return line_of(root, path)

    if settings.default_appraiser not in settings.appraisers:
        issues.append(
            issue(
                "nguoi-tham-dinh-mac-dinh-la",
                file=file,
                line=line("default_appraiser"),
                value=settings.default_appraiser,
                known=", ".join(settings.appraisers),
            )
        )
    scopes: list[tuple[tuple[Any, ...], list[Band], dict[str, str]]] = [
        ((), settings.classification, settings.leader_rating)
    ]
    for code, block in settings.blocks.items():
        if block.classification or block.leader_rating:
            scopes.append((("blocks", code), settings.bands(code), settings.ratings(code)))
    for prefix, bands, ratings in scopes:
        issues.extend(_check_bands(bands, ratings, file=file, root=root, prefix=prefix))
    return issues


def _check_bands(
    bands: list[Band],
    ratings: dict[str, str],
    *,
    file: str,
    root: Any,
    prefix: tuple[Any, ...],
) -> list[Issue]:
    from cchc_cli.yamlio import line_of

    issues: list[Issue] = []
    seen: set[str] = set()
    for i, band in enumerate(bands):
        where = line_of(root, (*prefix, "classification", i))
        if band.label in seen:
            issues.append(issue("xep-loai-trung", file=file, line=where, label=band.label))
        seen.add(band.label)
        if i and band.min >= bands[i - 1].min:
            issues.append(
                issue(
                    "xep-loai-khong-giam-dan",
                    file=file,
                    line=where,
                    label=band.label,
                    value=band.min,
                    previous=bands[i - 1].min,
                )
            )
    if bands and bands[-1].min > 0:
        issues.append(
            issue(
                "xep-loai-thieu-muc-0",
                file=file,
                line=line_of(root, (*prefix, "classification", len(bands) - 1)),
                label=bands[-1].label,
            )
        )
    labels = [b.label for b in bands]
    for label in labels:
        if label not in ratings:
            issues.append(
                issue(
                    "danh-gia-thieu-xep-loai",
                    file=file,
                    line=line_of(root, (*prefix, "leader_rating")),
                    label=label,
                )
            )
    for label in ratings:
        if label not in labels:
            issues.append(
                issue(
                    "danh-gia-xep-loai-la",
                    file=file,
                    line=line_of(root, (*prefix, "leader_rating", label)),
                    label=label,
                    labels=", ".join(labels),
                )
            )
    return issues


def load_settings(path: Path, *, file: str = SETTINGS_FILE) -> tuple[Settings, list[Issue]]:
    """Read ``cchc.yaml``.

    An unreadable file (missing, not UTF-8, not YAML) raises WorkspaceError: nothing can
    run. Content errors (unknown keys, bad values) are returned as issues together with
    the best settings that could be made of the rest, so that validation goes on.
    """
    if not path.exists():
        raise WorkspaceError(
            f"Không tìm thấy {SETTINGS_FILE} trong {path.parent}. Hãy chạy 'cchc init' để tạo"
            " không gian làm việc, hoặc chỉ đường dẫn bằng --workspace."
        )
    try:
        data = read_limited(path, MAX_YAML_BYTES)
    except FileRefused as exc:
        found = issue(exc.code, file=file, **exc.params)
        raise WorkspaceError(f"Không đọc được {path}: {found.message}") from exc
    root, issues = load_yaml(data, file=file)
    if root is None:
        first = issues[0]
        raise WorkspaceError(f"Không đọc được {first.location()}: {first.message}")
    if not isinstance(root, YMap):
        if root in ("", None):
            root = YMap()
            root.line, root.key_lines = 1, {}
        else:
            raise WorkspaceError(
                f"Không đọc được {file}: nội dung phải là các cặp 'khóa: giá trị'."
            )
    issues.extend(_check_deadline_keys(root, file))
    settings, more = _validate_best_effort(root, file)
    issues.extend(more)
    if not more:
        issues.extend(check_settings(settings, file=file, root=root))
    return settings, issues


def _check_deadline_keys(root: YMap, file: str) -> list[Issue]:
    """Keys under ``deadlines`` are names, not data: an unknown one is reported like any
    unknown key of cchc.yaml ('khoa-la', its line, the closest valid name) and dropped, so
    that the other deadlines still apply."""
    import difflib

    from cchc_cli.yamlio import line_of

    deadlines = root.get("deadlines")
    if not isinstance(deadlines, YMap):
        return []
    found = []
    for key in [k for k in deadlines if not _valid_deadline_key(k)]:
        # Round 1's deadline is plain 'appraisal'.
        close = ["appraisal"] if key == "appraisal_1" else difflib.get_close_matches(
            str(key), ["self", "appraisal", "appraisal_2"], n=1, cutoff=0.6)
        hint = (f" (có phải '{close[0]}'?)" if close else
                "; các hạn là self, appraisal (vòng 1), appraisal_2, appraisal_3, …")
        found.append(issue("khoa-la", file=file, line=line_of(root, ("deadlines", key)),
                           key=key, hint=hint))
        del deadlines[key]
    return found


def _validate_best_effort(root: YMap, file: str) -> tuple[Settings, list[Issue]]:
    """Validate; on errors, drop the offending keys and retry so the rest still applies."""
    try:
        return Settings.model_validate(dict(root)), []
    except ValidationError as exc:
        issues = pydantic_issues(exc, root, file=file, known_keys=_known_keys())
        cleaned = _without(dict(root), [tuple(e["loc"]) for e in exc.errors()])
    try:
        return Settings.model_validate(cleaned), issues
    except ValidationError:
        return Settings(), issues


def _without(data: dict[str, Any], locs: list[tuple[Any, ...]]) -> dict[str, Any]:
    """A copy of ``data`` without the top-level keys that errors point into."""
    bad = {loc[0] for loc in locs if loc}
    return {k: v for k, v in data.items() if k not in bad}
