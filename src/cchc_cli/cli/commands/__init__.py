"""One module per command; :func:`register` adds them to the app in help order."""

from __future__ import annotations

import typer

from cchc_cli.cli.commands import (
    demo,
    diff,
    explain,
    feedback,
    history,
    init,
    publish,
    rank,
    report,
    schema,
    score,
    status,
    template,
    validate,
    whatif,
)


def register(app: typer.Typer) -> None:
    """Every command, its help ending with examples (the module's EXAMPLES)."""
    for module in (init, validate, template, status, feedback, score, explain, rank, report,
                   publish, history, whatif, diff, schema, demo):
        name = module.__name__.rsplit(".", 1)[-1]
        app.command(name, epilog=module.EXAMPLES)(getattr(module, name))
