"""JSON-ready documents of results: amounts as numbers with two decimals.

The CLI's ``--json`` output and the tool layer's results are built here, so a
script and the LLM see the same fields.
"""

from __future__ import annotations

from typing import Any

from bankbot_tools.amortization import LoanSchedule
from bankbot_tools.loan import ANNUAL_RATE
from bankbot_tools.money import cents_to_float
from bankbot_tools.plans import Plan

SCHEDULE_FIELDS = ("month", "payment", "interest", "principal", "balance")


def rate_float(rate_ppm: int) -> float:
    """An annual rate in millionths as a decimal fraction.

    >>> rate_float(65_000)
    0.065
    """
    return float(ANNUAL_RATE.decimal(rate_ppm))


def schedule_rows(result: LoanSchedule) -> list[dict[str, Any]]:
    """Schedule rows with money as two-decimal floats and the month as an int."""
    return [
        {k: (v if k == "month" else cents_to_float(v)) for k, v in row.items()}
        for row in result.rows()
    ]


def loan_document(result: LoanSchedule, *, with_schedule: bool = True) -> dict[str, Any]:
    """The payment, totals and (optionally) schedule of one loan."""
    document: dict[str, Any] = {
        "monthly_payment": cents_to_float(result.monthly_payment),
        "last_payment": cents_to_float(result.last_payment),
        "total_interest": cents_to_float(result.total_interest),
        "total_paid": cents_to_float(result.total_paid),
        "payoff_month": result.payoff_month,
        "interest_saved": cents_to_float(result.interest_saved),
        "months_saved": result.months_saved,
    }
    if with_schedule:
        document["schedule"] = schedule_rows(result)
    return document


def segment_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per plan segment: rate, months, payment, interest, principal, ending balance."""
    return [
        {
            "segment": index,
            "rate": rate_float(segment.rate_ppm),
            "months": segment.months,
            "payment": cents_to_float(segment.payment),
            "interest": cents_to_float(segment.interest),
            "principal": cents_to_float(segment.principal),
            "ending_balance": cents_to_float(segment.end_balance),
        }
        for index, segment in enumerate(plan.segments, start=1)
    ]


def plan_document(plan: Plan) -> dict[str, Any]:
    """Segments and totals of a plan, including what the extra principal saves."""
    return {
        "principal": cents_to_float(plan.terms.principal_cents),
        "extra": cents_to_float(plan.terms.extra_cents),
        "segments": segment_rows(plan),
        "total_interest": cents_to_float(plan.total_interest),
        "total_paid": cents_to_float(plan.total_paid),
        "payoff_month": plan.payoff_month,
        "months_saved": plan.months_saved,
        "interest_saved": cents_to_float(plan.interest_saved),
    }
