"""The batch core: one chunk of portfolio rows (Arrow) -> summary rows and rejects.

Two stages. :func:`validate_rows` runs the rule table over every column
(:mod:`bankbot_tools.portfolio.parse`) and, through :func:`validate_chunk`, the dedupe
pass, which is stateful (``seen``: the ids met in earlier chunks) and so takes chunks in
order. :func:`amortize` runs the kernel over the good loans and builds the summary;
schedules, when asked for, go to a sink slice by slice. It depends on its chunk alone, so
the batch engine runs it for one chunk while it validates the next.
:func:`process_rows` is both stages, pure, for the distributed engines.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from bankbot_tools.loans.disclosure import fast_aprs
from bankbot_tools.loans.kernel import amortize_loans, unamortizable, unamortizable_message
from bankbot_tools.loans.payments import annuity_payment, scheduled_payment
from bankbot_tools.loans.periods import LoanShapes, build_periods
from bankbot_tools.loans.schedule import Schedule
from bankbot_tools.money import IntArray
from bankbot_tools.portfolio import buffers
from bankbot_tools.portfolio.arrow import apr_column, money, summary_schema
from bankbot_tools.portfolio.dedupe import SeenIds
from bankbot_tools.portfolio.job import ChunkResult, Reject
from bankbot_tools.portfolio.parse import BoolArray, Parsed, parse_column
from bankbot_tools.portfolio.read import FIELDS
from bankbot_tools.portfolio.shapes import COLUMNS as SHAPE_COLUMNS
from bankbot_tools.portfolio.shapes import ShapeColumns, check_terms, parse_shapes
from bankbot_tools.rules import Violation

#: With schedules, the kernel runs on slices of a chunk of at most this many loan-months,
#: and each slice's rows are handed to the writer at once: memory stays bounded by it.
#: Slices this small (24 MB of rows) are reused by malloc instead of being mapped and
#: page-faulted afresh each time, which halves the time of a schedules run.
SCHEDULE_SLICE_ROWS = 1 << 19

#: Receives the kernel schedule of the loans ``ids``, one slice at a time.
ScheduleSink = Callable[[pa.Array, Schedule], None]


def validate_chunk(
    table: pa.Table, first_row: int, seen: SeenIds, *, with_apr: bool = False
) -> Validated:
    """Validate one chunk whose first data row is ``first_row`` (1-based), deduping its ids.

    Chunks must come through here in input order (``seen`` remembers their ids); their
    :func:`amortize` stages are independent of each other.
    """
    ids = table["loan_id"].combine_chunks().cast(pa.string())
    rows = np.arange(first_row, first_row + table.num_rows, dtype=np.int64)
    return validate_rows(table, rows, seen.repeated(ids), with_apr=with_apr)


def process_rows(
    table: pa.Table,
    rows: IntArray,
    repeated: BoolArray,
    schedule_sink: ScheduleSink | None,
    *,
    summary: bool = True,
    with_apr: bool = False,
) -> ChunkResult:
    """The pure core: rows numbered ``rows`` (1-based, in input order) -> summary and rejects.

    ``repeated`` is true where the loan_id is empty or claimed by an earlier row (the
    caller's dedupe pass decides that). With ``summary=False`` only the rejects are
    computed (validation without the month loop); the summary is then empty. With
    ``with_apr`` the summary also carries each loan's Regulation Z APR (``apr_percent``).
    """
    validated = validate_rows(table, rows, repeated, summary=summary, with_apr=with_apr)
    return amortize(validated, schedule_sink)


@dataclass(frozen=True)
class Validated:
    """Rows past the rules: the loans to amortize, in input order, and the rows rejected.

    ``fees`` is each loan's fees when the summary carries the APR, else None.
    """

    ids: pa.Array
    principal: IntArray
    rate: IntArray
    months: IntArray
    extra: IntArray
    payment: IntArray  # the level payment the rules checked, which the month loop pays
    shapes: LoanShapes | None
    fees: IntArray | None
    rejects: list[Reject]


def validate_rows(
    table: pa.Table,
    rows: IntArray,
    repeated: BoolArray,
    *,
    summary: bool = True,
    with_apr: bool = False,
) -> Validated:
    """The first stage of :func:`process_rows` (same arguments): every rule, no month loop."""
    n = table.num_rows
    ids = table["loan_id"].combine_chunks().cast(pa.string())
    reasons: dict[int, list[str]] = {}
    for i in np.flatnonzero(repeated).tolist():
        reasons[i] = ["duplicate loan_id" if ids[i].as_py() else "loan_id is required"]
    parsed: dict[str, Parsed] = {}
    for name, spec in FIELDS.items():
        if name in table.column_names:
            column = table[name].combine_chunks()
            parsed[name] = parse_column(spec, column)
            if name == "extra_payment":
                _blank_is_zero(parsed[name], column)
            label = "" if name == spec.name else f"{name}: "
            for i in np.flatnonzero(parsed[name].codes).tolist():
                reason = parsed[name].message(spec, column[i].as_py(), i)
                reasons.setdefault(i, []).append(label + reason)
        else:
            zeros = np.zeros(n, dtype=np.int64)
            parsed[name] = Parsed(zeros, zeros)
    # Issue 10: optional loan-shape columns (absent: the plain monthly path, untouched).
    shape_columns = None
    if any(name in table.column_names for name in SHAPE_COLUMNS):
        shape_columns = parse_shapes(table, reasons)
    good = np.ones(n, dtype=np.bool_)
    good[list(reasons)] = False
    keep = np.flatnonzero(good)
    principal, rate, months, extra = (parsed[name].units[keep] for name in FIELDS)
    shapes = None
    if shape_columns is not None and shape_columns.given:
        keep, principal, rate, months, extra, shapes = _shaped(
            shape_columns, keep, principal, rate, months, extra, reasons
        )
    if shapes is None:
        payment = annuity_payment(principal, rate, months)
    else:
        periods = build_periods(principal, rate, months, shapes)
        payment = scheduled_payment(principal, rate, months, periods, shapes.balloon)
    stuck = np.flatnonzero(unamortizable(payment))
    if shapes is not None:
        shapes = shapes.take(np.delete(np.arange(keep.size), stuck))
    for j in stuck.tolist():
        reasons[int(keep[j])] = [unamortizable_message(int(principal[j]), int(months[j]))]
    if stuck.size:
        keep, principal, rate, months, extra, payment = (
            np.delete(a, stuck) for a in (keep, principal, rate, months, extra, payment)
        )
    if not summary:
        keep = keep[:0]
        principal, rate, months, extra, payment = (
            a[:0] for a in (principal, rate, months, extra, payment)
        )
        shapes = None if shapes is None else shapes.take(keep)
    fees = None
    if with_apr:
        no_fees = np.zeros(keep.size, dtype=np.int64)
        fees = no_fees if shape_columns is None else shape_columns.numbers["fees"][keep]
    rejects = [
        Reject(int(rows[i]), ids[i].as_py() or "", "; ".join(reasons[i])) for i in sorted(reasons)
    ]
    kept_ids = ids.take(buffers.array(keep))
    return Validated(kept_ids, principal, rate, months, extra, payment, shapes, fees, rejects)


def amortize(validated: Validated, schedule_sink: ScheduleSink | None) -> ChunkResult:
    """The second stage: the month loop over the validated loans -> summary and rejects.

    Schedule slices go to ``schedule_sink`` as they are computed.
    """
    v = validated
    columns = _amortize(v, schedule_sink)
    arrays = [
        v.ids,
        *(money(c) for c in columns[:5]),
        buffers.array(columns[5].astype(np.int32)),
        money(columns[6]),
    ]
    if v.fees is not None:
        arrays.append(apr_column(fast_aprs(v.principal, v.rate, v.months, v.fees, v.shapes)))
    result = pa.Table.from_arrays(arrays, schema=summary_schema(apr=v.fees is not None))
    return ChunkResult(result, v.rejects)


def _amortize(v: Validated, schedule_sink: ScheduleSink | None) -> list[IntArray]:
    """Summary columns in schema order (after loan_id); schedules slice by slice to the sink."""
    ids, principal, months, extra, shapes = v.ids, v.principal, v.months, v.extra, v.shapes
    bounds = [0, principal.size]
    if schedule_sink is not None:
        rows_before = np.cumsum(months) - months
        cuts = np.arange(SCHEDULE_SLICE_ROWS, int(months.sum()), SCHEDULE_SLICE_ROWS)
        bounds = sorted({0, principal.size, *np.searchsorted(rows_before, cuts).tolist()})
    parts: list[list[IntArray]] = []
    for lo, hi in itertools.pairwise(bounds):
        result = amortize_loans(
            principal[lo:hi],
            v.rate[lo:hi],
            months[lo:hi],
            extra[lo:hi],
            with_schedule=schedule_sink is not None,
            shapes=None if shapes is None else shapes.take(np.arange(lo, hi)),
            payment=v.payment[lo:hi],
        )
        if schedule_sink is not None and result.schedule is not None:
            schedule_sink(ids[lo:hi], result.schedule)
        parts.append(
            [
                result.monthly_payment,
                extra[lo:hi],
                result.last_payment,
                result.total_interest,
                result.total_paid,
                result.payoff_month,
                result.interest_saved,
            ]
        )
    if not parts:
        return [np.zeros(0, dtype=np.int64)] * 7
    return [np.concatenate(column) for column in zip(*parts, strict=True)]


def _shaped(
    columns: ShapeColumns,
    keep: IntArray,
    principal: IntArray,
    rate: IntArray,
    months: IntArray,
    extra: IntArray,
    reasons: dict[int, list[str]],
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, LoanShapes]:
    """Rows that pass the cross-field rules, with payments for months, and their shapes."""
    payments = check_terms(columns, principal, months, keep, reasons)
    ok = np.array([int(i) not in reasons for i in keep.tolist()], dtype=np.bool_)
    keep = keep[ok]
    return keep, principal[ok], rate[ok], payments[ok], extra[ok], columns.shapes(keep)


def _blank_is_zero(parsed: Parsed, column: pa.Array) -> None:
    """An empty extra_payment cell means no extra: code OK, units 0."""
    blank = np.flatnonzero(parsed.codes == Violation.MISSING)
    parsed.codes[blank] = Violation.OK
    parsed.units[blank] = 0
