"""What every command shares: exit codes, the --json flag, and error mapping."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import Annotated, Any

import typer

from bankbot_tools import events


class ExitCode(IntEnum):
    """Process exit codes: 0 ok, 1 the job or a check failed, 2 bad input or usage."""

    OK = 0
    FAILED = 1
    USAGE = 2


JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout instead of tables.")
]


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> typer.Exit:
    """Print a one-line error on stderr and return the Exit to raise."""
    print(f"bankbot: error: {message}", file=sys.stderr)
    return typer.Exit(int(code))


def print_json(document: Any) -> None:
    """Print a JSON document on stdout, keys in a stable order."""
    typer.echo(json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False))


@contextmanager
def command(name: str, **facts: Any) -> Iterator[dict[str, Any]]:
    """Run a command body: one analytics event, ``ValueError`` -> exit 2, one line.

    The body may set ``exit_code`` (and ``status``) in the yielded facts to end the
    process with that code once the event is written.
    """
    message = None
    with events.invocation("cli.command", source="cli", command=name, **facts) as event:
        try:
            yield event
        except ValueError as error:
            event.update(status="error", error_type="ValueError", exit_code=int(ExitCode.USAGE))
            message = str(error)
    code = ExitCode(event.get("exit_code", ExitCode.OK))
    if message is not None:
        raise fail(message, code)
    if code:
        raise typer.Exit(int(code))
