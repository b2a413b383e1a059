"""The submission template as a unit receives it: built, saved, reopened with openpyxl."""

from __future__ import annotations

import shutil

import pytest
from openpyxl import load_workbook

from analysis.catalogue.template import TemplateContext, build_template, template_layout
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter
from analysis.ingest.parse import parse_submission

Q3 = Quarter(2021, 3)


@pytest.fixture(scope="module")
def forms(catalogue):
    """The catalogue as the forms of quarter III/2021 print it (the template's quarter)."""
    return catalogue.for_quarter(Q3)


@pytest.fixture(scope="module")
def template_path(tmp_path_factory, forms, registry):
    context = TemplateContext(registry.province_name, registry.get("an_binh"), Q3, load_province_config().cutoff)
    path = tmp_path_factory.mktemp("template") / "mau-bao-cao-2021Q3-an_binh.xlsx"
    build_template(forms, context).save(path)
    return path


@pytest.fixture(scope="module")
def wb(template_path):
    return load_workbook(template_path)


@pytest.fixture(scope="module")
def layout(forms):
    return template_layout(forms).set_index("indicator")


def _texts(ws, first_row: int, last_row: int) -> list[str]:
    return [
        cell.value
        for row in ws.iter_rows(min_row=first_row, max_row=last_row)
        for cell in row
        if isinstance(cell.value, str)
    ]


def _value_cell(wb, layout, code):
    where = layout.loc[code]
    return wb[where["sheet"]][where["cell"]]


def _validations_covering(ws, coordinate: str):
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


# ------------------------------------------------------------------------------------------------ sheets


def test_info_sheet_first_then_one_sheet_per_area_in_catalogue_order(wb, forms):
    assert wb.sheetnames == ["Thông tin chung", *[area.sheet for area in forms.areas]]


def test_title_block_names_form_period_date_range_and_unit(wb, forms):
    for area in forms.areas:
        title = _texts(wb[area.sheet], 1, 9)  # everything above the header (row 10)
        assert area.form.startswith("Biểu số ")
        assert area.form in title, area.sheet
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in title
        assert "Kỳ báo cáo: Quý III/2021" in title
        # default cut-off 15 → 14: quý III = 15/6 – 14/9
        assert "(Số liệu tính từ ngày 15/06/2021 đến ngày 14/09/2021)" in title
        assert "Đơn vị báo cáo: Huyện An Bình" in title


def test_header_is_two_merged_rows_except_the_value_column(wb, forms):
    for area in forms.areas:
        merged = {str(r) for r in wb[area.sheet].merged_cells.ranges}
        assert {"A10:A11", "B10:B11", "C10:C11", "D10:D11", "F10:F11"} <= merged, area.sheet
        ws = wb[area.sheet]
        assert (ws["A10"].value, ws["B10"].value, ws["E10"].value) == ("STT", "Mã số", "Số liệu")


def test_signature_block_follows_the_last_indicator(wb, forms, layout):
    for area in forms.areas:
        last_row = max(int(layout.loc[ind.code, "row"]) for ind in forms.indicators_in(area.code))
        ws = wb[area.sheet]
        below = _texts(ws, last_row + 1, ws.max_row)
        assert "THỦ TRƯỞNG ĐƠN VỊ" in below, area.sheet
        assert "NGƯỜI LẬP BIỂU" in below, area.sheet


def test_every_sheet_is_protected(wb):
    for ws in wb.worksheets:
        assert ws.protection.sheet is True, ws.title


# ------------------------------------------------------------------------------------------ indicator rows


def test_indicator_row_holds_number_code_name_and_unit(wb, forms, layout):
    for ind in forms.indicators:
        ws = wb[layout.loc[ind.code, "sheet"]]
        row = int(layout.loc[ind.code, "row"])
        assert [ws.cell(row=row, column=c).value for c in (1, 2, 3, 4)] == [
            ind.number,
            ind.code,
            ind.name,
            ind.unit,
        ], ind.code


def test_layout_cell_is_the_value_column_of_the_indicator_row(layout):
    for code, where in layout.iterrows():
        assert where["cell"] == f"E{where['row']}", code


def test_label_cells_are_locked(wb, forms, layout):
    for ind in forms.indicators:
        ws = wb[layout.loc[ind.code, "sheet"]]
        row = int(layout.loc[ind.code, "row"])
        for col in (1, 2, 3, 4):
            assert ws.cell(row=row, column=col).protection.locked, (ind.code, col)


def test_input_value_cells_are_unlocked_and_empty(wb, forms, layout):
    for ind in forms.input_indicators():
        cell = _value_cell(wb, layout, ind.code)
        assert cell.protection.locked is False, ind.code
        assert cell.value is None, ind.code


def test_input_value_cells_only_take_non_negative_numbers_of_the_right_kind(wb, forms, layout):
    for ind in forms.input_indicators():
        ws = wb[layout.loc[ind.code, "sheet"]]
        coordinate = layout.loc[ind.code, "cell"]
        covering = _validations_covering(ws, coordinate)
        assert len(covering) == 1, ind.code
        dv = covering[0]
        assert dv.type == ("whole" if forms.is_integer(ind.code) else "decimal"), ind.code
        assert dv.operator == "greaterThanOrEqual"
        assert dv.formula1 == "0"


def test_catalogue_has_both_integer_and_decimal_inputs(forms):
    """Guards the test above: both validation kinds are actually exercised."""
    kinds = {forms.is_integer(ind.code) for ind in forms.input_indicators()}
    assert kinds == {True, False}


def test_ratio_cells_are_locked_formulas_of_numerator_over_denominator(wb, forms, layout):
    ratios = [ind for ind in forms.indicators if not ind.is_input]
    assert ratios
    for ind in ratios:
        cell = _value_cell(wb, layout, ind.code)
        num = layout.loc[ind.numerator, "cell"]
        den = layout.loc[ind.denominator, "cell"]
        assert layout.loc[ind.numerator, "sheet"] == layout.loc[ind.code, "sheet"]
        assert isinstance(cell.value, str) and cell.value.startswith("="), ind.code
        assert f"{num}/{den}" in cell.value, (ind.code, cell.value)
        assert cell.protection.locked is True, ind.code
        assert not _validations_covering(wb[layout.loc[ind.code, "sheet"]], cell.coordinate)


# ------------------------------------------------------------------------------------------------ layout


def test_layout_cells_are_unique(forms):
    layout = template_layout(forms)
    assert not layout.duplicated(["sheet", "cell"]).any()
    assert layout["indicator"].is_unique


def test_layout_places_every_input_indicator_on_its_area_sheet(forms, layout):
    for ind in forms.input_indicators():
        assert ind.code in layout.index
        assert layout.loc[ind.code, "sheet"] == forms.area(ind.area).sheet


# ------------------------------------------------------------------------------------------ ingest round trip


def test_empty_template_reads_back_as_all_blank_never_zero_and_is_not_a_submission(template_path, tmp_path, ctx, forms):
    raw = tmp_path / "raw"
    raw.mkdir()
    path = raw / template_path.name
    shutil.copy(template_path, path)

    sub = parse_submission(path, raw, ctx)

    # every cell is found and read as blank (never 0), and a file with no figure at all is a blank template:
    # rejected with a reason, so it cannot count as the unit's submission
    assert sub.unit is not None and sub.unit.code == "an_binh"
    assert sub.period == Q3
    by_code = {v.indicator: v for v in sub.values}
    assert set(by_code) == {ind.code for ind in forms.input_indicators()}
    assert {v.parsed.status for v in by_code.values()} == {"blank"}
    assert all(v.parsed.value is None for v in by_code.values())
    assert sub.status == "rejected"
    assert [i.rule for i in sub.issues if i.severity == "error"] == ["blank_template"]
    assert "Tệp mẫu trống" in sub.reason
