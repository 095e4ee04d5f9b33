"""``bankbot payment-plan``: a multi-rate step-down plan with extra principal."""

from __future__ import annotations

from typing import Annotated

import typer

from bankbot_tools.cli.common import JsonFlag, command, print_json
from bankbot_tools.cli.loan import (
    Amount,
    Balloon,
    DayCountOption,
    Extra,
    FirstPaymentDate,
    FrequencyOption,
    InterestOnly,
    StartDate,
)


def _split(text: str) -> list[str]:
    """Comma-separated items; an empty item stays, so the rule table reports it by position.

    >>> _split("0.07, 0.05,"), _split("  ")
    (['0.07', '0.05', ''], [])
    """
    return [part.strip() for part in text.split(",")] if text.strip() else []


def payment_plan(
    amount: Amount,
    rates: Annotated[
        str, typer.Option(help="Comma-separated annual rates, one per segment: 0.07,0.05,0.03.")
    ],
    terms: Annotated[
        str,
        typer.Option(help="Comma-separated payments per segment (months if monthly): 12,12,36."),
    ],
    extra: Extra = "0",
    frequency: FrequencyOption = "monthly",
    start_date: StartDate = None,
    first_payment_date: FirstPaymentDate = None,
    day_count: DayCountOption = "30/360",
    interest_only: InterestOnly = "0",
    balloon: Balloon = "0",
    json_: JsonFlag = False,
) -> None:
    """Multi-rate step-down plan: segments, totals, and interest saved by extra principal.

    The payment is re-amortized over the payments left at each rate change. Dates, day
    count, interest-only payments and a balloon apply to the plan as a whole, as to one loan.

    Example: bankbot payment-plan --amount 20000 --rates 0.07,0.05,0.03 --terms 12,12,36 --extra 50

    Example: bankbot payment-plan --amount 20000 --rates 0.07,0.05 --terms 26,104
    --frequency biweekly

    Example: bankbot payment-plan --amount 200000 --rates 0.065,0.055 --terms 60,300
    --start-date 2026-01-15 --day-count actual/365 --interest-only 12 --balloon 50000 --json
    """
    from bankbot_tools.events.facts import plan_facts
    from bankbot_tools.loans.plans import PlanTerms, build_plan

    with command("payment-plan") as event:
        plan_terms = PlanTerms.parse(
            amount,
            _split(rates),
            _split(terms),
            extra,
            frequency=frequency,
            day_count=day_count,
            start_date=start_date,
            first_payment_date=first_payment_date,
            interest_only_periods=interest_only,
            balloon=balloon,
        )
        event.update(plan_facts(plan_terms))
        plan = build_plan(plan_terms)
        if json_:
            from bankbot_tools.views.json import plan_document

            print_json(plan_document(plan))
        else:
            from rich.console import Console

            from bankbot_tools.views.tables import plan as plan_table

            plan_table(Console(), plan)
