"""Arrow from and to numpy buffers: equal to pyarrow's own conversions, and a batch run that
uses them never imports pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankbot_tools.portfolio import buffers

SAMPLE = Path(__file__).parent.parent / "batch" / "sample_portfolio.csv"
KINDS = [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint16(), pa.uint64(), pa.float64()]


@given(
    st.lists(st.tuples(st.integers(-100, 100), st.booleans()), max_size=70),
    st.sampled_from(KINDS),
    st.integers(0, 9),
    st.integers(0, 9),
)
def test_numbers_and_nulls_round_trip_as_pyarrow_converts_them(
    cells: list[tuple[int, bool]], kind: pa.DataType, start: int, cut: int
) -> None:
    """array() builds what pa.array builds; numbers/valid/flags read it back, slices too."""
    values = [abs(v) if pa.types.is_unsigned_integer(kind) else v for v, _ in cells]
    null = np.array([n for _, n in cells], dtype=np.bool_)
    dtype = np.dtype(kind.to_pandas_dtype())
    built = buffers.array(np.array(values, dtype=dtype), null=null)
    assert built.equals(pa.array(np.array(values, dtype=dtype), type=kind, mask=null))
    part = built.slice(start, max(len(built) - start - cut, 0))
    expected = part.to_pylist()
    ok = buffers.valid(part)
    assert ok.tolist() == [v is not None for v in expected]
    assert buffers.numbers(part)[ok].tolist() == [v for v in expected if v is not None]
    as_bool = pa.array([None if v is None else v > 0 for v in expected], pa.bool_())
    assert buffers.flags(as_bool).tolist() == [bool(v) for v in as_bool.to_pylist()]
    sliced_bools = pa.array([v > 0 for v in values], pa.bool_()).slice(start)
    assert buffers.numbers(sliced_bools).tolist() == sliced_bools.to_pylist()


@given(st.lists(st.text(max_size=8), max_size=30))
def test_strings_and_text_equal_pyarrow_s(values: list[str]) -> None:
    """Python strings (any unicode, empty ones too) as pa.array makes them."""
    assert buffers.strings(values).equals(pa.array(values, pa.string()))
    for value in values[:3]:
        assert buffers.text(value).equals(pa.scalar(value, pa.string()))


def test_constants_have_the_asked_type() -> None:
    """Integer and bool constants for compute calls."""
    assert buffers.constant(0, pa.uint64()).equals(pa.scalar(0, pa.uint64()))
    assert buffers.constant(False, pa.bool_()).equals(pa.scalar(False))


RUN = """
import sys
import importlib
cli = importlib.import_module("bankbot_tools.cli.app")
cli.teardown_skipped = lambda: False  # exit through SystemExit, not os._exit, to report
sys.argv = ["bankbot", "--log-file", sys.argv[1], *sys.argv[2:]]
try:
    cli.main()
except SystemExit as done:
    assert not done.code, done.code
print("pandas" in sys.modules)
"""


@pytest.fixture
def loans_parquet(tmp_path: Path) -> Path:
    """The sample portfolio's good rows as Parquet with text money columns."""
    path = tmp_path / "loans.parquet"
    pq.write_table(pacsv.read_csv(SAMPLE), path)
    return path


@pytest.mark.parametrize(
    "outputs",
    [
        pytest.param(["--out", "o/summary.parquet"], id="summary"),
        pytest.param(
            ["--out", "o/s.csv", "--schedules", "o/sch.parquet", "--rejects", "o/r.csv.gz"],
            id="csv summary, schedules, rejects",
        ),
        pytest.param(["--out", "o/s.parquet", "--schedules", "o/sch.csv"], id="csv schedules"),
        pytest.param(["--out", "o/s.parquet", "--apr"], id="apr"),
    ],
)
@pytest.mark.parametrize("source", ["csv", "parquet"])
def test_a_batch_run_never_imports_pandas(
    tmp_path: Path, loans_parquet: Path, outputs: list[str], source: str
) -> None:
    """pyarrow would import pandas (0.2 s) at its first numpy conversion: the batch path
    makes none, whatever the formats, and with rejected rows."""
    portfolio = str(SAMPLE if source == "csv" else loans_parquet)
    argv = [sys.executable, "-c", RUN, str(tmp_path / "events.log"), "batch", "run", portfolio]
    done = subprocess.run(
        [*argv, *outputs], capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    *report, imported = done.stdout.splitlines()
    assert imported == "False"
    assert "6 rejected" in report[-1]
