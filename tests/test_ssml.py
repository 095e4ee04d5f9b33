"""SSML of the compliance prompts: well-formed, escaped, marked, and spoken by a real engine."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bankbot_tools.compliance import ssml
from bankbot_tools.compliance.check import cases
from bankbot_tools.compliance.config import sample_config
from bankbot_tools.compliance.flows import FLOWS, LOCALES
from bankbot_tools.compliance.render import render_prompt

NS = "{http://www.w3.org/2001/10/synthesis}"
IN_HOURS = "2026-03-04T18:00:00Z"
VOICES = {"en-US": "en-us", "es-US": "es-419"}


def every_rendering() -> list[tuple[str, str, str, str]]:
    """(flow, locale, case, ssml) for every flow x locale x case of the --all gate."""
    found = []
    for locale in LOCALES:
        for name, spec in FLOWS.items():
            for case, params, _ in cases(spec):
                prompt = render_prompt(name, params, locale, now=IN_HOURS)
                found.append((name, locale, case, prompt.ssml))
    return found


RENDERINGS = every_rendering()


def test_every_rendering_is_well_formed_speak_with_an_audit_mark() -> None:
    """Every flow x locale x case parses as XML: <speak xml:lang>, a mark, then <s> sentences."""
    for flow, locale, case, document in RENDERINGS:
        root = ElementTree.fromstring(document)
        assert root.tag == f"{NS}speak", (flow, case)
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == locale
        assert root[0].tag == f"{NS}mark" and "@" in str(root[0].get("name"))
        assert root.findall(f"{NS}s"), (flow, locale, case)


def test_ssml_markup_for_digits_phone_brand_and_breaks() -> None:
    """Last four digits and phone numbers use say-as; the brand is in <lang> inside Spanish."""
    dnc = render_prompt("do_not_call", {"phone_number": "(555) 010-1234"}).ssml
    assert '<say-as interpret-as="digits">1234</say-as>' in dnc
    call = render_prompt("outbound_ai_call", {"purpose": "servicing"}, "es-US")
    assert '<say-as interpret-as="telephone">+1-555-010-1234</say-as>' in call.ssml
    assert '<lang xml:lang="en-US">Acme Bank</lang>' in call.ssml
    assert '<lang xml:lang="en-US">' not in render_prompt("kyc", {"attempts_left": 1}).ssml
    assert ssml.BREAK in call.ssml
    assert call.ssml.count("<mark ") == 1 and 'name="outbound_ai_call.es-US@2.0.0"' in call.ssml


def test_inserted_values_are_xml_escaped() -> None:
    """A config name with '<', '&' or quotes cannot open a tag."""
    config = dataclasses.replace(sample_config(), bank_name='A&B <Bank> "x"')
    document = render_prompt("kyc", {"attempts_left": 1}, config=config).ssml
    root = ElementTree.fromstring(document)
    assert "A&amp;B &lt;Bank&gt;" in document
    assert 'A&B <Bank> "x"' in "".join(root.itertext())


@pytest.mark.parametrize(
    ("flow", "barge_in"),
    [("legal", False), ("mini_miranda", False), ("ai_disclosure", False), ("kyc", True)],
)
def test_disclosures_are_not_interruptible(flow: str, barge_in: bool) -> None:
    """Disclosure prompts set barge_in false; questions and handoffs may be interrupted."""
    params = {k: v for k, v in FLOWS[flow].sample_params().items() if k != "consumer_time_zone"}
    assert render_prompt(flow, params).barge_in is barge_in


def _speak(item: tuple[str, str, str, str], folder: Path) -> tuple[str, int]:
    flow, locale, case, document = item
    source = folder / f"{flow}.{locale}.{abs(hash(case))}.ssml"
    wav = source.with_suffix(".wav")
    source.write_text(document, "utf-8")
    subprocess.run(
        ["espeak-ng", "-m", "-v", VOICES[locale], "-w", str(wav), "-f", str(source)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return f"{flow} {locale} {case}", wav.stat().st_size


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng) to speak the SSML",
)
def test_espeak_speaks_every_rendering() -> None:
    """espeak-ng -m turns every flow x locale x case into non-empty audio."""
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=8) as pool:
        sizes = list(pool.map(lambda item: _speak(item, Path(tmp)), RENDERINGS))
    assert len(sizes) == len(RENDERINGS) > 100
    silent = [name for name, size in sizes if size <= 44 + 8000]  # header + < 0.2 s of audio
    assert not silent
