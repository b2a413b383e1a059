"""An area's figures of the quarter as units × indicators tables, ready to paste into the Word report or to print.

Rows: the province's total ("Toàn tỉnh": units summed, rates computed again from the sums), then the units in the
groups the pages use (by type of unit; today's communes by former district where the crosswalk is known), each group
under its heading and numbered from 1. Columns: the area's indicators in catalogue order, at most `MAX_COLUMNS` to a
table so that a table prints on A4 landscape with its names readable; an area with more indicators gets several
sheets ("01-TCD đơn vị (2)"), each with its header repeated on every printed page.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.catalogue.model import Indicator
from analysis.compare.report_data import ReportData
from analysis.compare.unit_groups import by_former_district, headed
from analysis.core import labels
from analysis.core.runs import even_runs
from analysis.exports.cells import (
    BORDER,
    CENTRED,
    FONT,
    HEADER,
    PROVINCE_FILL,
    ROW_FONTS,
    print_a4_landscape,
    set_figure,
    set_text,
)

MAX_COLUMNS = 10
HEADER_ROW = 4  # the indicators' names; their codes in the row below
_GROUP_FONT = Font(name=FONT, size=11, bold=True, italic=True)
_CODE_FONT = Font(name=FONT, size=9, italic=True)


def column_chunks(indicators: list[Indicator], most: int = MAX_COLUMNS) -> list[list[Indicator]]:
    """The indicators in runs of at most `most`, as even as can be (29 → 10, 10, 9; 12 → 6, 6)."""
    return [list(run) for run in even_runs(indicators, most)]


def sheet_name(area_sheet: str, part: int, parts: int) -> str:
    """ "01-TCD đơn vị", and "01-TCD đơn vị (2)" for the second of several."""
    return f"{area_sheet} đơn vị" + (f" ({part})" if parts > 1 else "")


def unit_rows(data: ReportData) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group heading, [(unit code, unit name)]) of the units with figures this quarter, in the pages' groups."""
    names = dict(zip(data.unit_comparison["unit_code"], data.unit_comparison["unit_name"], strict=False))
    groups = by_former_district(data.registry, names, data.succession)
    return [(heading, [(code, names[code]) for code in g.codes]) for heading, g in headed(groups)]


def write_unit_sheets(wb: Workbook, data: ReportData, area_code: str) -> list[str]:
    """The area's units × indicators sheets, added to `wb`; their names."""
    area = data.catalogue.area(area_code)
    chunks = column_chunks(list(data.catalogue.indicators_in(area_code)))
    quarter = data.unit_comparison
    codes = {i.code for chunk in chunks for i in chunk}
    figures = quarter[quarter["indicator"].isin(codes)].set_index(["unit_code", "indicator"])["value"]
    province = data.province_comparison.set_index("indicator")["value"]
    groups = unit_rows(data)
    names = []
    for part, chunk in enumerate(chunks, start=1):
        name = sheet_name(area.sheet, part, len(chunks))
        ws = wb.create_sheet(name)
        title = f"{area.form}: {area.title.upper()} THEO ĐƠN VỊ — {data.quarter.vn_title.upper()}"
        if len(chunks) > 1:
            title += f" (bảng {part}/{len(chunks)})"
        _write(ws, data, title, chunk, figures, province, groups)
        names.append(name)
    return names


def _write(
    ws: Worksheet,
    data: ReportData,
    title: str,
    indicators: list[Indicator],
    figures: pd.Series,
    province: pd.Series,
    groups: list[tuple[str, list[tuple[str, str]]]],
) -> None:
    last_col = 2 + len(indicators)
    set_text(ws, 1, 1, title, font=Font(name=FONT, bold=True, size=13))
    set_text(
        ws,
        2,
        1,
        f"{data.registry.province_name}; số liệu toàn tỉnh là tổng các đơn vị, tỷ lệ tính lại từ tổng.",
        font=Font(name=FONT, italic=True, size=11),
    )
    set_text(ws, HEADER_ROW, 1, "STT", **HEADER)
    set_text(ws, HEADER_ROW, 2, "Đơn vị", **HEADER)
    ws.merge_cells(start_row=HEADER_ROW, start_column=1, end_row=HEADER_ROW + 1, end_column=1)
    ws.merge_cells(start_row=HEADER_ROW, start_column=2, end_row=HEADER_ROW + 1, end_column=2)
    for col, ind in enumerate(indicators, start=3):
        set_text(ws, HEADER_ROW, col, f"{ind.short_name} ({ind.unit})", **HEADER)
        set_text(ws, HEADER_ROW + 1, col, ind.code, **{**HEADER, "font": _CODE_FONT})
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 30
    ws.row_dimensions[HEADER_ROW].height = 62
    row = HEADER_ROW + 2
    total = {"border": BORDER, "font": ROW_FONTS[True], "fill": PROVINCE_FILL}
    set_text(ws, row, 1, "", **total)
    set_text(ws, row, 2, labels.label("province_row", "province"), **total)
    for col, ind in enumerate(indicators, start=3):
        set_figure(ws, row, col, province.get(ind.code), ind.unit, **total)
    plain = {"border": BORDER, "font": ROW_FONTS[False]}
    for heading, units in groups:
        row += 1
        set_text(ws, row, 1, heading, font=_GROUP_FONT, border=BORDER)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
        for n, (code, unit_name) in enumerate(units, start=1):
            row += 1
            set_text(ws, row, 1, n, alignment=CENTRED, **plain)
            set_text(ws, row, 2, unit_name, **plain)
            for col, ind in enumerate(indicators, start=3):
                set_figure(ws, row, col, figures.get((code, ind.code)), ind.unit, **plain)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 2, column=3)
    print_a4_landscape(ws, f"{HEADER_ROW}:{HEADER_ROW + 1}")
