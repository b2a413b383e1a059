"""Give memory back to the system between two pieces of work of a long-lived process.

A report's workers and kernels run 130+ notebooks and the exports one after the other; pandas, matplotlib and
openpyxl free what each one used, but glibc's allocator keeps most freed pages for later, so each process grows to
the largest thing it ever held and four of them together passed 1.5 GiB at 133 units. `malloc_trim(0)` returns the
free pages at the top of each arena (a few milliseconds); elsewhere (macOS, Windows, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache


@cache
def _trim():  # noqa: ANN202 - a C function, or None
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def give_back() -> None:
    """Return the process's free heap pages to the system, where the C library can (glibc)."""
    trim = _trim()
    if trim is not None:
        trim(0)


__all__ = ["give_back"]
