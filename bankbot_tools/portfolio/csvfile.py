"""A CSV input as spreadsheets and databases export it: compression, encoding, delimiter.

Choices:

* ``.csv.gz``, ``.csv.bz2`` and ``.csv.zst`` are decompressed while streaming; a byte
  offset in a message is then an offset in the decompressed text.
* The text is UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8"). Any other
  encoding is read only when named (``encoding``, a Python codec name such as ``cp1252``
  or ``utf-16``), which pyarrow transcodes. Bytes that are not UTF-8 fail the run with
  one line naming the first bad byte's offset; a UTF-16 file (Excel's "Unicode Text")
  fails at once, naming UTF-16.
* Quoted fields may hold delimiters and newlines; CRLF line ends and blank lines are fine.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.csv as pacsv

from bankbot_tools.fileio import compression_of
from bankbot_tools.portfolio.job import UnreadableInput

#: Bytes pyarrow's streaming CSV reader parses at a time.
BLOCK_BYTES: Final = 4 << 20
#: Bytes read up front for the header and the encoding check.
HEAD_BYTES: Final = 1 << 16
#: Byte-order marks of encodings that are not UTF-8 (UTF-32 first: it starts like UTF-16).
_WIDE_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(frozen=True)
class CsvInput:
    """One CSV file: where it is, its text encoding (None: UTF-8) and its delimiter."""

    path: Path
    encoding: str | None = None
    delimiter: str = ","

    def __post_init__(self) -> None:
        if len(self.delimiter) != 1 or self.delimiter in '"\r\n':
            raise ValueError(
                f"--delimiter must be one character such as ';' (got {self.delimiter!r})"
            )
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ValueError(f"--encoding: unknown encoding {self.encoding!r}") from None

    @property
    def utf8(self) -> bool:
        """Whether the text is UTF-8 (the default)."""
        return self.encoding is None or codecs.lookup(self.encoding).name == "utf-8"

    def open(self) -> pa.NativeFile:
        """The file's bytes, decompressed."""
        return pa.input_stream(self.path, compression=compression_of(self.path))

    def header(self) -> list[str]:
        """The header's cells, after checking that the file starts as text of its encoding."""
        with self.open() as stream:
            head = stream.read(HEAD_BYTES)
        text = self._decode(head, final=len(head) < HEAD_BYTES)
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter), [])
        if not header:
            raise UnreadableInput(f"{self.path} is empty: no CSV header")
        return header

    def _decode(self, head: bytes, *, final: bool) -> str:
        if not self.utf8:
            try:
                return codecs.getincrementaldecoder(str(self.encoding))().decode(head, final)
            except UnicodeDecodeError as error:
                raise UnreadableInput(
                    f"{self.path} is not {self.encoding} text: {error.reason}"
                    f" at byte offset {error.start}"
                ) from None
        for bom, name in _WIDE_BOMS:
            if head.startswith(bom):
                raise UnreadableInput(
                    f"{self.path} is not a readable CSV file: it is {name} text (Excel"
                    f' "Unicode Text"), not UTF-8; save it as "CSV UTF-8"'
                    f" or pass --encoding {name.lower()}"
                )
        try:
            return codecs.getincrementaldecoder("utf-8-sig")().decode(head, final)
        except UnicodeDecodeError:
            raise self._not_utf8() from None

    def _not_utf8(self) -> UnreadableInput:
        """The error for a file that is not UTF-8, naming its first bad byte."""
        found = self.first_bad_utf8()
        where = "" if found is None else f": byte 0x{found[1]:02X} at byte offset {found[0]}"
        return UnreadableInput(
            f"{self.path} is not UTF-8 text{where}; for a Windows-1252 (ANSI) export"
            " pass --encoding cp1252"
        )

    def first_bad_utf8(self) -> tuple[int, int] | None:
        """Offset and value of the first byte that is not UTF-8 (scans the whole file)."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        with self.open() as stream:
            while True:
                block = stream.read(1 << 20)
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(block, final=not block)
                except UnicodeDecodeError as error:
                    return offset - pending + error.start, error.object[error.start]
                if not block:
                    return None
                offset += len(block)

    def batches(self, header: list[str], columns: list[str]) -> Iterator[pa.RecordBatch]:
        """Stream the ``columns`` (header cells) as text, in record batches."""
        read = pacsv.ReadOptions(block_size=BLOCK_BYTES)
        if not self.utf8:
            read.encoding = str(self.encoding)
        parse = pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True)
        convert = pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), include_columns=columns
        )
        with self.open() as stream:
            try:
                yield from pacsv.open_csv(
                    stream, read_options=read, parse_options=parse, convert_options=convert
                )
            except pa.ArrowInvalid as error:
                if self.utf8 and "invalid UTF8" in str(error):
                    raise self._not_utf8() from None
                raise
