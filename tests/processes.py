"""The CLI as a real process: exit code, stdout and stderr as a user sees them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def bankbot(args: list[str], log_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bankbot_tools ARGS`: events to ``log_file`` (BANKBOT_LOG_FILE), else stderr."""
    env = {k: v for k, v in os.environ.items() if k != "BANKBOT_LOG_FILE"}
    if log_file is not None:
        env["BANKBOT_LOG_FILE"] = str(log_file)
    return subprocess.run(
        [sys.executable, "-m", "bankbot_tools", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
