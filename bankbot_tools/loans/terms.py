"""Validated terms of one loan, in the integer units of the rule table."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np

from bankbot_tools.conventions import (
    DayCount,
    Frequency,
    due_date,
    frequency_arrays,
    ordinal,
)
from bankbot_tools.money import IntArray
from bankbot_tools.rules import (
    ANNUAL_RATE,
    BALLOON,
    DAY_COUNT,
    EXTRA,
    FEES,
    FIRST_PAYMENT_DATE,
    FREQUENCY,
    INTEREST_ONLY_PERIODS,
    NO_DATE,
    PRINCIPAL,
    START_DATE,
    CrossRule,
    FieldSpec,
    first_violation,
    payment_count,
    term_violations,
    to_units,
)


@dataclass(frozen=True, repr=False)
class LoanTerms:
    """Validated terms of one loan, in integer units.

    ``rate_ppm`` is the annual rate in millionths (0.065 -> 65000); ``months`` is the number
    of payments (months for a monthly loan). The keyword-only terms default to today's level
    monthly undated loan; ``first_payment_date`` defaults (see :attr:`first_due`) to one
    regular period after ``start_date``.
    """

    principal_cents: int
    rate_ppm: int
    months: int
    extra_cents: int = 0
    frequency: Frequency = field(default=Frequency.MONTHLY, kw_only=True)
    day_count: DayCount = field(default=DayCount.THIRTY_360, kw_only=True)
    start_date: date | None = field(default=None, kw_only=True)
    first_payment_date: date | None = field(default=None, kw_only=True)
    interest_only_periods: int = field(default=0, kw_only=True)
    balloon_cents: int = field(default=0, kw_only=True)
    fees_cents: int = field(default=0, kw_only=True)

    def __repr__(self) -> str:
        """The fields, leaving out new terms at their defaults (so old reprs stay)."""
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.kw_only and value == f.default:
                continue
            shown.append(f"{f.name}={value!r}")
        return f"LoanTerms({', '.join(shown)})"

    @property
    def payments(self) -> int:
        """The number of payments (``months`` for a monthly loan)."""
        return self.months

    @property
    def dated(self) -> bool:
        """Whether the schedule carries due dates."""
        return self.start_date is not None

    @property
    def first_due(self) -> date | None:
        """The first payment's due date: given, or one regular period after the start."""
        if self.start_date is None:
            return None
        return self.first_payment_date or due_date(self.start_date, self.frequency, 1)

    @classmethod
    def parse(
        cls,
        principal: object,
        annual_rate: object,
        months: object = None,
        extra: object = 0,
        *,
        payments: object = None,
        frequency: object = None,
        day_count: object = None,
        start_date: object = None,
        first_payment_date: object = None,
        interest_only_periods: object = None,
        balloon: object = None,
        fees: object = None,
    ) -> LoanTerms:
        """Validate raw inputs (str, int, float or Decimal; dates as ISO text) into terms.

        >>> LoanTerms.parse("200000", 0.065, 360)
        LoanTerms(principal_cents=20000000, rate_ppm=65000, months=360, extra_cents=0)
        >>> LoanTerms.parse(1000, 0.05, payments=26, frequency="biweekly").frequency
        <Frequency.BIWEEKLY: 'biweekly'>
        """
        freq = Frequency(FREQUENCY.parse(frequency))
        terms = cls(
            principal_cents=to_units(PRINCIPAL, principal),
            rate_ppm=to_units(ANNUAL_RATE, annual_rate),
            months=payment_count(months, payments, freq),
            extra_cents=to_units(EXTRA, extra),
            frequency=freq,
            day_count=DayCount(DAY_COUNT.parse(day_count)),
            start_date=START_DATE.parse(start_date),
            first_payment_date=FIRST_PAYMENT_DATE.parse(first_payment_date),
            interest_only_periods=_units_or_zero(INTEREST_ONLY_PERIODS, interest_only_periods),
            balloon_cents=_units_or_zero(BALLOON, balloon),
            fees_cents=_units_or_zero(FEES, fees),
        )
        problem = first_violation(terms.violations())
        if problem is not None:
            raise ValueError(problem)
        return terms

    def violations(self) -> list[CrossRule]:
        """The rule table's cross-field rules, run on this loan as a one-element array."""
        kind, size, ppy = frequency_arrays([self.frequency.value])

        def one(value: int) -> IntArray:
            return np.array([value], dtype=np.int64)

        return term_violations(
            principal=one(self.principal_cents),
            payments=one(self.months),
            periods_per_year=ppy,
            interest_only=one(self.interest_only_periods),
            balloon=one(self.balloon_cents),
            fees=one(self.fees_cents),
            kind_code=kind,
            size=size,
            start=one(NO_DATE if self.start_date is None else ordinal(self.start_date)),
            first=one(
                NO_DATE if self.first_payment_date is None else ordinal(self.first_payment_date)
            ),
            actual_days=np.array([self.day_count is not DayCount.THIRTY_360]),
        )


def _units_or_zero(spec: FieldSpec, value: object) -> int:
    """Units of an optional term: null or blank means 0."""
    blank = value is None or (isinstance(value, str) and not value.strip())
    return 0 if blank else to_units(spec, value)
