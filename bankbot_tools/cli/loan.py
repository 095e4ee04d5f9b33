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
    from bankbot_tools.events.facts import loan_facts
    from bankbot_tools.loans.kernel import amortize
    from bankbot_tools.loans.terms import LoanTerms

    with command("loan-calc") as event:
        terms = LoanTerms.parse(amount, rate, months, extra)
        event.update(loan_facts(terms))
        to_stdout = csv_path is not None and str(csv_path) == "-"
        if to_stdout and json_:
            raise ValueError("--csv - and --json both write to stdout: choose one")
        result = amortize(terms)
        if csv_path is not None:
            _write_csv(csv_path, result)
        if to_stdout:
            return
        if json_:
            from bankbot_tools.views.json import loan_document

            print_json(loan_document(result))
        else:
            from rich.console import Console

            from bankbot_tools.views.tables import loan

            loan(Console(), result, full=full)


def _write_csv(path: Path, result: Amortized[int]) -> None:
    """The schedule as CSV on stdout (``-``) or, atomically, in ``path``."""
    from bankbot_tools.fileio import atomic_path

    if str(path) == "-":
        _csv_rows(sys.stdout, result)
        return
    with atomic_path(path) as temp, temp.open("w", newline="", encoding="utf-8") as out:
        _csv_rows(out, result)


def _csv_rows(out: TextIO, result: Amortized[int]) -> None:
    from bankbot_tools.loans.schedule import SCHEDULE_COLUMNS
    from bankbot_tools.money import format_cents

    writer = csv.writer(out)
    writer.writerow(SCHEDULE_COLUMNS)
    for row in result.rows():
        writer.writerow([row.month, *(format_cents(cents) for cents in row[1:])])
