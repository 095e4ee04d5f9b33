"""Step-down plans: re-amortization, extra principal, validation of the lists."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bankbot_tools.loans.kernel import amortize
from bankbot_tools.loans.plans import PlanTerms, build_plan
from bankbot_tools.loans.terms import LoanTerms
from tests.strategies import everyday_principal_cents, extra_cents

segments = st.lists(st.tuples(st.integers(0, 200_000), st.integers(1, 120)), min_size=1, max_size=5)


def _plan_terms(principal: int, parts: list[tuple[int, int]], extra: int) -> PlanTerms:
    rates, terms = zip(*parts, strict=True)
    assume(sum(terms) <= 1200)
    return PlanTerms(principal, tuple(rates), tuple(terms), extra)


plans = st.builds(_plan_terms, everyday_principal_cents, segments, extra_cents)


@given(everyday_principal_cents, st.integers(0, 200_000), st.integers(1, 480), extra_cents)
def test_one_segment_plan_equals_the_loan(principal: int, rate: int, n: int, extra: int) -> None:
    """A one-segment plan is exactly calculate_payment's loan, totals and payoff."""
    plan = build_plan(PlanTerms(principal, (rate,), (n,), extra))
    loan = amortize(LoanTerms(principal, rate, n, extra))
    assert plan.segments[0].payment == loan.monthly_payment
    assert plan.total_interest == loan.total_interest
    assert plan.payoff_month == loan.payoff_month
    assert plan.interest_saved == loan.interest_saved
    assert plan.months_saved == loan.months_saved


@given(plans)
def test_plan_pays_off_exactly(terms: PlanTerms) -> None:
    """Segment principals sum to the principal and the last balance is 0."""
    plan = build_plan(terms)
    assert sum(s.principal for s in plan.segments) == terms.principal_cents
    assert plan.segments[-1].end_balance == 0
    assert plan.total_paid == terms.principal_cents + plan.total_interest
    assert plan.payoff_month == sum(s.months for s in plan.segments) <= sum(terms.terms)


@given(plans)
def test_extra_never_raises_plan_interest(terms: PlanTerms) -> None:
    """Extra principal never costs interest or months in a plan."""
    plan = build_plan(terms)
    assert plan.interest_saved >= 0
    assert plan.months_saved >= 0


def test_step_down_re_amortizes_over_remaining_months() -> None:
    """At each rate change the payment is the balance amortized over the months left."""
    plan = build_plan(PlanTerms.parse(20000, [0.07, 0.05, 0.03], [12, 12, 36]))
    first, second, third = plan.segments
    assert first.payment == amortize(LoanTerms.parse(20000, 0.07, 60)).monthly_payment
    rest = amortize(LoanTerms(first.end_balance, 50_000, 48))
    assert second.payment == rest.monthly_payment
    assert [s.months for s in plan.segments] == [12, 12, 36]
    assert first.payment > second.payment > third.payment


def test_extra_ends_the_plan_early() -> None:
    """Extra principal pays the plan off early and reports what it saved."""
    plan = build_plan(PlanTerms.parse(20000, [0.07, 0.05, 0.03], [12, 12, 36], extra=50))
    assert plan.payoff_month < 60
    assert plan.months_saved == 60 - plan.payoff_month
    assert plan.interest_saved > 0


@pytest.mark.parametrize(
    ("rates", "terms", "message"),
    [
        ([], [], "^rates must be a non-empty list"),
        ([0.05], [], "^terms must be a non-empty list"),
        ([0.05, 0.04], [12], "^rates and terms must have the same length"),
        ([0.05, 6.5], [12, 12], r"^rates\[1\]: annual_rate must be < 1"),
        ([0.05], [0], r"^terms\[0\]: months must be >= 1"),
        ([0.05, 0.04], [1000, 1000], "^terms must add up to at most 1200"),
        ("0.05", [12], "^rates must be a non-empty list"),
    ],
)
def test_bad_plans_are_value_errors(rates: object, terms: object, message: str) -> None:
    """Empty, mismatched or out-of-range lists are ValueErrors naming the field."""
    with pytest.raises(ValueError, match=message):
        PlanTerms.parse(20000, rates, terms)  # type: ignore[arg-type]


def test_re_amortized_payment_of_zero_still_closes() -> None:
    """A tiny balance re-amortized to a 0.00 payment is paid in the plan's last month."""
    plan = build_plan(PlanTerms.parse("1.00", [0, 0], [90, 90]))
    assert [s.payment for s in plan.segments] == [1, 0]
    assert plan.segments[-1].end_balance == 0 and plan.payoff_month == 180


def test_plan_whose_payment_rounds_to_zero_is_rejected() -> None:
    """A plan that never amortizes (payment rounds to 0.00) is a ValueError."""
    with pytest.raises(ValueError, match="too small to amortize"):
        build_plan(PlanTerms.parse("0.05", [0.0, 0.0], [6, 6]))


def test_one_segment_biweekly_plan_equals_the_biweekly_loan() -> None:
    """A plan at another frequency counts payments and runs the loan engine's periods."""
    plan = build_plan(PlanTerms.parse(20000, [0.07], [26], frequency="biweekly"))
    loan = amortize(LoanTerms.parse(20000, 0.07, payments=26, frequency="biweekly"))
    assert plan.segments[0].payment == loan.monthly_payment == 79750
    assert (plan.total_interest, plan.payoff_month) == (loan.total_interest, loan.payoff_month)


def test_plan_frequency_errors_name_the_field() -> None:
    """An unknown frequency and a plan longer than 100 years are errors naming the field."""
    with pytest.raises(ValueError, match=r"^frequency"):
        PlanTerms.parse(20000, [0.07], [26], frequency="fortnightly-ish")
    with pytest.raises(ValueError, match=r"^terms must add up to at most 1200 months"):
        PlanTerms.parse(20000, [0.07, 0.05], [2600, 1], frequency="biweekly")
