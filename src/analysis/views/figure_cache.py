"""Draw a chart once: its PNG is kept under a key made of the chart call, and reused while the call is unchanged.

Analysts rebuild the report many times while they fix submissions; one fixed file changes a few figures, not fifty.
A chart call (chart function, its arguments, the chart and number-format code, matplotlib's version, the dpi, whether
a print copy is wanted) is hashed into a key; the PNGs and the alt text are stored under that key in the cache folder
(``$ANALYSIS_FIGURE_CACHE``, set by the report step to ``reports/.figure-cache``; without it nothing is cached).

Two qualities: the page shows a *screen* image (100 dpi, about the CSS pixels it is shown at, in a 256-colour
palette: a fifth of the bytes of the print render, and a third of its drawing time); a *print* copy at 200 dpi is made
only when asked for (the figures saved for the Word report, the Word draft itself), and the screen image is then that
render reduced by half (sharper than a second, smaller render, and nearly free). Arguments the key cannot describe
exactly (anything but frames, series, text, numbers and containers of them) are drawn every time.

Entries are written atomically (two workers drawing the same chart write the same bytes) and touched when reused;
`prune` removes entries no build has used for a while.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core.outputs import atomic_path

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CACHE_ENV = "ANALYSIS_FIGURE_CACHE"
FIGURE_DPI = 200  # the print copy: figures for the Word report
SCREEN_REDUCTION = 2  # the screen image: FIGURE_DPI / 2 = 100 dpi
SCREEN_DPI = 96  # CSS pixels per inch: the width a page shows a figure at
PALETTE_COLOURS = 256  # charts have few colours (antialiased edges and a colour map fit well in 256)
KEY_VERSION = "3"
# only plain functions of the chart package's modules are keyed: every .py file of it is in the stamp
CHART_PACKAGE = "analysis.views.charts"
CHART_FOLDER = "views/charts"  # the package's folder below `analysis`
# the other files that decide what a chart looks like: a change to any of them (or to the chart package) redraws
# every chart; labels.yaml gives the completeness legend its words
DRAWING_MODULES = (
    "core/vnformat.py", "core/periods.py", "core/text.py", "core/labels.py", "core/labels.yaml",
    "views/figure_cache.py",
)  # fmt: skip
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"


@dataclass(frozen=True)
class RenderedChart:
    png: bytes  # the screen image (what a page shows)
    alt: str  # the chart's title, one line: the alt text of the image
    width: int  # display width in CSS pixels
    print_png: bytes | None = None  # the 200 dpi copy, when it was asked for


def render(fig: Figure, for_print: bool = False) -> RenderedChart:
    """A figure as a screen PNG (and with `for_print` a FIGURE_DPI copy), its title as alt text, its on-screen width."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    # drawn straight into Agg's pixel buffer (the constrained or fixed layout already fits every label): savefig
    # would encode a full-colour PNG only for it to be decoded again here, a quarter of a chart's time
    fig.set_dpi(FIGURE_DPI if for_print else FIGURE_DPI // SCREEN_REDUCTION)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    size = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    screen = image.reduce(SCREEN_REDUCTION) if for_print else image
    title = fig._suptitle.get_text().replace("\n", " ") if fig._suptitle is not None else ""
    width = int(fig.get_figwidth() * SCREEN_DPI)
    screen_dpi = FIGURE_DPI // SCREEN_REDUCTION
    return RenderedChart(
        _palette_png(screen, screen_dpi), title, width, _palette_png(image, FIGURE_DPI) if for_print else None
    )


def _palette_png(image: Any, dpi: int) -> bytes:
    """`image` (PIL, RGB) as a PNG in a palette of PALETTE_COLOURS (no dithering: flat colours stay flat) that says
    its resolution (Word sizes a pasted picture by it)."""
    from PIL import Image

    buffer = io.BytesIO()
    palette = image.quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    palette.save(buffer, "png", dpi=(dpi, dpi))
    return buffer.getvalue()


def draw(chart: Callable[..., Figure], *args: Any, for_print: bool = False, **kwargs: Any) -> RenderedChart:
    """``render(chart(*args, **kwargs), for_print)``, from the cache when this exact call was drawn before."""
    folder = os.environ.get(CACHE_ENV)
    key = call_key(chart, args, {**kwargs, "<for_print>": for_print}) if folder else None
    if key is None:
        return render(chart(*args, **kwargs), for_print)
    paths = _entry(Path(folder), key, for_print)
    cached = _read(*paths)
    if cached is not None:
        return cached
    rendered = render(chart(*args, **kwargs), for_print)
    _write(*paths, rendered)
    return rendered


def call_key(chart: Callable[..., Any], args: tuple, kwargs: Mapping[str, Any]) -> str | None:
    """A hex key for one chart call; None (draw, do not keep) when the chart is not a plain function of a module of
    `analysis.views.charts` (a lambda, closure or partial may depend on what the key cannot see), when an argument
    cannot be described exactly, or when the chart code cannot be read."""
    import matplotlib

    name = getattr(chart, "__qualname__", "")
    module = getattr(chart, "__module__", None)
    if not is_chart_module(module) or not name or "<" in name or "." in name:
        return None
    stamp = _code_stamp()
    if stamp is None:
        return None
    digest = hashlib.sha256()
    digest.update(f"{KEY_VERSION}|{matplotlib.__version__}|{FIGURE_DPI}|{stamp}|".encode())
    digest.update(f"{module}.{name}|".encode())
    try:
        _feed(digest, args)
        _feed(digest, dict(sorted(kwargs.items())))
    except TypeError:
        return None
    return digest.hexdigest()


def is_chart_module(module: object) -> bool:
    """`analysis.views.charts` or one of its modules (not a sibling such as `analysis.views.charts_old`)."""
    return isinstance(module, str) and (module == CHART_PACKAGE or module.startswith(CHART_PACKAGE + "."))


def drawing_files() -> list[str]:
    """The files of the stamp, relative to `analysis`: every .py file of the chart package (sorted), then
    DRAWING_MODULES; OSError when the chart package has no sources."""
    folder = resources.files("analysis").joinpath(CHART_FOLDER)
    charts = sorted(f"{CHART_FOLDER}/{f.name}" for f in folder.iterdir() if f.name.endswith(".py") and f.is_file())
    if not charts:
        raise FileNotFoundError(f"no chart sources in {CHART_FOLDER}")
    return [*charts, *DRAWING_MODULES]


@cache
def _code_stamp() -> str | None:
    package = resources.files("analysis")
    try:
        files = drawing_files()
        return hashlib.sha256(b"".join(package.joinpath(n).read_bytes() for n in files)).hexdigest()
    except OSError:  # installed without sources: no way to tell chart code versions apart
        return None


def _feed(digest: Any, value: Any) -> None:
    """Add an exact, type-tagged description of `value` to `digest`; TypeError for what it cannot describe."""
    if value is None or isinstance(value, bool | int | float | str):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, pd.DataFrame):
        digest.update(f"frame:{list(map(str, value.columns))!r}:{list(map(str, value.dtypes))!r}:".encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
        digest.update(b";")
    elif isinstance(value, pd.Series):
        digest.update(f"series:{value.name!r}:{value.dtype}:".encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
        digest.update(b";")
    elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        digest.update(f"array:{value.dtype}:{value.shape}:".encode() + value.tobytes() + b";")
    elif isinstance(value, list | tuple):
        digest.update(f"{type(value).__name__}[{len(value)}]:".encode())
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        digest.update(f"dict[{len(value)}]:".encode())
        for k, v in value.items():
            _feed(digest, k)
            _feed(digest, v)
    else:
        raise TypeError(f"cannot key a chart argument of type {type(value).__name__}")


def _entry(folder: Path, key: str, for_print: bool) -> tuple[Path, Path | None, Path]:
    """The entry's screen PNG, print PNG (None when no print copy is kept) and sidecar."""
    base = folder / key[:2] / key
    return base.with_suffix(".png"), base.with_suffix(".print.png") if for_print else None, base.with_suffix(".json")


def _read(png_path: Path, print_path: Path | None, meta_path: Path) -> RenderedChart | None:
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        pngs = [path.read_bytes() for path in (png_path, print_path) if path is not None]
    except (OSError, ValueError):
        return None
    if not all(png.startswith(_PNG_SIGNATURE) and png.endswith(_PNG_END) for png in pngs) or not isinstance(meta, dict):
        return None
    if not isinstance(meta.get("alt"), str) or not isinstance(meta.get("width"), int):
        return None
    now = time.time()
    with contextlib.suppress(OSError):  # touched: `prune` keeps what builds still use
        for path in (png_path, print_path, meta_path):
            if path is not None:
                os.utime(path, (now, now))
    return RenderedChart(pngs[0], meta["alt"], meta["width"], pngs[1] if print_path is not None else None)


def _write(png_path: Path, print_path: Path | None, meta_path: Path, rendered: RenderedChart) -> None:
    """Keep an entry; a cache that cannot be written (full disk, a file held open on Windows) costs a redraw next
    time, never the report."""
    with contextlib.suppress(OSError):
        with atomic_path(png_path) as tmp:
            tmp.write_bytes(rendered.png)
        if print_path is not None and rendered.print_png is not None:
            with atomic_path(print_path) as tmp:
                tmp.write_bytes(rendered.print_png)
        with atomic_path(meta_path) as tmp:  # written last: an entry without it is never read
            tmp.write_text(json.dumps({"alt": rendered.alt, "width": rendered.width}, ensure_ascii=False), "utf-8")


def prune(folder: Path, max_age_days: float = 30) -> int:
    """Remove entries not drawn or reused in `max_age_days`; the number of files removed."""
    limit = time.time() - max_age_days * 86400
    removed = 0
    for path in folder.glob("*/*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


__all__ = ["CACHE_ENV", "RenderedChart", "call_key", "draw", "prune", "render"]
