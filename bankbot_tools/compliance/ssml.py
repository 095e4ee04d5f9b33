"""SSML for the compliance prompts: one ``<speak>`` document a text-to-speech engine reads.

Pieces are built escaped (:func:`xml_text`), so a caller's value can never open a tag; the
document has ``<s>`` per sentence, a ``<break>`` before each sentence that carries a required
disclosure, and a ``<mark name="TEMPLATE_ID@VERSION"/>`` for the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape, unescape
from typing import Final

from bankbot_tools.speech import spell_integer

__all__ = [
    "BREAK",
    "digits",
    "lang",
    "phone_display",
    "phone_spoken",
    "plain_text",
    "sentences",
    "speak",
    "telephone",
    "xml_text",
]

BREAK: Final = '<break time="300ms"/>'
_TAG: Final = re.compile(r"<[^>]*>")
_SENTENCE_END: Final = re.compile(r"(?<=[.?!])\s+")


def xml_text(text: str) -> str:
    """Text escaped for an XML element (``&``, ``<``, ``>``).

    >>> xml_text("A&B <x>")
    'A&amp;B &lt;x&gt;'
    """
    return escape(text, quote=False)


def digits(text: str) -> str:
    """Escaped text whose final run of four digits is read digit by digit.

    >>> digits("ending in 1234")
    'ending in <say-as interpret-as="digits">1234</say-as>'
    """
    return re.sub(
        r"([0-9]{4})$", r'<say-as interpret-as="digits">\1</say-as>', xml_text(text), count=1
    )


def telephone(e164: str) -> str:
    """A telephone number element: ``+15550101234`` as ``+1-555-010-1234``.

    >>> telephone("+15550101234")
    '<say-as interpret-as="telephone">+1-555-010-1234</say-as>'
    """
    local = e164[-10:]
    return f'<say-as interpret-as="telephone">+1-{local[:3]}-{local[3:6]}-{local[6:]}</say-as>'


def phone_display(e164: str) -> str:
    """A US E.164 number as people write it.

    >>> phone_display("+15550101234")
    '(555) 010-1234'
    """
    local = e164[-10:]
    return f"({local[:3]}) {local[3:6]}-{local[6:]}"


def phone_spoken(e164: str, locale: str) -> str:
    """A US E.164 number digit by digit in words, in groups of 3, 3 and 4.

    >>> phone_spoken("+15550101234", "en-US")
    'five five five, zero one zero, one two three four'
    """
    local = e164[-10:]
    groups = (local[:3], local[3:6], local[6:])
    return ", ".join(" ".join(spell_integer(int(d), locale) for d in g) for g in groups)


def lang(markup: str, language: str, locale: str) -> str:
    """Wrap markup in ``<lang>`` when its language differs from the locale's.

    >>> lang("Acme Bank", "en-US", "es-US")
    '<lang xml:lang="en-US">Acme Bank</lang>'
    >>> lang("Acme Bank", "en-US", "en-US")
    'Acme Bank'
    """
    if language.split("-")[0] == locale.split("-")[0]:
        return markup
    return f'<lang xml:lang="{escape(language)}">{markup}</lang>'


def plain_text(markup: str) -> str:
    """The words of an SSML fragment: tags dropped, entities decoded.

    >>> plain_text('<s>A &amp; <say-as interpret-as="digits">12</say-as></s>')
    'A & 12'
    """
    return unescape(_TAG.sub("", markup))


def sentences(markup: str) -> list[str]:
    """Split SSML body markup into sentences, only where no element is open.

    >>> sentences('Hi <lang xml:lang="en-US">A. B</lang>. Next?')
    ['Hi <lang xml:lang="en-US">A. B</lang>.', 'Next?']
    """
    parts, start, depth, position = [], 0, 0, 0
    tokens = re.finditer(r"<(/?)[^>]*?(/?)>|(?<=[.?!])\s+", markup)
    for token in tokens:
        position = token.start()
        if token.group(0).startswith("<"):
            closing, empty = token.group(1), token.group(2)
            depth += 0 if empty else (-1 if closing else 1)
        elif depth == 0:
            parts.append(markup[start:position])
            start = token.end()
    parts.append(markup[start:])
    return [part.strip() for part in parts if part.strip()]


def speak(body: str, locale: str, mark: str, disclosures: Iterable[str]) -> str:
    """The ``<speak>`` document: mark, then ``<s>`` per sentence, a break before disclosures.

    >>> document = speak("Hello. You speak with an AI.", "en-US", "x@1", ["AI"])
    >>> document[document.index("<mark"):]
    '<mark name="x@1"/><s>Hello.</s><break time="300ms"/><s>You speak with an AI.</s></speak>'
    """
    wanted = [phrase.casefold() for phrase in disclosures]
    parts = [f'<mark name="{escape(mark)}"/>']
    for index, sentence in enumerate(sentences(body)):
        words = plain_text(sentence).casefold()
        if index and any(phrase in words for phrase in wanted):
            parts.append(BREAK)
        parts.append(f"<s>{sentence}</s>")
    return (
        '<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis"'
        f' xml:lang="{escape(locale)}">{"".join(parts)}</speak>'
    )
