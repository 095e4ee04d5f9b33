"""numpy arrays and constants as Arrow, built from their buffers.

pyarrow imports pandas, when it is installed, at its first conversion of a numpy array or
a Python value (``pa.array``, ``pa.scalar``, a compute call given either). That import
takes about 0.2 s of CPU and the GIL, a fifth of a million-loan run; the batch path
therefore builds its arrays and constants here, from buffers, and never triggers it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa


def array(
    values: npt.NDArray[Any],
    kind: pa.DataType | None = None,
    *,
    null: npt.NDArray[np.bool_] | None = None,
) -> pa.Array:
    """A 1-d numpy array of numbers or bools as an Arrow array of ``kind`` (by default the
    dtype's own type), null where ``null`` is True; numbers share their memory.

    >>> array(np.array([3, 1, 2]), null=np.array([False, True, False])).to_pylist()
    [3, None, 2]
    >>> array(np.array([True, False])).to_pylist()
    [True, False]
    """
    values = np.ascontiguousarray(values)
    kind = kind or pa.from_numpy_dtype(values.dtype)
    data = _bits(values) if values.dtype == np.bool_ else pa.py_buffer(values)
    validity = None if null is None else _bits(~np.asarray(null, dtype=np.bool_))
    return pa.Array.from_buffers(kind, values.size, [validity, data])


def strings(values: list[str]) -> pa.StringArray:
    """Python strings as an Arrow string array.

    >>> strings(["L1", "", "é"]).to_pylist()
    ['L1', '', 'é']
    """
    encoded = [v.encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    result: pa.StringArray = pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), data]
    )
    return result


def text(value: str) -> pa.StringScalar:
    """A string constant for a compute call.

    >>> text("0").as_py()
    '0'
    """
    scalar: pa.StringScalar = strings([value])[0]
    return scalar


def constant(value: bool | int, kind: pa.DataType) -> pa.Scalar:
    """A bool or integer constant of ``kind`` for a compute call.

    >>> constant(0, pa.uint8()).as_py(), constant(True, pa.bool_()).as_py()
    (0, True)
    """
    scalar: pa.Scalar = array(np.array([value])).cast(kind)[0]
    return scalar


def numbers(column: pa.Array) -> npt.NDArray[Any]:
    """A number or bool array's values as numpy (numbers share their memory); what lies
    under a null is unspecified, see :func:`valid`.

    >>> numbers(pa.Array.from_buffers(pa.int16(), 2, [None, pa.py_buffer(np.int16([7, -1]))]))
    array([ 7, -1], dtype=int16)
    """
    kind, n, data = column.type, len(column), column.buffers()[1]
    if pa.types.is_boolean(kind):
        return _flags_of(data, column.offset, n)
    code = "f" if pa.types.is_floating(kind) else "u" if pa.types.is_unsigned_integer(kind) else "i"
    dtype = np.dtype(f"{code}{kind.bit_width // 8}")
    return np.frombuffer(data, dtype=dtype, count=n, offset=column.offset * dtype.itemsize)


def valid(column: pa.Array) -> npt.NDArray[np.bool_]:
    """True where ``column`` is not null."""
    bitmap = column.buffers()[0]
    if bitmap is None:
        return np.ones(len(column), dtype=np.bool_)
    return _flags_of(bitmap, column.offset, len(column))


def flags(column: pa.Array) -> npt.NDArray[np.bool_]:
    """A bool array as numpy, nulls as False.

    >>> flags(array(np.array([True, True, False]), null=np.array([False, True, False])))
    array([ True, False, False])
    """
    result: npt.NDArray[np.bool_] = numbers(column) & valid(column)
    return result


def _flags_of(bitmap: pa.Buffer, offset: int, n: int) -> npt.NDArray[np.bool_]:
    """Bits ``offset .. offset + n`` of an Arrow bitmap as bools."""
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), count=offset + n, bitorder="little")
    return bits[offset:].view(np.bool_)


def _bits(flags: npt.NDArray[np.bool_]) -> pa.Buffer:
    """Arrow's bitmap of ``flags``: least significant bit first."""
    return pa.py_buffer(np.packbits(flags, bitorder="little"))
