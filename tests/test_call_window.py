"""Calling hours of collection calls (12 CFR 1006.6(b)(1)(i)): function and LLM tool."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bankbot_tools.api import call_window
from bankbot_tools.compliance.call_window import check_call_window
from bankbot_tools.llm.dispatch import dispatch


@pytest.mark.parametrize(
    ("zone", "at", "permitted"),
    [
        ("America/Chicago", "2026-03-04T14:00:00Z", True),  # 08:00 local: opens
        ("America/Chicago", "2026-03-04T13:59:59Z", False),  # 07:59:59
        ("America/Chicago", "2026-03-05T03:00:00Z", True),  # 21:00 local: still permitted
        ("America/Chicago", "2026-03-05T03:00:01Z", False),  # after 9 p.m.
        ("America/Los_Angeles", "2026-03-04T15:00:00Z", False),  # 07:00 local
        ("Pacific/Honolulu", "2026-03-05T06:00:00Z", True),  # 20:00 local
        ("America/New_York", "2026-03-08T12:30:00+00:00", True),  # DST day, 08:30 EDT
    ],
)
def test_window_is_eight_to_nine_local(zone: str, at: str, permitted: bool) -> None:
    """8:00 a.m. through 9:00 p.m. in the consumer's zone is permitted, DST included."""
    assert check_call_window(zone, at).permitted is permitted


def test_closed_window_says_when_it_opens() -> None:
    """Outside the window the answer gives the next 8 a.m. local."""
    window = check_call_window("America/Chicago", "2026-03-04T03:30:00Z")
    assert window.local_time.hour == 21 and window.next_opens is not None
    assert window.next_opens.isoformat() == "2026-03-04T08:00:00-06:00"


@pytest.mark.parametrize("zone", ["Mars/Base", "", "../etc/passwd", None, 5, "x" * 100])
def test_unknown_zone_is_a_clear_error(zone: object) -> None:
    """An unknown zone is a ValueError saying what to send."""
    with pytest.raises(ValueError, match=r"unknown time zone.*IANA name"):
        check_call_window(zone)


def test_naive_instant_is_refused() -> None:
    """An instant without an offset is ambiguous and refused."""
    with pytest.raises(ValueError, match="UTC offset"):
        check_call_window("UTC", datetime(2026, 3, 4, 12))
    assert check_call_window("UTC", datetime(2026, 3, 4, 12, tzinfo=UTC)).permitted


async def test_tool_function_and_dispatch() -> None:
    """call_window is a tool: the async function and dispatch answer the same document."""
    direct = await call_window("America/Chicago", "2026-03-04T15:00:00Z")
    answer = await dispatch(
        "call_window", {"time_zone": "America/Chicago", "at": "2026-03-04T15:00:00Z"}
    )
    assert answer == {"ok": True, "result": direct} and direct["permitted"] is True
    bad = await dispatch("call_window", {"time_zone": "Nowhere/Land", "at": None})
    assert bad["error"]["type"] == "invalid_value" and bad["error"]["field"] == "time_zone"


async def test_get_prompt_outside_hours_is_not_permitted() -> None:
    """A collection prompt outside the consumer's hours is refused as not_permitted."""
    params = {"contact": "first", "right_party": "confirmed", "consumer_time_zone": "Etc/GMT+12"}
    answer = await dispatch("get_prompt", {"flow": "mini_miranda", "params": params})
    if check_call_window("Etc/GMT+12").permitted:
        assert answer["ok"] is True
    else:
        assert answer["error"]["type"] == "not_permitted"
