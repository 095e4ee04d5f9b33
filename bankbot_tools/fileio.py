"""File formats and safe writes: temporary file beside the target, then ``os.replace``.

Every output the package writes (batch outputs, schema exports, schedules) goes through
:func:`atomic_path` or :class:`HashingFile` plus a rename, so no reader ever sees a
half-written file under a final name.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any


class Format(StrEnum):
    """File formats of inputs and outputs."""

    CSV = "csv"
    PARQUET = "parquet"


#: Compression suffixes of CSV files and pyarrow's codec name for each.
COMPRESSIONS: dict[str, str] = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}


def compression_of(path: Path) -> str | None:
    """pyarrow's codec name for a compressed file name, None for a plain one.

    >>> compression_of(Path("in/portfolio.csv.gz")), compression_of(Path("s.csv"))
    ('gzip', None)
    """
    return COMPRESSIONS.get(path.suffix.lower())


def _format_suffix(path: Path) -> str:
    """The extension that names the format: ``.csv`` of ``summary.csv.gz``."""
    return Path(path.stem).suffix if compression_of(path) else path.suffix


def output_format(path: Path) -> Format:
    """The format of a file, from its extension; CSV may be compressed (.gz, .bz2, .zst).

    >>> output_format(Path("out/summary.parquet")), output_format(Path("s.csv.gz"))
    (<Format.PARQUET: 'parquet'>, <Format.CSV: 'csv'>)
    """
    suffix = _format_suffix(path).lower()
    if suffix in (".parquet", ".pq") and compression_of(path):
        raise ValueError(f"{path}: Parquet is compressed inside, use a plain .parquet name")
    if suffix in (".parquet", ".pq"):
        return Format.PARQUET
    if suffix == ".csv":
        return Format.CSV
    raise ValueError(
        f"cannot tell the format of {path}: use a .csv (.csv.gz, .csv.bz2, .csv.zst)"
        " or .parquet name"
    )


def base_name(path: Path) -> str:
    """The name without its format and compression extensions.

    >>> base_name(Path("out/summary.csv.gz")), base_name(Path("summary.parquet"))
    ('summary', 'summary')
    """
    name = path.name.removesuffix(path.suffix) if compression_of(path) else path.name
    return name.removesuffix(_format_suffix(path))


def make_parent(target: Path) -> None:
    """Create the folder of ``target``; a file in the way is an error naming that file.

    (``mkdir`` alone would say "File exists", which does not tell what is wrong.)
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as error:
        reason = os.strerror(errno.ENOTDIR)
        raise NotADirectoryError(errno.ENOTDIR, reason, error.filename) from None


def hidden_beside(target: Path, kind: str = "tmp") -> Path:
    """A unique hidden name in ``target``'s folder, ``.<name>.<random>.<kind>`` (not created).

    Beside the target, so that ``os.replace`` between the two is a rename within one file
    system; hidden, so that a reader listing the folder skips it.
    """
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.{kind}")


def temp_beside(target: Path) -> Path:
    """Create an empty, uniquely named hidden temporary file in ``target``'s folder."""
    make_parent(target)
    temp = hidden_beside(target)
    temp.touch(exist_ok=False)
    return temp


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces ``target`` only if the block succeeds.

    Readers see the old file or the whole new one, never a part; on an error the
    temporary file is removed and ``target`` is left as it was.
    """
    temp = temp_beside(target)
    try:
        yield temp
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def atomic_write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``target`` whole or not at all."""
    with atomic_path(target) as temp:
        temp.write_text(text, encoding="utf-8", newline="\n")


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class HashingFile(io.RawIOBase):
    """A write-only file that hashes its bytes on the way, so no second read is needed."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.file = path.open("wb")
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        """Yes."""
        return True

    def write(self, data: Any) -> int:
        """Hash and write a block of bytes."""
        view = memoryview(data)
        self.digest.update(view)
        return self.file.write(view)

    def close(self) -> None:
        """Close the underlying file."""
        self.file.close()
        super().close()
