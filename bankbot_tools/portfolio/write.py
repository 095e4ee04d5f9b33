"""The batch engine's output side: Arrow schemas and files, written atomically, and the manifest.

Every output (summary, schedules, rejects, manifest) is appended to a temporary file beside
its target, hashed on the way, and renamed into place with ``os.replace`` only when the run
completes, so no partial output ever appears under a final name. A background thread writes
one chunk while the next is computed. Money columns are exact ``decimal(18,2)`` over the
kernel's int64 cents.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bankbot_tools.fileio import Format, HashingFile, output_format, temp_beside
from bankbot_tools.loans.schedule import Schedule
from bankbot_tools.portfolio.arrow import (
    SCHEDULE_ENCODINGS,
    SUMMARY_SCHEMA,
    schedule_schema,
    schedule_table,
)
from bankbot_tools.portfolio.job import BatchJob, ChunkResult, Progress
from bankbot_tools.portfolio.manifest import manifest

#: Tables waiting for the writer thread at most: bounds the memory held by queued chunks.
_MAX_QUEUED = 2
#: The rejects file's header.
REJECTS_HEADER = ("row", "loan_id", "reason")


class _Writer:
    """Appends Arrow tables to a temporary file, hashing it as it goes."""

    def __init__(self, temp: Path, schema: pa.Schema, fmt: Format, *, schedule: bool) -> None:
        self.temp = temp
        self.closed = False
        self.sink = HashingFile(temp)
        try:
            self.writer = self._open(self.sink, schema, fmt, schedule=schedule)
        except BaseException:
            self.sink.close()
            raise

    @staticmethod
    def _open(
        sink: HashingFile, schema: pa.Schema, fmt: Format, *, schedule: bool
    ) -> pq.ParquetWriter | pacsv.CSVWriter:
        stream = pa.PythonFile(sink, mode="w")
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
        self.writer.write_table(table)

    def close(self) -> None:
        """Flush and close the temporary file (once)."""
        if not self.closed:
            self.closed = True
            try:
                self.writer.close()
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
    """

    def __init__(self, job: BatchJob) -> None:
        self.job = job
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
            self.summary = self._writer(self.job.summary, SUMMARY_SCHEMA, self.summary_format)
            stack.callback(self.summary.discard)
            if self.job.schedules is not None:
                schema = schedule_schema(self.schedule_format)
                self.schedules = self._writer(
                    self.job.schedules, schema, self.schedule_format, schedule=True
                )
                stack.callback(self.schedules.discard)
            self.rejects_temp = self._temp(self.rejects_target)
            self.rejects_sink = HashingFile(self.rejects_temp)
            self.rejects_file = stack.enter_context(
                io.TextIOWrapper(io.BufferedWriter(self.rejects_sink), "utf-8", newline="")
            )
            self.rejects = csv.writer(self.rejects_file, lineterminator="\n")
            self.rejects.writerow(REJECTS_HEADER)
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
        return _Writer(self._temp(target), schema, fmt, schedule=schedule)

    def write(self, result: ChunkResult) -> None:
        """Queue one chunk's summary rows and write its rejects."""
        self.rejects.writerows((r.row, r.loan_id, r.reason) for r in result.rejects)
        self._submit(self.summary, result.summary)

    def write_schedule(self, ids: pa.Array, schedule: Schedule) -> None:
        """Queue one slice of kernel schedule rows of the loans ``ids``."""
        assert self.schedules is not None
        self._submit(self.schedules, schedule_table(ids, schedule, self.schedule_format))

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
        self.rejects_file.close()

    def publish_rejects_only(self) -> None:
        """Close everything and publish just the rejects file."""
        self._drain()
        os.replace(self.rejects_temp, self.rejects_target)
        self.temps.remove(self.rejects_temp)

    def finish(self, progress: Progress, started: datetime, clock: float) -> dict[str, Any]:
        """Close the files, write the manifest, and rename everything into place."""
        self._drain()
        job = self.job
        outputs: dict[str, Path] = {"summary": job.summary, "rejects": job.rejects_path}
        temps: dict[str, Path] = {"summary": self.summary.temp, "rejects": self.rejects_temp}
        digests = {
            "summary": self.summary.sha256(),
            "rejects": self.rejects_sink.digest.hexdigest(),
        }
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
