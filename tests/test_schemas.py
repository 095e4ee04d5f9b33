"""The LLM tool schemas: one source of truth, valid JSON Schema, Mistral- and OpenAI-ready."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator
from mistralai.client.models import Tool as MistralTool

from bankbot_tools import speech
from bankbot_tools.compliance.flows import FLOWS, LOCALES
from bankbot_tools.llm import schemas
from bankbot_tools.llm.schemas import SchemaFormat
from bankbot_tools.rules import ANNUAL_RATE, EXTRA, MONTHS, PAYMENTS, PRINCIPAL, FieldSpec, to_units

ROOT = Path(__file__).resolve().parent.parent
PARAMS = {name: parameters for name, (_, parameters) in schemas.TOOLS.items()}

#: Every schema fragment that comes from a rule-table field.
FIELDS = [
    (PARAMS["calculate_payment"]["properties"]["principal"], PRINCIPAL),
    (PARAMS["calculate_payment"]["properties"]["annual_rate"], ANNUAL_RATE),
    (PARAMS["calculate_payment"]["properties"]["months"], MONTHS),
    (PARAMS["generate_plan"]["properties"]["principal"], PRINCIPAL),
    (PARAMS["generate_plan"]["properties"]["rates"]["items"], ANNUAL_RATE),
    (PARAMS["generate_plan"]["properties"]["terms"]["items"], PAYMENTS),
    (PARAMS["generate_plan"]["properties"]["extra"], EXTRA),
]


def _subschemas(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield schema
    for child in schema.get("properties", {}).values():
        yield from _subschemas(child)
    for child in schema.get("anyOf", []):
        yield from _subschemas(child)
    if "items" in schema:
        yield from _subschemas(schema["items"])


def test_export_equals_committed_tools_json() -> None:
    """The committed tools.json is exactly what the code exports."""
    assert (ROOT / "tools.json").read_text(encoding="utf-8") == schemas.export()


@pytest.mark.parametrize("fmt", list(SchemaFormat))
def test_export_is_deterministic_sorted_with_final_newline(fmt: SchemaFormat) -> None:
    """Two exports are identical, keys are sorted, and the text ends with one newline."""
    text = schemas.export(fmt)
    assert text == schemas.export(fmt)
    assert text.endswith("}\n]\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize(("schema", "spec"), FIELDS, ids=lambda v: getattr(v, "name", ""))
def test_schema_bounds_equal_rule_table(schema: dict[str, Any], spec: FieldSpec) -> None:
    """Type, bounds and inclusiveness of each field are the rule table's."""
    low = "minimum" if spec.min_inclusive else "exclusiveMinimum"
    high = "maximum" if spec.max_inclusive else "exclusiveMaximum"
    assert Decimal(str(schema[low])) == spec.minimum
    assert Decimal(str(schema[high])) == spec.maximum
    expected = "integer" if spec.scale == 0 else "number"
    assert expected in ([schema["type"]] if isinstance(schema["type"], str) else schema["type"])


@pytest.mark.parametrize(("schema", "spec"), FIELDS, ids=lambda v: getattr(v, "name", ""))
def test_core_accepts_exactly_the_schema_bounds(schema: dict[str, Any], spec: FieldSpec) -> None:
    """The core accepts an inclusive bound and rejects an exclusive one, as the schema says."""
    for key in ("minimum", "maximum"):
        if key in schema:
            to_units(spec, schema[key])
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        if key in schema:
            with pytest.raises(ValueError, match=f"^{spec.name} "):
                to_units(spec, schema[key])


def test_get_prompt_schema_mirrors_compliance_flows() -> None:
    """Flow enum, per-flow params, choices and locales come from the compliance spec."""
    properties = PARAMS["get_prompt"]["properties"]
    assert properties["flow"]["enum"] == list(FLOWS)
    assert properties["locale"]["enum"] == [*LOCALES, None]
    variants = properties["params"]["anyOf"]
    assert len(variants) == len(FLOWS)
    for variant, flow in zip(variants, FLOWS.values(), strict=True):
        assert list(variant["properties"]) == [p.name for p in flow.params]
        for param in flow.params:
            schema = variant["properties"][param.name]
            assert ("null" in schema["type"]) is not param.required
            if param.choices:
                assert [c for c in schema["enum"] if c is not None] == list(param.choices)


@pytest.mark.parametrize("name", list(FLOWS))
def test_flow_sample_params_validate(name: str) -> None:
    """Each flow's sample params, optional ones null or set, fit the params schema."""
    properties = PARAMS["get_prompt"]["properties"]
    validator = Draft202012Validator(properties["params"])
    sample = FLOWS[name].sample_params()
    validator.validate(sample)
    validator.validate({**sample, **dict.fromkeys(FLOWS[name].optional)})


@pytest.mark.parametrize("name", list(schemas.TOOLS))
def test_parameters_are_valid_json_schema(name: str) -> None:
    """Every parameters object is valid against the Draft 2020-12 and Draft 7 metaschemas."""
    Draft202012Validator.check_schema(PARAMS[name])
    Draft7Validator.check_schema(PARAMS[name])


@pytest.mark.parametrize("fmt", list(SchemaFormat))
def test_definitions_build_mistral_sdk_tools(fmt: SchemaFormat) -> None:
    """Each exported definition builds the mistralai SDK's own Tool model."""
    for definition in json.loads(schemas.export(fmt)):
        tool = MistralTool.model_validate(definition)
        assert tool.function.name == definition["function"]["name"]
        assert tool.function.parameters == definition["function"]["parameters"]
        assert tool.function.strict is (True if fmt is SchemaFormat.OPENAI else None)


def test_names_match_the_providers_pattern() -> None:
    """Tool names match ^[a-zA-Z0-9_-]{1,64}$."""
    for definition in schemas.tool_definitions():
        assert re.fullmatch(schemas.NAME_PATTERN, definition["function"]["name"])


@pytest.mark.parametrize("name", list(schemas.TOOLS))
def test_strict_mode_invariants(name: str) -> None:
    """Objects are closed with every property required; only strict-mode keywords appear."""
    root = PARAMS[name]
    assert root["type"] == "object"
    assert "anyOf" not in root
    for schema in _subschemas(root):
        assert set(schema) <= schemas.STRICT_KEYWORDS, set(schema) - schemas.STRICT_KEYWORDS
        if schema.get("type") == "object":
            assert schema["additionalProperties"] is False
            assert schema["required"] == list(schema["properties"])
        if "enum" in schema and "null" in schema["type"]:
            assert None in schema["enum"]


@pytest.mark.parametrize("name", list(schemas.TOOLS))
def test_every_property_has_a_description(name: str) -> None:
    """The model reads a description on every property, at every depth."""
    for schema in _subschemas(PARAMS[name]):
        for child in schema.get("properties", {}).values():
            assert child.get("description")


def test_tool_descriptions_state_units() -> None:
    """Loan tool descriptions say rates are decimals and amounts are in the account currency."""
    for name in ("calculate_payment", "generate_plan"):
        description = schemas.TOOLS[name][0]
        assert "decimal fractions" in description
        assert "account currency" in description


def test_openai_format_only_adds_strict() -> None:
    """The openai export is the mistral export plus strict: true in each function."""
    mistral = schemas.tool_definitions(SchemaFormat.MISTRAL)
    openai = schemas.tool_definitions(SchemaFormat.OPENAI)
    for plain, strict in zip(mistral, openai, strict=True):
        assert strict["function"].pop("strict") is True
        assert strict == plain


def test_currency_enum_is_the_speech_table() -> None:
    """Both loan tools enumerate exactly the currencies speech validates, plus null."""
    for name in ("calculate_payment", "generate_plan"):
        currency = PARAMS[name]["properties"]["currency"]
        assert currency["enum"] == [*speech.CURRENCIES, None]
        assert "pattern" not in currency
