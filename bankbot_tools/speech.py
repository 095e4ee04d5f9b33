"""Voice-ready text: amounts, dates, rates and masked numbers spelled out for text-to-speech.

Pure functions shared by the compliance prompts and the loan tools. Number words come from
``num2words`` (languages ``en`` and ``es``); when it fails for a language, a number size or a
currency, a small built-in English speller takes over so the bot always has something speakable.
Money is taken as :class:`decimal.Decimal` (major units) or ``int`` (minor units, i.e. cents) and
is never converted to float. Any locale whose language is not Spanish is spoken in English.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final, Literal

from num2words import num2words

from bankbot_tools.rules import AMOUNT, to_units

__all__ = [
    "CURRENCIES",
    "DEFAULT_CURRENCY",
    "language_of",
    "month_name",
    "spell_amount",
    "spell_date",
    "spell_integer",
    "spell_masked",
    "spell_rate",
    "validate_currency",
]

Language = Literal["en", "es"]

_ONES: Final = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS: Final = (
    "_",
    "_",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
)
_SCALES: Final = (
    "thousand",
    "million",
    "billion",
    "trillion",
    "quadrillion",
    "quintillion",
    "sextillion",
    "septillion",
    "octillion",
    "nonillion",
    "decillion",
)
_ORDINAL_WORDS: Final = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_MONTHS: Final[dict[Language, tuple[str, ...]]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}
# (major singular, major plural, minor singular, minor plural) per language; a missing
# language goes to num2words (e.g. Spanish "libra" is feminine: "veintiuna libras").
_CURRENCIES: Final[dict[str, dict[Language, tuple[str, str, str, str]]]] = {
    "USD": {
        "en": ("dollar", "dollars", "cent", "cents"),
        "es": ("dólar", "dólares", "centavo", "centavos"),
    },
    "CAD": {
        "en": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
        "es": ("dólar canadiense", "dólares canadienses", "centavo", "centavos"),
    },
    "MXN": {
        "en": ("Mexican peso", "Mexican pesos", "centavo", "centavos"),
        "es": ("peso mexicano", "pesos mexicanos", "centavo", "centavos"),
    },
    "GBP": {"en": ("pound", "pounds", "penny", "pence")},
    "EUR": {
        "en": ("euro", "euros", "cent", "cents"),
        "es": ("euro", "euros", "céntimo", "céntimos"),
    },
}
_WORDS: Final[dict[Language, dict[str, str]]] = {
    "en": {
        "and": "and",
        "point": "point",
        "minus": "minus",
        "percent": "percent",
        "apr": "annual percentage rate",
        "ending": "ending in",
    },
    "es": {
        "and": "con",
        "point": "punto",
        "minus": "menos",
        "percent": "por ciento",
        "apr": "de tasa de porcentaje anual",
        "ending": "que termina en",
    },
}
#: The currencies the bot speaks, by ISO 4217 code: the one currency rule. The tools
#: validate with :func:`validate_currency` and the tool schemas enumerate these codes.
CURRENCIES: Final = tuple(_CURRENCIES)
DEFAULT_CURRENCY: Final = "USD"
_MASKED_DIGITS: Final = 4


def validate_currency(code: object) -> str:
    """Return ``code`` if it is a supported currency, else raise a ``ValueError`` naming it.

    Codes are exact upper-case ISO 4217 codes from :data:`CURRENCIES`, as the schemas say.

    >>> validate_currency("EUR")
    'EUR'
    >>> validate_currency("usd")
    Traceback (most recent call last):
    ...
    ValueError: currency must be one of USD, CAD, MXN, GBP, EUR (got 'usd')
    """
    if not isinstance(code, str) or code not in _CURRENCIES:
        raise ValueError(f"currency must be one of {', '.join(_CURRENCIES)} (got {code!r})")
    return code


def language_of(locale: str) -> Language:
    """Return the speech language of a locale: ``"es"`` for any Spanish locale, else ``"en"``.

    >>> language_of("es-MX"), language_of("en-GB"), language_of("fr-FR")
    ('es', 'en', 'en')
    """
    return "es" if locale.replace("_", "-").split("-")[0].strip().lower() == "es" else "en"


def month_name(month: int, locale: str = "en-US") -> str:
    """Name of a month (1-12) in the locale's speech language.

    >>> month_name(3), month_name(3, "es-US")
    ('March', 'marzo')
    """
    if not 1 <= month <= 12:
        raise ValueError("month must be between 1 and 12")
    return _MONTHS[language_of(locale)][month - 1]


def _english_below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [_ONES[hundreds], "hundred"]
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    elif rest:
        words.append(_ONES[rest])
    return words


def _builtin_english_cardinal(n: int) -> str:
    """American English cardinal without "and" or commas; digit by digit past the decillions."""
    if n < 0:
        return f"minus {_builtin_english_cardinal(-n)}"
    if n < 1000:
        return " ".join(_english_below_thousand(n)) or "zero"
    if n >= 1000 ** (len(_SCALES) + 1):
        return " ".join(_ONES[int(d)] for d in str(n))
    groups: list[str] = []
    scale = 0
    while n:
        n, group = divmod(n, 1000)
        if group:
            label = [_SCALES[scale - 1]] if scale else []
            groups.insert(0, " ".join(_english_below_thousand(group) + label))
        scale += 1
    return " ".join(groups)


def _english_ordinal(n: int) -> str:
    cardinal = _builtin_english_cardinal(n)
    head, sep, last = cardinal.rpartition("-" if "-" in cardinal.split(" ")[-1] else " ")
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


def _cardinal(n: int, language: Language) -> str:
    """Cardinal words via num2words, with the built-in English speller as the fallback."""
    try:
        words = str(num2words(n, lang=language))
    except (NotImplementedError, OverflowError, ValueError, TypeError):
        return _builtin_english_cardinal(n)
    if language == "en":
        words = words.replace(",", "").replace(" and ", " ")
    return words


def _spanish_before_noun(words: str) -> str:
    """Apocope before a masculine noun ("veintiún dólares") and "de" after whole millions."""
    if words.endswith("iuno"):
        words = words[:-4] + "iún"
    elif words.endswith("uno"):
        words = words[:-3] + "un"
    if words.endswith(("llón", "llones")):
        words += " de"
    return words


def _english_year(year: int) -> str:
    if not 1000 <= year <= 9999 or year % 1000 == 0 or 2000 < year < 2010:
        return _cardinal(year, "en")
    high, low = divmod(year, 100)
    if low == 0:
        return f"{_cardinal(high, 'en')} hundred"
    if low < 10:
        return f"{_cardinal(high, 'en')} oh-{_ONES[low]}"
    return f"{_cardinal(high, 'en')} {_cardinal(low, 'en')}"


def spell_integer(n: int, locale: str = "en-US") -> str:
    """Spell a whole number as words.

    >>> spell_integer(1264)
    'one thousand two hundred sixty-four'
    >>> spell_integer(21, "es-US")
    'veintiuno'
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("spell_integer needs an int")
    return _cardinal(n, language_of(locale))


def _minor_units(amount: Decimal | int) -> int:
    """Cents of an amount: an ``int`` is already cents; a ``Decimal`` follows ``loan.AMOUNT``."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError("amount must be a Decimal (major units) or an int (minor units, cents)")
    if isinstance(amount, int):
        return amount
    return to_units(AMOUNT, amount)


def _spell_known_currency(cents: int, names: tuple[str, str, str, str], language: Language) -> str:
    major, minor = divmod(abs(cents), 100)
    one, many, minor_one, minor_many = names
    parts: list[str] = []

    def count(n: int, singular: str, plural: str) -> str:
        words = _cardinal(n, language)
        if language == "es":
            words = _spanish_before_noun(words)
        return f"{words} {singular if n == 1 else plural}"

    if major or not minor:
        parts.append(count(major, one, many))
    if minor:
        parts.append(count(minor, minor_one, minor_many))
    spoken = f" {_WORDS[language]['and']} ".join(parts)
    return f"{_WORDS[language]['minus']} {spoken}" if cents < 0 else spoken


def spell_amount(
    amount: Decimal | int, currency: str = DEFAULT_CURRENCY, locale: str = "en-US"
) -> str:
    """Spell a money amount: a ``Decimal`` in major units, or an ``int`` in minor units (cents).

    ``currency`` must pass :func:`validate_currency`; a language the table lacks goes to
    num2words, and to the English names if num2words fails. Whole amounts omit the cents.
    A ``Decimal`` follows the rule table's ``amount`` field (:data:`bankbot_tools.rules.AMOUNT`:
    at most two decimals, within its bounds), so a fraction of a cent is a ``ValueError``
    (round first); an ``int`` is taken as exact cents, any sign.

    >>> spell_amount(Decimal("1264.14"))
    'one thousand two hundred sixty-four dollars and fourteen cents'
    >>> spell_amount(126414)
    'one thousand two hundred sixty-four dollars and fourteen cents'
    >>> spell_amount(Decimal("21.01"), locale="es-US")
    'veintiún dólares con un centavo'
    """
    cents = _minor_units(amount)
    code = validate_currency(currency)
    language = language_of(locale)
    known = _CURRENCIES[code].get(language)
    if known is not None:
        return _spell_known_currency(cents, known, language)
    separator = " " + _WORDS[language]["and"]
    try:
        words = num2words(
            Decimal(cents) / 100, lang=language, to="currency", currency=code, separator=separator
        )
    except (NotImplementedError, OverflowError, ValueError, TypeError, KeyError):
        return _spell_known_currency(cents, _CURRENCIES[code]["en"], "en")
    return str(words).replace(",", "")


def spell_date(day: date, locale: str = "en-US") -> str:
    """Spell a calendar date the way it is said aloud.

    >>> spell_date(date(2026, 3, 4))
    'March fourth, twenty twenty-six'
    >>> spell_date(date(2026, 3, 1), "es-US")
    'primero de marzo de dos mil veintiséis'
    """
    language = language_of(locale)
    month = month_name(day.month, locale)
    if language == "es":
        day_words = "primero" if day.day == 1 else _cardinal(day.day, "es")
        return f"{day_words} de {month} de {_cardinal(day.year, 'es')}"
    return f"{month} {_english_ordinal(day.day)}, {_english_year(day.year)}"


def _spell_decimal(value: Decimal, language: Language) -> str:
    if not value.is_finite():
        raise ValueError("value must be a finite number")
    sign, digits, exponent = value.normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    if exponent >= 0:
        whole, fraction = text + "0" * exponent, ""
    else:
        text = text.rjust(-exponent + 1, "0")
        whole, fraction = text[:exponent], text[exponent:]
    words = _cardinal(int(whole), language)
    if fraction:
        point = " ".join(_cardinal(int(d), language) for d in fraction)
        words = f"{words} {_WORDS[language]['point']} {point}"
    return f"{_WORDS[language]['minus']} {words}" if sign and value else words


def spell_rate(rate: Decimal | int, locale: str = "en-US", *, apr: bool = True) -> str:
    """Spell a rate given as a fraction (``Decimal("0.065")`` is 6.5%) as a spoken percentage.

    With ``apr=True`` (the default) the words "annual percentage rate" follow, never "APR";
    with ``apr=False`` the caller's sentence names the rate.

    >>> spell_rate(Decimal("0.065"))
    'six point five percent annual percentage rate'
    >>> spell_rate(Decimal("0.0725"), "es-US", apr=False)
    'siete punto dos cinco por ciento'
    """
    if isinstance(rate, bool) or not isinstance(rate, Decimal | int):
        raise TypeError("rate must be a Decimal fraction, e.g. Decimal('0.065')")
    language = language_of(locale)
    words = f"{_spell_decimal(Decimal(rate) * 100, language)} {_WORDS[language]['percent']}"
    return f"{words} {_WORDS[language]['apr']}" if apr else words


def spell_masked(digits: str, locale: str = "en-US", *, separator: str = ", ") -> str:
    """Read back only the last four digits of a number, one by one; other characters are ignored.

    >>> spell_masked("4111 1111 1111 1234")
    'ending in 1, 2, 3, 4'
    >>> spell_masked("0012345678", "es-US", separator="")
    'que termina en 5678'
    """
    kept = [c for c in digits if c.isascii() and c.isdigit()][-_MASKED_DIGITS:]
    if not kept:
        raise ValueError("no digits to read back")
    return f"{_WORDS[language_of(locale)]['ending']} {separator.join(kept)}"
