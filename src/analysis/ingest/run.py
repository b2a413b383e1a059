"""Ingest: a folder of unit submissions → tidy, validated tables with lineage (the entry point of the stage).

Shape: `parse.discover` files → `parse.parse_submission` each in a worker (never raises: a broken file becomes a
rejected submission), its values checked (`checks`) and its record encoded there (`record`) → as each arrives,
the record goes to the on-disk store (`records`), leaving a small `Entry` in memory → the steps that look across
files (`across`: supersession, unexpected units) on the entries → the figures entered by hand (`manual`,
`manual_apply`) → the tables (`tables`, `completeness`), in the
columns of `schema`, written chunk by chunk from the store. `incremental` reuses the records of unchanged files;
`generation` replaces the tables and the cache as one; the output folder is locked for the run (`core.lock`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from analysis.core.lock import folder_lock
from analysis.core.outputs import OutputFolderError
from analysis.ingest.incremental import run_incremental, unchanged_run
from analysis.ingest.manual import manual_folder, read_manual
from analysis.ingest.result import IngestResult, Tables
from analysis.ingest.schema import TABLES
from analysis.ingest.submission import IngestContext


def ingest(
    raw_dir: str | Path,
    ctx: IngestContext | None = None,
    workers: int | None = None,
    manual_dir: str | Path | None = None,
) -> IngestResult:
    """Parse every submission under `raw_dir` and return the tables in memory (a full run in a temporary
    folder, so it is exactly what `run_ingest` writes)."""
    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        result = run_ingest(raw_dir, tmp, ctx, workers, force=True, manual_dir=manual_dir)
        for name in TABLES:
            result.tables[name]  # read now: the folder goes away
    return result


def run_ingest(
    raw_dir: str | Path,
    out_dir: str | Path,
    ctx: IngestContext | None = None,
    workers: int | None = None,
    force: bool = False,
    manual_dir: str | Path | None = None,
) -> IngestResult:
    """Ingest into `out_dir`, parsing only files that changed since the last run there (see `incremental`), with the
    figures entered by hand in `manual_dir` (default: ``manual/`` beside the raw folder, a workspace's data/manual)
    applied, holding the folder's lock: another run on it raises FolderLocked; a folder that cannot be written,
    OutputFolderError (unless it is up to date: a user who may only read it gets the last run's tables)."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"Không tìm thấy thư mục dữ liệu gốc: {raw_dir}")
    ctx = ctx or IngestContext.load()
    manual = read_manual(Path(manual_dir) if manual_dir else manual_folder(raw_dir), ctx.catalogue, ctx.registry)
    try:
        with folder_lock(out_dir, purpose="ingest"):
            run = run_incremental(raw_dir, Path(out_dir), ctx, workers, force, manual)
    except OutputFolderError:
        run = None if force else unchanged_run(raw_dir, Path(out_dir), ctx, manual)
        if run is None:
            raise
    run.result.run = run
    return run.result


__all__ = ["IngestContext", "IngestResult", "Tables", "ingest", "run_ingest"]
