"""Tool calls parsed by the Mistral and OpenAI SDKs, through dispatch and back, offline."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mistralai.client import models as mistral
from openai.types.chat import ChatCompletion, ChatCompletionToolMessageParam
from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming
from pydantic import TypeAdapter

from bankbot_tools.llm import schemas
from bankbot_tools.llm.dispatch import dispatch, tool_message
from bankbot_tools.llm.formats import SchemaFormat

KYC = {"bank_name": "Acme", "attempts_left": 2}

#: The calls a model makes in one turn: every tool, plus one bad call it must be told about.
TOOL_CALLS = [
    ("call_pay", "calculate_payment", {"principal": 200000, "annual_rate": 0.065, "months": 360}),
    ("call_plan", "generate_plan", {"principal": 20000, "rates": [0.07, 0.05], "terms": [12, 48]}),
    ("call_kyc", "get_prompt", {"flow": "kyc", "params": KYC}),
    ("call_bad", "calculate_payment", {"principal": 200000, "annual_rate": 6.5, "months": 360}),
]
EXPECTED_OK = [True, True, True, False]
USER = {"role": "user", "content": "What would a 200k loan at 6.5% over 30 years cost?"}


def _function_calls(arguments: Any = json.dumps) -> list[dict[str, Any]]:
    return [
        {"id": id_, "type": "function", "function": {"name": name, "arguments": arguments(args)}}
        for id_, name, args in TOOL_CALLS
    ]


def _mistral_response(arguments: Any = json.dumps) -> mistral.ChatCompletionResponse:
    """A chat completion as Mistral's API sends it back, parsed by the SDK (no network)."""
    return mistral.ChatCompletionResponse.model_validate(
        {
            "id": "cmpl-1",
            "object": "chat.completion",
            "model": "mistral-large-latest",
            "created": 1_700_000_000,
            "usage": {"prompt_tokens": 900, "completion_tokens": 80, "total_tokens": 980},
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": _function_calls(arguments),
                    },
                }
            ],
        }
    )


def _openai_response() -> ChatCompletion:
    """A chat completion as OpenAI's API sends it back, parsed by the SDK (no network)."""
    return ChatCompletion.model_validate(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "gpt-4o",
            "created": 1_700_000_000,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "logprobs": None,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "refusal": None,
                        "tool_calls": _function_calls(),
                    },
                }
            ],
        }
    )


@pytest.mark.parametrize("arguments", [json.dumps, dict], ids=["JSON string", "object"])
async def test_mistral_tool_calls_round_trip_to_sdk_tool_messages(arguments: Any) -> None:
    """Each Mistral tool call dispatches, and its tool_message is the SDK's own ToolMessage."""
    message = _mistral_response(arguments).choices[0].message
    assert isinstance(message, mistral.AssistantMessage) and message.tool_calls
    replies = []
    for call in message.tool_calls:
        assert isinstance(call, mistral.ToolCall)
        assert isinstance(call.function, mistral.FunctionCall)
        assert call.id is not None
        answer = await dispatch(call.function.name, call.function.arguments)
        reply = mistral.ToolMessage.model_validate(
            tool_message(call.id, call.function.name, answer)
        )
        assert reply.tool_call_id == call.id and reply.name == call.function.name
        assert isinstance(reply.content, str) and json.loads(reply.content) == answer
        replies.append(reply)
    assert [json.loads(str(reply.content))["ok"] for reply in replies] == EXPECTED_OK
    request = mistral.ChatCompletionRequest.model_validate(
        {
            "model": "mistral-large-latest",
            "messages": [USER, message.model_dump(), *(r.model_dump() for r in replies)],
            "tools": schemas.tool_definitions(SchemaFormat.MISTRAL),
        }
    )
    assert len(request.messages) == 2 + len(TOOL_CALLS)


async def test_openai_tool_calls_round_trip_to_sdk_tool_messages() -> None:
    """Each OpenAI tool call dispatches; tool_message validates as ChatCompletionToolMessageParam.

    OpenAI's tool message has no ``name``; ``tool_message`` adds it for Mistral, and the
    OpenAI type ignores it.
    """
    message = _openai_response().choices[0].message
    assert message.tool_calls
    tool_message_param: TypeAdapter[ChatCompletionToolMessageParam] = TypeAdapter(
        ChatCompletionToolMessageParam
    )
    replies: list[dict[str, Any]] = []
    for call in message.tool_calls:
        assert call.type == "function"
        answer = await dispatch(call.function.name, call.function.arguments)
        reply = tool_message(call.id, call.function.name, answer)
        validated = tool_message_param.validate_python(reply)
        assert validated["tool_call_id"] == call.id
        assert json.loads(str(validated["content"])) == answer
        assert set(reply) - set(ChatCompletionToolMessageParam.__annotations__) == {"name"}
        replies.append(reply)
    assert [json.loads(reply["content"])["ok"] for reply in replies] == EXPECTED_OK
    TypeAdapter(CompletionCreateParamsNonStreaming).validate_python(
        {
            "model": "gpt-4o",
            "messages": [USER, message.model_dump(exclude_none=True), *replies],
            "tools": schemas.tool_definitions(SchemaFormat.OPENAI),
        }
    )
