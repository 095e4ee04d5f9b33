"""Compliance prompts: every flow and locale, required elements, fallbacks, safe templating."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import subprocess
import sys
from decimal import Decimal
from importlib.resources import files
from typing import Any
from xml.etree import ElementTree

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankbot_tools.compliance import render as compliance
from bankbot_tools.compliance.check import check_all
from bankbot_tools.compliance.config import sample_config
from bankbot_tools.compliance.flows import FLOWS, LOCALES
from bankbot_tools.compliance.render import (
    TemplateError,
    find_leftovers,
    get_prompt,
    parse_templates,
    render_prompt,
    resolve_locale,
)

# What each flow must say, stated here independently of the template files.
REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {
    "kyc": {
        "en-US": ("maximum number of attempts", "locked", "transfer you to a specialist"),
        "es-US": ("número máximo de intentos", "bloque", "le comunicaré con un especialista"),
    },
    "opt_out": {
        "en-US": ("withdraw your consent", "in any words you like", "scope", "Acme Bank"),
        "es-US": ("retirar su consentimiento", "con las palabras que prefiera", "alcance"),
    },
    "legal": {
        "en-US": ("Legal notice", "Member FDIC", "Equal Housing Lender", "account agreement"),
        "es-US": ("Aviso legal", "Miembro de la FDIC", "igualdad de oportunidades de vivienda"),
    },
    "recording_notice": {
        "en-US": (
            "is recorded",
            "transcribed and analyzed by automated systems",
            "Do you consent",
            "If you do not consent",
            "without recording",
        ),
        "es-US": ("se graba", "la transcriben", "¿Acepta", "Si no lo acepta", "sin grabar"),
    },
    "ai_disclosure": {
        "en-US": ("I'm Ava, Acme Bank's automated assistant", "AI assistant", "not a person"),
        "es-US": ("una asistente automatizada de Acme Bank llamada Ava", "no una persona"),
    },
    "outbound_ai_call": {
        "en-US": ("AI assistant calling on behalf of Acme Bank", "artificial voice", "press zero"),
        "es-US": ("en nombre de Acme Bank", "voz artificial", "marque cero"),
    },
    "mini_miranda": {
        "en-US": ("Ava, an AI assistant",),
        "es-US": ("Ava, una asistente automatizada de inteligencia artificial",),
    },
    "loan_quote_disclaimer": {
        "en-US": (
            "annual percentage rate",
            "repayment terms",
            "estimate only, not an offer of credit",
        ),
        "es-US": (
            "tasa de porcentaje anual",
            "términos de pago",
            "solo una estimación, no una oferta de crédito",
        ),
    },
    "do_not_call": {
        "en-US": ("Acme Bank's internal do-not-call list", "telemarketing", "ten business days"),
        "es-US": ("lista interna de no llamar de Acme Bank", "telemercadeo", "diez días hábiles"),
    },
    "human_handoff": {
        "en-US": ("transferring you to a member of our team", "stay on the line"),
        "es-US": ("Le comunicaré ahora con un miembro de nuestro equipo", "permanezca en la línea"),
    },
}
FIRST_CONTACT = {
    "en-US": "any information obtained will be used for that purpose",
    "es-US": "cualquier información que se obtenga se usará con ese fin",
}
DEBT = {"en-US": "debt", "es-US": "deuda"}
CASES = [(flow, locale) for flow in FLOWS for locale in LOCALES]


def sample(flow: str) -> dict[str, Any]:
    """A flow's sample params without the consumer's time zone (which depends on the clock)."""
    return {k: v for k, v in FLOWS[flow].sample_params().items() if k != "consumer_time_zone"}


def assert_says(text: str, phrases: tuple[str, ...]) -> None:
    """Every phrase is in the text (case-insensitive)."""
    for phrase in phrases:
        assert phrase.casefold() in text.casefold(), phrase


def test_required_table_covers_every_flow_and_locale() -> None:
    """This test's own table of required elements covers every declared flow and locale."""
    assert set(REQUIRED) == set(FLOWS)
    assert all(set(by_locale) == set(LOCALES) for by_locale in REQUIRED.values())


@pytest.mark.parametrize(("flow", "locale"), CASES)
def test_every_flow_renders_its_required_elements(flow: str, locale: str) -> None:
    """With sample params every flow renders, unfallen, with every required element."""
    prompt = render_prompt(flow, sample(flow), locale)
    assert not prompt.fallback and prompt.fallback_reason is None
    assert prompt.locale == prompt.requested_locale == locale
    assert prompt.template_id == f"{flow}.{locale}" and prompt.version
    for text in (prompt.text, prompt.spoken_text):
        assert_says(text, REQUIRED[flow][locale])
        assert find_leftovers(text) == []
        assert "APR" not in text


@pytest.mark.parametrize(("flow", "locale"), CASES)
def test_every_flow_without_params_falls_back_with_required_elements(
    flow: str, locale: str
) -> None:
    """With no params a flow with required params gives its fallback, with every element."""
    prompt = render_prompt(flow, None, locale)
    if not FLOWS[flow].required:
        assert not prompt.fallback and prompt.template_id == f"{flow}.{locale}"
        return
    assert prompt.fallback and prompt.template_id == f"{flow}.{locale}.fallback"
    assert prompt.fallback_reason == f"missing required param {FLOWS[flow].required[0]!r}"
    assert_says(prompt.text, REQUIRED[flow][locale])
    assert_says(prompt.spoken_text, REQUIRED[flow][locale])
    assert find_leftovers(prompt.text) == find_leftovers(prompt.spoken_text) == []


@pytest.mark.parametrize(("flow", "locale"), CASES)
def test_each_missing_required_param_falls_back(flow: str, locale: str) -> None:
    """Dropping any one required param gives the fallback, naming that param."""
    for name in FLOWS[flow].required:
        params = {k: v for k, v in sample(flow).items() if k != name}
        prompt = render_prompt(flow, params, locale)
        assert prompt.fallback and name in str(prompt.fallback_reason)
        assert_says(prompt.text, REQUIRED[flow][locale])


@pytest.mark.parametrize("locale", LOCALES)
def test_mini_miranda_first_contact_says_purpose(locale: str) -> None:
    """A confirmed first contact says any information will be used to collect; later ones not."""
    confirmed = {"right_party": "confirmed"}
    first = render_prompt("mini_miranda", {"contact": "first", **confirmed}, locale)
    later = render_prompt("mini_miranda", {"contact": "subsequent", **confirmed}, locale)
    assert FIRST_CONTACT[locale] in first.text
    assert FIRST_CONTACT[locale] not in later.text and DEBT[locale] in later.text
    assert_says(later.text, REQUIRED["mini_miranda"][locale])


@pytest.mark.parametrize("locale", LOCALES)
def test_mini_miranda_fallback_names_the_caller_and_says_nothing_of_a_debt(locale: str) -> None:
    """The fallback is the right-party check: who is calling, nothing about a debt."""
    fallback = render_prompt("mini_miranda", {"contact": "later"}, locale)
    assert fallback.fallback and "Acme Bank" in fallback.text and "Ava" in fallback.text
    assert DEBT[locale] not in fallback.text.casefold()


def test_kyc_asks_two_factors_and_reads_no_digits() -> None:
    """KYC says the attempts left, asks two factors and reads back no account digits."""
    params = {"attempts_left": "2", "account_number": "9876543210981234"}
    prompt = render_prompt("kyc", params)
    assert "Attempts remaining: 2." in prompt.text
    assert "Attempts remaining: two." in prompt.spoken_text
    assert "two things: your date of birth, and the last four digits" in prompt.text
    assert not re.search(r"[0-9]", prompt.text.replace("Attempts remaining: 2.", ""))
    assert prompt.ignored_params == ("account_number",)


@pytest.mark.parametrize(
    ("scope", "label"),
    [
        ("recording", "consent to call recording from Acme Bank. Recording stops immediately"),
        ("marketing", "consent to marketing calls and messages from Acme Bank."),
        ("calls", "consent to calls from Acme Bank about your account."),
        ("ALL", "consent to call recording, marketing calls and messages, and calls about"),
    ],
)
def test_opt_out_confirms_scope(scope: str, label: str) -> None:
    """The opt-out confirmation names the scope the caller withdrew."""
    text = get_prompt("opt_out", {"scope": scope})
    assert label in text and "confirm that this is the scope" in text


def test_loan_quote_speaks_values() -> None:
    """The loan quote shows figures in text and speaks them in words."""
    params = {"apr": "0.065", "term_months": 60, "monthly_payment": "1264.14", "rate_type": "fixed"}
    prompt = render_prompt("loan_quote_disclaimer", params)
    assert "annual percentage rate is 6.5%." in prompt.text
    assert "$1,264.14 over 60 months." in prompt.text
    assert "annual percentage rate is six point five percent." in prompt.spoken_text
    assert (
        "one thousand two hundred sixty-four dollars and fourteen cents over sixty months."
        in prompt.spoken_text
    )
    one = render_prompt("loan_quote_disclaimer", {**params, "term_months": "1"})
    assert "over 1 month." in one.text and "over one month." in one.spoken_text


def test_optional_param_adds_its_sentence_only_when_given() -> None:
    """An optional param adds its sentence when given and leaves no trace when absent."""
    with_date = render_prompt("legal", {"effective_date": "2026-03-04"})
    assert "effective as of March 4, 2026." in with_date.text
    assert "effective as of March fourth, twenty twenty-six." in with_date.spoken_text
    without = render_prompt("legal", {})
    assert "effective" not in without.text and "  " not in without.text
    assert without.text.startswith("Legal notice from Acme Bank. Member FDIC. Equal Housing")


@pytest.mark.parametrize("reason", FLOWS["human_handoff"].params[0].choices)
@pytest.mark.parametrize("locale", LOCALES)
def test_human_handoff_every_reason(reason: str, locale: str) -> None:
    """Every handoff reason renders its own opening and the transfer."""
    prompt = render_prompt("human_handoff", {"reason": reason}, locale)
    assert not prompt.fallback
    assert_says(prompt.text, REQUIRED["human_handoff"][locale])
    labels = {
        render_prompt("human_handoff", {"reason": r}, locale).text
        for r in FLOWS["human_handoff"].params[0].choices
    }
    assert len(labels) == len(FLOWS["human_handoff"].params[0].choices) == 6


@pytest.mark.parametrize(
    ("flow", "name", "value"),
    [
        ("kyc", "attempts_left", -1),
        ("kyc", "attempts_left", "two"),
        ("kyc", "attempts_left", True),
        ("kyc", "attempts_left", 2.5),
        ("do_not_call", "phone_number", "12"),
        ("do_not_call", "phone_number", "1234-XXXX"),
        ("do_not_call", "phone_number", 5550101234),
        ("loan_quote_disclaimer", "monthly_payment", -1264.14),
        ("loan_quote_disclaimer", "monthly_payment", "1264.145"),
        ("loan_quote_disclaimer", "apr", "6.5"),
        ("loan_quote_disclaimer", "term_months", 0),
        ("loan_quote_disclaimer", "first_payment_date", "2026-02-30"),
        ("loan_quote_disclaimer", "first_payment_date", "03/04/2026"),
        ("opt_out", "scope", "everything"),
        ("human_handoff", "reason", None),
    ],
)
def test_invalid_param_falls_back_without_leaking_value(flow: str, name: str, value: Any) -> None:
    """An invalid value gives the fallback; the reason names the param, not the value."""
    params = {**sample(flow), name: value}
    prompt = render_prompt(flow, params)
    assert prompt.fallback and name in str(prompt.fallback_reason)
    assert_says(prompt.text, REQUIRED[flow]["en-US"])
    assert len(str(value)) <= 3 or str(value) not in str(prompt.fallback_reason)


def test_unknown_flow_is_value_error_listing_flows() -> None:
    """An unknown flow is a ValueError naming every known flow, never a KeyError."""
    with pytest.raises(ValueError) as error:
        get_prompt("mortgage")
    assert not isinstance(error.value, KeyError)
    assert all(flow in str(error.value) for flow in FLOWS)
    with pytest.raises(ValueError):
        get_prompt(None)  # type: ignore[arg-type]


def test_flow_names_are_forgiving_about_case_and_dashes() -> None:
    """'Opt-Out' names the opt_out flow."""
    assert render_prompt("Opt-Out", {"scope": "all"}).flow == "opt_out"


def test_params_must_be_a_mapping() -> None:
    """Params that are not a mapping are a ValueError."""
    with pytest.raises(ValueError):
        get_prompt("kyc", ["bank_name"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("requested", "served"),
    [
        ("es-MX", "es-US"),
        ("es", "es-US"),
        ("es_us", "es-US"),
        ("EN-us", "en-US"),
        ("en-GB", "en-US"),
        ("fr-FR", "en-US"),
        ("", "en-US"),
        (None, "en-US"),
        ("💥-$x", "en-US"),
    ],
)
def test_locale_fallback_chain(requested: Any, served: str) -> None:
    """Locales resolve exact, then same language, then en-US; the request is kept."""
    prompt = render_prompt("recording_notice", {}, requested)
    assert resolve_locale(requested) == served == prompt.locale
    assert prompt.requested_locale == str(requested) and not prompt.fallback


def test_unknown_params_are_ignored_and_reported() -> None:
    """Undeclared params do not change the text and are reported by name."""
    params: dict[Any, str] = {"bank_name": "Evil Bank", 7: "x", "bank": "typo"}
    prompt = render_prompt("recording_notice", params)
    assert prompt.text == get_prompt("recording_notice", {})
    assert prompt.ignored_params == ("bank_name", "7", "bank")


@pytest.mark.parametrize("value", ["$bank_name", "${attempts_left}", "{0}", "$$", "None", "{x}"])
def test_values_are_inserted_literally(value: str) -> None:
    """A config value that looks like a template is inserted as text and never expanded."""
    config = dataclasses.replace(sample_config(), bank_name=value)
    prompt = render_prompt("kyc", {"attempts_left": 2}, config=config)
    assert prompt.text.startswith(f"Before I can discuss any account, {value} needs to verify")
    ElementTree.fromstring(prompt.ssml)


NASTY = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=False),
    st.booleans(),
    st.text(max_size=300),
    st.text(alphabet="${}()_ab0 -.\n", max_size=40),
    st.sampled_from(["$bank_name", "${x}", "{}", "{0}", "$", "None", "2", "0.065", "2026-03-04"]),
    st.text(min_size=1000, max_size=5000),
    st.lists(st.integers(), max_size=3),
)


@st.composite
def fuzzed_params(draw: st.DrawFn) -> tuple[str, str, dict[Any, Any]]:
    """A flow, a locale request and params drawn from declared names plus junk."""
    flow = draw(st.sampled_from(sorted(FLOWS)))
    names = [p.name for p in FLOWS[flow].params]
    keys = st.one_of(st.sampled_from(names or ["none"]), st.text(max_size=10))
    params = draw(st.dictionaries(keys, NASTY, max_size=6))
    locale = draw(st.one_of(st.sampled_from([*LOCALES, "es-MX", "es", "de"]), st.text(max_size=8)))
    return flow, locale, params


@given(fuzzed_params())
def test_fuzzed_params_never_crash_or_leave_debris(case: tuple[str, str, dict[Any, Any]]) -> None:
    """Any params: no exception, required elements present, no debris beyond the caller's text."""
    flow, locale, params = case
    try:
        prompt = render_prompt(flow, params, locale)
    except ValueError as error:  # a collection flow refuses a bad zone or closed window
        assert str(error).startswith("consumer_time_zone: ")
        return
    ElementTree.fromstring(prompt.ssml)
    assert_says(prompt.text, REQUIRED[flow][prompt.locale])
    assert_says(prompt.spoken_text, REQUIRED[flow][prompt.locale])
    for text in (prompt.text, prompt.spoken_text):
        for value in params.values():
            if isinstance(value, str):
                text = text.replace(" ".join(value.split()), "")
        assert find_leftovers(text) == []


@given(st.text(min_size=1, max_size=80).filter(lambda s: s.strip() and s.isprintable()))
def test_text_values_are_exactly_literal(value: str) -> None:
    """A valid config name lands in the prompt exactly, whatever '$', '<' or braces it holds."""
    sentinel = dataclasses.replace(sample_config(), bank_name="BANKSENTINEL")
    config = dataclasses.replace(sample_config(), bank_name=" ".join(value.split()))
    expected = render_prompt("kyc", {"attempts_left": 2}, config=sentinel).text
    prompt = render_prompt("kyc", {"attempts_left": 2}, config=config)
    assert not prompt.fallback
    assert prompt.text == expected.replace("BANKSENTINEL", " ".join(value.split()))
    assert ElementTree.fromstring(prompt.ssml) is not None


def test_rendered_prompt_to_dict() -> None:
    """to_dict has every field, JSON-ready."""
    doc = render_prompt("human_handoff", {"reason": "complaint"}, "es-MX").to_dict()
    assert json.loads(json.dumps(doc)) == doc
    assert set(doc) == {
        "flow",
        "template_id",
        "version",
        "locale",
        "requested_locale",
        "fallback",
        "fallback_reason",
        "text",
        "spoken_text",
        "ssml",
        "barge_in",
        "config",
        "ignored_params",
    }


def test_check_all_passes_and_covers_everything() -> None:
    """check_all passes for the shipped templates and covers every flow, locale and case kind."""
    results = check_all()
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    assert {(r.flow, r.locale) for r in results} == set(CASES)
    kinds = {r.case.split(" ")[0] for r in results}
    assert {"sample", "missing", "invalid", "governance", "attempts_left=0"} <= kinds
    assert "contact=subsequent" in {r.case for r in results}


def test_check_all_reports_a_missing_phrase(monkeypatch: pytest.MonkeyPatch) -> None:
    """A template that drops a required phrase fails check_all."""
    catalog = copy.deepcopy(compliance.catalog())
    flow = catalog["en-US"]["kyc"]
    broken = dataclasses.replace(
        flow, required_phrases=(*flow.required_phrases, "phrase that is nowhere")
    )
    catalog["en-US"]["kyc"] = broken
    monkeypatch.setattr(compliance, "catalog", lambda: catalog)
    failures = [r for r in check_all() if not r.passed]
    assert failures and {(r.flow, r.locale) for r in failures} == {("kyc", "en-US")}
    assert "missing phrase 'phrase that is nowhere'" in failures[0].problems[0]


def shipped(locale: str) -> dict[str, Any]:
    """The shipped prompt file of a locale, as parsed JSON."""
    text = (files("bankbot_tools.compliance") / "prompts" / f"{locale}.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("kyc", "text"), "Hi $customer_name", "undeclared placeholder"),
        (("kyc", "text"), "Hi {bank_name}", "invalid placeholder or brace"),
        (("kyc", "text"), "Costs $5 $bank_name", "invalid placeholder"),
        (("kyc", "fallback"), "Hi $attempts_left", "undeclared placeholder"),
        (("kyc", "text"), "Hi <b>$bank_name</b>", "invalid placeholder"),
        (("legal", "fragments"), {}, "fragments"),
        (("kyc", "variants"), {}, "variants"),
        (("opt_out", "labels"), {"scope": {"all": "x"}}, "labels.scope"),
        (("opt_out", "required_phrases"), [], "required_phrases"),
        (("legal", "version"), "", "id and version"),
    ],
)
def test_template_files_are_checked_on_load(
    path: tuple[str, str], value: object, message: str
) -> None:
    """A prompt file with an undeclared placeholder, brace, or missing piece is rejected."""
    document = shipped("en-US")
    document["flows"][path[0]][path[1]] = value
    with pytest.raises(TemplateError, match=re.escape(message)):
        parse_templates(document, "en-US")


def test_template_file_must_hold_every_flow() -> None:
    """A prompt file missing a flow, or for another locale, is rejected."""
    document = shipped("es-US")
    del document["flows"]["do_not_call"]
    with pytest.raises(TemplateError, match="flows"):
        parse_templates(document, "es-US")
    with pytest.raises(TemplateError, match="locale"):
        parse_templates(shipped("es-US"), "en-US")


@pytest.mark.parametrize("flow", FLOWS)
def test_flow_schema_accepts_samples_and_declares_enums(flow: str) -> None:
    """Each flow's JSON schema accepts its sample params and lists its enums and required names."""
    spec = FLOWS[flow]
    schema = spec.to_json_schema()
    jsonschema.validate(spec.sample_params(), schema)
    assert schema["required"] == list(spec.required)
    for param in spec.params:
        assert ("enum" in schema["properties"][param.name]) == bool(param.choices)
    if spec.required:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({}, schema)


def test_decimal_values_are_accepted() -> None:
    """Decimal amounts and rates are accepted as well as decimal strings."""
    params = {
        "apr": Decimal("0.065"),
        "term_months": 60,
        "monthly_payment": Decimal("1264.14"),
        "rate_type": "variable",
    }
    assert not render_prompt("loan_quote_disclaimer", params).fallback


def test_import_configures_no_logging() -> None:
    """Importing the library leaves structlog unconfigured."""
    code = "import structlog, bankbot_tools.compliance; print(structlog.is_configured())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
