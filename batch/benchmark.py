"""Benchmark bankbot: start-up, MCP latency, ``batch run`` and the batch engines.

The one source of README's and docs/benchmarks.md's figures: it prints the machine,
the versions, the git commit and the date first, every figure, and a JSON summary last.

    python batch/benchmark.py            # everything; engines on 10M loans (many minutes)
    python batch/benchmark.py --quick    # 10k and 100k loans, engines on 100k (< 2 minutes)
    python batch/benchmark.py --json     # only the JSON summary

Batch runs are real subprocesses (``sys.executable -m bankbot_tools``, the environment
inherited, so ``PYTHONPATH=$PWD`` benchmarks a checkout) and report the median of 3.
Start-up: ``bankbot --version``, ``--help`` and one ``loan-calc``, median of 10.

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

It also times the compiled kernel's warm-up: a cold numba cache (compile), a warm one,
and the ahead-of-time loops that ``bankbot batch warm-up`` builds, which the batch runs
then load (the 1M summary run is also timed on numba's cache alone).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_mcp
from make_portfolio import portfolio

from bankbot_tools.loans.kernel import RATE_DIVISOR, amortize_loans
from bankbot_tools.loans.payments import annuity_payment

RSS_PROBE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "wall = time.perf_counter() - t\n"
    "print(code, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def measure(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command in a fresh probe process: (wall seconds, peak RSS in MB) of the command."""
    probe = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, *argv],
        capture_output=True,
        text=True,
        check=True,
        env=env,
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
    import numpy_financial as npf

    rows = 0
    for balance, ppm, months, _ in loans:
        rate = ppm / 1e6 / 12
        per = np.arange(1, months + 1)
        npf.pmt(rate, months, -balance / 100)
        npf.ipmt(rate, per, months, -balance / 100)
        npf.ppmt(rate, per, months, -balance / 100)
        rows += months
    return rows


#: Every figure, by label: printed as the JSON summary at the end.
RESULTS: dict[str, object] = {}
#: The label of the last top-level result line (the one ``  of which`` lines qualify).
LAST_LABEL = ""
QUIET = False


def say(text: str = "") -> None:
    """Print a line of the report (not with --json)."""
    if not QUIET:
        print(text, flush=True)


def median_run(
    argv: list[str], times: int = 3, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Median wall seconds and median peak RSS MB of ``times`` runs of a command."""
    runs = [measure(argv, env) for _ in range(times)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def timed(
    label: str, n: int, seconds: float, rows: int = 0, rss: float = 0.0, size: float = 0.0
) -> None:
    """Print one result line and record it."""
    global LAST_LABEL
    # "  of which ..." lines qualify the line above: keyed under it, so they stay apart.
    key = f"{LAST_LABEL} / {label.strip()}" if label.startswith("  ") else label.strip()
    LAST_LABEL = key if not label.startswith("  ") else LAST_LABEL
    RESULTS[f"{n}: {key}"] = {
        "seconds": round(seconds, 3),
        "loans_per_s": round(n / seconds),
        **({"rows_per_s": round(rows / seconds), "rows": rows} if rows else {}),
        **({"rss_mb": round(rss)} if rss else {}),
        **({"file_mb": round(size, 1)} if size else {}),
    }
    if QUIET:
        return
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
    say(f"\n{n:,} loans, mean term {np.mean([m for _, _, m, _ in loans]):.0f} months")
    summary = folder / "summary.parquet"
    wall, rss = median_run(bankbot(str(source), "--out", str(summary)))
    timed("batch run -> summary.parquet", n, wall, 0, rss, summary.stat().st_size / 1e6)
    timed("  of which in the engine (manifest duration)", n, engine_seconds(summary))
    if n >= 1_000_000:
        # The same run without the ahead-of-time loops: numba imported, its cache loaded.
        env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba-only")}
        measure(bankbot(str(source), "--out", str(summary)), env)  # fills that cache
        wall, rss = median_run(bankbot(str(source), "--out", str(summary)), env=env)
        timed("batch run -> summary.parquet, numba cache", n, wall, 0, rss)
        timed("  of which in the engine (manifest duration)", n, engine_seconds(summary))
    if n <= 100_000 or big_schedules:
        schedules = folder / "schedules.parquet"
        wall, rss = median_run(
            bankbot(str(source), "--out", str(summary), "--schedules", str(schedules)),
            3 if n <= 100_000 else 1,
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
    try:
        start = time.perf_counter()
        rows = numpy_financial(sample)
        seconds = (time.perf_counter() - start) * scale
        timed(f"numpy-financial ipmt/ppmt (sampled {len(sample):,})", n, seconds, int(rows * scale))
    except ImportError:
        say("numpy-financial not installed (pip install -e '.[test]'): its line is skipped")
    start = time.perf_counter()
    read = pq.read_table(source)
    pq.write_table(read.select([0, 1, 2, 3, 4, 1, 2, 3]), folder / "floor.parquet")
    timed("I/O floor: pyarrow read + write summary shape", n, time.perf_counter() - start)


def mixed_shapes(n: int, folder: Path) -> None:
    """Loan shapes beyond level monthly (issue 10): a mixed portfolio, and the APR column."""
    table = portfolio(n, seed=11)
    rng = np.random.default_rng(11)
    frequencies = np.array(["monthly", "biweekly", "weekly", "quarterly", "semimonthly"])
    pick = rng.integers(0, frequencies.size, n)
    months = table["term_months"].to_numpy()
    monthly_only = (months * 26) % 12 != 0  # keep every term a whole number of payments
    frequency = np.where(monthly_only & (pick != 4), "monthly", frequencies[pick])
    dated = rng.random(n) < 0.3
    principal = table["principal"].to_numpy()
    mixed = table.append_column("frequency", pa.array(frequency))
    mixed = mixed.append_column(
        "start_date", pa.array(np.where(dated, "2026-01-15", None).tolist(), pa.string())
    )
    balloon = np.where(rng.random(n) < 0.2, np.round(principal * 0.1, 2), 0.0)
    mixed = mixed.append_column("balloon", pa.array(balloon))
    mixed = mixed.append_column("fees", pa.array(np.round(principal * 0.01, 2)))
    source = folder / f"mixed_{n}.parquet"
    pq.write_table(mixed, source)
    summary = folder / "mixed_summary.parquet"
    say(f"\n{n:,} loans of mixed shapes (frequencies, 30% dated, 20% balloon, 1% fees)")
    wall, rss = median_run(bankbot(str(source), "--out", str(summary)))
    timed("batch run, mixed shapes -> summary.parquet", n, wall, 0, rss)
    timed("  of which in the engine (manifest duration)", n, engine_seconds(summary))
    plain = folder / f"portfolio_{n}.parquet"
    wall, rss = median_run(bankbot(str(plain), "--out", str(summary), "--apr"))
    timed("batch run, level monthly, with --apr", n, wall, 0, rss)


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
        "import numpy as np\n"
        "from bankbot_tools.loans.kernel import amortize_loans\n"
        "one = np.ones(100, dtype=np.int64)\n"
        "i = time.perf_counter(); amortize_loans(one * 10**7, one * 65_000, one * 360, one)\n"
        "print(f'import {i - t:.2f} s, first call {time.perf_counter() - i:.2f} s')\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba-cache")}
    warm_up_command = [sys.executable, "-m", "bankbot_tools", "--log-file", os.devnull]
    warm_up_command += ["batch", "warm-up"]
    for label in ("cold numba cache (compile)", "warm numba cache", "ahead-of-time loops"):
        if label == "ahead-of-time loops":
            start = time.perf_counter()
            subprocess.run(warm_up_command, env=env, capture_output=True, check=True)
            built = f"{time.perf_counter() - start:.1f} s"
            say(f"ahead-of-time build (bankbot batch warm-up, numba cache warm): {built}")
            RESULTS["ahead-of-time build"] = built
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        say(f"kernel warm-up, {label}: {done.stdout.strip()}")
        RESULTS[f"kernel warm-up, {label}"] = done.stdout.strip()
    # The batch runs below use the checkout's own caches: build its loops ahead of time.
    done = subprocess.run([*warm_up_command, "--json"], capture_output=True, text=True, check=True)
    outcomes = {loop: said.split(":")[0] for loop, said in json.loads(done.stdout).items()}
    say(f"the checkout's ahead-of-time loops, which the batch runs below load: {outcomes}")
    RESULTS["ahead-of-time loops"] = outcomes


def machine() -> dict[str, object]:
    """CPU model, cores, RAM, versions, git commit and date."""
    import numba

    cpu = platform.processor()
    with contextlib_suppress():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0.0
    with contextlib_suppress():
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": commit + ("+dirty" if dirty else ""),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram, 1),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pyarrow": pa.__version__,
        "numba": numba.__version__,
    }


def contextlib_suppress() -> object:
    """Suppress OSError/ValueError while probing the machine."""
    import contextlib

    return contextlib.suppress(OSError, ValueError)


STARTUP = {
    "bankbot --version": (["--version"], 0.15),
    "bankbot --help": (["--help"], 0.15),
    "bankbot loan-calc": (
        ["loan-calc", "--amount", "200000", "--rate", "0.065", "--months", "360"],
        0.4,
    ),
}


def startup(times: int = 10) -> None:
    """Process start to exit of the quick commands, median of ``times``."""
    say("\nstart-up (process start to exit, median of 10)      seconds   target")
    for label, (args, target) in STARTUP.items():
        argv = [sys.executable, "-m", "bankbot_tools", "--log-file", os.devnull, *args]
        walls = []
        for _ in range(times):
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            walls.append(time.perf_counter() - start)
        seconds = statistics.median(walls)
        RESULTS[f"startup: {label}"] = {"seconds": round(seconds, 3), "target": target}
        say(f"{label:<50}{seconds:>8.3f}{target:>9.2f}")


def mcp(calls: int) -> None:
    """MCP latency over stdio (batch/bench_mcp.py)."""
    result = bench_mcp.run(calls)
    RESULTS["mcp"] = result
    say(
        f"\nMCP over stdio, {calls} calls: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms,"
        f" {result.get('calls_per_s')} calls/s sequential,"
        f" {result.get('concurrent_calls_per_s')} calls/s concurrent"
    )


def engines(n: int, folder: Path) -> None:
    """The same portfolio in process, on Spark local[2] and on Dask: start-up and work."""
    source = folder / f"engines_{n}.parquet"
    pq.write_table(portfolio(n, seed=11), source, row_group_size=1 << 20)
    header = "start-up s   work s   total s    loans/s"
    say(f"\nengines, {n:,} loans -> summary.parquet        {header}")
    for engine in ("local", "spark", "dask"):
        out = folder / f"engine_{engine}.parquet"
        extra = [] if engine == "local" else ["--engine", engine]
        if engine == "spark":
            extra += ["--master", "local[2]"]
        start = time.perf_counter()
        done = subprocess.run(
            [*bankbot(str(source), "--out", str(out), "--json", *extra)],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        if done.returncode:
            say(f"{engine:<44} failed ({done.returncode}): {done.stderr.strip()[-200:]}")
            RESULTS[f"engines {n}: {engine}"] = {"failed": done.returncode}
            continue
        document = json.loads(done.stdout)
        work = float(document.get("work_s", document["duration_s"]))
        spin = wall - work
        RESULTS[f"engines {n}: {engine}"] = {
            "wall_s": round(wall, 2),
            "startup_s": round(spin, 2),
            "work_s": round(work, 2),
            "loans_per_s_work": round(n / work),
        }
        say(f"{engine:<44}{spin:>10.2f}{work:>9.2f}{wall:>10.2f}{n / work:>11,.0f}")
    say("  (start-up: process start, imports, session/cluster start; work: the job itself)")


def main() -> None:
    """Run the benchmark."""
    global QUIET
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, < 2 minutes")
    parser.add_argument("--json", action="store_true", help="only print the JSON summary")
    parser.add_argument("--no-engines", action="store_true", help="skip Spark and Dask")
    args = parser.parse_args()
    QUIET = args.json
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    info = machine()
    RESULTS["machine"] = info
    for key, value in info.items():
        say(f"{key}: {value}")
    startup(3 if args.quick else 10)
    mcp(100 if args.quick else 500)
    with tempfile.TemporaryDirectory(prefix="bankbot-bench-") as tmp:
        folder = Path(tmp)
        warm_up(folder)
        say(
            f"\n{'':<44}{'loans':>10}{'seconds':>9}{'loans/s':>13}{'rows/s':>13}"
            f"{'RSS MB':>8}{'file MB':>8}"
        )
        for n in sizes:
            bench_size(n, folder, big_schedules=not args.quick)
        mixed_shapes(10_000 if args.quick else 100_000, folder)
        if not args.no_engines:
            engines(100_000 if args.quick else 10_000_000, folder)
    if args.json:
        print(json.dumps(RESULTS, indent=2))
    else:
        print("\nJSON summary:\n" + json.dumps(RESULTS, indent=2))


if __name__ == "__main__":
    main()
