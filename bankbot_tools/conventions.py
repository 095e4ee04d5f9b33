"""Day-count conventions and due-date schedules, scalar and vectorized.

A leaf module (stdlib, numpy and money only), so the rule table can take its choices from here.

Due dates (payment ``k``, 0-based, from the first payment date ``F``):

* month-based frequencies (monthly, bimonthly, quarterly, semiannual, annual): ``F`` moved
  ``k * size`` calendar months, keeping its day; a day the month lacks (the 31st, Feb 29/30)
  falls on the month's last day. **End-of-month rule**: when ``F`` is the last day of its
  month, every payment falls on the last day of its month (Apr 30 -> May 31 -> Jun 30).
* week-based frequencies: ``F + 7 * weeks * k`` days.
* semimonthly: two due days a month. ``F`` on day ``d <= 15`` pays on ``d`` and ``d + 15``;
  ``F`` on day ``d > 15`` pays on ``d`` and on ``d - 15`` of the next month; ``F`` on a month's
  last day pays on the 15th and the last day. Days past a month's end fall on its last day.

Day counts between two dates (``days / basis`` of a year):

* ``30/360`` (Bond Basis, ISDA 2006 4.16(f)): ``360*(y2-y1) + 30*(m2-m1) + (d2-d1)`` where a
  31st start day becomes 30, and a 31st end day becomes 30 when the start day is 30 or 31;
* ``actual/365`` (Fixed) and ``actual/360``: the actual number of days.

>>> thirty_360_days(date(2026, 1, 15), date(2026, 3, 1))
46
>>> [d.isoformat() for d in due_dates(date(2026, 1, 31), "monthly", 3)]
['2026-01-31', '2026-02-28', '2026-03-31']
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from bankbot_tools.money import IntArray


class Frequency(StrEnum):
    """A unit-period of Appendix J (b)(3)(iii): a standard interval of time."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    FOUR_WEEKLY = "four-weekly"
    SEMIMONTHLY = "semimonthly"
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"

    @property
    def periods_per_year(self) -> int:
        """Unit-periods in a year, Appendix J (b)(5)(ii)-(v): 52/weeks, 24, or 12/months."""
        kind, size = _SHAPES[self]
        if kind == "week":
            return 52 // size
        if kind == "semimonth":
            return 24
        return 12 // size

    def months_of(self, payments: int) -> int:
        """The whole months ``payments`` payments span, rounded up.

        >>> Frequency.BIWEEKLY.months_of(26), Frequency.WEEKLY.months_of(53)
        (12, 13)
        """
        return -(-payments * 12 // self.periods_per_year)


# (kind, size): weeks per unit-period, or months per unit-period; a semimonth is its own kind.
_SHAPES: dict[Frequency, tuple[str, int]] = {
    Frequency.WEEKLY: ("week", 1),
    Frequency.BIWEEKLY: ("week", 2),
    Frequency.FOUR_WEEKLY: ("week", 4),
    Frequency.SEMIMONTHLY: ("semimonth", 1),
    Frequency.MONTHLY: ("month", 1),
    Frequency.BIMONTHLY: ("month", 2),
    Frequency.QUARTERLY: ("month", 3),
    Frequency.SEMIANNUAL: ("month", 6),
    Frequency.ANNUAL: ("month", 12),
}


#: Date ordinals in arrays are days since 1970-01-01 (numpy ``datetime64[D]``).
EPOCH = date(1970, 1, 1)


class DayCount(StrEnum):
    """How a period's days and the year's basis are counted."""

    THIRTY_360 = "30/360"
    ACTUAL_365 = "actual/365"
    ACTUAL_360 = "actual/360"

    @property
    def basis(self) -> int:
        """Days in the year of the convention."""
        return 365 if self is DayCount.ACTUAL_365 else 360


def shape(frequency: Frequency | str) -> tuple[str, int]:
    """``("week", weeks)``, ``("month", months)`` or ``("semimonth", 1)`` of a frequency."""
    return _SHAPES[Frequency(frequency)]


def ordinal(day: date) -> int:
    """Days since 1970-01-01.

    >>> ordinal(date(1970, 1, 2))
    1
    """
    return (day - EPOCH).days


def from_ordinal(days: int) -> date:
    """The date ``days`` after 1970-01-01."""
    return EPOCH + timedelta(days=int(days))


def is_month_end(day: date) -> bool:
    """Whether ``day`` is the last day of its month."""
    return day.day == calendar.monthrange(day.year, day.month)[1]


def thirty_360_days(start: date, end: date) -> int:
    """Days from ``start`` to ``end`` under 30/360 Bond Basis."""
    d1 = min(start.day, 30)
    d2 = 30 if end.day == 31 and d1 == 30 else end.day
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + d2 - d1


def months_later(day: date, months: int, day_of_month: int) -> date:
    """``day`` moved ``months`` calendar months (negative: earlier), onto ``day_of_month`` or
    the month's last day when it has fewer days (31: always the last day).

    >>> months_later(date(2027, 1, 30), 1, 30), months_later(date(2027, 2, 28), -1, 30)
    (datetime.date(2027, 2, 28), datetime.date(2027, 1, 30))
    """
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day_of_month, calendar.monthrange(year, month0 + 1)[1]))


def series_day(first: date) -> int:
    """The day of the month a monthly series from ``first`` falls on: ``first``'s day, or 31
    (each month's last day) when ``first`` is a month's last day.

    >>> series_day(date(2027, 1, 30)), series_day(date(2027, 2, 28))
    (30, 31)
    """
    return 31 if is_month_end(first) else first.day


def due_date(first: date, frequency: Frequency | str, k: int) -> date:
    """Due date of payment ``k`` (0-based; ``-1`` is one regular period before the first)."""
    kind, size = shape(frequency)
    if kind == "week":
        return first + timedelta(days=7 * size * k)
    if kind == "month":
        return months_later(first, k * size, series_day(first))
    pair, odd = divmod(k, 2)
    if is_month_end(first):  # the 15th, then the month's last day; F itself is a last day
        return months_later(first, pair + 1, 15) if odd else months_later(first, pair, 31)
    if first.day <= 15:
        return months_later(first, pair, first.day + 15 * odd)
    return months_later(first, pair + odd, first.day - 15 * odd)


def due_dates(first: date, frequency: Frequency | str, count: int) -> list[date]:
    """The first ``count`` due dates."""
    return [due_date(first, frequency, k) for k in range(count)]


def _civil(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(year, month 1-12, day) of date ordinals, vectorized in integers (H. Hinnant's
    ``civil_from_days``)."""
    z = np.asarray(days, dtype=np.int64) + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, day


def _ordinals(year: IntArray, month: IntArray, day: IntArray) -> IntArray:
    """Date ordinals of (year, month, day), vectorized (``days_from_civil``)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    days: IntArray = era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468
    return days


def _month_days(year: IntArray, month: IntArray) -> IntArray:
    """Days in each month."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    thirty = (month == 4) | (month == 6) | (month == 9) | (month == 11)
    return np.where(month == 2, 28 + leap, np.where(thirty, 30, 31))


def _months_later_v(
    year: IntArray, month: IntArray, months: IntArray, day: IntArray, month_end: npt.ArrayLike
) -> IntArray:
    """Vectorized :func:`months_later`: ordinals ``months`` after (year, month), on ``day``
    (or the month's last day where ``month_end``), clamped to the month's end."""
    y, m0 = np.divmod(year * 12 + month - 1 + months, 12)
    last = _month_days(y, m0 + 1)
    return _ordinals(y, m0 + 1, np.where(month_end, last, np.minimum(day, last)))


def due_ordinals(first: IntArray, kind_code: IntArray, size: IntArray, k: IntArray) -> IntArray:
    """Vectorized :func:`due_date`: one due-date ordinal per element.

    ``kind_code`` is 0 week, 1 month, 2 semimonth (see :data:`KIND_CODES`); all arrays align.
    """
    first, kind_code, size, k = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.int64) for a in (first, kind_code, size, k))
    )
    out = first + 7 * size * k  # weeks
    months = np.flatnonzero(kind_code != 0)
    if not months.size:
        return out
    f, kk = first[months], k[months]
    year, month, day = _civil(f)
    eom = day == _month_days(year, month)
    monthly = _months_later_v(year, month, kk * size[months], day, eom)
    semi = np.flatnonzero(kind_code[months] == 2)
    if semi.size:
        y, m, d, e = year[semi], month[semi], day[semi], eom[semi]
        pair, odd = np.divmod(kk[semi], 2)
        low = d <= 15
        shift = np.where(e, odd, np.where(low, 0, odd))
        target = np.where(e, np.where(odd == 1, 15, 31), np.where(low, d + 15 * odd, d - 15 * odd))
        monthly[semi] = _months_later_v(y, m, pair + shift, target, e & (odd == 0))
    out[months] = monthly
    return out


#: Codes of the frequency kinds for :func:`due_ordinals`.
KIND_CODES = {"week": 0, "month": 1, "semimonth": 2}


def thirty_360_days_v(start: IntArray, end: IntArray) -> IntArray:
    """Vectorized :func:`thirty_360_days` over date ordinals."""
    y1, m1, d1 = _civil(np.asarray(start, dtype=np.int64))
    y2, m2, d2 = _civil(np.asarray(end, dtype=np.int64))
    d1 = np.minimum(d1, 30)
    d2 = np.where((d2 == 31) & (d1 == 30), 30, d2)
    return 360 * (y2 - y1) + 30 * (m2 - m1) + d2 - d1


def frequency_arrays(frequencies: npt.ArrayLike) -> tuple[IntArray, IntArray, IntArray]:
    """(kind code, size, payments per year) per frequency name, for the vectorized paths."""
    names = np.asarray(frequencies, dtype=object)
    kind = np.empty(names.shape, dtype=np.int64)
    size = np.empty(names.shape, dtype=np.int64)
    ppy = np.empty(names.shape, dtype=np.int64)
    for name in set(names.tolist()):
        frequency = Frequency(name)
        where = names == name
        k, s = shape(frequency)
        kind[where], size[where], ppy[where] = KIND_CODES[k], s, frequency.periods_per_year
    return kind, size, ppy
