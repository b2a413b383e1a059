"""Writing outputs safely: atomically (an interrupted run leaves the previous file intact) and injection-safe.

CSV files are for people who open them in Excel, so they are UTF-8 with a BOM, text cells that Excel would read
as a formula are neutralised (OWASP CSV injection rule), and each coded column gets a `<column>_label` column in words
(`labels.CSV_LABELS`). Parquet keeps the exact values for code.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.core.labels import with_label_columns

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_ENCODING = "utf-8-sig"


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; move it into place only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the permissions a plain write would
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def neutralise_formula(text: object) -> object:
    """Prefix a text that a spreadsheet would run as a formula with an apostrophe; leave the rest alone."""
    if isinstance(text, str) and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def injection_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise formula-like text in every text column; numeric columns are untouched."""
    text_columns = [c for c in df.columns if pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object]
    return df.assign(**{c: df[c].map(neutralise_formula) for c in text_columns})


def write_table(df: pd.DataFrame, out_dir: str | Path, name: str) -> list[Path]:
    """Write `name`.csv and `name`.parquet into `out_dir`, each atomically. Returns the paths."""
    return write_chunks([df], out_dir, name)


def write_chunks(chunks: Iterable[pd.DataFrame], out_dir: str | Path, name: str) -> list[Path]:
    """Write a table that arrives in chunks (same columns and dtypes; at least one chunk, empty or not) as
    `name`.csv and `name`.parquet, each atomically: only one chunk is in memory at a time. Returns the paths."""
    out_dir = Path(out_dir)
    csv_path, parquet_path = out_dir / f"{name}.csv", out_dir / f"{name}.parquet"
    with (
        atomic_path(csv_path) as csv_tmp,
        atomic_path(parquet_path) as parquet_tmp,
        csv_tmp.open("w", encoding=CSV_ENCODING, newline="") as fh,
        _ParquetChunks(parquet_tmp) as parquet,
    ):
        for i, df in enumerate(chunks):
            injection_safe(with_label_columns(df, name)).to_csv(fh, header=i == 0, index=False, lineterminator="\r\n")
            parquet.write(df)
    return [csv_path, parquet_path]


class _ParquetChunks:
    """One Parquet file written a chunk (row group) at a time; the first chunk fixes the schema."""

    def __init__(self, path: Path) -> None:
        self.path, self.writer = path, None

    def write(self, df: pd.DataFrame) -> None:
        schema = self.writer.schema if self.writer else None
        table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)

    def __enter__(self) -> _ParquetChunks:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()


def read_table(processed_dir: str | Path, name: str) -> pd.DataFrame:
    """Read a processed table back (from Parquet: exact values, not the Excel-safe CSV text)."""
    return pd.read_parquet(Path(processed_dir) / f"{name}.parquet")
