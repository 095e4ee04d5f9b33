"""The compliance flows, declared as data: each flow's params, their kinds, choices and samples.

``FLOWS`` is the one statement of which flows exist and what they take; the prompt files are
checked against it (:mod:`bankbot_tools.compliance.render`) and the tool layer builds its JSON
schemas from it (:mod:`bankbot_tools.llm.schemas`). ``LOCALES`` lists the locales a prompt file
exists for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
    "FlowSpec",
    "ParamKind",
    "ParamSpec",
]


DEFAULT_LOCALE: Final = "en-US"
LOCALES: Final = ("en-US", "es-US")

TEXT_MAX_LENGTH: Final = 80
# ASCII digits only: JSON-schema patterns (ECMA-262) and Python regexes must agree.
DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MASKED_PATTERN: Final = r"^[0-9 -]*[0-9]{4}[0-9 -]*$"


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


_SCHEMAS: Final[dict[ParamKind, dict[str, Any]]] = {
    ParamKind.TEXT: {"type": "string", "minLength": 1, "maxLength": TEXT_MAX_LENGTH},
    ParamKind.COUNT: COUNT.json_schema(),
    ParamKind.AMOUNT: AMOUNT.json_schema(),
    ParamKind.DATE: {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    ParamKind.RATE: ANNUAL_RATE.json_schema(),
    ParamKind.MONTHS: MONTHS.json_schema(),
    ParamKind.MASKED: {"type": "string", "pattern": MASKED_PATTERN},
    ParamKind.CHOICE: {"type": "string"},
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

        >>> FLOWS["human_handoff"].params[0].to_json_schema()["enum"]
        ['hardship', 'bereavement', 'complaint', 'request']
        """
        schema = {**_SCHEMAS[self.kind], "description": self.description}
        if self.choices:
            schema["enum"] = list(self.choices)
        return schema


@dataclass(frozen=True)
class FlowSpec:
    """A compliance flow: its name, purpose and declared params."""

    name: str
    description: str
    params: tuple[ParamSpec, ...]

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required params.

        >>> FLOWS["loan_quote_disclaimer"].required
        ('apr', 'term_months', 'monthly_payment')
        """
        return tuple(p.name for p in self.params if p.required)

    @property
    def optional(self) -> tuple[str, ...]:
        """Names of the optional params.

        >>> FLOWS["loan_quote_disclaimer"].optional
        ('first_payment_date',)
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
        ['bank_name', 'attempts_left']
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


def _optional(name: str, kind: ParamKind, description: str, sample: str | int | float) -> ParamSpec:
    return ParamSpec(name, kind, False, description, sample)


_BANK = _param("bank_name", ParamKind.TEXT, "Bank name as it should be spoken.", "Acme Bank")
FLOWS: Final[Mapping[str, FlowSpec]] = {
    spec.name: spec
    for spec in (
        FlowSpec(
            "kyc",
            "Identity check with partial data only; attempts left; lock and hand off at the max.",
            (
                _BANK,
                _param("attempts_left", ParamKind.COUNT, "Verification attempts left.", 2),
                _optional(
                    "account_number",
                    ParamKind.MASKED,
                    "Account number; only its last 4 digits are ever read back.",
                    "000123451234",
                ),
            ),
        ),
        FlowSpec(
            "opt_out",
            "Withdrawal of recording or marketing consent, in any wording; scope confirmed.",
            (
                _BANK,
                _param(
                    "scope",
                    ParamKind.CHOICE,
                    "What the caller withdraws consent to.",
                    "marketing",
                    "recording",
                    "marketing",
                    "all",
                ),
            ),
        ),
        FlowSpec(
            "legal",
            "Versioned legal notice.",
            (
                _BANK,
                _optional(
                    "effective_date",
                    ParamKind.DATE,
                    "ISO date the notice is effective.",
                    "2026-03-04",
                ),
            ),
        ),
        FlowSpec(
            "recording_notice",
            "Recording notice asking consent, with a path if the caller declines.",
            (_BANK,),
        ),
        FlowSpec(
            "ai_disclosure",
            "Automated assistant, not a person; how to reach a human.",
            (
                _BANK,
                _optional("assistant_name", ParamKind.TEXT, "Name of the assistant.", "Ava"),
            ),
        ),
        FlowSpec(
            "mini_miranda",
            "Debt-collection disclosure for the first and later contacts.",
            (
                _param("collector_name", ParamKind.TEXT, "Who is collecting.", "Acme Recovery"),
                _param(
                    "contact",
                    ParamKind.CHOICE,
                    "First contact or a later one.",
                    "first",
                    "first",
                    "subsequent",
                ),
            ),
        ),
        FlowSpec(
            "loan_quote_disclaimer",
            "Loan estimate: annual percentage rate, repayment terms, not an offer of credit.",
            (
                _param("apr", ParamKind.RATE, "Annual percentage rate as a fraction.", 0.065),
                _param("term_months", ParamKind.MONTHS, "Term in months.", 60),
                _param("monthly_payment", ParamKind.AMOUNT, "Monthly payment in USD.", 1264.14),
                _optional(
                    "first_payment_date",
                    ParamKind.DATE,
                    "ISO date of the first payment.",
                    "2026-03-04",
                ),
            ),
        ),
        FlowSpec(
            "do_not_call",
            "Company do-not-call request confirmed, honored within ten business days.",
            (
                _BANK,
                _optional(
                    "phone_number",
                    ParamKind.MASKED,
                    "Phone number; only its last 4 digits are ever read back.",
                    "555-010-1234",
                ),
            ),
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
                ),
            ),
        ),
    )
}
