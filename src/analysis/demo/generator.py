"""Deterministic generator of the synthetic demo province (`python -m analysis demo`).

Every unit in `config/units.yaml` submits the real template for each quarter of the scenario
(`scenario_2021.yaml`: 2020Q1–2021Q3), filled with random but internally consistent figures (the catalogue's
validation rules hold, `figures`), and then edited the way real units edit files (`edits`, `sheet_edits`): each
messy case the ingest must survive appears at least once (see `data/raw/README.md` for the list). Province totals
for 2021Q3 are calibrated to the figures of the real Q3/2021 report (the scenario says which).

The names are fictional and every number is made up. Same code and scenario, same files: the random generator is
seeded and the workbooks are written with fixed timestamps (`workbook`).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from analysis.catalogue.load import load_catalogue
from analysis.core.config import load_province_config
from analysis.core.units import load_units
from analysis.demo.scenario import SCENARIO, load_scenario, plan_filings
from analysis.demo.workbook import Filing, write_filing

__all__ = ["generate_demo", "manifest_text"]


def generate_demo(out_dir: str | Path, scenario_path: str | Path = SCENARIO) -> list[Path]:
    """Write the demo province into `out_dir` (replacing what the generator wrote there before)."""
    out_dir = Path(out_dir)
    scenario = load_scenario(scenario_path)
    catalogue, registry, province = load_catalogue(), load_units(), load_province_config()
    rng = random.Random(scenario.figures.seed)
    filings = plan_filings(catalogue, registry, province, scenario, rng)
    staging = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    written = [
        write_filing(f, staging, catalogue, registry, province, scenario.saved_at)
        for f in sorted(filings, key=lambda f: f.path)
    ]
    (staging / "MANIFEST.csv").write_text(manifest_text(filings), encoding="utf-8")
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return [out_dir / p.relative_to(staging) for p in written]


def manifest_text(filings: list[Filing]) -> str:
    """MANIFEST.csv: every file with its unit, period, report date and what was done to it."""
    lines = ["file,unit_code,period,report_date,description"]
    for f in sorted(filings, key=lambda f: f.path):
        date_text = f.report_date.isoformat() if f.report_date else ""
        lines.append(f'{f.path},{f.unit.code},{f.quarter.label},{date_text},"{f.description}"')
    return "\n".join(lines) + "\n"
