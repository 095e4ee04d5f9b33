"""Every command documents itself with a runnable example."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from bankbot_tools.cli import app


def _commands(group: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    subcommands = getattr(group, "commands", {})
    if not subcommands:
        yield path
    for name, command in subcommands.items():
        yield from _commands(command, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_walk_finds_every_command() -> None:
    """The walk reaches the leaf commands of every sub-app."""
    assert {"loan-calc", "payment-plan", "compliance-test"} <= {path[0] for path in COMMANDS}
    assert ("batch", "run") in COMMANDS and ("schemas", "export") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_help_shows_an_example(runner: CliRunner, path: tuple[str, ...]) -> None:
    """--help on each command exits 0 and shows an `Example: bankbot ...` line."""
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert f"bankbot {' '.join(path)}" in result.stdout
    assert "Example" in result.stdout
