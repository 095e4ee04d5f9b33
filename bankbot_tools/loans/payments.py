"""The level payment of a loan: the annuity, exactly rounded, and its actual-day form.

:func:`annuity_payment` is the convention's payment (``B*r/(1-(1+r)**-n)`` at the periodic
rate ``r = annual_rate / payments per year``); :func:`scheduled_payment` is the payment a
loan's shape calls for: after its interest-only periods, leaving its balloon, and, for a
dated loan with an actual-day count, the annuity over each period's own days (the payment
that, charged those days, leaves exactly the balloon, or 0.00, after the last payment).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from bankbot_tools.loans.periods import RATE_SCALE, Periods
from bankbot_tools.money import IntArray, div_half_up


def _exact_payment(
    balance: int, rate_ppm: int, months: int, periods_per_year: int = 12, balloon: int = 0
) -> int:
    """The annuity payment in cents by exact rational arithmetic, rounded half up."""
    rate = Fraction(rate_ppm, RATE_SCALE * periods_per_year)
    growth = (1 + rate) ** months
    payment = (balance * growth - balloon) * rate / (growth - 1)
    return int((payment + Fraction(1, 2)) // 1)


def annuity_payment(
    balance: IntArray,
    rate_ppm: IntArray,
    months: IntArray,
    *,
    periods_per_year: IntArray | int = 12,
    balloon: IntArray | int = 0,
) -> IntArray:
    """Level payment in cents that amortizes ``balance`` over ``months`` payments at ``rate_ppm``.

    The periodic rate is ``rate_ppm / periods_per_year``; with a ``balloon`` the payment
    leaves exactly that balance after the last payment. Float64 gives the answer for nearly
    every loan; where it lands too close to a half cent to be trusted, the exact rational
    payment decides, so the result is always the exactly rounded value.

    >>> annuity_payment(np.array([20_000_000, 100]), np.array([65_000, 0]), np.array([360, 180]))
    array([126414,      1])
    >>> annuity_payment(np.array([20_000_000]), np.array([65_000]), np.array([780]),
    ...                 periods_per_year=26, balloon=5_000_000)
    array([56238])
    """
    balance = np.asarray(balance, dtype=np.int64)
    rate_ppm = np.asarray(rate_ppm, dtype=np.int64)
    months = np.asarray(months, dtype=np.int64)
    ppy = np.broadcast_to(np.asarray(periods_per_year, dtype=np.int64), balance.shape)
    balloon = np.broadcast_to(np.asarray(balloon, dtype=np.int64), balance.shape)
    zero_rate = div_half_up(balance - balloon, np.maximum(months, 1))
    r = rate_ppm / (RATE_SCALE * ppy)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_growth = months * np.log1p(r)
        annuity = r / -np.expm1(-log_growth)
        left = balloon * np.exp(-log_growth)
        exact = (balance - left) * annuity
        doubt = _HALF_CENT_DOUBT + _RELATIVE_DOUBT * (exact + left * annuity)
    fraction = exact - np.floor(exact)
    doubtful = ~(np.abs(fraction - 0.5) >= doubt)  # NaN (overflow) is doubtful too
    rounded = np.floor(exact + 0.5)
    payment = np.where(rate_ppm == 0, zero_rate, np.nan_to_num(rounded)).astype(np.int64)
    for i in np.flatnonzero(doubtful & (rate_ppm > 0)):
        payment[i] = _exact_payment(
            int(balance[i]), int(rate_ppm[i]), int(months[i]), int(ppy[i]), int(balloon[i])
        )
    return payment


#: Float64 computes the annuity to a relative error far below 1e-12; a payment whose
#: fraction of a cent lies within this margin of one half could round either way in float,
#: so the exact rational payment decides it (about one loan in ten million).
_HALF_CENT_DOUBT = 1e-7
_RELATIVE_DOUBT = 1e-12


def scheduled_payment(
    principal: IntArray, rate_ppm: IntArray, payments: IntArray, periods: Periods, balloon: IntArray
) -> IntArray:
    """The level payment after the interest-only periods, leaving ``balloon`` at the end.

    Loans whose ``periods`` charge each period its own days (dated, actual-day count) get
    the annuity over those days; the others the annuity at the periodic rate. Also the
    re-amortized payment of a plan's later segment, given the periods :meth:`Periods.after`
    its earlier payments.
    """
    principal = np.asarray(principal, dtype=np.int64)
    rate_ppm = np.asarray(rate_ppm, dtype=np.int64)
    balloon = np.broadcast_to(np.asarray(balloon, dtype=np.int64), principal.shape)
    amortizing = np.asarray(payments, dtype=np.int64) - periods.interest_only
    payment = annuity_payment(
        principal,
        rate_ppm,
        amortizing,
        periods_per_year=periods.rate_den // RATE_SCALE,
        balloon=balloon,
    )
    daily = np.flatnonzero(periods.day_row >= 0)
    if daily.size:
        first = periods.day_row[daily] + periods.interest_only[daily]
        payment[daily] = actual_day_payment(
            principal[daily],
            rate_ppm[daily],
            periods.days,
            first,
            amortizing[daily],
            periods.day_den[daily],
            balloon[daily],
        )
    return payment


def actual_day_payment(
    principal: IntArray,
    rate_ppm: IntArray,
    days: npt.NDArray[np.integer[Any]],
    first: IntArray,
    count: IntArray,
    denominator: IntArray,
    balloon: IntArray,
) -> IntArray:
    """The level payment over periods of given days, exactly rounded half up.

    Loan ``i`` has ``count[i]`` periods of ``days[first[i]:first[i] + count[i]]`` days, each
    growing the balance by ``1 + g = 1 + rate_ppm * days / denominator``; the payment ``P``
    solves ``B * prod(1 + g) - P * sum_k prod_{j > k}(1 + g_j) = balloon``. As
    :func:`annuity_payment`: float64 for nearly every loan, exact integers where the
    result lies too near a half cent.

    >>> actual_day_payment(np.array([100_000]), np.array([120_000]), np.array([31, 28, 31]),
    ...                    np.array([0]), np.array([3]), np.array([365 * 10**6]), np.array([0]))
    array([33993])
    """
    count = np.asarray(count, dtype=np.int64)
    loan = np.repeat(np.arange(count.size), count)
    starts = np.zeros(count.size, dtype=np.int64)
    np.cumsum(count[:-1], out=starts[1:])
    k = np.arange(loan.size, dtype=np.int64) - starts[loan]
    g = rate_ppm[loan] * np.asarray(days, dtype=np.float64)[first[loan] + k] / denominator[loan]
    # c[k]: log of the growth up to and including period k; the growth after k is c[-1] - c[k].
    c = np.cumsum(np.log1p(g))
    before = np.where(starts > 0, c[starts - 1], 0.0)
    total = c[starts + count - 1] - before
    after = np.exp(total[loan] - (c - before[loan]))
    weights = np.add.reduceat(after, starts) if loan.size else np.zeros(0)
    with np.errstate(over="ignore", invalid="ignore"):
        exact = (principal * np.exp(total) - balloon) / weights
        doubt = _HALF_CENT_DOUBT + _DAYS_RELATIVE_DOUBT * np.abs(exact)
    fraction = exact - np.floor(exact)
    payment: IntArray = np.nan_to_num(np.floor(exact + 0.5)).astype(np.int64)
    for i in np.flatnonzero(~(np.abs(fraction - 0.5) >= doubt)).tolist():
        span = days[first[i] : first[i] + count[i]]
        payment[i] = _exact_day_payment(
            int(principal[i]), int(rate_ppm[i]), span.tolist(), int(denominator[i]), int(balloon[i])
        )
    return payment


#: The actual-day payment sums thousands of float64 logs and exponentials: a wider margin
#: than the closed-form annuity's.
_DAYS_RELATIVE_DOUBT = 1e-10


def _exact_day_payment(
    principal: int, rate_ppm: int, days: list[int], denominator: int, balloon: int
) -> int:
    """:func:`actual_day_payment` of one loan in integers, growths ``a_j / D``.

    With ``a_j = D + r * d_j``, ``G = prod(a_j)`` and ``W = sum_k prod_{j>k}(a_j) * D**(k-1)``
    (Horner's rule forwards: ``W_k = W_{k-1} * a_k + D**(k-1)``), the payment is
    ``(B * G - balloon * D**n) / (W * D)``.
    """
    growth = 1
    weights = 0
    power = 1  # D ** (periods so far)
    for day in days:
        a = denominator + rate_ppm * day
        weights = weights * a + power
        growth *= a
        power *= denominator
    return div_half_up(principal * growth - balloon * power, weights * denominator)
