"""The compliance flows, declared as data: each flow's params, their kinds, choices and samples.

``FLOWS`` is the one statement of which flows exist and what they take; the prompt files are
checked against it (:mod:`bankbot_tools.compliance.render`) and the tool layer builds its JSON
schemas from it (:mod:`bankbot_tools.llm.schemas`). ``LOCALES`` lists the locales a prompt file
exists for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from bankbot_tools.rules import AMOUNT, ANNUAL_RATE, COUNT, MONTHS

__all__ = [
    "DATE_PATTERN",
    "DEFAULT_LOCALE",
    "FLOWS",
    "LOCALES",
    "MASKED_PATTERN",
    "TEXT_MAX_LENGTH",
    "TIME_ZONE_PATTERN",
    "FlowSpec",
    "ParamKind",
    "ParamSpec",
]


DEFAULT_LOCALE: Final = "en-US"
LOCALES: Final = ("en-US", "es-US")

TEXT_MAX_LENGTH: Final = 80
# ASCII digits only: JSON-schema patterns (ECMA-262) and Python regexes must agree.
DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Digits, spaces, dashes, dots, parentheses, a leading "+" and masking "*"/"X", ending in four
# digits: "+15550101234", "(555) 010-1234", "****1234", "XXXX-XXXX-1234", "4111 1111 1111 1234".
MASKED_PATTERN: Final = r"^[+]?[0-9 ().*xX-]*[0-9]{4} *$"
TIME_ZONE_PATTERN: Final = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$"


class ParamKind(StrEnum):
    """How a param is validated, shown in text and spoken."""

    TEXT = "text"
    COUNT = "count"
    AMOUNT = "amount"
    DATE = "date"
    RATE = "rate"
    MONTHS = "months"
    MASKED = "masked"
    CHOICE = "choice"
    TIME_ZONE = "time_zone"


_SCHEMAS: Final[dict[ParamKind, dict[str, Any]]] = {
    ParamKind.TEXT: {"type": "string", "minLength": 1, "maxLength": TEXT_MAX_LENGTH},
    ParamKind.COUNT: COUNT.json_schema(),
    ParamKind.AMOUNT: AMOUNT.json_schema(),
    ParamKind.DATE: {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    ParamKind.RATE: ANNUAL_RATE.json_schema(),
    ParamKind.MONTHS: MONTHS.json_schema(),
    ParamKind.MASKED: {"type": "string", "pattern": MASKED_PATTERN},
    ParamKind.CHOICE: {"type": "string"},
    ParamKind.TIME_ZONE: {"type": "string", "pattern": TIME_ZONE_PATTERN},
}


@dataclass(frozen=True)
class ParamSpec:
    """One declared param of a flow: its kind, whether required, choices and a sample value."""

    name: str
    kind: ParamKind
    required: bool
    description: str
    sample: str | int | float
    choices: tuple[str, ...] = ()

    def to_json_schema(self) -> dict[str, Any]:
        """JSON-schema fragment for this param.

        >>> FLOWS["human_handoff"].params[0].to_json_schema()["enum"][-2:]
        ['dispute', 'fraud']
        """
        schema = {**_SCHEMAS[self.kind], "description": self.description}
        if self.choices:
            schema["enum"] = list(self.choices)
        return schema


def _no_variant(keys: Mapping[str, str]) -> str | None:
    return None


@dataclass(frozen=True)
class FlowSpec:
    """A compliance flow: its name, purpose, declared params and how it is governed.

    ``identity`` names the config values (:mod:`bankbot_tools.compliance.config`) every
    rendering, fallback included, must say; ``collection`` flows obey the calling hours when
    the consumer's time zone is given; ``disclosure`` prompts are spoken without barge-in;
    ``variant`` picks a variant wording (one of ``variants``) from the validated values.
    """

    name: str
    description: str
    params: tuple[ParamSpec, ...]
    identity: tuple[str, ...] = ()
    disclosure: bool = False
    collection: bool = False
    variants: tuple[str, ...] = ()
    variant: Callable[[Mapping[str, str]], str | None] = field(default=_no_variant)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required params.

        >>> FLOWS["loan_quote_disclaimer"].required
        ('apr', 'rate_type', 'term_months', 'monthly_payment')
        """
        return tuple(p.name for p in self.params if p.required)

    @property
    def optional(self) -> tuple[str, ...]:
        """Names of the optional params.

        >>> FLOWS["loan_quote_disclaimer"].optional
        ('interest_rate', 'first_payment_date')
        """
        return tuple(p.name for p in self.params if not p.required)

    def sample_params(self) -> dict[str, str | int | float]:
        """Sample values for every param, valid for rendering.

        >>> FLOWS["kyc"].sample_params()["attempts_left"]
        2
        """
        return {p.name: p.sample for p in self.params}

    def to_json_schema(self) -> dict[str, Any]:
        """JSON schema of this flow's ``params`` object.

        >>> FLOWS["kyc"].to_json_schema()["required"]
        ['attempts_left']
        """
        return {
            "type": "object",
            "properties": {p.name: p.to_json_schema() for p in self.params},
            "required": list(self.required),
            "additionalProperties": False,
        }


def _param(
    name: str, kind: ParamKind, description: str, sample: str | int | float, *choices: str
) -> ParamSpec:
    return ParamSpec(name, kind, True, description, sample, choices)


def _optional(
    name: str, kind: ParamKind, description: str, sample: str | int | float, *choices: str
) -> ParamSpec:
    return ParamSpec(name, kind, False, description, sample, choices)


def _kyc_variant(keys: Mapping[str, str]) -> str | None:
    """No attempt left: lock and transfer, never a request to verify."""
    return "locked" if keys.get("attempts_left") == "0" else None


def _miranda_variant(keys: Mapping[str, str]) -> str | None:
    """Nothing about a debt before the right party is confirmed (1692b(2), 1692c(b))."""
    disclosing = keys.get("contact") in {"first", "subsequent"}
    return "right_party_check" if disclosing and keys.get("right_party") != "confirmed" else None


_TIME_ZONE = _optional(
    "consumer_time_zone",
    ParamKind.TIME_ZONE,
    "IANA time zone of the consumer (e.g. America/Chicago) on outbound collection calls;"
    " the prompt is refused outside 8 a.m. to 9 p.m. local time.",
    "America/Chicago",
)
FLOWS: Final[Mapping[str, FlowSpec]] = {
    spec.name: spec
    for spec in (
        FlowSpec(
            "kyc",
            "Identity check before any account detail: two factors, attempts left; at zero"
            " attempts, lock and transfer.",
            (_param("attempts_left", ParamKind.COUNT, "Verification attempts left.", 2),),
            identity=("bank_name",),
            variants=("locked",),
            variant=_kyc_variant,
        ),
        FlowSpec(
            "opt_out",
            "Withdrawal of consent, in any wording: recording stops at once, calls about the"
            " account stop at once, marketing within ten business days; scope confirmed.",
            (
                _param(
                    "scope",
                    ParamKind.CHOICE,
                    "What the caller withdraws consent to: recording, marketing,"
                    " calls (stop calling about the account) or all.",
                    "marketing",
                    "recording",
                    "marketing",
                    "calls",
                    "all",
                ),
            ),
            identity=("bank_name",),
        ),
        FlowSpec(
            "legal",
            "Versioned legal notice.",
            (
                _optional(
                    "effective_date",
                    ParamKind.DATE,
                    "ISO date the notice is effective.",
                    "2026-03-04",
                ),
            ),
            identity=("bank_name",),
            disclosure=True,
        ),
        FlowSpec(
            "recording_notice",
            "Recording and automated transcription notice asking consent, with a path if the"
            " caller declines.",
            (),
            identity=("bank_name",),
            disclosure=True,
        ),
        FlowSpec(
            "ai_disclosure",
            "Automated AI assistant, not a person; how to reach a human.",
            (),
            identity=("bank_name", "assistant_name"),
            disclosure=True,
        ),
        FlowSpec(
            "outbound_ai_call",
            "Opening of an outbound call in an AI (artificial) voice: who is calling, AI"
            " assistant, a human on request, callback number; marketing adds the opt-out.",
            (
                _param(
                    "purpose",
                    ParamKind.CHOICE,
                    "Why the bank calls: servicing (existing account) or marketing.",
                    "servicing",
                    "servicing",
                    "marketing",
                ),
            ),
            identity=("bank_name", "assistant_name", "callback_number"),
            disclosure=True,
        ),
        FlowSpec(
            "mini_miranda",
            "Debt collection: right-party check first, then the debt-collector disclosure on"
            " the first and later contacts, or a limited-content voicemail.",
            (
                _param(
                    "contact",
                    ParamKind.CHOICE,
                    "First contact, a later one, or a voicemail (says nothing about a debt).",
                    "first",
                    "first",
                    "subsequent",
                    "voicemail",
                ),
                _optional(
                    "right_party",
                    ParamKind.CHOICE,
                    "confirmed once the person has confirmed being the consumer; until then"
                    " the right-party check is said instead of the disclosure.",
                    "confirmed",
                    "confirmed",
                    "not_confirmed",
                ),
                _TIME_ZONE,
            ),
            disclosure=True,
            collection=True,
            variants=("right_party_check",),
            variant=_miranda_variant,
        ),
        FlowSpec(
            "loan_quote_disclaimer",
            "Loan estimate: annual percentage rate, interest rate, when the rate can change,"
            " repayment terms, not an offer of credit.",
            (
                _param(
                    "apr",
                    ParamKind.RATE,
                    "Annual percentage rate (APR, cost of credit incl. finance charges) as a"
                    " fraction; never the nominal interest rate.",
                    0.0675,
                ),
                _param(
                    "rate_type",
                    ParamKind.CHOICE,
                    "fixed or variable: says when the rate can change.",
                    "fixed",
                    "fixed",
                    "variable",
                ),
                _param("term_months", ParamKind.MONTHS, "Term in months.", 60),
                _param("monthly_payment", ParamKind.AMOUNT, "Monthly payment in USD.", 1264.14),
                _optional(
                    "interest_rate",
                    ParamKind.RATE,
                    "Nominal (note) interest rate as a fraction, if it is to be said.",
                    0.065,
                ),
                _optional(
                    "first_payment_date",
                    ParamKind.DATE,
                    "ISO date of the first payment.",
                    "2026-03-04",
                ),
            ),
            disclosure=True,
        ),
        FlowSpec(
            "do_not_call",
            "Company do-not-call request for telemarketing confirmed, honored within ten"
            " business days.",
            (
                _optional(
                    "phone_number",
                    ParamKind.MASKED,
                    "Phone number; only its last 4 digits are ever read back.",
                    "(555) 010-1234",
                ),
            ),
            identity=("bank_name",),
        ),
        FlowSpec(
            "human_handoff",
            "Transfer to a person.",
            (
                _param(
                    "reason",
                    ParamKind.CHOICE,
                    "Why the caller is transferred.",
                    "request",
                    "hardship",
                    "bereavement",
                    "complaint",
                    "request",
                    "dispute",
                    "fraud",
                ),
            ),
        ),
    )
}
