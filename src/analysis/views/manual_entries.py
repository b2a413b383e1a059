""" "Số liệu nhập tay": the figures the analyst entered by hand (`ingest.manual`), listed on the quality page with
their reason, who, when, source document and what became of each, and named under every table and in every Excel
row that shows one, so a reader always knows a figure came from the office and not from the unit's file.
"""

from __future__ import annotations

import pandas as pd

from analysis.compare.coverage import base_quarters
from analysis.compare.report_data import ReportData
from analysis.core import labels, vnformat
from analysis.core.periods import Quarter

__all__ = ["entry_text", "manual_note", "manual_table", "other_quarters", "row_note", "shown_quarters"]

LABEL = "số liệu nhập tay"
COLUMNS = ["Đơn vị", "Kỳ", "Chỉ tiêu", "Số liệu", "Lý do", "Người nhập", "Tình trạng"]


def shown_quarters(data: ReportData) -> list[str]:
    """The quarters a report's tables show: its own and its comparison bases."""
    return [data.quarter.label, *(q.label for q in dict.fromkeys(base_quarters(data.quarter).values()))]


def _used(data: ReportData) -> pd.DataFrame:
    """The entries whose figure the tables use (one equal to the unit's file leaves the file's figure)."""
    return data.manual[data.manual["outcome"] != "same"]


def entry_text(r) -> str:
    """ "lý do … (Lan nhập ngày 15/10/2025, theo Báo cáo số 5/BC)" for one entry (a row of `manual`, itertuples)."""
    source = f", theo {r.document}" if r.document else ""
    return f"{r.reason} ({r.entered_by} nhập ngày {vnformat.iso_day(r.entered_on)}{source})"


def row_note(data: ReportData, unit_code: str | None, indicator: str) -> str:
    """An Excel row's note when its figure of the report's quarter was entered by hand ("" otherwise)."""
    if not unit_code or data.manual.empty:  # called for every row of every sheet: nothing to look for, mostly
        return ""
    rows = _used(data)
    mine = rows[(rows["unit_code"] == unit_code) & (rows["indicator"] == indicator)]
    first = next(mine[mine["period"] == data.quarter.label].itertuples(), None)
    return f"{LABEL}: {entry_text(first)}" if first else ""


def manual_note(data: ReportData, codes: list[str], unit_code: str | None = None) -> str:
    """Below a table of indicators `codes`: for a unit, each of its figures entered by hand in the quarters shown;
    for the province, how many of the units' figures were."""
    if data.manual.empty:  # no figure entered by hand (every table of every page asks)
        return ""
    rows = _used(data)
    rows = rows[rows["indicator"].isin(codes) & rows["period"].isin(shown_quarters(data))]
    if unit_code is None:
        if rows.empty:
            return ""
        units = rows["unit_code"].nunique()
        return (
            f"Số liệu toàn tỉnh gồm {vnformat.number(len(rows))} số liệu nhập tay của {vnformat.number(units)} đơn vị "
            "(danh sách ở trang Chất lượng dữ liệu)."
        )
    rows = rows[rows["unit_code"] == unit_code]
    if rows.empty:
        return ""
    catalogue = data.catalogue.whole or data.catalogue
    said = [
        f"{catalogue.indicator(r.indicator).name} {Quarter.parse(r.period).vn}: "
        f"{vnformat.with_unit(r.value, catalogue.indicator(r.indicator).unit)} — {entry_text(r)}"
        for r in rows.itertuples()
    ]
    return "Số liệu nhập tay: " + "; ".join(said) + "."


def manual_table(data: ReportData) -> pd.DataFrame:
    """Every entry of the quarters the report shows: unit, quarter, indicator, figure; why and on what source; who
    entered it, when, and on which line; what became of the unit's own figure."""
    rows = data.manual[data.manual["period"].isin(shown_quarters(data))]
    catalogue = data.catalogue.whole or data.catalogue
    names = {i.code: i.name for i in catalogue.indicators}
    units = {i.code: i.unit for i in catalogue.indicators}
    return pd.DataFrame(
        [
            {
                "Đơn vị": r.unit_name,
                "Kỳ": Quarter.parse(r.period).vn,
                "Chỉ tiêu": names.get(r.indicator, r.indicator),
                "Số liệu": vnformat.figure(r.value, units.get(r.indicator, "")),
                "Lý do": r.reason + (f" (theo {r.document})" if r.document else ""),
                "Người nhập": f"{r.entered_by}, {vnformat.iso_day(r.entered_on)}; {r.file}, dòng {r.line}",
                "Tình trạng": _outcome(r, units.get(r.indicator, "")),
            }
            for r in rows.itertuples()
        ],
        columns=COLUMNS,
    )


def _outcome(r, unit: str) -> str:
    """ "thay số liệu của đơn vị 1.100 (tệp …, ô 01-TCD!E13)", "bổ sung (…)", "trùng số liệu của đơn vị (…)"."""
    said = labels.label("manual_outcome", r.outcome)
    if r.outcome == "added":
        return said
    where = f"tệp {r.unit_file}, ô {vnformat.place(r.unit_sheet, r.unit_cell)}"
    return f"{said}: {vnformat.figure(r.unit_value, unit)} ({where})" if r.outcome == "replaced" else f"{said}, {where}"


def other_quarters(data: ReportData) -> str:
    """The entries of quarters the report does not show, counted by quarter ("" when none)."""
    rows = data.manual[~data.manual["period"].isin(shown_quarters(data))]
    if rows.empty:
        return ""
    counts = rows.groupby("period").size()
    said = ", ".join(f"{Quarter.parse(p).vn}: {vnformat.number(n)}" for p, n in counts.items())
    return f"Số liệu nhập tay của các quý khác: {said}."
