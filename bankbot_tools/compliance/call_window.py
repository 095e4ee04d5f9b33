"""Calling hours of collection calls: 8 a.m. to 9 p.m. in the consumer's time zone.

Regulation F (12 CFR 1006.6(b)(1)(i)) presumes a communication before 8:00 a.m. or after
9:00 p.m. local time at the consumer's location inconvenient. Zones are IANA names
(``America/Chicago``) resolved with ``zoneinfo``; the ``tzdata`` package supplies the database
where the system has none (slim images, Windows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "CITATION",
    "CallWindow",
    "CallWindowClosed",
    "check_call_window",
    "parse_instant",
    "zone",
]

OPENS: Final = time(8, 0)
CLOSES: Final = time(21, 0)
CITATION: Final = "12 CFR 1006.6(b)(1)(i)"


class CallWindowClosed(ValueError):
    """A collection prompt was asked for outside the consumer's permitted calling hours."""


@dataclass(frozen=True)
class CallWindow:
    """Whether a collection call is permitted at an instant, in the consumer's local time."""

    time_zone: str
    at: datetime
    local_time: datetime
    permitted: bool
    next_opens: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON; instants as ISO 8601.

        >>> check_call_window("America/Chicago", "2026-03-04T15:00:00Z").to_dict()["permitted"]
        True
        """
        return {
            "time_zone": self.time_zone,
            "at": self.at.isoformat(),
            "local_time": self.local_time.isoformat(),
            "permitted": self.permitted,
            "window": f"{OPENS:%H:%M}-{CLOSES:%H:%M} local time",
            "next_opens": self.next_opens.isoformat() if self.next_opens else None,
            "citation": CITATION,
        }


def zone(name: object) -> ZoneInfo:
    """The IANA zone of that name; anything else is a ``ValueError`` saying what to send.

    >>> zone("America/Chicago").key
    'America/Chicago'
    """
    if isinstance(name, str) and name.strip() and len(name) <= 64:
        try:
            return ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            pass
    shown = str(name)[:64]
    raise ValueError(
        f"time_zone: unknown time zone {shown!r}; use an IANA name such as America/Chicago"
    )


def parse_instant(at: object) -> datetime:
    """An aware instant from a datetime or an ISO 8601 string with an offset (``Z`` allowed).

    >>> parse_instant("2026-03-04T15:00:00Z").isoformat()
    '2026-03-04T15:00:00+00:00'
    """
    value = at
    if isinstance(at, str):
        try:
            value = datetime.fromisoformat(at.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise ValueError("at: must be an ISO 8601 date-time such as 2026-03-04T15:00:00Z")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("at: must include a UTC offset, such as Z or -06:00")
    return value


def check_call_window(time_zone: object, at: object = None) -> CallWindow:
    """Is a collection call permitted at ``at`` (default: now) in ``time_zone``?

    8:00 a.m. through 9:00 p.m. local time is permitted; an unknown zone is a ``ValueError``.

    >>> check_call_window("America/Chicago", "2026-03-04T03:30:00Z").permitted  # 21:30 local
    False
    """
    tz = zone(time_zone)
    instant = datetime.now(UTC) if at is None else parse_instant(at)
    local = instant.astimezone(tz)
    permitted = OPENS <= local.time() <= CLOSES
    next_opens = None
    if not permitted:
        day = local.date() if local.time() < OPENS else local.date() + timedelta(days=1)
        next_opens = datetime.combine(day, OPENS, tzinfo=tz)
    return CallWindow(tz.key, instant, local, permitted, next_opens)
