"""Compliance prompts a regulated banking voicebot can speak: exact, versioned, never half-filled.

Pure core: loads the wording and renders it. Flows and their params are declared in
:mod:`bankbot_tools.compliance.flows`; the wording lives in ``prompts/<locale>.json``
(package data), checked on load: every placeholder is a declared param. Templating is
``string.Template.substitute`` only, and a caller's value is inserted as text, never read again
as a template. A missing or
invalid param selects the flow's fallback text, which still carries the legally required phrases,
and is reported (``fallback=True`` with a reason, which the caller's analytics event
carries); it never raises ``KeyError``. The module itself writes no logs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from functools import cache
from importlib.resources import files
from string import Template
from typing import Any, Final

from bankbot_tools.compliance.flows import (
    DATE_PATTERN,
    DEFAULT_LOCALE,
    FLOWS,
    LOCALES,
    MASKED_PATTERN,
    TEXT_MAX_LENGTH,
    FlowSpec,
    ParamKind,
    ParamSpec,
)
from bankbot_tools.money import cents_to_decimal, percent_text
from bankbot_tools.rules import AMOUNT, ANNUAL_RATE, COUNT, MONTHS, FieldSpec, Violation, units_of
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
    "FlowTemplate",
    "RenderedPrompt",
    "TemplateError",
    "catalog",
    "find_leftovers",
    "get_prompt",
    "parse_templates",
    "render_prompt",
    "resolve_locale",
]


_LEFTOVER: Final = re.compile(r"\$(?:\{|[_A-Za-z])|[{}]|\bNone\b")
_UNITS: Final = {"en": ("month", "months"), "es": ("mes", "meses")}


class TemplateError(ValueError):
    """A prompt file breaks the rules: unknown placeholder, missing flow, label or phrase."""


class _InvalidParam(ValueError):
    """A param value is missing or fails its kind's rule; the message names no value (PII)."""


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
def catalog() -> dict[str, dict[str, FlowTemplate]]:
    """The shipped prompt files, checked, by locale then flow; loaded once.

    >>> catalog()["es-US"]["kyc"].id
    'kyc.es-US'
    """
    folder = files("bankbot_tools.compliance") / "prompts"
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
        count = _units(COUNT, value)
        return str(count), spell_integer(count, locale)
    if spec.kind is ParamKind.MONTHS:
        months = _units(MONTHS, value)
        unit = _UNITS[language][months != 1]
        return f"{months} {unit}", f"{spell_integer(months, locale)} {unit}"
    if spec.kind is ParamKind.AMOUNT:
        cents = _units(AMOUNT, value)
        return f"${cents_to_decimal(cents):,.2f}", spell_amount(cents, "USD", locale)
    if spec.kind is ParamKind.RATE:
        rate = ANNUAL_RATE.decimal(_units(ANNUAL_RATE, value))
        return percent_text(rate), spell_rate(rate, locale, apr=False)
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
        if not isinstance(value, str) or not re.fullmatch(MASKED_PATTERN, value):
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
    if isinstance(value, str) and re.fullmatch(DATE_PATTERN, value.strip()):
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

    The locale served is in ``locale`` (see ``resolve_locale``); a param fallback sets
    ``fallback`` and a ``fallback_reason`` naming the param, never its value.

    >>> p = render_prompt("kyc", {"bank_name": "Acme Bank", "attempts_left": 2}, "es-MX")
    >>> p.locale, p.fallback, "Intentos restantes: dos." in p.spoken_text
    ('es-US', False, True)
    """
    spec = _known_flow(flow_type)
    if params is not None and not isinstance(params, Mapping):
        raise ValueError("params must be a mapping of param names to values")
    given: Mapping[Any, object] = params or {}
    used = resolve_locale(locale)
    flow = catalog()[used][spec.name]
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
