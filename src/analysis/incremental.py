"""Incremental ingest: a re-run parses only new or changed files and drops removed ones.

`data/processed/ingest-cache.json` records, for every raw file, its size, modification time, SHA-256 and what its
parse found (before the steps that look across files: supersession, rules, completeness, which always run again).
Everything is parsed again when the catalogue, the configuration or the parser changed (their digest is stored).
The result equals a full rebuild. The cache is plain JSON: nothing read back is ever executed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from analysis import __version__
from analysis.extract import FoundValue
from analysis.ingest import (
    TABLES,
    IngestContext,
    IngestResult,
    Issue,
    Submission,
    discover,
    finish,
    parse_all,
    save,
)
from analysis.numbers import ParsedValue
from analysis.outputs import atomic_path, read_table
from analysis.periods import Quarter

CACHE_FILE = "ingest-cache.json"
CACHE_FORMAT = 2


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _load_cache(out_dir: Path, digest: str) -> dict[str, dict]:
    path = out_dir / CACHE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("digest") != digest or data.get("format") != CACHE_FORMAT:
        return {}
    return data.get("files", {})


def run_incremental(
    raw_dir: Path, out_dir: Path, ctx: IngestContext, workers: int | None = None, force: bool = False
) -> IngestRun:
    """Ingest `raw_dir` into `out_dir`, parsing only what changed since the last run there."""
    digest = context_digest(ctx)
    for stale in out_dir.glob(".*.tmp"):  # left by a run that was killed while writing
        stale.unlink(missing_ok=True)
    cached = {} if force else _load_cache(out_dir, digest)
    paths = discover(raw_dir)
    current = {p.relative_to(raw_dir).as_posix(): p for p in paths}
    stats = {rel: p.stat() for rel, p in current.items()}
    removed = len(set(cached) - set(current))
    unchanged = {
        rel
        for rel, st in stats.items()
        if rel in cached and cached[rel]["size"] == st.st_size and cached[rel]["mtime_ns"] == st.st_mtime_ns
    }
    tables_present = all((out_dir / f"{name}.parquet").exists() for name in TABLES)
    if len(unchanged) == len(current) and not removed and tables_present:
        tables = {name: read_table(out_dir, name) for name in TABLES}
        return IngestRun(IngestResult([], tables), parsed=0, reused=len(current), removed=0)
    for rel in set(current) - unchanged:  # touched but identical content: no need to parse again
        same_size = rel in cached and cached[rel]["size"] == stats[rel].st_size
        if same_size and cached[rel]["sha256"] == _sha256(current[rel]):
            unchanged.add(rel)
    to_parse = [current[rel] for rel in current if rel not in unchanged]
    parsed = {s.file: s for s in parse_all(to_parse, raw_dir, ctx, workers)}
    entries = {
        rel: {
            "size": stats[rel].st_size,
            "mtime_ns": stats[rel].st_mtime_ns,
            "sha256": parsed[rel].sha256 if rel in parsed else cached[rel]["sha256"],
            "record": to_record(parsed[rel]) if rel in parsed else cached[rel]["record"],
        }
        for rel in current
    }
    subs = [parsed[rel] if rel in parsed else from_record(entries[rel]["record"], ctx) for rel in current]
    result = finish(subs, ctx)
    save(result, out_dir)
    with atomic_path(out_dir / CACHE_FILE) as tmp:
        payload = {"format": CACHE_FORMAT, "digest": digest, "files": entries}
        tmp.write_text(json.dumps(payload, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return IngestRun(result, len(parsed), len(current) - len(parsed), removed, tables_rebuilt=not tables_present)


# ------------------------------------------------------------------------------------------- records


def to_record(sub: Submission) -> dict:
    """A parsed submission as plain JSON data (taken before any step that looks across files)."""
    return {
        "file": sub.file,
        "sha256": sub.sha256,
        "size_bytes": sub.size_bytes,
        "mtime": sub.mtime,
        "unit": sub.unit.code if sub.unit else None,
        "unit_source": sub.unit_source,
        "period": sub.period.label if sub.period else None,
        "period_source": sub.period_source,
        "report_date": sub.report_date.isoformat() if sub.report_date else None,
        "modified": sub.modified.isoformat() if sub.modified else None,
        "status": sub.status,
        "reason": sub.reason,
        "values": [
            [
                v.indicator,
                v.sheet,
                v.row,
                v.col,
                _raw_text(v.raw),
                v.parsed.value,
                v.parsed.approx,
                v.parsed.status,
                v.parsed.note,
                v.formula,
                v.label_conflict,
                v.merged_part,
                v.remark,
            ]  # fmt: skip
            for v in sub.values
        ],
        "issues": [[i.file, i.sheet, i.cell, i.severity, i.rule, i.message, i.indicator] for i in sub.issues],
    }


def _raw_text(raw: object) -> object:
    """What the values table shows of a raw cell; numbers and text stay as they are, dates become ISO text."""
    return raw.isoformat() if isinstance(raw, date | datetime) else raw


def from_record(record: dict, ctx: IngestContext) -> Submission:
    sub = Submission(
        file=record["file"],
        sha256=record["sha256"],
        size_bytes=record["size_bytes"],
        mtime=record["mtime"],
        unit=ctx.registry.get(record["unit"]) if record["unit"] else None,
        unit_source=record["unit_source"],
        period=Quarter.parse(record["period"]) if record["period"] else None,
        period_source=record["period_source"],
        report_date=date.fromisoformat(record["report_date"]) if record["report_date"] else None,
        modified=datetime.fromisoformat(record["modified"]) if record["modified"] else None,
        status=record["status"],
        reason=record["reason"],
    )
    sub.values = [
        FoundValue(ind, sheet, row, col, raw, ParsedValue(value, approx, status, note), *flags)
        for ind, sheet, row, col, raw, value, approx, status, note, *flags in record["values"]
    ]
    sub.issues = [Issue(*fields) for fields in record["issues"]]
    return sub
