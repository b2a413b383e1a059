"""Each messy thing units do to the template, one test each, on a template filled with known values.

`known_values` gives every input indicator a distinct number (101, 102, …), so a value that comes back in the wrong
row is caught. Edits are plain openpyxl operations, as a person editing the file in Excel would make them.
"""

from __future__ import annotations

import dataclasses
import math
import os
import unicodedata
from datetime import date

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.catalogue.template import COLUMNS, FIRST_DATA_ROW, INFO_SHEET, template_layout
from analysis.core.periods import Quarter
from analysis.demo.figures import Consistent
from analysis.demo.sheet_edits import shift_rows
from analysis.demo.workbook import finalise_zip
from analysis.ingest import schema
from analysis.ingest.completeness import completeness_table
from analysis.ingest.record import Entry
from analysis.ingest.run import ingest
from analysis.ingest.submission import Submission

Q3 = Quarter(2021, 3)


def run(raw_dir, ctx):
    result = ingest(raw_dir, ctx)
    return result, result.tables["values"].set_index("indicator")


def issues_of(result, rule: str) -> pd.DataFrame:
    issues = result.tables["issues"]
    return issues[issues["rule"] == rule]


def row_of(catalogue, code: str) -> tuple[str, int]:
    layout = template_layout(catalogue).set_index("indicator")
    return layout.at[code, "sheet"], int(layout.at[code, "row"])


def first_input(catalogue, area_index: int = 0, n: int = 0) -> str:
    area = catalogue.areas[area_index].code
    return [i.code for i in catalogue.indicators_in(area) if i.is_input][n]


def type_into(catalogue, typed: dict[str, object]):
    def edit(wb: Workbook) -> None:
        for code, value in typed.items():
            sheet, row = row_of(catalogue, code)
            wb[sheet].cell(row=row, column=COLUMNS["value"]).value = value

    return edit


def assert_all_known(values: pd.DataFrame, known: dict[str, float], skip: set[str] = frozenset()) -> None:
    expected = {k: v for k, v in known.items() if k not in skip}
    got = values["value"].to_dict()
    assert set(got) == set(expected)
    wrong = {k: (got[k], v) for k, v in expected.items() if got[k] != v}
    assert not wrong, f"values read from the wrong place: {wrong}"


# ------------------------------------------------------------------------------------------------ layout


def test_clean_template_round_trip(make_submission, ctx, known_values, catalogue):
    make_submission()
    result, values = run(make_submission().parent, ctx)
    assert_all_known(values, known_values)
    assert (values["status"] == "number").all()
    layout = template_layout(catalogue).set_index("indicator")
    assert (values["cell"] == layout.loc[values.index, "cell"]).all()
    assert (values["sheet"] == layout.loc[values.index, "sheet"]).all()
    assert result.tables["submissions"]["status"].tolist() == ["accepted"]


def test_rows_inserted_in_the_middle(make_submission, ctx, known_values, catalogue):
    code = first_input(catalogue, 0, 3)
    sheet, row = row_of(catalogue, code)

    def insert(wb):
        shift_rows(wb[sheet], row, 3)
        wb[sheet].cell(row=row + 1, column=3, value="Trong đó: chi tiết theo xã")
        wb[sheet].cell(row=row + 1, column=5, value=999)

    _, values = run(make_submission(edits=[insert]).parent, ctx)
    assert_all_known(values, known_values)
    assert values.at[code, "cell"] == f"E{row + 3}"


def test_row_deleted_is_reported_missing(make_submission, ctx, known_values, catalogue):
    code = first_input(catalogue, 1, 2)
    sheet, row = row_of(catalogue, code)
    result, values = run(make_submission(edits=[lambda wb: shift_rows(wb[sheet], row, -1)]).parent, ctx)
    assert_all_known(values, known_values, skip={code})
    missing = issues_of(result, "missing_indicators")
    assert len(missing) == 1 and code in missing["message"].iloc[0]


def test_rows_reordered(make_submission, ctx, known_values, catalogue):
    a, b = first_input(catalogue, 0, 0), first_input(catalogue, 0, 5)
    sheet, row_a = row_of(catalogue, a)
    _, row_b = row_of(catalogue, b)

    def swap(wb):
        ws = wb[sheet]
        for col in COLUMNS.values():
            ws.cell(row=row_a, column=col).value, ws.cell(row=row_b, column=col).value = (
                ws.cell(row=row_b, column=col).value,
                ws.cell(row=row_a, column=col).value,
            )

    _, values = run(make_submission(edits=[swap]).parent, ctx)
    assert_all_known(values, known_values)
    assert values.at[a, "cell"] == f"E{row_b}"


def test_header_rows_shifted_down(make_submission, ctx, known_values):
    def shift(wb):
        for ws in wb.worksheets:
            shift_rows(ws, 1, 4)
            ws["A1"] = "ĐẢNG BỘ HUYỆN"

    _, values = run(make_submission(edits=[shift]).parent, ctx)
    assert_all_known(values, known_values)
    assert int(values["cell"].iloc[0][1:]) == FIRST_DATA_ROW + 4


def test_sheets_renamed_reordered_hidden_and_extra(make_submission, ctx, known_values, catalogue):
    def mess(wb):
        wb[catalogue.areas[0].sheet].title = "Sheet1"
        wb.move_sheet(wb[catalogue.areas[-1].sheet], offset=-5)
        wb[catalogue.areas[1].sheet].sheet_state = "hidden"
        extra = wb.create_sheet("Phụ lục")
        extra["A1"], extra["B1"] = "Tổng cộng", 12345

    result, values = run(make_submission(edits=[mess]).parent, ctx)
    assert_all_known(values, known_values)
    assert values.at[first_input(catalogue, 0), "sheet"] == "Sheet1"
    assert len(issues_of(result, "hidden_sheet")) == 1


def test_code_column_deleted_rows_found_by_label(make_submission, ctx, known_values, catalogue):
    def drop_codes(wb):
        for ws in wb.worksheets[1:]:
            ws.protection.sheet = False
            for rng in list(ws.merged_cells.ranges):
                ws.unmerge_cells(str(rng))
            ws.delete_cols(COLUMNS["code"])

    _, values = run(make_submission(edits=[drop_codes]).parent, ctx)
    assert_all_known(values, known_values)
    assert (values["cell"].str[0] == "D").all()


def test_labels_without_diacritics_and_numbering(make_submission, ctx, known_values, catalogue):
    code = first_input(catalogue, 2, 1)
    sheet, row = row_of(catalogue, code)
    name = catalogue.indicator(code).name
    plain = unicodedata.normalize("NFD", name).replace("đ", "d").replace("Đ", "D")
    plain = "".join(ch for ch in plain if unicodedata.category(ch) != "Mn")

    def relabel(wb):
        wb[sheet].cell(row=row, column=COLUMNS["code"]).value = None
        wb[sheet].cell(row=row, column=COLUMNS["name"]).value = f"2.1. {plain.upper()}"

    _, values = run(make_submission(edits=[relabel]).parent, ctx)
    assert values.at[code, "value"] == known_values[code]


def test_extra_column_same_period_last_year_is_not_read(make_submission, ctx, known_values, catalogue):
    """A unit adds a "Cùng kỳ năm trước" column left of the value column: the current column is still read."""

    def add_column(wb):
        for ws in wb.worksheets[1:]:
            ws.protection.sheet = False
            for rng in list(ws.merged_cells.ranges):
                ws.unmerge_cells(str(rng))
            ws.insert_cols(COLUMNS["value"])
            ws.cell(row=10, column=COLUMNS["value"], value="Cùng kỳ năm trước")
            for row in range(FIRST_DATA_ROW, ws.max_row + 1):
                ws.cell(row=row, column=COLUMNS["value"], value=7)

    _, values = run(make_submission(edits=[add_column]).parent, ctx)
    assert_all_known(values, known_values)
    assert (values["cell"].str[0] == "F").all()


def test_value_cell_merged_with_note(make_submission, ctx, known_values, catalogue):
    code = first_input(catalogue, 0, 1)
    sheet, row = row_of(catalogue, code)
    merge = lambda wb: wb[sheet].merge_cells(f"E{row}:F{row}")  # noqa: E731
    result, values = run(make_submission(edits=[merge]).parent, ctx)
    assert_all_known(values, known_values)
    assert issues_of(result, "merged_value_cell").empty


def test_value_cells_merged_down_flags_the_hidden_one(make_submission, ctx, known_values, catalogue):
    a, b = first_input(catalogue, 0, 1), first_input(catalogue, 0, 2)
    sheet, row_a = row_of(catalogue, a)
    _, row_b = row_of(catalogue, b)
    assert row_b == row_a + 1

    def merge(wb):
        wb[sheet].cell(row=row_b, column=COLUMNS["value"]).value = None
        wb[sheet].merge_cells(f"E{row_a}:E{row_b}")

    result, values = run(make_submission(edits=[merge]).parent, ctx)
    assert values.at[a, "value"] == known_values[a]
    assert math.isnan(values.at[b, "value"]) and values.at[b, "status"] == "blank"
    flagged = issues_of(result, "merged_value_cell")
    assert flagged["cell"].tolist() == [f"E{row_b}"]


# ------------------------------------------------------------------------------------------------ values


def test_numbers_typed_as_text_with_vietnamese_separators(make_submission, ctx, catalogue):
    count = first_input(catalogue, 0, 0)
    money = next(i.code for i in catalogue.input_indicators() if not catalogue.is_integer(i.code))
    edit = type_into(catalogue, {count: "7.000", money: "1.234,5"})
    _, values = run(make_submission(edits=[edit]).parent, ctx)
    assert values.at[count, "value"] == 7000
    assert values.at[money, "value"] == 1234.5
    assert values.at[count, "status"] == "text_number"
    assert values.at[count, "raw"] == "7.000"


def test_typed_rate_is_checked_not_stored(make_submission, ctx, catalogue, known_values):
    rate = next(i for i in catalogue.indicators if not i.is_input)
    right = f"{rate.ratio(known_values):.1f}".replace(".", ",") + "%"
    result, values = run(make_submission(edits=[type_into(catalogue, {rate.code: right})]).parent, ctx)
    assert rate.code not in values.index
    assert issues_of(result, "ratio_mismatch").empty


def test_typed_rate_disagreeing_with_figures_is_flagged(make_submission, ctx, catalogue):
    rate = next(i for i in catalogue.indicators if not i.is_input)
    result, _ = run(make_submission(edits=[type_into(catalogue, {rate.code: "12,5%"})]).parent, ctx)
    flagged = issues_of(result, "ratio_mismatch")
    assert flagged["indicator"].tolist() == [rate.code]
    assert "12,5%" in flagged["message"].iloc[0]


@pytest.mark.parametrize(
    ("typed", "value"),
    [("trên 600", 600), ("khoảng 50", 50), ("600 (ước)", 600), ("trên 20 nghìn", 20000)],
)
def test_qualified_numbers_are_flagged_approximate(make_submission, ctx, catalogue, typed, value):
    code = first_input(catalogue, 4, 0)
    result, values = run(make_submission(edits=[type_into(catalogue, {code: typed})]).parent, ctx)
    assert values.at[code, "value"] == value
    assert bool(values.at[code, "approx"]) is True
    assert issues_of(result, "approx_value")["indicator"].tolist() == [code]


def test_dash_word_zero_and_blank_are_told_apart(make_submission, ctx, catalogue):
    codes = [first_input(catalogue, 6, n) for n in range(4)]
    edit = type_into(catalogue, dict(zip(codes, ["-", "không", 0, None], strict=True)))
    _, values = run(make_submission(edits=[edit]).parent, ctx)
    got = values.loc[codes, ["value", "status"]]
    assert got["status"].tolist() == ["zero_dash", "zero_word", "number", "blank"]
    assert got["value"].iloc[:3].tolist() == [0, 0, 0]
    assert math.isnan(got["value"].iloc[3])


def test_unreadable_text_is_an_error_naming_the_cell(make_submission, ctx, catalogue):
    code = first_input(catalogue, 0, 2)
    sheet, row = row_of(catalogue, code)
    result, values = run(make_submission(edits=[type_into(catalogue, {code: "12a3"})]).parent, ctx)
    assert math.isnan(values.at[code, "value"]) and values.at[code, "status"] == "invalid"
    issue = issues_of(result, "invalid_number").iloc[0]
    assert (issue["sheet"], issue["cell"], issue["severity"]) == (sheet, f"E{row}", "error")
    assert "12a3" in issue["message"]


def test_negative_number_is_an_error(make_submission, ctx, catalogue):
    code = first_input(catalogue, 0, 2)
    result, _ = run(make_submission(edits=[type_into(catalogue, {code: -5})]).parent, ctx)
    assert issues_of(result, "negative_value")["indicator"].tolist() == [code]


def _sum_formula(catalogue, total: str) -> tuple[str, str, str]:
    parts = Consistent(catalogue).defining[total]
    sheet, row = row_of(catalogue, total)
    refs = ",".join(f"E{row_of(catalogue, p)[1]}" for p in parts)
    return sheet, f"E{row}", f"=SUM({refs})"


def test_formula_with_cached_value_uses_the_cached_value(make_submission, ctx, catalogue, known_values):
    total = next(iter(Consistent(catalogue).defining))
    sheet, cell, formula = _sum_formula(catalogue, total)
    cached = sum(known_values[p] for p in Consistent(catalogue).defining[total])
    path = make_submission(edits=[lambda wb: wb[sheet].__setitem__(cell, formula)])
    finalise_zip(path, {(sheet, cell): cached}, pd.Timestamp("2021-09-20").to_pydatetime())
    result, values = run(path.parent, ctx)
    assert values.at[total, "value"] == cached
    assert issues_of(result, "formula_no_cache").empty


def test_formula_never_calculated_is_flagged_not_zero(make_submission, ctx, catalogue):
    total = next(iter(Consistent(catalogue).defining))
    sheet, cell, formula = _sum_formula(catalogue, total)
    result, values = run(make_submission(edits=[lambda wb: wb[sheet].__setitem__(cell, formula)]).parent, ctx)
    assert math.isnan(values.at[total, "value"])
    assert values.at[total, "status"] == "formula_no_cache"
    issue = issues_of(result, "formula_no_cache").iloc[0]
    assert (issue["sheet"], issue["cell"], issue["severity"]) == (sheet, cell, "error")


# ---------------------------------------------------------------------------------------- unit and period


def rewrite_lines(unit_line: str | None = None, period_line: str | None = None):
    def edit(wb: Workbook) -> None:
        for ws in wb.worksheets:
            for row in ws.iter_rows(min_row=1, max_row=12):
                for cell in row:
                    text = cell.value
                    if not isinstance(text, str):
                        continue
                    if unit_line is not None and (
                        text.startswith("Đơn vị báo cáo") or text.isupper() and "HUYỆN" in text
                    ):
                        cell.value = unit_line if text.startswith("Đơn vị") else unit_line.upper()
                    elif unit_line is not None and text.startswith("Huyện An Bình"):
                        cell.value = unit_line
                    if period_line is not None and (text.startswith("Kỳ báo cáo") or text == "Quý III/2021"):
                        cell.value = period_line
                    if period_line is not None and ("QUÝ III/2021" in text or "Số liệu tính từ" in text):
                        cell.value = ""
                    if period_line is not None and text.startswith("Từ ngày"):
                        cell.value = ""

    return edit


@pytest.mark.parametrize(
    "unit_line",
    [
        "Đơn vị báo cáo: UBND H. An Bình",
        "Đơn vị báo cáo: huyen an binh",
        unicodedata.normalize("NFD", "Đơn vị báo cáo: Huyện An Bình"),
        "Đơn vị báo cáo:   HUYỆN   AN  BÌNH ",
    ],
)
def test_unit_written_other_ways(make_submission, ctx, unit_line):
    result, _ = run(make_submission(unit_code="an_binh", edits=[rewrite_lines(unit_line=unit_line)]).parent, ctx)
    assert result.tables["submissions"]["unit_code"].tolist() == ["an_binh"]


def test_unit_with_old_tone_placement(make_submission, ctx):
    edit = rewrite_lines(unit_line="Đơn vị báo cáo: TX. Hoà Lạc")
    result, _ = run(make_submission(unit_code="tx_hoa_lac", edits=[edit]).parent, ctx)
    assert result.tables["submissions"]["unit_code"].tolist() == ["tx_hoa_lac"]


@pytest.mark.parametrize(
    "period_line",
    ["Quý III/2021", "Quý 3 năm 2021", "QIII.2021", "Q3-2021", "Kỳ báo cáo: III/2021", "quý III năm 2021"],
)
def test_period_written_other_ways(make_submission, ctx, period_line):
    path = make_submission(name="bao-cao.xlsx", edits=[rewrite_lines(period_line=period_line)])
    result, _ = run(path.parent, ctx)
    submissions = result.tables["submissions"]
    assert submissions["period"].tolist() == ["2021Q3"]
    assert submissions["period_source"].tolist() == ["content"]


def test_period_from_file_name_when_content_has_none(make_submission, ctx):
    path = make_submission(name="BC quy 3-2021.xlsx", edits=[rewrite_lines(period_line="")])
    result, _ = run(path.parent, ctx)
    assert result.tables["submissions"]["period"].tolist() == ["2021Q3"]
    assert len(issues_of(result, "period_from_filename")) == 1


def test_content_period_disagreeing_with_folder_is_flagged(make_submission, ctx, tmp_path):
    path = make_submission(folder=tmp_path / "raw" / "2021Q2")
    result, _ = run(tmp_path / "raw", ctx)
    assert result.tables["submissions"]["period"].tolist() == ["2021Q3"]
    flagged = issues_of(result, "period_mismatch_path")
    assert len(flagged) == 1 and "Quý II/2021" in flagged["message"].iloc[0]
    assert path.exists()


def test_unknown_unit_is_rejected_with_reason(make_submission, ctx):
    edit = rewrite_lines(unit_line="Đơn vị báo cáo: Huyện Không Có")
    path = make_submission(name="bc.xlsx", unit_code="an_binh", edits=[edit])
    result, _ = run(path.parent, ctx)
    row = result.tables["submissions"].iloc[0]
    assert row["status"] == "rejected" and "đơn vị" in row["reason"]


# ----------------------------------------------------------------------------------------- rules


def test_total_disagreeing_with_parts_is_reported_at_the_total(make_submission, ctx, catalogue, known_values):
    import random

    consistent = Consistent(catalogue).repair(dict(known_values), random.Random(1))
    rule = catalogue.rules[0]
    total = rule.left.strip()
    sheet, row = row_of(catalogue, total)
    edit = type_into(catalogue, {total: consistent[total] + 5})
    result, _ = run(make_submission(values=consistent, edits=[edit]).parent, ctx)
    errors = result.tables["issues"].query("severity == 'error'")
    assert errors["rule"].tolist() == [f"rule:{rule.code}"]
    assert errors[["sheet", "cell"]].iloc[0].tolist() == [sheet, f"E{row}"]


def test_consistent_submission_has_no_rule_issues(make_submission, ctx, catalogue, known_values):
    import random

    consistent = Consistent(catalogue).repair(dict(known_values), random.Random(1))
    result, _ = run(make_submission(values=consistent).parent, ctx)
    assert not result.tables["issues"]["rule"].str.startswith("rule:").any()


# ------------------------------------------------------------------------------------- several files


def test_revised_resubmission_latest_report_date_wins(make_submission, ctx, known_values):
    first = make_submission(name="lan1.xlsx", report_date=date(2021, 9, 15))
    revised_values = {k: v + 1000 for k, v in known_values.items()}
    make_submission(name="ban-sua.xlsx", values=revised_values, report_date=date(2021, 9, 20))
    os.utime(first, (2_000_000_000, 2_000_000_000))  # the older version was copied last: file time must not win
    result, values = run(first.parent, ctx)
    subs = result.tables["submissions"].set_index("file")
    assert subs.at["ban-sua.xlsx", "status"] == "accepted"
    assert subs.at["lan1.xlsx", "status"] == "superseded"
    assert subs.at["lan1.xlsx", "superseded_by"] == "ban-sua.xlsx"
    assert_all_known(values, revised_values)


def test_same_report_date_falls_back_to_file_time(make_submission, ctx, known_values):
    older = make_submission(name="a.xlsx", report_date=None)
    newer = make_submission(name="b.xlsx", report_date=None, values={k: v + 1 for k, v in known_values.items()})
    os.utime(older, (1_600_000_000, 1_600_000_000))
    os.utime(newer, (1_600_000_500, 1_600_000_500))
    result, _ = run(older.parent, ctx)
    subs = result.tables["submissions"].set_index("file")
    assert subs["status"].to_dict() == {"a.xlsx": "superseded", "b.xlsx": "accepted"}


def test_broken_file_is_rejected_and_the_others_go_in(make_submission, ctx, known_values):
    good = make_submission(name="good.xlsx")
    (good.parent / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip")
    (good.parent / "notes.xlsx").write_text("chỉ là văn bản", encoding="utf-8")
    (good.parent / "old.xlsb").write_bytes(b"\x00" * 64)
    result, values = run(good.parent, ctx)
    subs = result.tables["submissions"].set_index("file")
    assert subs["status"].to_dict() == {
        "broken.xlsx": "rejected",
        "good.xlsx": "accepted",
        "notes.xlsx": "rejected",
        "old.xlsb": "rejected",
    }
    assert subs.loc[["broken.xlsx", "notes.xlsx", "old.xlsb"], "reason"].str.len().gt(10).all()
    assert_all_known(values, known_values)


def test_excel_lock_files_and_hidden_files_are_not_submissions(make_submission, ctx):
    good = make_submission(name="good.xlsx")
    (good.parent / "~$good.xlsx").write_bytes(b"\x00lock")
    (good.parent / ".~lock.good.xlsx#").write_bytes(b"lock")
    result, _ = run(good.parent, ctx)
    assert result.tables["submissions"]["file"].tolist() == ["good.xlsx"]


def test_any_folder_layout(make_submission, ctx, tmp_path, registry):
    raw = tmp_path / "raw"
    make_submission(name="x.xlsx", unit_code="an_binh", folder=raw / "email" / "thang 10")
    make_submission(name="y.xlsx", unit_code="tan_khe", folder=raw / "usb")
    result, _ = run(raw, ctx)
    subs = result.tables["submissions"]
    assert subs["file"].tolist() == ["email/thang 10/x.xlsx", "usb/y.xlsx"]
    assert subs["unit_code"].tolist() == ["an_binh", "tan_khe"]


def test_raw_files_are_never_modified(make_submission, ctx, tmp_path):
    import hashlib

    make_submission(name="a.xlsx")
    (tmp_path / "raw" / "broken.xlsx").write_bytes(b"garbage")
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime) for p in (tmp_path / "raw").iterdir()}
    from analysis.ingest.run import run_ingest

    run_ingest(tmp_path / "raw", tmp_path / "out", ctx)
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime) for p in (tmp_path / "raw").iterdir()}
    assert before == after


def test_info_sheet_alone_is_not_mistaken_for_data(make_submission, ctx, catalogue):
    def only_info(wb):
        for name in wb.sheetnames:
            if name != INFO_SHEET:
                del wb[name]

    result, _ = run(make_submission(edits=[only_info]).parent, ctx)
    row = result.tables["submissions"].iloc[0]
    assert row["status"] == "rejected"
    assert "chỉ tiêu" in row["reason"]


def test_previous_quarter_column_headed_with_its_period_is_not_read(make_submission, ctx, known_values):
    """A unit puts last quarter's figures, headed "Quý II/2021", left of this quarter's column."""

    def add_previous_quarter(wb):
        for ws in wb.worksheets[1:]:
            ws.protection.sheet = False
            for rng in list(ws.merged_cells.ranges):
                ws.unmerge_cells(str(rng))
            ws.insert_cols(COLUMNS["value"])
            ws.cell(row=10, column=COLUMNS["value"], value="Số liệu")
            ws.cell(row=11, column=COLUMNS["value"], value="Quý II/2021")
            for row in range(FIRST_DATA_ROW, ws.max_row + 1):
                ws.cell(row=row, column=COLUMNS["value"], value=3)

    result, values = run(make_submission(edits=[add_previous_quarter]).parent, ctx)
    assert_all_known(values, known_values)
    assert result.tables["submissions"]["period"].tolist() == ["2021Q3"]
    assert issues_of(result, "period_conflict").empty


def test_note_saying_estimate_flags_the_figure_approximate(make_submission, ctx, catalogue, known_values):
    code = first_input(catalogue, 0, 4)
    sheet, row = row_of(catalogue, code)
    edit = lambda wb: wb[sheet].cell(row=row, column=COLUMNS["note"], value="Số ước tính đến 14/9")  # noqa: E731
    result, values = run(make_submission(edits=[edit]).parent, ctx)
    assert values.at[code, "value"] == known_values[code]
    assert bool(values.at[code, "approx"]) is True
    assert "Số ước tính đến 14/9" in values.at[code, "note"]
    assert values["approx"].sum() == 1


# ------------------------------------------------------------------------------------------------ tables


def test_every_table_has_the_schema_columns_and_dtypes(make_submission, ctx):
    good = make_submission(name="good.xlsx")
    (good.parent / "broken.xlsx").write_bytes(b"garbage")
    only_broken = good.parent.parent / "only_broken"
    only_broken.mkdir()
    (only_broken / "broken.xlsx").write_bytes(b"garbage")
    for folder in (good.parent, only_broken):  # the second: empty values and completeness tables
        tables = ingest(folder, ctx).tables
        for name in schema.TABLES:
            assert dict(tables[name].dtypes.astype(str)) == schema.SCHEMA[name], (folder.name, name)


def _entry(unit, period: str, report_date: date | None, status: str = "accepted") -> Entry:
    sub = Submission(f"{unit.code}-{period}.xlsx", unit=unit, period=Quarter.parse(period), report_date=report_date)
    sub.status = status
    return Entry(sub, offset=0, n_values=3, n_reported=2, n_own=0, own=(0, 0), rules=(0, 0))


def test_completeness_per_quarter_and_unit_follows_each_units_validity(ctx, registry):
    always, until_q2, from_q3 = (dataclasses.replace(u, valid_from=None, valid_to=None) for u in registry.units[:3])
    until_q2 = dataclasses.replace(until_q2, valid_to=Quarter(2021, 2))
    from_q3 = dataclasses.replace(from_q3, valid_from=Quarter(2021, 3))
    units = dataclasses.replace(registry, units=(always, until_q2, from_q3))
    province = dataclasses.replace(ctx.province, first_period=Quarter(2021, 1), deadline_days=7)
    entries = [
        _entry(always, "2021Q2", date(2021, 7, 1)),  # deadline 21/6: late
        _entry(always, "2021Q3", date(2021, 9, 21)),  # deadline 21/9: on time
        _entry(until_q2, "2021Q3", date(2021, 9, 20)),  # no longer expected, yet received: a row, not expected
        _entry(from_q3, "2021Q3", None),
        _entry(from_q3, "2021Q2", date(2021, 6, 20), status="rejected"),  # not a report
    ]
    table = completeness_table(entries, dataclasses.replace(ctx, registry=units, province=province))
    got = table[["period", "unit_code", "expected", "received", "on_time", "status", "deadline"]]
    a, b, c = always.code, until_q2.code, from_q3.code
    expected = [
        ("2021Q1", a, True, False, None, "missing", "2021-03-21"),
        ("2021Q1", b, True, False, None, "missing", "2021-03-21"),
        ("2021Q2", a, True, True, False, "late", "2021-06-21"),
        ("2021Q2", b, True, False, None, "missing", "2021-06-21"),
        ("2021Q3", a, True, True, True, "on_time", "2021-09-21"),
        ("2021Q3", b, False, True, True, "on_time", "2021-09-21"),
        ("2021Q3", c, True, True, None, "received_undated", "2021-09-21"),
    ]
    assert sorted([a, b, c]) == [a, b, c]  # rows go by quarter, then unit code
    assert [tuple(None if pd.isna(v) else v for v in row) for row in got.itertuples(index=False)] == expected
    assert dict(table.dtypes.astype(str)) == schema.SCHEMA["completeness"]
    no_deadline = dataclasses.replace(ctx, registry=units, province=dataclasses.replace(province, deadline_days=None))
    assert set(completeness_table(entries, no_deadline).query("received")["status"]) == {"received"}
