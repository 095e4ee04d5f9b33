"""The rule table: every caller gets the same one-line ValueError naming the field."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankbot_tools.loan import (
    ANNUAL_RATE,
    EXTRA,
    MONTHS,
    PRINCIPAL,
    RULES,
    LoanTerms,
    Violation,
    check_units,
    to_units,
)
from tests.strategies import as_text, invalid_numbers


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


@given(st.sampled_from(RULES), st.integers(min_value=-(10**12), max_value=10**12))
def test_scalar_and_array_rules_agree(field: object, units: int) -> None:
    """to_units accepts a value exactly when check_units passes its units."""
    spec = field
    ok = check_units(spec, np.array([units]))[0] == Violation.OK  # type: ignore[arg-type]
    try:
        to_units(spec, as_text(units, spec.scale))  # type: ignore[arg-type, attr-defined]
    except ValueError:
        assert not ok
    else:
        assert ok


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
