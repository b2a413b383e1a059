"""Tidy tables → comparisons: province totals, changes on the previous quarter and the same quarter last year,
year to date, ranks and outliers; `ReportData`, one quarter as the notebooks read it."""
