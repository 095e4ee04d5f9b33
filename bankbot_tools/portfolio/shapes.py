"""The optional loan-shape columns of a portfolio (issue 10), parsed by the rule table.

``frequency``, ``day_count``, ``start_date``, ``first_payment_date``,
``interest_only_periods``, ``balloon`` and ``fees``: a missing column or a blank cell means
the default (monthly, 30/360, undated, none). Every cell goes through the same specs as
``LoanTerms.parse``; the cross-field rules are :func:`bankbot_tools.rules.term_violations`
over whole columns, so a row is rejected here exactly when the single-loan call refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pyarrow as pa

from bankbot_tools.conventions import DayCount, frequency_arrays, ordinal
from bankbot_tools.loans.periods import LoanShapes
from bankbot_tools.money import IntArray
from bankbot_tools.portfolio.parse import parse_column
from bankbot_tools.rules import (
    BALLOON,
    DAY_COUNT,
    FEES,
    FIRST_PAYMENT_DATE,
    FREQUENCY,
    INTEREST_ONLY_PERIODS,
    NO_DATE,
    START_DATE,
    ChoiceSpec,
    DateSpec,
    FieldSpec,
    Violation,
    months_message,
    payments_of_months,
    term_violations,
)

NUMBERS: Final[dict[str, FieldSpec]] = {
    "interest_only_periods": INTEREST_ONLY_PERIODS,
    "balloon": BALLOON,
    "fees": FEES,
}
CHOICES: Final[dict[str, ChoiceSpec]] = {"frequency": FREQUENCY, "day_count": DAY_COUNT}
DATES: Final[dict[str, DateSpec]] = {
    "start_date": START_DATE,
    "first_payment_date": FIRST_PAYMENT_DATE,
}
#: The optional shape columns, in the order they are read.
COLUMNS: Final = (*CHOICES, *DATES, *NUMBERS)

Reasons = dict[int, list[str]]


@dataclass(frozen=True)
class ShapeColumns:
    """Parsed shape columns of a chunk (defaults where a column is absent)."""

    frequency: np.ndarray
    day_count: np.ndarray
    start: IntArray
    first: IntArray
    numbers: dict[str, IntArray]

    @property
    def given(self) -> bool:
        """Whether any row leaves the defaults."""
        return bool(
            (self.frequency != FREQUENCY.default).any()
            or (self.start != NO_DATE).any()
            or any(v.any() for v in self.numbers.values())
        )

    def shapes(self, keep: IntArray) -> LoanShapes:
        """The kernel's shapes of rows ``keep``."""
        return LoanShapes.build(
            keep.size,
            frequency=self.frequency[keep],
            day_count=self.day_count[keep],
            start=self.start[keep],
            first=self.first[keep],
            interest_only=self.numbers["interest_only_periods"][keep],
            balloon=self.numbers["balloon"][keep],
        )


def parse_shapes(table: pa.Table, reasons: Reasons) -> ShapeColumns:
    """Parse the shape columns present in ``table``; per-cell errors go to ``reasons``."""
    n = table.num_rows
    choices = {}
    for name, spec in CHOICES.items():
        values = np.full(n, spec.default, dtype=object)
        if name in table.column_names:
            cells = table[name].to_pylist()
            parsed = {cell: spec.units_of(cell) for cell in set(cells)}
            for i, cell in enumerate(cells):
                choice = parsed[cell]
                if choice is None:
                    reasons.setdefault(i, []).append(spec.message(cell))
                else:
                    values[i] = choice
        choices[name] = values
    dates = {}
    for name, date_spec in DATES.items():
        days = np.full(n, NO_DATE, dtype=np.int64)
        if name in table.column_names:
            cells = table[name].to_pylist()
            known = {cell: date_spec.units_of(cell) for cell in set(cells)}
            for i, cell in enumerate(cells):
                day = known[cell]
                if isinstance(day, str):
                    reasons.setdefault(i, []).append(day)
                elif isinstance(day, date):
                    days[i] = ordinal(day)
        dates[name] = days
    numbers = {}
    for name, number_spec in NUMBERS.items():
        units = np.zeros(n, dtype=np.int64)
        if name in table.column_names:
            parsed_column = parse_column(number_spec, table[name].combine_chunks())
            blank = parsed_column.codes == Violation.MISSING
            for i in np.flatnonzero(parsed_column.codes * ~blank).tolist():
                cell = table[name][i].as_py()
                reasons.setdefault(i, []).append(parsed_column.message(number_spec, cell, i))
            units = np.where(blank, 0, parsed_column.units)
        numbers[name] = units
    return ShapeColumns(
        choices["frequency"], choices["day_count"], dates["start_date"],
        dates["first_payment_date"], numbers,
    )  # fmt: skip


def check_terms(
    columns: ShapeColumns,
    principal: IntArray,
    months: IntArray,
    keep: IntArray,
    reasons: Reasons,
) -> IntArray:
    """Payments per kept row from ``term_months``; cross-field errors go to ``reasons``."""
    frequency = columns.frequency[keep]
    kind, size, ppy = frequency_arrays(frequency)
    payments, partial = payments_of_months(months, ppy)
    rules = term_violations(
        principal=principal,
        payments=payments,
        periods_per_year=ppy,
        interest_only=columns.numbers["interest_only_periods"][keep],
        balloon=columns.numbers["balloon"][keep],
        fees=columns.numbers["fees"][keep],
        kind_code=kind,
        size=size,
        start=columns.start[keep],
        first=columns.first[keep],
        actual_days=columns.day_count[keep] != DayCount.THIRTY_360.value,
    )
    for j in np.flatnonzero(partial).tolist():
        reasons.setdefault(int(keep[j]), []).append(months_message(months[j], frequency[j]))
    for failed, message in rules:
        for j in np.flatnonzero(failed & ~partial).tolist():
            reasons.setdefault(int(keep[j]), []).append(message(j))
    return payments
