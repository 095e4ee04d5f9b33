"""Hand-checked spellings, the golden table for ``tests/test_speech.py``.

Spanish rules: Real Academia Española, *Diccionario panhispánico de dudas* (2005), "uno, na"
section 2 and "veintiuno, na": "uno" and the numerals ending in it lose the "-o" before a
masculine noun and before "mil"/"millón" ("un mes", "veintiún meses", "ciento un dólares",
"veintiún mil", "veintiún millones"); before a feminine noun they agree ("una libra",
"veintiuna libras"), optionally even across "mil" ("veintiún mil" or "veintiuna mil libras",
RAE consultas lingüísticas "Veintiuna mil personas o veintiún mil personas"; we write the
agreeing form, like the hundreds, "doscientas mil libras"); never before the preposition of
"por ciento" ("veintiuno por ciento", RAE "Veintiuna personas, veintiuno por ciento").
Dates: DPD "fecha" ("primero de marzo" or "uno de marzo"; years as cardinals, "dos mil
veintiséis"). English: American usage without "and" (Chicago Manual of Style 9.7), decimals
read digit by digit ("six point five"), years in pairs ("nineteen oh-five"), phone numbers
digit by digit in the NANP's 3-3-4 groups.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bankbot_tools.speech import (
    spell_amount,
    spell_count,
    spell_date,
    spell_integer,
    spell_masked,
    spell_phone,
    spell_rate,
)

# (function, positional arguments, keyword arguments, expected words)
Spelling = tuple[Any, tuple[Any, ...], dict[str, Any], str]

ES = "es-US"
FEM: dict[str, Any] = {"gender": "feminine"}
NOUN: dict[str, Any] = {"before_noun": True}

SPELLINGS: tuple[Spelling, ...] = (
    # Spanish cardinals alone: full "uno", but always "un"/"veintiún" before mil and millón.
    (spell_integer, (1, ES), {}, "uno"),
    (spell_integer, (21, ES), {}, "veintiuno"),
    (spell_integer, (31, ES), {}, "treinta y uno"),
    (spell_integer, (101, ES), {}, "ciento uno"),
    (spell_integer, (1001, ES), {}, "mil uno"),
    (spell_integer, (21000, ES), {}, "veintiún mil"),
    (spell_integer, (31000, ES), {}, "treinta y un mil"),
    (spell_integer, (101000, ES), {}, "ciento un mil"),
    (spell_integer, (1_000_000, ES), {}, "un millón"),
    (spell_integer, (21_000_000, ES), {}, "veintiún millones"),
    (spell_integer, (201_000_000, ES), {}, "doscientos un millones"),
    (spell_integer, (21_021_021, ES), {}, "veintiún millones veintiún mil veintiuno"),
    (spell_integer, (21_000_000_000, ES), {}, "veintiún mil millones"),
    (spell_integer, (21 * 10**12, ES), {}, "veintiún billones"),
    (spell_integer, (21 * 10**18, ES), {}, "veintiún trillones"),
    # Spanish numerals before a noun, masculine and feminine.
    (spell_integer, (21, ES), NOUN, "veintiún"),
    (spell_integer, (1, ES), NOUN | FEM, "una"),
    (spell_integer, (21, ES), NOUN | FEM, "veintiuna"),
    (spell_integer, (200_000, ES), NOUN | FEM, "doscientas mil"),
    (spell_integer, (21_000, ES), NOUN | FEM, "veintiuna mil"),
    (spell_count, (1, "mes", "meses", ES), {}, "un mes"),
    (spell_count, (21, "mes", "meses", ES), {}, "veintiún meses"),
    (spell_count, (31, "mes", "meses", ES), {}, "treinta y un meses"),
    (spell_count, (101, "mes", "meses", ES), {}, "ciento un meses"),
    (spell_count, (360, "mes", "meses", ES), {}, "trescientos sesenta meses"),
    (spell_count, (31, "cuota", "cuotas", ES), FEM, "treinta y una cuotas"),
    (spell_count, (500, "cuota", "cuotas", ES), FEM, "quinientas cuotas"),
    # English cardinals and counts.
    (spell_integer, (0,), {}, "zero"),
    (spell_integer, (115,), {}, "one hundred fifteen"),
    (spell_integer, (21_000,), {}, "twenty-one thousand"),
    (spell_integer, (1_000_001,), {}, "one million one"),
    (spell_count, (1, "month", "months"), {}, "one month"),
    (spell_count, (21, "month", "months"), {}, "twenty-one months"),
    # Amounts with currency, both languages.
    (spell_amount, (Decimal("1"), "USD", ES), {}, "un dólar"),
    (spell_amount, (Decimal("21"), "USD", ES), {}, "veintiún dólares"),
    (spell_amount, (Decimal("101.01"), "USD", ES), {}, "ciento un dólares con un centavo"),
    (spell_amount, (Decimal("21000"), "USD", ES), {}, "veintiún mil dólares"),
    (spell_amount, (2_100_000_000, "USD", ES), {}, "veintiún millones de dólares"),
    (spell_amount, (100_100_000_000, "MXN", ES), {}, "mil un millones de pesos mexicanos"),
    (spell_amount, (Decimal("1.00"), "GBP", ES), {}, "una libra"),
    (spell_amount, (Decimal("21.01"), "GBP", ES), {}, "veintiuna libras con un penique"),
    (spell_amount, (Decimal("200000"), "GBP", ES), {}, "doscientas mil libras"),
    (spell_amount, (120_000_000, "GBP", ES), {}, "un millón doscientas mil libras"),
    (spell_amount, (20_000_000_000, "GBP", ES), {}, "doscientos millones de libras"),
    (spell_amount, (Decimal("31.21"), "EUR", ES), {}, "treinta y un euros con veintiún céntimos"),
    (spell_amount, (Decimal("1.01"), "USD"), {}, "one dollar and one cent"),
    (spell_amount, (Decimal("21000"), "CAD"), {}, "twenty-one thousand Canadian dollars"),
    (spell_amount, (Decimal("0.01"), "GBP"), {}, "one penny"),
    # Rates: English decimals digit by digit, Spanish as a number after its leading zeros.
    (spell_rate, (Decimal("0.0725"), ES), {"apr": False}, "siete punto veinticinco por ciento"),
    (spell_rate, (Decimal("0.0705"), ES), {"apr": False}, "siete punto cero cinco por ciento"),
    (
        spell_rate,
        (Decimal("0.07125"), ES),
        {"apr": False},
        "siete punto ciento veinticinco por ciento",
    ),
    (spell_rate, (Decimal("0.21"), ES), {"apr": False}, "veintiuno por ciento"),
    (spell_rate, (Decimal("0.0121"), ES), {"apr": False}, "uno punto veintiuno por ciento"),
    (spell_rate, (Decimal("0.0725"),), {"apr": False}, "seven point two five percent"),
    (spell_rate, (Decimal("0.0705"),), {"apr": False}, "seven point zero five percent"),
    # Dates.
    (spell_date, (date(2021, 5, 21), ES), {}, "veintiuno de mayo de dos mil veintiuno"),
    (
        spell_date,
        (date(1999, 12, 31), ES),
        {},
        "treinta y uno de diciembre de mil novecientos noventa y nueve",
    ),
    (spell_date, (date(2031, 1, 1),), {}, "January first, twenty thirty-one"),
    (spell_date, (date(2009, 11, 23),), {}, "November twenty-third, two thousand nine"),
    # Masked digits: only the last four, as words.
    (spell_masked, ("****1234",), {}, "ending in one, two, three, four"),
    (spell_masked, ("XXXX-XXXX-0567",), {}, "ending in zero, five, six, seven"),
    (spell_masked, ("1234", ES), {}, "que termina en uno, dos, tres, cuatro"),
    (spell_masked, ("4111 1111 1111 9080", ES), {}, "que termina en nueve, cero, ocho, cero"),
    # Phone numbers: digit by digit in groups.
    (spell_phone, ("+15550101234",), {}, "five five five, zero one zero, one two three four"),
    (spell_phone, ("(555) 010-1234",), {}, "five five five, zero one zero, one two three four"),
    (
        spell_phone,
        ("555-010-1234", ES),
        {},
        "cinco cinco cinco, cero uno cero, uno dos tres cuatro",
    ),
    (
        spell_phone,
        ("+1 555 010 1234", ES),
        {"country_code": True},
        "más uno, cinco cinco cinco, cero uno cero, uno dos tres cuatro",
    ),
    (
        spell_phone,
        ("+52 55 1234 5678", ES),
        {},
        "más cinco dos, cinco cinco uno, dos tres cuatro, cinco seis siete ocho",
    ),
)
