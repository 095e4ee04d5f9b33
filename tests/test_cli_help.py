"""Every command documents itself with a runnable example."""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bankbot_tools.cli import app

SAMPLE = Path(__file__).resolve().parent.parent / "batch" / "sample_portfolio.csv"


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


#: Examples that run until a client disconnects; tests/test_mcp_server.py drives them.
LONG_RUNNING = ("serve",)


def _examples(path: tuple[str, ...]) -> list[str]:
    """The ``Example:`` command lines of a command's docstring, continuation lines joined."""
    command: object = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    text = command.help or ""  # type: ignore[attr-defined]
    examples = []
    for block in text.split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines()]
        if lines and lines[0].startswith("Example:"):
            first = lines[0].removeprefix("Example:").strip()
            joined = " ".join([first, *lines[1:]] if first else lines[1:])
            examples.append(joined.split(" > ")[0])
    return examples


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with what the examples name: the sample portfolio and an event log."""
    (tmp_path / "batch").mkdir()
    shutil.copy(SAMPLE, tmp_path / "batch" / "sample_portfolio.csv")
    event = {"event": "cli.command", "command": "loan-calc", "status": "ok", "duration_ms": 1}
    (tmp_path / "events.jsonl").write_text(json.dumps(event) + "\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("path", [p for p in COMMANDS if p[0] not in LONG_RUNNING], ids=" ".join)
def test_every_help_example_runs(runner: CliRunner, path: tuple[str, ...], workdir: Path) -> None:
    """Each `Example:` in a command's help runs as written and exits 0."""
    examples = _examples(path)
    assert examples, f"no example in the help of {' '.join(path)}"
    for example in examples:
        argv = shlex.split(example)
        assert argv[0] == "bankbot"
        result = runner.invoke(app, argv[1:])
        assert result.exit_code == 0, (example, result.output)
