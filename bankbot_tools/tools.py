"""Async tool functions the voicebot's orchestrator awaits, and the LLM tool dispatcher.

The tool functions are thin wrappers over the synchronous core: parse and validate,
compute, shape the result. Bad input raises ``ValueError`` naming the field.

:func:`dispatch` is what the orchestrator calls with a model's tool call: it never
raises for bad model output, and answers ``{"ok": true, "result": {...}}`` or
``{"ok": false, "error": {"type", "message", "field"}}``, emitting one
``tool.invoked`` event either way.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, Final, Generic, TypeVar

from bankbot_tools import compliance, events, schemas
from bankbot_tools.amortization import amortize
from bankbot_tools.call_window import CallWindow, CallWindowClosed, check_call_window
from bankbot_tools.compliance import RenderedPrompt, render_prompt, resolve_locale
from bankbot_tools.documents import (
    loan_document,
    plan_document,
    rate_float,
    schedule_rows,
    segment_rows,
)
from bankbot_tools.flows import DEFAULT_LOCALE
from bankbot_tools.loan import ANNUAL_RATE, LoanTerms
from bankbot_tools.money import cents_to_float
from bankbot_tools.plans import Plan, PlanTerms, build_plan
from bankbot_tools.speech import DEFAULT_CURRENCY, spell_amount, spell_rate, validate_currency

Validated = TypeVar("Validated")


async def calculate_payment(
    principal: object, annual_rate: object, months: object
) -> tuple[float, list[dict[str, Any]]]:
    """Monthly payment and full schedule of a fixed-rate loan.

    Rows are ``{month, payment, interest, principal, balance}`` with money as
    two-decimal numbers; the last balance is exactly 0.0.
    """
    result = amortize(LoanTerms.parse(principal, annual_rate, months))
    return cents_to_float(result.monthly_payment), schedule_rows(result)


async def generate_plan(
    principal: object,
    rates: Sequence[object],
    terms: Sequence[object],
    extra: object = 0.0,
) -> list[dict[str, Any]]:
    """Segments of a multi-rate plan: one row per rate period.

    Each row has ``segment, rate, months, payment, interest, principal,
    ending_balance``; the payment is re-amortized at each rate change.
    """
    return segment_rows(build_plan(PlanTerms.parse(principal, rates, terms, extra)))


async def get_prompt(
    flow_type: str, params: Mapping[str, object] | None = None, locale: str = DEFAULT_LOCALE
) -> str:
    """The prompt text of a compliance flow, the seed API the orchestrator awaits.

    A thin async wrapper over :func:`bankbot_tools.compliance.get_prompt`; the LLM tool's
    richer answer (provenance, ``spoken_text``, fallback) is :func:`prompt_tool`.
    """
    return compliance.get_prompt(flow_type, params, locale)


async def prompt_tool(
    flow: str, params: Mapping[str, object] | None = None, locale: str | None = None
) -> dict[str, Any]:
    """The ``get_prompt`` LLM tool: a compliance prompt with its provenance, ``spoken_text``
    ready for text-to-speech.

    A missing or invalid param gives the flow's safe fallback text with
    ``fallback: true`` and a ``fallback_reason``; an unknown flow is a ``ValueError``.
    """
    return _prompt(flow, params, locale)[0]


async def call_window(time_zone: str, at: object = None) -> dict[str, Any]:
    """The ``call_window`` LLM tool: is a collection call permitted at ``at`` (default now)?

    An unknown time zone or an instant without an offset is a ``ValueError``.
    """
    return _call_window(time_zone, at)[0]


def _call_window(time_zone: object, at: object = None) -> tuple[dict[str, Any], CallWindow]:
    window = check_call_window(time_zone, at)
    return window.to_dict(), window


def _call_window_facts(window: CallWindow) -> dict[str, Any]:
    """Non-identifying facts: the zone and the answer, not the instant."""
    return {"time_zone": window.time_zone, "permitted": window.permitted}


def _locale(locale: object) -> str:
    """The requested locale, ``en-US`` for null; anything but a string is a ``ValueError``.

    An unknown locale string is kept: it falls back along the documented chain.
    """
    if locale is None:
        return DEFAULT_LOCALE
    if not isinstance(locale, str):
        raise ValueError(f"locale must be a locale string such as en-US (got {locale!r})")
    return locale


class _Voice:
    """Spells amounts and rates in one locale and currency."""

    def __init__(self, locale: object, currency: object) -> None:
        self.locale = resolve_locale(_locale(locale))
        self.currency = validate_currency(DEFAULT_CURRENCY if currency is None else currency)

    def amount(self, cents: int) -> str:
        return spell_amount(cents, self.currency, self.locale)

    def rate(self, rate_ppm: int) -> str:
        return spell_rate(ANNUAL_RATE.decimal(rate_ppm), self.locale, apr=False)


def _payment(
    principal: object,
    annual_rate: object,
    months: object,
    locale: object = None,
    currency: object = None,
) -> tuple[dict[str, Any], LoanTerms]:
    """The payment answer and the validated terms it was computed from."""
    terms = LoanTerms.parse(principal, annual_rate, months)
    voice = _Voice(locale, currency)
    result = amortize(terms)
    answer = {
        "principal": cents_to_float(terms.principal_cents),
        "annual_rate": rate_float(terms.rate_ppm),
        "months": terms.months,
        **loan_document(result, with_schedule=False),
        "currency": voice.currency,
        "locale": voice.locale,
        "spoken": {
            "monthly_payment": voice.amount(result.monthly_payment),
            "last_payment": voice.amount(result.last_payment),
            "total_interest": voice.amount(result.total_interest),
            "total_paid": voice.amount(result.total_paid),
            "annual_rate": voice.rate(terms.rate_ppm),
        },
    }
    return answer, terms


def _plan(
    principal: object,
    rates: Sequence[object],
    terms: Sequence[object],
    extra: object = None,
    locale: object = None,
    currency: object = None,
) -> tuple[dict[str, Any], Plan]:
    """The plan answer and the validated plan it was built from."""
    plan_terms = PlanTerms.parse(principal, rates, terms, 0 if extra is None else extra)
    voice = _Voice(locale, currency)
    plan = build_plan(plan_terms)
    answer = {
        **plan_document(plan),
        "currency": voice.currency,
        "locale": voice.locale,
        "spoken": {
            "payments": [voice.amount(segment.payment) for segment in plan.segments],
            "total_interest": voice.amount(plan.total_interest),
            "total_paid": voice.amount(plan.total_paid),
            "interest_saved": voice.amount(plan.interest_saved),
        },
    }
    return answer, plan


def _prompt(
    flow: str, params: Mapping[str, object] | None = None, locale: str | None = None
) -> tuple[dict[str, Any], RenderedPrompt]:
    """The prompt answer and the rendered prompt it came from."""
    prompt = render_prompt(flow, params, _locale(locale) or DEFAULT_LOCALE)
    return prompt.to_dict(), prompt


def _payment_facts(terms: LoanTerms) -> dict[str, Any]:
    """Non-identifying facts of a payment: term, rate and amount bucket, from the exact terms."""
    return {
        "term_months": terms.months,
        "rate": rate_float(terms.rate_ppm),
        "amount_bucket": events.amount_bucket(terms.principal_cents),
    }


def _plan_facts(plan: Plan) -> dict[str, Any]:
    """Non-identifying facts of a plan: total term, segments and amount bucket."""
    return {
        "term_months": sum(segment.months for segment in plan.segments),
        "segments": len(plan.segments),
        "amount_bucket": events.amount_bucket(plan.terms.principal_cents),
    }


def _prompt_facts(prompt: RenderedPrompt) -> dict[str, Any]:
    """Non-identifying facts of a prompt: flow, template, its version and locale."""
    return {
        "flow": prompt.flow,
        "template_id": prompt.template_id,
        "template_version": prompt.version,
        "locale": prompt.locale,
    }


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
        Tool("calculate_payment", _payment, _payment_facts),
        Tool("generate_plan", _plan, _plan_facts),
        Tool("get_prompt", _prompt, _prompt_facts),
        Tool("call_window", _call_window, _call_window_facts),
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
