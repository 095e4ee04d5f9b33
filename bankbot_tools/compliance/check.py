"""The ``--all`` check of the compliance prompts: every flow, locale and param case, rendered.

Each flow is rendered in each locale with its sample params, with every choice, and with each
param missing or invalid in turn; a case fails on template debris, a missing required phrase or
a wrong fallback. ``bankbot compliance-test --all`` runs it before a release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from bankbot_tools.compliance import render as compliance
from bankbot_tools.compliance.flows import FLOWS, LOCALES

__all__ = ["CheckResult", "check_all"]


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


def _problems(
    prompt: compliance.RenderedPrompt, phrases: tuple[str, ...], fallback: bool
) -> list[str]:
    problems = []
    if prompt.fallback is not fallback:
        problems.append(f"expected fallback={fallback}, got {prompt.fallback}")
    for label, text in (("text", prompt.text), ("spoken_text", prompt.spoken_text)):
        problems += [f"{label}: leftover {bit!r}" for bit in compliance.find_leftovers(text)]
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
            phrases = compliance.catalog()[locale][name].required_phrases
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
                prompt = compliance.render_prompt(name, params, locale)
                problems = _problems(prompt, phrases, fallback)
                results.append(CheckResult(name, locale, case, tuple(problems)))
    return results


def _without(params: Mapping[str, object], name: str) -> dict[str, object]:
    return {k: v for k, v in params.items() if k != name}
