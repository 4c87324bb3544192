"""One module per command; :func:`register` adds them to the app in help order."""

from __future__ import annotations

import typer

from cchc_cli.cli.commands import (
    demo,
    diff,
    explain,
    init,
    rank,
    report,
    schema,
    score,
    template,
    validate,
    whatif,
)


def register(app: typer.Typer) -> None:
    app.command("init")(init.init)
    app.command("validate")(validate.validate)
    app.command("template")(template.template)
    app.command("score")(score.score)
    app.command("explain")(explain.explain)
    app.command("rank")(rank.rank)
    app.command("report")(report.report)
    app.command("whatif", epilog=whatif.EXAMPLES)(whatif.whatif)
    app.command("diff", epilog=diff.EXAMPLES)(diff.diff)
    app.command("schema")(schema.schema)
    app.command("demo")(demo.demo)
