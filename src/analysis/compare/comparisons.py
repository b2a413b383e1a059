"""Comparisons for the quarterly report.

Province totals follow the catalogue's aggregation rule: sums of unit figures, and ratios recomputed from the summed
numerators and denominators (never an average of unit rates). Every comparison says what it compares: a change from
a zero or missing base is a status ("mới phát sinh", "không có số liệu kỳ so sánh"), never a division; province totals
say how many units they cover.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.core.periods import Quarter

MODIFIED_Z_THRESHOLD = 3.5  # Iglewicz & Hoaglin
MIN_HISTORY = 4  # quarters of a unit's own history needed before its figure is judged


# ------------------------------------------------------------------------------------------- tidy tables


def with_ratios(table: pd.DataFrame, catalogue: Catalogue, keys: list[str]) -> pd.DataFrame:
    """Add each ratio indicator per group of `keys`, from that group's own numerator and denominator.

    A ratio row carries the pair it was computed from (`ratio_num`, `ratio_den`), so that sums over quarters or units
    recompute the rate from summed figures; groups with neither figure get no ratio row.
    """
    wide = table.pivot_table(index=keys, columns="indicator", values="value", aggfunc="first", dropna=False)
    rows = []
    for ind in catalogue.indicators:
        if ind.is_input or not ({ind.numerator, ind.denominator} & set(wide.columns)):
            continue
        pair = wide.reindex(columns=[ind.numerator, ind.denominator]).dropna(how="all")
        num, den = pair[ind.numerator], pair[ind.denominator]
        both = num.notna() & den.notna()
        rows.append(
            pd.DataFrame(
                {
                    "value": (num / den.where(den != 0) * ind.scale).where(both),
                    "ratio_num": num.where(both),
                    "ratio_den": den.where(both),
                }
            )
            .reset_index()
            .assign(indicator=ind.code)
        )
    columns = [*keys, "indicator", "value", "ratio_num", "ratio_den"]
    derived = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
    return pd.concat([table, derived.astype({c: "float64" for c in columns[-3:]})], ignore_index=True)


def unit_values(values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Per unit, period and indicator (ratios included, from the unit's own figures)."""
    base = values[["unit_code", "unit_name", "period", "indicator", "value", "approx"]]
    names = base.drop_duplicates("unit_code").set_index("unit_code")["unit_name"]
    out = with_ratios(base.drop(columns="unit_name"), catalogue, ["unit_code", "period"])
    return out.assign(
        unit_name=lambda d: d["unit_code"].map(names),
        approx=lambda d: d["approx"].fillna(False).astype(bool),
    )[["unit_code", "unit_name", "period", "indicator", "value", "approx", "ratio_num", "ratio_den"]]


def expected_units(completeness: pd.DataFrame, keys: list[str] | None = None) -> pd.Series:
    """Number of units expected to report, per period (and group of `keys`)."""
    expected = completeness[completeness["expected"]]
    return expected.groupby([*(keys or []), "period"])["unit_code"].nunique().rename("units_expected")


def province_values(
    values: pd.DataFrame,
    catalogue: Catalogue,
    completeness: pd.DataFrame | None = None,
    keys: list[str] | None = None,
) -> pd.DataFrame:
    """Province figure per period and indicator (per group of `keys`: an area of units), with the number of units
    it covers.

    Sums: units with a figure. Ratios: summed numerators over summed denominators of the units reporting both.
    """
    keys = list(keys or [])
    sums = (
        values.groupby([*keys, "period", "indicator"], as_index=False)
        .agg(
            value=("value", lambda s: s.sum(min_count=1)), units_reporting=("value", "count"), approx=("approx", "any")
        )
        .astype({"units_reporting": "int64"})
    )
    ratios = [_province_ratio(values, ind, keys) for ind in catalogue.indicators if not ind.is_input]
    table = pd.concat([sums, *ratios], ignore_index=True)
    expected = (
        expected_units(completeness, keys)
        if completeness is not None
        else values.groupby([*keys, "period"])["unit_code"].nunique().rename("units_expected")
    )
    return table.merge(expected.reset_index(), on=[*keys, "period"], how="left").astype({"units_expected": "Int64"})


def _province_ratio(values: pd.DataFrame, ind, keys: list[str]) -> pd.DataFrame:
    parts = values[values["indicator"].isin([ind.numerator, ind.denominator])]
    index = [*keys, "period", "unit_code"]
    wide = parts.pivot_table(index=index, columns="indicator", values="value", aggfunc="first")
    for code in (ind.numerator, ind.denominator):
        if code not in wide:
            wide[code] = np.nan
    both = wide.dropna(subset=[ind.numerator, ind.denominator])
    summed = both.groupby(level=[*keys, "period"]).agg(
        num=(ind.numerator, "sum"), den=(ind.denominator, "sum"), units_reporting=(ind.numerator, "size")
    )
    value = summed["num"] / summed["den"].where(summed["den"] != 0) * ind.scale
    return (
        summed.assign(value=value, approx=False, indicator=ind.code)
        .rename(columns={"num": "ratio_num", "den": "ratio_den"}, errors="raise")
        .reset_index()[[*keys, "period", "indicator", "value", "units_reporting", "approx", "ratio_num", "ratio_den"]]
    )


# ---------------------------------------------------------------------------------------------- changes


def change_status(current: pd.Series, base: pd.Series) -> pd.Series:
    """Stable codes for what a change is (increase, decrease, unchanged, new, no_base, no_data); never divides by zero.

    How each is said: `compare.change`."""
    status = np.select(
        [
            current.isna(),
            base.isna(),
            (base == 0) & (current > 0),
            current > base,
            current < base,
        ],
        ["no_data", "no_base", "new", "increase", "decrease"],
        default="unchanged",
    )
    return pd.Series(status, index=current.index, dtype="str")


def percent_change(current: pd.Series, base: pd.Series) -> pd.Series:
    """(current - base) / base × 100, NaN where the base is missing or zero."""
    return (current - base) / base.where(base != 0) * 100


def compare(table: pd.DataFrame, quarter: Quarter, keys: list[str] | None = None) -> pd.DataFrame:
    """For `quarter`: each indicator's value beside the previous quarter and the same quarter last year.

    `table` is tidy (keys…, period, indicator, value). Ratios compare in percentage points (`change_*`); `pct_*`
    is the relative change and is left empty for ratios in the narrative's sense only where the base is 0.
    """
    keys = list(keys or [])
    index = [*keys, "indicator"]
    at = {
        name: table[table["period"] == q.label].set_index(index)["value"].rename(name)
        for name, q in (
            ("value", quarter),
            ("previous", quarter.previous()),
            ("last_year", quarter.same_quarter_last_year()),
        )
    }
    out = pd.concat(at.values(), axis=1).reset_index()
    for base in ("previous", "last_year"):
        out[f"change_{base}"] = out["value"] - out[base]
        out[f"pct_{base}"] = percent_change(out["value"], out[base])
        out[f"status_{base}"] = change_status(out["value"], out[base])
    return out


def summable_over_quarters(catalogue: Catalogue) -> set[str]:
    """Indicators that may be added over quarters; a ratio only when both its numerator and denominator may."""
    flows = {i.code for i in catalogue.indicators if i.is_input and i.sum_over_quarters}
    ratios = {
        i.code
        for i in catalogue.indicators
        if not i.is_input and i.sum_over_quarters and {i.numerator, i.denominator} <= flows
    }
    return flows | ratios


def year_to_date(
    table: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, keys: list[str] | None = None
) -> pd.DataFrame:
    """Sums over the year's quarters up to `quarter` against the same span last year.

    Ratios are recomputed from the summed numerators and denominators their quarterly rows carry (`ratio_num`,
    `ratio_den`): never a sum or mean of quarterly rates. `quarters_reported` counts the span's quarters with a figure,
    so a partial year shows.
    """
    keys = list(keys or [])
    spans = {"value": quarter.year_to_date(), "last_year": quarter.same_quarter_last_year().year_to_date()}
    table = table[table["indicator"].isin(summable_over_quarters(catalogue))]
    scale = {i.code: i.scale for i in catalogue.indicators if not i.is_input}
    if "ratio_num" not in table:  # a plain tidy table: derive each quarter's ratio pairs from its inputs
        table = with_ratios(table[~table["indicator"].isin(scale)], catalogue, [*keys, "period"])
    frames = []
    for name, span in spans.items():
        part = table[table["period"].isin([q.label for q in span])]
        inputs = part[~part["indicator"].isin(scale)].dropna(subset=["value"])
        sums = inputs.groupby([*keys, "indicator"], as_index=False).agg(
            value=("value", "sum"), quarters_reported=("period", "nunique")
        )
        ratios = part[part["indicator"].isin(scale)].dropna(subset=["ratio_num", "ratio_den"])
        rates = ratios.groupby([*keys, "indicator"], as_index=False).agg(
            num=("ratio_num", "sum"), den=("ratio_den", "sum"), quarters_reported=("period", "nunique")
        )
        factor = rates["indicator"].map(scale).astype("float64")
        rates["value"] = rates["num"] / rates["den"].where(rates["den"] != 0) * factor
        frames.append(pd.concat([sums, rates.drop(columns=["num", "den"])], ignore_index=True).assign(span=name))
    both = pd.concat(frames, ignore_index=True)
    out = both.pivot_table(index=[*keys, "indicator"], columns="span", values="value", aggfunc="first", dropna=False)
    out = out.reindex(columns=["value", "last_year"]).reset_index()
    out.columns.name = None
    out["change_last_year"] = out["value"] - out["last_year"]
    out["pct_last_year"] = percent_change(out["value"], out["last_year"])
    out["status_last_year"] = change_status(out["value"], out["last_year"])
    covered = both[both["span"] == "value"][[*keys, "indicator", "quarters_reported"]]
    return (
        out.merge(covered, on=[*keys, "indicator"], how="left")
        .assign(quarters_reported=lambda d: d["quarters_reported"].fillna(0).astype("int64"))
        .assign(quarters_in_span=len(spans["value"]))
    )


# -------------------------------------------------------------------------------------------- units


def rank_units(unit_comparison: pd.DataFrame) -> pd.DataFrame:
    """Rank units per indicator by this quarter's value (1 = largest) among the units of their type when the frame
    has `unit_type` (communes with communes, provincial agencies with agencies: a provincial police office is not
    a commune's peer); units without a figure are not ranked."""
    by = ["indicator", "unit_type"] if "unit_type" in unit_comparison.columns else ["indicator"]
    ranks = unit_comparison.groupby(by, observed=True)["value"].rank(method="min", ascending=False)
    return unit_comparison.assign(
        rank=ranks.astype("Int64"), units_ranked=lambda d: d.groupby(by, observed=True)["value"].transform("count")
    )


def outliers(unit_table: pd.DataFrame, quarter: Quarter, threshold: float = MODIFIED_Z_THRESHOLD) -> pd.DataFrame:
    """Judge each unit's figure for `quarter` against that unit's own earlier quarters (DHIS2-style).

    Modified z-score = 0.6745 × (x − median) / MAD (Iglewicz & Hoaglin; MAD = median absolute deviation; when the MAD
    is 0 the mean absolute deviation × 1.2533 stands in), and min–max bounds of the history. Needs at least
    MIN_HISTORY earlier quarters. Short, zero-heavy quarterly series make both tests jumpy: read flags as
    "worth a look", not as errors.
    """
    current = unit_table[unit_table["period"] == quarter.label].dropna(subset=["value"])
    history = unit_table[(unit_table["period"] < quarter.label)].dropna(subset=["value"])
    stats = history.groupby(["unit_code", "indicator"])["value"].agg(
        n_history="count", median="median", hist_min="min", hist_max="max"
    )
    deviation = history.merge(stats["median"].reset_index(), on=["unit_code", "indicator"]).assign(
        abs_dev=lambda d: (d["value"] - d["median"]).abs()
    )
    spread = deviation.groupby(["unit_code", "indicator"])["abs_dev"].agg(mad="median", mean_ad="mean")
    out = current.merge(stats.join(spread).reset_index(), on=["unit_code", "indicator"], how="left")
    # z = 0.6745 (x − median) / MAD; with MAD 0: z = (x − median) / (1.2533 × mean absolute deviation)
    scale = out["mad"].where(out["mad"] > 0, out["mean_ad"] * 1.2533 * 0.6745)
    z = 0.6745 * (out["value"] - out["median"]) / scale.where(scale > 0)
    enough = out["n_history"].fillna(0) >= MIN_HISTORY
    return out.assign(
        modified_z=z.where(enough),
        outlier=(z.abs() >= threshold).fillna(False) & enough,
        outside_range=((out["value"] < out["hist_min"]) | (out["value"] > out["hist_max"])) & enough,
    )
