"""Reading a portfolio: open CSV or Parquet, match its columns, stream it in chunks of rows.

Header cells match the input column names ignoring case and surrounding spaces
(``"Loan_ID "`` is ``loan_id``); a name matching two cells is an error. How the CSV
file's bytes are read (compression, encoding, delimiter) is :mod:`.csvfile`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.parquet as pq

from bankbot_tools.fileio import Format, compression_of, output_format
from bankbot_tools.portfolio.csvfile import CsvInput
from bankbot_tools.portfolio.job import BatchJob, UnreadableInput
from bankbot_tools.portfolio.shapes import COLUMNS as SHAPE_COLUMNS
from bankbot_tools.portfolio.shapes import DATES
from bankbot_tools.rules import ANNUAL_RATE, EXTRA, MONTHS, PRINCIPAL, FieldSpec

#: Input columns and the rule-table spec each one is parsed with.
FIELDS: Final[dict[str, FieldSpec]] = {
    "principal": PRINCIPAL,
    "annual_rate": ANNUAL_RATE,
    "term_months": MONTHS,
    "extra_payment": EXTRA,
}
REQUIRED: Final = ("loan_id", "principal", "annual_rate", "term_months")
#: Optional columns: extra_payment, then the loan-shape columns (frequency, dates, ...).
OPTIONAL: Final = ("extra_payment", *SHAPE_COLUMNS)
#: Delimiters a header is tried with, to say which one a file seems to use.
DELIMITERS: Final = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Chunks:
    """An opened portfolio: the input columns it has (canonical names), and its chunks."""

    columns: frozenset[str]
    tables: Iterator[pa.Table]
    #: The number of data rows when the file says so up front (Parquet), else None.
    rows: int | None = None

    @property
    def dated(self) -> bool:
        """Whether the portfolio gives dates, so that schedules carry a ``date`` column."""
        return has_dates(self.columns)


def has_dates(columns: Iterable[str]) -> bool:
    """Whether input columns (canonical names) give loan dates: then schedules have ``date``.

    >>> has_dates(["loan_id", "first_payment_date"]), has_dates(["loan_id", "frequency"])
    (True, False)
    """
    return not DATES.keys().isdisjoint(columns)


def open_chunks(job: BatchJob) -> Chunks:
    """Open the input and check its columns now; stream it in chunks later."""
    path = job.input
    if path.is_dir():
        raise UnreadableInput(f"input is a directory, not a portfolio file: {path}")
    if not path.is_file():
        raise UnreadableInput(f"input file not found: {path}")
    fmt = job.input_format or _input_format(path)
    names = {
        canonical: job.column_map.get(canonical, canonical)
        for canonical in (*FIELDS, *SHAPE_COLUMNS)
    }
    names["loan_id"] = job.column_map.get("loan_id", "loan_id")
    unknown = set(job.column_map) - set(names)
    if unknown:
        raise ValueError(f"--map names unknown columns: {', '.join(sorted(unknown))}")
    if fmt is Format.PARQUET:
        if compression_of(path):
            raise UnreadableInput(f"{path}: Parquet is compressed inside, name it .parquet")
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as error:
            raise UnreadableInput(f"{path} is not a readable Parquet file: {error}") from None
        wanted = match_columns(path, parquet.schema_arrow.names, names)
        batches = parquet.iter_batches(batch_size=job.chunk_size, columns=list(wanted.values()))
        rows = parquet.metadata.num_rows
    else:
        source = CsvInput(path, job.encoding, job.delimiter)
        header = source.header()
        wanted = match_columns(path, header, names, job.delimiter)
        batches = source.batches(header, list(wanted.values()))
        rows = None
    return Chunks(frozenset(wanted), _chunks(path, batches, wanted, job.chunk_size), rows)


def column_key(name: str) -> str:
    """What a header cell is matched by: case and surrounding spaces do not count.

    >>> column_key(" Loan_ID "), column_key("PRINCIPAL")
    ('loan_id', 'principal')
    """
    return name.strip().casefold()


def match_columns(
    path: Path, header: list[str], names: dict[str, str], delimiter: str | None = None
) -> dict[str, str]:
    """Input column -> the file's header cell for it (case- and space-insensitively).

    ``names`` maps each input column to the name asked for (``--map``). A name that
    matches two cells, or a required one that matches none, is an :class:`UnreadableInput`;
    a CSV header that is one cell of names joined by another delimiter says so.
    """
    cells: dict[str, list[str]] = {}
    for cell in header:
        cells.setdefault(column_key(cell), []).append(cell)
    found = {c: cells.get(column_key(name), []) for c, name in names.items()}
    repeated = {names[c]: same for c, same in found.items() if len(same) > 1}
    if repeated:
        listed = "; ".join(f"{n} ({', '.join(map(repr, same))})" for n, same in repeated.items())
        raise UnreadableInput(f"{path} has more than one column named {listed}")
    missing = [names[c] for c in REQUIRED if not found[c]]
    if missing:
        hint = _delimiter_hint(header, delimiter, [names[c] for c in REQUIRED])
        raise UnreadableInput(f"{path} lacks required column(s): {', '.join(missing)}{hint}")
    return {c: found[c][0] for c in (*REQUIRED, *OPTIONAL) if found[c]}


def _delimiter_hint(header: list[str], delimiter: str | None, required: list[str]) -> str:
    """How to read a header whose cells are the required names joined by another delimiter."""
    if delimiter is None:
        return ""
    line = delimiter.join(header)
    wanted = {column_key(name) for name in required}
    for other in DELIMITERS:
        if other != delimiter and wanted <= {column_key(cell) for cell in line.split(other)}:
            shown = "tab" if other == "\t" else repr(other)
            return f"; it looks {shown}-delimited: pass --delimiter {shown}"
    return ""


def _input_format(path: Path) -> Format:
    try:
        return output_format(path)
    except ValueError:
        raise UnreadableInput(
            f"{path} is not a .csv or .parquet file (CSV may be .gz, .bz2 or .zst"
            " compressed; or pass --input-format)"
        ) from None


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
