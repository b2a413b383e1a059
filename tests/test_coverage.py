"""Comparisons when the set of units changes: coverage on both sides, like for like, units too new to compare.

A hand-made province of four units, compared in 2021Q3 with 2021Q2 (previous) and 2020Q3 (same quarter last year):

* Huyện An Hòa and Huyện Bình Yên (districts) and Thanh tra tỉnh (agency) report every quarter;
* Sở Mới (agency) exists from 2021Q3 (``valid_from``): it has no figure before;
* in 2021Q3 Bình Yên sent its report but left TCD01 blank.

TCD01 (a sum)      2020Q3: 100 + 50 + 10 = 160   2021Q2: 120 + 60 + 10 = 190   2021Q3: 130 + — + 20 + 30 = 180
  province change vs 2021Q2: 180/190 − 1 = −5,26%; vs 2020Q3: 180/160 − 1 = +12,5% (the sums of what was reported)
  like for like vs 2021Q2: An Hòa + Thanh tra (Bình Yên blank now, Sở Mới absent then) 150 vs 130: +15,38%
  like for like vs 2020Q3: the same two units, 150 vs 110: +36,36%
GQ05 = GQ03 / GQ01 (a rate)   2020Q3: An Hòa 40/100   2021Q3: An Hòa 50/100, Sở Mới 90/100
  province 140/200 = 70,0% vs 40,0%; like for like (An Hòa only) 50,0% vs 40,0%: +10,0 points; no 2021Q2 figure
TCD02              2021Q2: Bình Yên 3   2021Q3: Sở Mới 5: no unit in both quarters
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue.load import load_catalogue
from analysis.compare import coverage
from analysis.compare.report_data import ReportData
from analysis.core.config import ProvinceConfig, Reform
from analysis.core.periods import CutoffRule, Quarter
from analysis.core.units import UnitRegistry
from analysis.narrative.build import build_narrative, render_text
from analysis.narrative.scope import units_coverage_sentence
from analysis.views import tables
from analysis.views.wording import coverage_note, like_for_like_of

NAN = np.nan
CATALOGUE = load_catalogue()
UNITS = UnitRegistry.from_mapping(
    {
        "province": {"code": "thu_nghiem", "name": "Tỉnh Thử Nghiệm"},
        "units": [
            {"code": "an_hoa", "name": "Huyện An Hòa", "type": "district"},
            {"code": "binh_yen", "name": "Huyện Bình Yên", "type": "district"},
            {"code": "thanh_tra", "name": "Thanh tra tỉnh", "type": "agency"},
            {"code": "so_moi", "name": "Sở Mới", "type": "agency", "valid_from": "2021Q3"},
        ],
    },
    source="test",
)
NAMES = {u.code: u.name for u in UNITS.units}
ORDER = ("an_hoa", "binh_yen", "thanh_tra", "so_moi")
FIGURES = {  # indicator → period → figures in ORDER (None: no row)
    "TCD01": {"2020Q3": (100, 50, 10, None), "2021Q2": (120, 60, 10, None), "2021Q3": (130, NAN, 20, 30)},
    "GQ01": {"2020Q3": (100, None, None, None), "2021Q3": (100, None, None, 100)},
    "GQ03": {"2020Q3": (40, None, None, None), "2021Q3": (50, None, None, 90)},
    "TCD02": {"2021Q2": (None, 3, None, None), "2021Q3": (None, None, None, 5)},
}
PERIODS = ("2020Q3", "2021Q2", "2021Q3")


def _values() -> pd.DataFrame:
    rows = [
        {"unit_code": u, "unit_name": NAMES[u], "period": p, "indicator": code, "value": float(v), "approx": False}
        for code, by_period in FIGURES.items()
        for p, figures in by_period.items()
        for u, v in zip(ORDER, figures, strict=True)
        if v is not None
    ]
    return pd.DataFrame(rows)


def _completeness() -> pd.DataFrame:
    rows = [
        {"period": p, "unit_code": u, "expected": True, "received": True}
        for p in PERIODS
        for u in ORDER
        if u != "so_moi" or p == "2021Q3"
    ]
    frame = pd.DataFrame(rows)
    types = {u.code: u.type for u in UNITS.units}
    return frame.assign(unit_name=frame["unit_code"].map(NAMES), unit_type=frame["unit_code"].map(types))


def data(reform: Reform | None = None) -> ReportData:
    config = ProvinceConfig(CutoffRule(15, 14), 7, Quarter(2020, 1), "Báo cáo", reform=reform)
    return ReportData(
        quarter=Quarter(2021, 3),
        catalogue=CATALOGUE,
        registry=UNITS,
        values=_values(),
        submissions=pd.DataFrame(),
        issues=pd.DataFrame(),
        completeness=_completeness(),
        province_config=config,
    )


@pytest.fixture(scope="module")
def province() -> pd.DataFrame:
    return data().province_comparison.set_index("indicator")


def test_province_totals_stay_the_sums_of_what_was_reported(province):
    row = province.loc["TCD01"]
    assert (row["value"], row["previous"], row["last_year"]) == (180, 190, 160)
    assert row["pct_previous"] == pytest.approx(-5.263, abs=1e-3) and row["pct_last_year"] == pytest.approx(12.5)


def test_like_for_like_on_the_units_present_in_both_quarters(province):
    row = province.loc["TCD01"]
    assert bool(row["units_differ_previous"]) and bool(row["units_differ_last_year"])
    assert (row["common_units_previous"], row["lfl_value_previous"], row["lfl_previous"]) == (2, 150, 130)
    assert row["like_for_like_previous"] == pytest.approx(15.385, abs=1e-3)
    assert (row["common_units_last_year"], row["lfl_value_last_year"], row["lfl_last_year"]) == (2, 150, 110)
    assert row["like_for_like_last_year"] == pytest.approx(36.364, abs=1e-3)
    assert row["lfl_status_last_year"] == "increase"


def test_a_rate_like_for_like_is_recomputed_from_the_common_units(province):
    row = province.loc["GQ05"]
    assert row["value"] == pytest.approx(70.0) and row["last_year"] == pytest.approx(40.0)
    assert row["lfl_value_last_year"] == pytest.approx(50.0) and row["lfl_last_year"] == pytest.approx(40.0)
    assert row["lfl_change_last_year"] == pytest.approx(10.0) and row["common_units_last_year"] == 1
    assert not row["units_differ_previous"]  # no 2021Q2 figure at all: the plain comparison says so


def test_no_unit_in_both_quarters(province):
    row = province.loc["TCD02"]
    assert bool(row["units_differ_previous"]) and row["common_units_previous"] == 0
    assert row["lfl_status_previous"] == coverage.NO_COMMON


def test_the_province_table_shows_like_for_like_only_where_the_units_differ():
    q = Quarter(2021, 3)
    table = tables.comparison_table(data().province_comparison, CATALOGUE, q, ["TCD01", "TCD02", "GQ05"])
    previous = "So với quý II/2021, cùng đơn vị báo cáo cả hai kỳ"
    last_year = "So với cùng kỳ năm 2020, cùng đơn vị báo cáo cả hai kỳ"
    assert list(table[previous]) == [
        "tăng 15,4% (2 đơn vị)",
        "không có đơn vị báo cáo ở cả hai kỳ",
        "",
    ]
    assert table[last_year].iloc[0] == "tăng 36,4% (2 đơn vị)"
    assert table[last_year].iloc[2] == "tăng 10,0 điểm phần trăm (1 đơn vị)"
    assert table.attrs["cell_class"][previous] == ["tang", "", ""]


def test_the_coverage_of_both_sides_by_unit_type():
    assert units_coverage_sentence(data()) == (
        "Đơn vị báo cáo quý III/2021: 2/2 huyện và 2/2 cơ quan; quý II/2021: 2/2 huyện và 1/1 cơ quan; "
        "cùng kỳ năm 2020 (quý III/2020): 2/2 huyện và 1/1 cơ quan."
    )


def test_a_figures_coverage_note_names_every_side_when_one_is_incomplete(province):
    # TCD01: 3 of the 4 expected units gave it now (Bình Yên blank); all 3 expected then, both quarters
    note = "(số liệu của 3/4 đơn vị; quý II/2021: 3/3 đơn vị; quý III/2020: 3/3 đơn vị)"
    assert coverage_note(province.loc["TCD01"], Quarter(2021, 3)) == note
    complete = {"units_reporting": 3, "units_expected": 3, "units_reporting_previous": 3, "units_expected_previous": 3}
    assert coverage_note(complete, Quarter(2021, 3)) == ""


def test_the_narrative_says_like_for_like_and_both_sides():
    text = render_text(build_narrative(data(), exact=True))
    # 130 + 20 + 30 = 180 lượt: −5,3% / +12,5%; like for like +15,4% / +36,4% on 2 units
    assert (
        "tăng 12,5% so với cùng kỳ năm 2020; riêng 2 đơn vị báo cáo cả hai kỳ: tăng 15,4% so với quý II/2021; "
        "riêng 2 đơn vị báo cáo cả hai kỳ: tăng 36,4% so với cùng kỳ năm 2020"
    ) in text
    assert "số liệu của 3/4 đơn vị; Huyện Bình Yên chưa báo cáo số liệu này; quý II/2021: 3/3 đơn vị" in text


@pytest.mark.parametrize(
    "reform", [None, Reform(Quarter(2021, 3), date(2021, 7, 1), "communes")], ids=["no reform", "reform"]
)
def test_a_unit_is_not_compared_with_a_quarter_before_it_existed(reform):
    cmp = data(reform).unit_comparison
    new = cmp[(cmp["unit_code"] == "so_moi") & (cmp["indicator"] == "TCD01")].iloc[0]
    assert (new["status_previous"], new["status_last_year"]) == ("not_comparable", "not_comparable")
    table = tables.comparison_table(cmp[cmp["unit_code"] == "so_moi"], CATALOGUE, Quarter(2021, 3), ["TCD01"])
    # the unit's own table: a short cell (the reason once, in the unit's summary); the ranking table says why
    assert table.iloc[0]["So với quý II/2021"] == table.iloc[0]["So với cùng kỳ năm 2020"] == "không so sánh được"
    old = cmp[(cmp["unit_code"] == "an_hoa") & (cmp["indicator"] == "TCD01")].iloc[0]
    assert old["status_previous"] == "increase"  # 130 vs 120


def test_the_ranking_table_says_not_comparable_too():
    table = tables.ranking_table(data().unit_comparison, CATALOGUE, Quarter(2021, 3), "TCD01")
    row = table[table["Đơn vị"] == "Sở Mới"].iloc[0]
    assert row["So với cùng kỳ năm 2020"] == "không so sánh được (đơn vị mới, có số liệu từ quý III/2021)"


def test_coverage_by_type_counts_expected_and_received():
    frame = coverage.coverage_by_type(_completeness(), UNITS, ["2021Q3"])
    assert frame.to_dict("records") == [
        {"period": "2021Q3", "unit_type": "district", "expected": 2, "reported": 2},
        {"period": "2021Q3", "unit_type": "agency", "expected": 2, "reported": 2},
    ]


def test_a_unit_that_no_longer_reports_has_no_row_in_this_quarters_unit_tables():
    """Bình Yên ends in 2021Q2 (as districts ended in 2025Q2) and gave no figure in 2021Q3: not among the units."""
    import dataclasses

    ended = UnitRegistry.from_mapping(
        {
            "province": {"code": "thu_nghiem", "name": "Tỉnh Thử Nghiệm"},
            "units": [
                {**u, "valid_to": "2021Q2"} if u["code"] == "binh_yen" else u
                for u in [
                    {"code": "an_hoa", "name": "Huyện An Hòa", "type": "district"},
                    {"code": "binh_yen", "name": "Huyện Bình Yên", "type": "district"},
                    {"code": "thanh_tra", "name": "Thanh tra tỉnh", "type": "agency"},
                    {"code": "so_moi", "name": "Sở Mới", "type": "agency", "valid_from": "2021Q3"},
                ]
            ],
        },
        source="test",
    )
    cmp = dataclasses.replace(data(), registry=ended).unit_comparison
    assert sorted(set(cmp["unit_code"])) == ["an_hoa", "so_moi", "thanh_tra"]
    assert "binh_yen" in set(data().unit_comparison["unit_code"])  # still expected: its blank row stays


def test_when_no_unit_is_in_both_quarters_it_is_said_once_not_per_figure():
    """2021Q2: only Bình Yên reported; 2021Q3: only An Hòa (the whole set changed, as across the reform)."""
    from analysis.narrative.scope import scope_sentences

    values = pd.DataFrame(
        [
            {"unit_code": u, "unit_name": NAMES[u], "period": p, "indicator": "TCD01", "value": v, "approx": False}
            for u, p, v in [("binh_yen", "2021Q2", 60.0), ("an_hoa", "2021Q3", 130.0)]
        ]
    )
    base = data()
    disjoint = ReportData(
        quarter=base.quarter,
        catalogue=CATALOGUE,
        registry=UNITS,
        values=values,
        submissions=pd.DataFrame(),
        issues=pd.DataFrame(),
        completeness=_completeness(),
        province_config=base.province_config,
    )
    row = disjoint.province_comparison.set_index("indicator").loc["TCD01"]
    assert row["lfl_status_previous"] == coverage.DISJOINT
    assert like_for_like_of(row.to_dict(), "previous", "lượt") is None  # no clause in the headline or the table
    said = [s for s in scope_sentences(disjoint) if s.startswith("Không có đơn vị nào")]
    assert said == [
        "Không có đơn vị nào có số liệu ở cả quý III/2021 và quý II/2021: các so sánh với quý II/2021 là giữa tổng số "
        "liệu của hai nhóm đơn vị khác nhau."
    ]
    text = render_text(build_narrative(disjoint, exact=True))
    assert "không có đơn vị báo cáo ở cả" not in text  # not repeated in every sentence


def test_a_new_units_summary_says_once_why_it_cannot_compare(monkeypatch):
    from analysis.views import notebook, sections

    shown: list[str] = []
    monkeypatch.setattr(notebook, "display", lambda obj: shown.append(obj.data))
    completeness = _completeness().assign(
        status="on_time", report_date="2021-09-20", source_file="so_moi.xlsx", first_file="so_moi.xlsx",
        corrected=False, correction_date="", notes="", note_files="",
    )  # fmt: skip
    new_unit = dataclasses.replace(data(), completeness=completeness, issues=_no_issues())
    sections.unit_summary(new_unit, "so_moi")
    said = shown[0].replace("\\", "")  # the Markdown escapes of the text (escape.md) aside
    assert "So với các quý trước quý III/2021: không so sánh được (đơn vị mới, có số liệu từ quý III/2021)" in said
    shown.clear()
    sections.unit_summary(new_unit, "an_hoa")
    assert "không so sánh được" not in shown[0]


def _no_issues() -> pd.DataFrame:
    return pd.DataFrame(columns=["file", "sheet", "cell", "severity", "rule", "message", "unit_code", "period",
                                 "indicator", "submission_status"])  # fmt: skip
