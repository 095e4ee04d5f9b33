"""Issue 10: frequencies, dates, day counts, interest-only, balloon, fees and the APR."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy_financial as npf
import pytest
import QuantLib as ql
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bankbot_tools.api import calculate_payment
from bankbot_tools.cli.app import app
from bankbot_tools.conventions import (
    KIND_CODES,
    Frequency,
    due_date,
    due_ordinals,
    ordinal,
    shape,
    thirty_360_days,
    thirty_360_days_v,
)
from bankbot_tools.loans.disclosure import loan_apr
from bankbot_tools.loans.kernel import amortize, amortize_loans
from bankbot_tools.loans.payments import _exact_day_payment, actual_day_payment, annuity_payment
from bankbot_tools.loans.periods import LoanShapes, build_periods
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.money import div_half_up, mul_div_half_up
from bankbot_tools.rules import NO_DATE, PRINCIPAL
from tests.strategies import FREQUENCIES, dates, shape_choices, shaped_terms


@given(st.integers(0, 3 * 10**11), st.integers(0, 999_999 * 800), st.integers(1, 10**6 * 400))
def test_mul_div_half_up_is_exact(value: int, numerator: int, denominator: int) -> None:
    """The two-step division equals Python's exact half-up of value*numerator/denominator.

    Wherever the result fits in int64 (no int64 implementation can return more).
    """
    assume(value * numerator // denominator < 2**62)
    arrays = mul_div_half_up(np.array([value]), np.array([numerator]), np.array([denominator]))
    assert int(arrays[0]) == div_half_up(value * numerator, denominator)


@pytest.mark.parametrize("frequency", FREQUENCIES)
@pytest.mark.parametrize("balloon", [0, 1_000_000])
def test_payment_matches_numpy_financial_pmt(frequency: str, balloon: int) -> None:
    """The level payment is numpy-financial's pmt at annual_rate / payments per year."""
    ppy = Frequency(frequency).periods_per_year
    rng = np.random.default_rng(ppy)
    principal = rng.integers(2_000_000, 50_000_000, 200)
    rate = rng.integers(1_000, 200_000, 200)
    count = rng.integers(1, 30 * ppy + 1, 200)
    ours = annuity_payment(principal, rate, count, periods_per_year=ppy, balloon=balloon)
    theirs = -npf.pmt(rate / 1e6 / ppy, count, principal, -balloon)
    assert np.all(np.abs(ours - theirs) <= 0.5 + 1e-6)


@given(dates, st.integers(0, 800))
def test_day_counts_match_quantlib(start: date, span: int) -> None:
    """30/360 Bond Basis and the actual conventions count days as QuantLib does."""
    end = start + timedelta(days=span)
    a = ql.Date(start.day, start.month, start.year)
    b = ql.Date(end.day, end.month, end.year)
    assert thirty_360_days(start, end) == ql.Thirty360(ql.Thirty360.BondBasis).dayCount(a, b)
    assert thirty_360_days_v(np.array([ordinal(start)]), np.array([ordinal(end)]))[0] == (
        thirty_360_days(start, end)
    )
    assert ql.Actual365Fixed().yearFraction(a, b) == pytest.approx(span / 365)
    assert ql.Actual360().yearFraction(a, b) == pytest.approx(span / 360)


@given(dates, st.sampled_from(FREQUENCIES), st.integers(-1, 400))
def test_vectorized_due_dates_equal_scalar(first: date, frequency: str, k: int) -> None:
    """The batch due-date arithmetic equals the single-loan one."""
    kind, size = shape(frequency)
    vector = due_ordinals(
        np.array([ordinal(first)]), np.array([KIND_CODES[kind]]), np.array([size]), np.array([k])
    )
    assert int(vector[0]) == ordinal(due_date(first, frequency, k))


def test_due_dates_follow_the_day_31_and_month_end_rules() -> None:
    """A 31st falls on shorter months' last day; a month-end first payment stays on month ends."""
    jan31 = [due_date(date(2026, 1, 31), "monthly", k).isoformat() for k in range(3)]
    assert jan31 == ["2026-01-31", "2026-02-28", "2026-03-31"]
    apr30 = [due_date(date(2026, 4, 30), "monthly", k).isoformat() for k in range(2)]
    assert apr30 == ["2026-04-30", "2026-05-31"]
    semi = [due_date(date(2026, 1, 15), "semimonthly", k).isoformat() for k in range(4)]
    assert semi == ["2026-01-15", "2026-01-30", "2026-02-15", "2026-02-28"]


QL_CONVENTIONS = {
    "30/360": (ql.Thirty360(ql.Thirty360.BondBasis), 360),
    "actual/365": (ql.Actual365Fixed(), 365),
    "actual/360": (ql.Actual360(), 360),
}


@pytest.mark.parametrize("day_count", list(QL_CONVENTIONS))
def test_dated_schedule_matches_quantlib(day_count: str) -> None:
    """Due dates are QuantLib's monthly schedule; each interest is balance x rate x QL days."""
    terms = LoanTerms.parse(250_000, "0.0725", 60, start_date="2026-01-15", day_count=day_count)
    result = amortize(terms)
    counter, basis = QL_CONVENTIONS[day_count]
    schedule = ql.Schedule(
        ql.Date(15, 1, 2026), ql.Date(15, 1, 2031), ql.Period(ql.Monthly), ql.NullCalendar(),
        ql.Unadjusted, ql.Unadjusted, ql.DateGeneration.Forward, False,
    )  # fmt: skip
    ql_dates = [date(d.year(), d.month(), d.dayOfMonth()) for d in schedule]
    assert result.dates() == ql_dates[1:]
    balance = terms.principal_cents
    for row, (d0, d1) in zip(result.rows(), itertools.pairwise(ql_dates), strict=True):
        days = counter.dayCount(
            ql.Date(d0.day, d0.month, d0.year), ql.Date(d1.day, d1.month, d1.year)
        )
        exact = Fraction(balance * terms.rate_ppm * days, 10**6 * basis)
        assert row.interest == int(exact + Fraction(1, 2))
        balance = row.balance
    assert balance == 0


@settings(max_examples=60, deadline=None)
@given(shape_choices)
def test_every_shape_ends_at_zero_and_interest_only_rows_pay_no_principal(d: dict) -> None:  # type: ignore[type-arg]
    """Schedules end at 0.00, principal sums to the principal, interest-only rows pay interest."""
    terms = shaped_terms(d)
    result = amortize(terms)
    rows = result.rows()
    assert rows[-1].balance == 0
    assert sum(r.principal for r in rows) == terms.principal_cents
    for row in rows[: terms.interest_only_periods]:
        assert row.principal == 0 and row.payment == row.interest
    if terms.dated:
        assert len(result.dates() or []) == len(rows)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(100_000, 100_000_000),
    st.integers(1, 150_000),
    st.sampled_from(FREQUENCIES),
    st.integers(2, 360),
    st.integers(1, 99),
)
def test_balloon_is_left_for_the_last_payment(
    principal: int, rate: int, frequency: str, count: int, share: int
) -> None:
    """Undated: the last payment is the level payment plus the balloon, up to rounding drift."""
    balloon = principal * share // 100
    terms = LoanTerms(principal, rate, count, frequency=Frequency(frequency), balloon_cents=balloon)
    result = amortize(terms)
    r = Fraction(rate, 10**6 * Frequency(frequency).periods_per_year)
    drift = ((1 + r) ** count - 1) / r  # each cent of rounding compounds at most this much
    assert abs(result.last_payment - result.monthly_payment - balloon) <= drift + 1


@settings(max_examples=60, deadline=None)
@given(shape_choices)
@example(  # one payment, 367 days: the level payment is charged 366 (CI found it)
    {
        "principal": 88128217,
        "rate": 9,
        "frequency": "annual",
        "years": 1,
        "io": 0,
        "balloon_share": 0,
        "start": date(2000, 1, 1),
        "first_shift": 1,
        "day_count": "actual/365",
    }
)
def test_actual_day_loans_leave_the_balloon_for_the_last_payment(d: dict) -> None:  # type: ignore[type-arg]
    """Dated actual-day loans too: the payment charged each period's own days leaves the
    balloon (or 0.00), so the last payment is the level payment plus the balloon, up to the
    same rounding drift as an undated loan's. A loan of one payment also pays the odd first
    period's extra days with it."""
    assume(d["start"] is not None and d["day_count"] != "30/360")
    terms = shaped_terms(d)
    result = amortize(terms)
    one = np.array([terms.principal_cents]), np.array([terms.rate_ppm]), np.array([terms.months])
    odd_extra = int(build_periods(*one, LoanShapes.of(terms)).odd_extra[0])
    due_last = terms.balloon_cents + (odd_extra if terms.payments == 1 else 0)
    kind, size = shape(terms.frequency)
    longest = {"week": 7, "semimonth": 16, "month": 31}[kind] * size  # days of a period, at most
    r = Fraction(terms.rate_ppm * longest, 10**6 * 360)  # the dearest period's rate
    drift = ((1 + r) ** terms.payments - 1) / r if r else terms.payments
    assert abs(result.last_payment - result.monthly_payment - due_last) <= drift + 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 400), min_size=1, max_size=40),
    st.integers(0, 999_999),
    st.integers(1, PRINCIPAL.max_units),
    st.sampled_from([360, 365]),
    st.integers(0, 99),
)
def test_actual_day_payment_is_exactly_rounded(
    days: list[int], rate: int, principal: int, basis: int, share: int
) -> None:
    """The float64 actual-day payment equals the exact integer one."""
    denominator = basis * 10**6
    balloon = principal * share // 100
    one = np.array
    fast = actual_day_payment(
        one([principal]), one([rate]), one(days), one([0]), one([len(days)]),
        one([denominator]), one([balloon]),
    )  # fmt: skip
    assert int(fast[0]) == _exact_day_payment(principal, rate, days, denominator, balloon)


def test_equal_periods_give_the_annuity() -> None:
    """Periods of 30 days at actual/360 are twelfths of a year: the monthly annuity exactly."""
    rng = np.random.default_rng(11)
    n = 500
    count = rng.integers(1, 480, n)
    principal = rng.integers(10_000, 10**10, n)
    rate = rng.integers(0, 300_000, n)
    balloon = principal * rng.integers(0, 90, n) // 100
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    days = np.full(int(count.sum()), 30)
    ours = actual_day_payment(principal, rate, days, first, count, np.full(n, 360 * 10**6), balloon)
    assert ours.tolist() == annuity_payment(principal, rate, count, balloon=balloon).tolist()


@settings(max_examples=40, deadline=None)
@given(st.integers(100_000, 100_000_000), st.integers(0, 150_000), st.integers(1, 480), dates)
def test_dated_30_360_monthly_loan_equals_the_undated_one(
    principal: int, rate: int, months: int, start: date
) -> None:
    """With a regular first period, dates and 30/360 change nothing but the date column."""
    undated = amortize(LoanTerms(principal, rate, months))
    dated = amortize(LoanTerms(principal, rate, months, start_date=start))
    assert dated.rows() == undated.rows()
    assert dated.total_interest == undated.total_interest


def test_odd_first_period_changes_only_the_first_payment() -> None:
    """30/360: Jan 15 to Mar 1 is 46 days of interest; later rows are the undated ones."""
    undated = amortize(LoanTerms.parse(200000, "0.065", 360)).rows()
    odd = amortize(
        LoanTerms.parse(
            200000, "0.065", 360, start_date="2026-01-15", first_payment_date="2026-03-01"
        )
    ).rows()
    assert odd[0].interest == div_half_up(20_000_000 * 65_000 * 46, 360 * 10**6)
    assert odd[0].principal == undated[0].principal
    assert odd[1:] == undated[1:]


START = date(2026, 1, 1)


def test_mixed_portfolio_equals_single_loans_in_the_compiled_kernel() -> None:
    """Frequencies, dates, day counts and balloons mixed: batch cents equal single-loan cents."""
    rng = np.random.default_rng(10)
    loans = [
        shaped_terms(
            {
                "principal": int(rng.integers(100_000, 50_000_000)),
                "rate": int(rng.integers(0, 150_000)),
                "frequency": FREQUENCIES[int(rng.integers(len(FREQUENCIES)))],
                "years": int(rng.integers(1, 10)),
                "io": int(rng.integers(0, 4)),
                "balloon_share": int(rng.choice([0, 20])),
                "start": None if rng.random() < 0.3 else START + timedelta(int(rng.integers(900))),
                "first_shift": None if rng.random() < 0.5 else int(rng.integers(-5, 10)),
                "day_count": ["30/360", "actual/365", "actual/360"][int(rng.integers(3))],
            }
        )
        for _ in range(100)
    ]  # fmt: skip
    extra = rng.choice([0, 0, 2_500], 100)
    shapes = LoanShapes.build(
        100,
        frequency=np.array([t.frequency.value for t in loans], dtype=object),
        day_count=np.array([t.day_count.value for t in loans], dtype=object),
        start=np.array([NO_DATE if t.start_date is None else ordinal(t.start_date) for t in loans]),
        first=np.array(
            [NO_DATE if t.first_payment_date is None else ordinal(t.first_payment_date)
             for t in loans]
        ),
        interest_only=np.array([t.interest_only_periods for t in loans]),
        balloon=np.array([t.balloon_cents for t in loans]),
    )  # fmt: skip
    batch = amortize_loans(
        np.array([t.principal_cents for t in loans]),
        np.array([t.rate_ppm for t in loans]),
        np.array([t.months for t in loans]),
        extra,
        shapes=shapes,
        with_schedule=True,
    )
    for i, terms in enumerate(loans):
        one = amortize(LoanTerms(
            terms.principal_cents, terms.rate_ppm, terms.months, int(extra[i]),
            frequency=terms.frequency, day_count=terms.day_count, start_date=terms.start_date,
            first_payment_date=terms.first_payment_date,
            interest_only_periods=terms.interest_only_periods, balloon_cents=terms.balloon_cents,
        ))  # fmt: skip
        mine = batch.loan(i)
        assert mine.rows() == one.rows()
        assert (mine.total_interest, mine.interest_saved) == (
            one.total_interest,
            one.interest_saved,
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"months": 12, "interest_only_periods": 12},
            "interest_only_periods must be < the number of payments",
        ),
        ({"months": 12, "balloon": 1000}, "balloon must be < principal"),
        ({"months": 12, "fees": 1000}, "fees must be < principal"),
        ({"months": 12, "frequency": "fortnightly"}, "frequency must be one of"),
        ({"months": 12, "day_count": "act/366"}, "day_count must be one of"),
        ({"months": 12, "start_date": "2026-02-30"}, "start_date is not a calendar date"),
        ({"months": 12, "start_date": "15/01/2026"}, "start_date must be a date as YYYY-MM-DD"),
        ({"months": 12, "day_count": "actual/365"}, "day_count other than 30/360 needs start_date"),
        ({"months": 12, "first_payment_date": "2026-02-01"}, "first_payment_date needs start_date"),
        ({"months": 7, "frequency": "biweekly"}, "months (7) is not a whole number of biweekly"),
        ({"payments": 5201, "frequency": "weekly"}, "payments must be <= 5200"),
        ({"payments": 1300, "frequency": "monthly"}, "payments must span at most 100 years"),
        (
            {"months": 12, "start_date": "2026-01-01", "first_payment_date": "2026-04-01"},
            "first_payment_date must be at most two regular periods after start_date",
        ),
    ],
)
def test_each_new_rule_names_its_field(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    """Every new rule is a ValueError that starts with (or names) the field."""
    with pytest.raises(ValueError, match=re.escape(message)):
        LoanTerms.parse(1000, "0.05", **kwargs)


def test_apr_counts_fees_and_equals_the_note_rate_without_them() -> None:
    """No fees: the APR is the note rate; fees raise it (amount financed = principal - fees)."""
    assert abs(loan_apr(LoanTerms.parse(5000, "0.12", 36)) - 12) <= Fraction(1, 1000)
    with_fees = loan_apr(LoanTerms.parse(5000, "0.12", 36, fees=100))
    assert with_fees == loan_apr(LoanTerms.parse(5000, "0.12", 36, fees=100, extra=50))
    assert 13 < with_fees < 14


runner = CliRunner()


def test_loan_calc_defaults_have_no_new_keys() -> None:
    """Without new terms the JSON document is today's: no date, no apr."""
    out = runner.invoke(
        app, ["loan-calc", "--amount", "1000", "--rate", "0.12", "--months", "12", "--json"]
    )
    document = json.loads(out.stdout)
    assert "apr" not in document and "date" not in document["schedule"][0]
    assert document["monthly_payment"] == 88.85


def test_loan_calc_takes_every_new_option() -> None:
    """The issue's command line works and gives dates and an APR."""
    out = runner.invoke(app, [
        "loan-calc", "--amount", "200000", "--rate", "0.065", "--months", "360",
        "--frequency", "biweekly", "--start-date", "2026-01-15", "--day-count", "actual/365",
        "--fees", "1500", "--balloon", "50000", "--interest-only", "12", "--json",
    ])  # fmt: skip
    assert out.exit_code == 0, out.stderr
    document = json.loads(out.stdout)
    assert document["schedule"][0]["date"] == "2026-01-29"
    assert document["schedule"][-1]["balance"] == 0.0
    assert 0.06 < document["apr"] < 0.07


@pytest.mark.parametrize(
    "option",
    [["--start-date", "2026-02-30"], ["--day-count", "actual/366"], ["--frequency", "daily"]],
)
def test_loan_calc_bad_date_or_convention_exits_2_with_one_line(option: list[str]) -> None:
    """A bad date or an unknown convention is a usage error: exit 2, one line on stderr."""
    out = runner.invoke(
        app, ["loan-calc", "--amount", "1000", "--rate", "0.05", "--months", "12", *option]
    )
    assert out.exit_code == 2
    errors = [line for line in out.stderr.splitlines() if line.startswith("bankbot: error:")]
    assert len(errors) == 1


def test_calculate_payment_takes_the_loan_terms() -> None:
    """The async seed function takes a loan's shape terms and gives the single-loan cents."""
    shape = {
        "payments": 60, "frequency": "biweekly", "start_date": "2026-01-15",
        "day_count": "actual/365", "interest_only_periods": 4, "balloon": "2500",
    }  # fmt: skip
    payment, rows = asyncio.run(calculate_payment("20000", "0.065", **shape))
    expected = amortize(LoanTerms.parse("20000", "0.065", **shape))
    assert payment == expected.monthly_payment / 100
    assert [row["date"] for row in rows] == [d.isoformat() for d in expected.dates() or []]
    assert rows[-1]["balance"] == 0.0 and rows[0]["principal"] == 0.0


def test_a_loan_funded_on_the_30th_has_the_note_rate_as_its_apr() -> None:
    """Funded Jan 30, paid on the 30th (Feb 28 in February), no fees: every period is a whole
    month, so the APR is the note rate (it was not while Feb 28 counted as 29/30 of a month)."""
    terms = LoanTerms.parse(20_000, "0.06", 24, start_date="2027-01-30", day_count="30/360")
    assert loan_apr(terms) == Decimal("6.000")


@pytest.mark.parametrize("frequency", FREQUENCIES)
@settings(max_examples=15, deadline=None)
@given(shape_choices, dates, st.integers(10_000, 150_000))
def test_every_dated_shape_has_an_apr_near_its_note_rate(
    frequency: str,
    d: dict,  # type: ignore[type-arg]
    start: date,
    rate: int,
) -> None:
    """Every frequency's payments are timed from the funding date without error (a
    semimonthly series counted back on one day of the month had a payment due at the start),
    and without fees the APR stays within the odd first period's effect of the note rate."""
    terms = shaped_terms({**d, "frequency": frequency, "start": start, "rate": rate})
    note = Decimal(terms.rate_ppm) / 10_000
    assert abs(loan_apr(terms) - note) < Decimal("0.5")
