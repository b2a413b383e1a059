"""A sequence cut into runs as even as can be: what fits a heatmap, a printed table or a page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def even_runs(items: Sequence[T], most: int) -> list[Sequence[T]]:
    """`items` in the fewest runs of at most `most`, as even as can be: 29 by 10 → 10, 10, 9; 12 by 10 → 6, 6; 125
    by 15 → 8 runs of 14 and one of 13 (not 8 of 15 and one of 5); no items, no runs."""
    if not items:
        return []
    parts = -(-len(items) // most)
    size = -(-len(items) // parts)
    return [items[i : i + size] for i in range(0, len(items), size)]
