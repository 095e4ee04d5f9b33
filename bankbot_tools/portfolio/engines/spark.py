"""Apache Spark engine: the pure Arrow core inside ``DataFrame.mapInArrow``.

Spark reads the Parquet input itself; each row's number is its file's offset (from the
footers, :mod:`.plan`) plus Spark's ``_metadata.row_index``. Dedupe is one aggregation
over the ids (``groupBy(loan_id)`` having more than one row); the duplicate rows, rare by
nature, travel to the tasks with the function. The rejects are a validation-only pass
collected on the driver; the summary (or schedules) is a second pass written by Spark,
one file per partition, into a temporary directory that the driver renames into place.

Without ``--master`` the session takes its master from ``spark-submit`` (or the
``spark.master`` setting), else ``local[*]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from bankbot_tools.money import IntArray
from bankbot_tools.portfolio.engines import core
from bankbot_tools.portfolio.engines.plan import Plan
from bankbot_tools.portfolio.engines.runner import MissingExtra
from bankbot_tools.portfolio.job import Reject

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def _ddl(schema: pa.Schema) -> str:
    """A Spark DDL string for the core's output schemas."""
    names = {
        pa.string(): "string",
        pa.int64(): "bigint",
        pa.int32(): "int",
        pa.int16(): "smallint",
        pa.date32(): "date",
    }
    parts = []
    for field in schema:
        kind = (
            f"decimal({field.type.precision},{field.type.scale})"
            if pa.types.is_decimal(field.type)
            else names[field.type]
        )
        parts.append(f"`{field.name}` {kind}")
    return ", ".join(parts)


def _mapper(
    function: Callable[[pa.RecordBatch, IntArray], pa.RecordBatch], duplicates: IntArray
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield function(batch, duplicates)

    return apply


class SparkEngine:
    """Runs the core on a Spark cluster (or ``local[N]``)."""

    name = "spark"

    def __init__(self, master: str | None = None) -> None:
        self.master = master
        self.spark: SparkSession | None = None
        self._owned = False

    def start(self) -> None:
        """Get (or create) the Spark session."""
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise MissingExtra(
                "--engine spark needs pyspark: pip install 'bankbot-tools[spark]'"
            ) from None
        self._owned = SparkSession.getActiveSession() is None
        builder = SparkSession.builder.appName("bankbot batch run")
        if self.master:
            builder = builder.master(self.master)
        self.spark = builder.getOrCreate()
        self.spark.conf.set("spark.sql.execution.arrow.useLargeVarTypes", "false")

    def stop(self) -> None:
        """Stop the session if this run created it."""
        if self.spark is not None and self._owned:
            self.spark.stop()
        self.spark = None

    def _frame(self, plan: Plan) -> DataFrame:
        from pyspark.sql import functions as F

        assert self.spark is not None
        frame = self.spark.read.parquet(*plan.files)
        pairs: list[Any] = []
        for path, first in plan.offsets().items():  # the spellings of _metadata.file_path
            for uri in {Path(path).as_uri(), f"file:{path}", path}:
                pairs += [F.lit(uri), F.lit(first)]
        offset = F.create_map(*pairs)[F.col("_metadata.file_path")]
        columns = [F.col(f"`{name}`").alias(canonical) for canonical, name in plan.columns.items()]
        row = (offset + F.col("_metadata.row_index") + 1).cast("bigint").alias(core.ROW)
        return frame.select(*columns, row)

    def duplicate_rows(self, plan: Plan) -> IntArray:
        """One aggregation over the ids: rows of ids seen more than once."""
        from pyspark.sql import functions as F

        ids = self._frame(plan).select(F.col("loan_id").cast("string").alias("id"), core.ROW)
        repeated = (
            ids.where(F.length("id") > 0)
            .groupBy("id")
            .agg(F.count("*").alias("n"), F.collect_list(core.ROW).alias("rows"))
            .where("n > 1")
            .collect()
        )
        names = [r["id"] for r in repeated for _ in r["rows"]]
        rows = [int(x) for r in repeated for x in r["rows"]]
        return core.duplicate_rows(names, rows)

    def rejects(self, plan: Plan, duplicates: IntArray) -> list[Reject]:
        """The validation pass, collected on the driver."""
        frame = self._frame(plan).mapInArrow(
            _mapper(core.rejects_of, duplicates), _ddl(core.REJECTS_SCHEMA)
        )
        return [Reject(int(r[0]), r[1], r[2]) for r in frame.collect()]

    def write(self, plan: Plan, duplicates: IntArray, output: core.Output, folder: Path) -> None:
        """The summary (or schedules) pass, written by Spark: one file per partition."""
        frame = self._frame(plan).mapInArrow(_mapper(output, duplicates), _ddl(output.schema))
        frame.write.mode("errorifexists").parquet(folder.resolve().as_uri())
