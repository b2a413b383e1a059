"""Horizontal bars per unit: the units side by side over two or three quarters, and units ranked by one value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.views.charts.layout import add_title, empty_figure, is_empty, new_figure, numeric, require_columns
from analysis.views.charts.style import PALETTE, styled, value_texts, vn_axis, wrap

OUTLIER_TEXT = "Bất thường so với lịch sử của đơn vị"


def _legend_above(ax: Axes, handles: Sequence[Any], labels: Sequence[str], ncols: int = 1) -> None:
    """Legend in one row just above the plot, left-aligned (an axes legend, so the layout makes room for it)."""
    ax.legend(
        handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=ncols, handlelength=1.2,
        columnspacing=1.5, borderaxespad=0.4, borderpad=0.2,
    )  # fmt: skip


def _unit_rows_height(labels: Sequence[str], per_line: float, minimum: float) -> float:
    """Height in inches for one row per label, enough for the label's wrapped lines."""
    return sum(max(minimum, per_line * (s.count("\n") + 1)) for s in labels)


def _bar_xlim(ax: Axes, values: np.ndarray) -> None:
    finite = values[np.isfinite(values)]
    hi = float(finite.max()) if finite.size else 0.0
    lo = float(finite.min()) if finite.size else 0.0
    hi = max(hi, 0.0)
    lo = min(lo, 0.0)
    if hi == lo:  # all zero: a 0–1 axis rather than 0–0,14
        ax.set_xlim(0.0, 1.0)
        return
    span = hi - lo
    ax.set_xlim(lo - (span * 0.14 if lo < 0 else 0.0), hi + span * 0.14)


def _barh_axes(fig: Figure, labels: Sequence[str], unit: str) -> Axes:
    ax = fig.add_subplot()
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.set_yticks(range(len(labels)), labels)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.set_xlabel("Tỷ lệ (%)" if unit == "%" else unit)
    vn_axis(ax, "x", percent=unit == "%")
    return ax


@styled
def units_side_by_side(data: pd.DataFrame, title: str, unit: str, labels: dict[str, str]) -> Figure:
    """Horizontal grouped bars: one group per unit, one bar per column of ``labels`` (in its order).

    ``labels`` maps 2–3 numeric columns to legend texts, the first being the current quarter, e.g.
    ``{"current": "Quý III/2021", "previous": "Quý II/2021", "last_year": "Quý III/2020"}``. Units are sorted by
    the first column, largest on top; missing values are labelled "—".
    """
    if not labels or not 1 <= len(labels) <= 3:
        raise ValueError("units_side_by_side: labels phải có 1–3 cột / labels must name 1-3 columns")
    if is_empty(data):
        return empty_figure(title)
    cols = list(labels)
    require_columns(data, ["unit_name", *cols], "units_side_by_side")
    df = data[["unit_name", *cols]].copy()
    for c in cols:
        df[c] = numeric(df[c])
    if df[cols].isna().all().all():
        return empty_figure(title)
    df = df.sort_values(cols[0], ascending=False, na_position="last", kind="stable").iloc[::-1]  # largest last = top
    names = [wrap(s) for s in df["unit_name"]]
    k = len(cols)
    bar_h = 0.8 / k
    label_fs = 7 if k == 3 else 7.5
    rows_h = _unit_rows_height(names, per_line=0.16, minimum=0.13 * k + 0.08)
    fig = new_figure(min(max(rows_h + 1.5, 3.0), 11.0))
    add_title(fig, title)
    ax = _barh_axes(fig, names, unit)
    y = np.arange(len(df))
    colors = [PALETTE[0], PALETTE[1], PALETTE[2]]
    for j, c in enumerate(cols):
        vals = df[c].to_numpy(dtype=float)
        offset = (k - 1) / 2 * bar_h - j * bar_h  # first column on top of its group
        bars = ax.barh(y + offset, np.nan_to_num(vals), height=bar_h * 0.92, color=colors[j], label=labels[c])
        shown = value_texts(vals, unit, among=df[cols].to_numpy(dtype=float))  # one number style for all three
        texts = ax.bar_label(bars, shown, padding=2, fontsize=label_fs, color="#222222")
        for text in texts:  # inside the axes (the x limit leaves room): the layout need not measure them
            text.set_in_layout(False)
    _bar_xlim(ax, df[cols].to_numpy(dtype=float))
    _legend_above(ax, *ax.get_legend_handles_labels(), ncols=k)
    return fig


@styled
def ranking_bars(data: pd.DataFrame, title: str, unit: str) -> Figure:
    """Units ranked by ``value`` (horizontal bars, largest on top); ``flag`` = True marks an outlier in vermillion."""
    if is_empty(data):
        return empty_figure(title)
    require_columns(data, ["unit_name", "value"], "ranking_bars")
    df = data.copy()
    df["value"] = numeric(df["value"])
    if df["value"].isna().all():
        return empty_figure(title)
    df["flag"] = df["flag"].fillna(False).astype(bool) if "flag" in df.columns else False
    df = df.sort_values("value", ascending=False, na_position="last", kind="stable").iloc[::-1]
    names = [wrap(s) for s in df["unit_name"]]
    rows_h = _unit_rows_height(names, per_line=0.16, minimum=0.27)
    fig = new_figure(min(max(rows_h + 1.3, 2.8), 11.0))
    add_title(fig, title)
    ax = _barh_axes(fig, names, unit)
    vals = df["value"].to_numpy(dtype=float)
    flags = df["flag"].to_numpy(dtype=bool)
    bars = ax.barh(
        np.arange(len(df)), np.nan_to_num(vals), height=0.7,
        color=[PALETTE[3] if f else PALETTE[0] for f in flags],
        edgecolor=["#000000" if f else "none" for f in flags], linewidth=1.0,
    )  # fmt: skip
    texts = ax.bar_label(bars, value_texts(vals, unit), padding=3, fontsize=7.5, color="#222222")
    for t, f in zip(texts, flags, strict=True):
        if f:
            t.set_fontweight("bold")
            t.set_color(PALETTE[3])
    for tick, f in zip(ax.get_yticklabels(), flags, strict=True):
        if f:
            tick.set_fontweight("bold")
    _bar_xlim(ax, vals)
    if flags.any():
        handle = Patch(facecolor=PALETTE[3], edgecolor="#000000", linewidth=1.0)
        _legend_above(ax, [handle], [OUTLIER_TEXT])
    return fig
