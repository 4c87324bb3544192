"""The ``cchc`` command. Importing this module must stay cheap: ``cchc --help`` never
loads pandas, openpyxl, pydantic or the readers — commands import what they need."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cchc_cli import __version__
from cchc_cli.cli import commands

app = typer.Typer(
    name="cchc",
    help=(
        "Tính Chỉ số cải cách hành chính (Chỉ số CCHC) của các cơ quan, đơn vị trong tỉnh"
        " từ các tệp Excel: kiểm tra, chấm điểm, xếp hạng và lập dự thảo quyết định."
    ),
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cchc {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="In phiên bản rồi thoát."),
    ] = False,
) -> None:
    """Tính Chỉ số CCHC từ các tệp Excel của đơn vị."""


commands.register(app)


def _localise_help() -> None:
    """Vietnamese headings and help-option text in help screens.

    Help is rendered by Typer's plain formatter (the rich one costs ~50 ms at start-up,
    and ``cchc --help`` must stay under 0.15 s); its headings are English constants, so
    the formatter class and the help option are adjusted here, once, before parsing.
    """
    try:
        from typer._click.core import Command, Context
        from typer._click.formatting import HelpFormatter
    except ImportError:  # pragma: no cover - Typer's internals moved: keep English help
        return

    class VietnameseFormatter(HelpFormatter):
        titles = {"Options": "Tùy chọn", "Commands": "Lệnh", "Arguments": "Tham số"}

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args.replace("[OPTIONS]", "[TÙY CHỌN]")
                                .replace("COMMAND [ARGS]...", "LỆNH [THAM SỐ]..."),
                                prefix="Cách dùng: ")

        def write_heading(self, heading: str) -> None:
            super().write_heading(self.titles.get(heading, heading))

    Context.formatter_class = VietnameseFormatter
    original = Command.get_help_option

    def get_help_option(self: Command, ctx: Context) -> Any:
        option = original(self, ctx)
        if option is not None:
            option.help = "Hiện hướng dẫn này rồi thoát."
        return option

    Command.get_help_option = get_help_option  # type: ignore[method-assign]


_localise_help()


def main() -> None:
    """The ``cchc`` entry point.

    When the command is done, the process ends without tearing the interpreter down
    object by object: a national run holds millions of records, and freeing them one by
    one takes longer than some commands. Outputs are already written and closed (and
    renamed into place); the standard streams are flushed first.
    """
    import gc
    import os
    import sys

    # The command's records live until the process ends and form no cycles: the cyclic
    # collector would only walk them again and again (see api.gc_paused).
    gc.disable()
    code: int | str | None = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    if os.environ.get("CCHC_TIMINGS"):
        _print_timings()
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


def _print_timings() -> None:
    import json
    import sys

    from cchc_cli.timing import STAGES

    sys.stderr.write("CCHC_TIMINGS " + json.dumps({k: round(v, 4) for k, v in STAGES.items()})
                     + "\n")
