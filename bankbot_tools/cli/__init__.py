"""The ``bankbot`` Typer app: parse, call the core, render, map errors to exit codes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from bankbot_tools import __version__, events
from bankbot_tools.cli.batch import batch_app
from bankbot_tools.cli.compliance import compliance_test
from bankbot_tools.cli.loan import loan_calc, payment_plan

app = typer.Typer(
    name="bankbot",
    help="Domain-logic tools behind a banking voicebot: loans, plans, compliance prompts, "
    "LLM tool schemas and batch portfolios. One JSON analytics event per invocation on stderr.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("loan-calc")(loan_calc)
app.command("payment-plan")(payment_plan)
app.add_typer(batch_app, name="batch")
app.command("compliance-test")(compliance_test)


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
        events.LogFormat, typer.Option(help="Events as JSON lines, or console lines for humans.")
    ] = events.LogFormat.JSON,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    events.configure(log_format, log_file)


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("COLUMNS", os.environ.get("COLUMNS", "120"))
    app()
