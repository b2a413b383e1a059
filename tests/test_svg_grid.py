"""A unit page's trend panels as SVG: the same series, scales and labels as the matplotlib grid, as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd

from analysis.views.charts.svg_grid import trend_grid_svg

SVG = "{http://www.w3.org/2000/svg}"


def frame(values: dict[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame({"period": list(values), "value": list(values.values())})


def texts(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_each_panel_shows_its_series_and_the_quarter_s_value_the_vietnamese_way():
    visits = frame({"2021Q1": 6473.0, "2021Q2": 6800.0, "2021Q3": 7048.0})
    rate = frame({"2021Q1": 50.0, "2021Q2": 62.5, "2021Q3": 75.3})  # rates are kept in percent
    svg = trend_grid_svg([("Lượt tiếp công dân", visits, "lượt"), ("Tỷ lệ giải quyết", rate, "%")], "Tiêu đề", "2021Q3")
    shown = texts(svg)
    assert shown[0] == "Tiêu đề" and "Lượt tiếp công dân" in shown and "Tỷ lệ giải quyết" in shown
    assert "7.048 lượt" in shown and "75,3%" in shown  # the report's quarter, highlighted, with its unit
    assert shown.count("I/2021") == 2 and shown.count("III/2021") == 2 and "II/2021" not in shown  # every other
    assert {"0", "2.500", "5.000", "7.500"} <= set(shown)  # from 0 to a quarter above 7.048; dots group thousands
    assert {"0%", "25%", "50%", "75%"} <= set(shown) and "100%" not in shown  # up to 94,1%
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert root.get("role") == "img" and root.get("aria-label") == "Tiêu đề"


def test_a_quarter_without_a_figure_breaks_the_line():
    gappy = frame({"2020Q4": 10.0, "2021Q1": 12.0, "2021Q3": 9.0})  # 2021Q2 missing
    root = ET.fromstring(trend_grid_svg([("Vụ", gappy, "vụ")], "t", "2021Q3"))
    lines = [p.get("points").split() for p in root.findall(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [2, 1]
    assert len(root.findall(f"{SVG}circle")) == 3 + 1  # three quarters with a figure, then the highlight


def test_text_from_files_is_escaped_and_no_data_is_said():
    svg = trend_grid_svg([("Đơn <b>mới</b>", frame({"2021Q3": 1.0}), "đơn")], "A & B", "2021Q3")
    assert "<b>" not in svg and "Đơn &lt;b&gt;mới&lt;/b&gt;" in svg and "A &amp; B" in svg
    empty = trend_grid_svg([("Vụ", frame({}), "vụ")], "Không gì", "2021Q3")
    assert "Không có số liệu" in texts(empty)


def test_the_heatmap_writes_each_change_and_colours_rates_on_their_own_scale():
    from analysis.views.charts.svg_heatmap import change_heatmap_svg

    matrix = pd.DataFrame(
        {"Xã A": [10.0, 10.0, None], "Xã <B>": [-50.0, -5.0, 150.0]},
        index=["Lượt tiếp công dân", "Tỷ lệ giải quyết (điểm %)", "Vụ việc"],
    )
    svg = change_heatmap_svg(matrix, "Thay đổi so với quý trước")
    root = ET.fromstring(svg)
    shown = texts(svg)
    assert {"+10,0", "-50,0", "-5,0", "+150", "—"} <= set(shown)  # one decimal below 100, none from 100
    assert "Xã <B>" in shown and "<B>" not in svg  # a unit's name escaped
    fills = [r.get("fill") for r in root.findall(f"{SVG}rect")][1 : 1 + 6]  # the page's white, then the cells by row
    count_10, count_minus_50, rate_10, rate_minus_5, missing, over = fills
    assert rate_10 != count_10  # +10 points is a tenth of a rate's scale (±20), +10% a tenth of a count's (±100)
    assert missing.lower() == "#e0e0e0"  # grey where not comparable
    assert "±100% (số lượng) và ±20 điểm (tỷ lệ)" in " ".join(shown)
