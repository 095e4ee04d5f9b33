"""Governance of the prompt templates: each wording is hashed, versioned, approved and cited.

A template's ``sha256`` is the hash of its wording (text, fallback, fragments, labels and
variants, as canonical JSON). ``prompts/ledger.json`` records the hash released under every
``id@version``; :func:`governance_problems` fails when a wording changed but its stored hash
did not, or when a hash changed under an ``id@version`` already released (a new wording needs
a new version). ``bankbot compliance-test --all`` runs it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any, Final

__all__ = ["WORDING_KEYS", "governance_problems", "ledger", "wording_hash"]

WORDING_KEYS: Final = ("text", "fallback", "fragments", "labels", "variants")
_META_KEYS: Final = ("approver", "approved", "effective")
_VERSION: Final = re.compile(r"^[0-9]+\.[0-9]+(\.[0-9]+)?$")


def wording_hash(raw: Mapping[str, Any]) -> str:
    """sha256 of a template's wording as canonical JSON (sorted keys, UTF-8).

    >>> wording_hash({"text": "Hi", "fallback": "Hi"})[:12]
    '4d2043dd683e'
    """
    wording = {key: raw.get(key) for key in WORDING_KEYS if raw.get(key) is not None}
    canonical = json.dumps(wording, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@cache
def ledger() -> dict[str, str]:
    """The released hashes, ``id@version -> sha256``, shipped in ``prompts/ledger.json``."""
    text = (files("bankbot_tools.compliance") / "prompts" / "ledger.json").read_text("utf-8")
    document: dict[str, str] = json.loads(text)["released"]
    return document


def _date(raw: Mapping[str, Any], key: str) -> date | None:
    value = raw.get(key)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def governance_problems(raw: Mapping[str, Any], released: Mapping[str, str]) -> list[str]:
    """What is wrong with one template's governance record; empty when it is in order.

    >>> governance_problems({"id": "x", "version": "1.0.0", "text": "Hi"}, {})[0]
    'approver: must be a non-empty string'
    """
    problems = []
    if not (isinstance(raw.get("approver"), str) and raw["approver"].strip()):
        problems.append("approver: must be a non-empty string")
    approved, effective = _date(raw, "approved"), _date(raw, "effective")
    if approved is None or effective is None:
        problems.append("approved and effective: must be ISO dates")
    elif effective < approved:
        problems.append("effective: must not be before approved")
    version = raw.get("version")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        problems.append("version: must look like 1.2.0")
    citations = raw.get("citations")
    if not (
        isinstance(citations, list)
        and citations
        and all(
            isinstance(c, Mapping)
            and isinstance(c.get("rule"), str)
            and isinstance(c.get("source"), str)
            and c["rule"].strip()
            and c["source"].strip()
            for c in citations
        )
    ):
        problems.append("citations: must be a non-empty list of {rule, source}")
    actual = wording_hash(raw)
    if raw.get("sha256") != actual:
        problems.append(
            f"sha256: the wording changed (now {actual}); give it a new version and hash"
        )
    key = f"{raw.get('id')}@{version}"
    if key not in released:
        problems.append(f"ledger: {key} is not in prompts/ledger.json")
    elif released[key] != raw.get("sha256"):
        problems.append(f"ledger: {key} was released with another wording; bump the version")
    return problems
