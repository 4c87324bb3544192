"""Shared pieces of the pydantic models for YAML files: text fields, strict config,
and translation of pydantic's errors into Vietnamese issues with file and line."""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from cchc_cli.issues import Issue, issue
from cchc_cli.numbers import in_range
from cchc_cli.yamlio import YamlNumber, line_of


def _as_text(value: Any) -> Any:
    """Numbers written where text is expected keep their source text (1.10 → "1.10")."""
    if isinstance(value, YamlNumber):
        return value.raw
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_as_text)]


def _as_number(value: Any) -> Any:
    """Quoted numbers ("5") are accepted, but only finite ones below 10^15, the same bound
    as unquoted numbers: a huge exponent would otherwise overflow later arithmetic."""
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            raise PydanticCustomError("decimal_parsing", "not a number") from None
        if not in_range(number):
            raise PydanticCustomError("decimal_parsing", "number out of range")
        return number
    return value


Num = Annotated[Decimal, BeforeValidator(_as_number)]


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo must never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=False)


_TYPE_WORDS = {
    "string_type": "phải là văn bản",
    "decimal_type": "phải là số (nhỏ hơn 10^15)",
    "decimal_parsing": "phải là số (nhỏ hơn 10^15)",
    "finite_number": "phải là số hữu hạn",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "list_type": "phải là một danh sách (các dòng bắt đầu bằng '- ')",
    "dict_type": "phải là các cặp 'khóa: giá trị'",
    "model_type": "phải là các cặp 'khóa: giá trị'",
    "model_attributes_type": "phải là các cặp 'khóa: giá trị'",
    "too_short": "không được rỗng",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "literal_error": "phải là một trong: {expected}",
    "enum": "phải là một trong: {expected}",
    "union_tag_invalid": "loại '{tag}' không tồn tại; các loại hợp lệ: {expected_tags}",
    "union_tag_not_found": "thiếu 'type' (một trong: manual, choice, tiers, ratio, survey,"
    " bonus, penalty)",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    names = [str(p) for p in loc if isinstance(p, str)]
    return names[-1] if names else "?"


def pydantic_issues(
    exc: ValidationError,
    root: Any,
    *,
    file: str,
    known_keys: set[str],
    criterion_at: Any = None,
) -> list[Issue]:
    """Vietnamese issues, each with the line of the offending key, for a ValidationError."""
    issues: list[Issue] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        line = line_of(root, loc)
        criterion = criterion_at(loc) if criterion_at else None
        if kind == "extra_forbidden":
            key = _field_name(loc)
            close = difflib.get_close_matches(key, sorted(known_keys), n=1, cutoff=0.6)
            hint = f" (có phải '{close[0]}'?)" if close else ""
            issues.append(
                issue("khoa-la", file=file, line=line, criterion=criterion, key=key, hint=hint)
            )
        elif kind == "missing":
            issues.append(
                issue(
                    "thieu-khoa",
                    file=file,
                    line=line,
                    criterion=criterion,
                    key=_field_name(loc),
                )
            )
        else:
            template = _TYPE_WORDS.get(kind)
            ctx = {k: _ctx_text(v) for k, v in (error.get("ctx") or {}).items()}
            if template is not None:
                try:
                    detail = template.format(**ctx)
                except (KeyError, IndexError):
                    detail = template
            else:
                # value_error raised by our own validators carries a Vietnamese message.
                detail = str(ctx.get("error") or error["msg"])
            shown = error.get("input")
            if kind not in ("union_tag_not_found",) and _is_scalar(shown):
                detail = f"'{_ctx_text(shown)}' {detail}" if template else detail
            issues.append(
                issue(
                    "gia-tri-khong-hop-le",
                    file=file,
                    line=line,
                    criterion=criterion,
                    key=_field_name(loc),
                    detail=detail,
                )
            )
    return issues


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | Decimal | bool) or value is None


def _ctx_text(value: Any) -> str:
    if isinstance(value, YamlNumber):
        return value.raw
    return str(value)
