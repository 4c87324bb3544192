"""The command line in Vietnamese, including what Typer and its click print themselves.

Typer (which vendors click as ``typer._click`` in this version) writes help headings,
option annotations and usage errors in English. Its own strings go through a
``gettext`` hook, replaced here by a small catalogue; click's usage errors are built
from exception classes, whose ``show`` is replaced so that each error reads in
Vietnamese, with the usage line and a pointer to the command's help. Messages that come
from deeper down (a value's type check) are translated by pattern; an unknown one is
shown as it is rather than hidden.

Everything here patches classes once, at import of the app: it must stay cheap (no
rich, no pydantic), since ``cchc --help`` must answer within 0.1 s.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import IO, Any

# Typer's gettext message ids → Vietnamese.
CATALOGUE = {
    "Options": "Tùy chọn",
    "Arguments": "Tham số",
    "Commands": "Lệnh",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tính khi chạy)",
    "Missing command.": "Thiếu lệnh.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Aborted!": "Đã dừng.",
}

# Messages of a value's check (pydantic, typer), and click's own usage messages.
_Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]
PATTERNS: list[_Rule] = [
    (re.compile(r"Input should be a valid integer.*"), "phải là số nguyên"),
    (re.compile(r"Input should be a valid number.*"), "phải là số"),
    (re.compile(r"Input should be a valid boolean.*"), "phải là có hoặc không (true/false)"),
    (re.compile(r"Input should be greater than or equal to (\S+)"),
     r"phải lớn hơn hoặc bằng \1"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"phải nhỏ hơn hoặc bằng \1"),
    (re.compile(r"Input should be greater than (\S+)"), r"phải lớn hơn \1"),
    (re.compile(r"Input should be less than (\S+)"), r"phải nhỏ hơn \1"),
    (re.compile(r"(?:Value error, )?(.+) is not one of (.+?)\.?$"),
     r"\1 không phải một trong các giá trị \2"),
    (re.compile(r"\w+ ('.*') is a file\."), r"\1 là một tệp, không phải thư mục."),
    (re.compile(r"\w+ ('.*') is a directory\."), r"\1 là thư mục, không phải tệp."),
    (re.compile(r"\w+ ('.*') does not exist\."), r"\1 không tồn tại."),
    (re.compile(r"\w+ ('.*') is not readable\."), r"không đọc được \1."),
    (re.compile(r"\w+ ('.*') is not writable\."), r"không ghi được vào \1."),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)"),
     r"Thừa tham số: \1."),
    (re.compile(r"Option '(.+)' requires an argument\."), r"Tùy chọn '\1' cần một giá trị."),
    (re.compile(r"Option '(.+)' requires (\d+) arguments\."), r"Tùy chọn '\1' cần \2 giá trị."),
    (re.compile(r"Option '(.+)' does not take a value\."),
     r"Tùy chọn '\1' không nhận giá trị."),
    (re.compile(r"(.*?)\.? Did you mean (.+)\?$"),
     lambda m: f"{m.group(1)}. Có phải {m.group(2)}?"),
]
TYPE_NAMES = {"option": "tùy chọn", "argument": "tham số", "parameter": "tham số"}


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def translate(message: str) -> str:
    """A message of click, Typer or pydantic in Vietnamese (unknown ones as they are)."""
    for pattern, replacement in PATTERNS:
        match = pattern.match(message)
        if match:
            text = replacement(match) if callable(replacement) else match.expand(replacement)
            return text + message[match.end():]
    return message


def error_text(error: Any) -> str:
    """What went wrong, from the exception's own fields where it has them."""
    from typer._click import exceptions as click

    if isinstance(error, click.NoSuchOption):
        text = f"Không có tùy chọn {error.option_name}."
        if error.possibilities:
            text += f" Có phải: {', '.join(sorted(error.possibilities))}?"
        return text
    if isinstance(error, click.MissingParameter):
        param = error.param
        kind = error.param_type or (param.param_type_name if param is not None else "")
        return f"Thiếu {TYPE_NAMES.get(kind, kind)} {_hint(error)}.".replace("  ", " ")
    if isinstance(error, click.BadParameter):
        hint = _hint(error)
        detail = translate(error.message).rstrip()
        detail += "" if detail.endswith((".", "?")) else "."
        return f"Giá trị không hợp lệ cho {hint}: {detail}" if hint else \
            f"Giá trị không hợp lệ: {detail}"
    if isinstance(error, click.FileError):
        return f"Không mở được tệp {error.ui_filename!r}: {error.message}"
    return translate(error.format_message())


def _hint(error: Any) -> str:
    """Which option or argument an error is about: "'--year' / '-y'"."""
    hint = error.param_hint
    if hint is None:
        return error.param.get_error_hint() if error.param is not None else ""
    return hint if isinstance(hint, str) else " / ".join(repr(x) for x in hint)


def show_usage_error(error: Any, file: IO[Any] | None = None) -> None:
    """Replacement of click's ``UsageError.show``: usage, where to find help, the error."""
    from typer._click.utils import echo

    out = file if file is not None else sys.stderr
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        echo(ctx.get_usage(), file=out)
        if ctx.command.get_help_option(ctx) is not None:
            echo(f"Xem hướng dẫn: {ctx.command_path} {ctx.help_option_names[0]}\n", file=out)
    echo(f"Lỗi: {error_text(error)}", file=out)


def show_error(error: Any, file: IO[Any] | None = None) -> None:
    """Replacement of click's ``ClickException.show``."""
    from typer._click.utils import echo

    echo(f"Lỗi: {error_text(error)}", file=file if file is not None else sys.stderr)


def _plain_arguments(argument: Any) -> None:
    """Arguments as Unix help writes them: ``MÃ_ĐƠN_VỊ`` (required), ``[TỆP]...``
    (optional), with no ``<str>`` beside a name that already says what to type."""
    own_type = argument.display_type_rich

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None if self.metavar else own_type(self, ctx)

    def usage_name(self: Any) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    argument.display_type_rich = display_type_rich
    argument._usage_display_name = usage_name


def localise() -> None:
    """Patch Typer's help and errors into Vietnamese, once, before parsing."""
    try:
        import typer.core
        from typer._click import exceptions as click
        from typer._click.core import Command, Context
        from typer._click.formatting import HelpFormatter
    except ImportError:  # pragma: no cover - Typer's internals moved: keep English
        return
    patch: Any = typer.core  # the module's own names, replaced
    patch._ = gettext
    original_range = patch.describe_number_range

    def number_range(low: Any, high: Any) -> str | None:
        text = original_range(low, high)
        return None if text is None else text.replace("x>=", "≥ ").replace("x<=", "≤ ")

    patch.describe_number_range = number_range
    errors: Any = click
    errors.ClickException.show = show_error
    errors.UsageError.show = show_usage_error
    _plain_arguments(patch.TyperArgument)

    class VietnameseFormatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args.replace("[OPTIONS]", "[TÙY CHỌN]")
                                .replace("COMMAND [ARGS]...", "LỆNH [THAM SỐ]..."),
                                prefix="Cách dùng: ")

        def write_heading(self, heading: str) -> None:
            super().write_heading(gettext(heading))

    Context.formatter_class = VietnameseFormatter
    original = Command.get_help_option

    def get_help_option(self: Command, ctx: Context) -> Any:
        option = original(self, ctx)
        if option is not None:
            option.help = "Hiện hướng dẫn này rồi thoát."
        return option

    Command.get_help_option = get_help_option  # type: ignore[method-assign]
