"""The change heatmap as SVG text, for pages that show many of them (a province of 130+ units in runs of 15).

`heatmaps.change_heatmap` (matplotlib) stays the figure saved for the Word report; drawn ten times per comparison it
cost a third of the report's drawing. This one shows the same grid, colours and cell texts, written in milliseconds
and drawn by the browser, with one difference the matplotlib one lacks: rows of rates (labelled "(điểm %)") carry
their change in percentage points on a scale and legend of their own (±`POINTS_LIMIT`), counts in % on theirs (the
cells write the number only: "+14,7", the legend says which).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_hex

from analysis.core import escape, vnformat
from analysis.views.charts.layout import numeric
from analysis.views.charts.style import (
    CHANGE_CMAP,
    MUTED,
    NAN_COLOR,
    POINTS_LIMIT,
    POINTS_SUFFIX,
    TITLE_WRAP,
    contrast_text,
    wrap,
)  # fmt: skip
from analysis.views.charts.svg_grid import FONT, WIDTH

_LABEL_W = 190
_HEADER_H = 118
_ROW_H = 24
_RIGHT = 62  # room for the last unit's slanted name


def change_heatmap_svg(data: pd.DataFrame, title: str, limit: float = 100.0) -> str:
    """Indicators (rows) × units (columns): each cell's change, orange up and purple down (neutral: whether up is
    good depends on the indicator), grey where not comparable; counts in % (±`limit`), rates in points."""
    cmap = colormaps[CHANGE_CMAP]
    values = data.apply(numeric).to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    title_lines = wrap(title, TITLE_WRAP, max_lines=4).split("\n")
    top = 10 + 18 * len(title_lines)
    cell_w = (WIDTH - _LABEL_W - _RIGHT) / max(n_cols, 1)
    grid_top = top + _HEADER_H
    height = grid_top + n_rows * _ROW_H + 70
    said = escape.html(" ".join(title_lines))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" role="img" '
        f'aria-label="{said}" font-family="{FONT}" class="bieu-do"><title>{said}</title>',
        '<rect width="100%" height="100%" fill="#fff"/>',
        *(
            f'<text x="{WIDTH / 2:.0f}" y="{10 + 18 * (i + 0.8):.0f}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="#222">{escape.html(line)}</text>'
            for i, line in enumerate(title_lines)
        ),
    ]
    for j, unit in enumerate(data.columns):
        x = _LABEL_W + (j + 0.5) * cell_w
        label = escape.html(wrap(str(unit), 30, max_lines=1))
        out.append(f'<text transform="translate({x:.1f},{grid_top - 6}) rotate(-50)" font-size="10" '
                   f'fill="#222">{label}</text>')  # fmt: skip
    for i, row in enumerate(data.index):
        y = grid_top + i * _ROW_H
        points = str(row).endswith(POINTS_SUFFIX)
        norm = Normalize(-POINTS_LIMIT, POINTS_LIMIT) if points else Normalize(-limit, limit)
        for k, line in enumerate(wrap(str(row), 30, max_lines=2).split("\n")[:2]):
            out.append(f'<text x="{_LABEL_W - 6}" y="{y + 10 + 10 * k:.1f}" text-anchor="end" font-size="9.5" '
                       f'fill="#222">{escape.html(line)}</text>')  # fmt: skip
        fills = _fills(values[i], norm, cmap)
        for j in range(n_cols):
            out.append(_cell(_LABEL_W + j * cell_w, y, cell_w, values[i, j], fills[j]))
    out.append(_legend(height - 58, limit, cmap))
    out.append("</svg>")
    return "".join(out)


def _fills(row: np.ndarray, norm: Normalize, cmap: object) -> list[str]:
    """The colour of each cell of a row, in one call of the colour map (a call per cell was most of a heatmap); an
    empty cell's is chosen by `_cell`."""
    rgba = cmap(norm(np.clip(np.nan_to_num(row), norm.vmin, norm.vmax)))  # type: ignore[operator]
    return [to_hex(c) for c in rgba]


def _cell(x: float, y: float, w: float, v: float, fill: str) -> str:
    if np.isnan(v):
        fill, text, colour = NAN_COLOR, vnformat.MISSING_TEXT, "#444"
    else:
        decimals = 1 if abs(v) < 100 else 0
        text = vnformat.number(v, decimals, sign=True)  # % or points: the row's label and the legend say which
        colour = contrast_text(fill)
    return (
        f'<rect x="{x + 1:.1f}" y="{y + 1}" width="{w - 2:.1f}" height="{_ROW_H - 2}" fill="{fill}"/>'
        f'<text x="{x + w / 2:.1f}" y="{y + 16}" text-anchor="middle" font-size="8.5" fill="{colour}">{text}</text>'
    )


def _legend(y: float, limit: float, cmap: object) -> str:
    """Two colour bars, counts in % and rates in points, their ends named "giảm" and "tăng"."""
    out = []
    for k, (what, end, unit) in enumerate((("Số lượng: % thay đổi", limit, "%"), ("Tỷ lệ: điểm %", POINTS_LIMIT, ""))):
        x0, yy, w = 190 + k * 270, y + 14, 150
        out.append(f'<text x="{x0 + w / 2}" y="{y + 8}" text-anchor="middle" font-size="9.5" fill="#222">{what}</text>')
        for s in range(30):
            colour = to_hex(cmap(s / 29))  # type: ignore[operator]
            out.append(f'<rect x="{x0 + s * w / 30:.1f}" y="{yy}" width="{w / 30 + 0.3:.1f}" height="9" '
                       f'fill="{colour}"/>')  # fmt: skip
        for t in (-end, 0.0, end):
            text = vnformat.percent(t, 0, sign=True) if unit else vnformat.number(t, 0, sign=True)
            out.append(f'<text x="{x0 + (t + end) / (2 * end) * w:.1f}" y="{yy + 21}" text-anchor="middle" '
                       f'font-size="8.5" fill="#222">{text}</text>')  # fmt: skip
        out.append(f'<text x="{x0 - 5}" y="{yy + 8}" text-anchor="end" font-size="9" fill="{MUTED}">giảm</text>')
        out.append(f'<text x="{x0 + w + 5}" y="{yy + 8}" font-size="9" fill="{MUTED}">tăng</text>')
    note = (f"Ô xám (—): không so sánh được. Màu giới hạn ở ±{vnformat.number(limit)}% (số lượng) và "
            f"±{vnformat.number(POINTS_LIMIT)} điểm (tỷ lệ); màu không hàm ý tốt hay xấu.")  # fmt: skip
    out.append(f'<text x="{WIDTH / 2}" y="{y + 52}" text-anchor="middle" font-size="9" fill="{MUTED}">{note}</text>')
    return "".join(out)


__all__ = ["POINTS_LIMIT", "change_heatmap_svg"]
