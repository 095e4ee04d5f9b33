"""Compliance prompts a regulated banking voicebot can speak: exact, versioned, never half-filled.

Pure core: loads the wording and renders it. Flows and their params are declared in
:mod:`bankbot_tools.compliance.flows`; the wording lives in ``prompts/<locale>.json`` (package
data), checked on load: every placeholder is a declared param or a config identity value. Who is
calling (bank, assistant, collector, callback number) comes from the deployment config
(:mod:`bankbot_tools.compliance.config`), never from the params the LLM fills. Templating is
``string.Template.substitute`` only, and a caller's value is inserted as text, never read again
as a template. A missing or invalid param selects the flow's fallback text, which still carries
the legally required phrases and the caller's identity, and is reported (``fallback=True`` with
a reason); it never raises ``KeyError``. Every prompt comes as text, as ``spoken_text`` for a
plain text-to-speech engine and as ``ssml`` (:mod:`bankbot_tools.compliance.ssml`). The module
writes no logs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from importlib.resources import files
from string import Template
from typing import Any, Final

from bankbot_tools.compliance import ssml as markup
from bankbot_tools.compliance.call_window import CITATION, CallWindowClosed, check_call_window
from bankbot_tools.compliance.config import Identity, default_config
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
    spell_count,
    spell_date,
    spell_integer,
    spell_masked,
    spell_rate,
)

__all__ = [
    "IDENTITY_FLAGS",
    "IDENTITY_NAMES",
    "FlowTemplate",
    "RenderedPrompt",
    "TemplateError",
    "catalog",
    "documents",
    "find_leftovers",
    "get_prompt",
    "identity_values",
    "parse_templates",
    "phrases_for",
    "render_prompt",
    "resolve_locale",
]


_LEFTOVER: Final = re.compile(r"\$(?:\{|[_A-Za-z])|[{}]|\bNone\b")
_UNITS: Final = {"en": ("month", "months"), "es": ("mes", "meses")}
#: Config values any template may say, by placeholder (persona words come from the locale file).
IDENTITY_NAMES: Final = (
    "bank_name",
    "assistant_name",
    "collector_name",
    "neutral_name",
    "contact_person",
    "callback_number",
    "an_assistant",
    "named",
)
#: Config yes/no notices; a template that uses one gives its wording as a fragment.
IDENTITY_FLAGS: Final = ("member_fdic", "equal_housing_lender")
_PERSONA_WORDS: Final = ("an_assistant", "named")
_GENDERS: Final = ("feminine", "masculine")
_LAYERS: Final = ("text", "spoken", "ssml")


class TemplateError(ValueError):
    """A prompt file breaks the rules: unknown placeholder, missing flow, label or phrase."""


class _InvalidParam(ValueError):
    """A param value is missing or fails its kind's rule; the message names no value (PII)."""


@dataclass(frozen=True)
class FlowTemplate:
    """The wording of one flow in one locale, checked against its ``FlowSpec``.

    Strings are raw ``string.Template`` sources; ``phrases_when`` and ``forbidden_phrases``
    are keyed by render tags (``"contact=first"``, ``"variant=locked"``, ``"a&b"`` for both).
    """

    id: str
    version: str
    text: str
    fallback: str
    fragments: Mapping[str, str]
    labels: Mapping[str, Mapping[str, str]]
    required_phrases: tuple[str, ...]
    variants: Mapping[str, str] = field(default_factory=dict)
    phrases_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    forbidden_phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sha256: str = ""


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered prompt with its provenance; ``spoken_text`` and ``ssml`` are for speech.

    ``barge_in`` is false for disclosures the caller must hear whole; ``config`` is the
    identity's source, ``"sample"`` when no deployment config was given.
    """

    flow: str
    template_id: str
    version: str
    locale: str
    requested_locale: str
    fallback: bool
    fallback_reason: str | None
    text: str
    spoken_text: str
    ssml: str = ""
    barge_in: bool = True
    config: str = "sample"
    ignored_params: tuple[str, ...] = ()
    #: Render tags the phrase tables are keyed by (``variant=locked``, ``contact=first``);
    #: kept out of ``to_dict`` since they hold the validated values.
    tags: frozenset[str] = field(default=frozenset(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON.

        >>> render_prompt("human_handoff", {"reason": "request"}).to_dict()["template_id"]
        'human_handoff.en-US'
        """
        document = {**asdict(self), "ignored_params": list(self.ignored_params)}
        del document["tags"]
        return document


def find_leftovers(text: str) -> list[str]:
    """Template debris in a text: ``$name``, ``${``, braces or ``None``.

    >>> find_leftovers("Hello None, you owe $amount {x}")
    ['None', '$a', '{', '}']
    """
    return [m.group(0) for m in _LEFTOVER.finditer(text)]


def _template(raw: object, where: str, allowed: set[str]) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise TemplateError(f"{where}: must be a non-empty string")
    template = Template(raw)
    if not template.is_valid() or "{" in raw or "}" in raw or "<" in raw or ">" in raw:
        raise TemplateError(f"{where}: invalid placeholder or brace")
    unknown = set(template.get_identifiers()) - allowed
    if unknown:
        raise TemplateError(f"{where}: undeclared placeholder(s) {sorted(unknown)}")
    return raw


def _ids(raw: str) -> set[str]:
    return set(Template(raw).get_identifiers())


def _phrase_table(raw: object, where: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(
        isinstance(v, list) and v and all(isinstance(p, str) and p.strip() for p in v)
        for v in raw.values()
    ):
        raise TemplateError(f"{where}: must map tags to non-empty lists of phrases")
    return {str(k): tuple(v) for k, v in raw.items()}


def _flow_template(spec: FlowSpec, raw: object, where: str) -> FlowTemplate:
    if not isinstance(raw, Mapping):
        raise TemplateError(f"{where}: must be an object")
    names = {p.name for p in spec.params}
    identity = set(IDENTITY_NAMES)
    allowed = names | identity | set(IDENTITY_FLAGS)
    text = _template(raw.get("text"), f"{where}.text", allowed)
    fallback = _template(raw.get("fallback"), f"{where}.fallback", identity | set(IDENTITY_FLAGS))
    variants_raw = raw.get("variants", {})
    if not isinstance(variants_raw, Mapping) or set(variants_raw) != set(spec.variants):
        raise TemplateError(f"{where}.variants: need exactly {sorted(spec.variants)}")
    variants = {
        name: _template(body, f"{where}.variants.{name}", allowed)
        for name, body in variants_raw.items()
    }
    used = set().union(*(_ids(s) for s in (text, fallback, *variants.values())))
    need_fragment = (used & (set(spec.optional) | set(IDENTITY_FLAGS))) - {
        p.name for p in spec.params if p.kind is ParamKind.CHOICE
    }
    fragments_raw = raw.get("fragments", {})
    if not isinstance(fragments_raw, Mapping) or set(fragments_raw) != need_fragment:
        raise TemplateError(f"{where}.fragments: need exactly {sorted(need_fragment)}")
    fragments = {
        name: _template(body, f"{where}.fragments.{name}", set(spec.required) | identity | {name})
        for name, body in fragments_raw.items()
    }
    labels_raw = raw.get("labels", {})
    choices = {
        p.name: set(p.choices) for p in spec.params if p.kind is ParamKind.CHOICE and p.name in used
    }
    if not isinstance(labels_raw, Mapping) or set(labels_raw) != set(choices):
        raise TemplateError(f"{where}.labels: need exactly {sorted(choices)}")
    for name, labels in labels_raw.items():
        if not isinstance(labels, Mapping) or set(labels) != choices[name]:
            raise TemplateError(f"{where}.labels.{name}: need exactly {sorted(choices[name])}")
        for key, label in labels.items():
            _template(label, f"{where}.labels.{name}.{key}", identity)
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
    return FlowTemplate(
        ident,
        version,
        text,
        fallback,
        fragments,
        {name: dict(labels) for name, labels in labels_raw.items()},
        tuple(phrases),
        variants,
        _phrase_table(raw.get("phrases_when"), f"{where}.phrases_when"),
        _phrase_table(raw.get("forbidden_phrases"), f"{where}.forbidden_phrases"),
        str(raw.get("sha256", "")),
    )


def _persona(document: Mapping[str, Any], locale: str) -> dict[str, dict[str, str]]:
    persona = document.get("persona")
    if not isinstance(persona, Mapping) or set(persona) != set(_GENDERS):
        raise TemplateError(f'{locale}: "persona" must hold exactly {list(_GENDERS)}')
    for gender, words in persona.items():
        if not isinstance(words, Mapping) or set(words) != set(_PERSONA_WORDS):
            raise TemplateError(f"{locale}.persona.{gender}: need exactly {list(_PERSONA_WORDS)}")
        if not all(
            isinstance(w, str) and w.strip() and not find_leftovers(w) for w in words.values()
        ):
            raise TemplateError(f"{locale}.persona.{gender}: words must be plain text")
    return {gender: dict(words) for gender, words in persona.items()}


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
    _persona(document, locale)
    return {name: _flow_template(FLOWS[name], flows[name], f"{locale}.{name}") for name in FLOWS}


@cache
def documents() -> dict[str, dict[str, Any]]:
    """The shipped prompt files as parsed JSON, by locale (governance reads them raw)."""
    folder = files("bankbot_tools.compliance") / "prompts"
    return {
        locale: json.loads((folder / f"{locale}.json").read_text("utf-8")) for locale in LOCALES
    }


@cache
def catalog() -> dict[str, dict[str, FlowTemplate]]:
    """The shipped prompt files, checked, by locale then flow; loaded once.

    >>> catalog()["es-US"]["kyc"].id
    'kyc.es-US'
    """
    return {locale: parse_templates(doc, locale) for locale, doc in documents().items()}


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


def identity_values(identity: Identity, locale: str) -> dict[str, tuple[str, str, str]]:
    """(text, spoken, ssml) of every identity placeholder in a served locale.

    >>> identity_values(default_config(), "es-US")["an_assistant"][0]
    'una asistente automatizada'
    """
    words = _persona(documents()[locale], locale)[identity.assistant_gender]
    values: dict[str, tuple[str, str, str]] = {
        name: (value, value, markup.lang(markup.xml_text(value), identity.names_language, locale))
        for name, value in identity.text_values().items()
    }
    values.update({name: (w, w, markup.xml_text(w)) for name, w in words.items()})
    number = identity.callback_number
    values["callback_number"] = (
        markup.phone_display(number),
        markup.phone_spoken(number, locale),
        markup.telephone(number),
    )
    values.update({flag: ("", "", "") for flag in IDENTITY_FLAGS})
    return values


def phrases_for(
    table: Mapping[str, tuple[str, ...]], tags: frozenset[str], identity: Mapping[str, str]
) -> list[str]:
    """The phrases of a tag table that apply to a render's tags, identity placeholders filled.

    >>> table = {"a&b": ("$bank_name",), "c": ("x",)}
    >>> phrases_for(table, frozenset({"a", "b"}), {"bank_name": "B"})
    ['B']
    """
    found = []
    for key, phrases in table.items():
        if key == "*" or all(part in tags for part in key.split("&")):
            found += [Template(p).safe_substitute(identity) for p in phrases]
    return found


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _InvalidParam("must be text")
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > TEXT_MAX_LENGTH or not cleaned.isprintable():
        raise _InvalidParam(f"must be printable text of 1 to {TEXT_MAX_LENGTH} characters")
    return cleaned


def _units(spec: FieldSpec, value: object) -> int:
    """Units of a money, rate or months param by the loan rule table; no value in the error."""
    units = units_of(spec, value)
    if isinstance(units, Violation):
        raise _InvalidParam(spec.requirement(units))
    return units


def _spoken(text: str, spoken: str) -> tuple[str, str, str]:
    return text, spoken, markup.xml_text(spoken)


def _render_value(
    spec: ParamSpec, value: object, locale: str, labels: Mapping[str, Mapping[str, tuple[str, ...]]]
) -> tuple[str, tuple[str, str, str]]:
    """(key, (text, spoken, ssml)) for one value; raises ``_InvalidParam``."""
    language = language_of(locale)
    if spec.kind is ParamKind.TEXT:
        cleaned = _text(value)
        return cleaned, (cleaned, cleaned, markup.xml_text(cleaned))
    if spec.kind is ParamKind.COUNT:
        count = _units(COUNT, value)
        return str(count), _spoken(str(count), spell_integer(count, locale))
    if spec.kind is ParamKind.MONTHS:
        months = _units(MONTHS, value)
        singular, plural = _UNITS[language]
        unit = plural if months != 1 else singular
        return str(months), _spoken(
            f"{months} {unit}", spell_count(months, singular, plural, locale)
        )
    if spec.kind is ParamKind.AMOUNT:
        cents = _units(AMOUNT, value)
        shown = f"${cents_to_decimal(cents):,.2f}"
        return shown, _spoken(shown, spell_amount(cents, "USD", locale))
    if spec.kind is ParamKind.RATE:
        rate = ANNUAL_RATE.decimal(_units(ANNUAL_RATE, value))
        shown = percent_text(rate)
        return shown, _spoken(shown, spell_rate(rate, locale, apr=False))
    if spec.kind is ParamKind.DATE:
        day = _date(value)
        month = month_name(day.month, locale)
        shown = (
            f"{day.day} de {month} de {day.year}"
            if language == "es"
            else (f"{month} {day.day}, {day.year}")
        )
        return day.isoformat(), _spoken(shown, spell_date(day, locale))
    if spec.kind is ParamKind.MASKED:
        if not isinstance(value, str) or not re.fullmatch(MASKED_PATTERN, value):
            raise _InvalidParam(
                "must be a number ending in at least 4 digits, such as (555) 010-1234 or ****1234"
            )
        shown = spell_masked(value, locale, separator="")
        return shown, (shown, spell_masked(value, locale), markup.digits(shown))
    if spec.kind is ParamKind.TIME_ZONE:
        cleaned = _text(value)
        return cleaned, (cleaned, cleaned, markup.xml_text(cleaned))
    choice = value.strip().lower() if isinstance(value, str) else None
    if choice not in spec.choices:
        raise _InvalidParam(f"must be one of {', '.join(spec.choices)}")
    label = labels.get(spec.name, {}).get(choice)
    return choice, (label[0], label[1], label[2]) if label else (choice, choice, choice)


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


def _labels(
    flow: FlowTemplate, names: Mapping[str, tuple[str, str, str]]
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Every label in each layer, identity placeholders filled."""
    layers = [{k: v[i] for k, v in names.items()} for i in range(3)]
    return {
        param: {
            key: (
                Template(label).substitute(layers[0]),
                Template(label).substitute(layers[1]),
                Template(markup.xml_text(label)).substitute(layers[2]),
            )
            for key, label in labels.items()
        }
        for param, labels in flow.labels.items()
    }


def _values(
    spec: FlowSpec,
    params: Mapping[Any, object],
    locale: str,
    labels: Mapping[str, Mapping[str, tuple[str, ...]]],
) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    keys: dict[str, str] = {}
    values: dict[str, tuple[str, str, str]] = {}
    for param in spec.params:
        value = params.get(param.name)
        if value is None:
            if param.required:
                raise _InvalidParam(f"missing required param {param.name!r}")
            continue
        try:
            keys[param.name], values[param.name] = _render_value(param, value, locale, labels)
        except _InvalidParam as problem:
            raise _InvalidParam(f"invalid param {param.name!r}: {problem}") from None
    return keys, values


def _fill(
    raw: str,
    fragments: Mapping[str, str],
    values: Mapping[str, str],
    present: set[str],
    ssml: bool,
) -> str:
    """Fill a template; optional params and flags go through their fragment, or vanish."""

    def template(source: str) -> Template:
        return Template(markup.xml_text(source) if ssml else source)

    base = {name: value for name, value in values.items() if name not in fragments}
    filled = dict(base)
    for name, fragment in fragments.items():
        filled[name] = (
            template(fragment).substitute(base, **{name: values.get(name, "")})
            if name in present
            else ""
        )
    return template(raw).substitute(filled)


def _check_window(spec: FlowSpec, params: Mapping[Any, object], now: object) -> None:
    """Refuse a collection prompt outside 8 a.m.-9 p.m. in the consumer's zone, if given."""
    zone_name = params.get("consumer_time_zone")
    if not spec.collection or zone_name is None:
        return
    try:
        window = check_call_window(zone_name, now)
    except ValueError as error:
        raise ValueError(f"consumer_time_zone: {error}") from None
    if not window.permitted:
        raise CallWindowClosed(
            f"consumer_time_zone: a collection call is not permitted at"
            f" {window.local_time:%H:%M} local time in {window.time_zone}; calls are permitted"
            f" 08:00-21:00 ({CITATION}); do not place or continue the call now"
        )


def render_prompt(
    flow_type: str,
    params: Mapping[str, object] | None = None,
    locale: str = DEFAULT_LOCALE,
    *,
    config: Identity | None = None,
    now: object = None,
) -> RenderedPrompt:
    """Render a flow's prompt with provenance, falling back safely on bad params or locale.

    Raises ``ValueError`` for an unknown flow (listing the known ones) or non-mapping params,
    and ``CallWindowClosed`` (a ``ValueError``) for a collection flow given a
    ``consumer_time_zone`` where ``now`` (default: the current time) is outside calling hours.

    The locale served is in ``locale`` (see ``resolve_locale``); a param fallback sets
    ``fallback`` and a ``fallback_reason`` naming the param, never its value. Identity comes
    from ``config`` (default: :func:`~bankbot_tools.compliance.config.default_config`).

    >>> p = render_prompt("kyc", {"attempts_left": 2}, "es-MX")
    >>> p.locale, p.fallback, "Intentos restantes: dos." in p.spoken_text
    ('es-US', False, True)
    """
    spec = _known_flow(flow_type)
    if params is not None and not isinstance(params, Mapping):
        raise ValueError("params must be a mapping of param names to values")
    given: Mapping[Any, object] = params or {}
    _check_window(spec, given, now)
    identity = config or default_config()
    used = resolve_locale(locale)
    flow = catalog()[used][spec.name]
    names = identity_values(identity, used)
    flags = {flag for flag, on in identity.flags().items() if on}
    unknown = tuple(str(k)[:40] for k in given if k not in {p.name for p in spec.params})
    labels = _labels(flow, names)
    reason: str | None = None
    try:
        keys, values = _values(spec, given, used, labels)
    except _InvalidParam as problem:
        raw, variant, reason, present = flow.fallback, "fallback", str(problem), flags
        keys, values = {}, {}
    else:
        variant = spec.variant(keys) or "text"
        raw = flow.variants.get(variant, flow.text)
        present = flags | set(values)
    every = {**names, **values}
    filled = [
        _fill(raw, flow.fragments, {k: v[i] for k, v in every.items()}, present, i == 2)
        for i in range(3)
    ]
    template_id = flow.id if variant == "text" else f"{flow.id}.{variant}"
    tags = frozenset(
        {
            f"variant={variant}",
            *(f"{k}={v}" for k, v in keys.items()),
            *(f"{flag}={'yes' if on else 'no'}" for flag, on in identity.flags().items()),
        }
    )
    disclosures = [*flow.required_phrases, *phrases_for(flow.phrases_when, tags, {})]
    return RenderedPrompt(
        flow=spec.name,
        template_id=template_id,
        version=flow.version,
        locale=used,
        requested_locale=str(locale),
        fallback=variant == "fallback",
        fallback_reason=reason,
        text=filled[0],
        spoken_text=filled[1],
        ssml=markup.speak(filled[2], used, f"{template_id}@{flow.version}", disclosures),
        barge_in=not spec.disclosure,
        config=identity.source,
        ignored_params=unknown[:10],
        tags=tags,
    )


def get_prompt(
    flow_type: str, params: Mapping[str, object] | None = None, locale: str = DEFAULT_LOCALE
) -> str:
    """The prompt text of a flow: figures as digits ("$1,264.14", "ending in 1234").

    ``render_prompt`` adds the ``spoken_text`` and ``ssml`` for speech and the provenance.

    >>> get_prompt("human_handoff", {"reason": "request"})
    'Of course. I am transferring you to a member of our team now. Please stay on the line.'
    """
    return render_prompt(flow_type, params, locale).text
