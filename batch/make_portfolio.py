"""Seeded synthetic loan portfolio: N loans to CSV or Parquet (by the output's extension).

    python batch/make_portfolio.py 100000 /tmp/portfolio.parquet --seed 7

Terms are common loan terms with a mean of about 188 months; principals scale with the
term (car loans to mortgages); rates 1.5%-12% with up to 4 decimals; 20% of loans pay
an extra 25-500 a month. Parquet stores money and rates as float64 and terms as int32,
as a typical export does; CSV holds the same values as text.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

TERMS = np.array([12, 36, 60, 84, 120, 180, 240, 360])
TERM_WEIGHTS = np.array([0.05, 0.10, 0.10, 0.10, 0.10, 0.15, 0.10, 0.30])
EXTRA_SHARE = 0.2


def portfolio(n: int, seed: int = 7) -> pa.Table:
    """N synthetic loans: loan_id, principal, annual_rate, term_months, extra_payment."""
    rng = np.random.default_rng(seed)
    months = rng.choice(TERMS, size=n, p=TERM_WEIGHTS)
    scale = 8_000 + months * 900.0
    principal_cents = np.round(rng.lognormal(np.log(scale), 0.5) * 100).astype(np.int64)
    principal_cents = np.clip(principal_cents, 50_000, 500_000_000)
    rate_bp = rng.integers(150, 1200, size=n) * 100 + rng.integers(0, 100, size=n) * (
        rng.random(n) < 0.3
    )
    has_extra = rng.random(n) < EXTRA_SHARE
    extra_cents = np.where(has_extra, rng.integers(25, 501, size=n) * 100, 0)
    return pa.table(
        {
            "loan_id": pa.array([f"L{i:08d}" for i in range(1, n + 1)]),
            "principal": pa.array(principal_cents / 100),
            "annual_rate": pa.array(rate_bp / 1_000_000),
            "term_months": pa.array(months.astype(np.int32)),
            "extra_payment": pa.array(extra_cents / 100),
        }
    )


def write(table: pa.Table, path: Path) -> None:
    """Write the table as Parquet or CSV, by extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def main() -> None:
    """Command line: N and OUTPUT, optional --seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of loans")
    parser.add_argument("output", type=Path, help="output .csv or .parquet")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write(portfolio(args.n, args.seed), args.output)


if __name__ == "__main__":
    main()
