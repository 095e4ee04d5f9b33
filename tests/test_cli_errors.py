"""Errors become one line on stderr and an exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bankbot_tools.cli import app

SAMPLE = Path(__file__).resolve().parent.parent / "batch" / "sample_portfolio.csv"


def _message(result: Result) -> str:
    """The one error line on stderr (event lines are JSON and skipped)."""
    lines = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bankbot: error: ")
    return lines[0]


def test_unwritable_csv_path_exits_2_naming_path_and_reason(
    runner: CliRunner, tmp_path: Path
) -> None:
    """loan-calc --csv into a missing folder is a usage error naming the path and the reason."""
    target = tmp_path / "missing" / "x.csv"
    args = ["loan-calc", "--amount", "1000", "--rate", "0.05", "--months", "12"]
    result = runner.invoke(app, [*args, "--csv", str(target)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert _message(result) == f"bankbot: error: {target}: No such file or directory"


def test_check_against_a_directory_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    """schemas export --check DIR says the path is a directory, exit 2."""
    result = runner.invoke(app, ["schemas", "export", "--check", str(tmp_path)])
    assert result.exit_code == 2
    assert _message(result) == f"bankbot: error: {tmp_path}: Is a directory"


def test_rejects_under_a_file_exits_2_and_leaves_no_temp_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--rejects under a regular file: exit 2, one line naming the file, no temp file left."""
    monkeypatch.chdir(tmp_path)
    Path("afile").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["batch", "run", str(SAMPLE), "--rejects", "afile/x.csv"])
    assert result.exit_code == 2
    assert _message(result) == "bankbot: error: afile: Not a directory"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["afile"]
