"""Charts: Vietnamese text and number formats, house style, edge cases, clean PNG rendering."""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from analysis.core import labels
from analysis.views import charts
from analysis.views.charts import (
    PALETTE,
    change_heatmap,
    completeness_heatmap,
    house_style,
    province_trend,
    quarter_tick,
    ranking_bars,
    units_side_by_side,
    vn_axis,
)

UNITS = [
    "Thành phố Minh Sơn",
    "Thị xã Hòa Lạc",
    "Huyện Đông Phong",
    "Huyện Tây Sơn",
    "Huyện Bắc Hà",
    "Huyện Nam Giang",
    "Huyện miền núi Phước Long Thượng",
    "Công an tỉnh",
    "Sở Y tế",
    "Sở Tài nguyên và Môi trường",
    "Ban Tiếp công dân tỉnh (Văn phòng UBND tỉnh)",
    "Thanh tra tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
]
PERIODS = ["2020Q1", "2020Q2", "2020Q3", "2020Q4", "2021Q1", "2021Q2", "2021Q3"]
INDICATORS = ["Lượt tiếp công dân", "Đơn tiếp nhận trong kỳ", "Vi phạm ATGT được xử lý"]
LABELS3 = {"current": "Quý III/2021", "previous": "Quý II/2021", "last_year": "Quý III/2020"}
LONG_NAME = "Ủy ban Mặt trận Tổ quốc Việt Nam huyện miền núi Phước Long Thượng và các tổ chức chính trị - xã hội"
# the fixture holds `received` (no deadline configured), not `received_undated`: the legend words come from labels.yaml
COMPLETENESS_LEGEND = [
    labels.label("completeness_status", code) for code in ("on_time", "late", "received", "missing", "not_expected")
]


# ------------------------------------------------------------------------------------------------ helpers


def render(fig: Figure) -> bytes:
    """Save as the report does (PNG, 200 dpi) and fail on any missing-glyph or font warning."""
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format="png", dpi=200)
    bad = [str(w.message) for w in caught if "glyph" in str(w.message).lower() or "font" in str(w.message).lower()]
    assert not bad, bad
    data = buf.getvalue()
    assert data.startswith(b"\x89PNG")
    return data


def texts(fig: Figure) -> list[str]:
    """Every text in the figure (after a draw, so tick labels are formatted)."""
    fig.draw_without_rendering()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def flat(s: str) -> str:
    return " ".join(s.split())


def title_of(fig: Figure) -> str:
    return flat(fig.get_suptitle())


def tick_texts(axis) -> list[str]:
    axis.axes.figure.draw_without_rendering()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def legend_texts(fig: Figure) -> list[str]:
    legends = [lg for ax in fig.axes if (lg := ax.get_legend()) is not None] + list(fig.legends)
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def cell_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.fixture(autouse=True)
def no_leaked_figures():
    before = list(plt.get_fignums())
    yield
    assert plt.get_fignums() == before, "a chart function left an open pyplot figure"


@pytest.fixture
def trend_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": PERIODS,
            "value": [5210.0, 6020.0, 5875.0, 7048.0, 6890.0, 7120.0, 20480.0],
            "units_reporting": [13, 12, 13, 13, 13, 13, 13],
            "units_expected": [13] * 7,
        }
    )


@pytest.fixture
def side_data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    cur = rng.integers(100, 1500, len(UNITS)).astype(float)
    df = pd.DataFrame(
        {"unit_name": UNITS, "current": cur, "previous": cur - 50, "last_year": cur + 30},
    )
    df.loc[4, "current"] = 7048.0
    df.loc[5, "previous"] = np.nan
    return df


@pytest.fixture
def change_data() -> pd.DataFrame:
    df = pd.DataFrame(np.linspace(-80, 80, len(UNITS) * 3).reshape(-1, 3), index=UNITS, columns=INDICATORS)
    df.iloc[0, 0] = 12.5
    df.iloc[1, 1] = -3.0
    df.iloc[2, 2] = np.nan
    df.iloc[3, 0] = 250.0
    df.iloc[4, 0] = 0.0
    return df


@pytest.fixture
def completeness_data() -> pd.DataFrame:
    codes = ["on_time", "late", "received", "missing", "not_expected"]
    grid = [[codes[(i + j) % len(codes)] for j in range(len(PERIODS))] for i in range(len(UNITS))]
    return pd.DataFrame(grid, index=UNITS, columns=PERIODS)


@pytest.fixture
def ranking_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_name": UNITS,
            "value": [7048.0, 20480.0, 15.0, 0.0, 310.0, 4500.0, 980.0, 1200.0, 60.0, 75.0, 2222.0, 130.0, 999.0],
            "flag": [False, True, False, False, False, False, False, True, False, False, False, False, False],
        }
    )


# ------------------------------------------------------------------------------------------------ basics


def test_palette_is_okabe_ito():
    assert PALETTE == ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


@pytest.mark.parametrize(
    ("label", "expected"), [("2021Q3", "III/2021"), ("2020Q1", "I/2020"), ("2021q4", "IV/2021"), ("khác", "khác")]
)
def test_quarter_tick(label, expected):
    assert quarter_tick(label) == expected


def test_house_style_is_a_scoped_rc_context():
    before = dict(mpl.rcParams)
    with house_style():
        assert mpl.rcParams["font.family"] == ["DejaVu Sans"]
        assert not mpl.rcParams["axes.spines.top"] and not mpl.rcParams["axes.spines.right"]
        assert mpl.rcParams["axes.grid"]
        assert [to_hex(c["color"]).upper() for c in mpl.rcParams["axes.prop_cycle"]][:3] == list(PALETTE[:3])
    assert dict(mpl.rcParams) == before


def test_vn_axis_thousands_and_percent():
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 10, 20], [0, 10240, 20480])
    ax.set_xlim(0, 20)
    vn_axis(ax, "y")
    vn_axis(ax, "x", percent=True, decimals=1)
    assert isinstance(ax.yaxis.get_major_formatter(), FuncFormatter)
    ys = tick_texts(ax.yaxis)
    assert "20.000" in ys and not any("," in t for t in ys)
    xs = tick_texts(ax.xaxis)
    assert all(t.endswith("%") for t in xs)
    assert {"0,0%", "2,5%", "5,0%", "20,0%"} <= set(xs) and not any("." in t for t in xs)


def test_vn_axis_counts_get_whole_ticks_and_small_rates_get_decimals():
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 3])
    ax.plot([0, 0.4], [0, 0])
    vn_axis(ax, "y")
    assert all("," not in t for t in tick_texts(ax.yaxis))
    ax2 = fig.add_subplot()
    ax2.set_ylim(0, 1)
    vn_axis(ax2, "y", percent=True)
    labels = tick_texts(ax2.yaxis)
    assert len(set(labels)) == len(labels)  # no "0%", "0%", "1%" duplicates
    assert "0,2%" in labels
    with pytest.raises(ValueError):
        vn_axis(ax, "z")


# ------------------------------------------------------------------------------------------------ province_trend


def test_province_trend(trend_data):
    fig = province_trend(trend_data, "Lượt tiếp công dân toàn tỉnh, Quý III/2021", "lượt", highlight="2021Q3")
    assert isinstance(fig, Figure)
    assert title_of(fig) == "Lượt tiếp công dân toàn tỉnh, Quý III/2021"
    assert fig.get_size_inches()[0] == pytest.approx(7.5)
    ax = fig.axes[0]
    ys = tick_texts(ax.yaxis)
    assert "20.000" in ys and not any("," in t for t in ys)
    assert tick_texts(ax.xaxis) == ["I/2020", "II/2020", "III/2020", "IV/2020", "I/2021", "II/2021", "III/2021"]
    assert ax.get_ylabel() == "lượt"
    all_texts = texts(fig)
    assert "7.048" in all_texts and "5.210" in all_texts
    assert "Quý III/2021: 20.480 lượt" in all_texts  # highlight annotation
    bold = [t.get_text() for t in ax.get_xticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["III/2021"]
    assert any(
        flat(t).startswith("Điểm rỗng: chưa đủ đơn vị báo cáo") and "quý II/2020: 12/13" in flat(t) for t in all_texts
    )
    hollow = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_markerfacecolor() == "white"]
    assert [list(ln.get_xdata()) for ln in hollow] == [[1]]
    render(fig)


def test_province_trend_complete_reporting_has_no_footnote(trend_data):
    trend_data["units_reporting"] = 13
    fig = province_trend(trend_data, "Quý III/2021", "lượt")
    assert not any("Điểm rỗng" in t for t in texts(fig))
    fig = province_trend(trend_data[["period", "value"]], "Quý III/2021", "lượt")
    assert not any("Điểm rỗng" in t for t in texts(fig))


def test_province_trend_percent_unit_gaps_and_order():
    data = pd.DataFrame({"period": ["2021Q3", "2020Q1", "2020Q2", "2021Q1"], "value": [92.3, 78.5, np.nan, 86.4]})
    fig = province_trend(data, "Tỷ lệ giải quyết đơn, Quý III/2021", "%", highlight="2021Q3")
    ax = fig.axes[0]
    ys = tick_texts(ax.yaxis)
    assert ys and all(t.endswith("%") for t in ys)
    assert "120%" not in ys and "100%" in ys
    xs = tick_texts(ax.xaxis)
    assert xs == ["I/2020", "II/2020", "III/2020", "IV/2020", "I/2021", "II/2021", "III/2021"]  # sorted, gaps kept
    all_texts = texts(fig)
    assert "78,5%" in all_texts and "Quý III/2021: 92,3%" in all_texts
    assert any("Không có số liệu: quý II/2020, quý III/2020, quý IV/2020, quý II/2021" in flat(t) for t in all_texts)
    render(fig)


def test_province_trend_many_quarters_rotates_ticks():
    periods = [f"{y}Q{q}" for y in range(2017, 2022) for q in (1, 2, 3, 4)]
    data = pd.DataFrame({"period": periods, "value": np.linspace(3000, 9000, len(periods))})
    fig = province_trend(data, "Quý IV/2021", "lượt", highlight="2019Q2")
    labels = fig.axes[0].get_xticklabels()
    assert len(labels) == 20 and all(t.get_rotation() == 45 for t in labels)
    render(fig)


def test_province_trend_single_quarter_zero_and_unknown_highlight():
    fig = province_trend(pd.DataFrame({"period": ["2021Q3"], "value": [0.0]}), "Quý III/2021", "vụ", "2019Q1")
    ys = tick_texts(fig.axes[0].yaxis)
    assert "0" in ys and not any("," in t for t in ys)
    render(fig)


def test_province_trend_rejects_duplicate_periods():
    with pytest.raises(ValueError, match="2021Q3"):
        province_trend(pd.DataFrame({"period": ["2021Q3", "2021Q3"], "value": [1, 2]}), "t", "vụ")


# ------------------------------------------------------------------------------------------------ side by side


def test_units_side_by_side(side_data):
    fig = units_side_by_side(side_data, "Lượt tiếp công dân theo đơn vị, Quý III/2021", "lượt", LABELS3)
    assert title_of(fig) == "Lượt tiếp công dân theo đơn vị, Quý III/2021"
    ax = fig.axes[0]
    assert legend_texts(fig) == ["Quý III/2021", "Quý II/2021", "Quý III/2020"]
    ytick = [flat(t) for t in tick_texts(ax.yaxis)]
    assert ytick[-1] == "Huyện Bắc Hà"  # largest current (7.048) on top
    order = side_data.sort_values("current", ascending=False)["unit_name"].tolist()
    assert ytick == order[::-1]
    all_texts = texts(fig)
    assert "7.048" in all_texts and "—" in all_texts
    xs = tick_texts(ax.xaxis)
    assert any("." in t for t in xs) and not any("," in t for t in xs)
    assert ax.get_xlabel() == "lượt"
    # every label line fits the wrap width
    assert all(len(line) <= 28 for t in ax.get_yticklabels() for line in t.get_text().split("\n"))
    render(fig)


def test_units_side_by_side_two_columns_single_unit_long_name():
    data = pd.DataFrame({"unit_name": [LONG_NAME], "current": [0.0], "previous": [np.nan]})
    fig = units_side_by_side(data, "Quý III/2021", "vụ", {"current": "Quý III/2021", "previous": "Quý II/2021"})
    assert legend_texts(fig) == ["Quý III/2021", "Quý II/2021"]
    all_texts = texts(fig)
    assert "0" in all_texts and "—" in all_texts
    (label,) = fig.axes[0].get_yticklabels()
    assert all(len(line) <= 28 for line in label.get_text().split("\n"))
    render(fig)


def test_units_side_by_side_missing_column_is_a_clear_error(side_data):
    with pytest.raises(ValueError, match="last_year"):
        units_side_by_side(side_data.drop(columns="last_year"), "t", "lượt", LABELS3)


# ------------------------------------------------------------------------------------------------ change heatmap


def test_change_heatmap(change_data):
    fig = change_heatmap(change_data, "Thay đổi so với cùng kỳ năm trước, Quý III/2021")
    assert title_of(fig) == "Thay đổi so với cùng kỳ năm trước, Quý III/2021"
    ax = fig.axes[0]
    cells = cell_texts(ax)
    assert len(cells) == len(UNITS) * len(INDICATORS)
    assert "+12,5%" in cells and "-3,0%" in cells and "—" in cells and "0,0%" in cells and "+250%" in cells
    assert [flat(t) for t in tick_texts(ax.xaxis)] == INDICATORS
    assert [flat(t) for t in tick_texts(ax.yaxis)] == UNITS
    cbar_ax = fig.axes[1]
    assert cbar_ax.get_xlabel() == "% thay đổi"
    cbar_ticks = tick_texts(cbar_ax.xaxis)
    assert cbar_ticks == ["-100%", "-50%", "0%", "+50%", "+100%"]
    assert {"tăng", "giảm"} <= set(cell_texts(cbar_ax))
    render(fig)


def test_change_heatmap_text_contrast_and_clipping(change_data):
    fig = change_heatmap(change_data, "Quý III/2021", limit=50)
    by_text = {t.get_text(): t for t in fig.axes[0].texts}
    assert to_hex(by_text["+250%"].get_color()) == "#ffffff"  # dark end of the scale (clipped)
    assert to_hex(by_text["0,0%"].get_color()) == "#000000"  # light centre
    assert tick_texts(fig.axes[1].xaxis) == ["-50%", "-25%", "0%", "+25%", "+50%"]


def test_change_heatmap_all_nan_and_bad_limit():
    data = pd.DataFrame(np.nan, index=UNITS[:2], columns=INDICATORS)
    fig = change_heatmap(data, "Quý III/2021")
    assert cell_texts(fig.axes[0]) == ["—"] * 6
    render(fig)
    with pytest.raises(ValueError):
        change_heatmap(data, "Quý III/2021", limit=0)


# ------------------------------------------------------------------------------------------------ completeness


def test_completeness_heatmap(completeness_data):
    shuffled = completeness_data[PERIODS[::-1]]
    fig = completeness_heatmap(shuffled, "Tình hình nộp báo cáo, Quý III/2021")
    assert title_of(fig) == "Tình hình nộp báo cáo, Quý III/2021"
    assert legend_texts(fig) == COMPLETENESS_LEGEND
    ax = fig.axes[0]
    assert tick_texts(ax.xaxis) == [quarter_tick(p) for p in PERIODS]  # chronological
    cells = cell_texts(ax)
    assert {"✓", "muộn", "đã nộp", "thiếu"} == set(cells)
    assert len(cells) == len(UNITS) * len(PERIODS) - (completeness_data == "not_expected").sum().sum()
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == (completeness_data == "not_expected").sum().sum()
    render(fig)


def test_completeness_heatmap_reads_codes_and_nan():
    data = pd.DataFrame({"2021Q2": ["on_time", "late"], "2021Q3": ["missing", None]}, index=["Sở Y tế", "Công an tỉnh"])
    fig = completeness_heatmap(data, "Quý III/2021")
    assert sorted(cell_texts(fig.axes[0])) == sorted(["✓", "muộn", "thiếu"])
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 1  # None: not expected
    with pytest.raises(ValueError, match="unknown status .*on_time, late, received_undated, received, missing"):
        completeness_heatmap(pd.DataFrame({"2021Q3": ["maybe"]}, index=["Sở Y tế"]), "Quý III/2021")


@pytest.mark.parametrize("word", ["Đã nộp đúng hạn", "Nộp muộn", "đúng hạn", "Chưa nộp", " on_time"])
def test_completeness_heatmap_refuses_words_as_status(word):
    """The table carries codes; a status in words (or a padded code) is a bug upstream, not an alias."""
    data = pd.DataFrame({"2021Q2": ["on_time"], "2021Q3": [word]}, index=["Sở Y tế"])
    with pytest.raises(ValueError, match=r"(?s)unknown status.*known: on_time"):
        completeness_heatmap(data, "Quý III/2021")


def test_completeness_chart_knows_every_status_of_the_labels():
    assert list(charts.COMPLETENESS_STATUSES) == list(labels.group("completeness_status"))


@pytest.mark.parametrize(
    ("received", "extra"),
    [
        ([], []),  # nothing received without a date: neither "received" entry
        (["received_undated"], ["received_undated"]),  # a deadline is configured
        (["received"], ["received"]),  # no deadline configured
        (["received", "received_undated"], ["received_undated", "received"]),  # file order
    ],
)
def test_completeness_legend_names_received_only_when_present(received, extra):
    codes = ["on_time", "late", "missing", "not_expected", *received]
    words = labels.group("completeness_status")
    expected = [words[c] for c in ("on_time", "late", *extra, "missing", "not_expected")]
    data = pd.DataFrame([codes], index=["Sở Y tế"], columns=[f"2021Q{i}" for i in range(1, len(codes) + 1)])
    assert legend_texts(completeness_heatmap(data, "Quý")) == expected
    many = [f"{y}Q{q}" for y in range(2016, 2022) for q in (1, 2, 3, 4)]  # narrow cells: symbols and a footnote
    wide = pd.DataFrame([[codes[j % len(codes)] for j in range(len(many))]], index=["Sở Y tế"], columns=many)
    fig = completeness_heatmap(wide, "Quý")
    assert legend_texts(fig) == expected
    (note,) = [flat(t) for t in texts(fig) if t.startswith("Ký hiệu")]
    assert note.count(" N ") == len(extra)
    for code in extra:
        assert f"N {words[code][0].lower()}{words[code][1:]}" in note


def test_completeness_heatmap_many_quarters_uses_symbols():
    periods = [f"{y}Q{q}" for y in range(2018, 2022) for q in (1, 2, 3, 4)]
    data = pd.DataFrame("late", index=UNITS, columns=periods)
    fig = completeness_heatmap(data, "2018–2021")
    assert set(cell_texts(fig.axes[0])) == {"M"}
    (note,) = [flat(t) for t in texts(fig) if t.startswith("Ký hiệu")]
    assert note == "Ký hiệu trong ô: ✓ đã nộp đúng hạn; M nộp muộn; T chưa nộp."  # no "received" in the data
    assert all(t.get_rotation() == 45 for t in fig.axes[0].get_xticklabels())
    render(fig)


# ------------------------------------------------------------------------------------------------ ranking


def test_ranking_bars(ranking_data):
    fig = ranking_bars(ranking_data, "Đơn tiếp nhận trong kỳ theo đơn vị, Quý III/2021", "đơn")
    assert title_of(fig) == "Đơn tiếp nhận trong kỳ theo đơn vị, Quý III/2021"
    ax = fig.axes[0]
    ytick = [flat(t) for t in tick_texts(ax.yaxis)]
    assert ytick[-1] == "Thị xã Hòa Lạc" and ytick[-2] == "Thành phố Minh Sơn"  # descending, largest on top
    all_texts = texts(fig)
    assert "7.048" in all_texts and "20.480" in all_texts and "0" in all_texts
    xs = tick_texts(ax.xaxis)
    assert "20.000" in xs and not any("," in t for t in xs)
    assert legend_texts(fig) == ["Bất thường so với lịch sử của đơn vị"]
    flagged = {"Thị xã Hòa Lạc", "Công an tỉnh"}
    for bar, name in zip(ax.patches, ytick, strict=True):
        assert (to_hex(bar.get_facecolor()).upper() == PALETTE[3]) == (name in flagged)
    render(fig)


def test_ranking_bars_without_flags_has_no_legend(ranking_data):
    fig = ranking_bars(ranking_data.drop(columns="flag"), "Quý III/2021", "đơn")
    assert legend_texts(fig) == []
    assert {to_hex(p.get_facecolor()).upper() for p in fig.axes[0].patches} == {PALETTE[0]}


def test_ranking_bars_nan_value_and_percent_unit():
    data = pd.DataFrame({"unit_name": ["Sở Y tế", "Công an tỉnh"], "value": [np.nan, 12.5]})
    fig = ranking_bars(data, "Tỷ lệ, Quý III/2021", "%")
    all_texts = texts(fig)
    assert "12,5%" in all_texts and "—" in all_texts
    assert all(t.endswith("%") for t in tick_texts(fig.axes[0].xaxis))
    render(fig)


# ------------------------------------------------------------------------------------------------ all charts


def _calls(empty: bool = False, nan: bool = False):
    if empty:
        return [
            lambda: province_trend(pd.DataFrame(columns=["period", "value"]), "Quý III/2021", "lượt"),
            lambda: units_side_by_side(pd.DataFrame(), "Quý III/2021", "lượt", LABELS3),
            lambda: change_heatmap(pd.DataFrame(), "Quý III/2021"),
            lambda: completeness_heatmap(pd.DataFrame(index=UNITS), "Quý III/2021"),
            lambda: ranking_bars(pd.DataFrame(columns=["unit_name", "value"]), "Quý III/2021", "đơn"),
        ]
    assert nan
    return [
        lambda: province_trend(pd.DataFrame({"period": PERIODS, "value": np.nan}), "Quý III/2021", "lượt", "2021Q3"),
        lambda: units_side_by_side(
            pd.DataFrame({"unit_name": UNITS, "current": np.nan, "previous": np.nan, "last_year": np.nan}),
            "Quý III/2021",
            "lượt",
            LABELS3,
        ),
        lambda: ranking_bars(pd.DataFrame({"unit_name": UNITS, "value": np.nan}), "Quý III/2021", "đơn"),
    ]


@pytest.mark.parametrize("call", _calls(empty=True))
def test_empty_input_says_no_data(call):
    fig = call()
    assert isinstance(fig, Figure)
    assert title_of(fig) == "Quý III/2021"
    assert "Không có số liệu" in texts(fig)
    render(fig)


@pytest.mark.parametrize("call", _calls(nan=True))
def test_nan_only_input_does_not_fail(call):
    fig = call()
    assert "Không có số liệu" in texts(fig)
    render(fig)


def test_no_english_or_raw_missing_markers(trend_data, side_data, change_data, completeness_data, ranking_data):
    figs = [
        province_trend(trend_data, "Quý III/2021", "lượt", "2021Q3"),
        units_side_by_side(side_data, "Quý III/2021", "lượt", LABELS3),
        change_heatmap(change_data, "Quý III/2021"),
        completeness_heatmap(completeness_data, "Quý III/2021"),
        ranking_bars(ranking_data, "Quý III/2021", "đơn"),
    ]
    words = {w.lower().strip("():;.,") for fig in figs for t in texts(fig) for w in t.split()}
    for english in ("nan", "none", "<na>", "legend", "value", "period", "unit_name", "on_time", "missing", "late"):
        assert english not in words


def test_style_survives_saving_outside_the_context(ranking_data, caplog):
    fig = ranking_bars(ranking_data, "Quý III/2021", "đơn")
    caplog.set_level(logging.WARNING, logger="matplotlib")
    with mpl.rc_context({"xtick.labelsize": 20, "ytick.labelsize": 20, "font.family": "serif", "grid.color": "red"}):
        render(fig)
    ax = fig.axes[0]
    assert {t.get_fontsize() for t in ax.get_xticklabels()} == {8}
    assert {t.get_fontfamily()[0] for t in ax.get_xticklabels()} == {"DejaVu Sans"}
    assert {to_hex(line.get_color()) for line in ax.get_xgridlines()} == {"#dddddd"}
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]


def test_chart_functions_do_not_use_pyplot(monkeypatch, trend_data, completeness_data):
    monkeypatch.setattr(plt, "figure", lambda *a, **k: pytest.fail("pyplot.figure used"))
    monkeypatch.setattr(plt, "subplots", lambda *a, **k: pytest.fail("pyplot.subplots used"))
    province_trend(trend_data, "Quý III/2021", "lượt")
    completeness_heatmap(completeness_data, "Quý III/2021")
    assert charts.FIG_WIDTH == 7.5


# ------------------------------------------------------------------------------------------------ small multiples


def _series(values: list[float]) -> pd.DataFrame:
    periods = ["2020Q3", "2020Q4", "2021Q1", "2021Q2", "2021Q3"][-len(values) :]
    return pd.DataFrame({"period": periods, "value": values})


def test_trend_grid_one_panel_per_series_with_the_quarter_highlighted():
    panels = [
        ("Lượt tiếp công dân", _series([900, 1000, 950, 1020, 1028]), "lượt"),
        ("Không có số liệu", pd.DataFrame(), "vụ"),  # dropped
        ("Tỷ lệ giải quyết", _series([70.0, 75.5, 80.0, 90.0, 93.5]), "%"),
    ]
    fig = charts.trend_grid(panels, "Các chỉ tiêu chính của Huyện Thử qua các quý", "2021Q3")
    assert title_of(fig) == "Các chỉ tiêu chính của Huyện Thử qua các quý"
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["Lượt tiếp công dân", "Tỷ lệ giải quyết"]
    shown = texts(fig)
    assert "1.028 lượt" in shown and "93,5%" in shown  # the highlighted quarter's value with its unit, Vietnamese style
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][-1] == "III/2021"
    render(fig)


@pytest.mark.parametrize(
    ("values", "unit", "among", "expected"),
    [
        ([80.0, 75.1, 108.0], "triệu đồng", None, ["80,0", "75,1", "108,0"]),  # one has a fraction: all get one
        ([80.0, 69.0], "triệu đồng", [[80.0, 75.1], [69.0, 60.9]], ["80,0", "69,0"]),  # decided over the chart
        ([7048.0, 1004.0], "lượt", None, ["7.048", "1.004"]),  # counts stay whole, dots group thousands
        ([75.3, 50.0], "%", None, ["75,3%", "50,0%"]),
        ([float("nan"), 2.5], "vụ", None, ["—", "2,5"]),
    ],
)
def test_values_read_side_by_side_share_one_number_style(values, unit, among, expected):
    assert charts.style.value_texts(values, unit, among) == expected


@pytest.mark.parametrize(
    ("values", "i", "place"),
    [
        ([1, 5, 2], 1, ((0, 7), "center", "bottom")),  # a peak: above
        ([5, 1, 4], 1, ((0, -8), "center", "top")),  # a valley: below, the line rising both sides
        ([1, 3, 5], 1, ((-5, 5), "right", "bottom")),  # rising: the line fills lower-left and upper-right
        ([5, 3, 1], 1, ((5, 5), "left", "bottom")),  # falling: the line fills upper-left and lower-right
        ([2, 5, 3], 0, ((0, -8), "center", "top")),  # the first point, the line rising away: below
        ([5, 2, 3], 0, ((0, 7), "center", "bottom")),  # the first point, the line falling away: above
        ([5, float("nan"), 3], 0, ((0, 7), "center", "bottom")),  # alone between gaps: above
    ],
)
def test_a_value_label_sits_where_the_line_does_not_run(values, i, place):
    from analysis.views.charts.trend import label_place

    assert label_place(np.array(values, dtype=float), i) == place


def test_trend_grid_makes_room_for_long_tick_labels():
    """12.000.000 in the first column and in a middle column: no label leaves the figure or runs into the panel
    on its left."""
    big = _series([9_000_000, 12_000_000, 11_500_000, 12_300_000, 12_336_000])
    small = _series([1, 2, 3, 2, 1])
    fig = charts.trend_grid([("Lớn", big, "triệu đồng"), ("Lớn giữa", big, "lượt"), ("Nhỏ", small, "vụ")], "T")
    render(fig)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    for i, ax in enumerate(fig.axes):
        labels = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
        assert labels and min(b.x0 for b in labels) >= 0, i
        if i > 0:
            left_panel = fig.axes[i - 1].get_window_extent(renderer)
            assert min(b.x0 for b in labels) > left_panel.x1, i


def test_change_heatmap_reads_a_rates_row_in_points_on_a_scale_of_its_own():
    data = pd.DataFrame(
        {"Huyện A": [12.5, 7.8], "Huyện B": [-40.0, -20.0]},
        index=["Lượt tiếp công dân", "Tỷ lệ giải quyết (điểm %)"],
    )
    fig = change_heatmap(data, "Quý III/2021")
    by_text = {t.get_text(): t for t in fig.axes[0].texts}
    assert {"+12,5%", "-40,0%", "+7,8", "-20,0"} <= set(by_text)  # a rate's change in points, no "%"
    # -20 points is the end of the rates' scale: as dark as -100% would be, darker than the count's -40%
    assert to_hex(by_text["-20,0"].get_color()) == "#ffffff"
    assert to_hex(by_text["-40,0%"].get_color()) == "#000000"
    assert any("±20 điểm phần trăm (tỷ lệ)" in t.get_text() for t in fig.texts)  # the footnote says so
    render(fig)
