"""JSON-ready documents of results: amounts as numbers with two decimals.

The CLI's ``--json`` output and the tool layer's results are built here, so a
script and the LLM see the same fields.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bankbot_tools.conventions import Frequency
from bankbot_tools.loans.plans import Plan
from bankbot_tools.loans.schedule import MONEY_COLUMNS, Amortized
from bankbot_tools.money import cents_to_float
from bankbot_tools.rules import ANNUAL_RATE

if TYPE_CHECKING:
    from bankbot_tools.compliance.check import CheckResult


def rate_float(rate_ppm: int) -> float:
    """An annual rate in millionths as a decimal fraction.

    >>> rate_float(65_000)
    0.065
    """
    return float(ANNUAL_RATE.decimal(rate_ppm))


def schedule_rows(result: Amortized[int]) -> list[dict[str, Any]]:
    """Schedule rows with money as two-decimal floats and the month (payment number) as an
    int; a dated loan's rows also carry ``date`` (ISO), after ``month``."""
    dates = result.dates()
    rows = []
    for index, row in enumerate(result.rows()):
        document: dict[str, Any] = {"month": row.month}
        if dates is not None:
            document["date"] = dates[index].isoformat()
        document.update(zip(MONEY_COLUMNS, map(cents_to_float, row[1:]), strict=True))
        rows.append(document)
    return rows


def apr_float(apr_percent: Decimal) -> float:
    """An APR in percent as a decimal fraction, like every rate in the documents.

    >>> apr_float(Decimal("6.573"))
    0.06573
    """
    return float(apr_percent / 100)


def loan_document(
    result: Amortized[int], *, with_schedule: bool = True, apr: Decimal | None = None
) -> dict[str, Any]:
    """The payment, totals, APR (when given, a decimal fraction) and schedule of one loan."""
    document: dict[str, Any] = {
        "monthly_payment": cents_to_float(result.monthly_payment),
        "last_payment": cents_to_float(result.last_payment),
        "total_interest": cents_to_float(result.total_interest),
        "total_paid": cents_to_float(result.total_paid),
        "payoff_month": result.payoff_month,
        "interest_saved": cents_to_float(result.interest_saved),
        "months_saved": result.months_saved,
    }
    if apr is not None:
        document["apr"] = apr_float(apr)
    if with_schedule:
        document["schedule"] = schedule_rows(result)
    return document


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def segment_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per plan segment: rate, months, payment, interest, principal, ending balance.

    A dated plan's rows also carry ``first_due_date`` and ``last_due_date`` (ISO; null for a
    segment the extra left without payments), after ``months``.
    """
    rows = []
    for index, segment in enumerate(plan.segments, start=1):
        row: dict[str, Any] = {
            "segment": index,
            "rate": rate_float(segment.rate_ppm),
            "months": segment.months,
        }
        if plan.terms.start_date is not None:
            row["first_due_date"] = _iso(segment.first_due)
            row["last_due_date"] = _iso(segment.last_due)
        row |= {
            "payment": cents_to_float(segment.payment),
            "interest": cents_to_float(segment.interest),
            "principal": cents_to_float(segment.principal),
            "ending_balance": cents_to_float(segment.end_balance),
        }
        rows.append(row)
    return rows


def plan_document(plan: Plan) -> dict[str, Any]:
    """Segments and totals of a plan, including what the extra principal saves.

    A plan paid other than monthly also names its ``frequency`` (its counts are payments);
    a dated plan gives its ``payoff_date`` (ISO), after ``payoff_month``.
    """
    document: dict[str, Any] = {
        "principal": cents_to_float(plan.terms.principal_cents),
        "extra": cents_to_float(plan.terms.extra_cents),
        "segments": segment_rows(plan),
        "total_interest": cents_to_float(plan.total_interest),
        "total_paid": cents_to_float(plan.total_paid),
        "payoff_month": plan.payoff_month,
    }
    if plan.payoff_date is not None:
        document["payoff_date"] = plan.payoff_date.isoformat()
    document |= {
        "months_saved": plan.months_saved,
        "interest_saved": cents_to_float(plan.interest_saved),
    }
    if plan.terms.frequency is not Frequency.MONTHLY:
        document["frequency"] = str(plan.terms.frequency)
    return document


def checks_document(results: list[CheckResult]) -> dict[str, Any]:
    """The outcome of ``compliance-test --all``: pass/fail, counts and every check."""
    failed = sum(not result.passed for result in results)
    return {
        "passed": not failed,
        "checks": len(results),
        "failed": failed,
        "results": [result.to_dict() for result in results],
    }
