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
import errno
import hashlib
import io
import json
import os
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bankbot_tools import __version__
from bankbot_tools.money import IntArray

if TYPE_CHECKING:
    from bankbot_tools.portfolio import BatchJob, ChunkResult, Progress

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
SCHEDULE_MONEY = ("payment", "interest", "principal", "balance")
#: Schedule columns change slowly from row to row: delta encoding plus snappy is both
#: compact and fast to write; loan ids repeat, so they are dictionary-encoded.
_SCHEDULE_ENCODINGS = dict.fromkeys(
    ("month", "payment", "interest", "principal", "balance"), "DELTA_BINARY_PACKED"
)


class Format(StrEnum):
    """File formats of inputs and outputs."""

    CSV = "csv"
    PARQUET = "parquet"


def output_format(path: Path) -> Format:
    """The format of an output file, from its extension.

    >>> output_format(Path("out/summary.parquet")), output_format(Path("s.csv"))
    (<Format.PARQUET: 'parquet'>, <Format.CSV: 'csv'>)
    """
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return Format.PARQUET
    if suffix == ".csv":
        return Format.CSV
    raise ValueError(f"cannot tell the format of {path}: use a .csv or .parquet name")


def make_parent(target: Path) -> None:
    """Create the folder of ``target``; a file in the way is an error naming that file.

    (``mkdir`` alone would say "File exists", which does not tell what is wrong.)
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as error:
        reason = os.strerror(errno.ENOTDIR)
        raise NotADirectoryError(errno.ENOTDIR, reason, error.filename) from None


def temp_beside(target: Path) -> Path:
    """Create an empty, uniquely named hidden temporary file in ``target``'s folder.

    Beside the target, so that ``os.replace`` onto it is a rename within one file system.
    """
    make_parent(target)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    temp.touch(exist_ok=False)
    return temp


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces ``target`` only if the block succeeds.

    Readers see the old file or the whole new one, never a part; on an error the
    temporary file is removed and ``target`` is left as it was.
    """
    temp = temp_beside(target)
    try:
        yield temp
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def atomic_write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``target`` whole or not at all."""
    with atomic_path(target) as temp:
        temp.write_text(text, encoding="utf-8", newline="\n")


def money(cents: IntArray) -> pa.Array:
    """Integer cents as an exact ``decimal(18,2)`` Arrow array, sharing their memory.

    >>> money(np.array([123456, -5])).to_pylist()
    [Decimal('1234.56'), Decimal('-0.05')]
    """
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    return pa.Array.from_buffers(MONEY, cents.size, [None, pa.py_buffer(cents)])


def schedule_table(schedule: dict[str, Any], fmt: Format) -> pa.Table:
    """Schedule columns of one chunk as an Arrow table (loan ids dictionary-encoded in Parquet)."""
    loan = pa.array(schedule["loan"].astype(np.int32))
    ids = schedule["ids"]
    loan_id = pa.DictionaryArray.from_arrays(loan, ids) if fmt is Format.PARQUET else ids.take(loan)
    columns = {
        "loan_id": loan_id,
        "month": pa.array(schedule["month"].astype(np.int16)),
        **{name: money(schedule[name]) for name in SCHEDULE_MONEY},
    }
    return pa.table(columns)


def schedule_schema(fmt: Format) -> pa.Schema:
    """The schedules file's schema."""
    loan_id = pa.dictionary(pa.int32(), pa.string()) if fmt is Format.PARQUET else pa.string()
    return pa.schema(
        [("loan_id", loan_id), ("month", pa.int16())] + [(n, MONEY) for n in SCHEDULE_MONEY]
    )


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _HashingFile(io.RawIOBase):
    """A write-only file that hashes its bytes on the way, so no second read is needed."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.file = path.open("wb")
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        """Yes."""
        return True

    def write(self, data: Any) -> int:
        """Hash and write a block of bytes."""
        view = memoryview(data)
        self.digest.update(view)
        return self.file.write(view)

    def close(self) -> None:
        """Close the underlying file."""
        self.file.close()
        super().close()


class _Writer:
    """Appends Arrow tables to a temporary file, hashing it as it goes."""

    def __init__(self, temp: Path, schema: pa.Schema, fmt: Format, *, schedule: bool) -> None:
        self.temp = temp
        self.closed = False
        self.sink = _HashingFile(temp)
        try:
            self.writer = self._open(self.sink, schema, fmt, schedule=schedule)
        except BaseException:
            self.sink.close()
            raise

    @staticmethod
    def _open(
        sink: _HashingFile, schema: pa.Schema, fmt: Format, *, schedule: bool
    ) -> pq.ParquetWriter | pacsv.CSVWriter:
        stream = pa.PythonFile(sink, mode="w")
        if fmt is Format.PARQUET:
            return pq.ParquetWriter(
                stream,
                schema,
                compression="snappy",
                use_dictionary=["loan_id"] if schedule else False,
                column_encoding=_SCHEDULE_ENCODINGS if schedule else None,
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
            self.rejects_sink = _HashingFile(self.rejects_temp)
            self.rejects_file = stack.enter_context(
                io.TextIOWrapper(io.BufferedWriter(self.rejects_sink), "utf-8", newline="")
            )
            self.rejects = csv.writer(self.rejects_file, lineterminator="\n")
            self.rejects.writerow(["row", "loan_id", "reason"])
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
        self.rejects.writerows(result.rejects)
        self._submit(self.summary, result.summary)

    def write_schedule(self, schedule: dict[str, Any]) -> None:
        """Queue one slice of schedule rows."""
        assert self.schedules is not None
        self._submit(self.schedules, schedule_table(schedule, self.schedule_format))

    def _submit(self, writer: _Writer, table: pa.Table) -> None:
        """Hand a table to the writer thread; at most two wait, which bounds memory."""
        while len(self.pending) >= 2:
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
        finished = datetime.now(UTC)
        manifest: dict[str, Any] = {
            "version": __version__,
            "input": {"path": str(job.input), "sha256": sha256(job.input)},
            "counts": {
                "read": progress.read,
                "processed": progress.processed,
                "rejected": progress.rejected,
            },
            "outputs": {
                name: {"path": str(path), "sha256": digests[name]} for name, path in outputs.items()
            },
            "chunk_size": job.chunk_size,
            "chunks": progress.chunks,
            "started": started.isoformat(timespec="milliseconds"),
            "finished": finished.isoformat(timespec="milliseconds"),
            "duration_s": round(time.perf_counter() - clock, 3),
        }
        manifest_temp = self._temp(job.manifest_path)
        manifest_temp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        for name, path in outputs.items():
            os.replace(temps[name], path)
            self.temps.remove(temps[name])
        os.replace(manifest_temp, job.manifest_path)
        self.temps.remove(manifest_temp)
        return manifest

    def __exit__(self, *exc: object) -> None:
        """Remove every temporary file that was not published."""
        for future in self.pending:
            future.cancel()
        self._cleanup.close()
