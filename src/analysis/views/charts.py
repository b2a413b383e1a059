"""Charts for the quarterly report, in one house style.

Every chart function takes tidy pandas frames and plain Vietnamese strings and returns a
:class:`matplotlib.figure.Figure`; nothing is shown or written here (the report step saves PNGs at >= 200 dpi).

House style (see :func:`house_style`): DejaVu Sans (it has every Vietnamese glyph), 7.5 in wide for an A4 Word
page, constrained layout so nothing is cut off, no top/right spines, a light grid on the value axis only, the
Okabe–Ito colour-blind-safe palette, and every number a reader sees formatted by :mod:`analysis.core.vnformat`
(7.048; 12,5%).

Figures are created with ``Figure(...)`` directly, never through pyplot, so no open pyplot figures are left behind.
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
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from analysis.core import vnformat
from analysis.core.periods import Quarter, quarter_range

__all__ = [
    "PALETTE",
    "FIG_WIDTH",
    "NO_DATA_TEXT",
    "COMPLETENESS_STATUSES",
    "house_style",
    "vn_axis",
    "quarter_tick",
    "province_trend",
    "units_side_by_side",
    "change_heatmap",
    "completeness_heatmap",
    "ranking_bars",
]

#: Okabe–Ito: blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

FIG_WIDTH = 7.5  # inches: the text width of an A4 Word page with normal margins
NO_DATA_TEXT = "Không có số liệu"
LABEL_WRAP = 28  # characters per line of a unit name on an axis
TITLE_WRAP = 72  # characters per line of a figure title
CHANGE_CMAP = "PuOr_r"  # neutral diverging map: purple = decrease, orange = increase (meaning depends on indicator)
NAN_COLOR = "#E0E0E0"
MUTED = "#555555"

#: status code → (legend text, cell text, short cell text, colour)
COMPLETENESS_STATUSES: dict[str, tuple[str, str, str, str]] = {
    "on_time": ("Đúng hạn", "✓", "✓", PALETTE[2]),
    "late": ("Nộp muộn", "muộn", "M", PALETTE[1]),
    "received": ("Đã nộp (không rõ ngày)", "đã nộp", "N", PALETTE[5]),
    "missing": ("Chưa nộp", "thiếu", "T", PALETTE[3]),
    "not_expected": ("Không thuộc diện báo cáo", "", "", "#FFFFFF"),
}
# the Vietnamese statuses written by ingest.completeness_table, accepted as aliases
_STATUS_ALIASES = {
    "đã nộp đúng hạn": "on_time",
    "đúng hạn": "on_time",
    "nộp muộn": "late",
    "đã nộp": "received",
    "đã nộp (không rõ ngày báo cáo)": "received",
    "đã nộp (không rõ ngày)": "received",
    "chưa nộp": "missing",
    "không thuộc diện báo cáo": "not_expected",
}

_HOUSE_RC: dict[str, Any] = {
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


def house_style() -> contextlib.AbstractContextManager:
    """``rc_context`` with the house rcParams; every chart function draws inside it."""
    return mpl.rc_context(rc=_HOUSE_RC)


def _styled(func: Callable[P, Figure]) -> Callable[P, Figure]:
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
        self._decimals_now = _decimals_for(locs, self.decimals)

    def _format(self, x: float, pos: int | None = None) -> str:
        if self.percent:
            return vnformat.percent(x, self._decimals_now, sign=self.sign)
        text = vnformat.number(x, self._decimals_now)
        return ("+" + text) if self.sign and round(x, self._decimals_now) > 0 else text


def _decimals_for(locs: Iterable[float], minimum: int, maximum: int = 4) -> int:
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
    """ "2021Q3" → "Q3/2021" (compact axis label); anything else is returned unchanged."""
    try:
        q = Quarter.parse(str(label))
    except ValueError:
        return str(label)
    return f"Q{q.quarter}/{q.year}"


def _value_text(x: float, unit: str) -> str:
    """Bar/point label: "7.048", "305,6"; rates "75,3%"; NaN → "—"."""
    return vnformat.figure(x, unit)


def _wrap(text: object, width: int = LABEL_WRAP, max_lines: int = 3) -> str:
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    lines = textwrap.wrap(s, width, max_lines=max_lines, placeholder=" …", break_on_hyphens=False)
    return "\n".join(lines) if lines else s


def _text_width_in(labels: Iterable[str], fontsize: float) -> float:
    """Rough width in inches of the widest line among ``labels`` (DejaVu Sans averages ~0.6 em)."""
    longest = max((len(line) for s in labels for line in str(s).split("\n")), default=0)
    return longest * 0.6 * fontsize / 72


def _contrast_text(color: Any) -> str:
    """Black or white, whichever contrasts more with ``color`` (WCAG relative luminance)."""
    r, g, b, _ = to_rgba(color)

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


# ------------------------------------------------------------------------------------------------ figure helpers


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(FIG_WIDTH, height), layout="constrained")
    fig.get_layout_engine().set(w_pad=0.05, h_pad=0.05, hspace=0.02, wspace=0.02)
    return fig


def _title(fig: Figure, title: str) -> None:
    fig.suptitle(_wrap(title, TITLE_WRAP, max_lines=4))


def _footnote(fig: Figure, text: str) -> None:
    """A small left-aligned note under the chart (room is reserved by the constrained layout)."""
    fig.supxlabel(_wrap(text, 130, max_lines=4), x=0.01, ha="left", color=MUTED, fontstyle="italic")


def _empty_figure(title: str) -> Figure:
    fig = _figure(2.2)
    _title(fig, title)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA_TEXT, ha="center", va="center", fontsize=12, color=MUTED, transform=ax.transAxes)
    return fig


def _is_empty(data: pd.DataFrame | None) -> bool:
    return data is None or data.shape[0] == 0 or data.shape[1] == 0


def _require(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{what}: thiếu cột {missing} / missing columns {missing}; có / got {list(data.columns)}")


def _numeric(s: pd.Series) -> pd.Series:
    values = pd.to_numeric(s, errors="coerce").astype("float64")
    return values.where(np.isfinite(values))


def _x_ticks(ax: Axes, labels: Sequence[str], top: bool = False) -> None:
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


# ------------------------------------------------------------------------------------------------ province trend


@_styled
def province_trend(data: pd.DataFrame, title: str, unit: str, highlight: str | None = None) -> Figure:
    """The province's value per quarter: a line with markers and value labels.

    ``data``: ``period`` ("2020Q1" …), ``value`` (NaN allowed), optionally ``units_reporting`` and
    ``units_expected``. Quarters missing in between show as gaps. A point whose ``units_reporting`` is below
    ``units_expected`` is drawn hollow and explained in a footnote. ``highlight`` ("2021Q3") is emphasised.
    """
    if _is_empty(data):
        return _empty_figure(title)
    _require(data, ["period", "value"], "province_trend")
    df = data.copy()
    df["quarter"] = [Quarter.parse(str(p)) for p in df["period"]]
    if df["quarter"].duplicated().any():
        dup = sorted({q.label for q in df.loc[df["quarter"].duplicated(), "quarter"]})
        raise ValueError(f"province_trend: kỳ bị trùng {dup} / duplicate periods {dup}")
    df["value"] = _numeric(df["value"])
    if df["value"].isna().all():
        return _empty_figure(title)
    quarters = quarter_range(min(df["quarter"]), max(df["quarter"]))
    df = df.set_index("quarter").reindex(quarters)
    values = df["value"].to_numpy(dtype=float)
    n = len(quarters)
    x = np.arange(n)
    incomplete = np.zeros(n, dtype=bool)
    if {"units_reporting", "units_expected"} <= set(df.columns):
        rep, exp = _numeric(df["units_reporting"]).to_numpy(), _numeric(df["units_expected"]).to_numpy()
        with np.errstate(invalid="ignore"):
            incomplete = (rep < exp) & ~np.isnan(values)
    hq = _parse_highlight(highlight)
    hi = quarters.index(hq) if hq in quarters else None

    fig = _figure(3.9)
    _title(fig, title)
    ax = fig.add_subplot()
    color, accent = PALETTE[0], PALETTE[1]
    ax.plot(x, values, color=color, linewidth=1.8, zorder=2)
    full = ~incomplete & ~np.isnan(values)
    ax.plot(x[full], values[full], linestyle="none", marker="o", markersize=6, color=color, zorder=3)
    ax.plot(
        x[incomplete], values[incomplete], linestyle="none", marker="o", markersize=6,
        markerfacecolor="white", markeredgecolor=color, markeredgewidth=1.6, zorder=3,
    )  # fmt: skip

    label_all = n <= 16
    finite = ~np.isnan(values)
    extremes = {int(np.nanargmax(values)), int(np.nanargmin(values)), int(np.flatnonzero(finite)[-1])}
    for i in range(n):
        if np.isnan(values[i]) or i == hi or not (label_all or i in extremes):
            continue
        ax.annotate(
            _value_text(values[i], unit), (x[i], values[i]), xytext=(0, 7), textcoords="offset points",
            ha="center", va="bottom", fontsize=7.5, color="#222222", zorder=4,
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85},
        )  # fmt: skip

    if hi is not None:
        v = values[hi]
        ax.plot(
            [x[hi]], [v if not np.isnan(v) else 0.0], linestyle="none", marker="o", markersize=10,
            markerfacecolor="white" if incomplete[hi] or np.isnan(v) else accent, markeredgecolor=accent,
            markeredgewidth=2, zorder=5,
        )  # fmt: skip
        text = f"{hq.vn_title}: " + (vnformat.with_unit(v, unit) if not np.isnan(v) else "chưa có số liệu")
        right_half = x[hi] > (n - 1) / 2
        # in the headroom above the data, so the box never hides other points
        ax.annotate(
            text, (x[hi], v if not np.isnan(v) else 0.0), xytext=(x[hi] + (-0.15 if right_half else 0.15), 0.97),
            textcoords=("data", "axes fraction"), ha="right" if right_half else "left", va="top", fontsize=8.5,
            fontweight="bold", color="#222222", zorder=6,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": accent, "lw": 1},
            arrowprops={"arrowstyle": "-", "color": accent, "lw": 1, "shrinkA": 0, "shrinkB": 6},
        )  # fmt: skip

    ticks = [quarter_tick(q.label) for q in quarters]
    _x_ticks(ax, ticks)
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

    notes = []
    if incomplete.any():
        detail = "; ".join(
            f"{ticks[i]}: {vnformat.number(rep[i])}/{vnformat.number(exp[i])} đơn vị"
            for i in np.flatnonzero(incomplete)
        )
        notes.append(f"Điểm rỗng: chưa đủ đơn vị báo cáo ({detail}).")
    gaps = [ticks[i] for i in np.flatnonzero(np.isnan(values))]
    if gaps:
        notes.append(f"Không có số liệu: {', '.join(gaps)}.")
    if notes:
        _footnote(fig, " ".join(notes))
    return fig


def _parse_highlight(highlight: object) -> Quarter | None:
    if highlight is None:
        return None
    if isinstance(highlight, Quarter):
        return highlight
    try:
        return Quarter.parse(str(highlight))
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------------ bars


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


@_styled
def units_side_by_side(data: pd.DataFrame, title: str, unit: str, labels: dict[str, str]) -> Figure:
    """Horizontal grouped bars: one group per unit, one bar per column of ``labels`` (in its order).

    ``labels`` maps 2–3 numeric columns to legend texts, the first being the current quarter, e.g.
    ``{"current": "Quý III/2021", "previous": "Quý II/2021", "last_year": "Quý III/2020"}``. Units are sorted by
    the first column, largest on top; missing values are labelled "—".
    """
    if not labels or not 1 <= len(labels) <= 3:
        raise ValueError("units_side_by_side: labels phải có 1–3 cột / labels must name 1-3 columns")
    if _is_empty(data):
        return _empty_figure(title)
    cols = list(labels)
    _require(data, ["unit_name", *cols], "units_side_by_side")
    df = data[["unit_name", *cols]].copy()
    for c in cols:
        df[c] = _numeric(df[c])
    if df[cols].isna().all().all():
        return _empty_figure(title)
    df = df.sort_values(cols[0], ascending=False, na_position="last", kind="stable").iloc[::-1]  # largest last = top
    names = [_wrap(s) for s in df["unit_name"]]
    k = len(cols)
    bar_h = 0.8 / k
    label_fs = 7 if k == 3 else 7.5
    rows_h = _unit_rows_height(names, per_line=0.16, minimum=0.13 * k + 0.08)
    fig = _figure(min(max(rows_h + 1.5, 3.0), 11.0))
    _title(fig, title)
    ax = _barh_axes(fig, names, unit)
    y = np.arange(len(df))
    colors = [PALETTE[0], PALETTE[1], PALETTE[2]]
    for j, c in enumerate(cols):
        vals = df[c].to_numpy(dtype=float)
        offset = (k - 1) / 2 * bar_h - j * bar_h  # first column on top of its group
        bars = ax.barh(y + offset, np.nan_to_num(vals), height=bar_h * 0.92, color=colors[j], label=labels[c])
        ax.bar_label(bars, [_value_text(v, unit) for v in vals], padding=2, fontsize=label_fs, color="#222222")
    _bar_xlim(ax, df[cols].to_numpy(dtype=float))
    _legend_above(ax, *ax.get_legend_handles_labels(), ncols=k)
    return fig


@_styled
def ranking_bars(data: pd.DataFrame, title: str, unit: str) -> Figure:
    """Units ranked by ``value`` (horizontal bars, largest on top); ``flag`` = True marks an outlier in vermillion."""
    if _is_empty(data):
        return _empty_figure(title)
    _require(data, ["unit_name", "value"], "ranking_bars")
    df = data.copy()
    df["value"] = _numeric(df["value"])
    if df["value"].isna().all():
        return _empty_figure(title)
    df["flag"] = df["flag"].fillna(False).astype(bool) if "flag" in df.columns else False
    df = df.sort_values("value", ascending=False, na_position="last", kind="stable").iloc[::-1]
    names = [_wrap(s) for s in df["unit_name"]]
    rows_h = _unit_rows_height(names, per_line=0.16, minimum=0.27)
    fig = _figure(min(max(rows_h + 1.3, 2.8), 11.0))
    _title(fig, title)
    ax = _barh_axes(fig, names, unit)
    vals = df["value"].to_numpy(dtype=float)
    flags = df["flag"].to_numpy(dtype=bool)
    bars = ax.barh(
        np.arange(len(df)), np.nan_to_num(vals), height=0.7,
        color=[PALETTE[3] if f else PALETTE[0] for f in flags],
        edgecolor=["#000000" if f else "none" for f in flags], linewidth=1.0,
    )  # fmt: skip
    texts = ax.bar_label(bars, [_value_text(v, unit) for v in vals], padding=3, fontsize=7.5, color="#222222")
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
        _legend_above(ax, [handle], ["Bất thường so với lịch sử của đơn vị"])
    return fig


# ------------------------------------------------------------------------------------------------ heatmaps


def _heatmap_layout(row_labels: Sequence[str], n_cols: int, extra_width: float) -> tuple[float, float]:
    """(cell width, row height) in inches for a grid next to wrapped row labels."""
    label_w = _text_width_in(row_labels, 8) + 0.25
    cell_w = (FIG_WIDTH - label_w - extra_width - 0.2) / max(n_cols, 1)
    row_h = max(0.3, max((0.15 * (s.count("\n") + 1) + 0.06 for s in row_labels), default=0.3))
    return cell_w, row_h


def _column_labels(ax: Axes, labels: Sequence[str], cell_w: float) -> None:
    """Column labels on top; horizontal when they fit the cell, otherwise rotated 45°."""
    fs = 8
    chars_per_line = max(6, int(cell_w * 72 / (0.6 * fs)))
    if chars_per_line >= 10:
        wrapped = [_wrap(s, chars_per_line, max_lines=4) for s in labels]
        ax.set_xticks(range(len(labels)), wrapped, fontsize=fs)
    else:
        wrapped = [_wrap(s, 18, max_lines=3) for s in labels]
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


@_styled
def change_heatmap(data: pd.DataFrame, title: str, limit: float = 100.0) -> Figure:
    """Percent change per unit (rows) and indicator (columns) on a neutral diverging scale clipped to ±``limit``.

    Orange = tăng, purple = giảm (whether that is good depends on the indicator, so the colours are neutral).
    Each cell reads "+12,5%"; NaN (not comparable) cells are light grey with "—".
    """
    if _is_empty(data):
        return _empty_figure(title)
    if not (limit > 0 and math.isfinite(limit)):
        raise ValueError(f"change_heatmap: limit phải > 0 / limit must be > 0, got {limit!r}")
    values = data.apply(_numeric).to_numpy(dtype=float)
    rows = [_wrap(s) for s in data.index]
    cols = [str(c) for c in data.columns]
    n_rows, n_cols = values.shape
    cell_w, row_h = _heatmap_layout(rows, n_cols, extra_width=0.0)
    header_h = 0.5 if cell_w * 72 / (0.6 * 8) >= 10 else 1.0
    fig = _figure(min(max(n_rows * row_h + header_h + 1.9, 3.2), 11.0))
    _title(fig, title)
    ax = _grid_axes(fig, rows, n_cols)
    cmap = mpl.colormaps[CHANGE_CMAP].with_extremes(bad=NAN_COLOR)
    norm = Normalize(vmin=-limit, vmax=limit, clip=False)
    mesh = ax.pcolormesh(
        np.arange(n_cols + 1) - 0.5, np.arange(n_rows + 1) - 0.5, np.ma.masked_invalid(values),
        cmap=cmap, norm=norm, edgecolors="white", linewidth=1.5,
    )  # fmt: skip
    _column_labels(ax, cols, cell_w)
    fs = 7.5 if cell_w >= 0.55 else 6.5
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            if np.isnan(v):
                ax.text(j, i, vnformat.MISSING_TEXT, ha="center", va="center", fontsize=fs, color="#444444")
                continue
            text = vnformat.percent(v, 1 if abs(v) < 100 else 0, sign=True)
            color = _contrast_text(cmap(norm(float(np.clip(v, -limit, limit)))))
            ax.text(j, i, text, ha="center", va="center", fontsize=fs, color=color)
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
    limit_text = vnformat.percent(limit, _decimals_for([limit], 0))
    _footnote(
        fig,
        f"Ô xám (—): không so sánh được. Màu giới hạn ở ±{limit_text}; màu không hàm ý tốt hay xấu (tùy chỉ tiêu).",
    )
    return fig


def _status_code(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "not_expected"
    s = str(value).strip()
    if s in COMPLETENESS_STATUSES:
        return s
    code = _STATUS_ALIASES.get(s.lower())
    if code is None:
        known = ", ".join(COMPLETENESS_STATUSES)
        raise ValueError(f"completeness_heatmap: trạng thái không hợp lệ {s!r} / unknown status (known: {known})")
    return code


@_styled
def completeness_heatmap(data: pd.DataFrame, title: str) -> Figure:
    """Who reported, per unit (rows) and quarter (columns "2020Q1" …), coloured by status code.

    Codes: on_time, late, received, missing, not_expected (the Vietnamese statuses of the ingest ``completeness``
    table are accepted too; NaN counts as not expected). Every cell also carries a word or symbol, so the chart
    reads without colour.
    """
    if _is_empty(data):
        return _empty_figure(title)
    periods = [str(c) for c in data.columns]
    try:
        order = sorted(range(len(periods)), key=lambda j: Quarter.parse(periods[j]))
    except ValueError:
        order = list(range(len(periods)))
    df = data.iloc[:, order]
    codes = [[_status_code(v) for v in row] for row in df.itertuples(index=False, name=None)]
    rows = [_wrap(s) for s in df.index]
    ticks = [quarter_tick(str(c)) for c in df.columns]
    n_rows, n_cols = df.shape
    cell_w, row_h = _heatmap_layout(rows, n_cols, extra_width=0.0)
    short = cell_w < 0.42
    header_h = 0.3 if n_cols <= 12 else 0.6
    fig = _figure(min(max(n_rows * row_h + header_h + 1.6, 2.8), 11.0))
    _title(fig, title)
    ax = _grid_axes(fig, rows, n_cols)
    ax.set_xticks(range(n_cols), ticks)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, labeltop=True, labelbottom=False)
    if n_cols > 12 or cell_w < 0.55:
        ax.tick_params(axis="x", labelrotation=45)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("left")
            t.set_rotation_mode("anchor")
    fs = 7.5 if cell_w >= 0.55 else 6.5
    for i, row in enumerate(codes):
        for j, code in enumerate(row):
            _, word, abbrev, color = COMPLETENESS_STATUSES[code]
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=color, edgecolor="none", zorder=1))
            if code == "not_expected":
                ax.add_patch(
                    Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="////", edgecolor="#AAAAAA", lw=0, zorder=2)
                )
            text = abbrev if short else word
            if text:
                big = text == "✓"  # a tick is small at text size
                ax.text(
                    j, i, text, ha="center", va="center", fontsize=fs + 2.5 if big else fs,
                    fontweight="bold" if big else "normal", color=_contrast_text(color), zorder=3,
                )  # fmt: skip
    # white lines between cells
    for j in range(n_cols + 1):
        ax.axvline(j - 0.5, color="white", lw=1.5, zorder=4)
    for i in range(n_rows + 1):
        ax.axhline(i - 0.5, color="white", lw=1.5, zorder=4)
    handles = [
        Patch(facecolor=color, edgecolor="#AAAAAA", hatch="////" if code == "not_expected" else None, lw=0.6)
        for code, (_, _, _, color) in COMPLETENESS_STATUSES.items()
    ]
    legend_texts = [legend for legend, _, _, _ in COMPLETENESS_STATUSES.values()]
    ax.legend(
        handles, legend_texts, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=3, handlelength=1.6,
        columnspacing=1.5, borderaxespad=0.3,
    )  # fmt: skip
    if short:
        _footnote(fig, "Ký hiệu trong ô: ✓ đúng hạn; M nộp muộn; N đã nộp (không rõ ngày); T chưa nộp.")
    return fig


# ------------------------------------------------------------------------------------------------ small multiples


@_styled
def trend_grid(panels: Sequence[tuple[str, pd.DataFrame, str]], title: str, highlight: str | None = None) -> Figure:
    """Several indicators' quarterly series in one figure (one small panel each, own y scale).

    ``panels``: (panel title, frame with ``period`` and ``value``, unit of measure). The ``highlight`` quarter's
    point is emphasised. One figure instead of one per indicator: a unit profile stays quick to build and to read.
    """
    panels = [(name, frame, unit) for name, frame, unit in panels if not _is_empty(frame)]
    if not panels:
        return _empty_figure(title)
    fig, axes = _fixed_grid(len(panels), GRID_COLUMNS, title)
    hq = _parse_highlight(highlight)
    for ax, (name, frame, unit) in zip(axes, panels, strict=True):
        _small_trend(ax, name, frame, unit, hq)
    _fit_y_tick_labels(axes, GRID_COLUMNS)
    return fig


# Fixed margins in inches for the small multiples: a constrained layout over a dozen panels costs more than
# drawing them (measured in BENCHMARKS.md), and every panel has the same furniture, so the room is known.
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


def _fixed_grid(n_panels: int, ncols: int, title: str) -> tuple[Figure, list[Axes]]:
    """A figure of `n_panels` panels, `ncols` to a row, under a wrapped title, laid out once with fixed margins."""
    nrows = math.ceil(n_panels / ncols)
    wrapped = _wrap(title, TITLE_WRAP, max_lines=4)
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
    font = FontProperties(family=_HOUSE_RC["font.family"], size=_PANEL_TICK_SIZE)
    texts = [formatter(v, i) for i, v in enumerate(locs)]
    widths = [_TEXT_PATHS.get_text_width_height_descent(t, font, ismath=False)[0] for t in texts]
    return max(widths, default=0.0) / 72


def _small_trend(ax: Axes, name: str, frame: pd.DataFrame, unit: str, hq: Quarter | None) -> None:
    df = frame.assign(quarter=[Quarter.parse(str(p)) for p in frame["period"]]).set_index("quarter")
    quarters = quarter_range(min(df.index), max(df.index))
    values = _numeric(df["value"]).reindex(quarters).to_numpy(dtype=float)
    x = np.arange(len(quarters))
    ax.set_title(_wrap(name, 27, max_lines=2), fontsize=8.5, fontweight="bold", loc="left")
    ax.plot(x, values, color=PALETTE[0], linewidth=1.5, marker="o", markersize=3.5)
    if hq in quarters and not np.isnan(values[quarters.index(hq)]):
        i = quarters.index(hq)
        ax.plot([x[i]], [values[i]], marker="o", markersize=7, color=PALETTE[1], linestyle="none", zorder=3)
        ax.annotate(
            _value_text(values[i], unit), (x[i], values[i]), xytext=(-4, 6), textcoords="offset points",
            ha="right", va="bottom", fontsize=7.5, fontweight="bold", color="#222222",
        )  # fmt: skip
    labelled = [i for i in range(len(quarters)) if i % 2 == (len(quarters) - 1) % 2]  # every other, ending on now
    ax.set_xticks(labelled, [quarter_tick(quarters[i].label) for i in labelled], fontsize=7)
    ax.set_xlim(-0.5, len(quarters) - 0.5)
    finite = values[~np.isnan(values)]
    top = float(finite.max()) if finite.size else 1.0
    ax.set_ylim(min(0.0, float(finite.min()) * 1.1) if finite.size else 0.0, (top * 1.25) or 1.0)
    vn_axis(ax, "y", percent=unit == "%")
    ax.yaxis.get_major_locator().set_params(nbins=4)  # a small panel: a few gridlines read better (and draw faster)
    ax.tick_params(axis="y", labelsize=_PANEL_TICK_SIZE)
    ax.grid(False, axis="x")
