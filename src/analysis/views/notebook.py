"""Display helpers for report notebooks: Vietnamese Markdown, house-style HTML tables, figures saved for Word.

A page shows each figure at screen quality; given a `figures_dir`, a notebook also saves every figure it shows there
as PNG at 200 dpi (the same chart, drawn for print), to paste into the Word report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Image, Markdown, display
from matplotlib.figure import Figure

from analysis.core import escape
from analysis.core.outputs import atomic_path
from analysis.core.text import deaccent
from analysis.views import figure_cache


def md(text: str) -> None:
    """Show Markdown (headings, sentences built from computed values): any text from a file in it must have gone
    through `analysis.core.escape.md`."""
    display(Markdown(text))


def html_block(html_text: str) -> None:
    """Show HTML built here (text from files in it through `analysis.core.escape.html`)."""
    display(HTML(html_text))


def table(frame: pd.DataFrame, text_columns: tuple[str, ...] = (), note: str = "") -> None:
    """Show a frame of display strings as a house-style table; `text_columns` are left-aligned and wrap."""
    display(HTML(table_html(frame, text_columns, note)))


def table_html(frame: pd.DataFrame, text_columns: tuple[str, ...] = (), note: str = "") -> str:
    if frame.empty:
        return '<p class="ghi-chu">Không có số liệu.</p>'
    head = "".join(f'<th class="{_css(c, text_columns)}">{escape.html(str(c))}</th>' for c in frame.columns)
    classes = frame.attrs.get("cell_class", {})  # the direction of each change cell (views.tables)
    body = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = "".join(
            f'<td class="{_css(c, text_columns, classes[c][i] if c in classes else "")}">{escape.html(_text(v))}</td>'
            for c, v in zip(frame.columns, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    foot = f'<p class="ghi-chu">{escape.html(note)}</p>' if note else ""
    return f'<table class="bang"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{foot}'


def folded(summary: str, inner_html: str) -> None:
    """HTML built here (text from files through `analysis.core.escape.html`) folded under a line that opens it: a
    long list stays one click away, with no script (pages work offline and allow none)."""
    display(HTML(f"<details><summary>{escape.html(summary)}</summary>{inner_html}</details>"))


def _text(value: object) -> str:
    return "—" if value is None or (isinstance(value, float) and value != value) else str(value)


def _css(column: object, text_columns: tuple[str, ...], direction: str = "") -> str:
    classes = (["text"] if column in text_columns else []) + ([direction] if direction else [])
    return " ".join(classes)


def figure(fig: Figure, name: str, figures_dir: str | Path | None = None) -> None:
    """Show a figure inline (screen quality); with `figures_dir`, also save it there as `name`.png at 200 dpi."""
    _show(figure_cache.render(fig, for_print=bool(figures_dir)), name, figures_dir)


def chart(
    draw: Callable[..., Figure], *args: Any, name: str, figures_dir: str | Path | None = None, **kwargs: Any
) -> None:
    """Like :func:`figure` for ``draw(*args, **kwargs)``, drawn only when this call is not in the figure cache."""
    _show(figure_cache.draw(draw, *args, for_print=bool(figures_dir), **kwargs), name, figures_dir)


def svg(svg_text: str) -> None:
    """Show a chart written as SVG (`charts.svg_grid`): text from files in it must have gone through
    `analysis.core.escape.html`."""
    display(HTML(svg_text))


def save_chart(
    draw: Callable[..., Figure], *args: Any, name: str, figures_dir: str | Path | None = None, **kwargs: Any
) -> None:
    """With `figures_dir`, save ``draw(*args, **kwargs)`` there as `name`.png at 200 dpi without showing it (the
    page shows the chart another way); without, nothing."""
    if figures_dir:
        _save(figure_cache.draw(draw, *args, for_print=True, **kwargs), name, figures_dir)


def _save(rendered: figure_cache.RenderedChart, name: str, figures_dir: str | Path) -> None:
    if rendered.print_png is not None:
        with atomic_path(Path(figures_dir) / f"{safe_name(name)}.png") as tmp:
            tmp.write_bytes(rendered.print_png)


def _show(rendered: figure_cache.RenderedChart, name: str, figures_dir: str | Path | None) -> None:
    if figures_dir:
        _save(rendered, name, figures_dir)
    alt = rendered.alt or name
    metadata = {"image/png": {"alt": alt, "width": rendered.width}}
    display(Image(data=rendered.png, format="png", width=rendered.width), metadata=metadata)


def safe_name(name: str) -> str:
    """A file name from a label, letters without their marks, digits and '-' only: "2021q3-tinh-TCD01-Lượt tiếp
    công dân" → "2021q3-tinh-tcd01-luot-tiep-cong-dan" (any system, any zip tool reads it)."""
    return re.sub(r"[^0-9A-Za-z]+", "-", deaccent(name)).strip("-").lower() or "hinh"
