"""``bankbot schemas``, ``bankbot tools`` and ``bankbot analytics``: the LLM tool layer."""

from __future__ import annotations

import asyncio
import difflib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from bankbot_tools import analytics, outputs, schemas
from bankbot_tools.cli.common import ExitCode, Failed, JsonFlag, command, print_json
from bankbot_tools.schemas import SchemaFormat
from bankbot_tools.tools import TOOLS, dispatch

schemas_app = typer.Typer(help="LLM tool schemas: export them for the model, check for drift.")
tools_app = typer.Typer(help="Run the LLM tools from the shell, as the model would call them.")
analytics_app = typer.Typer(help="Read analytics event logs.")

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
    with command("schemas export", format=str(format_)):
        if out is not None and check is not None:
            raise ValueError("use either --out or --check, not both")
        text = schemas.export(format_)
        if check is None:
            if out is None:
                sys.stdout.write(text)
            else:
                outputs.atomic_write_text(out, text)
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
    with command("schemas list"):
        table = Table(title="LLM tools", title_justify="left")
        table.add_column("Tool", style="bold", no_wrap=True)
        table.add_column("Parameters")
        table.add_column("Description")
        for tool in TOOLS.values():
            params = [f"{n}?" if n in tool.optional else n for n in tool.parameters["properties"]]
            table.add_row(tool.name, ", ".join(params), tool.description)
        Console().print(table)


@tools_app.command("call")
def call(
    name: Annotated[str, typer.Argument(help="Tool name, e.g. calculate_payment.")],
    args: Annotated[
        str, typer.Option("--args", help="The arguments as the model sends them: a JSON object.")
    ] = "{}",
) -> None:
    """Run one tool call and print the answer JSON; exit 1 when the answer is an error.

    Bad JSON in --args is answered like a model's bad call (a structured error), not a
    usage error. The tool call's own event is the one event of this command.

    Example: bankbot tools call calculate_payment --args '{"principal": 200000,
    "annual_rate": 0.065, "months": 360}'
    """
    answer = asyncio.run(dispatch(name, args))
    print_json(answer)
    if not answer["ok"]:
        raise typer.Exit(int(ExitCode.FAILED))


@analytics_app.command("summary")
def summary(
    path: Annotated[
        Path,
        typer.Argument(help="Event log: one JSON event per line.", exists=True, dir_okay=False),
    ],
    json_: JsonFlag = False,
) -> None:
    """Per tool or command: calls, error rate, fallback rate, p50/p95/p99 duration in ms.

    Malformed lines are counted and skipped.

    Example: bankbot analytics summary events.jsonl --json
    """
    with command("analytics summary") as event:
        result = analytics.summary(path)
        event.update(rows=result.lines, malformed=result.malformed)
        if json_:
            print_json(result.to_dict())
            return
        table = Table(
            title=f"Events in {path.name}, durations in ms",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        table.add_column("kind", no_wrap=True)
        table.add_column("tool / command", no_wrap=True)
        for header in ("calls", "errors", "fallbacks", "p50", "p95", "p99"):
            table.add_column(header, justify="right", no_wrap=True)
        for row in result.to_dict()["rows"]:
            table.add_row(
                row["event"].split(".")[0],
                row["name"],
                str(row["calls"]),
                f"{row['error_rate']:.1%}",
                f"{row['fallback_rate']:.1%}",
                *(_ms(row[key]) for key in ("p50_ms", "p95_ms", "p99_ms")),
            )
        console = Console()
        console.print(table)
        console.print(f"{result.lines} lines read, {result.malformed} malformed skipped")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
