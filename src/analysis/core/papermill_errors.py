"""papermill's command line says a mistake in a notebook's parameters in one Vietnamese line.

papermill loads every engine registered under the `papermill.engine` entry point when it starts; the project
registers papermill's own default engine (nbclient) under the name `analysis` (pyproject.toml), so this module is
loaded in papermill's process. Loading it sets an exception hook: when a cell failed with a mistake the kernel
already said in one line (:func:`analysis.core.mistakes.brief`), that line is printed and papermill exits with
code 1, instead of papermill's traceback followed by the cell's. Every other error is shown as before.
"""

from __future__ import annotations

import sys
from types import TracebackType

from papermill.engines import NBClientEngine

from analysis.core.mistakes import is_brief

__all__ = ["NBClientEngine", "brief_excepthook"]

_previous = sys.excepthook


def brief_excepthook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """sys.excepthook: a cell's known mistake as its one line; anything else to the hook that was there."""
    if is_brief(list(getattr(value, "traceback", None) or [])) and hasattr(value, "ename"):
        print(value.traceback[0], file=sys.stderr)  # type: ignore[attr-defined]
        return
    _previous(etype, value, tb)


sys.excepthook = brief_excepthook
