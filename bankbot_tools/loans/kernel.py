"""Integer-cents amortization kernel over arrays of loans.

The convention, applied to every loan by every caller:

* payment: the annuity ``B*r/(1-(1+r)**-n)`` with ``r = annual_rate/12``, computed
  exactly and rounded half up to the cent; a zero rate gives ``B/n`` rounded half up
  (:mod:`bankbot_tools.loans.payments`, with the other shapes' payments);
* each month: interest = balance * annual_rate / 12 rounded half up to the cent,
  principal = payment - interest;
* the month the horizon closes, or any month where balance + interest is no more
  than the payment due (payment + extra), pays balance + interest and ends the loan.

One loan is an array of length one, so the loan tools, the plans and the batch
engine run this code and agree to the cent by construction. The month loop is one
Python function: a handful of loans run it as plain Python (no compiler to load, so a
one-off ``loan-calc`` starts fast); many loans run the same function compiled
(:mod:`bankbot_tools.compiled`: ahead of time, or by numba, imported only then).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from bankbot_tools.compiled import compiled
from bankbot_tools.loans.payments import annuity_payment, scheduled_payment
from bankbot_tools.loans.periods import (
    RATE_DIVISOR,
    RATE_SCALE,
    LoanShapes,
    Periods,
    build_periods,
)
from bankbot_tools.loans.schedule import DATE_COLUMN, KERNEL_COLUMNS, Amortized, Schedule
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.money import IntArray, div_half_up, format_cents
from bankbot_tools.rules import NO_DATE


def simulate(
    balance: IntArray,
    rate_ppm: IntArray,
    payment: IntArray,
    extra: IntArray,
    horizon: IntArray,
    closes: npt.NDArray[np.bool_],
    *,
    with_schedule: bool = False,
    periods: Periods | None = None,
) -> Amortized[IntArray]:
    """Run each loan for up to ``horizon`` periods at a fixed rate and payment.

    Loans whose ``closes`` is true pay off in their last period; the others carry
    their balance out (a segment of a step-down plan). ``periods`` says how each period
    is charged (default: monthly, 1/12 of the rate). The result's ``interest_saved``
    and ``months_saved`` are zero: :func:`amortize_loans` fills them in.
    """
    bal = np.array(balance, dtype=np.int64)
    payment = np.asarray(payment, dtype=np.int64)
    extra = np.asarray(extra, dtype=np.int64)
    due = payment + extra
    horizon = np.asarray(horizon, dtype=np.int64)
    n = bal.shape[0]
    periods = Periods.regular(n) if periods is None else periods
    # Loans of similar length side by side keep the month-major blocks busy. Terms fit in
    # 16 bits (the rule table allows 5200 payments), where numpy's stable sort is a radix sort.
    narrow = horizon.astype(np.int16) if n and horizon.max() < 1 << 15 else horizon
    order = np.argsort(narrow, kind="stable")
    p = periods.take(order)
    loans = (
        bal[order],
        np.asarray(rate_ppm, dtype=np.int64)[order],
        due[order],
        horizon[order],
        np.asarray(closes, dtype=np.bool_)[order],
        extra[order],
        p.rate_den,
        p.interest_only,
        p.odd_extra,
        p.day_row,
        periods.days,
        p.day_den,
        p.shaped(),
    )
    sorted_totals = np.zeros((5, n), dtype=np.int64)
    no_rows = np.zeros((len(KERNEL_COLUMNS), 0), dtype=np.int64)
    _in_parts(n, (*loans, sorted_totals, order, no_rows, order))
    totals = np.empty_like(sorted_totals)
    totals[:, order] = sorted_totals
    months_run, total_interest, total_paid, last_payment, end_balance = totals
    schedule = None
    if with_schedule:
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(months_run, out=offsets[1:])
        rows = np.empty((len(KERNEL_COLUMNS), int(offsets[-1])), dtype=np.int64)
        _in_parts(n, (*loans, np.zeros((5, n), dtype=np.int64), order, rows, offsets[order]))
        schedule = dict(zip(KERNEL_COLUMNS, rows, strict=True))
    zeros = np.zeros(n, dtype=np.int64)
    return Amortized(
        monthly_payment=payment,
        last_payment=last_payment,
        total_interest=total_interest,
        total_paid=total_paid,
        payoff_month=months_run,
        end_balance=end_balance,
        interest_saved=zeros,
        months_saved=zeros.copy(),
        schedule=schedule,
    )


#: Below this many loans the month loop runs as plain Python: loading the compiled
#: loop costs far more than running a few loans uncompiled.
_COMPILED_MIN_LOANS = 64
#: Below this many loans one thread does the work; above, each core takes a slice.
_PARALLEL_MIN_LOANS = 8192
#: One thread per core (the compiled loop releases the GIL), at most 4: chunks of a
#: portfolio are too small for more threads to pay for their start-up.
_WORKERS = max(1, min(4, os.cpu_count() or 1))
#: Loans run side by side in the month loop: enough independent multiply-divide
#: chains to keep the CPU's pipelines full, few enough to stay in registers and L1.
_BLOCK = 32
_pool: ThreadPoolExecutor | None = None


def _in_parts(n: int, arrays: tuple[npt.NDArray[Any], ...]) -> None:
    """Run the month loop over loans ``[0, n)``, split across the cores when big."""
    global _pool
    months: Callable[..., None] = _month_loop if n < _COMPILED_MIN_LOANS else compiled_month_loop()
    if n < _PARALLEL_MIN_LOANS or _WORKERS == 1:
        months(*arrays, 0, n)
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="amortize")
    # Loans come sorted by term: cut where each part has the same loan-months, not loans.
    work = np.cumsum(arrays[3])
    cuts = np.searchsorted(work, np.linspace(0, work[-1], _WORKERS + 1)[1:-1])
    bounds = [0, *(cuts // _BLOCK * _BLOCK).tolist(), n]
    parts = [_pool.submit(months, *arrays, lo, hi) for lo, hi in itertools.pairwise(bounds)]
    for part in parts:
        part.result()


#: The package's one rounding rule (:func:`money.div_half_up`), in the loop's words.
_half_up: Callable[[Any, Any], Any] = div_half_up


#: A product ``balance * numerator`` below these bounds fits int64 with room for the
#: half-up doubling, so one division is exact; larger ones take the two-step division.
_ONE_STEP_NUMERATOR = RATE_SCALE
_ONE_STEP_BALANCE = 1 << 42


def _month_loop(
    balance: IntArray,
    rate_ppm: IntArray,
    due: IntArray,
    horizon: IntArray,
    closes: npt.NDArray[np.bool_],
    extra: IntArray,
    rate_den: IntArray,
    interest_only: IntArray,
    odd_extra: IntArray,
    day_row: IntArray,
    days: npt.NDArray[np.int16],
    day_den: IntArray,
    shaped: npt.NDArray[np.bool_],
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
    schedule row per loan-month at ``first_row[i] + month - 1``. The arrays after
    ``closes`` are the columns of :class:`Periods`. A full block of level monthly loans
    without rows runs :func:`_level_block` (so one loan, or a few, never does: uncompiled,
    its vector form would cost a block's work per loan).
    """
    with_rows = rows.shape[1] > 0
    block = np.empty((5, _BLOCK), dtype=np.int64)  # running totals, as in ``totals``
    b = block[4]
    for start in range(lo, hi, _BLOCK):
        stop = min(start + _BLOCK, hi)
        if not with_rows and stop - start == _BLOCK and not shaped[start:stop].any():
            _level_block(balance, rate_ppm, due, horizon, closes, block, start)
            totals[:, start:stop] = block[:, : stop - start]
            continue
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
                due_now = due[i]
                if not shaped[i]:
                    interest = _half_up(bi * rate_ppm[i], RATE_DIVISOR)
                else:
                    num = rate_ppm[i]
                    den = rate_den[i]
                    if day_row[i] >= 0:
                        num = num * days[day_row[i] + month - 1]
                        den = day_den[i]
                    if den == RATE_DIVISOR:  # a constant divisor compiles to a multiply
                        interest = _half_up(bi * num, RATE_DIVISOR)
                    elif num < _ONE_STEP_NUMERATOR and bi < _ONE_STEP_BALANCE:
                        interest = _half_up(bi * num, den)
                    else:  # exact two-step division: bi * num may not fit in int64
                        whole = bi // den
                        interest = whole * num + _half_up((bi - whole * den) * num, den)
                    if month == 1:
                        interest += odd_extra[i]
                        due_now += odd_extra[i]
                    if month <= interest_only[i]:
                        due_now = interest + extra[i]
                owed = bi + interest
                closing = owed <= due_now or (closes[i] and month == horizon[i])
                paid = owed if closing else due_now
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


def _level_block(
    balance: IntArray,
    rate_ppm: IntArray,
    due: IntArray,
    horizon: IntArray,
    closes: npt.NDArray[np.bool_],
    block: IntArray,
    start: int,
) -> None:
    """The month loop's rule for the ``_BLOCK`` level monthly loans from ``start``, totals
    only, into ``block``.

    The same convention as the general loop, written without branches over the block's
    lanes so the compiler runs them as SIMD vectors; :func:`_level_interest` is its
    division. Each lane column is its own array, which lets the compiler see that they do
    not overlap.
    """
    b = np.empty(_BLOCK, dtype=np.int64)
    rate = np.empty(_BLOCK, dtype=np.int64)
    due_ = np.empty(_BLOCK, dtype=np.int64)
    horizon_ = np.empty(_BLOCK, dtype=np.int64)
    closes_ = np.empty(_BLOCK, dtype=np.bool_)
    months = np.zeros(_BLOCK, dtype=np.int64)
    interest_ = np.zeros(_BLOCK, dtype=np.int64)
    paid_ = np.zeros(_BLOCK, dtype=np.int64)
    last = np.zeros(_BLOCK, dtype=np.int64)
    longest = 0
    for j in range(_BLOCK):
        b[j] = balance[start + j]
        rate[j] = rate_ppm[start + j]
        due_[j] = due[start + j]
        horizon_[j] = horizon[start + j]
        closes_[j] = closes[start + j]
        longest = max(longest, horizon_[j])
    for month in range(1, longest + 1):
        alive_any = False
        for j in range(_BLOCK):
            bi = b[j]
            alive = (bi > 0) & (month <= horizon_[j])
            interest = _level_interest(bi, rate[j])
            owed = bi + interest
            closing = (owed <= due_[j]) | (closes_[j] & (month == horizon_[j]))
            paid = owed if closing else due_[j]
            paid = paid if alive else 0
            interest = interest if alive else 0
            b[j] = bi + interest - paid
            months[j] = month if alive else months[j]
            interest_[j] += interest
            paid_[j] += paid
            last[j] = paid if alive else last[j]
            alive_any |= alive
        if not alive_any:
            break
    block[0] = months
    block[1] = interest_
    block[2] = paid_
    block[3] = last
    block[4] = b


#: ``1 / (2 * RATE_DIVISOR)``: :func:`_level_interest`'s quotient estimate multiplies by it.
_INVERSE_2D = 1.0 / (2 * RATE_DIVISOR)


def _level_interest(balance: Any, rate_ppm: Any) -> Any:
    """``div_half_up(balance * rate_ppm, RATE_DIVISOR)``, by a float estimate made exact.

    Why not divide: no SIMD unit divides 64-bit integers, so an integer division keeps the
    block's lanes one at a time; int64 multiplies and int64 <-> float64 conversions do run
    as vectors. The float64 quotient of a numerator below 2**63 is within 1 of the true
    one (a relative error near 2**-52 on a quotient below 2**40), and the exact integer
    remainder corrects it. Balances up to 10**11 cents and rates below 10**6 (the rule
    table's bounds) keep the numerator below 2**63.
    """
    numerator = 2 * balance * rate_ppm + RATE_DIVISOR
    quotient = np.int64(numerator * _INVERSE_2D)
    rest = numerator - quotient * (2 * RATE_DIVISOR)
    return quotient + np.int64(rest >= 2 * RATE_DIVISOR) - np.int64(rest < 0)


def compiled_month_loop() -> Callable[..., None]:
    """The month loop compiled by numba (cached on disk; loaded on first use)."""
    return compiled(_month_loop, (div_half_up, _level_interest, _level_block))


def unamortizable(payment: IntArray) -> npt.NDArray[np.bool_]:
    """True where the level payment rounds to 0.00, so the loan would never amortize."""
    return np.asarray(payment) <= 0


def unamortizable_message(principal_cents: int, months: int) -> str:
    """One-line reason for a loan whose payment rounds to zero."""
    return (
        f"principal {format_cents(principal_cents)} is too small to amortize over {months} months:"
        " the payment rounds to 0.00"
    )


def amortize_loans(
    principal: IntArray,
    rate_ppm: IntArray,
    months: IntArray,
    extra: IntArray,
    *,
    with_schedule: bool = False,
    shapes: LoanShapes | None = None,
    payment: IntArray | None = None,
) -> Amortized[IntArray]:
    """Amortize many fixed-rate loans at once; inputs already validated.

    ``months`` counts payments; ``shapes`` carries the other terms (frequency, dates,
    day count, interest-only periods, balloon; default: level monthly undated loans).
    ``payment`` is their level payment (:func:`scheduled_payment`) when the caller has
    already computed it to validate them. Raises ``ValueError`` if any loan's payment
    rounds to zero: callers with many loans filter those out first with
    :func:`unamortizable`.
    """
    principal = np.asarray(principal, dtype=np.int64)
    rate_ppm = np.asarray(rate_ppm, dtype=np.int64)
    months = np.asarray(months, dtype=np.int64)
    extra = np.asarray(extra, dtype=np.int64)
    n = principal.shape[0]
    if shapes is None:
        periods = Periods.regular(n)
        if payment is None:
            payment = annuity_payment(principal, rate_ppm, months)
    else:
        periods = build_periods(principal, rate_ppm, months, shapes)
        if payment is None:
            payment = scheduled_payment(principal, rate_ppm, months, periods, shapes.balloon)
    payment = np.asarray(payment, dtype=np.int64)
    bad = np.flatnonzero(unamortizable(payment))
    if bad.size:
        i = int(bad[0])
        raise ValueError(unamortizable_message(int(principal[i]), int(months[i])))
    closes = np.ones(n, dtype=np.bool_)
    run = simulate(
        principal,
        rate_ppm,
        payment,
        extra,
        months,
        closes,
        with_schedule=with_schedule,
        periods=periods,
    )
    if run.schedule is not None and shapes is not None and shapes.dated.any():
        _add_dates(run.schedule, shapes)
    with_extra = np.flatnonzero(extra > 0)
    if not with_extra.size:
        return run
    base = simulate(
        principal[with_extra],
        rate_ppm[with_extra],
        payment[with_extra],
        np.zeros(with_extra.size, dtype=np.int64),
        months[with_extra],
        closes[with_extra],
        periods=periods.take(with_extra),
    )
    interest_saved = np.zeros_like(principal)
    months_saved = np.zeros_like(principal)
    interest_saved[with_extra] = base.total_interest - run.total_interest[with_extra]
    months_saved[with_extra] = base.payoff_month - run.payoff_month[with_extra]
    return replace(run, interest_saved=interest_saved, months_saved=months_saved)


def _add_dates(schedule: Schedule, shapes: LoanShapes) -> None:
    """Give a schedule of loans with dates its ``date`` column (ordinals; NO_DATE for rows of
    undated loans)."""
    loan = schedule["loan"]
    due = shapes.due(loan, schedule["month"] - 1)
    schedule[DATE_COLUMN] = np.where(shapes.dated[loan], due, NO_DATE)


def amortize(terms: LoanTerms) -> Amortized[int]:
    """Amortize one loan, with its schedule, through the same kernel as the batch engine.

    A dated loan's schedule also has a ``date`` column (date ordinals, days since 1970).

    >>> result = amortize(LoanTerms.parse("200000", "0.065", 360))
    >>> result.monthly_payment, result.payoff_month, int(result.schedule["balance"][-1])
    (126414, 360, 0)
    """
    shapes = LoanShapes.of(terms)
    one = amortize_loans(
        np.array([terms.principal_cents]),
        np.array([terms.rate_ppm]),
        np.array([terms.months]),
        np.array([terms.extra_cents]),
        with_schedule=True,
        shapes=None if shapes.plain else shapes,
    )
    return one.loan(0)
