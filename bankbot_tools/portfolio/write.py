"""The batch engine's output side: Arrow schemas and files, written atomically, and the manifest.

Every output (summary, schedules, rejects, manifest) is appended to a temporary file beside
its target, hashed on the way, and renamed into place with ``os.replace`` only when the run
completes, so no partial output ever appears under a final name. A background thread writes
one chunk while the next is computed. Money columns are exact ``decimal(18,2)`` over the
kernel's int64 cents. A CSV output whose name ends in ``.gz``, ``.bz2`` or ``.zst`` is
compressed; its SHA-256 is that of the compressed bytes.

CSV outputs are safe to open in a spreadsheet (OWASP "CSV Injection"): every text cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'``, so it is shown as text, not run as a formula. Parquet keeps the raw values.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bankbot_tools.fileio import (
    Format,
    HashingFile,
    atomic_path,
    compression_of,
    output_format,
    temp_beside,
)
from bankbot_tools.loans.schedule import Schedule
from bankbot_tools.portfolio import buffers
from bankbot_tools.portfolio.arrow import (
    REJECTS_SCHEMA,
    SCHEDULE_ENCODINGS,
    schedule_schema,
    schedule_table,
    summary_schema,
)
from bankbot_tools.portfolio.job import BatchJob, ChunkResult, Progress, Reject
from bankbot_tools.portfolio.manifest import manifest

#: Tables waiting for the writer thread at most: bounds the memory held by queued chunks.
_MAX_QUEUED = 2
#: What a spreadsheet takes for the start of a formula (OWASP "CSV Injection").
FORMULA_START = r"^[=+\-@\t\r]"
_QUOTE, _EMPTY = buffers.text("'"), buffers.text("")


def spreadsheet_safe(text: pa.Array) -> pa.Array:
    """Text cells with a ``'`` before a leading ``= + - @``, tab or CR (vectorized).

    >>> spreadsheet_safe(pa.array(["=1+2", "-5", "A-1", None])).to_pylist()
    ["'=1+2", "'-5", 'A-1', None]
    """
    formula = pc.match_substring_regex(text, FORMULA_START)
    return pc.if_else(formula, pc.binary_join_element_wise(_QUOTE, text, _EMPTY), text)


def spreadsheet_safe_table(table: pa.Table) -> pa.Table:
    """``table`` with :func:`spreadsheet_safe` applied to every text column."""
    for i, column in enumerate(table.schema):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            table = table.set_column(i, column, spreadsheet_safe(table.column(i)))
    return table


class _Writer:
    """Appends Arrow tables to a temporary file, hashing it as it goes.

    CSV text columns are made :func:`spreadsheet_safe`, except for schedules, whose
    ``loan_id`` the caller makes safe once per loan rather than once per month.
    """

    def __init__(
        self, temp: Path, schema: pa.Schema, fmt: Format, *, schedule: bool, codec: str | None
    ) -> None:
        self.temp = temp
        self.closed = False
        self.safe = fmt is Format.CSV and not schedule
        self.sink = HashingFile(temp)
        try:
            self.stream = self._compressed(self.sink, codec)
            self.writer = self._open(self.stream, schema, fmt, schedule=schedule)
        except BaseException:
            self.sink.close()
            raise

    @staticmethod
    def _compressed(sink: HashingFile, codec: str | None) -> pa.NativeFile:
        """The stream the rows are written to: ``sink`` itself, or compressing into it."""
        if codec == "gzip":
            # Arrow's gzip is level 9: twice the time of gzip's own default, 6, for 0.04%
            # less on schedules. mtime 0: the same rows give the same bytes.
            packed = gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=6, mtime=0)
            return pa.PythonFile(packed, mode="w")
        stream = pa.PythonFile(sink, mode="w")
        return stream if codec is None else pa.CompressedOutputStream(stream, codec)

    @staticmethod
    def _open(
        stream: pa.NativeFile, schema: pa.Schema, fmt: Format, *, schedule: bool
    ) -> pq.ParquetWriter | pacsv.CSVWriter:
        if fmt is Format.PARQUET:
            return pq.ParquetWriter(
                stream,
                schema,
                compression="snappy",
                use_dictionary=["loan_id"] if schedule else False,
                column_encoding=SCHEDULE_ENCODINGS if schedule else None,
                store_decimal_as_integer=True,
                write_statistics=False,
            )
        options = pacsv.WriteOptions(quoting_style="needed")
        return pacsv.CSVWriter(stream, schema, write_options=options)

    def write(self, table: pa.Table) -> None:
        """Append rows."""
        self.writer.write_table(spreadsheet_safe_table(table) if self.safe else table)

    def close(self) -> None:
        """Flush and close the temporary file (once)."""
        if not self.closed:
            self.closed = True
            try:
                self.writer.close()
                self.stream.close()
            finally:
                self.sink.close()

    def discard(self) -> None:
        """Close after a failure: the file is about to be removed, so errors do not matter."""
        with contextlib.suppress(pa.ArrowException, OSError):
            self.close()

    def sha256(self) -> str:
        """Hex SHA-256 of everything written (once closed)."""
        return self.sink.digest.hexdigest()


class Outputs:
    """The run's temporary files: written in a background thread, published at the end.

    Use it as a context manager: ``__enter__`` creates the temporary files and, if that
    fails part-way, removes the ones it made; ``__exit__`` removes what was not published.
    ``dated`` gives the schedules file a ``date`` column (the input has loan dates).
    """

    def __init__(self, job: BatchJob, *, dated: bool = False) -> None:
        self.job = job
        self.dated = dated
        self.summary_format = output_format(job.summary)
        self.schedule_format = self.summary_format
        if job.schedules is not None:
            self.schedule_format = output_format(job.schedules)
        self.rejects_target = job.rejects_path
        self.pending: list[Future[None]] = []
        self.temps: list[Path] = []
        self.schedules: _Writer | None = None
        self._cleanup = contextlib.ExitStack()

    def __enter__(self) -> Outputs:
        """Create the temporary files; on failure remove every one made so far."""
        with contextlib.ExitStack() as stack:
            stack.callback(self._remove_temps)
            schema = summary_schema(apr=self.job.apr)
            self.summary = self._writer(self.job.summary, schema, self.summary_format)
            stack.callback(self.summary.discard)
            if self.job.schedules is not None:
                schema = schedule_schema(self.schedule_format, dated=self.dated)
                self.schedules = self._writer(
                    self.job.schedules, schema, self.schedule_format, schedule=True
                )
                stack.callback(self.schedules.discard)
            self.rejects = self._writer(self.rejects_target, REJECTS_SCHEMA, Format.CSV)
            stack.callback(self.rejects.discard)
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-writer")
            stack.callback(self.pool.shutdown, wait=True)
            self._cleanup = stack.pop_all()
        return self

    def _temp(self, target: Path) -> Path:
        temp = temp_beside(target)
        self.temps.append(temp)
        return temp

    def _remove_temps(self) -> None:
        for temp in self.temps:
            temp.unlink(missing_ok=True)
        self.temps.clear()

    def _writer(
        self, target: Path, schema: pa.Schema, fmt: Format, *, schedule: bool = False
    ) -> _Writer:
        codec = compression_of(target)
        return _Writer(self._temp(target), schema, fmt, schedule=schedule, codec=codec)

    def write(self, result: ChunkResult) -> None:
        """Queue one chunk's summary rows and its rejects."""
        self._submit(self.summary, result.summary)
        if result.rejects:
            self._submit(self.rejects, _rejects_table(result.rejects))

    def write_schedule(self, ids: pa.Array, schedule: Schedule) -> None:
        """Queue one slice of kernel schedule rows of the loans ``ids``."""
        assert self.schedules is not None
        if self.schedule_format is Format.CSV:
            ids = spreadsheet_safe(ids)
        table = schedule_table(ids, schedule, self.schedule_format, dated=self.dated)
        self._submit(self.schedules, table)

    def _submit(self, writer: _Writer, table: pa.Table) -> None:
        """Hand a table to the writer thread; at most two wait, which bounds memory."""
        while len(self.pending) >= _MAX_QUEUED:
            self.pending.pop(0).result()
        self.pending.append(self.pool.submit(writer.write, table))

    def _drain(self) -> None:
        for future in self.pending:
            future.result()
        self.pending.clear()
        self.summary.close()
        if self.schedules is not None:
            self.schedules.close()
        self.rejects.close()

    def publish_rejects_only(self) -> None:
        """Close everything and publish just the rejects file."""
        self._drain()
        os.replace(self.rejects.temp, self.rejects_target)
        self.temps.remove(self.rejects.temp)

    def finish(self, progress: Progress, started: datetime, clock: float) -> dict[str, Any]:
        """Close the files, write the manifest, and rename everything into place."""
        self._drain()
        job = self.job
        outputs: dict[str, Path] = {"summary": job.summary, "rejects": job.rejects_path}
        temps: dict[str, Path] = {"summary": self.summary.temp, "rejects": self.rejects.temp}
        digests = {"summary": self.summary.sha256(), "rejects": self.rejects.sha256()}
        if self.schedules is not None and job.schedules is not None:
            outputs["schedules"] = job.schedules
            temps["schedules"] = self.schedules.temp
            digests["schedules"] = self.schedules.sha256()
        document = manifest(job, progress, outputs, digests, started, clock)
        manifest_temp = self._temp(job.manifest_path)
        manifest_temp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        for name, path in outputs.items():
            os.replace(temps[name], path)
            self.temps.remove(temps[name])
        os.replace(manifest_temp, job.manifest_path)
        self.temps.remove(manifest_temp)
        return document

    def __exit__(self, *exc: object) -> None:
        """Remove every temporary file that was not published."""
        for future in self.pending:
            future.cancel()
        self._cleanup.close()


def write_rejects_file(rejects: list[Reject], target: Path) -> str:
    """A whole rejects file at once, exactly as a run writes it (spreadsheet-safe CSV, compressed
    when the name asks), replacing ``target`` atomically; returns its SHA-256."""
    with atomic_path(target) as temp:
        writer = _Writer(
            temp, REJECTS_SCHEMA, Format.CSV, schedule=False, codec=compression_of(target)
        )
        try:
            writer.write(_rejects_table(rejects))
        finally:
            writer.close()
    return writer.sha256()


def _rejects_table(rejects: list[Reject]) -> pa.Table:
    """One chunk's rejects as rows of the rejects file."""
    columns = [
        buffers.array(np.array([r.row for r in rejects], dtype=np.int64)),
        buffers.strings([r.loan_id for r in rejects]),
        buffers.strings([r.reason for r in rejects]),
    ]
    return pa.Table.from_arrays(columns, schema=REJECTS_SCHEMA)
