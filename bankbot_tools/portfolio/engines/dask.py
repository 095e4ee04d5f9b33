"""Dask engine: the pure Arrow core inside ``dask.dataframe.map_partitions``.

Partitions are the input's Parquet row groups (``dd.from_map`` over the plan), so each
partition knows its rows' numbers without a pass over the data. Dedupe is a
``value_counts`` over the ids, then the rows of the repeated ids are collected (they are
rare by nature) and numbered on the client. The rejects are a validation-only pass; the
summary (or schedules) pass has each task write its partition's file (temporary name,
then rename, so a retried task leaves one file) into a temporary dataset directory that
the client renames into place. Partitions are pandas frames of ``pd.ArrowDtype``
columns, so nulls and decimals cross to and from Arrow unchanged.

Without ``--scheduler`` a ``LocalCluster`` of one single-threaded worker process per core
is started for the run and closed after it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from bankbot_tools.fileio import atomic_path
from bankbot_tools.money import IntArray
from bankbot_tools.portfolio.engines import core
from bankbot_tools.portfolio.engines.plan import Piece, Plan
from bankbot_tools.portfolio.engines.runner import MissingExtra
from bankbot_tools.portfolio.job import Reject

if TYPE_CHECKING:
    import pandas as pd


def _frame_of(table: pa.Table) -> pd.DataFrame:
    import pandas as pd

    frame: pd.DataFrame = table.to_pandas(types_mapper=pd.ArrowDtype)
    return frame


def _read_piece(piece: Piece, names: dict[str, str]) -> pd.DataFrame:
    """One row group as a partition, columns renamed, with its row numbers."""
    table = pq.ParquetFile(piece.path).read_row_group(piece.row_group, columns=list(names.values()))
    table = table.rename_columns(list(names))
    rows = pa.array(range(piece.first_row, piece.first_row + table.num_rows), pa.int64())
    return _frame_of(table.append_column(core.ROW, rows))


def _table_of(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _rejects(frame: pd.DataFrame, duplicates: IntArray) -> pd.DataFrame:
    return _frame_of(pa.Table.from_batches([core.rejects_of(_table_of(frame), duplicates)]))


def _write(
    frame: pd.DataFrame, duplicates: IntArray, output: core.Output, folder: str
) -> pd.DataFrame:
    """Process one partition and write its file; returns its row count."""
    import pandas as pd

    table = _table_of(frame)
    out = output(table, duplicates)
    first = int(table[core.ROW][0].as_py()) if table.num_rows else 0
    target = Path(folder) / f"part-{first:012d}.parquet"
    with atomic_path(target) as temp:  # a retried task leaves one whole file
        pq.write_table(pa.Table.from_batches([out]), temp, store_decimal_as_integer=True)
    return pd.DataFrame({"rows": [out.num_rows]})


class DaskEngine:
    """Runs the core on a Dask cluster (or a LocalCluster started for the run)."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers or os.cpu_count() or 1
        self.client: Any = None
        self.cluster: Any = None

    def start(self) -> None:
        """Connect to the scheduler, or start a LocalCluster."""
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise MissingExtra(
                "--engine dask needs dask: pip install 'bankbot-tools[dask]'"
            ) from None
        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            self.cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                dashboard_address=None,
                silence_logs=40,
            )
            self.client = Client(self.cluster)

    def stop(self) -> None:
        """Close the client, and the cluster if this run started it."""
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    def _frame(self, plan: Plan) -> Any:
        import dask.dataframe as dd

        schema = pq.read_schema(plan.files[0])
        names = list(plan.columns)
        empty = pa.schema([schema.field(plan.columns[c]).with_name(c) for c in names])
        meta = _frame_of(empty.empty_table().append_column(core.ROW, pa.array([], pa.int64())))
        return dd.from_map(
            functools.partial(_read_piece, names=plan.columns), plan.pieces, meta=meta
        )

    def duplicate_rows(self, plan: Plan) -> IntArray:
        """``value_counts`` over the ids, then the rows of the repeated ones."""
        frame = self._frame(plan)
        ids = frame["loan_id"].astype("string[pyarrow]")
        counts = ids.value_counts()
        repeated = counts[counts > 1].compute()
        names = [str(i) for i in repeated.index if i is not None and str(i)]
        if not names:
            return core.NO_DUPLICATES
        pairs = frame[ids.isin(names)][["loan_id", core.ROW]].compute()
        return core.duplicate_rows(
            [str(i) for i in pairs["loan_id"].astype("string[pyarrow]")],
            [int(r) for r in pairs[core.ROW]],
        )

    def rejects(self, plan: Plan, duplicates: IntArray) -> list[Reject]:
        """The validation pass, collected on the client."""
        meta = _frame_of(core.REJECTS_SCHEMA.empty_table())
        rejects = self._frame(plan).map_partitions(_rejects, duplicates, meta=meta).compute()
        return [
            Reject(int(row), str(loan_id), str(reason))
            for row, loan_id, reason in rejects.itertuples(index=False)
        ]

    def write(self, plan: Plan, duplicates: IntArray, output: core.Output, folder: Path) -> None:
        """The summary (or schedules) pass: each task writes its partition's file."""
        import pandas as pd

        folder.mkdir(parents=True)
        meta = pd.DataFrame({"rows": pd.Series([], dtype="int64")})
        frame = self._frame(plan)
        frame.map_partitions(_write, duplicates, output, str(folder), meta=meta).compute()
