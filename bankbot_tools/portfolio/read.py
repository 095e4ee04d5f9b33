"""Reading a portfolio: open CSV or Parquet, check its columns, stream it in chunks of rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bankbot_tools.fileio import Format, output_format
from bankbot_tools.portfolio.job import BatchJob, UnreadableInput
from bankbot_tools.portfolio.shapes import COLUMNS as SHAPE_COLUMNS
from bankbot_tools.rules import ANNUAL_RATE, EXTRA, MONTHS, PRINCIPAL, FieldSpec

#: Input columns and the rule-table spec each one is parsed with.
FIELDS: Final[dict[str, FieldSpec]] = {
    "principal": PRINCIPAL,
    "annual_rate": ANNUAL_RATE,
    "term_months": MONTHS,
    "extra_payment": EXTRA,
}
REQUIRED: Final = ("loan_id", "principal", "annual_rate", "term_months")
#: Optional columns: extra_payment, then the loan-shape columns of issue 10.
OPTIONAL: Final = ("extra_payment", *SHAPE_COLUMNS)
#: Bytes pyarrow's streaming CSV reader parses at a time.
_CSV_BLOCK_BYTES = 4 << 20


def open_chunks(job: BatchJob) -> Iterator[pa.Table]:
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
            read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK_BYTES),
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
