"""``bankbot schemas``: export the LLM tool schemas, check them for drift, list the tools."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Annotated

import typer

from bankbot_tools.cli.common import Failed, command
from bankbot_tools.llm.formats import SchemaFormat

schemas_app = typer.Typer(help="LLM tool schemas: export them for the model, check for drift.")

FormatOption = Annotated[
    SchemaFormat,
    typer.Option("--format", help="mistral: Mistral's tools list; openai: adds strict: true."),
]


class SchemaDrift(Failed):
    """The committed schema file differs from the code's export."""


@schemas_app.command("export")
def export(
    format_: FormatOption = SchemaFormat.MISTRAL,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            "--check", help="Compare with this committed file; exit 1 and print a diff on drift."
        ),
    ] = None,
) -> None:
    """Export the tool schemas as deterministic JSON (sorted keys, final newline).

    Example: bankbot schemas export --out tools.json

    In CI: bankbot schemas export --check tools.json
    """
    from bankbot_tools.fileio import atomic_write_text
    from bankbot_tools.llm import schemas

    with command("schemas export", format=str(format_)):
        if out is not None and check is not None:
            raise ValueError("use either --out or --check, not both")
        text = schemas.export(format_)
        if check is None:
            if out is None:
                sys.stdout.write(text)
            else:
                atomic_write_text(out, text)
            return
        committed = check.read_text(encoding="utf-8") if check.exists() else ""
        if committed == text:
            return
        sys.stdout.writelines(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=str(check),
                tofile=f"bankbot schemas export --format {format_}",
            )
        )
        raise SchemaDrift(
            f"{check} has drifted from the code; regenerate it with"
            f" `bankbot schemas export --format {format_} --out {check}`"
        )


@schemas_app.command("list")
def list_tools() -> None:
    """Show the tools, their parameters (? marks optional ones) and descriptions.

    Example: bankbot schemas list
    """
    from rich.console import Console

    from bankbot_tools.llm.dispatch import TOOLS
    from bankbot_tools.views.tables import tools

    with command("schemas list"):
        rows = [
            (
                tool.name,
                [f"{n}?" if n in tool.optional else n for n in tool.parameters["properties"]],
                tool.description,
            )
            for tool in TOOLS.values()
        ]
        tools(Console(), rows)
