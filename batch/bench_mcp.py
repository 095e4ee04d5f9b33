"""Benchmark ``bankbot serve`` over stdio with the official MCP SDK client.

    python batch/bench_mcp.py            # 500 calls
    python batch/bench_mcp.py 2000       # more calls

Starts ``python -m bankbot_tools serve`` as a subprocess (events to /dev/null), then
times, on one session, ``calls`` sequential ``tools/call`` requests cycling through the
three tools (p50/p99 per call, in milliseconds, and calls/s), and the same number again
all in flight at once (calls/s). Start-up is spawn to an answered ``initialize``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from itertools import cycle, islice
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

#: One realistic call per tool; the benchmark cycles through them.
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("calculate_payment", {"principal": 200000, "annual_rate": 0.065, "months": 360}),
    ("generate_plan", {"principal": 20000, "rates": [0.07, 0.05, 0.03], "terms": [12, 12, 36]}),
    ("get_prompt", {"flow": "kyc", "params": {"bank_name": "Acme Bank", "attempts_left": 2}}),
]


async def _bench(calls: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("BANKBOT_LOG_FILE",)}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "bankbot_tools", "serve"], env=env
    )
    work = list(islice(cycle(CALLS), calls))
    started = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        async with (
            stdio_client(params, errlog=devnull) as (read, write),
            ClientSession(read, write, read_timeout_seconds=60) as session,
        ):
            await session.initialize()
            startup = time.perf_counter() - started

            latencies = []
            sequential_started = time.perf_counter()
            for name, arguments in work:
                t = time.perf_counter()
                result = await session.call_tool(name, arguments)
                latencies.append(time.perf_counter() - t)
                if result.is_error:
                    raise RuntimeError(f"{name} failed: {result.structured_content}")
            sequential = time.perf_counter() - sequential_started

            concurrent_started = time.perf_counter()
            async with anyio.create_task_group() as group:
                for name, arguments in work:
                    group.start_soon(session.call_tool, name, arguments)
            concurrent = time.perf_counter() - concurrent_started

    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "transport": "stdio",
        "calls": calls,
        "startup_s": round(startup, 3),
        "p50_ms": round(percentiles[49] * 1000, 3),
        "p99_ms": round(percentiles[98] * 1000, 3),
        "max_ms": round(max(latencies) * 1000, 3),
        "calls_per_s": round(calls / sequential, 1),
        "concurrent_calls_per_s": round(calls / concurrent, 1),
    }


def run(calls: int = 500) -> dict[str, Any]:
    """Start the MCP server over stdio, make ``calls`` calls, and report latency and throughput.

    Keys: ``p50_ms``, ``p99_ms``, ``max_ms`` per sequential call; ``calls_per_s``
    sequential and ``concurrent_calls_per_s`` with all calls in flight; ``startup_s``.
    """
    if calls < 2:
        raise ValueError("calls must be at least 2 to give percentiles")
    result: dict[str, Any] = anyio.run(_bench, calls)
    return result


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 500), indent=2))
