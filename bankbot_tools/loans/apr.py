"""The Regulation Z annual percentage rate, actuarial method (12 CFR 1026.22, Appendix J).

Appendix J (b)(8) defines the APR of a single-advance loan through its general equation

    A = sum_k P_k / ((1 + f_k * i) * (1 + i) ** t_k)

where ``A`` is the amount financed, payment ``k`` of ``P_k`` falls ``t_k`` whole unit-periods
plus a fraction ``f_k`` of one after the start of the term, and ``i`` is the rate per
unit-period; the APR is ``i`` times the number of unit-periods in a year ((b)(1)).

Why exact: the disclosed APR must be right to the 1/8 percentage point of 1026.22(a)(2), and a
rate solved in floats can land on the wrong side of a rounding boundary.  Here the payments
are integer cents, the times are ``Fraction`` s, and the result is *certified*: a Newton
estimate in a 50-digit ``Decimal`` context proposes a value, then the sign of the equation is
evaluated in exact integer arithmetic at the rounding boundaries either side of it, so the
returned figure is the exact APR correctly rounded (half up) to ``places`` decimals.

The APR is returned in **percent**.  Appendix J (c)(1)(i): $5,000 advanced, 24 monthly
payments of $230, first payment one month after the advance:

>>> apr(500_000, level_payment_stream(23_000, 24), 12, places=2)
Decimal('9.69')

$5,000 at a 12% note rate repaid by 36 payments of $166.07: the payment was rounded down
from $166.0715, so the APR is 12.00% to two places but just under 12% to three:

>>> stream = level_payment_stream(16_607, 36)
>>> apr(500_000, stream, 12, places=2), apr(500_000, stream, 12)
(Decimal('12.00'), Decimal('11.999'))

An odd first period, Appendix J (b)(5)(ii): advance February 10, first payment April 1, so
one full month back to March 1 and 19 days over, i.e. ``t = 1`` and ``f = 19/30``:

>>> unit_period_split(date(1978, 2, 10), date(1978, 4, 1), Frequency.MONTHLY)
(1, Fraction(19, 30))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction

from bankbot_tools.conventions import _SHAPES, Frequency, months_later

__all__ = [
    "Frequency",
    "Payment",
    "apr",
    "dated_payment_stream",
    "level_payment_stream",
    "unit_period_split",
]

_NEWTON_PRECISION = 50
_NEWTON_MAX_STEPS = 200
_SEARCH_MAX_STEPS = 400
_MAX_PLACES = 12


@dataclass(frozen=True, slots=True)
class Payment:
    """One payment of the stream: ``amount_cents`` due ``periods + fraction`` unit-periods in.

    ``periods`` is ``t`` and ``fraction`` is ``f`` of Appendix J (b)(8), both measured from the
    beginning of the term; ``0 <= fraction < 1``.
    """

    amount_cents: int
    periods: int
    fraction: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        """Reject amounts and times the general equation cannot take."""
        if not _is_int(self.amount_cents) or self.amount_cents <= 0:
            raise ValueError("payment amount_cents must be a positive integer number of cents")
        if not _is_int(self.periods) or self.periods < 0:
            raise ValueError("payment periods must be a non-negative integer")
        if not isinstance(self.fraction, Fraction | int) or isinstance(self.fraction, bool):
            raise ValueError("payment fraction must be a Fraction")
        object.__setattr__(self, "fraction", Fraction(self.fraction))
        if not 0 <= self.fraction < 1:
            raise ValueError("payment fraction must be at least 0 and less than 1")
        if self.periods == 0 and self.fraction == 0:
            raise ValueError("payment periods and fraction must not both be 0 (due at the start)")


def apr(
    amount_financed_cents: int,
    payments: Sequence[Payment],
    periods_per_year: int | Fraction,
    *,
    places: int = 3,
) -> Decimal:
    """The actuarial APR, in percent, exactly rounded half up to ``places`` decimals.

    ``amount_financed_cents`` is the amount financed of 1026.18(b) (principal less prepaid
    finance charges), advanced at the start of the term; ``payments`` are the scheduled
    payments; ``periods_per_year`` is the number of unit-periods in a year (12 monthly, 24
    semimonthly, 26 biweekly, 52 weekly, 4 quarterly, 1 annual, or a ``Fraction`` such as
    365/255 for the single-payment loan of (b)(5)(vii)).

    >>> apr(100_000, [Payment(108_000, 1)], Fraction(365, 255), places=2)
    Decimal('11.45')
    """
    if not _is_int(amount_financed_cents) or amount_financed_cents <= 0:
        raise ValueError("amount_financed_cents must be a positive integer number of cents")
    if not isinstance(payments, Sequence) or len(payments) == 0:
        raise ValueError("payments must be a non-empty sequence of Payment")
    if not all(isinstance(p, Payment) for p in payments):
        raise ValueError("payments must contain only Payment items")
    if (
        not isinstance(periods_per_year, int | Fraction)
        or isinstance(periods_per_year, bool)
        or periods_per_year <= 0
    ):
        raise ValueError("periods_per_year must be a positive int or Fraction")
    if not _is_int(places) or not 0 <= places <= _MAX_PLACES:
        raise ValueError(f"places must be an integer from 0 to {_MAX_PLACES}")
    total = sum(p.amount_cents for p in payments)
    if total < amount_financed_cents:
        raise ValueError("payments must total at least amount_financed_cents (no negative APR)")
    quantum = Decimal(1).scaleb(-places)
    if total == amount_financed_cents:
        return Decimal(0).quantize(quantum)

    w = Fraction(periods_per_year)
    groups = _group(payments)
    # The answer is an integer m of grid units (10**-places percent).  A grid value x converts
    # to the unit-period rate i = x / (100 * 10**places * w).
    scale = 100 * 10**places * w

    def root_at_or_above(k: int) -> bool:
        """Whether the exact APR is at least k + 1/2 grid units (so rounds to k + 1 or more)."""
        rate = Fraction(2 * k + 1, 2) / scale
        return _excess(amount_financed_cents, groups, rate) >= 0

    estimate = _newton(amount_financed_cents, payments) * Decimal(scale.numerator)
    guess = int((estimate / Decimal(scale.denominator)).to_integral_value())
    m = _first_false(root_at_or_above, guess)
    return Decimal(m).scaleb(-places).quantize(quantum, rounding=ROUND_HALF_UP)


def level_payment_stream(
    payment_cents: int,
    count: int,
    *,
    first_periods: int = 1,
    first_fraction: Fraction = Fraction(0),
    first_payment_cents: int | None = None,
    last_payment_cents: int | None = None,
) -> tuple[Payment, ...]:
    """``count`` payments one unit-period apart, the first at ``first_periods + first_fraction``.

    An odd first period (Appendix J (b)(5)) shifts every payment by the same fraction, so
    each keeps ``first_fraction``; an odd first or final payment replaces that amount.

    >>> level_payment_stream(23_000, 2, first_fraction=Fraction(1, 3), last_payment_cents=1)
    (Payment(amount_cents=23000, periods=1, fraction=Fraction(1, 3)), \
Payment(amount_cents=1, periods=2, fraction=Fraction(1, 3)))
    """
    if not _is_int(count) or count <= 0:
        raise ValueError("count must be a positive integer")
    amounts = [payment_cents] * count
    if first_payment_cents is not None:
        amounts[0] = first_payment_cents
    if last_payment_cents is not None:
        amounts[-1] = last_payment_cents
    return tuple(
        Payment(amount, first_periods + k, first_fraction) for k, amount in enumerate(amounts)
    )


def dated_payment_stream(
    start: date,
    dated_payments: Sequence[tuple[date, int]],
    frequency: Frequency,
    *,
    payment_day: int | None = None,
) -> tuple[Payment, ...]:
    """Payments given as ``(due date, cents)``, each timed from ``start`` by `unit_period_split`."""
    return tuple(
        Payment(cents, *unit_period_split(start, due, frequency, payment_day=payment_day))
        for due, cents in dated_payments
    )


def unit_period_split(
    start: date, due: date, frequency: Frequency, *, payment_day: int | None = None
) -> tuple[int, Fraction]:
    """Whole unit-periods ``t`` and fraction ``f`` from ``start`` to ``due``, Appendix J (b)(5).

    Months are counted back from ``due`` on the day of the month the payments are scheduled
    for, ``payment_day`` (default: ``due``'s own day), or the month's last day when it has
    fewer days ((b)(3)(iv): a series on the 29th or 30th falls on the last day of February, and
    31 stands for a series on the last day of each month).  Then, by unit-period:

    - month or multiple of a month up to 11 ((b)(5)(ii), (iii)): 30 days per full month plus
      the remaining days, divided by 30 times the months in the unit-period;
    - semimonth ((b)(5)(iii)): the same day count divided by 15;
    - week or multiple of a week ((b)(5)(iv)): actual days divided by days in the unit-period;
    - year ((b)(5)(v)): full years back, then remaining months / 12 if a whole number of
      months remains, else remaining days / 365.

    >>> unit_period_split(date(1978, 2, 23), date(1978, 3, 1), Frequency.SEMIMONTHLY)
    (0, Fraction(2, 5))
    >>> unit_period_split(date(1978, 3, 20), date(1978, 4, 21), Frequency.WEEKLY)
    (4, Fraction(4, 7))
    >>> unit_period_split(date(2027, 1, 30), date(2027, 2, 28), Frequency.MONTHLY, payment_day=30)
    (1, Fraction(0, 1))
    """
    if not isinstance(start, date) or not isinstance(due, date):
        raise ValueError("start and due must be dates")
    if due <= start:
        raise ValueError("due must be after start")
    kind, size = _SHAPES[Frequency(frequency)]
    if kind == "week":
        t, rest = divmod((due - start).days, 7 * size)
        return t, Fraction(rest, 7 * size)
    day = due.day if payment_day is None else payment_day
    months = _full_months_back(start, due, day)
    if kind == "month" and size == 12:
        years = months // 12
        anchor = months_later(due, -12 * years, day)
        if months_later(due, -months, day) == start:
            return years, Fraction(months - 12 * years, 12)
        return years, Fraction((anchor - start).days, 365)
    days = 30 * months + (months_later(due, -months, day) - start).days
    unit_days = 15 if kind == "semimonth" else 30 * size
    t, rest = divmod(days, unit_days)
    return t, Fraction(rest, unit_days)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _full_months_back(start: date, due: date, day: int) -> int:
    """The most whole months that fit between ``start`` and ``due``, counted back from ``due``."""
    months = (due.year - start.year) * 12 + due.month - start.month
    while months > 0 and months_later(due, -months, day) < start:
        months -= 1
    return months


_Groups = dict[Fraction, dict[int, int]]
_Predicate = Callable[[int], bool]


def _group(payments: Sequence[Payment]) -> _Groups:
    """Cents by fraction, then by whole periods: the equation's terms that share a factor."""
    groups: _Groups = {}
    for p in payments:
        by_t = groups.setdefault(p.fraction, {})
        by_t[p.periods] = by_t.get(p.periods, 0) + p.amount_cents
    return groups


def _excess(amount: int, groups: _Groups, rate: Fraction) -> int:
    """Sign (-1, 0, 1) of PV(rate) - amount, computed exactly in integers, for rate > -1.

    With rate = n/d, each term P / ((1 + f rate)(1 + rate)^t) is
    P * (b d / (b d + a n)) * d^t / (d + n)^t for f = a/b; multiplying through by the
    positive (d + n)^T leaves integer polynomials in d and d + n, summed by Horner's rule.
    """
    n, d = rate.numerator, rate.denominator
    e = d + n
    top = max(t for by_t in groups.values() for t in by_t)
    present = Fraction(0)
    for f, by_t in groups.items():
        acc, d_pow = 0, 1
        for t in range(top + 1):
            acc = acc * e + by_t.get(t, 0) * d_pow
            d_pow *= d
        a, b = f.numerator, f.denominator
        present += Fraction(acc * b * d, b * d + a * n)
    target = amount * e**top
    return int(present > target) - int(present < target)


def _newton(amount: int, payments: Sequence[Payment]) -> Decimal:
    """An estimate of the unit-period rate, by Newton's method from 0 in 50-digit Decimal.

    The present value is decreasing and convex in the rate, so from 0 (where it is at least
    ``amount``) every step stays below the root and the iterates rise to it.
    """
    with localcontext(Context(prec=_NEWTON_PRECISION)):
        terms = [
            (
                Decimal(p.amount_cents),
                p.periods,
                Decimal(p.fraction.numerator) / Decimal(p.fraction.denominator),
            )
            for p in payments
        ]
        target = Decimal(amount)
        rate = Decimal(0)
        tiny = Decimal(10) ** (8 - _NEWTON_PRECISION)
        for _ in range(_NEWTON_MAX_STEPS):
            value, slope = -target, Decimal(0)
            for cents, t, f in terms:
                simple = 1 + f * rate
                term = cents / (simple * (1 + rate) ** t)
                value += term
                slope -= term * (t / (1 + rate) + f / simple)
            step = value / slope
            rate -= step
            if abs(step) <= tiny * (1 + abs(rate)):
                break
        return rate


def _first_false(holds: _Predicate, guess: int) -> int:
    """The least k with ``holds(k)`` false, for ``holds`` true below it; ``holds(-1)`` is true.

    Gallops out from ``guess`` to a bracket, then bisects: a handful of exact evaluations
    when the guess is good, and bounded (``_SEARCH_MAX_STEPS``) whatever it is.
    """
    low, high = guess - 1, guess  # want holds(low) and not holds(high)
    step, steps = 1, 0
    while low > -1 and not holds(low):
        high, low, step = low, max(-1, low - step), step * 2
        steps += 1
    step = 1
    while holds(high):
        low, high, step = high, high + step, step * 2
        steps += 1
        if steps > _SEARCH_MAX_STEPS:
            raise ValueError("payments give no finite APR within the search bound")
    while high - low > 1:
        middle = (low + high) // 2
        if holds(middle):
            low = middle
        else:
            high = middle
    return high
