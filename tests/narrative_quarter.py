"""A hand-made quarter for the narrative tests, and the tests' own templates (tests/narrative_fixture.yaml).

The province has three units: Huyện An Hòa and Huyện Bình Yên report every quarter; Thanh tra tỉnh is expected in
2021Q3 only and sends nothing. Every figure the tests expect is worked out by hand next to the data.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from analysis.catalogue.load import load_catalogue
from analysis.compare.report_data import ReportData
from analysis.core.periods import Quarter
from analysis.core.units import UnitRegistry
from analysis.narrative.templates import NarrativeTemplates, templates_from_mapping

NAN = np.nan
CATALOGUE = load_catalogue()
FIXTURE_YAML = Path(__file__).with_name("narrative_fixture.yaml")
SOURCE = "fixture.yaml"

UNITS = UnitRegistry.from_mapping(
    {
        "province": {"code": "thu_nghiem", "name": "Tỉnh Thử Nghiệm"},
        "units": [
            {"code": "an_hoa", "name": "Huyện An Hòa", "type": "district"},
            {"code": "binh_yen", "name": "Huyện Bình Yên", "type": "district"},
            {"code": "thanh_tra_tinh", "name": "Thanh tra tỉnh", "type": "agency"},
        ],
    },
    source="test",
)
NAMES = {u.code: u.name for u in UNITS.units}
PERIODS = ["2020Q1", "2020Q2", "2020Q3", "2021Q1", "2021Q2", "2021Q3"]

# indicator → period → (An Hòa, Bình Yên); None = no row at all
FIGURES: dict[str, dict[str, tuple[float, float]]] = {
    # up: 7.048 vs 6.473 (+575 = +8,88%) and vs 6.655 (+393 = +5,91%);
    # year to date 6.000 + 6.473 + 7.048 = 19.521 vs 3.000 + 3.000 + 6.655 = 12.655 (+54,26%)
    "TCD01": {
        "2020Q1": (2000, 1000),
        "2020Q2": (2000, 1000),
        "2020Q3": (3655, 3000),
        "2021Q1": (3000, 3000),
        "2021Q2": (3473, 3000),
        "2021Q3": (4048, 3000),
    },
    # down: 900 vs 1.000 (−10,0%); unchanged vs 900 in 2020Q3; no 2021Q1, no 2020Q1–Q2 (partial years)
    "TCD03": {"2020Q3": (500, 400), "2021Q2": (600, 400), "2021Q3": (500, 400)},
    # from zero: 50 vs 0 ("mới phát sinh"); no 2020Q3 (missing base)
    "TCD02": {"2021Q1": (0, 0), "2021Q2": (0, 0), "2021Q3": (30, 20)},
    # GQ05 = GQ03 / GQ01: 238/316 = 75,3% vs 210/300 = 70,0% (+5,3 points); no 2020Q3;
    # year to date 448/616 (2021Q2 and Q3)
    "GQ01": {"2021Q2": (200, 100), "2021Q3": (200, 116)},
    "GQ03": {"2021Q2": (140, 70), "2021Q3": (150, 88)},
    # GQ15 = GQ10 / GQ07 = 0/0: no denunciation this quarter (and only this quarter of the year has the pair)
    "GQ07": {"2021Q3": (0, 0)},
    "GQ10": {"2021Q3": (0, 0)},
    # Bình Yên left the figure blank: 1 of 3 units; 3 vs 2 + 2 = 4 (−25,0%)
    "PCTN01": {"2021Q2": (2, 2), "2021Q3": (3, NAN)},
    # the three headline figures of the real report
    "VP01": {"2020Q3": (50, 45), "2021Q2": (300, 155), "2021Q3": (404, 200)},  # 604 vs 455 (+32,7%), 95 (×6,36)
    "VP02": {"2020Q3": (4, 4), "2021Q2": (20, 16), "2021Q3": (30, 20)},  # 50 vs 36 and 8 (×6,25)
    # 20.480 vs 19.930 (+2,76%) and 19.875 (+3,04%); year to date 15.000 + 19.930 + 20.480 = 55.410, but 2020 has
    # only its third quarter
    "VP04": {
        "2020Q3": (11875, 8000),
        "2021Q1": (10000, 5000),
        "2021Q2": (11930, 8000),
        "2021Q3": (12480, 8000),
    },
    # An Hòa wrote "trên 200" (an estimate): 302
    "DV01": {"2021Q2": (200, 100), "2021Q3": (200, 102)},
}
ESTIMATES = {("an_hoa", "2021Q3", "DV01")}


def fixture_values() -> pd.DataFrame:
    rows = []
    for code, by_period in FIGURES.items():
        for period, pair in by_period.items():
            for unit, value in zip(("an_hoa", "binh_yen"), pair, strict=True):
                rows.append(
                    {
                        "unit_code": unit,
                        "unit_name": NAMES[unit],
                        "period": period,
                        "indicator": code,
                        "value": float(value),
                        "approx": (unit, period, code) in ESTIMATES,
                        "status": "blank" if math.isnan(value) else "number",
                    }
                )
    return pd.DataFrame(rows).astype({"value": "float64", "approx": "bool"})


def fixture_completeness() -> pd.DataFrame:
    rows = [
        {"period": p, "unit_code": u, "expected": True, "received": True}
        for p in PERIODS
        for u in ("an_hoa", "binh_yen")
    ]
    rows.append({"period": "2021Q3", "unit_code": "thanh_tra_tinh", "expected": True, "received": False})
    frame = pd.DataFrame(rows)
    frame["unit_name"] = frame["unit_code"].map(NAMES)
    frame["unit_type"] = frame["unit_code"].map({u.code: u.type for u in UNITS.units})
    return frame


def fixture_data(quarter: str = "2021Q3") -> ReportData:
    return ReportData(
        quarter=Quarter.parse(quarter),
        catalogue=CATALOGUE,
        registry=UNITS,
        values=fixture_values(),
        submissions=pd.DataFrame(),
        issues=pd.DataFrame(),
        completeness=fixture_completeness(),
    )


def fixture_mapping() -> dict[str, Any]:
    """The parsed tests/narrative_fixture.yaml, to change before :func:`templates_from_mapping`."""
    return yaml.safe_load(FIXTURE_YAML.read_text(encoding="utf-8"))


def fixture_templates(**replace: Any) -> NarrativeTemplates:
    """The tests' templates, with top-level entries (areas, phrases, settings …) replaced."""
    return templates_from_mapping({**fixture_mapping(), **replace}, CATALOGUE, SOURCE)
