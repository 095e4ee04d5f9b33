"""A reviewer's transcript: every flow x locale x case rendered to files, to diff releases."""

from __future__ import annotations

import re
from pathlib import Path

from bankbot_tools.compliance.check import cases
from bankbot_tools.compliance.config import Identity
from bankbot_tools.compliance.flows import FLOWS, LOCALES
from bankbot_tools.compliance.render import catalog, render_prompt
from bankbot_tools.fileio import atomic_write_text

#: The instant every transcript is rendered at, inside the calling window, so that two
#: releases' transcripts differ only where the wording does.
TRANSCRIPT_INSTANT = "2026-03-04T18:00:00Z"


def write_transcript(folder: Path, identity: Identity) -> list[Path]:
    """Write every flow x locale x case (text, spoken text and SSML) under ``folder``.

    One ``<locale>/<flow>.<case>.txt`` and ``.ssml`` per case, with the template id, version
    and hash in the header, each written atomically. Returns the files written.
    """
    written = []
    for locale in LOCALES:
        for name, spec in FLOWS.items():
            template = catalog()[locale][name]
            for case, params, _ in cases(spec):
                prompt = render_prompt(
                    name, params, locale, config=identity, now=TRANSCRIPT_INSTANT
                )
                stem = re.sub(r"[^A-Za-z0-9_.=-]+", "_", f"{name}.{case}")
                header = (
                    f"# {prompt.template_id}@{prompt.version} sha256={template.sha256}\n"
                    f"# case: {case}; fallback: {prompt.fallback}; barge_in: {prompt.barge_in}\n"
                )
                body = f"{header}\ntext:\n{prompt.text}\n\nspoken_text:\n{prompt.spoken_text}\n"
                for suffix, content in ((".txt", body), (".ssml", prompt.ssml + "\n")):
                    path = folder / locale / f"{stem}{suffix}"
                    atomic_write_text(path, content)
                    written.append(path)
    return written
