"""Figure furniture shared by the charts: a constrained-layout figure, its title and footnote, the "no data"
figure, input checks and quarter ticks on the x axis.

Figures are created with ``Figure(...)`` directly, never through pyplot, so no open pyplot figures are left behind.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.core.periods import Quarter
from analysis.views.charts.style import FIG_WIDTH, MUTED, TITLE_WRAP, wrap

NO_DATA_TEXT = "Không có số liệu"


def new_figure(height: float) -> Figure:
    """A figure of the house width and ``height`` inches, laid out by the constrained layout engine."""
    fig = Figure(figsize=(FIG_WIDTH, height), layout="constrained")
    fig.get_layout_engine().set(w_pad=0.05, h_pad=0.05, hspace=0.02, wspace=0.02)
    return fig


def add_title(fig: Figure, title: str) -> None:
    """The figure title, wrapped to at most four lines."""
    fig.suptitle(wrap(title, TITLE_WRAP, max_lines=4))


def add_footnote(fig: Figure, text: str) -> None:
    """A small left-aligned note under the chart (room is reserved by the constrained layout)."""
    fig.supxlabel(wrap(text, 130, max_lines=4), x=0.01, ha="left", color=MUTED, fontstyle="italic")


def empty_figure(title: str) -> Figure:
    """A low figure under ``title`` that says there is no data."""
    fig = new_figure(2.2)
    add_title(fig, title)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA_TEXT, ha="center", va="center", fontsize=12, color=MUTED, transform=ax.transAxes)
    return fig


def is_empty(data: pd.DataFrame | None) -> bool:
    """No frame, no rows or no columns."""
    return data is None or data.shape[0] == 0 or data.shape[1] == 0


def require_columns(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """ValueError naming the columns ``what`` needs and ``data`` lacks."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{what}: thiếu cột {missing} / missing columns {missing}; có / got {list(data.columns)}")


def numeric(s: pd.Series) -> pd.Series:
    """``s`` as float64; anything not a finite number becomes NaN."""
    values = pd.to_numeric(s, errors="coerce").astype("float64")
    return values.where(np.isfinite(values))


def parse_highlight(highlight: object) -> Quarter | None:
    """The quarter to emphasise, or None when ``highlight`` is not one."""
    if highlight is None:
        return None
    if isinstance(highlight, Quarter):
        return highlight
    try:
        return Quarter.parse(str(highlight))
    except ValueError:
        return None


def x_ticks(ax: Axes, labels: Sequence[str], top: bool = False) -> None:
    """Quarter labels on the x axis: horizontal when they fit, rotated 45° beyond 12, thinned beyond 24."""
    n = len(labels)
    step = 1 if n <= 24 else math.ceil(n / 24)
    positions = list(range(0, n, step))
    ax.set_xticks(positions, [labels[i] for i in positions])
    if n > 12:
        ha = "left" if top else "right"
        ax.tick_params(axis="x", labelrotation=45)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment(ha)
            t.set_rotation_mode("anchor")
