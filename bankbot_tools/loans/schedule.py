"""The one result type of the loan engine and the one definition of a schedule row.

:class:`Amortized` holds per-loan results: int64 arrays for many loans (what the kernel
returns), or plain ints for one loan (``Amortized.loan(i)``). Schedules are columns named
by :data:`SCHEDULE_COLUMNS`; every view and writer takes its column names from here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Final, Generic, NamedTuple, TypeVar

from bankbot_tools.conventions import from_ordinal
from bankbot_tools.money import IntArray

#: Schedule columns, in output order: the month number, then money in cents.
SCHEDULE_COLUMNS: Final = ("month", "payment", "interest", "principal", "balance")
#: The money columns of a schedule.
MONEY_COLUMNS: Final = SCHEDULE_COLUMNS[1:]
#: A dated loan's schedule also has this column: each row's due date as a date ordinal
#: (days since 1970-01-01); views put it after ``month``.
DATE_COLUMN: Final = "date"
#: The kernel's schedule also carries ``loan``: the row's index into the loans amortized.
KERNEL_COLUMNS: Final = ("loan", *SCHEDULE_COLUMNS)

#: A schedule: equal-length int64 columns keyed by :data:`KERNEL_COLUMNS` (or
#: :data:`SCHEDULE_COLUMNS` for one loan), ordered by loan, then month.
Schedule = dict[str, IntArray]


class ScheduleRow(NamedTuple):
    """One month of one loan, money in cents."""

    month: int
    payment: int
    interest: int
    principal: int
    balance: int


N = TypeVar("N", int, IntArray)


@dataclass(frozen=True)
class Amortized(Generic[N]):
    """Payment, totals and (optionally) the schedule of each loan, in cents.

    ``monthly_payment`` is the scheduled level payment (without extra); ``end_balance``
    is what is left after the months run (0 for a loan that closes); ``interest_saved``
    and ``months_saved`` compare with the same loan paid without extra (0 without extra).
    """

    monthly_payment: N
    last_payment: N
    total_interest: N
    total_paid: N
    payoff_month: N
    end_balance: N
    interest_saved: N
    months_saved: N
    schedule: Schedule | None = None

    def loan(self: Amortized[IntArray], index: int) -> Amortized[int]:
        """Loan ``index`` alone, as ints, with its own schedule rows (without ``loan``)."""
        values = {
            f.name: int(getattr(self, f.name)[index]) for f in fields(self) if f.name != "schedule"
        }
        schedule = None
        every: Schedule | None = self.schedule
        if every is not None:
            mine = every["loan"] == index
            names = [name for name in (*SCHEDULE_COLUMNS, DATE_COLUMN) if name in every]
            schedule = {name: every[name][mine] for name in names}
        return Amortized[int](**values, schedule=schedule)

    def dates(self) -> list[date] | None:
        """Each row's due date, or ``None`` for an undated schedule."""
        if self.schedule is None or DATE_COLUMN not in self.schedule:
            return None
        return [from_ordinal(day) for day in self.schedule[DATE_COLUMN].tolist()]

    def rows(self) -> list[ScheduleRow]:
        """The schedule as rows (empty when no schedule was computed)."""
        if self.schedule is None:
            return []
        columns = [self.schedule[name].tolist() for name in SCHEDULE_COLUMNS]
        return [ScheduleRow(*values) for values in zip(*columns, strict=True)]
