"""What a comparison covers when the set of units changes: coverage on both sides, like for like, units too new.

* :func:`coverage_by_type` — per period and unit type, units expected and units that reported (completeness);
* :func:`side_coverage` — each indicator's units reporting / expected in the base periods of a comparison;
* :func:`like_for_like` — per indicator, the change over the units with a figure in both quarters compared
  (sums of their figures; rates recomputed from their summed numerators and denominators);
* :func:`unit_since`, :func:`with_since` — the quarter a unit reports from (``since``): its own comparison with a
  quarter before it is ``not_comparable`` (a change status code; `comparability.judge` decides).

Province totals stay the sums of what was reported (:func:`~analysis.compare.comparisons.province_values`); like
for like is shown beside them, never instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.compare.comparisons import change_status, percent_change
from analysis.core.periods import Quarter
from analysis.core.units import Unit, UnitRegistry

__all__ = [
    "BASES",
    "NO_COMMON",
    "DISJOINT",
    "NOT_COMPARABLE",
    "TYPE_ORDER",
    "base_quarters",
    "coverage_by_type",
    "like_for_like",
    "with_since",
    "side_coverage",
    "unit_since",
]

BASES = ("previous", "last_year")
NOT_COMPARABLE = "not_comparable"  # status_<base> of a unit that did not exist in the base quarter
NO_COMMON = "no_common_units"  # lfl_status_<base>: the sets differ and no unit reported in both quarters
DISJOINT = "disjoint_units"  # lfl_status_<base>: no unit has a figure in both quarters at all (said once per page)
TYPE_ORDER = ("commune", "district", "agency")  # how unit types are listed ("xã, huyện và cơ quan"); others after


def base_quarters(quarter: Quarter) -> dict[str, Quarter]:
    """{"previous": the quarter before, "last_year": the same quarter last year}."""
    return {"previous": quarter.previous(), "last_year": quarter.same_quarter_last_year()}


def _unit_types(completeness: pd.DataFrame, registry: UnitRegistry) -> pd.Series:
    types = pd.Series({u.code: u.type for u in registry.units}, dtype="str")
    from_registry = completeness["unit_code"].map(types)
    if "unit_type" in completeness:
        from_registry = completeness["unit_type"].where(completeness["unit_type"].notna(), from_registry)
    return from_registry.fillna("other").replace("", "other")


def coverage_by_type(completeness: pd.DataFrame, registry: UnitRegistry, periods: list[str]) -> pd.DataFrame:
    """period, unit_type, expected, reported: per period of ``periods`` and unit type (in :data:`TYPE_ORDER`), the
    units expected to report and those expected that sent a report; no row for a period nobody was expected in."""
    columns = ["period", "unit_type", "expected", "reported"]
    if completeness.empty:
        return pd.DataFrame(columns=columns).astype({"expected": "int64", "reported": "int64"})
    rows = completeness.assign(unit_type=_unit_types(completeness, registry))
    rows = rows[rows["period"].isin(periods) & rows["expected"].astype(bool)]
    order = {t: i for i, t in enumerate(TYPE_ORDER)}
    return (
        rows.assign(reported=rows["received"].astype(bool))
        .groupby(["period", "unit_type"], as_index=False)
        .agg(expected=("unit_code", "nunique"), reported=("reported", "sum"))
        .assign(_order=lambda d: d["unit_type"].map(order).fillna(len(order)))
        .sort_values(["period", "_order", "unit_type"])
        .drop(columns="_order")
        .astype({"expected": "int64", "reported": "int64"})
        .reset_index(drop=True)[columns]
    )


def side_coverage(province: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """indicator, units_reporting_<base>, units_expected_<base> for each base of :data:`BASES`."""
    frames = [
        province.loc[province["period"] == q.label, ["indicator", "units_reporting", "units_expected"]]
        .set_index("indicator")
        .add_suffix(f"_{base}")
        for base, q in base_quarters(quarter).items()
    ]
    return pd.concat(frames, axis=1).reset_index().rename(columns={"index": "indicator"})


def _with_figure(by_unit: pd.DataFrame, rates: set[str]) -> pd.DataFrame:
    """The unit rows that count as reported: a figure, or for a rate both its numerator and denominator."""
    rate = by_unit["indicator"].isin(rates)
    pair = by_unit["ratio_num"].notna() & by_unit["ratio_den"].notna()
    return by_unit[(rate & pair) | (~rate & by_unit["value"].notna())]


def _rate(num: pd.Series, den: pd.Series, factor: pd.Index) -> pd.Series:
    return num / den.where(den != 0) * factor


def _against(now: pd.DataFrame, base: pd.DataFrame, name: str, scale: dict[str, float]) -> pd.DataFrame:
    """Like for like of ``now`` against ``base`` (unit rows with a figure), one row per indicator."""
    keep = ["unit_code", "indicator", "value", "ratio_num", "ratio_den"]
    both = now[keep].merge(base[keep], on=["unit_code", "indicator"], how="outer", suffixes=("", "_b"), indicator=True)
    both = both.assign(
        in_now=both["_merge"] != "right_only", in_base=both["_merge"] != "left_only", common=both["_merge"] == "both"
    )
    counts = both.groupby("indicator")[["in_now", "in_base", "common"]].sum()
    sums = (
        both[both["common"]]
        .groupby("indicator")[["value", "value_b", "ratio_num", "ratio_den", "ratio_num_b", "ratio_den_b"]]
        .sum(min_count=1)
    )
    out = counts.join(sums, how="left")
    factor = out.index.map(scale).astype("float64")
    rate = out.index.isin(list(scale))
    current = pd.Series(np.where(rate, _rate(out["ratio_num"], out["ratio_den"], factor), out["value"]), out.index)
    before = pd.Series(np.where(rate, _rate(out["ratio_num_b"], out["ratio_den_b"], factor), out["value_b"]), out.index)
    differ = (out["common"] < out["in_now"]) | (out["common"] < out["in_base"])
    status = change_status(current, before).where(out["common"] > 0, NO_COMMON)
    if set(now["unit_code"]).isdisjoint(base["unit_code"]) and len(now) and len(base):  # e.g. across the reform
        status = pd.Series(DISJOINT, index=out.index)
    return pd.DataFrame(
        {
            f"units_differ_{name}": differ & (out["in_now"] > 0) & (out["in_base"] > 0),
            f"common_units_{name}": out["common"].astype("int64"),
            f"lfl_value_{name}": current,
            f"lfl_{name}": before,
            f"lfl_change_{name}": current - before,
            f"like_for_like_{name}": percent_change(current, before),
            f"lfl_status_{name}": status,
        }
    )


def like_for_like(by_unit: pd.DataFrame, catalogue: Catalogue, quarter: Quarter) -> pd.DataFrame:
    """Per indicator and base (previous, last_year): the change over the units with a figure in both quarters.

    Columns per base: ``units_differ_<base>`` (both quarters have figures, from different sets of units),
    ``common_units_<base>``, ``lfl_value_<base>`` / ``lfl_<base>`` (this quarter's / the base's figure over the common
    units), ``lfl_change_<base>``, ``like_for_like_<base>`` (% change), ``lfl_status_<base>`` (a change status code,
    :data:`NO_COMMON` when no unit reported in both).
    """
    scale = {i.code: i.scale for i in catalogue.indicators if not i.is_input}
    reported = _with_figure(by_unit, set(scale))
    now = reported[reported["period"] == quarter.label]
    bases = base_quarters(quarter).items()
    frames = [_against(now, reported[reported["period"] == q.label], name, scale) for name, q in bases]
    return pd.concat(frames, axis=1).rename_axis("indicator").reset_index()


def unit_since(unit: Unit) -> str:
    """The first quarter a unit has figures for (its ``valid_from`` label), "" for a unit without one. A quarter, not
    a day: a commune formed on the reform's day may report its transition quarter from that quarter's first day
    (``reported_by: communes``), and a unit that began reporting later simply has no earlier figures."""
    return unit.valid_from.label if unit.valid_from else ""


def with_since(unit_cmp: pd.DataFrame, registry: UnitRegistry) -> pd.DataFrame:
    """`unit_cmp` with each unit's ``since`` (its first quarter's label, "" for a unit without one)."""
    units = pd.DataFrame([(u.code, unit_since(u)) for u in registry.units], columns=["unit_code", "since"])
    return unit_cmp.merge(units, on="unit_code", how="left").assign(since=lambda d: d["since"].fillna(""))
