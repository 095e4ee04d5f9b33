"""The batch core as pure Arrow functions: a batch of portfolio rows -> summary and rejects.

Every engine runs these unchanged: the in-process engine through
:func:`~bankbot_tools.portfolio.process.validate_chunk` and ``amortize``, Spark inside
``DataFrame.mapInArrow`` and Dask inside ``map_partitions``. A batch carries its rows'
1-based input row numbers in the column ``_row``; the ids that earlier rows already
claimed come from the engine's dedupe pass as the set of duplicate row numbers, so the
result does not depend on how the input was split.

The output schemas are the in-process ones (with ``apr_percent`` or ``date`` as the run
asks) with ``decimal128`` decimals (Spark and pandas know decimal128; the values and their
Parquet encoding, INT64 decimal, are the same) and plain string loan ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pyarrow as pa

from bankbot_tools.fileio import Format
from bankbot_tools.loans.schedule import Schedule
from bankbot_tools.money import IntArray
from bankbot_tools.portfolio.arrow import schedule_schema, schedule_table, summary_schema
from bankbot_tools.portfolio.dedupe import blank_ids
from bankbot_tools.portfolio.job import Reject
from bankbot_tools.portfolio.parse import BoolArray
from bankbot_tools.portfolio.process import process_rows

#: The input column with each row's 1-based row number in the whole input.
ROW: Final = "_row"
#: The rejects, as a table: the same columns as the rejects CSV.
REJECTS_SCHEMA: Final = pa.schema(
    [("row", pa.int64()), ("loan_id", pa.string()), ("reason", pa.string())]
)
#: Which dataset a pass writes.
Kind = Literal["summary", "schedules"]


def _portable(schema: pa.Schema) -> pa.Schema:
    """``schema`` with each decimal as the decimal128 of the same precision and scale."""
    fields = [
        pa.field(f.name, pa.decimal128(f.type.precision, f.type.scale))
        if pa.types.is_decimal(f.type)
        else pa.field(f.name, f.type)
        for f in schema
    ]
    return pa.schema(fields)


NO_DUPLICATES: Final = np.zeros(0, dtype=np.int64)


def duplicate_rows(ids: Iterable[str | None], rows: Iterable[int]) -> IntArray:
    """Row numbers that repeat an id an earlier row claimed, sorted (the dedupe rule).

    Only rows whose id occurs more than once need be passed; empty ids are ignored
    (the core rejects them as required).

    >>> duplicate_rows(["A", "B", "A", "A", ""], [7, 2, 3, 9, 4]).tolist()
    [7, 9]
    """
    first: dict[str, int] = {}
    later: list[int] = []
    for row, loan_id in sorted((int(r), i) for i, r in zip(ids, rows, strict=True)):
        if not loan_id:
            continue
        if loan_id in first:
            later.append(row)
        else:
            first[loan_id] = row
    return np.array(sorted(later), dtype=np.int64)


def _table(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    return table.combine_chunks()


def _repeated(table: pa.Table, rows: IntArray, duplicates: IntArray) -> BoolArray:
    """Empty ids, and rows the dedupe pass found repeating an earlier row's id."""
    return blank_ids(table["loan_id"]) | np.isin(rows, duplicates)


def _rows(table: pa.Table) -> IntArray:
    return np.asarray(table[ROW].to_numpy(), dtype=np.int64)


def rejects_of(
    batch: pa.RecordBatch | pa.Table, duplicates: IntArray = NO_DUPLICATES
) -> pa.RecordBatch:
    """Rows (with ``_row``) -> rejects only: the validation, without the month loop."""
    table = _table(batch)
    rows = _rows(table)
    result = process_rows(table, rows, _repeated(table, rows, duplicates), None, summary=False)
    return _rejects(result.rejects)


@dataclass(frozen=True)
class Output:
    """A dataset a distributed run writes: its schema (Spark needs it up front) and its rows.

    The run's options as in process: ``apr`` adds the summary's ``apr_percent``, ``dated``
    (the input has date columns) adds the schedules' ``date``.
    """

    kind: Kind
    apr: bool = False
    dated: bool = False

    @property
    def schema(self) -> pa.Schema:
        """The rows' schema as engines emit it."""
        if self.kind == "summary":
            return _portable(summary_schema(apr=self.apr))
        return _portable(schedule_schema(Format.CSV, dated=self.dated))

    def __call__(
        self, batch: pa.RecordBatch | pa.Table, duplicates: IntArray = NO_DUPLICATES
    ) -> pa.RecordBatch:
        """Rows (with ``_row``) -> the summary rows or every good loan's schedule rows."""
        table = _table(batch)
        rows = _rows(table)
        repeated = _repeated(table, rows, duplicates)
        schema = self.schema
        if self.kind == "summary":
            result = process_rows(table, rows, repeated, None, with_apr=self.apr)
            return _batch(result.summary.cast(schema))
        parts: list[pa.Table] = []

        def sink(ids: pa.Array, schedule: Schedule) -> None:
            part = schedule_table(ids, schedule, Format.CSV, dated=self.dated)
            parts.append(part.cast(schema))

        process_rows(table, rows, repeated, sink)
        return _batch(pa.concat_tables(parts) if parts else schema.empty_table())


def _batch(table: pa.Table) -> pa.RecordBatch:
    """One record batch of the whole table (an empty one when it has no rows)."""
    batches = table.combine_chunks().to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)


def _rejects(rejects: list[Reject]) -> pa.RecordBatch:
    return pa.record_batch(
        [
            pa.array([r.row for r in rejects], pa.int64()),
            pa.array([r.loan_id for r in rejects], pa.string()),
            pa.array([r.reason for r in rejects], pa.string()),
        ],
        schema=REJECTS_SCHEMA,
    )
