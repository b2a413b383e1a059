"""Writing outputs safely: atomically (an interrupted run leaves the previous file intact) and injection-safe.

CSV files are for people who open them in Excel, so they are UTF-8 with a BOM and text cells that Excel would read
as a formula are neutralised (OWASP CSV injection rule). Parquet keeps the exact values for code.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

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
    out_dir = Path(out_dir)
    csv_path, parquet_path = out_dir / f"{name}.csv", out_dir / f"{name}.parquet"
    with atomic_path(csv_path) as tmp:
        injection_safe(df).to_csv(tmp, index=False, encoding=CSV_ENCODING, lineterminator="\r\n")
    with atomic_path(parquet_path) as tmp:
        df.to_parquet(tmp, index=False)
    return [csv_path, parquet_path]


def read_table(processed_dir: str | Path, name: str) -> pd.DataFrame:
    """Read a processed table back (from Parquet: exact values, not the Excel-safe CSV text)."""
    return pd.read_parquet(Path(processed_dir) / f"{name}.parquet")
