"""Are the processed data older than the raw files and configuration they are built from? One check for every
notebook run (JupyterLab, papermill, the report) and the index page, and one warning at the top of the page.

The check never re-ingests: a kernel writing the output folder would race the report (which re-ingests before it
runs any notebook) and another run's lock on the folder; it says what changed instead. It is cheap: the raw
folder's file list with sizes and modification times, and the configuration's digest, against what the last ingest
recorded in its cache (`ingest-cache.json`, read only).

The raw folder of a processed folder: the `raw_dir` given, else ``$ANALYSIS_RAW_DIR`` (the report sets it), else
the folder the last ingest recorded (``raw_dir`` in the cache header, when ingest writes it), else the project's
data/raw when the processed folder is the project's data/processed; otherwise nothing is checked.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from analysis.core import escape
from analysis.core.config import project_root
from analysis.core.outputs import atomic_path
from analysis.ingest.incremental import CACHE_FILE, SKIPPED_STAT, context_digest
from analysis.ingest.manual import ManualEntries, manual_folder, read_manual
from analysis.ingest.parse import scan_raw
from analysis.ingest.records import FORMAT, read_header, read_index
from analysis.ingest.submission import IngestContext

RAW_ENV = "ANALYSIS_RAW_DIR"
# A report checks once, right after its ingest, and keeps the result in this file for its notebooks (`record`):
# 130+ notebooks each scanning every raw file again cost ~70 ms apiece at 133 units, a sixth of a build. The index,
# written last, checks again: it says so when files changed while the pages were being made.
CHECKED_ENV = "ANALYSIS_FRESHNESS_CHECKED"
LISTED = 5  # file names shown per kind of change
STYLE = "background:#fff4e5;border-left:5px solid #D55E00;padding:.6em 1em;margin:.8em 0;color:#1A1A1A"


@dataclass(frozen=True)
class Freshness:
    """What changed since the last ingest; `checked` False when the raw folder or the record is unknown."""

    checked: bool
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    config_changed: bool = False
    manual_changed: bool = False  # the figures entered by hand (data/manual) differ from those the tables hold
    ingested_at: datetime | None = None

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.config_changed or self.manual_changed)


def raw_folder(processed: Path, header: dict, raw_dir: str | Path | None = None) -> Path | None:
    """The raw folder `processed` was built from (see the module docstring), None when unknown."""
    chosen = raw_dir or os.environ.get(RAW_ENV) or header.get("raw_dir")
    if chosen:
        return Path(chosen)
    root = project_root()
    if processed.resolve() == (root / "data" / "processed").resolve():
        return root / "data" / "raw"
    return None


def record(processed_dir: str | Path, raw_dir: str | Path | None, target: Path) -> Freshness:
    """`check` now, kept in `target` with the ingest record it was made against (its size and modification time):
    `check` with `CHECKED_ENV` naming `target` returns it while that record is unchanged."""
    found = check(processed_dir, raw_dir)
    kept = {
        "against": _against(Path(processed_dir), raw_dir),
        "found": {**asdict(found), "ingested_at": found.ingested_at.isoformat() if found.ingested_at else None},
    }
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(kept), encoding="utf-8")
    return found


def _against(processed: Path, raw_dir: str | Path | None) -> list | None:
    """What a recorded check holds for: the processed and raw folders and the ingest record's size and time."""
    try:
        st = (processed / CACHE_FILE).stat()
    except OSError:
        return None
    raw = raw_dir or os.environ.get(RAW_ENV) or ""
    return [str(processed.resolve()), str(Path(raw).resolve()) if raw else "", st.st_size, st.st_mtime_ns]


def _recorded(processed: Path, raw_dir: str | Path | None) -> Freshness | None:
    """The check a report recorded for these folders (`record`), None when there is none or it no longer holds."""
    path = os.environ.get(CHECKED_ENV)
    if not path:
        return None
    try:
        kept = json.loads(Path(path).read_text(encoding="utf-8"))
        if kept["against"] is None or kept["against"] != _against(processed, raw_dir):
            return None
        found = kept["found"]
        when = datetime.fromisoformat(found["ingested_at"]) if found["ingested_at"] else None
        lists = {k: tuple(found[k]) for k in ("added", "changed", "removed")}
        return Freshness(**{**found, **lists, "ingested_at": when})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check(processed_dir: str | Path, raw_dir: str | Path | None = None) -> Freshness:
    """Compare the raw folder and the configuration with the last ingest's record in `processed_dir` (or return the
    check a report recorded for its notebooks, while it holds: `record`)."""
    processed = Path(processed_dir)
    recorded = _recorded(processed, raw_dir)
    if recorded is not None:
        return recorded
    cache = processed / CACHE_FILE
    try:
        header = read_header(cache)
        ingested_at = datetime.fromtimestamp(cache.stat().st_mtime)
    except (OSError, ValueError):
        return Freshness(checked=False)
    raw = raw_folder(processed, header, raw_dir)
    if raw is None or not raw.is_dir():
        return Freshness(checked=False)
    if header.get("format") != FORMAT:  # made by another version of the program: everything is read again
        return Freshness(checked=True, config_changed=True, ingested_at=ingested_at)
    store, index = read_index(cache, str(header.get("digest", "")))
    if store is not None:
        store.close()
    recorded = {rel: (s[0].summary.get("size"), s[0].summary.get("mtime_ns")) for rel, s in index.items()}
    found = scan_raw(raw)
    current = {item.file: SKIPPED_STAT for item in found.skipped}  # recorded so by ingest (a rejection, never reused)
    for path in found.paths:
        try:
            st = path.stat()
        except OSError:
            continue
        current[path.relative_to(raw).as_posix()] = (st.st_size, st.st_mtime_ns)
    ctx = IngestContext.load()
    folder = Path(header["manual_dir"]) if header.get("manual_dir") else manual_folder(raw)
    manual = read_manual(folder, ctx.catalogue, ctx.registry, ctx.limits)
    return Freshness(
        checked=True,
        added=tuple(sorted(set(current) - set(recorded))),
        changed=tuple(sorted(rel for rel in set(current) & set(recorded) if current[rel] != recorded[rel])),
        removed=tuple(sorted(set(recorded) - set(current))),
        config_changed=header.get("digest") != context_digest(ctx),
        manual_changed=header.get("manual", ManualEntries().digest) != manual.digest,
        ingested_at=ingested_at,
    )


def _files(names: tuple[str, ...]) -> str:
    shown = ", ".join(f"“{escape.html(n)}”" for n in names[:LISTED])
    more = f" và {len(names) - LISTED} tệp khác" if len(names) > LISTED else ""
    return shown + more


def banner_html(f: Freshness) -> str:
    """The warning at the top of a page whose data are stale ("" when they are not)."""
    if not f.stale:
        return ""
    when = f" ({f.ingested_at:%H:%M} ngày {f.ingested_at:%d/%m/%Y})" if f.ingested_at else ""
    what = [
        f"{len(names)} tệp {kind}: {_files(names)}"
        for kind, names in (("mới", f.added), ("đã sửa", f.changed), ("đã xóa", f.removed))
        if names
    ]
    if f.config_changed:
        what.append("cấu hình (danh mục chỉ tiêu, danh sách đơn vị hoặc thiết lập của tỉnh) đã thay đổi")
    if f.manual_changed:
        what.append("số liệu nhập tay (thư mục data/manual) đã thay đổi")
    return (
        f'<div class="canh-bao-cu" role="alert" style="{STYLE}">'
        "<p><b>⚠ Số liệu chưa được cập nhật.</b> "
        f"Sau lần đọc dữ liệu gần nhất{when}, dữ liệu gốc đã thay đổi: {'; '.join(what)}.</p>"
        "<p>Số liệu trên trang này <b>chưa tính</b> các thay đổi đó. Hãy đọc lại dữ liệu "
        "(<code>python -m analysis ingest</code>, hoặc lập lại báo cáo) rồi chạy lại sổ tay này.</p></div>"
    )


def warn_if_stale(processed_dir: str | Path | None = None, raw_dir: str | Path | None = None) -> None:
    """In a notebook: show the warning at this point when the processed data are stale (see `check`)."""
    from IPython.display import HTML, display

    from analysis.compare.report_data import processed_path

    found = check(processed_path(processed_dir), raw_dir)
    if found.stale:
        display(HTML(banner_html(found)))
