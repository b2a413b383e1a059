"""`bang-so-lieu-QUARTER.xlsx`: the report's tables for analysts to paste or print.

Per area: the comparison sheet (for every indicator the province row, "Toàn tỉnh", and folded under it, Excel
outline, each unit: this quarter, the previous quarter, the same quarter last year and the changes), then beside it
the units × indicators tables of the quarter (`unit_tables`); last the trace sheet, every unit figure with its file,
sheet and cell (`trace`). Vietnamese headers, figures shown the Vietnamese way on any PC (`cells`), frozen header,
column widths, A4 landscape. Every text cell is stored as text: a note beginning with "=" never becomes a formula
(OWASP: the leading character is neutralised and the cell type forced to string), and characters XML cannot hold (a
unit's note with "\x0b", what Excel stores as `_x000B_` for a line break pasted from Word) are replaced
(`cells.xml_safe`), so one note never stops the export.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.compare.comparability import REFUSED
from analysis.compare.report_data import ReportData
from analysis.core import labels
from analysis.core.outputs import atomic_path
from analysis.core.periods import Quarter
from analysis.core.succession import VIEWS
from analysis.exports import unit_tables
from analysis.exports.cells import (
    BORDER,
    CENTRED,
    FONT,
    HEADER,
    NOTE_FONT,
    PROVINCE_FILL,
    ROW_FONTS,
    WRAP_TOP,
    print_a4_landscape,
    set_change,
    set_figure,
    set_text,
    wrapped_height,
)
from analysis.exports.trace import write_trace_sheet
from analysis.ingest.numbers import EXCLUDED
from analysis.narrative.scope import scope_sentences
from analysis.views import area_views, manual_entries, revised
from analysis.views.wording import (
    change_of,
    change_text,
    coverage_note,
    last_year_label,
    like_for_like_of,
    like_for_like_text,
    previous_label,
)


def area_rows(data: ReportData, area_code: str) -> pd.DataFrame:
    """Province then units for every indicator of an area: the rows of one sheet."""
    codes = [i.code for i in data.catalogue.indicators_in(area_code)]
    province = data.province_comparison.assign(
        unit_code="", unit_name=labels.label("province_row", "province"), is_province=True
    )
    units = data.unit_comparison.assign(is_province=False)
    order = {u.code: i for i, u in enumerate(data.registry.units)}
    remarks = data.values.loc[
        data.values["period"] == data.quarter.label,
        ["unit_code", "indicator", "remark", "approx", "status", "raw", "source_file", "sheet", "cell"],
    ].rename(columns={"approx": "estimated", "status": "value_status"}, errors="raise")
    both = pd.concat([province, units], ignore_index=True).merge(remarks, on=["unit_code", "indicator"], how="left")
    both = both[both["indicator"].isin(codes)].assign(
        remark=lambda d: d["remark"].fillna(""),
        value_status=lambda d: d["value_status"].fillna(""),
        estimated=lambda d: d["estimated"].fillna(False).astype(bool),
        _ind=lambda d: d["indicator"].map({c: i for i, c in enumerate(codes)}),
        _unit=lambda d: d["unit_code"].map(order).fillna(-1),
    )
    return both.sort_values(["_ind", "_unit"]).drop(columns=["_ind", "_unit"]).reset_index(drop=True)


def write_area_sheet(ws: Worksheet, data: ReportData, area_code: str) -> None:
    """One area's sheet: every indicator for the province and, folded under it, each unit."""
    area = data.catalogue.area(area_code)
    q = data.quarter
    title = f"{area.form}: {area.title.upper()} — {q.vn_title.upper()}"
    subtitle = f"{data.registry.province_name}; số liệu toàn tỉnh là tổng các đơn vị, tỷ lệ tính lại từ tổng."
    rows = area_rows(data, area_code)
    notes = [_row_note(data, r) for r in rows.itertuples(index=False)]
    _write_rows(ws, data, (title, subtitle, " ".join(scope_sentences(data))), "Đơn vị báo cáo", rows, notes)


def write_view_sheet(ws: Worksheet, data: ReportData, view: str) -> None:
    """One view of the crosswalk (former provinces, former districts, agencies): every indicator, each area."""
    q = data.quarter
    title = f"{labels.label('area_view', view).upper()} — {q.vn_title.upper()}"
    rows = data.area_comparison[data.area_comparison["view"] == view]
    order = {i.code: n for n, i in enumerate(data.catalogue.indicators)}
    rows = (
        rows.assign(unit_name=rows["area_name"], is_province=False, _i=rows["indicator"].map(order))
        .sort_values(["_i", "order"])
        .reset_index(drop=True)
    )
    notes = [
        "; ".join(filter(None, [*_status_notes(r), area_views.area_note(r._asdict(), q)]))
        for r in rows.itertuples(index=False)
    ]
    heading = labels.label("area_heading", view)
    _write_rows(ws, data, (title, data.registry.province_name, area_views.intro(data)), heading, rows, notes)


def _write_rows(
    ws: Worksheet, data: ReportData, lines: tuple[str, str, str], heading: str, rows: pd.DataFrame, notes: list[str]
) -> None:
    """A sheet of comparison rows (indicator, unit_name, is_province, value, bases, changes) under three lines of
    title, with `heading` over the units' (or areas') column and one note per row."""
    q = data.quarter
    headers = [
        "Mã",
        "Chỉ tiêu",
        "Đơn vị tính",
        heading,
        q.vn_title,
        q.previous().vn_title,
        f"{previous_label(q)} (%; tỷ lệ: điểm phần trăm)",
        q.same_quarter_last_year().vn_title,
        f"{last_year_label(q)} (%; tỷ lệ: điểm phần trăm)",
        "Ghi chú",
    ]
    widths = [9, 48, 11, 24, 13, 13, 18, 13, 18, 44]
    set_text(ws, 1, 1, lines[0], font=Font(name=FONT, bold=True, size=13))
    set_text(ws, 2, 1, lines[1], font=Font(name=FONT, italic=True, size=11))
    set_text(ws, 3, 1, lines[2], font=Font(name=FONT, italic=True, size=10))
    header_row = 4
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        set_text(ws, header_row, col, text, **HEADER)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[header_row].height = 32
    row = header_row + 1
    for r, note in zip(rows.itertuples(index=False), notes, strict=True):
        ind = data.catalogue.indicator(r.indicator)
        is_province = r.is_province
        look = {"border": BORDER, "font": ROW_FONTS[is_province], **({"fill": PROVINCE_FILL} if is_province else {})}
        set_text(ws, row, 1, ind.code, **look)
        set_text(ws, row, 2, ind.name, alignment=WRAP_TOP, **look)
        set_text(ws, row, 3, ind.unit, alignment=CENTRED, **look)
        set_text(ws, row, 4, r.unit_name, **look)
        for col, value in ((5, r.value), (6, r.previous), (8, r.last_year)):
            set_figure(ws, row, col, value, ind.unit, **look)
        rate = ind.unit == "%"  # a rate changes in percentage points, as in the HTML and Word tables
        set_change(ws, row, 7, r.change_previous if rate else r.pct_previous, rate, **look)
        set_change(ws, row, 9, r.change_last_year if rate else r.pct_last_year, rate, **look)
        set_text(ws, row, 10, note, alignment=WRAP_TOP, **{**look, "font": NOTE_FONT})
        ws.row_dimensions[row].height = wrapped_height(note, widths[9])
        if not is_province:  # the units' rows fold under the province's: the sheet opens and prints folded
            ws.row_dimensions[row].outlineLevel = 1
            ws.row_dimensions[row].hidden = True
        row += 1
    ws.freeze_panes = ws.cell(row=header_row + 1, column=5)
    print_a4_landscape(ws, f"{header_row}:{header_row}")
    ws.sheet_properties.outlinePr.summaryBelow = False
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{max(row - 1, header_row)}"


def _status_notes(r) -> list[str]:
    """What a row's change columns cannot show of its statuses: a new figure, a missing base, a refused comparison."""
    notes = []
    for status, label in ((r.status_previous, "quý trước"), (r.status_last_year, "cùng kỳ")):
        if status == "new":
            notes.append(f"mới phát sinh so với {label}")
        elif status == "no_base":
            notes.append(f"không có số liệu {label}")
    for status, base in ((r.status_previous, "previous"), (r.status_last_year, "last_year")):
        if status in REFUSED:
            notes.append(f"so với {_BASE_WORDS[base]}: " + change_text(change_of(r._asdict(), base, "")))
    return notes


def _row_note(data: ReportData, r) -> str:
    """A row's note: what the change columns cannot show, a published figure revised, a figure entered by hand."""
    unit, code = data.catalogue.indicator(r.indicator).unit, r.unit_code or None
    notes = [_note(r, data.quarter, unit), revised.revision_of(data, code, r.indicator, unit)]
    return "; ".join(filter(None, [*notes, manual_entries.row_note(data, code, r.indicator)]))


def _note(r, quarter: Quarter | None = None, unit: str = "") -> str:
    """What the change columns cannot show: a new figure, a missing base, units missing from a province figure;
    and the unit's own note."""
    notes = (["số liệu ước tính"] if r.estimated else []) + ([r.remark] if r.remark else [])
    if getattr(r, "value_status", "") == EXCLUDED:  # kept out at ingest (`ingest.checks.exclude`): say what and where
        notes.append(
            f"số liệu bị loại, không đưa vào tổng hợp: đơn vị ghi “{r.raw}” ({r.source_file}, ô {r.sheet}!{r.cell})"
        )
    notes += _status_notes(r)
    row = r._asdict()
    note = coverage_note(row, quarter) if quarter is not None else ""
    if note:
        notes.append(note.strip("()"))
    for base in ("previous", "last_year"):
        same = like_for_like_of(row, base, unit)
        if same is not None:
            notes.append(f"so với {_BASE_WORDS[base]}, {like_for_like_text(same, row.get(f'common_units_{base}'))}")
    return "; ".join(notes)


_BASE_WORDS = {"previous": "quý trước", "last_year": "cùng kỳ"}
TRACE_SHEET = "Nguồn số liệu"


def write_tables(data: ReportData, target: Path) -> Path:
    """Write the workbook atomically to `target`."""
    wb = Workbook()
    wb.remove(wb.active)
    for area in data.catalogue.areas:  # the comparison, then the units × indicators tables beside it
        write_area_sheet(wb.create_sheet(area.sheet), data, area.code)
        unit_tables.write_unit_sheets(wb, data, area.code)
    if area_views.shown(data):
        views = set(data.area_comparison["view"])
        for view in (v for v in VIEWS if v in views):
            write_view_sheet(wb.create_sheet(labels.label("area_sheet", view)), data, view)
    write_trace_sheet(wb.create_sheet(TRACE_SHEET), data)
    wb.properties.title = f"Bảng số liệu {data.quarter.vn}"
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
