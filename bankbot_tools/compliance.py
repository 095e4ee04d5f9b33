"""Compliance prompts a regulated banking voicebot can speak: exact, versioned, never half-filled.

Pure core. Flows and their params are declared here as data (``FLOWS``), so the tool layer can
build a JSON schema from them; the wording lives in ``prompts/<locale>.json`` (package data),
checked on load: every placeholder is a declared param. Templating is ``string.Template.substitute``
only, and a caller's value is inserted as text, never read again as a template. A missing or
invalid param selects the flow's fallback text, which still carries the legally required phrases,
and is reported (``fallback=True`` with a reason, which the caller's analytics event
carries); it never raises ``KeyError``. The module itself writes no logs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib.resources import files
from string import Template
from typing import Any, Final

from bankbot_tools.loan import AMOUNT, ANNUAL_RATE, MONTHS, FieldSpec, Violation, units_of
from bankbot_tools.money import cents_to_decimal
from bankbot_tools.speech import (
    language_of,
    month_name,
    spell_amount,
    spell_date,
    spell_integer,
    spell_masked,
    spell_rate,
)

__all__ = [
    "DEFAULT_LOCALE",
    "FLOWS",
    "LOCALES",
    "CheckResult",
    "FlowSpec",
    "FlowTemplate",
    "ParamKind",
    "ParamSpec",
    "RenderedPrompt",
    "TemplateError",
    "check_all",
    "find_leftovers",
    "get_prompt",
    "parse_templates",
    "render_prompt",
    "resolve_locale",
]


DEFAULT_LOCALE: Final = "en-US"
LOCALES: Final = ("en-US", "es-US")

TEXT_MAX_LENGTH: Final = 80
COUNT_MAX: Final = 99
# ASCII digits only: JSON-schema patterns (ECMA-262) and Python regexes must agree.
_DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_MASKED_PATTERN: Final = r"^[0-9 -]*[0-9]{4}[0-9 -]*$"
_COUNT_PATTERN: Final = r"^[0-9]{1,4}$"
_LEFTOVER: Final = re.compile(r"\$(?:\{|[_A-Za-z])|[{}]|\bNone\b")
_UNITS: Final = {"en": ("month", "months"), "es": ("mes", "meses")}


class TemplateError(ValueError):
    """A prompt file breaks the rules: unknown placeholder, missing flow, label or phrase."""


class _InvalidParam(ValueError):
    """A param value is missing or fails its kind's rule; the message names no value (PII)."""


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
    ParamKind.COUNT: {"type": "integer", "minimum": 0, "maximum": COUNT_MAX},
    ParamKind.AMOUNT: AMOUNT.json_schema(),
    ParamKind.DATE: {"type": "string", "format": "date", "pattern": _DATE_PATTERN},
    ParamKind.RATE: ANNUAL_RATE.json_schema(),
    ParamKind.MONTHS: MONTHS.json_schema(),
    ParamKind.MASKED: {"type": "string", "pattern": _MASKED_PATTERN},
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


@dataclass(frozen=True)
class FlowTemplate:
    """The wording of one flow in one locale, checked against its ``FlowSpec``."""

    id: str
    version: str
    text: Template
    fallback: Template
    fragments: Mapping[str, Template]
    labels: Mapping[str, Mapping[str, str]]
    required_phrases: tuple[str, ...]


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered prompt with its provenance; ``spoken_text`` is ready for text-to-speech."""

    flow: str
    template_id: str
    version: str
    locale: str
    requested_locale: str
    fallback: bool
    fallback_reason: str | None
    text: str
    spoken_text: str
    ignored_params: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON.

        >>> render_prompt("human_handoff", {"reason": "request"}).to_dict()["template_id"]
        'human_handoff.en-US'
        """
        return {**asdict(self), "ignored_params": list(self.ignored_params)}


@dataclass(frozen=True)
class CheckResult:
    """One case of ``check_all``: a flow in a locale with some params, and what went wrong."""

    flow: str
    locale: str
    case: str
    problems: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """True when the case found no problem.

        >>> CheckResult("kyc", "en-US", "sample", ("text: leftover '$x'",)).passed
        False
        """
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON, with ``passed``.

        >>> CheckResult("kyc", "en-US", "sample").to_dict()["passed"]
        True
        """
        return {**asdict(self), "problems": list(self.problems), "passed": self.passed}


def find_leftovers(text: str) -> list[str]:
    """Template debris in a text: ``$name``, ``${``, braces or ``None``.

    >>> find_leftovers("Hello None, you owe $amount {x}")
    ['None', '$a', '{', '}']
    """
    return [m.group(0) for m in _LEFTOVER.finditer(text)]


def _template(raw: object, where: str, allowed: set[str]) -> Template:
    if not isinstance(raw, str) or not raw.strip():
        raise TemplateError(f"{where}: must be a non-empty string")
    template = Template(raw)
    if not template.is_valid() or "{" in raw or "}" in raw:
        raise TemplateError(f"{where}: invalid placeholder or brace")
    unknown = set(template.get_identifiers()) - allowed
    if unknown:
        raise TemplateError(f"{where}: undeclared placeholder(s) {sorted(unknown)}")
    return template


def _flow_template(spec: FlowSpec, raw: object, where: str) -> FlowTemplate:
    if not isinstance(raw, Mapping):
        raise TemplateError(f"{where}: must be an object")
    required = set(spec.required)
    text = _template(raw.get("text"), f"{where}.text", {p.name for p in spec.params})
    fallback = _template(raw.get("fallback"), f"{where}.fallback", set())
    used_optional = set(text.get_identifiers()) - required
    fragments_raw = raw.get("fragments", {})
    if not isinstance(fragments_raw, Mapping) or set(fragments_raw) != used_optional:
        raise TemplateError(f"{where}.fragments: need exactly {sorted(used_optional)}")
    fragments = {
        name: _template(body, f"{where}.fragments.{name}", required | {name})
        for name, body in fragments_raw.items()
    }
    labels_raw = raw.get("labels", {})
    choices = {p.name: set(p.choices) for p in spec.params if p.kind is ParamKind.CHOICE}
    if not isinstance(labels_raw, Mapping) or set(labels_raw) != set(choices):
        raise TemplateError(f"{where}.labels: need exactly {sorted(choices)}")
    for name, labels in labels_raw.items():
        if not isinstance(labels, Mapping) or set(labels) != choices[name]:
            raise TemplateError(f"{where}.labels.{name}: need exactly {sorted(choices[name])}")
        if not all(
            isinstance(v, str) and v.strip() and not find_leftovers(v) for v in labels.values()
        ):
            raise TemplateError(f"{where}.labels.{name}: labels must be plain non-empty text")
    phrases = raw.get("required_phrases")
    if (
        not isinstance(phrases, list)
        or not phrases
        or not all(isinstance(p, str) and p.strip() for p in phrases)
    ):
        raise TemplateError(f"{where}.required_phrases: must be a non-empty list of strings")
    ident, version = raw.get("id"), raw.get("version")
    if not (isinstance(ident, str) and ident and isinstance(version, str) and version):
        raise TemplateError(f"{where}: id and version must be non-empty strings")
    return FlowTemplate(ident, version, text, fallback, fragments, labels_raw, tuple(phrases))


def parse_templates(document: object, locale: str) -> dict[str, FlowTemplate]:
    """Check a prompt file's content against ``FLOWS`` and return its templates by flow.

    Raises ``TemplateError`` naming the first broken entry.

    >>> try:
    ...     parse_templates({"locale": "en-US", "flows": {}}, "en-US")
    ... except TemplateError as error:
    ...     print(str(error)[:32])
    en-US: "flows" must hold exactly
    """
    if not isinstance(document, Mapping) or document.get("locale") != locale:
        raise TemplateError(f'{locale}: must be an object with "locale": "{locale}"')
    flows = document.get("flows")
    if not isinstance(flows, Mapping) or set(flows) != set(FLOWS):
        raise TemplateError(f'{locale}: "flows" must hold exactly {sorted(FLOWS)}')
    return {name: _flow_template(FLOWS[name], flows[name], f"{locale}.{name}") for name in FLOWS}


@cache
def _catalog() -> dict[str, dict[str, FlowTemplate]]:
    folder = files("bankbot_tools") / "prompts"
    return {
        locale: parse_templates(json.loads((folder / f"{locale}.json").read_text("utf-8")), locale)
        for locale in LOCALES
    }


def resolve_locale(locale: object) -> str:
    """The locale a request is served in: exact match, then same language, then en-US.

    >>> resolve_locale("es-MX"), resolve_locale("ES_us"), resolve_locale("es"), resolve_locale("fr")
    ('es-US', 'es-US', 'es-US', 'en-US')
    """
    if not isinstance(locale, str):
        return DEFAULT_LOCALE
    wanted = locale.strip().replace("_", "-").lower()
    by_name = {known.lower(): known for known in LOCALES}
    if wanted in by_name:
        return by_name[wanted]
    language = wanted.split("-")[0]
    same_language = [known for known in LOCALES if known.lower().split("-")[0] == language]
    return same_language[0] if same_language else DEFAULT_LOCALE


def _text(value: object) -> tuple[str, str]:
    if not isinstance(value, str):
        raise _InvalidParam("must be text")
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > TEXT_MAX_LENGTH or not cleaned.isprintable():
        raise _InvalidParam(f"must be printable text of 1 to {TEXT_MAX_LENGTH} characters")
    return cleaned, cleaned


def _whole(value: object, low: int, high: int) -> int:
    if isinstance(value, str) and re.fullmatch(_COUNT_PATTERN, value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _InvalidParam(f"must be a whole number from {low} to {high}")
    return value


def _units(spec: FieldSpec, value: object) -> int:
    """Units of a money, rate or months param by the loan rule table; no value in the error."""
    units = units_of(spec, value)
    if isinstance(units, Violation):
        raise _InvalidParam(spec.requirement(units))
    return units


def _render_value(
    spec: ParamSpec, value: object, locale: str, flow: FlowTemplate
) -> tuple[str, str]:
    """(text, spoken) for one value; raises ``_InvalidParam``."""
    language = language_of(locale)
    if spec.kind is ParamKind.TEXT:
        return _text(value)
    if spec.kind is ParamKind.COUNT:
        count = _whole(value, 0, COUNT_MAX)
        return str(count), spell_integer(count, locale)
    if spec.kind is ParamKind.MONTHS:
        months = _units(MONTHS, value)
        unit = _UNITS[language][months != 1]
        return f"{months} {unit}", f"{spell_integer(months, locale)} {unit}"
    if spec.kind is ParamKind.AMOUNT:
        cents = _units(AMOUNT, value)
        return f"${cents_to_decimal(cents):,.2f}", spell_amount(cents, "USD", locale)
    if spec.kind is ParamKind.RATE:
        rate = Decimal(_units(ANNUAL_RATE, value)).scaleb(-ANNUAL_RATE.scale)
        percent = format((rate * 100).normalize(), "f")
        return f"{percent}%", spell_rate(rate, locale, apr=False)
    if spec.kind is ParamKind.DATE:
        day = _date(value)
        month = month_name(day.month, locale)
        shown = (
            f"{day.day} de {month} de {day.year}"
            if language == "es"
            else (f"{month} {day.day}, {day.year}")
        )
        return shown, spell_date(day, locale)
    if spec.kind is ParamKind.MASKED:
        if not isinstance(value, str) or not re.fullmatch(_MASKED_PATTERN, value):
            raise _InvalidParam("must be digits (spaces and dashes allowed), at least 4 digits")
        return spell_masked(value, locale, separator=""), spell_masked(value, locale)
    choice = value.strip().lower() if isinstance(value, str) else None
    if choice not in spec.choices:
        raise _InvalidParam(f"must be one of {', '.join(spec.choices)}")
    label = flow.labels[spec.name][choice]
    return label, label


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(_DATE_PATTERN, value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _InvalidParam("must be an ISO date such as 2026-03-04")


def _known_flow(flow_type: object) -> FlowSpec:
    name = flow_type.strip().lower().replace("-", "_") if isinstance(flow_type, str) else ""
    if name not in FLOWS:
        raise ValueError(f"unknown flow {flow_type!r}; known flows: {', '.join(FLOWS)}")
    return FLOWS[name]


def _values(
    spec: FlowSpec, flow: FlowTemplate, params: Mapping[Any, object], locale: str
) -> tuple[dict[str, str], dict[str, str]]:
    shown: dict[str, str] = {}
    spoken: dict[str, str] = {}
    for param in spec.params:
        value = params.get(param.name)
        if value is None:
            if param.required:
                raise _InvalidParam(f"missing required param {param.name!r}")
            continue
        try:
            shown[param.name], spoken[param.name] = _render_value(param, value, locale, flow)
        except _InvalidParam as problem:
            raise _InvalidParam(f"invalid param {param.name!r}: {problem}") from None
    return shown, spoken


def _fill(flow: FlowTemplate, spec: FlowSpec, values: dict[str, str]) -> str:
    """Fill the text; optional params go through their fragment, or vanish when absent."""
    base = {name: values[name] for name in spec.required}
    filled = dict(base)
    for name, fragment in flow.fragments.items():
        filled[name] = fragment.substitute(base, **{name: values[name]}) if name in values else ""
    return flow.text.substitute(filled)


def render_prompt(
    flow_type: str, params: Mapping[str, object] | None = None, locale: str = DEFAULT_LOCALE
) -> RenderedPrompt:
    """Render a flow's prompt with provenance, falling back safely on bad params or locale.

    Raises ``ValueError`` for an unknown flow (listing the known ones) or non-mapping params.

    The locale served is in ``locale`` (see ``resolve_locale``); a param fallback is logged as
    a ``compliance.fallback`` warning naming the param, never its value.

    >>> p = render_prompt("kyc", {"bank_name": "Acme Bank", "attempts_left": 2}, "es-MX")
    >>> p.locale, p.fallback, "Intentos restantes: dos." in p.spoken_text
    ('es-US', False, True)
    """
    return _render(flow_type, params, locale)


def _render(flow_type: str, params: Mapping[str, object] | None, locale: str) -> RenderedPrompt:
    spec = _known_flow(flow_type)
    if params is not None and not isinstance(params, Mapping):
        raise ValueError("params must be a mapping of param names to values")
    given: Mapping[Any, object] = params or {}
    used = resolve_locale(locale)
    flow = _catalog()[used][spec.name]
    unknown = tuple(str(k)[:40] for k in given if k not in {p.name for p in spec.params})
    result = RenderedPrompt(
        spec.name, flow.id, flow.version, used, str(locale), False, None, "", "", unknown[:10]
    )
    try:
        shown, spoken = _values(spec, flow, given, used)
    except _InvalidParam as problem:
        text = flow.fallback.substitute()
        return replace(
            result,
            template_id=f"{flow.id}.fallback",
            fallback=True,
            fallback_reason=str(problem),
            text=text,
            spoken_text=text,
        )
    return replace(result, text=_fill(flow, spec, shown), spoken_text=_fill(flow, spec, spoken))


def get_prompt(
    flow_type: str, params: Mapping[str, object] | None = None, locale: str = DEFAULT_LOCALE
) -> str:
    """The prompt text of a flow: figures as digits ("$1,264.14", "ending in 1234").

    ``render_prompt`` adds the ``spoken_text`` for text-to-speech and the provenance.

    >>> get_prompt("human_handoff", {"reason": "request"})
    'Of course. I am transferring you to a member of our team now. Please stay on the line.'
    """
    return render_prompt(flow_type, params, locale).text


def _problems(prompt: RenderedPrompt, phrases: tuple[str, ...], fallback: bool) -> list[str]:
    problems = []
    if prompt.fallback is not fallback:
        problems.append(f"expected fallback={fallback}, got {prompt.fallback}")
    for label, text in (("text", prompt.text), ("spoken_text", prompt.spoken_text)):
        problems += [f"{label}: leftover {bit!r}" for bit in find_leftovers(text)]
        problems += [
            f"{label}: missing phrase {p!r}" for p in phrases if p.casefold() not in text.casefold()
        ]
    return problems


def check_all() -> list[CheckResult]:
    """Render every flow in every locale with sample params, every choice, and each param
    missing or invalid in turn; report leftovers, missing required phrases, wrong fallbacks.

    >>> all(result.passed for result in check_all())
    True
    """
    results = []
    for locale in LOCALES:
        for name, spec in FLOWS.items():
            phrases = _catalog()[locale][name].required_phrases
            sample = spec.sample_params()
            cases: list[tuple[str, dict[str, object], bool]] = [("sample", dict(sample), False)]
            cases += [
                (f"{p.name}={choice}", {**sample, p.name: choice}, False)
                for p in spec.params
                for choice in p.choices
            ]
            cases += [(f"missing {p}", _without(sample, p), True) for p in spec.required]
            cases += [(f"invalid {p.name}", {**sample, p.name: ""}, True) for p in spec.params]
            for case, params, fallback in cases:
                prompt = _render(name, params, locale)
                problems = _problems(prompt, phrases, fallback)
                results.append(CheckResult(name, locale, case, tuple(problems)))
    return results


def _without(params: Mapping[str, object], name: str) -> dict[str, object]:
    return {k: v for k, v in params.items() if k != name}
