"""Analytics events: one schema (``schema.json``), one emitter (:mod:`.emitter`), the facts
they carry (:mod:`.facts`) and the log reader (:mod:`.summary`, imports pandas)."""

from bankbot_tools.events.emitter import (
    LogFormat,
    Status,
    configure,
    counters,
    emit,
    emitted,
    invocation,
    is_configured,
    new_run,
    record,
    run_id,
)

__all__ = [
    "LogFormat",
    "Status",
    "configure",
    "counters",
    "emit",
    "emitted",
    "invocation",
    "is_configured",
    "new_run",
    "record",
    "run_id",
]
