"""`bao-cao-QUARTER.docx`: a draft of the quarter's report for the analyst to edit in Word.

Vietnamese administrative layout (A4; margins 2 cm top/bottom, 3 cm left, 2 cm right; Times New Roman 14, tables
11): the title block, then per area a heading, the narrative paragraph (figures said as the overview page says them,
"trên 7.000 lượt": one draft text in both), the key figures' table with the exact figures
(this quarter, previous quarter, same quarter last year, changes) and the province trend of the area's first key
figure. Built from the same computed comparisons as the HTML report.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from analysis.compare.report_data import ReportData
from analysis.core.outputs import atomic_path
from analysis.exports.cells import xml_safe
from analysis.narrative import build as narrative
from analysis.narrative.scope import scope_sentences
from analysis.views import charts, figure_cache, house, tables

FONT = house.FONT_TEXT
BODY_PT = 14
TABLE_PT = 11
FIGURE_WIDTH_CM = 16
TITLE_BLOCK_CM = (6.0, 10.0)
TEXT_WIDTH_CM = 16.0  # the page's width inside its margins
NAME_COLUMN_CM, UNIT_COLUMN_CM = 3.4, 1.4  # the indicator's name, its unit ("lượt", "triệu đồng")
CELL_MARGIN_CM = 0.1  # left and right inside a cell (Word's 0,19 cm would wrap "tăng 8,9%" in a 1,9 cm column)


NBSP = "\u00a0"  # "quý III/2021" never breaks after "quý"


def _base_style(doc: Document) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(6)
    style.paragraph_format.line_spacing = 1.15
    for name, size in (("Heading 1", 14), ("Heading 2", 14), ("Title", 16)):
        s = doc.styles[name]
        s.font.name = FONT
        s.font.size = Pt(size)
        s.font.bold = True
        s.font.color.rgb = None
        fonts = s.element.rPr.rFonts
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)  # a theme font would win over Times New Roman
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)


def _page(doc: Document) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)


def _title_block(doc: Document, data: ReportData) -> None:
    head = doc.add_table(rows=2, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(head, TITLE_BLOCK_CM)
    texts = [
        (f"UBND {data.registry.province_name.upper()}", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("", "Độc lập - Tự do - Hạnh phúc"),
    ]
    for r, (left, right) in enumerate(texts):
        for c, text in enumerate((left, right)):
            p = head.cell(r, c).paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.bold = True
            run.font.size = Pt(12)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(18)
    run = title.add_run("BÁO CÁO")
    run.bold = True
    run.font.size = Pt(15)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = sub.add_run(
        f"Kết quả công tác tiếp công dân, giải quyết khiếu nại, tố cáo, phòng, chống tham nhũng, "
        f"xử lý vi phạm, phòng, chống tội phạm và công tác dân vận {data.quarter.vn.replace(' ', NBSP)}"
    )
    run.bold = True
    note = doc.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = note.add_run("(Dự thảo do hệ thống lập từ số liệu các đơn vị gửi về; cán bộ tổng hợp rà soát, chỉnh sửa)")
    run.italic = True
    run.font.size = Pt(12)


def _table(doc: Document, frame) -> None:
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, frame.columns, strict=True):
        _cell_text(cell, str(text), bold=True, centre=True)
    _row_property(table.rows[0], "w:tblHeader")  # the header repeats on every page
    for row in frame.itertuples(index=False):
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, row, strict=True)):
            _cell_text(cell, "—" if value is None else str(value), centre=i > 0)
    for row in table.rows:
        _row_property(row, "w:cantSplit")  # a row never breaks across pages
    _widths(table, column_widths(len(frame.columns)))
    _cell_margins(table, CELL_MARGIN_CM)
    doc.add_paragraph()  # room between the table and what follows


def _row_property(row, name: str) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement(name)
    element.set(qn("w:val"), "true")
    properties.append(element)


def column_widths(columns: int) -> tuple[float, ...]:
    """Widths (cm) filling the text width: the name column wide enough for "Tổng số lượt tiếp công dân" in two or
    three lines, the unit column narrow, the figures and changes sharing the rest evenly."""
    if columns < 3:
        return (TEXT_WIDTH_CM / columns,) * columns
    rest = (TEXT_WIDTH_CM - NAME_COLUMN_CM - UNIT_COLUMN_CM) / (columns - 2)
    return (NAME_COLUMN_CM, UNIT_COLUMN_CM) + (rest,) * (columns - 2)


def _cell_margins(table, cm: float) -> None:
    """The table's left and right cell margins (w:tblCellMar, in twentieths of a point)."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(round(Cm(cm).pt * 20)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def _widths(table, widths_cm: tuple[float, ...]) -> None:
    """Column widths for Word (cell widths) and LibreOffice (the table grid)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _cell_text(cell, text: str, bold: bool = False, centre: bool = False) -> None:
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if centre else WD_ALIGN_PARAGRAPH.LEFT
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(xml_safe(text))
    run.bold = bold
    run.font.size = Pt(TABLE_PT)


def _figure(doc: Document, rendered: figure_cache.RenderedChart) -> None:
    doc.add_picture(io.BytesIO(rendered.print_png or rendered.png), width=Cm(FIGURE_WIDTH_CM))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the picture stays with its caption


def _caption(doc: Document, text: str, keep_with_next: bool) -> None:
    """ "Bảng 1. …" above a table (kept with it), "Biểu đồ 1. …" below a figure, as administrative reports number
    them."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = keep_with_next
    p.paragraph_format.space_after = Pt(4)
    run = p.add_run(xml_safe(text))
    run.bold, run.italic = True, True
    run.font.size = Pt(TABLE_PT + 1)


def build_docx(data: ReportData) -> Document:
    doc = Document()
    _base_style(doc)
    _page(doc)
    _title_block(doc, data)
    q = data.quarter
    paragraphs = {p.area: p for p in narrative.build_narrative(data, exact=False)}
    lead = doc.add_paragraph(xml_safe(" ".join(scope_sentences(data))))
    lead.paragraph_format.first_line_indent = Cm(1)
    lead.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    shown = 0  # tables and figures numbered in the order they appear
    for n, area in enumerate(data.catalogue.areas, start=1):
        doc.add_heading(xml_safe(f"{n}. {area.title}"), level=1)
        if area.code in paragraphs:
            body = doc.add_paragraph(xml_safe(paragraphs[area.code].text))
            body.paragraph_format.first_line_indent = Cm(1)
            body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        keys = [i.code for i in data.key_indicators(area.code)]
        if keys:
            shown += 1
            _caption(doc, f"Bảng {shown}. {area.title}: các chỉ tiêu chính toàn tỉnh, {q.vn}", keep_with_next=True)
            _table(doc, tables.comparison_table(data.province_comparison, data.catalogue, q, keys))
            first = data.indicator(keys[0])
            title = f"{first.short_name} toàn tỉnh qua các quý"  # the overview page's chart: drawn once, cached
            _figure(
                doc,
                figure_cache.draw(
                    charts.province_trend, data.trend(first.code), title, first.unit, highlight=q.label, for_print=True
                ),
            )
            _caption(doc, f"Biểu đồ {shown}. {title}", keep_with_next=False)
    _closing(doc)
    _page_numbers(doc)
    return doc


def _closing(doc: Document) -> None:
    """Place and date line, recipients and the signature block, left for the office to fill in."""
    date_line = doc.add_paragraph()
    date_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date_line.paragraph_format.space_before = Pt(12)
    run = date_line.add_run("……, ngày …… tháng …… năm ……")
    run.italic = True
    block = doc.add_table(rows=1, cols=2)
    _widths(block, (8.0, 8.0))
    left, right = block.rows[0].cells
    recipients = left.paragraphs[0]
    run = recipients.add_run("Nơi nhận:")
    run.bold = True
    run.italic = True
    run.font.size = Pt(12)
    for line in ("- Như trên;", "- Lưu: VT."):
        run = left.add_paragraph().add_run(line)
        run.font.size = Pt(11)
    for text, bold, italic in (("THỦ TRƯỞNG CƠ QUAN", True, False), ("(Ký, ghi rõ họ tên, đóng dấu)", False, True)):
        p = right.paragraphs[0] if bold else right.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.italic = bold, italic


def _page_numbers(doc: Document) -> None:
    """A centred page number in the footer (a PAGE field Word fills in)."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)


def write_docx(data: ReportData, target: Path) -> Path:
    with atomic_path(target) as tmp:
        build_docx(data).save(tmp)
    return target
