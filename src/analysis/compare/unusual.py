"""Which unusual figures are worth a call to the unit: of the figures far from their unit's own history by both tests
of `comparisons.outliers` (modified z-score and the historical range), those whose deviation also clears a floor.

Short, zero-heavy quarterly series make the two tests fire on trivial moves (10, 11, 10, 12, 11 → 13: one above the
range, a z-score of 4). A figure is listed only when, against the unit's usual level (the median of its earlier
quarters):
- a count or an amount differs by at least half of the usual level (×1.5 or more, half or less) and by at least
  `Floor.change` in its own measure, and the figure or the usual level reaches `Floor.small` (0 → 6 cases is noise);
- a rate (%) differs by at least `RATE_POINTS` percentage points.
Listed figures are sorted by how unusual they are: |ln((x + 1) / (usual + 1))|, the size of the jump whatever the
measure (×3 and ÷3 weigh the same; the +1 lets a figure fall to or rise from zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Floor:
    change: float  # the least |figure − usual level| worth a call, in the indicator's own measure
    small: float  # below this for both the figure and the usual level, a jump is noise


COUNT_FLOOR = Floor(change=5, small=10)  # people, cases, letters, visits…
FLOORS = {"triệu đồng": Floor(change=100, small=100)}  # amounts: 100 million đồng
RELATIVE = 0.5  # |figure − usual| ≥ half the usual level
RATE_POINTS = 15.0  # a rate: at least 15 percentage points from its usual level


def notable(outliers: pd.DataFrame, measures: Mapping[str, str]) -> pd.DataFrame:
    """The rows of `outliers` (`comparisons.outliers`) flagged by both tests whose deviation clears the floors, with
    `severity`, most unusual first; `measures` maps indicator codes to their unit of measure ("%" for rates)."""
    flagged = outliers[outliers["outlier"] & outliers["outside_range"]]
    measure = [measures.get(code, "") for code in flagged["indicator"]]
    floor = [FLOORS.get(m, COUNT_FLOOR) for m in measure]
    value, usual = flagged["value"].to_numpy(dtype=float), flagged["median"].to_numpy(dtype=float)
    gap = np.abs(value - usual)
    change = np.array([f.change for f in floor], dtype=float)
    small = np.array([f.small for f in floor], dtype=float)
    counted = (gap >= change) & (gap >= RELATIVE * np.abs(usual)) & (np.maximum(value, usual) >= small)
    rate = np.array([m == "%" for m in measure], dtype=bool)
    keep = (rate & (gap >= RATE_POINTS)) | (~rate & counted)
    return (
        flagged[keep]
        .assign(severity=np.abs(np.log((value[keep] + 1) / (usual[keep] + 1))))
        .sort_values(["severity", "unit_code", "indicator"], ascending=[False, True, True], kind="stable")
        .reset_index(drop=True)
    )
