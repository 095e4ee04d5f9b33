"""Plans take the loan terms: dates, day count, interest-only and a balloon, for the whole plan."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bankbot_tools.api import generate_plan
from bankbot_tools.cli.app import app
from bankbot_tools.llm.dispatch import dispatch
from bankbot_tools.loans.kernel import amortize
from bankbot_tools.loans.plans import PlanTerms, build_plan
from bankbot_tools.loans.terms import LoanTerms
from tests.strategies import extra_cents, shape_choices, shaped_terms


@settings(max_examples=60, deadline=None)
@given(shape_choices, extra_cents)
def test_one_segment_plan_of_any_shape_equals_the_loan(d: dict[str, Any], extra: int) -> None:
    """One segment, any frequency, dates, day count, interest-only and balloon: the loan's cents."""
    loan = shaped_terms(d, extra)
    terms = PlanTerms.of(loan, (loan.rate_ppm,), (loan.payments,))
    assert terms.loan == loan
    plan = build_plan(terms)
    one = amortize(loan)
    assert plan.segments[0].payment == one.monthly_payment
    assert (plan.total_interest, plan.payoff_month) == (one.total_interest, one.payoff_month)
    assert (plan.interest_saved, plan.months_saved) == (one.interest_saved, one.months_saved)
    dates = one.dates()
    assert plan.payoff_date == (dates[-1] if dates else None)


@settings(max_examples=40, deadline=None)
@given(shape_choices, extra_cents, st.integers(1, 4), st.integers(0, 150_000))
def test_first_segment_is_the_start_of_the_whole_loan(
    d: dict[str, Any], extra: int, parts: int, later_rate: int
) -> None:
    """Segment 1 pays exactly the first rows of the plan's loan; the plan ends at 0.00."""
    loan = shaped_terms(d, extra)
    assume(loan.payments > 1)
    first = max(1, loan.payments // (parts + 1))
    terms = PlanTerms.of(loan, (loan.rate_ppm, later_rate), (first, loan.payments - first))
    plan = build_plan(terms)
    rows = amortize(loan).rows()[:first]
    segment = plan.segments[0]
    assert segment.months == len(rows)
    assert segment.payment == amortize(loan).monthly_payment
    assert segment.interest == sum(row.interest for row in rows)
    assert segment.end_balance == rows[-1].balance
    assert sum(s.principal for s in plan.segments) == loan.principal_cents
    assert plan.segments[-1].end_balance == 0
    if loan.dated:
        dates = amortize(loan).dates() or []
        assert (segment.first_due, segment.last_due) == (dates[0], dates[len(rows) - 1])


def test_later_segment_is_a_loan_from_the_last_due_date() -> None:
    """Actual/365, odd first period: segment 2 is the loan funded on segment 1's last due date."""
    terms = PlanTerms.parse(
        200000, [0.07, 0.05], [12, 48], start_date="2026-01-15",
        first_payment_date="2026-03-01", day_count="actual/365",
        interest_only_periods=18, balloon=50000,
    )  # fmt: skip
    plan = build_plan(terms)
    first, second = plan.segments
    assert first.principal == 0 and first.end_balance == 20_000_000
    assert (first.first_due, first.last_due) == (date(2026, 3, 1), date(2027, 2, 1))
    rest = LoanTerms.parse(
        "200000", "0.05", 48, start_date="2027-02-01", day_count="actual/365",
        interest_only_periods=6, balloon=50000,
    )  # fmt: skip
    loan = amortize(rest)
    assert second.payment == loan.monthly_payment
    assert (second.interest, second.months) == (loan.total_interest, loan.payoff_month)
    assert (second.first_due, second.last_due) == (date(2027, 3, 1), date(2031, 2, 1))
    assert plan.payoff_date == (loan.dates() or [])[-1] == date(2031, 2, 1)


def test_balloon_is_left_for_the_plans_last_payment() -> None:
    """Undated: each re-amortized payment leaves the balloon, so segment 2 is that balloon loan."""
    plan = build_plan(PlanTerms.parse(20000, [0.07, 0.05], [12, 48], balloon=5000))
    first, second = plan.segments
    assert first.payment == amortize(LoanTerms.parse(20000, 0.07, 60, balloon=5000)).monthly_payment
    rest = amortize(LoanTerms(first.end_balance, 50_000, 48, balloon_cents=500_000))
    assert (second.payment, second.interest) == (rest.monthly_payment, rest.total_interest)
    assert rest.last_payment > 500_000 and second.end_balance == 0


def test_extra_below_the_balloon_never_makes_a_negative_payment() -> None:
    """Extra that pays the balance under the balloon's value leaves a 0.00 payment, not less."""
    plan = build_plan(PlanTerms.parse(10000, [0.05, 0.04], [12, 48], extra=500, balloon=9000))
    assert [s.payment for s in plan.segments][1] == 0
    assert sum(s.principal for s in plan.segments) == 1_000_000
    assert plan.segments[-1].end_balance == 0 and plan.months_saved > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"interest_only_periods": 60},
            "interest_only_periods must be < the number of payments (got 60 of 60)",
        ),
        ({"balloon": 20000}, "balloon must be < principal"),
        ({"start_date": "2026-02-30"}, "start_date is not a calendar date"),
        ({"day_count": "act/366"}, "day_count must be one of"),
        ({"day_count": "actual/365"}, "day_count other than 30/360 needs start_date"),
        ({"first_payment_date": "2026-02-01"}, "first_payment_date needs start_date"),
        ({"interest_only_periods": "1.5"}, "interest_only_periods must be a whole number"),
    ],
)
def test_plan_terms_break_the_loan_rules_by_name(kwargs: dict[str, Any], message: str) -> None:
    """The plan as one loan of all its payments meets the loan rules, errors naming the field."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        PlanTerms.parse(20000, [0.07, 0.05], [12, 48], **kwargs)


runner = CliRunner()
DATED = [
    *("payment-plan", "--amount", "200000", "--rates", "0.065,0.055", "--terms", "60,300"),
    *("--start-date", "2026-01-15", "--day-count", "actual/365", "--interest-only", "12"),
    *("--balloon", "50000"),
]


def test_payment_plan_takes_the_loan_options() -> None:
    """--json of a dated plan: each segment's first and last due dates and the payoff date."""
    done = runner.invoke(app, [*DATED, "--json"])
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    first, second = document["segments"]
    assert (first["first_due_date"], first["last_due_date"]) == ("2026-02-15", "2031-01-15")
    assert (second["first_due_date"], second["last_due_date"]) == ("2031-02-15", "2056-01-15")
    assert document["payoff_date"] == "2056-01-15" and second["ending_balance"] == 0.0
    assert list(first)[:5] == ["segment", "rate", "months", "first_due_date", "last_due_date"]


def test_payment_plan_table_shows_due_dates() -> None:
    """The table of a dated plan lists the due dates of each segment and the payoff date."""
    done = runner.invoke(app, DATED)
    assert done.exit_code == 0, done.stderr
    assert "Due dates" in done.stdout and "2031-02-15" in done.stdout
    assert "Payoff date" in done.stdout and "2056-01-15" in done.stdout


def test_undated_plan_has_no_date_keys() -> None:
    """Without a start date the document has no due-date keys (today's document)."""
    argv = ["payment-plan", "--amount", "20000", "--rates", "0.07,0.05", "--terms", "12,48"]
    done = runner.invoke(app, [*argv, "--interest-only", "6", "--balloon", "100", "--json"])
    document = json.loads(done.stdout)
    assert "payoff_date" not in document and "first_due_date" not in document["segments"][0]
    assert "Due dates" not in runner.invoke(app, argv).stdout


@pytest.mark.parametrize(
    ("option", "field"),
    [
        (["--start-date", "2026-02-30"], "start_date"),
        (["--day-count", "actual/366"], "day_count"),
        (["--interest-only", "60"], "interest_only_periods"),
        (["--balloon", "20000"], "balloon"),
        (["--first-payment-date", "2026-02-01"], "first_payment_date"),
    ],
)
def test_payment_plan_bad_loan_option_exits_2_with_one_line(option: list[str], field: str) -> None:
    """A bad date, convention, interest-only count or balloon: exit 2, one line naming it."""
    argv = ["payment-plan", "--amount", "20000", "--rates", "0.07,0.05", "--terms", "12,48"]
    done = runner.invoke(app, [*argv, *option])
    assert done.exit_code == 2
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("bankbot: error:")]
    assert line.startswith(f"bankbot: error: {field}")


PLAN = {"principal": 200000, "rates": [0.065, 0.055], "terms": [60, 300]}
SHAPE = {"start_date": "2026-01-15", "day_count": "actual/365", "interest_only_periods": 12}


def test_generate_plan_tool_and_api_take_the_loan_terms() -> None:
    """The tool and the Python API give the same dated segments as the CLI."""
    answer = asyncio.run(dispatch("generate_plan", {**PLAN, **SHAPE, "balloon": 50000}))
    assert answer["ok"], answer
    cli = json.loads(runner.invoke(app, [*DATED, "--json"]).stdout)
    assert answer["result"]["segments"] == cli["segments"]
    assert answer["result"]["payoff_date"] == "2056-01-15"
    rows = asyncio.run(generate_plan(**PLAN, **SHAPE, balloon=50000))  # type: ignore[arg-type]
    assert rows == cli["segments"]


def test_generate_plan_tool_names_the_bad_field() -> None:
    """A plan term that breaks a loan rule is invalid_value with that field."""
    answer = asyncio.run(dispatch("generate_plan", {**PLAN, "balloon": 300000}))
    assert answer["error"]["type"] == "invalid_value"
    assert answer["error"]["field"] == "balloon"
    assert answer["error"]["message"].startswith("balloon must be < principal")


def test_non_monthly_plan_table_counts_payments() -> None:
    """A biweekly plan's table says payments where a monthly one says months."""
    args = ["payment-plan", "--amount", "20000", "--rates", "0.07,0.05", "--terms", "26,104"]
    biweekly = runner.invoke(app, [*args, "--frequency", "biweekly", "--extra", "20"])
    monthly = runner.invoke(app, [*args, "--extra", "20"])
    assert biweekly.exit_code == monthly.exit_code == 0
    for label in ("Payments", "Extra per payment", "Payoff payment", "Payments saved"):
        assert label in biweekly.stdout and label not in monthly.stdout
    assert "Months saved" in monthly.stdout and "Months saved" not in biweekly.stdout
