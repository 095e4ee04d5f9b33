"""Arrow columns -> integer units plus a :class:`~bankbot_tools.loan.Violation` per row.

The batch engine's column parser: the rules of :func:`bankbot_tools.loan.to_units`,
applied to whole columns. Plain values take a vectorized path (strings matching a
strict ASCII form of ``loan.NUMBER_PATTERN``; finite floats below 2**50 units; ints;
decimals via their text); every other value (empty or non-numeric text, unicode
digits, NaN, huge floats, bools) is rare and goes through ``loan.units_of`` itself,
one value at a time, so the two can only agree. Range rules always come from
:func:`bankbot_tools.loan.check_units`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bankbot_tools.loan import FieldSpec, Violation, check_units, units_of
from bankbot_tools.money import IntArray

BoolArray = npt.NDArray[np.bool_]

#: ``loan.NUMBER_PATTERN`` narrowed to ASCII digits and ASCII whitespace (RE2 syntax).
#: Every text it matches also matches ``NUMBER_PATTERN``; the rest is parsed by ``units_of``.
_FAST_NUMBER = r"^[ \t\n\r\f\v]*(?P<sign>[+-]?)(?P<int>\d*)\.?(?P<frac>\d*)[ \t\n\r\f\v]*$"
_FAST_CHECK = r"^[ \t\n\r\f\v]*[+-]?(\d+(\.\d*)?|\.\d+)[ \t\n\r\f\v]*$"
_MAX_SCALED = 10**15  # to_units rejects |units| > 10**15 before the range rules
_FLOAT_EXACT_LIMIT = 2.0**50  # below this, round(x*10**s) is the exact decimal value


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
    ...     __import__("bankbot_tools.loan").loan.PRINCIPAL,
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
        values = column.take(pa.array(slow)).to_pylist()
        for i, value in zip(slow.tolist(), values, strict=True):
            units[i], codes[i] = _scalar(spec, value)
    units[codes != Violation.OK] = 0
    return Parsed(units, codes)


def _scalar(spec: FieldSpec, value: Any) -> tuple[int, int]:
    """One value through the scalar rules, ``loan.units_of``: (units, Violation code)."""
    result = units_of(spec, value)
    return (0, result) if isinstance(result, Violation) else (result, Violation.OK)


def _mask(array: pa.Array) -> BoolArray:
    """A boolean Arrow array as numpy, nulls as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _strings(spec: FieldSpec, column: pa.Array, units: IntArray, codes: IntArray) -> BoolArray:
    """Plain-number text, vectorized; returns where the fast path decided the row."""
    fast = _mask(pc.match_substring_regex(column, _FAST_CHECK))
    parts = pc.extract_regex(pc.if_else(fast, column, "0"), _FAST_NUMBER)
    sign = parts.field("sign")
    digits = pc.utf8_ltrim(parts.field("int"), "0")
    frac = pc.utf8_rtrim(parts.field("frac"), "0")
    frac_len = pc.utf8_length(frac).to_numpy(zero_copy_only=False)
    too_many = fast & (frac_len > spec.scale)
    padded = pc.utf8_rpad(frac, spec.scale, "0") if spec.scale else frac
    number = pc.binary_join_element_wise(digits, pc.if_else(pa.array(too_many), "", padded), "")
    length = pc.utf8_length(number).to_numpy(zero_copy_only=False)
    huge = (
        fast
        & ~too_many
        & ((length > 16) | ((length == 16) & _mask(pc.greater(number, str(_MAX_SCALED)))))
    )
    usable = fast & ~too_many & ~huge
    clean = pc.if_else(pa.array(usable), pc.if_else(pc.equal(number, ""), "0", number), "0")
    value = pc.cast(clean, pa.int64()).to_numpy(zero_copy_only=False)
    negative = _mask(pc.equal(sign, "-"))
    units[:] = np.where(negative, -value, value)
    codes[too_many] = Violation.TOO_MANY_DECIMALS
    codes[huge] = np.where(negative[huge], Violation.TOO_SMALL, Violation.TOO_LARGE)
    return fast


def _floats(spec: FieldSpec, column: pa.Array, units: IntArray, codes: IntArray) -> BoolArray:
    """Finite floats, with the meaning of ``Decimal(repr(x))``; returns the decided rows."""
    x = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)  # nulls: NaN
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
    raw = pc.fill_null(column, pa.scalar(0, column.type)).to_numpy(zero_copy_only=False)
    small = raw < 2**62 if raw.dtype == np.uint64 else (raw > -(2**62)) & (raw < 2**62)
    fast: BoolArray = ~_mask(column.is_null()) & small
    x = np.where(fast, raw, 0).astype(np.int64)
    huge = np.abs(x) > _MAX_SCALED // 10**spec.scale
    units[:] = np.where(huge, 0, x) * 10**spec.scale
    codes[huge] = np.where(x[huge] < 0, Violation.TOO_SMALL, Violation.TOO_LARGE)
    return fast


UIntArray = npt.NDArray[np.uint64]
_POWER = np.uint64(0x100000001B3)
_FMIX = (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


def hash_strings(column: pa.Array) -> UIntArray:
    """A 64-bit hash per string, vectorized over the Arrow buffers (nulls and "" hash alike).

    Equal strings hash equal; different strings almost never do. Callers that need
    exactness compare the strings behind equal hashes.

    >>> h = hash_strings(pa.array(["L1", "L2", "L1"]))
    >>> bool(h[0] == h[2]), bool(h[0] == h[1])
    (True, False)
    """
    ids = pc.cast(column, pa.string())
    n = len(ids)
    offsets = np.frombuffer(ids.buffers()[1], dtype=np.int32, count=n + 1, offset=ids.offset * 4)
    lengths = np.diff(offsets).astype(np.int64)
    first, last = int(offsets[0]), int(offsets[-1])
    data = ids.buffers()[2]
    raw = (
        np.frombuffer(data, dtype=np.uint8)[first:last]
        if data is not None and last > first
        else np.zeros(0, np.uint8)
    )
    hashes = lengths.astype(np.uint64)
    filled = np.flatnonzero(lengths > 0)
    if raw.size:
        position = np.arange(raw.size) - np.repeat(offsets[:-1] - first, lengths)
        powers = np.cumprod(np.full(int(lengths.max()), _POWER, dtype=np.uint64))
        terms = (raw.astype(np.uint64) + np.uint64(1)) * powers[position]
        hashes[filled] += np.add.reduceat(terms, (offsets[:-1] - first)[filled])
    for multiplier in _FMIX:
        hashes ^= hashes >> np.uint64(33)
        hashes *= multiplier
    hashes ^= hashes >> np.uint64(33)
    return hashes


class SeenIds:
    """Exact duplicate detection over a whole file, kept compact.

    Remembers each first-seen id in Arrow (a few bytes each) plus its 64-bit hash in a
    sorted numpy array; equal hashes are confirmed by comparing the strings, so a hash
    collision never rejects a loan.
    """

    def __init__(self) -> None:
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._where = np.zeros(0, dtype=np.int64)
        self._ids: list[pa.Array] = []
        self._starts: list[int] = []
        self._count = 0

    def _stored(self, where: int) -> str:
        part = bisect.bisect_right(self._starts, where) - 1
        return str(self._ids[part][where - self._starts[part]].as_py())

    def repeated(self, column: pa.Array) -> BoolArray:
        """True where the id is null, empty, or seen before (earlier in ``column`` or in an
        earlier call); the first occurrence of every other id is remembered.

        >>> seen = SeenIds()
        >>> seen.repeated(pa.array(["A", "B", "A", None])).tolist()
        [False, False, True, True]
        >>> seen.repeated(pa.array(["B", "C", ""])).tolist()
        [True, False, True]
        """
        ids = pc.cast(column, pa.string())
        hashes = hash_strings(ids)
        repeated = _mask(pc.fill_null(pc.equal(pc.utf8_length(ids), 0), True))
        order = np.argsort(hashes)
        ranked = hashes[order]  # sorted queries keep the searches cache-friendly
        size = self._hashes.size
        spot = np.searchsorted(self._hashes, ranked)
        padded = np.append(self._hashes, np.uint64(0))  # a sentinel for spot == size
        for k in np.flatnonzero((spot < size) & (padded[spot] == ranked)).tolist():
            row = int(order[k])
            value = ids[row].as_py()
            j = int(spot[k])
            while j < size and self._hashes[j] == ranked[k] and not repeated[row]:
                repeated[row] = self._stored(int(self._where[j])) == value
                j += 1
        ties = np.flatnonzero(ranked[1:] == ranked[:-1])
        for run in np.split(ties, np.flatnonzero(np.diff(ties) > 1) + 1) if ties.size else []:
            rows = np.sort(order[run[0] : run[-1] + 2]).tolist()
            values = [ids[row].as_py() for row in rows]
            for a, row in enumerate(rows):
                repeated[row] |= bool(values[a]) and values[a] in values[:a]
        fresh = np.flatnonzero(~repeated)
        self._starts.append(self._count)
        self._ids.append(ids.take(pa.array(fresh)))
        keep = ~repeated[order]
        stored_at = self._count + np.cumsum(~repeated) - 1
        at = np.searchsorted(self._hashes, ranked[keep])
        self._hashes = np.insert(self._hashes, at, ranked[keep])
        self._where = np.insert(self._where, at, stored_at[order[keep]])
        self._count += fresh.size
        return repeated
