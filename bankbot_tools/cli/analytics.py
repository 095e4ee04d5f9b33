"""``bankbot analytics``: summarize event logs, print the event schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bankbot_tools.cli.common import JsonFlag, command, print_json

analytics_app = typer.Typer(help="Read analytics event logs; print the event schema.")


@analytics_app.command("summary")
def summary(
    path: Annotated[Path, typer.Argument(help="Event log: one JSON event per line.")],
    json_: JsonFlag = False,
) -> None:
    """Per tool or command: calls, error rate, fallback rate, p50/p95/p99 duration in ms.

    Malformed lines are counted and skipped.

    Example: bankbot analytics summary events.jsonl --json
    """
    from bankbot_tools.events.summary import summary as summarize

    with command("analytics summary") as event:
        if path.is_dir():
            raise IsADirectoryError(21, "is a directory, not an event log", str(path))
        result = summarize(path)
        event.update(rows=result.lines, malformed=result.malformed)
        if json_:
            print_json(result.to_dict())
            return
        from rich.console import Console

        from bankbot_tools.views.tables import event_summary

        event_summary(Console(), f"Events in {path.name}, durations in ms", result.to_dict())


@analytics_app.command("schema")
def schema() -> None:
    """Print the JSON Schema every analytics event validates against.

    Example: bankbot analytics schema > event.schema.json
    """
    from bankbot_tools.events.schema import event_schema

    with command("analytics schema"):
        typer.echo(json.dumps(event_schema(), indent=2))
