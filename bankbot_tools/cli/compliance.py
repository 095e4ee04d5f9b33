"""``bankbot compliance-test``: render one compliance prompt, check every flow and locale,
write a reviewer's transcript, or check the calling window of a time zone."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bankbot_tools.call_window import CallWindow, check_call_window
from bankbot_tools.cli.common import ExitCode, JsonFlag, command, print_json
from bankbot_tools.compliance import RenderedPrompt, catalog, render_prompt
from bankbot_tools.compliance_check import CheckResult, cases, check_all
from bankbot_tools.compliance_config import CONFIG_ENV, Identity, load_config
from bankbot_tools.flows import DEFAULT_LOCALE, FLOWS, LOCALES


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


def write_transcript(folder: Path, identity: Identity) -> list[Path]:
    """Write every flow x locale x case (text, spoken text and SSML) under ``folder``.

    One ``<locale>/<flow>.<case>.txt`` and ``.ssml`` per case, with the template id, version
    and hash in the header, so two releases can be diffed. Returns the files written.
    """
    written = []
    for locale in LOCALES:
        target = folder / locale
        target.mkdir(parents=True, exist_ok=True)
        for name, spec in FLOWS.items():
            template = catalog()[locale][name]
            for case, params, _ in cases(spec):
                prompt = render_prompt(
                    name, params, locale, config=identity, now="2026-03-04T18:00:00Z"
                )
                stem = re.sub(r"[^A-Za-z0-9_.=-]+", "_", f"{name}.{case}")
                header = (
                    f"# {prompt.template_id}@{prompt.version} sha256={template.sha256}\n"
                    f"# case: {case}; fallback: {prompt.fallback}; barge_in: {prompt.barge_in}\n"
                )
                body = f"{header}\ntext:\n{prompt.text}\n\nspoken_text:\n{prompt.spoken_text}\n"
                for suffix, content in ((".txt", body), (".ssml", prompt.ssml + "\n")):
                    path = target / f"{stem}{suffix}"
                    temporary = path.with_suffix(path.suffix + ".tmp")
                    temporary.write_text(content, "utf-8")
                    os.replace(temporary, path)
                    written.append(path)
    return written


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
    """
    with command("compliance-test") as event:
        modes = [all_, flow is not None, transcript is not None, call_window is not None]
        if sum(modes) != 1:
            raise ValueError("give one of --flow FLOW, --all, --transcript DIR or --call-window TZ")
        if param and flow is None:
            raise ValueError("--param only applies with --flow")
        if call_window is not None:
            window = check_call_window(call_window, at)
            event.update(time_zone=window.time_zone, permitted=window.permitted)
            if not window.permitted:
                event["exit_code"] = int(ExitCode.FAILED)
            if json_:
                print_json(window.to_dict())
            else:
                _print_window(Console(), window)
            return
        identity = load_config(config)
        event["config"] = "sample" if identity.source == "sample" else "file"
        if transcript is not None:
            written = write_transcript(transcript, identity)
            event.update(files=len(written))
            if json_:
                print_json({"folder": str(transcript), "files": len(written)})
            else:
                Console().print(f"wrote {len(written)} files to {transcript}", highlight=False)
            return
        if all_:
            results = check_all(identity)
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
        prompt = render_prompt(str(flow), params, locale, config=identity, now=at)
        event.update(flow=prompt.flow, locale=prompt.locale, fallback=prompt.fallback)
        if prompt.fallback:
            event.update(status="fallback", fallback_reason=prompt.fallback_reason)
        if json_:
            print_json(prompt.to_dict())
        else:
            _print_prompt(Console(), prompt)


def _print_window(console: Console, window: CallWindow) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in window.to_dict().items():
        grid.add_row(label.replace("_", " "), Text(str(value)))
    console.print(grid)


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
        ("ssml", prompt.ssml),
        ("barge-in", "yes" if prompt.barge_in else "no"),
        ("config", prompt.config),
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
