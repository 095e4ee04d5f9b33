"""The seed's public API, as the orchestrator calls it.

``calculate_payment`` and ``generate_plan`` are async (the orchestrator awaits them when
the LLM calls a tool); ``get_prompt`` and ``generate_payment_plan`` are synchronous. All are
thin: validate through the rule table, compute with the kernel, shape the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bankbot_tools.compliance.render import get_prompt
from bankbot_tools.llm.answers import call_window_answer
from bankbot_tools.loans.kernel import amortize
from bankbot_tools.loans.plans import PlanTerms, build_plan
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.money import cents_to_float
from bankbot_tools.views.json import schedule_rows, segment_rows

__all__ = [
    "calculate_payment",
    "call_window",
    "generate_payment_plan",
    "generate_plan",
    "get_prompt",
]


async def calculate_payment(
    principal: object,
    annual_rate: object,
    months: object = None,
    *,
    payments: object = None,
    frequency: object = None,
    start_date: object = None,
    first_payment_date: object = None,
    day_count: object = None,
    interest_only_periods: object = None,
    balloon: object = None,
) -> tuple[float, list[dict[str, Any]]]:
    """Level payment and full schedule of a fixed-rate loan.

    Rows are ``{month, payment, interest, principal, balance}`` with money as
    two-decimal numbers; the last balance is exactly 0.0. The keyword terms are
    :meth:`LoanTerms.parse`'s (``payments`` instead of ``months`` for a non-monthly loan;
    a dated loan's rows also carry ``date``).
    """
    terms = LoanTerms.parse(
        principal,
        annual_rate,
        months,
        payments=payments,
        frequency=frequency,
        start_date=start_date,
        first_payment_date=first_payment_date,
        day_count=day_count,
        interest_only_periods=interest_only_periods,
        balloon=balloon,
    )
    result = amortize(terms)
    return cents_to_float(result.monthly_payment), schedule_rows(result)


async def generate_plan(
    principal: object,
    rates: Sequence[object],
    terms: Sequence[object],
    extra: object = 0.0,
    *,
    frequency: object = None,
    start_date: object = None,
    first_payment_date: object = None,
    day_count: object = None,
    interest_only_periods: object = None,
    balloon: object = None,
) -> list[dict[str, Any]]:
    """Segments of a multi-rate plan: one row per rate period.

    Each row has ``segment, rate, months, payment, interest, principal,
    ending_balance``; the payment is re-amortized at each rate change. The keyword terms
    are a loan's, for the plan as a whole (a dated plan's rows also carry
    ``first_due_date`` and ``last_due_date``).
    """
    plan_terms = PlanTerms.parse(
        principal,
        rates,
        terms,
        extra,
        frequency=frequency,
        start_date=start_date,
        first_payment_date=first_payment_date,
        day_count=day_count,
        interest_only_periods=interest_only_periods,
        balloon=balloon,
    )
    return segment_rows(build_plan(plan_terms))


def generate_payment_plan(
    principal: object, rate: object, months: object, extra: object = 0
) -> dict[str, Any]:
    """The seed's sample call: ``{"monthly", "schedule", "total_paid"}`` of one loan.

    ``extra`` is paid on top of every monthly payment and can end the loan early.

    >>> plan = generate_payment_plan(1000, 0.12, 12)
    >>> plan["monthly"], plan["total_paid"], plan["schedule"][-1]["balance"]
    (88.85, 1066.19, 0.0)
    """
    result = amortize(LoanTerms.parse(principal, rate, months, extra))
    return {
        "monthly": cents_to_float(result.monthly_payment),
        "schedule": schedule_rows(result),
        "total_paid": cents_to_float(result.total_paid),
    }


async def call_window(time_zone: str, at: object = None) -> dict[str, Any]:
    """Is a collection call permitted at ``at`` (default now) in ``time_zone`` (IANA name)?

    The ``call_window`` tool's answer, for an orchestrator that awaits tools;
    :func:`bankbot_tools.compliance.call_window.check_call_window` is the synchronous core.
    """
    return call_window_answer(time_zone, at)[0]
