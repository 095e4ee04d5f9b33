"""``bankbot compliance-test``: render one compliance prompt, or check every flow and locale."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer

from bankbot_tools.cli.common import ExitCode, JsonFlag, command, print_json


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
        str | None,
        typer.Option(
            help="Flow to render, e.g. kyc (an unknown flow's error lists them all).",
            show_default=False,
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="A flow param as NAME=VALUE; repeat for each param."),
    ] = None,
    locale: Annotated[
        str | None,
        typer.Option(
            help="Locale (default en-US); unknown ones fall back to the same language, then en-US.",
            show_default=False,
        ),
    ] = None,
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
    from rich.console import Console

    from bankbot_tools.views import json as views
    from bankbot_tools.views import tables

    with command("compliance-test") as event:
        if all_ == (flow is not None):
            raise ValueError("give either --flow FLOW or --all")
        if all_:
            from bankbot_tools.compliance.check import check_all

            if param:
                raise ValueError("--param only applies with --flow")
            results = check_all()
            document = views.checks_document(results)
            event.update(checks=document["checks"], failed=document["failed"])
            if document["failed"]:
                event["exit_code"] = int(ExitCode.FAILED)
            if json_:
                print_json(document)
            else:
                tables.checks(Console(), results)
            return
        from bankbot_tools.compliance.flows import DEFAULT_LOCALE
        from bankbot_tools.compliance.render import render_prompt
        from bankbot_tools.events.facts import prompt_facts

        prompt = render_prompt(str(flow), parse_params(param or []), locale or DEFAULT_LOCALE)
        event.update(prompt_facts(prompt))
        if prompt.fallback:
            event.update(status="fallback", fallback_reason=prompt.fallback_reason)
        if json_:
            print_json(prompt.to_dict())
        else:
            tables.prompt(Console(), prompt)
