"""The Excel tables export: layout, numbers, and text that can never become a formula."""

from __future__ import annotations

import openpyxl
import pytest

from analysis.catalogue.template import COLUMNS, template_layout
from analysis.compare.report_data import ReportData
from analysis.core import labels
from analysis.core.periods import Quarter
from analysis.exports.xlsx import PERCENT_FORMAT, write_tables
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
    assert wb.sheetnames == [a.sheet for a in catalogue.areas]
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
    assert province[6] == pytest.approx(0.5)  # (150 − 100) / 100, stored as a fraction
    assert ws.cell(row=header + 1, column=7).number_format == PERCENT_FORMAT
    # 2 of the 13 units the repo's registry expects in 2021Q3 reported, 1 of 13 in 2021Q2; no 2020Q3 figure at all;
    # like for like on An Bình, the one unit in both quarters: 120 vs 100 = +20,0%
    assert province[9] == (
        "không có số liệu cùng kỳ; số liệu của 2/13 đơn vị; quý II/2021: 1/13 đơn vị; "
        "so với quý trước, tăng 20,0% (1 đơn vị báo cáo cả hai kỳ)"
    )
    units = {r[3]: r for r in tcd01[1:]}
    assert units["Huyện An Bình"][4] == 120 and units["Huyện An Bình"][6] == pytest.approx(0.2)
    assert units["Huyện Tân Khê"][5] is None and "không có số liệu quý trước" in units["Huyện Tân Khê"][9]
    unit_row = header + 1 + [r[3] for r in rows].index("Huyện An Bình")
    assert ws.row_dimensions[unit_row].outlineLevel == 1


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
    for paragraph in build_narrative(data, exact=True):
        assert paragraph.text in text
    assert len(doc.inline_shapes) >= 1  # the province trend charts
    assert len(doc.tables) >= 2  # the title block and at least one key-figures table
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert doc.styles["Normal"].font.name == "Times New Roman"
    cells = " ".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)
    assert "Nơi nhận:" in cells and "THỦ TRƯỞNG CƠ QUAN" in cells  # the signature block
    assert "PAGE" in section.footer.paragraphs[0]._p.xml  # page numbers
