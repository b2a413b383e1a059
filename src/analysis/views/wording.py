"""How a comparison is said in Vietnamese, in tables and sentences: one place for the words."""

from __future__ import annotations

import pandas as pd

from analysis.compare.comparisons import STATUS_VN
from analysis.core import vnformat
from analysis.core.periods import Quarter


def change_text(status: str, pct: float | None, change: float | None, unit: str) -> str:
    """ "tăng 12,5%", "giảm 3,1 điểm %" (rates change in percentage points), "mới phát sinh", "không có số liệu"."""
    if status in ("increase", "decrease"):
        amount = change if unit == "%" else pct
        if not pd.isna(amount) and vnformat.number(abs(amount), 1) == "0,0":
            return "tương đương"  # a change too small to show at one decimal is not "tăng 0,0%"
        if unit == "%":
            return f"{STATUS_VN[status]} {vnformat.number(abs(change), 1)} điểm %"
        if pd.isna(pct):
            return STATUS_VN[status]
        return f"{STATUS_VN[status]} {vnformat.percent(abs(pct))}"
    return STATUS_VN.get(status, status)


def comparison_clause(
    status: str, pct: float | None, change: float | None, unit: str, base: Quarter, phrase: str
) -> str:
    """A change as a clause of a sentence: "tăng 8,9% so với quý II/2021", "chưa có số liệu quý III/2020 để so sánh"."""
    if status == "no_base":
        return f"chưa có số liệu {base.vn} để so sánh"
    if status == "no_data":
        return "không có số liệu"
    if status == "new":
        return f"mới phát sinh ({base.vn} không có)"
    return f"{change_text(status, pct, change, unit)} {phrase}"


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
