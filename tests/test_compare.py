"""Comparisons for the quarterly report, on tiny hand-written tables.

The catalogue is built by hand: three input indicators A01 (lượt), A02 (đơn tiếp nhận), A03 (đơn đã giải quyết) that
add up to the province, and one ratio A04 = A03 / A02 × 100 (%). Every expected number is worked out by hand in the
comments next to it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue.model import Area, Catalogue, Indicator, UnitOfMeasure
from analysis.compare import comparisons as compare
from analysis.compare.change import KINDS, describe
from analysis.core import labels
from analysis.core.periods import Quarter

NAN = np.nan
Q3 = Quarter(2021, 3)  # previous = 2021Q2, same quarter last year = 2020Q3

CAT = Catalogue(
    version="test",
    areas=(Area("A", "01-A", "Lĩnh vực thử", "Biểu số 01/A"),),
    indicators=(
        Indicator("A01", "A", "1", "Số lượt tiếp công dân", "Lượt tiếp", "lượt", None, "sum"),
        Indicator("A02", "A", "2", "Số đơn tiếp nhận", "Đơn tiếp nhận", "đơn", None, "sum"),
        Indicator("A03", "A", "3", "Số đơn đã giải quyết", "Đơn đã giải quyết", "đơn", None, "sum"),
        # A04 = A03 / A02 × 100
        Indicator("A04", "A", "4", "Tỷ lệ giải quyết", "Tỷ lệ", "%", None, "ratio", "A03", "A02", scale=100.0),
    ),
    rules=(),
    units_of_measure=(UnitOfMeasure("lượt", True), UnitOfMeasure("đơn", True), UnitOfMeasure("%", False)),
)

NAMES = {"x": "Huyện X", "y": "Huyện Y", "z": "Huyện Z"}


def unit_rows(rows: list[tuple], approx: set[tuple[str, str, str]] = frozenset()) -> pd.DataFrame:
    """(unit_code, period, indicator, value) → the ingest's `values` table (unit_name from NAMES)."""
    frame = pd.DataFrame(rows, columns=["unit_code", "period", "indicator", "value"]).astype({"value": "float64"})
    frame.insert(1, "unit_name", frame["unit_code"].map(NAMES))
    keys = zip(frame["unit_code"], frame["period"], frame["indicator"], strict=True)
    frame["approx"] = [key in approx for key in keys]
    return frame


def tidy(rows: list[tuple]) -> pd.DataFrame:
    """(period, indicator, value) → a province-level tidy table."""
    return pd.DataFrame(rows, columns=["period", "indicator", "value"]).astype({"value": "float64"})


def one(frame: pd.DataFrame, **where) -> pd.Series:
    """The single row of `frame` matching every column == value in `where`."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    hits = frame[mask]
    assert len(hits) == 1, f"{where}: {len(hits)} rows\n{frame}"
    return hits.iloc[0]


# ----------------------------------------------------------------------------------------- province_values


def test_province_ratio_is_recomputed_from_sums_not_the_mean_of_unit_rates() -> None:
    values = unit_rows(
        [
            ("x", "2021Q3", "A02", 2),  # unit X: 1 / 2 = 50 %
            ("x", "2021Q3", "A03", 1),
            ("y", "2021Q3", "A02", 100),  # unit Y: 90 / 100 = 90 %
            ("y", "2021Q3", "A03", 90),
        ]
    )
    province = compare.province_values(values, CAT)
    rate = one(province, period="2021Q3", indicator="A04")
    # (1 + 90) / (2 + 100) × 100 = 91 / 102 × 100 = 89.2157…; the mean of the unit rates would be (50 + 90) / 2 = 70
    assert rate["value"] == pytest.approx(91 / 102 * 100)
    assert rate["value"] == pytest.approx(89.2157, abs=1e-4)
    assert rate["value"] != pytest.approx(70)
    assert rate["units_reporting"] == 2
    # the sums the ratio comes from
    assert one(province, period="2021Q3", indicator="A02")["value"] == 102  # 2 + 100
    assert one(province, period="2021Q3", indicator="A03")["value"] == 91  # 1 + 90


def test_province_sum_counts_only_units_with_a_figure() -> None:
    values = unit_rows(
        [
            ("x", "2021Q3", "A01", 5),
            ("y", "2021Q3", "A01", NAN),  # blank: not a zero, not counted
            ("z", "2021Q3", "A01", 7),
            ("x", "2021Q3", "A02", NAN),  # nobody reported A02
            ("y", "2021Q3", "A02", NAN),
            ("z", "2021Q3", "A02", NAN),
            ("x", "2021Q3", "A03", 0),  # a reported zero is a figure
            ("y", "2021Q3", "A03", 0),
        ],
        approx={("z", "2021Q3", "A01")},
    )
    province = compare.province_values(values, CAT)
    a01 = one(province, period="2021Q3", indicator="A01")
    assert a01["value"] == 12  # 5 + 7
    assert a01["units_reporting"] == 2  # x and z; y's blank is not counted
    assert bool(a01["approx"]) is True  # z's figure is an estimate, so the total is too
    a02 = one(province, period="2021Q3", indicator="A02")
    assert math.isnan(a02["value"])  # the sum of nothing is missing, not 0
    assert a02["units_reporting"] == 0
    a03 = one(province, period="2021Q3", indicator="A03")
    assert a03["value"] == 0  # 0 + 0: zeros are real figures
    assert a03["units_reporting"] == 2
    assert bool(a03["approx"]) is False


def test_units_expected_comes_from_the_completeness_table() -> None:
    values = unit_rows(
        [
            ("x", "2021Q3", "A01", 5),
            ("y", "2021Q3", "A01", 7),
            ("x", "2021Q2", "A01", 4),
        ]
    )
    completeness = pd.DataFrame(
        [
            ("2021Q3", "x", True),
            ("2021Q3", "y", True),
            ("2021Q3", "z", True),  # expected but sent nothing
            ("2021Q3", "w", False),  # not expected this quarter (e.g. not yet in the registry)
            ("2021Q2", "x", True),
            ("2021Q2", "y", True),
        ],
        columns=["period", "unit_code", "expected"],
    )
    province = compare.province_values(values, CAT, completeness)
    q3 = one(province, period="2021Q3", indicator="A01")
    assert q3["units_reporting"] == 2  # x, y
    assert q3["units_expected"] == 3  # x, y, z expected; w is not
    q2 = one(province, period="2021Q2", indicator="A01")
    assert q2["units_reporting"] == 1  # x
    assert q2["units_expected"] == 2  # x, y
    # without a completeness table, the units present in `values` that quarter
    fallback = compare.province_values(values, CAT)
    assert one(fallback, period="2021Q3", indicator="A01")["units_expected"] == 2  # x, y
    assert one(fallback, period="2021Q2", indicator="A01")["units_expected"] == 1  # x


@pytest.mark.parametrize("denominator_row", ["blank", "absent"])
def test_unit_with_numerator_but_no_denominator_is_left_out_of_the_province_ratio(denominator_row: str) -> None:
    rows = [
        ("x", "2021Q3", "A03", 1),  # X reports the numerator only
        ("y", "2021Q3", "A02", 100),
        ("y", "2021Q3", "A03", 90),
    ]
    if denominator_row == "blank":
        rows.append(("x", "2021Q3", "A02", NAN))
    province = compare.province_values(unit_rows(rows), CAT)
    rate = one(province, period="2021Q3", indicator="A04")
    # only Y has both: 90 / 100 × 100 = 90 (with X's numerator it would wrongly be 91 / 100 × 100 = 91)
    assert rate["value"] == pytest.approx(90.0)
    assert rate["units_reporting"] == 1
    # X's figure still counts in the A03 total: 1 + 90 = 91 over two units
    a03 = one(province, period="2021Q3", indicator="A03")
    assert a03["value"] == 91
    assert a03["units_reporting"] == 2


def test_province_ratio_with_a_zero_denominator_is_missing() -> None:
    values = unit_rows([("x", "2021Q3", "A02", 0), ("x", "2021Q3", "A03", 0)])
    rate = one(compare.province_values(values, CAT), period="2021Q3", indicator="A04")
    assert math.isnan(rate["value"])  # 0 / 0: no rate, not 0 % and not an error


# ------------------------------------------------------------------------------------------------ compare

# Province table for the quarter 2021Q3 with decoys in 2021Q4, 2021Q1 and 2020Q2 that must not be used.
PROVINCE = tidy(
    [
        # K1: 120 now, 100 last quarter, 150 a year ago
        ("2021Q3", "K1", 120),
        ("2021Q2", "K1", 100),
        ("2020Q3", "K1", 150),
        ("2021Q4", "K1", 999),
        ("2021Q1", "K1", 888),
        ("2020Q2", "K1", 777),
        # K2: 7 → 7, unchanged both ways
        ("2021Q3", "K2", 7),
        ("2021Q2", "K2", 7),
        ("2020Q3", "K2", 7),
        # K3: from 0 to 5 is "new" (no percentage from a zero base); a year ago there is no row at all
        ("2021Q3", "K3", 5),
        ("2021Q2", "K3", 0),
        # K4: 0 → 0 is unchanged; a year ago the figure is blank
        ("2021Q3", "K4", 0),
        ("2021Q2", "K4", 0),
        ("2020Q3", "K4", NAN),
        # K5: no figure this quarter (blank row), figures before
        ("2021Q3", "K5", NAN),
        ("2021Q2", "K5", 3),
        ("2020Q3", "K5", 3),
        # K6: down to 0 from 8 last quarter and from 16 a year ago: decreases of 100 %
        ("2021Q3", "K6", 0),
        ("2021Q2", "K6", 8),
        ("2020Q3", "K6", 16),
        # K7: only earlier quarters, nothing in 2021Q3 at all
        ("2021Q2", "K7", 4),
        # A04: a rate, 75 % now, 50 % last quarter, 80 % a year ago
        ("2021Q3", "A04", 75),
        ("2021Q2", "A04", 50),
        ("2020Q3", "A04", 80),
    ]
)


@pytest.fixture(scope="module")
def province_cmp() -> pd.DataFrame:
    return compare.compare(PROVINCE, Q3)


def test_compare_picks_the_previous_quarter_and_the_same_quarter_last_year(province_cmp: pd.DataFrame) -> None:
    k1 = one(province_cmp, indicator="K1")
    assert k1["value"] == 120  # 2021Q3
    assert k1["previous"] == 100  # 2021Q2, not 2021Q4 (999) nor 2021Q1 (888)
    assert k1["last_year"] == 150  # 2020Q3, not 2020Q2 (777)


def test_compare_increase_and_decrease(province_cmp: pd.DataFrame) -> None:
    k1 = one(province_cmp, indicator="K1")
    # vs previous: 120 − 100 = 20; 20 / 100 × 100 = 20 %
    assert k1["change_previous"] == pytest.approx(20)
    assert k1["pct_previous"] == pytest.approx(20)
    assert k1["status_previous"] == "increase"
    # vs last year: 120 − 150 = −30; −30 / 150 × 100 = −20 %
    assert k1["change_last_year"] == pytest.approx(-30)
    assert k1["pct_last_year"] == pytest.approx(-20)
    assert k1["status_last_year"] == "decrease"


def test_compare_unchanged(province_cmp: pd.DataFrame) -> None:
    k2 = one(province_cmp, indicator="K2")
    for base in ("previous", "last_year"):
        assert k2[f"change_{base}"] == 0  # 7 − 7
        assert k2[f"pct_{base}"] == 0  # 0 / 7 × 100
        assert k2[f"status_{base}"] == "unchanged"


def test_compare_from_a_zero_base_is_new_without_a_percentage(province_cmp: pd.DataFrame) -> None:
    k3 = one(province_cmp, indicator="K3")
    assert k3["change_previous"] == 5  # 5 − 0
    assert math.isnan(k3["pct_previous"])  # 5 / 0 is not a percentage
    assert k3["status_previous"] == "new"
    # no row in 2020Q3: no base
    assert math.isnan(k3["last_year"])
    assert math.isnan(k3["change_last_year"])
    assert math.isnan(k3["pct_last_year"])
    assert k3["status_last_year"] == "no_base"


def test_compare_zero_to_zero_is_unchanged_and_blank_base_is_no_base(province_cmp: pd.DataFrame) -> None:
    k4 = one(province_cmp, indicator="K4")
    assert k4["change_previous"] == 0  # 0 − 0
    assert math.isnan(k4["pct_previous"])  # 0 / 0
    assert k4["status_previous"] == "unchanged"  # not "new": nothing happened
    # 2020Q3 row is blank (NaN): a missing base, same as no row
    assert math.isnan(k4["change_last_year"])
    assert k4["status_last_year"] == "no_base"


def test_compare_missing_current_is_no_data(province_cmp: pd.DataFrame) -> None:
    k5 = one(province_cmp, indicator="K5")  # a blank row this quarter
    assert math.isnan(k5["value"])
    assert k5["previous"] == 3
    assert math.isnan(k5["change_previous"])
    assert math.isnan(k5["pct_previous"])
    assert k5["status_previous"] == "no_data"
    assert k5["status_last_year"] == "no_data"
    k7 = one(province_cmp, indicator="K7")  # no row at all this quarter
    assert math.isnan(k7["value"])
    assert k7["previous"] == 4
    assert k7["status_previous"] == "no_data"
    assert k7["status_last_year"] == "no_data"  # and no base either: no_data wins


def test_compare_drop_to_zero_is_a_decrease_of_100_percent(province_cmp: pd.DataFrame) -> None:
    k6 = one(province_cmp, indicator="K6")
    assert k6["change_previous"] == -8  # 0 − 8
    assert k6["pct_previous"] == pytest.approx(-100)  # −8 / 8 × 100
    assert k6["status_previous"] == "decrease"
    assert k6["change_last_year"] == -16  # 0 − 16
    assert k6["pct_last_year"] == pytest.approx(-100)


def test_compare_rate_changes_in_percentage_points(province_cmp: pd.DataFrame) -> None:
    a04 = one(province_cmp, indicator="A04")
    assert a04["change_previous"] == pytest.approx(25)  # 75 − 50 = 25 points
    assert a04["pct_previous"] == pytest.approx(50)  # 25 / 50 × 100 = 50 % relative
    assert a04["status_previous"] == "increase"
    assert a04["change_last_year"] == pytest.approx(-5)  # 75 − 80 = −5 points
    assert a04["pct_last_year"] == pytest.approx(-6.25)  # −5 / 80 × 100
    assert a04["status_last_year"] == "decrease"


def test_compare_one_row_per_indicator_with_a_figure_in_any_of_the_three_quarters(province_cmp) -> None:
    # K1…K7 and A04; decoy quarters add no rows
    assert sorted(province_cmp["indicator"]) == ["A04", "K1", "K2", "K3", "K4", "K5", "K6", "K7"]


def test_every_change_kind_has_words_for_a_table_cell() -> None:
    """The kinds `compare.change.describe` decides are worded in labels.yaml (group `change`), and nowhere else."""
    words = labels.group("change")
    assert set(words) == set(KINDS)
    assert describe("increase", 8.9, 575.0, "lượt").say(words) == "tăng 8,9%"
    assert describe("decrease", -5.0, -2.4, "%").say(words) == "giảm 2,4 điểm phần trăm"
    assert describe("no_base", None, None, "lượt").say(words) == "không có số liệu kỳ so sánh"


def test_compare_per_unit() -> None:
    table = pd.DataFrame(
        [
            ("x", "2021Q3", "A01", 30),
            ("x", "2021Q2", "A01", 20),
            ("x", "2020Q3", "A01", 40),
            ("y", "2021Q3", "A01", 6),
            ("y", "2021Q2", "A01", 0),
            # y has no 2020Q3 figure
            ("x", "2021Q3", "A02", 10),  # only x has A02
        ],
        columns=["unit_code", "period", "indicator", "value"],
    ).astype({"value": "float64"})
    out = compare.compare(table, Q3, keys=["unit_code"])
    assert len(out) == 3  # (x, A01), (y, A01), (x, A02)
    x = one(out, unit_code="x", indicator="A01")
    assert (x["value"], x["previous"], x["last_year"]) == (30, 20, 40)
    assert x["change_previous"] == 10  # 30 − 20
    assert x["pct_previous"] == pytest.approx(50)  # 10 / 20 × 100
    assert x["status_previous"] == "increase"
    assert x["change_last_year"] == -10  # 30 − 40
    assert x["pct_last_year"] == pytest.approx(-25)  # −10 / 40 × 100
    assert x["status_last_year"] == "decrease"
    y = one(out, unit_code="y", indicator="A01")  # y's figures are not mixed with x's
    assert (y["value"], y["previous"]) == (6, 0)
    assert y["status_previous"] == "new"  # 0 → 6
    assert math.isnan(y["pct_previous"])
    assert y["status_last_year"] == "no_base"
    x2 = one(out, unit_code="x", indicator="A02")
    assert x2["status_previous"] == "no_base"


# ------------------------------------------------------------------------------------------- year_to_date

# Province table over two years. 2021Q4 and 2020Q4 are outside the 9-month spans; A04 rows hold the quarterly rates
# (as province_values writes them) and must not be summed or averaged.
YTD = tidy(
    [
        # A02: 2021 Q1–Q3 = 10 + 50 + 30 = 90; 2020 Q1–Q3 = 40 + 40 + 20 = 100
        ("2021Q1", "A02", 10),
        ("2021Q2", "A02", 50),
        ("2021Q3", "A02", 30),
        ("2021Q4", "A02", 1000),
        ("2020Q1", "A02", 40),
        ("2020Q2", "A02", 40),
        ("2020Q3", "A02", 20),
        ("2020Q4", "A02", 1000),
        # A03: 2021 Q1–Q3 = 9 + 1 + 30 = 40; 2020 Q1–Q3 = 8 + 36 + 6 = 50
        ("2021Q1", "A03", 9),
        ("2021Q2", "A03", 1),
        ("2021Q3", "A03", 30),
        ("2021Q4", "A03", 1000),
        ("2020Q1", "A03", 8),
        ("2020Q2", "A03", 36),
        ("2020Q3", "A03", 6),
        # A04 quarterly rates: 2021 = 90, 2, 100 (9/10, 1/50, 30/30); 2020 = 20, 90, 30
        ("2021Q1", "A04", 90),
        ("2021Q2", "A04", 2),
        ("2021Q3", "A04", 100),
        ("2020Q1", "A04", 20),
        ("2020Q2", "A04", 90),
        ("2020Q3", "A04", 30),
        # A01: 2021Q2 has no row (not reported) → 3 + 4 = 7 over 2 quarters; 2020: 1 + 1 + 1 = 3
        ("2021Q1", "A01", 3),
        ("2021Q3", "A01", 4),
        ("2020Q1", "A01", 1),
        ("2020Q2", "A01", 1),
        ("2020Q3", "A01", 1),
    ]
)


@pytest.fixture(scope="module")
def ytd() -> pd.DataFrame:
    return compare.year_to_date(YTD, CAT, Q3)


def test_year_to_date_sums_the_quarters_so_far_against_the_same_span_last_year(ytd: pd.DataFrame) -> None:
    a02 = one(ytd, indicator="A02")
    assert a02["value"] == 90  # 10 + 50 + 30 (2021Q4's 1000 is not in the span)
    assert a02["last_year"] == 100  # 40 + 40 + 20 (2020Q4's 1000 is not in the span)
    assert a02["change_last_year"] == -10  # 90 − 100
    assert a02["pct_last_year"] == pytest.approx(-10)  # −10 / 100 × 100
    assert a02["status_last_year"] == "decrease"
    a03 = one(ytd, indicator="A03")
    assert a03["value"] == 40  # 9 + 1 + 30
    assert a03["last_year"] == 50  # 8 + 36 + 6
    assert a03["quarters_reported"] == 3
    assert (ytd["quarters_in_span"] == 3).all()


def test_year_to_date_rate_is_recomputed_from_the_summed_figures(ytd: pd.DataFrame) -> None:
    a04 = one(ytd, indicator="A04")
    # 40 / 90 × 100 = 44.444…   (summed rates: 90 + 2 + 100 = 192; mean of rates: 192 / 3 = 64)
    assert a04["value"] == pytest.approx(40 / 90 * 100)
    assert a04["value"] != pytest.approx(192)
    assert a04["value"] != pytest.approx(64)
    # last year: 50 / 100 × 100 = 50   (summed rates 140, mean 46.667)
    assert a04["last_year"] == pytest.approx(50)
    # change in points: 44.444 − 50 = −5.556; relative: −5.556 / 50 × 100 = −11.111 %
    assert a04["change_last_year"] == pytest.approx(40 / 90 * 100 - 50)
    assert a04["pct_last_year"] == pytest.approx(-100 / 9)
    assert a04["status_last_year"] == "decrease"


def test_year_to_date_counts_the_quarters_reported(ytd: pd.DataFrame) -> None:
    a01 = one(ytd, indicator="A01")
    assert a01["value"] == 7  # 3 + 4: 2021Q2 has no row
    assert a01["last_year"] == 3  # 1 + 1 + 1
    assert a01["quarters_reported"] == 2  # Q1 and Q3 of 2021
    assert a01["quarters_in_span"] == 3  # Q1…Q3


def test_year_to_date_blank_quarter_is_not_reported() -> None:
    table = tidy([("2021Q1", "A01", 3), ("2021Q2", "A01", NAN), ("2021Q3", "A01", 4), ("2020Q3", "A01", 1)])
    a01 = one(compare.year_to_date(table, CAT, Q3), indicator="A01")
    assert a01["value"] == 7  # 3 + 4
    assert a01["quarters_reported"] == 2  # 2021Q2 is blank: only Q1 and Q3 have a figure


def test_year_to_date_of_the_first_quarter_is_that_quarter() -> None:
    out = compare.year_to_date(YTD, CAT, Quarter(2021, 1))
    assert (out["quarters_in_span"] == 1).all()
    a02 = one(out, indicator="A02")
    assert (a02["value"], a02["last_year"]) == (10, 40)  # 2021Q1 against 2020Q1 only
    assert a02["quarters_reported"] == 1
    a04 = one(out, indicator="A04")
    assert a04["value"] == pytest.approx(90)  # 9 / 10 × 100
    assert a04["last_year"] == pytest.approx(20)  # 8 / 40 × 100


def test_year_to_date_per_unit() -> None:
    table = pd.DataFrame(
        [
            ("x", "2021Q1", "A02", 4),
            ("x", "2021Q2", "A02", 6),
            ("x", "2021Q1", "A03", 1),
            ("x", "2021Q2", "A03", 4),
            ("y", "2021Q1", "A02", 10),
            ("y", "2021Q1", "A03", 10),
            ("x", "2020Q2", "A02", 5),
            ("x", "2020Q2", "A03", 5),
        ],
        columns=["unit_code", "period", "indicator", "value"],
    ).astype({"value": "float64"})
    out = compare.year_to_date(table, CAT, Quarter(2021, 2), keys=["unit_code"])
    x = one(out, unit_code="x", indicator="A04")
    assert x["value"] == pytest.approx(50)  # (1 + 4) / (4 + 6) × 100
    assert x["last_year"] == pytest.approx(100)  # 5 / 5 × 100
    y = one(out, unit_code="y", indicator="A04")
    assert y["value"] == pytest.approx(100)  # 10 / 10 × 100, not mixed with x
    assert one(out, unit_code="y", indicator="A02")["quarters_reported"] == 1
    assert one(out, unit_code="x", indicator="A02")["quarters_reported"] == 2


def test_year_to_date_rate_over_one_quarter_matches_the_province_rate_of_that_quarter() -> None:
    values = unit_rows(
        [
            ("x", "2021Q1", "A03", 1),  # numerator only
            ("y", "2021Q1", "A02", 100),
            ("y", "2021Q1", "A03", 90),
        ]
    )
    province = compare.province_values(values, CAT)
    assert one(province, period="2021Q1", indicator="A04")["value"] == pytest.approx(90)  # 90 / 100 × 100
    out = compare.year_to_date(province, CAT, Quarter(2021, 1))
    # the span is the single quarter 2021Q1: the same 90 %, not (1 + 90) / 100 × 100 = 91 %
    assert one(out, indicator="A04")["value"] == pytest.approx(90)


# -------------------------------------------------------------------------------------------- unit_values


def test_unit_values_adds_each_units_own_rate_and_keeps_its_name() -> None:
    values = unit_rows(
        [
            ("x", "2021Q3", "A01", 12),
            ("x", "2021Q3", "A02", 2),
            ("x", "2021Q3", "A03", 1),
            ("y", "2021Q3", "A02", 100),
            ("y", "2021Q3", "A03", 90),
            ("z", "2021Q3", "A02", 0),  # zero base: no rate
            ("z", "2021Q3", "A03", 0),
        ],
        approx={("y", "2021Q3", "A03")},
    )
    out = compare.unit_values(values, CAT)
    # ratio rows carry the numerator/denominator pair they were computed from (for sums over quarters)
    assert list(out.columns) == [
        "unit_code",
        "unit_name",
        "period",
        "indicator",
        "value",
        "approx",
        "ratio_num",
        "ratio_den",
    ]
    x = one(out, unit_code="x", period="2021Q3", indicator="A04")
    assert x["value"] == pytest.approx(50)  # 1 / 2 × 100
    assert x["unit_name"] == "Huyện X"
    y = one(out, unit_code="y", period="2021Q3", indicator="A04")
    assert y["value"] == pytest.approx(90)  # 90 / 100 × 100
    assert y["unit_name"] == "Huyện Y"
    z = one(out, unit_code="z", period="2021Q3", indicator="A04")
    assert math.isnan(z["value"])  # 0 / 0
    # the inputs are kept as they were, with their names and estimate flags
    assert one(out, unit_code="x", indicator="A01")["value"] == 12
    assert one(out, unit_code="y", indicator="A03")["unit_name"] == "Huyện Y"
    assert bool(one(out, unit_code="y", indicator="A03")["approx"]) is True
    assert out["approx"].dtype == bool
    assert out["unit_name"].notna().all()


def test_unit_values_rate_needs_both_figures() -> None:
    values = unit_rows([("x", "2021Q3", "A03", 5), ("x", "2021Q3", "A02", NAN), ("x", "2021Q3", "A01", 1)])
    rates = compare.unit_values(values, CAT).query("indicator == 'A04'")
    assert rates["value"].isna().all()  # numerator without denominator: no rate


# --------------------------------------------------------------------------------------------- rank_units


def test_rank_units_largest_first_ties_share_the_lower_rank_missing_not_ranked() -> None:
    table = pd.DataFrame(
        {
            "unit_code": ["a", "b", "c", "d", "e", "a", "b"],
            "indicator": ["A01"] * 5 + ["A02"] * 2,
            "value": [10, 30, 30, NAN, 5, 1, 2],
        }
    )
    out = compare.rank_units(table)
    a01 = out[out["indicator"] == "A01"].set_index("unit_code")
    # sorted descending: b 30, c 30 (tie → both 1), a 10 → 3 (rank 2 is skipped), e 5 → 4; d blank → no rank
    assert a01.loc["b", "rank"] == 1
    assert a01.loc["c", "rank"] == 1
    assert a01.loc["a", "rank"] == 3
    assert a01.loc["e", "rank"] == 4
    assert pd.isna(a01.loc["d", "rank"])
    assert (a01["units_ranked"] == 4).all()  # a, b, c, e
    a02 = out[out["indicator"] == "A02"].set_index("unit_code")  # ranked separately
    assert a02.loc["b", "rank"] == 1  # 2 > 1
    assert a02.loc["a", "rank"] == 2
    assert (a02["units_ranked"] == 2).all()


# ----------------------------------------------------------------------------------------------- outliers

HISTORY_PERIODS = ["2020Q2", "2020Q3", "2020Q4", "2021Q1", "2021Q2"]


def series(unit: str, history: list[float], current: float | None) -> list[tuple]:
    """`history` in the quarters just before 2021Q3 (the last len(history) of HISTORY_PERIODS), then 2021Q3."""
    rows = [(unit, p, "A01", float(v)) for p, v in zip(HISTORY_PERIODS[-len(history) :], history, strict=True)]
    if current is not None:
        rows.append((unit, "2021Q3", "A01", float(current)))
    return rows


def outliers_of(rows: list[tuple]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["unit_code", "period", "indicator", "value"])
    return compare.outliers(table, Q3)


def test_outlier_far_above_its_own_history_is_flagged() -> None:
    rows = [
        *series("hi", [10, 11, 10, 12, 11], 30),
        ("hi", "2021Q4", "A01", 1000.0),  # a later quarter is not history
        *series("ok", [10, 11, 10, 12, 11], 11),
    ]
    out = outliers_of(rows)
    hi = one(out, unit_code="hi")
    # sorted history 10, 10, 11, 11, 12 → median 11; |deviations| 1, 0, 1, 1, 0 → sorted 0, 0, 1, 1, 1 → MAD 1
    # modified z = 0.6745 × (30 − 11) / 1 = 12.8155 ≥ 3.5
    assert hi["median"] == 11
    assert hi["mad"] == 1
    assert hi["n_history"] == 5
    assert hi["modified_z"] == pytest.approx(12.8155)
    assert bool(hi["outlier"]) is True
    assert bool(hi["outside_range"]) is True  # 30 > max 12
    ok = one(out, unit_code="ok")
    assert ok["modified_z"] == pytest.approx(0)  # 0.6745 × (11 − 11) / 1
    assert bool(ok["outlier"]) is False
    assert bool(ok["outside_range"]) is False  # 10 ≤ 11 ≤ 12


def test_outlier_needs_four_quarters_of_history() -> None:
    out = outliers_of(series("short", [10, 11, 10], 30))
    short = one(out, unit_code="short")
    assert short["n_history"] == 3
    assert math.isnan(short["modified_z"])
    assert bool(short["outlier"]) is False
    assert bool(short["outside_range"]) is False  # 30 > 11 but three quarters are too few to judge


def test_outlier_units_histories_are_not_mixed() -> None:
    # unit "b" has only 2 quarters of its own; unit "a"'s 5 quarters must not lend it a history
    rows = [*series("a", [10, 11, 10, 12, 11], 11), *series("b", [10, 11], 30)]
    b = one(outliers_of(rows), unit_code="b")
    assert b["n_history"] == 2
    assert bool(b["outlier"]) is False


def test_outlier_constant_history() -> None:
    rows = [*series("same", [5, 5, 5, 5], 5), *series("jump", [5, 5, 5, 5], 9)]
    out = outliers_of(rows)
    same = one(out, unit_code="same")
    # median 5, MAD 0 and mean absolute deviation 0: no spread, no z-score
    assert math.isnan(same["modified_z"])
    assert bool(same["outlier"]) is False
    assert bool(same["outside_range"]) is False  # 5 within [5, 5]
    jump = one(out, unit_code="jump")
    assert math.isnan(jump["modified_z"])  # still no spread to divide by
    assert bool(jump["outlier"]) is False
    assert bool(jump["outside_range"]) is True  # 9 > max 5


def test_outlier_blank_current_figure_is_not_judged() -> None:
    rows = [*series("blank", [10, 11, 10, 12, 11], None), ("blank", "2021Q3", "A01", NAN)]
    assert outliers_of(rows).empty


def test_outlier_mad_zero_falls_back_on_the_mean_absolute_deviation() -> None:
    out = outliers_of(series("mad0", [5, 5, 5, 5, 9], 9))
    row = one(out, unit_code="mad0")
    # median 5; |deviations| 0, 0, 0, 0, 4 → MAD 0; mean absolute deviation 4 / 5 = 0.8
    # z = (x − median) / (1.253314 × mean AD) = 4 / (1.253314 × 0.8) = 4 / 1.0026512 = 3.98942 ≥ 3.5
    assert row["mad"] == 0
    assert row["mean_ad"] == pytest.approx(0.8)
    assert row["modified_z"] == pytest.approx(3.98942, rel=1e-3)
    assert bool(row["outlier"]) is True
    assert bool(row["outside_range"]) is False  # 9 is the history's maximum
