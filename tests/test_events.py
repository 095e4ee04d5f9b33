"""Analytics events: one JSON event per invocation, a fixed schema, nothing identifying."""

from __future__ import annotations

import asyncio
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from bankbot_tools import events
from bankbot_tools.cli import app
from bankbot_tools.events.schema import event_schema
from bankbot_tools.events.summary import summary
from bankbot_tools.llm.dispatch import dispatch
from tests.processes import bankbot

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
CALC = ["loan-calc", "--amount", "123456.78", "--rate", "0.065", "--months", "360", "--json"]
#: Identifying values fed in below; none may reach an event.
SECRETS = ("123456.78", "12345678", "98765.43", "Zyxwv", "000123459876", "call_SECRET42")


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


VALIDATOR = Draft202012Validator(event_schema())


def _assert_schema(event: dict[str, Any]) -> None:
    """The event validates against the schema the package ships, timestamp in UTC with Z."""
    VALIDATOR.validate(event)
    assert TIMESTAMP.match(event["timestamp"])


def test_invocation_event_has_the_schema_fields() -> None:
    """An invocation writes one JSON line with every schema field, timestamp in UTC with Z."""
    stream = io.StringIO()
    events.configure(stream=stream)
    with events.invocation("cli.command", source="cli", command="demo") as facts:
        facts["term_months"] = 12
    (line,) = stream.getvalue().splitlines()
    event = json.loads(line)
    _assert_schema(event)
    assert (event["command"], event["status"], event["error_type"]) == ("demo", "ok", None)
    assert event["term_months"] == 12


def test_an_exception_is_one_error_event() -> None:
    """An exception leaving the block is one event with status error and its type."""
    stream = io.StringIO()
    events.configure(stream=stream)
    with pytest.raises(KeyError), events.invocation("tool.invoked", source="tool", tool="t"):
        raise KeyError("x")
    (line,) = stream.getvalue().splitlines()
    event = json.loads(line)
    assert (event["status"], event["error_type"], event["level"]) == ("error", "KeyError", "error")


def test_configure_again_closes_the_log_file_it_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reconfiguring closes the log file configure opened before, never a caller's stream."""
    opened: list[Any] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, *args, **kwargs)
        opened.append(handle)
        return handle

    monkeypatch.setattr(Path, "open", spy)
    first, second, stream = tmp_path / "1.jsonl", tmp_path / "2.jsonl", io.StringIO()
    events.configure(log_file=first)
    events.emit("tool.invoked", source="tool", duration_ms=1.0, tool="one")
    events.configure(log_file=second)
    events.emit("tool.invoked", source="tool", duration_ms=1.0, tool="two")
    assert [handle.closed for handle in opened] == [True, False]
    events.configure(stream=stream)
    events.configure(stream=io.StringIO())
    assert opened[1].closed and not stream.closed
    assert [json.loads(line)["tool"] for line in first.read_text().splitlines()] == ["one"]
    assert [json.loads(line)["tool"] for line in second.read_text().splitlines()] == ["two"]


def test_counters_are_a_dict_per_name_and_status() -> None:
    """Counters read as {name: {status: count}}, counted even when nothing is written."""
    before = events.counters().get("counted", {}).get("error", 0)
    events.emit("tool.invoked", source="tool", duration_ms=1.0, tool="counted", status="error")
    table = events.counters()
    assert isinstance(table, dict) and table["counted"]["error"] == before + 1


def test_library_use_writes_nothing() -> None:
    """Importing and calling the tools without configure prints nothing at all."""
    code = (
        "import asyncio, bankbot_tools as b\n"
        "asyncio.run(b.dispatch('calculate_payment', '{\"principal\": 1}'))\n"
        "asyncio.run(b.dispatch('get_prompt', {'flow': 'kyc', 'params': {}}))\n"
        "b.get_prompt('kyc', {'bank_name': 'X'}, 'fr-FR')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_one_event_per_cli_process(tmp_path: Path) -> None:
    """A real `bankbot` process writes exactly one event to BANKBOT_LOG_FILE; stdout stays JSON."""
    log = tmp_path / "events.jsonl"
    done = bankbot(CALC, log)
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
    (event,) = _events(log)
    _assert_schema(event)
    assert (event["command"], event["source"], event["term_months"]) == ("loan-calc", "cli", 360)


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["loan-calc", "--amount", "5"], "loan-calc"),
        (["schemas", "export", "--format", "yaml"], "schemas export"),
        (["no-such-command"], "bankbot"),
    ],
)
def test_usage_error_is_one_error_event(tmp_path: Path, args: list[str], command: str) -> None:
    """A usage error click catches still writes exactly one event, with status error."""
    log = tmp_path / "events.jsonl"
    done = bankbot(args, log)
    assert done.returncode == 2
    (event,) = _events(log)
    _assert_schema(event)
    assert (event["command"], event["status"], event["error_type"]) == (
        command,
        "error",
        "UsageError",
    )


def test_tools_call_process_is_one_tool_event(tmp_path: Path) -> None:
    """`bankbot tools call` writes the tool call's event and nothing more."""
    log = tmp_path / "events.jsonl"
    done = bankbot(["tools", "call", "calculate_payment", "--args", "{}"], log)
    assert done.returncode == 1
    (event,) = _events(log)
    assert (event["event"], event["tool"], event["error_type"]) == (
        "tool.invoked",
        "calculate_payment",
        "missing_argument",
    )


def test_cli_runner_log_file_gets_one_event(tmp_path: Path, runner: CliRunner) -> None:
    """In-process, --log-file receives exactly one event per command and stdout has none."""
    log = tmp_path / "events.jsonl"
    done = runner.invoke(app, ["--log-file", str(log), *CALC])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["monthly_payment"]
    (event,) = _events(log)
    _assert_schema(event)


def test_console_format_is_for_humans(runner: CliRunner) -> None:
    """--log-format console writes a readable line, not JSON, on stderr."""
    done = runner.invoke(app, ["--log-format", "console", *CALC])
    assert done.exit_code == 0
    (line,) = done.stderr.splitlines()
    assert "cli.command" in line and not line.startswith("{")


def test_no_identifier_or_exact_amount_reaches_an_event(tmp_path: Path, runner: CliRunner) -> None:
    """A scan of every event finds no names, account numbers, call ids or exact amounts."""
    stream = io.StringIO()
    events.configure(stream=stream)
    kyc = {"bank_name": "Zyxwv Bank", "attempts_left": 1, "account_number": "000123459876"}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("calculate_payment", {"principal": 123456.78, "annual_rate": 0.05, "months": 60}),
        ("generate_plan", {"principal": "98765.43", "rates": [0.05], "terms": [60]}),
        ("get_prompt", {"flow": "kyc", "params": kyc}),
        ("get_prompt", {"flow": "kyc", "params": {"bank_name": "Zyxwv Bank"}}),
        ("call_SECRET42", {"principal": 123456.78}),
    ]
    for name, arguments in calls:
        asyncio.run(dispatch(name, arguments))
    log = tmp_path / "events.jsonl"
    runner.invoke(app, ["--log-file", str(log), *CALC])
    args = json.dumps({"flow": "kyc", "params": kyc})
    runner.invoke(app, ["--log-file", str(log), "tools", "call", "get_prompt", "--args", args])
    text = stream.getvalue() + log.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 7
    for secret in SECRETS:
        assert secret not in text


SAMPLE = Path(__file__).resolve().parent.parent / "batch" / "sample_portfolio.csv"
PLAN_ARGS = {"principal": 20000, "rates": [0.07, 0.05], "terms": [12, 48], "extra": 500}


def test_every_event_validates_and_is_counted_well_formed(
    tmp_path: Path, runner: CliRunner
) -> None:
    """Events from every source validate against schema.json; analytics summary reads them all."""
    log = tmp_path / "events.jsonl"
    invocations = [
        CALC,
        ["payment-plan", "--amount", "20000", "--rates", "0.07,0.05", "--terms", "12,48"],
        ["compliance-test", "--flow", "kyc", "--param", "bank_name=Acme Bank"],
        ["batch", "run", str(SAMPLE), "--out", str(tmp_path / "s.csv"), "--chunk-size", "50"],
        ["tools", "call", "calculate_payment", "--args", json.dumps(PAYMENT_ARGS)],
        ["tools", "call", "no_such_tool"],
        ["schemas", "list"],
        ["loan-calc", "--amount", "0", "--rate", "0.05", "--months", "12"],
    ]
    for argv in invocations:
        runner.invoke(app, ["--log-file", str(log), *argv])
    bankbot(["no-such-command"], log)
    written = _events(log)
    assert {e["event"] for e in written} == {
        "cli.command",
        "tool.invoked",
        "batch.chunk",
        "batch.run",
    }
    for event in written:
        _assert_schema(event)
    read = summary(log)
    assert (read.lines, read.malformed) == (len(written), 0)


PAYMENT_ARGS = {"principal": 200000, "annual_rate": 0.065, "months": 360}


def test_cli_and_tool_record_the_same_facts_for_a_plan(tmp_path: Path, runner: CliRunner) -> None:
    """payment-plan and the generate_plan tool describe the same plan with the same facts."""
    log = tmp_path / "events.jsonl"
    argv = ["payment-plan", "--amount", "20000", "--rates", "0.07,0.05", "--terms", "12,48"]
    runner.invoke(app, ["--log-file", str(log), *argv, "--extra", "500"])
    runner.invoke(
        app,
        ["--log-file", str(log), "tools", "call", "generate_plan", "--args", json.dumps(PLAN_ARGS)],
    )
    cli, tool = _events(log)
    facts = ("term_months", "payments", "frequency", "segments", "amount_bucket", "extra")
    assert [cli[k] for k in facts] == [tool[k] for k in facts]
    assert [cli[k] for k in facts] == [60, 60, "monthly", 2, "10k-100k", True]


LOAN = ["loan-calc", "--amount", "20000", "--rate", "0.07"]
PLAN = ["payment-plan", "--amount", "20000", "--rates", "0.07,0.05"]


@pytest.mark.parametrize(
    ("argv", "tool", "arguments", "months"),
    [
        (
            [*LOAN, "--payments", "26", "--frequency", "biweekly"],
            "calculate_payment",
            {"principal": 20000, "annual_rate": 0.07, "months": None, "payments": 26},
            12,
        ),
        (
            [*LOAN, "--payments", "53", "--frequency", "weekly"],
            "calculate_payment",
            {"principal": 20000, "annual_rate": 0.07, "months": None, "payments": 53},
            13,
        ),
        (
            [*PLAN, "--terms", "26,104", "--frequency", "biweekly"],
            "generate_plan",
            {"principal": 20000, "rates": [0.07, 0.05], "terms": [26, 104]},
            60,
        ),
    ],
)
def test_term_months_of_a_non_monthly_loan_is_months(
    tmp_path: Path,
    runner: CliRunner,
    argv: list[str],
    tool: str,
    arguments: dict[str, Any],
    months: int,
) -> None:
    """26 biweekly payments are 12 months (53 weekly ones 13, rounded up): CLI and tool agree."""
    log = tmp_path / "events.jsonl"
    frequency = argv[-1]
    done = runner.invoke(app, ["--log-file", str(log), *argv])
    assert done.exit_code == 0, done.stderr
    call = ["tools", "call", tool, "--args", json.dumps({**arguments, "frequency": frequency})]
    assert runner.invoke(app, ["--log-file", str(log), *call]).exit_code == 0
    cli, answered = _events(log)
    payments = sum(arguments.get("terms", [])) or arguments.get("payments")
    for event in (cli, answered):
        _assert_schema(event)
        assert (event["term_months"], event["payments"], event["frequency"]) == (
            months,
            payments,
            frequency,
        )


def test_event_schema_lists_every_frequency() -> None:
    """The event schema's frequency enum is the loan engine's frequencies."""
    from bankbot_tools.conventions import Frequency

    assert event_schema()["properties"]["frequency"]["enum"] == [f.value for f in Frequency]


def test_analytics_schema_prints_the_shipped_schema(runner: CliRunner) -> None:
    """`bankbot analytics schema` prints the JSON Schema the events are validated against."""
    done = runner.invoke(app, ["analytics", "schema"])
    assert done.exit_code == 0
    assert json.loads(done.stdout) == event_schema()


def test_events_on_a_terminal_are_quiet_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """auto writes nothing to a terminal's stderr; json writes there all the same."""
    written: list[str] = []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    events.configure(events.LogFormat.AUTO)
    events.record("cli.command", source="cli", started=0.0, command="demo")
    written.append(terminal.getvalue())
    events.configure(events.LogFormat.JSON)
    events.record("cli.command", source="cli", started=0.0, command="demo")
    assert written == [""]
    (line,) = terminal.getvalue().splitlines()
    assert json.loads(line)["command"] == "demo"
