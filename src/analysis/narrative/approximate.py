"""Figures as reports speak them: "trên 7.000", "trên 20 nghìn" — never above the true value, at least 90% of it.

Also a figure with or without its unit, exact or approximate ("7.048 lượt", "trên 7.000 lượt", "75,3%"), and the
test for a missing figure the narrative shares.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

from analysis.core import vnformat

__all__ = ["Approximation", "approximate", "approximate_parts", "figure", "figure_number", "is_missing"]

OVER = "trên"
THOUSAND = "nghìn"
EXACT_BELOW = 100  # small counts are always said exactly ("50 cơ sở")
THOUSANDS_FROM = 10_000  # from here on in "nghìn" ("trên 20 nghìn")
MILLION_DONG, BILLION_DONG = "triệu đồng", "tỷ đồng"  # from 1.000 triệu đồng on, said in tỷ ("trên 2,5 tỷ đồng")
_SMALL_STEPS = (1000, 500, 100, 50, 10)  # roundest first
MISSING = "chưa có số liệu"


class Approximation(NamedTuple):
    """How a figure is said approximately: ``rounded`` (≤ the value, ≥ 90% of it), with "trên" when ``over``."""

    rounded: float
    over: bool
    thousands: bool
    text: str


def _large_steps(x: float) -> list[int]:
    """10^k, 5·10^(k−1), 10^(k−1), … down to 1000, for 10^k ≤ x."""
    step = 10 ** (len(str(int(x))) - 1)
    steps = []
    while step >= 1000:
        steps.append(step)
        if step // 2 >= 1000:
            steps.append(step // 2)
        step //= 10
    return steps


def approximate_parts(value: float) -> Approximation:
    """The roundest figure ≤ ``value`` and ≥ 90% of it (see :func:`approximate`); ValueError for NaN/inf."""
    x = float(value)
    if math.isnan(x) or math.isinf(x):
        raise ValueError(f"Không làm tròn được giá trị {value!r} / cannot approximate {value!r}")
    if x < EXACT_BELOW:  # small counts, and negatives (never a count), stay exact
        return Approximation(x, False, False, vnformat.auto(x))
    rounded = x
    for step in _SMALL_STEPS if x < THOUSANDS_FROM else _large_steps(x):
        candidate = math.floor(x / step) * step
        if candidate * 10 >= x * 9:  # ≥ 90% of the value (exact for whole numbers)
            rounded = float(candidate)
            break
    thousands = x >= THOUSANDS_FROM
    number = f"{vnformat.number(rounded / 1000)} {THOUSAND}" if thousands else vnformat.number(rounded)
    over = rounded < x
    return Approximation(rounded, over, thousands, f"{OVER} {number}" if over else number)


def approximate(value: float) -> str:
    """A figure as reports speak it, never above the truth and at least 90% of it.

    7048 → "trên 7.000", 604 → "trên 600", 7000 → "7.000", 50 → "50" (below 100: exact), 20480 → "trên 20 nghìn",
    12345 → "trên 12 nghìn". The roundest number ≤ value and ≥ 0,9 × value wins (multiples of 1000, then 500, 100,
    50, 10; from 10.000 up in "nghìn"); "trên" only when it is strictly below the value.
    """
    return approximate_parts(value).text


def is_missing(x: object) -> bool:
    """None, NA, NaN or not a number at all."""
    if x is None or x is pd.NA:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def figure_number(value: float | None, exact: bool = True, missing: str = MISSING) -> str:
    """A count without its unit: "7.048" (exact) or "trên 7.000" (approximate); ``missing`` for None/NaN."""
    if is_missing(value):
        return missing
    return vnformat.auto(value) if exact else approximate(float(value))  # type: ignore[arg-type]


def figure(value: float | None, unit: str, exact: bool = True, missing: str = MISSING) -> str:
    """A figure with its unit: "7.048 lượt", "trên 7.000 lượt"; a rate: "75,3%"; approximate money from a
    thousand million in tỷ đồng (2.569,1 triệu đồng → "trên 2,5 tỷ đồng"); ``missing`` for None/NaN."""
    if is_missing(value):
        return missing
    if unit == "%":
        return vnformat.percent(value)
    if not exact and unit == MILLION_DONG and float(value) >= 1000:  # type: ignore[arg-type]
        parts = approximate_parts(float(value))  # type: ignore[arg-type]
        number = vnformat.auto(parts.rounded / 1000)
        return f"{OVER} {number} {BILLION_DONG}" if parts.over else f"{number} {BILLION_DONG}"
    return f"{figure_number(value, exact)} {unit}"
