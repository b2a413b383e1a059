"""The Excel tables export: layout, numbers, and text that can never become a formula."""

from __future__ import annotations

import openpyxl
import pytest

from analysis.catalogue.template import COLUMNS, template_layout
from analysis.compare.report_data import ReportData
from analysis.core import labels
from analysis.core.periods import Quarter
from analysis.exports.cells import COUNT_FORMAT
from analysis.exports.unit_tables import column_chunks
from analysis.exports.xlsx import TRACE_SHEET, write_tables
from analysis.ingest.run import run_ingest

PROVINCE_LABEL = labels.label("province_row", "province")


def _remark(catalogue, code: str, text: str):
    layout = template_layout(catalogue).set_index("indicator")

    def edit(wb):
        cell = wb[layout.at[code, "sheet"]].cell(row=int(layout.at[code, "row"]), column=COLUMNS["note"], value=text)
        cell.data_type = "s"  # typed as text (Excel: '=1+2), as a unit's note would be

    return edit


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, catalogue, registry, ctx):
    from datetime import date

    from analysis.catalogue.template import TemplateContext, build_template
    from analysis.core.config import load_province_config
    from tests.factories import Filing, fill_template

    root = tmp_path_factory.mktemp("exports")
    raw = root / "raw"
    raw.mkdir()
    figures = {("an_binh", "2021Q2"): 100.0, ("an_binh", "2021Q3"): 120.0, ("tan_khe", "2021Q3"): 30.0}
    remarks = {("an_binh", "2021Q3"): "=1+2", ("tan_khe", "2021Q3"): "@SUM(A1)"}
    for (unit_code, label), tcd01 in figures.items():
        unit, q = registry.get(unit_code), Quarter.parse(label)
        values = {ind.code: 1.0 for ind in catalogue.input_indicators()} | {"TCD01": tcd01}
        wb = build_template(catalogue, TemplateContext(registry.province_name, unit, q, load_province_config().cutoff))
        fill_template(wb, Filing(unit, q, values, "x", date(q.year, 9, 20)), catalogue)
        if (unit_code, label) in remarks:
            _remark(catalogue, "TCD01", remarks[(unit_code, label)])(wb)
        wb.save(raw / f"{label}_{unit_code}.xlsx")
    run_ingest(raw, root / "processed", ctx)
    data = ReportData.load("2021Q3", root / "processed")
    path = write_tables(data, root / "bang.xlsx")
    return openpyxl.load_workbook(path), data


def _rows(ws):
    header = next(r for r in range(1, 10) if ws.cell(row=r, column=1).value == "Mã")
    return header, [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1, max_row=ws.max_row, max_col=10)]


def test_one_sheet_per_area_with_vietnamese_headers(workbook, catalogue):
    wb, data = workbook
    sheets = iter(wb.sheetnames)
    for area in catalogue.areas:  # the comparison, then its units × indicators tables beside it
        assert next(sheets) == area.sheet
        parts = len(column_chunks(list(catalogue.indicators_in(area.code))))
        expected = (
            [f"{area.sheet} đơn vị ({n})" for n in range(1, parts + 1)] if parts > 1 else [f"{area.sheet} đơn vị"]
        )
        assert [next(sheets) for _ in expected] == expected
    assert list(sheets) == [TRACE_SHEET]
    ws = wb[catalogue.areas[0].sheet]
    header, _ = _rows(ws)
    headers = [ws.cell(row=header, column=c).value for c in range(1, 11)]
    assert headers[:5] == ["Mã", "Chỉ tiêu", "Đơn vị tính", "Đơn vị báo cáo", "Quý III/2021"]
    assert "So với quý II/2021 (%; tỷ lệ: điểm phần trăm)" in headers
    assert "So với cùng kỳ năm 2020 (%; tỷ lệ: điểm phần trăm)" in headers
    assert ws.freeze_panes == f"E{header + 1}"


def test_province_row_then_units_with_changes(workbook, catalogue):
    wb, _ = workbook
    ws = wb[catalogue.area("TCD").sheet]
    header, rows = _rows(ws)
    tcd01 = [r for r in rows if r[0] == "TCD01"]
    assert [r[3] for r in tcd01][0] == PROVINCE_LABEL
    province = tcd01[0]
    assert province[4] == 150  # 120 + 30
    assert province[5] == 100  # 2021Q2: only An Bình reported
    assert province[6] == "+50,0%"  # (150 − 100) / 100, written as the report writes it
    assert ws.cell(row=header + 1, column=5).number_format == COUNT_FORMAT
    assert ws.cell(row=header + 1, column=7).data_type == "s"
    # 2 of the 13 units the repo's registry expects in 2021Q3 reported, 1 of 13 in 2021Q2; no 2020Q3 figure at all;
    # like for like on An Bình, the one unit in both quarters: 120 vs 100 = +20,0%
    assert province[9] == (
        "không có số liệu cùng kỳ; số liệu của 2/13 đơn vị; quý II/2021: 1/13 đơn vị; "
        "so với quý trước, tăng 20,0% (1 đơn vị báo cáo cả hai kỳ)"
    )
    units = {r[3]: r for r in tcd01[1:]}
    assert units["Huyện An Bình"][4] == 120 and units["Huyện An Bình"][6] == "+20,0%"
    assert units["Huyện Tân Khê"][5] is None and "không có số liệu quý trước" in units["Huyện Tân Khê"][9]
    unit_row = header + 1 + [r[3] for r in rows].index("Huyện An Bình")
    assert ws.row_dimensions[unit_row].outlineLevel == 1
    assert ws.row_dimensions[unit_row].hidden  # opens and prints folded: one row per indicator


def test_province_rows_are_bold_and_notes_small_italic(workbook, catalogue):
    wb, _ = workbook
    ws = wb[catalogue.area("TCD").sheet]
    header, rows = _rows(ws)
    province_row = header + 1 + [r[3] for r in rows].index(PROVINCE_LABEL)
    unit_row = header + 1 + [r[3] for r in rows].index("Huyện An Bình")
    for col in range(1, 10):  # the figures too, not only the labels
        font = ws.cell(row=province_row, column=col).font
        assert (font.name, font.b) == ("Times New Roman", True), col
        assert ws.cell(row=province_row, column=col).fill.fgColor.rgb.endswith("F2F5F9")
        assert not ws.cell(row=unit_row, column=col).font.b
    for row in (province_row, unit_row):
        note = ws.cell(row=row, column=10).font
        assert (note.name, note.i, note.sz) == ("Times New Roman", True, 10)
        assert ws.cell(row=row, column=10).border.left.style == "thin"


def test_text_from_submissions_never_becomes_a_formula(workbook, catalogue):
    wb, _ = workbook
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    _, rows = _rows(wb[catalogue.area("TCD").sheet])
    notes = {r[3]: r[9] for r in rows if r[0] == "TCD01"}
    assert notes["Huyện An Bình"].startswith("'=1+2")
    assert notes["Huyện Tân Khê"].startswith("'@SUM(A1)")


def test_remark_is_kept_verbatim_in_the_values_table(workbook):
    _, data = workbook
    values = data.values.set_index(["unit_code", "period", "indicator"])
    assert values.at[("an_binh", "2021Q3", "TCD01"), "remark"] == "=1+2"


def test_word_draft_has_the_narrative_tables_and_pictures(workbook, tmp_path):
    import docx

    from analysis.exports.docx import write_docx
    from analysis.narrative.build import build_narrative

    _, data = workbook
    path = write_docx(data, tmp_path / "bao-cao.docx")
    doc = docx.Document(path)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in text and "quý III/2021" in text
    for paragraph in build_narrative(data, exact=False):  # the overview page's text, word for word
        assert paragraph.text in text
    assert len(doc.inline_shapes) >= 1  # the province trend charts
    assert len(doc.tables) >= 2  # the title block and at least one key-figures table
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert doc.styles["Normal"].font.name == "Times New Roman"
    cells = " ".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)
    assert "Nơi nhận:" in cells and "THỦ TRƯỞNG CƠ QUAN" in cells  # the signature block
    assert "PAGE" in section.footer.paragraphs[0]._p.xml  # page numbers
    assert "công tác dân vận quý\u00a0III/2021" in text  # the title never breaks as "quý / III/2021"
    captions = [p.text for p in doc.paragraphs if p.text.startswith(("Bảng ", "Biểu đồ "))]
    assert captions[:2] == [
        "Bảng 1. Kết quả tiếp công dân: các chỉ tiêu chính toàn tỉnh, quý III/2021",
        "Biểu đồ 1. Lượt tiếp công dân toàn tỉnh qua các quý",
    ]
    assert len(captions) == 2 * len(doc.inline_shapes)
    key_table = doc.tables[1]  # after the title block: columns fill the 16 cm text width, the name widest
    widths = [round(cell.width.cm, 2) for cell in key_table.rows[0].cells]
    assert sum(widths) == pytest.approx(16.0, abs=0.05) and widths[0] == 3.4 and widths[1] == 1.4
    assert len(set(widths[2:])) == 1  # the figures and changes share the rest evenly
    assert 'w:w="57"' in key_table._tbl.tblPr.xml.split("tblCellMar")[1]  # 0,1 cm = 57 twentieths of a point


def test_word_table_columns_fill_the_text_width():
    from analysis.exports.docx import column_widths

    assert column_widths(8) == (3.4, 1.4) + (11.2 / 6,) * 6
    assert column_widths(7) == (3.4, 1.4) + (11.2 / 5,) * 5
    assert column_widths(2) == (8.0, 8.0)


# ------------------------------------------------------------------------------------ units × indicators tables


@pytest.mark.parametrize(
    ("n", "sizes"), [(29, [10, 10, 9]), (20, [10, 10]), (12, [6, 6]), (10, [10]), (1, [1]), (0, [])]
)
def test_an_area_is_split_into_tables_of_at_most_ten_even_columns(n, sizes):
    assert [len(c) for c in column_chunks(list(range(n)))] == sizes


def test_units_by_indicators_table_has_the_total_then_the_units_by_kind(workbook, catalogue):
    wb, _ = workbook
    ws = wb["01-TCD đơn vị (1)"]
    first = catalogue.indicators_in("TCD")[0]
    assert ws["A1"].value == "Biểu số 01/TCD: KẾT QUẢ TIẾP CÔNG DÂN THEO ĐƠN VỊ — QUÝ III/2021 (bảng 1/3)"
    assert [ws.cell(row=4, column=c).value for c in (1, 2, 3)] == ["STT", "Đơn vị", f"{first.short_name} (lượt)"]
    assert ws["C5"].value == first.code == "TCD01"
    assert [ws.cell(row=6, column=c).value for c in (2, 3)] == [PROVINCE_LABEL, 150]  # 120 + 30
    assert ws["A7"].value == "Cấp huyện (2 huyện)" and "A7:L7" in ws.merged_cells  # 2 + 10 columns
    assert [[ws.cell(row=r, column=c).value for c in (1, 2, 3, 4)] for r in (8, 9)] == [
        ["1", "Huyện An Bình", 120, 1],
        ["2", "Huyện Tân Khê", 30, 1],
    ]
    assert ws.max_row == 9
    assert ws.cell(row=8, column=3).number_format == COUNT_FORMAT
    assert ws.print_title_rows == "$4:$5" and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1  # 9: A4 (ECMA-376)


def test_the_trace_sheet_gives_every_unit_figure_its_file_sheet_and_cell(workbook, catalogue):
    wb, data = workbook
    ws = wb[TRACE_SHEET]
    layout = template_layout(catalogue).set_index("indicator")
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=4, values_only=True)}
    quarter = data.values[data.values["period"] == "2021Q3"]
    assert len(rows) == len(quarter) and {unit for unit, _ in rows} == {"Huyện An Bình", "Huyện Tân Khê"}
    an_binh = rows[("Huyện An Bình", "TCD01")]
    assert an_binh[4] == 120 and an_binh[5] == "120"
    assert an_binh[6].endswith("2021Q3_an_binh.xlsx")
    assert (an_binh[7], an_binh[8]) == (layout.at["TCD01", "sheet"], f"E{int(layout.at['TCD01', 'row'])}")
    assert "đơn vị ghi chú: =1+2" in an_binh[9]
