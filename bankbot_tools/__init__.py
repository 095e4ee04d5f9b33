"""bankbot-tools: domain-logic plugins behind a banking voicebot.

The orchestrator awaits the async tool functions re-exported here; everything
else (the loan engine, plans, batch) is synchronous and pure.
"""

__version__ = "0.1.0"

from bankbot_tools.tools import calculate_payment, dispatch, generate_plan, get_prompt

__all__ = ["__version__", "calculate_payment", "dispatch", "generate_plan", "get_prompt"]
