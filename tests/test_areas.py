"""Area views across the reform (issue 14): a hand-made crosswalk with a split ward and a commune formed across two
districts; every expected figure below is worked out by hand from the table in the test."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.catalogue.load import load_catalogue
from analysis.compare.areas import area_comparison, area_coverage, area_values
from analysis.core.config import Reform
from analysis.core.periods import Quarter
from analysis.core.succession import SuccessionError, from_mapping
from analysis.core.units import UnitRegistry

Q = Quarter.parse
REFORM = Reform(Q("2025Q3"), date(2025, 7, 1), "communes")

UNITS = [
    {"code": "h_a", "name": "Huyện A", "type": "district", "valid_to": "2025Q2"},
    {"code": "h_b", "name": "Huyện B", "type": "district", "valid_to": "2025Q2"},
    {"code": "h_c", "name": "Huyện C", "type": "district", "valid_to": "2025Q2"},
    {"code": "ca_a", "name": "Công an tỉnh A", "type": "agency", "valid_to": "2025Q2"},
    {"code": "ca_b", "name": "Công an tỉnh B", "type": "agency", "valid_to": "2025Q2"},
    *({"code": f"xa_{i}", "name": f"Xã {i}", "type": "commune", "valid_from": "2025Q3"} for i in range(1, 5)),
    {"code": "cong_an_tinh", "name": "Công an tỉnh", "type": "agency", "valid_from": "2025Q3"},
]  # fmt: skip
REGISTRY = UnitRegistry.from_mapping({"province": {"code": "ab", "name": "Tỉnh AB"}, "units": UNITS})


def _ward(ward, district, province="Tỉnh A", main=False, divided=False):
    unit = {"Huyện A": "h_a", "Huyện B": "h_b", "Huyện C": "h_c"}[district]
    out = {"ward": ward, "district": district, "district_unit": unit, "province": province}
    return out | ({"main": True} if main else {}) | ({"divided": True} if divided else {})


CROSSWALK = {
    "communes": {
        # Xã 1: W1 and part of the split W2 (Huyện A); Xã 2: the other part of W2 and W3 of Huyện B, counted in B
        "xa_1": {"predecessors": [_ward("W1", "Huyện A", main=True), _ward("W2", "Huyện A", divided=True)]},
        "xa_2": {"predecessors": [_ward("W2", "Huyện A", divided=True), _ward("W3", "Huyện B", main=True)]},
        "xa_3": {"predecessors": [_ward("W4", "Huyện B", main=True)]},
        "xa_4": {"predecessors": [_ward("W5", "Huyện C", "Tỉnh B", main=True), _ward("W6", "Huyện C", "Tỉnh B")]},
    },
    "agencies": {"cong_an_tinh": {"name": "Công an tỉnh", "predecessors": ["ca_a", "ca_b"]}},
}  # fmt: skip

FIGURES = {  # TCD01 (lượt) per unit and quarter
    "2024Q3": {"h_a": 100, "h_b": 50, "h_c": 30, "ca_a": 8, "ca_b": 4},
    "2025Q2": {"h_a": 90, "h_c": 28, "ca_a": 7, "ca_b": 5},  # Huyện B sent nothing
    "2025Q3": {"xa_1": 60, "xa_2": 25, "xa_3": 30, "xa_4": 35, "cong_an_tinh": 15},
}


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    values = pd.DataFrame(
        [(u, REGISTRY.get(u).name, p, "TCD01", float(v), False) for p, f in FIGURES.items() for u, v in f.items()],
        columns=["unit_code", "unit_name", "period", "indicator", "value", "approx"],
    )
    expected = [(u.code, p) for p in FIGURES for u in REGISTRY.units if u.active_in(Q(p))]
    completeness = pd.DataFrame(
        [(u, p, True, u in FIGURES[p]) for u, p in expected], columns=["unit_code", "period", "expected", "received"]
    )
    return values, completeness


@pytest.fixture(scope="module")
def compared() -> pd.DataFrame:
    succession = from_mapping(CROSSWALK, REGISTRY, REFORM)
    values, completeness = _tables()
    catalogue = load_catalogue().for_quarter(Q("2025Q3"))
    table = area_values(values, catalogue, completeness, succession)
    coverage = area_coverage(completeness, succession)
    cmp = area_comparison(table, coverage, catalogue, Q("2025Q3"), succession)
    return cmp[cmp["indicator"] == "TCD01"].set_index(["view", "area"])


def test_former_districts_after_the_reform_are_their_successors_by_main_predecessor(compared):
    assert compared.loc[("district", "h_a"), "value"] == 60  # Xã 1 only: Xã 2's main ward W3 lies in Huyện B
    assert compared.loc[("district", "h_b"), "value"] == 25 + 30  # Xã 2 and Xã 3
    assert compared.loc[("district", "h_c"), "value"] == 35
    assert compared.loc[("district", "h_a"), "last_year"] == 100  # before: what the district reported
    assert compared.loc[("district", "h_b"), "pct_last_year"] == pytest.approx(10.0)  # 50 → 55
    assert compared.loc[("district", "h_c"), "pct_last_year"] == pytest.approx(500 / 30)  # 30 → 35


def test_the_districts_of_a_split_ward_or_a_commune_across_them_are_approximate(compared):
    districts = compared.loc["district"]
    assert districts["approximate_last_year"].to_dict() == {"h_a": True, "h_b": True, "h_c": False}
    assert districts.loc["h_a", "reasons"] == "crossing,divided"  # W2 split, and a part of it counted in Huyện B
    assert districts.loc["h_b", "reasons"] == "crossing"
    assert districts.loc["h_a", "status_last_year"] == "decrease"  # approximate, still a number: 100 → 60


def test_former_provinces_sum_their_districts_before_and_their_communes_after(compared):
    assert compared.loc[("province", "tinh_a"), "last_year"] == 150  # Huyện A + Huyện B
    assert compared.loc[("province", "tinh_a"), "value"] == 60 + 25 + 30
    assert not compared.loc[("province", "tinh_a"), "approximate_last_year"]  # the crossing stays inside Tỉnh A
    assert compared.loc[("province", "tinh_b"), "value"] == 35


def test_an_area_missing_a_unit_on_a_side_is_refused_not_a_number(compared):
    a = compared.loc[("province", "tinh_a")]  # Huyện B sent nothing for 2025Q2
    assert a["status_previous"] == "incomplete" and pd.isna(a["pct_previous"]) and pd.isna(a["change_previous"])
    assert not a["approximate_previous"]  # refused, so never said as an estimate
    assert compared.loc[("district", "h_b"), "status_previous"] == "incomplete"
    assert compared.loc[("district", "h_a"), "status_previous"] == "decrease"  # 90 → 60, Huyện A did report
    assert (a["units_received_previous"], a["units_expected_previous"]) == (1, 2)


def test_todays_agency_is_compared_with_the_sum_of_its_predecessors(compared):
    police = compared.loc[("agency", "cong_an_tinh")]
    assert (police["value"], police["last_year"], police["previous"]) == (15, 12, 12)
    assert police["status_last_year"] == "increase" and police["pct_last_year"] == pytest.approx(25.0)


def test_a_crosswalk_naming_a_unit_the_registry_lacks_is_refused_naming_it():
    broken = {"communes": {"xa_9": {"predecessors": [_ward("W1", "Huyện A", main=True)]}}}
    with pytest.raises(SuccessionError, match="crosswalk.yaml: “xa_9” không phải là xã"):
        from_mapping(broken, REGISTRY, REFORM)


def test_a_commune_without_one_main_predecessor_is_refused():
    broken = {"communes": {"xa_1": {"predecessors": [_ward("W1", "Huyện A")]}}}
    with pytest.raises(SuccessionError, match="xa_1 phải có đúng một xã cũ chính"):
        from_mapping(broken, REGISTRY, REFORM)


def test_an_empty_crosswalk_gives_no_area_and_no_error():
    for data in ({}, {"communes": {}}, {"communes": {}, "agencies": {}}):
        succession = from_mapping(data, REGISTRY, REFORM)
        assert succession.members.empty and succession.areas.empty
        values, completeness = _tables()
        assert area_values(values, load_catalogue(), completeness, succession).empty


def test_a_district_whose_wards_all_went_elsewhere_has_no_figure_after_not_a_missing_unit():
    crosswalk = {"communes": {"xa_4": {"predecessors": [_ward("W5", "Huyện C", main=True), _ward("W7", "Huyện B")]}}}
    succession = from_mapping(crosswalk, REGISTRY, REFORM)
    values, completeness = _tables()
    catalogue = load_catalogue().for_quarter(Q("2025Q3"))
    table = area_values(values, catalogue, completeness, succession)
    cmp = area_comparison(table, area_coverage(completeness, succession), catalogue, Q("2025Q3"), succession)
    h_b = cmp.query("view == 'district' and area == 'h_b' and indicator == 'TCD01'").iloc[0]
    assert pd.isna(h_b["value"]) and h_b["last_year"] == 50
    assert h_b["status_last_year"] == "no_data" and h_b["reasons"] == "crossing"  # W7 counted in Huyện C


def test_when_districts_report_the_transition_quarters_first_days_both_parts_are_summed():
    succession = from_mapping(CROSSWALK, REGISTRY, Reform(Q("2025Q3"), date(2025, 7, 1), "districts"))
    values, completeness = _tables()
    early = pd.DataFrame(  # Huyện C reports 2025Q3 up to 30/6: 4 visits; Xã 4 the rest (35, above)
        [("h_c", "Huyện C", "2025Q3", "TCD01", 4.0, False)], columns=values.columns
    )
    values = pd.concat([values, early], ignore_index=True)
    table = area_values(values, load_catalogue(), completeness, succession)
    h_c = table.query("view == 'district' and area == 'h_c' and indicator == 'TCD01'").set_index("period")["value"]
    assert h_c["2025Q3"] == 35 + 4 and h_c["2024Q3"] == 30
    tinh_b = table.query("view == 'province' and area == 'tinh_b' and indicator == 'TCD01'").set_index("period")
    assert tinh_b.loc["2025Q3", "value"] == 39
    members = succession.membership(["2025Q4"])
    assert set(members.query("area == 'h_c'")["unit_code"]) == {"xa_4"}  # after the transition, the communes only


def test_each_commune_is_grouped_with_the_former_district_of_its_main_predecessor():
    table = from_mapping(CROSSWALK, REGISTRY, REFORM).communes_by_district().sort_values("unit_code")
    # Xã 2 holds a piece of Huyện A's W2 but its main predecessor W3 is of Huyện B
    assert list(table["unit_code"]) == ["xa_1", "xa_2", "xa_3", "xa_4"]
    assert list(table["area_name"]) == ["Huyện A", "Huyện B", "Huyện B", "Huyện C"]
    assert list(table["order"]) == [0, 1, 1, 2]  # the crosswalk's order: Tỉnh A's districts, then Tỉnh B's
