"""The shipped demo province: it ingests, it is as messy as promised, and its 2021Q3 totals match the real report."""

from __future__ import annotations

import functools
import math
import random
import re

import openpyxl
import pandas as pd
import pytest

from analysis.core.config import project_root
from analysis.ingest.numbers import parse_cell
from analysis.ingest.run import ingest

DEMO = project_root() / "data" / "raw" / "demo"


@pytest.fixture(scope="module")
def demo(ctx):
    return ingest(DEMO, ctx)


@pytest.fixture(scope="module")
def manifest() -> pd.DataFrame:
    return pd.read_csv(DEMO / "MANIFEST.csv", dtype=str).fillna("")


def province_total(demo, period: str, indicator: str) -> float:
    values = demo.tables["values"]
    return values.loc[(values["period"] == period) & (values["indicator"] == indicator), "value"].sum()


def test_2021q3_totals_match_the_real_report(demo):
    assert 7000 <= province_total(demo, "2021Q3", "TCD01") <= 7099
    assert 600 <= province_total(demo, "2021Q3", "VP01") <= 609
    assert province_total(demo, "2021Q3", "VP02") == 50
    assert 20000 <= province_total(demo, "2021Q3", "VP04") <= 20999


def test_demo_is_labelled_synthetic():
    readme = (DEMO.parent / "README.md").read_text(encoding="utf-8")
    assert "giả định" in readme and "synthetic" in readme.lower()


def test_every_file_in_the_manifest_is_ingested(demo, manifest):
    subs = demo.tables["submissions"]
    assert sorted(subs["file"]) == sorted(manifest["file"])
    assert (subs["status"] != "rejected").all()


def test_units_and_periods_come_from_content_as_the_manifest_says(demo, manifest):
    subs = demo.tables["submissions"].set_index("file")
    expected = manifest.set_index("file")
    assert (subs.loc[expected.index, "unit_code"] == expected["unit_code"]).all()
    assert (subs.loc[expected.index, "period"] == expected["period"]).all()


def test_quarters_and_units_covered(demo, registry):
    subs = demo.tables["submissions"]
    assert sorted(subs["period"].unique()) == [
        "2020Q1",
        "2020Q2",
        "2020Q3",
        "2020Q4",
        "2021Q1",
        "2021Q2",
        "2021Q3",
    ]
    units = registry.units
    assert sum(u.type == "district" for u in units) == 10 and sum(u.type == "agency" for u in units) == 3


@pytest.mark.parametrize(
    "rule",
    [
        "approx_value",
        "hidden_sheet",
        "merged_value_cell",
        "missing_indicators",
        "period_mismatch_path",
        "superseded",
        "formula_no_cache",
    ],
)
def test_each_messy_case_shows_up_in_issues(demo, rule):
    assert (demo.tables["issues"]["rule"] == rule).any()


def test_a_total_disagrees_with_its_parts(demo):
    assert demo.tables["issues"]["rule"].str.startswith("rule:").any()


def test_statuses_zero_vs_missing_all_present(demo):
    statuses = set(demo.tables["values"]["status"])
    assert {"number", "text_number", "zero_dash", "zero_word", "blank", "formula_no_cache"} <= statuses


def test_formats_xls_xlsm_ods_present(demo):
    suffixes = set(demo.tables["submissions"]["file"].str.rsplit(".", n=1).str[-1])
    assert {"xlsx", "xlsm", "xls", "ods"} <= suffixes


def test_one_late_one_missing_one_resubmission(demo):
    completeness = demo.tables["completeness"]
    assert (completeness["status"] == "late").sum() == 1  # codes of labels.yaml's completeness_status
    assert (completeness["status"] == "missing").sum() == 1
    subs = demo.tables["submissions"]
    superseded = subs[subs["status"] == "superseded"]
    assert len(superseded) == 2
    assert (superseded["superseded_by"] != "").all()


def test_each_unit_and_quarter_has_one_accepted_submission(demo):
    accepted = demo.tables["submissions"].query("status == 'accepted'")
    assert not accepted.duplicated(["unit_code", "period"]).any()


@functools.cache
def _open(path) -> object:
    if path.suffix in (".xlsx", ".xlsm"):
        return openpyxl.load_workbook(path, data_only=True)
    return pd.read_excel(path, sheet_name=None, header=None, engine="calamine")


def _read_cell(path, sheet: str, cell: str) -> object:
    """Independent read of one cell: openpyxl (cached values) for xlsx/xlsm, pandas+calamine otherwise."""
    if path.suffix in (".xlsx", ".xlsm"):
        return _open(path)[sheet][cell].value
    col, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
    frame = _open(path)[sheet]
    col_index = openpyxl.utils.column_index_from_string(col) - 1
    raw = frame.iat[int(row) - 1, col_index] if int(row) - 1 < len(frame) else None
    return None if isinstance(raw, float) and math.isnan(raw) else raw


@pytest.mark.parametrize("period", ["2021Q3", "2021Q1", "2020Q4"])
def test_lineage_each_value_reads_back_from_its_named_cell(demo, period):
    values = demo.tables["values"].query("period == @period")
    for file, rows in values.groupby("source_file"):
        path = DEMO / file
        for row in rows.itertuples():
            raw = _read_cell(path, row.sheet, row.cell)
            parsed = parse_cell(raw).value
            if row.status == "formula_no_cache":
                assert raw is None, (file, row.cell)
            elif math.isnan(row.value):
                assert parsed is None, (file, row.cell, raw)
            else:
                assert parsed == row.value, (file, row.sheet, row.cell, raw, row.value)


# ---------------------------------------------------------------------------------- the scenario as data


def _planned(scenario, catalogue, registry):
    from analysis.core.config import load_province_config
    from analysis.demo.scenario import plan_filings

    return plan_filings(catalogue, registry, load_province_config(), scenario, random.Random(scenario.figures.seed))


def test_the_scenario_plans_the_committed_manifest(catalogue, registry):
    from analysis.demo.generator import manifest_text
    from analysis.demo.scenario import load_scenario

    filings = _planned(load_scenario(), catalogue, registry)
    assert manifest_text(filings) == (DEMO / "MANIFEST.csv").read_text(encoding="utf-8")


def test_2021q3_targets_are_the_scenarios(catalogue, registry):
    from analysis.core.periods import Quarter
    from analysis.demo.scenario import load_scenario

    assert load_scenario().figures.province_totals[Quarter(2021, 3)] == {
        "TCD01": 7048,
        "VP01": 604,
        "VP02": 50,
        "VP04": 20480,
    }


def _scenario_with(tmp_path, old: str, new: str):
    from analysis.demo.scenario import SCENARIO, load_scenario

    text = SCENARIO.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "scenario.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_scenario(path)


def test_an_unknown_edit_kind_is_refused(tmp_path):
    from analysis.demo.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="unknown edit kind 'swap_rowz'"):
        _scenario_with(tmp_path, "kind: swap_rows", "kind: swap_rowz")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("unit: district 10\n    quarter: 2021Q3", "unit: district 11\n    quarter: 2021Q3", "has 10 units"),
        ("unit: district 9\n", "unit: district 10\n", "a case before edits the same file"),
        ("unit: agency 3\n    quarter: 2021Q1", "unit: agency 2\n    quarter: 2020Q2", "the unit files nothing then"),
    ],
)
def test_a_case_needs_one_filing_of_its_own(tmp_path, catalogue, registry, old, new, message):
    from analysis.demo.scenario import ScenarioError

    scenario = _scenario_with(tmp_path, old, new)
    with pytest.raises(ScenarioError, match=message):
        _planned(scenario, catalogue, registry)


def test_units_are_named_by_code_or_role(registry):
    from analysis.demo.scenario import resolve_unit

    assert resolve_unit(registry, "district 1").code == "tp_minh_son"
    assert resolve_unit(registry, "agency 3").code == "so_y_te"
    assert resolve_unit(registry, "an_binh").code == "an_binh"


def test_names_written_other_ways():
    import unicodedata

    from analysis.demo.spelling import decomposed, old_tones, without_marks

    assert without_marks("Thị xã Hòa Lạc") == "Thi xa Hoa Lac"
    assert without_marks("Huyện Đông Phong") == "Huyen Dong Phong"
    assert old_tones("Huyện Thủy Lâm") == unicodedata.normalize("NFC", "Huyện Thuỷ Lâm")
    assert old_tones("hóa đơn, Khỏe, quý, hoàng") == "hoá đơn, Khoẻ, quý, hoàng"
    assert decomposed("Sơn") != "Sơn" and unicodedata.normalize("NFC", decomposed("Sơn")) == "Sơn"
