"""Published quarters: the figures leaders signed, frozen, and what changed since (issue 15).

``data/published/QUARTER/`` of the workspace (beside ``data/processed``) holds one record per published quarter:
``values`` and ``completeness`` (the quarter's rows of the processed tables as they were, CSV for Excel and
Parquet), and ``published.yaml`` (the day, the note, the report folder's SHA-256, the code's version). :func:`publish`
writes it into a staging folder renamed into place, so an interrupted run leaves the previous record; a quarter
already published is replaced only when asked, the record it replaces kept under ``.replaced/``. The same tables,
day and note give the same record, byte for byte.

Later, :func:`revisions` lists every figure of a published quarter that differs now (a resubmission, a correction)
and :func:`with_published` puts the published rows back in place of the current ones for the quarters a report
compares with (``compare_with_published`` in province.yaml, on by default).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from analysis.core.periods import Quarter
from analysis.ingest.schema import frame

__all__ = ["FOLDER", "AlreadyPublished", "Publication", "load_publications", "publish", "revisions", "with_published"]

FOLDER = "published"  # beside the processed folder: data/published
RECORD = "published.yaml"
TABLES = ("values", "completeness")
REVISION_COLUMNS = ["unit_code", "unit_name", "period", "indicator", "published", "current", "source_file", "sheet",
                    "cell", "published_on"]  # fmt: skip


class AlreadyPublished(ValueError):
    """The quarter has a published record and replacing it was not asked for (message in Vietnamese)."""


@dataclass(frozen=True)
class Publication:
    """One published quarter: its figures and coverage as signed, when and with what note."""

    quarter: Quarter
    day: date
    note: str
    report_sha256: str
    values: pd.DataFrame
    completeness: pd.DataFrame


def _rows(table: pd.DataFrame, quarter: Quarter, keys: list[str]) -> pd.DataFrame:
    return table[table["period"] == quarter.label].sort_values(keys, kind="stable").reset_index(drop=True)


def publish(
    tables: dict[str, pd.DataFrame],
    quarter: Quarter,
    folder: Path,
    day: date,
    note: str,
    report_sha256: str,
    version: str,
    replace: bool = False,
) -> Path:
    """Freeze `quarter`'s rows of the processed `tables` under `folder` (data/published); returns the record's folder.
    AlreadyPublished when the quarter has one and `replace` is false."""
    target = folder / quarter.label
    if target.exists() and not replace:
        raise AlreadyPublished(
            f"{quarter.vn} đã được công bố (thư mục {target}); dùng --replace nếu lãnh đạo đã ký lại số liệu mới"
        )
    staging = folder / f".{quarter.label}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    keys = {"values": ["unit_code", "indicator"], "completeness": ["unit_code"]}
    for name in TABLES:
        rows = _rows(tables[name], quarter, keys[name])
        rows.to_parquet(staging / f"{name}.parquet", index=False)
        rows.to_csv(staging / f"{name}.csv", index=False, encoding="utf-8-sig")
    record = {"quarter": quarter.label, "published_on": day.isoformat(), "note": note,
              "report_sha256": report_sha256, "version": version}  # fmt: skip
    header = f"# Số liệu {quarter.vn} đã công bố: không sửa tay (lập bằng `python -m analysis publish`).\n"
    (staging / RECORD).write_text(header + yaml.safe_dump(record, allow_unicode=True, sort_keys=False), "utf-8")
    if target.exists():  # replaced on purpose: the earlier record is kept, never lost
        kept = folder / ".replaced" / f"{quarter.label}-{_published_on(target)}"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(kept, ignore_errors=True)
        target.rename(kept)
    staging.rename(target)
    return target


def _published_on(record: Path) -> str:
    return str((yaml.safe_load((record / RECORD).read_text(encoding="utf-8")) or {}).get("published_on", "unknown"))


def load_publications(folder: Path) -> dict[str, Publication]:
    """Every published quarter under `folder` (data/published), by quarter label; {} when there is none."""
    if not folder.is_dir():
        return {}
    found = {}
    for record in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        meta = yaml.safe_load((record / RECORD).read_text(encoding="utf-8")) or {}
        tables = {name: frame(pd.read_parquet(record / f"{name}.parquet"), name) for name in TABLES}
        found[record.name] = Publication(
            quarter=Quarter.parse(str(meta["quarter"])),
            day=date.fromisoformat(str(meta["published_on"])),
            note=str(meta.get("note") or ""),
            report_sha256=str(meta.get("report_sha256") or ""),
            **tables,
        )
    return found


def revisions(publications: dict[str, Publication], values: pd.DataFrame) -> pd.DataFrame:
    """Every figure of a published quarter whose current value differs from the published one (added or gone
    included), with the file and cell it now comes from."""
    keys = ["unit_code", "period", "indicator"]
    frames = []
    for pub in publications.values():
        now = values[values["period"] == pub.quarter.label]
        both = pub.values[[*keys, "unit_name", "value"]].merge(
            now[[*keys, "unit_name", "value", "source_file", "sheet", "cell"]],
            on=keys,
            how="outer",
            suffixes=("_published", ""),
        )
        same = (both["value_published"] == both["value"]) | (both["value_published"].isna() & both["value"].isna())
        changed = both[~same]
        frames.append(
            changed.assign(
                unit_name=changed["unit_name"].fillna(changed["unit_name_published"]),
                published=changed["value_published"],
                current=changed["value"],
                published_on=pub.day.isoformat(),
            )[REVISION_COLUMNS]
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REVISION_COLUMNS)
    return out.sort_values(["period", "unit_code", "indicator"], kind="stable").reset_index(drop=True)


def with_published(
    tables: dict[str, pd.DataFrame], publications: dict[str, Publication], quarter: Quarter
) -> dict[str, pd.DataFrame]:
    """`tables` with the values and completeness rows of every published quarter but `quarter` itself replaced by
    the published ones (what the report compares with is what leaders signed)."""
    periods = {label for label, pub in publications.items() if pub.quarter != quarter}
    if not periods:
        return tables
    out = dict(tables)
    for name in TABLES:
        kept = tables[name][~tables[name]["period"].isin(periods)]
        signed = [getattr(publications[label], name) for label in sorted(periods)]
        out[name] = pd.concat([kept, *signed], ignore_index=True)
    return out
