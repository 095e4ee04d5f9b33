"""Arrow columns -> integer units plus a :class:`~bankbot_tools.rules.Violation` per row.

The batch engine's column parser: the rules of :func:`bankbot_tools.rules.to_units`,
applied to whole columns. Plain values take a vectorized path (strings matching a
strict ASCII form of ``loan.NUMBER_PATTERN``; finite floats below 2**50 units; ints;
decimals via their text); every other value (empty or non-numeric text, unicode
digits, NaN, huge floats, bools) is rare and goes through ``loan.units_of`` itself,
one value at a time, so the two can only agree. Range rules always come from
:func:`bankbot_tools.rules.check_units`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bankbot_tools.money import IntArray
from bankbot_tools.portfolio import buffers
from bankbot_tools.rules import FieldSpec, Violation, check_units, units_of

BoolArray = npt.NDArray[np.bool_]

#: ``loan.NUMBER_PATTERN`` narrowed to ASCII digits and ASCII whitespace (RE2 syntax).
#: Every text it matches also matches ``NUMBER_PATTERN``; the rest is parsed by ``units_of``.
_FAST_NUMBER = r"^[ \t\n\r\f\v]*(?P<sign>[+-]?)(?P<int>\d*)\.?(?P<frac>\d*)[ \t\n\r\f\v]*$"
_FAST_CHECK = r"^[ \t\n\r\f\v]*[+-]?(\d+(\.\d*)?|\.\d+)[ \t\n\r\f\v]*$"
_MAX_SCALED = 10**15  # to_units rejects |units| > 10**15 before the range rules
_FLOAT_EXACT_LIMIT = 2.0**50  # below this, round(x*10**s) is the exact decimal value
_ZERO, _EMPTY, _MINUS, _MAX_TEXT = (buffers.text(t) for t in ("0", "", "-", str(_MAX_SCALED)))


@dataclass(frozen=True)
class Parsed:
    """Units and a Violation code per row (units are 0 where the code is not OK)."""

    units: IntArray
    codes: IntArray

    def message(self, spec: FieldSpec, raw: object, row: int) -> str:
        """The rule table's one-line reason for row ``row``."""
        return spec.message(Violation(int(self.codes[row])), raw)


def parse_column(spec: FieldSpec, column: pa.Array | pa.ChunkedArray) -> Parsed:
    """Parse one Arrow column into units of ``spec``, with the rules of ``loan.to_units``.

    >>> parsed = parse_column(
    ...     __import__("bankbot_tools.rules").rules.PRINCIPAL,
    ...     pa.array(["1000.10", " 5 ", "abc", "0", "1.005", None]),
    ... )
    >>> parsed.units.tolist(), parsed.codes.tolist()
    ([100010, 500, 0, 0, 0, 0], [0, 0, 2, 4, 3, 1])
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    kind = column.type
    if pa.types.is_decimal(kind):
        column = pc.cast(column, pa.string())
        kind = column.type
    if pa.types.is_large_string(kind):
        column = pc.cast(column, pa.string())
        kind = column.type
    n = len(column)
    units = np.zeros(n, dtype=np.int64)
    codes = np.zeros(n, dtype=np.int64)
    if pa.types.is_string(kind):
        fast = _strings(spec, column, units, codes)
    elif pa.types.is_floating(kind):
        fast = _floats(spec, column, units, codes)
    elif pa.types.is_integer(kind):
        fast = _integers(spec, column, units, codes)
    else:
        fast = np.zeros(n, dtype=np.bool_)
    ok = fast & (codes == Violation.OK)
    codes[ok] = check_units(spec, units[ok])
    slow = np.flatnonzero(~fast)
    if slow.size:
        values = column.take(buffers.array(slow)).to_pylist()
        for i, value in zip(slow.tolist(), values, strict=True):
            units[i], codes[i] = _scalar(spec, value)
    units[codes != Violation.OK] = 0
    return Parsed(units, codes)


def _scalar(spec: FieldSpec, value: Any) -> tuple[int, int]:
    """One value through the scalar rules, ``loan.units_of``: (units, Violation code)."""
    result = units_of(spec, value)
    return (0, result) if isinstance(result, Violation) else (result, Violation.OK)


def _strings(spec: FieldSpec, column: pa.Array, units: IntArray, codes: IntArray) -> BoolArray:
    """Plain-number text, vectorized; returns where the fast path decided the row."""
    fast = buffers.flags(pc.match_substring_regex(column, _FAST_CHECK))
    parts = pc.extract_regex(pc.if_else(buffers.array(fast), column, _ZERO), _FAST_NUMBER)
    sign = parts.field("sign")
    digits = pc.utf8_ltrim(parts.field("int"), "0")
    frac = pc.utf8_rtrim(parts.field("frac"), "0")
    frac_len = buffers.numbers(pc.utf8_length(frac))
    too_many = fast & (frac_len > spec.scale)
    padded = pc.utf8_rpad(frac, spec.scale, "0") if spec.scale else frac
    number = pc.binary_join_element_wise(
        digits, pc.if_else(buffers.array(too_many), _EMPTY, padded), _EMPTY
    )
    length = buffers.numbers(pc.utf8_length(number))
    above = buffers.flags(pc.greater(number, _MAX_TEXT))
    huge = fast & ~too_many & ((length > 16) | ((length == 16) & above))
    usable = fast & ~too_many & ~huge
    clean = pc.if_else(
        buffers.array(usable), pc.if_else(pc.equal(number, _EMPTY), _ZERO, number), _ZERO
    )
    value = buffers.numbers(pc.cast(clean, pa.int64()))
    negative = buffers.flags(pc.equal(sign, _MINUS))
    units[:] = np.where(negative, -value, value)
    codes[too_many] = Violation.TOO_MANY_DECIMALS
    codes[huge] = np.where(negative[huge], Violation.TOO_SMALL, Violation.TOO_LARGE)
    return fast


def _floats(spec: FieldSpec, column: pa.Array, units: IntArray, codes: IntArray) -> BoolArray:
    """Finite floats, with the meaning of ``Decimal(repr(x))``; returns the decided rows."""
    x = np.where(buffers.valid(column), buffers.numbers(column), np.nan).astype(np.float64)
    factor = 10.0**spec.scale
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = x * factor
        fast = np.isfinite(scaled) & (np.abs(scaled) < _FLOAT_EXACT_LIMIT)
        whole = np.round(np.where(fast, scaled, 0.0))
        exact = whole / factor == x
    too_many = fast & ~exact
    value = whole.astype(np.int64)
    huge = fast & exact & (np.abs(value) > _MAX_SCALED)
    units[:] = value
    codes[too_many] = Violation.TOO_MANY_DECIMALS
    codes[huge] = np.where(value[huge] < 0, Violation.TOO_SMALL, Violation.TOO_LARGE)
    return fast


def _integers(spec: FieldSpec, column: pa.Array, units: IntArray, codes: IntArray) -> BoolArray:
    """Integer columns, exactly; returns the decided rows (nulls and huge values go slow)."""
    raw = buffers.numbers(pc.fill_null(column, buffers.constant(0, column.type)))
    small = raw < 2**62 if raw.dtype == np.uint64 else (raw > -(2**62)) & (raw < 2**62)
    fast: BoolArray = buffers.valid(column) & small
    x = np.where(fast, raw, 0).astype(np.int64)
    huge = np.abs(x) > _MAX_SCALED // 10**spec.scale
    units[:] = np.where(huge, 0, x) * 10**spec.scale
    codes[huge] = np.where(x[huge] < 0, Violation.TOO_SMALL, Violation.TOO_LARGE)
    return fast
