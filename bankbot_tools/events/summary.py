"""Summaries of analytics event logs (one JSON event per line), with pandas.

Per event kind and tool or command: calls, error rate, fallback rate and the
p50/p95/p99 of ``duration_ms``. A line that is not a JSON object naming a tool or
command and a status is malformed: counted and skipped.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pandas as pd

#: Summary columns after ``event`` and ``name``.
METRICS: Final = ("calls", "error_rate", "fallback_rate", "p50_ms", "p95_ms", "p99_ms")


@dataclass(frozen=True)
class Summary:
    """The per-tool table of one event log, and how many of its lines were read or skipped."""

    table: pd.DataFrame
    lines: int
    malformed: int

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON: ``lines``, ``malformed`` and one row per tool or command."""
        rows = [
            {
                key: None if isinstance(value, float) and math.isnan(value) else value
                for key, value in row.items()
            }
            for row in self.table.to_dict(orient="records")
        ]
        return {"lines": self.lines, "malformed": self.malformed, "rows": rows}


def _event(line: str) -> dict[str, Any] | None:
    """The fields summarized from one line, or None when it is malformed."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    name = record.get("tool") or record.get("command")
    status = record.get("status")
    if not isinstance(name, str) or not isinstance(status, str):
        return None
    duration = record.get("duration_ms")
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        duration = math.nan
    return {
        "event": str(record.get("event", "")),
        "name": name,
        "status": status,
        "duration_ms": float(duration),
    }


def summary(path: Path | str) -> Summary:
    """Summarize an event log per event kind and tool or command.

    >>> import tempfile, os
    >>> log = os.path.join(tempfile.mkdtemp(), "events.jsonl")
    >>> _ = open(log, "w").write(
    ...     '{"event": "tool.invoked", "tool": "get_prompt", "status": "ok", "duration_ms": 2}\\n'
    ...     "not json\\n"
    ... )
    >>> result = summary(log).to_dict()
    >>> result["malformed"], result["rows"][0]["calls"], result["rows"][0]["p50_ms"]
    (1, 1, 2.0)
    """
    events: list[dict[str, Any]] = []
    lines = malformed = 0
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            if not line.strip():
                continue
            lines += 1
            event = _event(line)
            if event is None:
                malformed += 1
            else:
                events.append(event)
    frame = pd.DataFrame(events, columns=["event", "name", "status", "duration_ms"])
    frame["duration_ms"] = frame["duration_ms"].astype("float64")
    frame["error"] = frame["status"] == "error"
    frame["fallback"] = frame["status"] == "fallback"
    grouped = frame.groupby(["event", "name"], sort=True)
    durations = grouped["duration_ms"]
    table = pd.DataFrame(
        {
            "calls": grouped.size(),
            "error_rate": grouped["error"].mean(),
            "fallback_rate": grouped["fallback"].mean(),
            "p50_ms": durations.quantile(0.5),
            "p95_ms": durations.quantile(0.95),
            "p99_ms": durations.quantile(0.99),
        },
        columns=list(METRICS),
    )
    table = table.round(3).reset_index()
    table["calls"] = table["calls"].astype(int)
    return Summary(table=table, lines=lines, malformed=malformed)
