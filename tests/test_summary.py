"""Nothing missed (issue 11, item 18): `ingest` and `report` end with the counts, every rejected file and the errors
(file, unit guessed from the name, reason, what to do); the index and the quality page count every error and list
rejected files in their own table first.

The trial, as an analyst ran it: beside good files, a random workbook and a Word file renamed `.xlsx`. Here, by hand:

    file                           status    errors
    2021Q3_an_binh.xlsx            accepted  0       all zeros, rule-consistent
    2021Q3_thuy_lam.xlsx           accepted  1       TCD01 = −5 (negative_value)
    2021Q3_thuy_lam_bosung.xlsx    rejected  1       a Word document: not a workbook (unreadable_file)
    so_lieu_khac.xlsx              rejected  1       a workbook without any indicator (no_indicators)

so 4 files, 2 rejected, 3 errors of which 1 in a file used for the figures. Before, the index said "1 lỗi" and
the rejected files showed only among the unused ones.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup

import analysis.report.build as build
from analysis.cli import main
from analysis.compare.report_data import ReportData
from analysis.core.periods import Quarter
from analysis.report import index_page
from analysis.views import problems, quality

QUARTER = "2021Q3"
COUNT_LINE = "Tổng cộng: 4 tệp, 2 tệp bị từ chối, 3 lỗi (1 lỗi số liệu trong tệp được sử dụng), 0 cảnh báo."
WORD = "2021Q3_thuy_lam_bosung.xlsx"
RANDOM = "so_lieu_khac.xlsx"


@pytest.fixture
def raw(make_submission, catalogue, tmp_path) -> Path:
    folder = tmp_path / "raw"
    zeros = {ind.code: 0.0 for ind in catalogue.input_indicators()}
    make_submission("2021Q3_an_binh.xlsx", "an_binh", Quarter(2021, 3), zeros, report_date=date(2021, 9, 20))
    make_submission("2021Q3_thuy_lam.xlsx", "thuy_lam", Quarter(2021, 3), {**zeros, "TCD01": -5.0})
    book = openpyxl.Workbook()
    book.active["B3"], book.active["C7"] = 42, "xin chào"
    book.save(folder / RANDOM)
    word = docx.Document()
    word.add_paragraph("Báo cáo bổ sung quý III")
    word.save(folder / WORD)
    return folder


@pytest.fixture
def ingested(raw, tmp_path, capsys) -> tuple[Path, str]:
    out = tmp_path / "processed"
    assert main(["ingest", "--raw", str(raw), "--out", str(out)]) == 0
    return out, capsys.readouterr().out


def test_the_fixture_is_as_counted_by_hand(ingested):
    issues = pd.read_parquet(ingested[0] / "issues.parquet")
    errors = issues[issues["severity"] == "error"].set_index("file")["rule"].to_dict()
    assert errors == {"2021Q3_thuy_lam.xlsx": "negative_value", WORD: "unreadable_file", RANDOM: "no_indicators"}


def test_ingest_ends_with_counts_rejected_files_and_errors(ingested):
    out = ingested[1]
    assert COUNT_LINE in out
    assert "Tệp bị từ chối (2)" in out
    assert f"  - {WORD} — đơn vị: Huyện Thủy Lâm (đoán theo tên tệp)" in out
    assert f"  - {RANDOM} — đơn vị: Không rõ" in out
    assert "Lý do: Tệp này là văn bản Word (.docx) nhưng mang đuôi .xlsx" in out  # a Word file renamed
    assert "Lý do: Không tìm thấy chỉ tiêu nào của mẫu biểu" in out
    assert "Cách xử lý: Tệp không theo mẫu biểu" in out
    assert "Lỗi số liệu cần xem lại (1; đầy đủ trong issues.csv):" in out
    assert "  - 2021Q3_thuy_lam.xlsx" in out and "số âm" in out


def test_report_ends_with_the_quarters_problems(ingested, tmp_path, monkeypatch, capsys):
    processed, _ = ingested
    folder = tmp_path / "reports" / QUARTER

    def fake_build(quarter, **kwargs):  # the pages are not what this test is about
        assert kwargs["processed_dir"] == processed and kwargs["workers"] >= 1
        return build.ReportResult(folder, [], reingested=False)

    monkeypatch.setattr(build, "build_report", fake_build)
    argv = ["report", "--quarter", QUARTER, "--processed", str(processed), "--out", str(tmp_path / "reports")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Đã lập 0/0 trang báo cáo" in out
    assert COUNT_LINE in out
    assert WORD in out and RANDOM in out and "Cách xử lý" in out


def test_the_index_counts_every_error_and_lists_rejected_files_first(ingested):
    data = ReportData.load(QUARTER, ingested[0])
    soup = BeautifulSoup(index_page.render(data, [], datetime(2021, 10, 1, 8, 0)), "html.parser")
    boxes = {box.get_text(" ", strip=True).split(" ", 1)[1]: box.b.get_text() for box in soup.select("div.o")}
    assert boxes["lỗi cần xem lại"] == "3"
    assert boxes["tệp bị từ chối"] == "2"
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert headings[:4] == [
        "Tình hình nộp báo cáo",
        "Tệp bị từ chối (2) — số liệu không được tính",
        "Lỗi số liệu cần xem lại (1)",
        "Các trang báo cáo",
    ]
    rejected = soup.find("h2", string=headings[1]).find_next("table")
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in rejected.tbody.find_all("tr")]
    assert [(r[0], r[1]) for r in rows] == [(WORD, "Huyện Thủy Lâm (đoán theo tên tệp)"), (RANDOM, "Không rõ")]
    assert all(r[2] and r[3] for r in rows)  # a reason and what to do


def test_the_quality_page_counts_every_error_and_has_a_rejected_table(ingested):
    data = ReportData.load(QUARTER, ingested[0])
    summary = quality.summary(data)
    assert (summary["errors"], summary["rejected"], summary["data_errors"]) == (3, 2, 1)
    assert "phát hiện 3 lỗi (trong đó 2 tệp bị từ chối" in quality.summary_text(data)
    assert list(quality.rejected_files(data)[problems.FILE]) == [WORD, RANDOM]
    assert quality.file_status_table(data).empty  # rejected files are no longer among the replaced ones
    errors = quality.issue_list(data, "error")
    assert list(errors["Tệp"]) == ["2021Q3_thuy_lam.xlsx"] and errors[problems.ACTION].iloc[0].startswith("Số liệu")


def test_an_unknown_rule_still_says_what_to_do():
    assert problems.what_to_do("rule:TCD-01") == problems.what_to_do("rule:XLD-07") != problems.what_to_do("x")
    assert problems.what_to_do("a_rule_added_later")  # the default words
