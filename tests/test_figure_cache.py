"""The figure cache draws a chart call once and reuses the PNG while the call is unchanged."""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.views import charts, figure_cache, tables
from analysis.views.figure_cache import CACHE_ENV, call_key, draw, prune

TREND = pd.DataFrame({"period": ["2021Q1", "2021Q2", "2021Q3"], "value": [10.0, 12.0, 9.0]})


class Counting:
    """`charts.province_trend` (keyed under its name) that counts how often it really draws."""

    def __init__(self) -> None:
        self.calls = 0
        self.__qualname__ = "province_trend"
        self.__module__ = "analysis.views.charts"

    def __call__(self, data: pd.DataFrame, title: str, unit: str, highlight: str | None = None) -> Figure:
        self.calls += 1
        return charts.province_trend(data, title, unit, highlight=highlight)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "figure-cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def test_the_same_call_is_drawn_once(cache_dir):
    chart = Counting()
    first = draw(chart, TREND, "Vụ việc toàn tỉnh", "vụ", highlight="2021Q3")
    second = draw(chart, TREND.copy(), "Vụ việc toàn tỉnh", "vụ", highlight="2021Q3")
    assert chart.calls == 1
    assert second == first
    assert first.png.startswith(b"\x89PNG") and first.alt == "Vụ việc toàn tỉnh" and first.width > 0


def test_a_changed_figure_or_title_is_drawn_again(cache_dir):
    chart = Counting()
    draw(chart, TREND, "Vụ việc", "vụ")
    changed = TREND.assign(value=[10.0, 12.0, 9.5])  # one figure fixed by a district
    draw(chart, changed, "Vụ việc", "vụ")
    draw(chart, TREND, "Vụ việc (sửa)", "vụ")
    draw(chart, TREND, "Vụ việc", "vụ", highlight="2021Q2")
    assert chart.calls == 4


def test_keys_tell_apart_what_reprs_would_confuse():
    one = call_key(charts.province_trend, (TREND, "1", "vụ"), {})
    assert one != call_key(charts.province_trend, (TREND, 1, "vụ"), {})
    assert one != call_key(charts.province_trend, (TREND.astype({"value": "float32"}), "1", "vụ"), {})
    assert one != call_key(charts.ranking_bars, (TREND, "1", "vụ"), {})
    assert one == call_key(charts.province_trend, (TREND.copy(), "1", "vụ"), {})


def test_an_argument_it_cannot_describe_is_drawn_every_time(cache_dir):
    chart = Counting()
    marker = object()
    assert call_key(chart, (TREND, marker), {}) is None
    draw(chart, TREND, "t", "vụ", highlight=marker)
    draw(chart, TREND, "t", "vụ", highlight=marker)
    assert chart.calls == 2
    assert not cache_dir.exists() or not any(cache_dir.rglob("*.png"))


def _closure(unit: str):
    def chart(data: pd.DataFrame, title: str) -> Figure:
        return charts.province_trend(data, title, unit)

    return chart


def _in_chart_module(chart):
    chart.__module__ = "analysis.views.charts.trend"  # refused for its shape, not for where it was made
    return chart


@pytest.mark.parametrize(
    "make",
    [
        lambda unit: _in_chart_module(lambda data, title: charts.province_trend(data, title, unit)),
        lambda unit: _in_chart_module(_closure(unit)),
        lambda unit: _in_chart_module(functools.partial(charts.province_trend, unit=unit)),
    ],
    ids=["lambda", "closure", "partial"],
)
def test_only_plain_chart_functions_are_kept(cache_dir, make):
    """A closure's picture depends on what the key cannot see: two units must not share one picture."""
    one, two = make("vụ"), make("lượt")
    assert figure_cache.is_chart_module(one.__module__)
    assert call_key(one, (TREND, "t"), {}) is None
    assert draw(one, TREND, "t").png != draw(two, TREND, "t").png or one is two
    assert not cache_dir.exists() or not any(cache_dir.rglob("*.png"))


def test_a_method_is_not_keyed():
    assert call_key(Counting().__call__, (TREND, "t", "vụ"), {}) is None


def test_plain_functions_of_every_chart_module_are_keyed():
    for chart in (charts.province_trend, charts.ranking_bars, charts.completeness_heatmap, charts.trend_grid):
        assert chart.__module__.startswith("analysis.views.charts."), chart  # defined in a module of the package
        assert call_key(chart, (TREND, "t", "vụ"), {}) is not None, chart


def test_functions_outside_the_chart_package_are_not_keyed():
    assert call_key(tables.comparison_table, (TREND, "t", "vụ"), {}) is None
    assert figure_cache.is_chart_module("analysis.views.charts")
    assert not figure_cache.is_chart_module("analysis.views.charts_old")
    assert not figure_cache.is_chart_module("analysis.views")
    assert not figure_cache.is_chart_module(None)


def test_without_readable_chart_code_nothing_is_kept(cache_dir, monkeypatch):
    monkeypatch.setattr(figure_cache, "_code_stamp", lambda: None)
    chart = Counting()
    draw(chart, TREND, "t", "vụ")
    draw(chart, TREND, "t", "vụ")
    assert chart.calls == 2


def test_a_cache_that_cannot_be_written_costs_a_redraw_not_the_report(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker))  # entries would go below a file
    chart = Counting()
    first = draw(chart, TREND, "t", "vụ")
    assert draw(chart, TREND, "t", "vụ") == first and chart.calls == 2


def test_without_a_cache_folder_nothing_is_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    chart = Counting()
    draw(chart, TREND, "t", "vụ")
    draw(chart, TREND, "t", "vụ")
    assert chart.calls == 2


@pytest.mark.parametrize("damage", ["truncated", "no-sidecar", "bad-sidecar"])
def test_a_damaged_entry_is_drawn_again(cache_dir, damage):
    chart = Counting()
    good = draw(chart, TREND, "t", "vụ")
    (png,) = cache_dir.rglob("*.png")
    sidecar = png.with_suffix(".json")
    if damage == "truncated":
        png.write_bytes(png.read_bytes()[:100])
    elif damage == "no-sidecar":
        sidecar.unlink()
    else:
        sidecar.write_text("{not json", encoding="utf-8")
    assert draw(chart, TREND, "t", "vụ") == good
    assert chart.calls == 2
    assert draw(chart, TREND, "t", "vụ") == good and chart.calls == 2  # repaired


def test_prune_removes_only_entries_unused_for_long(cache_dir):
    chart = Counting()
    draw(chart, TREND, "cũ", "vụ")
    old = list(cache_dir.rglob("*.*"))
    long_ago = time.time() - 40 * 86400
    for path in old:
        os.utime(path, (long_ago, long_ago))
    draw(chart, TREND, "mới", "vụ")
    assert prune(cache_dir, max_age_days=30) == 2
    assert not any(p.exists() for p in old)
    assert len(list(cache_dir.rglob("*.png"))) == 1


def test_reuse_keeps_an_entry_from_being_pruned(cache_dir):
    chart = Counting()
    draw(chart, TREND, "t", "vụ")
    long_ago = time.time() - 40 * 86400
    for path in cache_dir.rglob("*.*"):
        os.utime(path, (long_ago, long_ago))
    draw(chart, TREND, "t", "vụ")  # a hit touches the entry
    assert prune(cache_dir, max_age_days=30) == 0


def test_the_stamp_reads_every_module_of_the_chart_package():
    folder = Path(charts.__file__).parent
    modules = sorted(f"views/charts/{p.name}" for p in folder.glob("*.py"))
    assert len(modules) > 1 and "views/charts/__init__.py" in modules and "views/charts/trend.py" in modules
    assert figure_cache.drawing_files() == [*modules, *figure_cache.DRAWING_MODULES]
    assert "core/vnformat.py" in figure_cache.DRAWING_MODULES and "core/labels.yaml" in figure_cache.DRAWING_MODULES


def test_the_report_charts_code_is_part_of_the_key(monkeypatch):
    before = call_key(charts.province_trend, (TREND, "t", "vụ"), {})
    files = figure_cache.drawing_files()
    figure_cache._code_stamp.cache_clear()
    monkeypatch.setattr(figure_cache, "drawing_files", lambda: [f for f in files if f != "views/charts/bars.py"])
    try:
        changed = call_key(charts.province_trend, (TREND, "t", "vụ"), {})
        assert changed is not None and changed != before  # a chart module that province_trend does not import
    finally:
        figure_cache._code_stamp.cache_clear()


def test_a_chart_package_without_sources_keys_nothing(monkeypatch):
    def no_sources() -> list[str]:
        raise FileNotFoundError("no chart sources")

    figure_cache._code_stamp.cache_clear()
    monkeypatch.setattr(figure_cache, "drawing_files", no_sources)
    try:
        assert call_key(charts.province_trend, (TREND, "t", "vụ"), {}) is None
    finally:
        figure_cache._code_stamp.cache_clear()


def test_a_page_gets_a_light_screen_image_and_print_gets_200_dpi(cache_dir):
    from io import BytesIO

    from PIL import Image

    chart = Counting()
    screen = draw(chart, TREND, "t", "vụ")
    printed = draw(chart, TREND, "t", "vụ", for_print=True)
    assert chart.calls == 2  # a print copy is its own entry: drawn once more, then kept
    assert draw(chart, TREND, "t", "vụ", for_print=True) == printed and chart.calls == 2
    assert screen.print_png is None and printed.print_png is not None
    with Image.open(BytesIO(screen.png)) as small, Image.open(BytesIO(printed.print_png)) as big:
        assert small.mode == big.mode == "P"  # a palette: a few colours, a fraction of the bytes
        assert small.info["dpi"] == pytest.approx((100, 100), abs=0.5)
        assert big.info["dpi"] == pytest.approx((200, 200), abs=0.5)
        assert big.width == 2 * small.width == 2 * round(7.5 * 100)
    with Image.open(BytesIO(printed.png)) as reduced:  # the page's image of a print render: the same, halved
        assert reduced.size == (big.width // 2, big.height // 2)
    # a quarter of the pixels: about half the bytes even for this near-empty three-point chart (text and edges)
    assert len(printed.png) < 0.6 * len(printed.print_png)
    assert screen.width == printed.width == round(7.5 * 96)  # shown at the figure's width in CSS pixels
