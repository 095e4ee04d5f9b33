"""Shared fixtures and Hypothesis settings."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from bankbot_tools.events import emitter as emit

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def no_event_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with events unconfigured, whatever ran before.

    The log file is set aside too, so a test's configure cannot close the file of the
    logger restored after it.
    """
    monkeypatch.setattr(emit, "_writer", None)
    monkeypatch.setattr(emit, "_render", None)
    monkeypatch.setattr(emit, "_log_file", None)


@pytest.fixture
def runner() -> CliRunner:
    """A Typer CliRunner."""
    return CliRunner()
