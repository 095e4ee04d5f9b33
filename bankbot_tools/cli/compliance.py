"""``bankbot compliance-test``: render one compliance prompt, or check every flow and locale."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bankbot_tools.cli.common import ExitCode, JsonFlag, command, print_json
from bankbot_tools.compliance import RenderedPrompt, render_prompt
from bankbot_tools.compliance_check import CheckResult, check_all
from bankbot_tools.flows import DEFAULT_LOCALE, FLOWS


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a dict; a pair without ``=``, no name or a repeat is a ValueError.

    >>> parse_params(["bank_name=Acme Bank", "note=a=b"])
    {'bank_name': 'Acme Bank', 'note': 'a=b'}
    """
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--param must be NAME=VALUE, got {pair!r}")
        if name.strip() in params:
            raise ValueError(f"--param {name.strip()!r} given twice")
        params[name.strip()] = value
    return params


def compliance_test(
    flow: Annotated[
        str | None, typer.Option(help=f"Flow to render: {', '.join(FLOWS)}.", show_default=False)
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="A flow param as NAME=VALUE; repeat for each param."),
    ] = None,
    locale: Annotated[
        str, typer.Option(help="Locale; unknown ones fall back to the same language, then en-US.")
    ] = DEFAULT_LOCALE,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Check every flow in every locale; exit 1 if any check fails."),
    ] = False,
    json_: JsonFlag = False,
) -> None:
    """Render one compliance prompt, or check every flow in every locale.

    Example: bankbot compliance-test --flow kyc --param bank_name="Acme Bank"
    --param attempts_left=2 --locale es-US
    """
    with command("compliance-test") as event:
        if all_ == (flow is not None):
            raise ValueError("give either --flow FLOW or --all")
        if all_:
            if param:
                raise ValueError("--param only applies with --flow")
            results = check_all()
            failed = sum(not result.passed for result in results)
            event.update(checks=len(results), failed=failed)
            if failed:
                event["exit_code"] = int(ExitCode.FAILED)
            if json_:
                print_json(_checks_document(results, failed))
            else:
                _print_checks(Console(), results, failed)
            return
        params = parse_params(param or [])
        prompt = render_prompt(str(flow), params, locale)
        event.update(flow=prompt.flow, locale=prompt.locale, fallback=prompt.fallback)
        if prompt.fallback:
            event.update(status="fallback", fallback_reason=prompt.fallback_reason)
        if json_:
            print_json(prompt.to_dict())
        else:
            _print_prompt(Console(), prompt)


def _checks_document(results: list[CheckResult], failed: int) -> dict[str, Any]:
    return {
        "passed": not failed,
        "checks": len(results),
        "failed": failed,
        "results": [result.to_dict() for result in results],
    }


def _print_prompt(console: Console, prompt: RenderedPrompt) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    locale = prompt.locale
    if prompt.requested_locale != prompt.locale:
        locale += f" (requested {prompt.requested_locale})"
    fallback = f"yes: {prompt.fallback_reason}" if prompt.fallback else "no"
    for label, value in (
        ("flow", prompt.flow),
        ("template", prompt.template_id),
        ("version", prompt.version),
        ("locale", locale),
        ("fallback", fallback),
        ("text", prompt.text),
        ("spoken text", prompt.spoken_text),
    ):
        grid.add_row(label, Text(value))
    console.print(grid)


def _print_checks(console: Console, results: list[CheckResult], failed: int) -> None:
    table = Table(title="compliance checks")
    for column in ("flow", "locale", "cases", "result", "problems"):
        table.add_column(column)
    for (flow, locale), group in groupby(results, key=lambda r: (r.flow, r.locale)):
        cases = list(group)
        problems = [f"{r.case}: {p}" for r in cases for p in r.problems]
        table.add_row(
            flow,
            locale,
            str(len(cases)),
            "FAIL" if problems else "PASS",
            Text("\n".join(problems)),
        )
    console.print(table)
    console.print(f"{len(results) - failed}/{len(results)} checks passed", highlight=False)
