"""bankbot compliance-test through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bankbot_tools.cli import app
from bankbot_tools.cli.compliance import parse_params
from bankbot_tools.compliance import flows
from bankbot_tools.compliance.check import CheckResult

KYC = ["compliance-test", "--flow", "kyc"]
SAMPLE = Path(__file__).parent.parent / "bankbot.sample.toml"


def test_one_flow_json(runner: CliRunner) -> None:
    """--flow with --json prints one JSON document with provenance, text and spoken text."""
    result = runner.invoke(app, [*KYC, "--param", "attempts_left=2", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["template_id"] == "kyc.en-US" and doc["version"] == "2.0.0"
    assert doc["ssml"].startswith("<speak") and doc["config"] == "sample"
    assert doc["fallback"] is False and doc["locale"] == "en-US"
    assert "Attempts remaining: 2." in doc["text"]
    assert "Attempts remaining: two." in doc["spoken_text"]


def test_one_flow_table_in_spanish(runner: CliRunner) -> None:
    """The rich view shows template, version, locale used and both texts."""
    result = runner.invoke(app, [*KYC, "--param", "attempts_left=2", "--locale", "es-MX"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "kyc.es-US" in out and "2.0.0" in out and "es-US (requested es-MX)" in out
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
    monkeypatch.setattr("bankbot_tools.compliance.check.check_all", lambda config=None: failing)
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
        ([], "give one of --flow FLOW, --all, --transcript DIR or --call-window TZ"),
        (["--all", "--flow", "kyc"], "give one of --flow FLOW, --all"),
        (["--call-window", "Mars/Base"], "unknown time zone 'Mars/Base'"),
        (["--call-window", "UTC", "--at", "2026-03-04T15:00"], "must include a UTC offset"),
        (["--all", "--config", "/no/such/bankbot.toml"], "/no/such/bankbot.toml: cannot read"),
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


@pytest.mark.parametrize(
    ("at", "permitted", "code"),
    [("2026-03-04T15:00:00Z", True, 0), ("2026-03-04T03:30:00Z", False, 1)],
)
def test_call_window_json_and_exit_code(
    runner: CliRunner, at: str, permitted: bool, code: int
) -> None:
    """--call-window answers in JSON and exits 1 when a collection call is not permitted."""
    args = ["compliance-test", "--call-window", "America/Chicago", "--at", at, "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    doc = json.loads(result.stdout)
    assert doc["permitted"] is permitted and doc["time_zone"] == "America/Chicago"


def test_transcript_writes_text_and_ssml_per_case(runner: CliRunner, tmp_path: Path) -> None:
    """--transcript writes a .txt and an .ssml per flow x locale x case, headed by id@version."""
    result = runner.invoke(app, ["compliance-test", "--transcript", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    first = tmp_path / "t" / "en-US" / "mini_miranda.contact=voicemail.txt"
    assert first.read_text("utf-8").startswith("# mini_miranda.en-US@")
    ssml = (tmp_path / "t" / "es-US" / "kyc.attempts_left=0.ssml").read_text("utf-8")
    assert '<mark name="kyc.es-US.locked@' in ssml
    for locale in flows.LOCALES:
        assert {p.stem.split(".")[0] for p in (tmp_path / "t" / locale).iterdir()} == set(
            flows.FLOWS
        )


def test_config_option_changes_who_is_calling(runner: CliRunner, tmp_path: Path) -> None:
    """--config names the configured bank in the prompt and marks the source."""
    text = SAMPLE.read_text("utf-8").replace('bank_name = "Acme Bank"', 'bank_name = "Zeta Bank"')
    config = tmp_path / "bankbot.toml"
    config.write_text(text, "utf-8")
    args = [*KYC, "--param", "attempts_left=1", "--config", str(config), "--json"]
    doc = json.loads(runner.invoke(app, args).stdout)
    assert "Zeta Bank needs to verify" in doc["text"] and doc["config"] == str(config)
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('"+15550101234"', '"555-0101"'), "utf-8")
    result = runner.invoke(app, [*KYC, "--config", str(bad)])
    assert result.exit_code == 2 and "callback_number: must be a US number" in result.stderr
