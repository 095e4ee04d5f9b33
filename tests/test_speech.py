"""Speech helpers: golden spellings, exact money, masking, and the built-in fallback speller."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankbot_tools import rules, speech
from bankbot_tools.speech import (
    end_sentence,
    language_of,
    normalize_phone,
    spell_amount,
    spell_count,
    spell_date,
    spell_integer,
    spell_masked,
    spell_phone,
    spell_rate,
    strip_trailing_punct,
)
from tests.spellings import SPELLINGS, Spelling


@pytest.mark.parametrize(
    "spelling", SPELLINGS, ids=lambda s: f"{s[0].__name__}{s[1]!r}{s[2] or ''}"
)
def test_published_spellings(spelling: Spelling) -> None:
    """Every hand-checked spelling of the golden table is spoken exactly."""
    function, args, kwargs, expected = spelling
    assert function(*args, **kwargs) == expected


def test_golden_table_covers_every_kind() -> None:
    """The table has at least 40 entries and covers every speller in both languages."""
    assert len(SPELLINGS) >= 40
    functions = {s[0] for s in SPELLINGS}
    assert functions == {
        spell_integer,
        spell_count,
        spell_amount,
        spell_rate,
        spell_date,
        spell_masked,
        spell_phone,
    }


def test_amount_golden_english() -> None:
    """The issue's amount is spelled exactly, from a Decimal or from int cents."""
    golden = "one thousand two hundred sixty-four dollars and fourteen cents"
    assert spell_amount(Decimal("1264.14")) == golden
    assert spell_amount(126414) == golden


def test_date_golden_english() -> None:
    """The issue's date is spelled exactly."""
    assert spell_date(date(2026, 3, 4)) == "March fourth, twenty twenty-six"


def test_masked_golden() -> None:
    """A masked number is read back as its last four digits, one by one, in words."""
    assert spell_masked("1234") == "ending in one, two, three, four"
    assert spell_masked("4111-1111-1111-1234") == "ending in one, two, three, four"


def test_masked_display_form_keeps_numerals() -> None:
    """An empty separator (the display text) or words=False keeps the numerals."""
    assert spell_masked("****1234", separator="") == "ending in 1234"
    assert spell_masked("XXXX-XXXX-1234", words=False) == "ending in 1, 2, 3, 4"
    assert spell_masked("1234", "es-US", separator=" ", words=True) == (
        "que termina en uno dos tres cuatro"
    )


def test_rate_spoken_as_annual_percentage_rate() -> None:
    """A rate fraction becomes a spoken percentage, named in full, never 'APR'."""
    assert spell_rate(Decimal("0.065")) == "six point five percent annual percentage rate"
    assert spell_rate(Decimal("0.065"), apr=False) == "six point five percent"
    assert spell_rate(Decimal("0.0725"), "es-US") == (
        "siete punto veinticinco por ciento de tasa de porcentaje anual"
    )
    assert spell_rate(Decimal("0")) == "zero percent annual percentage rate"
    assert spell_rate(Decimal("0.005"), apr=False) == "zero point five percent"


def test_amount_golden_spanish() -> None:
    """Spanish amounts use 'con' and the apocope before the currency noun."""
    assert spell_amount(Decimal("1264.14"), locale="es-US") == (
        "mil doscientos sesenta y cuatro dólares con catorce centavos"
    )
    assert spell_amount(Decimal("21.01"), locale="es-US") == "veintiún dólares con un centavo"
    assert spell_amount(Decimal("1000000"), locale="es-MX") == "un millón de dólares"
    assert spell_amount(Decimal("1.00"), "EUR", "es-US") == "un euro"


@pytest.mark.parametrize(
    ("amount", "spoken"),
    [
        (Decimal("3"), "three dollars"),
        (Decimal("3.00"), "three dollars"),
        (Decimal("0.14"), "fourteen cents"),
        (Decimal("1.01"), "one dollar and one cent"),
        (0, "zero dollars"),
        (-250, "minus two dollars and fifty cents"),
    ],
)
def test_amount_whole_cents_and_sign(amount: Decimal | int, spoken: str) -> None:
    """Whole amounts omit the cents, cents-only amounts omit the dollars, signs are spoken."""
    assert spell_amount(amount) == spoken


@pytest.mark.parametrize("bad", [1264.14, True, "1264.14", None])
def test_amount_rejects_non_exact_types(bad: Any) -> None:
    """Floats, bools and strings are refused: money is Decimal or int cents."""
    with pytest.raises(TypeError):
        spell_amount(bad)


@pytest.mark.parametrize("bad", [Decimal("1.005"), Decimal("NaN"), Decimal("Infinity")])
def test_amount_rejects_fractions_of_a_cent(bad: Decimal) -> None:
    """Fractions of a cent and non-finite amounts are a ValueError, never rounded silently."""
    with pytest.raises(ValueError):
        spell_amount(bad)


@pytest.mark.parametrize(
    ("amount", "violation"),
    [
        (Decimal("1.005"), rules.Violation.TOO_MANY_DECIMALS),
        (Decimal("-0.01"), rules.Violation.TOO_SMALL),
        (Decimal("1000000000.01"), rules.Violation.TOO_LARGE),
        (Decimal("NaN"), rules.Violation.NOT_A_NUMBER),
    ],
)
def test_decimal_amounts_follow_the_rule_table(amount: Decimal, violation: rules.Violation) -> None:
    """A Decimal amount is parsed by rules.AMOUNT: same rules, same message as everywhere else."""
    with pytest.raises(ValueError) as raised:
        spell_amount(amount)
    assert str(raised.value) == rules.AMOUNT.message(violation, amount)


def test_amount_rejects_bad_currency_code() -> None:
    """A currency must be a three-letter code."""
    with pytest.raises(ValueError):
        spell_amount(Decimal("1"), "dollars")


@pytest.mark.parametrize("code", ["XYZ", "XXX", "JPY", "usd", " USD", "", None, 840])
def test_unsupported_currency_is_refused_not_spelled_letter_by_letter(code: Any) -> None:
    """Only the supported codes are spoken; anything else is a ValueError naming currency."""
    with pytest.raises(ValueError, match=r"^currency must be one of USD, CAD, MXN, GBP, EUR"):
        speech.validate_currency(code)
    with pytest.raises(ValueError, match=r"^currency must be one of"):
        spell_amount(Decimal("12.50"), code)


def test_supported_currencies_are_the_spelled_table() -> None:
    """Every supported code validates to itself and has English names to fall back on."""
    assert speech.DEFAULT_CURRENCY in speech.CURRENCIES
    for code in speech.CURRENCIES:
        assert speech.validate_currency(code) == code
        assert not re.search(r"\b[A-Z] [A-Z] [A-Z]\b", spell_amount(1250, code, "es-US"))


def test_feminine_currency_agrees_in_gender() -> None:
    """Spanish 'libra' is feminine: 'una', 'veintiuna', 'doscientas'; whole pounds omit pence."""
    assert spell_amount(Decimal("21.50"), "GBP", "es-US") == (
        "veintiuna libras con cincuenta peniques"
    )
    assert spell_amount(Decimal("201"), "GBP", "es-US") == "doscientas una libras"
    assert spell_amount(Decimal("12.50"), "GBP") == "twelve pounds and fifty pence"


def test_every_currency_has_names_in_both_languages() -> None:
    """Amounts never fall through to num2words' currency tables ("con cero peniques")."""
    for code in speech.CURRENCIES:
        assert set(speech._CURRENCIES[code]) == {"en", "es"}
        assert "cero" not in spell_amount(Decimal("3"), code, "es-US")


@pytest.mark.parametrize(
    ("day", "spoken"),
    [
        (date(2005, 1, 1), "January first, two thousand five"),
        (date(1905, 7, 22), "July twenty-second, nineteen oh-five"),
        (date(1900, 2, 12), "February twelfth, nineteen hundred"),
        (date(2000, 10, 30), "October thirtieth, two thousand"),
        (date(2026, 12, 31), "December thirty-first, twenty twenty-six"),
    ],
)
def test_date_english_years_and_ordinals(day: date, spoken: str) -> None:
    """English dates use ordinal days and years spoken in pairs."""
    assert spell_date(day) == spoken


def test_date_spanish() -> None:
    """Spanish dates say 'primero' for the first and cardinals otherwise."""
    assert spell_date(date(2026, 3, 4), "es-US") == "cuatro de marzo de dos mil veintiséis"
    assert spell_date(date(2026, 3, 1), "es-MX") == "primero de marzo de dos mil veintiséis"


def test_integer_both_languages() -> None:
    """Integers are spelled in the locale's language; bools are refused."""
    assert spell_integer(1264) == "one thousand two hundred sixty-four"
    assert spell_integer(21, "es-US") == "veintiuno"
    with pytest.raises(TypeError):
        spell_integer(True)


def test_unknown_language_speaks_english() -> None:
    """A locale in another language is spoken in English."""
    assert language_of("fr-FR") == "en"
    assert spell_integer(7, "fr-FR") == "seven"


@given(st.text(), st.sampled_from(["en-US", "es-US"]))
def test_masked_never_reads_more_than_four_digits(digits: str, locale: str) -> None:
    """Whatever the input, at most its last four ASCII digits are read back, as words only."""
    kept = [c for c in digits if c in "0123456789"]
    if not kept:
        with pytest.raises(ValueError):
            spell_masked(digits, locale)
        return
    spoken = spell_masked(digits, locale)
    assert not re.search(r"\d", spoken)
    words = speech._DIGITS[speech.language_of(locale)]
    tail = spoken.split(" en " if locale == "es-US" else " in ", 1)[1]
    assert [str(words.index(w)) for w in tail.split(", ")] == kept[-4:]
    assert spell_masked(digits, locale, separator="").endswith("".join(kept[-4:]))


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_builtin_speller_agrees_with_num2words(n: int) -> None:
    """The built-in English fallback spells exactly as our num2words wrapper does."""
    assert speech._builtin_english_cardinal(n) == spell_integer(n)


def test_builtin_speller_used_when_num2words_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """When num2words raises, numbers, dates and amounts are still spelled in English."""

    def broken(*args: object, **kwargs: object) -> str:
        raise NotImplementedError

    monkeypatch.setattr(speech, "num2words", broken)
    assert spell_integer(1264, "es-US") == "one thousand two hundred sixty-four"
    assert spell_date(date(2026, 3, 4)) == "March fourth, twenty twenty-six"
    assert spell_amount(Decimal("12.50"), "GBP", "es-US") == "twelve pounds and fifty pence"


def test_huge_numbers_fall_back_to_digits() -> None:
    """Past num2words' Spanish range and the built-in scale words, digits are read one by one."""
    assert spell_integer(10**40, "es-US") == " ".join(["one"] + ["zero"] * 40)
    assert speech._builtin_english_cardinal(5 * 10**33 + 7) == "five decillion seven"


@given(
    st.integers(min_value=-(10**13), max_value=10**13),
    st.sampled_from(["en-US", "es-US", "es-MX"]),
    st.sampled_from(speech.CURRENCIES),
)
def test_amounts_are_words_only(cents: int, locale: str, currency: str) -> None:
    """Any amount in any currency and locale is spelled without a single digit."""
    spoken = spell_amount(cents, currency, locale)
    assert spoken and not re.search(r"\d", spoken)
    if 0 <= cents <= rules.AMOUNT.max_units:
        assert spell_amount(Decimal(cents) / 100, currency, locale) == spoken
    else:
        with pytest.raises(ValueError, match=r"^amount must be"):
            spell_amount(Decimal(cents) / 100, currency, locale)


@given(st.decimals(min_value=0, max_value=1, places=6), st.sampled_from(["en-US", "es-US"]))
def test_rates_are_words_only(rate: Decimal, locale: str) -> None:
    """Any rate is spelled in words and always names the annual percentage rate."""
    spoken = spell_rate(rate, locale)
    assert not re.search(r"\d", spoken)
    assert spoken.endswith(("annual percentage rate", "tasa de porcentaje anual"))


@given(st.integers(min_value=0, max_value=10**26))
def test_spanish_apocope_before_every_scale(n: int) -> None:
    """No Spanish numeral says 'uno' before mil, millón or billón (num2words' 'veintiuno mil')."""
    spoken = spell_integer(n, "es-US")
    assert not re.search(r"uno (mil|\w+llón|\w+llones)\b", spoken)
    before_noun = spell_count(n, "mes", "meses", "es-US")
    assert not re.search(r"\buno\b|veintiuno", before_noun)
    feminine = spell_count(n, "libra", "libras", "es-US", gender="feminine")
    assert not re.search(r"\b(uno|un|veintiún) libras?\b", feminine)


@given(st.integers(min_value=1, max_value=10**26))
def test_spanish_de_only_after_whole_millions(n: int) -> None:
    """'de' joins a noun to whole millions ('un millón de dólares'), never to other numbers."""
    whole_millions = speech._is_million_scale(spell_integer(n, "es-US").split()[-1])
    assert spell_amount(n * 100, "USD", "es-US").endswith(" de dólares") == whole_millions


@pytest.mark.parametrize(
    "number",
    [
        "+15550101234",
        "(555) 010-1234",
        "555-010-1234",
        "555.010.1234",
        "1 555 010 1234",
        " 5550101234 ",
    ],
)
def test_phone_formats_normalize_to_e164(number: str) -> None:
    """Every accepted North American format normalizes to the same E.164 number."""
    assert normalize_phone(number) == "+15550101234"
    assert spell_phone(number) == "five five five, zero one zero, one two three four"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "555-1234",
        "1234",
        "+0 555 010 1234",
        "155501012345",
        "(055) 010-1234",
        "+1 155 010 1234",
        "555-010-1234 ext 5",
        "five five five",
        "+1234567",
        "+1234567890123456",
        None,
        5550101234,
    ],
)
def test_not_a_phone_number_is_a_value_error_naming_the_field(bad: Any) -> None:
    """Anything that is not a phone number is a ValueError that names the field, not the value."""
    with pytest.raises(ValueError, match=r"^phone_number must be a phone number") as raised:
        normalize_phone(bad)
    assert str(bad) not in str(raised.value) or not str(bad)
    with pytest.raises(ValueError, match=r"^callback_number must be"):
        spell_phone(bad, field="callback_number")


@given(st.text(max_size=30))
def test_phone_speller_speaks_words_or_refuses(number: str) -> None:
    """Any text is either refused with ValueError or spoken as digit words only."""
    try:
        spoken = spell_phone(number, "es-US")
    except ValueError:
        return
    assert not re.search(r"\d", spoken)
    assert len(spoken.split(", ")) >= 3


@pytest.mark.parametrize(
    ("value", "stripped"),
    [
        ("Acme Bank.", "Acme Bank"),
        ("Acme Bank.,", "Acme Bank"),
        ("Acme Bank ", "Acme Bank"),
        ("Acme Bank, N.A.", "Acme Bank, N.A"),
        ("Acme Bank", "Acme Bank"),
        ("...", ""),
    ],
)
def test_strip_trailing_punct(value: str, stripped: str) -> None:
    """Only the trailing run of punctuation and spaces is dropped."""
    assert strip_trailing_punct(value) == stripped
    assert ".." not in f"Welcome to {strip_trailing_punct(value)}."


@pytest.mark.parametrize(
    ("text", "ended"),
    [
        ("Thank you", "Thank you."),
        ("Thank you.", "Thank you."),
        ("Thank you..", "Thank you."),
        ("Acme Bank.,", "Acme Bank."),
        ("Is that right?", "Is that right?"),
        ("Wow! ", "Wow!"),
        ("Is that right?.", "Is that right?"),
        ("", ""),
    ],
)
def test_end_sentence_gives_one_mark(text: str, ended: str) -> None:
    """A sentence ends with exactly one mark, its own question or exclamation kept."""
    assert end_sentence(text) == ended


def test_spanish_falls_back_to_english_as_a_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """When num2words fails in Spanish, the whole phrase is English, never half and half."""

    def broken(*args: object, **kwargs: object) -> str:
        raise NotImplementedError

    monkeypatch.setattr(speech, "num2words", broken)
    assert spell_amount(Decimal("21.01"), "USD", "es-US") == "twenty-one dollars and one cent"
    assert spell_rate(Decimal("0.0725"), "es-US", apr=False) == "seven point two five percent"
    assert spell_date(date(2026, 3, 4), "es-US") == "March fourth, twenty twenty-six"


def test_count_fallback_keeps_the_callers_nouns(monkeypatch: pytest.MonkeyPatch) -> None:
    """spell_count cannot translate its nouns: without num2words only the number is English."""

    def broken(*args: object, **kwargs: object) -> str:
        raise NotImplementedError

    monkeypatch.setattr(speech, "num2words", broken)
    assert spell_count(21, "mes", "meses", "es-US") == "twenty-one meses"
