"""Governance of the templates and the deployment config."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

import bankbot_tools.compliance
from bankbot_tools.compliance import check as compliance_check
from bankbot_tools.compliance import governance
from bankbot_tools.compliance import render as compliance
from bankbot_tools.compliance.config import ConfigError, load_config, sample_config
from bankbot_tools.compliance.flows import FLOWS, LOCALES

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_has_an_approved_hashed_cited_version(locale: str) -> None:
    """Each shipped template has approver, dates, citations and a hash in the ledger."""
    for name, raw in compliance.documents()[locale]["flows"].items():
        assert governance.governance_problems(raw, governance.ledger()) == [], name
        assert raw["sha256"] == governance.wording_hash(raw)
        assert all(c["source"] for c in raw["citations"])


def test_changed_text_without_new_version_and_hash_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Editing a wording but not its version and hash fails the gate."""
    documents = copy.deepcopy(compliance.documents())
    documents["en-US"]["flows"]["kyc"]["text"] += " Thank you."
    monkeypatch.setattr(compliance, "documents", lambda: documents)
    failures = [r for r in compliance_check.check_all() if not r.passed]
    assert [(r.flow, r.locale, r.case) for r in failures] == [("kyc", "en-US", "governance")]
    assert "sha256: the wording changed" in failures[0].problems[0]


def test_new_hash_under_a_released_version_fails() -> None:
    """Updating the hash without bumping the version is caught by the ledger."""
    raw = copy.deepcopy(compliance.documents()["en-US"]["flows"]["kyc"])
    raw["text"] += " Thank you."
    raw["sha256"] = governance.wording_hash(raw)
    problems = governance.governance_problems(raw, governance.ledger())
    assert problems == [
        "ledger: kyc.en-US@2.0.0 was released with another wording; bump the version"
    ]


def test_sample_config_ships_at_the_root_and_in_the_package() -> None:
    """The documented bankbot.sample.toml at the root is the packaged sample."""
    packaged = Path(bankbot_tools.compliance.__file__).parent / "bankbot.sample.toml"
    assert (ROOT / "bankbot.sample.toml").read_text("utf-8") == packaged.read_text("utf-8")
    assert load_config(ROOT / "bankbot.sample.toml").bank_name == sample_config().bank_name


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("[identity]", "[identity]\nextra = 1"), "unknown key(s) [identity] extra"),
        (('bank_name = "Acme Bank"\n', ""), "missing key(s) [identity] bank_name"),
        (('gender = "feminine"', 'gender = "neutral"'), "assistant_gender"),
        (("member_fdic = true", 'member_fdic = "yes"'), "member_fdic: must be true or false"),
        (('neutral_name = "Acme Bank"', 'neutral_name = "Acme Collections"'), "neutral_name"),
        (("[collections]", "[collections"), "not valid TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    """A broken config file is a ConfigError naming the file and the key."""
    text = (ROOT / "bankbot.sample.toml").read_text("utf-8").replace(*edit, 1)
    path = tmp_path / "bankbot.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        load_config(path)
    assert str(path) in str(error.value)


def test_config_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """BANKBOT_CONFIG names the file when no path is given; no config means the sample."""
    path = tmp_path / "bankbot.toml"
    path.write_text((ROOT / "bankbot.sample.toml").read_text("utf-8"), "utf-8")
    monkeypatch.setenv("BANKBOT_CONFIG", str(path))
    assert load_config().source == str(path)
    monkeypatch.delenv("BANKBOT_CONFIG")
    assert load_config().source == "sample"
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")


def test_every_flow_is_governed() -> None:
    """The ledger holds an entry for every flow and locale shipped."""
    released = {key.split("@")[0] for key in governance.ledger()}
    assert released >= {f"{flow}.{locale}" for flow in FLOWS for locale in LOCALES}
