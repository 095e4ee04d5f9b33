"""The integer-cents kernel: invariants, the reference convention, published values."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bankbot_tools.compiled import compiled
from bankbot_tools.loans import kernel
from bankbot_tools.loans.kernel import amortize, amortize_loans, unamortizable
from bankbot_tools.loans.payments import annuity_payment
from bankbot_tools.loans.periods import RATE_DIVISOR
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.money import IntArray, div_half_up
from bankbot_tools.rules import ANNUAL_RATE, PRINCIPAL
from tests import reference
from tests.strategies import extra_cents, months, principal_cents, rate_ppm, short_months


def _amortizable(principal: IntArray, rate: IntArray, n: IntArray) -> IntArray:
    return ~unamortizable(annuity_payment(principal, rate, n))


def _terms(principal: int, rate: int, n: int, extra: int = 0) -> LoanTerms:
    assume(_amortizable(np.array([principal]), np.array([rate]), np.array([n]))[0])
    return LoanTerms(principal, rate, n, extra)


loans = st.builds(_terms, principal_cents, rate_ppm, months)
loans_with_extra = st.builds(_terms, principal_cents, rate_ppm, short_months, extra_cents)


@given(loans_with_extra)
def test_schedule_ends_at_zero(terms: LoanTerms) -> None:
    """The last balance is exactly 0.00 and no balance is ever negative."""
    balance = amortize(terms).schedule["balance"]
    assert balance[-1] == 0
    assert (balance >= 0).all()


@given(loans_with_extra)
def test_principal_sums_to_principal(terms: LoanTerms) -> None:
    """The principal column sums to the principal, to the cent."""
    assert amortize(terms).schedule["principal"].sum() == terms.principal_cents


@given(loans_with_extra)
def test_each_payment_is_interest_plus_principal(terms: LoanTerms) -> None:
    """Every row's payment equals its interest plus its principal."""
    s = amortize(terms).schedule
    assert (s["payment"] == s["interest"] + s["principal"]).all()


@given(loans_with_extra)
def test_balances_never_increase(terms: LoanTerms) -> None:
    """Balances never rise: no principal is negative, and the last one is positive."""
    s = amortize(terms).schedule
    assert (s["principal"] >= 0).all()
    assert s["principal"][-1] > 0
    assert (np.diff(s["balance"]) <= 0).all()


@given(loans_with_extra)
def test_regular_payments_plus_last_is_total_paid(terms: LoanTerms) -> None:
    """(payment + extra) * (n - 1) + last payment == total paid == principal + interest."""
    r = amortize(terms)
    regular = (r.monthly_payment + terms.extra_cents) * (r.payoff_month - 1)
    assert regular + r.last_payment == r.total_paid
    assert r.total_paid == terms.principal_cents + r.total_interest
    assert r.schedule["payment"].sum() == r.total_paid


@given(loans_with_extra)
def test_extra_never_raises_total_interest(terms: LoanTerms) -> None:
    """Paying extra principal never costs more interest, nor more months."""
    with_extra = amortize(terms)
    without = amortize(LoanTerms(terms.principal_cents, terms.rate_ppm, terms.months))
    assert with_extra.total_interest <= without.total_interest
    assert with_extra.payoff_month <= without.payoff_month
    assert with_extra.interest_saved == without.total_interest - with_extra.total_interest
    assert with_extra.months_saved == without.payoff_month - with_extra.payoff_month


@given(loans_with_extra)
def test_kernel_matches_reference_decimal_loop(terms: LoanTerms) -> None:
    """The kernel gives the same rows as an independent per-loan Decimal loop."""
    expected = reference.schedule(
        Decimal(terms.principal_cents) / 100,
        Decimal(terms.rate_ppm) / 1_000_000,
        terms.months,
        Decimal(terms.extra_cents) / 100,
    )
    s = amortize(terms).schedule
    got = list(
        zip(
            *(s[k].tolist() for k in ("month", "payment", "interest", "principal", "balance")),
            strict=True,
        )
    )
    assert got == [(m, *(int(v * 100) for v in rest)) for m, *rest in expected]


@given(st.lists(st.tuples(principal_cents, rate_ppm, months, extra_cents), min_size=1, max_size=30))
def test_many_loans_at_once_equal_one_at_a_time(rows: list[tuple[int, int, int, int]]) -> None:
    """Vectorizing over loans changes no cent: a mixed array equals each loan alone."""
    p, r, n, e = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
    keep = _amortizable(p, r, n)
    assume(keep.any())
    p, r, n, e = p[keep], r[keep], n[keep], e[keep]
    many = amortize_loans(p, r, n, e, with_schedule=True)
    assert many.schedule is not None
    for i in range(p.size):
        one = amortize(LoanTerms(int(p[i]), int(r[i]), int(n[i]), int(e[i])))
        assert many.monthly_payment[i] == one.monthly_payment
        assert many.total_interest[i] == one.total_interest
        assert many.last_payment[i] == one.last_payment
        assert many.payoff_month[i] == one.payoff_month
        assert many.interest_saved[i] == one.interest_saved
        mine = many.schedule["loan"] == i
        for column in ("month", "payment", "interest", "principal", "balance"):
            assert many.schedule[column][mine].tolist() == one.schedule[column].tolist()


# Published monthly payments (principal, annual rate, months, payment), each from an
# independent public source:
PUBLISHED = [
    # The reference value; also Wikipedia, "Mortgage calculator".
    ("200000", "0.065", 360, "1264.14"),
    # examzify.com, UCF REE3043 Real Estate exam 4: $100,000 at 6% for 30 years.
    ("100000", "0.06", 360, "599.55"),
    # mathondemand.com, "monthly loan payment on a 100000 loan for 30 years with a 6.5% rate".
    ("100000", "0.065", 360, "632.07"),
    # mathondemand.com: $700,000 at 6% for 30 years.
    ("700000", "0.06", 360, "4196.85"),
    # dollartimes.com, "10 Year $120,000 Mortgage Loan" table: 6.5% and 5.0%.
    ("120000", "0.065", 120, "1362.58"),
    ("120000", "0.05", 120, "1272.79"),
    # qammunity.org/18928978: $300,000 at 6% for 30 years.
    ("300000", "0.06", 360, "1798.65"),
]


@pytest.mark.parametrize(("principal", "rate", "n", "expected"), PUBLISHED)
def test_published_payments(principal: str, rate: str, n: int, expected: str) -> None:
    """Payments match values published by independent sources, to the cent."""
    result = amortize(LoanTerms.parse(principal, rate, n))
    assert result.monthly_payment == int(Decimal(expected) * 100)


def test_agrees_with_numpy_financial_pmt() -> None:
    """Payments agree with numpy-financial's pmt, rounded half up, on 400 random loans."""
    rng = random.Random(20261124)
    for _ in range(400):
        p = rng.randint(1_000_00, 2_000_000_00)
        r = rng.randint(1, 2500) * 100
        n = rng.randint(1, 480)
        expected = Decimal(repr(float(npf.pmt(r / 1e6 / 12, n, -p / 100)))).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert annuity_payment(np.array([p]), np.array([r]), np.array([n]))[0] == int(
            expected * 100
        )


@given(principal_cents, rate_ppm, months)
def test_payment_is_exactly_rounded(principal: int, rate: int, n: int) -> None:
    """The float fast path never differs from the exact rational payment."""
    expected = reference.payment(Decimal(principal) / 100, Decimal(rate) / 1_000_000, n)
    assert annuity_payment(np.array([principal]), np.array([rate]), np.array([n]))[0] == int(
        expected * 100
    )


def test_half_cent_tie_rounds_up() -> None:
    """An exact half-cent payment rounds up (one month at 600% / 12 = 50% a month)."""
    assert annuity_payment(np.array([1]), np.array([999_999]), np.array([1]))[0] == 1
    assert annuity_payment(np.array([3]), np.array([0]), np.array([2]))[0] == 2


@pytest.mark.parametrize(
    ("principal", "rate", "n"),
    [
        ("0.01", "0", 1),
        ("1000000000", "0", 1),
        ("1000000000", "0.999999", 1200),
        ("1000000000", "0.000001", 1200),
        ("50000", "0.999999", 1),
        ("5000", "0.000001", 1),
        ("1200", "0", 1200),
    ],
)
def test_edge_cases_close_exactly(principal: str, rate: str, n: int) -> None:
    """Extremes of every field amortize to exactly zero with the right row count."""
    terms = LoanTerms.parse(principal, rate, n)
    r = amortize(terms)
    assert r.schedule["balance"][-1] == 0
    assert r.schedule["principal"].sum() == terms.principal_cents
    assert r.payoff_month == n


def test_tiny_principal_pays_off_early() -> None:
    """1.00 at 0% over 180 months pays 0.01 a month and ends in month 100."""
    r = amortize(LoanTerms.parse("1.00", "0", 180))
    assert (r.monthly_payment, r.payoff_month, r.last_payment) == (1, 100, 1)


def test_high_rate_long_term_last_payment_differs() -> None:
    """At a high rate over a long term the last payment absorbs the rounding drift."""
    r = amortize(LoanTerms.parse("1000000000", "0.999999", 1200))
    assert r.last_payment != r.monthly_payment
    assert r.schedule["balance"][-1] == 0


def test_payment_rounding_to_zero_is_rejected() -> None:
    """A loan whose payment rounds to 0.00 is a ValueError naming the principal."""
    with pytest.raises(ValueError, match=r"^principal 0\.01 is too small to amortize"):
        amortize(LoanTerms.parse("0.01", "0", 3))


def test_payment_rounded_to_the_interest_ends_in_a_balloon() -> None:
    """0.99 at 6.0607% pays 0.01 a month, all interest, and the balance in the last month."""
    r = amortize(LoanTerms.parse("0.99", "0.060607", 81))
    assert (r.monthly_payment, r.schedule["balance"][-2], r.last_payment) == (1, 99, 100)


@given(
    st.lists(st.tuples(principal_cents, rate_ppm, months, extra_cents), min_size=64, max_size=99)
)
@settings(max_examples=20, deadline=None)
def test_summaries_alone_equal_summaries_with_schedules(
    rows: list[tuple[int, int, int, int]],
) -> None:
    """The compiled loop's level-loan blocks (summaries only) give the general loop's cents."""
    p, r, n, e = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
    keep = _amortizable(p, r, n)
    assume(keep.sum() >= 64)
    p, r, n, e = p[keep], r[keep], n[keep], e[keep]
    alone = amortize_loans(p, r, n, e)
    with_rows = amortize_loans(p, r, n, e, with_schedule=True)
    for name in ("last_payment", "total_interest", "total_paid", "payoff_month", "end_balance"):
        assert getattr(alone, name).tolist() == getattr(with_rows, name).tolist(), name


@given(st.integers(0, PRINCIPAL.max_units), st.integers(0, ANNUAL_RATE.max_units - 1))
@example(6, 1_000_000 - 1)
@example(6, 1_000_000 // 2)  # 3e6 / 12e6 = 0.25: rounds down
@example(12, 500_000)  # exactly one half cent: rounds up
@example(PRINCIPAL.max_units, ANNUAL_RATE.max_units - 1)
@example(6_000_000 * 16_665, 999_999)  # a tie: 6e6 times an odd number, far above 2**53
def test_level_interest_is_the_rounding_rule(balance: int, rate: int) -> None:
    """The level block's float-estimated division equals ``div_half_up``, plain and compiled."""
    expected = div_half_up(balance * rate, RATE_DIVISOR)
    assert kernel._level_interest(np.int64(balance), np.int64(rate)) == expected
    assert _compiled_level_interest()(np.int64(balance), np.int64(rate)) == expected


def _compiled_level_interest() -> Callable[[np.int64, np.int64], int]:
    return compiled(kernel._level_interest)
