"""Mistakes a person makes and can put right (a quarter that has no data, a unit code that does not exist, a data
folder caught half-written): said in one Vietnamese line, without a traceback, wherever they surface.

* In a Jupyter kernel (JupyterLab, papermill) IPython shows an exception by its `_render_traceback_` when it has
  one: a :class:`UserMistake` renders as the one line :func:`brief`.
* papermill's command line then prints that line instead of its own traceback (`analysis.core.papermill_errors`).
* The project's command line says "Lỗi: …" for every ValueError (`analysis.cli`).
"""

from __future__ import annotations

BRIEF_PREFIX = "Lỗi: "


def brief(error: BaseException) -> str:
    """The one line said for a mistake: "Lỗi: Kỳ báo cáo không hợp lệ …"."""
    return BRIEF_PREFIX + " ".join(str(error).split())


def is_brief(traceback: list[str]) -> bool:
    """Whether a cell's error output is :func:`brief`'s one line (as papermill receives it from the kernel)."""
    return len(traceback) == 1 and traceback[0].startswith(BRIEF_PREFIX)


class UserMistake(ValueError):
    """A mistake in what was asked or given, explained in its Vietnamese message: no traceback helps with it."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of the traceback (its hook for exceptions that format themselves)."""
        return [brief(self)]
