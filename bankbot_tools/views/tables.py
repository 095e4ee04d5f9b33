"""Rich tables of results for people at a terminal. No arithmetic happens here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from itertools import groupby
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bankbot_tools.conventions import Frequency
from bankbot_tools.loans.plans import Plan
from bankbot_tools.loans.schedule import SCHEDULE_COLUMNS, Amortized
from bankbot_tools.money import grouped_cents, percent_text
from bankbot_tools.rules import ANNUAL_RATE

if TYPE_CHECKING:
    from bankbot_tools.compliance.call_window import CallWindow
    from bankbot_tools.compliance.check import CheckResult
    from bankbot_tools.compliance.render import RenderedPrompt

#: Rows shown at each end of a long schedule unless --full is given.
EDGE_ROWS = 6


def _totals(title: str, pairs: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in pairs:
        table.add_row(label, value)
    return table


def loan(
    console: Console,
    result: Amortized[int],
    *,
    full: bool = False,
    apr: Decimal | None = None,
    frequency: str = "monthly",
) -> None:
    """Print a loan's payment, totals and schedule (first and last rows unless ``full``).

    A loan paid other than monthly counts payments, not months, in its labels.
    """
    monthly = frequency == "monthly"
    pairs = [
        (
            "Monthly payment" if monthly else f"Payment ({frequency})",
            grouped_cents(result.monthly_payment),
        ),
        ("Last payment", grouped_cents(result.last_payment)),
        ("Total interest", grouped_cents(result.total_interest)),
        ("Total paid", grouped_cents(result.total_paid)),
        ("Payoff month" if monthly else "Payoff payment", str(result.payoff_month)),
    ]
    if result.months_saved or result.interest_saved:
        pairs += [
            ("Months saved by extra", str(result.months_saved)),
            ("Interest saved by extra", grouped_cents(result.interest_saved)),
        ]
    if apr is not None:
        pairs.append(("Annual percentage rate", f"{apr}%"))
    console.print(_totals("Loan", pairs))
    rows = result.rows()
    dates = result.dates()
    names = list(SCHEDULE_COLUMNS)
    if dates is not None:
        names.insert(1, "date")
    hidden = 0 if full or len(rows) <= 2 * EDGE_ROWS else len(rows) - 2 * EDGE_ROWS
    caption = f"{hidden} rows hidden: --full shows all" if hidden else None
    table = Table(title="Schedule", title_justify="left", caption=caption)
    for name in names:
        label = name.capitalize() if monthly or name != "month" else "Payment #"
        table.add_column(label, justify="right")
    for index, row in enumerate(rows):
        if hidden and EDGE_ROWS <= index < len(rows) - EDGE_ROWS:
            if index == EDGE_ROWS:
                table.add_row(*["…"] * len(names))
            continue
        day = [] if dates is None else [dates[index].isoformat()]
        table.add_row(str(row.month), *day, *(grouped_cents(cents) for cents in row[1:]))
    console.print(table)


def plan(console: Console, result: Plan) -> None:
    """Print a plan's segments and totals, with what the extra principal saves.

    A dated plan also gets each segment's first and last due dates (a table of their own,
    so the segments still fit a terminal) and its payoff date. A plan paid other than
    monthly counts payments, not months, in its labels.
    """
    monthly = result.terms.frequency is Frequency.MONTHLY
    table = Table(title="Segments", title_justify="left")
    count = "Months" if monthly else "Payments"
    for name in ("#", "Rate", count, "Payment", "Interest", "Principal", "Ending balance"):
        table.add_column(name, justify="right")
    for index, segment in enumerate(result.segments, start=1):
        table.add_row(
            str(index),
            percent_text(ANNUAL_RATE.decimal(segment.rate_ppm)),
            str(segment.months),
            grouped_cents(segment.payment),
            grouped_cents(segment.interest),
            grouped_cents(segment.principal),
            grouped_cents(segment.end_balance),
        )
    console.print(table)
    if result.payoff_date is not None:
        dates = Table(title="Due dates", title_justify="left")
        for name in ("#", "First due", "Last due"):
            dates.add_column(name, justify="right")
        for index, segment in enumerate(result.segments, start=1):
            dates.add_row(str(index), _day(segment.first_due), _day(segment.last_due))
        console.print(dates)
    pairs = [
        (
            "Extra per month" if monthly else "Extra per payment",
            grouped_cents(result.terms.extra_cents),
        ),
        ("Total interest", grouped_cents(result.total_interest)),
        ("Total paid", grouped_cents(result.total_paid)),
        ("Payoff month" if monthly else "Payoff payment", str(result.payoff_month)),
        ("Months saved" if monthly else "Payments saved", str(result.months_saved)),
        ("Interest saved", grouped_cents(result.interest_saved)),
    ]
    if result.payoff_date is not None:
        pairs.insert(4, ("Payoff date", result.payoff_date.isoformat()))
    console.print(_totals("Totals", pairs))


def _day(day: date | None) -> str:
    """An ISO date, or a dash for a segment without payments."""
    return "-" if day is None else day.isoformat()


def prompt(console: Console, rendered: RenderedPrompt) -> None:
    """Print a rendered prompt with its provenance."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    locale = rendered.locale
    if rendered.requested_locale != rendered.locale:
        locale += f" (requested {rendered.requested_locale})"
    fallback = f"yes: {rendered.fallback_reason}" if rendered.fallback else "no"
    for label, value in (
        ("flow", rendered.flow),
        ("template", rendered.template_id),
        ("version", rendered.version),
        ("locale", locale),
        ("fallback", fallback),
        ("text", rendered.text),
        ("spoken text", rendered.spoken_text),
        ("ssml", rendered.ssml),
        ("barge-in", "yes" if rendered.barge_in else "no"),
        ("config", rendered.config),
    ):
        grid.add_row(label, Text(value))
    console.print(grid)


def call_window(console: Console, window: CallWindow) -> None:
    """Print whether a collection call is permitted now in a time zone, and when."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in window.to_dict().items():
        grid.add_row(label.replace("_", " "), Text(str(value)))
    console.print(grid)


def checks(console: Console, results: list[CheckResult]) -> None:
    """Print the compliance checks per flow and locale, and how many passed."""
    failed = sum(not result.passed for result in results)
    table = Table(title="compliance checks")
    for column in ("flow", "locale", "cases", "result", "problems"):
        table.add_column(column)
    for (flow, locale), group in groupby(results, key=lambda r: (r.flow, r.locale)):
        cases = list(group)
        problems = [f"{r.case}: {p}" for r in cases for p in r.problems]
        table.add_row(
            flow,
            locale,
            str(len(cases)),
            "FAIL" if problems else "PASS",
            Text("\n".join(problems)),
        )
    console.print(table)
    console.print(f"{len(results) - failed}/{len(results)} checks passed", highlight=False)


def tools(console: Console, rows: Iterable[tuple[str, list[str], str]]) -> None:
    """Print the LLM tools: name, parameters (``?`` marks optional ones), description."""
    table = Table(title="LLM tools", title_justify="left")
    table.add_column("Tool", style="bold", no_wrap=True)
    table.add_column("Parameters")
    table.add_column("Description")
    for name, params, description in rows:
        table.add_row(name, ", ".join(params), description)
    console.print(table)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def event_summary(console: Console, title: str, document: dict[str, Any]) -> None:
    """Print an event-log summary (``analytics summary``): one row per tool or command."""
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("kind", no_wrap=True)
    table.add_column("tool / command", no_wrap=True)
    for header in ("calls", "errors", "fallbacks", "p50", "p95", "p99"):
        table.add_column(header, justify="right", no_wrap=True)
    for row in document["rows"]:
        table.add_row(
            row["event"].split(".")[0],
            row["name"],
            str(row["calls"]),
            f"{row['error_rate']:.1%}",
            f"{row['fallback_rate']:.1%}",
            *(_ms(row[key]) for key in ("p50_ms", "p95_ms", "p99_ms")),
        )
    console.print(table)
    console.print(f"{document['lines']} lines read, {document['malformed']} malformed skipped")
