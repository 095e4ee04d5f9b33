"""The shape of each loan's periods: frequency, dates, day count, interest-only, balloon.

:class:`LoanShapes` holds these terms for many loans as arrays; :func:`build_periods` turns
them into :class:`Periods`, what the month loop charges each period. A plain monthly undated
loan has regular periods only, so the kernel runs exactly as before for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from bankbot_tools.conventions import (
    DayCount,
    due_ordinals,
    frequency_arrays,
    ordinal,
    thirty_360_days_v,
)
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.money import IntArray, mul_div_half_up
from bankbot_tools.rules import NO_DATE

#: The rate's scale: rates are millionths.
RATE_SCALE = 1_000_000
#: 12 months times the rate's scale (millionths): interest = balance * ppm / RATE_DIVISOR.
RATE_DIVISOR = 12 * RATE_SCALE


@dataclass(frozen=True)
class Periods:
    """How the month loop charges each loan's periods (per-loan int64 arrays).

    Interest of a regular period is ``balance * rate_ppm / rate_den``; a loan with
    ``day_row >= 0`` instead charges ``balance * rate_ppm * days[day_row + k] / day_den`` in
    its period ``k``. The first ``interest_only`` periods pay interest only, and
    ``odd_extra`` cents (the odd first period's extra days) go onto the first period's
    interest and payment.
    """

    rate_den: IntArray
    interest_only: IntArray
    odd_extra: IntArray
    day_row: IntArray
    days: npt.NDArray[np.int16]
    day_den: IntArray

    @classmethod
    def regular(cls, n: int, periods_per_year: IntArray | int = 12) -> Periods:
        """Periods of ``n`` level undated loans: 1/periods_per_year of the annual rate each."""
        zeros = np.zeros(n, dtype=np.int64)
        ppy = np.broadcast_to(np.asarray(periods_per_year, dtype=np.int64), (n,))
        return cls(
            rate_den=RATE_SCALE * ppy,
            interest_only=zeros,
            odd_extra=zeros,
            day_row=zeros - 1,
            days=np.zeros(0, dtype=np.int16),
            day_den=zeros + RATE_SCALE,
        )

    def shaped(self) -> npt.NDArray[np.bool_]:
        """True for loans that are not level monthly ones (the month loop's general path)."""
        shaped: npt.NDArray[np.bool_] = (
            (self.rate_den != RATE_DIVISOR)
            | (self.day_row >= 0)
            | (self.interest_only > 0)
            | (self.odd_extra != 0)
        )
        return shaped

    def after(self, paid: int) -> Periods:
        """The same loans' periods from payment ``paid`` (0-based) on: a later segment of a plan.

        Its first period is regular (the odd first period was the loan's first), it has the
        interest-only periods left, and an actual-day loan reads the days of its own periods.
        """
        if not paid:
            return self
        return replace(
            self,
            interest_only=np.maximum(self.interest_only - paid, 0),
            odd_extra=np.zeros_like(self.odd_extra),
            day_row=np.where(self.day_row >= 0, self.day_row + paid, self.day_row),
        )

    def take(self, index: IntArray) -> Periods:
        """The loans ``index`` (``days`` is shared, ``day_row`` stays valid)."""
        return replace(
            self,
            rate_den=self.rate_den[index],
            interest_only=self.interest_only[index],
            odd_extra=self.odd_extra[index],
            day_row=self.day_row[index],
            day_den=self.day_den[index],
        )


@dataclass(frozen=True)
class LoanShapes:
    """The terms beyond principal, rate, payments and extra, for many loans (int64 arrays).

    ``basis`` is 0 for 30/360, else the actual-day basis (365 or 360). Payment ``k``
    (0-based) falls ``k + anchor_offset`` periods after ``anchor``: the anchor is the first
    payment date (offset 0) or, when none was given, the start date (offset 1). ``start``
    and ``anchor`` are :data:`~bankbot_tools.rules.NO_DATE` for undated loans.
    """

    periods_per_year: IntArray
    kind: IntArray
    size: IntArray
    basis: IntArray
    start: IntArray
    anchor: IntArray
    anchor_offset: IntArray
    interest_only: IntArray
    balloon: IntArray

    @classmethod
    def build(
        cls,
        n: int,
        *,
        frequency: npt.ArrayLike | None = None,
        day_count: npt.ArrayLike | None = None,
        start: IntArray | None = None,
        first: IntArray | None = None,
        interest_only: IntArray | None = None,
        balloon: IntArray | None = None,
    ) -> LoanShapes:
        """Shapes of ``n`` loans from columns (names for frequency/day count, date ordinals)."""
        names = np.full(n, "monthly", dtype=object) if frequency is None else frequency
        kind, size, ppy = frequency_arrays(names)
        counts = np.full(n, "30/360", dtype=object) if day_count is None else day_count
        basis = np.zeros(n, dtype=np.int64)
        for name in set(np.asarray(counts, dtype=object).tolist()):
            convention = DayCount(name)
            if convention is not DayCount.THIRTY_360:
                basis[np.asarray(counts, dtype=object) == name] = convention.basis
        no_dates = np.full(n, NO_DATE, dtype=np.int64)
        start = no_dates if start is None else np.asarray(start, dtype=np.int64)
        first = no_dates if first is None else np.asarray(first, dtype=np.int64)
        given = first != NO_DATE
        zeros = np.zeros(n, dtype=np.int64)
        return cls(
            periods_per_year=ppy,
            kind=kind,
            size=size,
            basis=basis,
            start=start,
            anchor=np.where(given, first, start),
            anchor_offset=np.where(given, 0, 1),
            interest_only=zeros if interest_only is None else np.asarray(interest_only, np.int64),
            balloon=zeros if balloon is None else np.asarray(balloon, dtype=np.int64),
        )

    @classmethod
    def of(cls, terms: LoanTerms) -> LoanShapes:
        """The shape of one loan."""

        def one(day: object) -> IntArray:
            return np.array([NO_DATE if day is None else ordinal(day)], dtype=np.int64)  # type: ignore[arg-type]

        return cls.build(
            1,
            frequency=np.array([str(terms.frequency)], dtype=object),
            day_count=np.array([str(terms.day_count)], dtype=object),
            start=one(terms.start_date),
            first=one(terms.first_payment_date),
            interest_only=np.array([terms.interest_only_periods]),
            balloon=np.array([terms.balloon_cents]),
        )

    @property
    def plain(self) -> bool:
        """Whether every loan is a level monthly undated loan (the kernel's original case)."""
        return bool(
            np.all(self.periods_per_year == 12)
            and np.all(self.kind == 1)
            and np.all(self.start == NO_DATE)
            and not self.interest_only.any()
            and not self.balloon.any()
        )

    @property
    def dated(self) -> npt.NDArray[np.bool_]:
        """Which loans have dates."""
        dated: npt.NDArray[np.bool_] = self.start != NO_DATE
        return dated

    def due(self, loans: IntArray, k: IntArray) -> IntArray:
        """Due-date ordinal of payment ``k`` (0-based; -1 is the notional one before) of each
        of ``loans`` (indices); only meaningful for dated loans."""
        loans = np.asarray(loans, dtype=np.int64)
        anchor = np.where(self.dated[loans], self.anchor[loans], 0)
        return due_ordinals(
            anchor, self.kind[loans], self.size[loans], k + self.anchor_offset[loans]
        )

    def take(self, index: IntArray) -> LoanShapes:
        """The loans ``index``."""
        return replace(self, **{name: getattr(self, name)[index] for name in _FIELDS})


_FIELDS = tuple(LoanShapes.__dataclass_fields__)


def build_periods(
    principal: IntArray, rate_ppm: IntArray, months: IntArray, shapes: LoanShapes
) -> Periods:
    """How each loan's periods are charged, from its shape (see the kernel's convention)."""
    n = principal.shape[0]
    periods = Periods.regular(n, shapes.periods_per_year)
    dated = np.flatnonzero(shapes.dated)
    odd_extra = np.zeros(n, dtype=np.int64)
    day_row = np.full(n, -1, dtype=np.int64)
    day_den = periods.day_den.copy()
    days = np.zeros(0, dtype=np.int16)
    if dated.size:
        zero = np.zeros(dated.size, dtype=np.int64)
        first = shapes.due(dated, zero)
        before = shapes.due(dated, zero - 1)
        start = shapes.start[dated]
        basis = shapes.basis[dated]
        actual = basis > 0
        rate = rate_ppm[dated]
        b0 = principal[dated]
        # The odd first period: interest of its own days, less that of a regular period.
        odd = start != before
        odd_days = np.where(actual, first - start, thirty_360_days_v(start, first))
        odd_interest = mul_div_half_up(
            b0, rate * odd_days, RATE_SCALE * np.where(actual, basis, 360)
        )
        regular = np.where(
            actual,
            mul_div_half_up(b0, rate * (first - before), RATE_SCALE * np.maximum(basis, 1)),
            mul_div_half_up(b0, rate, periods.rate_den[dated]),
        )
        odd_extra[dated] = np.where(odd, odd_interest - regular, 0)
        # Actual-day loans: every period's own days, from the notional regular first period.
        daily = dated[actual]
        if daily.size:
            counts = np.asarray(months, dtype=np.int64)[daily] + 1  # from payment -1
            offsets = np.zeros(daily.size + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            loan = np.repeat(daily, counts)
            k = np.arange(int(offsets[-1]), dtype=np.int64) - np.repeat(offsets[:-1] + 1, counts)
            # days[j] = due(k) - due(k - 1); the slot after each loan's last payment is unused.
            days = np.diff(shapes.due(loan, k), append=0).astype(np.int16)
            day_row[daily] = offsets[:-1]
            day_den[daily] = RATE_SCALE * shapes.basis[daily]
    return replace(
        periods,
        interest_only=np.asarray(shapes.interest_only, dtype=np.int64),
        odd_extra=odd_extra,
        day_row=day_row,
        days=days,
        day_den=day_den,
    )
