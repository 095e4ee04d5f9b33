"""An independent, per-loan Decimal implementation of the documented convention.

It shares no code with the package: the kernel is checked against it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def payment(principal: Decimal, rate: Decimal, months: int) -> Decimal:
    """Annuity payment rounded half up to the cent (zero rate: principal / months)."""
    if rate == 0:
        return (principal / months).quantize(CENT, rounding=ROUND_HALF_UP)
    r = Fraction(rate) / 12
    growth = (1 + r) ** months
    exact = Fraction(principal) * r * growth / (growth - 1)
    cents = exact * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 100


def schedule(
    principal: Decimal, rate: Decimal, months: int, extra: Decimal = Decimal(0)
) -> list[tuple[int, Decimal, Decimal, Decimal, Decimal]]:
    """Rows (month, payment, interest, principal, balance) of one fixed-rate loan."""
    level = payment(principal, rate, months)
    balance = principal
    rows = []
    for month in range(1, months + 1):
        interest = (balance * rate / 12).quantize(CENT, rounding=ROUND_HALF_UP)
        due = level + extra
        closes = balance + interest <= due or month == months
        paid = balance + interest if closes else due
        balance = balance + interest - paid
        rows.append((month, paid, interest, paid - interest, balance))
        if balance == 0:
            break
    return rows
