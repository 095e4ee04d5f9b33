"""Event-log summaries: per-tool rates and duration percentiles; malformed lines skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bankbot_tools.events import summary as analytics


def _log(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _event(name: str, status: str, duration: float, key: str = "tool") -> str:
    kind = "tool.invoked" if key == "tool" else "cli.command"
    return json.dumps({"event": kind, key: name, "status": status, "duration_ms": duration})


def test_rates_and_percentiles_per_tool(tmp_path: Path) -> None:
    """Calls, error rate, fallback rate and p50/p95/p99 are computed per tool."""
    lines = [_event("calculate_payment", "ok", float(ms)) for ms in range(1, 9)]
    lines += [_event("calculate_payment", "error", 9.0), _event("calculate_payment", "error", 10.0)]
    lines += [_event("get_prompt", "fallback", 4.0), _event("get_prompt", "ok", 2.0)]
    result = analytics.summary(_log(tmp_path, lines))
    rows = {row["name"]: row for row in result.to_dict()["rows"]}
    payment = rows["calculate_payment"]
    assert (payment["calls"], payment["error_rate"], payment["fallback_rate"]) == (10, 0.2, 0.0)
    assert payment["p50_ms"] == 5.5
    assert payment["p95_ms"] == pytest.approx(9.55)
    assert payment["p99_ms"] == pytest.approx(9.91)
    assert (rows["get_prompt"]["fallback_rate"], rows["get_prompt"]["p50_ms"]) == (0.5, 3.0)


def test_malformed_lines_are_counted_and_skipped(tmp_path: Path) -> None:
    """Non-JSON, non-object and nameless or statusless lines count as malformed; blanks don't."""
    lines = [
        _event("loan-calc", "ok", 3.0, key="command"),
        '{"event": "cli.command", "command": "loan-calc", "stat',
        "[1, 2]",
        '{"event": "cli.command", "status": "ok"}',
        '{"event": "cli.command", "command": "loan-calc"}',
        "",
        _event("loan-calc", "error", 1.0, key="command"),
    ]
    result = analytics.summary(_log(tmp_path, lines))
    assert (result.lines, result.malformed) == (6, 4)
    (row,) = result.to_dict()["rows"]
    assert (row["event"], row["name"], row["calls"], row["error_rate"]) == (
        "cli.command",
        "loan-calc",
        2,
        0.5,
    )


def test_missing_durations_give_null_percentiles(tmp_path: Path) -> None:
    """An event without a numeric duration still counts as a call; its percentiles are null."""
    line = json.dumps({"event": "batch.run", "command": "batch run", "status": "ok"})
    (row,) = analytics.summary(_log(tmp_path, [line])).to_dict()["rows"]
    assert row["calls"] == 1 and row["p50_ms"] is None


def test_empty_log_gives_empty_summary(tmp_path: Path) -> None:
    """An empty log has no rows and nothing malformed, and still serializes."""
    path = tmp_path / "events.jsonl"
    path.write_text("", encoding="utf-8")
    document = analytics.summary(path).to_dict()
    assert document == {"lines": 0, "malformed": 0, "rows": []}
    json.dumps(document, allow_nan=False)
