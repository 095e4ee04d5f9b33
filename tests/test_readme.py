"""README's shell and Python examples run as written."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bankbot_tools.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(bash|python)\n(.*?)```", README, flags=re.S)

#: Shell lines that are not `bankbot` runs here: installs, containers, servers, file setup,
#: packing an environment for a cluster.
NOT_RUN_HERE = (
    "pip ",
    "docker ",
    "mkdir ",
    "cp ",
    "echo ",
    "bash ",
    "python batch/",
    "python -m ",
    "BANKBOT_MCP",
    "env/bin/",
    "PYSPARK_PYTHON=",
    "dask ",
)
#: Addresses of clusters that do not exist on a test machine.
CLUSTERS = ("tcp://", "spark://")
#: `bankbot` commands that run until their client goes away (tests/test_mcp_server.py covers them).
LONG_RUNNING = ("serve",)


def _shell_commands() -> list[str]:
    commands = []
    for kind, body in BLOCKS:
        if kind != "bash":
            continue
        for line in body.replace("\\\n", " ").splitlines():
            line = line.strip()
            runnable = not line.startswith(NOT_RUN_HERE) and not any(c in line for c in CLUSTERS)
            if line and runnable and not line.startswith("#"):
                commands.append(line)
    return commands


SHELL = _shell_commands()
PYTHON = [body for kind, body in BLOCKS if kind == "python"]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding every file the examples name."""
    shutil.copytree(ROOT / "batch", tmp_path / "batch")
    shutil.copy(ROOT / "tools.json", tmp_path / "tools.json")
    shutil.copy(ROOT / "bankbot.sample.toml", tmp_path / "bankbot.sample.toml")
    sample = pacsv.read_csv(ROOT / "batch" / "sample_portfolio.csv")
    pq.write_table(sample, tmp_path / "portfolio.parquet")
    (tmp_path / "portfolio").mkdir()
    pq.write_table(sample, tmp_path / "portfolio" / "part-0.parquet")
    renamed = sample.rename_columns(
        [
            "amount" if n == "principal" else "term" if n == "term_months" else n
            for n in sample.column_names
        ]
    )
    pacsv.write_csv(renamed, tmp_path / "loans.csv")
    log = tmp_path / "events.jsonl"
    log.write_text('{"event": "cli.command", "command": "x", "status": "ok", "duration_ms": 1}\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_has_examples() -> None:
    """The extraction finds the examples (so the tests below are not vacuous)."""
    assert len(SHELL) >= 10 and len(PYTHON) >= 2


@pytest.mark.parametrize("line", SHELL)
def test_shell_example_runs(line: str, workdir: Path, runner: CliRunner) -> None:
    """Each `bankbot ...` line of README exits 0, or the code its comment states (`# exit 1`)."""
    argv = shlex.split(line, comments=True)
    stated = re.search(r"#\s*exit (\d)", line)
    assert argv[0] == "bankbot", line
    if argv[1] in LONG_RUNNING:
        pytest.skip("a server: tests/test_mcp_server.py runs it")
    result = runner.invoke(app, argv[1:])
    assert result.exit_code == (int(stated.group(1)) if stated else 0), (line, result.output)


@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_example_runs(code: str, workdir: Path) -> None:
    """Each Python block of README runs in a fresh interpreter without error."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
