"""Incremental ingest: a re-run parses only new or changed files and drops removed ones.

`data/processed/ingest-cache.json` is the record store of the last run (see `records`): for every raw file its
size, modification time, SHA-256 and what its parse found — its summary, values and issues, taken before the steps
that look across files (supersession, unexpected units, completeness), which always run again. A run copies the
records of unchanged files into its new store without decoding their values, appends the records of the files it
parses, writes the tables from that store, and then moves the tables and the store into place as one generation
(`generation`: the cache is trusted only when it is the manifest's). Everything is parsed again when the catalogue,
the configuration, the parser or the cache format changed (their digest is stored). A rejection that may not last
(a worker crash or timeout, no permission to read) is never reused: the file is parsed again next run.
The result equals a full rebuild. The cache is plain JSON: nothing read back is ever executed.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from analysis import __version__
from analysis.core.digest import file_sha256
from analysis.core.lock import assert_held
from analysis.core.outputs import staged, writing_into
from analysis.ingest import generation
from analysis.ingest.discover import Skipped, skipped_records
from analysis.ingest.manual import ManualEntries
from analysis.ingest.parse import parse_stream, scan_raw
from analysis.ingest.record import entry_of
from analysis.ingest.records import FORMAT, RecordStore, Stored, body_issues, read_header, read_index
from analysis.ingest.result import IngestResult, Tables
from analysis.ingest.submission import IngestContext
from analysis.ingest.tables import write_tables

CACHE_FILE = "ingest-cache.json"
CACHE_FORMAT = FORMAT
RETRY_KEY = "retry"  # in a stored summary: the rejection may not last, parse the file again next run
SKIPPED_STAT = (-1, -1)  # (size, mtime_ns) recorded for an item the scan skipped: matches no file
TRANSIENT_RULES = {"parser_timeout", "parser_crash", "permission_denied"}
_MAYBE_TRANSIENT_RULES = {"unexpected_error", "unreadable_file", "parser_error"}  # transient if about permissions
_PERMISSION_MARKS = ("PermissionError", "Permission denied", "[Errno 13]", "quyền đọc", "quyền truy cập")


@dataclass(frozen=True)
class IngestRun:
    result: IngestResult
    parsed: int
    reused: int
    removed: int
    tables_rebuilt: bool = False  # an output table was missing or not of the last run, and has been written again
    repeated: int = 0  # parsed again after a rejection that may not last, with the same outcome

    @property
    def changed(self) -> bool:
        """Whether the processed data differ from what was there before this run."""
        return bool(self.parsed - self.repeated or self.removed or self.tables_rebuilt)


def context_digest(ctx: IngestContext) -> str:
    """What a parse depends on besides the file: catalogue, units, province settings, limits, parser version."""
    parts = [__version__, str(CACHE_FORMAT), repr(ctx.catalogue), repr(ctx.registry), repr(ctx.province)]
    parts += [repr(ctx.lists)]
    parts += [repr(ctx.limits), repr(ctx.worker_limits)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def run_incremental(
    raw_dir: Path,
    out_dir: Path,
    ctx: IngestContext,
    workers: int | None = None,
    force: bool = False,
    manual: ManualEntries | None = None,
) -> IngestRun:
    """Ingest `raw_dir` into `out_dir`, parsing only what changed since the last run there, with the hand entries
    `manual` applied (a change to them re-writes the tables and parses nothing). The caller holds the folder's lock
    (`run_ingest`)."""
    digest, manual = context_digest(ctx), manual or ManualEntries()
    with writing_into(out_dir):
        for stale in out_dir.glob(".*.tmp"):  # left by a run that was killed while writing
            stale.unlink(missing_ok=True)
    state = generation.inspect(out_dir, CACHE_FILE)
    trusted = state.cache_ok and not force  # never a cache from another generation than the tables'
    previous, cached = read_index(out_dir / CACHE_FILE, digest) if trusted else (None, {})
    if previous is not None and _manual_digest(out_dir) != manual.digest:
        state = replace(state, tables_ok=False)  # the tables must be written again with the entries as they are
    try:
        plan = _plan(raw_dir, cached)
        return _unchanged(plan, out_dir, state) or _run(
            raw_dir, out_dir, ctx, workers, (digest, manual), state, previous, plan
        )
    finally:
        if previous is not None:
            previous.close()


def unchanged_run(
    raw_dir: Path, out_dir: Path, ctx: IngestContext, manual: ManualEntries | None = None
) -> IngestRun | None:
    """The last run's result when nothing changed since (files, configuration, hand entries, tables), found without
    writing anything (for a folder this user may only read); None when a run would have to write."""
    state = generation.inspect(out_dir, CACHE_FILE)
    if not (state.tables_ok and state.cache_ok) or _manual_digest(out_dir) != (manual or ManualEntries()).digest:
        return None
    previous, cached = read_index(out_dir / CACHE_FILE, context_digest(ctx))
    if previous is not None:
        previous.close()
    return _unchanged(_plan(raw_dir, cached), out_dir, state)


def _manual_digest(out_dir: Path) -> str:
    """The digest of the hand entries the last run's tables were written with (that of none when not recorded)."""
    try:
        return str(read_header(out_dir / CACHE_FILE).get("manual") or ManualEntries().digest)
    except (OSError, ValueError):
        return ""


@dataclass(frozen=True)
class _Plan:
    """The raw folder now against the cache: its files, their stat, those unchanged by stat, how many removed."""

    cached: dict[str, list[Stored]]  # a file's records, its own first
    current: dict[str, Path]
    stats: dict[str, os.stat_result]
    unchanged: set[str]
    removed: int
    skipped: dict[str, Skipped]  # not read (links out, unreadable folders, undecodable names): never reused

    @property
    def same_skipped(self) -> bool:
        """Whether the items skipped now are those the cache holds, for the same reasons."""
        cached = self.cached
        return all(r in cached and cached[r][0].summary["reason"] == s.reason for r, s in self.skipped.items())


def _plan(raw_dir: Path, cached: dict[str, list[Stored]]) -> _Plan:
    found = scan_raw(raw_dir)
    current = {p.relative_to(raw_dir).as_posix(): p for p in found.paths}
    skipped = {s.file: s for s in found.skipped if s.file not in current}
    stats = {rel: p.stat() for rel, p in current.items()}
    unchanged = {rel for rel, st in stats.items() if rel in cached and _same_stat(cached[rel][0].summary, st)}
    removed = len(set(cached) - set(current) - set(skipped))
    return _Plan(cached, current, stats, unchanged, removed, skipped)


def _unchanged(plan: _Plan, out_dir: Path, state: generation.FolderState) -> IngestRun | None:
    if len(plan.unchanged) == len(plan.current) and not plan.removed and state.tables_ok and plan.same_skipped:
        return IngestRun(IngestResult(Tables(out_dir, state.generation)), 0, len(plan.current), 0)
    return None


def _run(
    raw_dir: Path,
    out_dir: Path,
    ctx: IngestContext,
    workers: int | None,
    digests: tuple[str, ManualEntries],
    state: generation.FolderState,
    previous: RecordStore | None,
    plan: _Plan,
) -> IngestRun:
    current, stats = plan.current, plan.stats
    unchanged = plan.unchanged | {
        rel for rel in set(current) - plan.unchanged if _same_content(plan.cached.get(rel), stats[rel], current[rel])
    }
    to_parse = [current[rel] for rel in current if rel not in unchanged]
    gen, (digest, manual) = generation.new_generation(), digests
    with writing_into(out_dir), staged(out_dir) as staging:
        cache_path = staging.path(CACHE_FILE, generation.CACHE_RANK)
        with RecordStore.create(cache_path, digest, raw_dir, (manual.digest, manual.folder)) as store:
            summaries, offsets, repeated = _fill(store, plan, unchanged, previous, (to_parse, raw_dir, ctx, workers))
            if to_parse and repeated == len(to_parse) and not plan.removed and state.tables_ok and plan.same_skipped:
                store.close()
                staging.discard()  # the same rejections again: the last run's generation stays
                tables = IngestResult(Tables(out_dir, state.generation))
                return IngestRun(tables, repeated, len(unchanged), 0, repeated=repeated)
            for summary, body in skipped_records(plan.skipped.values(), ctx.catalogue):
                rel = summary["file"]
                size, mtime_ns = SKIPPED_STAT
                summaries[rel] = [{**summary, "size": size, "mtime_ns": mtime_ns, RETRY_KEY: True}]
                offsets[rel] = [store.add(summaries[rel][0], body)]
            entries = [
                entry_of(summary, offset, ctx.registry)
                for rel in [*current, *plan.skipped]
                for summary, offset in zip(summaries.pop(rel), offsets[rel], strict=True)
            ]
            write_tables(entries, store, ctx, staging, gen, manual)
        generation.seal(staging, gen)
        assert_held(out_dir)  # this run was not suspended past the lock's stale limit and overtaken
    tables = IngestResult(Tables(out_dir, gen))
    return IngestRun(tables, len(to_parse), len(unchanged), plan.removed, tables_rebuilt=not state.tables_ok)


def _fill(
    store: RecordStore, plan: _Plan, unchanged: set[str], previous: RecordStore | None, parse_args: tuple
) -> tuple[dict[str, list[dict]], dict[str, list[int]], int]:
    """The new store: the records of unchanged files copied, then those of the files parsed now. Returns their
    summaries and offsets by file (its own record first), and how many files parsed again gave the same rejection
    as before."""
    cached, stats = plan.cached, plan.stats
    summaries: dict[str, list[dict]] = {}
    offsets: dict[str, list[int]] = {}
    for rel in sorted(unchanged, key=lambda rel: cached[rel][0].offset):  # copied in the order they are stored
        summaries[rel] = [{**stored.summary, **_stat_keys(stats[rel])} for stored in cached[rel]]
        offsets[rel] = [
            store.add(summary, previous.body(stored.offset))
            for summary, stored in zip(summaries[rel], cached[rel], strict=True)
        ]
    retried = _retried(plan, previous)
    if previous is not None:
        previous.close()  # before its file is replaced (Windows cannot replace an open file)
    repeated = 0
    for records in parse_stream(*parse_args):
        summary, body = records[0]  # the file's own record: its facts, and a rejection if any
        rel = summary["file"]
        keys = {**_stat_keys(stats[rel]), RETRY_KEY: _transient(summary, body)}
        summaries[rel] = [{**part, **keys} for part, _ in records]
        offsets[rel] = [store.add(part, encoded) for part, (_, encoded) in zip(summaries[rel], records, strict=True)]
        repeated += len(records) == 1 and retried.get(rel) == (summary["status"], summary["reason"], body)
    return summaries, offsets, repeated


def _retried(plan: _Plan, previous: RecordStore | None) -> dict[str, tuple]:
    """(status, reason, body) of the files parsed again only because their rejection may not last."""
    retried = {}
    for rel, records in plan.cached.items():
        stored = records[0]
        summary = stored.summary
        if previous is None or rel not in plan.current or not summary.get(RETRY_KEY):
            continue
        if _stat_keys(plan.stats[rel]) == {"size": summary["size"], "mtime_ns": summary["mtime_ns"]}:
            retried[rel] = (summary["status"], summary["reason"], previous.body(stored.offset))
    return retried


def _same_stat(summary: dict, st: os.stat_result) -> bool:
    """Unchanged by size and time, and not a rejection that may not last."""
    return summary["size"] == st.st_size and summary["mtime_ns"] == st.st_mtime_ns and not summary.get(RETRY_KEY)


def _same_content(stored: list[Stored] | None, st: os.stat_result, path: Path) -> bool:
    """Touched but identical content (same size and SHA-256): no need to parse again."""
    summary = stored[0].summary if stored else None
    if not summary or summary.get(RETRY_KEY) or summary["size"] != st.st_size or not summary["sha256"]:
        return False  # no hash stored (a file over the size cap is never hashed): parsed again, cheaply rejected
    try:
        return summary["sha256"] == file_sha256(path)
    except OSError:  # cannot be read now: the parse records why
        return False


def _transient(summary: dict, body: bytes) -> bool:
    """A rejection that may not last: the worker crashed or hung, or the file could not be read for lack of
    permission. Such a file is parsed again by the next run, even unchanged."""
    if summary.get("status") != "rejected":
        return False
    issues = body_issues(body)
    for _sheet, _cell, severity, rule, message, _indicator in issues:
        if severity != "error":
            continue
        if rule in TRANSIENT_RULES:
            return True
        if rule in _MAYBE_TRANSIENT_RULES and any(mark in message for mark in _PERMISSION_MARKS):
            return True
    return False


def _stat_keys(st: os.stat_result) -> dict[str, int]:
    """What tells a later run the file is unchanged without reading it: size and modification time."""
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
