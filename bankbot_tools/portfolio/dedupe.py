"""Duplicate loan ids across a whole portfolio, exactly, in little memory.

pyarrow has no public vectorized string hash and pandas' ``hash_array`` converts strings to
Python objects first, so ids are hashed over the Arrow buffers with numpy.
"""

from __future__ import annotations

import bisect

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bankbot_tools.portfolio.parse import BoolArray, mask

UIntArray = npt.NDArray[np.uint64]
#: The 64-bit FNV prime: each byte is weighted by a power of it (a polynomial hash).
_POWER = np.uint64(0x100000001B3)
#: The multipliers of MurmurHash3's 64-bit finalizer (fmix64), which mixes every input
#: bit into every output bit so that sorted hashes spread evenly.
_FMIX = (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
#: fmix64's shift.
_SHIFT = np.uint64(33)


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
        hashes ^= hashes >> _SHIFT
        hashes *= multiplier
    hashes ^= hashes >> _SHIFT
    return hashes


class SeenIds:
    """Exact duplicate detection over a whole file, kept compact.

    Remembers each first-seen id in Arrow (a few bytes each) plus its 64-bit hash in
    sorted numpy runs; equal hashes are confirmed by comparing the strings, so a hash
    collision never rejects a loan. The runs merge like a binary counter (a run merges
    into the one before it once it is at least as big), so each hash is copied
    O(log n) times in all, not once per chunk: the cost grows as n log n, not n**2.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[UIntArray, npt.NDArray[np.int64]]] = []
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
        repeated = mask(pc.fill_null(pc.equal(pc.utf8_length(ids), 0), True))
        order = np.argsort(hashes)
        ranked = hashes[order]  # sorted queries keep the searches cache-friendly
        for stored, where in self._runs:
            size = stored.size
            spot = np.searchsorted(stored, ranked)
            found = (spot < size) & (stored[np.minimum(spot, size - 1)] == ranked)
            for k in np.flatnonzero(found).tolist():
                row = int(order[k])
                value = ids[row].as_py()
                j = int(spot[k])
                while j < size and stored[j] == ranked[k] and not repeated[row]:
                    repeated[row] = self._stored(int(where[j])) == value
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
        if fresh.size:
            self._runs.append((ranked[keep], stored_at[order[keep]]))
        while len(self._runs) > 1 and self._runs[-1][0].size >= self._runs[-2][0].size:
            (old, old_where), (new, new_where) = self._runs[-2], self._runs.pop()
            at = np.searchsorted(old, new, side="right") + np.arange(new.size)  # a linear merge
            older = np.ones(old.size + new.size, dtype=np.bool_)
            older[at] = False
            merged, merged_where = np.empty_like(older, np.uint64), np.empty_like(older, np.int64)
            merged[at], merged[older] = new, old
            merged_where[at], merged_where[older] = new_where, old_where
            self._runs[-1] = (merged, merged_where)
        self._count += fresh.size
        return repeated
