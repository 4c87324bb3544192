"""One module per command; :func:`register` adds them to the app in help order."""

from __future__ import annotations

import typer

from cchc_cli.cli.commands import demo, init, schema, template, validate


def register(app: typer.Typer) -> None:
    app.command("init")(init.init)
    app.command("validate")(validate.validate)
    app.command("template")(template.template)
    app.command("schema")(schema.schema)
    app.command("demo")(demo.demo)
