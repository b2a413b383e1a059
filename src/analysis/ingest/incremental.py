"""Incremental ingest: a re-run parses only new or changed files and drops removed ones.

`data/processed/ingest-cache.json` is the record store of the last run (see `records`): for every raw file its
size, modification time, SHA-256 and what its parse found — its summary, values and issues, taken before the steps
that look across files (supersession, unexpected units, completeness), which always run again. A run copies the
records of unchanged files into its new store without decoding their values, appends the records of the files it
parses, writes the tables from that store, and only then moves it into place as the cache. Everything is parsed
again when the catalogue, the configuration, the parser or the cache format changed (their digest is stored).
The result equals a full rebuild. The cache is plain JSON: nothing read back is ever executed.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from analysis import __version__
from analysis.core.outputs import atomic_path
from analysis.ingest.parse import discover, file_sha256, parse_stream
from analysis.ingest.record import entry_of
from analysis.ingest.records import FORMAT, RecordStore, Stored, read_index
from analysis.ingest.result import IngestResult, Tables
from analysis.ingest.schema import TABLES
from analysis.ingest.submission import IngestContext
from analysis.ingest.tables import write_tables

CACHE_FILE = "ingest-cache.json"
CACHE_FORMAT = FORMAT


@dataclass(frozen=True)
class IngestRun:
    result: IngestResult
    parsed: int
    reused: int
    removed: int
    tables_rebuilt: bool = False  # an output table was missing and has been written again

    @property
    def changed(self) -> bool:
        """Whether the processed data differ from what was there before this run."""
        return bool(self.parsed or self.removed or self.tables_rebuilt)


def context_digest(ctx: IngestContext) -> str:
    """What a parse depends on besides the file: catalogue, units, province settings, limits, parser version."""
    parts = [__version__, str(CACHE_FORMAT), repr(ctx.catalogue), repr(ctx.registry), repr(ctx.province)]
    parts += [repr(ctx.limits), repr(ctx.worker_limits)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def run_incremental(
    raw_dir: Path, out_dir: Path, ctx: IngestContext, workers: int | None = None, force: bool = False
) -> IngestRun:
    """Ingest `raw_dir` into `out_dir`, parsing only what changed since the last run there."""
    digest = context_digest(ctx)
    for stale in out_dir.glob(".*.tmp"):  # left by a run that was killed while writing
        stale.unlink(missing_ok=True)
    previous, cached = (None, {}) if force else read_index(out_dir / CACHE_FILE, digest)
    try:
        return _run(raw_dir, out_dir, ctx, workers, digest, previous, cached)
    finally:
        if previous is not None:
            previous.close()


def _run(
    raw_dir: Path,
    out_dir: Path,
    ctx: IngestContext,
    workers: int | None,
    digest: str,
    previous: RecordStore | None,
    cached: dict[str, Stored],
) -> IngestRun:
    paths = discover(raw_dir)
    current = {p.relative_to(raw_dir).as_posix(): p for p in paths}
    stats = {rel: p.stat() for rel, p in current.items()}
    removed = len(set(cached) - set(current))
    unchanged = {rel for rel, st in stats.items() if rel in cached and _same_stat(cached[rel].summary, st)}
    tables_present = all((out_dir / f"{name}.parquet").exists() for name in TABLES)
    if len(unchanged) == len(current) and not removed and tables_present:
        return IngestRun(IngestResult(Tables(out_dir)), parsed=0, reused=len(current), removed=0)
    for rel in set(current) - unchanged:  # touched but identical content: no need to parse again
        summary = cached[rel].summary if rel in cached else None
        if summary and summary["size"] == stats[rel].st_size and summary["sha256"] == file_sha256(current[rel]):
            unchanged.add(rel)
    to_parse = [current[rel] for rel in current if rel not in unchanged]
    with atomic_path(out_dir / CACHE_FILE) as tmp, RecordStore.create(tmp, digest) as store:
        summaries: dict[str, dict] = {}
        offsets: dict[str, int] = {}
        for rel in sorted(unchanged, key=lambda rel: cached[rel].offset):  # copied in the order they are stored
            summaries[rel] = {**cached[rel].summary, **_stat_keys(stats[rel])}
            offsets[rel] = store.add(summaries[rel], previous.body(cached[rel].offset))
        for summary, body in parse_stream(to_parse, raw_dir, ctx, workers):
            rel = summary["file"]
            summaries[rel] = {**summary, **_stat_keys(stats[rel])}
            offsets[rel] = store.add(summaries[rel], body)
        entries = [entry_of(summaries.pop(rel), offsets[rel], ctx.registry) for rel in current]
        write_tables(entries, store, ctx, out_dir)
    return IngestRun(
        IngestResult(Tables(out_dir)), len(to_parse), len(unchanged), removed, tables_rebuilt=not tables_present
    )


def _same_stat(summary: dict, st: os.stat_result) -> bool:
    return summary["size"] == st.st_size and summary["mtime_ns"] == st.st_mtime_ns


def _stat_keys(st: os.stat_result) -> dict[str, int]:
    """What tells a later run the file is unchanged without reading it: size and modification time."""
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
