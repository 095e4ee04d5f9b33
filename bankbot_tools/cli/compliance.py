"""``bankbot compliance-test``: render one compliance prompt, check every flow and locale,
write a reviewer's transcript, or check the calling window of a time zone."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from bankbot_tools.cli.common import ExitCode, JsonFlag, command, print_json
from bankbot_tools.compliance.config import CONFIG_ENV


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a dict; a pair without ``=``, no name or a repeat is a ValueError.

    >>> parse_params(["scope=all", "note=a=b"])
    {'scope': 'all', 'note': 'a=b'}
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
    transcript: Annotated[
        Path | None,
        typer.Option(
            help="Write every flow x locale x case (text and SSML) into this folder.",
            show_default=False,
        ),
    ] = None,
    call_window: Annotated[
        str | None,
        typer.Option(
            help="IANA time zone: is a collection call permitted (8 a.m.-9 p.m. local)?"
            " Exit 1 when not.",
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="ISO 8601 instant with offset for --call-window and collection flows;"
            " default now.",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="Deployment config (bankbot.toml) with the bank's identity; default"
            f" ${CONFIG_ENV}, else the built-in sample.",
            envvar=CONFIG_ENV,
            show_default=False,
        ),
    ] = None,
    json_: JsonFlag = False,
) -> None:
    """Render one compliance prompt, check every flow in every locale, write a transcript
    for review, or check the collection calling window of a time zone.

    Example: bankbot compliance-test --flow kyc --param attempts_left=2 --locale es-US

    Example: bankbot compliance-test --call-window America/Chicago --at 2026-03-04T15:00:00Z
    """
    from rich.console import Console

    from bankbot_tools.views import tables

    with command("compliance-test") as event:
        modes = [all_, flow is not None, transcript is not None, call_window is not None]
        if sum(modes) != 1:
            raise ValueError("give one of --flow FLOW, --all, --transcript DIR or --call-window TZ")
        if param and flow is None:
            raise ValueError("--param only applies with --flow")
        if call_window is not None:
            from bankbot_tools.compliance.call_window import check_call_window

            window = check_call_window(call_window, at)
            event.update(time_zone=window.time_zone, permitted=window.permitted)
            if not window.permitted:
                event["exit_code"] = int(ExitCode.FAILED)
            if json_:
                print_json(window.to_dict())
            else:
                tables.call_window(Console(), window)
            return
        from bankbot_tools.compliance.config import load_config

        identity = load_config(config)
        event["config"] = "sample" if identity.source == "sample" else "file"
        if transcript is not None:
            from bankbot_tools.compliance.transcript import write_transcript

            written = write_transcript(transcript, identity)
            event.update(files=len(written))
            if json_:
                print_json({"folder": str(transcript), "files": len(written)})
            else:
                Console().print(f"wrote {len(written)} files to {transcript}", highlight=False)
            return
        if all_:
            from bankbot_tools.compliance.check import check_all
            from bankbot_tools.views.json import checks_document

            results = check_all(identity)
            document = checks_document(results)
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

        params = parse_params(param or [])
        prompt = render_prompt(str(flow), params, locale or DEFAULT_LOCALE, config=identity, now=at)
        event.update(prompt_facts(prompt))
        if prompt.fallback:
            event.update(status="fallback", fallback_reason=prompt.fallback_reason)
        if json_:
            print_json(prompt.to_dict())
        else:
            tables.prompt(Console(), prompt)
