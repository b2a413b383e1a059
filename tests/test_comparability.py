"""The one comparability rule (issue 14): which reason refuses a comparison first, and when a number is an estimate."""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.load import load_catalogue
from analysis.compare.comparability import judge
from analysis.core.periods import Quarter

Q = Quarter.parse


def _cmp(rows: list[dict]) -> pd.DataFrame:
    base = {"value": 12.0, "previous": 10.0, "last_year": 8.0, "status_previous": "increase",
            "status_last_year": "increase", "change_previous": 2.0, "pct_previous": 20.0, "change_last_year": 4.0,
            "pct_last_year": 50.0}  # fmt: skip
    return pd.DataFrame([base | r for r in rows])


def test_a_changed_form_comes_first_then_a_unit_too_new_then_a_missing_unit():
    catalogue = load_catalogue()  # 2025Q4 is the first quarter of TT 06/2025: 01/PCTN (PCTN01) changed
    cmp = _cmp(
        [
            {"indicator": "PCTN01", "since": "2025Q4", "complete": False},  # all three reasons: the form's first
            {"indicator": "TCD01", "since": "2025Q4", "complete": False},  # a unit of 2025Q4 against older quarters
            {"indicator": "TCD01", "since": "", "complete": False},  # an area missing a unit this quarter
            {"indicator": "TCD01", "since": "", "complete": True},
        ]
    ).assign(complete_previous=True, complete_last_year=True)
    out = judge(cmp, catalogue, Q("2025Q4"))
    assert list(out["status_previous"]) == ["form_changed", "not_comparable", "incomplete", "increase"]
    assert list(out["status_last_year"]) == ["form_changed", "not_comparable", "incomplete", "increase"]
    assert out["pct_last_year"].isna().tolist() == [True, True, True, False]  # refused: no number left
    assert out.loc[3, "pct_last_year"] == 50.0


def test_an_adjusted_boundary_is_an_estimate_only_across_the_transition_and_never_when_refused():
    catalogue = load_catalogue()
    cmp = _cmp([{"indicator": "TCD01", "boundary_changed": True, "complete": True, "complete_previous": True,
                 "complete_last_year": False}])  # fmt: skip
    in_transition = judge(cmp, catalogue, Q("2025Q3"), transition=Q("2025Q3")).iloc[0]
    assert bool(in_transition["approximate_previous"])  # 2025Q2 (districts) against 2025Q3 (communes)
    assert in_transition["status_last_year"] == "incomplete" and not in_transition["approximate_last_year"]
    later = judge(cmp.assign(complete_last_year=True), catalogue, Q("2026Q3"), transition=Q("2025Q3")).iloc[0]
    assert not later["approximate_previous"] and not later["approximate_last_year"]  # both sides after the reform
    year_on = judge(cmp.assign(complete_last_year=True), catalogue, Q("2026Q2"), transition=Q("2025Q3")).iloc[0]
    assert not year_on["approximate_previous"] and bool(year_on["approximate_last_year"])  # 2025Q2 against 2026Q2
