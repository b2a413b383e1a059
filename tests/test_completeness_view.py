"""The quality page's submissions over the quarters at a province's scale: counts per quarter, a heatmap of the
units with news only, the whole grid folded."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from analysis.views import completeness_view as cv
from analysis.views import notebook as nb

MATRIX = pd.DataFrame(
    {
        "2021Q2": ["on_time", "late", "not_expected", "on_time"],
        "2021Q3": ["on_time", "on_time", "missing", "received_undated"],
    },
    index=pd.Index(["Huyện A", "Huyện B", "Huyện C", "Huyện D"], name="unit_name"),
)


def test_each_quarter_counts_the_units_expected_and_each_status():
    counts = cv.quarter_counts(MATRIX).set_index("Quý")
    assert counts.loc["Quý II/2021", "Phải nộp"] == "3"  # Huyện C was not expected then
    assert counts.loc["Quý II/2021", "Đã nộp đúng hạn"] == "2" and counts.loc["Quý II/2021", "Nộp muộn"] == "1"
    assert counts.loc["Quý III/2021", "Chưa nộp"] == "1" and counts.loc["Quý III/2021", "Phải nộp"] == "4"
    assert counts.loc["Quý III/2021", "Đã nộp (không rõ ngày báo cáo)"] == "1"
    assert counts.loc["Quý II/2021", "Đã nộp (không rõ ngày báo cáo)"] == "0"


def test_only_units_late_missing_or_undated_some_quarter_have_news():
    assert list(cv.units_with_news(MATRIX).index) == ["Huyện B", "Huyện C", "Huyện D"]


def test_the_grid_in_words_marks_a_unit_not_expected_with_a_dash():
    words = cv.grid_words(MATRIX)
    assert list(words.columns) == ["Đơn vị", "Quý II/2021", "Quý III/2021"]
    assert list(words.iloc[2]) == ["Huyện C", "—", "Chưa nộp"]


def shown(monkeypatch, matrix: pd.DataFrame) -> list[tuple]:
    calls = []
    monkeypatch.setattr(cv.quality, "completeness_matrix", lambda data: matrix)
    monkeypatch.setattr(nb, "chart", lambda draw, frame, title, **kw: calls.append(("chart", list(frame.index), title)))
    monkeypatch.setattr(nb, "table", lambda frame, columns=(), note="": calls.append(("table", len(frame))))
    monkeypatch.setattr(nb, "md", lambda text: calls.append(("md", text)))
    monkeypatch.setattr(nb, "folded", lambda summary, html: calls.append(("folded", summary, html.count("<tr>"))))
    cv.completeness_section(SimpleNamespace(quarter=SimpleNamespace(vn="quý III/2021", label="2021Q3")))
    return calls


def test_a_small_province_keeps_one_heatmap_of_every_unit(monkeypatch):
    (call,) = shown(monkeypatch, MATRIX)
    assert call[0] == "chart" and call[1] == list(MATRIX.index)


def test_at_a_provinces_scale_the_heatmap_holds_only_the_units_with_news(monkeypatch):
    quiet = pd.DataFrame({"2021Q2": ["on_time"] * 120, "2021Q3": ["on_time"] * 120},
                         index=[f"Xã {i:03d}" for i in range(120)])  # fmt: skip
    calls = shown(monkeypatch, pd.concat([MATRIX, quiet]))
    assert calls[0] == ("table", 2)  # a row per quarter
    assert calls[1][0] == "chart" and calls[1][1] == ["Huyện B", "Huyện C", "Huyện D"]
    assert calls[2] == ("md", "121 đơn vị khác nộp đủ và đúng hạn mọi quý phải nộp.")
    assert calls[3] == ("folded", "Xem đủ 124 đơn vị theo từng quý", 125)  # the header and every unit
