"""The house style of every chart: rcParams, palette, and the way a reader sees numbers and text on a chart.

DejaVu Sans (it has every Vietnamese glyph), 7.5 in wide for an A4 Word page, no top/right spines, a light grid on
the value axis only, the Okabe–Ito colour-blind-safe palette, and every number a reader sees formatted by
:mod:`analysis.core.vnformat` (7.048; 12,5%).
"""

from __future__ import annotations

import contextlib
import functools
import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from analysis.core import vnformat
from analysis.core.periods import Quarter

#: Okabe–Ito: blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

FIG_WIDTH = 7.5  # inches: the text width of an A4 Word page with normal margins
LABEL_WRAP = 28  # characters per line of a unit name on an axis
TITLE_WRAP = 72  # characters per line of a figure title
CHANGE_CMAP = "PuOr_r"  # neutral diverging map: purple = decrease, orange = increase (meaning depends on indicator)
NAN_COLOR = "#E0E0E0"
MUTED = "#555555"

HOUSE_RC: dict[str, Any] = {
    "font.family": ["DejaVu Sans"],
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "figure.titlesize": 11,
    "figure.titleweight": "bold",
    "figure.labelsize": 7.5,
    "axes.labelsize": 8.5,
    "axes.labelcolor": "#222222",
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#666666",
    "axes.linewidth": 0.8,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "grid.linestyle": "-",
    "axes.prop_cycle": cycler(color=PALETTE),
    "axes.unicode_minus": False,  # vnformat writes "-"; keep every minus the same glyph
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "xtick.labelcolor": "#222222",
    "ytick.labelcolor": "#222222",
    "hatch.color": "#9E9E9E",
    "hatch.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "lines.markersize": 6,
    "figure.figsize": (FIG_WIDTH, 4.2),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.dpi": 200,
    "savefig.facecolor": "white",
    "image.cmap": CHANGE_CMAP,
}

P = ParamSpec("P")


POINTS_SUFFIX = " (điểm %)"  # how a change heatmap's row of a rate is named (`across_units.change_matrix`)
POINTS_LIMIT = 20.0  # percentage points at the ends of the rates' colours in a change heatmap


def house_style() -> contextlib.AbstractContextManager:
    """``rc_context`` with the house rcParams; every chart function draws inside it."""
    return mpl.rc_context(rc=HOUSE_RC)


def styled(func: Callable[P, Figure]) -> Callable[P, Figure]:
    """Run a chart function inside :func:`house_style` and fix its ticks before the style is left."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with house_style():
            fig = func(*args, **kwargs)
            _freeze_ticks(fig)
        return fig

    return wrapper


def _freeze_ticks(fig: Figure) -> None:
    # Tick objects are created lazily at draw time and read rcParams then; the report saves the figure after the
    # style context has closed. Creating the first tick now makes later ticks copy its house-style properties.
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            axis.get_major_ticks()
            if not isinstance(axis.get_minor_locator(), NullLocator):  # no minor ticks drawn: none to style
                axis.get_minor_ticks()


# ------------------------------------------------------------------------------------------------ formatting


class _VNFormatter(FuncFormatter):
    """Tick labels through vnformat; adds decimals only when ticks would otherwise read alike (0,5 vs 1)."""

    def __init__(self, percent: bool, decimals: int, sign: bool) -> None:
        self.percent, self.decimals, self.sign = percent, decimals, sign
        self._decimals_now = decimals
        super().__init__(self._format)

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        self._decimals_now = decimals_for(locs, self.decimals)

    def _format(self, x: float, pos: int | None = None) -> str:
        if self.percent:
            return vnformat.percent(x, self._decimals_now, sign=self.sign)
        return vnformat.number(x, self._decimals_now, sign=self.sign)


def decimals_for(locs: Iterable[float], minimum: int, maximum: int = 4) -> int:
    """The fewest decimals (at least ``minimum``) that write every value of ``locs`` exactly."""
    values = [float(v) for v in locs if np.isfinite(v)]
    for d in range(minimum, maximum + 1):
        if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)) for v in values):
            return d
    return maximum


def vn_axis(ax: Axes, axis: str = "y", percent: bool = False, decimals: int = 0, *, sign: bool = False) -> None:
    """Format the tick labels of ``axis`` ("x", "y" or "both") the Vietnamese way: 20.000; 12,5%.

    ``decimals`` is the minimum; more are shown only when the ticks need them (0,25). Counts (``decimals=0``,
    not percent) get whole-number ticks whenever the range allows. ``sign=True`` writes "+" on positive ticks.
    """
    if axis not in ("x", "y", "both"):
        raise ValueError(f"axis phải là 'x', 'y' hoặc 'both' / axis must be 'x', 'y' or 'both', got {axis!r}")
    axes = [ax.xaxis, ax.yaxis] if axis == "both" else [ax.xaxis if axis == "x" else ax.yaxis]
    for a in axes:
        a.set_major_formatter(_VNFormatter(percent, decimals, sign))
        if decimals == 0 and not percent:
            a.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))


def quarter_tick(label: str) -> str:
    """ "2021Q3" → "III/2021", the quarter as the report's text writes it ("quý III/2021") without the word the
    chart's title already says; anything else is returned unchanged."""
    try:
        q = Quarter.parse(str(label))
    except ValueError:
        return str(label)
    return f"{q.roman}/{q.year}"


def value_text(x: float, unit: str) -> str:
    """Bar/point label: "7.048", "305,6"; rates "75,3%"; NaN → "—"."""
    return vnformat.figure(x, unit)


def value_texts(values: Iterable[float], unit: str, among: object = None) -> list[str]:
    """Labels of values read side by side: all with one decimal when any of ``among`` (default: ``values``) has a
    fraction, so that 80 beside 75,1 reads "80,0"; counts stay whole ("7.048"), rates "75,3%", NaN "—"."""
    values = [float(v) for v in values]
    pool = values if among is None else np.ravel(np.asarray(among, dtype=float)).tolist()
    if unit == "%" or all(v.is_integer() for v in pool if np.isfinite(v)):
        return [value_text(v, unit) for v in values]
    return [vnformat.number(v, 1) if np.isfinite(v) else value_text(v, unit) for v in values]


def wrap(text: object, width: int = LABEL_WRAP, max_lines: int = 3) -> str:
    """``text`` in lines of at most ``width`` characters (" …" past ``max_lines``); None/NaN → ""."""
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    lines = textwrap.wrap(s, width, max_lines=max_lines, placeholder=" …", break_on_hyphens=False)
    return "\n".join(lines) if lines else s


def text_width_in(labels: Iterable[str], fontsize: float) -> float:
    """Rough width in inches of the widest line among ``labels`` (DejaVu Sans averages ~0.6 em)."""
    longest = max((len(line) for s in labels for line in str(s).split("\n")), default=0)
    return longest * 0.6 * fontsize / 72


def contrast_text(color: Any) -> str:
    """Black or white, whichever contrasts more with ``color`` (WCAG relative luminance)."""
    r, g, b, _ = to_rgba(color)

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"
