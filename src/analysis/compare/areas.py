"""Figures by former district, former province and today's agency with its predecessors (the crosswalk's views,
`analysis.core.succession`), continuous across the reform: before the transition quarter what the former units
reported, from it the sum of their successors; each compared with the previous quarter and the same quarter last
year by the one rule (`comparability.judge`).

* :func:`area_values` — view, area, period, indicator, value (ratios recomputed from summed parts, as the
  province's), units_reporting (units with the figure), units_expected, units_received (of those expected);
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

__all__ = ["KEYS", "area_comparison", "area_values"]

KEYS = ["view", "area"]


def _received(completeness: pd.DataFrame) -> pd.DataFrame:
    """view, area, period, units_received: the expected members that sent a report."""
    sent = completeness[completeness["expected"].astype(bool) & completeness["received"].astype(bool)]
    return (
        sent.groupby([*KEYS, "period"])["unit_code"].nunique().rename("units_received").reset_index()
        if len(sent)
        else pd.DataFrame(columns=[*KEYS, "period", "units_received"])
    )


def area_values(
    values: pd.DataFrame, catalogue: Catalogue, completeness: pd.DataFrame, succession: Succession
) -> pd.DataFrame:
    """Every area's figures per period (see the module's docstring); nothing for an area whose members sent none."""
    periods = sorted(set(values["period"]) | set(completeness["period"]))
    members = succession.membership(periods)
    mine = values.merge(members, on=["unit_code", "period"])
    owed = completeness.merge(members, on=["unit_code", "period"])
    table = compare.province_values(mine, catalogue, owed, keys=KEYS)
    return table.merge(_received(owed), on=[*KEYS, "period"], how="left").assign(
        units_received=lambda d: d["units_received"].fillna(0).astype("int64")
    )


def _side(table: pd.DataFrame, quarter: Quarter, suffix: str) -> pd.DataFrame:
    """Per area and indicator: the units behind the figure of `quarter`, and whether every unit expected sent one."""
    rows = table[table["period"] == quarter.label]
    complete = (rows["units_expected"].fillna(0) > 0) & (rows["units_received"] >= rows["units_expected"].fillna(0))
    return rows.assign(complete=complete.astype(bool))[
        [*KEYS, "indicator", "units_reporting", "units_expected", "units_received", "complete"]
    ].rename(columns=lambda c: c if c in (*KEYS, "indicator") else c + suffix)


def area_comparison(
    table: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, succession: Succession
) -> pd.DataFrame:
    """The comparison of every area of :func:`area_values` for `quarter`, judged by the rule, in view order."""
    cmp = compare.compare(table, quarter, KEYS)
    sides = [("", quarter), *((f"_{b}", q) for b, q in base_quarters(quarter).items())]
    for suffix, q in sides:
        cmp = cmp.merge(_side(table, q, suffix), on=[*KEYS, "indicator"], how="left")
    flags = {c: False for c in cmp if c.startswith("complete")}
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
