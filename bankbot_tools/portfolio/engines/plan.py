"""What a distributed run reads and writes: input files in order, row numbers, outputs.

Row numbers are defined across files: the files in path order, each file's rows in
row-group order, numbered from 1. Only Parquet footers are read here (on the driver),
so planning costs the same for a thousand rows or a billion.

Outputs are Parquet dataset directories: the engine writes one file per partition into a
hidden temporary directory beside the target, marks it complete with ``_SUCCESS``, and
renames it into place, so a dataset appears whole or not at all.
"""

from __future__ import annotations

import glob
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bankbot_tools import __version__
from bankbot_tools.fileio import hidden_beside, make_parent
from bankbot_tools.portfolio.job import BatchJob, UnreadableInput
from bankbot_tools.portfolio.read import OPTIONAL, REQUIRED, has_dates


@dataclass(frozen=True)
class Piece:
    """One Parquet row group and the row number of its first row."""

    path: str
    row_group: int
    first_row: int
    rows: int


@dataclass(frozen=True)
class Plan:
    """The input files in order, their row groups, and the column names to read."""

    files: list[str]
    pieces: list[Piece]
    #: canonical column name -> the file's column name, for the columns present.
    columns: dict[str, str]

    @property
    def rows(self) -> int:
        """Rows in the whole input."""
        return sum(piece.rows for piece in self.pieces)

    @property
    def dated(self) -> bool:
        """Whether the input gives loan dates, so that schedules carry a ``date`` column."""
        return has_dates(self.columns)

    def offsets(self) -> dict[str, int]:
        """Each file's row number before its first row."""
        first: dict[str, int] = {}
        for piece in self.pieces:
            first.setdefault(piece.path, piece.first_row - 1)
        return first


def input_files(source: Path) -> list[str]:
    """A Parquet file, a directory of them (recursively), or a glob -> sorted absolute paths."""
    text = str(source)
    if any(ch in text for ch in "*?["):
        found = [Path(p) for p in glob.glob(text, recursive=True)]
    elif source.is_dir():
        found = list(source.rglob("*.parquet"))
    elif source.is_file():
        found = [source]
    else:
        raise UnreadableInput(f"input not found: {source}")
    files = sorted(
        str(p.resolve())
        for p in found
        if p.is_file() and not any(part.startswith(("_", ".")) for part in p.parts[-1:])
    )
    if not files:
        raise UnreadableInput(f"no Parquet files in {source}")
    return files


def plan(job: BatchJob) -> Plan:
    """Read the footers: check the columns, number the rows of every row group."""
    files = input_files(job.input)
    names = {c: job.column_map.get(c, c) for c in (*REQUIRED, *OPTIONAL)}
    unknown = set(job.column_map) - set(names)
    if unknown:
        raise ValueError(f"--map names unknown columns: {', '.join(sorted(unknown))}")
    pieces: list[Piece] = []
    header: list[str] | None = None
    row = 1
    for path in files:
        try:
            metadata = pq.ParquetFile(path).metadata
        except (pa.ArrowException, OSError) as error:
            raise UnreadableInput(f"{path} is not a readable Parquet file: {error}") from None
        names_here = metadata.schema.to_arrow_schema().names
        if header is None:
            header = names_here
        missing = [names[c] for c in REQUIRED if names[c] not in names_here]
        if missing:
            raise UnreadableInput(f"{path} lacks required column(s): {', '.join(missing)}")
        for group in range(metadata.num_row_groups):
            count = metadata.row_group(group).num_rows
            pieces.append(Piece(path, group, row, count))
            row += count
    assert header is not None
    columns = {c: names[c] for c in (*REQUIRED, *OPTIONAL) if names[c] in header}
    return Plan(files, pieces, columns)


def temp_dataset(target: Path) -> Path:
    """A fresh hidden directory beside ``target`` for the dataset being written."""
    make_parent(target)
    return hidden_beside(target)


def publish_dataset(temp: Path, target: Path) -> None:
    """Mark the dataset complete and rename it into place (replacing an older one)."""
    (temp / "_SUCCESS").touch()
    old: Path | None = None
    if target.exists():
        if not target.is_dir():
            raise ValueError(f"{target} exists and is not a dataset directory")
        old = hidden_beside(target, "old")
        os.replace(target, old)
    os.replace(temp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def dataset_rows(folder: Path) -> tuple[int, int]:
    """(rows, files) of the Parquet files of a dataset directory, from their footers."""
    files = sorted(folder.glob("*.parquet"))
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files), len(files)


def manifest(
    engine: str, the_plan: Plan, outputs: dict[str, Path], counts: dict[str, int], **timing: float
) -> dict[str, Any]:
    """The manifest of a distributed run; counts must add up (read = processed + rejected)."""
    if counts["read"] != counts["processed"] + counts["rejected"]:
        raise RuntimeError(f"row counts do not add up: {counts}")
    return {
        "version": __version__,
        "engine": engine,
        "input": {"files": the_plan.files, "rows": the_plan.rows},
        "counts": counts,
        "outputs": {name: {"path": str(path)} for name, path in outputs.items()},
        **{name: round(seconds, 3) for name, seconds in timing.items()},
    }
