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
from decimal import Decimal

import numpy as np

from bankbot_tools.conventions import Frequency, from_ordinal, is_month_end
from bankbot_tools.loans.apr import Payment, apr, dated_payment_stream
from bankbot_tools.loans.kernel import amortize_loans
from bankbot_tools.loans.periods import LoanShapes
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.money import IntArray

#: Decimals of the APR in percent: 3, finer than the 1/8 point tolerance of 1026.22(a)(2).
APR_PLACES = 3

_FREQUENCIES = {f.periods_per_year: f for f in Frequency}


def aprs(
    principal: IntArray,
    rate_ppm: IntArray,
    months: IntArray,
    fees: IntArray,
    shapes: LoanShapes | None = None,
) -> list[Decimal]:
    """The APR in percent of each loan (the batch engine's and the single loan's one path)."""
    principal = np.asarray(principal, dtype=np.int64)
    n = principal.shape[0]
    shapes = LoanShapes.build(n) if shapes is None else shapes
    run = amortize_loans(
        principal,
        rate_ppm,
        months,
        np.zeros(n, dtype=np.int64),
        with_schedule=True,
        shapes=None if shapes.plain else shapes,
    )
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
                month_end=frequency != Frequency.WEEKLY and is_month_end(anchor),
            )
        else:
            stream = tuple(Payment(c, k) for k, c in enumerate(amounts, start=1) if c > 0)
        financed = int(principal[i]) - int(np.asarray(fees)[i])
        results.append(apr(financed, stream, frequency.periods_per_year, places=APR_PLACES))
    return results


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
