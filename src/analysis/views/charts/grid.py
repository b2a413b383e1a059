"""Small multiples: several indicators' quarterly series in one figure, on a fixed layout that needs no layout
engine (a constrained layout over a dozen panels costs more than drawing them, measured in BENCHMARKS.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from analysis.core import vnformat
from analysis.core.periods import Quarter, quarter_range
from analysis.views.charts.layout import empty_figure, is_empty, numeric, parse_highlight
from analysis.views.charts.style import (
    FIG_WIDTH,
    HOUSE_RC,
    PALETTE,
    TITLE_WRAP,
    quarter_tick,
    styled,
    vn_axis,
    wrap,
)

# Fixed margins in inches: every panel has the same furniture, so the room is known.
_GRID_PANEL_H = 1.25  # plot area of one panel
_GRID_GAP_H = 0.62  # panel title (up to two lines) above, quarter labels below
_GRID_SIDE = (0.5, 0.3)  # left (y tick labels), right (the last quarter label)
_GRID_GAP_W = 0.55  # y tick labels of the next panel
_GRID_BOTTOM = 0.3
_TICK_ROOM = 0.14  # tick mark and padding beside the y tick labels
_PANEL_TICK_SIZE = 7
GRID_COLUMNS = 3
_TEXT_PATHS = TextToPath()
_TITLE_LINE_H = 0.22


@styled
def trend_grid(panels: Sequence[tuple[str, pd.DataFrame, str]], title: str, highlight: str | None = None) -> Figure:
    """Several indicators' quarterly series in one figure (one small panel each, own y scale).

    ``panels``: (panel title, frame with ``period`` and ``value``, unit of measure). The ``highlight`` quarter's
    point is emphasised. One figure instead of one per indicator: a unit profile stays quick to build and to read.
    """
    panels = [(name, frame, unit) for name, frame, unit in panels if not is_empty(frame)]
    if not panels:
        return empty_figure(title)
    fig, axes = _fixed_grid(len(panels), GRID_COLUMNS, title)
    hq = parse_highlight(highlight)
    for ax, (name, frame, unit) in zip(axes, panels, strict=True):
        _small_trend(ax, name, frame, unit, hq)
    _fit_y_tick_labels(axes, GRID_COLUMNS)
    return fig


def _fixed_grid(n_panels: int, ncols: int, title: str) -> tuple[Figure, list[Axes]]:
    """A figure of `n_panels` panels, `ncols` to a row, under a wrapped title, laid out once with fixed margins."""
    nrows = math.ceil(n_panels / ncols)
    wrapped = wrap(title, TITLE_WRAP, max_lines=4)
    top = 0.15 + _TITLE_LINE_H * (wrapped.count("\n") + 1) + _GRID_GAP_H - 0.2
    height = top + nrows * _GRID_PANEL_H + (nrows - 1) * _GRID_GAP_H + _GRID_BOTTOM
    fig = Figure(figsize=(FIG_WIDTH, height))
    fig.suptitle(wrapped, y=1 - 0.1 / height, va="top")
    panel_w = _panel_width(_GRID_SIDE[0], _GRID_GAP_W, ncols)
    grid = fig.add_gridspec(
        nrows, ncols,
        left=_GRID_SIDE[0] / FIG_WIDTH, right=1 - _GRID_SIDE[1] / FIG_WIDTH,
        top=1 - top / height, bottom=_GRID_BOTTOM / height,
        wspace=_GRID_GAP_W / panel_w, hspace=_GRID_GAP_H / _GRID_PANEL_H,
    )  # fmt: skip
    return fig, [fig.add_subplot(grid[i // ncols, i % ncols]) for i in range(n_panels)]


def _panel_width(left: float, gap: float, ncols: int) -> float:
    """Width in inches of one panel of a row of `ncols`, given the left margin and the gap between panels."""
    return (FIG_WIDTH - left - _GRID_SIDE[1] - (ncols - 1) * gap) / ncols


def _fit_y_tick_labels(axes: list[Axes], ncols: int) -> None:
    """Widen the left margin and the gaps between columns to the widest y tick label (12.000.000 needs more room
    than 120): measured from the labels' text, without the layout engine's extra drawing passes."""
    room = [_widest_y_tick_label(ax) + _TICK_ROOM for ax in axes]
    left = max(_GRID_SIDE[0], *room[::ncols])
    gap = max(_GRID_GAP_W, *(w + 0.1 for i, w in enumerate(room) if i % ncols))
    axes[0].get_subplotspec().get_gridspec().update(left=left / FIG_WIDTH, wspace=gap / _panel_width(left, gap, ncols))
    for ax in axes:  # GridSpec.update moves the axes of pyplot figures only
        ax.set_position(ax.get_subplotspec().get_position(ax.figure))


def _widest_y_tick_label(ax: Axes) -> float:
    """Width in inches of the widest y tick label the panel will show."""
    lo, hi = sorted(ax.get_ylim())
    locs = [v for v in ax.yaxis.get_major_locator().tick_values(lo, hi) if lo <= v <= hi]
    formatter = ax.yaxis.get_major_formatter()
    formatter.set_locs(locs)
    font = FontProperties(family=HOUSE_RC["font.family"], size=_PANEL_TICK_SIZE)
    texts = [formatter(v, i) for i, v in enumerate(locs)]
    widths = [_TEXT_PATHS.get_text_width_height_descent(t, font, ismath=False)[0] for t in texts]
    return max(widths, default=0.0) / 72


def _small_trend(ax: Axes, name: str, frame: pd.DataFrame, unit: str, hq: Quarter | None) -> None:
    """One panel: the series with small markers, the highlighted quarter's value with its unit, every other quarter
    labelled."""
    quarters, values = series_of(frame)
    x = np.arange(len(quarters))
    ax.set_title(wrap(name, 27, max_lines=2), fontsize=8.5, fontweight="bold", loc="left")
    ax.plot(x, values, color=PALETTE[0], linewidth=1.5, marker="o", markersize=3.5)
    if hq in quarters and not np.isnan(values[quarters.index(hq)]):
        i = quarters.index(hq)
        ax.plot([x[i]], [values[i]], marker="o", markersize=7, color=PALETTE[1], linestyle="none", zorder=3)
        ax.annotate(
            vnformat.with_unit(values[i], unit), (x[i], values[i]), xytext=(-4, 6), textcoords="offset points",
            ha="right", va="bottom", fontsize=7.5, fontweight="bold", color="#222222", zorder=4,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85},  # legible over the line
        )  # fmt: skip
    labelled = [i for i in range(len(quarters)) if i % 2 == (len(quarters) - 1) % 2]  # every other, ending on now
    ax.set_xticks(labelled, [quarter_tick(quarters[i].label) for i in labelled], fontsize=7)
    ax.set_xlim(-0.5, len(quarters) - 0.5)
    ax.set_ylim(*y_limits(values))
    vn_axis(ax, "y", percent=unit == "%")
    ax.yaxis.get_major_locator().set_params(nbins=4)  # a small panel: a few gridlines read better (and draw faster)
    ax.tick_params(axis="y", labelsize=_PANEL_TICK_SIZE)
    ax.grid(False, axis="x")


def series_of(frame: pd.DataFrame) -> tuple[list[Quarter], np.ndarray]:
    """A panel's quarters (every one from the first to the last, gaps included) and its values (NaN in a gap)."""
    df = frame.assign(quarter=[Quarter.parse(str(p)) for p in frame["period"]]).set_index("quarter")
    quarters = quarter_range(min(df.index), max(df.index))
    return quarters, numeric(df["value"]).reindex(quarters).to_numpy(dtype=float)


def y_limits(values: np.ndarray) -> tuple[float, float]:
    """A panel's value axis: from 0 (or below a negative value) to a quarter above the highest value."""
    finite = values[~np.isnan(values)]
    top = float(finite.max()) if finite.size else 1.0
    return (min(0.0, float(finite.min()) * 1.1) if finite.size else 0.0), (top * 1.25) or 1.0
