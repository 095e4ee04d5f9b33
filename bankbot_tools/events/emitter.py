"""The one emitter of analytics events: one structured JSON event per invocation.

Every event carries the fields required by ``schema.json`` (printed by ``bankbot
analytics schema``): ``timestamp`` (ISO-8601 UTC ending in ``Z``), ``level``, ``event``,
``source``, ``tool`` or ``command``, ``status`` (ok, error, fallback), ``duration_ms``,
``error_type``, ``invocation_id``, ``run_id`` (shared by every event of one run, e.g. a
batch run's chunks and its command) and ``version``, plus non-identifying facts from
:mod:`bankbot_tools.events.facts`. Callers never pass raw identifiers, names or amounts.

Nothing is written until :func:`configure` is called, which only entry points do (the
CLI, or an orchestrator that wants the events); the global structlog configuration is
never touched. JSON lines are rendered here with the standard library (importing
structlog alone takes longer than the CLI's whole start-up budget); the console format
uses structlog's renderer. Counters per tool and status are kept in-process either way.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from bankbot_tools import __version__


class LogFormat(StrEnum):
    """How events are written: JSON lines, console lines for humans, or ``auto``.

    ``auto`` is JSON, except that nothing is written to a terminal: a person at a
    terminal reads the command's output, and log shippers read a pipe or a log file.
    """

    AUTO = "auto"
    JSON = "json"
    CONSOLE = "console"


class Status(StrEnum):
    """The outcome of one invocation."""

    OK = "ok"
    ERROR = "error"
    FALLBACK = "fallback"


Renderer = Callable[[dict[str, Any]], str]

_counters: Counter[tuple[str, str]] = Counter()
_writer: Callable[[str], None] | None = None
_render: Renderer | None = None
#: The log file :func:`configure` opened itself (closed when configured again).
_log_file: TextIO | None = None
_run_id: ContextVar[str | None] = ContextVar("bankbot_run_id", default=None)


def _new_id() -> str:
    return uuid.uuid4().hex


def run_id() -> str:
    """The current run's id (one per process unless :func:`new_run` starts another)."""
    current = _run_id.get()
    if current is None:
        current = _new_id()
        _run_id.set(current)
    return current


def new_run() -> str:
    """Start a new run in this context: the events that follow share a fresh ``run_id``."""
    current = _new_id()
    _run_id.set(current)
    return current


def render_json(event: dict[str, Any]) -> str:
    """One event as a JSON line, keys sorted (what structlog's JSONRenderer writes).

    >>> render_json({"event": "x", "level": "info"})
    '{"event": "x", "level": "info"}'
    """
    return json.dumps(event, sort_keys=True, default=str)


def _console_renderer() -> Renderer:
    import structlog

    renderer = structlog.dev.ConsoleRenderer(colors=False)

    def render(event: dict[str, Any]) -> str:
        return str(renderer(None, event.get("level", "info"), dict(event)))

    return render


def _to_stderr(text: str) -> None:
    # The stream is looked up per event, never kept: a test runner's capture or a
    # redirected stderr may have been swapped in (and closed) since configure.
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def configure(
    log_format: LogFormat = LogFormat.JSON,
    log_file: Path | None = None,
    stream: TextIO | None = None,
) -> None:
    """Send events to ``log_file`` (appending), else ``stream``, else stderr.

    With ``LogFormat.AUTO`` nothing goes to stderr when it is a terminal. A log file
    opened by an earlier call is closed; a ``stream`` is the caller's and never closed.
    """
    global _writer, _render, _log_file
    opened = None
    writer: Callable[[str], None] | None
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        opened = log_file.open("a", encoding="utf-8")  # open until configured again
        writer = _line_writer(opened)
    elif stream is not None:
        writer = _line_writer(stream)
    elif log_format is LogFormat.AUTO and sys.stderr.isatty():
        writer = None
    else:
        writer = _to_stderr
    _render = _console_renderer() if log_format is LogFormat.CONSOLE else render_json
    _writer = writer
    previous, _log_file = _log_file, opened
    if previous is not None:  # after the switch, so no event goes to a closed file
        previous.close()


def _line_writer(out: TextIO) -> Callable[[str], None]:
    def write(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    return write


def is_configured() -> bool:
    """True once :func:`configure` has chosen where events go."""
    return _render is not None


def emit(event: str, *, source: str, duration_ms: float, **fields: Any) -> None:
    """Write one event (if configured) and count it by tool/command and status.

    The one function every event goes through. ``status`` defaults to ``ok``,
    ``error_type`` to null, ``level`` follows the status; ``invocation_id``,
    ``run_id``, ``version`` and ``timestamp`` are added.
    """
    status = str(fields.pop("status", Status.OK))
    document: dict[str, Any] = {
        "event": event,
        "source": source,
        "duration_ms": duration_ms,
        "status": status,
        "error_type": None,
        "level": "error" if status == Status.ERROR else "info",
        "invocation_id": _new_id(),
        "run_id": run_id(),
        "version": __version__,
        **fields,
    }
    name = str(document.get("tool") or document.get("command") or event)
    _counters[(name, status)] += 1
    if _writer is not None and _render is not None:
        now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        document["timestamp"] = now
        _writer(_render(document))


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
    """Emit one invocation event timed from ``started`` (a ``time.perf_counter()`` value)."""
    emit(
        event,
        source=source,
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
