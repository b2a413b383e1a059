"""The quality page's submissions over the quarters, readable at any number of units.

A small province gets one heatmap of every unit × quarter. At a province's scale (130+ units) such a heatmap is 140
rows of unreadable labels; the page then shows how many units were on time, late or missing each quarter, the
heatmap of only the units that were ever late, undated or missing (at most HEATMAP_ROWS of them), and the whole
grid as a table folded below.
"""

from __future__ import annotations

import pandas as pd

from analysis.compare.report_data import ReportData
from analysis.core import labels, vnformat
from analysis.core.periods import Quarter
from analysis.views import charts, quality
from analysis.views import notebook as nb

HEATMAP_ROWS = 40  # units in one completeness heatmap: beyond, the labels overlap
# the statuses that are no news: a unit always in these needs no row of its own at a province's scale
QUIET = ("on_time", "received", "not_expected")
COUNTED = ("on_time", "late", "received_undated", "received", "manual", "missing")


def completeness_section(data: ReportData, figures_dir: str | None = None) -> None:
    """Submissions per unit and quarter: one heatmap, or at scale the counts, the units with news and the grid."""
    matrix = quality.completeness_matrix(data)
    title = f"Tình hình nộp báo cáo đến {data.quarter.vn}"
    name = f"{data.quarter.label}-tinh-hinh-nop-bao-cao"
    if len(matrix) <= HEATMAP_ROWS:
        nb.chart(charts.completeness_heatmap, matrix, title, name=name, figures_dir=figures_dir)
        return
    nb.table(quarter_counts(matrix), ("Quý",))
    news = units_with_news(matrix)
    quiet = len(matrix) - len(news)
    shown = news.head(HEATMAP_ROWS)
    if len(shown):
        more = f" ({len(shown)} đơn vị đầu danh sách)" if len(news) > len(shown) else ""
        chart_title = f"{title}: các đơn vị có quý nộp muộn, chưa nộp hoặc không rõ ngày{more}"
        nb.chart(charts.completeness_heatmap, shown, chart_title, name=name, figures_dir=figures_dir)
    nb.md(
        f"{vnformat.number(quiet)} đơn vị khác nộp đủ và đúng hạn mọi quý phải nộp."
        if len(news)
        else "Mọi đơn vị nộp đủ và đúng hạn mọi quý phải nộp."
    )
    nb.folded(
        f"Xem đủ {vnformat.number(len(matrix))} đơn vị theo từng quý", nb.table_html(grid_words(matrix), ("Đơn vị",))
    )


def quarter_counts(matrix: pd.DataFrame) -> pd.DataFrame:
    """One row per quarter: units that had to report, then how many of them were in each status."""
    rows = []
    for period in matrix.columns:
        column = matrix[period]
        row = {"Quý": _title(period), "Phải nộp": vnformat.number(int((column != "not_expected").sum()))}
        for status in COUNTED:
            count = int((column == status).sum())
            if count or status in ("on_time", "late", "missing"):
                row[labels.label("completeness_status", status)] = vnformat.number(count)
        rows.append(row)
    return pd.DataFrame(rows).fillna("0")


def units_with_news(matrix: pd.DataFrame) -> pd.DataFrame:
    """The rows of units that were late, missing, undated or entered by hand in any quarter shown."""
    return matrix[~matrix.isin(QUIET).all(axis=1)]


def grid_words(matrix: pd.DataFrame) -> pd.DataFrame:
    """The grid in words (a cell "—" where the unit was not expected), quarters as headings."""
    words = matrix.apply(lambda column: column.map(_word))
    words.columns = [_title(p) for p in matrix.columns]
    return words.rename_axis("Đơn vị").reset_index()


def _word(status: str) -> str:
    return "—" if status == "not_expected" else labels.label("completeness_status", status)


def _title(period: object) -> str:
    return Quarter.parse(str(period)).vn_title
