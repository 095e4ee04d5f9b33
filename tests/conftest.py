"""Shared fixtures and Hypothesis settings."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def runner() -> CliRunner:
    """A Typer CliRunner."""
    return CliRunner()
