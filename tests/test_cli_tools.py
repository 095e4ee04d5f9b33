"""`bankbot schemas`, `bankbot tools` and `bankbot analytics` through CliRunner."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bankbot_tools.cli import app
from bankbot_tools.llm import schemas
from bankbot_tools.llm.schemas import SchemaFormat

PAYMENT = '{"principal": 200000, "annual_rate": 0.065, "months": 360}'


@pytest.mark.parametrize("fmt", list(SchemaFormat))
def test_export_prints_the_schemas(runner: CliRunner, fmt: SchemaFormat) -> None:
    """schemas export prints exactly the library's export on stdout."""
    done = runner.invoke(app, ["schemas", "export", "--format", str(fmt)])
    assert done.exit_code == 0
    assert done.stdout == schemas.export(fmt)


def test_export_out_writes_the_file(runner: CliRunner, tmp_path: Path) -> None:
    """--out writes the export to a file and nothing to stdout."""
    out = tmp_path / "nested" / "tools.json"
    done = runner.invoke(app, ["schemas", "export", "--out", str(out)])
    assert done.exit_code == 0 and done.stdout == ""
    assert out.read_text(encoding="utf-8") == schemas.export()
    assert [p.name for p in out.parent.iterdir()] == ["tools.json"]


def test_export_out_file_has_ordinary_permissions(runner: CliRunner, tmp_path: Path) -> None:
    """--out creates the file with the umask's permissions, like any new file (not 0600)."""
    out, plain = tmp_path / "tools.json", tmp_path / "plain.json"
    plain.write_text("", encoding="utf-8")
    done = runner.invoke(app, ["schemas", "export", "--out", str(out)])
    assert done.exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_check_passes_on_the_committed_file(runner: CliRunner, tmp_path: Path) -> None:
    """--check exits 0 and prints nothing when the file matches the code."""
    committed = tmp_path / "tools.json"
    committed.write_text(schemas.export(), encoding="utf-8")
    done = runner.invoke(app, ["schemas", "export", "--check", str(committed)])
    assert (done.exit_code, done.stdout) == (0, "")


def test_check_fails_with_a_diff_on_drift(runner: CliRunner, tmp_path: Path) -> None:
    """--check exits 1 and prints a unified diff when the committed file has drifted."""
    committed = tmp_path / "tools.json"
    committed.write_text(schemas.export().replace("0.065", "6.5"), encoding="utf-8")
    done = runner.invoke(app, ["schemas", "export", "--check", str(committed)])
    assert done.exit_code == 1
    assert done.stdout.startswith(f"--- {committed}\n+++ ")
    assert "-" in done.stdout and "+" in done.stdout and "0.065" in done.stdout
    assert "drifted" in done.stderr


def test_check_fails_when_the_file_is_missing(runner: CliRunner, tmp_path: Path) -> None:
    """A missing committed file is drift: exit 1 with the whole export as the diff."""
    done = runner.invoke(app, ["schemas", "export", "--check", str(tmp_path / "tools.json")])
    assert done.exit_code == 1 and '+      "name": "calculate_payment",' in done.stdout


def test_out_and_check_together_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """--out with --check exits 2 with one error line."""
    path = str(tmp_path / "tools.json")
    done = runner.invoke(app, ["schemas", "export", "--out", path, "--check", path])
    assert done.exit_code == 2 and "either --out or --check" in done.stderr


def test_list_shows_every_tool(runner: CliRunner) -> None:
    """schemas list shows each tool with its parameters, optional ones marked."""
    done = runner.invoke(app, ["schemas", "list"])
    assert done.exit_code == 0
    for name in schemas.TOOLS:
        assert name in done.stdout
    assert "locale?" in done.stdout


def test_tools_call_prints_the_answer(runner: CliRunner) -> None:
    """tools call prints the dispatcher's answer as JSON and exits 0 when ok."""
    done = runner.invoke(app, ["tools", "call", "calculate_payment", "--args", PAYMENT])
    assert done.exit_code == 0
    assert json.loads(done.stdout)["result"]["monthly_payment"] == 1264.14


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["tools", "call", "calculate_payment", "--args", '{"principal": 200000'], "invalid_json"),
        (["tools", "call", "calculate_payment"], "missing_argument"),
        (["tools", "call", "wire_transfer", "--args", "{}"], "unknown_tool"),
    ],
)
def test_tools_call_errors_are_structured_and_exit_1(
    runner: CliRunner, args: list[str], kind: str
) -> None:
    """A tool error, bad JSON in --args included, is a JSON answer on stdout and exit 1."""
    done = runner.invoke(app, args)
    assert done.exit_code == 1
    answer = json.loads(done.stdout)
    assert answer["ok"] is False and answer["error"]["type"] == kind


def _events_log(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    lines = [
        {"event": "tool.invoked", "tool": "get_prompt", "status": "ok", "duration_ms": 1.0},
        {"event": "tool.invoked", "tool": "get_prompt", "status": "fallback", "duration_ms": 3.0},
    ]
    path.write_text("\n".join(map(json.dumps, lines)) + "\nnot json\n", encoding="utf-8")
    return path


def test_analytics_summary_json(runner: CliRunner, tmp_path: Path) -> None:
    """analytics summary --json prints the per-tool rows and the malformed count."""
    done = runner.invoke(app, ["analytics", "summary", str(_events_log(tmp_path)), "--json"])
    assert done.exit_code == 0
    document = json.loads(done.stdout)
    assert (document["lines"], document["malformed"]) == (3, 1)
    (row,) = document["rows"]
    assert (row["name"], row["calls"], row["fallback_rate"], row["p50_ms"]) == (
        "get_prompt",
        2,
        0.5,
        2.0,
    )


def test_analytics_summary_table(runner: CliRunner, tmp_path: Path) -> None:
    """analytics summary prints a table and the skipped-line count."""
    done = runner.invoke(app, ["analytics", "summary", str(_events_log(tmp_path))])
    assert done.exit_code == 0
    assert "get_prompt" in done.stdout and "1 malformed skipped" in done.stdout


def test_analytics_summary_missing_file_is_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """A missing event log exits 2."""
    done = runner.invoke(app, ["analytics", "summary", str(tmp_path / "none.jsonl")])
    assert done.exit_code == 2


@pytest.mark.parametrize(
    "command",
    [
        ["schemas"],
        ["schemas", "export"],
        ["schemas", "list"],
        ["tools"],
        ["tools", "call"],
        ["analytics"],
        ["analytics", "summary"],
    ],
)
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    """Every new command and group answers --help."""
    done = runner.invoke(app, [*command, "--help"])
    assert done.exit_code == 0 and "Usage" in done.stdout
