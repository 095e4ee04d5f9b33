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
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from numbers import Real
from typing import Any

import numpy as np

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
        return {"principal": "200000.00", "annual_rate": "0.065", "months": "360"}.get(
            self.name, "50.00"
        )


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

RULES: tuple[FieldSpec, ...] = (PRINCIPAL, ANNUAL_RATE, MONTHS, EXTRA, AMOUNT, COUNT)


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
