"""Validated terms of one loan, in the integer units of the rule table."""

from __future__ import annotations

from dataclasses import dataclass

from bankbot_tools.rules import ANNUAL_RATE, EXTRA, MONTHS, PRINCIPAL, to_units


@dataclass(frozen=True)
class LoanTerms:
    """Validated terms of one loan, in integer units.

    ``rate_ppm`` is the annual rate in millionths (0.065 -> 65000).
    """

    principal_cents: int
    rate_ppm: int
    months: int
    extra_cents: int = 0

    @classmethod
    def parse(
        cls, principal: object, annual_rate: object, months: object, extra: object = 0
    ) -> LoanTerms:
        """Validate raw inputs (str, int, float or Decimal) into terms.

        >>> LoanTerms.parse("200000", 0.065, 360)
        LoanTerms(principal_cents=20000000, rate_ppm=65000, months=360, extra_cents=0)
        """
        return cls(
            principal_cents=to_units(PRINCIPAL, principal),
            rate_ppm=to_units(ANNUAL_RATE, annual_rate),
            months=to_units(MONTHS, months),
            extra_cents=to_units(EXTRA, extra),
        )
