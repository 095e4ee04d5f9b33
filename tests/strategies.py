"""Hypothesis strategies for loan inputs, valid and invalid."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

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
