"""How a comparison is said in tables and headlines: the kind of change is decided once (`compare.change.describe`,
which the narrative uses too), the words of a table cell come from `labels.yaml` (group `change`)."""

from __future__ import annotations

import pandas as pd

from analysis.compare.change import Change, describe
from analysis.core import labels
from analysis.core.periods import Quarter

DIRECTION_CLASS = {"increase": "tang", "decrease": "giam"}  # CSS class of a cell by the direction of its change


def change_of(row: pd.Series | dict, base: str, unit: str) -> Change:
    """The change of one comparison row (columns value, `base`, status_/pct_/change_`base`) against `base`."""
    get = row.get
    return describe(
        get(f"status_{base}") or "no_data", get(f"pct_{base}"), get(f"change_{base}"), unit, get("value"), get(base)
    )


def change_text(change: Change) -> str:
    """ "tăng 12,5%", "giảm 3,1 điểm phần trăm", "tăng gấp 6,4 lần", "mới phát sinh", "không có số liệu"."""
    return change.say(labels.group("change"))


def direction_class(change: Change) -> str:
    """ "tang" / "giam" for a cell whose change goes up / down, else "" (about the same, new, not comparable)."""
    return DIRECTION_CLASS.get(change.kind.split("_")[0], "") if change.kind != "about_same" else ""


def comparison_clause(change: Change, base: Quarter, phrase: str) -> str:
    """A change as a clause of a sentence: "tăng 8,9% so với quý II/2021", "chưa có số liệu quý III/2020 để so sánh"."""
    if change.kind == "no_base":
        return f"chưa có số liệu {base.vn} để so sánh"
    if change.kind == "no_data":
        return "không có số liệu"
    if change.kind == "new":
        return f"mới phát sinh ({base.vn} không có)"
    return f"{change_text(change)} {phrase}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def previous_phrase(quarter: Quarter) -> str:
    """ "so với quý II/2021"."""
    return f"so với {quarter.previous().vn}"


def last_year_phrase(quarter: Quarter) -> str:
    """ "so với cùng kỳ năm 2020"."""
    return f"so với cùng kỳ năm {quarter.year - 1}"


def previous_label(quarter: Quarter) -> str:
    """Column heading: "So với quý II/2021"."""
    return _capitalise(previous_phrase(quarter))


def last_year_label(quarter: Quarter) -> str:
    """Column heading: "So với cùng kỳ năm 2020"."""
    return _capitalise(last_year_phrase(quarter))


def coverage_note(units_reporting: int | None, units_expected: int | None) -> str:
    """ "" when complete, else "(số liệu của 11/12 đơn vị)"."""
    if pd.isna(units_reporting) or pd.isna(units_expected):
        return ""
    if int(units_reporting) >= int(units_expected):
        return ""
    return f"(số liệu của {int(units_reporting)}/{int(units_expected)} đơn vị)"
