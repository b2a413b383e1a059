"""Cells of the report's workbook: text that can never become a formula, styles registered once, and figures shown
the Vietnamese way whatever the locale of the PC that opens the file.

Excel draws the separators of a number format ("#,##0.0") from the PC's regional settings, so the same file shows
7.048 and 12,5% on a Vietnamese PC and 7,048 and 12.5% on an English one, and the locale tag a format may carry
([$-42A]) changes month names, not separators. So:

* whole figures (counts: lượt, đơn, vụ việc …) are numbers, so sums and sorting work, under a format that spells its
  dots as literal characters (`COUNT_FORMAT`: 7.048 and 1.234.567 on every PC);
* figures with a decimal (rates, money in triệu đồng, changes in % or in points) cannot be shown with a decimal comma
  by any Excel format on an English PC: they are written as the report writes them ("12,5%", "305,6", "+7,8 điểm %")
  in right-aligned text cells. Their exact values are numbers in the trace sheet (`Nguồn số liệu`).
"""

from __future__ import annotations

import math
import re
import weakref
from copy import copy
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.worksheet import Worksheet

from analysis.core import vnformat
from analysis.core.outputs import neutralise_formula
from analysis.views import house

FONT = house.FONT_TEXT
THIN = Side(style="thin", color=house.BORDER)
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor=house.HEADER_FILL)
PROVINCE_FILL = PatternFill("solid", fgColor=house.PROVINCE_FILL)
ROW_FONTS = {True: Font(name=FONT, size=11, bold=True), False: Font(name=FONT, size=11)}  # province row: bold
NOTE_FONT = Font(name=FONT, size=10, italic=True)
HEADER_FONT = Font(name=FONT, bold=True, size=11)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTRED = Alignment(horizontal="center")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right")
HEADER = {"font": HEADER_FONT, "fill": HEADER_FILL, "border": BORDER, "alignment": HEADER_ALIGNMENT}  # header cells
# two conditions and a rest, the most a format may hold: 1.234.567, 7.048, 305 (and 0); literal dots, not the locale's
COUNT_FORMAT = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'
TEXT_FORMAT = "@"

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


def _set_figure_text(ws: Worksheet, row: int, col: int, text: str, **style: Any) -> None:
    """A figure the program formatted itself ("+12,5%"): text, right-aligned, without the apostrophe that keeps a
    unit's note beginning with "+" or "=" from ever becoming a formula (this text comes from no submission)."""
    cell = ws.cell(row=row, column=col, value=text)
    cell.data_type = "s"
    _apply(cell, {"alignment": RIGHT, **style})


def set_number(ws: Worksheet, row: int, col: int, value: float | None, number_format: str, **style: Any) -> None:
    cell = ws.cell(row=row, column=col, value=None if value is None or pd.isna(value) else float(value))
    _apply(cell, {"number_format": number_format, **style})


def _is_whole(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and float(value).is_integer()


def set_figure(ws: Worksheet, row: int, col: int, value: float | None, unit: str, **style: Any) -> None:
    """A figure of `unit` as the report shows it: a whole count as a number (`COUNT_FORMAT`), a rate or a decimal
    as right-aligned text ("75,3%", "305,6"); a missing figure stays empty."""
    if value is None or pd.isna(value):
        _apply(ws.cell(row=row, column=col, value=None), style)
    elif unit != "%" and _is_whole(value) and abs(value) < 1e15:
        cell = ws.cell(row=row, column=col, value=int(value))
        _apply(cell, {"number_format": COUNT_FORMAT, **style})
    else:
        _set_figure_text(ws, row, col, vnformat.figure(value, unit), **style)


def set_change(ws: Worksheet, row: int, col: int, value: float | None, in_points: bool, **style: Any) -> None:
    """A change as the report writes it: "+12,5%", "-3,0%", "+7,8 điểm %" (a rate's change in points)."""
    if value is None or pd.isna(value):
        _apply(ws.cell(row=row, column=col, value=None), style)
        return
    text = f"{vnformat.number(value, 1, sign=True)} điểm %" if in_points else vnformat.percent(value, sign=True)
    _set_figure_text(ws, row, col, text, **style)


def wrapped_height(text: str, width: float, points_per_line: float = 13.5) -> float | None:
    """The row height (points) that shows `text` wrapped in a column `width` characters wide; None: one line will do
    (openpyxl cannot measure text, and LibreOffice keeps a file's row heights as written)."""
    lines = sum(max(1, -(-len(part) // max(1, int(width * 1.3)))) for part in text.split("\n")) if text else 1
    return lines * points_per_line + 2 if lines > 1 else None


def print_a4_landscape(ws: Worksheet, title_rows: str) -> None:
    """A4 landscape, as wide as the page and as long as it takes, `title_rows` ("4:4") repeated on every page."""
    ws.print_title_rows = title_rows
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"
