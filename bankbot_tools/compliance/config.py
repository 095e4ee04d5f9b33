"""Deployment config of the compliance prompts: who is calling, read from ``bankbot.toml``.

Identity (bank, collector, assistant, callback number) is configuration, never a value the
LLM fills in: the prompts take it from here. The file is TOML (stdlib ``tomllib``), found by
an explicit path, else ``BANKBOT_CONFIG``; it is validated on load and a bad file is a
``ConfigError`` naming the file and the key. With nothing configured the packaged sample
(``bankbot.sample.toml``, "Acme Bank", "Ava") is used and marked ``source="sample"`` so a
production deployment can detect it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

__all__ = [
    "CONFIG_ENV",
    "SAMPLE_SOURCE",
    "ConfigError",
    "Identity",
    "default_config",
    "load_config",
    "parse_config",
    "sample_config",
]

CONFIG_ENV: Final = "BANKBOT_CONFIG"
SAMPLE_SOURCE: Final = "sample"
NAME_MAX_LENGTH: Final = 60
E164: Final = re.compile(r"^\+1[2-9][0-9]{2}[0-9]{7}$")
GENDERS: Final = ("feminine", "masculine")
# A neutral (pre-verification, voicemail) name must not say it is a collector (1006.2(j)).
_COLLECTION_WORDS: Final = re.compile(r"collect|debt|recover|cobr|deuda", re.IGNORECASE)

_TEXT_KEYS: Final = {
    "identity": ("bank_name", "assistant_name"),
    "collections": ("collector_name", "neutral_name", "contact_person"),
}
_FLAG_KEYS: Final = ("member_fdic", "equal_housing_lender")


class ConfigError(ValueError):
    """A config file that is missing, not TOML, or breaks a rule; the message names the key."""


@dataclass(frozen=True)
class Identity:
    """Who is calling, as the prompts say it; ``source`` is the file, or ``"sample"``."""

    bank_name: str
    assistant_name: str
    assistant_gender: str
    callback_number: str
    names_language: str
    member_fdic: bool
    equal_housing_lender: bool
    collector_name: str
    neutral_name: str
    contact_person: str
    source: str = SAMPLE_SOURCE

    def text_values(self) -> dict[str, str]:
        """The names a template may insert, by placeholder (the callback number is separate).

        >>> sample_config().text_values()["bank_name"]
        'Acme Bank'
        """
        return {
            "bank_name": self.bank_name,
            "assistant_name": self.assistant_name,
            "collector_name": self.collector_name,
            "neutral_name": self.neutral_name,
            "contact_person": self.contact_person,
        }

    def flags(self) -> dict[str, bool]:
        """The yes/no notices a template may include, by placeholder."""
        return {"member_fdic": self.member_fdic, "equal_housing_lender": self.equal_housing_lender}


def _name(where: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: must be a string")
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > NAME_MAX_LENGTH or not cleaned.isprintable():
        raise ConfigError(f"{where}: must be printable text of 1 to {NAME_MAX_LENGTH} characters")
    return cleaned


def _table(document: Mapping[str, Any], name: str, source: str) -> Mapping[str, Any]:
    table = document.get(name)
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: missing [{name}] table")
    return table


def parse_config(document: Mapping[str, Any], source: str) -> Identity:
    """Validate a parsed config document; raises ``ConfigError`` naming the first bad key.

    >>> parse_config({"identity": {}}, "x.toml")
    Traceback (most recent call last):
    ...
    bankbot_tools.compliance.config.ConfigError: x.toml: missing [collections] table
    """
    tables = {name: _table(document, name, source) for name in ("identity", "collections")}
    known = {
        "identity": {
            *_TEXT_KEYS["identity"],
            *_FLAG_KEYS,
            "assistant_gender",
            "callback_number",
            "names_language",
        },
        "collections": set(_TEXT_KEYS["collections"]),
    }
    values: dict[str, Any] = {}
    for table, keys in known.items():
        unknown = sorted(set(tables[table]) - keys)
        if unknown:
            raise ConfigError(f"{source}: unknown key(s) [{table}] {', '.join(unknown)}")
        missing = sorted(keys - set(tables[table]))
        if missing:
            raise ConfigError(f"{source}: missing key(s) [{table}] {', '.join(missing)}")
    for table, names in _TEXT_KEYS.items():
        for key in names:
            values[key] = _name(f"{source}: [{table}] {key}", tables[table][key])
    identity = tables["identity"]
    for key in _FLAG_KEYS:
        if not isinstance(identity[key], bool):
            raise ConfigError(f"{source}: [identity] {key}: must be true or false")
        values[key] = identity[key]
    if identity["assistant_gender"] not in GENDERS:
        raise ConfigError(f"{source}: [identity] assistant_gender: must be one of {GENDERS}")
    number = identity["callback_number"]
    if not isinstance(number, str) or not E164.fullmatch(number):
        raise ConfigError(
            f"{source}: [identity] callback_number: must be a US number in E.164 form,"
            " such as +15550101234"
        )
    language = identity["names_language"]
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}-[A-Z]{2}", language):
        raise ConfigError(f"{source}: [identity] names_language: must be a tag such as en-US")
    if _COLLECTION_WORDS.search(values["neutral_name"]):
        raise ConfigError(
            f"{source}: [collections] neutral_name: must not indicate debt collection"
            " (it is said before the right party is verified, Reg F 1006.2(j))"
        )
    return Identity(
        **values,
        assistant_gender=identity["assistant_gender"],
        callback_number=number,
        names_language=language,
        source=source,
    )


def load_config(path: str | os.PathLike[str] | None = None) -> Identity:
    """The identity from ``path``, else from ``$BANKBOT_CONFIG``, else the packaged sample.

    A given path that does not exist, is not TOML or breaks a rule is a ``ConfigError``.

    >>> load_config().source
    'sample'
    """
    chosen = path if path is not None else os.environ.get(CONFIG_ENV) or None
    if chosen is None:
        return sample_config()
    where = os.fspath(chosen)
    try:
        text = Path(where).read_text("utf-8")
    except OSError as error:
        raise ConfigError(f"{where}: cannot read config ({error.strerror or error})") from None
    try:
        document = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{where}: not valid TOML ({error})") from None
    return parse_config(document, where)


@cache
def sample_config() -> Identity:
    """The packaged sample identity ("Acme Bank", "Ava"), marked ``source="sample"``."""
    text = (files("bankbot_tools.compliance") / "bankbot.sample.toml").read_text("utf-8")
    return parse_config(tomllib.loads(text), SAMPLE_SOURCE)


@cache
def default_config() -> Identity:
    """The identity used when a caller passes none: ``$BANKBOT_CONFIG`` or the sample; cached."""
    return load_config()
