"""Arrow shapes of the batch outputs, declared once: the summary, rejects and schedule schemas.

Money columns are exact ``decimal(18,2)`` over the kernel's int64 cents (zero-copy).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import numpy as np
import pyarrow as pa

from bankbot_tools.fileio import Format
from bankbot_tools.loans.schedule import DATE_COLUMN, MONEY_COLUMNS, SCHEDULE_COLUMNS, Schedule
from bankbot_tools.money import IntArray
from bankbot_tools.portfolio import buffers
from bankbot_tools.rules import NO_DATE

MONEY = pa.decimal64(18, 2)  # int64 cents underneath: exact, zero-copy, Parquet INT64 DECIMAL
SUMMARY_SCHEMA = pa.schema(
    [
        ("loan_id", pa.string()),
        ("monthly_payment", MONEY),
        ("extra_payment", MONEY),
        ("last_payment", MONEY),
        ("total_interest", MONEY),
        ("total_paid", MONEY),
        ("payoff_month", pa.int32()),
        ("interest_saved", MONEY),
    ]
)
#: The APR in percent with 3 decimals (Regulation Z), a summary column on request (``--apr``).
APR = pa.decimal128(7, 3)
APR_FIELD = pa.field("apr_percent", APR)


def summary_schema(*, apr: bool = False) -> pa.Schema:
    """The summary's columns, with ``apr_percent`` last when asked for."""
    return SUMMARY_SCHEMA.append(APR_FIELD) if apr else SUMMARY_SCHEMA


REJECTS_SCHEMA = pa.schema([("row", pa.int64()), ("loan_id", pa.string()), ("reason", pa.string())])
#: Schedule columns change slowly from row to row: delta encoding plus snappy is both
#: compact and fast to write; loan ids repeat, so they are dictionary-encoded.
SCHEDULE_ENCODINGS: Final = dict.fromkeys(SCHEDULE_COLUMNS, "DELTA_BINARY_PACKED")


def money(cents: IntArray) -> pa.Array:
    """Integer cents as an exact ``decimal(18,2)`` Arrow array, sharing their memory.

    >>> money(np.array([123456, -5])).to_pylist()
    [Decimal('1234.56'), Decimal('-0.05')]
    """
    return buffers.array(np.asarray(cents, dtype=np.int64), MONEY)


def apr_column(aprs: list[Decimal]) -> pa.Array:
    """APRs in percent (3 decimals) as the summary's ``apr_percent`` column.

    >>> apr_column([Decimal("6.5"), Decimal("12.345")]).to_pylist()
    [Decimal('6.500'), Decimal('12.345')]
    """
    thousandths = np.array([int(a.scaleb(APR.scale)) for a in aprs], dtype=np.int64)
    return buffers.array(thousandths, pa.decimal64(18, APR.scale)).cast(APR)


def schedule_table(
    ids: pa.Array, schedule: Schedule, fmt: Format, *, dated: bool = False
) -> pa.Table:
    """Kernel schedule rows of the loans ``ids`` as an Arrow table (ids dictionary-encoded in
    Parquet); ``dated`` adds the ``date`` column (null for the rows of undated loans)."""
    loan = buffers.array(schedule["loan"].astype(np.int32))
    loan_id = pa.DictionaryArray.from_arrays(loan, ids) if fmt is Format.PARQUET else ids.take(loan)
    columns = {
        "loan_id": loan_id,
        "month": buffers.array(schedule["month"].astype(np.int16)),
        **{name: money(schedule[name]) for name in MONEY_COLUMNS},
    }
    if dated:
        days = schedule.get(DATE_COLUMN, np.full(loan.__len__(), NO_DATE, dtype=np.int64))
        undated = days == NO_DATE
        ordinals = buffers.array(np.where(undated, 0, days).astype(np.int32), null=undated)
        columns[DATE_COLUMN] = ordinals.cast(pa.date32())
    return pa.table(columns)


def schedule_schema(fmt: Format, *, dated: bool = False) -> pa.Schema:
    """The schedules file's schema; ``dated`` adds a ``date`` column after the money."""
    loan_id = pa.dictionary(pa.int32(), pa.string()) if fmt is Format.PARQUET else pa.string()
    fields = [("loan_id", loan_id), ("month", pa.int16())] + [(n, MONEY) for n in MONEY_COLUMNS]
    return pa.schema(fields + ([(DATE_COLUMN, pa.date32())] if dated else []))
