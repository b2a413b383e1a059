"""Writing outputs safely: atomically (an interrupted run leaves the previous file intact) and injection-safe.

Several files that belong together are written under temporary names first (`staged`) and moved into place in
quick succession only when every one is complete. A folder that cannot be written (read-only, no permission, disk
full) gives `OutputFolderError`, a Vietnamese message naming the folder (`writing_into`), not a traceback.

CSV files are for people who open them in Excel, so they are UTF-8 with a BOM, text cells that Excel would read
as a formula are neutralised (OWASP CSV injection rule), and each coded column gets a `<column>_label` column in words
(`labels.CSV_LABELS`). Parquet keeps the exact values for code.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.core.labels import with_label_columns

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_ENCODING = "utf-8-sig"
_NO_ROOM = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NO_RIGHT = {errno.EACCES, errno.EPERM}


class OutputFolderError(RuntimeError):
    """An output folder that cannot be written (read-only, no permission, disk full); the message is Vietnamese
    and says what to do. The previous outputs are intact: nothing was moved into place."""

    def __init__(self, folder: Path, cause: OSError) -> None:
        self.folder, self.cause = folder, cause
        elsewhere = "chọn thư mục khác (tuỳ chọn --out)"
        if cause.errno in _NO_ROOM:
            why, todo = "ổ đĩa đã đầy (hoặc hết hạn mức dung lượng)", "giải phóng dung lượng trên ổ đĩa đó rồi chạy lại"
        elif cause.errno == errno.EROFS:
            why, todo = "ổ đĩa hoặc thư mục chỉ cho phép đọc", f"{elsewhere} hoặc nhờ quản trị mở quyền ghi"
        else:
            why, todo = "không có quyền ghi", f"cấp quyền ghi cho thư mục này hoặc {elsewhere}"
        super().__init__(
            f"Không ghi được kết quả vào thư mục {folder}: {why}. Kết quả của lần chạy trước (nếu có) được giữ "
            f"nguyên. Hãy {todo}."
        )


def _is_output_error(exc: OSError, folder: Path) -> bool:
    """A full disk or read-only medium anywhere while writing; no permission for a path inside `folder`."""
    if exc.errno in _NO_ROOM or exc.errno == errno.EROFS:
        return True
    if exc.errno not in _NO_RIGHT:
        return False
    names = [n for n in (exc.filename, exc.filename2) if n]
    return not names or any(_inside(Path(os.fsdecode(n)), folder) for n in names)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.absolute().relative_to(folder.absolute())
    except ValueError:
        return folder.absolute().is_relative_to(path.absolute())  # a parent folder that cannot be created
    return True


@contextlib.contextmanager
def writing_into(folder: str | Path) -> Iterator[None]:
    """Turn an OSError that says `folder` cannot be written into OutputFolderError (other errors pass)."""
    folder = Path(folder)
    try:
        yield
    except OSError as exc:
        if _is_output_error(exc, folder):
            raise OutputFolderError(folder, exc) from exc
        raise


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


class Staging:
    """Files written under temporary names beside their targets in one folder, moved into place together by
    `commit` (by rank, lowest first; in the order added within a rank), or all removed by `discard`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, tuple[Path, int]] = {}  # target name -> (temporary path, rank)

    def path(self, name: str, rank: int = 0) -> Path:
        """The temporary path for the folder's file `name` (created empty), moved into place with its `rank`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
        os.close(fd)
        self.files[name] = (Path(tmp), rank)
        return Path(tmp)

    def commit(self) -> list[Path]:
        """Move every file into place (each move atomic); returns the targets in the order moved."""
        order = sorted(self.files, key=lambda name: self.files[name][1])
        mode = 0o666 & ~_umask()  # mkstemp makes 0600; give the permissions a plain write would
        for name in order:
            os.chmod(self.files[name][0], mode)
        moved = []
        for name in order:
            os.replace(self.files[name][0], self.folder / name)
            moved.append(self.folder / name)
        self.files.clear()
        return moved

    def discard(self) -> None:
        for tmp, _ in self.files.values():
            tmp.unlink(missing_ok=True)
        self.files.clear()


@contextlib.contextmanager
def staged(folder: str | Path) -> Iterator[Staging]:
    """A Staging for `folder`: committed when the block succeeds, discarded when it fails."""
    staging = Staging(Path(folder))
    try:
        yield staging
        staging.commit()
    finally:
        staging.discard()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def neutralise_formula(text: object) -> object:
    """Prefix a text that a spreadsheet would run as a formula with an apostrophe; leave the rest alone."""
    return "'" + text if _is_formula_text(text) else text


def injection_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise formula-like text in every text column (as `neutralise_formula`, a column at a time: a values
    table has 10⁵–10⁶ cells); numeric columns and cells that are not text are untouched."""
    changed = {}
    for column in df.columns:
        s = df[column]
        if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
            continue
        risky = s.map(_is_formula_text) if s.dtype == object else s.str.startswith(FORMULA_PREFIXES)
        risky = risky.fillna(False).astype(bool)
        if risky.any():
            changed[column] = s.where(~risky, "'" + s[risky].astype(str))
    return df.assign(**changed) if changed else df


def _is_formula_text(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def write_table(
    df: pd.DataFrame,
    out_dir: str | Path,
    name: str,
    staging: Staging | None = None,
    metadata: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write `name`.csv and `name`.parquet into `out_dir`, each atomically (see `write_chunks`). Returns the paths."""
    return write_chunks([df], out_dir, name, staging, metadata)


def write_chunks(
    chunks: Iterable[pd.DataFrame],
    out_dir: str | Path,
    name: str,
    staging: Staging | None = None,
    metadata: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write a table that arrives in chunks (same columns and dtypes; at least one chunk, empty or not) as
    `name`.csv and `name`.parquet: only one chunk is in memory at a time. Each file is atomic; with `staging` (of
    `out_dir`) both wait there for its commit. `metadata` goes into the Parquet file's key-value metadata.
    Returns the paths."""
    out_dir = Path(out_dir)
    if staging is None:
        with staged(out_dir) as own:
            return write_chunks(chunks, out_dir, name, own, metadata)
    csv_tmp, parquet_tmp = staging.path(f"{name}.csv"), staging.path(f"{name}.parquet")
    with (
        csv_tmp.open("w", encoding=CSV_ENCODING, newline="") as fh,
        _ParquetChunks(parquet_tmp, metadata) as parquet,
    ):
        for i, df in enumerate(chunks):
            injection_safe(with_label_columns(df, name)).to_csv(fh, header=i == 0, index=False, lineterminator="\r\n")
            parquet.write(df)
    return [out_dir / f"{name}.csv", out_dir / f"{name}.parquet"]


class _ParquetChunks:
    """One Parquet file written a chunk (row group) at a time; the first chunk fixes the schema (with `metadata`
    added to pandas' own)."""

    def __init__(self, path: Path, metadata: Mapping[str, str] | None = None) -> None:
        self.path, self.writer = path, None
        self.metadata = {k.encode(): v.encode() for k, v in (metadata or {}).items()}

    def write(self, df: pd.DataFrame) -> None:
        schema = self.writer.schema if self.writer else None
        table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
        if self.writer is None:
            schema = table.schema.with_metadata({**(table.schema.metadata or {}), **self.metadata})
            self.writer = pq.ParquetWriter(self.path, schema)
            table = table.replace_schema_metadata(schema.metadata)
        self.writer.write_table(table)

    def __enter__(self) -> _ParquetChunks:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()


def read_table(processed_dir: str | Path, name: str) -> pd.DataFrame:
    """Read a processed table back (from Parquet: exact values, not the Excel-safe CSV text), unchecked: the
    tables of an ingest are read together with `ingest.generation.read_tables`."""
    return pd.read_parquet(Path(processed_dir) / f"{name}.parquet")


def parquet_metadata(source: str | Path | object) -> dict[str, str]:
    """A Parquet file's key-value metadata (its footer only), from a path or an open binary file."""
    raw = pq.read_schema(source).metadata or {}
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items()}
