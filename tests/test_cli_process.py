"""The installed `bankbot` program, run as a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

CALC = ["loan-calc", "--amount", "200000", "--rate", "0.065", "--months", "360", "--json"]


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BANKBOT_LOG_FILE": ""}
    env.pop("BANKBOT_LOG_FILE")
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, check=False)


@pytest.mark.parametrize(
    "program",
    [
        pytest.param([sys.executable, "-m", "bankbot_tools"], id="python -m"),
        pytest.param([shutil.which("bankbot") or "bankbot"], id="console script"),
    ],
)
def test_json_on_stdout_one_event_on_stderr(program: list[str]) -> None:
    """stdout is pure JSON for scripts; stderr carries exactly one JSON event."""
    if program[0] == "bankbot" and shutil.which("bankbot") is None:
        pytest.skip("console script not installed")
    done = _run([*program, *CALC])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["monthly_payment"] == 1264.14
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["command"] == "loan-calc" and event["status"] == "ok"


def test_bad_input_exits_2_without_traceback() -> None:
    """A bad rate exits 2 with one error line and one error event."""
    done = _run([sys.executable, "-m", "bankbot_tools", *CALC[:4], "6.5", "--months", "360"])
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("bankbot: error:")]
    assert errors == [
        "bankbot: error: annual_rate must be < 1 (got '6.5'): 6.5 looks like a percent, use 0.065"
    ]
