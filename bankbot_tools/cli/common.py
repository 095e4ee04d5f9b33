"""What every command shares: exit codes, the --json flag, error mapping, atomic text output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from bankbot_tools import events
from bankbot_tools.portfolio.job import TooManyRejects


class ExitCode(IntEnum):
    """Process exit codes: 0 ok, 1 the job or a check failed, 2 bad input or usage."""

    OK = 0
    FAILED = 1
    USAGE = 2


class Failed(Exception):
    """The command ran, but its job or check failed: exit 1 with this one-line message.

    The event's ``error_type`` is the class name, so a subclass names the failure.
    """


#: Errors that mean the job or check failed (exit 1) rather than bad input (exit 2).
FAILURES: tuple[type[Exception], ...] = (Failed, TooManyRejects)

JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout instead of tables.")
]


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> typer.Exit:
    """Print a one-line error on stderr and return the Exit to raise."""
    print(f"bankbot: error: {message}", file=sys.stderr)
    return typer.Exit(int(code))


def os_error_message(error: OSError) -> str:
    """One line naming the path(s) and the operating system's reason.

    >>> os_error_message(FileNotFoundError(2, "No such file or directory", "/no/x.csv"))
    '/no/x.csv: No such file or directory'
    """
    reason = error.strerror or str(error)
    paths = [os.fsdecode(p) for p in (error.filename, error.filename2) if p is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


#: Set by a command whose every output is closed and whose libraries need no teardown.
_skip_teardown = False


def skip_teardown() -> None:
    """Let the process end without the interpreter's teardown once the command is done.

    After an in-process batch run, unloading pyarrow (and numba's LLVM, when the loops came
    from numba's cache) takes 0.1-0.2 s that nobody waits for; every output file is closed
    and every event flushed by then.
    """
    global _skip_teardown
    _skip_teardown = True


def teardown_skipped() -> bool:
    """True when :func:`skip_teardown` was called in this process."""
    return _skip_teardown


def print_json(document: Any) -> None:
    """Print a JSON document on stdout, keys in a stable order."""
    typer.echo(json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False))


@contextmanager
def command(name: str, **facts: Any) -> Iterator[dict[str, Any]]:
    """Run a command body: one analytics event, errors -> one line on stderr and an exit code.

    This is the one place where errors become exit codes: :data:`FAILURES` exit 1,
    ``ValueError`` (bad input) and ``OSError`` (a path that cannot be read or written)
    exit 2. The body may also set ``exit_code`` in the yielded facts to end the process
    with that code, without a message, once the event is written.
    """
    message = None
    with events.invocation("cli.command", source="cli", command=name, **facts) as event:
        try:
            yield event
        except FAILURES as error:
            message = _error(event, type(error).__name__, ExitCode.FAILED, str(error))
        except ValueError as error:
            message = _error(event, "ValueError", ExitCode.USAGE, str(error))
        except OSError as error:
            message = _error(event, type(error).__name__, ExitCode.USAGE, os_error_message(error))
    code = ExitCode(event.get("exit_code", ExitCode.OK))
    if message is not None:
        raise fail(message, code)
    if code:
        raise typer.Exit(int(code))


def _error(event: dict[str, Any], error_type: str, code: ExitCode, message: str) -> str:
    """Record a handled error in the event and return its message."""
    event.update(status="error", error_type=error_type, exit_code=int(code))
    return message


@contextmanager
def usage_errors() -> Iterator[None]:
    """Typer's own errors (a bad value, an unknown option, a missing argument): one line.

    Typer would print a multi-line panel; this prints ``bankbot: error: <message>`` and
    exits 2 (1 for the rare error that is not about usage). A group called without
    arguments still shows its help.
    """
    try:
        yield
    except typer.TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":
            raise
        message = " ".join(line.strip() for line in error.format_message().splitlines())
        raise fail(message.strip(), ExitCode(min(error.exit_code, ExitCode.USAGE))) from None


class OneLineErrors(TyperGroup):
    """The root command group: parsing and invoking under :func:`usage_errors`.

    (Contexts are typed ``Any``: typer's click ``Context`` class is private.)
    """

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        """Parse the arguments: errors are one line."""
        with usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        """Run the subcommand (parsing its arguments): errors are one line."""
        with usage_errors():
            return super().invoke(ctx)
