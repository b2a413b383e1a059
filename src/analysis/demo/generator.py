"""Deterministic generator of the synthetic demo provinces (`python -m analysis demo`).

Every unit submits the real template for each quarter of the scenario, filled with random but internally consistent
figures (the catalogue's validation rules hold, `figures`), and then edited the way real units edit files (`edits`,
`sheet_edits`): each messy case the ingest must survive appears at least once (see `data/raw/README.md`).

* `minh-son` (`scenario_2021.yaml`, 2020Q1–2021Q3): the units of the repository's `config/units.yaml`; the files
  go into a raw folder (`data/raw/demo/`, committed). Its 2021Q3 province totals are calibrated to a real report.
* `hoa-giang` (`scenario_hoa_giang.yaml`, 2024Q1–2026Q3): a post-reform province of its own (`province`); the
  generator writes a whole workspace: `config/`, `data/raw/` with `MANIFEST.csv` and `TRUTH.csv`, the analyst's
  hand entries in `data/manual/`, empty `data/processed/` and `reports/`.

The names are fictional and every number is made up. Same code and scenario, same files: the random generator is
seeded and the workbooks are written with fixed timestamps (`workbook`).
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime
from importlib import resources
from pathlib import Path

from analysis.catalogue.load import load_catalogue
from analysis.catalogue.model import Catalogue
from analysis.core.config import ProvinceConfig, load_province_config
from analysis.core.crosswalk import build_crosswalk, crosswalk_yaml, read_conversion
from analysis.core.digest import file_sha256
from analysis.core.units import UnitRegistry, load_units
from analysis.demo.conversion import FILE as CONVERSION_FILE
from analysis.demo.conversion import conversion_csv
from analysis.demo.province import build_province
from analysis.demo.scenario import SCENARIO, Plan, Scenario, load_scenario, plan
from analysis.demo.workbook import Filing, finalise_zip, write_filing
from analysis.ingest.manual import FOLDER as MANUAL_FOLDER
from analysis.ingest.manual_book import FILE as MANUAL_FILE
from analysis.ingest.manual_book import write_entries_book

__all__ = ["SCENARIOS", "DemoConfigExists", "generate_demo", "manifest_text", "truth_text"]

SCENARIOS = {"minh-son": SCENARIO, "hoa-giang": SCENARIO.with_name("scenario_hoa_giang.yaml")}
_DEMO_MARKER = "# Đơn vị báo cáo của TỈNH GIẢ ĐỊNH"  # first line of a units.yaml the demo wrote


class DemoConfigExists(ValueError):
    """The target workspace has a configuration of its own: the demo never overwrites it."""


def generate_demo(out_dir: str | Path, scenario_path: str | Path = SCENARIO, scale: str | None = None) -> list[Path]:
    """Write the demo province of `scenario_path` into `out_dir` (replacing what the generator wrote there before):
    its raw folder, or for a scenario with a province of its own the whole workspace. Returns the files written."""
    out_dir = Path(out_dir)
    scenario = load_scenario(scenario_path, scale)
    catalogue = load_catalogue()
    if scenario.province is None:
        registry, settings = load_units(), load_province_config()
        made = plan(catalogue, registry, settings, scenario, random.Random(scenario.figures.seed))
        return _write_raw(out_dir, made, scenario, catalogue, registry, settings)
    return _write_workspace(out_dir, scenario, catalogue)


def _write_raw(
    out_dir: Path,
    made: Plan,
    scenario: Scenario,
    catalogue: Catalogue,
    registry: UnitRegistry,
    settings: ProvinceConfig,
) -> list[Path]:
    """The files, the manifest (and the truth) written into a staging folder that then replaces `out_dir`."""
    staging = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    written = [
        write_filing(f, staging, catalogue, registry, settings, scenario.saved_at)
        for f in sorted(made.filings, key=lambda f: f.path)
    ]
    (staging / "MANIFEST.csv").write_text(manifest_text(made.filings), encoding="utf-8")
    if scenario.truth:
        (staging / scenario.truth).write_text(truth_text(made, registry), encoding="utf-8")
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return [out_dir / p.relative_to(staging) for p in written]


def _write_workspace(root: Path, scenario: Scenario, catalogue: Catalogue) -> list[Path]:
    """config/ (the demo's own), data/raw/ (each folder the demo writes replaced), data/processed/, reports/."""
    assert scenario.province is not None
    province = build_province(scenario.province, scenario.figures.quarters[0], scenario.figures.seed, scenario.scale)
    config = root / "config"
    _check_config(config)
    config.mkdir(parents=True, exist_ok=True)
    (config / "units.yaml").write_text(province.units_yaml(), encoding="utf-8")
    (config / "province.yaml").write_text(province.settings_yaml(), encoding="utf-8")
    registry, settings = load_units(config / "units.yaml"), load_province_config(config / "province.yaml")
    written = [config / "units.yaml", config / "province.yaml", *_write_crosswalk(root, scenario, registry, settings)]
    rng = random.Random(scenario.figures.seed)
    made = plan(catalogue, registry, settings, scenario, rng, province.sizes, province.former_province)
    raw = root / "data" / "raw"
    staged = _write_raw(raw / ".demo", made, scenario, catalogue, registry, settings)
    for entry in sorted((raw / ".demo").iterdir()):
        target = raw / entry.name
        if target.is_dir():
            shutil.rmtree(target)
        entry.replace(target)
    (raw / ".demo").rmdir()
    for empty in (root / "data" / "processed", root / "reports"):
        empty.mkdir(parents=True, exist_ok=True)
    return written + [raw / p.relative_to(raw / ".demo") for p in staged] + _write_manual(root, scenario, made)


def _write_manual(root: Path, scenario: Scenario, made: Plan) -> list[Path]:
    """data/manual/ with the scenario's hand entries, each with the unit's true figure (none: nothing written)."""
    if not scenario.manual:
        return []
    truth = {(f.unit.code, f.quarter.label): f.values for f in made.filings}
    rows = [
        m
        | {
            "period": m["quarter"],
            "indicator": m["code"],
            "value": truth[(m["unit"], str(m["quarter"]))][m["code"]],
            "entered_on": datetime.combine(m["entered_on"], datetime.min.time()),
        }
        for m in scenario.manual
    ]
    path = write_entries_book(root / "data" / MANUAL_FOLDER / MANUAL_FILE, rows, scenario.saved_at)
    finalise_zip(path, {}, scenario.saved_at)
    return [path]


def _write_crosswalk(root: Path, scenario: Scenario, registry: UnitRegistry, settings: ProvinceConfig) -> list[Path]:
    """The province's conversion table (data/external/) and config/crosswalk.yaml imported from it, when the
    scenario's province has a `conversion:` block."""
    assert scenario.province is not None
    if "conversion" not in scenario.province or settings.reform is None:
        return []
    table = root / CONVERSION_FILE
    table.parent.mkdir(parents=True, exist_ok=True)
    table.write_text(conversion_csv(scenario.province, scenario.scale), encoding="utf-8-sig")
    crosswalk = build_crosswalk(read_conversion(table), registry, settings.reform.transition_quarter)
    target = root / "config" / "crosswalk.yaml"
    source = f"{CONVERSION_FILE} (sha256 {file_sha256(table)})"
    target.write_text(crosswalk_yaml(crosswalk, source, registry), encoding="utf-8")
    return [table, target]


def _check_config(config: Path) -> None:
    """Refuse a configuration the demo did not write (a sample from `init` may be replaced)."""
    for name in ("units.yaml", "province.yaml"):
        path = config / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if text != _init_sample(name) and not text.startswith(_DEMO_MARKER) and not _is_demo_settings(text):
            raise DemoConfigExists(
                f"{path} đã có cấu hình riêng của đơn vị: không ghi đè bằng dữ liệu mẫu. Hãy chọn thư mục khác "
                "(trống, hoặc vừa tạo bằng python -m analysis init)"
            )


def _init_sample(name: str) -> str:
    """The sample configuration `python -m analysis init` writes (analysis.core.workspace.create)."""
    return (resources.files("analysis.core") / "new_workspace" / name).read_text(encoding="utf-8")


def _is_demo_settings(text: str) -> bool:
    return text.startswith("# Cấu hình của TỈNH GIẢ ĐỊNH")


def manifest_text(filings: list[Filing]) -> str:
    """MANIFEST.csv: every file with its unit, period, report date and what was done to it."""
    lines = ["file,unit_code,period,report_date,description"]
    for f in sorted(filings, key=lambda f: f.path):
        date_text = f.report_date.isoformat() if f.report_date else ""
        lines.append(f'{f.path},{f.unit.code},{f.quarter.label},{date_text},"{f.description}"')
    return "\n".join(lines) + "\n"


def truth_text(made: Plan, registry: UnitRegistry) -> str:
    """TRUTH.csv: every figure each unit was given per quarter, before messy edits; `submitted` 0 when never sent."""
    lines = ["unit_code,unit_type,period,indicator,value,submitted"]
    for (code, quarter), values in sorted(made.figures.items(), key=lambda kv: (kv[0][1].label, kv[0][0])):
        sent = 0 if (code, quarter) in made.missing else 1
        unit_type = registry.get(code).type
        for indicator, value in values.items():
            shown = int(value) if float(value).is_integer() else value
            lines.append(f"{code},{unit_type},{quarter.label},{indicator},{shown},{sent}")
    return "\n".join(lines) + "\n"
