"""bankbot-tools: domain-logic plugins behind a banking voicebot.

The package root exports the seed's API: the async tool functions the orchestrator awaits
(``calculate_payment``, ``generate_plan``), the synchronous ``get_prompt`` and
``generate_payment_plan``, and ``dispatch`` for a model's tool call. They are imported on
first use, so ``import bankbot_tools`` (and ``bankbot --version``) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "calculate_payment",
    "dispatch",
    "generate_payment_plan",
    "generate_plan",
    "get_prompt",
]

_HOMES = {
    "calculate_payment": "bankbot_tools.api",
    "generate_plan": "bankbot_tools.api",
    "generate_payment_plan": "bankbot_tools.api",
    "get_prompt": "bankbot_tools.api",
    "dispatch": "bankbot_tools.llm.dispatch",
}

if TYPE_CHECKING:
    from bankbot_tools.api import (
        calculate_payment,
        generate_payment_plan,
        generate_plan,
        get_prompt,
    )
    from bankbot_tools.llm.dispatch import dispatch


def __getattr__(name: str) -> Any:
    """Import a seed function from its home module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'bankbot_tools' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(home), name)
