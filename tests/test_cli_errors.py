"""Errors become one line on stderr and an exit code, never a traceback."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from bankbot_tools import events
from bankbot_tools.cli import app
from bankbot_tools.cli.common import ExitCode, Failed, command
from bankbot_tools.portfolio.job import TooManyRejects
from tests.processes import bankbot

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
    """loan-calc --csv under a file (not a folder) is a usage error naming the path and reason."""
    (tmp_path / "afile").write_text("")
    target = tmp_path / "afile" / "x.csv"
    args = ["loan-calc", "--amount", "1000", "--rate", "0.05", "--months", "12"]
    result = runner.invoke(app, [*args, "--csv", str(target)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert _message(result) == f"bankbot: error: {tmp_path / 'afile'}: Not a directory"


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


def _one_event(log: Path) -> dict[str, Any]:
    """The one cli.command event in an event log."""
    lines = log.read_text(encoding="utf-8").splitlines()
    (event,) = [e for e in map(json.loads, lines) if e["event"] == "cli.command"]
    return dict(event)


@pytest.mark.parametrize(
    ("error", "code", "error_type"),
    [
        (Failed("check failed"), ExitCode.FAILED, "Failed"),
        (TooManyRejects("check failed"), ExitCode.FAILED, "TooManyRejects"),
        (ValueError("check failed"), ExitCode.USAGE, "ValueError"),
    ],
)
def test_command_is_where_errors_become_exit_codes(
    capsys: pytest.CaptureFixture[str], error: Exception, code: ExitCode, error_type: str
) -> None:
    """command() turns a raised error into its exit code, one stderr line and one event."""
    stream = io.StringIO()
    events.configure(stream=stream)
    with pytest.raises(typer.Exit) as done, command("demo"):
        raise error
    assert done.value.exit_code == code
    assert capsys.readouterr().err == "bankbot: error: check failed\n"
    (line,) = stream.getvalue().splitlines()
    event = json.loads(line)
    assert (event["status"], event["error_type"], event["exit_code"]) == ("error", error_type, code)


def test_too_many_rejects_is_one_line_and_one_event(runner: CliRunner, tmp_path: Path) -> None:
    """--max-rejects exceeded: exit 1, one error line, one event naming TooManyRejects."""
    log = tmp_path / "events.jsonl"
    args = ["--log-file", str(log), "batch", "run", str(SAMPLE), "--out", str(tmp_path / "s.csv")]
    result = runner.invoke(app, [*args, "--max-rejects", "1"])
    assert result.exit_code == 1
    assert "more than --max-rejects 1" in _message(result)
    event = _one_event(log)
    assert (event["status"], event["error_type"], event["exit_code"]) == (
        "error",
        "TooManyRejects",
        1,
    )


def test_schema_drift_is_one_line_and_one_event(runner: CliRunner, tmp_path: Path) -> None:
    """--check on drift: the diff on stdout, exit 1, one error line, one SchemaDrift event."""
    log, committed = tmp_path / "events.jsonl", tmp_path / "tools.json"
    committed.write_text("{}\n", encoding="utf-8")
    result = runner.invoke(
        app, ["--log-file", str(log), "schemas", "export", "--check", str(committed)]
    )
    assert result.exit_code == 1
    assert result.stdout.startswith(f"--- {committed}\n")
    assert _message(result).startswith(f"bankbot: error: {committed} has drifted from the code")
    event = _one_event(log)
    assert (event["status"], event["error_type"], event["exit_code"]) == ("error", "SchemaDrift", 1)


#: Arguments Typer itself refuses, and the start of its one-line message.
USAGE_ERRORS = [
    (["batch", "run", "x.csv", "--chunk-size", "0"], "Invalid value for '--chunk-size'"),
    (["batch", "run"], "Missing argument 'INPUT'."),
    (["batch", "run", "x.csv", "--chunk", "3"], "No such option: --chunk"),
    (["batch", "run", "x.csv", "--input-format", "xml"], "Invalid value for '--input-format'"),
    (["--bogus"], "No such option: --bogus"),
    (["nope"], "No such command"),
    (["analytics", "summary"], "Missing argument 'path'."),
    (["loan-calc", "--amount", "1"], "Missing option"),
]


@pytest.mark.parametrize(("args", "start"), USAGE_ERRORS)
def test_typer_usage_errors_are_one_line_exit_2(
    runner: CliRunner, args: list[str], start: str
) -> None:
    """Typer's own checks print `bankbot: error: ...` on one line, exit 2, no panel."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert _message(result).startswith(f"bankbot: error: {start}")
    assert "╭" not in result.output and "Usage:" not in result.stderr


def test_missing_analytics_log_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    """analytics summary of a path that does not exist: one line naming it, exit 2."""
    result = runner.invoke(app, ["analytics", "summary", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2
    assert (
        _message(result) == f"bankbot: error: {tmp_path / 'none.jsonl'}: No such file or directory"
    )


@pytest.mark.parametrize(("args", "start"), USAGE_ERRORS[:5])
def test_usage_errors_in_a_process_are_one_line_and_one_event(args: list[str], start: str) -> None:
    """The real program: exit 2, one `bankbot: error:` line and one UsageError event."""
    done = bankbot(args)
    assert done.returncode == 2
    events_ = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    others = [line for line in done.stderr.splitlines() if not line.startswith("{")]
    assert len(others) == 1 and others[0].startswith(f"bankbot: error: {start}"), done.stderr
    (event,) = events_
    assert (event["event"], event["error_type"], event["exit_code"]) == (
        "cli.command",
        "UsageError",
        2,
    )


def test_help_version_and_bare_group_still_work() -> None:
    """--help and --version exit 0 on stdout; a group without a command shows its help."""
    help_ = bankbot(["batch", "run", "--help"])
    assert help_.returncode == 0 and "--delimiter" in help_.stdout
    version = bankbot(["--version"])
    assert version.returncode == 0 and version.stdout.startswith("bankbot ")
    bare = bankbot(["batch"])
    assert bare.returncode == 2 and "run" in bare.stdout + bare.stderr
    assert "bankbot: error" not in bare.stderr


def test_batch_run_reads_excel_unicode_text_with_options(runner: CliRunner, tmp_path: Path) -> None:
    """--encoding utf-16 --delimiter tab reads Excel's "Unicode Text" export."""
    source = tmp_path / "in.txt"
    lines = ["loan_id\tprincipal\tannual_rate\tterm_months", "A\t1000\t0.05\t12"]
    source.write_bytes("\r\n".join(lines).encode("utf-16"))
    args = ["batch", "run", str(source), "--input-format", "csv", "--out", str(tmp_path / "s.csv")]
    result = runner.invoke(app, [*args, "--encoding", "utf-16", "--delimiter", "tab"])
    assert result.exit_code == 0, result.stderr
    assert "1 loans processed, 0 rejected of 1 rows" in result.stdout
    plain = runner.invoke(app, [*args[:-2], "--out", str(tmp_path / "t.csv")])
    assert plain.exit_code == 2
    assert "UTF-16" in _message(plain)
