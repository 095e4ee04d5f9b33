"""Multi-rate (step-down or step-up) payment plans with extra principal.

Segment ``i`` runs ``terms[i]`` payments at ``rates[i]`` (months for the default monthly
frequency; any frequency of :class:`~bankbot_tools.conventions.Frequency`, at the periodic
rate annual_rate / payments per year). When a segment starts, the payment is
re-amortized: the balance at that point over the payments left in the whole plan. The
extra principal is paid with every payment and can end the plan early.
Each segment runs through the batch kernel, so a one-segment plan is exactly
:func:`bankbot_tools.loans.kernel.amortize`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bankbot_tools.conventions import Frequency
from bankbot_tools.loans.kernel import (
    annuity_payment,
    simulate,
    unamortizable,
    unamortizable_message,
)
from bankbot_tools.loans.periods import Periods
from bankbot_tools.rules import (
    ANNUAL_RATE,
    EXTRA,
    FREQUENCY,
    MONTHS,
    PAYMENTS,
    PRINCIPAL,
    FieldSpec,
    check_units,
    to_units,
)


@dataclass(frozen=True)
class PlanTerms:
    """Validated plan inputs, in integer units (cents, rate millionths, payments)."""

    principal_cents: int
    rates_ppm: tuple[int, ...]
    terms: tuple[int, ...]
    extra_cents: int = 0
    frequency: Frequency = Frequency.MONTHLY

    @classmethod
    def parse(
        cls,
        principal: object,
        rates: Sequence[object],
        terms: Sequence[object],
        extra: object = 0,
        *,
        frequency: object = None,
    ) -> PlanTerms:
        """Validate raw plan inputs; errors are ``ValueError`` naming the field.

        ``terms`` count months for a monthly plan (the default), else payments.

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
        months = -(-sum(counts) * 12 // freq.periods_per_year)
        if check_units(MONTHS, np.array([months]))[0]:
            unit = "months" if freq is Frequency.MONTHLY else f"months of {freq} payments"
            raise ValueError(f"terms must add up to at most {MONTHS.max_units} {unit}")
        return cls(
            to_units(PRINCIPAL, principal),
            rates_ppm,
            counts,
            to_units(EXTRA, extra),
            freq,
        )


def _item(field: str, index: int, spec: FieldSpec, value: object) -> int:
    try:
        return to_units(spec, value)
    except ValueError as error:
        raise ValueError(f"{field}[{index}]: {error}") from None


@dataclass(frozen=True)
class Segment:
    """One rate period of a plan: what it charged and paid, in cents."""

    rate_ppm: int
    months: int
    payment: int
    interest: int
    principal: int
    end_balance: int


@dataclass(frozen=True)
class Plan:
    """A computed plan: its segments and totals, in cents.

    ``months_saved`` and ``interest_saved`` compare it with the same plan paid
    without extra.
    """

    terms: PlanTerms
    segments: tuple[Segment, ...]
    total_interest: int
    total_paid: int
    payoff_month: int
    months_saved: int
    interest_saved: int


def _run(terms: PlanTerms, extra_cents: int) -> tuple[tuple[Segment, ...], int]:
    balance = terms.principal_cents
    remaining = sum(terms.terms)
    per_year = terms.frequency.periods_per_year
    month = 0
    segments = []
    last = len(terms.terms) - 1
    for index, (rate, length) in enumerate(zip(terms.rates_ppm, terms.terms, strict=True)):
        one = (np.array([balance]), np.array([rate]), np.array([remaining]))
        payment = int(annuity_payment(*one, periods_per_year=per_year)[0])
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
            periods=Periods.regular(1, per_year),
        )
        end = int(run.end_balance[0])
        interest = int(run.total_interest[0])
        segments.append(
            Segment(rate, int(run.payoff_month[0]), payment, interest, balance - end, end)
        )
        month += int(run.payoff_month[0])
        balance = end
        remaining -= length
    return tuple(segments), month


def build_plan(terms: PlanTerms) -> Plan:
    """Compute a plan and what its extra principal saves.

    >>> plan = build_plan(PlanTerms.parse(20000, [0.07, 0.05, 0.03], [12, 12, 36]))
    >>> [s.payment for s in plan.segments], plan.segments[-1].end_balance
    ([39602, 38086, 36956], 0)
    """
    segments, payoff = _run(terms, terms.extra_cents)
    total_interest = sum(s.interest for s in segments)
    months_saved = interest_saved = 0
    if terms.extra_cents:
        base, base_payoff = _run(terms, 0)
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
    )
