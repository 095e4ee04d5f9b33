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

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from bankbot_tools.loan import LoanTerms
from bankbot_tools.money import IntArray, div_half_up

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
    rate_ppm = np.asarray(rate_ppm, dtype=np.int64)
    due = np.asarray(payment, dtype=np.int64) + np.asarray(extra, dtype=np.int64)
    horizon = np.asarray(horizon, dtype=np.int64)
    closes = np.asarray(closes, dtype=np.bool_)
    n = bal.shape[0]
    months_run = np.zeros(n, dtype=np.int64)
    total_interest = np.zeros(n, dtype=np.int64)
    total_paid = np.zeros(n, dtype=np.int64)
    last_payment = np.zeros(n, dtype=np.int64)
    rows: list[tuple[IntArray, ...]] = []
    active = np.flatnonzero((bal > 0) & (horizon > 0))
    month = 0
    while active.size:
        month += 1
        b = bal[active]
        interest = div_half_up(b * rate_ppm[active], RATE_DIVISOR)
        owed = b + interest
        pays_off = (owed <= due[active]) | (closes[active] & (horizon[active] == month))
        paid = np.where(pays_off, owed, due[active])
        b = owed - paid
        bal[active] = b
        months_run[active] = month
        total_interest[active] += interest
        total_paid[active] += paid
        last_payment[active] = paid
        if with_schedule:
            rows.append((active, np.full(active.size, month), paid, interest, paid - interest, b))
        active = active[(b > 0) & (horizon[active] > month)]
    schedule = _schedule_columns(rows, first_month) if with_schedule else None
    return Run(months_run, total_interest, total_paid, last_payment, bal, schedule)


def _schedule_columns(
    rows: list[tuple[IntArray, ...]], first_month: IntArray | None
) -> dict[str, IntArray]:
    names = ("loan", "month", "payment", "interest", "principal", "balance")
    if not rows:
        return {name: np.zeros(0, dtype=np.int64) for name in names}
    columns = [np.concatenate(parts) for parts in zip(*rows, strict=True)]
    order = np.lexsort((columns[1], columns[0]))
    table = {name: col[order] for name, col in zip(names, columns, strict=True)}
    if first_month is not None:
        table["month"] = table["month"] + np.asarray(first_month)[table["loan"]] - 1
    return table


def unamortizable(payment: IntArray) -> npt.NDArray[np.bool_]:
    """True where the level payment rounds to 0.00, so the loan would never amortize."""
    return np.asarray(payment) <= 0


def unamortizable_message(principal_cents: int, months: int) -> str:
    """One-line reason for a loan whose payment rounds to zero."""
    return (
        f"principal {principal_cents / 100:.2f} is too small to amortize over {months} months:"
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
