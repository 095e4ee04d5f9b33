"""Hypothesis strategies for loan inputs, valid and invalid."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from bankbot_tools.conventions import DayCount, Frequency, due_date
from bankbot_tools.loans.terms import LoanTerms

principal_cents = st.integers(min_value=1, max_value=100_000_000_000)
everyday_principal_cents = st.integers(min_value=100_00, max_value=2_000_000_00)
rate_ppm = st.one_of(
    st.just(0),
    st.integers(min_value=1, max_value=999_999),
    st.integers(min_value=10_000, max_value=150_000),
)
months = st.one_of(st.sampled_from([1, 2, 12, 360, 1200]), st.integers(1, 1200))
short_months = st.integers(min_value=1, max_value=480)
extra_cents = st.one_of(st.just(0), st.integers(min_value=1, max_value=500_000))


def as_text(units: int, scale: int) -> str:
    """Render integer units as the decimal text a user would type."""
    return f"{Decimal(units).scaleb(-scale):f}"


invalid_numbers = st.one_of(
    st.sampled_from(["", "  ", "abc", "1e5", "1,000", "--1", "0x10", "nan", "inf", "1.2.3"]),
    st.just(float("nan")),
    st.just(float("inf")),
    st.just(True),
    st.none(),
)


FREQUENCIES = [f.value for f in Frequency]
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31))

#: The terms of a shaped loan, drawn as plain values: :func:`shaped_terms` builds the loan.
shape_choices = st.builds(
    dict,
    principal=st.integers(100_000, 100_000_000),
    rate=st.integers(0, 150_000),
    frequency=st.sampled_from(FREQUENCIES),
    years=st.integers(1, 30),
    io=st.integers(0, 6),
    balloon_share=st.sampled_from([0, 0, 10, 50]),
    start=st.one_of(st.none(), dates),
    first_shift=st.one_of(st.none(), st.integers(-10, 20)),
    day_count=st.sampled_from(["30/360", "actual/365", "actual/360"]),
)


def shaped_terms(d: dict, extra_cents: int = 0) -> LoanTerms:  # type: ignore[type-arg]
    """The loan a :data:`shape_choices` draw describes (a first payment date that would not
    fall after the start is dropped)."""
    frequency = Frequency(d["frequency"])
    payments = d["years"] * frequency.periods_per_year
    first = None
    if d["start"] is not None and d["first_shift"] is not None:
        first = due_date(d["start"], frequency, 1) + timedelta(days=d["first_shift"])
        if first <= d["start"]:
            first = None
    return LoanTerms(
        d["principal"], d["rate"], payments, extra_cents,
        frequency=frequency,
        day_count=DayCount(d["day_count"] if d["start"] else "30/360"),
        start_date=d["start"],
        first_payment_date=first,
        interest_only_periods=min(d["io"], payments - 1),
        balloon_cents=d["principal"] * d["balloon_share"] // 100,
    )  # fmt: skip
