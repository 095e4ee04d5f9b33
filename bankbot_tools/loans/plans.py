"""Multi-rate (step-down or step-up) payment plans with extra principal.

Segment ``i`` runs ``terms[i]`` payments at ``rates[i]`` (months for the default monthly
frequency; any frequency of :class:`~bankbot_tools.conventions.Frequency`, at the periodic
rate annual_rate / payments per year). When a segment starts, the payment is
re-amortized: the balance at that point over the payments left in the whole plan. The
extra principal is paid with every payment and can end the plan early.

The other loan terms apply to the plan as a whole, as to one loan of all its payments:
payments fall on that loan's due dates in sequence across segments, an actual-day count
charges each period's own days, only the first segment has the odd first period, the first
``interest_only_periods`` payments of the plan pay interest only (each re-amortized payment
is over the payments left after the interest-only ones left), and every re-amortized payment
leaves the ``balloon`` due with the plan's last payment.
Each segment runs through the batch kernel on a view of that one loan's periods, so a
one-segment plan is exactly :func:`bankbot_tools.loans.kernel.amortize`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from bankbot_tools.conventions import DayCount, Frequency, from_ordinal
from bankbot_tools.loans.kernel import simulate, unamortizable, unamortizable_message
from bankbot_tools.loans.payments import scheduled_payment
from bankbot_tools.loans.periods import LoanShapes, Periods, build_periods
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.rules import (
    ANNUAL_RATE,
    FREQUENCY,
    MONTHS,
    PAYMENTS,
    FieldSpec,
    check_units,
    to_units,
)


@dataclass(frozen=True)
class PlanTerms:
    """Validated plan inputs, in integer units (cents, rate millionths, payments).

    The keyword-only terms are a loan's (:class:`~bankbot_tools.loans.terms.LoanTerms`),
    for the plan as a whole; their defaults give the level undated plan.
    """

    principal_cents: int
    rates_ppm: tuple[int, ...]
    terms: tuple[int, ...]
    extra_cents: int = 0
    frequency: Frequency = Frequency.MONTHLY
    day_count: DayCount = field(default=DayCount.THIRTY_360, kw_only=True)
    start_date: date | None = field(default=None, kw_only=True)
    first_payment_date: date | None = field(default=None, kw_only=True)
    interest_only_periods: int = field(default=0, kw_only=True)
    balloon_cents: int = field(default=0, kw_only=True)

    @property
    def loan(self) -> LoanTerms:
        """The plan as one loan of all its payments at the first rate.

        The loan rules check it, and its periods (dates, day count, the odd first period,
        interest-only) are the plan's.
        """
        return LoanTerms(
            self.principal_cents,
            self.rates_ppm[0],
            sum(self.terms),
            self.extra_cents,
            frequency=self.frequency,
            day_count=self.day_count,
            start_date=self.start_date,
            first_payment_date=self.first_payment_date,
            interest_only_periods=self.interest_only_periods,
            balloon_cents=self.balloon_cents,
        )

    @classmethod
    def parse(
        cls,
        principal: object,
        rates: Sequence[object],
        terms: Sequence[object],
        extra: object = 0,
        *,
        frequency: object = None,
        day_count: object = None,
        start_date: object = None,
        first_payment_date: object = None,
        interest_only_periods: object = None,
        balloon: object = None,
    ) -> PlanTerms:
        """Validate raw plan inputs; errors are ``ValueError`` naming the field.

        ``terms`` count months for a monthly plan (the default), else payments. The other
        terms pass the loan rules (:meth:`LoanTerms.parse`) for the plan as one loan.

        >>> PlanTerms.parse(20000, [0.07, 0.05], [12, 48]).rates_ppm
        (70000, 50000)
        >>> PlanTerms.parse(20000, [0.07, 0.05], [26, 104], frequency="biweekly").terms
        (26, 104)
        """
        freq = Frequency(FREQUENCY.parse(frequency))
        if isinstance(rates, str | bytes) or not isinstance(rates, Sequence) or not rates:
            raise ValueError("rates must be a non-empty list of annual rates such as [0.07, 0.05]")
        if isinstance(terms, str | bytes) or not isinstance(terms, Sequence) or not terms:
            raise ValueError("terms must be a non-empty list of month counts such as [12, 48]")
        if len(rates) != len(terms):
            raise ValueError(
                f"rates and terms must have the same length (got {len(rates)} rates"
                f" and {len(terms)} terms)"
            )
        rates_ppm = tuple(_item("rates", i, ANNUAL_RATE, rate) for i, rate in enumerate(rates))
        spec = MONTHS if freq is Frequency.MONTHLY else PAYMENTS
        counts = tuple(_item("terms", i, spec, term) for i, term in enumerate(terms))
        # At most MONTHS.max_units months of payments, whatever the frequency.
        if check_units(MONTHS, np.array([freq.months_of(sum(counts))]))[0]:
            unit = "months" if freq is Frequency.MONTHLY else f"months of {freq} payments"
            raise ValueError(f"terms must add up to at most {MONTHS.max_units} {unit}")
        loan = LoanTerms.parse(
            principal,
            ANNUAL_RATE.decimal(rates_ppm[0]),
            extra=extra,
            payments=sum(counts),
            frequency=freq.value,
            day_count=day_count,
            start_date=start_date,
            first_payment_date=first_payment_date,
            interest_only_periods=interest_only_periods,
            balloon=balloon,
        )
        return cls.of(loan, rates_ppm, counts)

    @classmethod
    def of(cls, loan: LoanTerms, rates_ppm: tuple[int, ...], terms: tuple[int, ...]) -> PlanTerms:
        """The plan of ``loan``'s principal, extra and shape over ``rates_ppm`` and ``terms``
        (its own rate and payment count are left out)."""
        return cls(
            loan.principal_cents,
            rates_ppm,
            terms,
            loan.extra_cents,
            loan.frequency,
            day_count=loan.day_count,
            start_date=loan.start_date,
            first_payment_date=loan.first_payment_date,
            interest_only_periods=loan.interest_only_periods,
            balloon_cents=loan.balloon_cents,
        )


def _item(field: str, index: int, spec: FieldSpec, value: object) -> int:
    try:
        return to_units(spec, value)
    except ValueError as error:
        raise ValueError(f"{field}[{index}]: {error}") from None


@dataclass(frozen=True)
class Segment:
    """One rate period of a plan: what it charged and paid, in cents.

    ``payment`` is the level payment after any interest-only payments, as a loan's;
    ``first_due`` and ``last_due`` are the due dates of its first and last payments
    (``None`` for an undated plan, or a segment the extra left without payments).
    """

    rate_ppm: int
    months: int
    payment: int
    interest: int
    principal: int
    end_balance: int
    first_due: date | None = None
    last_due: date | None = None


@dataclass(frozen=True)
class Plan:
    """A computed plan: its segments and totals, in cents.

    ``months_saved`` and ``interest_saved`` compare it with the same plan paid
    without extra; ``payoff_date`` is the last payment's due date (``None`` when undated).
    """

    terms: PlanTerms
    segments: tuple[Segment, ...]
    total_interest: int
    total_paid: int
    payoff_month: int
    months_saved: int
    interest_saved: int
    payoff_date: date | None = None


def _due(shapes: LoanShapes, k: int) -> date:
    """Due date of the plan's payment ``k`` (0-based)."""
    return from_ordinal(int(shapes.due(np.array([0]), np.array([k]))[0]))


def _run(
    terms: PlanTerms, extra_cents: int, shapes: LoanShapes, periods: Periods
) -> tuple[tuple[Segment, ...], int]:
    balance = terms.principal_cents
    total = sum(terms.terms)
    dated = bool(shapes.dated[0])
    paid = 0  # payments scheduled before this segment
    payoff = 0
    segments = []
    last = len(terms.terms) - 1
    for index, (rate, length) in enumerate(zip(terms.rates_ppm, terms.terms, strict=True)):
        remaining = total - paid
        segment = periods.after(paid)
        one = (np.array([balance]), np.array([rate]), np.array([remaining]))
        payment = int(scheduled_payment(*one, segment, np.array([terms.balloon_cents]))[0])
        # Extra principal can leave less than the balloon's present value: nothing is
        # due then but the extra, and the last payment closes the plan.
        payment = max(payment, 0)
        # Only the opening payment can leave the plan unamortized; a later re-amortization
        # that rounds to 0.00 owes less than a cent of interest a month, and the closing
        # month (or the extra) pays the few cents left.
        if index == 0 and unamortizable(np.array([payment]))[0]:
            raise ValueError(unamortizable_message(balance, remaining))
        run = simulate(
            np.array([balance]),
            np.array([rate]),
            np.array([payment]),
            np.array([extra_cents]),
            np.array([length]),
            np.array([index == last]),
            periods=segment,
        )
        end = int(run.end_balance[0])
        interest = int(run.total_interest[0])
        months = int(run.payoff_month[0])
        first_due = _due(shapes, paid) if dated and months else None
        last_due = _due(shapes, paid + months - 1) if dated and months else None
        segments.append(
            Segment(rate, months, payment, interest, balance - end, end, first_due, last_due)
        )
        payoff += months
        balance = end
        paid += length
    return tuple(segments), payoff


def build_plan(terms: PlanTerms) -> Plan:
    """Compute a plan and what its extra principal saves.

    >>> plan = build_plan(PlanTerms.parse(20000, [0.07, 0.05, 0.03], [12, 12, 36]))
    >>> [s.payment for s in plan.segments], plan.segments[-1].end_balance
    ([39602, 38086, 36956], 0)
    """
    loan = terms.loan
    shapes = LoanShapes.of(loan)
    periods = build_periods(
        np.array([loan.principal_cents]), np.array([loan.rate_ppm]), np.array([loan.months]), shapes
    )
    segments, payoff = _run(terms, terms.extra_cents, shapes, periods)
    total_interest = sum(s.interest for s in segments)
    months_saved = interest_saved = 0
    if terms.extra_cents:
        base, base_payoff = _run(terms, 0, shapes, periods)
        months_saved = base_payoff - payoff
        interest_saved = sum(s.interest for s in base) - total_interest
    return Plan(
        terms=terms,
        segments=segments,
        total_interest=total_interest,
        total_paid=terms.principal_cents + total_interest,
        payoff_month=payoff,
        months_saved=months_saved,
        interest_saved=interest_saved,
        payoff_date=_due(shapes, payoff - 1) if shapes.dated[0] else None,
    )
