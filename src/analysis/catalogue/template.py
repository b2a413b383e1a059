"""The submission template the province sends each reporting unit, generated from the catalogue.

One sheet per area laid out like a Vietnamese reporting form: title block, form number, unit and period lines
("Số liệu tính từ ngày … đến ngày …"), merged two-row header, hierarchical numbering, unit of measure, one input
column, a signature block. Input cells are unlocked and validated (numbers >= 0); everything else is protected.
The layout (which sheet and cell holds each indicator) is exposed so the catalogue listing can name it; ingest never
relies on it — it finds rows by code or label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analysis.catalogue.lists import ListForm, load_lists
from analysis.catalogue.model import Area, Catalogue, Indicator
from analysis.core.periods import CutoffRule, Quarter, period_dates
from analysis.core.units import Unit

INFO_SHEET = "Thông tin chung"
HEADER_ROW = 10  # first of the two merged header rows
NUMBERING_ROW = 12  # "(A) (B) (C) …" column numbering row
FIRST_DATA_ROW = 13
COLUMNS = {"number": 1, "code": 2, "name": 3, "unit": 4, "value": 5, "note": 6}
COLUMN_WIDTHS = {"number": 7, "code": 9, "name": 62, "unit": 13, "value": 16, "note": 28}
HEADER_LABELS = {
    "number": "STT",
    "code": "Mã số",
    "name": "Chỉ tiêu",
    "unit": "Đơn vị tính",
    "value": "Số liệu",
    "note": "Ghi chú",
}
NUMBERING_LABELS = {"number": "A", "code": "B", "name": "C", "unit": "D", "value": "1", "note": "E"}
DATE_LINE_PLACEHOLDER = "……, ngày …… tháng …… năm ……"

FONT_NAME = "Times New Roman"
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_DERIVED_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def cell_font(size: int = 12, bold: bool = False, italic: bool = False, underline: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, underline="single" if underline else None)


@dataclass(frozen=True)
class TemplateContext:
    """What the template prints besides the catalogue: who reports, for which quarter, to whom."""

    province_name: str
    unit: Unit
    quarter: Quarter
    cutoff: CutoffRule
    areas: tuple[str, ...] | None = None  # the areas the unit owes (`catalogue.assignment`); None: every area

    @property
    def date_range_line(self) -> str:
        start, end = period_dates(self.quarter, self.cutoff)
        return f"(Số liệu tính từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y})"


def value_cell(indicator_index: int) -> str:
    """Address of the input cell of the n-th (0-based) indicator row of a sheet."""
    return f"{get_column_letter(COLUMNS['value'])}{FIRST_DATA_ROW + indicator_index}"


def template_layout(catalogue: Catalogue) -> pd.DataFrame:
    """Sheet and cell of every indicator's row in the template (ratios included: they are formulas)."""
    rows = [
        {"indicator": ind.code, "sheet": area.sheet, "cell": value_cell(i), "row": FIRST_DATA_ROW + i}
        for area in catalogue.areas
        for i, ind in enumerate(catalogue.indicators_in(area.code))
    ]
    return pd.DataFrame(rows, columns=["indicator", "sheet", "cell", "row"])


def build_template(catalogue: Catalogue, context: TemplateContext) -> Workbook:
    """The whole template workbook for one unit and quarter, on the forms of that quarter's version (or of the one
    version `catalogue` already is)."""
    if catalogue.whole is None:
        catalogue = catalogue.for_quarter(context.quarter)
    wb = Workbook()
    _write_info_sheet(wb.active, catalogue, context)
    for area in catalogue.areas:
        if context.areas is None or area.code in context.areas:
            write_area_sheet(wb.create_sheet(area.sheet), catalogue, area, context)
    version = catalogue.version_of(context.quarter)
    for form in load_lists().for_version(version.code) if version else ():
        if context.areas is None or form.area in context.areas:
            write_list_sheet(wb.create_sheet(form.sheet), form, context)
    wb.properties.creator = context.province_name
    wb.properties.title = f"Báo cáo {context.quarter.vn} - {context.unit.name}"
    return wb


QUARTERS_AHEAD = 4  # a template may be made up to a year ahead (to send out before the quarter starts)
YEARS_BACK = 20  # and for a quarter up to twenty years back (a late or corrected submission of an old quarter)


class QuarterOutOfRange(ValueError):
    """A template asked for a quarter too far from today (message in Vietnamese)."""


def check_quarter(quarter: Quarter, today: date | None = None) -> Quarter:
    """`quarter` when it is a plausible quarter to report on today; QuarterOutOfRange otherwise (2099Q1, 1900Q1 are
    typing slips, never a real reporting period)."""
    today = today or date.today()
    now = Quarter(today.year, (today.month - 1) // 3 + 1)
    first, last = Quarter(now.year - YEARS_BACK, 1), now + QUARTERS_AHEAD
    if not first.index <= quarter.index <= last.index:
        raise QuarterOutOfRange(
            f"Không lập mẫu cho {quarter.vn_title}: kỳ báo cáo quá xa so với hôm nay ({today:%d/%m/%Y}). "
            f"Chỉ lập mẫu cho các quý từ {first.vn_title} đến {last.vn_title}; hãy kiểm tra lại năm và quý"
        )
    return quarter


def write_template(catalogue: Catalogue, context: TemplateContext, out: str | Path, today: date | None = None) -> Path:
    """Write the template to `out` atomically and return the path; a quarter far from `today` is refused
    (`check_quarter`) before anything is written."""
    from analysis.core.outputs import atomic_path

    check_quarter(context.quarter, today)
    out = Path(out)
    with atomic_path(out) as tmp:
        build_template(catalogue, context).save(tmp)
    return out


def write_title_block(ws: Worksheet, context: TemplateContext, form: str, title: str) -> None:
    last = get_column_letter(COLUMNS["note"])
    ws.merge_cells("A1:C1")
    ws["A1"] = f"UBND {context.province_name.upper()}"
    ws.merge_cells(f"D1:{last}1")
    ws["D1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    ws.merge_cells("A2:C2")
    ws["A2"] = context.unit.name.upper()
    ws.merge_cells(f"D2:{last}2")
    ws["D2"] = "Độc lập - Tự do - Hạnh phúc"
    for ref in ("A1", "A2", "D1", "D2"):
        ws[ref].font = cell_font(12, bold=ref != "A1", underline=ref == "D2")
        ws[ref].alignment = Alignment(horizontal="center", vertical="center")
    lines = [
        (4, form, cell_font(12, bold=True), "right"),
        (5, title.upper(), cell_font(14, bold=True), "center"),
        (6, f"Kỳ báo cáo: {context.quarter.vn_title}", cell_font(12, bold=True), "center"),
        (7, context.date_range_line, cell_font(12, italic=True), "center"),
        (8, f"Đơn vị báo cáo: {context.unit.name}", cell_font(12), "center"),
    ]
    for row, text, line_font, align in lines:
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = line_font
        cell.alignment = Alignment(horizontal=align, vertical="center")


def _write_header(ws: Worksheet, context: TemplateContext) -> None:
    for key, col in COLUMNS.items():
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = COLUMN_WIDTHS[key]
        if key == "value":
            top = ws.cell(row=HEADER_ROW, column=col, value=HEADER_LABELS[key])
            ws.cell(row=HEADER_ROW + 1, column=col, value=context.quarter.vn_title)
        else:
            ws.merge_cells(f"{letter}{HEADER_ROW}:{letter}{HEADER_ROW + 1}")
            top = ws.cell(row=HEADER_ROW, column=col, value=HEADER_LABELS[key])
        ws.cell(row=NUMBERING_ROW, column=col, value=f"({NUMBERING_LABELS[key]})")
        for row in (HEADER_ROW, HEADER_ROW + 1, NUMBERING_ROW):
            cell = ws.cell(row=row, column=col)
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.font = cell_font(11, bold=row != NUMBERING_ROW, italic=row == NUMBERING_ROW)
            if row != NUMBERING_ROW:
                cell.fill = HEADER_FILL
        top.font = cell_font(12, bold=True)


def _ratio_formula(catalogue: Catalogue, ind: Indicator, rows: dict[str, int]) -> str:
    value_col = get_column_letter(COLUMNS["value"])
    num = f"{value_col}{rows[ind.numerator]}"
    den = f"{value_col}{rows[ind.denominator]}"
    scale = f"*{ind.scale:g}" if ind.scale != 1 else ""
    return f'=IF(N({den})>0,ROUND({num}/{den}{scale},1),"")'


def write_area_sheet(
    ws: Worksheet, catalogue: Catalogue, area: Area, context: TemplateContext, only: frozenset[str] | None = None
) -> None:
    """One area's one-column sheet (only the indicators `only` names, when given)."""
    write_title_block(ws, context, area.form, area.title)
    _write_header(ws, context)
    indicators = [i for i in catalogue.indicators_in(area.code) if only is None or i.code in only]
    rows = {ind.code: FIRST_DATA_ROW + i for i, ind in enumerate(indicators)}
    integer_dv = _validation(whole=True)
    decimal_dv = _validation(whole=False)
    ws.add_data_validation(integer_dv)
    ws.add_data_validation(decimal_dv)
    for ind in indicators:
        row = rows[ind.code]
        level = _level(ind.number)
        cells = {
            "number": ind.number,
            "code": ind.code,
            "name": ind.name,
            "unit": ind.unit,
            "value": _ratio_formula(catalogue, ind, rows) if not ind.is_input else None,
            "note": None,
        }
        for key, col in COLUMNS.items():
            cell = ws.cell(row=row, column=col, value=cells[key])
            cell.border = BORDER
            cell.font = cell_font(12, bold=level == 0 and key in ("number", "name"), italic=level >= 2)
            horizontal = "left" if key in ("name", "note") else "center"
            indent = level if key == "name" else 0
            cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True, indent=indent)
        value = ws.cell(row=row, column=COLUMNS["value"])
        note = ws.cell(row=row, column=COLUMNS["note"])
        note.protection = Protection(locked=False)
        if ind.is_input:
            value.protection = Protection(locked=False)
            value.fill = INPUT_FILL
            value.number_format = "#,##0" if catalogue.is_integer(ind.code) else "#,##0.0"
            (integer_dv if catalogue.is_integer(ind.code) else decimal_dv).add(value.coordinate)
        else:
            value.fill = _DERIVED_FILL
            value.number_format = "0.0"
    write_signature(ws, FIRST_DATA_ROW + len(indicators) + 1)
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=COLUMNS["value"])
    ws.print_title_rows = f"{HEADER_ROW}:{NUMBERING_ROW}"
    _a4_one_page_wide(ws)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


LIST_HEADER_ROW = 10  # the header row of a list form's sheet; its items from the row below
LIST_BLANK_ROWS = 15  # item rows a list form's sheet offers (more may be inserted)


def write_list_sheet(ws: Worksheet, form: ListForm, context: TemplateContext) -> None:
    """A list form (02/PCTN …): title block, a header row "STT" and the fields' names, blank rows to fill in."""
    write_title_block(ws, context, f"Biểu số {form.code}", form.title)
    headers = ["STT", *(f.name for f in form.fields)]
    for col, text in enumerate(headers, 1):
        cell = ws.cell(row=LIST_HEADER_ROW, column=col, value=text)
        cell.font, cell.fill, cell.border = cell_font(11, bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = 6 if col == 1 else 28
        for row in range(LIST_HEADER_ROW + 1, LIST_HEADER_ROW + 1 + LIST_BLANK_ROWS):
            blank = ws.cell(row=row, column=col)
            blank.border, blank.protection = BORDER, Protection(locked=False)
            blank.alignment = Alignment(vertical="top", wrap_text=True)
    write_signature(ws, LIST_HEADER_ROW + LIST_BLANK_ROWS + 2)


def _a4_one_page_wide(ws: Worksheet) -> None:
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _level(number: str) -> int:
    """Hierarchy depth from the STT label: "1" → 0, "1.1" → 1, "a" → 2, "-" → 3."""
    number = number.strip()
    if number in {"-", "+", "*"}:
        return 3
    if number[:1].isdigit() or number[:1] in "IVX":
        return number.count(".")
    return 2


def _validation(whole: bool) -> DataValidation:
    dv = DataValidation(
        type="whole" if whole else "decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Số liệu không hợp lệ",
        error=("Chỉ nhập số nguyên không âm (0, 1, 2, …)." if whole else "Chỉ nhập số không âm, ví dụ 12,5."),
        showInputMessage=True,
        promptTitle="Nhập số liệu",
        prompt="Để trống nếu chưa có số liệu; nhập 0 nếu không phát sinh.",
    )
    return dv


def write_signature(ws: Worksheet, row: int) -> None:
    last = get_column_letter(COLUMNS["note"])
    ws.merge_cells(f"D{row}:{last}{row}")
    date_cell = ws.cell(row=row, column=4, value=DATE_LINE_PLACEHOLDER)
    date_cell.font = cell_font(12, italic=True)
    date_cell.alignment = Alignment(horizontal="center")
    date_cell.protection = Protection(locked=False)
    for offset, (left, right, line_font) in enumerate(
        [
            ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", cell_font(12, bold=True)),
            ("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)", cell_font(12, italic=True)),
        ],
        start=1,
    ):
        ws.merge_cells(f"A{row + offset}:C{row + offset}")
        ws.merge_cells(f"D{row + offset}:{last}{row + offset}")
        for col, text in ((1, left), (4, right)):
            cell = ws.cell(row=row + offset, column=col, value=text)
            cell.font = line_font
            cell.alignment = Alignment(horizontal="center")


INFO_FIELDS = (
    ("Đơn vị báo cáo", "unit"),
    ("Kỳ báo cáo", "period"),
    ("Thời gian lấy số liệu", "range"),
    ("Ngày lập báo cáo", "report_date"),
    ("Người lập biểu", None),
    ("Số điện thoại liên hệ", None),
)
INSTRUCTIONS = (
    "Nhập số liệu vào các ô màu vàng nhạt ở cột “Số liệu” của từng biểu; không sửa mã số, tên chỉ tiêu.",
    "Nhập 0 nếu không phát sinh; để trống nếu chưa có số liệu. Không ghi chữ vào ô số liệu.",
    "Số liệu ước tính: nhập số và ghi “ước” ở cột Ghi chú.",
    "Các dòng tỷ lệ (%) được tính tự động.",
    "Ghi ngày lập báo cáo và ký tên ở cuối mỗi biểu; gửi lại tệp Excel này (không chuyển sang PDF).",
)


def _write_info_sheet(ws: Worksheet, catalogue: Catalogue, context: TemplateContext) -> None:
    ws.title = INFO_SHEET
    start, end = period_dates(context.quarter, context.cutoff)
    values = {
        "unit": context.unit.name,
        "period": context.quarter.vn_title,
        "range": f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
        "report_date": None,
    }
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 70
    ws.merge_cells("A1:B1")
    ws["A1"] = f"BÁO CÁO CÔNG TÁC NỘI CHÍNH, PHÒNG, CHỐNG THAM NHŨNG VÀ DÂN VẬN {context.quarter.vn_title.upper()}"
    ws["A1"].font = cell_font(14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws.row_dimensions[1].height = 40
    ws.merge_cells("A2:B2")
    ws["A2"] = f"(Mẫu biểu do UBND {context.province_name} ban hành, phiên bản danh mục {catalogue.version})"
    ws["A2"].font = cell_font(11, italic=True)
    ws["A2"].alignment = Alignment(horizontal="center")
    for i, (label, key) in enumerate(INFO_FIELDS, start=4):
        ws.cell(row=i, column=1, value=f"{label}:").font = cell_font(12, bold=True)
        cell = ws.cell(row=i, column=2, value=values.get(key) if key else None)
        cell.font = cell_font(12)
        cell.border = BORDER
        if key in (None, "report_date"):
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
    if "report_date" in values:
        date_row = 4 + [k for _, k in INFO_FIELDS].index("report_date")
        ws.cell(row=date_row, column=2).number_format = "DD/MM/YYYY"
        dv = DataValidation(
            type="date",
            operator="greaterThan",
            formula1=str((date(1990, 1, 1) - date(1899, 12, 30)).days),
            showErrorMessage=True,
            errorTitle="Ngày không hợp lệ",
            error="Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/10/2021.",
        )
        ws.add_data_validation(dv)
        dv.add(ws.cell(row=date_row, column=2).coordinate)
    row = 4 + len(INFO_FIELDS) + 1
    ws.cell(row=row, column=1, value="HƯỚNG DẪN").font = cell_font(12, bold=True)
    for j, text in enumerate(INSTRUCTIONS, start=1):
        ws.merge_cells(start_row=row + j, start_column=1, end_row=row + j, end_column=2)
        cell = ws.cell(row=row + j, column=1, value=f"{j}. {text}")
        cell.font = cell_font(12)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row + j].height = 32
    row += len(INSTRUCTIONS) + 2
    ws.cell(row=row, column=1, value="DANH SÁCH BIỂU").font = cell_font(12, bold=True)
    for j, area in enumerate(catalogue.areas, start=1):
        ws.cell(row=row + j, column=1, value=area.sheet).font = cell_font(12)
        ws.cell(row=row + j, column=2, value=f"{area.form}: {area.title}").font = cell_font(12)
    _a4_one_page_wide(ws)
    ws.protection.sheet = True
