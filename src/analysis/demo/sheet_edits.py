"""What units do to the template's sheets: rows inserted, deleted, swapped; headers shifted; sheets renamed, moved,
hidden, added; cells merged; text and formulas typed into value cells; unit and period lines rewritten.

Each `edit_*` returns an edit, run on the filled workbook when the filing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from analysis.catalogue.model import Catalogue
from analysis.catalogue.template import COLUMNS, FIRST_DATA_ROW, LIST_HEADER_ROW
from analysis.demo.figures import Consistent
from analysis.demo.workbook import Filing

Edit = Callable[[Workbook, Filing], None]
_TITLE_WITHOUT_PERIOD = "BÁO CÁO CÔNG TÁC NỘI CHÍNH, PHÒNG, CHỐNG THAM NHŨNG VÀ DÂN VẬN"


def row_of(catalogue: Catalogue, code: str) -> tuple[str, int]:
    """Sheet and row of an indicator in the template."""
    ind = catalogue.indicator(code)
    position = [i.code for i in catalogue.indicators_in(ind.area)].index(code)
    return catalogue.area(ind.area).sheet, FIRST_DATA_ROW + position


def shift_rows(ws: Worksheet, idx: int, amount: int) -> None:
    """insert_rows/delete_rows that also move merged ranges (openpyxl leaves them behind)."""
    moved = [r for r in ws.merged_cells.ranges if r.min_row >= idx]
    for rng in moved:
        ws.unmerge_cells(str(rng))
    if amount > 0:
        ws.insert_rows(idx, amount)
    else:
        ws.delete_rows(idx, -amount)
    for rng in moved:
        rng.shift(0, amount)
        ws.merge_cells(str(rng))
    ws.protection.sheet = False  # people who edit the layout have unprotected the sheet


def edit_insert_rows(catalogue: Catalogue, after_code: str, rows: int, label: str) -> Edit:
    """`rows` empty rows after an indicator's row, the first labelled `label`."""

    def edit(wb: Workbook, filing: Filing) -> None:
        sheet, row = row_of(catalogue, after_code)
        ws = wb[sheet]
        shift_rows(ws, row + 1, rows)
        for offset in range(rows):
            ws.cell(row=row + 1 + offset, column=COLUMNS["name"], value="" if offset else label)

    return edit


def edit_delete_row(catalogue: Catalogue, code: str) -> Edit:
    def edit(wb: Workbook, filing: Filing) -> None:
        sheet, row = row_of(catalogue, code)
        shift_rows(wb[sheet], row, -1)
        filing.values.pop(code, None)

    return edit


def edit_swap_rows(catalogue: Catalogue, code_a: str, code_b: str) -> Edit:
    def edit(wb: Workbook, filing: Filing) -> None:
        sheet, row_a = row_of(catalogue, code_a)
        _, row_b = row_of(catalogue, code_b)
        ws = wb[sheet]
        for col in COLUMNS.values():
            a, b = ws.cell(row=row_a, column=col), ws.cell(row=row_b, column=col)
            a.value, b.value = b.value, a.value

    return edit


def edit_shift_header(rows: int, lines: list[str]) -> Edit:
    """Every area sheet moved down `rows` rows, `lines` typed into the top of column A."""

    def edit(wb: Workbook, filing: Filing) -> None:
        for ws in wb.worksheets[1:]:
            shift_rows(ws, 1, rows)
            for row, line in enumerate(lines, start=1):
                ws.cell(row=row, column=1, value=line)

    return edit


def edit_sheets(
    catalogue: Catalogue, rename: dict[str, str], first: str | None, hide: list[str], add: dict[str, dict[str, Any]]
) -> Edit:
    """Rename areas' sheets, move one before the others, hide some; add sheets with the given cells."""

    def edit(wb: Workbook, filing: Filing) -> None:
        sheets = {code: wb[catalogue.area(code).sheet] for code in [*rename, *([first] if first else []), *hide]}
        for code, title in rename.items():
            sheets[code].title = title
        if first:
            wb.move_sheet(sheets[first], offset=1 - wb.index(sheets[first]))
        for code in hide:
            sheets[code].sheet_state = "hidden"
        for title, cells in add.items():
            extra = wb.create_sheet(title)
            for ref, value in cells.items():
                extra[ref] = value

    return edit


def edit_merge_across(catalogue: Catalogue, code: str) -> Edit:
    """An indicator's value cell merged with its note cell."""

    def edit(wb: Workbook, filing: Filing) -> None:
        sheet, row = row_of(catalogue, code)
        wb[sheet].merge_cells(start_row=row, start_column=COLUMNS["value"], end_row=row, end_column=COLUMNS["note"])

    return edit


def edit_merge_down(catalogue: Catalogue, code: str) -> Edit:
    """An indicator's value cell merged with the (cleared) value cell below it."""

    def edit(wb: Workbook, filing: Filing) -> None:
        sheet, row = row_of(catalogue, code)
        ws = wb[sheet]
        ws.cell(row=row + 1, column=COLUMNS["value"]).value = None
        ws.merge_cells(start_row=row, start_column=COLUMNS["value"], end_row=row + 1, end_column=COLUMNS["value"])

    return edit


def edit_cells(catalogue: Catalogue, typed: dict[str, object]) -> Edit:
    """Type text (or anything) into the value cells of the given indicators."""

    def edit(wb: Workbook, filing: Filing) -> None:
        for code, value in typed.items():
            sheet, row = row_of(catalogue, code)
            wb[sheet].cell(row=row, column=COLUMNS["value"]).value = value

    return edit


def edit_formulas(catalogue: Catalogue, totals: list[str], cached: bool) -> Edit:
    """Replace totals by SUM formulas of their parts (with Excel's cached result, or never calculated)."""

    def edit(wb: Workbook, filing: Filing) -> None:
        fixer = Consistent(catalogue)
        for code in totals:
            sheet, row = row_of(catalogue, code)
            refs = ",".join(f"E{row_of(catalogue, p)[1]}" for p in fixer.defining[code])
            cell = wb[sheet].cell(row=row, column=COLUMNS["value"])
            cell.value = f"=SUM({refs})"
            if cached:
                filing.formulas[(sheet, cell.coordinate)] = filing.values[code]

    return edit


def fill_list(sheet: str, items: list[list[str]]) -> Edit:
    """Type `items` (each the fields' texts in printed order) into the rows of a list form's sheet."""

    def edit(wb: Workbook, filing: Filing) -> None:
        ws = wb[sheet]
        for i, item in enumerate(items):
            row = LIST_HEADER_ROW + 1 + i
            ws.cell(row=row, column=1, value=i + 1)
            for col, text in enumerate(item, 2):
                ws.cell(row=row, column=col, value=text)

    return edit


def edit_title_block(cells: dict[str, str]) -> Edit:
    """Type `cells` (reference → text) into the title block of every area sheet."""

    def edit(wb: Workbook, filing: Filing) -> None:
        for ws in wb.worksheets[1:]:
            for ref, text in cells.items():
                ws[ref] = text

    return edit


def edit_header_lines(unit_line: str | None = None, period_line: str | None = None) -> Edit:
    """Rewrite the unit and period lines of every sheet the way a unit typed them."""

    def edit(wb: Workbook, filing: Filing) -> None:
        for ws in wb.worksheets:
            for row in ws.iter_rows(min_row=1, max_row=12):
                for cell in row:
                    if isinstance(cell.value, str):
                        text = _header_line(cell.value, filing, unit_line, period_line)
                        if text != cell.value:
                            cell.value = text

    return edit


def _header_line(text: str, filing: Filing, unit_line: str | None, period_line: str | None) -> str:
    if unit_line and (text.startswith("Đơn vị báo cáo") or text == filing.unit.name.upper()):
        text = unit_line if text.startswith("Đơn vị") else unit_line.upper()
    if unit_line and text == filing.unit.name:
        text = unit_line
    if period_line and (text.startswith("Kỳ báo cáo") or text == filing.quarter.vn_title):
        text = period_line
    if period_line and text.startswith("BÁO CÁO CÔNG TÁC"):
        text = _TITLE_WITHOUT_PERIOD
    return text
