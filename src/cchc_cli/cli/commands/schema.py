from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cchc_cli.cli.common import emit_json

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc schema --out criteria/schema.json
"""


def schema(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Ghi vào tệp thay vì in ra màn hình.", dir_okay=False,
                     metavar="TỆP"),
    ] = None,
) -> None:
    """In JSON Schema của tệp bộ tiêu chí, để trình soạn thảo gợi ý và kiểm tra khi gõ."""
    import json

    from cchc_cli.api import criteria_schema
    from cchc_cli.writers.atomic import write_text_atomic

    document = criteria_schema()
    if out is None:
        emit_json(document)
    else:
        write_text_atomic(out, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        typer.echo(f"Đã ghi {out}")
