"""Unusual figures that matter (`compare.unusual.notable`) and how they are said (`views.quality.unusual_words`)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.compare import comparisons, unusual
from analysis.core.periods import Quarter
from analysis.views.quality import unusual_words

Q3 = Quarter(2021, 3)
HISTORY = ["2020Q2", "2020Q3", "2020Q4", "2021Q1", "2021Q2"]
MEASURES = {"A01": "vụ", "R01": "%", "M01": "triệu đồng"}


def rows(unit: str, indicator: str, history: list[float], current: float) -> list[tuple]:
    """Five earlier quarters, then 2021Q3."""
    return [
        *((unit, p, indicator, float(v)) for p, v in zip(HISTORY, history, strict=True)),
        (unit, "2021Q3", indicator, float(current)),
    ]


def notable(*series: list[tuple]) -> pd.DataFrame:
    table = pd.DataFrame([r for s in series for r in s], columns=["unit_code", "period", "indicator", "value"])
    return unusual.notable(comparisons.outliers(table, Q3), MEASURES)


def test_one_above_a_tight_range_is_flagged_by_both_tests_but_not_listed() -> None:
    # 10, 10, 10, 10, 11 → 12: median 10, MAD 0, mean absolute deviation 0.2, so
    # z = (12 − 10) / (1.2533 × 0.2) = 7.98 ≥ 3.5 and 12 > max 11: both tests flag it, yet it is only 2 above 10
    series = rows("a", "A01", [10, 10, 10, 10, 11], 12)
    out = comparisons.outliers(pd.DataFrame(series, columns=["unit_code", "period", "indicator", "value"]), Q3)
    assert out["modified_z"].iloc[0] == pytest.approx(2 / (1.253314 * 0.2), rel=1e-4)
    assert bool(out["outlier"].iloc[0]) and bool(out["outside_range"].iloc[0])
    assert notable(series).empty


def test_a_jump_to_well_above_the_usual_level_is_listed_with_its_severity() -> None:
    out = notable(rows("a", "A01", [10, 11, 10, 12, 11], 30))
    assert list(out["unit_code"]) == ["a"]
    assert out["severity"].iloc[0] == pytest.approx(math.log(31 / 12))  # |ln((30 + 1) / (11 + 1))|


def test_small_counts_are_not_listed() -> None:
    # 1, 2, 1, 2, 1 → 8: median 1, 7 more, ×8, but 8 and 1 are both below 10
    assert notable(rows("a", "A01", [1, 2, 1, 2, 1], 8)).empty
    # the same jump reaching 10 is listed
    assert len(notable(rows("a", "A01", [1, 2, 1, 2, 1], 10))) == 1


def test_a_fall_to_zero_is_listed() -> None:
    out = notable(rows("a", "A01", [14, 15, 18, 15, 16], 0))  # median 15
    assert len(out) == 1
    assert out["severity"].iloc[0] == pytest.approx(math.log(16))


def test_a_change_below_half_the_usual_level_is_not_listed() -> None:
    # median 100, MAD 1: 120 is far out by z and range, 20 above, but 20 < 50
    assert notable(rows("a", "A01", [100, 102, 98, 101, 99], 120)).empty
    assert len(notable(rows("a", "A01", [100, 102, 98, 101, 99], 150))) == 1  # 50 = half of 100


def test_rates_need_fifteen_points() -> None:
    assert len(notable(rows("a", "R01", [80, 82, 85, 84, 86], 60))) == 1  # median 84: 24 points below
    assert notable(rows("b", "R01", [80, 81, 80, 82, 81], 88)).empty  # median 81: 7 points above (and < 10 % off)


def test_amounts_need_a_hundred_million() -> None:
    # median 402 (million đồng): 900 is 498 above and more than half
    assert len(notable(rows("a", "M01", [400, 410, 405, 395, 402], 900))) == 1
    # 40 → 90 million: ×2.25 but 50 million is below the amount floor of 100
    assert notable(rows("b", "M01", [40, 41, 39, 40, 42], 90)).empty


def test_most_unusual_first() -> None:
    out = notable(
        rows("a", "A01", [10, 11, 10, 12, 11], 30),  # ln(31/12) = 0.95
        rows("b", "A01", [14, 15, 18, 15, 16], 0),  # ln(16) = 2.77
        rows("c", "A01", [20, 21, 20, 22, 21], 40),  # ln(41/22) = 0.62
    )
    assert list(out["unit_code"]) == ["b", "a", "c"]


@pytest.mark.parametrize(
    ("value", "usual", "unit", "said"),
    [
        (48, 13, "người", "cao gấp 3,7 lần mức thường thấy của đơn vị (13 người)"),
        (10, 2.5, "cơ sở", "cao gấp 4 lần mức thường thấy của đơn vị (2,5 cơ sở)"),
        (12, 6.5, "đơn", "cao hơn 85% so với mức thường thấy của đơn vị (6,5 đơn)"),
        (5, 20, "vụ", "thấp hơn 75% so với mức thường thấy của đơn vị (20 vụ)"),
        (0, 15, "vụ việc", "bằng 0, trong khi mức thường thấy của đơn vị là 15 vụ việc"),
        (12, 0, "vụ", "các quý trước của đơn vị thường bằng 0"),
        (57.78, 85.71, "%", "thấp hơn 27,9 điểm % so với mức thường thấy của đơn vị (85,7%)"),
    ],
)
def test_unusual_words(value: float, usual: float, unit: str, said: str) -> None:
    assert unusual_words(value, usual, unit) == said


def test_nothing_flagged_lists_nothing() -> None:
    assert notable(rows("a", "A01", [10, 11, 10, 12, 11], 11)).empty


# ------------------------------------------------------------------------------------------- on the page


def unusual_rows(count: int) -> pd.DataFrame:
    return pd.DataFrame({"Đơn vị": [f"Xã {i}" for i in range(count)], "Nhận xét": ["cao gấp 3 lần"] * count})


def show(monkeypatch, table: pd.DataFrame) -> tuple[list, list, list]:
    from analysis.views import notebook as nb
    from analysis.views import quality, sections

    tables, folded, blocks = [], [], []
    monkeypatch.setattr(quality, "outlier_table", lambda data, unit_code=None: table)
    monkeypatch.setattr(nb, "table", lambda frame, columns=(), note="": tables.append((frame, note)))
    monkeypatch.setattr(nb, "folded", lambda summary, html: folded.append((summary, html)))
    monkeypatch.setattr(nb, "html_block", blocks.append)
    sections.unusual_figures(SimpleNamespace(quarter=Q3))
    return tables, folded, blocks


def test_a_long_list_shows_a_screenful_and_folds_the_rest(monkeypatch) -> None:
    tables, folded, _ = show(monkeypatch, unusual_rows(40))
    ((frame, note),) = tables
    assert list(frame["Đơn vị"]) == [f"Xã {i}" for i in range(15)]  # the 15 most unusual, in their order
    assert note.startswith("15 số liệu khác thường nhất trong 40;")
    ((summary, html),) = folded
    assert summary == "Xem thêm 25 số liệu"
    assert "Xã 15" in html and "Xã 39" in html and "Xã 14<" not in html


def test_a_short_list_is_shown_whole(monkeypatch) -> None:
    tables, folded, _ = show(monkeypatch, unusual_rows(15))
    assert len(tables[0][0]) == 15 and not folded


def test_no_unusual_figure_says_so(monkeypatch) -> None:
    tables, folded, blocks = show(monkeypatch, unusual_rows(0))
    assert not tables and not folded
    assert "Không có số liệu nào của quý III/2021 khác hẳn các quý trước của đơn vị." in blocks[0]
