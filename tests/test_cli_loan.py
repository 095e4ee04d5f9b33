"""loan-calc and payment-plan through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bankbot_tools.cli import app


def test_loan_calc_json_document(runner: CliRunner) -> None:
    """--json prints one JSON document with payment, totals and schedule."""
    result = runner.invoke(
        app, ["loan-calc", "--amount", "200000", "--rate", "0.065", "--months", "360", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["monthly_payment"] == 1264.14
    assert doc["last_payment"] == 1259.56
    assert doc["total_interest"] == 255085.82
    assert doc["total_paid"] == 455085.82
    assert len(doc["schedule"]) == 360
    assert doc["schedule"][-1]["balance"] == 0.0
    assert set(doc["schedule"][0]) == {"month", "payment", "interest", "principal", "balance"}


def test_loan_calc_table_shows_ends_of_long_schedules(runner: CliRunner) -> None:
    """The table shows the first and last rows and says how to see all."""
    result = runner.invoke(
        app, ["loan-calc", "--amount", "200000", "--rate", "0.065", "--months", "360"]
    )
    assert result.exit_code == 0
    assert "1,264.14" in result.stdout and "1,259.56" in result.stdout
    assert "348 rows hidden" in result.stdout
    full = runner.invoke(
        app, ["loan-calc", "--amount", "200000", "--rate", "0.065", "--months", "360", "--full"]
    )
    assert "hidden" not in full.stdout


def test_loan_calc_csv_file(runner: CliRunner, tmp_path: Path) -> None:
    """--csv writes the schedule with plain two-decimal amounts."""
    out = tmp_path / "schedule.csv"
    result = runner.invoke(
        app, ["loan-calc", "--amount", "1000", "--rate", "0.1", "--months", "3", "--csv", str(out)]
    )
    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "month,payment,interest,principal,balance"
    assert lines[-1] == "3,338.91,2.80,336.11,0.00"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--amount", "-5", "--rate", "0.05", "--months", "12"], "principal"),
        (["--amount", "1000", "--rate", "6.5", "--months", "12"], "annual_rate"),
        (["--amount", "1000", "--rate", "0.05", "--months", "0"], "months"),
        (["--amount", "abc", "--rate", "0.05", "--months", "12"], "principal"),
        (["--amount", "1000", "--rate", "0.05", "--months", "12", "--extra", "-1"], "extra"),
    ],
)
def test_bad_input_exits_2_with_one_line(runner: CliRunner, args: list[str], field: str) -> None:
    """Bad input exits 2 with a one-line message naming the field, no traceback."""
    result = runner.invoke(app, ["loan-calc", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("bankbot: error:")]
    assert len(errors) == 1 and field in errors[0]
    assert "Traceback" not in result.stderr


def test_percent_rate_gets_a_hint(runner: CliRunner) -> None:
    """A rate given as a percent is refused with the decimal to use instead."""
    result = runner.invoke(
        app, ["loan-calc", "--amount", "1000", "--rate", "6.5", "--months", "12"]
    )
    assert "use 0.065" in result.stderr


def test_payment_plan_json(runner: CliRunner) -> None:
    """payment-plan --json has segments, totals and savings."""
    result = runner.invoke(
        app,
        [
            *("payment-plan", "--amount", "20000", "--rates", "0.07,0.05,0.03"),
            *("--terms", "12,12,36", "--extra", "50", "--json"),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [s["payment"] for s in doc["segments"]] == [396.02, 366.59, 337.86]
    assert doc["payoff_month"] == 56 and doc["months_saved"] == 4
    assert doc["interest_saved"] == 184.39
    assert doc["segments"][-1]["ending_balance"] == 0.0


def test_payment_plan_table(runner: CliRunner) -> None:
    """payment-plan prints segments and totals for people."""
    result = runner.invoke(
        app, ["payment-plan", "--amount", "20000", "--rates", "0.07,0.05", "--terms", "12,48"]
    )
    assert result.exit_code == 0
    assert "Segments" in result.stdout and "Interest saved" in result.stdout


def test_payment_plan_mismatched_lists_exit_2(runner: CliRunner) -> None:
    """Mismatched rates and terms exit 2 naming the lists."""
    result = runner.invoke(
        app, ["payment-plan", "--amount", "20000", "--rates", "0.07,0.05", "--terms", "12"]
    )
    assert result.exit_code == 2
    assert "rates and terms must have the same length" in result.stderr


@pytest.mark.parametrize("command", ["loan-calc", "payment-plan"])
def test_help_shows_an_example(runner: CliRunner, command: str) -> None:
    """--help on each command shows a runnable example."""
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"Example: bankbot {command}" in result.stdout


def test_version(runner: CliRunner) -> None:
    """--version prints the package version."""
    from bankbot_tools import __version__

    result = runner.invoke(app, ["--version"])
    assert result.stdout.strip() == f"bankbot {__version__}"


def test_empty_item_in_a_list_is_reported_by_position(runner: CliRunner) -> None:
    """An empty item in --rates is an error at its position, not silently dropped."""
    result = runner.invoke(
        app, ["payment-plan", "--amount", "100", "--rates", "0.05,,0.03", "--terms", "12,12,12"]
    )
    assert result.exit_code == 2
    assert "rates[1]: annual_rate is required" in result.stderr


def test_plan_table_shows_exact_rates(runner: CliRunner) -> None:
    """Rates in the plan table are exact percentages, never rounded."""
    result = runner.invoke(
        app,
        ["payment-plan", "--amount", "20000", "--rates", "0.123456,0.065125", "--terms", "12,48"],
    )
    assert "12.3456%" in result.stdout and "6.5125%" in result.stdout


def test_csv_to_stdout_prints_only_csv(runner: CliRunner) -> None:
    """--csv - writes the CSV alone on stdout, and refuses to mix it with --json."""
    args = ["loan-calc", "--amount", "1000", "--rate", "0.1", "--months", "3", "--csv", "-"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "month,payment,interest,principal,balance",
        "1,338.90,8.33,330.57,669.43",
        "2,338.90,5.58,333.32,336.11",
        "3,338.91,2.80,336.11,0.00",
    ]
    both = runner.invoke(app, [*args, "--json"])
    assert both.exit_code == 2 and "choose one" in both.stderr


def test_non_monthly_table_counts_payments(runner: CliRunner) -> None:
    """A biweekly loan's table says payment and payoff payment, not month."""
    args = ["loan-calc", "--amount", "30000", "--rate", "0.065", "--payments", "52"]
    result = runner.invoke(app, [*args, "--frequency", "biweekly"])
    assert result.exit_code == 0, result.output
    assert "Payment (biweekly)" in result.stdout and "Payoff payment" in result.stdout
    assert "Monthly payment" not in result.stdout and "Payment #" in result.stdout
