"""``bankbot tools call``: run one LLM tool call from the shell, as the model would."""

from __future__ import annotations

from typing import Annotated

import typer

from bankbot_tools.cli.common import ExitCode, print_json

tools_app = typer.Typer(help="Run the LLM tools from the shell, as the model would call them.")


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
    import asyncio

    from bankbot_tools.llm.dispatch import dispatch

    answer = asyncio.run(dispatch(name, args))
    print_json(answer)
    if not answer["ok"]:
        raise typer.Exit(int(ExitCode.FAILED))
