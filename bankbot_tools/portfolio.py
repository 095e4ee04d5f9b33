"""The batch engine: chunked CSV/Parquet portfolios -> summaries, schedules, rejects.

A run streams the input in chunks of ``chunk_size`` rows, validates each chunk with
the loan rule table (:mod:`bankbot_tools.columns`), amortizes the good loans with the
integer-cents kernel (:func:`bankbot_tools.amortization.amortize_loans`) and appends
the results to temporary files beside the targets. Only a complete run renames them
into place, so no partial output ever appears under a final name. A background
thread writes one chunk while the next is computed.

Choices:

* ``row`` in the rejects file is the 1-based data row (the CSV header is not counted).
* A missing ``extra_payment`` column, or an empty cell in it, means no extra (0).
* The first row with a given ``loan_id`` claims the id, valid or not; later rows with
  the same id are rejected as duplicates.
* When ``max_rejects`` is exceeded the run stops at once: the rejects file (the rows
  seen so far) is published to explain why, the summary, schedules and manifest are not.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bankbot_tools import __version__, events
from bankbot_tools.amortization import (
    amortize_loans,
    annuity_payment,
    unamortizable,
    unamortizable_message,
)
from bankbot_tools.columns import Parsed, SeenIds, parse_column
from bankbot_tools.loan import ANNUAL_RATE, EXTRA, MONTHS, PRINCIPAL, FieldSpec, Violation
from bankbot_tools.money import IntArray

#: Input columns and the rule-table spec each one is parsed with.
FIELDS: dict[str, FieldSpec] = {
    "principal": PRINCIPAL,
    "annual_rate": ANNUAL_RATE,
    "term_months": MONTHS,
    "extra_payment": EXTRA,
}
REQUIRED = ("loan_id", "principal", "annual_rate", "term_months")
OPTIONAL = ("extra_payment",)
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
DEFAULT_CHUNK_SIZE = 65_536
#: With schedules, the kernel runs on slices of a chunk of at most this many loan-months,
#: and each slice's rows are handed to the writer at once: memory stays bounded by it.
#: Slices this small (24 MB of rows) are reused by malloc instead of being mapped and
#: page-faulted afresh each time, which halves the time of a schedules run.
SCHEDULE_SLICE_ROWS = 1 << 19
#: Schedule columns change slowly from row to row: delta encoding plus snappy is both
#: compact and fast to write; loan ids repeat, so they are dictionary-encoded.
_SCHEDULE_ENCODINGS = dict.fromkeys(
    ("month", "payment", "interest", "principal", "balance"), "DELTA_BINARY_PACKED"
)


class Format(StrEnum):
    """File formats of inputs and outputs."""

    CSV = "csv"
    PARQUET = "parquet"


class UnreadableInput(ValueError):
    """The input cannot be read at all (missing, not CSV/Parquet, missing columns)."""


class TooManyRejects(RuntimeError):
    """More rows were rejected than ``max_rejects`` allows."""


@dataclass(frozen=True)
class BatchJob:
    """What to read, where to write, and how.

    ``rejects`` and ``manifest`` default to files beside the summary:
    ``<summary stem>.rejects.csv`` and ``<summary stem>.manifest.json``.
    ``column_map`` maps an input column name (``principal``) to the file's name for it.
    """

    input: Path
    summary: Path
    schedules: Path | None = None
    rejects: Path | None = None
    manifest: Path | None = None
    chunk_size: int = DEFAULT_CHUNK_SIZE
    max_rejects: int | None = None
    input_format: Format | None = None
    column_map: Mapping[str, str] = field(default_factory=dict)

    @property
    def rejects_path(self) -> Path:
        """Where the rejects file goes."""
        return self.rejects or self.summary.with_name(f"{self.summary.stem}.rejects.csv")

    @property
    def manifest_path(self) -> Path:
        """Where the manifest goes."""
        return self.manifest or self.summary.with_name(f"{self.summary.stem}.manifest.json")


@dataclass
class Progress:
    """Running counts, handed to the progress callback after each chunk."""

    read: int = 0
    processed: int = 0
    rejected: int = 0
    chunks: int = 0


ProgressCallback = Callable[[Progress], None]


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


def run(job: BatchJob, on_chunk: ProgressCallback | None = None) -> dict[str, Any]:
    """Run a batch job and return its manifest (also written to ``job.manifest_path``).

    Raises :class:`UnreadableInput` (nothing written), :class:`TooManyRejects`
    (only the rejects file published) or ``ValueError`` for bad options.
    """
    if job.chunk_size < 1:
        raise ValueError("chunk size must be at least 1")
    started = datetime.now(UTC)
    clock = time.perf_counter()
    threading.Thread(target=_warm_up, name="batch-warm-up", daemon=True).start()
    targets = [job.summary, job.rejects_path, job.manifest_path]
    if job.schedules is not None:
        targets.append(job.schedules)
    if len({path.resolve() for path in targets}) < len(targets):
        raise ValueError("summary, schedules, rejects and manifest must be different files")
    for path in (job.summary, job.schedules):
        if path is not None:
            output_format(path)
    chunks = _read(job)
    progress = Progress()
    with _Outputs(job) as outputs:
        seen = SeenIds()
        for table in chunks:
            tick = time.perf_counter()
            sink = outputs.write_schedule if outputs.schedules is not None else None
            result = _process(table, progress.read + 1, seen, sink)
            outputs.write(result)
            progress.read += table.num_rows
            progress.processed += result.summary.num_rows
            progress.rejected += len(result.rejects)
            progress.chunks += 1
            seconds = time.perf_counter() - tick
            events.emit(
                "batch.chunk",
                source="batch",
                chunk=progress.chunks,
                rows=table.num_rows,
                processed=result.summary.num_rows,
                rejected=len(result.rejects),
                duration_ms=round(seconds * 1000, 3),
            )
            if on_chunk is not None:
                on_chunk(progress)
            if job.max_rejects is not None and progress.rejected > job.max_rejects:
                outputs.publish_rejects_only()
                raise TooManyRejects(
                    f"{progress.rejected} rows rejected, more than --max-rejects"
                    f" {job.max_rejects}; see {job.rejects_path}"
                )
        manifest = outputs.finish(progress, started, clock)
    return manifest


def _warm_up() -> None:
    """Load the compiled kernel (numba's cache) while the first chunk is read and parsed."""
    one = np.ones(1, dtype=np.int64)
    amortize_loans(one, one * 0, one, one * 0)


def _read(job: BatchJob) -> Iterator[pa.Table]:
    """Open the input and check its columns now; stream it in chunks later."""
    path = job.input
    if not path.is_file():
        raise UnreadableInput(f"input file not found: {path}")
    fmt = job.input_format or _input_format(path)
    names = {canonical: job.column_map.get(canonical, canonical) for canonical in FIELDS}
    names["loan_id"] = job.column_map.get("loan_id", "loan_id")
    unknown = set(job.column_map) - set(names)
    if unknown:
        raise ValueError(f"--map names unknown columns: {', '.join(sorted(unknown))}")
    if fmt is Format.PARQUET:
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as error:
            raise UnreadableInput(f"{path} is not a readable Parquet file: {error}") from None
        header = parquet.schema_arrow.names
    else:
        header = _csv_header(path)
    missing = [names[c] for c in REQUIRED if names[c] not in header]
    if missing:
        raise UnreadableInput(f"{path} lacks required column(s): {', '.join(missing)}")
    wanted = {c: names[c] for c in (*REQUIRED, *OPTIONAL) if names[c] in header}
    if fmt is Format.PARQUET:
        batches = parquet.iter_batches(batch_size=job.chunk_size, columns=list(wanted.values()))
    else:
        batches = _csv_batches(path, header, list(wanted.values()))
    return _chunks(path, batches, wanted, job.chunk_size)


def _input_format(path: Path) -> Format:
    try:
        return output_format(path)
    except ValueError:
        raise UnreadableInput(
            f"{path} is not a .csv or .parquet file (or pass --input-format)"
        ) from None


def _csv_header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, csv.Error) as error:
        raise UnreadableInput(f"{path} is not a readable CSV file: {error}") from None
    if not header:
        raise UnreadableInput(f"{path} is empty: no CSV header")
    return header


def _csv_batches(path: Path, header: list[str], columns: list[str]) -> Iterator[pa.RecordBatch]:
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=4 << 20),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), include_columns=columns
            ),
        )
    except pa.ArrowException as error:
        raise UnreadableInput(f"{path} is not a readable CSV file: {error}") from None
    yield from reader


def _chunks(
    path: Path, batches: Iterator[pa.RecordBatch], wanted: dict[str, str], size: int
) -> Iterator[pa.Table]:
    """Re-slice the reader's batches into tables of exactly ``size`` rows (the last fewer)."""
    pending: list[pa.RecordBatch] = []
    count = 0
    renamed = list(wanted)
    try:
        for batch in batches:
            batch = batch.select(list(wanted.values())).rename_columns(renamed)
            while batch.num_rows:
                take = min(size - count, batch.num_rows)
                pending.append(batch.slice(0, take))
                count += take
                batch = batch.slice(take)
                if count == size:
                    yield pa.Table.from_batches(pending)
                    pending, count = [], 0
    except pa.ArrowException as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UnreadableInput(f"cannot read {path}: {first_line}") from None
    if count:
        yield pa.Table.from_batches(pending)


@dataclass(frozen=True)
class ChunkResult:
    """One processed chunk: summary rows and rejects ``(row, loan_id, reason)``."""

    summary: pa.Table
    rejects: list[tuple[int, str, str]]


ScheduleSink = Callable[[dict[str, Any]], None]


def _process(
    table: pa.Table, first_row: int, seen: SeenIds, schedule_sink: ScheduleSink | None
) -> ChunkResult:
    """Validate and amortize one chunk; schedule slices go to ``schedule_sink`` as computed."""
    n = table.num_rows
    ids = table["loan_id"].combine_chunks().cast(pa.string())
    reasons: dict[int, list[str]] = {}
    for i in np.flatnonzero(seen.repeated(ids)).tolist():
        reasons[i] = ["duplicate loan_id" if ids[i].as_py() else "loan_id is required"]
    parsed: dict[str, Parsed] = {}
    for name, spec in FIELDS.items():
        if name in table.column_names:
            column = table[name].combine_chunks()
            parsed[name] = parse_column(spec, column)
            if name == "extra_payment":
                _blank_is_zero(parsed[name], column)
            label = "" if name == spec.name else f"{name}: "
            for i in np.flatnonzero(parsed[name].codes).tolist():
                reason = parsed[name].message(spec, column[i].as_py(), i)
                reasons.setdefault(i, []).append(label + reason)
        else:
            zeros = np.zeros(n, dtype=np.int64)
            parsed[name] = Parsed(zeros, zeros)
    good = np.ones(n, dtype=np.bool_)
    good[list(reasons)] = False
    keep = np.flatnonzero(good)
    principal, rate, months, extra = (parsed[name].units[keep] for name in FIELDS)
    stuck = np.flatnonzero(unamortizable(annuity_payment(principal, rate, months)))
    for j in stuck.tolist():
        reasons[int(keep[j])] = [unamortizable_message(int(principal[j]), int(months[j]))]
    if stuck.size:
        keep, principal, rate, months, extra = (
            np.delete(a, stuck) for a in (keep, principal, rate, months, extra)
        )
    kept_ids = ids.take(pa.array(keep))
    columns = _amortize(kept_ids, principal, rate, months, extra, schedule_sink)
    summary = pa.Table.from_arrays(
        [
            kept_ids,
            *(money(c) for c in columns[:5]),
            pa.array(columns[5].astype(np.int32)),
            money(columns[6]),
        ],
        schema=SUMMARY_SCHEMA,
    )
    rejects = [
        (first_row + i, ids[i].as_py() or "", "; ".join(reasons[i])) for i in sorted(reasons)
    ]
    return ChunkResult(summary, rejects)


def _amortize(
    ids: pa.Array,
    principal: IntArray,
    rate: IntArray,
    months: IntArray,
    extra: IntArray,
    schedule_sink: ScheduleSink | None,
) -> list[IntArray]:
    """Summary columns in schema order (after loan_id); schedules slice by slice to the sink."""
    bounds = [0, principal.size]
    if schedule_sink is not None:
        rows_before = np.cumsum(months) - months
        cuts = np.arange(SCHEDULE_SLICE_ROWS, int(months.sum()), SCHEDULE_SLICE_ROWS)
        bounds = sorted({0, principal.size, *np.searchsorted(rows_before, cuts).tolist()})
    parts: list[list[IntArray]] = []
    for lo, hi in itertools.pairwise(bounds):
        result = amortize_loans(
            principal[lo:hi],
            rate[lo:hi],
            months[lo:hi],
            extra[lo:hi],
            with_schedule=schedule_sink is not None,
        )
        if schedule_sink is not None and result.schedule is not None:
            schedule_sink({"ids": ids[lo:hi], **result.schedule})
        parts.append(
            [
                result.monthly_payment,
                extra[lo:hi],
                result.last_payment,
                result.total_interest,
                result.total_paid,
                result.payoff_month,
                result.interest_saved,
            ]
        )
    if not parts:
        return [np.zeros(0, dtype=np.int64)] * 7
    return [np.concatenate(column) for column in zip(*parts, strict=True)]


def _blank_is_zero(parsed: Parsed, column: pa.Array) -> None:
    """An empty extra_payment cell means no extra: code OK, units 0."""
    blank = np.flatnonzero(parsed.codes == Violation.MISSING)
    parsed.codes[blank] = Violation.OK
    parsed.units[blank] = 0


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
        stream = pa.PythonFile(self.sink, mode="w")
        self.writer: pq.ParquetWriter | pacsv.CSVWriter
        if fmt is Format.PARQUET:
            self.writer = pq.ParquetWriter(
                stream,
                schema,
                compression="snappy",
                use_dictionary=["loan_id"] if schedule else False,
                column_encoding=_SCHEDULE_ENCODINGS if schedule else None,
                store_decimal_as_integer=True,
                write_statistics=False,
            )
        else:
            options = pacsv.WriteOptions(quoting_style="needed")
            self.writer = pacsv.CSVWriter(stream, schema, write_options=options)

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

    def sha256(self) -> str:
        """Hex SHA-256 of everything written (once closed)."""
        return self.sink.digest.hexdigest()


class _Outputs:
    """The run's temporary files: written in a background thread, published at the end."""

    def __init__(self, job: BatchJob) -> None:
        self.job = job
        self.summary_format = output_format(job.summary)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-writer")
        self.pending: list[Future[None]] = []
        self.temps: list[Path] = []
        self.summary = self._writer(job.summary, SUMMARY_SCHEMA, self.summary_format, False)
        self.schedules: _Writer | None = None
        if job.schedules is not None:
            fmt = output_format(job.schedules)
            self.schedule_format = fmt
            self.schedules = self._writer(job.schedules, schedule_schema(fmt), fmt, True)
        self.rejects_target = job.rejects_path
        self.rejects_temp = self._temp(self.rejects_target)
        self.rejects_file = self.rejects_temp.open("w", newline="", encoding="utf-8")
        self.rejects = csv.writer(self.rejects_file, lineterminator="\n")
        self.rejects.writerow(["row", "loan_id", "reason"])

    def _temp(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
        temp.touch(exist_ok=False)
        self.temps.append(temp)
        return temp

    def _writer(self, target: Path, schema: pa.Schema, fmt: Format, schedule: bool) -> _Writer:
        return _Writer(self._temp(target), schema, fmt, schedule=schedule)

    def __enter__(self) -> _Outputs:
        return self

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
        digests = {"summary": self.summary.sha256(), "rejects": sha256(self.rejects_temp)}
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
        self.pool.shutdown(wait=True)
        for writer in (self.summary, self.schedules):
            if writer is not None:
                with contextlib.suppress(pa.ArrowException, OSError):
                    writer.close()
        self.rejects_file.close()
        for temp in self.temps:
            temp.unlink(missing_ok=True)
