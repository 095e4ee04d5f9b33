"""The LLM tool registry and dispatcher: one model tool call in, one JSON answer out.

:func:`dispatch` is what the orchestrator calls with a model's tool call: it never
raises for bad model output, and answers ``{"ok": true, "result": {...}}`` or
``{"ok": false, "error": {"type", "message", "field"}}``, emitting one
``tool.invoked`` event either way.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, Final, Generic, TypeVar

from bankbot_tools import events
from bankbot_tools.compliance.call_window import CallWindowClosed
from bankbot_tools.events.facts import call_window_facts, loan_facts, plan_facts, prompt_facts
from bankbot_tools.llm import schemas
from bankbot_tools.llm.answers import (
    call_window_answer,
    payment_answer,
    plan_answer,
    prompt_answer,
)

Validated = TypeVar("Validated")


@dataclass(frozen=True)
class Tool(Generic[Validated]):
    """One LLM tool: its synchronous core, the schema the model sees, and its event facts.

    ``run`` answers a call with the result dict and the validated input it computed
    from; ``facts`` turns that validated input (integer units) into the event's facts.
    """

    name: str
    run: Callable[..., tuple[dict[str, Any], Validated]]
    facts: Callable[[Validated], dict[str, Any]]

    @property
    def description(self) -> str:
        """What the model reads about the tool."""
        return schemas.TOOLS[self.name][0]

    @property
    def parameters(self) -> dict[str, Any]:
        """JSON schema of the tool's arguments."""
        return schemas.TOOLS[self.name][1]

    @cached_property
    def optional(self) -> frozenset[str]:
        """Parameters the model may send as null or leave out."""
        return frozenset(
            name
            for name, schema in self.parameters["properties"].items()
            if "null" in schema.get("type", ())
        )


#: The registry: tool name -> tool, in the schemas' export order.
TOOLS: Final[dict[str, Tool[Any]]] = {
    tool.name: tool
    for tool in (
        Tool("calculate_payment", payment_answer, loan_facts),
        Tool("generate_plan", plan_answer, plan_facts),
        Tool("get_prompt", prompt_answer, prompt_facts),
        Tool("call_window", call_window_answer, call_window_facts),
    )
}


class ErrorType(StrEnum):
    """Why a tool call failed; the model can act on each differently."""

    UNKNOWN_TOOL = "unknown_tool"
    INVALID_JSON = "invalid_json"
    INVALID_ARGUMENTS = "invalid_arguments"
    MISSING_ARGUMENT = "missing_argument"
    UNEXPECTED_ARGUMENT = "unexpected_argument"
    INVALID_VALUE = "invalid_value"
    NOT_PERMITTED = "not_permitted"
    INTERNAL_ERROR = "internal_error"


class ToolCallError(Exception):
    """A tool call the dispatcher refuses, with the structured error it answers."""

    def __init__(self, kind: ErrorType, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        """The ``error`` object of a failed answer."""
        return {"type": str(self.kind), "message": self.message, "field": self.field}


_LEADING_FIELD: Final = re.compile(r"^([A-Za-z_]\w*)(\[\d+\])?")


def field_of(tool: Tool[Any], message: str) -> str | None:
    """The argument a core error is about: its leading name, else the first one it mentions.

    Core messages start with the field (``"months must be ..."``, ``"rates[1]: ..."``).

    >>> field_of(TOOLS["generate_plan"], "rates[1]: annual_rate must be < 1 (got 7)")
    'rates[1]'
    >>> field_of(TOOLS["get_prompt"], "unknown flow 'kyx'; known flows: kyc")
    'flow'
    """
    names = tool.parameters["properties"]
    leading = _LEADING_FIELD.match(message)
    if leading and leading.group(1) in names:
        return leading.group(0)
    mentioned = (name for name in names if re.search(rf"\b{name}\b", message))
    return next(mentioned, None)


def _parse(tool: Tool[Any], arguments: object) -> dict[str, Any]:
    """The call's keyword arguments, or a ``ToolCallError`` the model can act on."""
    fields = ", ".join(f'"{name}": ...' for name in tool.parameters["required"])
    example = f"JSON object such as {{{fields}}}"
    if isinstance(arguments, bytes | bytearray):
        arguments = arguments.decode("utf-8", errors="replace")
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except (ValueError, RecursionError) as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else "too large or deep"
            raise ToolCallError(
                ErrorType.INVALID_JSON,
                f"arguments are not valid JSON ({reason}); send one complete {example}",
            ) from None
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, Mapping):
        raise ToolCallError(
            ErrorType.INVALID_ARGUMENTS,
            f"arguments must be a JSON object, got {type(arguments).__name__}; send a {example}",
        )
    properties = tool.parameters["properties"]
    unexpected = sorted(str(key) for key in arguments if key not in properties)
    if unexpected:
        raise ToolCallError(
            ErrorType.UNEXPECTED_ARGUMENT,
            f"unexpected argument(s) {', '.join(unexpected)}; {tool.name} takes only"
            f" {', '.join(properties)}",
            unexpected[0],
        )
    missing = [name for name in properties if name not in arguments and name not in tool.optional]
    if missing:
        raise ToolCallError(
            ErrorType.MISSING_ARGUMENT,
            f"missing required argument(s) {', '.join(missing)}; send a {example}",
            missing[0],
        )
    return {str(key): value for key, value in arguments.items()}


def _call(tool: Tool[Any] | None, name: object, arguments: object) -> tuple[dict[str, Any], Any]:
    if tool is None:
        raise ToolCallError(
            ErrorType.UNKNOWN_TOOL,
            f"unknown tool {str(name)[:64]!r}; available tools: {', '.join(TOOLS)}",
        )
    try:
        return tool.run(**_parse(tool, arguments))
    except CallWindowClosed as error:
        raise ToolCallError(ErrorType.NOT_PERMITTED, str(error), "params") from None
    except (ValueError, TypeError) as error:
        message = str(error)
        raise ToolCallError(ErrorType.INVALID_VALUE, message, field_of(tool, message)) from None


def _facts_of(tool: Tool[Any], validated: object) -> dict[str, Any]:
    """The event facts of an answered call; a failure here must not cost the caller the answer."""
    try:
        return tool.facts(validated)
    except Exception as error:  # the event records it, the answer stands
        return {"facts_error": type(error).__name__}


async def dispatch(name: str, arguments: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """Run one tool call from the model and answer with a JSON-serializable dict.

    ``arguments`` is the JSON string of ``tool_calls[].function.arguments`` (or an
    already-parsed object). Never raises for bad model output: an unknown tool,
    malformed JSON, a missing or unexpected argument or a value the core rejects
    all come back as ``{"ok": false, "error": {"type", "message", "field"}}``.
    """
    started = time.perf_counter()
    tool = TOOLS.get(name) if isinstance(name, str) else None
    facts: dict[str, Any] = {"tool": tool.name if tool else "unknown"}
    try:
        result, validated = _call(tool, name, arguments)
    except ToolCallError as error:
        answer: dict[str, Any] = {"ok": False, "error": error.to_dict()}
        facts.update(status=events.Status.ERROR, error_type=str(error.kind))
    except Exception as error:  # a bug must not crash the voice call; the event records it
        answer = {
            "ok": False,
            "error": {
                "type": str(ErrorType.INTERNAL_ERROR),
                "message": "the tool failed unexpectedly; do not retry, tell the caller",
                "field": None,
            },
        }
        facts.update(status=events.Status.ERROR, error_type=type(error).__name__)
    else:
        answer = {"ok": True, "result": result}
        assert tool is not None
        facts.update(_facts_of(tool, validated))
        if result.get("fallback"):
            facts["status"] = events.Status.FALLBACK
    events.record("tool.invoked", source="tool", started=started, **facts)
    return answer


def tool_message(tool_call_id: str, name: str, answer: Mapping[str, Any]) -> dict[str, str]:
    """The ``role: "tool"`` message that carries a dispatch answer back to the model.

    >>> tool_message("call_1", "get_prompt", {"ok": True, "result": {}})["content"]
    '{"ok":true,"result":{}}'
    """
    return {
        "role": "tool",
        "tool_call_id": tool_call_id,
        "name": name,
        "content": json.dumps(answer, ensure_ascii=False, separators=(",", ":")),
    }
