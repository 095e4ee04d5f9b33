"""Loans: validated terms, the integer-cents kernel, the one result and schedule type,
step-down plans, and the Regulation Z APR."""
