"""Spark and Dask run the same pure Arrow core: same cents, same rejects as in process."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bankbot_tools.cli import app
from bankbot_tools.portfolio.engines import core
from bankbot_tools.portfolio.engines.runner import run_distributed
from bankbot_tools.portfolio.job import BatchJob
from bankbot_tools.portfolio.run import run

N = 20_000
#: Loans of the dated, shaped portfolio (schedules and --apr across the engines).
SHAPED = 3_000


def bad_portfolio(path: Path) -> Path:
    """20k loans in four row groups, with bad values, empty ids and cross-group duplicates."""
    rng = np.random.default_rng(12)
    ids = [f"L{i:05d}" for i in range(N)]
    principal = [f"{p / 100:.2f}" for p in rng.integers(100_000, 50_000_000, N)]
    rate: list[float | None] = [float(r) for r in rng.integers(0, 150_000, N) / 1e6]
    months: list[int | None] = rng.choice([12, 60, 180, 360], N).tolist()
    extra = [f"{e}" if e else "" for e in np.where(rng.random(N) < 0.2, 100, 0).tolist()]
    for i in range(0, N, 997):
        principal[i] = ["abc", "", "1.005", "-5", "0.01"][i % 5]
    for i in range(5, N, 1499):
        rate[i] = None if i % 2 else 2.5
    for i in range(7, N, 1777):
        months[i] = None if i % 2 else 0
    for i in range(11, N, 1303):
        ids[i] = ids[(i * 7) % N]  # repeats an id from anywhere, earlier or later
    ids[3], ids[6001] = "", ""
    table = pa.table(
        {
            "loan_id": pa.array(ids),
            "principal": pa.array(principal),
            "annual_rate": pa.array(rate, pa.float64()),
            "term_months": pa.array(months, pa.int32()),
            "extra_payment": pa.array(extra),
        }
    )
    pq.write_table(table, path, row_group_size=5_000)
    return path


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared bad portfolio."""
    return bad_portfolio(tmp_path_factory.mktemp("engines") / "portfolio.parquet")


@pytest.fixture(scope="module")
def local(portfolio: Path) -> tuple[dict[str, Any], bytes]:
    """The in-process run: summary values by loan_id, and the rejects file."""
    out = portfolio.with_name("local.parquet")
    run(BatchJob(input=portfolio, summary=out))
    return by_id(pq.read_table(out)), out.with_name("local.rejects.csv").read_bytes()


def shaped_portfolio(path: Path) -> Path:
    """3k loans of every frequency and day count, some dated (start and first payment), with
    fees, and some bad shapes; three row groups."""
    rng = np.random.default_rng(10)
    frequencies = ["", "monthly", "biweekly", "weekly", "quarterly", "semimonthly", "annual"]
    start: list[str | None] = []
    first: list[date | None] = []
    day_count: list[str] = []
    for i in range(SHAPED):
        funded = date(2026, 1, 1) + timedelta(days=int(rng.integers(0, 700)))
        dated = i % 5 < 3
        start.append(funded.isoformat() if dated else [None, ""][i % 2])
        monthly_with_first = dated and i % 7 == 0
        first.append(
            funded + timedelta(days=int(rng.integers(20, 45))) if monthly_with_first else None
        )
        day_count.append(["30/360", "actual/365", "actual/360"][i % 3] if dated else "")
    frequency = [frequencies[int(k)] for k in rng.integers(0, len(frequencies), SHAPED)]
    for i in range(0, SHAPED, 7):
        frequency[i] = "monthly"  # the rows with a first_payment_date
    principal = rng.integers(200_000, 30_000_000, SHAPED)
    fees = np.where(rng.random(SHAPED) < 0.5, principal * rng.integers(0, 300, SHAPED) // 10_000, 0)
    start[13], start[26] = "2026-02-30", "soon"
    day_count[43], first[44] = "actual/365", date(2026, 3, 1)  # undated: need a start_date
    table = pa.table(
        {
            "loan_id": [f"S{i:04d}" for i in range(SHAPED)],
            "principal": [f"{p / 100:.2f}" for p in principal],
            "annual_rate": (rng.integers(0, 180_000, SHAPED) / 1e6).tolist(),
            "term_months": rng.choice([12, 24, 36, 60], SHAPED).tolist(),
            "frequency": frequency,
            "day_count": day_count,
            "start_date": start,
            "first_payment_date": pa.array(first, pa.date32()),
            "fees": [f"{f / 100:.2f}" for f in fees],
        }
    )
    pq.write_table(table, path, row_group_size=1_000)
    return path


def by_id(table: pa.Table) -> dict[str, Any]:
    """Summary rows keyed by loan_id, values as Python objects (Decimal cents)."""
    return {row.pop("loan_id"): row for row in table.to_pylist()}


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local[2] Spark session for the module, temp and warehouse in tmp."""
    pyspark = pytest.importorskip("pyspark", reason="pyspark not installed: .[spark]")
    from pyspark.sql import SparkSession

    del pyspark
    folder = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("bankbot tests")
        .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
        .config("spark.local.dir", str(folder / "local"))
        .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={folder}")
        .config("spark.sql.files.maxPartitionBytes", "65536")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dask_scheduler() -> Iterator[str]:
    """One two-worker LocalCluster for the module."""
    pytest.importorskip("dask.distributed", reason="dask not installed: .[dask]")
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def shaped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared shaped, dated portfolio."""
    return shaped_portfolio(tmp_path_factory.mktemp("shaped") / "portfolio.parquet")


@pytest.fixture(scope="module")
def shaped_local(shaped: Path) -> Path:
    """The in-process run of the shaped portfolio with --apr and schedules: its summary."""
    out = shaped.with_name("local.parquet")
    schedules = shaped.with_name("local_schedules.parquet")
    run(BatchJob(input=shaped, summary=out, schedules=schedules, apr=True))
    return out


@pytest.fixture(scope="module", params=["spark", "dask"])
def shaped_engine(request: pytest.FixtureRequest, shaped: Path) -> Path:
    """The shaped portfolio through ``bankbot batch run --engine E --apr --schedules``."""
    engine = request.param
    session = request.getfixturevalue("spark" if engine == "spark" else "dask_scheduler")
    address = ["--scheduler", session] if engine == "dask" else []  # Spark: the active session
    out = shaped.with_name(f"{engine}.parquet")
    args = ["batch", "run", str(shaped), "--engine", engine, *address, "--apr", "--out", str(out)]
    done = CliRunner().invoke(app, [*args, "--schedules", str(shaped.with_name(f"{engine}_s"))])
    assert done.exit_code == 0, done.output
    return out


def check_same(local: tuple[dict[str, Any], bytes], out: Path, manifest: dict[str, Any]) -> None:
    """The dataset has the in-process values per loan_id, and the same rejects file."""
    values, rejects = local
    assert (out / "_SUCCESS").exists()
    assert by_id(pq.read_table(out)) == values
    assert out.with_name(f"{out.stem}.rejects.csv").read_bytes() == rejects
    counts = manifest["counts"]
    assert counts["read"] == N == counts["processed"] + counts["rejected"]
    assert counts["processed"] == len(values)


def test_bad_portfolio_has_rejects_of_every_kind(local: tuple[dict[str, Any], bytes]) -> None:
    """The shared portfolio exercises duplicates, empty ids and bad values."""
    text = local[1].decode()
    for reason in ("duplicate loan_id", "loan_id is required", "must be", "too small"):
        assert reason in text


def test_spark_matches_in_process(
    spark: Any, portfolio: Path, local: tuple[dict[str, Any], bytes]
) -> None:
    """Spark's mapInArrow gives the in-process cents per loan_id and the same rejects."""
    from bankbot_tools.portfolio.engines.spark import SparkEngine

    out = portfolio.with_name("spark.parquet")
    manifest = run_distributed(BatchJob(input=portfolio, summary=out), SparkEngine())
    check_same(local, out, manifest)
    assert manifest["files"]["summary"] >= 2  # one file per partition


def test_dask_matches_in_process(
    dask_scheduler: str, portfolio: Path, local: tuple[dict[str, Any], bytes]
) -> None:
    """Dask's map_partitions gives the in-process cents per loan_id and the same rejects."""
    from bankbot_tools.portfolio.engines.dask import DaskEngine

    out = portfolio.with_name("dask.parquet")
    manifest = run_distributed(BatchJob(input=portfolio, summary=out), DaskEngine(dask_scheduler))
    check_same(local, out, manifest)
    assert manifest["files"]["summary"] == 4  # one file per row group


def test_dask_schedules_match_the_kernel(dask_scheduler: str, tmp_path: Path) -> None:
    """The schedules variant writes every loan-month the in-process engine writes."""
    from bankbot_tools.portfolio.engines.dask import DaskEngine

    source = bad_portfolio(tmp_path / "p.parquet")
    local_out = tmp_path / "local.parquet"
    run(BatchJob(input=source, summary=local_out, schedules=tmp_path / "local_sched.parquet"))
    job = BatchJob(input=source, summary=tmp_path / "s", schedules=tmp_path / "sched")
    manifest = run_distributed(job, DaskEngine(dask_scheduler))
    expected = pq.read_table(tmp_path / "local_sched.parquet")
    got = pq.read_table(tmp_path / "sched")
    assert manifest["counts"]["schedule_rows"] == expected.num_rows == got.num_rows
    key = [("loan_id", "ascending"), ("month", "ascending")]
    assert got.sort_by(key).equals(expected.cast(core.Output("schedules").schema).sort_by(key))


def test_engine_dated_schedules_match_in_process(shaped_engine: Path, shaped_local: Path) -> None:
    """With date columns in the input, every engine's schedule rows carry the in-process due
    dates (null for undated loans), per loan_id and month."""
    expected = pq.read_table(shaped_local.with_name("local_schedules.parquet"))
    got = pq.read_table(shaped_engine.with_name(f"{shaped_engine.stem}_s"))
    schema = core.Output("schedules", dated=True).schema
    assert got.schema == schema
    key = [("loan_id", "ascending"), ("month", "ascending")]
    assert got.sort_by(key).equals(expected.cast(schema).sort_by(key))
    assert 0 < got["date"].null_count < got.num_rows


def test_engine_apr_matches_in_process(shaped_engine: Path, shaped_local: Path) -> None:
    """--apr under every engine writes the in-process apr_percent (and cents) per loan_id,
    and the same rejects."""
    expected = by_id(pq.read_table(shaped_local))
    assert by_id(pq.read_table(shaped_engine)) == expected
    assert len({row["apr_percent"] for row in expected.values()}) > SHAPED // 10
    rejects = shaped_engine.with_name(f"{shaped_engine.stem}.rejects.csv").read_text()
    assert rejects == shaped_local.with_name("local.rejects.csv").read_text()
    for reason in ("start_date", "needs start_date"):
        assert reason in rejects


def test_engine_without_extra_exits_2(
    runner: CliRunner, tmp_path: Path, portfolio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--engine spark without pyspark says which extra to install and exits 2."""
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    result = runner.invoke(
        app, ["batch", "run", str(portfolio), "--engine", "spark", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "bankbot-tools[spark]" in result.output
    assert not (tmp_path / "o").exists()


def test_duplicate_rows_first_claims_the_id() -> None:
    """The dedupe rule: the lowest row number keeps the id, wherever the rows were."""
    assert core.duplicate_rows(["B", "A", "B", "A"], [9, 4, 2, 1]).tolist() == [4, 9]
