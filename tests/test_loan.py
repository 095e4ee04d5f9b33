"""The rule table: every caller gets the same one-line ValueError naming the field."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.rules import (
    ANNUAL_RATE,
    EXTRA,
    MONTHS,
    PRINCIPAL,
    RULES,
    FieldSpec,
    Violation,
    check_units,
    to_units,
)
from tests.strategies import invalid_numbers


@pytest.mark.parametrize(
    ("value", "cents"),
    [("1000.10", 100010), (1000.1, 100010), (Decimal("0.01"), 1), (5, 500), (" 12.5 ", 1250)],
)
def test_principal_accepts_str_int_float_decimal(value: object, cents: int) -> None:
    """Principals arrive as str, int, float or Decimal; 1000.1 means 1000.10."""
    assert to_units(PRINCIPAL, value) == cents


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (PRINCIPAL, 0, "principal must be > 0"),
        (PRINCIPAL, "-5", "principal must be > 0"),
        (PRINCIPAL, "1000000000.01", "principal must be <= 1000000000"),
        (PRINCIPAL, "10.001", "principal must have at most 2 decimals"),
        (ANNUAL_RATE, "1", "annual_rate must be < 1"),
        (ANNUAL_RATE, 6.5, "looks like a percent, use 0.065"),
        (ANNUAL_RATE, "-0.01", "annual_rate must be >= 0"),
        (ANNUAL_RATE, "0.0650001", "annual_rate must have at most 6 decimals"),
        (MONTHS, 0, "months must be >= 1"),
        (MONTHS, 1201, "months must be <= 1200"),
        (MONTHS, 360.5, "months must be a whole number"),
        (EXTRA, "-1", "extra must be >= 0"),
    ],
)
def test_bad_values_name_the_field(field: object, value: object, message: str) -> None:
    """Each rule's error message names the field and the rule."""
    with pytest.raises(ValueError, match=message):
        to_units(field, value)  # type: ignore[arg-type]


@given(st.sampled_from(RULES), invalid_numbers)
def test_non_numbers_are_rejected_not_crashed(field: object, value: object) -> None:
    """NaN, inf, bools, None and non-numeric strings give a one-line ValueError."""
    with pytest.raises(ValueError) as caught:
        to_units(field, value)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(field.name)  # type: ignore[attr-defined]
    assert "\n" not in message


# The rules, stated here independently of the FieldSpec table:
# (low, low allowed, high, high allowed, decimals).
DOCUMENTED = {
    "principal": (0, False, 1_000_000_000, True, 2),
    "annual_rate": (0, True, 1, False, 6),
    "months": (1, True, 1200, True, 0),
    "extra": (0, True, 1_000_000_000, True, 2),
    "amount": (0, True, 1_000_000_000, True, 2),
    "count": (0, True, 99, True, 0),
}
decimals = st.integers(0, 8).flatmap(
    lambda places: st.decimals(
        min_value=-(2 * 10**9), max_value=2 * 10**9, places=places, allow_nan=False
    )
)


def _agrees_with_documented_rules(spec: FieldSpec, value: Decimal) -> None:
    low, low_ok, high, high_ok, places = DOCUMENTED[spec.name]
    allowed = (
        (value >= low if low_ok else value > low)
        and (value <= high if high_ok else value < high)
        and value == value.quantize(Decimal(1).scaleb(-places))
    )
    try:
        units = to_units(spec, f"{value:f}")
    except ValueError:
        assert not allowed
    else:
        assert allowed
        assert spec.decimal(units) == value
        assert check_units(spec, np.array([units]))[0] == Violation.OK


@given(st.sampled_from(RULES), decimals)
def test_accepts_exactly_the_documented_values(spec: FieldSpec, value: Decimal) -> None:
    """to_units accepts a value exactly when the issue's bounds and decimals allow it."""
    _agrees_with_documented_rules(spec, value)


EDGES = ["0", "0.01", "1", "99", "100", "1200", "1201", "0.999999", "0.9999995"]
EDGES += ["1000000000", "1000000000.01", "-0.01"]


@pytest.mark.parametrize("spec", RULES, ids=lambda spec: spec.name)
@pytest.mark.parametrize("text", EDGES)
def test_bound_edges_follow_the_documented_rules(spec: FieldSpec, text: str) -> None:
    """Values on and just past every bound are accepted or refused as documented."""
    _agrees_with_documented_rules(spec, Decimal(text))


def test_bounds_are_the_documented_ones() -> None:
    """The table states the issue's bounds: principal, rate, months, extra."""
    assert (PRINCIPAL.minimum, PRINCIPAL.maximum) == (0, 1_000_000_000)
    assert (ANNUAL_RATE.minimum, ANNUAL_RATE.maximum) == (0, 1)
    assert (MONTHS.minimum, MONTHS.maximum) == (1, 1200)
    assert EXTRA.minimum == 0 and EXTRA.min_inclusive


def test_loan_terms_parse_names_the_bad_field() -> None:
    """LoanTerms.parse reports which input was wrong."""
    with pytest.raises(ValueError, match=r"^months"):
        LoanTerms.parse("1000", "0.05", "ten")
