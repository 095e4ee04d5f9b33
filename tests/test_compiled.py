"""Ahead-of-time loops: ``batch warm-up`` builds them, and a run loads them without numba."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Run in a fresh process: the kernel and the id lookup on fixed loans (was numba imported
#: for them?), then a call with argument types no module was built for (int64 offsets).
_USE_THE_LOOPS = """
import json, sys
import numpy as np, pyarrow as pa
from bankbot_tools.compiled import compiled
from bankbot_tools.loans.kernel import amortize_loans
from bankbot_tools.portfolio.dedupe import SeenIds, _hash_loop
rng = np.random.default_rng(5)
n = 3000
p = rng.integers(100_000, 50_000_000, n)
r = rng.integers(0, 150_000, n)
m = rng.choice([12, 60, 360], n)
e = np.where(rng.random(n) < 0.3, 5_000, 0)
summary = amortize_loans(p, r, m, e)
rows = amortize_loans(p[:200], r[:200], m[:200], e[:200], with_schedule=True)
repeated = SeenIds().repeated(pa.array(["A", "B", "A", None, "C", "B"]))
numba = "numba" in sys.modules
wide = np.empty(1, dtype=np.uint64)
compiled(_hash_loop)(np.array([0, 2], np.int64), np.frombuffer(b"L1", np.uint8), wide)
print(json.dumps({
    "numba": numba,
    "interest": summary.total_interest.tolist(),
    "payoff": summary.payoff_month.tolist(),
    "balances": rows.schedule["balance"].tolist(),
    "repeated": repeated.tolist(),
    "wide": int(wide[0]),
}))
"""


def _python(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    env.pop("NUMBA_CPU_NAME", None)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, env=env, check=False
    )


def test_warm_up_builds_loops_that_load_without_numba(tmp_path: Path) -> None:
    """Built once, up to date after; a run then imports no numba and gives numba's cents."""
    cache = tmp_path / "cache"
    warm_up = ["-m", "bankbot_tools", "batch", "warm-up", "--json"]
    first = _python(warm_up, cache)
    assert first.returncode == 0, first.stderr
    built = json.loads(first.stdout)
    assert set(built) == {"month_loop", "hash_loop", "claim"}
    assert all(outcome.startswith("built: ") for outcome in built.values()), built
    files = [p.name for p in (cache / "ahead-of-time").iterdir()]
    assert sum(name.endswith(".kinds.json") for name in files) == 3
    assert len(files) == 6 and not any(name.startswith(".") for name in files)
    again = _python(warm_up, cache)
    assert json.loads(again.stdout) == dict.fromkeys(built, "up to date")

    ahead = _python(["-c", _USE_THE_LOOPS], cache)
    jit = _python(["-c", _USE_THE_LOOPS], tmp_path / "numba only")
    assert ahead.returncode == 0 and jit.returncode == 0, ahead.stderr + jit.stderr
    got, expected = json.loads(ahead.stdout), json.loads(jit.stdout)
    assert (got.pop("numba"), expected.pop("numba")) == (False, True)
    assert got == expected
    assert sum(expected["repeated"]) == 3
