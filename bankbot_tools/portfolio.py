"""The batch engine: chunked CSV/Parquet portfolios -> summaries, schedules, rejects.

A run streams the input in chunks of ``chunk_size`` rows, validates each chunk with
the loan rule table (:mod:`bankbot_tools.columns`), amortizes the good loans with the
integer-cents kernel (:func:`bankbot_tools.amortization.amortize_loans`) and hands
the results to :class:`bankbot_tools.outputs.Outputs`, which writes them to temporary
files in a background thread and renames them into place only when the run completes.

Choices:

* ``row`` in the rejects file is the 1-based data row (the CSV header is not counted).
* A missing ``extra_payment`` column, or an empty cell in it, means no extra (0).
* The first row with a given ``loan_id`` claims the id, valid or not; later rows with
  the same id are rejected as duplicates.
* When ``max_rejects`` is exceeded the run stops at once: the rejects file (the rows
  seen so far) is published to explain why, the summary, schedules and manifest are not.
"""

from __future__ import annotations

import csv
import itertools
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bankbot_tools import events
from bankbot_tools.amortization import (
    amortize_loans,
    annuity_payment,
    unamortizable,
    unamortizable_message,
)
from bankbot_tools.columns import Parsed, SeenIds, parse_column
from bankbot_tools.loan import ANNUAL_RATE, EXTRA, MONTHS, PRINCIPAL, FieldSpec, Violation
from bankbot_tools.money import IntArray
from bankbot_tools.outputs import SUMMARY_SCHEMA, Format, Outputs, money, output_format

#: Input columns and the rule-table spec each one is parsed with.
FIELDS: dict[str, FieldSpec] = {
    "principal": PRINCIPAL,
    "annual_rate": ANNUAL_RATE,
    "term_months": MONTHS,
    "extra_payment": EXTRA,
}
REQUIRED = ("loan_id", "principal", "annual_rate", "term_months")
OPTIONAL = ("extra_payment",)
DEFAULT_CHUNK_SIZE = 65_536
#: With schedules, the kernel runs on slices of a chunk of at most this many loan-months,
#: and each slice's rows are handed to the writer at once: memory stays bounded by it.
#: Slices this small (24 MB of rows) are reused by malloc instead of being mapped and
#: page-faulted afresh each time, which halves the time of a schedules run.
SCHEDULE_SLICE_ROWS = 1 << 19


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
    with Outputs(job) as outputs:
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
    if path.is_dir():
        raise UnreadableInput(f"input is a directory, not a portfolio file: {path}")
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
