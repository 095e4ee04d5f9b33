"""Portfolio files as spreadsheets and databases export them; outputs safe to open in one."""

from __future__ import annotations

import bz2
import csv
import gzip
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bankbot_tools.portfolio import csvfile
from bankbot_tools.portfolio.job import BatchJob, UnreadableInput
from bankbot_tools.portfolio.run import run
from bankbot_tools.portfolio.write import spreadsheet_safe

HEADER = "loan_id,principal,annual_rate,term_months,extra_payment"
ROWS = ["A1,1000,0.05,12,", "A2,250000.00,0.065,360,100", "A3,abc,0.05,12,"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ZSTD = pa.Codec("zstd")


def text(lines: list[str], end: str = "\n") -> str:
    """CSV text of ``lines``, each ended by ``end``."""
    return "".join(line + end for line in lines)


def run_file(tmp_path: Path, name: str, data: bytes, **options: object) -> dict[str, object]:
    """Write ``data`` as input ``name`` and run it to ``out/s.csv``; return the manifest."""
    source = tmp_path / name
    source.write_bytes(data)
    return run(BatchJob(source, tmp_path / "out" / "s.csv", **options))  # type: ignore[arg-type]


def read_rows(path: Path) -> list[list[str]]:
    """Every data row of a CSV output (plain or compressed), as the csv module reads it."""
    with pa.input_stream(str(path), compression="detect") as stream:
        raw = stream.read()
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))[1:]


def accounted(tmp_path: Path, rows: int) -> None:
    """Summary plus rejects is every data row, each exactly once."""
    summary = read_rows(tmp_path / "out" / "s.csv")
    rejects = read_rows(tmp_path / "out" / "s.rejects.csv")
    assert len(summary) + len(rejects) == rows
    assert len({r[0] for r in rejects}) == len(rejects)


def assert_nothing_written(tmp_path: Path) -> None:
    """A failed run leaves no file at all in the output folder."""
    out = tmp_path / "out"
    assert not out.exists() or not list(out.iterdir())


def test_excel_csv_utf8_with_bom_and_crlf_is_read(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8": a byte-order mark, CRLF line ends; all rows accounted for."""
    manifest = run_file(
        tmp_path, "in.csv", b"\xef\xbb\xbf" + text([HEADER, *ROWS], "\r\n").encode()
    )
    assert manifest["counts"] == {"read": 3, "processed": 2, "rejected": 1}
    accounted(tmp_path, 3)


def test_windows_1252_names_the_first_bad_byte(tmp_path: Path) -> None:
    """A cp1252 file is not UTF-8: one line with the bad byte and its offset, nothing written."""
    data = text([HEADER, "Ren\u00e9,1000,0.05,12,"]).encode("cp1252")
    offset = data.index(b"\xe9")
    with pytest.raises(
        UnreadableInput, match=rf"not UTF-8 text: byte 0xE9 at byte offset {offset};"
    ):
        run_file(tmp_path, "in.csv", data)
    assert_nothing_written(tmp_path)


def test_late_bad_byte_fails_the_run_and_names_its_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad byte past the first block fails mid-run: offset named, no final-named output."""
    monkeypatch.setattr(csvfile, "BLOCK_BYTES", 1 << 12)
    lines = [HEADER, *(f"L{i},1000,0.05,12," for i in range(20_000)), "Ren\u00e9,1000,0.05,12,"]
    data = text(lines).encode("cp1252")
    offset = data.index(b"\xe9")
    assert offset > csvfile.HEAD_BYTES
    with pytest.raises(UnreadableInput, match=f"byte offset {offset};"):
        run_file(tmp_path, "in.csv", data, chunk_size=1000)
    assert_nothing_written(tmp_path)


def test_encoding_option_transcodes(tmp_path: Path) -> None:
    """With encoding="cp1252" the same file is read, and the id keeps its accent."""
    data = text([HEADER, "Ren\u00e9,1000,0.05,12,"]).encode("cp1252")
    run_file(tmp_path, "in.csv", data, encoding="cp1252")
    assert read_rows(tmp_path / "out" / "s.csv")[0][0] == "Ren\u00e9"


def test_excel_unicode_text_names_utf16_and_reads_with_options(tmp_path: Path) -> None:
    """Excel "Unicode Text" (UTF-16, tabs): an error naming UTF-16; read with both options."""
    data = text([line.replace(",", "\t") for line in [HEADER, *ROWS]], "\r\n").encode("utf-16")
    with pytest.raises(UnreadableInput, match=r"UTF-16 text .* pass --encoding utf-16"):
        run_file(tmp_path, "in.csv", data)
    manifest = run_file(tmp_path, "in.csv", data, encoding="utf-16", delimiter="\t")
    assert manifest["counts"] == {"read": 3, "processed": 2, "rejected": 1}


def test_semicolon_file_gets_a_hint_then_reads_with_delimiter(tmp_path: Path) -> None:
    """A ';' file says it looks ';'-delimited; with delimiter=';' a decimal comma is a reject."""
    lines = [HEADER.replace(",", ";"), "A1;1000;0.05;12;", "A2;1234,56;0.05;12;"]
    with pytest.raises(UnreadableInput, match="looks ';'-delimited: pass --delimiter ';'"):
        run_file(tmp_path, "in.csv", text(lines).encode())
    assert_nothing_written(tmp_path)
    run_file(tmp_path, "in.csv", text(lines).encode(), delimiter=";")
    (reject,) = read_rows(tmp_path / "out" / "s.rejects.csv")
    assert (
        reject[2] == "principal must be a finite decimal number such as 200000.00 (got '1234,56')"
    )
    accounted(tmp_path, 2)


def test_tab_file_hint_says_tab(tmp_path: Path) -> None:
    """A tab-separated file read as ',' suggests --delimiter tab."""
    with pytest.raises(UnreadableInput, match="looks tab-delimited: pass --delimiter tab"):
        run_file(tmp_path, "in.csv", text([HEADER.replace(",", "\t")]).encode())


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [
        (".gz", gzip.compress),
        (".bz2", bz2.compress),
        (".zst", lambda b: ZSTD.compress(b, asbytes=True)),
    ],
)
def test_compressed_inputs_are_read_and_hashed_as_bytes(
    tmp_path: Path, suffix: str, compress: object
) -> None:
    """portfolio.csv.gz / .bz2 / .zst: same outputs as plain; manifest hashes the file's bytes."""
    data = compress(text([HEADER, *ROWS]).encode())  # type: ignore[operator]
    manifest = run_file(tmp_path, f"portfolio.csv{suffix}", data)
    assert manifest["counts"] == {"read": 3, "processed": 2, "rejected": 1}
    assert manifest["input"]["sha256"] == hashlib.sha256(data).hexdigest()  # type: ignore[index]


def test_compressed_outputs_by_name(tmp_path: Path) -> None:
    """summary.csv.gz and rejects .csv.zst are compressed, hashed as written, same rows as plain."""
    source = tmp_path / "in.csv"
    source.write_text(text([HEADER, *ROWS]))
    plain = run(BatchJob(source, tmp_path / "out" / "s.csv"))
    job = BatchJob(source, tmp_path / "z" / "s.csv.gz", rejects=tmp_path / "z" / "r.csv.zst")
    manifest = run(job)
    assert sorted(p.name for p in (tmp_path / "z").iterdir()) == [
        "r.csv.zst",
        "s.csv.gz",
        "s.manifest.json",
    ]
    assert read_rows(job.summary) == read_rows(tmp_path / "out" / "s.csv")
    # gzip's own default level (Arrow's is 9: twice the time), no timestamp: reproducible.
    # Bytes 0-9 are the header (its OS byte differs between gzip's writers).
    plain_bytes = (tmp_path / "out" / "s.csv").read_bytes()
    expected = gzip.compress(plain_bytes, compresslevel=6, mtime=0)
    packed = job.summary.read_bytes()
    assert packed[:9] == expected[:9] and packed[10:] == expected[10:]
    assert read_rows(job.rejects_path) == read_rows(tmp_path / "out" / "s.rejects.csv")
    for name in ("summary", "rejects"):
        entry = manifest["outputs"][name]
        assert entry["sha256"] == hashlib.sha256(Path(entry["path"]).read_bytes()).hexdigest()
    assert plain["counts"] == manifest["counts"]


def test_compressed_parquet_name_is_refused(tmp_path: Path) -> None:
    """A .parquet.gz output is a bad option (Parquet compresses inside); nothing is written."""
    source = tmp_path / "in.csv"
    source.write_text(text([HEADER, *ROWS]))
    with pytest.raises(ValueError, match="Parquet is compressed inside"):
        run(BatchJob(source, tmp_path / "out" / "s.parquet.gz"))
    assert_nothing_written(tmp_path)


INJECTIONS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=HYPERLINK(x)"]


def test_csv_outputs_neutralize_formulas_and_parquet_keeps_them(tmp_path: Path) -> None:
    """Every text cell of the summary, schedules and rejects CSV that could run as a formula
    starts with a quote; the Parquet summary keeps the raw ids; numbers stay numbers."""
    good = [[loan_id, "1000", "0.05", "12", ""] for loan_id in INJECTIONS]
    bad = [["=BAD()", "=1+1", "0.05", "12", ""], ["-X", "-5", "0.05", "12", ""]]
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows([HEADER.split(","), *good, *bad])
    out = tmp_path / "out"
    run(BatchJob(source, out / "s.csv", schedules=out / "d.csv"))
    cells = {
        name: [cell for row in read_rows(out / name) for cell in row]
        for name in ("s.csv", "d.csv", "s.rejects.csv")
    }
    for name, found in cells.items():
        risky = [cell for cell in found if cell.startswith(FORMULA_START)]
        assert not risky, (name, risky)
    assert [row[0] for row in read_rows(out / "s.csv")] == ["'" + i for i in INJECTIONS]
    rejects = read_rows(out / "s.rejects.csv")
    assert [row[1] for row in rejects] == ["'=BAD()", "'-X"]
    assert "(got '=1+1')" in rejects[0][2]
    assert read_rows(out / "s.csv")[0][1:3] == ["85.61", "0.00"]
    run(BatchJob(source, out / "s.parquet"))
    assert pq.read_table(out / "s.parquet")["loan_id"].to_pylist() == INJECTIONS


def test_spreadsheet_safe_touches_only_formula_starts() -> None:
    """Only a leading = + - @ tab or CR gets the quote; nulls stay null."""
    values = ["=1", "+1", "-1", "@x", "\tx", "\rx", "A=1", "'=1", "", None, "é"]
    assert spreadsheet_safe(pa.array(values)).to_pylist() == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "A=1",
        "'=1",
        "",
        None,
        "é",
    ]


def test_header_names_match_ignoring_case_and_spaces(tmp_path: Path) -> None:
    """ " Loan_ID ", "PRINCIPAL" and friends are the input columns."""
    header = " Loan_ID ,PRINCIPAL,Annual_Rate , term_months,EXTRA_PAYMENT"
    manifest = run_file(tmp_path, "in.csv", text([header, *ROWS]).encode())
    assert manifest["counts"] == {"read": 3, "processed": 2, "rejected": 1}


def test_duplicate_header_names_are_one_clear_error(tmp_path: Path) -> None:
    """Two cells that both mean principal: an error naming both, nothing written."""
    header = HEADER + ",Principal "
    with pytest.raises(
        UnreadableInput, match=r"more than one column named principal \('principal', 'Principal '\)"
    ):
        run_file(tmp_path, "in.csv", text([header, "A,1,0.05,12,,2"]).encode())
    assert_nothing_written(tmp_path)


def test_duplicate_unused_columns_are_ignored(tmp_path: Path) -> None:
    """Repeated names of columns the engine does not read do not matter."""
    header = HEADER + ",note,note"
    manifest = run_file(tmp_path, "in.csv", text([header, "A,1000,0.05,12,,x,y"]).encode())
    assert manifest["counts"]["processed"] == 1  # type: ignore[index]


def test_quoted_newlines_and_delimiters_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quoted fields with newlines and commas, split across tiny read blocks, stay one row each."""
    monkeypatch.setattr(csvfile, "BLOCK_BYTES", 64)
    rows = [f'"id {i},\nline two",1000,0.05,12,' for i in range(300)]
    manifest = run_file(tmp_path, "in.csv", text([HEADER, *rows, ""], "\r\n").encode())
    assert manifest["counts"] == {"read": 300, "processed": 300, "rejected": 0}
    assert read_rows(tmp_path / "out" / "s.csv")[7][0] == "id 7,\nline two"


def test_header_only_is_a_valid_empty_run(tmp_path: Path) -> None:
    """A header and no rows: 0 rows read, every output written."""
    manifest = run_file(tmp_path, "in.csv", text([HEADER]).encode())
    assert manifest["counts"] == {"read": 0, "processed": 0, "rejected": 0}
    assert read_rows(tmp_path / "out" / "s.csv") == []


def test_blank_and_trailing_lines_are_not_rows(tmp_path: Path) -> None:
    """Empty lines (also a trailing one) are skipped; a row of empty cells is a reject."""
    manifest = run_file(tmp_path, "in.csv", text([HEADER, "", ROWS[0], ",,,,", "", ""]).encode())
    assert manifest["counts"] == {"read": 2, "processed": 1, "rejected": 1}
    assert read_rows(tmp_path / "out" / "s.rejects.csv")[0][2].startswith("loan_id is required")


@pytest.mark.parametrize("amount", ["1,234.56", "$1,234.56", "1 234,56", "1.234,56", "USD 10"])
def test_formatted_amounts_are_rejected_naming_the_value(tmp_path: Path, amount: str) -> None:
    """Thousands separators and currency symbols: rejected by the rule table, value named."""
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows([HEADER.split(","), ["A", amount, "0.05", "12", ""]])
    run(BatchJob(source, tmp_path / "out" / "s.csv"))
    (reject,) = read_rows(tmp_path / "out" / "s.rejects.csv")
    assert (
        reject[2] == f"principal must be a finite decimal number such as 200000.00 (got {amount!r})"
    )


def test_pandas_parquet_with_index_and_typed_columns(tmp_path: Path) -> None:
    """pandas to_parquet with its index, int32 months, float rates, decimal amounts: all read."""
    frame = pd.DataFrame(
        {
            "Loan_ID": ["P1", "P2", "P3"],
            "principal": [Decimal("1000.00"), Decimal("2500.50"), Decimal("-1")],
            "annual_rate": [0.05, 0.0, 0.05],
            "term_months": pd.array([12, 24, 12], dtype="int32"),
            "extra_payment": [0.0, 10.5, float("nan")],
        },
        index=pd.Index([10, 20, 30], name="row_number"),
    )
    frame.to_parquet(tmp_path / "in.parquet", index=True)
    manifest = run(BatchJob(tmp_path / "in.parquet", tmp_path / "out" / "s.csv"))
    assert manifest["counts"] == {"read": 3, "processed": 2, "rejected": 1}
    accounted(tmp_path, 3)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"encoding": "klingon"}, "unknown encoding 'klingon'"),
        ({"delimiter": ";;"}, "--delimiter must be one character"),
        ({"delimiter": '"'}, "--delimiter must be one character"),
    ],
)
def test_bad_reading_options_are_value_errors(
    tmp_path: Path, options: dict[str, str], message: str
) -> None:
    """A bad --encoding or --delimiter is a usage error before anything is written."""
    with pytest.raises(ValueError, match=message):
        run_file(tmp_path, "in.csv", text([HEADER, *ROWS]).encode(), **options)
    assert_nothing_written(tmp_path)
