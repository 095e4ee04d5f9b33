"""Running a batch job: read chunks, process each, write outputs, publish them at the end.

A worker thread reads and validates chunk k+1 while the main thread amortizes chunk k
(whose month loop runs in the kernel's threads); events, progress and outputs stay on
the main thread, in chunk order.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa

from bankbot_tools import events
from bankbot_tools.fileio import output_format
from bankbot_tools.loans.kernel import amortize_loans
from bankbot_tools.portfolio import buffers
from bankbot_tools.portfolio.dedupe import SeenIds
from bankbot_tools.portfolio.job import BatchJob, Progress, ProgressCallback, TooManyRejects
from bankbot_tools.portfolio.process import Validated, amortize, validate_chunk
from bankbot_tools.portfolio.read import open_chunks
from bankbot_tools.portfolio.write import Outputs

#: The ``command`` of a batch run's events, as the CLI names it.
COMMAND = "batch run"
#: The next chunk, being read, then validated (None once the input is exhausted).
_Ahead = tuple[Future[pa.Table | None], Future[Validated | None]]


def run(job: BatchJob, on_chunk: ProgressCallback | None = None) -> dict[str, Any]:
    """Run a batch job and return its manifest (also written to ``job.manifest_path``).

    Emits one ``batch.chunk`` event per chunk and one ``batch.run`` event at the end.
    Raises :class:`UnreadableInput` (nothing written), :class:`TooManyRejects`
    (only the rejects file published) or ``ValueError`` for bad options.
    """
    if job.chunk_size < 1:
        raise ValueError("chunk size must be at least 1")
    progress = Progress()
    with events.invocation("batch.run", source="batch", command=COMMAND) as facts:
        try:
            return _run(job, progress, on_chunk)
        finally:
            facts.update(
                rows=progress.read,
                processed=progress.processed,
                rejected=progress.rejected,
                chunks=progress.chunks,
            )


def _run(job: BatchJob, progress: Progress, on_chunk: ProgressCallback | None) -> dict[str, Any]:
    started = datetime.now(UTC)
    clock = time.perf_counter()
    threading.Thread(target=warm_up, name="batch-warm-up", daemon=True).start()
    targets = [job.summary, job.rejects_path, job.manifest_path]
    if job.schedules is not None:
        targets.append(job.schedules)
    if len({path.resolve() for path in targets}) < len(targets):
        raise ValueError("summary, schedules, rejects and manifest must be different files")
    for path in (job.summary, job.schedules):
        if path is not None:
            output_format(path)
    chunks = open_chunks(job)
    tables = iter(chunks.tables)
    with (
        Outputs(job, dated=chunks.dated) as outputs,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-validate") as ahead,
    ):
        seen = SeenIds(expected=chunks.rows or 0)  # no regrowing when the rows are known
        sink = outputs.write_schedule if outputs.schedules is not None else None

        def validate_next(first_row: int) -> _Ahead:
            # One worker: chunks are read and validated in order (the dedupe needs it).
            reading = ahead.submit(next, tables, None)
            return reading, ahead.submit(_validate, reading, first_row, seen, job.apr)

        reading, validating = validate_next(1)
        while (table := reading.result()) is not None:
            with events.invocation(
                "batch.chunk", source="batch", command=COMMAND, chunk=progress.chunks + 1
            ) as facts:
                validated = validating.result()
                assert validated is not None  # a table was read
                # The next chunk is validated while this one is amortized.
                reading, validating = validate_next(progress.read + table.num_rows + 1)
                result = amortize(validated, sink)
                outputs.write(result)
                facts.update(
                    rows=table.num_rows,
                    processed=result.summary.num_rows,
                    rejected=len(result.rejects),
                )
            progress.read += table.num_rows
            progress.processed += result.summary.num_rows
            progress.rejected += len(result.rejects)
            progress.chunks += 1
            if on_chunk is not None:
                on_chunk(progress)
            if job.max_rejects is not None and progress.rejected > job.max_rejects:
                outputs.publish_rejects_only()
                raise TooManyRejects(
                    f"{progress.rejected} rows rejected, more than --max-rejects"
                    f" {job.max_rejects}; see {job.rejects_path}"
                )
        return outputs.finish(progress, started, clock)


def _validate(
    reading: Future[pa.Table | None], first_row: int, seen: SeenIds, with_apr: bool
) -> Validated | None:
    """The chunk just read, validated; None after the last chunk."""
    table = reading.result()
    return None if table is None else validate_chunk(table, first_row, seen, with_apr=with_apr)


#: Enough loans for the kernel to take its compiled path (plain Python below 64).
_WARM_UP_LOANS = 128


def warm_up() -> None:
    """Load the compiled loops (numba's cache; compile them if absent) with tiny runs.

    The batch engine calls it in a thread while the first chunk is read and parsed; the
    container image calls it at build time so that its first run does not compile.
    A dispatcher alone loads nothing: only a call with the real argument types does.
    """
    SeenIds().repeated(buffers.strings(["warm-up", "warm-up"]))
    one = np.ones(_WARM_UP_LOANS, dtype=np.int64)
    amortize_loans(one * 10_000_000, one * 65_000, one * 360, one * 100, with_schedule=True)


def compile_ahead_of_time() -> list[tuple[str, str]]:
    """Load or compile the batch loops (:func:`warm_up`), then build their ahead-of-time
    modules, so later runs load them without importing numba.

    Returns ``(loop, outcome)`` pairs, as :func:`bankbot_tools.compiled.build_ahead_of_time`.
    """
    from bankbot_tools.compiled import build_ahead_of_time

    warm_up()
    return build_ahead_of_time()
