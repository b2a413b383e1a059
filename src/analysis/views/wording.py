"""How a comparison is said in tables and headlines: the kind of change is decided once (`compare.change.describe`,
which the narrative uses too), the words of a table cell come from `labels.yaml` (group `change`)."""

from __future__ import annotations

import pandas as pd

from analysis.compare.change import Change, describe
from analysis.compare.comparability import REFUSED
from analysis.compare.coverage import DISJOINT, NO_COMMON
from analysis.core import labels
from analysis.core.periods import Quarter

DIRECTION_CLASS = {"increase": "tang", "decrease": "giam"}  # CSS class of a cell by the direction of its change


def change_of(row: pd.Series | dict, base: str, unit: str) -> Change:
    """The change of one comparison row (columns value, `base`, status_/pct_/change_`base`) against `base`."""
    get = row.get
    since = get("since")
    return describe(
        get(f"status_{base}") or "no_data",
        get(f"pct_{base}"),
        get(f"change_{base}"),
        unit,
        get("value"),
        get(base),
        since=Quarter.parse(since).vn if isinstance(since, str) and since else "",
    )


def like_for_like_of(row: pd.Series | dict, base: str, unit: str) -> Change | None:
    """The change over the units that reported in both quarters (`compare.coverage.like_for_like`), None when the
    two quarters' figures come from the same units (nothing to add) or a side has none."""
    get = row.get
    differ = get(f"units_differ_{base}")
    if differ is None or pd.isna(differ) or not bool(differ):
        return None
    status = get(f"lfl_status_{base}")
    if status == DISJOINT:  # said once, above the page's figures (narrative.scope)
        return None
    if status == NO_COMMON:
        return Change(NO_COMMON)
    pct, change = get(f"like_for_like_{base}"), get(f"lfl_change_{base}")
    return describe(status, pct, change, unit, get(f"lfl_value_{base}"), get(f"lfl_{base}"))


def like_for_like_text(change: Change | None, units: int | None, under_heading: bool = False) -> str:
    """ "tăng 4,1% (15 đơn vị báo cáo cả hai kỳ)", "không có đơn vị báo cáo ở cả hai kỳ", or ""; `under_heading`:
    a table cell whose column heading already says which units, "tăng 4,1% (15 đơn vị)"."""
    if change is None:
        return ""
    words = labels.group("like_for_like")
    if change.kind == NO_COMMON:
        return words[NO_COMMON]
    template = words["cell" if under_heading else "change"]
    return template.format_map({"change": change_text(change), "units": int(units or 0)})


def like_for_like_clause(change: Change | None, units: int | None, phrase: str) -> str:
    """A headline's clause: "riêng 15 đơn vị báo cáo cả hai kỳ: tăng 4,1% so với cùng kỳ năm 2020", or ""."""
    if change is None:
        return ""
    words = labels.group("like_for_like")
    if change.kind == NO_COMMON:
        return words[NO_COMMON]
    return words["clause"].format_map({"change": f"{change_text(change)} {phrase}", "units": int(units or 0)})


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
    if change.kind in REFUSED:
        return f"{phrase}: {change_text(change)}"
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


def _counts(reporting: object, expected: object) -> tuple[int, int] | None:
    if reporting is None or expected is None or pd.isna(reporting) or pd.isna(expected):
        return None
    return int(reporting), int(expected)  # type: ignore[call-overload]


def coverage_note(row: pd.Series | dict, quarter: Quarter) -> str:
    """ "" when every side compared is complete, else each side: "(số liệu của 11/12 đơn vị; quý II/2021: 12/12 đơn
    vị; quý III/2020: 10/10 đơn vị)" (columns units_reporting/_expected[_previous|_last_year])."""
    get = row.get
    sides = [
        (None, _counts(get("units_reporting"), get("units_expected"))),
        (quarter.previous(), _counts(get("units_reporting_previous"), get("units_expected_previous"))),
        (quarter.same_quarter_last_year(), _counts(get("units_reporting_last_year"), get("units_expected_last_year"))),
    ]
    known = [(q, c) for q, c in sides if c is not None]
    if all(r >= e for _, (r, e) in known):
        return ""
    parts = [f"{q.vn}: {r}/{e} đơn vị" if q else f"số liệu của {r}/{e} đơn vị" for q, (r, e) in known]
    return f"({'; '.join(parts)})"
