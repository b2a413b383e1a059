"""`python -m analysis publish --quarter Q`: freeze the quarter's figures as leaders signed them, with the report
folder they read (its SHA-256), under the workspace's data/published (`compare.published`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from analysis import __version__
from analysis.compare import published
from analysis.compare.report_data import parse_quarter_parameter
from analysis.core.digest import folder_sha256
from analysis.core.lock import folder_lock
from analysis.ingest.generation import read_tables


def publish_quarter(
    quarter: str, processed: Path, reports: Path, day: date, note: str, replace: bool = False
) -> tuple[Path, int]:
    """Publish `quarter` from the processed tables (the report of that quarter must exist); the record's folder and
    the number of unit figures frozen. ValueError in Vietnamese for a quarter without data or report."""
    with folder_lock(processed, purpose="publish"):  # no ingest replaces the tables while they are read
        tables = read_tables(processed, published.TABLES)
    q = parse_quarter_parameter(quarter, sorted(tables["values"]["period"].unique()))
    report = reports / q.label
    if not (report / "index.html").is_file():
        raise ValueError(f"Chưa có báo cáo {q.vn} ({report}): hãy lập báo cáo trước khi công bố")
    folder = processed.parent / published.FOLDER
    record = published.publish(tables, q, folder, day, note, folder_sha256(report), __version__, replace)
    return record, int((tables["values"]["period"] == q.label).sum())
