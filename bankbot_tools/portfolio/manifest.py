"""The run manifest: what was read, what was written (with SHA-256), counts and timing."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bankbot_tools import __version__
from bankbot_tools.fileio import sha256
from bankbot_tools.portfolio.job import BatchJob, Progress


def manifest(
    job: BatchJob,
    progress: Progress,
    outputs: dict[str, Path],
    digests: dict[str, str],
    started: datetime,
    clock: float,
) -> dict[str, Any]:
    """The manifest document of a finished run; ``clock`` is its ``time.perf_counter()`` start."""
    finished = datetime.now(UTC)
    return {
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
