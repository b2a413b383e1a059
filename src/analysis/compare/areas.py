"""Figures by former district, former province and today's agency with its predecessors (the crosswalk's views,
`analysis.core.succession`), continuous across the reform: before the transition quarter what the former units
reported, from it the sum of their successors; each compared with the previous quarter and the same quarter last
year by the one rule (`comparability.judge`).

* :func:`area_values` — view, area, period, indicator, value (ratios recomputed from summed parts, as the
  province's), units_reporting (units with the figure);
* :func:`area_coverage` — view, area, period, units_expected, units_received (of those expected);
* :func:`area_comparison` — one row per (view, area, indicator): the comparison, each side's units, the rule's
  verdict, approximate_<base>, the area's name and order.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.compare import comparisons as compare
from analysis.compare.comparability import judge
from analysis.compare.coverage import base_quarters
from analysis.core.periods import Quarter
from analysis.core.succession import VIEWS, Succession

__all__ = ["KEYS", "area_comparison", "area_coverage", "area_values", "sides"]

KEYS = ["view", "area"]


def area_coverage(completeness: pd.DataFrame, succession: Succession) -> pd.DataFrame:
    """view, area, period, units_expected, units_received: each area's members expected to report and those of them
    that sent a report (per area, not per figure: a unit that owes no such form is not missing from it)."""
    owed = completeness[completeness["expected"].astype(bool)]
    owed = owed.merge(succession.membership(sorted(set(owed["period"]))), on=["unit_code", "period"])
    return (
        owed.assign(sent=owed["received"].astype(bool))
        .groupby([*KEYS, "period"], as_index=False)
        .agg(units_expected=("unit_code", "nunique"), units_received=("sent", "sum"))
        .astype({"units_expected": "int64", "units_received": "int64"})
    )


def area_values(
    values: pd.DataFrame, catalogue: Catalogue, completeness: pd.DataFrame, succession: Succession
) -> pd.DataFrame:
    """Every area's figures per period (see the module's docstring); nothing for an area whose members sent none."""
    periods = sorted(set(values["period"]) | set(completeness["period"]))
    members = succession.membership(periods)
    mine = values.merge(members, on=["unit_code", "period"])
    owed = completeness.merge(members, on=["unit_code", "period"])
    return compare.province_values(mine, catalogue, owed, keys=KEYS)


def sides(quarter: Quarter) -> list[tuple[str, Quarter]]:
    """(column suffix, quarter) of each side of a comparison: "" this quarter, "_previous", "_last_year"."""
    return [("", quarter), *((f"_{b}", q) for b, q in base_quarters(quarter).items())]


def _side(coverage: pd.DataFrame, quarter: Quarter, suffix: str) -> pd.DataFrame:
    """Per area: the units expected in `quarter`, those that sent a report, and whether none is missing."""
    rows = coverage[coverage["period"] == quarter.label]
    return (
        rows.assign(complete=rows["units_received"] >= rows["units_expected"])
        .drop(columns="period")
        .rename(columns=lambda c: c if c in KEYS else c + suffix)
    )


def area_comparison(
    table: pd.DataFrame, coverage: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, succession: Succession
) -> pd.DataFrame:
    """The comparison of every area of :func:`area_values` for `quarter` (with each side's :func:`area_coverage`),
    judged by the rule, in view order."""
    cmp = compare.compare(table, quarter, KEYS)
    now = table.loc[table["period"] == quarter.label, [*KEYS, "indicator", "units_reporting"]]
    cmp = cmp.merge(now, on=[*KEYS, "indicator"], how="left")
    for suffix, q in sides(quarter):
        cmp = cmp.merge(_side(coverage, q, suffix), on=KEYS, how="left")
    flags = {c: True for c in cmp if c.startswith("complete")}  # nobody expected on a side: nothing missing
    areas = succession.areas.rename(columns={"approximate": "boundary_changed"}, errors="raise")
    judged = judge(
        cmp.fillna(flags).infer_objects().merge(areas, on=KEYS, how="inner"),
        catalogue,
        quarter,
        succession.transition,
    )
    order = {v: i for i, v in enumerate(VIEWS)}
    return (
        judged.assign(_view=judged["view"].map(order))
        .sort_values(["_view", "order", "indicator"])
        .drop(columns="_view")
        .reset_index(drop=True)
    )
