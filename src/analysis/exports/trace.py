"""The trace sheet: every unit figure of the quarter with where it was read, file, sheet and cell, and what the cell
held, so any number in the tables can be checked against the unit's own submission. Figures are numbers here (with
their decimals), for an analyst who recomputes."""

from __future__ import annotations

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.compare.report_data import ReportData
from analysis.exports.cells import (
    BORDER,
    FONT,
    HEADER,
    ROW_FONTS,
    print_a4_landscape,
    set_number,
    set_text,
)

HEADERS = (
    ("Đơn vị", 28),
    ("Mã", 9),
    ("Chỉ tiêu", 40),
    ("Đơn vị tính", 11),
    ("Số liệu", 12),
    ("Ô ghi", 14),
    ("Tệp", 40),
    ("Trang tính", 16),
    ("Ô", 7),
    ("Khi đọc", 30),
)
VALUE_FORMAT = "General"  # the figure as stored, every decimal: the locale shows its own separator here
HEADER_ROW = 3


def trace_rows(data: ReportData) -> pd.DataFrame:
    """The quarter's unit figures in registry and catalogue order, with their lineage."""
    order = {u.code: i for i, u in enumerate(data.registry.units)}
    indicators = {i.code: i for i in data.catalogue.indicators}
    rows = data.values[data.values["period"] == data.quarter.label]
    return (
        rows[rows["indicator"].isin(indicators)]
        .assign(
            _unit=lambda d: d["unit_code"].map(order).fillna(len(order)),
            _ind=lambda d: d["indicator"].map({c: i.order for c, i in indicators.items()}),
        )
        .sort_values(["_unit", "_ind"])
        .drop(columns=["_unit", "_ind"])
        .reset_index(drop=True)
    )


def write_trace_sheet(ws: Worksheet, data: ReportData) -> None:
    """Title, header and one row per unit figure of the quarter."""
    set_text(ws, 1, 1, f"NGUỒN SỐ LIỆU — {data.quarter.vn_title.upper()}", font=Font(name=FONT, bold=True, size=13))
    set_text(
        ws,
        2,
        1,
        "Mỗi số liệu của đơn vị và nơi đọc được: tệp, trang tính, ô, nội dung ô như đơn vị ghi.",
        font=Font(name=FONT, italic=True, size=11),
    )
    for col, (text, width) in enumerate(HEADERS, start=1):
        set_text(ws, HEADER_ROW, col, text, **HEADER)
        ws.column_dimensions[get_column_letter(col)].width = width
    look = {"border": BORDER, "font": ROW_FONTS[False]}
    row = HEADER_ROW
    for r in trace_rows(data).itertuples(index=False):
        ind = data.catalogue.indicator(r.indicator)
        row += 1
        set_text(ws, row, 1, r.unit_name, **look)
        set_text(ws, row, 2, r.indicator, **look)
        set_text(ws, row, 3, ind.name, **look)
        set_text(ws, row, 4, ind.unit, **look)
        set_number(ws, row, 5, r.value, VALUE_FORMAT, **look)
        set_text(ws, row, 6, "" if pd.isna(r.raw) else r.raw, **look)
        set_text(ws, row, 7, r.source_file, **look)
        set_text(ws, row, 8, r.sheet, **look)
        set_text(ws, row, 9, r.cell, **look)
        set_text(ws, row, 10, _status(r), **look)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(HEADERS))}{row}"
    print_a4_landscape(ws, f"{HEADER_ROW}:{HEADER_ROW}")


def _status(r) -> str:
    """How the cell was read (a dash read as 0, a number written as text …), an estimate, the unit's own note."""
    said = [r.note if isinstance(r.note, str) else "", "ước tính" if r.approx else ""]
    if isinstance(r.remark, str) and r.remark:
        said.append(f"đơn vị ghi chú: {r.remark}")
    return "; ".join(filter(None, said))
