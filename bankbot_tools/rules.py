"""The rule table: the only home of input validation and of the schemas' bounds.

Each input field has one :class:`FieldSpec` (its decimal scale and bounds). A value
is turned into integer *units* of that scale (cents for money, millionths for the
rate, whole months), then the same :func:`check_units` runs on one value for the
loan tools and the CLI, and on whole columns for the batch engine. JSON schemas
take their bounds from the same specs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt

from bankbot_tools.conventions import DayCount, Frequency, due_ordinals
from bankbot_tools.money import IntArray

#: A plain decimal number: optional sign, digits, optional fraction. No exponents,
#: no thousands separators. Shared by the scalar parser and the batch column parser.
NUMBER_PATTERN = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$"
_NUMBER_RE = re.compile(NUMBER_PATTERN)


class Violation(IntEnum):
    """Why a value was rejected; ``OK`` means it passed."""

    OK = 0
    MISSING = 1
    NOT_A_NUMBER = 2
    TOO_MANY_DECIMALS = 3
    TOO_SMALL = 4
    TOO_LARGE = 5


@dataclass(frozen=True)
class FieldSpec:
    """One input field: its decimal scale, bounds and description.

    Bounds are in units of ``10**-scale``; ``min_inclusive``/``max_inclusive`` say
    whether the bound itself is allowed.
    """

    name: str
    description: str
    scale: int
    min_units: int
    min_inclusive: bool
    max_units: int
    max_inclusive: bool

    @property
    def minimum(self) -> Decimal:
        """The lower bound as a decimal number."""
        return Decimal(self.min_units).scaleb(-self.scale)

    @property
    def maximum(self) -> Decimal:
        """The upper bound as a decimal number."""
        return Decimal(self.max_units).scaleb(-self.scale)

    def decimal(self, units: int) -> Decimal:
        """Integer units of this field back as an exact decimal number.

        >>> ANNUAL_RATE.decimal(65_000), PRINCIPAL.decimal(100010)
        (Decimal('0.065000'), Decimal('1000.10'))
        """
        return Decimal(int(units)).scaleb(-self.scale)

    def requirement(self, violation: Violation) -> str:
        """The rule a value broke, without the value: ``"must be > 0"``."""
        if violation is Violation.MISSING:
            return "is required"
        if violation is Violation.NOT_A_NUMBER:
            return f"must be a finite decimal number such as {self.example}"
        if violation is Violation.TOO_MANY_DECIMALS:
            return (
                f"must have at most {self.scale} decimals"
                if self.scale
                else "must be a whole number"
            )
        if violation is Violation.TOO_SMALL:
            return f"must be {'>=' if self.min_inclusive else '>'} {self.minimum.normalize():f}"
        return f"must be {'<=' if self.max_inclusive else '<'} {self.maximum.normalize():f}"

    def message(self, violation: Violation, raw: object) -> str:
        """One-line error naming the field, the rule and the offending value."""
        text = f"{self.name} {self.requirement(violation)}"
        if violation is Violation.MISSING:
            return text
        text = f"{text} (got {raw!r})"
        number = _to_decimal(raw)
        if self is ANNUAL_RATE and isinstance(number, Decimal) and 1 <= number < 100:
            text += f": {raw} looks like a percent, use {(number / 100).normalize():f}"
        return text

    def json_schema(self, description: str | None = None) -> dict[str, Any]:
        """JSON schema of this field: its type and bounds, exactly as :func:`to_units` checks.

        >>> MONTHS.json_schema()["minimum"], ANNUAL_RATE.json_schema()["exclusiveMaximum"]
        (1, 1)
        """
        schema: dict[str, Any] = {
            "type": "integer" if self.scale == 0 else "number",
            "description": description or self.description,
        }
        schema["minimum" if self.min_inclusive else "exclusiveMinimum"] = _number(self.minimum)
        schema["maximum" if self.max_inclusive else "exclusiveMaximum"] = _number(self.maximum)
        return schema

    @property
    def example(self) -> str:
        """A valid example value, for messages and schema descriptions."""
        return {
            "principal": "200000.00",
            "annual_rate": "0.065",
            "months": "360",
            "payments": "360",
            "interest_only_periods": "12",
        }.get(self.name, "50.00")


PRINCIPAL = FieldSpec(
    "principal",
    "Loan amount in the account currency, at most 2 decimals, e.g. 200000 or 1500.50.",
    scale=2,
    min_units=0,
    min_inclusive=False,
    max_units=100_000_000_000,
    max_inclusive=True,
)
ANNUAL_RATE = FieldSpec(
    "annual_rate",
    "Nominal annual interest rate as a decimal fraction, not a percent: 6.5% is 0.065.",
    scale=6,
    min_units=0,
    min_inclusive=True,
    max_units=1_000_000,
    max_inclusive=False,
)
MONTHS = FieldSpec(
    "months",
    "Term of the loan in whole months, e.g. 360 for 30 years.",
    scale=0,
    min_units=1,
    min_inclusive=True,
    max_units=1200,
    max_inclusive=True,
)
EXTRA = FieldSpec(
    "extra",
    "Extra principal paid every month on top of the scheduled payment, 0 for none.",
    scale=2,
    min_units=0,
    min_inclusive=True,
    max_units=100_000_000_000,
    max_inclusive=True,
)

AMOUNT = FieldSpec(
    "amount",
    "An amount of money in the account currency, at most 2 decimals, e.g. 1264.14.",
    scale=2,
    min_units=0,
    min_inclusive=True,
    max_units=100_000_000_000,
    max_inclusive=True,
)

COUNT = FieldSpec(
    "count",
    "A small whole count, such as identity-check attempts left.",
    scale=0,
    min_units=0,
    min_inclusive=True,
    max_units=99,
    max_inclusive=True,
)

PAYMENTS = FieldSpec(
    "payments",
    "Term of the loan counted in payments, e.g. 360 monthly or 780 biweekly payments;"
    " at most 100 years of payments.",
    scale=0,
    min_units=1,
    min_inclusive=True,
    max_units=5200,
    max_inclusive=True,
)
INTEREST_ONLY_PERIODS = FieldSpec(
    "interest_only_periods",
    "How many of the first payments pay interest only, 0 for none; fewer than the payments.",
    scale=0,
    min_units=0,
    min_inclusive=True,
    max_units=5199,
    max_inclusive=True,
)
BALLOON = FieldSpec(
    "balloon",
    "Amount left due with the last payment, 0 for none; less than the principal.",
    scale=2,
    min_units=0,
    min_inclusive=True,
    max_units=100_000_000_000,
    max_inclusive=True,
)
FEES = FieldSpec(
    "fees",
    "Prepaid finance charges for the APR (amount financed = principal - fees), 0 for none.",
    scale=2,
    min_units=0,
    min_inclusive=True,
    max_units=100_000_000_000,
    max_inclusive=True,
)

RULES: tuple[FieldSpec, ...] = (PRINCIPAL, ANNUAL_RATE, MONTHS, EXTRA, AMOUNT, COUNT)
#: The numeric fields of the loan shapes (issue 10): payments, interest-only, balloon, fees.
SHAPE_RULES: tuple[FieldSpec, ...] = (PAYMENTS, INTEREST_ONLY_PERIODS, BALLOON, FEES)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def check_units(spec: FieldSpec, units: IntArray) -> IntArray:
    """Return a :class:`Violation` code per value for the range rules of ``spec``.

    The batch engine calls this on whole columns; :func:`to_units` calls it on one value.

    >>> check_units(MONTHS, np.array([0, 1, 1200, 1201])).tolist()
    [4, 0, 0, 5]
    """
    low = units < spec.min_units if spec.min_inclusive else units <= spec.min_units
    high = units > spec.max_units if spec.max_inclusive else units >= spec.max_units
    codes = np.where(low, Violation.TOO_SMALL, Violation.OK)
    return np.where(high, Violation.TOO_LARGE, codes).astype(np.int64)


def _to_decimal(value: object) -> Decimal | Violation:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Violation.MISSING
    if isinstance(value, bool):
        return Violation.NOT_A_NUMBER
    if isinstance(value, float):
        # repr gives the shortest text that round-trips, so 1000.1 means 1000.10.
        return Decimal(repr(value)) if math.isfinite(value) else Violation.NOT_A_NUMBER
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        return number if number.is_finite() else Violation.NOT_A_NUMBER
    if isinstance(value, str) and _NUMBER_RE.match(value):
        return Decimal(value.strip())
    if isinstance(value, Real):
        return _to_decimal(float(value))
    return Violation.NOT_A_NUMBER


def to_units(spec: FieldSpec, value: object) -> int:
    """Parse one value into integer units of ``spec`` and check every rule.

    Accepts ``str``, ``int``, ``float`` and ``Decimal``; rejects bools, NaN, inf and
    non-numeric text with a ``ValueError`` whose message names the field.

    >>> to_units(PRINCIPAL, 1000.1), to_units(ANNUAL_RATE, "0.065"), to_units(MONTHS, 360)
    (100010, 65000, 360)
    >>> to_units(ANNUAL_RATE, 6.5)
    Traceback (most recent call last):
    ...
    ValueError: annual_rate must be < 1 (got 6.5): 6.5 looks like a percent, use 0.065
    """
    units = units_of(spec, value)
    if isinstance(units, Violation):
        raise ValueError(spec.message(units, value))
    return units


def units_of(spec: FieldSpec, value: object) -> int | Violation:
    """Integer units of ``value`` under ``spec``, or the first rule it breaks.

    >>> units_of(MONTHS, "12"), units_of(MONTHS, 0)
    (12, <Violation.TOO_SMALL: 4>)
    """
    number = _to_decimal(value)
    if isinstance(number, Violation):
        return number
    try:
        scaled = number.scaleb(spec.scale)
        integral = scaled == scaled.to_integral_value()
    except InvalidOperation:
        integral = False
    if not integral:
        return Violation.TOO_MANY_DECIMALS
    if abs(scaled) > 10**15:
        return Violation.TOO_LARGE if scaled > 0 else Violation.TOO_SMALL
    units = int(scaled)
    code = Violation(int(check_units(spec, np.array([units], dtype=np.int64))[0]))
    return units if code is Violation.OK else code


@dataclass(frozen=True)
class ChoiceSpec:
    """A field that takes one of a few names; spelling is forgiving (case, ``_`` and ``-``).

    >>> FREQUENCY.parse("Semi_Monthly"), DAY_COUNT.parse(None)
    ('semimonthly', '30/360')
    """

    name: str
    description: str
    choices: tuple[str, ...]
    default: str
    aliases: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def _key(text: str) -> str:
        return text.strip().lower().replace("_", "").replace("-", "").replace(" ", "")

    def units_of(self, value: object) -> str | None:
        """The canonical choice of ``value`` (``None``/blank -> default), or ``None`` if unknown."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return self.default
        if not isinstance(value, str):
            return None
        key = self._key(value)
        known = {self._key(c): c for c in self.choices} | {self._key(a): c for a, c in self.aliases}
        return known.get(key)

    def message(self, value: object) -> str:
        """One line naming the field, the choices and the offending value."""
        return f"{self.name} must be one of {', '.join(self.choices)} (got {value!r})"

    def parse(self, value: object) -> str:
        """The canonical choice, or a ``ValueError`` naming the field."""
        choice = self.units_of(value)
        if choice is None:
            raise ValueError(self.message(value))
        return choice

    def json_schema(self) -> dict[str, Any]:
        """A string enum of the choices."""
        return {"type": "string", "enum": list(self.choices), "description": self.description}


FREQUENCY = ChoiceSpec(
    "frequency",
    "How often payments fall due; the periodic rate is annual_rate / payments per year.",
    tuple(f.value for f in Frequency),
    default=Frequency.MONTHLY.value,
)
DAY_COUNT = ChoiceSpec(
    "day_count",
    "Day count of dated loans: 30/360 (regular periods are 1/12 of a year a month), actual/365"
    " or actual/360 (interest = balance x rate x days / basis); needs start_date unless 30/360.",
    tuple(d.value for d in DayCount),
    default=DayCount.THIRTY_360.value,
    aliases=(("act/365", "actual/365"), ("act/360", "actual/360"), ("30e/360", "30/360")),
)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass(frozen=True)
class DateSpec:
    """A calendar date field: ISO ``YYYY-MM-DD`` text (or a ``date``) within bounds."""

    name: str
    description: str
    minimum: date = date(1900, 1, 1)
    maximum: date = date(2199, 12, 31)

    def units_of(self, value: object) -> date | str | None:
        """The date, ``None`` when blank, or the reason it is not a valid date."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            day = value
        elif isinstance(value, str) and _ISO_DATE.match(value.strip()):
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                return f"{self.name} is not a calendar date (got {value!r})"
        else:
            return f"{self.name} must be a date as YYYY-MM-DD, e.g. 2026-01-15 (got {value!r})"
        if not self.minimum <= day <= self.maximum:
            return (
                f"{self.name} must be from {self.minimum.isoformat()} to"
                f" {self.maximum.isoformat()} (got {value!r})"
            )
        return day

    def parse(self, value: object) -> date | None:
        """The date (``None`` when blank), or a ``ValueError`` naming the field."""
        day = self.units_of(value)
        if isinstance(day, str):
            raise ValueError(day)
        return day

    def json_schema(self) -> dict[str, Any]:
        """A string in ISO date form."""
        return {"type": "string", "pattern": DATE_PATTERN, "description": self.description}


START_DATE = DateSpec(
    "start_date",
    "Funding date of the loan as YYYY-MM-DD; with it every schedule row carries its due date.",
)
FIRST_PAYMENT_DATE = DateSpec(
    "first_payment_date",
    "Due date of the first payment as YYYY-MM-DD; default one regular period after start_date.",
)

#: Longest term: 100 years of payments (1200 months).
MAX_YEARS = 100
#: Sentinel date ordinal for "no date" in term arrays.
NO_DATE = np.iinfo(np.int64).min

BoolArray = npt.NDArray[np.bool_]
#: A cross-field rule's verdict: where it fails and the message of failing row ``i``.
CrossRule = tuple[BoolArray, Callable[[int], str]]


def term_violations(
    *,
    principal: IntArray,
    payments: IntArray,
    periods_per_year: IntArray,
    interest_only: IntArray,
    balloon: IntArray,
    fees: IntArray,
    kind_code: IntArray,
    size: IntArray,
    start: IntArray,
    first: IntArray,
    actual_days: BoolArray,
) -> list[CrossRule]:
    """The rules between fields of a loan, over arrays (one element for a single loan).

    ``kind_code``/``size`` give each loan's frequency (:func:`daycount.frequency_arrays`);
    ``start``/``first`` are date ordinals or :data:`NO_DATE`; ``actual_days`` marks loans whose
    day count is not 30/360. The first payment may fall at most two regular periods after
    ``start``.
    """
    p, n, k, ppy = principal, payments, interest_only, periods_per_year
    dated, has_first = start != NO_DATE, first != NO_DATE
    first_limit = due_ordinals(np.where(dated, start, 0), kind_code, size, np.full_like(n, 2))

    def show(spec: FieldSpec, units: IntArray, i: int) -> str:
        return f"{spec.decimal(int(units[i])).normalize():f}" if spec.scale else str(units[i])

    return [
        (
            n > MAX_YEARS * ppy,
            lambda i: (
                f"payments must span at most {MAX_YEARS} years: at most"
                f" {MAX_YEARS * int(ppy[i])} payments at this frequency (got {n[i]})"
            ),
        ),
        (
            k >= n,
            lambda i: (
                f"interest_only_periods must be < the number of payments (got {k[i]} of {n[i]})"
            ),
        ),
        (
            balloon >= p,
            lambda i: (
                f"balloon must be < principal (got {show(BALLOON, balloon, i)}"
                f" with principal {show(PRINCIPAL, p, i)})"
            ),
        ),
        (
            fees >= p,
            lambda i: (
                f"fees must be < principal (got {show(FEES, fees, i)}"
                f" with principal {show(PRINCIPAL, p, i)})"
            ),
        ),
        (
            actual_days & ~dated,
            lambda i: "day_count other than 30/360 needs start_date: undated periods are regular",
        ),
        (has_first & ~dated, lambda i: "first_payment_date needs start_date"),
        (
            dated & has_first & (first <= start),
            lambda i: "first_payment_date must be after start_date",
        ),
        (
            dated & has_first & (first > start) & (first > first_limit),
            lambda i: "first_payment_date must be at most two regular periods after start_date",
        ),
    ]


def first_violation(rules: list[CrossRule], index: int = 0) -> str | None:
    """The message of the first rule row ``index`` breaks, or ``None``."""
    return next((message(index) for failed, message in rules if failed[index]), None)


def payments_of_months(months: IntArray, periods_per_year: IntArray) -> tuple[IntArray, BoolArray]:
    """Payments in a term of ``months`` at each frequency, and where that is not whole."""
    counts, rest = np.divmod(np.asarray(months) * np.asarray(periods_per_year), 12)
    return counts.astype(np.int64), rest != 0


def months_message(months: object, frequency: str) -> str:
    """Why a term in months does not fit the frequency."""
    return f"months ({months}) is not a whole number of {frequency} payments: give payments"


def payment_count(months: object, payments: object, frequency: str) -> int:
    """The number of payments, from ``payments`` or from a term in ``months``.

    A term in months converts to ``months * payments_per_year / 12`` payments, which must be
    whole; given both, they must describe the same term.

    >>> payment_count(360, None, "monthly"), payment_count(None, 26, "biweekly")
    (360, 26)
    >>> payment_count(360, None, "biweekly"), payment_count(12, 4, "quarterly")
    (780, 4)
    """
    given_months = units_of(MONTHS, months) is not Violation.MISSING
    given_payments = units_of(PAYMENTS, payments) is not Violation.MISSING
    per_year = Frequency(frequency).periods_per_year
    if not given_payments and (given_months or frequency == Frequency.MONTHLY):
        term = to_units(MONTHS, months)
        counts, partial = payments_of_months(np.array([term]), np.array([per_year]))
        if partial[0]:
            raise ValueError(months_message(term, frequency))
        return int(counts[0])
    count = to_units(PAYMENTS, payments)
    if given_months and to_units(MONTHS, months) * per_year != count * 12:
        raise ValueError(
            f"months and payments describe different terms ({months} months is not"
            f" {count} {frequency} payments): give one of them"
        )
    return count
