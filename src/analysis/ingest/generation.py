"""One generation of processed data: the tables and the incremental cache of one ingest run, replaced together.

A run writes every file under a temporary name (`outputs.staged`), stamps each Parquet file with its generation id
(key-value metadata), then moves the tables into place, the cache after them and `manifest.json` last. The manifest
names the generation and describes each file (size, modification time, SHA-256). A kill during the moves leaves a
folder whose files disagree with its manifest: readers (`read_tables`, `Tables`) refuse it with a Vietnamese
message, and the next ingest (`inspect`) rebuilds the tables and trusts the cache only when it is the manifest's.
The files stay at the top of the folder, where analysts open them.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow.parquet as pq

from analysis.core.digest import file_sha256
from analysis.core.mistakes import UserMistake
from analysis.core.outputs import Staging, parquet_metadata
from analysis.ingest.schema import TABLES

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1
GENERATION_KEY = "analysis.generation"
CACHE_RANK, MANIFEST_RANK = 1, 2  # moved into place after the tables (rank 0), in this order
READ_ATTEMPTS = 3  # a reader that meets a run's moves in progress reads again


class InconsistentTables(UserMistake):
    """The processed tables are not all from one ingest run (a run stopped while replacing them, or files copied
    by hand); the message, in Vietnamese, says to run ingest again."""

    def __init__(self, folder: Path, detail: str) -> None:
        self.folder = folder
        super().__init__(
            f"Dữ liệu đã xử lý trong thư mục {folder} không nhất quán ({detail}): các bảng không cùng một lần chạy "
            "ingest, có thể do một lần chạy bị dừng giữa chừng. Hãy chạy lại `python -m analysis ingest` (với "
            "`python -m analysis report`, dữ liệu được đọc lại tự động)."
        )


class _Mismatch(Exception):
    """A table file that is not of the expected generation (detail in Vietnamese)."""


def new_generation() -> str:
    """A fresh generation id: UTC time and a random part."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def stamp(generation: str) -> dict[str, str]:
    """The Parquet key-value metadata that marks a table as part of `generation`."""
    return {GENERATION_KEY: generation}


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None when it is missing or unreadable."""
    try:
        data = json.loads((folder / MANIFEST_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("generation"), str):
        return None
    return data if isinstance(data.get("files"), dict) else None


def seal(staging: Staging, generation: str) -> None:
    """Write the manifest of the staged files into `staging` (moved into place last, by its rank)."""
    files = {name: _describe(tmp) for name, (tmp, _) in staging.files.items()}
    manifest = {
        "format": MANIFEST_FORMAT,
        "generation": generation,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": dict(sorted(files.items())),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    staging.path(MANIFEST_FILE, MANIFEST_RANK).write_text(text, encoding="utf-8")


def _describe(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": file_sha256(path)}


# ------------------------------------------------------------------------------------------ the writer's check


@dataclass(frozen=True)
class FolderState:
    """What the next ingest may trust in an output folder."""

    generation: str | None  # the manifest's
    tables_ok: bool  # every table file (Parquet and CSV) present and of that generation
    cache_ok: bool  # the cache file is that generation's


def inspect(folder: Path, cache_file: str) -> FolderState:
    """Check the folder's files against its manifest (cheap: Parquet footers, sizes and times; a file's SHA-256
    only when its time differs, as after a copy)."""
    manifest = read_manifest(folder)
    if manifest is None:
        return FolderState(None, False, False)
    generation, files = manifest["generation"], manifest["files"]
    names = [f"{name}.{ext}" for name in TABLES for ext in ("parquet", "csv")]
    tables_ok = all(_matches(folder / name, files.get(name), generation) for name in names)
    return FolderState(generation, tables_ok, _matches(folder / cache_file, files.get(cache_file), generation))


def _matches(path: Path, entry: object, generation: str) -> bool:
    if not isinstance(entry, dict):
        return False
    try:
        st = path.stat()
        if st.st_size != entry.get("size"):
            return False
        if path.suffix == ".parquet":
            return parquet_metadata(path).get(GENERATION_KEY) == generation
        return st.st_mtime_ns == entry.get("mtime_ns") or file_sha256(path) == entry.get("sha256")
    except (OSError, ValueError):
        return False


# --------------------------------------------------------------------------------------------------- readers


def read_generation_table(folder: Path, name: str, generation: str) -> pd.DataFrame:
    """One table, checked to be of `generation` (the file is opened once: checked and read are the same file)."""
    try:
        with _open(folder, name) as fh:
            _check(fh, name, generation)
            fh.seek(0)
            return pd.read_parquet(fh)
    except _Mismatch as exc:
        raise InconsistentTables(folder, str(exc)) from None


def generation_rows(folder: Path, name: str, generation: str) -> int:
    """Rows of one table of `generation`, from its Parquet footer."""
    try:
        with _open(folder, name) as fh:
            _check(fh, name, generation)
            fh.seek(0)
            return pq.ParquetFile(fh).metadata.num_rows
    except _Mismatch as exc:
        raise InconsistentTables(folder, str(exc)) from None


def current_generation(folder: Path) -> str:
    """The generation the folder's manifest names; InconsistentTables when there is no manifest."""
    manifest = read_manifest(folder)
    if manifest is None:
        raise InconsistentTables(folder, f"thiếu hoặc hỏng tệp {MANIFEST_FILE}")
    return manifest["generation"]


def read_tables(folder: str | Path, names: Iterable[str] = TABLES) -> dict[str, pd.DataFrame]:
    """The processed tables of `folder`, all of one generation (the manifest's). A run replacing them meanwhile
    means reading again; a folder whose files stay mixed raises InconsistentTables."""
    folder, names = Path(folder), list(names)
    detail = ""
    for attempt in range(READ_ATTEMPTS):
        if attempt:
            time.sleep(0.2 * attempt)
        generation = current_generation(folder)
        try:
            return _read_all(folder, names, generation)
        except _Mismatch as exc:
            detail = str(exc)
    raise InconsistentTables(folder, detail)


def _read_all(folder: Path, names: list[str], generation: str) -> dict[str, pd.DataFrame]:
    """Every file opened and checked before any is read: what is read is what was checked."""
    with contextlib.ExitStack() as stack:
        handles = {name: stack.enter_context(_open(folder, name)) for name in names}
        for name, fh in handles.items():
            _check(fh, name, generation)
        tables = {}
        for name, fh in handles.items():
            fh.seek(0)
            tables[name] = pd.read_parquet(fh)
        return tables


def _open(folder: Path, name: str) -> IO[bytes]:
    try:
        return (folder / f"{name}.parquet").open("rb")
    except FileNotFoundError:
        raise _Mismatch(f"thiếu tệp {name}.parquet") from None


def _check(fh: IO[bytes], name: str, generation: str) -> None:
    try:
        found = parquet_metadata(fh).get(GENERATION_KEY)
    except (OSError, ValueError) as exc:
        raise _Mismatch(f"không đọc được {name}.parquet: {exc}") from None
    if found != generation:
        raise _Mismatch(f"{name}.parquet thuộc lần chạy {found or 'không rõ'}, không phải lần chạy {generation}")
