"""`bang-so-lieu-QUARTER.xlsx`: the report's tables for analysts to paste or print.

One sheet per area; for every indicator the province row ("Toàn tỉnh") and, grouped under it (Excel outline, so
they fold away), each unit; this quarter, the previous quarter, the same quarter last year and the changes.
Vietnamese headers, number formats (Excel shows 7.000 and 12,5% in a Vietnamese locale), frozen header, column
widths, A4 landscape print setup. Every text cell is stored as text: a note beginning with "=" never becomes a
formula (OWASP: the leading character is neutralised and the cell type forced to string), and characters XML cannot
hold (a unit's note with "\x0b", what Excel stores as `_x000B_` for a line break pasted from Word) are replaced
(`xml_safe`), so one note never stops the export.
"""

from __future__ import annotations

import re
import weakref
from copy import copy
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.compare.comparability import REFUSED
from analysis.compare.report_data import ReportData
from analysis.core import labels
from analysis.core.outputs import atomic_path, neutralise_formula
from analysis.core.periods import Quarter
from analysis.core.succession import VIEWS
from analysis.ingest.numbers import EXCLUDED
from analysis.narrative.scope import scope_sentences
from analysis.views import area_views, house, manual_entries, revised
from analysis.views.wording import (
    change_of,
    change_text,
    coverage_note,
    last_year_label,
    like_for_like_of,
    like_for_like_text,
    previous_label,
)

FONT = house.FONT_TEXT
_THIN = Side(style="thin", color=house.BORDER)
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor=house.HEADER_FILL)
_PROVINCE_FILL = PatternFill("solid", fgColor=house.PROVINCE_FILL)
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
PERCENT_FORMAT = "0.0%"
POINTS_FORMAT = '+0.0" điểm phần trăm";-0.0" điểm phần trăm";0.0" điểm phần trăm"'
_ROW_FONTS = {True: Font(name=FONT, size=11, bold=True), False: Font(name=FONT, size=11)}  # province row: bold
_NOTE_FONT = Font(name=FONT, size=10, italic=True)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTRED = Alignment(horizontal="center")


# per workbook: (attribute, id of style object) pairs -> registered style, and the objects (kept alive: ids stay unique)
_STYLES: weakref.WeakKeyDictionary[Workbook, dict[tuple, tuple[StyleArray, tuple]]] = weakref.WeakKeyDictionary()


def _apply(cell: Cell, style: dict[str, Any]) -> None:
    """Give `cell` font, fill, border, alignment, number format: each combination is registered with the workbook
    once, then copied (openpyxl registers every assigned style object again, ~1 s for a report's tables)."""
    known = _STYLES.setdefault(cell.parent.parent, {})
    key = tuple(sorted((name, id(value)) for name, value in style.items()))
    if key not in known:
        for name, value in style.items():
            setattr(cell, name, value)
        known[key] = (copy(cell._style), tuple(style.values()))
    cell._style = copy(known[key][0])


_LINE_BREAKS_RE = re.compile("[\x0b\x0c\u2028\u2029]")  # vertical tab (Word's manual line break), form feed
_NOT_XML_RE = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # no XML 1.0 document may hold these


def xml_safe(text: object) -> str:
    """`text` as a string an Excel or Word file can hold: line-break control characters become a line break, every
    other character XML 1.0 forbids (control characters, lone surrogates) is dropped."""
    return _NOT_XML_RE.sub("", _LINE_BREAKS_RE.sub("\n", "" if text is None else str(text)))


def set_text(ws: Worksheet, row: int, col: int, text: object, **style: Any) -> None:
    """Write a text cell that can never turn into a formula nor hold a character the file format forbids."""
    cell = ws.cell(row=row, column=col, value=neutralise_formula(xml_safe(text)))
    cell.data_type = "s"
    _apply(cell, style)


def set_number(ws: Worksheet, row: int, col: int, value: float | None, number_format: str, **style: Any) -> None:
    cell = ws.cell(row=row, column=col, value=None if value is None or pd.isna(value) else float(value))
    _apply(cell, {"number_format": number_format, **style})


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
    widths = [9, 48, 11, 24, 13, 13, 22, 13, 22, 30]
    set_text(ws, 1, 1, lines[0], font=Font(name=FONT, bold=True, size=13))
    set_text(ws, 2, 1, lines[1], font=Font(name=FONT, italic=True, size=11))
    set_text(ws, 3, 1, lines[2], font=Font(name=FONT, italic=True, size=10))
    header_row = 4
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
        bold = Font(name=FONT, bold=True, size=11)
        set_text(ws, header_row, col, text, font=bold, fill=_HEADER_FILL, border=_BORDER, alignment=centred)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[header_row].height = 32
    row = header_row + 1
    for r, note in zip(rows.itertuples(index=False), notes, strict=True):
        ind = data.catalogue.indicator(r.indicator)
        is_province = r.is_province
        fmt = DECIMAL_FORMAT if ind.unit in ("%", "triệu đồng") else COUNT_FORMAT
        look = {"border": _BORDER, **({"fill": _PROVINCE_FILL} if is_province else {})}
        font = _ROW_FONTS[is_province]
        set_text(ws, row, 1, ind.code, font=font, **look)
        set_text(ws, row, 2, ind.name, font=font, alignment=_WRAP_TOP, **look)
        set_text(ws, row, 3, ind.unit, font=font, alignment=_CENTRED, **look)
        set_text(ws, row, 4, r.unit_name, font=font, **look)
        for col, value in ((5, r.value), (6, r.previous), (8, r.last_year)):
            set_number(ws, row, col, value, fmt, font=font, **look)
        if ind.unit == "%":  # a rate changes in percentage points, as in the HTML and Word tables
            set_number(ws, row, 7, r.change_previous, POINTS_FORMAT, font=font, **look)
            set_number(ws, row, 9, r.change_last_year, POINTS_FORMAT, font=font, **look)
        else:
            pct_previous = r.pct_previous / 100 if pd.notna(r.pct_previous) else None
            pct_last_year = r.pct_last_year / 100 if pd.notna(r.pct_last_year) else None
            set_number(ws, row, 7, pct_previous, PERCENT_FORMAT, font=font, **look)
            set_number(ws, row, 9, pct_last_year, PERCENT_FORMAT, font=font, **look)
        set_text(ws, row, 10, note, font=_NOTE_FONT, **look)
        if not is_province:
            ws.row_dimensions[row].outlineLevel = 1
        row += 1
    ws.freeze_panes = ws.cell(row=header_row + 1, column=5)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
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


def write_tables(data: ReportData, target: Path) -> Path:
    """Write the workbook atomically to `target`."""
    wb = Workbook()
    wb.remove(wb.active)
    for area in data.catalogue.areas:
        write_area_sheet(wb.create_sheet(area.sheet), data, area.code)
    if area_views.shown(data):
        views = set(data.area_comparison["view"])
        for view in (v for v in VIEWS if v in views):
            write_view_sheet(wb.create_sheet(labels.label("area_sheet", view)), data, view)
    wb.properties.title = f"Bảng số liệu {data.quarter.vn}"
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
