"""The figures of one quarter the narrative speaks of: one row per indicator of the catalogue, built once.

:func:`quarter_facts` joins, per indicator (index ``indicator``, catalogue order):

* the province comparison — ``value``, ``previous``, ``last_year``, ``change_*``, ``pct_*``, ``status_*`` (``no_data``
  where the indicator has no row), ``units_reporting``, ``units_expected`` and per base (``previous``,
  ``last_year``) its coverage and like for like (``units_reporting_<base>``, ``units_expected_<base>``,
  ``units_differ_<base>``, ``common_units_<base>``, ``lfl_value_<base>``, ``lfl_<base>``, ``lfl_change_<base>``,
  ``like_for_like_<base>``, ``lfl_status_<base>``: ``compare.coverage.like_for_like``);
* per span of quarters (``now``, ``previous``, ``last_year``, ``ytd``, ``ytd_base`` = the year to date last year) a
  rate's summed numerator and denominator over the quarters that have both (``<span>_num``, ``<span>_den``; NaN when
  none has) and the number of quarters with a figure (``<span>_figures``);
* year to date (from quý II on, else empty) — ``ytd_value``, ``ytd_last_year``, ``ytd_change_last_year``,
  ``ytd_pct_last_year``, ``ytd_status_last_year``, ``ytd_quarters_reported``, ``ytd_quarters_in_span``;
* ``approx`` (a unit gave an estimate), ``not_received`` / ``blank`` (the expected units, in registry order, that
  sent no report / left the figure blank; tuples of unit codes);
* ``state`` and ``ytd_state``: ``ok``, ``missing`` or ``zero_base`` (a rate of 0/0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.compare import continuity

if TYPE_CHECKING:
    from analysis.compare.report_data import ReportData

__all__ = ["COMPARISON_COLUMNS", "SPANS", "quarter_facts"]

COMPARISON_COLUMNS = [
    "value",
    "previous",
    "last_year",
    "change_previous",
    "pct_previous",
    "status_previous",
    "change_last_year",
    "pct_last_year",
    "status_last_year",
    "units_reporting",
    "units_expected",
    *(
        f"{column}_{base}"
        for base in ("previous", "last_year")
        for column in (
            "units_reporting",
            "units_expected",
            "units_differ",
            "common_units",
            "lfl_value",
            "lfl",
            "lfl_change",
            "like_for_like",
            "lfl_status",
        )
    ),
]
YTD_COLUMNS = ["value", "last_year", "change_last_year", "pct_last_year", "status_last_year"]
YTD_COLUMNS += ["quarters_reported", "quarters_in_span"]
SPANS = ("now", "previous", "last_year", "ytd", "ytd_base")
NO_DATA = "no_data"


def _comparison(data: ReportData, codes: pd.Index) -> pd.DataFrame:
    cmp = data.province_comparison.set_index("indicator").reindex(index=codes, columns=COMPARISON_COLUMNS)
    counts = [c for c in COMPARISON_COLUMNS if c.startswith(("units_reporting", "units_expected", "common_units"))]
    bases = ("previous", "last_year")
    differ = {f"units_differ_{b}": cmp[f"units_differ_{b}"].astype("boolean").fillna(False).astype(bool) for b in bases}
    return (
        cmp.astype(dict.fromkeys(counts, "float64"))
        .fillna({"status_previous": NO_DATA, "status_last_year": NO_DATA})
        .fillna({f"lfl_status_{b}": NO_DATA for b in bases})
        .assign(**differ)
    )


def _year_to_date(data: ReportData, codes: pd.Index) -> pd.DataFrame:
    ytd = data.province_ytd if data.quarter.quarter > 1 else data.province_ytd.iloc[:0]
    out = ytd.set_index("indicator").reindex(index=codes, columns=YTD_COLUMNS)
    out = out.astype({"quarters_reported": "float64", "quarters_in_span": "float64"})
    return out.fillna({"status_last_year": NO_DATA}).add_prefix("ytd_")


def _span_periods(data: ReportData) -> pd.DataFrame:
    q, last_year = data.quarter, data.quarter.same_quarter_last_year()
    spans = {
        "now": [q],
        "previous": [q.previous()],
        "last_year": [last_year],
        "ytd": q.year_to_date(),
        "ytd_base": last_year.year_to_date(),
    }
    rows = [(p.label, name) for name, quarters in spans.items() for p in quarters]
    return pd.DataFrame(rows, columns=["period", "span"])


def _spans(data: ReportData, codes: pd.Index, rates: pd.Index) -> pd.DataFrame:
    """<span>_num, <span>_den (summed over the span's quarters with both) and <span>_figures per indicator."""
    rows = data.province.reindex(columns=["period", "indicator", "value", "ratio_num", "ratio_den"])
    rows = rows.merge(_span_periods(data), on="period")
    pair = rows["ratio_num"].notna() & rows["ratio_den"].notna()
    rate = rows["indicator"].isin(rates)
    rows = rows.assign(
        num=rows["ratio_num"].where(pair),
        den=rows["ratio_den"].where(pair),
        figures=(rows["ratio_den"].notna() & rate) | (rows["value"].notna() & ~rate),
    )
    groups = rows.groupby(["indicator", "span"])
    summed = groups[["num", "den"]].sum(min_count=1).join(groups["figures"].sum())
    wide = summed.unstack("span").reindex(
        columns=pd.MultiIndex.from_product([["num", "den", "figures"], SPANS]), index=codes
    )
    wide.columns = [f"{span}_{measure}" for measure, span in wide.columns]
    return wide.fillna({f"{span}_figures": 0 for span in SPANS})


def _has_figure(data: ReportData) -> pd.DataFrame:
    """(indicator, unit_code) of every figure a unit gave this quarter; a rate where it gave both of its parts."""
    catalogue, values = data.catalogue, data.values
    now = (values["period"] == data.quarter.label) & values["value"].notna()
    reported = values.loc[now, ["indicator", "unit_code"]].drop_duplicates()
    parts = pd.DataFrame(
        [(i.code, i.numerator, i.denominator) for i in catalogue.indicators if not i.is_input],
        columns=["indicator", "numerator", "denominator"],
    )
    by_part = reported.rename(columns={"indicator": "part"})
    rates = parts.merge(by_part, left_on="numerator", right_on="part").merge(
        by_part, left_on=["denominator", "unit_code"], right_on=["part", "unit_code"]
    )
    inputs = reported[reported["indicator"].isin([i.code for i in catalogue.indicators if i.is_input])]
    return pd.concat([inputs, rates[["indicator", "unit_code"]]], ignore_index=True).drop_duplicates()


def _lacking(data: ReportData, codes: pd.Index) -> pd.DataFrame:
    """not_received, blank: the expected units without the figure, in registry order."""
    now = data.completeness_now()
    order = {code: i for i, code in enumerate(data.registry.codes)}
    expected = (
        now.loc[now["expected"].astype(bool), ["unit_code", "received"]]
        .assign(order=lambda d: d["unit_code"].map(order).fillna(len(order)))
        .sort_values("order", kind="stable")
        .assign(received=lambda d: d["received"].astype(bool))
    )
    grid = pd.DataFrame({"indicator": codes}).merge(expected[["unit_code", "received"]], how="cross")
    has = _has_figure(data).assign(has=True)
    lacking = grid.merge(has, on=["indicator", "unit_code"], how="left").loc[lambda d: d["has"].isna()]
    out = {}
    for column, received in (("not_received", False), ("blank", True)):
        units = lacking[lacking["received"] == received].groupby("indicator", sort=False)["unit_code"].agg(tuple)
        out[column] = [units.get(code, ()) for code in codes]
    return pd.DataFrame(out, index=codes)


def _approx(data: ReportData, codes: pd.Index) -> pd.Series:
    now = data.province[data.province["period"] == data.quarter.label].set_index("indicator")
    return now["approx"].reindex(codes).astype("boolean").fillna(False).astype(bool).rename("approx")


def _states(facts: pd.DataFrame, rates: pd.Index, ytd_length: int) -> pd.DataFrame:
    """state / ytd_state; year to date a 0/0 over only some of the quarters is missing, not "không phát sinh"."""
    rate = facts.index.isin(rates)
    state = np.select(
        [rate & facts["now_den"].isna(), rate & (facts["now_den"] == 0), rate, facts["value"].isna()],
        ["missing", "zero_base", "ok", "missing"],
        default="ok",
    )
    zero = rate & (facts["ytd_den"] == 0)
    ytd_state = np.select(
        [rate & facts["ytd_den"].isna(), zero & (facts["ytd_figures"] == ytd_length), zero, rate],
        ["missing", "zero_base", "missing", "ok"],
        default=np.where(facts["ytd_value"].isna(), "missing", "ok"),
    )
    return facts.assign(state=state, ytd_state=ytd_state)


def quarter_facts(data: ReportData) -> pd.DataFrame:
    """One row per indicator of the catalogue with every figure its sentences use (see the module docstring)."""
    catalogue = data.catalogue
    codes = pd.Index([i.code for i in catalogue.indicators], name="indicator")
    rates = pd.Index([i.code for i in catalogue.indicators if not i.is_input])
    facts = (
        _comparison(data, codes)
        .join(_spans(data, codes, rates))
        .join(_year_to_date(data, codes))
        .join(_approx(data, codes))
        .join(_lacking(data, codes))
    )
    return _states(facts, rates, len(data.quarter.year_to_date())).assign(ytd_since=_ytd_since(data, codes))


def _ytd_since(data: ReportData, codes: pd.Index) -> pd.Series:
    """The first quarter of a figure's definition when it starts inside this year to date (its sum would mix two
    definitions: not made, see `continuity.mark_ytd_form_changes`), else None."""
    first = data.quarter.year_to_date()[0]
    starts = [continuity.series_start(data.catalogue, code, data.quarter) for code in codes]
    return pd.Series([s if s is not None and s > first else None for s in starts], index=codes, dtype=object)
