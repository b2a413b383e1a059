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

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from analysis.core import escape
from analysis.core.config import project_root
from analysis.ingest.incremental import CACHE_FILE, SKIPPED_STAT, context_digest
from analysis.ingest.manual import ManualEntries, manual_folder, read_manual
from analysis.ingest.parse import scan_raw
from analysis.ingest.records import FORMAT, read_header, read_index
from analysis.ingest.submission import IngestContext

RAW_ENV = "ANALYSIS_RAW_DIR"
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


def check(processed_dir: str | Path, raw_dir: str | Path | None = None) -> Freshness:
    """Compare the raw folder and the configuration with the last ingest's record in `processed_dir`."""
    processed = Path(processed_dir)
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
