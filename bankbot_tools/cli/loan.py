"""``bankbot loan-calc`` and ``bankbot payment-plan``."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console

from bankbot_tools import render
from bankbot_tools.amortization import amortize
from bankbot_tools.cli.common import JsonFlag, command, print_json
from bankbot_tools.documents import SCHEDULE_FIELDS, loan_document, plan_document, rate_float
from bankbot_tools.events import amount_bucket
from bankbot_tools.loan import LoanTerms
from bankbot_tools.money import format_cents
from bankbot_tools.plans import PlanTerms, build_plan

Amount = Annotated[str, typer.Option("--amount", help="Loan principal, e.g. 200000 or 1500.50.")]
Extra = Annotated[str, typer.Option("--extra", help="Extra principal paid every month, e.g. 50.")]


def loan_calc(
    amount: Amount,
    rate: Annotated[str, typer.Option(help="Annual rate as a decimal: 6.5% is 0.065.")],
    months: Annotated[str, typer.Option(help="Term in months, 1 to 1200.")],
    extra: Extra = "0",
    full: Annotated[bool, typer.Option(help="Show every schedule row.")] = False,
    csv_path: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the schedule as CSV to this file ('-' for stdout)."),
    ] = None,
    json_: JsonFlag = False,
) -> None:
    """Monthly payment, totals and amortization schedule of one fixed-rate loan.

    Example: bankbot loan-calc --amount 200000 --rate 0.065 --months 360
    """
    with command("loan-calc") as event:
        terms = LoanTerms.parse(amount, rate, months, extra)
        event.update(
            term_months=terms.months,
            rate=rate_float(terms.rate_ppm),
            amount_bucket=amount_bucket(terms.principal_cents),
            extra=terms.extra_cents > 0,
        )
        to_stdout = csv_path is not None and str(csv_path) == "-"
        if to_stdout and json_:
            raise ValueError("--csv - and --json both write to stdout: choose one")
        result = amortize(terms)
        if csv_path is not None:
            _write_csv(csv_path, result.rows())
        if to_stdout:
            return
        if json_:
            print_json(loan_document(result))
        else:
            render.loan(Console(), result, full=full)


def _write_csv(path: Path, rows: list[dict[str, int]]) -> None:
    if str(path) == "-":
        _csv_rows(sys.stdout, rows)
        return
    with open(path, "w", newline="", encoding="utf-8") as out:
        _csv_rows(out, rows)


def _csv_rows(out: TextIO, rows: list[dict[str, int]]) -> None:
    writer = csv.writer(out)
    writer.writerow(SCHEDULE_FIELDS)
    for row in rows:
        writer.writerow([row["month"], *(format_cents(row[k]) for k in SCHEDULE_FIELDS[1:])])


def _split(text: str) -> list[str]:
    """Comma-separated items; an empty item stays, so the rule table reports it by position."""
    return [part.strip() for part in text.split(",")] if text.strip() else []


def payment_plan(
    amount: Amount,
    rates: Annotated[
        str, typer.Option(help="Comma-separated annual rates, one per segment: 0.07,0.05,0.03.")
    ],
    terms: Annotated[str, typer.Option(help="Comma-separated months per segment: 12,12,36.")],
    extra: Extra = "0",
    json_: JsonFlag = False,
) -> None:
    """Multi-rate step-down plan: segments, totals, and interest saved by extra principal.

    The payment is re-amortized over the months left at each rate change.

    Example: bankbot payment-plan --amount 20000 --rates 0.07,0.05,0.03 --terms 12,12,36 --extra 50
    """
    with command("payment-plan") as event:
        plan_terms = PlanTerms.parse(amount, _split(rates), _split(terms), extra)
        event.update(
            term_months=sum(plan_terms.terms),
            segments=len(plan_terms.terms),
            amount_bucket=amount_bucket(plan_terms.principal_cents),
            extra=plan_terms.extra_cents > 0,
        )
        plan = build_plan(plan_terms)
        if json_:
            print_json(plan_document(plan))
        else:
            render.plan(Console(), plan)
