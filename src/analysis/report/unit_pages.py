"""A unit's page kept from the previous build while nothing it shows has changed.

A province has 130+ units; after one unit fixes its file, the province's totals and pages change, but another unit's
page shows only that unit's rows (its figures, changes, rank among its peers, issues, submission, hand entries and
revisions), the quarter and the configuration. Each per-unit job gets a key hashed from exactly those, plus the
notebook run and the program that runs it (every file of the `analysis` package); the report folder keeps the key of
each page it holds (`KEYS_FILE`, hidden: it is not part of the archive for leaders). A job whose key is the one the
previous report recorded for its page is not run: its page and executed notebook (and its saved figures) are copied.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from analysis.compare.report_data import ReportData
from analysis.core import workspace
from analysis.core.config import config_dir
from analysis.core.outputs import atomic_path
from analysis.report.jobs import Job, JobResult

KEYS_FILE = ".trang-don-vi.json"
KEY_VERSION = "2"
# the tables a unit's page reads its own rows of (each has a unit_code column)
UNIT_TABLES = ("unit_comparison", "by_unit", "issues", "submissions", "completeness", "manual", "revisions")
CONFIG_FILES = ("units.yaml", "province.yaml", "crosswalk.yaml")


@cache
def program_stamp() -> str:
    """Every file of the installed `analysis` package (code, catalogue, labels, templates), hashed."""
    digest = hashlib.sha256()
    root = Path(str(resources.files("analysis")))
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def page_keys(data: ReportData, jobs: list[Job]) -> dict[str, str]:
    """The key of each per-unit job's page: what the page shows and what makes it. Each table is hashed once, row
    by row, and each unit's rows taken from that (at 133 units, hashing per unit took two seconds)."""
    codes = {j.output: j.parameters["unit"] for j in jobs if j.spec.per_unit}
    rows = {table: _row_hashes(getattr(data, table)) for table in UNIT_TABLES}
    shared = hashlib.sha256()
    for name in CONFIG_FILES:
        path = config_dir() / name
        shared.update(name.encode() + (path.read_bytes() if path.is_file() else b"-"))
    shared.update(f"|{data.quarter.label}|{data.periods}|{sorted(data.publications)}|{data.succession_error}".encode())
    notebooks: dict[str, bytes] = {}
    keys = {}
    for job in jobs:
        if job.output not in codes:
            continue
        file = job.spec.file
        notebooks.setdefault(file, workspace.notebook_path(file).read_bytes())
        digest = shared.copy()
        digest.update(f"|{KEY_VERSION}|{program_stamp()}|{json.dumps(job.parameters, sort_keys=True)}|".encode())
        digest.update(notebooks[file])
        for table, (columns, by_unit) in rows.items():
            digest.update(f"|{table}:{columns}:".encode() + by_unit.get(codes[job.output], b""))
        keys[job.output] = digest.hexdigest()
    return keys


def _row_hashes(frame: pd.DataFrame) -> tuple[list[str], dict[str, bytes]]:
    """The table's columns, and per unit the hashes of its rows in table order."""
    hashes = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    positions = frame.groupby("unit_code", sort=False, observed=True).indices if len(frame) else {}
    return list(frame.columns), {str(code): hashes[pos].tobytes() for code, pos in positions.items()}


def read_keys(folder: Path) -> dict[str, str]:
    """The keys a report folder recorded (none when it has no file, or a damaged one)."""
    try:
        keys = json.loads((folder / KEYS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {k: v for k, v in keys.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(keys, dict) else {}
    )


def reuse(data: ReportData, jobs: list[Job], previous: Path, staging: Path) -> tuple[dict[str, str], list[JobResult]]:
    """The key of every per-unit job now, and the results of the pages of `previous` copied into `staging` because
    their recorded key is the job's key now."""
    from analysis.views.notebook import safe_name  # (IPython and matplotlib: not for the main process's start)

    keys = page_keys(data, jobs)
    recorded = read_keys(previous)
    kept = []
    for job in jobs:
        key = keys.get(job.output)
        page = previous / f"{job.output}.html"
        notebook = previous / "notebooks" / f"{job.output}.ipynb"
        if key is None or recorded.get(job.output) != key or not page.is_file() or not notebook.is_file():
            continue
        unit = safe_name(f"{job.parameters['quarter']}-{job.parameters['unit']}")
        figures = [f for f in (previous / "figures").glob(f"{unit}-*.png")] if job.parameters["figures_dir"] else []
        for source in [page, notebook, *figures]:
            target = staging / source.relative_to(previous)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        kept.append(JobResult(job, True, 0.0, reused=True))
    return keys, kept


def write_keys(staging: Path, previous: Path, keys: dict[str, str], results: list[JobResult]) -> None:
    """Record the key of every unit page the new report holds: built or reused now (the key computed now), or
    carried from the previous report by a build for one unit (the key it had)."""
    recorded = read_keys(previous)
    held = {}
    for result in results:
        if not (result.ok and result.per_unit):
            continue
        key = recorded.get(result.job.output) if result.carried else keys.get(result.job.output)
        if key:
            held[result.job.output] = key
    with atomic_path(staging / KEYS_FILE) as tmp:
        tmp.write_text(json.dumps(held, indent=0, sort_keys=True), encoding="utf-8")


__all__ = ["KEYS_FILE", "page_keys", "program_stamp", "read_keys", "reuse", "write_keys"]
