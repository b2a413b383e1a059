"""ReportData.load gives the same object back while its sources are unchanged (one kernel, many notebooks)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis.compare.report_data import ParameterError, ReportData
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
