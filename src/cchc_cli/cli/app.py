"""The ``cchc`` command. Importing this module must stay cheap: ``cchc --help`` never
loads pandas, openpyxl, pydantic or the readers — commands import what they need."""

from __future__ import annotations

from typing import Annotated

import typer

from cchc_cli import __version__
from cchc_cli.cli import commands
from cchc_cli.cli.vietnamese import localise

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
localise()


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
