"""Benchmark ``bankbot batch run`` against the alternatives, on synthetic portfolios.

    python batch/benchmark.py            # 10k, 100k and 1M loans (a few minutes)
    python batch/benchmark.py --quick    # 10k and 100k loans, no 1M schedules run

For each size it times, on the same Parquet portfolio (batch/make_portfolio.py):

* ``bankbot batch run`` to a Parquet summary, and with Parquet schedules, as a real
  subprocess: wall time including start-up, and peak RSS of that process;
* the kernel alone (``amortization.amortize_loans`` on the whole portfolio, in process);
* a plain per-loan Python loop over integer cents (the status quo), summaries and
  schedules; sampled on at most 20,000 / 2,000 loans and extrapolated;
* numpy-financial's float ``pmt``/``ipmt``/``ppmt`` schedules per loan, sampled on at
  most 2,000 loans and extrapolated;
* the I/O floor: pyarrow reading the input and writing a table of the same shape as
  the output (summary, and schedules with default and with plain settings).

It also times the compiled kernel's warm-up: a cold numba cache (compile) and a warm one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_portfolio import portfolio

from bankbot_tools.loans.kernel import RATE_DIVISOR, amortize_loans, annuity_payment

RSS_PROBE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "wall = time.perf_counter() - t\n"
    "print(code, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def measure(argv: list[str]) -> tuple[float, float]:
    """Run a command in a fresh probe process: (wall seconds, peak RSS in MB) of the command."""
    probe = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, *argv], capture_output=True, text=True, check=True
    )
    code, wall, rss_kb = probe.stdout.split()
    if code != "0":
        raise RuntimeError(f"{argv} exited {code}")
    return float(wall), int(rss_kb) / 1024


def bankbot(*args: str) -> list[str]:
    """The bankbot command line, events to a throwaway log."""
    return [sys.executable, "-m", "bankbot_tools", "--log-file", os.devnull, "batch", "run", *args]


def engine_seconds(summary: Path) -> float:
    """The run's own duration, from the manifest beside the summary (no start-up)."""
    manifest = summary.with_name(f"{summary.stem}.manifest.json")
    return float(json.loads(manifest.read_text())["duration_s"])


def loans_of(table: pa.Table) -> list[tuple[int, int, int, int]]:
    """Input rows as integer units (cents, ppm, months, extra cents)."""
    cents = np.round(table["principal"].to_numpy() * 100).astype(np.int64)
    ppm = np.round(table["annual_rate"].to_numpy() * 1_000_000).astype(np.int64)
    months = table["term_months"].to_numpy().astype(np.int64)
    extra = np.round(table["extra_payment"].to_numpy() * 100).astype(np.int64)
    return list(zip(cents.tolist(), ppm.tolist(), months.tolist(), extra.tolist(), strict=True))


def python_loop(loans: list[tuple[int, int, int, int]], schedules: bool) -> int:
    """The status quo: one loan at a time, one month at a time, in Python ints."""
    rows = 0
    columns = [np.array(c) for c in zip(*loans, strict=True)]
    payments = annuity_payment(*columns[:3]).tolist()
    for (balance, ppm, months, extra), payment in zip(loans, payments, strict=True):
        out: list[tuple[int, int, int, int, int]] = []
        for run_extra in (extra, 0) if extra else (extra,):
            b, total = balance, 0
            for month in range(1, months + 1):
                interest = (2 * b * ppm + RATE_DIVISOR) // (2 * RATE_DIVISOR)
                owed = b + interest
                paid = (
                    owed if owed <= payment + run_extra or month == months else payment + run_extra
                )
                b = owed - paid
                total += interest
                if schedules and run_extra == extra:
                    out.append((month, paid, interest, paid - interest, b))
                if b <= 0:
                    break
        rows += len(out)
    return rows


def numpy_financial(loans: list[tuple[int, int, int, int]]) -> int:
    """Float schedules with numpy-financial, per loan (pmt, ipmt, ppmt)."""
    rows = 0
    for balance, ppm, months, _ in loans:
        rate = ppm / 1e6 / 12
        per = np.arange(1, months + 1)
        npf.pmt(rate, months, -balance / 100)
        npf.ipmt(rate, per, months, -balance / 100)
        npf.ppmt(rate, per, months, -balance / 100)
        rows += months
    return rows


def timed(
    label: str, n: int, seconds: float, rows: int = 0, rss: float = 0.0, size: float = 0.0
) -> None:
    """Print one result line."""
    rate_rows = f"{rows / seconds:>13,.0f}" if rows else f"{'':>13}"
    rss_text = f"{rss:>8,.0f}" if rss else f"{'':>8}"
    size_text = f"{size:>8,.1f}" if size else f"{'':>8}"
    print(
        f"{label:<44}{n:>10,}{seconds:>9.2f}{n / seconds:>13,.0f}{rate_rows}{rss_text}{size_text}",
        flush=True,
    )


def bench_size(n: int, folder: Path, big_schedules: bool) -> None:
    """All comparisons for one portfolio size."""
    source = folder / f"portfolio_{n}.parquet"
    table = portfolio(n, seed=7)
    pq.write_table(table, source)
    loans = loans_of(table)
    print(f"\n{n:,} loans, mean term {np.mean([m for _, _, m, _ in loans]):.0f} months")
    summary = folder / "summary.parquet"
    wall, rss = measure(bankbot(str(source), "--out", str(summary)))
    timed("batch run -> summary.parquet", n, wall, 0, rss, summary.stat().st_size / 1e6)
    timed("  of which in the engine (manifest duration)", n, engine_seconds(summary))
    if n <= 100_000 or big_schedules:
        schedules = folder / "schedules.parquet"
        wall, rss = measure(
            bankbot(str(source), "--out", str(summary), "--schedules", str(schedules))
        )
        rows = pq.ParquetFile(schedules).metadata.num_rows
        timed(
            "batch run -> summary + schedules.parquet",
            n,
            wall,
            rows,
            rss,
            schedules.stat().st_size / 1e6,
        )
        timed("  of which in the engine (manifest duration)", n, engine_seconds(summary), rows)
        if n <= 100_000:
            io_floor_schedules(schedules, n)
    columns = [np.array(c) for c in zip(*loans, strict=True)]
    amortize_loans(*(c[:100] for c in columns))
    start = time.perf_counter()
    amortize_loans(*columns)
    timed("kernel only: amortize_loans, in process", n, time.perf_counter() - start)
    sample = loans[:20_000]
    start = time.perf_counter()
    python_loop(sample, schedules=False)
    seconds = (time.perf_counter() - start) * n / len(sample)
    timed(f"python loop, summaries (sampled {len(sample):,})", n, seconds)
    sample = loans[:2_000]
    start = time.perf_counter()
    rows = python_loop(sample, schedules=True)
    scale = n / len(sample)
    seconds = (time.perf_counter() - start) * scale
    timed(f"python loop, schedules (sampled {len(sample):,})", n, seconds, int(rows * scale))
    start = time.perf_counter()
    rows = numpy_financial(sample)
    seconds = (time.perf_counter() - start) * scale
    timed(f"numpy-financial ipmt/ppmt (sampled {len(sample):,})", n, seconds, int(rows * scale))
    start = time.perf_counter()
    read = pq.read_table(source)
    pq.write_table(read.select([0, 1, 2, 3, 4, 1, 2, 3]), folder / "floor.parquet")
    timed("I/O floor: pyarrow read + write summary shape", n, time.perf_counter() - start)


def io_floor_schedules(schedules: Path, n: int) -> None:
    """pyarrow alone writing our schedule rows: default settings, and plain."""
    table = pq.read_table(schedules)
    plain = pa.table(
        {
            "loan_id": table["loan_id"].cast(pa.string()),
            "month": table["month"],
            **{
                k: table[k].cast(pa.decimal128(18, 2))
                for k in ("payment", "interest", "principal", "balance")
            },
        }
    )
    rows = plain.num_rows
    for label, options in (
        ("I/O floor: pyarrow write schedules, default", {}),
        (
            "I/O floor: pyarrow write schedules, plain",
            {"compression": "none", "use_dictionary": False},
        ),
    ):
        target = schedules.with_name("floor_schedules.parquet")
        start = time.perf_counter()
        pq.write_table(plain, target, **options)  # type: ignore[arg-type]
        timed(label, n, time.perf_counter() - start, rows, 0, target.stat().st_size / 1e6)


def warm_up(folder: Path) -> None:
    """Time the kernel's first call in a fresh process: cold numba cache, then cached."""
    code = (
        "import time; t = time.perf_counter()\n"
        "from bankbot_tools.loans.kernel import amortize\n"
        "from bankbot_tools.rules import LoanTerms\n"
        "i = time.perf_counter(); amortize(LoanTerms.parse('200000', '0.065', 360))\n"
        "print(f'import {i - t:.2f} s, first call {time.perf_counter() - i:.2f} s')\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba-cache")}
    for label in ("cold numba cache (compile)", "warm numba cache"):
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        print(f"kernel warm-up, {label}: {done.stdout.strip()}")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k loans only")
    args = parser.parse_args()
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    print(
        f"{'':<44}{'loans':>10}{'seconds':>9}{'loans/s':>13}{'rows/s':>13}"
        f"{'RSS MB':>8}{'file MB':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="bankbot-bench-") as tmp:
        folder = Path(tmp)
        warm_up(folder)
        for n in sizes:
            bench_size(n, folder, big_schedules=not args.quick)


if __name__ == "__main__":
    main()
