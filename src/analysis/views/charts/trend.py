"""The province's value per quarter: one line with markers, value labels, the report quarter emphasised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.core import vnformat
from analysis.core.periods import Quarter, quarter_range
from analysis.views.charts.layout import (
    add_footnote,
    add_title,
    empty_figure,
    is_empty,
    new_figure,
    numeric,
    parse_highlight,
    require_columns,
    x_ticks,
)
from analysis.views.charts.style import PALETTE, quarter_tick, styled, value_texts, vn_axis

LABEL_ALL_UP_TO = 16  # quarters: beyond this only the extremes and the last value are labelled


@dataclass(frozen=True)
class _Series:
    """Every quarter from the first to the last, with its value (NaN = gap) and reporting coverage."""

    quarters: list[Quarter]
    values: np.ndarray
    incomplete: np.ndarray  # fewer units reported than were expected
    reporting: np.ndarray | None
    expected: np.ndarray | None

    @property
    def x(self) -> np.ndarray:
        return np.arange(len(self.quarters))


@styled
def province_trend(data: pd.DataFrame, title: str, unit: str, highlight: str | None = None) -> Figure:
    """The province's value per quarter: a line with markers and value labels.

    ``data``: ``period`` ("2020Q1" …), ``value`` (NaN allowed), optionally ``units_reporting`` and
    ``units_expected``. Quarters missing in between show as gaps. A point whose ``units_reporting`` is below
    ``units_expected`` is drawn hollow and explained in a footnote. ``highlight`` ("2021Q3") is emphasised.
    """
    if is_empty(data):
        return empty_figure(title)
    series = _prepare(data)
    if series is None:
        return empty_figure(title)
    hq = parse_highlight(highlight)
    hi = series.quarters.index(hq) if hq in series.quarters else None
    fig = new_figure(3.9)
    add_title(fig, title)
    ax = fig.add_subplot()
    _line_and_points(ax, series)
    _value_labels(ax, series, unit, hi)
    if hi is not None:
        _highlight_box(ax, series, unit, hi)
    ticks = [quarter_tick(q.label) for q in series.quarters]
    _trend_axes(ax, series, unit, ticks, hi)
    _coverage_footnote(fig, series)
    return fig


def _prepare(data: pd.DataFrame) -> _Series | None:
    """The series on a gapless quarter range; None when no value is a number."""
    require_columns(data, ["period", "value"], "province_trend")
    df = data.copy()
    df["quarter"] = [Quarter.parse(str(p)) for p in df["period"]]
    if df["quarter"].duplicated().any():
        dup = sorted({q.label for q in df.loc[df["quarter"].duplicated(), "quarter"]})
        raise ValueError(f"province_trend: kỳ bị trùng {dup} / duplicate periods {dup}")
    df["value"] = numeric(df["value"])
    if df["value"].isna().all():
        return None
    quarters = quarter_range(min(df["quarter"]), max(df["quarter"]))
    df = df.set_index("quarter").reindex(quarters)
    values = df["value"].to_numpy(dtype=float)
    incomplete = np.zeros(len(quarters), dtype=bool)
    rep = exp = None
    if {"units_reporting", "units_expected"} <= set(df.columns):
        rep, exp = numeric(df["units_reporting"]).to_numpy(), numeric(df["units_expected"]).to_numpy()
        with np.errstate(invalid="ignore"):
            incomplete = (rep < exp) & ~np.isnan(values)
    return _Series(quarters, values, incomplete, rep, exp)


def _line_and_points(ax: Axes, series: _Series) -> None:
    """The line, filled markers where every unit reported, hollow ones where some did not."""
    x, values, incomplete = series.x, series.values, series.incomplete
    color = PALETTE[0]
    ax.plot(x, values, color=color, linewidth=1.8, zorder=2)
    full = ~incomplete & ~np.isnan(values)
    ax.plot(x[full], values[full], linestyle="none", marker="o", markersize=6, color=color, zorder=3)
    ax.plot(
        x[incomplete], values[incomplete], linestyle="none", marker="o", markersize=6,
        markerfacecolor="white", markeredgecolor=color, markeredgewidth=1.6, zorder=3,
    )  # fmt: skip


def _value_labels(ax: Axes, series: _Series, unit: str, hi: int | None) -> None:
    """A value beside each point (the extremes and the last one only, on a long series), on the side the line
    leaves free (`label_place`)."""
    x, values = series.x, series.values
    label_all = len(values) <= LABEL_ALL_UP_TO
    finite = ~np.isnan(values)
    extremes = {int(np.nanargmax(values)), int(np.nanargmin(values)), int(np.flatnonzero(finite)[-1])}
    shown = value_texts(values, unit)  # one number style along the line
    for i in range(len(values)):
        if np.isnan(values[i]) or i == hi or not (label_all or i in extremes):
            continue
        offset, ha, va = label_place(values, i)
        ax.annotate(
            shown[i], (x[i], values[i]), xytext=offset, textcoords="offset points",
            ha=ha, va=va, fontsize=7.5, color="#222222", zorder=4,
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85},
        )  # fmt: skip


def label_place(values: np.ndarray, i: int) -> tuple[tuple[int, int], str, str]:
    """(offset in points, ha, va) of point i's label where the line does not run: above a peak, below a valley,
    above-left of a rising point and above-right of a falling one (the line fills the other two quarters); at
    either end of the line, above or below as at a peak or a valley."""
    before = values[i - 1] if i > 0 else np.nan
    after = values[i + 1] if i + 1 < len(values) else np.nan
    v = values[i]
    lower_before = np.isnan(before) or before <= v
    lower_after = np.isnan(after) or after <= v
    at_end = np.isnan(before) or np.isnan(after)
    if lower_before and lower_after:
        return (0, 7), "center", "bottom"
    if at_end or (not lower_before and not lower_after):
        return (0, -8), "center", "top"
    if lower_before:  # rising through the point
        return (-5, 5), "right", "bottom"
    return (5, 5), "left", "bottom"


def _highlight_box(ax: Axes, series: _Series, unit: str, hi: int) -> None:
    """A large marker on the highlighted quarter and a boxed "Quý III/2021: 20.480 lượt" in the headroom."""
    x, n, accent = series.x, len(series.quarters), PALETTE[1]
    v = series.values[hi]
    y = v if not np.isnan(v) else 0.0
    ax.plot(
        [x[hi]], [y], linestyle="none", marker="o", markersize=10,
        markerfacecolor="white" if series.incomplete[hi] or np.isnan(v) else accent, markeredgecolor=accent,
        markeredgewidth=2, zorder=5,
    )  # fmt: skip
    text = f"{series.quarters[hi].vn_title}: " + (vnformat.with_unit(v, unit) if not np.isnan(v) else "chưa có số liệu")
    right_half = x[hi] > (n - 1) / 2
    # in the headroom above the data, so the box never hides other points
    ax.annotate(
        text, (x[hi], y), xytext=(x[hi] + (-0.15 if right_half else 0.15), 0.97),
        textcoords=("data", "axes fraction"), ha="right" if right_half else "left", va="top", fontsize=8.5,
        fontweight="bold", color="#222222", zorder=6,
        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": accent, "lw": 1},
        arrowprops={"arrowstyle": "-", "color": accent, "lw": 1, "shrinkA": 0, "shrinkB": 6},
    )  # fmt: skip


def _trend_axes(ax: Axes, series: _Series, unit: str, ticks: list[str], hi: int | None) -> None:
    """Quarter ticks (the highlighted one bold), headroom above the data, value axis in Vietnamese format."""
    n, values = len(series.quarters), series.values
    x_ticks(ax, ticks)
    if hi is not None and hi in ax.get_xticks():
        for t in ax.get_xticklabels():
            if t.get_text() == ticks[hi]:
                t.set_fontweight("bold")
    ax.set_xlim(-0.5, n - 0.5)
    lo, top = float(np.nanmin(values)), float(np.nanmax(values))
    bottom = min(0.0, lo * 1.1)
    span = (top - bottom) or abs(top)
    ylim_top = top + span * 0.32 if span else 1.0  # all zero: a 0–1 axis, not 0–0,3
    ax.set_ylim(bottom, ylim_top)
    ax.set_ylabel("Tỷ lệ (%)" if unit == "%" else unit)
    vn_axis(ax, "y", percent=unit == "%")
    if unit == "%" and bottom >= 0 and top <= 100 < ylim_top:  # headroom, but no "120%" tick on a rate
        ax.set_yticks([t for t in ax.yaxis.get_major_locator().tick_values(bottom, 100) if bottom <= t <= 100])
    ax.grid(False, axis="x")


def _coverage_footnote(fig: Figure, series: _Series) -> None:
    """Say which points are hollow (units missing) and which quarters have no value ("quý II/2020")."""
    named = [q.vn for q in series.quarters]
    notes = []
    if series.incomplete.any():
        rep, exp = series.reporting, series.expected
        detail = "; ".join(
            f"{named[i]}: {vnformat.number(rep[i])}/{vnformat.number(exp[i])} đơn vị"
            for i in np.flatnonzero(series.incomplete)
        )
        notes.append(f"Điểm rỗng: chưa đủ đơn vị báo cáo ({detail}).")
    gaps = [named[i] for i in np.flatnonzero(np.isnan(series.values))]
    if gaps:
        notes.append(f"Không có số liệu: {', '.join(gaps)}.")
    if notes:
        add_footnote(fig, " ".join(notes))
