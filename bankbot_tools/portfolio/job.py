"""What a batch run is: the job, its running counts, one chunk's result, and its errors.

Choices:

* ``row`` in the rejects file is the 1-based data row (the CSV header is not counted).
* A missing ``extra_payment`` column, or an empty cell in it, means no extra (0).
* The first row with a given ``loan_id`` claims the id, valid or not; later rows with
  the same id are rejected as duplicates.
* When ``max_rejects`` is exceeded the run stops at once: the rejects file (the rows
  seen so far) is published to explain why, the summary, schedules and manifest are not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bankbot_tools.fileio import Format, base_name

if TYPE_CHECKING:
    import pyarrow as pa

#: Rows per chunk: big enough to amortize vectorized, small enough to bound memory.
DEFAULT_CHUNK_SIZE = 65_536


class UnreadableInput(ValueError):
    """The input cannot be read at all (missing, not CSV/Parquet, not UTF-8, missing columns)."""


class TooManyRejects(RuntimeError):
    """More rows were rejected than ``max_rejects`` allows."""


@dataclass(frozen=True)
class BatchJob:
    """What to read, where to write, and how.

    ``rejects`` and ``manifest`` default to files beside the summary:
    ``<summary name>.rejects.csv`` and ``<summary name>.manifest.json``, where the name has
    no format or compression extension (``summary`` of ``summary.csv.gz``).
    ``column_map`` maps an input column name (``principal``) to the file's name for it.
    A CSV input is UTF-8 (with or without a byte-order mark) unless ``encoding`` names
    another Python codec, and ``delimiter``-separated. With ``apr`` the summary carries
    each loan's Regulation Z APR in percent (``apr_percent``).
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
    encoding: str | None = None
    delimiter: str = ","
    apr: bool = False

    @property
    def rejects_path(self) -> Path:
        """Where the rejects file goes."""
        return self.rejects or self.summary.with_name(f"{base_name(self.summary)}.rejects.csv")

    @property
    def manifest_path(self) -> Path:
        """Where the manifest goes."""
        return self.manifest or self.summary.with_name(f"{base_name(self.summary)}.manifest.json")


@dataclass
class Progress:
    """Running counts, handed to the progress callback after each chunk."""

    read: int = 0
    processed: int = 0
    rejected: int = 0
    chunks: int = 0


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class Reject:
    """A row that was not processed: its 1-based data row, its loan_id and why."""

    row: int
    loan_id: str
    reason: str


@dataclass(frozen=True)
class ChunkResult:
    """One processed chunk: its summary rows (Arrow) and its rejects."""

    summary: pa.Table
    rejects: list[Reject]
