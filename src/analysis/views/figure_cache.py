"""Draw a chart once: its PNG is kept under a key made of the chart call, and reused while the call is unchanged.

Analysts rebuild the report many times while they fix submissions; one fixed file changes a few figures, not fifty.
A chart call (chart function, its arguments, the chart and number-format code, matplotlib's version, the dpi) is
hashed into a key; the PNG and its alt text are stored under that key in the cache folder (``$ANALYSIS_FIGURE_CACHE``,
set by the report step to ``reports/.figure-cache``; without it nothing is cached). Arguments the key cannot describe
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
FIGURE_DPI = 200
SCREEN_DPI = 96
KEY_VERSION = "1"
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
    png: bytes
    alt: str  # the chart's title, one line: the alt text of the image
    width: int  # display width in CSS pixels


def render(fig: Figure) -> RenderedChart:
    """A figure as PNG at FIGURE_DPI, with its title as alt text and its on-screen width."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)  # the constrained or fixed layout already fits every label
    title = fig._suptitle.get_text().replace("\n", " ") if fig._suptitle is not None else ""
    return RenderedChart(buffer.getvalue(), title, int(fig.get_figwidth() * SCREEN_DPI))


def draw(chart: Callable[..., Figure], *args: Any, **kwargs: Any) -> RenderedChart:
    """``render(chart(*args, **kwargs))``, from the cache when this exact call was drawn before."""
    folder = os.environ.get(CACHE_ENV)
    key = call_key(chart, args, kwargs) if folder else None
    if key is None:
        return render(chart(*args, **kwargs))
    png_path, meta_path = _entry(Path(folder), key)
    cached = _read(png_path, meta_path)
    if cached is not None:
        return cached
    rendered = render(chart(*args, **kwargs))
    _write(png_path, meta_path, rendered)
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


def _entry(folder: Path, key: str) -> tuple[Path, Path]:
    return folder / key[:2] / f"{key}.png", folder / key[:2] / f"{key}.json"


def _read(png_path: Path, meta_path: Path) -> RenderedChart | None:
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        png = png_path.read_bytes()
    except (OSError, ValueError):
        return None
    if not (png.startswith(_PNG_SIGNATURE) and png.endswith(_PNG_END)) or not isinstance(meta, dict):
        return None
    if not isinstance(meta.get("alt"), str) or not isinstance(meta.get("width"), int):
        return None
    now = time.time()
    with contextlib.suppress(OSError):  # touched: `prune` keeps what builds still use
        for path in (png_path, meta_path):
            os.utime(path, (now, now))
    return RenderedChart(png, meta["alt"], meta["width"])


def _write(png_path: Path, meta_path: Path, rendered: RenderedChart) -> None:
    """Keep an entry; a cache that cannot be written (full disk, a file held open on Windows) costs a redraw next
    time, never the report."""
    with contextlib.suppress(OSError):
        with atomic_path(png_path) as tmp:
            tmp.write_bytes(rendered.png)
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
