"""The batch engine: exact to the cent, rejects with reasons, atomic outputs."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankbot_tools import calculate_payment, fileio
from bankbot_tools.events import emitter
from bankbot_tools.loans.kernel import amortize, amortize_loans
from bankbot_tools.loans.terms import LoanTerms
from bankbot_tools.money import cents_to_decimal
from bankbot_tools.portfolio import process
from bankbot_tools.portfolio import run as run_module
from bankbot_tools.portfolio.job import BatchJob, TooManyRejects, UnreadableInput
from bankbot_tools.portfolio.run import run
from tests import strategies

SAMPLE = Path(__file__).resolve().parent.parent / "batch" / "sample_portfolio.csv"
COLUMNS = ["loan_id", "principal", "annual_rate", "term_months", "extra_payment"]


def write_csv(path: Path, rows: list[list[object]], header: list[str] = COLUMNS) -> Path:
    """Write rows under a header as a CSV file."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def random_loans(n: int, seed: int) -> list[tuple[int, int, int, int]]:
    """Valid loans (cents, ppm, months, extra cents), edge terms and zero rates mixed in."""
    rng = np.random.default_rng(seed)
    months = rng.choice([1, 2, 12, 60, 188, 360, 1200, *range(3, 480)], size=n)
    rate = np.where(rng.random(n) < 0.1, 0, rng.integers(1, 250_000, size=n))
    principal = np.maximum(rng.integers(100_00, 2_000_000_00, size=n), months)
    extra = np.where(rng.random(n) < 0.2, rng.integers(1, 100_000, size=n), 0)
    return list(
        zip(principal.tolist(), rate.tolist(), months.tolist(), extra.tolist(), strict=True)
    )


def loan_rows(loans: list[tuple[int, int, int, int]]) -> list[list[object]]:
    """Loans as CSV text rows, ids L0, L1, ..."""
    return [
        [f"L{i}", strategies.as_text(p, 2), strategies.as_text(r, 6), m, strategies.as_text(e, 2)]
        for i, (p, r, m, e) in enumerate(loans)
    ]


def expected_summary(loan: tuple[int, int, int, int]) -> list[Decimal | int]:
    """What the single-loan engine says for one loan, in summary column order."""
    result = amortize(LoanTerms(*loan))
    money = [
        result.monthly_payment,
        loan[3],
        result.last_payment,
        result.total_interest,
        result.total_paid,
    ]
    return [
        *(cents_to_decimal(c) for c in money),
        result.payoff_month,
        cents_to_decimal(result.interest_saved),
    ]


def check_summary(summary: pa.Table, loans: list[tuple[int, int, int, int]]) -> None:
    """Every summary row equals the single-loan engine's numbers."""
    assert summary["loan_id"].to_pylist() == [f"L{i}" for i in range(len(loans))]
    rows = summary.drop_columns(["loan_id"]).to_pylist()
    for loan, row in zip(loans, rows, strict=True):
        assert list(row.values()) == expected_summary(loan), loan


def test_sample_rejects_bad_rows_with_reasons(tmp_path: Path) -> None:
    """The bundled sample's bad rows are rejected with row, id and reason; the rest processed."""
    manifest = run(BatchJob(SAMPLE, tmp_path / "summary.csv"))
    assert manifest["counts"] == {"read": 126, "processed": 120, "rejected": 6}
    with (tmp_path / "summary.rejects.csv").open() as handle:
        rejects = list(csv.DictReader(handle))
    reasons = {r["loan_id"]: (int(r["row"]), r["reason"]) for r in rejects}
    assert "finite decimal number" in reasons["SMP-00121"][1]
    assert "principal must be > 0" in reasons["SMP-00122"][1]
    assert "looks like a percent" in reasons["SMP-00123"][1]
    assert reasons["SMP-00040"][1] == "duplicate loan_id"
    assert reasons["SMP-00124"][1] == "term_months: months is required"
    assert "payment rounds to 0.00" in reasons["SMP-00125"][1]
    assert reasons["SMP-00121"][0] == 16


def test_few_thousand_random_loans_match_amortize(tmp_path: Path) -> None:
    """A few thousand loans across chunk boundaries give the single-loan engine's cents."""
    loans = random_loans(3000, seed=1)
    source = write_csv(tmp_path / "in.csv", loan_rows(loans))
    run(BatchJob(source, tmp_path / "s.parquet", chunk_size=257))
    check_summary(pq.read_table(tmp_path / "s.parquet"), loans)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(
            strategies.everyday_principal_cents,
            strategies.rate_ppm,
            strategies.short_months,
            strategies.extra_cents,
        ),
        min_size=1,
        max_size=25,
    ),
    st.sampled_from([1, 3, 7, 64]),
)
def test_hypothesis_loans_match_amortize(
    tmp_path_factory: pytest.TempPathFactory, loans: list[tuple[int, int, int, int]], chunk: int
) -> None:
    """Any valid loans, in any chunk size, match the single-loan engine or are rejected as stuck."""
    folder = tmp_path_factory.mktemp("hyp")
    source = write_csv(folder / "in.csv", loan_rows(loans))
    manifest = run(BatchJob(source, folder / "s.parquet", chunk_size=chunk))
    summary = pq.read_table(folder / "s.parquet")
    kept = set(summary["loan_id"].to_pylist())
    assert manifest["counts"]["processed"] + manifest["counts"]["rejected"] == len(loans)
    for i, loan in enumerate(loans):
        if f"L{i}" in kept:
            row = summary.filter(pa.compute.equal(summary["loan_id"], f"L{i}")).to_pylist()[0]
            assert list(row.values())[1:] == expected_summary(loan)
        else:
            with pytest.raises(ValueError, match="too small to amortize"):
                amortize(LoanTerms(*loan))


def test_schedules_match_calculate_payment(tmp_path: Path) -> None:
    """Schedule rows equal calculate_payment's rows, loan by loan, 1 and 1200 months included."""
    loans = random_loans(60, seed=2)
    loans += [(100_000, 0, 1200, 0), (5_000_000, 50_000, 1, 0), (99_999, 0, 7, 0)]
    loans = [(p, r, m, 0) for p, r, m, _ in loans]
    source = write_csv(tmp_path / "in.csv", loan_rows(loans))
    run(BatchJob(source, tmp_path / "s.csv", schedules=tmp_path / "d.parquet", chunk_size=5))
    rows = pq.read_table(tmp_path / "d.parquet").to_pylist()
    by_loan: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_loan.setdefault(str(row.pop("loan_id")), []).append(row)
    for i, (p, r, m, _) in enumerate(loans):
        payment, expected = asyncio.run(
            calculate_payment(strategies.as_text(p, 2), strategies.as_text(r, 6), m)
        )
        got = [
            {k: (float(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
            for row in by_loan[f"L{i}"]
        ]
        assert got == expected, (i, payment)


@pytest.mark.parametrize("chunk", [1, 7, 100_000])
def test_chunk_size_does_not_change_outputs(tmp_path: Path, chunk: int) -> None:
    """Summary, schedules and rejects are byte-identical whatever the chunk size."""
    reference = tmp_path / "ref"
    run(BatchJob(SAMPLE, reference / "s.csv", schedules=reference / "d.csv"))
    other = tmp_path / f"c{chunk}"
    run(BatchJob(SAMPLE, other / "s.csv", schedules=other / "d.csv", chunk_size=chunk))
    for name in ("s.csv", "d.csv", "s.rejects.csv"):
        assert (other / name).read_bytes() == (reference / name).read_bytes()


def test_rerun_gives_identical_data(tmp_path: Path) -> None:
    """Running twice gives the same files and the same output checksums in the manifest."""
    job = BatchJob(SAMPLE, tmp_path / "s.parquet", schedules=tmp_path / "d.parquet")
    first = run(job)
    data = {p.name: p.read_bytes() for p in tmp_path.glob("*.parquet")}
    second = run(job)
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.parquet")} == data
    assert first["outputs"] == second["outputs"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_contents(tmp_path: Path) -> None:
    """The manifest names the input and outputs with their sha256, counts and timings."""
    job = BatchJob(SAMPLE, tmp_path / "s.csv", schedules=tmp_path / "d.parquet")
    returned = run(job)
    manifest = json.loads((tmp_path / "s.manifest.json").read_text())
    assert manifest == returned
    assert manifest["input"] == {"path": str(SAMPLE), "sha256": _sha256(SAMPLE)}
    assert set(manifest["outputs"]) == {"summary", "rejects", "schedules"}
    for output in manifest["outputs"].values():
        assert output["sha256"] == _sha256(Path(output["path"]))
    assert manifest["version"]
    assert manifest["finished"] >= manifest["started"]
    assert manifest["duration_s"] >= 0


def test_failure_on_second_chunk_leaves_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run failing midway publishes nothing and removes its temporary files."""
    calls = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return amortize_loans(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(process, "amortize_loans", failing)
    out = tmp_path / "out"
    job = BatchJob(SAMPLE, out / "s.parquet", schedules=out / "d.csv", chunk_size=10)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(job)
    assert list(out.iterdir()) == []


def failing_validation(monkeypatch: pytest.MonkeyPatch, from_chunk: int, error: Exception) -> None:
    """Make the run's validation stage raise ``error`` for chunk ``from_chunk`` and later."""
    chunks: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> process.Validated:
        chunks.append(1)
        if len(chunks) >= from_chunk:
            raise error
        return process.validate_chunk(*args, **kwargs)

    monkeypatch.setattr(run_module, "validate_chunk", failing)


def test_failure_validating_a_later_chunk_surfaces_in_chunk_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk failing in the read-ahead thread raises that very error once the chunks
    before it are logged and counted in order, and publishes nothing."""
    error = RuntimeError("bad chunk")
    failing_validation(monkeypatch, 3, error)
    log = io.StringIO()
    emitter.configure(stream=log)
    counted: list[int] = []
    out = tmp_path / "out"
    job = BatchJob(SAMPLE, out / "s.parquet", schedules=out / "d.csv", chunk_size=10)
    with pytest.raises(RuntimeError) as raised:
        run(job, on_chunk=lambda progress: counted.append(progress.chunks))
    assert raised.value is error
    assert counted == [1, 2]
    events = [json.loads(line) for line in log.getvalue().splitlines()]
    assert [(e["event"], e.get("chunk"), e["status"]) for e in events] == [
        ("batch.chunk", 1, "ok"),
        ("batch.chunk", 2, "ok"),
        ("batch.chunk", 3, "error"),
        ("batch.run", None, "error"),
    ]
    assert events[-1]["chunks"] == 2
    assert list(out.iterdir()) == []


def test_max_rejects_stops_before_the_chunk_read_ahead_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk past --max-rejects stops the run as before, even when the next chunk,
    already being validated, fails: only the rejects file is published."""
    failing_validation(monkeypatch, 2, RuntimeError("never seen"))
    with pytest.raises(TooManyRejects, match="max-rejects 1"):
        run(BatchJob(SAMPLE, tmp_path / "s.csv", max_rejects=1, chunk_size=60))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.rejects.csv"]


def test_failed_setup_removes_the_temp_files_it_made(tmp_path: Path) -> None:
    """When one output's folder cannot be made, the temp files made before it are removed."""
    (tmp_path / "afile").write_bytes(b"")
    out = tmp_path / "out"
    job = BatchJob(
        SAMPLE, out / "s.parquet", schedules=out / "d.csv", rejects=tmp_path / "afile" / "r.csv"
    )
    with pytest.raises(OSError, match="afile"):
        run(job)
    assert list(out.iterdir()) == []


def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    """atomic_write_text makes missing folders, replaces the file and leaves no temp file."""
    target = tmp_path / "a" / "b.txt"
    fileio.atomic_write_text(target, "old\n")
    fileio.atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in target.parent.iterdir()] == ["b.txt"]


def test_atomic_path_failure_keeps_the_old_file(tmp_path: Path) -> None:
    """An error inside atomic_path leaves the target as it was and removes the temp file."""
    target = tmp_path / "b.txt"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), fileio.atomic_path(target) as temp:
        temp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk on fire")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["b.txt"]


def test_max_rejects_fails_and_publishes_only_rejects(tmp_path: Path) -> None:
    """Past --max-rejects the run stops: rejects explain why, no summary or manifest."""
    with pytest.raises(TooManyRejects, match="max-rejects 2"):
        run(BatchJob(SAMPLE, tmp_path / "s.csv", max_rejects=2, chunk_size=10))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.rejects.csv"]
    assert run(BatchJob(SAMPLE, tmp_path / "s.csv", max_rejects=6))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "not found"),
        ("loans.txt", b"loan_id\n", "not a .csv or .parquet"),
        ("fake.parquet", b"not parquet at all", "not a readable Parquet"),
        ("binary.csv", b"\xff\xfe\x00\x01", "not a readable CSV"),
        ("empty.csv", b"", "empty"),
        ("cols.csv", b"loan_id,principal\nA,1\n", "lacks required column(s): annual_rate"),
        ("ragged.csv", b"loan_id,principal,annual_rate,term_months\nA,1,0.05\n", "got 3"),
    ],
)
def test_unreadable_input(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    """Unreadable inputs fail at once with one line, and write nothing."""
    source = tmp_path / name
    if content is not None:
        source.write_bytes(content)
    with pytest.raises(UnreadableInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(BatchJob(source, tmp_path / "out" / "s.csv"))
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_parquet_typed_columns_and_map(tmp_path: Path) -> None:
    """Parquet floats, ints and decimals parse exactly; --map renames; no extra column means 0."""
    table = pa.table(
        {
            "id": ["A", "B", "C"],
            "amount": pa.array([Decimal("200000.00"), Decimal("1500.50"), Decimal("10.001")]),
            "annual_rate": [0.065, 0.0, 0.05],
            "term_months": pa.array([360, 12, 12], pa.int16()),
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    job = BatchJob(
        tmp_path / "in.parquet",
        tmp_path / "s.csv",
        column_map={"principal": "amount", "loan_id": "id"},
    )
    manifest = run(job)
    assert manifest["counts"] == {"read": 3, "processed": 2, "rejected": 1}
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[1].split(",")[:3] == ['"A"', "1264.14", "0.00"]
    assert "at most 2 decimals" in (tmp_path / "s.rejects.csv").read_text()


def test_blank_extra_is_zero_and_bad_extra_rejected(tmp_path: Path) -> None:
    """An empty extra_payment cell means no extra; a negative one is rejected."""
    rows = [["A", "1000", "0.05", "12", ""], ["B", "1000", "0.05", "12", "-5"]]
    source = write_csv(tmp_path / "in.csv", rows)
    run(BatchJob(source, tmp_path / "s.csv"))
    assert "extra_payment: extra must be >= 0" in (tmp_path / "s.rejects.csv").read_text()
    assert (tmp_path / "s.csv").read_text().count("\n") == 2


def test_threaded_kernel_matches_small_batches() -> None:
    """Big arrays (split across threads) give the same cents as small single-thread batches."""
    loans = np.array(random_loans(20_000, seed=3)).T
    whole = amortize_loans(*loans, with_schedule=True)
    parts = [amortize_loans(*loans[:, i : i + 1000]) for i in range(0, 20_000, 1000)]
    for name in ("monthly_payment", "total_interest", "total_paid", "payoff_month"):
        joined = np.concatenate([getattr(part, name) for part in parts])
        assert np.array_equal(getattr(whole, name), joined), name
    assert whole.schedule is not None
    assert int(whole.schedule["month"].size) == int(whole.payoff_month.sum())
