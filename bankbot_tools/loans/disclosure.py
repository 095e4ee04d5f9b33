"""The Regulation Z APR of loans, from their actual cent payment streams.

Amount financed = principal - fees (prepaid finance charges, 1026.18(b)). The stream is the
loan's scheduled payments in cents as the kernel computes them (interest-only payments, the
odd first payment, the balloon in the last one), without voluntary extra principal. Undated
payments fall exactly one unit-period apart; dated ones are timed from the start date by
Appendix J (b)(5) (:func:`~bankbot_tools.loans.apr.unit_period_split`).

>>> from bankbot_tools.loans.terms import LoanTerms
>>> loan_apr(LoanTerms.parse(5000, "0.12", 36, fees=100))
Decimal('13.411')
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np

from bankbot_tools.conventions import Frequency, from_ordinal, series_day, shape
from bankbot_tools.loans.apr import Payment, apr, dated_payment_stream
from bankbot_tools.loans.kernel import amortize_loans
from bankbot_tools.loans.periods import LoanShapes
from bankbot_tools.loans.schedule import Amortized
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.money import IntArray

#: Decimals of the APR in percent: 3, finer than the 1/8 point tolerance of 1026.22(a)(2).
APR_PLACES = 3

_FREQUENCIES = {f.periods_per_year: f for f in Frequency}


#: Newton steps of the level-stream solve; it converges quadratically from the note rate.
_NEWTON_STEPS = 30
#: A float APR this close (in units of the last reported decimal) to a rounding tie, or
#: not settled to this relative step, is decided by the exact solver instead.
_TIE_DOUBT = 1e-6
_SETTLED = 1e-13


def _scheduled(
    principal: IntArray,
    rate_ppm: IntArray,
    months: IntArray,
    shapes: LoanShapes,
    *,
    with_schedule: bool,
) -> Amortized[IntArray]:
    """The loans' scheduled payments: the kernel's run without voluntary extra principal."""
    return amortize_loans(
        principal,
        rate_ppm,
        months,
        np.zeros(principal.shape[0], dtype=np.int64),
        with_schedule=with_schedule,
        shapes=None if shapes.plain else shapes,
    )


def fast_aprs(
    principal: IntArray,
    rate_ppm: IntArray,
    months: IntArray,
    fees: IntArray,
    shapes: LoanShapes | None = None,
) -> list[Decimal]:
    """The APRs of :func:`aprs`, vectorized for a portfolio: the same figures, far faster.

    A level undated stream (n - 1 payments of P, then a last payment L, one unit-period
    apart) solves ``A = P (1 - v**n) / i + (L - P) v**n`` by Newton's method in float64 for
    all such loans at once; where the result lies within a hair of a rounding tie, or did
    not settle, and for every other shape (dates, interest-only, balloon), the exact
    solver of :func:`aprs` decides.
    """
    principal = np.asarray(principal, dtype=np.int64)
    fees = np.asarray(fees, dtype=np.int64)
    n_loans = principal.shape[0]
    shapes = LoanShapes.build(n_loans) if shapes is None else shapes
    run = _scheduled(principal, rate_ppm, months, shapes, with_schedule=False)
    level = run.monthly_payment.astype(np.float64)
    last = run.last_payment.astype(np.float64)
    count = run.payoff_month.astype(np.float64)
    financed = (principal - fees).astype(np.float64)
    per_year = shapes.periods_per_year.astype(np.float64)
    simple = ~shapes.dated & (shapes.interest_only == 0) & (shapes.balloon == 0)
    paid = run.total_paid
    free = paid == principal - fees  # no finance charge at all: the APR is 0
    rate = np.maximum(np.asarray(rate_ppm) / 1e6 / per_year, 1e-6)
    settled = np.zeros(n_loans, dtype=np.bool_)
    with np.errstate(all="ignore"):
        for _ in range(_NEWTON_STEPS):
            grow = np.log1p(rate)
            vn = np.exp(-count * grow)
            annuity = -np.expm1(-count * grow) / rate
            f = level * annuity + (last - level) * vn - financed
            d_annuity = (count * vn / (1 + rate) - annuity) / rate
            d_vn = -count * vn / (1 + rate)
            step = f / (level * d_annuity + (last - level) * d_vn)
            rate = rate - step
            settled = np.abs(step) <= _SETTLED * np.abs(rate)
        scaled = rate * per_year * 100 * 10**APR_PLACES
        tie = np.abs(scaled - np.floor(scaled) - 0.5) < _TIE_DOUBT
    fast = simple & ~free & settled & np.isfinite(scaled) & (rate > 0) & ~tie
    results: list[Decimal] = [Decimal(0)] * n_loans
    quantum = Decimal(1).scaleb(-APR_PLACES)
    for i in np.flatnonzero(fast).tolist():
        results[i] = (Decimal(int(np.floor(scaled[i] + 0.5))) * quantum).quantize(quantum)
    slow = np.flatnonzero(~fast)
    if slow.size:
        exact = aprs(
            principal[slow],
            np.asarray(rate_ppm)[slow],
            np.asarray(months)[slow],
            fees[slow],
            shapes.take(slow),
        )
        for i, value in zip(slow.tolist(), exact, strict=True):
            results[i] = value
    return results


def aprs(
    principal: IntArray,
    rate_ppm: IntArray,
    months: IntArray,
    fees: IntArray,
    shapes: LoanShapes | None = None,
) -> list[Decimal]:
    """The APR in percent of each loan, by the exact solver on its actual cent stream."""
    principal = np.asarray(principal, dtype=np.int64)
    n = principal.shape[0]
    shapes = LoanShapes.build(n) if shapes is None else shapes
    run = _scheduled(principal, rate_ppm, months, shapes, with_schedule=True)
    assert run.schedule is not None
    ends = np.searchsorted(run.schedule["loan"], np.arange(n + 1))
    dated = shapes.dated
    results = []
    for i in range(n):
        lo, hi = int(ends[i]), int(ends[i + 1])
        amounts = run.schedule["payment"][lo:hi].tolist()
        frequency = _frequency(shapes, i)
        if dated[i]:
            month = run.schedule["month"][lo:hi]
            due = shapes.due(np.full(hi - lo, i), month - 1).tolist()
            anchor = from_ordinal(int(shapes.anchor[i]))
            stream = dated_payment_stream(
                from_ordinal(int(shapes.start[i])),
                [(from_ordinal(d), c) for d, c in zip(due, amounts, strict=True) if c > 0],
                frequency,
                payment_day=_payment_day(anchor, frequency),
            )
        else:
            stream = tuple(Payment(c, k) for k, c in enumerate(amounts, start=1) if c > 0)
        financed = int(principal[i]) - int(np.asarray(fees)[i])
        results.append(apr(financed, stream, frequency.periods_per_year, places=APR_PLACES))
    return results


def _payment_day(anchor: date, frequency: Frequency) -> int | None:
    """The day of the month a series of whole-month payments falls on (31: month ends);
    None for weekly and semimonthly series, whose due dates are counted back on their own."""
    if shape(frequency)[0] != "month":
        return None
    return series_day(anchor)


def _frequency(shapes: LoanShapes, i: int) -> Frequency:
    """The loan's frequency back from its arrays."""
    kind, size = int(shapes.kind[i]), int(shapes.size[i])
    if kind == 0:
        return {1: Frequency.WEEKLY, 2: Frequency.BIWEEKLY, 4: Frequency.FOUR_WEEKLY}[size]
    return Frequency.SEMIMONTHLY if kind == 2 else _FREQUENCIES[12 // size]


def loan_apr(terms: LoanTerms) -> Decimal:
    """The APR in percent (3 decimals) of one loan, through the batch path."""
    scheduled = replace(terms, extra_cents=0)
    return aprs(
        np.array([scheduled.principal_cents]),
        np.array([scheduled.rate_ppm]),
        np.array([scheduled.months]),
        np.array([scheduled.fees_cents]),
        LoanShapes.of(scheduled),
    )[0]
