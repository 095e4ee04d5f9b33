"""JSON schemas of the LLM tools, generated from the rule table and the compliance flows.

Bounds, types and descriptions of loan fields come from :mod:`bankbot_tools.rules`'s
``FieldSpec`` table; flows, params and enums from :data:`bankbot_tools.compliance.flows.FLOWS`.
Supported currencies come from :data:`bankbot_tools.speech.CURRENCIES`.
Nothing here restates a rule. The schemas follow Mistral's tools format and also meet
OpenAI's strict mode: ``additionalProperties: false``, every property required,
optional ones nullable, and only the keywords strict mode supports.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any, Final

from bankbot_tools.compliance.flows import (
    DEFAULT_LOCALE,
    FLOWS,
    LOCALES,
    TIME_ZONE_PATTERN,
    FlowSpec,
    ParamSpec,
)
from bankbot_tools.llm.formats import SchemaFormat
from bankbot_tools.rules import (
    ANNUAL_RATE,
    BALLOON,
    DAY_COUNT,
    EXTRA,
    FEES,
    FIRST_PAYMENT_DATE,
    FREQUENCY,
    INTEREST_ONLY_PERIODS,
    MONTHS,
    PAYMENTS,
    PRINCIPAL,
    START_DATE,
)
from bankbot_tools.speech import CURRENCIES, DEFAULT_CURRENCY

#: What a tool name must look like for both Mistral and OpenAI.
NAME_PATTERN: Final = r"^[a-zA-Z0-9_-]{1,64}$"

#: Keywords OpenAI strict mode accepts; tests check every schema uses only these.
STRICT_KEYWORDS: Final = frozenset(
    {
        "type",
        "description",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "anyOf",
        "items",
        "minItems",
        "maxItems",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)


def nullable(schema: Mapping[str, Any], when_null: str) -> dict[str, Any]:
    """The same schema also accepting ``null`` (strict mode's way to say optional)."""
    result = dict(schema)
    result["type"] = [schema["type"], "null"]
    if "enum" in schema:
        result["enum"] = [*schema["enum"], None]
    result["description"] = f"{schema['description']} {when_null}"
    return result


def _object(properties: Mapping[str, Mapping[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": dict(properties),
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }


_LOCALE = nullable(
    {
        "type": "string",
        "enum": list(LOCALES),
        "description": "Language of the spoken text, the caller's locale.",
    },
    f"Null for {DEFAULT_LOCALE}.",
)
_CURRENCY = nullable(
    {
        "type": "string",
        "enum": list(CURRENCIES),
        "description": "ISO 4217 code of the account currency, used to speak amounts.",
    },
    f"Null for {DEFAULT_CURRENCY}.",
)


def _param_schema(param: ParamSpec) -> dict[str, Any]:
    """A compliance param's schema with length limits moved into the description."""
    schema = param.to_json_schema()
    low, high = schema.pop("minLength", None), schema.pop("maxLength", None)
    if high is not None:
        schema["description"] += f" {low or 0} to {high} characters."
    if param.required:
        return schema
    return nullable(schema, "Null when not known.")


def _flow_params(flow: FlowSpec) -> dict[str, Any]:
    properties = {param.name: _param_schema(param) for param in flow.params}
    return _object(properties, description=f"Params of the {flow.name} flow.")


#: The optional loan terms a loan and a plan both take, after ``frequency``.
_SHAPES: Final = {
    "start_date": nullable(START_DATE.json_schema(), "Null for an undated schedule."),
    "first_payment_date": nullable(
        FIRST_PAYMENT_DATE.json_schema(), "Null for one period after start_date."
    ),
    "day_count": nullable(DAY_COUNT.json_schema(), f"Null for {DAY_COUNT.default}."),
    "interest_only_periods": nullable(INTEREST_ONLY_PERIODS.json_schema(), "Null for none."),
    "balloon": nullable(BALLOON.json_schema(), "Null for none."),
}
_FREQUENCY: Final = nullable(FREQUENCY.json_schema(), f"Null for {FREQUENCY.default}.")

CALCULATE_PAYMENT: Final = _object(
    {
        "principal": PRINCIPAL.json_schema(),
        "annual_rate": ANNUAL_RATE.json_schema(),
        "months": MONTHS.json_schema(),
        "payments": nullable(
            PAYMENTS.json_schema(), "Null to count them from months and the frequency."
        ),
        "frequency": _FREQUENCY,
        **_SHAPES,
        "fees": nullable(FEES.json_schema(), "Null for none."),
        "locale": _LOCALE,
        "currency": _CURRENCY,
    }
)

GENERATE_PLAN: Final = _object(
    {
        "principal": PRINCIPAL.json_schema(),
        "rates": {
            "type": "array",
            "minItems": 1,
            "items": ANNUAL_RATE.json_schema(),
            "description": "Annual rates as decimal fractions, one per segment in order,"
            " e.g. [0.07, 0.05, 0.03] for 7%, then 5%, then 3%. Same length as terms.",
        },
        "terms": {
            "type": "array",
            "minItems": 1,
            "items": PAYMENTS.json_schema(
                "Payments the segment at this position lasts (months when monthly)."
            ),
            "description": "Payments of each segment, same length as rates, e.g. [12, 12, 36]"
            f" monthly; together at most {MONTHS.max_units} months of payments.",
        },
        "extra": nullable(EXTRA.json_schema(), "Null for none."),
        "frequency": _FREQUENCY,
        **_SHAPES,
        "locale": _LOCALE,
        "currency": _CURRENCY,
    }
)

GET_PROMPT: Final = _object(
    {
        "flow": {
            "type": "string",
            "enum": list(FLOWS),
            "description": "Which compliance moment: "
            + " ".join(f"{name}: {flow.description}" for name, flow in FLOWS.items()),
        },
        "params": {
            "anyOf": [_flow_params(flow) for flow in FLOWS.values()],
            "description": "Values to fill in, the object for the chosen flow. Never invent"
            " them: use null for an optional value you do not know.",
        },
        "locale": _LOCALE,
    }
)

CALL_WINDOW: Final = _object(
    {
        "time_zone": {
            "type": "string",
            "pattern": TIME_ZONE_PATTERN,
            "description": "IANA time zone of the consumer's location, e.g. America/Chicago.",
        },
        "at": nullable(
            {
                "type": "string",
                "format": "date-time",
                "description": "Instant to check, ISO 8601 with an offset, e.g."
                " 2026-03-04T15:00:00Z.",
            },
            "Null for now.",
        ),
    }
)

#: Tool name -> (description for the LLM, JSON schema of its arguments), in export order.
TOOLS: Final[dict[str, tuple[str, dict[str, Any]]]] = {
    "calculate_payment": (
        "Calculate the fixed monthly payment, total interest and total paid of a fixed-rate"
        " amortizing loan. Call it whenever the caller asks what a loan would cost per month or"
        " in total; never do the arithmetic yourself. Rates are decimal fractions (6.5% is"
        " 0.065), amounts are in the account currency, the term is in months. Optional terms:"
        " payment frequency, funding and first payment dates, day count, interest-only"
        " payments, a balloon, and fees for the annual percentage rate (`apr`, a decimal"
        " fraction). The result has the numbers and, under `spoken`, the same amounts in words"
        " to read aloud.",
        CALCULATE_PAYMENT,
    ),
    "generate_plan": (
        "Build a multi-rate repayment plan (step-down or step-up rates): one segment per rate"
        " period with the payment re-amortized at each rate change, optional extra principal"
        " every month, and the interest and months the extra saves. Call it when the caller"
        " asks about rates that change over time or about paying extra each month. Rates are"
        " decimal fractions (7% is 0.07), amounts are in the account currency. Optional terms,"
        " for the plan as a whole: payment frequency, funding and first payment dates (each"
        " segment then has its first and last due dates), day count, interest-only payments"
        " and a balloon. The result has the numbers and, under `spoken`, the amounts in words"
        " to read aloud.",
        GENERATE_PLAN,
    ),
    "get_prompt": (
        "Get the exact approved wording for a regulated moment of the call (identity check,"
        " consent opt-out, legal notice, recording notice, AI disclosure, outbound AI call"
        " opening, debt-collection disclosure, loan quote disclaimer, do-not-call, human"
        " handoff). Always call it instead of writing such wording yourself, and read"
        " `spoken_text` (or speak `ssml`) word for word; do not interrupt it when `barge_in`"
        " is false. Who is calling comes from the deployment config, never from you."
        " If `fallback` is true a safe generic wording was used because a value was missing"
        ' or invalid. Rates are decimal fractions as text ("0.065"), amounts in the account'
        ' currency as text ("1264.14").',
        GET_PROMPT,
    ),
    "call_window": (
        "Check whether a debt-collection call to the consumer is permitted now (or at `at`):"
        " 8 a.m. to 9 p.m. in the consumer's local time (12 CFR 1006.6(b)(1)(i)). Call it"
        " before any outbound collection call; if `permitted` is false, do not call. The"
        " result has the local time and when the window next opens.",
        CALL_WINDOW,
    ),
}


def tool_definitions(fmt: SchemaFormat = SchemaFormat.MISTRAL) -> list[dict[str, Any]]:
    """The tools list to send to the model (a fresh copy); ``openai`` adds ``strict: true``.

    >>> [tool["function"]["name"] for tool in tool_definitions()]
    ['calculate_payment', 'generate_plan', 'get_prompt', 'call_window']
    """
    definitions = []
    for name, (description, parameters) in TOOLS.items():
        function: dict[str, Any] = {
            "name": name,
            "description": description,
            "parameters": copy.deepcopy(parameters),
        }
        if fmt is SchemaFormat.OPENAI:
            function["strict"] = True
        definitions.append({"type": "function", "function": function})
    return definitions


def export(fmt: SchemaFormat = SchemaFormat.MISTRAL) -> str:
    """The tools list as deterministic JSON text: sorted keys, two-space indent, final newline."""
    return json.dumps(tool_definitions(fmt), indent=2, sort_keys=True) + "\n"
