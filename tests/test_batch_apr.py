"""APRs for a portfolio: the vectorized solve gives the exact solver's figures; batch --apr."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bankbot_tools.cli import app
from bankbot_tools.loans.disclosure import aprs, fast_aprs, loan_apr
from bankbot_tools.loans.periods import LoanShapes
from bankbot_tools.loans.terms import LoanTerms

FREQUENCIES = ["monthly", "biweekly", "weekly", "quarterly", "semimonthly", "annual"]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(100_000, 100_000_000),  # principal cents
            st.integers(0, 400_000),  # rate ppm
            st.integers(1, 480),  # payments
            st.floats(0, 0.08),  # fees as a share of the principal
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(FREQUENCIES),
)
def test_fast_aprs_equal_the_exact_solver(
    loans: list[tuple[int, int, int, float]], frequency: str
) -> None:
    """Every loan's vectorized APR is the exact solver's, to the last reported decimal."""
    principal, rate, count, share = (np.array(column) for column in zip(*loans, strict=True))
    fees = (principal * share).astype(np.int64)
    shapes = LoanShapes.build(len(loans), frequency=np.full(len(loans), frequency, dtype=object))
    exact = aprs(principal, rate, count, fees, shapes)
    assert fast_aprs(principal, rate, count, fees, shapes) == exact


def test_batch_apr_column_equals_each_loans_apr(tmp_path: Path, runner: CliRunner) -> None:
    """batch run --apr writes apr_percent, equal to loan-calc's APR of each loan."""
    source = tmp_path / "loans.csv"
    rows = [
        ("A", "200000", "0.065", "360", "", "", "1500"),
        ("B", "30000", "0.07", "60", "biweekly", "", "0"),
        ("C", "5000", "0.12", "36", "", "2026-01-15", "100"),
        ("D", "1000", "0", "12", "", "", "50"),
    ]
    with source.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "loan_id",
                "principal",
                "annual_rate",
                "term_months",
                "frequency",
                "start_date",
                "fees",
            ]
        )
        writer.writerows(rows)
    summary = tmp_path / "s.csv"
    done = runner.invoke(app, ["batch", "run", str(source), "--out", str(summary), "--apr"])
    assert done.exit_code == 0, done.output
    written = {r["loan_id"]: Decimal(r["apr_percent"]) for r in csv.DictReader(summary.open())}
    for loan_id, principal, rate, months, frequency, start, fees in rows:
        terms = LoanTerms.parse(
            principal,
            rate,
            months,
            frequency=frequency or None,
            start_date=start or None,
            fees=fees,
        )
        assert written[loan_id] == loan_apr(terms), loan_id


def test_dated_batch_schedules_carry_the_due_dates(tmp_path: Path, runner: CliRunner) -> None:
    """With loan dates in the input, schedule rows carry loan-calc's due dates (null if undated)."""
    source = tmp_path / "loans.csv"
    source.write_text(
        "loan_id,principal,annual_rate,term_months,start_date\n"
        "A,5000,0.12,12,2026-01-31\n"
        "B,1000,0.05,6,\n"
    )
    schedules = tmp_path / "d.csv"
    args = ["batch", "run", str(source), "--out", str(tmp_path / "s.csv")]
    done = runner.invoke(app, [*args, "--schedules", str(schedules)])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(schedules.open()))
    single = runner.invoke(
        app,
        [
            "loan-calc",
            "--amount",
            "5000",
            "--rate",
            "0.12",
            "--months",
            "12",
            "--start-date",
            "2026-01-31",
            "--json",
        ],
    )
    expected = [row["date"] for row in json.loads(single.stdout)["schedule"]]
    assert [r["date"] for r in rows if r["loan_id"] == "A"] == expected
    assert {r["date"] for r in rows if r["loan_id"] == "B"} == {""}


def test_undated_batch_schedules_keep_their_columns(tmp_path: Path, runner: CliRunner) -> None:
    """Without dates in the input the schedules file has exactly the columns it always had."""
    schedules = tmp_path / "d.csv"
    sample = Path(__file__).resolve().parent.parent / "batch" / "sample_portfolio.csv"
    args = ["batch", "run", str(sample), "--out", str(tmp_path / "s.csv")]
    assert runner.invoke(app, [*args, "--schedules", str(schedules)]).exit_code == 0
    header = schedules.open().readline().strip()
    assert header == '"loan_id","month","payment","interest","principal","balance"'
