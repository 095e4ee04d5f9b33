"""Tool-schema dialects, apart from the schemas so the CLI can name them without importing them."""

from __future__ import annotations

from enum import StrEnum


class SchemaFormat(StrEnum):
    """Export flavour: Mistral's tools list, or the same with ``strict: true`` for OpenAI."""

    MISTRAL = "mistral"
    OPENAI = "openai"
