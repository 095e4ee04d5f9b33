"""Legal substance of the compliance prompts (issue 11): what a bank's reviewer checks."""

from __future__ import annotations

import copy
import dataclasses
import re

import pytest

from bankbot_tools.compliance import render as compliance
from bankbot_tools.compliance.call_window import CallWindowClosed
from bankbot_tools.compliance.check import check_all
from bankbot_tools.compliance.config import sample_config
from bankbot_tools.compliance.flows import FLOWS, LOCALES
from bankbot_tools.compliance.render import render_prompt
from bankbot_tools.llm import schemas

IN_HOURS = "2026-03-04T18:00:00Z"  # 12:00 in Chicago
LATE = "2026-03-04T03:30:00Z"  # 21:30 the evening before in Chicago
CONFIRMED = {"contact": "first", "right_party": "confirmed"}


@pytest.mark.parametrize("flow", ["ai_disclosure", "mini_miranda", "kyc", "outbound_ai_call"])
@pytest.mark.parametrize("locale", LOCALES)
def test_every_fallback_names_who_is_calling(flow: str, locale: str) -> None:
    """The fallback still says the bank and the assistant (1692d(6), 64.1200(b)(1))."""
    prompt = render_prompt(flow, {"attempts_left": "x", "contact": "x", "purpose": "x"}, locale)
    assert "Acme Bank" in prompt.text
    if flow != "kyc":
        assert "Ava" in prompt.text


def test_identity_params_are_not_llm_fillable() -> None:
    """No flow takes the bank, collector or assistant name as a param; the schema omits them."""
    names = {"bank_name", "collector_name", "assistant_name", "callback_number"}
    assert not names & {p.name for spec in FLOWS.values() for p in spec.params}
    exported = schemas.export()
    assert not any(f'"{name}"' in exported for name in names)


def test_config_identity_is_used_and_llm_values_ignored() -> None:
    """The configured bank is spoken; a bank name sent as a param is ignored and reported."""
    config = dataclasses.replace(sample_config(), bank_name="Zeta Bank", source="/etc/b.toml")
    prompt = render_prompt("kyc", {"attempts_left": 1, "bank_name": "Evil"}, config=config)
    assert "Zeta Bank" in prompt.text and "Evil" not in prompt.text
    assert prompt.ignored_params == ("bank_name",) and prompt.config == "/etc/b.toml"
    assert render_prompt("kyc", {"attempts_left": 1}).config == "sample"


@pytest.mark.parametrize("locale", LOCALES)
def test_kyc_at_zero_attempts_locks_and_transfers(locale: str) -> None:
    """With no attempt left KYC says locked and transfers; it never asks to verify again."""
    prompt = render_prompt("kyc", {"attempts_left": 0}, locale)
    assert prompt.template_id == f"kyc.{locale}.locked" and not prompt.fallback
    words = prompt.text.casefold()
    assert ("locked" in words) or ("bloqueado" in words)
    for phrase in ("attempts remaining", "intentos restantes", "please tell me", "dígame", "zero"):
        assert phrase not in words


@pytest.mark.parametrize("locale", LOCALES)
def test_kyc_discloses_nothing_before_verification(locale: str) -> None:
    """KYC reads no account digits and says nothing of what the call is about."""
    params = {"attempts_left": 2, "account_number": "000123451234"}
    for text in (render_prompt("kyc", params, locale).text, render_prompt("kyc", {}, locale).text):
        assert "1234" not in text and not re.search(r"ending in|termina en|about the account", text)


@pytest.mark.parametrize("locale", LOCALES)
def test_mini_miranda_checks_the_right_party_before_the_disclosure(locale: str) -> None:
    """Without a confirmed right party, first contact is the right-party check: no debt said."""
    check = render_prompt("mini_miranda", {"contact": "first"}, locale)
    assert check.template_id == f"mini_miranda.{locale}.right_party_check"
    assert not re.search(r"debt|deuda|collect|cobr", check.text, re.IGNORECASE)
    disclosure = render_prompt("mini_miranda", CONFIRMED, locale)
    assert re.search(r"debt collector|cobrador de deudas", disclosure.text)


@pytest.mark.parametrize("locale", LOCALES)
def test_voicemail_is_limited_content(locale: str) -> None:
    """The voicemail gives names and a callback number and nothing about a debt (1006.2(j))."""
    prompt = render_prompt("mini_miranda", {"contact": "voicemail"}, locale)
    assert "Jordan Lee" in prompt.text and "(555) 010-1234" in prompt.text
    assert not re.search(r"debt|deuda|collect|cobr|balance|saldo|account|cuenta", prompt.text, re.I)


@pytest.mark.parametrize(
    ("scope", "immediate", "ten_days"),
    [("recording", True, False), ("calls", True, False), ("marketing", False, True)],
)
@pytest.mark.parametrize("locale", LOCALES)
def test_consent_withdrawal_timing_follows_the_law(
    scope: str, immediate: bool, ten_days: bool, locale: str
) -> None:
    """Recording and collection calls stop at once; only marketing gets ten business days."""
    text = render_prompt("opt_out", {"scope": scope}, locale).text
    assert bool(re.search(r"immediately|de inmediato", text)) is immediate
    assert bool(re.search(r"ten business days|diez días hábiles", text)) is ten_days


@pytest.mark.parametrize("locale", LOCALES)
def test_recording_notice_discloses_automated_transcription(locale: str) -> None:
    """The recording notice says the call is transcribed and analyzed by automated systems."""
    text = render_prompt("recording_notice", {}, locale).text
    assert re.search(r"transcribed and analyzed by automated|sistemas automatizados", text)


@pytest.mark.parametrize("purpose", ["servicing", "marketing"])
def test_outbound_ai_call_identifies_first_and_offers_a_human(purpose: str) -> None:
    """The business identity comes first, then AI assistant, a human, the callback number."""
    text = render_prompt("outbound_ai_call", {"purpose": purpose}).text
    assert text.startswith("Hello, this is Ava, an AI assistant calling on behalf of Acme Bank.")
    assert "artificial voice" in text and "representative or press zero" in text
    assert text.endswith("(555) 010-1234.")
    assert ("press nine" in text) is (purpose == "marketing")
    if purpose == "marketing":  # the opt-out comes right after the identification
        assert text.split(". ")[1].startswith("To stop marketing calls")


def test_collection_flow_refuses_outside_the_calling_window() -> None:
    """With the consumer's zone, mini_miranda renders in hours and refuses at 9:30 p.m."""
    params = {**CONFIRMED, "consumer_time_zone": "America/Chicago"}
    assert not render_prompt("mini_miranda", params, now=IN_HOURS).fallback
    with pytest.raises(CallWindowClosed, match=r"21:30 local time in America/Chicago"):
        render_prompt("mini_miranda", params, now=LATE)
    with pytest.raises(ValueError, match="unknown time zone"):
        render_prompt("mini_miranda", {**params, "consumer_time_zone": "Mars/Base"})
    assert not render_prompt("kyc", {"attempts_left": 1, "consumer_time_zone": "x"}).fallback


def test_loan_quote_keeps_apr_and_interest_rate_apart() -> None:
    """The APR is its own param; the nominal rate is called the interest rate, not APR."""
    params = {
        "apr": "0.0675",
        "interest_rate": "0.065",
        "rate_type": "variable",
        "term_months": 60,
        "monthly_payment": "1264.14",
    }
    text = render_prompt("loan_quote_disclaimer", params).text
    assert "annual percentage rate is 6.75%." in text and "interest rate is 6.5%" in text
    assert "annual percentage rate is 6.5%" not in text
    assert "variable rate: it can change after your loan closes" in text
    fixed = render_prompt("loan_quote_disclaimer", {**params, "rate_type": "fixed"}).text
    assert "fixed rate: it can change until your loan closes" in fixed
    assert render_prompt("loan_quote_disclaimer", {**params, "rate_type": None}).fallback


@pytest.mark.parametrize("locale", LOCALES)
def test_handoff_has_dispute_and_fraud(locale: str) -> None:
    """human_handoff takes dispute and fraud reasons, each with its own words."""
    dispute = render_prompt("human_handoff", {"reason": "dispute"}, locale).text
    fraud = render_prompt("human_handoff", {"reason": "fraud"}, locale).text
    assert re.search(r"dispute|disputa", dispute) and re.search(r"fraud", fraud)


def test_legal_member_fdic_comes_from_config() -> None:
    """'Member FDIC' is said only when the config says the bank is a member."""
    assert "Member FDIC" in render_prompt("legal", {}).text
    config = dataclasses.replace(sample_config(), member_fdic=False)
    for locale in LOCALES:
        assert "FDIC" not in render_prompt("legal", {}, locale, config=config).text
    assert all(r.passed for r in check_all(config) if r.flow == "legal")


def test_fixed_phrasing_from_review() -> None:
    """The review's phrasing: consent 'from Acme Bank', the bank's list, Spanish agreement."""
    assert "withdraw your consent to call recording from Acme Bank." in (
        render_prompt("opt_out", {"scope": "recording"}).text
    )
    assert "consentimiento a la grabación de llamadas de Acme Bank." in (
        render_prompt("opt_out", {"scope": "recording"}, "es-US").text
    )
    assert "Acme Bank's internal do-not-call list" in render_prompt("do_not_call", {}).text
    assert render_prompt("ai_disclosure", {}).text.startswith(
        "I'm Ava, Acme Bank's automated assistant."
    )
    spanish = render_prompt("ai_disclosure", {}, "es-US").text
    assert "una asistente automatizada de Acme Bank llamada Ava" in spanish
    masculine = dataclasses.replace(
        sample_config(), assistant_name="Leo", assistant_gender="masculine"
    )
    assert "un asistente automatizado de Acme Bank llamado Leo" in (
        render_prompt("ai_disclosure", {}, "es-US", config=masculine).text
    )


@pytest.mark.parametrize(
    "number", ["+15550101234", "(555) 010-1234", "****1234", "XXXX-XXXX-1234", "555.010.1234"]
)
def test_phone_formats_are_accepted(number: str) -> None:
    """E.164, US display, and masked formats are accepted; only the last four are read."""
    prompt = render_prompt("do_not_call", {"phone_number": number})
    assert not prompt.fallback and "ending in 1234" in prompt.text


def test_gate_fails_when_the_first_contact_sentence_is_deleted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Deleting the debt-collection sentence from the first-contact choice fails --all."""
    catalog = copy.deepcopy(compliance.catalog())
    flow = catalog["en-US"]["mini_miranda"]
    first = flow.labels["contact"]["first"].replace(
        " This is an attempt to collect a debt, and any information obtained will be used"
        " for that purpose.",
        "",
    )
    labels = {"contact": {**flow.labels["contact"], "first": first}}
    catalog["en-US"]["mini_miranda"] = dataclasses.replace(flow, labels=labels)
    monkeypatch.setattr(compliance, "catalog", lambda: catalog)
    failures = [r for r in check_all() if not r.passed]
    assert {(r.flow, r.locale) for r in failures} == {("mini_miranda", "en-US")}
    assert "sample" in {r.case for r in failures}


def test_gate_fails_when_a_fallback_drops_the_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fallback that no longer names the bank fails --all."""
    catalog = copy.deepcopy(compliance.catalog())
    flow = catalog["es-US"]["ai_disclosure"]
    catalog["es-US"]["ai_disclosure"] = dataclasses.replace(
        flow, text=flow.text.replace("de $bank_name ", "")
    )
    monkeypatch.setattr(compliance, "catalog", lambda: catalog)
    failures = [r for r in check_all() if not r.passed]
    assert failures and all(r.flow == "ai_disclosure" for r in failures)
    assert any("does not name the bank_name" in p for r in failures for p in r.problems)


@pytest.mark.parametrize(("months", "words"), [(1, "un mes"), (21, "veintiún meses")])
def test_spanish_months_agree_before_the_noun(months: int, words: str) -> None:
    """A loan quote in Spanish says "un mes" and "veintiún meses", not "uno mes"."""
    params = {
        "apr": "0.0725",
        "rate_type": "fixed",
        "term_months": months,
        "monthly_payment": "100",
    }
    prompt = render_prompt("loan_quote_disclaimer", params, "es-US")
    assert f"durante {words}" in prompt.spoken_text
