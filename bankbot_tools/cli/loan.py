"""``bankbot loan-calc``: payment, totals and schedule of one loan."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from bankbot_tools.cli.common import JsonFlag, command, print_json

if TYPE_CHECKING:
    from bankbot_tools.loans.schedule import Amortized

Amount = Annotated[str, typer.Option("--amount", help="Loan principal, e.g. 200000 or 1500.50.")]
Extra = Annotated[str, typer.Option("--extra", help="Extra principal paid every month, e.g. 50.")]
FrequencyOption = Annotated[
    str,
    typer.Option(
        "--frequency",
        help="monthly, semimonthly (semi_monthly), biweekly, weekly, quarterly, annual, ...",
    ),
]
StartDate = Annotated[
    str | None,
    typer.Option("--start-date", help="Funding date, YYYY-MM-DD: payments then carry due dates."),
]
FirstPaymentDate = Annotated[
    str | None,
    typer.Option(
        "--first-payment-date",
        help="First due date, YYYY-MM-DD (default: one period after the start).",
    ),
]
DayCountOption = Annotated[
    str,
    typer.Option("--day-count", help="30/360, actual/365 or actual/360 (the last two need dates)."),
]
InterestOnly = Annotated[
    str, typer.Option("--interest-only", help="First N payments pay interest only.")
]
Balloon = Annotated[str, typer.Option("--balloon", help="Amount left due with the last payment.")]


def loan_calc(
    amount: Amount,
    rate: Annotated[str, typer.Option(help="Annual rate as a decimal: 6.5% is 0.065.")],
    months: Annotated[
        str | None, typer.Option(help="Term in months, 1 to 1200 (monthly loans).")
    ] = None,
    extra: Extra = "0",
    payments: Annotated[
        str | None,
        typer.Option(help="Term counted in payments, any frequency: 780 biweekly is 30 years."),
    ] = None,
    frequency: FrequencyOption = "monthly",
    start_date: StartDate = None,
    first_payment_date: FirstPaymentDate = None,
    day_count: DayCountOption = "30/360",
    interest_only: InterestOnly = "0",
    balloon: Balloon = "0",
    fees: Annotated[
        str, typer.Option(help="Prepaid finance charges, for the APR (implies --apr).")
    ] = "0",
    show_apr: Annotated[
        bool, typer.Option("--apr", help="Also give the Regulation Z annual percentage rate.")
    ] = False,
    full: Annotated[bool, typer.Option(help="Show every schedule row.")] = False,
    csv_path: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the schedule as CSV to this file ('-' for stdout)."),
    ] = None,
    json_: JsonFlag = False,
) -> None:
    """Payment, totals and amortization schedule of one fixed-rate loan.

    Example: bankbot loan-calc --amount 200000 --rate 0.065 --months 360

    Example: bankbot loan-calc --amount 200000 --rate 0.065 --months 360 --frequency biweekly
    --start-date 2026-01-15 --day-count actual/365 --fees 1500 --balloon 50000
    --interest-only 12 --json
    """
    from bankbot_tools.events.facts import loan_facts
    from bankbot_tools.loans.kernel import amortize
    from bankbot_tools.loans.terms import LoanTerms

    with command("loan-calc") as event:
        terms = LoanTerms.parse(
            amount,
            rate,
            months,
            extra,
            payments=payments,
            frequency=frequency,
            day_count=day_count,
            start_date=start_date,
            first_payment_date=first_payment_date,
            interest_only_periods=interest_only,
            balloon=balloon,
            fees=fees,
        )
        event.update(loan_facts(terms))
        to_stdout = csv_path is not None and str(csv_path) == "-"
        if to_stdout and json_:
            raise ValueError("--csv - and --json both write to stdout: choose one")
        result = amortize(terms)
        apr = None
        if show_apr or terms.fees_cents:
            from bankbot_tools.loans.disclosure import loan_apr

            apr = loan_apr(terms)
        if csv_path is not None:
            _write_csv(csv_path, result)
        if to_stdout:
            return
        if json_:
            from bankbot_tools.views.json import loan_document

            print_json(loan_document(result, apr=apr))
        else:
            from rich.console import Console

            from bankbot_tools.views.tables import loan

            loan(Console(), result, full=full, apr=apr, frequency=str(terms.frequency))


def _write_csv(path: Path, result: Amortized[int]) -> None:
    """The schedule as CSV on stdout (``-``) or, atomically, in ``path``."""
    from bankbot_tools.fileio import atomic_path

    if str(path) == "-":
        _csv_rows(sys.stdout, result)
        return
    with atomic_path(path) as temp, temp.open("w", newline="", encoding="utf-8") as out:
        _csv_rows(out, result)


def _csv_rows(out: TextIO, result: Amortized[int]) -> None:
    from bankbot_tools.loans.schedule import DATE_COLUMN, SCHEDULE_COLUMNS
    from bankbot_tools.money import format_cents

    writer = csv.writer(out)
    dates = result.dates()
    if dates is None:
        writer.writerow(SCHEDULE_COLUMNS)
    else:
        writer.writerow([SCHEDULE_COLUMNS[0], DATE_COLUMN, *SCHEDULE_COLUMNS[1:]])
    for index, row in enumerate(result.rows()):
        day = [] if dates is None else [dates[index].isoformat()]
        writer.writerow([row.month, *day, *(format_cents(cents) for cents in row[1:])])
