"""The facts frame of one quarter (analysis.narrative.facts) on the hand-made quarter of tests/narrative_quarter.py:
one row per indicator, every figure the wording reads worked out by hand from FIGURES."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.narrative.facts import quarter_facts
from tests.narrative_quarter import CATALOGUE, fixture_data


@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return quarter_facts(fixture_data("2021Q3"))


def row(facts: pd.DataFrame, code: str) -> dict:
    return facts.loc[code].to_dict()


def test_one_row_per_indicator_in_catalogue_order(facts) -> None:
    assert list(facts.index) == [i.code for i in CATALOGUE.indicators]
    assert facts.index.is_unique


def test_the_comparison_and_the_coverage(facts) -> None:
    tcd01 = row(facts, "TCD01")
    assert (tcd01["value"], tcd01["previous"], tcd01["last_year"]) == (7048, 6473, 6655)
    assert (tcd01["status_previous"], tcd01["status_last_year"]) == ("increase", "increase")
    assert tcd01["pct_previous"] == pytest.approx(575 / 6473 * 100)
    assert (tcd01["units_reporting"], tcd01["units_expected"]) == (2, 3)
    assert tcd01["not_received"] == ("thanh_tra_tinh",) and tcd01["blank"] == ()
    pctn01 = row(facts, "PCTN01")
    assert (pctn01["value"], pctn01["units_reporting"]) == (3, 1)
    assert pctn01["not_received"] == ("thanh_tra_tinh",) and pctn01["blank"] == ("binh_yen",)
    assert row(facts, "DV01")["approx"] and not tcd01["approx"]


def test_an_indicator_without_any_figure(facts) -> None:
    tcd12 = row(facts, "TCD12")
    assert math.isnan(tcd12["value"]) and math.isnan(tcd12["units_reporting"])
    assert (tcd12["status_previous"], tcd12["ytd_status_last_year"]) == ("no_data", "no_data")
    assert (tcd12["state"], tcd12["ytd_state"]) == ("missing", "missing")
    assert tcd12["not_received"] == ("thanh_tra_tinh",) and tcd12["blank"] == ("an_hoa", "binh_yen")


def test_rate_pairs_per_span(facts) -> None:
    gq05 = row(facts, "GQ05")
    assert (gq05["now_num"], gq05["now_den"]) == (238, 316)
    assert (gq05["previous_num"], gq05["previous_den"]) == (210, 300)
    assert math.isnan(gq05["last_year_den"])  # no 2020Q3
    assert (gq05["ytd_num"], gq05["ytd_den"], gq05["ytd_figures"]) == (448, 616, 2)  # 2021Q2 + Q3
    assert gq05["ytd_base_figures"] == 0
    assert (gq05["state"], gq05["ytd_state"]) == ("ok", "ok")
    # GQ01 is a stock (not summed over quarters): its rate has no year-to-date value, only the summed pair
    assert math.isnan(gq05["ytd_value"])


def test_zero_over_zero(facts) -> None:
    gq15 = row(facts, "GQ15")
    assert (gq15["now_num"], gq15["now_den"], gq15["ytd_den"], gq15["ytd_figures"]) == (0, 0, 0, 1)
    assert gq15["state"] == "zero_base"
    assert gq15["ytd_state"] == "missing"  # 0/0 in one quarter of three


def test_year_to_date(facts) -> None:
    tcd01 = row(facts, "TCD01")
    assert (tcd01["ytd_value"], tcd01["ytd_last_year"]) == (19521, 12655)
    assert (tcd01["ytd_quarters_reported"], tcd01["ytd_quarters_in_span"], tcd01["ytd_base_figures"]) == (3, 3, 3)
    tcd03 = row(facts, "TCD03")
    assert (tcd03["ytd_value"], tcd03["ytd_quarters_reported"], tcd03["ytd_figures"]) == (1900, 2, 2)
    vp04 = row(facts, "VP04")
    assert (vp04["ytd_value"], vp04["ytd_last_year"], vp04["ytd_base_figures"]) == (55410, 19875, 1)


def test_no_year_to_date_in_the_first_quarter() -> None:
    q1 = quarter_facts(fixture_data("2021Q1"))
    assert q1["ytd_value"].isna().all() and q1["ytd_quarters_reported"].isna().all()
    assert set(q1["ytd_status_last_year"]) == {"no_data"}
    assert q1.at["TCD01", "value"] == 6000 and q1.at["TCD01", "ytd_state"] == "missing"
