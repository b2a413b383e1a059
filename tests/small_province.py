"""A province small enough to check by hand, shared by the notebook and report tests.

Three units (Thành phố Minh Sơn, Huyện An Bình, Công an tỉnh) report 2020Q3, 2021Q2 and 2021Q3 with rule-consistent
figures and a chosen TCD01 (tổng số lượt tiếp công dân):

    quarter   tp_minh_son  an_binh  cong_an_tinh  province
    2020Q3        120        180        300          600
    2021Q2        100        150        250          500
    2021Q3        100        200        300          600   → tăng 20,0% so với quý II/2021, không thay đổi so với
                                                             cùng kỳ năm 2020; ranks: Công an tỉnh, An Bình, Minh Sơn

Its unit registry is a three-unit `config/units.yaml` in a temporary folder (point ANALYSIS_CONFIG at it), so
"3/3 đơn vị" is the whole province.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml

from analysis.catalogue.template import TemplateContext
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter, period_dates
from analysis.core.units import load_units
from tests.factories import consistent_figures, write_submission

REPO = Path(__file__).resolve().parents[1]
QUARTER = "2021Q3"
UNITS = ("tp_minh_son", "an_binh", "cong_an_tinh")
NAMES = {"tp_minh_son": "Thành phố Minh Sơn", "an_binh": "Huyện An Bình", "cong_an_tinh": "Công an tỉnh"}
TCD01 = {"2020Q3": (120, 180, 300), "2021Q2": (100, 150, 250), "2021Q3": (100, 200, 300)}


@dataclass(frozen=True)
class Province:
    root: Path
    config: Path
    raw: Path
    processed: Path


def write_config(config: Path) -> None:
    """The repo's configuration cut down to the three units, first expected quarter 2020Q3."""
    config.mkdir(parents=True)
    repo_units = yaml.safe_load((REPO / "config" / "units.yaml").read_text(encoding="utf-8"))
    units = {"province": repo_units["province"], "units": [u for u in repo_units["units"] if u["code"] in UNITS]}
    (config / "units.yaml").write_text(yaml.safe_dump(units, allow_unicode=True, sort_keys=False), encoding="utf-8")
    settings = (REPO / "config" / "province.yaml").read_text(encoding="utf-8")
    assert "first_period: 2020Q1" in settings
    (config / "province.yaml").write_text(settings.replace("first_period: 2020Q1", "first_period: 2020Q3"), "utf-8")


def write_submissions(raw: Path, config: Path, catalogue) -> None:
    """One on-time submission per unit and quarter, rule-consistent, with TCD01 as in the table above."""
    registry = load_units(config / "units.yaml")
    province = load_province_config(config / "province.yaml")
    assert registry.codes == UNITS
    for label, totals in TCD01.items():
        q = Quarter.parse(label)
        for code, total in zip(UNITS, totals, strict=True):
            context = TemplateContext(registry.province_name, registry.get(code), q, province.cutoff)
            signed = period_dates(q, province.cutoff)[1] + timedelta(days=3)  # on time
            values = consistent_figures(catalogue, {"TCD01": total})
            write_submission(raw / label / f"{label}_{code}.xlsx", catalogue, context, values, signed)


def write_province(root: Path, catalogue) -> Province:
    """Configuration and raw submissions of the small province under `root` (not yet ingested)."""
    write_config(root / "config")
    write_submissions(root / "raw", root / "config", catalogue)
    return Province(root, root / "config", root / "raw", root / "processed")
