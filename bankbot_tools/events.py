"""Analytics events: one structured JSON event per invocation.

Every event has the same fields: ``timestamp`` (ISO-8601 UTC ending in ``Z``),
``level``, ``event``, ``tool`` or ``command``, ``source`` (cli, tool, batch),
``status`` (ok, error, fallback), ``duration_ms``, ``error_type``,
``invocation_id`` and ``version``, plus non-identifying facts (term months, rate,
amount bucket, rows). Callers never pass raw identifiers, names or exact amounts.

Nothing is written until :func:`configure` is called, which only entry points do
(the CLI, or an orchestrator that wants the events). The events go through a
private structlog logger, so the global structlog configuration is never touched
and a library user sees no output unless they configure. Counters per tool and
status are kept in-process either way.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO, cast

import structlog

from bankbot_tools import __version__


class LogFormat(StrEnum):
    """How events are written: one JSON object per line, or readable console lines."""

    JSON = "json"
    CONSOLE = "console"


class Status(StrEnum):
    """The outcome of one invocation."""

    OK = "ok"
    ERROR = "error"
    FALLBACK = "fallback"


_counters: Counter[tuple[str, str]] = Counter()
_logger: Any = None
#: The log file :func:`configure` opened itself (closed when configured again).
_log_file: TextIO | None = None


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is when an event is written, not when configured.

    So an event never goes to a stream that was swapped in and closed since (a test
    runner's capture, a redirected stderr).
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure(
    log_format: LogFormat = LogFormat.JSON,
    log_file: Path | None = None,
    stream: TextIO | None = None,
) -> None:
    """Send events to ``log_file`` (appending), else ``stream``, else stderr.

    Only this module's events are written; the global structlog configuration is
    left as the application set it. A log file opened by an earlier call is closed;
    a ``stream`` is the caller's and never closed here.
    """
    global _logger, _log_file
    out: TextIO = stream or cast(TextIO, _CurrentStderr())
    opened = None
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        out = opened = log_file.open("a", encoding="utf-8")  # open until configured again
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(sort_keys=True)
        if log_format is LogFormat.JSON
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    _logger = structlog.wrap_logger(
        structlog.WriteLogger(out),
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
    )
    previous, _log_file = _log_file, opened
    if previous is not None:  # after the switch, so no event goes to a closed file
        previous.close()


def is_configured() -> bool:
    """True once :func:`configure` has chosen where events go."""
    return _logger is not None


def emit(event: str, *, level: str = "info", **fields: Any) -> None:
    """Write one event (if configured) and count it by tool/command and status.

    ``status`` defaults to ``ok`` and ``error_type`` to null; ``version`` is added.
    """
    fields.setdefault("status", Status.OK)
    fields.setdefault("error_type", None)
    fields["status"] = str(fields["status"])
    name = str(fields.get("tool") or fields.get("command") or event)
    _counters[(name, fields["status"])] += 1
    if _logger is not None:
        fields.setdefault("version", __version__)
        getattr(_logger, level)(event, **fields)


def counters() -> dict[str, dict[str, int]]:
    """Events counted so far in this process, as ``{name: {status: count}}``."""
    table: dict[str, dict[str, int]] = {}
    for (name, status), count in sorted(_counters.items()):
        table.setdefault(name, {})[status] = count
    return table


def emitted() -> int:
    """How many events this process has emitted (counted even when not configured)."""
    return sum(_counters.values())


def record(event: str, *, source: str, started: float, **facts: Any) -> None:
    """Emit one invocation event timed from ``started`` (a ``time.perf_counter()`` value).

    The level is ``error`` when ``status`` is ``error``, else ``info``.
    """
    facts.setdefault("status", Status.OK)
    facts.setdefault("error_type", None)
    emit(
        event,
        level="error" if facts["status"] == Status.ERROR else "info",
        source=source,
        invocation_id=uuid.uuid4().hex,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
        **facts,
    )


@contextmanager
def invocation(event: str, *, source: str, **fields: Any) -> Iterator[dict[str, Any]]:
    """Time a block and emit exactly one event for it when it ends.

    The block may add non-identifying facts to the yielded dict, and set
    ``status`` (``ok``, ``error`` or ``fallback``). An exception leaving the block
    is recorded as ``status=error`` with its type, then re-raised.
    """
    facts: dict[str, Any] = {"status": Status.OK, "error_type": None, **fields}
    started = time.perf_counter()
    try:
        yield facts
    except BaseException as error:
        facts["status"] = Status.ERROR
        facts["error_type"] = type(error).__name__
        raise
    finally:
        record(event, source=source, started=started, **facts)


def amount_bucket(cents: int) -> str:
    """A coarse, non-identifying size class for an amount, for analytics.

    >>> amount_bucket(1_999_900), amount_bucket(25_000_000)
    ('10k-100k', '100k-1M')
    """
    bounds = (
        (100_000, "<1k"),
        (1_000_000, "1k-10k"),
        (10_000_000, "10k-100k"),
        (100_000_000, "100k-1M"),
    )
    for limit, label in bounds:
        if cents < limit:
            return label
    return ">=1M"
