"""Figures entered by hand (data/manual beside data/raw): each line read and checked on its own, the analyst's
entry winning over a unit's file with a warning that names both, history added with its unit and quarter counted
as reported by hand, and a change to the entries re-writing the tables without parsing any file again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from analysis.compare.report_data import ReportData
from analysis.core.config import load_province_config
from analysis.core.digest import file_sha256
from analysis.core.units import load_units
from analysis.exports.xlsx import write_tables
from analysis.ingest.manual import ManualEntries, read_manual
from analysis.ingest.manual_book import write_entries_book
from analysis.ingest.run import run_ingest
from analysis.ingest.submission import IngestContext
from analysis.views import freshness, problems
from tests.conftest import Q3
from tests.factories import consistent_figures
from tests.small_province import QUARTER, write_province
from tests.test_notebooks import execute, row_of, shown, table_after

HEADER = "Đơn vị,Kỳ báo cáo,Chỉ tiêu,Số liệu,Lý do,Người nhập,Ngày nhập,Văn bản nguồn\n"
# known_values gives TCD01 (the first input indicator of quarter III/2021) the figure 101


def write_csv(folder: Path, lines: list[str], name: str = "nhap-tay.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8-sig")
    return path


def test_a_line_with_unit_by_name_quarter_in_words_and_a_vietnamese_figure(tmp_path, catalogue, registry):
    write_csv(tmp_path / "manual", ["Huyện An Bình,quý III/2021,TCD01,1.250,Gọi điện xác nhận,Lan,15/10/2021,"])
    found = read_manual(tmp_path / "manual", catalogue, registry)
    assert found.issues == ()
    (e,) = found.entries
    assert (e.unit_code, e.period, e.indicator, e.value) == ("an_binh", "2021Q3", "TCD01", 1250.0)
    assert (e.reason, e.entered_by, e.entered_on, e.document) == ("Gọi điện xác nhận", "Lan", "2021-10-15", "")
    assert (e.file, e.sheet, e.cell, e.line) == ("manual/nhap-tay.csv", "", "D2", 2)


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("Huyện Không Có,2021Q3,TCD01,5,Lý do,Lan,15/10/2021,", "không có đơn vị “Huyện Không Có”"),
        ("an_binh,tháng 9,TCD01,5,Lý do,Lan,15/10/2021,", "không đọc được kỳ báo cáo “tháng 9”"),
        ("an_binh,2021Q3,XYZ99,5,Lý do,Lan,15/10/2021,", "không có chỉ tiêu “XYZ99”"),
        ("an_binh,2021Q3,TCD01,năm,Lý do,Lan,15/10/2021,", "số liệu “năm” không phải là một số"),
        ("an_binh,2021Q3,TCD01,-5,Lý do,Lan,15/10/2021,", "số liệu âm “-5”"),
        ("an_binh,2021Q3,TCD01,5,,Lan,15/10/2021,", "thiếu Lý do"),
        ("an_binh,2021Q3,TCD01,5,Lý do,,,", "thiếu Người nhập, Ngày nhập"),
        ("an_binh,2021Q3,TCD01,5,Lý do,Lan,hôm qua,", "không đọc được ngày nhập “hôm qua”"),
        ("an_binh,2012Q3,TCD01,5,Lý do,Lan,15/10/2011,", "quý III/2012 chưa bắt đầu vào ngày nhập 15/10/2011"),
    ],
)
def test_each_wrong_line_is_an_error_naming_its_file_and_line_and_is_left_out(
    tmp_path, catalogue, registry, line, said
):
    write_csv(tmp_path / "manual", ["an_binh,2021Q3,TCD02,7,Lý do,Lan,15/10/2021,", line])
    found = read_manual(tmp_path / "manual", catalogue, registry)
    assert [e.indicator for e in found.entries] == ["TCD02"]  # the good line stays
    (issue,) = found.issues
    assert (issue.file, issue.cell, issue.severity, issue.rule) == (
        "manual/nhap-tay.csv",
        "D3",
        "error",
        "manual_invalid",
    )
    assert said in issue.message and "dòng 3" in issue.message and "bị bỏ qua" in issue.message


def test_a_day_of_entry_as_an_excel_serial_number_and_a_fraction_of_a_count(tmp_path, catalogue, registry):
    wb = Workbook()
    wb.active.append(["Đơn vị", "Kỳ báo cáo", "Chỉ tiêu", "Số liệu", "Lý do", "Người nhập", "Ngày nhập"])
    wb.active.append(["an_binh", "2021Q3", "TCD01", 12.5, "Sửa", "Lan", 44484])  # 15/10/2021 in a General cell
    (tmp_path / "manual").mkdir()
    wb.save(tmp_path / "manual" / "so.xlsx")
    found = read_manual(tmp_path / "manual", catalogue, registry)
    assert found.entries[0].entered_on == "2021-10-15"
    (warning,) = found.issues
    assert (warning.severity, warning.rule) == ("warning", "non_integer") and "có số lẻ 12,5" in warning.message


def test_a_rate_is_refused_it_is_computed_from_its_parts(tmp_path, catalogue, registry):
    rate = next(i for i in catalogue.for_quarter(Q3).indicators if not i.is_input)
    write_csv(tmp_path / "manual", [f"an_binh,2021Q3,{rate.code},50,Lý do,Lan,15/10/2021,"])
    (issue,) = read_manual(tmp_path / "manual", catalogue, registry).issues
    assert "là tỷ lệ" in issue.message


def test_the_same_figure_twice_keeps_the_first_line(tmp_path, catalogue, registry):
    write_csv(
        tmp_path / "manual", ["an_binh,2021Q3,TCD01,5,A,Lan,15/10/2021,", "an_binh,2021Q3,TCD01,6,B,Lan,16/10/2021,"]
    )
    found = read_manual(tmp_path / "manual", catalogue, registry)
    assert [e.value for e in found.entries] == [5.0]
    assert found.issues[0].rule == "manual_duplicate" and "dùng dòng 2" in found.issues[0].message


def test_a_workbook_with_a_title_above_its_english_header(tmp_path, catalogue, registry):
    wb = Workbook()
    ws = wb.active
    ws.title = "Lưu trữ"
    ws.append(["Số liệu lấy từ báo cáo tổng hợp lưu trữ"])
    ws.append([])
    ws.append(["Unit", "Quarter", "Indicator", "Value", "Reason", "Entered by", "Entered on", "Source"])
    ws.append(["Huyện An Bình", "2020Q4", "Tổng số lượt tiếp công dân", 88, "Báo cáo lưu trữ", "Minh", "2021-01-20",
               "Báo cáo số 12/BC-UBND"])  # fmt: skip
    (tmp_path / "manual").mkdir()
    wb.save(tmp_path / "manual" / "luu-tru.xlsx")
    (e,) = read_manual(tmp_path / "manual", catalogue, registry).entries
    assert (e.period, e.indicator, e.value, e.document) == ("2020Q4", "TCD01", 88.0, "Báo cáo số 12/BC-UBND")
    assert (e.sheet, e.cell, e.line) == ("Lưu trữ", "D4", 4)


def test_a_file_without_the_header_says_which_columns_it_needs(tmp_path, catalogue, registry):
    (tmp_path / "manual").mkdir()
    (tmp_path / "manual" / "ghi-chu.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (issue,) = read_manual(tmp_path / "manual", catalogue, registry).issues
    assert issue.rule == "manual_no_header" and "Đơn vị, Kỳ báo cáo, Chỉ tiêu, Số liệu" in issue.message


def test_a_csv_not_in_utf8_says_how_to_save_it(tmp_path, catalogue, registry):
    (tmp_path / "manual").mkdir()
    (tmp_path / "manual" / "cu.csv").write_bytes(HEADER.encode("cp1258", errors="replace"))
    (issue,) = read_manual(tmp_path / "manual", catalogue, registry).issues
    assert issue.rule == "manual_unreadable" and "CSV UTF-8" in issue.message


def test_the_book_to_type_into_reads_back_what_is_typed_and_nothing_when_empty(tmp_path, catalogue, registry):
    write_entries_book(tmp_path / "manual" / "trong.xlsx")
    empty = read_manual(tmp_path / "manual", catalogue, registry)
    assert (empty.entries, empty.issues, empty.digest) == ((), (), ManualEntries().digest)
    row = {"unit": "Huyện An Bình", "period": "III/2021", "indicator": "TCD02", "value": 40, "reason": "Sửa",
           "entered_by": "Lan", "entered_on": datetime(2021, 10, 15)}  # fmt: skip
    write_entries_book(tmp_path / "manual" / "trong.xlsx", [row])
    (e,) = read_manual(tmp_path / "manual", catalogue, registry).entries
    assert (e.period, e.indicator, e.value, e.entered_on, e.cell) == ("2021Q3", "TCD02", 40.0, "2021-10-15", "D2")


# --- against the units' files


@pytest.fixture
def one_file(make_submission, tmp_path):
    """An Bình's file for quarter III/2021 (TCD01 = 101, TCD02 = 105 …) in tmp_path/raw."""
    make_submission("an_binh.xlsx", unit_code="an_binh")
    return tmp_path / "raw"


def _figure(tables, unit: str, period: str, code: str):
    v = tables["values"]
    return v[(v["unit_code"] == unit) & (v["period"] == period) & (v["indicator"] == code)]


def test_an_entry_differing_from_the_units_file_wins_and_the_conflict_names_both(one_file, tmp_path, ctx):
    write_csv(tmp_path / "manual", ["an_binh,2021Q3,TCD01,125,Đơn vị báo sửa qua điện thoại,Lan,15/10/2021,"])
    tables = run_ingest(one_file, tmp_path / "out", ctx, workers=1).tables
    (row,) = _figure(tables, "an_binh", "2021Q3", "TCD01").itertuples()
    assert (row.value, row.status, row.source_file, row.cell) == (125.0, "manual", "manual/nhap-tay.csv", "D2")
    issues = tables["issues"]
    (conflict,) = issues[issues["rule"] == "manual_conflict"].itertuples()
    assert conflict.file == "manual/nhap-tay.csv" and conflict.severity == "warning"
    assert "125 khác số liệu đơn vị báo cáo 101 (tệp an_binh.xlsx, ô" in conflict.message
    (m,) = tables["manual"].itertuples()
    assert (m.outcome, m.unit_value, m.unit_file) == ("replaced", 101.0, "an_binh.xlsx")
    other = _figure(tables, "an_binh", "2021Q3", "TCD04")
    assert other["status"].tolist() == ["number"]  # the file's other figures stay


def test_an_entry_equal_to_the_units_file_keeps_the_files_lineage(one_file, tmp_path, ctx):
    write_csv(tmp_path / "manual", ["an_binh,2021Q3,TCD01,101,Kiểm tra lại,Lan,15/10/2021,"])
    tables = run_ingest(one_file, tmp_path / "out", ctx, workers=1).tables
    (row,) = _figure(tables, "an_binh", "2021Q3", "TCD01").itertuples()
    assert (row.status, row.source_file) == ("number", "an_binh.xlsx")
    issues = tables["issues"]
    assert "có thể xóa dòng nhập tay này" in issues.loc[issues["rule"] == "manual_same", "message"].item()
    assert tables["manual"]["outcome"].tolist() == ["same"]


def test_history_by_hand_adds_figures_and_counts_as_reported_by_hand(one_file, tmp_path, ctx):
    write_csv(tmp_path / "manual", ["an_binh,2021Q2,TCD01,90,Báo cáo lưu trữ,Lan,15/10/2021,Báo cáo 5/BC"])
    tables = run_ingest(one_file, tmp_path / "out", ctx, workers=1).tables
    assert _figure(tables, "an_binh", "2021Q2", "TCD01")["value"].tolist() == [90.0]
    c = tables["completeness"]
    (row,) = c[(c["unit_code"] == "an_binh") & (c["period"] == "2021Q2")].itertuples()
    assert (row.received, row.status, row.source_file, row.indicators_reported) == (
        True, "manual", "manual/nhap-tay.csv", 1
    )  # fmt: skip
    v = tables["values"]
    assert v["period"].is_monotonic_increasing  # the quarter's rows come before III/2021's


def test_changing_the_entries_rewrites_the_tables_without_parsing_and_never_writes_a_raw_file(one_file, tmp_path, ctx):
    raw_file = one_file / "an_binh.xlsx"
    before = file_sha256(raw_file)
    out = tmp_path / "out"
    run_ingest(one_file, out, ctx, workers=1)
    path = write_csv(tmp_path / "manual", ["an_binh,2021Q3,TCD01,125,Sửa,Lan,15/10/2021,"])
    assert freshness.check(out, one_file).manual_changed
    result = run_ingest(one_file, out, ctx, workers=1)
    assert (result.run.parsed, result.run.changed) == (0, True)
    assert _figure(result.tables, "an_binh", "2021Q3", "TCD01")["value"].tolist() == [125.0]
    assert not freshness.check(out, one_file).stale
    again = run_ingest(one_file, out, ctx, workers=1)
    assert not again.run.changed  # nothing changed: nothing written
    path.unlink()
    result = run_ingest(one_file, out, ctx, workers=1)
    assert _figure(result.tables, "an_binh", "2021Q3", "TCD01")["value"].tolist() == [101.0]
    assert file_sha256(raw_file) == before


# --- shown: the quality page, the unit's page, the province's note and the Excel row (the small province of
# test_notebooks: An Bình reports TCD01 = 200 in 2021Q3, 150 in 2021Q2, 180 in 2020Q3; the province 600)


@pytest.fixture(scope="module")
def by_hand(tmp_path_factory, catalogue):
    """The small province with An Bình's 2021Q3 TCD01 entered by hand as 210 (its file says 200)."""
    root = tmp_path_factory.mktemp("tinh-nho-nhap-tay")
    province = write_province(root, catalogue)
    write_csv(root / "manual", ["an_binh,quý III/2021,TCD01,210,Đơn vị báo sửa,Lan,15/10/2021,Công văn 7/UBND"])
    registry = load_units(province.config / "units.yaml")
    settings = load_province_config(province.config / "province.yaml")
    run_ingest(province.raw, province.processed, IngestContext.load(catalogue, registry, settings), workers=1)
    return province


@pytest.mark.slow
def test_pages_show_the_entry_with_its_reason_and_the_units_figure(by_hand, tmp_path):
    quality = execute(by_hand, "01-chat-luong-du-lieu.ipynb", tmp_path / "q.ipynb", quarter=QUARTER,
                      processed_dir=str(by_hand.processed), figures_dir=str(tmp_path))  # fmt: skip
    row = row_of(table_after(quality, "## Số liệu nhập tay"), "Huyện An Bình")
    assert (row["Kỳ"], row["Số liệu"]) == ("quý III/2021", "210")
    assert row["Lý do"] == "Đơn vị báo sửa (theo Công văn 7/UBND)"
    assert row["Người nhập"] == "Lan, 15/10/2021; manual/nhap-tay.csv, dòng 2"
    assert row["Tình trạng"].startswith("thay số liệu của đơn vị: 200 (tệp 2021Q3/")
    unit = execute(by_hand, "04-ho-so-don-vi.ipynb", tmp_path / "u.ipynb", quarter=QUARTER, unit="an_binh",
                   processed_dir=str(by_hand.processed), figures_dir=str(tmp_path))  # fmt: skip
    tcd = row_of(table_after(unit, "## Kết quả tiếp công dân"), "Tổng số lượt tiếp công dân")
    assert (tcd["Quý III/2021"], tcd["So với quý II/2021"]) == ("210", "tăng 40,0%")  # 150 → 210
    assert tcd["So với cùng kỳ năm 2020"] == "tăng 16,7%"  # 180 → 210
    assert (
        "Số liệu nhập tay: Tổng số lượt tiếp công dân quý III/2021: 210 lượt — Đơn vị báo sửa "
        "(Lan nhập ngày 15/10/2021, theo Công văn 7/UBND)."
    ) in shown(unit)
    overview = execute(by_hand, "02-tong-quan-tinh.ipynb", tmp_path / "o.ipynb", quarter=QUARTER,
                       processed_dir=str(by_hand.processed), figures_dir=str(tmp_path))  # fmt: skip
    assert (
        row_of(table_after(overview, "## Kết quả tiếp công dân"), "Tổng số lượt tiếp công dân")["Quý III/2021"] == "610"
    )
    assert "Số liệu toàn tỉnh gồm 1 số liệu nhập tay của 1 đơn vị" in shown(overview)


def test_the_excel_row_of_the_entry_says_it_was_entered_by_hand(by_hand, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_CONFIG", str(by_hand.config))
    data = ReportData.load(QUARTER, by_hand.processed)
    book = load_workbook(write_tables(data, tmp_path / "bang.xlsx"))
    notes = [c.value for ws in book for row in ws.iter_rows() for c in row if "nhập tay" in str(c.value or "")]
    assert notes == ["số liệu nhập tay: Đơn vị báo sửa (Lan nhập ngày 15/10/2021, theo Công văn 7/UBND)"]


def test_a_total_fixed_by_hand_is_no_longer_a_rule_error_of_the_units_file(make_submission, tmp_path, ctx, catalogue):
    rule = next(r for r in catalogue.for_quarter(Q3).rules if r.code and r.left == "TCD01")
    parts = [c.strip() for c in rule.right.split("+")]  # TCD01 = TCD04 + TCD13 + TCD22
    figures = consistent_figures(catalogue.for_quarter(Q3), {"TCD01": 60})
    make_submission("an_binh.xlsx", unit_code="an_binh", values=figures | {"TCD01": 600})  # a zero typed twice
    out = tmp_path / "out"
    issues = run_ingest(tmp_path / "raw", out, ctx, workers=1).tables["issues"]
    assert f"rule:{rule.code}" in set(issues["rule"])
    write_csv(tmp_path / "manual", ["an_binh,2021Q3,TCD01,60,Gõ thừa số 0,Lan,15/10/2021,"])
    tables = run_ingest(tmp_path / "raw", out, ctx, workers=1).tables
    assert f"rule:{rule.code}" not in set(tables["issues"]["rule"])
    assert sum(figures[c] for c in parts) == 60
    assert tables["submissions"]["n_errors"].tolist() == [0]


def test_a_rule_broken_by_a_hand_entry_names_its_line(make_submission, tmp_path, ctx, catalogue):
    figures = consistent_figures(catalogue.for_quarter(Q3), {"TCD01": 60})
    make_submission("an_binh.xlsx", unit_code="an_binh", values=figures)
    write_csv(tmp_path / "manual", ["an_binh,2021Q3,TCD01,999,Sửa,Lan,15/10/2021,"])
    issues = run_ingest(tmp_path / "raw", tmp_path / "out", ctx, workers=1).tables["issues"]
    broken = issues[issues["rule"].str.startswith("rule:")]
    assert len(broken) and all("(gồm số liệu nhập tay: manual/nhap-tay.csv dòng 2)" in m for m in broken["message"])


def test_a_wrong_line_is_listed_at_the_end_of_the_run_with_what_to_do(one_file, tmp_path, ctx, registry):
    write_csv(tmp_path / "manual", ["an_binh,2021Q3,TCD01,năm,Sửa,Lan,15/10/2021,"])
    tables = run_ingest(one_file, tmp_path / "out", ctx, workers=1).tables
    lines = problems.console_lines(tables["submissions"], tables["issues"], registry, "2021Q3")
    c = problems.counts(tables["submissions"], tables["issues"], "2021Q3")
    assert c.errors - c.data_errors == 1  # the line; the others are the file's (its figures keep no rule)
    said = "\n".join(lines)
    assert "manual/nhap-tay.csv D2 (Số liệu nhập tay): Số liệu nhập tay, dòng 2: số liệu “năm”" in said
    assert "Sửa dòng này trong tệp số liệu nhập tay (data/manual" in said


def test_freshness_reads_the_entries_ingest_read_when_the_raw_folder_is_a_link(make_submission, tmp_path, ctx):
    make_submission("an_binh.xlsx", unit_code="an_binh", folder=tmp_path / "o-mang" / "raw")
    (tmp_path / "ws" / "data").mkdir(parents=True)
    (tmp_path / "ws" / "data" / "raw").symlink_to(tmp_path / "o-mang" / "raw")  # a shared drive
    write_csv(tmp_path / "ws" / "data" / "manual", ["an_binh,2021Q3,TCD01,125,Sửa,Lan,15/10/2021,"])
    out = tmp_path / "ws" / "data" / "processed"
    run_ingest(tmp_path / "ws" / "data" / "raw", out, ctx, workers=1)
    assert not freshness.check(out).stale  # the raw folder from the cache (resolved), the entries it recorded


def test_an_impossible_figure_fixed_by_hand_quotes_what_the_unit_wrote(make_submission, tmp_path, ctx, known_values):
    make_submission("an_binh.xlsx", unit_code="an_binh", values=known_values | {"TCD01": 1e20})
    write_csv(tmp_path / "manual", ["an_binh,2021Q3,TCD01,101,Gõ nhầm,Lan,15/10/2021,"])
    issues = run_ingest(tmp_path / "raw", tmp_path / "out", ctx, workers=1).tables["issues"]
    (said,) = issues.loc[issues["rule"] == "manual_conflict", "message"]
    assert "khác số liệu đơn vị báo cáo “100000000000000000000” (không dùng được)" in said
