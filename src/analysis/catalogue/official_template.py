"""The submission template in the circulars' own printed layout (`template --layout official`): each form of the
quarter's version that has numbered columns modelled (01/TCD, 01/XLD …) as the circular prints it — multi-row
merged headers from each column's heading path, the numbering row 1…n, a row per unit and the "Tổng cộng" row —
and the other forms, and the province's own additions to an official form, as the one-column sheets.

`write_official_sheet` is also what writes a consolidated file (a row per unit, figures filled in) for the demo.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.catalogue import template as one_column
from analysis.catalogue.model import Catalogue
from analysis.catalogue.versions import VersionForm

HEADER_ROW = 10  # first header row, below the title block of `template.write_title_block`
FIRST_NUMBERED_COL = 3  # A: STT, B: Đơn vị, then the numbered columns
LABEL_COL_WIDTH = 30
NUMBER_COL_WIDTH = 11
TOTAL_LABEL = "Tổng cộng"
NOTE_LINE = "Ghi chú: số liệu ghi theo số thứ tự cột của biểu; dòng Tổng cộng bằng tổng các dòng đơn vị"


@dataclass(frozen=True)
class FormRow:
    """One row of an official table: the unit's name and its figures by concept (absent or None: left blank)."""

    label: str
    figures: Mapping[str, float | None]


def _paths(form: VersionForm) -> dict[int, tuple[str, ...]]:
    """Printed number -> heading levels; a number no concept is modelled at is headed by its number only."""
    paths: dict[int, tuple[str, ...]] = {}
    for column in form.columns:
        for n in column.numbers:
            paths[n] = column.levels
    return {n: paths.get(n, (f"Cột {n}",)) for n in range(1, form.width + 1)}


def _write_header(ws: Worksheet, form: VersionForm) -> int:
    """The header band (merged as printed) and the numbering row; returns the numbering row."""
    paths = _paths(form)
    depth = max(len(p) for p in paths.values())
    numbering = HEADER_ROW + depth
    last_header = numbering - 1
    for col, text in ((1, "STT"), (2, "Tên đơn vị")):
        ws.cell(row=HEADER_ROW, column=col, value=text)
        if depth > 1:
            ws.merge_cells(start_row=HEADER_ROW, start_column=col, end_row=last_header, end_column=col)
    numbers = sorted(paths)
    for level in range(depth):
        n = 0
        while n < len(numbers):
            prefix = paths[numbers[n]][: level + 1]
            end = n
            while end + 1 < len(numbers) and paths[numbers[end + 1]][: level + 1] == prefix:
                end += 1
            if len(paths[numbers[n]]) > level:
                group = [paths[numbers[i]] for i in range(n, end + 1)]
                row = HEADER_ROW + level
                first, last = FIRST_NUMBERED_COL + n, FIRST_NUMBERED_COL + end
                ws.cell(row=row, column=first, value=prefix[-1])
                bottom = last_header if all(len(p) == level + 1 for p in group) else row
                if last > first or bottom > row:
                    ws.merge_cells(start_row=row, start_column=first, end_row=bottom, end_column=last)
            n = end + 1
    ws.cell(row=numbering, column=1, value="A")
    ws.cell(row=numbering, column=2, value="B")
    for i, number in enumerate(numbers):
        ws.cell(row=numbering, column=FIRST_NUMBERED_COL + i, value=number)
    for row in range(HEADER_ROW, numbering + 1):
        for col in range(1, FIRST_NUMBERED_COL + len(numbers)):
            cell = ws.cell(row=row, column=col)
            cell.border = one_column.BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.font = one_column.cell_font(10, bold=row < numbering, italic=row == numbering)
            if row < numbering:
                cell.fill = one_column.HEADER_FILL
    return numbering


def write_official_sheet(
    ws: Worksheet,
    form: VersionForm,
    context: one_column.TemplateContext,
    rows: Sequence[FormRow],
    total: Mapping[str, float | None] | None = None,
    integer: frozenset[str] = frozenset(),
    signed: str = "",
) -> None:
    """`form` as the circular prints it, for `context`'s unit and quarter, with `rows`; the total row holds
    `total`'s figures when given, else a SUM formula of the unit rows per column (Excel calculates it). `signed`:
    the place-and-date line above the signatures ("Minh Sơn, ngày 20 tháng 9 năm 2021"), else left to fill."""
    one_column.write_title_block(ws, context, form.code, form.title)
    numbering = _write_header(ws, form)
    width = form.width
    number_col = {n: FIRST_NUMBERED_COL + i for i, n in enumerate(range(1, width + 1))}
    concept_col = {c.concept: number_col[c.numbers[0]] for c in form.columns if len(c.numbers) == 1}
    first = numbering + 1
    for i, unit_row in enumerate(rows):
        r = first + i
        ws.cell(row=r, column=1, value=i + 1)
        ws.cell(row=r, column=2, value=unit_row.label)
        for concept, value in unit_row.figures.items():
            if concept in concept_col and value is not None:
                ws.cell(row=r, column=concept_col[concept], value=value)
        for col in number_col.values():
            cell = ws.cell(row=r, column=col)
            cell.protection = Protection(locked=False)
            cell.fill = one_column.INPUT_FILL
    total_row = first + len(rows)
    ws.cell(row=total_row, column=2, value=TOTAL_LABEL).font = one_column.cell_font(11, bold=True)
    for number, col in number_col.items():
        concept = next((c.concept for c in form.columns if c.numbers == (number,)), None)
        if total is not None:
            value = total.get(concept) if concept else None
        elif rows:
            letter = get_column_letter(col)
            value = f"=SUM({letter}{first}:{letter}{total_row - 1})"
        else:
            value = None
        ws.cell(row=total_row, column=col, value=value).font = one_column.cell_font(11, bold=True)
    for r in range(first, total_row + 1):
        for col in range(1, FIRST_NUMBERED_COL + width):
            cell = ws.cell(row=r, column=col)
            cell.border = one_column.BORDER
            if col >= FIRST_NUMBERED_COL:
                number = col - FIRST_NUMBERED_COL + 1
                whole = any(number in c.numbers and c.concept in integer for c in form.columns)
                cell.number_format = "#,##0" if whole else "#,##0.0"
    ws.cell(
        row=total_row + 2,
        column=1,
        value="Ghi chú: số liệu ghi theo số thứ tự cột của biểu; cột tổng cộng bằng tổng các dòng",
    )
    one_column.write_signature(ws, total_row + 4)
    if signed:
        ws.cell(row=total_row + 4, column=4, value=signed)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = LABEL_COL_WIDTH
    for col in number_col.values():
        ws.column_dimensions[get_column_letter(col)].width = NUMBER_COL_WIDTH
    ws.freeze_panes = ws.cell(row=first, column=FIRST_NUMBERED_COL)
    ws.print_title_rows = f"{HEADER_ROW}:{numbering}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def build_official_template(catalogue: Catalogue, context: one_column.TemplateContext) -> Workbook:
    """The template of `context`'s unit and quarter with every form that has an official layout printed as the
    circular prints it (one row for the unit), the other forms and the province's own additions one-column."""
    forms = catalogue.for_quarter(context.quarter) if catalogue.whole is None else catalogue
    version = forms.version_of(context.quarter)
    official = {
        area.code: form
        for area in forms.areas
        if (form := version.form(area.code) if version else None) is not None and form.printed
    }
    owed = context.areas if context.areas is not None else tuple(a.code for a in forms.areas)
    wb = one_column.build_template(forms, replace(context, areas=tuple(a for a in owed if a not in official)))
    integer = forms.integer_codes()
    for area in forms.areas:
        if area.code not in official or area.code not in owed:
            continue
        form = official[area.code]
        ws = wb.create_sheet(area.sheet)
        write_official_sheet(ws, form, context, [FormRow(context.unit.name, {})], integer=integer)
        if form.own:  # the province's additions beside the official columns: one-column rows
            extra = wb.create_sheet(f"{area.sheet} (bổ sung)"[:31])
            one_column.write_area_sheet(extra, forms, area, context, only=frozenset(form.own))
    order = [one_column.INFO_SHEET] + [
        name for area in forms.areas for name in (area.sheet, f"{area.sheet} (bổ sung)"[:31]) if name in wb.sheetnames
    ]
    for i, name in enumerate(order):
        wb.move_sheet(name, i - wb.sheetnames.index(name))
    return wb


def write_official_template(
    catalogue: Catalogue, context: one_column.TemplateContext, out: str | Path, today: date | None = None
) -> Path:
    """Write the official-layout template to `out` atomically (a quarter far from `today` refused first)."""
    from analysis.core.outputs import atomic_path

    one_column.check_quarter(context.quarter, today)
    out = Path(out)
    with atomic_path(out) as tmp:
        build_official_template(catalogue, context).save(tmp)
    return out
