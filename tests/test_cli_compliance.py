"""bankbot compliance-test through Typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bankbot_tools.cli import app
from bankbot_tools.cli.compliance import parse_params
from bankbot_tools.compliance import flows
from bankbot_tools.compliance.check import CheckResult

KYC = ["compliance-test", "--flow", "kyc", "--param", "bank_name=Acme Bank"]


def test_one_flow_json(runner: CliRunner) -> None:
    """--flow with --json prints one JSON document with provenance, text and spoken text."""
    result = runner.invoke(app, [*KYC, "--param", "attempts_left=2", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["template_id"] == "kyc.en-US" and doc["version"] == "1.0.0"
    assert doc["fallback"] is False and doc["locale"] == "en-US"
    assert "Attempts remaining: 2." in doc["text"]
    assert "Attempts remaining: two." in doc["spoken_text"]


def test_one_flow_table_in_spanish(runner: CliRunner) -> None:
    """The rich view shows template, version, locale used and both texts."""
    result = runner.invoke(app, [*KYC, "--param", "attempts_left=2", "--locale", "es-MX"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "kyc.es-US" in out and "1.0.0" in out and "es-US (requested es-MX)" in out
    assert "fallback no" in out and "Intentos restantes: dos." in out


def test_missing_param_shows_fallback_and_keeps_stdout_json(runner: CliRunner) -> None:
    """A missing param renders the fallback; stdout stays one JSON document."""
    result = runner.invoke(app, [*KYC, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["fallback"] is True
    assert doc["fallback_reason"] == "missing required param 'attempts_left'"


def test_check_all_table_passes(runner: CliRunner) -> None:
    """--all prints a pass table for every flow and locale and exits 0."""
    result = runner.invoke(app, ["compliance-test", "--all"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("PASS") == len(flows.FLOWS) * len(flows.LOCALES)
    assert "FAIL" not in result.stdout


def test_check_all_json(runner: CliRunner) -> None:
    """--all --json prints one document with every case."""
    result = runner.invoke(app, ["compliance-test", "--all", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["passed"] is True and doc["failed"] == 0
    assert doc["checks"] == len(doc["results"]) > 0


def test_check_all_fails_with_exit_1(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failing check makes --all exit 1 and show FAIL."""
    failing = [CheckResult("kyc", "en-US", "sample", ("text: leftover '$x'",))]
    monkeypatch.setattr("bankbot_tools.compliance.check.check_all", lambda: failing)
    result = runner.invoke(app, ["compliance-test", "--all"])
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "leftover '$x'" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--flow", "mortgage"], "unknown flow 'mortgage'; known flows: kyc"),
        (["--flow", "kyc", "--param", "bank_name"], "--param must be NAME=VALUE"),
        (["--flow", "kyc", "--param", "=x"], "--param must be NAME=VALUE"),
        (["--flow", "kyc", "--param", "a=1", "--param", "a=2"], "given twice"),
        ([], "give either --flow FLOW or --all"),
        (["--all", "--flow", "kyc"], "give either --flow FLOW or --all"),
        (["--all", "--param", "a=1"], "--param only applies with --flow"),
    ],
)
def test_bad_usage_exits_2_with_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    """Bad usage exits 2 with a one-line message and no traceback."""
    result = runner.invoke(app, ["compliance-test", *args])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("bankbot: error:")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_help_shows_an_example(runner: CliRunner) -> None:
    """--help shows a runnable example."""
    result = runner.invoke(app, ["compliance-test", "--help"])
    assert result.exit_code == 0
    assert "Example: bankbot compliance-test --flow kyc" in result.stdout


def test_parse_params_keeps_equals_in_values() -> None:
    """Only the first '=' splits a --param; the value keeps the rest verbatim."""
    assert parse_params(["note=a=b", "x="]) == {"note": "a=b", "x": ""}
