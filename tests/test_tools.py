"""The async tools and the dispatcher: realistic model payloads always get a structured answer."""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import bankbot_tools
from bankbot_tools import events
from bankbot_tools.api import calculate_payment, generate_payment_plan, generate_plan, get_prompt
from bankbot_tools.compliance import render as compliance
from bankbot_tools.llm import schemas
from bankbot_tools.llm.dispatch import TOOLS, dispatch, tool_message

PAYMENT = {"principal": 200000, "annual_rate": 0.065, "months": 360}
LOAN_SHAPE_TERMS = (
    "payments",
    "frequency",
    "start_date",
    "first_payment_date",
    "day_count",
    "interest_only_periods",
    "balloon",
    "fees",
)
PLAN = {"principal": 20000, "rates": [0.07, 0.05, 0.03], "terms": [12, 12, 36], "extra": 50}
#: The loan terms a plan takes too, for the plan as a whole.
PLAN_SHAPE_TERMS = tuple(name for name in LOAN_SHAPE_TERMS if name not in ("payments", "fees"))
KYC = {"attempts_left": 2}


def _assert_structured(answer: dict[str, Any]) -> None:
    json.dumps(answer, allow_nan=False)
    if answer["ok"]:
        assert set(answer) == {"ok", "result"}
        assert isinstance(answer["result"], dict)
    else:
        assert set(answer) == {"ok", "error"}
        error = answer["error"]
        assert set(error) == {"type", "message", "field"}
        assert isinstance(error["type"], str) and error["message"]
        assert error["field"] is None or isinstance(error["field"], str)


async def test_calculate_payment_keeps_its_signature_and_schedule() -> None:
    """The Python tool still returns the payment and the full schedule ending at zero."""
    payment, rows = await calculate_payment("200000", 0.065, 360)
    assert payment == 1264.14
    assert len(rows) == 360 and rows[-1]["balance"] == 0.0


async def test_generate_plan_keeps_its_segments() -> None:
    """The Python plan tool still returns one row per segment."""
    rows = await generate_plan(20000, [0.07, 0.05, 0.03], [12, 12, 36])
    assert [row["payment"] for row in rows] == [396.02, 380.86, 369.56]


def test_get_prompt_keeps_the_seed_signature_and_returns_text() -> None:
    """The root get_prompt(flow_type, params) is synchronous and returns the prompt text."""
    from bankbot_tools import get_prompt as root_get_prompt

    assert root_get_prompt is get_prompt
    parameters = inspect.signature(get_prompt).parameters
    assert list(parameters)[:2] == ["flow_type", "params"]
    text = root_get_prompt("kyc", {})
    assert isinstance(text, str) and text
    assert get_prompt(flow_type="kyc", params=KYC, locale="es-US") == compliance.get_prompt(
        "kyc", KYC, "es-US"
    )


def test_seed_sample_call_generate_payment_plan() -> None:
    """The seed's sample call answers monthly, schedule and total_paid."""
    from bankbot_tools import generate_payment_plan as root

    plan = root(200000, 0.065, 360, 100)
    assert root is generate_payment_plan
    assert set(plan) == {"monthly", "schedule", "total_paid"}
    assert plan["monthly"] == 1264.14 and plan["schedule"][-1]["balance"] == 0.0
    assert len(plan["schedule"]) < 360
    total = round(sum(row["payment"] for row in plan["schedule"]), 2)
    assert total == plan["total_paid"]


def test_seed_async_functions_stay_async() -> None:
    """calculate_payment and generate_plan are coroutines the orchestrator awaits."""
    assert inspect.iscoroutinefunction(bankbot_tools.calculate_payment)
    assert inspect.iscoroutinefunction(bankbot_tools.generate_plan)


async def test_prompt_tool_renders_with_provenance() -> None:
    """The LLM prompt tool returns the rendered prompt and its template id."""
    answer = await dispatch("get_prompt", {"flow": "kyc", "params": KYC})
    prompt = answer["result"]
    assert prompt["fallback"] is False and prompt["template_id"].startswith("kyc")
    assert "Acme Bank" in prompt["text"]


async def test_valid_payment_call_has_numbers_and_words() -> None:
    """A valid call answers machine fields and the amounts in words for TTS."""
    answer = await dispatch("calculate_payment", json.dumps(PAYMENT))
    _assert_structured(answer)
    result = answer["result"]
    assert result["monthly_payment"] == 1264.14 and result["payoff_month"] == 360
    spoken = result["spoken"]
    assert (
        spoken["monthly_payment"]
        == "one thousand two hundred sixty-four dollars and fourteen cents"
    )
    assert (
        spoken["total_paid"].endswith("cents") and spoken["annual_rate"] == "six point five percent"
    )


async def test_payment_words_follow_locale_and_currency() -> None:
    """Spanish locale and a currency code change the spoken words, not the numbers."""
    answer = await dispatch("calculate_payment", {**PAYMENT, "locale": "es-US", "currency": "EUR"})
    assert answer["result"]["monthly_payment"] == 1264.14
    assert answer["result"]["spoken"]["monthly_payment"].startswith("mil doscientos")
    assert "euros" in answer["result"]["spoken"]["monthly_payment"]


async def test_valid_plan_call_speaks_each_payment() -> None:
    """A plan answers its segments, totals and one spoken payment per segment."""
    answer = await dispatch("generate_plan", json.dumps(PLAN))
    result = answer["result"]
    assert len(result["segments"]) == len(result["spoken"]["payments"])
    assert result["interest_saved"] > 0 and result["spoken"]["interest_saved"]


async def test_strict_mode_nulls_mean_defaults() -> None:
    """Optional arguments sent as null, as strict mode does, use their defaults."""
    answer = await dispatch(
        "generate_plan", {**PLAN, "extra": None, "locale": None, "currency": None}
    )
    assert answer["ok"] and answer["result"]["extra"] == 0.0
    assert answer["result"]["locale"] == "en-US" and answer["result"]["currency"] == "USD"


async def test_strings_for_numbers_are_accepted_like_the_core() -> None:
    """Numbers sent as strings parse exactly as the core parses them."""
    answer = await dispatch(
        "calculate_payment", '{"principal": "200000", "annual_rate": "0.065", "months": "360"}'
    )
    assert answer["ok"] and answer["result"]["monthly_payment"] == 1264.14


BAD_CALLS = [
    (
        "calculate_payment",
        '{"principal": 200000, "annual_rate": 6.5, "months": 360}',
        "invalid_value",
        "annual_rate",
    ),
    (
        "generate_plan",
        '{"principal": 20000, "rates": [0.07, 5], "terms": [12, 48]}',
        "invalid_value",
        "rates[1]",
    ),
    (
        "calculate_payment",
        '{"principal": "lots", "annual_rate": 0.065, "months": 360}',
        "invalid_value",
        "principal",
    ),
    (
        "calculate_payment",
        '{"principal": 200000, "annual_rate": 0.065, "months": 12.5}',
        "invalid_value",
        "months",
    ),
    (
        "calculate_payment",
        '{"principal": true, "annual_rate": 0.065, "months": 360}',
        "invalid_value",
        "principal",
    ),
    (
        "calculate_payment",
        '{"principal": [1], "annual_rate": {}, "months": 360}',
        "invalid_value",
        "principal",
    ),
    (
        "calculate_payment",
        '{"principal": 0.001, "annual_rate": 0.065, "months": 360}',
        "invalid_value",
        "principal",
    ),
    (
        "calculate_payment",
        '{"principal": 0.01, "annual_rate": 0.0, "months": 1200}',
        "invalid_value",
        "principal",
    ),
    (
        "calculate_payment",
        '{"principal": 200000, "annual_rate": 0.065, "months": 360, "currency": "dollars"}',
        "invalid_value",
        "currency",
    ),
    (
        "generate_plan",
        '{"principal": 20000, "rates": [0.07], "terms": [12, 48]}',
        "invalid_value",
        "rates",
    ),
    (
        "generate_plan",
        '{"principal": 20000, "rates": 0.07, "terms": [12]}',
        "invalid_value",
        "rates",
    ),
    (
        "generate_plan",
        '{"principal": 20000, "rates": [0.07], "terms": [1201]}',
        "invalid_value",
        "terms[0]",
    ),
    (
        "calculate_payment",
        '{"principal": 200000, "annual_rate": 0.065}',
        "missing_argument",
        "months",
    ),
    (
        "calculate_payment",
        '{"principal": 200000, "annual_rate": 0.065, "months": null}',
        "invalid_value",
        "months",
    ),
    (
        "calculate_payment",
        '{"principal": 200000, "annual_rate": 0.065, "months": 360, "customer": "Jane"}',
        "unexpected_argument",
        "customer",
    ),
    ("calculate_payment", '{"principal": 200000, "annual_rate": 0.0', "invalid_json", None),
    ("calculate_payment", "principal=200000", "invalid_json", None),
    ("calculate_payment", '{"principal": 1' + "0" * 5000 + "}", "invalid_json", None),
    ("calculate_payment", "[200000, 0.065, 360]", "invalid_arguments", None),
    ("calculate_payment", '"200000"', "invalid_arguments", None),
    ("calculate_payment", "", "missing_argument", "principal"),
    ("get_prompt", '{"flow": "welcome", "params": {}}', "invalid_value", "flow"),
    ("get_prompt", '{"flow": "kyc", "params": "Acme"}', "invalid_value", "params"),
    ("get_prompt", '{"params": {}}', "missing_argument", "flow"),
    ("transfer_money", '{"amount": 100}', "unknown_tool", None),
    ("", "{}", "unknown_tool", None),
]


@pytest.mark.parametrize(("name", "arguments", "kind", "field"), BAD_CALLS)
async def test_bad_calls_get_structured_errors(
    name: str, arguments: str, kind: str, field: str | None
) -> None:
    """Wrong types, percents, missing/extra/unknown and truncated JSON: typed error and field."""
    answer = await dispatch(name, arguments)
    _assert_structured(answer)
    assert answer["ok"] is False
    assert (answer["error"]["type"], answer["error"]["field"]) == (kind, field)


async def test_percent_rate_error_tells_the_model_the_fix() -> None:
    """A rate sent as a percent is answered with the decimal to send instead."""
    answer = await dispatch("calculate_payment", {**PAYMENT, "annual_rate": 6.5})
    assert "use 0.065" in answer["error"]["message"]


async def test_get_prompt_fallback_is_ok_with_fallback_event() -> None:
    """A missing prompt param gives the safe fallback text, counted as a fallback."""
    before = events.counters().get("get_prompt", {}).get("fallback", 0)
    answer = await dispatch("get_prompt", {"flow": "kyc", "params": {"bank_name": "Acme Bank"}})
    assert answer["result"]["ignored_params"] == ["bank_name"]
    assert answer["ok"] and answer["result"]["fallback"] is True
    assert events.counters()["get_prompt"]["fallback"] == before + 1


async def test_each_dispatch_emits_one_event_with_facts() -> None:
    """One tool.invoked event per call, with status, error type and non-identifying facts."""
    stream = io.StringIO()
    events.configure(stream=stream)
    await dispatch("calculate_payment", json.dumps(PAYMENT))
    await dispatch("calculate_payment", "{")
    ok, error = (json.loads(line) for line in stream.getvalue().splitlines())
    assert ok["event"] == "tool.invoked" and ok["source"] == "tool" and ok["status"] == "ok"
    assert (ok["term_months"], ok["rate"], ok["amount_bucket"]) == (360, 0.065, "100k-1M")
    assert (error["status"], error["error_type"], error["level"]) == (
        "error",
        "invalid_json",
        "error",
    )


async def test_tool_message_carries_the_answer_as_json() -> None:
    """The role=tool message holds the call id, the name and the answer as a JSON string."""
    answer = await dispatch("calculate_payment", json.dumps(PAYMENT))
    message = tool_message("call_abc123", "calculate_payment", answer)
    assert message["role"] == "tool" and message["tool_call_id"] == "call_abc123"
    assert message["name"] == "calculate_payment"
    assert json.loads(message["content"]) == answer


def test_registry_matches_the_exported_schemas() -> None:
    """Every exported schema has a handler, and every handler an exported schema."""
    assert list(TOOLS) == list(schemas.TOOLS)
    for tool in TOOLS.values():
        assert tool.parameters is schemas.TOOLS[tool.name][1]


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        (
            "calculate_payment",
            # strict mode: every property present; the loan-shape terms of issue 10 are null
            {**PAYMENT, **dict.fromkeys(LOAN_SHAPE_TERMS, None), "locale": None, "currency": None},
        ),
        (
            "generate_plan",
            {**PLAN, **dict.fromkeys(PLAN_SHAPE_TERMS, None), "locale": "es-US", "currency": "USD"},
        ),
        ("get_prompt", {"flow": "kyc", "params": KYC, "locale": None}),
        ("call_window", {"time_zone": "America/Chicago", "at": "2026-03-04T15:00:00Z"}),
        ("call_window", {"time_zone": "America/New_York", "at": None}),
    ],
)
async def test_schema_valid_calls_succeed(name: str, arguments: dict[str, Any]) -> None:
    """A call the schema accepts is answered ok."""
    Draft202012Validator(TOOLS[name].parameters).validate(arguments)
    assert (await dispatch(name, json.dumps(arguments)))["ok"] is True


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(
    name=st.sampled_from([*TOOLS, "nope"]),
    arguments=st.dictionaries(
        st.sampled_from(
            [
                "principal",
                "annual_rate",
                "months",
                "rates",
                "terms",
                "extra",
                "locale",
                "currency",
                "flow",
                "params",
                "time_zone",
                "at",
                "x",
            ]
        ),
        JSON,
        max_size=7,
    ),
)
async def test_fuzzed_arguments_never_raise(name: str, arguments: dict[str, Any]) -> None:
    """Arbitrary JSON values for any tool's arguments always get a structured answer."""
    _assert_structured(await dispatch(name, arguments))


@given(name=st.sampled_from(list(TOOLS)), text=st.text(max_size=60))
async def test_fuzzed_argument_text_never_raises(name: str, text: str) -> None:
    """Arbitrary argument text, JSON or not, always gets a structured answer."""
    _assert_structured(await dispatch(name, text))


def test_optional_parameters() -> None:
    """Parameters the model may leave out are the nullable ones of the schema."""
    assert TOOLS["generate_plan"].optional == {"extra", *PLAN_SHAPE_TERMS, "locale", "currency"}


async def test_a_failing_fact_never_escapes_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug computing event facts keeps the answer and records the failure in the event."""

    def broken(validated: object) -> dict[str, Any]:
        raise KeyError("principal")

    tool = dataclasses.replace(TOOLS["calculate_payment"], facts=broken)
    monkeypatch.setitem(TOOLS, "calculate_payment", tool)
    stream = io.StringIO()
    events.configure(stream=stream)
    answer = await dispatch("calculate_payment", PAYMENT)
    assert answer["ok"] is True and answer["result"]["monthly_payment"] == 1264.14
    (event,) = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (event["tool"], event["facts_error"]) == ("calculate_payment", "KeyError")


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP", "usd", "XXX", "JPY", "dollars", 840])
async def test_schema_and_tool_agree_on_currency(currency: object) -> None:
    """The schema's currency enum accepts exactly what the tool accepts; a refusal names it."""
    for name, arguments in (("calculate_payment", PAYMENT), ("generate_plan", PLAN)):
        call = {**dict.fromkeys(TOOLS[name].optional), **arguments, "currency": currency}
        schema_ok = Draft202012Validator(TOOLS[name].parameters).is_valid(call)
        answer = await dispatch(name, call)
        assert answer["ok"] is schema_ok
        if not schema_ok:
            assert (answer["error"]["type"], answer["error"]["field"]) == (
                "invalid_value",
                "currency",
            )


@pytest.mark.parametrize("locale", [["x"], 1, {"locale": "en-US"}, True])
async def test_non_string_locale_is_an_error_naming_locale(locale: object) -> None:
    """A locale that is not a string is refused instead of silently served in en-US."""
    calls = [
        ("calculate_payment", PAYMENT),
        ("generate_plan", PLAN),
        ("get_prompt", {"flow": "kyc", "params": KYC}),
    ]
    for name, arguments in calls:
        answer = await dispatch(name, {**arguments, "locale": locale})
        assert (answer["error"]["type"], answer["error"]["field"]) == ("invalid_value", "locale")


async def test_unknown_locale_string_still_falls_back() -> None:
    """An unknown locale string keeps the documented fallback chain to en-US."""
    answer = await dispatch("calculate_payment", {**PAYMENT, "locale": "fr-FR"})
    assert answer["ok"] and answer["result"]["locale"] == "en-US"
