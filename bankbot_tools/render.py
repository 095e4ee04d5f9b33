"""Rich tables of results for people at a terminal. No arithmetic happens here."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bankbot_tools.amortization import LoanSchedule
from bankbot_tools.loan import ANNUAL_RATE
from bankbot_tools.money import format_cents, percent_text
from bankbot_tools.plans import Plan

#: Rows shown at each end of a long schedule unless --full is given.
EDGE_ROWS = 6


def _totals(title: str, pairs: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in pairs:
        table.add_row(label, value)
    return table


def loan(console: Console, result: LoanSchedule, *, full: bool = False) -> None:
    """Print a loan's payment, totals and schedule (first and last rows unless ``full``)."""
    pairs = [
        ("Monthly payment", format_cents(result.monthly_payment)),
        ("Last payment", format_cents(result.last_payment)),
        ("Total interest", format_cents(result.total_interest)),
        ("Total paid", format_cents(result.total_paid)),
        ("Payoff month", str(result.payoff_month)),
    ]
    if result.months_saved or result.interest_saved:
        pairs += [
            ("Months saved by extra", str(result.months_saved)),
            ("Interest saved by extra", format_cents(result.interest_saved)),
        ]
    console.print(_totals("Loan", pairs))
    rows = result.rows()
    hidden = 0 if full or len(rows) <= 2 * EDGE_ROWS else len(rows) - 2 * EDGE_ROWS
    caption = f"{hidden} rows hidden: --full shows all" if hidden else None
    table = Table(title="Schedule", title_justify="left", caption=caption)
    for name in ("Month", "Payment", "Interest", "Principal", "Balance"):
        table.add_column(name, justify="right")
    for index, row in enumerate(rows):
        if hidden and EDGE_ROWS <= index < len(rows) - EDGE_ROWS:
            if index == EDGE_ROWS:
                table.add_row(*["…"] * 5)
            continue
        table.add_row(
            str(row["month"]),
            *(format_cents(row[k]) for k in ("payment", "interest", "principal", "balance")),
        )
    console.print(table)


def plan(console: Console, result: Plan) -> None:
    """Print a plan's segments and totals, with what the extra principal saves."""
    table = Table(title="Segments", title_justify="left")
    for name in ("#", "Rate", "Months", "Payment", "Interest", "Principal", "Ending balance"):
        table.add_column(name, justify="right")
    for index, segment in enumerate(result.segments, start=1):
        table.add_row(
            str(index),
            percent_text(ANNUAL_RATE.decimal(segment.rate_ppm)),
            str(segment.months),
            format_cents(segment.payment),
            format_cents(segment.interest),
            format_cents(segment.principal),
            format_cents(segment.end_balance),
        )
    console.print(table)
    pairs = [
        ("Extra per month", format_cents(result.terms.extra_cents)),
        ("Total interest", format_cents(result.total_interest)),
        ("Total paid", format_cents(result.total_paid)),
        ("Payoff month", str(result.payoff_month)),
        ("Months saved", str(result.months_saved)),
        ("Interest saved", format_cents(result.interest_saved)),
    ]
    console.print(_totals("Totals", pairs))
