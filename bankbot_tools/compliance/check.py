"""The ``--all`` check of the compliance prompts: every flow, locale and param case, rendered.

Each flow is rendered in each locale with its sample params, with every choice, every variant
and with each param missing or invalid in turn; a case fails on template debris, a missing
required phrase (global, or for that choice or variant), a forbidden phrase, a missing identity
element (bank, assistant, callback number from the config), SSML that does not parse, or a
wrong fallback. Each template's governance record (version, hash, approval, citations) is
checked too. ``bankbot compliance-test --all`` runs it before a release.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from string import Template
from typing import Any
from xml.etree import ElementTree

from bankbot_tools.compliance import governance
from bankbot_tools.compliance import render as compliance
from bankbot_tools.compliance.config import Identity, default_config
from bankbot_tools.compliance.flows import FLOWS, LOCALES, FlowSpec, ParamKind
from bankbot_tools.compliance.ssml import plain_text

__all__ = ["CheckResult", "cases", "check_all"]

#: A time inside the calling window for the collection flows' sample time zone.
_IN_WINDOW = "2026-03-04T18:00:00+00:00"


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


def _problems(prompt: compliance.RenderedPrompt, identity: Identity, fallback: bool) -> list[str]:
    spec = FLOWS[prompt.flow]
    flow = compliance.catalog()[prompt.locale][prompt.flow]
    layers = compliance.identity_values(identity, prompt.locale)
    names = {name: value[0] for name, value in layers.items()}
    spoken = {name: value[1] for name, value in layers.items()}
    required = [*flow.required_phrases, *compliance.phrases_for(flow.phrases_when, prompt.tags, {})]
    forbidden = compliance.phrases_for(flow.forbidden_phrases, prompt.tags, {})
    problems = []
    if prompt.fallback is not fallback:
        problems.append(f"expected fallback={fallback}, got {prompt.fallback}")
    try:
        spoken_ssml = plain_text(prompt.ssml)
        ElementTree.fromstring(prompt.ssml)  # noqa: S314 (our own output, not untrusted)
    except ElementTree.ParseError as error:
        problems.append(f"ssml: does not parse ({error})")
    if f'<mark name="{prompt.template_id}@{prompt.version}"/>' not in prompt.ssml:
        problems.append("ssml: no audit mark TEMPLATE_ID@VERSION")
    texts = (("text", prompt.text), ("spoken_text", prompt.spoken_text), ("ssml", spoken_ssml))
    for label, text in texts:
        words = text.casefold()
        problems += [f"{label}: leftover {bit!r}" for bit in compliance.find_leftovers(text)]
        fill = names if label == "text" else spoken
        for phrase in required:
            phrase_text = Template(phrase).safe_substitute(fill)
            if phrase_text.casefold() not in words:
                problems.append(f"{label}: missing phrase {phrase_text!r}")
        problems += [f"{label}: forbidden phrase {p!r}" for p in forbidden if p.casefold() in words]
    for name in spec.identity:
        if names[name].casefold() not in prompt.text.casefold():
            problems.append(f"text: does not name the {name} ({names[name]!r})")
    if prompt.barge_in is spec.disclosure:
        problems.append(f"barge_in must be {not spec.disclosure} for this flow")
    return problems


def cases(spec: FlowSpec) -> Iterator[tuple[str, dict[str, object], bool]]:
    """The (case, params, expect fallback) renders ``--all`` checks for one flow.

    >>> [case for case, _, _ in cases(FLOWS["kyc"])]
    ['sample', 'attempts_left=0', 'missing attempts_left', 'invalid attempts_left']
    >>> [case for case, _, _ in cases(FLOWS["opt_out"])][:3]
    ['sample', 'scope=recording', 'scope=calls']
    """
    sample = spec.sample_params()
    yield "sample", dict(sample), False
    for p in spec.params:
        for choice in p.choices:
            if sample.get(p.name) != choice:
                yield f"{p.name}={choice}", {**sample, p.name: choice}, False
    for p in spec.params:
        if p.kind is ParamKind.COUNT:
            yield f"{p.name}=0", {**sample, p.name: 0}, False
    for name in spec.optional:
        yield f"without {name}", _without(sample, name), False
    for name in spec.required:
        yield f"missing {name}", _without(sample, name), True
    for p in spec.params:
        if p.name != "consumer_time_zone":
            yield f"invalid {p.name}", {**sample, p.name: ""}, True


def _governance(name: str, locale: str) -> CheckResult:
    raw = compliance.documents()[locale]["flows"][name]
    problems = governance.governance_problems(raw, governance.ledger())
    return CheckResult(name, locale, "governance", tuple(problems))


def check_all(config: Identity | None = None) -> list[CheckResult]:
    """Render every flow in every locale with sample params, every choice and variant, and
    each param missing or invalid in turn; check phrases, identity, SSML and governance.

    >>> all(result.passed for result in check_all())
    True
    """
    identity = config or default_config()
    results = []
    for locale in LOCALES:
        for name, spec in FLOWS.items():
            results.append(_governance(name, locale))
            for case, params, fallback in cases(spec):
                prompt = compliance.render_prompt(
                    name, params, locale, config=identity, now=_IN_WINDOW
                )
                problems = _problems(prompt, identity, fallback)
                results.append(CheckResult(name, locale, case, tuple(problems)))
    return results


def _without(params: Mapping[str, object], name: str) -> dict[str, object]:
    return {k: v for k, v in params.items() if k != name}
