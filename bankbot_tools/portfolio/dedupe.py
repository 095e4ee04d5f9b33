"""Duplicate loan ids across a whole portfolio, exactly, in little memory.

pyarrow has no public vectorized string hash and pandas' ``hash_array`` converts strings to
Python objects first, so ids are hashed over the Arrow buffers, and looked up in an
open-addressing table, by two small loops compiled with numba.
"""

from __future__ import annotations

import bisect

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bankbot_tools.compiled import compiled
from bankbot_tools.portfolio import buffers
from bankbot_tools.portfolio.parse import BoolArray

UIntArray = npt.NDArray[np.uint64]
#: The 64-bit FNV prime: each byte is weighted by a power of it (a polynomial hash).
_POWER = np.uint64(0x100000001B3)
#: The multipliers of MurmurHash3's 64-bit finalizer (fmix64), which mixes every input
#: bit into every output bit so that sorted hashes spread evenly.
_FMIX = (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
#: fmix64's shift.
_SHIFT = np.uint64(33)
_ONE = np.uint64(1)
_NO_CHARACTERS = buffers.constant(0, pa.int32())


def hash_strings(column: pa.Array) -> UIntArray:
    """A 64-bit hash per string, over the Arrow buffers (nulls and "" hash alike).

    Equal strings hash equal; different strings almost never do. Callers that need
    exactness compare the strings behind equal hashes.

    >>> h = hash_strings(pa.array(["L1", "L2", "L1"]))
    >>> bool(h[0] == h[2]), bool(h[0] == h[1])
    (True, False)
    """
    ids = pc.cast(column, pa.string())
    n = len(ids)
    offsets = np.frombuffer(ids.buffers()[1], dtype=np.int32, count=n + 1, offset=ids.offset * 4)
    data = ids.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    hashes = np.empty(n, dtype=np.uint64)
    compiled(_hash_loop)(offsets, raw, hashes)
    return hashes


def blank_ids(ids: pa.Array | pa.ChunkedArray) -> BoolArray:
    """True where the loan id is null or empty.

    >>> blank_ids(pa.array(["A", "", None])).tolist()
    [False, True, True]
    """
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    text = pc.cast(ids, pa.string())
    return ~buffers.flags(pc.not_equal(pc.utf8_length(text), _NO_CHARACTERS))


def _hash_loop(offsets: npt.NDArray[np.int32], data: npt.NDArray[np.uint8], out: UIntArray) -> None:
    """Per string: its length plus each byte (+1) times a power of the FNV prime, mixed by
    fmix64."""
    for k in range(out.size):
        h = np.uint64(offsets[k + 1] - offsets[k])
        power = _POWER
        for position in range(offsets[k], offsets[k + 1]):
            h += (np.uint64(data[position]) + _ONE) * power
            power *= _POWER
        for multiplier in _FMIX:
            h ^= h >> _SHIFT
            h *= multiplier
        out[k] = h ^ (h >> _SHIFT)


#: Slots of the first hash table; it doubles whenever it is more than 70% full.
_FIRST_SLOTS = 1 << 16
_MAX_LOAD = 0.7
#: What :func:`_claim` says of a row.
_FRESH, _MATCH, _BLANK = 0, 1, 2


def _claim(
    hashes: UIntArray,
    blank: BoolArray,
    slots_hash: UIntArray,
    slots_where: npt.NDArray[np.int64],
    first_where: int,
    status: npt.NDArray[np.int8],
    matched: npt.NDArray[np.int64],
) -> int:
    """Look each hash up in the open-addressing table, claiming a slot for new ones.

    A new hash gets the next stored position (``first_where``, then up) and status
    ``_FRESH``; a hash already there gets ``_MATCH`` and the stored position it matched
    (a candidate duplicate, which the caller confirms on the strings). Returns how many
    were fresh. Linear probing over a power-of-two table.
    """
    mask = slots_hash.size - 1
    low_bits = np.uint64(mask)
    fresh = 0
    for k in range(hashes.size):
        if blank[k]:
            status[k] = _BLANK
            continue
        h = hashes[k]
        j = np.int64(h & low_bits)
        while True:
            where = slots_where[j]
            if where < 0:
                slots_hash[j] = h
                slots_where[j] = first_where + fresh
                status[k] = _FRESH
                fresh += 1
                break
            if slots_hash[j] == h:
                status[k] = _MATCH
                matched[k] = where
                break
            j = (j + 1) & mask
    return fresh


def _slots_for(ids: int, slots: int) -> int:
    """The table size, ``slots`` doubled as often as needed, that holds ``ids`` under the load
    limit."""
    while ids > _MAX_LOAD * slots:
        slots *= 2
    return slots


class SeenIds:
    """Exact duplicate detection over a whole file, in one pass and little memory.

    Each first-seen id is kept in Arrow (a few bytes each) and its 64-bit hash in an
    open-addressing table (16 bytes a slot, at most 70% full), so a lookup costs O(1)
    whatever the file's size. Equal hashes are confirmed by comparing the strings; the
    rare id whose hash collides with a different id's is remembered by its text, so a
    collision never rejects a loan.
    """

    def __init__(self, expected: int = 0) -> None:
        """An empty set, sized at once for ``expected`` ids (it grows past them if need be)."""
        slots = _slots_for(expected, _FIRST_SLOTS)
        self._hash = np.zeros(slots, dtype=np.uint64)
        self._where = np.full(slots, -1, dtype=np.int64)
        self._ids: list[pa.Array] = []
        self._starts: list[int] = []
        self._collided: set[str] = set()
        self._count = 0

    def _stored(self, where: int) -> str:
        part = bisect.bisect_right(self._starts, where) - 1
        return str(self._ids[part][where - self._starts[part]].as_py())

    def _grow(self, more: int) -> None:
        """Double the table until ``more`` new ids fit under the load limit."""
        size = _slots_for(self._count + more, self._hash.size)
        if size == self._hash.size:
            return
        used = np.flatnonzero(self._where >= 0)
        # Claimed again in stored order from 0, each hash gets back its own position. The
        # positions are 0..count-1, each once: placing each slot at its position sorts them.
        in_order = np.empty(used.size, dtype=np.int64)
        in_order[self._where[used]] = used
        hashes = self._hash[in_order]
        self._hash = np.zeros(size, dtype=np.uint64)
        self._where = np.full(size, -1, dtype=np.int64)
        count = hashes.size
        status, matched = np.empty(count, dtype=np.int8), np.empty(count, dtype=np.int64)
        blank = np.zeros(count, dtype=np.bool_)
        compiled(_claim)(hashes, blank, self._hash, self._where, 0, status, matched)

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
        n = len(ids)
        blank = blank_ids(ids)
        self._grow(n)
        status = np.empty(n, dtype=np.int8)
        matched = np.full(n, -1, dtype=np.int64)
        compiled(_claim)(
            hash_strings(ids), blank, self._hash, self._where, self._count, status, matched
        )
        fresh = np.flatnonzero(status == _FRESH)
        self._starts.append(self._count)
        self._ids.append(ids.take(buffers.array(fresh)))
        self._count += fresh.size
        repeated: BoolArray = status != _FRESH
        for row in np.flatnonzero(status == _MATCH).tolist():
            value = str(ids[row].as_py())
            if value != self._stored(int(matched[row])) and value not in self._collided:
                self._collided.add(value)
                repeated[row] = False
        return repeated
