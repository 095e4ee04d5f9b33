"""Voice-ready text: amounts, dates, rates and masked numbers spelled out for text-to-speech.

Pure functions shared by the compliance prompts and the loan tools. Number words come from
``num2words`` (languages ``en`` and ``es``); when it fails for a language, a number size or a
currency, a small built-in English speller takes over so the bot always has something speakable.
Money is taken as :class:`decimal.Decimal` (major units) or ``int`` (minor units, i.e. cents) and
is never converted to float. Any locale whose language is not Spanish is spoken in English.

Spanish numerals before a noun follow the Real Academia Española, *Diccionario panhispánico de
dudas* (DPD, 2005), entries "uno, na" (section 2) and "veintiuno, na", and the RAE's answers
"Veintiuna personas, veintiuno por ciento" and "Veintiuna mil personas o veintiún mil personas":

* "uno" and every numeral ending in it drop the final "-o" before a masculine noun ("un mes",
  "veintiún meses", "treinta y un meses", "ciento un dólares") and before "mil", "millón",
  "billón", which is why "veintiún mil" and "veintiún millones" are right and num2words'
  "veintiuno mil" is not;
* before a feminine noun they agree in gender ("una libra", "veintiuna libras"); with "mil" in
  between, agreement is optional ("veintiún mil libras" or "veintiuna mil libras"): we say
  "veintiuna mil libras", the form the RAE notes is prevailing because the hundreds always agree
  ("doscientas mil libras"), while "millón" is itself a masculine noun ("doscientos millones de
  libras");
* "por" is a preposition, not a noun, so a rate keeps the full form ("veintiuno por ciento").
"""

from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal
from typing import Final, Literal, NamedTuple

from num2words import num2words

from bankbot_tools.rules import AMOUNT, to_units

__all__ = [
    "CURRENCIES",
    "DEFAULT_CURRENCY",
    "Gender",
    "end_sentence",
    "language_of",
    "month_name",
    "normalize_phone",
    "spell_amount",
    "spell_count",
    "spell_date",
    "spell_integer",
    "spell_masked",
    "spell_phone",
    "spell_rate",
    "strip_trailing_punct",
    "validate_currency",
]

Language = Literal["en", "es"]
#: Grammatical gender of the noun a Spanish numeral counts ("una libra", "un dólar").
Gender = Literal["masculine", "feminine"]

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


class _Names(NamedTuple):
    """Spoken names of one currency in one language, with the genders Spanish agrees with."""

    one: str
    many: str
    minor_one: str
    minor_many: str
    gender: Gender = "masculine"
    minor_gender: Gender = "masculine"


# Every supported currency has names in both speech languages, so amounts never depend on
# num2words' currency tables (which say "con cero peniques" and "veintiuna millones").
_CURRENCIES: Final[dict[str, dict[Language, _Names]]] = {
    "USD": {
        "en": _Names("dollar", "dollars", "cent", "cents"),
        "es": _Names("dólar", "dólares", "centavo", "centavos"),
    },
    "CAD": {
        "en": _Names("Canadian dollar", "Canadian dollars", "cent", "cents"),
        "es": _Names("dólar canadiense", "dólares canadienses", "centavo", "centavos"),
    },
    "MXN": {
        "en": _Names("Mexican peso", "Mexican pesos", "centavo", "centavos"),
        "es": _Names("peso mexicano", "pesos mexicanos", "centavo", "centavos"),
    },
    "GBP": {
        "en": _Names("pound", "pounds", "penny", "pence"),
        "es": _Names("libra", "libras", "penique", "peniques", gender="feminine"),
    },
    "EUR": {
        "en": _Names("euro", "euros", "cent", "cents"),
        "es": _Names("euro", "euros", "céntimo", "céntimos"),
    },
}
_WORDS: Final[dict[Language, dict[str, str]]] = {
    "en": {
        "and": "and",
        "point": "point",
        "minus": "minus",
        "plus": "plus",
        "percent": "percent",
        "apr": "annual percentage rate",
        "ending": "ending in",
    },
    "es": {
        "and": "con",
        "point": "punto",
        "minus": "menos",
        "plus": "más",
        "percent": "por ciento",
        "apr": "de tasa de porcentaje anual",
        "ending": "que termina en",
    },
}
_DIGITS: Final[dict[Language, tuple[str, ...]]] = {
    "en": _ONES[:10],
    "es": ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
}
#: The currencies the bot speaks, by ISO 4217 code: the one currency rule. The tools
#: validate with :func:`validate_currency` and the tool schemas enumerate these codes.
CURRENCIES: Final = tuple(_CURRENCIES)
DEFAULT_CURRENCY: Final = "USD"
_MASKED_DIGITS: Final = 4
# ITU-T E.164 country codes: 1 and 7 have one digit, these have two, all others three.
_TWO_DIGIT_COUNTRY_CODES: Final = frozenset(
    {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54}
    | {55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98}
)
_PHONE_CHARACTERS: Final = re.compile(r"\+?[0-9 ().-]+")
_TRAILING_PUNCT: Final = ".,;:!?…" + string.whitespace
_OWN_MARKS: Final = "!?…"  # a value's question, exclamation or ellipsis is kept by end_sentence


class _NoSpanish(Exception):
    """num2words could not spell a number in Spanish; the phrase is spoken in English instead."""


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


def _english_cardinal(n: int) -> str:
    """English cardinal via num2words, with the built-in speller as the fallback."""
    try:
        words = str(num2words(n, lang="en"))
    except (NotImplementedError, OverflowError, ValueError, TypeError):
        return _builtin_english_cardinal(n)
    return words.replace(",", "").replace(" and ", " ")


def _is_million_scale(word: str) -> bool:
    """millón, millones, billón, trillones...: masculine nouns, always preceded by "un"."""
    return word.endswith(("llón", "llones"))


def _spanish_cardinal(n: int, *, before_noun: bool = False, gender: Gender = "masculine") -> str:
    """Spanish cardinal via num2words with the RAE apocope and agreement (module docstring).

    num2words writes "veintiuno mil" and "veintiuno millones" and knows no gender, so its words
    are corrected here: a numeral ending in "uno" becomes "un"/"veintiún" before "mil", a
    "-llón" scale word, or (``before_noun``) a masculine noun; before a feminine noun the part
    below the millions agrees: "una", "veintiuna", "doscientas". Raises ``_NoSpanish`` when
    num2words fails (past its range), so the caller can speak the whole phrase in English.
    """
    try:
        tokens = str(num2words(n, lang="es")).split()
    except (NotImplementedError, OverflowError, ValueError, TypeError) as error:
        raise _NoSpanish from error
    last_million = max((i for i, word in enumerate(tokens) if _is_million_scale(word)), default=-1)
    spoken: list[str] = []
    for i, word in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        feminine = before_noun and gender == "feminine" and i > last_million
        if word in ("uno", "veintiuno"):
            if following == "mil" or (following is None and before_noun):
                word = word[:-1] + "a" if feminine else word[:-3] + ("ún" if word[:-3] else "un")
            elif following is not None and _is_million_scale(following):
                word = word[:-3] + ("ún" if word[:-3] else "un")
        elif feminine and word.endswith("ientos"):
            word = word[:-2] + "as"
        spoken.append(word)
    return " ".join(spoken)


def _cardinal(
    n: int, language: Language, *, before_noun: bool = False, gender: Gender = "masculine"
) -> str:
    """Cardinal words; raises ``_NoSpanish`` if Spanish fails (English never fails)."""
    if language == "es":
        return _spanish_cardinal(n, before_noun=before_noun, gender=gender)
    return _english_cardinal(n)


def _counted(n: int, singular: str, plural: str, language: Language, gender: Gender) -> str:
    """A number and its noun: "veintiún meses", "un millón de dólares", "one month"."""
    words = _cardinal(n, language, before_noun=True, gender=gender)
    if language == "es" and _is_million_scale(words.split()[-1]):
        words += " de"
    return f"{words} {singular if abs(n) == 1 else plural}"


def _english_year(year: int) -> str:
    if not 1000 <= year <= 9999 or year % 1000 == 0 or 2000 < year < 2010:
        return _english_cardinal(year)
    high, low = divmod(year, 100)
    if low == 0:
        return f"{_english_cardinal(high)} hundred"
    if low < 10:
        return f"{_english_cardinal(high)} oh-{_ONES[low]}"
    return f"{_english_cardinal(high)} {_english_cardinal(low)}"


def spell_integer(
    n: int, locale: str = "en-US", *, before_noun: bool = False, gender: Gender = "masculine"
) -> str:
    """Spell a whole number as words.

    Alone, Spanish keeps the full "uno" ("veintiuno"); with ``before_noun=True`` the numeral is
    shaped for the noun that follows ("veintiún" meses, "veintiuna" libras with
    ``gender="feminine"``). "mil" and "millones" always take the short form. For a number with
    its noun, prefer :func:`spell_count`, which also adds the "de" of "un millón de".

    >>> spell_integer(1264)
    'one thousand two hundred sixty-four'
    >>> spell_integer(21, "es-US")
    'veintiuno'
    >>> spell_integer(21, "es-US", before_noun=True), spell_integer(21000, "es-US")
    ('veintiún', 'veintiún mil')
    >>> spell_integer(201, "es-US", before_noun=True, gender="feminine")
    'doscientas una'
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("spell_integer needs an int")
    try:
        return _cardinal(n, language_of(locale), before_noun=before_noun, gender=gender)
    except _NoSpanish:
        return _builtin_english_cardinal(n)


def spell_count(
    n: int, singular: str, plural: str, locale: str = "en-US", *, gender: Gender = "masculine"
) -> str:
    """Spell a whole number followed by its noun, singular for exactly one, plural otherwise.

    The nouns are given in the locale's language; ``gender`` is the Spanish noun's gender.

    >>> spell_count(21, "month", "months")
    'twenty-one months'
    >>> spell_count(1, "mes", "meses", "es-US"), spell_count(21, "mes", "meses", "es-US")
    ('un mes', 'veintiún meses')
    >>> spell_count(21, "cuota", "cuotas", "es-US", gender="feminine")
    'veintiuna cuotas'
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("spell_count needs an int")
    try:
        return _counted(n, singular, plural, language_of(locale), gender)
    except _NoSpanish:
        return f"{_builtin_english_cardinal(n)} {singular if abs(n) == 1 else plural}"


def _minor_units(amount: Decimal | int) -> int:
    """Cents of an amount: an ``int`` is already cents; a ``Decimal`` follows ``loan.AMOUNT``."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError("amount must be a Decimal (major units) or an int (minor units, cents)")
    if isinstance(amount, int):
        return amount
    return to_units(AMOUNT, amount)


def _spell_known_currency(cents: int, names: _Names, language: Language) -> str:
    major, minor = divmod(abs(cents), 100)
    parts: list[str] = []
    if major or not minor:
        parts.append(_counted(major, names.one, names.many, language, names.gender))
    if minor:
        parts.append(
            _counted(minor, names.minor_one, names.minor_many, language, names.minor_gender)
        )
    spoken = f" {_WORDS[language]['and']} ".join(parts)
    return f"{_WORDS[language]['minus']} {spoken}" if cents < 0 else spoken


def spell_amount(
    amount: Decimal | int, currency: str = DEFAULT_CURRENCY, locale: str = "en-US"
) -> str:
    """Spell a money amount: a ``Decimal`` in major units, or an ``int`` in minor units (cents).

    ``currency`` must pass :func:`validate_currency`. Whole amounts omit the cents. Spanish
    numerals agree with the currency's noun ("un dólar", "veintiuna libras", "veintiún millones
    de dólares"); past num2words' Spanish range the amount is spoken in English.
    A ``Decimal`` follows the rule table's ``amount`` field (:data:`bankbot_tools.rules.AMOUNT`:
    at most two decimals, within its bounds), so a fraction of a cent is a ``ValueError``
    (round first); an ``int`` is taken as exact cents, any sign.

    >>> spell_amount(Decimal("1264.14"))
    'one thousand two hundred sixty-four dollars and fourteen cents'
    >>> spell_amount(126414)
    'one thousand two hundred sixty-four dollars and fourteen cents'
    >>> spell_amount(Decimal("21.01"), locale="es-US")
    'veintiún dólares con un centavo'
    >>> spell_amount(Decimal("21"), "GBP", "es-US")
    'veintiuna libras'
    """
    cents = _minor_units(amount)
    code = validate_currency(currency)
    language = language_of(locale)
    try:
        return _spell_known_currency(cents, _CURRENCIES[code][language], language)
    except _NoSpanish:
        return _spell_known_currency(cents, _CURRENCIES[code]["en"], "en")


def spell_date(day: date, locale: str = "en-US") -> str:
    """Spell a calendar date the way it is said aloud.

    >>> spell_date(date(2026, 3, 4))
    'March fourth, twenty twenty-six'
    >>> spell_date(date(2026, 3, 1), "es-US")
    'primero de marzo de dos mil veintiséis'
    """
    month = month_name(day.month, locale)
    if language_of(locale) == "es":
        try:
            day_words = "primero" if day.day == 1 else _spanish_cardinal(day.day)
            return f"{day_words} de {month} de {_spanish_cardinal(day.year)}"
        except _NoSpanish:
            month = month_name(day.month, "en")
    return f"{month} {_english_ordinal(day.day)}, {_english_year(day.year)}"


def _spell_decimal(value: Decimal, language: Language) -> str:
    """A decimal number aloud: English reads the decimals digit by digit ("seven point two
    five"), Spanish as a whole number after its leading zeros ("siete punto cero cinco")."""
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
        if language == "es":
            significant = fraction.lstrip("0")
            zeros = [_DIGITS["es"][0]] * (len(fraction) - len(significant))
            point = " ".join([*zeros, _spanish_cardinal(int(significant))])
        else:
            point = " ".join(_DIGITS["en"][int(d)] for d in fraction)
        words = f"{words} {_WORDS[language]['point']} {point}"
    return f"{_WORDS[language]['minus']} {words}" if sign and value else words


def spell_rate(rate: Decimal | int, locale: str = "en-US", *, apr: bool = True) -> str:
    """Spell a rate given as a fraction (``Decimal("0.065")`` is 6.5%) as a spoken percentage.

    With ``apr=True`` (the default) the words "annual percentage rate" follow, never "APR";
    with ``apr=False`` the caller's sentence names the rate. English reads the decimals digit
    by digit; Spanish reads them as a number, keeping leading zeros ("siete punto cero cinco").
    "por ciento" is not a noun, so Spanish keeps "uno" ("veintiuno por ciento", RAE).

    >>> spell_rate(Decimal("0.065"))
    'six point five percent annual percentage rate'
    >>> spell_rate(Decimal("0.0725"), "es-US", apr=False)
    'siete punto veinticinco por ciento'
    >>> spell_rate(Decimal("0.0705"), "es-US", apr=False)
    'siete punto cero cinco por ciento'
    """
    if isinstance(rate, bool) or not isinstance(rate, Decimal | int):
        raise TypeError("rate must be a Decimal fraction, e.g. Decimal('0.065')")
    language = language_of(locale)
    try:
        number = _spell_decimal(Decimal(rate) * 100, language)
    except _NoSpanish:
        language = "en"
        number = _spell_decimal(Decimal(rate) * 100, language)
    words = f"{number} {_WORDS[language]['percent']}"
    return f"{words} {_WORDS[language]['apr']}" if apr else words


def _spoken_digits(digits: str, language: Language) -> str:
    """Digits as words, one by one: "five five five"."""
    return " ".join(_DIGITS[language][int(d)] for d in digits)


def spell_masked(
    digits: str, locale: str = "en-US", *, separator: str = ", ", words: bool | None = None
) -> str:
    """Read back only the last four digits of a number, one by one; other characters are ignored.

    Masked forms such as ``"****1234"`` or ``"XXXX-XXXX-1234"`` are read as ``"1234"``. The
    digits are spoken as words joined by ``separator``. ``words=False`` keeps numerals, for the
    display text; when ``words`` is not given, an empty ``separator`` means numerals
    (``"ending in 1234"``, the display form existing callers ask for) and any other means words.

    >>> spell_masked("4111 1111 1111 1234")
    'ending in one, two, three, four'
    >>> spell_masked("XXXX-XXXX-1234", "es-US")
    'que termina en uno, dos, tres, cuatro'
    >>> spell_masked("0012345678", "es-US", separator="")
    'que termina en 5678'
    """
    kept = [c for c in digits if c.isascii() and c.isdigit()][-_MASKED_DIGITS:]
    if not kept:
        raise ValueError("no digits to read back")
    language = language_of(locale)
    if words if words is not None else bool(separator):
        kept = [_DIGITS[language][int(d)] for d in kept]
    return f"{_WORDS[language]['ending']} {separator.join(kept)}"


def normalize_phone(number: str, *, field: str = "phone_number") -> str:
    """Return a phone number in E.164 form (``"+15550101234"``), or raise ``ValueError``.

    Accepted: E.164 with its "+" (spaces, dots, dashes and parentheses allowed), or a North
    American (NANP) number without it: ten digits, optionally after a leading "1", whose area
    code does not start with 0 or 1. The error names ``field`` and never repeats the number.

    >>> normalize_phone("(555) 010-1234"), normalize_phone("1-555-010-1234")
    ('+15550101234', '+15550101234')
    >>> normalize_phone("+52 55 1234 5678")
    '+525512345678'
    >>> normalize_phone("555-1234")
    Traceback (most recent call last):
    ...
    ValueError: phone_number must be a phone number: 10 digits, or + and the country code (E.164)
    """
    error = ValueError(
        f"{field} must be a phone number: 10 digits, or + and the country code (E.164)"
    )
    if not isinstance(number, str) or not _PHONE_CHARACTERS.fullmatch(number.strip()):
        raise error
    digits = "".join(c for c in number if c.isdigit())
    if number.strip().startswith("+"):
        if not 8 <= len(digits) <= 15 or digits[0] == "0":
            raise error
    elif len(digits) == 10 or (len(digits) == 11 and digits[0] == "1"):
        digits = "1" + digits[-10:]
    else:
        raise error
    if digits[0] == "1" and (len(digits) != 11 or digits[1] in "01"):
        raise error
    return f"+{digits}"


def _country_code(e164_digits: str) -> str:
    if e164_digits[0] in "17":
        return e164_digits[0]
    return e164_digits[:2] if int(e164_digits[:2]) in _TWO_DIGIT_COUNTRY_CODES else e164_digits[:3]


def _phone_groups(national: str) -> list[str]:
    """NANP's 3-3-4; others in threes, a lone last digit joining the group before it."""
    groups = [national[i : i + 3] for i in range(0, len(national), 3)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2:] = [groups[-2] + groups[-1]]
    return groups


def spell_phone(
    number: str,
    locale: str = "en-US",
    *,
    field: str = "phone_number",
    country_code: bool | None = None,
) -> str:
    """Speak a phone number digit by digit, in groups separated by commas (pauses).

    ``number`` is anything :func:`normalize_phone` accepts (``ValueError`` naming ``field``
    otherwise). The country code is spoken ("plus five two, ...") for numbers outside North
    America, and for +1 numbers only with ``country_code=True``.

    >>> spell_phone("(555) 010-1234")
    'five five five, zero one zero, one two three four'
    >>> spell_phone("+15550101234", "es-US")
    'cinco cinco cinco, cero uno cero, uno dos tres cuatro'
    >>> spell_phone("+44 20 7946 0958")
    'plus four four, two zero seven, nine four six, zero nine five eight'
    """
    digits = normalize_phone(number, field=field)[1:]
    language = language_of(locale)
    code = _country_code(digits)
    groups = _phone_groups(digits[len(code) :])
    if country_code if country_code is not None else code != "1":
        groups.insert(0, code)
        spoken = [_spoken_digits(group, language) for group in groups]
        spoken[0] = f"{_WORDS[language]['plus']} {spoken[0]}"
    else:
        spoken = [_spoken_digits(group, language) for group in groups]
    return ", ".join(spoken)


def strip_trailing_punct(value: str) -> str:
    """Drop a value's trailing punctuation and spaces, so the template's own mark is the only one.

    Use it on a value substituted before a punctuation mark in a template: "Acme Bank." before
    "." or "," would otherwise give "Acme Bank.." or "Acme Bank.,". Strips any run of
    ``. , ; : ! ? …`` and whitespace at the end; the rest of the value is untouched.

    >>> strip_trailing_punct("Acme Bank.") + ","
    'Acme Bank,'
    >>> strip_trailing_punct("Acme Bank, N.A. ")
    'Acme Bank, N.A'
    """
    return value.rstrip(_TRAILING_PUNCT)


def end_sentence(text: str, mark: str = ".") -> str:
    """End ``text`` with one sentence mark: its own last ``?``, ``!`` or ``…``, else ``mark``.

    Trailing ``.`` ``,`` ``;`` ``:`` and spaces, doubled or not, become one ``mark``; text with
    nothing but punctuation becomes empty.

    >>> end_sentence("Thank you for calling Acme Bank.")
    'Thank you for calling Acme Bank.'
    >>> end_sentence("Is that right?"), end_sentence("Acme Bank.."), end_sentence("Acme Bank,")
    ('Is that right?', 'Acme Bank.', 'Acme Bank.')
    """
    body = strip_trailing_punct(text)
    if not body:
        return ""
    own = [c for c in text[len(body) :] if c in _OWN_MARKS]
    return body + (own[-1] if own else mark)
