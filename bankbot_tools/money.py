"""Money as integer cents: parsing, the one rounding rule, and text.

Every amount inside the package is an ``int`` number of cents (or an ``int64``
array of them). ``Decimal`` appears only at the edges, to parse input and to
print results; floats never carry a balance.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
_N = TypeVar("_N", int, IntArray)

CENT = Decimal("0.01")


def div_half_up(numerator: _N, denominator: int | IntArray) -> _N:
    """Divide non-negative integers, rounding half up: the package's one rounding rule.

    Works on Python ints and on int64 arrays alike, so the scalar and vector paths
    cannot disagree.

    >>> div_half_up(5, 2), div_half_up(7, 3), div_half_up(1, 2)
    (3, 2, 1)
    """
    return (2 * numerator + denominator) // (2 * denominator)  # type: ignore[return-value]


def mul_div_half_up(value: _N, numerator: int | IntArray, denominator: int | IntArray) -> _N:
    """``value * numerator / denominator`` rounded half up, exact without overflowing int64.

    Splits ``value = q * denominator + rest``, so ``q * numerator`` is exact and only
    ``rest * numerator`` (below ``denominator * numerator``) is divided: the half-up rule of
    :func:`div_half_up` on a product that would not fit in 64 bits. Non-negative inputs whose
    result and ``denominator * numerator`` fit in int64 (the kernel's interest: a balance up
    to 10**11 cents, a rate-days numerator below 4 * 10**8, a denominator of 10**6 * basis).

    >>> mul_div_half_up(10**11, 999_999 * 732, 365 * 10**6)
    200547744658
    """
    q: Any = value // denominator
    rest: Any = (value - q * denominator) * numerator
    return q * numerator + div_half_up(rest, denominator)  # type: ignore[no-any-return]


def cents_to_decimal(cents: int) -> Decimal:
    """Return cents as a two-place ``Decimal``.

    >>> cents_to_decimal(126414)
    Decimal('1264.14')
    """
    return (Decimal(int(cents)) / 100).quantize(CENT)


def format_cents(cents: int) -> str:
    """Return cents as plain text with two decimals, as in CSV outputs.

    >>> format_cents(-5), format_cents(100), format_cents(123456789)
    ('-0.05', '1.00', '1234567.89')
    """
    return str(cents_to_decimal(cents))


def grouped_cents(cents: int) -> str:
    """Return cents with thousands separators, for people reading a table.

    >>> grouped_cents(25508582), grouped_cents(-5)
    ('255,085.82', '-0.05')
    """
    return f"{cents_to_decimal(cents):,}"


def percent_text(rate: Decimal) -> str:
    """A rate given as a fraction, written as an exact percentage without trailing zeros.

    >>> percent_text(Decimal("0.065")), percent_text(Decimal("0.123456")), percent_text(Decimal(0))
    ('6.5%', '12.3456%', '0%')
    """
    return f"{(rate * 100).normalize():f}%"


def cents_to_float(cents: int) -> float:
    """Return cents as a float of two decimals, for JSON documents only (never for arithmetic).

    >>> cents_to_float(126414)
    1264.14
    """
    return float(cents_to_decimal(cents))
