"""The ``bankbot`` Typer app: the command groups, the global options and the entry point."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from bankbot_tools import __version__, events
from bankbot_tools.cli.analytics import analytics_app
from bankbot_tools.cli.batch import batch_app
from bankbot_tools.cli.common import OneLineErrors, teardown_skipped
from bankbot_tools.cli.compliance import compliance_test
from bankbot_tools.cli.loan import loan_calc
from bankbot_tools.cli.plan import payment_plan
from bankbot_tools.cli.schemas import schemas_app
from bankbot_tools.cli.serve import serve
from bankbot_tools.cli.tools import tools_app

app = typer.Typer(
    name="bankbot",
    help="Domain-logic tools behind a banking voicebot: loans, plans, compliance prompts, "
    "LLM tool schemas and batch portfolios. One JSON analytics event per invocation on stderr "
    "(not shown when stderr is a terminal, unless --log-format json) or in --log-file.",
    no_args_is_help=True,
    cls=OneLineErrors,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)
app.command("loan-calc")(loan_calc)
app.command("payment-plan")(payment_plan)
app.add_typer(batch_app, name="batch")
app.command("compliance-test")(compliance_test)
app.add_typer(schemas_app, name="schemas")
app.add_typer(tools_app, name="tools")
app.add_typer(analytics_app, name="analytics")
app.command("serve")(serve)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bankbot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    log_file: Annotated[
        Path | None,
        typer.Option(
            help="Append analytics events to this file instead of stderr.",
            envvar="BANKBOT_LOG_FILE",
        ),
    ] = None,
    log_format: Annotated[
        events.LogFormat,
        typer.Option(
            help="auto: JSON lines, none on a terminal; json: always; console: for humans."
        ),
    ] = events.LogFormat.AUTO,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    events.configure(log_format, log_file)


def _exit_event(code: int, started: float) -> None:
    """The one event of an invocation that exited before any command emitted one.

    That is a usage error click caught (missing option, unknown command), ``--help``
    or ``--version``; the command is found by walking the arguments down the app.
    """
    if not events.is_configured():  # the exit came before the root callback ran
        log_file = os.environ.get("BANKBOT_LOG_FILE")
        events.configure(events.LogFormat.AUTO, Path(log_file) if log_file else None)
    node, names = typer.main.get_command(app), []
    for arg in sys.argv[1:]:
        commands = getattr(node, "commands", {})
        if arg in commands:
            node = commands[arg]
            names.append(arg)
    events.record(
        "cli.command",
        source="cli",
        started=started,
        command=" ".join(names) or "bankbot",
        status=events.Status.ERROR if code else events.Status.OK,
        error_type={0: None, 2: "UsageError"}.get(code, "SystemExit"),
        exit_code=code,
    )


def main() -> None:
    """Console-script entry point: every invocation emits one event, usage errors included."""
    events.new_run()
    started, emitted = time.perf_counter(), events.emitted()
    try:
        app()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else int(done.code is not None)
        if events.emitted() == emitted:
            _exit_event(code, started)
        if teardown_skipped():
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        raise
