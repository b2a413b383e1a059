"""Charts for the quarterly report, in one house style: this package's public face.

Every chart function takes tidy pandas frames (status and other codes, never display words) and plain Vietnamese
strings and returns a :class:`matplotlib.figure.Figure`; nothing is shown or written here (the report step saves
PNGs at >= 200 dpi through `views.figure_cache`, which keys plain functions of any module of this package).

Modules: `style` (rcParams, palette, number and text formatting), `layout` (figure, title, footnote, "no data"),
`trend` (the province over the quarters), `bars` (units side by side, ranking), `heatmaps` (change, completeness),
`grid` (small multiples).
"""

from __future__ import annotations

from analysis.views.charts.bars import ranking_bars, units_side_by_side
from analysis.views.charts.grid import GRID_COLUMNS, trend_grid
from analysis.views.charts.heatmaps import COMPLETENESS_STATUSES, change_heatmap, completeness_heatmap
from analysis.views.charts.layout import NO_DATA_TEXT
from analysis.views.charts.style import FIG_WIDTH, PALETTE, house_style, quarter_tick, vn_axis
from analysis.views.charts.trend import province_trend

__all__ = [
    "PALETTE",
    "FIG_WIDTH",
    "NO_DATA_TEXT",
    "COMPLETENESS_STATUSES",
    "GRID_COLUMNS",
    "house_style",
    "vn_axis",
    "quarter_tick",
    "province_trend",
    "units_side_by_side",
    "change_heatmap",
    "completeness_heatmap",
    "ranking_bars",
    "trend_grid",
]
