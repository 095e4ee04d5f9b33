"""The vectorized column parser agrees with the scalar rule table."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankbot_tools.portfolio import dedupe
from bankbot_tools.portfolio.dedupe import SeenIds, hash_strings
from bankbot_tools.portfolio.parse import parse_column
from bankbot_tools.rules import RULES, FieldSpec, Violation, to_units

NUMBER_TEXT = st.from_regex(r"\A[ \t]?[+-]?(\d{1,17}(\.\d{0,8})?|\.\d{1,8})[ \t]?\Z")
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "abc",
        "1e5",
        "1,000",
        "--1",
        "0x10",
        "nan",
        "inf",
        "1.2.3",
        ".",
        "+",
        "\u0661\u0662",
        "5\n",
        "\x1c5",
        "1000000000000000",
        "10000000000000.01",
        "-0",
        "6.5",
        "0.065",
        "00012.50",
    ]
)
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**7), max_value=10**13, places=3, allow_nan=False).map(float),
    st.integers(-(10**6), 10**13).map(lambda c: c / 100),
    st.sampled_from([6.5, 0.065, 1e15, 1e16, 1e20, -0.0, 0.1, 1200.0, 1200.5]),
)
INTS = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-5, 2000),
    st.sampled_from([10**13, -(2**63), 2**63 - 1]),
)


def expected(spec: FieldSpec, value: object) -> tuple[int, str | None]:
    """What ``to_units`` says about one value: units, or the error message."""
    try:
        return to_units(spec, value), None
    except ValueError as error:
        return 0, str(error)


def check_agrees(spec: FieldSpec, values: list[object], array: pa.Array) -> None:
    """Assert parse_column gives to_units' units and messages for every value."""
    parsed = parse_column(spec, array)
    for row, value in enumerate(values):
        units, error = expected(spec, value)
        code = Violation(int(parsed.codes[row]))
        if error is None:
            assert (code, int(parsed.units[row])) == (Violation.OK, units), value
        else:
            assert code is not Violation.OK, value
            assert parsed.message(spec, value, row) == error


@given(st.sampled_from(RULES), st.lists(st.one_of(NUMBER_TEXT, ODD_TEXT, st.none()), max_size=40))
def test_strings_agree_with_to_units(spec: FieldSpec, values: list[str | None]) -> None:
    """Text columns (as read from CSV) parse exactly as to_units parses each cell."""
    check_agrees(spec, list(values), pa.array(values, pa.string()))


@given(st.sampled_from(RULES), st.lists(st.one_of(FLOATS, st.none()), max_size=40))
def test_floats_agree_with_to_units(spec: FieldSpec, values: list[float | None]) -> None:
    """Float columns follow Decimal(repr(x)), as to_units does."""
    check_agrees(spec, list(values), pa.array(values, pa.float64()))


@given(st.sampled_from(RULES), st.lists(st.one_of(INTS, st.none()), max_size=40))
def test_ints_agree_with_to_units(spec: FieldSpec, values: list[int | None]) -> None:
    """Integer columns scale exactly and hit the same range rules."""
    check_agrees(spec, list(values), pa.array(values, pa.int64()))


@given(
    st.sampled_from(RULES),
    st.lists(st.decimals(min_value=-(10**12), max_value=10**12, places=4), max_size=30),
)
def test_decimals_agree_with_to_units(spec: FieldSpec, values: list[Decimal]) -> None:
    """Parquet decimal columns parse as their exact value."""
    check_agrees(spec, list(values), pa.array(values, pa.decimal128(20, 4)))


def test_chunked_and_bool_columns() -> None:
    """Chunked arrays are combined; bools are not numbers."""
    spec = RULES[2]
    chunked = pa.chunked_array([pa.array(["12"]), pa.array(["1201"])])
    assert parse_column(spec, chunked).codes.tolist() == [0, Violation.TOO_LARGE]
    assert parse_column(spec, pa.array([True])).codes.tolist() == [Violation.NOT_A_NUMBER]


@pytest.mark.parametrize(("raw", "units"), [("200000", 20_000_000), ("1500.50", 150_050)])
def test_plain_money_text(raw: str, units: int) -> None:
    """Typical CSV amounts become cents."""
    assert parse_column(RULES[0], pa.array([raw])).units.tolist() == [units]


def reference_repeated(chunks: list[list[str | None]]) -> list[list[bool]]:
    """The plain-set definition: empty, or seen before."""
    seen: set[str] = set()
    out = []
    for chunk in chunks:
        flags = []
        for value in chunk:
            flags.append(not value or value in seen)
            if value:
                seen.add(value)
        out.append(flags)
    return out


ID_CHUNKS = st.lists(
    st.lists(st.one_of(st.none(), st.text("ab\u00e9", max_size=3)), max_size=12), max_size=5
)


@given(ID_CHUNKS)
def test_seen_ids_match_a_plain_set(chunks: list[list[str | None]]) -> None:
    """Duplicate detection across chunks equals the plain-set definition."""
    seen = SeenIds()
    got = [seen.repeated(pa.array(chunk, pa.string())).tolist() for chunk in chunks]
    assert got == reference_repeated(chunks)


@given(ID_CHUNKS)
def test_seen_ids_exact_when_every_hash_collides(chunks: list[list[str | None]]) -> None:
    """Equal hashes are confirmed on the strings, so collisions never reject a loan."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dedupe, "hash_strings", lambda ids: np.zeros(len(ids), dtype=np.uint64))
        seen = SeenIds()
        got = [seen.repeated(pa.array(chunk, pa.string())).tolist() for chunk in chunks]
    assert got == reference_repeated(chunks)


@pytest.mark.parametrize("expected", [0, 1_000, 90_000])
def test_seen_ids_through_the_table_growing(expected: int) -> None:
    """Past the first table's load limit (it doubles, or was sized for the file up front),
    every id is still found: the same flags whatever size the table started at."""
    rng = np.random.default_rng(7)
    chunks = [[f"L{n}" for n in rng.integers(0, 70_000, 30_000)] for _ in range(3)]
    seen = SeenIds(expected=expected)
    got = [seen.repeated(pa.array(chunk, pa.string())).tolist() for chunk in chunks]
    assert got == reference_repeated(chunks)
    assert seen._hash.size >= 2 * dedupe._FIRST_SLOTS


def test_hash_strings_of_sliced_arrays() -> None:
    """Hashes depend on the string only, not on where it sits in a buffer."""
    whole = pa.array(["x", "loan-1", "", "loan-1", None])
    assert hash_strings(whole.slice(1))[0] == hash_strings(whole)[3]
