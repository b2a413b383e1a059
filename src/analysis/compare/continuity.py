"""Comparisons across a change of forms: a figure is set against a base quarter only when its concept has the same
definition in both (the catalogue's versions, `catalogue.versions.Versions.comparable`); otherwise its status for
that base is :data:`FORM_CHANGED` and it has no change, never a number against a different definition (applied
with the other reasons by `comparability.judge`).
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.core.periods import Quarter

FORM_CHANGED = "form_changed"  # status_<base> of a figure whose definition differs between the two quarters
BASES = ("previous", "last_year")


def base_quarter(quarter: Quarter, base: str) -> Quarter:
    return quarter.previous() if base == "previous" else quarter.same_quarter_last_year()


def comparable(catalogue: Catalogue, code: str, quarter: Quarter, base: Quarter) -> bool:
    """Whether indicator `code` of `quarter` may be compared with `base`: for a ratio, both its parts may."""
    whole = catalogue.whole or catalogue
    if not whole.versions:
        return True
    item = whole.indicator(code)
    parts = (code,) if item.is_input else (item.numerator, item.denominator)
    return all(whole.versions.comparable(part, quarter, base) for part in parts)


def not_comparable_codes(catalogue: Catalogue, quarter: Quarter, base: Quarter) -> set[str]:
    """Indicators of the quarter's forms that cannot be compared with `base` (their definition changed, or the
    base quarter's forms did not carry them)."""
    forms = catalogue.for_quarter(quarter)
    return {i.code for i in forms.indicators if not comparable(catalogue, i.code, quarter, base)}


def series_start(catalogue: Catalogue, code: str, quarter: Quarter) -> Quarter | None:
    """The first quarter of the unbroken series of `code` as `quarter`'s forms define it (a ratio: the later start
    of its parts); None when it runs back to the earliest version."""
    whole = catalogue.whole or catalogue
    if not whole.versions:
        return None
    item = whole.indicator(code)
    parts = (code,) if item.is_input else (item.numerator, item.denominator)
    starts = [s for s in (whole.versions.series_start(part, quarter) for part in parts) if s is not None]
    return max(starts) if starts else None


def same_definition(table: pd.DataFrame, catalogue: Catalogue, quarter: Quarter) -> pd.DataFrame:
    """The rows of a tidy table (period, indicator, …) whose figure has the definition it has in `quarter`: a unit's
    history judged against its own earlier quarters (outliers) never reaches past a change of forms."""
    starts = {code: series_start(catalogue, code, quarter) for code in table["indicator"].unique()}
    first = table["indicator"].map({code: (s.label if s else "") for code, s in starts.items()})
    return table[table["period"] >= first]


def mark_ytd_form_changes(ytd: pd.DataFrame, catalogue: Catalogue, quarter: Quarter) -> pd.DataFrame:
    """A year-to-date frame (`comparisons.year_to_date`) with no sum where this year's span mixes two definitions
    of a figure, and no comparison where last year's span has another definition than this year's: status
    :data:`FORM_CHANGED` for both."""
    out = ytd.copy()
    starts = out["indicator"].map(lambda code: series_start(catalogue, code, quarter))
    begins = {"value": quarter.year_to_date()[0], "last_year": quarter.same_quarter_last_year().year_to_date()[0]}
    mixed = starts.map(lambda s: s is not None and s > begins["value"]).astype(bool)
    other = starts.map(lambda s: s is not None and s > begins["last_year"]).astype(bool) | mixed
    out["value"] = out["value"].where(~mixed)
    for column in ("last_year", "change_last_year", "pct_last_year"):
        out[column] = out[column].where(~other)
    out["status_last_year"] = out["status_last_year"].where(~other, FORM_CHANGED)
    return out
