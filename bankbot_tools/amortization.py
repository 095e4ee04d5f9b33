"""Integer-cents amortization kernel over arrays of loans.

The convention, applied to every loan by every caller:

* payment: the annuity ``B*r/(1-(1+r)**-n)`` with ``r = annual_rate/12``, computed
  exactly and rounded half up to the cent; a zero rate gives ``B/n`` rounded half up;
* each month: interest = balance * annual_rate / 12 rounded half up to the cent,
  principal = payment - interest;
* the month the horizon closes, or any month where balance + interest is no more
  than the payment due (payment + extra), pays balance + interest and ends the loan.

One loan is an array of length one, so the loan tools, the plans and the batch
engine share this code and agree to the cent by construction.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from bankbot_tools.loan import LoanTerms
from bankbot_tools.money import IntArray, div_half_up, format_cents

#: 12 months times the rate's scale (millionths): interest = balance * ppm / RATE_DIVISOR.
RATE_DIVISOR = 12 * 1_000_000


def _exact_payment(balance: int, rate_ppm: int, months: int) -> int:
    """The annuity payment in cents by exact rational arithmetic, rounded half up."""
    rate = Fraction(rate_ppm, RATE_DIVISOR)
    growth = (1 + rate) ** months
    payment = balance * rate * growth / (growth - 1)
    return int((payment + Fraction(1, 2)) // 1)


def annuity_payment(balance: IntArray, rate_ppm: IntArray, months: IntArray) -> IntArray:
    """Level payment in cents that amortizes ``balance`` over ``months`` at ``rate_ppm``.

    Float64 gives the answer for nearly every loan; where it lands too close to a
    half cent to be trusted, the exact rational payment decides, so the result is
    always the exactly rounded value.

    >>> annuity_payment(np.array([20_000_000, 100]), np.array([65_000, 0]), np.array([360, 180]))
    array([126414,      1])
    """
    balance = np.asarray(balance, dtype=np.int64)
    rate_ppm = np.asarray(rate_ppm, dtype=np.int64)
    months = np.asarray(months, dtype=np.int64)
    zero_rate = div_half_up(balance, np.maximum(months, 1))
    r = rate_ppm / RATE_DIVISOR
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = balance * r / -np.expm1(-months * np.log1p(r))
    fraction = exact - np.floor(exact)
    doubtful = np.abs(fraction - 0.5) < 1e-7 + 1e-12 * exact
    rounded = np.floor(exact + 0.5)
    payment = np.where(rate_ppm == 0, zero_rate, np.nan_to_num(rounded)).astype(np.int64)
    for i in np.flatnonzero(doubtful & (rate_ppm > 0)):
        payment[i] = _exact_payment(int(balance[i]), int(rate_ppm[i]), int(months[i]))
    return payment


@dataclass(frozen=True)
class Run:
    """What :func:`simulate` returns, per loan (arrays aligned with its inputs).

    ``schedule`` holds the month rows when asked for, as equal-length columns
    ``loan`` (index into the inputs), ``month``, ``payment``, ``interest``,
    ``principal`` and ``balance``, ordered by loan then month.
    """

    months_run: IntArray
    total_interest: IntArray
    total_paid: IntArray
    last_payment: IntArray
    end_balance: IntArray
    schedule: dict[str, IntArray] | None


def simulate(
    balance: IntArray,
    rate_ppm: IntArray,
    payment: IntArray,
    extra: IntArray,
    horizon: IntArray,
    closes: npt.NDArray[np.bool_],
    *,
    with_schedule: bool = False,
    first_month: IntArray | None = None,
) -> Run:
    """Run each loan for up to ``horizon`` months at a fixed rate and payment.

    Loans whose ``closes`` is true pay off in their last month; the others carry
    their balance out (a segment of a step-down plan). ``first_month`` numbers the
    schedule rows (default 1).
    """
    bal = np.array(balance, dtype=np.int64)
    due = np.asarray(payment, dtype=np.int64) + np.asarray(extra, dtype=np.int64)
    horizon = np.asarray(horizon, dtype=np.int64)
    n = bal.shape[0]
    # Loans of similar length side by side keep the month-major blocks busy.
    order = np.argsort(horizon, kind="stable")
    loans = (
        bal[order],
        np.asarray(rate_ppm, dtype=np.int64)[order],
        due[order],
        horizon[order],
        np.asarray(closes, dtype=np.bool_)[order],
    )
    totals = np.zeros((5, n), dtype=np.int64)
    no_rows = np.zeros((6, 0), dtype=np.int64)
    _in_parts(n, (*loans, totals, order, no_rows, order))
    months_run, total_interest, total_paid, last_payment, end_balance = (
        np.empty(n, dtype=np.int64) for _ in range(5)
    )
    for sorted_total, total in zip(
        totals, (months_run, total_interest, total_paid, last_payment, end_balance), strict=True
    ):
        total[order] = sorted_total
    schedule = None
    if with_schedule:
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(months_run, out=offsets[1:])
        rows = np.empty((6, int(offsets[-1])), dtype=np.int64)
        _in_parts(n, (*loans, np.zeros((5, n), dtype=np.int64), order, rows, offsets[order]))
        names = ("loan", "month", "payment", "interest", "principal", "balance")
        schedule = dict(zip(names, rows[:6], strict=True))
        if first_month is not None:
            schedule["month"] += np.asarray(first_month, dtype=np.int64)[schedule["loan"]] - 1
    return Run(months_run, total_interest, total_paid, last_payment, end_balance, schedule)


#: Below this many loans one thread does the work; above, each core takes a slice.
_PARALLEL_MIN_LOANS = 8192
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_BLOCK = 32
_pool: ThreadPoolExecutor | None = None


def _in_parts(n: int, arrays: tuple[npt.NDArray[Any], ...]) -> None:
    """Run :func:`_month_loop` over loans ``[0, n)``, split across the cores when big."""
    global _pool
    if n < _PARALLEL_MIN_LOANS or _WORKERS == 1:
        _months(*arrays, 0, n)
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="amortize")
    bounds = (np.linspace(0, n // _BLOCK, _WORKERS + 1).astype(np.int64) * _BLOCK).tolist()
    bounds[-1] = n
    parts = [_pool.submit(_months, *arrays, lo, hi) for lo, hi in itertools.pairwise(bounds)]
    for part in parts:
        part.result()


#: The package's one rounding rule (:func:`money.div_half_up`), compiled for the loop.
_half_up: Callable[[int, int], int] = numba.njit(cache=True, nogil=True)(div_half_up)  # type: ignore[assignment]


def _month_loop(
    balance: IntArray,
    rate_ppm: IntArray,
    due: IntArray,
    horizon: IntArray,
    closes: npt.NDArray[np.bool_],
    totals: IntArray,
    loan_index: IntArray,
    rows: IntArray,
    first_row: IntArray,
    lo: int,
    hi: int,
) -> None:
    """The month loop of the convention for loans ``[lo, hi)``, in blocks of loans.

    Month-major within a block of ``_BLOCK`` loans, so the CPU overlaps the loans'
    independent multiply-divide chains. Writes per-loan ``totals`` (months run,
    interest, paid, last payment, end balance) and, when ``rows`` has room, one
    schedule row per loan-month at ``first_row[i] + month - 1``.
    """
    with_rows = rows.shape[1] > 0
    block = np.empty((5, _BLOCK), dtype=np.int64)  # running totals, as in ``totals``
    b = block[4]
    for start in range(lo, hi, _BLOCK):
        stop = min(start + _BLOCK, hi)
        longest = 0
        block[:4] = 0
        for i in range(start, stop):
            b[i - start] = balance[i]
            longest = max(longest, horizon[i])
        for month in range(1, longest + 1):
            alive = False
            for i in range(start, stop):
                bi = b[i - start]
                if bi <= 0 or month > horizon[i]:
                    continue
                alive = True
                interest = _half_up(bi * rate_ppm[i], RATE_DIVISOR)
                owed = bi + interest
                closing = owed <= due[i] or (closes[i] and month == horizon[i])
                paid = owed if closing else due[i]
                b[i - start] = owed - paid
                block[0, i - start] = month
                block[1, i - start] += interest
                block[2, i - start] += paid
                block[3, i - start] = paid
                if with_rows:
                    row = first_row[i] + month - 1
                    rows[0, row] = loan_index[i]
                    rows[1, row] = month
                    rows[2, row] = paid
                    rows[3, row] = interest
                    rows[4, row] = paid - interest
                    rows[5, row] = owed - paid
            if not alive:
                break
        totals[:, start:stop] = block[:, : stop - start]


_months: Callable[..., None] = numba.njit(cache=True, nogil=True)(_month_loop)


def unamortizable(payment: IntArray) -> npt.NDArray[np.bool_]:
    """True where the level payment rounds to 0.00, so the loan would never amortize."""
    return np.asarray(payment) <= 0


def unamortizable_message(principal_cents: int, months: int) -> str:
    """One-line reason for a loan whose payment rounds to zero."""
    return (
        f"principal {format_cents(principal_cents)} is too small to amortize over {months} months:"
        " the payment rounds to 0.00"
    )


@dataclass(frozen=True)
class Amortized:
    """Results of :func:`amortize_loans`, one entry per loan (amounts in cents).

    ``interest_saved`` and ``months_saved`` compare each loan with the same loan
    paid without extra; they are zero where the extra is zero.
    """

    monthly_payment: IntArray
    last_payment: IntArray
    total_interest: IntArray
    total_paid: IntArray
    payoff_month: IntArray
    interest_saved: IntArray
    months_saved: IntArray
    schedule: dict[str, IntArray] | None


def amortize_loans(
    principal: IntArray,
    rate_ppm: IntArray,
    months: IntArray,
    extra: IntArray,
    *,
    with_schedule: bool = False,
) -> Amortized:
    """Amortize many fixed-rate loans at once; inputs already validated.

    Raises ``ValueError`` if any loan's payment rounds to zero: callers with many
    loans filter those out first with :func:`unamortizable`.
    """
    principal = np.asarray(principal, dtype=np.int64)
    months = np.asarray(months, dtype=np.int64)
    extra = np.asarray(extra, dtype=np.int64)
    payment = annuity_payment(principal, rate_ppm, months)
    bad = np.flatnonzero(unamortizable(payment))
    if bad.size:
        i = int(bad[0])
        raise ValueError(unamortizable_message(int(principal[i]), int(months[i])))
    closes = np.ones(principal.shape[0], dtype=np.bool_)
    run = simulate(principal, rate_ppm, payment, extra, months, closes, with_schedule=with_schedule)
    interest_saved = np.zeros_like(principal)
    months_saved = np.zeros_like(principal)
    with_extra = np.flatnonzero(extra > 0)
    if with_extra.size:
        base = simulate(
            principal[with_extra],
            np.asarray(rate_ppm)[with_extra],
            payment[with_extra],
            np.zeros(with_extra.size, dtype=np.int64),
            months[with_extra],
            closes[with_extra],
        )
        interest_saved[with_extra] = base.total_interest - run.total_interest[with_extra]
        months_saved[with_extra] = base.months_run - run.months_run[with_extra]
    return Amortized(
        monthly_payment=payment,
        last_payment=run.last_payment,
        total_interest=run.total_interest,
        total_paid=run.total_paid,
        payoff_month=run.months_run,
        interest_saved=interest_saved,
        months_saved=months_saved,
        schedule=run.schedule,
    )


@dataclass(frozen=True)
class LoanSchedule:
    """One loan's payment, totals and month-by-month schedule, in cents."""

    monthly_payment: int
    last_payment: int
    total_interest: int
    total_paid: int
    payoff_month: int
    interest_saved: int
    months_saved: int
    schedule: dict[str, IntArray]

    def rows(self) -> list[dict[str, int]]:
        """The schedule as row dicts ``{month, payment, interest, principal, balance}`` in cents."""
        names = ("month", "payment", "interest", "principal", "balance")
        columns = [self.schedule[name].tolist() for name in names]
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def amortize(terms: LoanTerms) -> LoanSchedule:
    """Amortize one loan through the same kernel as the batch engine.

    >>> from bankbot_tools.loan import LoanTerms
    >>> result = amortize(LoanTerms.parse("200000", "0.065", 360))
    >>> result.monthly_payment, result.payoff_month, int(result.schedule["balance"][-1])
    (126414, 360, 0)
    """
    one = amortize_loans(
        np.array([terms.principal_cents]),
        np.array([terms.rate_ppm]),
        np.array([terms.months]),
        np.array([terms.extra_cents]),
        with_schedule=True,
    )
    assert one.schedule is not None
    return LoanSchedule(
        monthly_payment=int(one.monthly_payment[0]),
        last_payment=int(one.last_payment[0]),
        total_interest=int(one.total_interest[0]),
        total_paid=int(one.total_paid[0]),
        payoff_month=int(one.payoff_month[0]),
        interest_saved=int(one.interest_saved[0]),
        months_saved=int(one.months_saved[0]),
        schedule={k: v for k, v in one.schedule.items() if k != "loan"},
    )
