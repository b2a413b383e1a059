"""Small multiples as SVG text: a unit page's trend panels, drawn by the browser.

The report has one of these per reporting unit (130+ at a province's scale). As a matplotlib figure it cost about
0.8 s of drawing and rasterising and 40–250 KB per page; as SVG it is written in milliseconds, weighs a few KB and
stays sharp when printed or zoomed. It shows what `grid.trend_grid` shows (the same panels, series, scales, quarter
labels and highlighted value, through the same helpers), which stays the picture saved at print quality for Word.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from analysis.core import escape, vnformat
from analysis.views.charts.grid import GRID_COLUMNS, series_of, y_limits
from analysis.views.charts.layout import is_empty, parse_highlight
from analysis.views.charts.style import MUTED, PALETTE, TITLE_WRAP, decimals_for, quarter_tick, wrap

WIDTH = 720  # CSS pixels: the figure width of a page (7.5 in at 96 px)
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
_PANEL_W = WIDTH / GRID_COLUMNS
_PLOT = (50, 14, 108)  # left margin (y labels), right margin, plot height
_TITLE_H = 34  # two lines of a panel title
_XLABELS_H = 26
_PANEL_H = _TITLE_H + _PLOT[2] + _XLABELS_H
_TITLE_LINE = 18


def trend_grid_svg(panels: Sequence[tuple[str, pd.DataFrame, str]], title: str, highlight: str | None = None) -> str:
    """``grid.trend_grid``'s panels as one SVG element: (panel title, frame with ``period`` and ``value``, unit)."""
    panels = [(name, frame, unit) for name, frame, unit in panels if not is_empty(frame)]
    title_lines = wrap(title, TITLE_WRAP, max_lines=4).split("\n")
    top = 12 + _TITLE_LINE * len(title_lines)
    rows = math.ceil(len(panels) / GRID_COLUMNS)
    height = top + max(rows, 1) * _PANEL_H + 8
    hq = parse_highlight(highlight)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
        f'role="img" aria-label="{escape.html(" ".join(title_lines))}" font-family="{FONT}" class="bieu-do">',
        f"<title>{escape.html(' '.join(title_lines))}</title>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        *(
            f'<text x="{WIDTH / 2:.0f}" y="{12 + _TITLE_LINE * (i + 0.8):.0f}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="#222">{escape.html(line)}</text>'
            for i, line in enumerate(title_lines)
        ),
    ]
    if not panels:
        parts.append(f'<text x="{WIDTH / 2:.0f}" y="{top + 30:.0f}" text-anchor="middle" fill="{MUTED}">'
                     "Không có số liệu</text>")  # fmt: skip
    for i, (name, frame, unit) in enumerate(panels):
        x0, y0 = (i % GRID_COLUMNS) * _PANEL_W, top + (i // GRID_COLUMNS) * _PANEL_H
        parts.append(_panel(x0, y0, name, frame, unit, hq))
    parts.append("</svg>")
    return "".join(parts)


def _panel(x0: float, y0: float, name: str, frame: pd.DataFrame, unit: str, hq: object) -> str:
    """One panel: its title, y gridlines with Vietnamese labels, the series, every other quarter labelled."""
    quarters, values = series_of(frame)
    lo, hi = y_limits(values)
    left, right, plot_h = _PLOT
    px0, px1 = x0 + left, x0 + _PANEL_W - right
    py0, py1 = y0 + _TITLE_H + plot_h, y0 + _TITLE_H  # bottom, top of the plot area
    n = len(quarters)

    def x_of(i: int) -> float:
        return px0 + (i + 0.5) * (px1 - px0) / n

    def y_of(v: float) -> float:
        return py0 - (v - lo) / (hi - lo) * (py0 - py1)

    out = [
        f'<text x="{x0 + 4:.1f}" y="{y0 + 12 + 13 * k:.1f}" font-size="11" font-weight="bold" fill="#111">'
        f"{escape.html(line)}</text>"
        for k, line in enumerate(wrap(name, 27, max_lines=2).split("\n"))
    ]
    ticks = [t for t in MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10], integer=unit != "%").tick_values(lo, hi)
             if lo - 1e-9 <= t <= hi + 1e-9]  # fmt: skip
    decimals = decimals_for(ticks, 0)
    for t in ticks:
        y = y_of(t)
        text = vnformat.percent(t, decimals) if unit == "%" else vnformat.number(t, decimals)
        out.append(f'<line x1="{px0:.1f}" x2="{px1:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#DDD" stroke-width="0.8"/>')
        out.append(
            f'<text x="{px0 - 5:.1f}" y="{y + 3.5:.1f}" text-anchor="end" font-size="9" fill="#222">{text}</text>'
        )
    out.append(f'<line x1="{px0:.1f}" x2="{px0:.1f}" y1="{py1:.1f}" y2="{py0:.1f}" stroke="#666" stroke-width="0.8"/>')
    out.append(f'<line x1="{px0:.1f}" x2="{px1:.1f}" y1="{py0:.1f}" y2="{py0:.1f}" stroke="#666" stroke-width="0.8"/>')
    for segment in _segments(values):
        points = " ".join(f"{x_of(j):.1f},{y_of(values[j]):.1f}" for j in segment)
        out.append(f'<polyline points="{points}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    out += [
        f'<circle cx="{x_of(j):.1f}" cy="{y_of(v):.1f}" r="2.6" fill="{PALETTE[0]}"/>'
        for j, v in enumerate(values)
        if not np.isnan(v)
    ]
    if hq in quarters and not np.isnan(values[quarters.index(hq)]):
        j = quarters.index(hq)
        cx, cy = x_of(j), y_of(values[j])
        out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{PALETTE[1]}"/>')
        label = escape.html(vnformat.with_unit(values[j], unit))  # the unit: no room for it elsewhere
        out.append(f'<text x="{cx - 5:.1f}" y="{cy - 8:.1f}" text-anchor="end" font-size="10" font-weight="bold" '
                   f'fill="#222" stroke="#fff" stroke-width="3" paint-order="stroke">{label}</text>')  # fmt: skip
        # (a white halo: legible where the line runs under it)
    labelled = [j for j in range(n) if j % 2 == (n - 1) % 2]  # every other, ending on the report's quarter
    out += [
        f'<text x="{x_of(j):.1f}" y="{py0 + 14:.1f}" text-anchor="middle" font-size="9" fill="#222">'
        f"{escape.html(quarter_tick(quarters[j].label))}</text>"
        for j in labelled
    ]
    return "".join(out)


def _segments(values: np.ndarray) -> list[list[int]]:
    """Runs of consecutive quarters with a value (a quarter without one breaks the line, as in matplotlib)."""
    runs: list[list[int]] = []
    for j, v in enumerate(values):
        if np.isnan(v):
            continue
        if runs and runs[-1][-1] == j - 1:
            runs[-1].append(j)
        else:
            runs.append([j])
    return runs


__all__ = ["trend_grid_svg"]
