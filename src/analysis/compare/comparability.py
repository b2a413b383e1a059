"""The one rule that decides whether a figure is set against a base quarter, for every comparison of a quarter with
the previous one or the same quarter last year that the pages, the Excel tables and the narrative show (the province,
each unit, each area of the crosswalk's views). Year-to-date sums follow the forms' continuity alone
(`continuity.mark_ytd_form_changes`): they are the province's, over the same units' quarters.

A comparison is refused — its status says why and it has no change, so it is worded, never a number — when, first
reason first:

1. ``form_changed``: the figure's definition differs between the two quarters' forms (the catalogue's versions,
   `continuity.comparable`);
2. ``not_comparable``: the unit did not exist in the base quarter (column ``since``, its first quarter: a commune
   formed by the reform against a quarter before it);
3. ``incomplete``: an area's figure (a former district, a former province, an agency and its predecessors) lacks a
   unit expected to report on either side (columns ``complete`` and ``complete_<base>``): a partial sum against a
   whole one is a false change.

Otherwise the change is computed, and:

4. ``approximate_<base>`` is set when an area whose boundary the reform adjusted (column ``boundary_changed``, from
   the crosswalk) is compared across the transition quarter: "ước tính, do điều chỉnh địa giới".

The province's own totals across the transition compare different sets of units: like for like says so
(`coverage.like_for_like`, ``disjoint_units``) and the scope sentences say it once above the figures.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.compare import continuity
from analysis.compare.coverage import NOT_COMPARABLE, base_quarters
from analysis.core.periods import Quarter

__all__ = ["FORM_CHANGED", "INCOMPLETE", "NOT_COMPARABLE", "REFUSED", "judge"]

FORM_CHANGED = continuity.FORM_CHANGED
INCOMPLETE = "incomplete"  # status_<base> of an area figure missing some of its units on a side
REFUSED = (FORM_CHANGED, NOT_COMPARABLE, INCOMPLETE)  # in the order the rule tries them
_CLEARED = ("change_{}", "pct_{}", "lfl_change_{}", "like_for_like_{}")


def _across(transition: Quarter | None, quarter: Quarter, base: Quarter) -> bool:
    """Whether the two quarters lie on either side of the reform (the transition quarter counts as after)."""
    return transition is not None and base < transition <= quarter


def judge(cmp: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, transition: Quarter | None = None) -> pd.DataFrame:
    """`cmp` (a `comparisons.compare` frame, with the optional columns the rule reads) with status_<base> the
    rule's verdict for each base, the changes of a refused comparison emptied (lfl_status_<base> refused alike), and
    approximate_<base> where the columns say a boundary changed."""
    out = cmp.copy()
    for base, base_q in base_quarters(quarter).items():
        reason = pd.Series("", index=out.index, dtype="str")
        changed = out["indicator"].isin(continuity.not_comparable_codes(catalogue, quarter, base_q))
        reason = reason.mask(changed, FORM_CHANGED)
        if "since" in out:
            reason = reason.mask((reason == "") & (out["since"].fillna("") > base_q.label), NOT_COMPARABLE)
        if "complete" in out:
            whole = out["complete"].astype(bool) & out[f"complete_{base}"].astype(bool)
            reason = reason.mask((reason == "") & ~whole, INCOMPLETE)
        refused = reason != ""
        out[f"status_{base}"] = out[f"status_{base}"].where(~refused, reason)
        for pattern in _CLEARED:
            if pattern.format(base) in out:
                out[pattern.format(base)] = out[pattern.format(base)].where(~refused)
        if f"lfl_status_{base}" in out:  # a like-for-like change refused the same way, and never said
            out[f"lfl_status_{base}"] = out[f"lfl_status_{base}"].where(~refused, reason)
            out[f"units_differ_{base}"] = out[f"units_differ_{base}"] & ~refused
        if "boundary_changed" in out:
            across = _across(transition, quarter, base_q)
            out[f"approximate_{base}"] = out["boundary_changed"].astype(bool) & across & ~refused
    return out
