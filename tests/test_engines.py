"""Spark and Dask run the same pure Arrow core: same cents, same rejects as in process."""

from __future__ import annotations

import sys
from collections.abc import Iterator
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
    expected = expected.cast(core.SCHEDULES).sort_by(key)
    assert got.sort_by(key).to_pylist()[::97] == expected.to_pylist()[::97]


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
