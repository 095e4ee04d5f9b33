"""Loans: terms, the integer-cents kernel, schedules, plans and the Regulation Z APR."""
