"""The event schema shipped with the package (``schema.json``), as a document."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def event_schema() -> dict[str, Any]:
    """The JSON Schema every analytics event validates against.

    >>> sorted(event_schema()["properties"]["source"]["enum"])
    ['batch', 'cli', 'tool']
    """
    text = files("bankbot_tools.events").joinpath("schema.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document
