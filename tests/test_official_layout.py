"""Sheets in the circulars' own printed layout (ingest/official.py): numbering row, merged headers, unit and total
rows, read into figures with their cells. Each fixture is a small workbook written here with openpyxl and read back
with `read_workbook`, so merged ranges are real."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from analysis.core.text import admin_key
from analysis.ingest.official import (
    OfficialColumn,
    OfficialIssue,
    OfficialLayout,
    OfficialSheet,
    is_total_label,
    read_official_sheet,
)
from analysis.ingest.official_header import column_path, header_band, printed_number
from analysis.ingest.workbook import SheetGrid, read_workbook

# --- layouts: 01/TCD restricted to its columns 1–7 (forms-research §1.1), 01/XLD 2021 and 2024 (§1.2, §2.2)

TCD = OfficialLayout(
    form="01/TCD",
    version="2021.1",
    width=7,
    columns=(
        OfficialColumn("TCD01", (1,), ("Tổng số lượt tiếp",)),
        OfficialColumn("TCD02", (2,), ("Tổng số người được tiếp",)),
        OfficialColumn("TCD03", (3,), ("Tổng số vụ việc tiếp",)),
        OfficialColumn("TCD04", (4,), ("Tiếp thường xuyên", "Số lượt tiếp")),
        OfficialColumn("TCD05", (5,), ("Tiếp thường xuyên", "Số người được tiếp")),
        OfficialColumn("TCD06", (6,), ("Tiếp thường xuyên", "Số vụ việc", "Tiếp lần đầu")),
        OfficialColumn("TCD07", (7,), ("Tiếp thường xuyên", "Số vụ việc", "Tiếp nhiều lần")),
    ),
    integer=frozenset({"TCD01", "TCD02", "TCD03", "TCD04", "TCD05", "TCD06", "TCD07"}),
)
XLD_2021 = OfficialLayout(
    form="01/XLD",
    version="2021.1",
    width=26,
    columns=(
        OfficialColumn("XLD01", (1,), ("Tổng số đơn",)),
        OfficialColumn("XLD02", (2, 3, 4), ("Kỳ trước chuyển sang",)),
        OfficialColumn("XLD03", (5, 6, 7), ("Tiếp nhận trong kỳ",)),
        OfficialColumn("XLD04", (8,), ("Số đơn đã xử lý",)),
        OfficialColumn("XLD05", (9,), ("Đủ điều kiện xử lý", "Số đơn")),
    ),
)
XLD_2024 = OfficialLayout(
    form="01/XLD",
    version="2024.1",
    width=22,
    columns=(
        OfficialColumn("XLD01", (1,), ("Tổng số đơn phải xử lý", "Tổng số")),
        OfficialColumn("XLD02", (2,), ("Kỳ trước chuyển sang",)),
        OfficialColumn("XLD03", (3,), ("Tiếp nhận trong kỳ",)),
        OfficialColumn("XLD04", (4,), ("Số đơn đã xử lý",)),
        OfficialColumn("XLD05", (6,), ("Đủ điều kiện xử lý", "Số đơn")),
    ),
)
LAYOUTS = (TCD, XLD_2021, XLD_2024)

UNITS = {"xa an binh": "an_binh", "phuong dong hai": "dong_hai", "xa hoa lac": "hoa_lac"}


def unit_of(name: str) -> str | None:
    return UNITS.get(admin_key(name))


# --- the fixture writer


def write_form(
    path: Path,
    headers: list[list[object]],
    merges: list[str],
    numbering: list[object] | None,
    rows: list[list[object]],
    sheet: str = "01-TCD",
    note: str = "30. Ghi chú:",
) -> SheetGrid:
    """Title (row 1) and period line (row 2) merged across the table, header rows from row 3 with their merges,
    the numbering row, the data rows, a blank row and the "Ghi chú" line; read back with `read_workbook`."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    last = get_column_letter(len(headers[0]))
    ws.append(["TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN, ĐỊNH KỲ VÀ ĐỘT XUẤT"])
    ws.append(["Số liệu tính từ ngày 15/6/2021 đến ngày 14/9/2021"])
    for line in [*headers, *([numbering] if numbering else []), *rows, [], [note]]:
        ws.append(line)
    for merge in [f"A1:{last}1", f"A2:{last}2", *merges]:
        ws.merge_cells(merge)
    file = path / f"{sheet}.xlsx"
    book.save(file)
    return read_workbook(file).sheets[0]


# 01/TCD columns 1–7 under three header rows (A STT, B Đơn vị, C–I the numbered columns)
TCD_HEADERS = [
    ["STT", "Đơn vị", "Tổng số lượt tiếp", "Tổng số người được tiếp", "Tổng số vụ việc tiếp", "Tiếp thường xuyên",
     None, None, None],
    [None, None, None, None, None, "Số lượt tiếp", "Số người được tiếp", "Số vụ việc", None],
    [None, None, None, None, None, None, None, "Tiếp lần đầu", "Tiếp nhiều lần"],
]  # fmt: skip
TCD_MERGES = ["A3:A5", "B3:B5", "C3:C5", "D3:D5", "E3:E5", "F3:I3", "F4:F5", "G4:G5", "H4:I4"]
TCD_NUMBERING = ["A", "B", 1, 2, 3, 4, 5, 6, 7]
AN_BINH = [1, "Xã An Bình", 12, 14, 9, 7, 8, 5, 1]
DONG_HAI = [2, "Phường Đông Hải", 20, 25, 16, 11, 13, 9, 3]
HOA_LAC = [3, "Xã Hòa Lạc", 5, 6, 4, 3, 3, 2, 0]
TOTAL = [None, "Tổng cộng", 37, 45, 29, 21, 24, 16, 4]


def tcd_sheet(tmp_path: Path, rows: list[list[object]], numbering: list[object] | None = TCD_NUMBERING) -> SheetGrid:
    return write_form(tmp_path, TCD_HEADERS, TCD_MERGES, numbering, rows)


def read(grid: SheetGrid, expected: OfficialLayout | None = TCD) -> OfficialSheet:
    sheet = read_official_sheet(grid, LAYOUTS, expected, unit_of)
    assert sheet is not None
    return sheet


def figures(sheet: OfficialSheet, label: str) -> dict[str, tuple[float | None, str]]:
    """concept -> (value, cell) of the row with that label."""
    row = next(r for r in sheet.rows if r.label == label)
    return {v.indicator: (v.parsed.value, v.cell) for v in row.values}


def rows_of(sheet: OfficialSheet) -> list[tuple[str, str | None, int, bool]]:
    return [(r.label, r.unit, r.row, r.is_total) for r in sheet.rows]


# --- consolidated sheets


def test_consolidated_sheet_with_total_at_the_bottom(tmp_path):
    sheet = read(tcd_sheet(tmp_path, [AN_BINH, DONG_HAI, HOA_LAC, TOTAL]))
    assert (sheet.sheet, sheet.layout, sheet.numbering_row, sheet.unit_col) == ("01-TCD", TCD, 5, 1)
    assert dict(sheet.columns) == {1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 7, 7: 8}
    assert rows_of(sheet) == [
        ("Xã An Bình", "an_binh", 6, False),
        ("Phường Đông Hải", "dong_hai", 7, False),
        ("Xã Hòa Lạc", "hoa_lac", 8, False),
        ("Tổng cộng", None, 9, True),
    ]
    assert figures(sheet, "Xã An Bình") == {
        "TCD01": (12.0, "C7"), "TCD02": (14.0, "D7"), "TCD03": (9.0, "E7"), "TCD04": (7.0, "F7"),
        "TCD05": (8.0, "G7"), "TCD06": (5.0, "H7"), "TCD07": (1.0, "I7"),
    }  # fmt: skip
    assert figures(sheet, "Phường Đông Hải") == {
        "TCD01": (20.0, "C8"), "TCD02": (25.0, "D8"), "TCD03": (16.0, "E8"), "TCD04": (11.0, "F8"),
        "TCD05": (13.0, "G8"), "TCD06": (9.0, "H8"), "TCD07": (3.0, "I8"),
    }  # fmt: skip
    assert figures(sheet, "Xã Hòa Lạc") == {
        "TCD01": (5.0, "C9"), "TCD02": (6.0, "D9"), "TCD03": (4.0, "E9"), "TCD04": (3.0, "F9"),
        "TCD05": (3.0, "G9"), "TCD06": (2.0, "H9"), "TCD07": (0.0, "I9"),
    }  # fmt: skip
    value = sheet.rows[0].value("TCD01")
    assert (value.sheet, value.row, value.col, value.raw, value.parsed.status) == ("01-TCD", 6, 2, 12.0, "number")
    assert sheet.issues == ()


def test_total_row_at_the_top(tmp_path):
    top = [None, "Toàn tỉnh", *TOTAL[2:]]
    sheet = read(tcd_sheet(tmp_path, [top, AN_BINH, DONG_HAI, HOA_LAC]))
    assert rows_of(sheet) == [
        ("Toàn tỉnh", None, 6, True),
        ("Xã An Bình", "an_binh", 7, False),
        ("Phường Đông Hải", "dong_hai", 8, False),
        ("Xã Hòa Lạc", "hoa_lac", 9, False),
    ]
    assert figures(sheet, "Xã Hòa Lạc")["TCD03"] == (4.0, "E10")
    assert figures(sheet, "Toàn tỉnh")["TCD01"] == (37.0, "C7")
    assert sheet.issues == ()


def test_total_row_not_the_sum_of_the_units_names_the_cell(tmp_path):
    wrong = [None, "Tổng cộng", 37, 45, 31, 21, 24, 16, 4]  # column 3: 9 + 16 + 4 = 29
    sheet = read(tcd_sheet(tmp_path, [AN_BINH, DONG_HAI, HOA_LAC, wrong]))
    assert sheet.issues == (
        OfficialIssue(
            "error",
            "official_total_mismatch",
            "Trang “01-TCD”, cột 3: dòng tổng cộng ô E10 = 31, tổng các đơn vị = 29",
            "E10",
        ),
    )


def test_unit_code_column_inserted_before_column_1(tmp_path):
    headers = [[*row[:2], "Mã đơn vị" if i == 0 else None, *row[2:]] for i, row in enumerate(TCD_HEADERS)]
    merges = ["A3:A5", "B3:B5", "C3:C5", "D3:D5", "E3:E5", "F3:F5", "G3:J3", "G4:G5", "H4:H5", "I4:J4"]
    numbering = ["MS", None, "C", 1, 2, 3, 4, 5, 6, 7]
    rows = [[*r[:2], code, *r[2:]] for r, code in ((AN_BINH, "XA01"), (DONG_HAI, "PH02"), (HOA_LAC, "XA03"))]
    sheet = read(write_form(tmp_path, headers, merges, numbering, [*rows, [None, "Tổng cộng", None, *TOTAL[2:]]]))
    assert sheet.unit_col == 1
    assert dict(sheet.columns) == {1: 3, 2: 4, 3: 5, 4: 6, 5: 7, 6: 8, 7: 9}
    assert figures(sheet, "Xã An Bình") == {
        "TCD01": (12.0, "D7"), "TCD02": (14.0, "E7"), "TCD03": (9.0, "F7"), "TCD04": (7.0, "G7"),
        "TCD05": (8.0, "H7"), "TCD06": (5.0, "I7"), "TCD07": (1.0, "J7"),
    }  # fmt: skip
    assert [r.unit for r in sheet.rows] == ["an_binh", "dong_hai", "hoa_lac", None]
    assert sheet.issues == ()


def test_unnumbered_column_in_the_middle_is_left_out(tmp_path):
    headers = [[*row[:5], "Tiếp trực tuyến" if i == 0 else None, *row[5:]] for i, row in enumerate(TCD_HEADERS)]
    merges = ["A3:A5", "B3:B5", "C3:C5", "D3:D5", "E3:E5", "F3:F5", "G3:J3", "G4:G5", "H4:H5", "I4:J4"]
    numbering = ["A", "B", 1, 2, 3, None, 4, 5, 6, 7]
    rows = [[*r[:5], 99, *r[5:]] for r in (AN_BINH, DONG_HAI, HOA_LAC)]
    sheet = read(write_form(tmp_path, headers, merges, numbering, [*rows, [*TOTAL[:5], 0, *TOTAL[5:]]]))
    assert dict(sheet.columns) == {1: 2, 2: 3, 3: 4, 4: 6, 5: 7, 6: 8, 7: 9}
    assert figures(sheet, "Phường Đông Hải") == {
        "TCD01": (20.0, "C8"), "TCD02": (25.0, "D8"), "TCD03": (16.0, "E8"), "TCD04": (11.0, "G8"),
        "TCD05": (13.0, "H8"), "TCD06": (9.0, "I8"), "TCD07": (3.0, "J8"),
    }  # fmt: skip
    assert sheet.issues == ()  # the unnumbered column's 99s are no column of the form: not summed, not checked


# --- headers

# the same seven columns under one header row
FLAT_HEADERS = [
    "STT", "Đơn vị", "Tổng số lượt tiếp", "Tổng số người được tiếp", "Tổng số vụ việc tiếp",
    "Tiếp thường xuyên: Số lượt tiếp", "Tiếp thường xuyên: Số người được tiếp",
    "Tiếp thường xuyên - Số vụ việc - Tiếp lần đầu", "Tiếp thường xuyên - Số vụ việc - Tiếp nhiều lần",
]  # fmt: skip


def test_numbering_row_missing_columns_found_by_heading_words(tmp_path):
    """One header row; the two "Số vụ việc" columns printed in the other order: words decide, not position."""
    headers = [["STT", "Tên đơn vị", *FLAT_HEADERS[2:7], FLAT_HEADERS[8], FLAT_HEADERS[7]]]
    rows = [[1, "Xã An Bình", 12, 14, 9, 7, 8, 1, 5], [2, "Xã Hòa Lạc", 5, 6, 4, 3, 3, 0, 2]]
    sheet = read(write_form(tmp_path, headers, [], None, [*rows, [None, "Cộng", 17, 20, 13, 10, 11, 1, 7]]))
    assert (sheet.numbering_row, sheet.unit_col) == (None, 1)
    assert dict(sheet.columns) == {1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 8, 7: 7}
    assert figures(sheet, "Xã An Bình") == {
        "TCD01": (12.0, "C4"), "TCD02": (14.0, "D4"), "TCD03": (9.0, "E4"), "TCD04": (7.0, "F4"),
        "TCD05": (8.0, "G4"), "TCD06": (5.0, "I4"), "TCD07": (1.0, "H4"),
    }  # fmt: skip
    assert sheet.issues == (
        OfficialIssue(
            "warning",
            "official_numbering_missing",
            "Trang “01-TCD”: không thấy dòng đánh số cột (1, 2, 3, …) dưới tiêu đề biểu (ô C3); các cột được nhận "
            "theo tiêu đề cột của mẫu 01/TCD (phiên bản 2021.1)",
            "C3",
        ),
    )


def test_headers_merged_across_three_rows_and_across_columns(tmp_path):
    """No numbering row: columns 6 and 7 are found only through "Tiếp thường xuyên" (F3:I3) and "Số vụ việc" (H4:I4)
    merged across columns, columns 1–3 and "Đơn vị" through cells merged down three rows."""
    grid = tcd_sheet(tmp_path, [AN_BINH, DONG_HAI, HOA_LAC, TOTAL], numbering=None)
    band = header_band(grid, 5)
    assert band == range(2, 5)
    assert column_path(grid, band, 1) == "don vi"
    assert column_path(grid, band, 2) == "tong so luot tiep"
    assert column_path(grid, band, 7) == "tiep thuong xuyen so vu viec tiep lan dau"
    assert column_path(grid, band, 8) == "tiep thuong xuyen so vu viec tiep nhieu lan"
    sheet = read(grid)
    assert (sheet.numbering_row, sheet.unit_col) == (None, 1)
    assert dict(sheet.columns) == {1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 7, 7: 8}
    assert figures(sheet, "Xã Hòa Lạc") == {
        "TCD01": (5.0, "C8"), "TCD02": (6.0, "D8"), "TCD03": (4.0, "E8"), "TCD04": (3.0, "F8"),
        "TCD05": (3.0, "G8"), "TCD06": (2.0, "H8"), "TCD07": (0.0, "I8"),
    }  # fmt: skip
    assert [i.kind for i in sheet.issues] == ["official_numbering_missing"]


def test_numbering_cells_with_identities_parentheses_and_floats(tmp_path):
    numbering = ["MS", None, "1=4+13+22", "2=5+14+23", "3=6+7+15+ 16 + 24 +25", "(4)", 5.0, "(6)", "7"]
    sheet = read(tcd_sheet(tmp_path, [AN_BINH, TOTAL[:2] + AN_BINH[2:]], numbering=numbering))
    assert sheet.numbering_row == 5
    assert dict(sheet.columns) == {1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 7, 7: 8}
    assert figures(sheet, "Xã An Bình")["TCD07"] == (1.0, "I7")
    assert sheet.issues == ()


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (1.0, 1),
        ("1", 1),
        ("(1)", 1),
        ("1.", 1),
        ("1=4+13+22", 1),
        ("9=11+12+13 =14+15+16+17 =18+22", 9),
        ("18 = 19+20+21", 18),
        ("MS", None),
        ("Tổng", None),
        (1.5, None),
        (True, None),
    ],
)
def test_printed_number(raw, number):
    assert printed_number(raw) == number


@pytest.mark.parametrize(
    ("label", "total"),
    [("Tổng cộng", True), ("TỔNG CỘNG:", True), ("Cộng", True), ("Tổng số", True), ("Toàn tỉnh", True),
     ("Tổng", True), ("I. Tổng cộng", True), ("Tổng cộng (toàn tỉnh)", True), ("Xã An Bình", False),
     ("Tổng đội", False)],
)  # fmt: skip
def test_total_labels(label, total):
    assert is_total_label(label) is total


def test_numbering_wider_than_the_layout_is_read_with_a_warning(tmp_path):
    headers = [[*row, "Trong đó đoàn đông người" if i == 0 else None] for i, row in enumerate(TCD_HEADERS)]
    sheet = read(write_form(tmp_path, headers, [*TCD_MERGES, "J3:J5"], [*TCD_NUMBERING, 8], [[*AN_BINH, 2]]))
    assert (sheet.layout, dict(sheet.columns)[8]) == (TCD, 9)
    assert figures(sheet, "Xã An Bình")["TCD07"] == (1.0, "I7")
    assert sheet.issues == (
        OfficialIssue(
            "warning",
            "official_width_mismatch",
            "Trang “01-TCD”: dòng đánh số cột (ô C6) có 8 cột, mẫu 01/TCD (phiên bản 2021.1) có 7 cột; số liệu được "
            "đọc theo số thứ tự cột",
            "C6",
        ),
    )


def test_a_last_numbered_note_column_is_not_a_data_column(tmp_path):
    headers = [[*row, "Ghi chú" if i == 0 else None] for i, row in enumerate(TCD_HEADERS)]
    rows = [[*AN_BINH, "số liệu ước"]]
    sheet = read(write_form(tmp_path, headers, [*TCD_MERGES, "J3:J5"], [*TCD_NUMBERING, 8], rows))
    assert dict(sheet.columns) == {1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 7, 7: 8}
    assert sheet.issues == ()


def test_a_column_not_found_by_its_heading_is_said(tmp_path):
    headers = [[*FLAT_HEADERS[:6], "Số người (thường xuyên)", *FLAT_HEADERS[7:]]]
    sheet = read(write_form(tmp_path, headers, [], None, [AN_BINH]))
    assert "TCD05" not in figures(sheet, "Xã An Bình")
    assert figures(sheet, "Xã An Bình")["TCD06"] == (5.0, "H4")
    assert [i.kind for i in sheet.issues] == ["official_numbering_missing", "official_column_missing"]
    assert sheet.issues[1].message == (
        "Trang “01-TCD”: không tìm thấy cột 5 của mẫu 01/TCD (phiên bản 2021.1) (chỉ tiêu TCD05) theo tiêu đề cột; "
        "chỉ tiêu này không được đọc từ trang"
    )


# --- units


def test_unit_not_in_the_registry_is_kept_unmatched_with_a_warning(tmp_path):
    stranger = [4, "Xã Lạ Xa", 1, 1, 1, 1, 1, 1, 1]
    total = [None, "Tổng cộng", 38, 46, 30, 22, 25, 17, 5]
    sheet = read(tcd_sheet(tmp_path, [AN_BINH, DONG_HAI, HOA_LAC, stranger, total]))
    row = sheet.rows[3]
    assert (row.label, row.unit, row.row, row.is_total, row.label_cell) == ("Xã Lạ Xa", None, 9, False, "B10")
    assert figures(sheet, "Xã Lạ Xa")["TCD01"] == (1.0, "C10")
    assert sheet.issues == (
        OfficialIssue(
            "warning",
            "official_unknown_unit",
            "Trang “01-TCD”, ô B10: “Xã Lạ Xa” không có trong danh sách đơn vị; dòng được giữ nhưng chưa gán cho "
            "đơn vị nào",
            "B10",
        ),
    )


def test_a_row_with_figures_but_no_name_is_kept_with_a_warning(tmp_path):
    nameless = [4, None, 1, 1, 1, 1, 1, 1, 1]
    total = [None, "Tổng cộng", 38, 46, 30, 22, 25, 17, 5]
    sheet = read(tcd_sheet(tmp_path, [AN_BINH, DONG_HAI, HOA_LAC, nameless, total]))
    assert (sheet.rows[3].label, sheet.rows[3].unit, sheet.rows[3].label_cell) == ("", None, "B10")
    assert sheet.issues == (
        OfficialIssue(
            "warning",
            "official_unit_missing",
            "Trang “01-TCD”, dòng 10: có số liệu nhưng không ghi tên đơn vị (ô B10); dòng được giữ nhưng chưa gán "
            "cho đơn vị nào",
            "B10",
        ),
    )


def test_a_unit_given_twice_is_said(tmp_path):
    again = [4, "UBND Xã An Bình", *AN_BINH[2:]]
    total = [None, "Tổng cộng", 49, 59, 38, 28, 32, 21, 5]
    sheet = read(tcd_sheet(tmp_path, [AN_BINH, DONG_HAI, HOA_LAC, again, total]))
    assert [r.unit for r in sheet.units] == ["an_binh", "dong_hai", "hoa_lac", "an_binh"]
    assert sheet.issues == (
        OfficialIssue(
            "warning",
            "official_duplicate_unit",
            "Trang “01-TCD”, ô B10: “UBND Xã An Bình” là cùng đơn vị với dòng ô B7",
            "B10",
        ),
    )


def test_unit_names_under_another_heading_are_the_first_text_column(tmp_path):
    headers = [["STT", "Xã, phường", *row[2:]] if i == 0 else row for i, row in enumerate(TCD_HEADERS)]
    sheet = read(write_form(tmp_path, headers, TCD_MERGES, TCD_NUMBERING, [AN_BINH, DONG_HAI, HOA_LAC, TOTAL]))
    assert sheet.unit_col == 1
    assert [r.unit for r in sheet.rows] == ["an_binh", "dong_hai", "hoa_lac", None]
    assert sheet.issues == ()


@pytest.mark.parametrize("with_total", [True, False])
def test_a_units_own_file_has_no_mismatch(tmp_path, with_total):
    own = [1, "UBND xã An Bình", *AN_BINH[2:]]
    rows = [own, [None, "Tổng cộng", *AN_BINH[2:]]] if with_total else [own]
    sheet = read(tcd_sheet(tmp_path, rows))
    assert [(r.unit, r.is_total) for r in sheet.rows] == [("an_binh", False)] + ([(None, True)] if with_total else [])
    assert figures(sheet, "UBND xã An Bình")["TCD02"] == (14.0, "D7")
    assert sheet.issues == ()


# --- 01/XLD: columns summed, versions


# columns 11–26 of 01/XLD 2021, one header cell each, merged down both header rows
XLD_2021_LEAVES = [
    "Khiếu nại", "Tố cáo", "Kiến nghị, phản ánh", "Lần đầu", "Nhiều lần", "Đang giải quyết", "Chưa giải quyết",
    "Tổng số", "Khiếu nại", "Tố cáo", "Kiến nghị, phản ánh", "Tổng số", "Hướng dẫn", "Chuyển đơn",
    "Đôn đốc giải quyết", "Số văn bản phúc đáp nhận được do chuyển đơn",
]  # fmt: skip
SIGNERS = ["Đơn có nhiều người đứng tên", "Đơn một người đứng tên", "Đơn khác"]


def xld_2021_sheet(tmp_path: Path, rows: list[list[object]]) -> SheetGrid:
    """01/XLD 2021: A STT, B Đơn vị, C–AB the 26 numbered columns under two header rows."""
    top = ["STT", "Đơn vị", "Tổng số đơn", "Kỳ trước chuyển sang", None, None, "Tiếp nhận trong kỳ", None, None,
           "Số đơn đã xử lý", "Đủ điều kiện xử lý", None, *XLD_2021_LEAVES]  # fmt: skip
    second = [None, None, None, *SIGNERS, *SIGNERS, None, "Số đơn", "Số vụ việc", *[None] * 16]
    leaves = [f"{get_column_letter(c)}3:{get_column_letter(c)}4" for c in range(13, 29)]
    merges = ["A3:A4", "B3:B4", "C3:C4", "D3:F3", "G3:I3", "J3:J4", "K3:L3", *leaves]
    numbering = ["MS", None, "1=2+3+...+7", *range(2, 9), "9=11+12+13 =14+15+16+17 =18+22", *range(10, 18),
                 "18 = 19+20+21", 19, 20, 21, "22 = 23+24+25", 23, 24, 25, 26]  # fmt: skip
    return write_form(tmp_path, [top, second], merges, numbering, rows, sheet="01-XLD", note="27. Ghi chú:")


def test_a_concept_summing_several_columns_keeps_its_lineage(tmp_path):
    an_binh = [1, "Xã An Bình", 30, 3, 4, 5, 6, 6, 6, 25, 20, *[0] * 17]
    hoa_lac = [2, "Xã Hòa Lạc", 16, 1, "-", "khoảng 5", 4, 3, 3, 10, 8, *[0] * 17]
    total = [None, "Tổng cộng", 46, 4, 4, 10, 10, 9, 9, 35, 28, *[0] * 17]
    sheet = read(xld_2021_sheet(tmp_path, [an_binh, hoa_lac, total]), expected=XLD_2021)
    assert (sheet.layout, sheet.numbering_row) == (XLD_2021, 4)
    assert figures(sheet, "Xã An Bình") == {
        "XLD01": (30.0, "C6"), "XLD02": (12.0, "D6"), "XLD03": (18.0, "G6"), "XLD04": (25.0, "J6"),
        "XLD05": (20.0, "K6"),
    }  # fmt: skip
    carried = sheet.rows[0].value("XLD02")
    assert (carried.row, carried.col, carried.raw) == (5, 3, "3 + 4 + 5")
    assert carried.parsed.note == "tổng cột 2+3+4 (ô D6, E6, F6)"
    assert (carried.parsed.approx, carried.parsed.status) == (False, "number")
    approx = sheet.rows[1].value("XLD02")
    assert (approx.parsed.value, approx.cell) == (6.0, "D7")
    assert (approx.parsed.approx, approx.parsed.status) == (True, "text_number")
    assert approx.parsed.note == (
        "tổng cột 2+3+4 (ô D7, E7, F7); dấu “-” được hiểu là 0 (không phát sinh); số ước tính/xấp xỉ"
    )
    assert sheet.issues == ()


def test_a_sum_of_blank_columns_is_missing(tmp_path):
    blank = [1, "Xã An Bình", 30, None, None, None, 6, 6, 6, 25, 20, *[0] * 17]
    sheet = read(xld_2021_sheet(tmp_path, [blank]), expected=XLD_2021)
    carried = sheet.rows[0].value("XLD02")
    assert (carried.parsed.value, carried.parsed.status, carried.cell) == (None, "blank", "D6")


def test_a_2024_form_in_a_2021_quarter_is_read_by_its_own_layout_with_a_warning(tmp_path):
    top = ["STT", "Đơn vị", "Tổng số đơn phải xử lý", None, None, "Số đơn đã xử lý",
           "Số đơn chưa xử lý (chuyển kỳ sau xử lý)", "Đủ điều kiện xử lý", None, *XLD_2021_LEAVES[:2],
           *XLD_2021_LEAVES[2:5], "Chưa giải quyết xong", *XLD_2021_LEAVES[7:]]  # fmt: skip
    second = [None, None, "Tổng số", "Kỳ trước chuyển sang", "Tiếp nhận trong kỳ", None, None, "Số đơn",
              "Số vụ việc", *[None] * 15]  # fmt: skip
    leaves = [f"{get_column_letter(c)}3:{get_column_letter(c)}4" for c in range(10, 25)]
    merges = ["A3:A4", "B3:B4", "C3:E3", "F3:F4", "G3:G4", "H3:I3", *leaves]
    numbering = ["MS", None, "1=2+3=4+5", 2, 3, 4, 5, "6=8+9+10=11+12+13=14+18", *range(7, 14), "14=15+16+17",
                 15, 16, 17, "18=19+20+21", 19, 20, 21, 22]  # fmt: skip
    rows = [[1, "Xã An Bình", 30, 10, 20, 25, 5, 18, 17, *[0] * 15]]
    grid = write_form(tmp_path, [top, second], merges, numbering, rows, sheet="01-XLD", note="27. Ghi chú:")
    sheet = read(grid, expected=XLD_2021)
    assert sheet.layout == XLD_2024
    assert figures(sheet, "Xã An Bình") == {
        "XLD01": (30.0, "C6"), "XLD02": (10.0, "D6"), "XLD03": (20.0, "E6"), "XLD04": (25.0, "F6"),
        "XLD05": (18.0, "H6"),
    }  # fmt: skip
    assert sheet.issues == (
        OfficialIssue(
            "warning",
            "official_version_mismatch",
            "Trang “01-XLD”: biểu được lập theo mẫu 01/XLD (phiên bản 2024.1), trong khi kỳ báo cáo của tệp dùng mẫu "
            "01/XLD (phiên bản 2021.1); số liệu được đọc theo mẫu 01/XLD (phiên bản 2024.1)",
            "C5",
        ),
    )


# --- not an official layout


def test_a_one_column_sheet_is_not_official(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "01-TCD"
    for line in [
        ["BÁO CÁO KẾT QUẢ TIẾP CÔNG DÂN"],
        ["Đơn vị báo cáo:", "Xã An Bình"],
        ["STT", "Chỉ tiêu", "Mã số", "Số liệu quý này", "Ghi chú"],
        [1, "Tổng số lượt tiếp công dân", "TCD01", 120, None],
        [2, "Tổng số người được tiếp", "TCD02", 130, None],
        [3, "Tổng số vụ việc được tiếp", "TCD03", 90, None],
    ]:
        ws.append(line)
    book.save(tmp_path / "one.xlsx")
    grid = read_workbook(tmp_path / "one.xlsx").sheets[0]
    assert read_official_sheet(grid, LAYOUTS, TCD, unit_of) is None


def test_a_numbering_row_of_an_unknown_form_is_not_read(tmp_path):
    """Numbered 1–7 like the test 01/TCD, but headed with other words: not guessed to be 01/TCD."""
    headers = [["STT", "Đơn vị", *[f"Chỉ tiêu khác {n}" for n in range(1, 8)]]]
    grid = write_form(tmp_path, headers, [], TCD_NUMBERING, [AN_BINH])
    assert read_official_sheet(grid, LAYOUTS, TCD, unit_of) is None
