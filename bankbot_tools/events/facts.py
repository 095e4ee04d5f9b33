"""The non-identifying facts an event carries, computed in one place for every caller.

The CLI and the tool dispatcher describe the same loan, plan or prompt with the same
facts: term, rate, a coarse amount bucket, never the amount, a name or an id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bankbot_tools.rules import ANNUAL_RATE

if TYPE_CHECKING:
    from bankbot_tools.compliance.call_window import CallWindow
    from bankbot_tools.compliance.render import RenderedPrompt
    from bankbot_tools.conventions import Frequency
    from bankbot_tools.loans.plans import PlanTerms
    from bankbot_tools.loans.terms import LoanTerms

#: Upper bounds (exclusive, in cents) of the amount buckets, and their labels.
_BUCKETS = (
    (100_000, "<1k"),
    (1_000_000, "1k-10k"),
    (10_000_000, "10k-100k"),
    (100_000_000, "100k-1M"),
)


def amount_bucket(cents: int) -> str:
    """A coarse, non-identifying size class for an amount.

    >>> amount_bucket(1_999_900), amount_bucket(25_000_000), amount_bucket(10**10)
    ('10k-100k', '100k-1M', '>=1M')
    """
    return next((label for limit, label in _BUCKETS if cents < limit), ">=1M")


def _term(payments: int, frequency: Frequency) -> dict[str, Any]:
    """The term in months (rounded up), in payments, and how often they fall due."""
    return {
        "term_months": frequency.months_of(payments),
        "payments": payments,
        "frequency": str(frequency),
    }


def loan_facts(terms: LoanTerms) -> dict[str, Any]:
    """Facts of one loan: term, rate, amount bucket and whether extra is paid."""
    return {
        **_term(terms.payments, terms.frequency),
        "rate": float(ANNUAL_RATE.decimal(terms.rate_ppm)),
        "amount_bucket": amount_bucket(terms.principal_cents),
        "extra": terms.extra_cents > 0,
    }


def plan_facts(terms: PlanTerms) -> dict[str, Any]:
    """Facts of a plan: its total term (as planned), segments, amount bucket, extra."""
    return {
        **_term(sum(terms.terms), terms.frequency),
        "segments": len(terms.terms),
        "amount_bucket": amount_bucket(terms.principal_cents),
        "extra": terms.extra_cents > 0,
    }


def prompt_facts(prompt: RenderedPrompt) -> dict[str, Any]:
    """Facts of a rendered prompt: flow, template, its version, locale and fallback."""
    return {
        "flow": prompt.flow,
        "template_id": prompt.template_id,
        "template_version": prompt.version,
        "locale": prompt.locale,
        "fallback": prompt.fallback,
    }


def call_window_facts(window: CallWindow) -> dict[str, Any]:
    """Facts of a calling-window check: the zone and the answer, not the instant."""
    return {"time_zone": window.time_zone, "permitted": window.permitted}
