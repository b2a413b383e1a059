""" "Số liệu điều chỉnh": where a table shows a quarter that was published and a figure of it changed since, the note
says what leaders signed and what the figure is now (`compare.published`; the comparison itself keeps the published
figure unless ``compare_with_published: false``).
"""

from __future__ import annotations

import pandas as pd

from analysis.compare.coverage import base_quarters
from analysis.compare.report_data import ReportData
from analysis.core import vnformat

__all__ = ["revised_note", "revision_of"]

LABEL = "số liệu điều chỉnh"


def _changes(data: ReportData, unit_code: str | None, indicator: str) -> list[tuple[str, float, float]]:
    """(quarter words, published, now) for each base quarter of the report whose figure changed since publication:
    a unit's own figure, or the province's sum (counts only: a rate's parts are listed as their own figures)."""
    if data.revisions.empty:  # nothing published has changed: the common case (every row of every table asks)
        return []
    rows = data.revisions[data.revisions["indicator"] == indicator]
    if unit_code is not None:
        rows = rows[rows["unit_code"] == unit_code]
    out = []
    for q in dict.fromkeys(base_quarters(data.quarter).values()):
        pub = data.publications.get(q.label)
        mine = rows[rows["period"] == q.label]
        if pub is None or mine.empty:
            continue
        signed = pub.values[pub.values["indicator"] == indicator]
        if unit_code is not None:
            signed = signed[signed["unit_code"] == unit_code]
        before = signed["value"].sum(min_count=1)
        delta = (mine["current"].fillna(0) - mine["published"].fillna(0)).sum()
        out.append((q.vn, before, (0 if pd.isna(before) else before) + delta))
    return out


def revision_of(data: ReportData, unit_code: str | None, indicator: str, unit: str) -> str:
    """One row's note: "số liệu điều chỉnh: quý III/2025 đã công bố 4.361, hiện nay 5.151", or ""."""
    said = [
        f"{q} đã công bố {vnformat.figure(before, unit)}, hiện nay {vnformat.figure(now, unit)}"
        for q, before, now in _changes(data, unit_code, indicator)
    ]
    return f"{LABEL}: {'; '.join(said)}" if said else ""


def revised_note(data: ReportData, codes: list[str], unit_code: str | None = None) -> str:
    """Below a table of indicators `codes`: every figure of a published base quarter changed since, once."""
    catalogue = data.catalogue
    said = []
    for code in codes:
        ind = catalogue.indicator(code)
        if ind.is_input and (text := revision_of(data, unit_code, code, ind.unit)):
            said.append(f"{ind.name}: {text.removeprefix(LABEL + ': ')}")
    if not said:
        return ""
    how = "so sánh vẫn dùng số liệu đã công bố" if data.compares_published else "so sánh dùng số liệu hiện nay"
    return f"Số liệu điều chỉnh sau khi công bố ({how}): " + "; ".join(said) + "."
