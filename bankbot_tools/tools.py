"""Async tool functions the voicebot's orchestrator awaits.

They are thin wrappers over the synchronous core: parse and validate, compute,
shape the result. Bad input raises ``ValueError`` naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bankbot_tools.amortization import amortize
from bankbot_tools.documents import schedule_rows, segment_rows
from bankbot_tools.loan import LoanTerms
from bankbot_tools.money import cents_to_float
from bankbot_tools.plans import PlanTerms, build_plan


async def calculate_payment(
    principal: object, annual_rate: object, months: object
) -> tuple[float, list[dict[str, Any]]]:
    """Monthly payment and full schedule of a fixed-rate loan.

    Rows are ``{month, payment, interest, principal, balance}`` with money as
    two-decimal numbers; the last balance is exactly 0.0.
    """
    result = amortize(LoanTerms.parse(principal, annual_rate, months))
    return cents_to_float(result.monthly_payment), schedule_rows(result)


async def generate_plan(
    principal: object,
    rates: Sequence[object],
    terms: Sequence[object],
    extra: object = 0.0,
) -> list[dict[str, Any]]:
    """Segments of a multi-rate plan: one row per rate period.

    Each row has ``segment, rate, months, payment, interest, principal,
    ending_balance``; the payment is re-amortized at each rate change.
    """
    return segment_rows(build_plan(PlanTerms.parse(principal, rates, terms, extra)))
