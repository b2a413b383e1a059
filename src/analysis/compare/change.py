"""How a change is said: the one decision behind every "tăng 8,9%", "tăng 2,4 điểm phần trăm", "tăng gấp 6,4 lần".

:func:`describe` turns what :func:`analysis.compare.comparisons.compare` computes for one base period (status code,
relative change ``pct``, absolute change, the current and the base value) and the unit of measure into a
:class:`Change`: a ``kind`` code and its amounts already written the Vietnamese way. The words are the caller's: a
mapping kind → template with the placeholders ``{pct}``, ``{points}`` and ``{times}`` (plus any the caller adds), read
with :meth:`Change.say`.

Kinds (:data:`KINDS`) and the amount each fills:

* ``increase`` / ``decrease`` — ``pct`` "8,9%" (6.473 → 7.048);
* ``increase_points`` / ``decrease_points`` — ``points`` "2,4": a rate (unit "%") changes in percentage points
  (60,0% → 62,4%), also from a base of 0% (0% → 5% is "tăng 5,0 điểm", never "mới phát sinh");
* ``increase_multiple`` — ``times`` "6,4" (",0" dropped: "6"): an increase of at least ``multiple_from_pct`` percent
  (100 → 640 with the default 100); ``multiple_from_pct=None`` never says a multiple;
* ``about_same`` — a change that rounds to 0,0 at one decimal (never "tăng 0,0%");
* ``unchanged``, ``new`` (from a base of 0), ``no_base`` (no figure in the base period), ``no_data`` (none now);
* ``not_comparable`` — ``since`` "1/7/2025": a unit's own comparison with a quarter before it existed
  (``compare.comparability.judge``), never a number against nothing;
* ``form_changed`` — the figure's definition differs between the two quarters' forms
  (``compare.comparability.judge``): "không so sánh được do thay đổi biểu mẫu";
* ``incomplete`` — an area's figure lacks some of its units on a side (``compare.comparability.judge``).

A table cell uses it with short words from a labels file, e.g. a group ``change`` holding
``increase: "tăng {pct}"``, ``increase_points: "tăng {points} điểm %"``, ``about_same: "tương đương"``,
``new: "mới phát sinh"``, ``no_base: "không có số liệu kỳ so sánh"``, ``no_data: "không có số liệu"``::

    words = labels.group("change")
    cell = describe(status, pct, change, ind.unit, multiple_from_pct=None).say(words)
    column = cells(cmp, "previous", ind.unit, words, multiple_from_pct=None)   # a whole comparison frame

(``multiple_from_pct=None`` keeps a table's "tăng 535,8%"; the current and base values matter only for multiples.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.compare.comparability import REFUSED
from analysis.core import vnformat

__all__ = ["KINDS", "RATE_UNIT", "Change", "cells", "changes", "describe"]

KINDS = (
    "increase",
    "decrease",
    "increase_points",
    "decrease_points",
    "increase_multiple",
    "about_same",
    "unchanged",
    "new",
    "no_base",
    "no_data",
    "not_comparable",
    "form_changed",
    "incomplete",
)
RATE_UNIT = "%"  # the unit of measure of a rate: its changes are in percentage points


@dataclass(frozen=True)
class Change:
    """What a change is (``kind``, one of :data:`KINDS`) and its amounts, formatted ("8,9%", "2,4", "6,4"; else "");
    ``since`` the day a unit not comparable reports from ("1/7/2025")."""

    kind: str
    pct: str = ""
    points: str = ""
    times: str = ""
    since: str = ""

    def amounts(self) -> dict[str, str]:
        """The placeholders a wording of the change may use: pct, points, times, since."""
        return {"pct": self.pct, "points": self.points, "times": self.times, "since": self.since}

    def say(self, words: Mapping[str, str], **extra: str) -> str:
        """``words[kind]`` filled with the amounts and ``extra`` (e.g. base="quý II/2021")."""
        return words[self.kind].format_map({**extra, **self.amounts()})


def _about_zero(x: float) -> bool:
    return vnformat.number(abs(x), 1) == "0,0"


def describe(
    status: str,
    pct: float | None,
    change: float | None,
    unit: str,
    value: float | None = None,
    base: float | None = None,
    multiple_from_pct: float | None = 100.0,
    since: str = "",
) -> Change:
    """The change of one figure against one base period (``status`` a code of ``comparisons.change_status``, or
    ``not_comparable`` with ``since`` the day the unit reports from)."""
    if status in REFUSED:
        return Change(status, since=since)
    rate = unit == RATE_UNIT
    if rate and status == "new":  # a rate up from 0%: a change in points, not "new"
        status = "increase"
    if status not in ("increase", "decrease"):
        return Change(status if status in ("unchanged", "new", "no_data") else "no_base")
    if rate:
        if _about_zero(change):  # type: ignore[arg-type]
            return Change("about_same")
        return Change(f"{status}_points", points=vnformat.number(abs(change), 1))  # type: ignore[arg-type]
    if pct is None or pd.isna(pct):  # from a base of 0 (a negative figure): nothing to divide by
        return Change("new")
    if _about_zero(pct):  # type: ignore[arg-type]
        return Change("about_same")
    if status == "increase" and multiple_from_pct is not None and pct >= multiple_from_pct:  # type: ignore[operator]
        times = vnformat.number(value / base, 1).removesuffix(",0")  # type: ignore[operator]
        return Change("increase_multiple", times=times)
    return Change(status, pct=vnformat.percent(abs(pct)))  # type: ignore[arg-type]


def changes(
    frame: pd.DataFrame, base: str, unit: str | pd.Series, multiple_from_pct: float | None = 100.0
) -> pd.Series:
    """:func:`describe` for every row of a comparison frame (columns value, ``base``, change_/pct_/status_``base``
    as :func:`~analysis.compare.comparisons.compare` writes them); ``unit`` one for all rows or a column."""
    units = unit if isinstance(unit, pd.Series) else pd.Series(unit, index=frame.index)
    columns = (frame[f"status_{base}"], frame[f"pct_{base}"], frame[f"change_{base}"], units, frame["value"])
    described = [
        describe(s, p, c, u, v, b, multiple_from_pct) for s, p, c, u, v, b in zip(*columns, frame[base], strict=True)
    ]
    return pd.Series(described, index=frame.index, dtype=object)


def cells(
    frame: pd.DataFrame,
    base: str,
    unit: str | pd.Series,
    words: Mapping[str, str],
    multiple_from_pct: float | None = None,
) -> pd.Series:
    """A column of table cells: each row's change said with ``words`` (kind → "tăng {pct}" …)."""
    return changes(frame, base, unit, multiple_from_pct).map(lambda c: c.say(words))
