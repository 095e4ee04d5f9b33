"""``bankbot batch run``: amortize a whole portfolio file; ``batch warm-up``: compile its loops."""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bankbot_tools.cli.common import JsonFlag, command, print_json, skip_teardown
from bankbot_tools.fileio import Format
from bankbot_tools.portfolio.job import DEFAULT_CHUNK_SIZE, BatchJob

if TYPE_CHECKING:
    from rich.progress import Progress

    from bankbot_tools.portfolio.job import Progress as Counts
    from bankbot_tools.portfolio.job import ProgressCallback

batch_app = typer.Typer(
    help="Portfolio batch jobs: many loans from CSV or Parquet.", no_args_is_help=True
)

DEFAULT_SUMMARY = Path("out/summary.csv")
#: The default summary of the distributed engines: a Parquet dataset directory.
DEFAULT_DATASET = Path("out/summary.parquet")


class Engine(StrEnum):
    """Where the batch core runs."""

    LOCAL = "local"
    SPARK = "spark"
    DASK = "dask"


def _column_map(pairs: list[str]) -> dict[str, str]:
    """``["principal=amount"]`` -> ``{"principal": "amount"}``."""
    mapping = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise ValueError(f"--map wants NAME=COLUMN, such as principal=amount (got {pair!r})")
        mapping[name.strip()] = column.strip()
    return mapping


@batch_app.command("run")
def run(
    input_path: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="Portfolio .csv (or .csv.gz, .csv.bz2, .csv.zst) or .parquet file"
            " (spark/dask: Parquet file, directory or glob).",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Summary file, .csv (.csv.gz, ...) or .parquet (spark/dask: a Parquet dataset"
            f" directory) [default: {DEFAULT_SUMMARY}; spark/dask: {DEFAULT_DATASET}]",
            show_default=False,
        ),
    ] = None,
    schedules: Annotated[
        Path | None,
        typer.Option(help="Also write every loan's monthly schedule here (.csv or .parquet)."),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            help="Rejected rows as CSV, .csv.gz to compress (default: <summary name>.rejects.csv)."
        ),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(help="Run manifest JSON (default: <summary stem>.manifest.json)."),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Rows per chunk; sets peak memory.")
    ] = DEFAULT_CHUNK_SIZE,
    max_rejects: Annotated[
        int | None,
        typer.Option(min=0, help="Fail (exit 1, no summary) when more rows are rejected."),
    ] = None,
    input_format: Annotated[
        Format | None,
        typer.Option(help="Input format when the extension does not tell."),
    ] = None,
    column_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="Read an input column from a differently named file column: principal=amount.",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="CSV text encoding when not UTF-8, e.g. cp1252 or utf-16."),
    ] = None,
    delimiter: Annotated[
        str, typer.Option(help="CSV field delimiter: one character such as ';', or 'tab'.")
    ] = ",",
    apr: Annotated[
        bool,
        typer.Option("--apr", help="Also write each loan's Regulation Z APR (apr_percent)."),
    ] = False,
    engine: Annotated[
        Engine, typer.Option(help="Run in process, or on Spark or Dask (optional extras).")
    ] = Engine.LOCAL,
    master: Annotated[
        str | None,
        typer.Option(help="Spark master URL (default: spark-submit's, else local[*])."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (default: a LocalCluster for the run)."),
    ] = None,
    json_: JsonFlag = False,
) -> None:
    """Amortize every loan of a portfolio: summary, optional schedules, rejects, manifest.

    Input columns: loan_id, principal, annual_rate, term_months and optional
    extra_payment (header names match ignoring case and surrounding spaces). Bad
    rows go to the rejects file with a reason; all good rows are processed. CSV
    outputs are safe to open in a spreadsheet (formula-like text gets a leading
    '). Outputs appear only when the run completes. Exit codes: 0 ok,
    1 too many rejects, 2 unreadable input or bad options.

    Example: bankbot batch run batch/sample_portfolio.csv --out out/summary.parquet
    """
    with command(
        "batch run", chunk_size=chunk_size, schedules=schedules is not None, engine=engine.value
    ) as event:
        if engine is Engine.LOCAL and (master or scheduler):
            raise ValueError("--master and --scheduler need --engine spark or dask")
        if (engine is Engine.SPARK and scheduler) or (engine is Engine.DASK and master):
            raise ValueError("--master goes with --engine spark, --scheduler with --engine dask")
        if out is None:
            out = DEFAULT_SUMMARY if engine is Engine.LOCAL else DEFAULT_DATASET
        job = BatchJob(
            input=input_path,
            summary=out,
            schedules=schedules,
            rejects=rejects,
            manifest=manifest,
            chunk_size=chunk_size,
            max_rejects=max_rejects,
            input_format=input_format,
            column_map=_column_map(column_map or []),
            encoding=encoding,
            delimiter="\t" if delimiter.lower() in ("tab", "\\t") else delimiter,
            apr=apr,
        )
        result = _run(job, engine, master or scheduler)
        event.update(
            rows_read=result["counts"]["read"],
            processed=result["counts"]["processed"],
            rejected=result["counts"]["rejected"],
            input_format=str(input_format or input_path.suffix.lstrip(".")),
        )
        if json_:
            print_json(result)
        else:
            counts = result["counts"]
            typer.echo(
                f"{counts['processed']} loans processed, {counts['rejected']} rejected"
                f" of {counts['read']} rows in {result['duration_s']} s -> {out}"
            )


@batch_app.command("warm-up")
def warm_up(json_: JsonFlag = False) -> None:
    """Compile the batch loops ahead of time, so runs load them without importing numba.

    Each loop (the month loop, the id hash and lookup) becomes an extension module built by
    numba.pycc for this machine's CPU (or NUMBA_CPU_NAME), beside numba's cache
    (NUMBA_CACHE_DIR if set, else the package's __pycache__). That saves a run about 0.4 s
    of numba import and cache load. It needs a C compiler; without one, the loops stay in
    numba's cache and runs still do not recompile. Safe to re-run: up-to-date loops are
    kept, and a changed loop replaces its old module.

    Example: bankbot batch warm-up
    """
    with command("batch warm-up") as event:
        from bankbot_tools.portfolio.run import compile_ahead_of_time

        outcomes = compile_ahead_of_time()
        built = [loop for loop, outcome in outcomes if not outcome.startswith("not built")]
        event.update(loops=len(outcomes), ahead_of_time=len(built))
        if json_:
            print_json({loop: outcome for loop, outcome in outcomes})
        else:
            for loop, outcome in outcomes:
                typer.echo(f"{loop}: {outcome}")


def _run(job: BatchJob, engine: Engine, address: str | None) -> dict[str, Any]:
    """Run the job on the chosen engine; returns its manifest."""
    if engine is Engine.LOCAL:
        from bankbot_tools.portfolio.run import run as run_job

        with _progress() as on_chunk:
            manifest = run_job(job, on_chunk)
        skip_teardown()
        return manifest
    from bankbot_tools.portfolio.engines.runner import run_distributed

    if engine is Engine.SPARK:
        from bankbot_tools.portfolio.engines.spark import SparkEngine

        return run_distributed(job, SparkEngine(address))
    from bankbot_tools.portfolio.engines.dask import DaskEngine

    return run_distributed(job, DaskEngine(address))


class _progress:
    """A rich progress display on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.bar: Progress | None = None
        self.started = time.perf_counter()

    def __enter__(self) -> ProgressCallback | None:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.completed:,.0f} rows"),
            TextColumn("{task.fields[rate]:,.0f} loans/s"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("batch", total=None, rate=0.0)
        bar = self.bar

        def update(progress: Counts) -> None:
            seconds = max(time.perf_counter() - self.started, 1e-9)
            bar.update(task, completed=progress.read, rate=progress.processed / seconds)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
