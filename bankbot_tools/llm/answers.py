"""What each LLM tool answers: the result document plus words for text-to-speech.

Each answer function validates its raw arguments through the core (``ValueError`` naming
the field), computes, and returns the JSON-ready answer with the validated input it was
computed from, for the event's facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from bankbot_tools.compliance.call_window import CallWindow, check_call_window
from bankbot_tools.compliance.flows import DEFAULT_LOCALE
from bankbot_tools.compliance.render import RenderedPrompt, render_prompt, resolve_locale
from bankbot_tools.loans.disclosure import loan_apr
from bankbot_tools.loans.kernel import amortize
from bankbot_tools.loans.plans import PlanTerms, build_plan
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.money import cents_to_float
from bankbot_tools.rules import ANNUAL_RATE
from bankbot_tools.speech import DEFAULT_CURRENCY, spell_amount, spell_rate, validate_currency
from bankbot_tools.views.json import loan_document, plan_document, rate_float


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

    def apr(self, apr_percent: Decimal) -> str:
        """The APR in words, followed by "annual percentage rate"."""
        return spell_rate((apr_percent / 100).normalize(), self.locale, apr=True)


def payment_answer(
    principal: object,
    annual_rate: object,
    months: object,
    locale: object = None,
    currency: object = None,
    *,
    payments: object = None,
    frequency: object = None,
    start_date: object = None,
    first_payment_date: object = None,
    day_count: object = None,
    interest_only_periods: object = None,
    balloon: object = None,
    fees: object = None,
) -> tuple[dict[str, Any], LoanTerms]:
    """The payment answer (with the APR) and the validated terms it was computed from."""
    terms = LoanTerms.parse(
        principal,
        annual_rate,
        months,
        payments=payments,
        frequency=frequency,
        start_date=start_date,
        first_payment_date=first_payment_date,
        day_count=day_count,
        interest_only_periods=interest_only_periods,
        balloon=balloon,
        fees=fees,
    )
    voice = _Voice(locale, currency)
    result = amortize(terms)
    apr = loan_apr(terms)
    answer = {
        "principal": cents_to_float(terms.principal_cents),
        "annual_rate": rate_float(terms.rate_ppm),
        "months": _term_months(terms),
        "frequency": str(terms.frequency),
        "payments": terms.payments,
        **loan_document(result, with_schedule=False, apr=apr),
        "currency": voice.currency,
        "locale": voice.locale,
        "spoken": {
            "monthly_payment": voice.amount(result.monthly_payment),
            "last_payment": voice.amount(result.last_payment),
            "total_interest": voice.amount(result.total_interest),
            "total_paid": voice.amount(result.total_paid),
            "annual_rate": voice.rate(terms.rate_ppm),
            "apr": voice.apr(apr),
        },
    }
    return answer, terms


def _term_months(terms: LoanTerms) -> int | None:
    """The term in months, or ``None`` when the payments do not fill whole months."""
    months, rest = divmod(terms.payments * 12, terms.frequency.periods_per_year)
    return None if rest else months


def plan_answer(
    principal: object,
    rates: Sequence[object],
    terms: Sequence[object],
    extra: object = None,
    frequency: object = None,
    locale: object = None,
    currency: object = None,
    *,
    start_date: object = None,
    first_payment_date: object = None,
    day_count: object = None,
    interest_only_periods: object = None,
    balloon: object = None,
) -> tuple[dict[str, Any], PlanTerms]:
    """The plan answer and the validated plan terms it was built from."""
    plan_terms = PlanTerms.parse(
        principal,
        rates,
        terms,
        0 if extra is None else extra,
        frequency=frequency,
        start_date=start_date,
        first_payment_date=first_payment_date,
        day_count=day_count,
        interest_only_periods=interest_only_periods,
        balloon=balloon,
    )
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
    return answer, plan_terms


def prompt_answer(
    flow: str, params: Mapping[str, object] | None = None, locale: str | None = None
) -> tuple[dict[str, Any], RenderedPrompt]:
    """The prompt answer and the rendered prompt it came from."""
    prompt = render_prompt(flow, params, _locale(locale) or DEFAULT_LOCALE)
    return prompt.to_dict(), prompt


def call_window_answer(time_zone: object, at: object = None) -> tuple[dict[str, Any], CallWindow]:
    """The ``call_window`` answer: is a collection call permitted at ``at`` (default now)?

    An unknown time zone or an instant without an offset is a ``ValueError``.
    """
    window = check_call_window(time_zone, at)
    return window.to_dict(), window
