"""ReportData.load gives the same object back while its sources are unchanged (one kernel, many notebooks)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis.compare.report_data import ParameterError, ReportData, parse_quarter_parameter
from analysis.ingest.run import run_ingest

DEMO = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo"


@pytest.fixture(scope="module")
def processed(tmp_path_factory, ctx) -> Path:
    folder = tmp_path_factory.mktemp("processed")
    run_ingest(DEMO, folder, ctx)
    return folder


def test_loading_again_reuses_the_computed_data(processed):
    first = ReportData.load("2021Q3", processed)
    comparison = first.unit_comparison  # computed once ...
    again = ReportData.load("2021Q3", str(processed))
    assert again is first and again.unit_comparison is comparison  # ... and not again by the next notebook


def test_forgotten_data_are_read_again(processed):
    first = ReportData.load("2021Q3", processed)
    ReportData.forget()  # a report worker after its export: it keeps no copy of the data
    again = ReportData.load("2021Q3", processed)
    assert again is not first and again.quarter == first.quarter


def test_another_quarter_or_folder_is_loaded_afresh(processed, tmp_path):
    first = ReportData.load("2021Q3", processed)
    other_quarter = ReportData.load("2021Q2", processed)
    assert other_quarter is not first and other_quarter.quarter.label == "2021Q2"
    copy = tmp_path / "copy"
    shutil.copytree(processed, copy)
    assert ReportData.load("2021Q3", copy) is not ReportData.load("2021Q3", processed)


def test_rewritten_tables_are_read_again(processed, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(processed, copy)
    first = ReportData.load("2021Q3", copy)
    values = copy / "values.parquet"
    st = values.stat()
    os.utime(values, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # a new ingest wrote it
    assert ReportData.load("2021Q3", copy) is not first


def test_an_unknown_quarter_is_still_refused_after_a_load(processed):
    ReportData.load("2021Q3", processed)
    with pytest.raises(ParameterError, match="2019Q1"):
        ReportData.load("2019Q1", processed)


def test_periods_run_from_the_first_quarter_in_the_data(processed):
    data = ReportData.load("2021Q3", processed)
    assert data.periods[0] == "2020Q1" and data.periods[-1] == "2021Q3" and len(data.periods) == 7


@pytest.mark.parametrize("spelling", ["quý III/2021", "III/2021", "Q3/2021", "2021-Q3"])
def test_the_quarter_parameter_takes_the_ways_people_write_it(spelling):
    assert parse_quarter_parameter(spelling, ["2021Q2", "2021Q3"]).label == "2021Q3"


def test_a_misspelt_quarter_parameter_lists_the_spellings_and_the_quarters_with_data():
    with pytest.raises(ParameterError) as info:
        parse_quarter_parameter("quý 9/2021", ["2021Q2", "2021Q3"])
    message = str(info.value)
    assert message.startswith("Kỳ báo cáo không hợp lệ: 'quý 9/2021'. Viết kỳ theo một trong các dạng: 2021Q3,")
    assert message.endswith("Các kỳ có số liệu: 2021Q2, 2021Q3")


def test_a_quarter_without_data_is_named_in_words():
    with pytest.raises(ParameterError, match=r"'2030Q1' \(quý I/2030\)\. Các kỳ có số liệu: 2021Q3$"):
        parse_quarter_parameter("2030Q1", ["2021Q3"])
