"""List forms (02/PCTN corruption cases, 03/PCTN legal documents with loopholes): read by their fields' headings into
the lists table, with cells; kept apart from the figures; shown on the analysts' internal page only.

The fixtures are tiny workbooks written here with openpyxl, one messy case each."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from analysis.catalogue.lists import ListFormError, load_lists, parse_lists
from analysis.core.periods import Quarter
from analysis.ingest.list_sheets import read_list_sheet
from analysis.ingest.run import ingest
from analysis.ingest.schema import frame
from analysis.ingest.workbook import read_workbook
from analysis.report import internal_page
from analysis.views.lists import list_table

CASES = load_lists().get("02/PCTN")
DOCUMENTS = load_lists().get("03/PCTN")
HEADER = ["STT", "Tên vụ việc", "Cơ quan, đơn vị xảy ra", "Cơ quan thụ lý", "Tóm tắt nội dung", "Ghi chú"]
CASE_A = [1, "Vụ A (giả định)", "UBND xã An Bình", "Công an tỉnh", "Lập khống chứng từ 120 triệu đồng", ""]
CASE_B = [2, "Vụ B (giả định)", "Sở Y tế", "Thanh tra tỉnh", "Nhận tiền ngày 5 tháng 3 năm 2025 của người dân", ""]


def write(path: Path, rows: list[list[object]], sheet: str = "02-PCTN") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def sheet_of(path: Path):
    return read_workbook(path).sheets[0]


def items(found) -> list[dict[str, tuple[str, str]]]:
    return [{field: (text, cell) for field, text, cell in item.fields} for item in found.items]


# --- the reader


def test_a_list_under_its_title_is_read_field_by_field_with_cells(tmp_path):
    title = [["BIỂU SỐ 02/PCTN"], ["DANH SÁCH CÁC VỤ VIỆC THAM NHŨNG ĐƯỢC PHÁT HIỆN"], []]
    found = read_list_sheet(sheet_of(write(tmp_path / "a.xlsx", [*title, HEADER, CASE_A, CASE_B])), load_lists().items)
    assert (found.form.code, found.header_row) == ("02/PCTN", 3)
    assert items(found) == [
        {
            "case": ("Vụ A (giả định)", "B5"),
            "agency": ("UBND xã An Bình", "C5"),
            "handling_agency": ("Công an tỉnh", "D5"),
            "summary": ("Lập khống chứng từ 120 triệu đồng", "E5"),
        },
        {
            "case": ("Vụ B (giả định)", "B6"),
            "agency": ("Sở Y tế", "C6"),
            "handling_agency": ("Thanh tra tỉnh", "D6"),
            "summary": ("Nhận tiền ngày 5 tháng 3 năm 2025 của người dân", "E6"),  # a date inside: not the end
        },
    ]
    assert found.issues == ()


def test_an_inserted_column_and_a_numbering_row_shift_nothing(tmp_path):
    header = ["STT", "Mã đơn vị", *HEADER[1:]]
    numbering = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"]
    row = [1, "X01", *CASE_A[1:]]
    found = read_list_sheet(sheet_of(write(tmp_path / "a.xlsx", [header, numbering, row])), load_lists().items)
    assert [(i.item, i.row) for i in found.items] == [(1, 2)]
    assert items(found)[0]["case"] == ("Vụ A (giả định)", "C3")
    assert items(found)[0]["summary"] == ("Lập khống chứng từ 120 triệu đồng", "F3")


def test_a_row_without_the_case_is_kept_out_with_a_warning_naming_the_cell(tmp_path):
    rows = [HEADER, CASE_A, [2, "", "Sở Tư pháp", "", "Chưa rõ", ""]]
    found = read_list_sheet(sheet_of(write(tmp_path / "a.xlsx", rows)), load_lists().items)
    assert len(found.items) == 1
    assert [(i.kind, i.cell) for i in found.issues] == [("list_item_incomplete", "B3")]
    assert "không ghi “Tên vụ việc” (ô B3)" in found.issues[0].message


def test_the_signature_block_and_a_total_line_end_or_skip_nothing_of_the_items(tmp_path):
    rows = [HEADER, CASE_A, [None, "Tổng cộng"], [], [None, None, "Hòa Giang, ngày 20 tháng 12 năm 2025"],
            [None, "NGƯỜI LẬP BIỂU", None, "THỦ TRƯỞNG ĐƠN VỊ"]]  # fmt: skip
    found = read_list_sheet(sheet_of(write(tmp_path / "a.xlsx", rows)), load_lists().items)
    assert [i.text("case") for i in found.items] == ["Vụ A (giả định)"] and found.issues == ()


def test_the_most_specific_heading_wins_a_column(tmp_path):
    header = ["STT", "Tên, số, ngày văn bản", "Cơ quan ban hành", "Nội dung sơ hở", "Đã khắc phục",
              "Chưa khắc phục", "Lý do chưa khắc phục", "Ghi chú"]  # fmt: skip
    row = [1, "Quyết định 12/2024/QĐ-UBND (giả định)", "UBND tỉnh", "Thiếu nghiệm thu độc lập", "", "x", "Đang sửa", ""]
    found = read_list_sheet(sheet_of(write(tmp_path / "a.xlsx", [header, row], "03-PCTN")), load_lists().items)
    assert found.form is DOCUMENTS
    assert found.columns["not_fixed"] == 5 and found.columns["reason_not_fixed"] == 6
    assert items(found)[0]["not_fixed"] == ("x", "F2") and items(found)[0]["reason_not_fixed"] == ("Đang sửa", "G2")


def test_a_sheet_of_figures_is_no_list(tmp_path):
    rows = [["Mã số", "Chỉ tiêu", "Số liệu"], ["PCTN01", "Số vụ tham nhũng được phát hiện", 3]]
    assert read_list_sheet(sheet_of(write(tmp_path / "a.xlsx", rows, "04-PCTN")), load_lists().items) is None


def test_lists_yaml_names_known_versions_and_areas():
    field = {"code": "case", "heading": ["Tên vụ việc"], "required": True}
    form = {"code": "02/PCTN", "area": "PCTN", "versions": ["2030.1"], "title": "t", "source": "s"}
    raw = {"lists": [{**form, "status": "secondary", "fields": [field]}]}
    with pytest.raises(ListFormError, match="không có phiên bản 2030.1"):
        parse_lists(raw, frozenset({"2025.1"}), frozenset({"PCTN"}))
    assert {f.code for f in load_lists().for_version("2025.1")} == {"02/PCTN", "03/PCTN"}
    assert load_lists().for_version("2024.1") == ()


# --- through ingest


@pytest.fixture
def raw(tmp_path) -> Path:
    return tmp_path / "raw"


def test_a_file_of_lists_only_goes_into_the_lists_table_never_in_place_of_figures(raw, ctx, make_submission):
    make_submission(name="an-binh.xlsx", unit_code="an_binh")  # the unit's figures, quý III/2021
    title = [["Đơn vị báo cáo: Huyện An Bình"], ["Kỳ báo cáo: quý III/2021"]]
    write(raw / "an-binh-danh-sach.xlsx", [*title, HEADER, CASE_A, CASE_B])
    tables = ingest(raw, ctx).tables
    subs = tables["submissions"].set_index("file")
    assert subs.loc["an-binh.xlsx", "status"] == "accepted"  # the figures stay the unit's
    assert subs.loc["an-binh-danh-sach.xlsx", "status"] == "lists"
    assert "2 mục" in subs.loc["an-binh-danh-sach.xlsx", "reason"]
    lists = tables["lists"]
    assert list(lists.columns) == ["file", "unit_code", "unit_name", "period", "form", "item", "field", "value",
                                   "sheet", "cell"]  # fmt: skip
    case = lists[lists["field"] == "case"]
    assert list(zip(case["unit_code"], case["period"], case["item"], case["value"], case["cell"], strict=True)) == [
        ("an_binh", "2021Q3", 1, "Vụ A (giả định)", "B4"),  # below the two title rows and the header
        ("an_binh", "2021Q3", 2, "Vụ B (giả định)", "B5"),
    ]
    # 02/PCTN is of TT 06/2025: read all the same in 2021, with a warning; the agencies named are no unit conflict
    rules = set(tables["issues"][tables["issues"]["file"] == "an-binh-danh-sach.xlsx"]["rule"])
    assert "list_not_in_version" in rules and "unit_conflict" not in rules
    assert set(tables["values"]["source_file"]) == {"an-binh.xlsx"}


# --- the internal page


def test_the_internal_page_is_outside_the_shared_folder_unless_configured(tmp_path):
    q = Quarter(2026, 1)
    assert internal_page.target(tmp_path, q, shared=False) == tmp_path / "noi-bo" / "2026Q1" / internal_page.PAGE
    assert internal_page.target(tmp_path, q, shared=True) == tmp_path / "2026Q1" / internal_page.PAGE


def test_the_internal_page_says_it_is_internal_and_lists_the_items_escaped(tmp_path):
    rows = [
        ["f.xlsx", "thanh_tra_tinh", "Thanh tra tỉnh", "2026Q1", "02/PCTN", 1, "case", "Vụ <A>", "02-PCTN", "B11"],
        ["f.xlsx", "thanh_tra_tinh", "Thanh tra tỉnh", "2026Q1", "02/PCTN", 1, "agency", "Sở Y tế", "02-PCTN", "C11"],
        ["f.xlsx", "thanh_tra_tinh", "Thanh tra tỉnh", "2025Q4", "02/PCTN", 1, "case", "Vụ khác", "02-PCTN", "B11"],
    ]
    lists = frame(rows, "lists")
    table = list_table(lists, CASES, "2026Q1")
    assert list(table.columns) == ["Đơn vị", "STT", "Tên vụ việc", "Cơ quan, đơn vị xảy ra", "Cơ quan thụ lý",
                                   "Tóm tắt nội dung", "Ghi chú", "Nguồn (tệp, ô)"]  # fmt: skip
    assert table.iloc[0].tolist() == ["Thanh tra tỉnh", 1, "Vụ <A>", "Sở Y tế", "", "", "", "f.xlsx · 02-PCTN!B11"]
    html = internal_page.render(lists, load_lists(), Quarter(2026, 1), "Tỉnh Hòa Giang", datetime(2026, 3, 20), False)
    assert "NỘI BỘ" in html and "Không gửi kèm báo cáo" in html
    assert "Vụ &lt;A&gt;" in html and "Vụ khác" not in html  # another quarter's item is not on this page
    assert "Biểu số 03/PCTN" in html and "Chưa có mục nào trong quý I/2026" in html


def test_share_lists_is_off_unless_the_configuration_says_true(tmp_path):
    from analysis.core.config import load_province_config

    base = (Path(__file__).parents[1] / "config" / "province.yaml").read_text(encoding="utf-8")
    assert load_province_config(Path(__file__).parents[1] / "config" / "province.yaml").share_lists is False
    (tmp_path / "yes.yaml").write_text(base + "\nshare_lists: true\n", encoding="utf-8")
    assert load_province_config(tmp_path / "yes.yaml").share_lists is True
    (tmp_path / "bad.yaml").write_text(base + "\nshare_lists: có\n", encoding="utf-8")
    with pytest.raises(ValueError, match="share_lists"):
        load_province_config(tmp_path / "bad.yaml")
