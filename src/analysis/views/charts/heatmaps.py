"""Grids of cells, one row per unit: percent change per indicator, and who reported per quarter.

Every cell carries its number, word or symbol as well as its colour, so the charts read without colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from analysis.core import labels, vnformat
from analysis.core.periods import Quarter
from analysis.views.charts.layout import add_footnote, add_title, empty_figure, is_empty, new_figure, numeric
from analysis.views.charts.style import (
    CHANGE_CMAP,
    FIG_WIDTH,
    MUTED,
    NAN_COLOR,
    PALETTE,
    POINTS_LIMIT,
    POINTS_SUFFIX,
    contrast_text,
    decimals_for,
    quarter_tick,
    styled,
    text_width_in,
    vn_axis,
    wrap,
)


class StatusCell(NamedTuple):
    """How a completeness status looks in its cell (its words for people are in labels.yaml)."""

    word: str  # cell text when the cells are wide enough
    symbol: str  # cell text in narrow cells, explained in a footnote
    color: str


#: completeness status code → its cell; the codes of labels.yaml's `completeness_status` group
COMPLETENESS_STATUSES: dict[str, StatusCell] = {
    "on_time": StatusCell("✓", "✓", PALETTE[2]),
    "late": StatusCell("muộn", "M", PALETTE[1]),
    "received_undated": StatusCell("đã nộp", "N", PALETTE[5]),
    "received": StatusCell("đã nộp", "N", PALETTE[5]),
    "missing": StatusCell("thiếu", "T", PALETTE[3]),
    "manual": StatusCell("nhập tay", "H", PALETTE[4]),
    "not_expected": StatusCell("", "", "#FFFFFF"),
}
# in the legend only when the data hold them: a province either configures a deadline or not
_LEGEND_IF_PRESENT = frozenset({"received_undated", "received", "manual"})
_NOT_EXPECTED_HATCH = "////"


# ------------------------------------------------------------------------------------------------ grid layout


def _heatmap_layout(row_labels: Sequence[str], n_cols: int, extra_width: float) -> tuple[float, float]:
    """(cell width, row height) in inches for a grid next to wrapped row labels."""
    label_w = text_width_in(row_labels, 8) + 0.25
    cell_w = (FIG_WIDTH - label_w - extra_width - 0.2) / max(n_cols, 1)
    row_h = max(0.3, max((0.15 * (s.count("\n") + 1) + 0.06 for s in row_labels), default=0.3))
    return cell_w, row_h


def _column_labels(ax: Axes, labels: Sequence[str], cell_w: float) -> None:
    """Column labels on top; horizontal when they fit the cell, otherwise rotated 45°."""
    fs = 8
    chars_per_line = max(6, int(cell_w * 72 / (0.6 * fs)))
    if chars_per_line >= 10:
        wrapped = [wrap(s, chars_per_line, max_lines=4) for s in labels]
        ax.set_xticks(range(len(labels)), wrapped, fontsize=fs)
    else:
        wrapped = [wrap(s, 18, max_lines=3) for s in labels]
        ax.set_xticks(range(len(labels)), wrapped, fontsize=fs, rotation=45, ha="left", rotation_mode="anchor")
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, pad=3, top=True, bottom=False, labeltop=True, labelbottom=False)


def _grid_axes(fig: Figure, rows: Sequence[str], n_cols: int) -> Axes:
    ax = fig.add_subplot()
    ax.grid(False)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top
    ax.set_yticks(range(len(rows)), rows)
    ax.tick_params(axis="y", length=0)
    return ax


# ------------------------------------------------------------------------------------------------ change


@styled
def change_heatmap(data: pd.DataFrame, title: str, limit: float = 100.0) -> Figure:
    """Percent change per unit (rows) and indicator (columns) on a neutral diverging scale clipped to ±``limit``.

    Orange = tăng, purple = giảm (whether that is good depends on the indicator, so the colours are neutral).
    Each cell reads "+12,5%"; NaN (not comparable) cells are light grey with "—".
    """
    if is_empty(data):
        return empty_figure(title)
    if not (limit > 0 and math.isfinite(limit)):
        raise ValueError(f"change_heatmap: limit phải > 0 / limit must be > 0, got {limit!r}")
    values = data.apply(numeric).to_numpy(dtype=float)
    rows = [wrap(s) for s in data.index]
    cols = [str(c) for c in data.columns]
    n_rows, n_cols = values.shape
    cell_w, row_h = _heatmap_layout(rows, n_cols, extra_width=0.0)
    header_h = 0.5 if cell_w * 72 / (0.6 * 8) >= 10 else 1.0
    fig = new_figure(min(max(n_rows * row_h + header_h + 1.9, 3.2), 11.0))
    add_title(fig, title)
    ax = _grid_axes(fig, rows, n_cols)
    cmap = mpl.colormaps[CHANGE_CMAP].with_extremes(bad=NAN_COLOR)
    norm = Normalize(vmin=-limit, vmax=limit, clip=False)
    points = np.array([str(r).endswith(POINTS_SUFFIX) for r in data.index], dtype=bool)
    # a rate's row (percentage points) coloured on a scale of its own: ±POINTS_LIMIT points at the colour bar's ends
    coloured = np.where(points[:, None], values * (limit / POINTS_LIMIT), values)
    mesh = ax.pcolormesh(
        np.arange(n_cols + 1) - 0.5, np.arange(n_rows + 1) - 0.5, np.ma.masked_invalid(coloured),
        cmap=cmap, norm=norm, edgecolors="white", linewidth=1.5,
    )  # fmt: skip
    _column_labels(ax, cols, cell_w)
    _change_cells(ax, values, coloured, points, cmap, norm, fs=7.5 if cell_w >= 0.55 else 6.5)
    _change_colorbar(fig, ax, mesh, limit)
    limit_text = vnformat.percent(limit, decimals_for([limit], 0))
    rates = f" (số lượng), ±{vnformat.number(POINTS_LIMIT)} điểm phần trăm (tỷ lệ)" if points.any() else ""
    add_footnote(
        fig,
        f"Ô xám (—): không so sánh được. Màu giới hạn ở ±{limit_text}{rates}; màu không hàm ý tốt hay xấu "
        "(tùy chỉ tiêu).",
    )
    return fig


def _change_cells(
    ax: Axes, values: np.ndarray, coloured: np.ndarray, points: np.ndarray, cmap: Colormap, norm: Normalize, fs: float
) -> None:
    """Each cell's change ("+12,5%"; a rate's "+7,8" points; "—"), black or white against its colour; drawn inside
    its cell, so the layout need not measure it."""
    limit = norm.vmax
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if np.isnan(v):
                text, color = vnformat.MISSING_TEXT, "#444444"
            else:
                decimals = 1 if abs(v) < 100 else 0
                as_text = vnformat.number if points[i] else vnformat.percent
                text = as_text(v, decimals, sign=True)
                color = contrast_text(cmap(norm(float(np.clip(coloured[i, j], -limit, limit)))))
            ax.text(j, i, text, ha="center", va="center", fontsize=fs, color=color, in_layout=False)


def _change_colorbar(fig: Figure, ax: Axes, mesh: QuadMesh, limit: float) -> None:
    """A short horizontal colour bar under the grid, its ends named "giảm" and "tăng"."""
    cbar = fig.colorbar(
        mesh, ax=ax, orientation="horizontal", location="bottom", extend="both", fraction=0.04, pad=0.03,
        shrink=0.55, aspect=30,
    )  # fmt: skip
    cbar.set_ticks(np.linspace(-limit, limit, 5))
    vn_axis(cbar.ax, "x", percent=True, sign=True)
    cbar.ax.tick_params(labelsize=7.5)
    cbar.set_label("% thay đổi", fontsize=8)
    cbar.outline.set_visible(False)
    # the colour meaning is neutral, so say which end is which (outside the extension triangles)
    cbar.ax.text(-0.09, 0.5, "giảm", transform=cbar.ax.transAxes, ha="right", va="center", fontsize=8, color=MUTED)
    cbar.ax.text(1.09, 0.5, "tăng", transform=cbar.ax.transAxes, ha="left", va="center", fontsize=8, color=MUTED)


# ------------------------------------------------------------------------------------------------ completeness


@styled
def completeness_heatmap(data: pd.DataFrame, title: str) -> Figure:
    """Who reported, per unit (rows) and quarter (columns "2020Q1" …), coloured by status code.

    Codes: those of labels.yaml's ``completeness_status`` group (on_time, late, received_undated, received,
    missing, not_expected); NaN counts as not expected, anything else is a ValueError. Every cell also carries a
    word or symbol, so the chart reads without colour.
    """
    if is_empty(data):
        return empty_figure(title)
    df = _chronological(data)
    codes = [[_status_code(v) for v in row] for row in df.itertuples(index=False, name=None)]
    rows = [wrap(s) for s in df.index]
    n_rows, n_cols = df.shape
    cell_w, row_h = _heatmap_layout(rows, n_cols, extra_width=0.0)
    short = cell_w < 0.42
    header_h = 0.3 if n_cols <= 12 else 0.6
    fig = new_figure(min(max(n_rows * row_h + header_h + 1.6, 2.8), 11.0))
    add_title(fig, title)
    ax = _grid_axes(fig, rows, n_cols)
    _period_labels(ax, [quarter_tick(str(c)) for c in df.columns], cell_w)
    _status_cells(ax, codes, short, fs=7.5 if cell_w >= 0.55 else 6.5)
    for j in range(n_cols + 1):  # white lines between cells
        ax.axvline(j - 0.5, color="white", lw=1.5, zorder=4)
    for i in range(n_rows + 1):
        ax.axhline(i - 0.5, color="white", lw=1.5, zorder=4)
    present = {code for row in codes for code in row}
    shown = [code for code in labels.group("completeness_status") if code in present or code not in _LEGEND_IF_PRESENT]
    _status_legend(ax, shown)
    if short:
        _footnote_symbols(fig, shown)
    return fig


def _chronological(data: pd.DataFrame) -> pd.DataFrame:
    """The columns in quarter order (as given when a column is not a quarter)."""
    periods = [str(c) for c in data.columns]
    try:
        order = sorted(range(len(periods)), key=lambda j: Quarter.parse(periods[j]))
    except ValueError:
        order = list(range(len(periods)))
    return data.iloc[:, order]


def _status_code(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "not_expected"
    if isinstance(value, str) and value in COMPLETENESS_STATUSES:
        return value
    known = ", ".join(COMPLETENESS_STATUSES)
    raise ValueError(f"completeness_heatmap: trạng thái không hợp lệ {value!r} / unknown status (known: {known})")


def _period_labels(ax: Axes, ticks: Sequence[str], cell_w: float) -> None:
    """Quarter labels on top, rotated 45° when there are many or the cells are narrow."""
    ax.set_xticks(range(len(ticks)), ticks)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, labeltop=True, labelbottom=False)
    if len(ticks) > 12 or cell_w < 0.55:
        ax.tick_params(axis="x", labelrotation=45)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("left")
            t.set_rotation_mode("anchor")


def _status_cells(ax: Axes, codes: list[list[str]], short: bool, fs: float) -> None:
    """A coloured square per unit and quarter with its word (``short``: its symbol); hatched when not expected."""
    for i, row in enumerate(codes):
        for j, code in enumerate(row):
            cell = COMPLETENESS_STATUSES[code]
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=cell.color, edgecolor="none", zorder=1))
            if code == "not_expected":
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, fill=False, hatch=_NOT_EXPECTED_HATCH, edgecolor="#AAAAAA", lw=0,
                        zorder=2,
                    )
                )  # fmt: skip
            text = cell.symbol if short else cell.word
            if text:
                big = text == "✓"  # a tick is small at text size
                ax.text(
                    j, i, text, ha="center", va="center", fontsize=fs + 2.5 if big else fs,
                    fontweight="bold" if big else "normal", color=contrast_text(cell.color), zorder=3, in_layout=False,
                )  # fmt: skip


def _status_legend(ax: Axes, shown: Sequence[str]) -> None:
    """The legend under the grid: a swatch and the labels' words for each status in ``shown``."""
    words = labels.group("completeness_status")
    hatch = {"not_expected": _NOT_EXPECTED_HATCH}
    handles = [
        Patch(facecolor=COMPLETENESS_STATUSES[code].color, edgecolor="#AAAAAA", hatch=hatch.get(code), lw=0.6)
        for code in shown
    ]
    ax.legend(
        handles, [words[code] for code in shown], loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=3,
        handlelength=1.6, columnspacing=1.5, borderaxespad=0.3,
    )  # fmt: skip


def _footnote_symbols(fig: Figure, shown: Sequence[str]) -> None:
    """What each cell symbol of ``shown`` stands for, in the labels' words: "✓ đã nộp đúng hạn; M nộp muộn; …"."""
    words = labels.group("completeness_status")
    meanings = [
        f"{COMPLETENESS_STATUSES[code].symbol} {words[code][:1].lower()}{words[code][1:]}"
        for code in shown
        if COMPLETENESS_STATUSES[code].symbol
    ]
    add_footnote(fig, f"Ký hiệu trong ô: {'; '.join(meanings)}.")
