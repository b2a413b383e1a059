"""Impossible figures (issue 11, item 4): caps per indicator and kind of unit in the catalogue; a figure above its cap
or a negative count is excluded at ingest — its row stays in the values table (status "excluded", raw text, file,
cell) with no value, so totals, comparisons, the narrative and the exports leave it out — and listed as an error
naming the file and cell. A sum that does not add up stays in, marked by its rule's issue.

The fixture: five units report 2021Q2 (clean) and 2021Q3, where
    Huyện An Bình      VP04 = 1e20            (a district: cap 1.000.000 trường hợp) → excluded
    Huyện Tân Khê      VP02 = −50             (negative count)                      → excluded
    Huyện Thủy Lâm     TCD01 = 1e15           (cap 10.000.000 lượt for a district)   → excluded
    Công an tỉnh       VP04 = 2.500.000, PCTN11 = 500.000.000 triệu đồng (agency: large but possible) → kept
    Thành phố Minh Sơn TCD01 = its parts + 7  (the sum does not add up)              → kept, marked
"""

from __future__ import annotations

import math
import re
from datetime import date

import docx
import openpyxl
import pytest

from analysis.catalogue.load import parse_catalogue
from analysis.catalogue.model import CatalogueError
from analysis.catalogue.template import TemplateContext, template_layout
from analysis.compare import comparisons
from analysis.compare.report_data import ReportData
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter
from analysis.exports.docx import write_docx
from analysis.exports.xlsx import write_tables
from analysis.ingest.run import run_ingest
from analysis.narrative.build import build_narrative
from tests.factories import consistent_figures, write_submission

Q2, Q3 = Quarter(2021, 2), Quarter(2021, 3)
UNITS = ("tp_minh_son", "an_binh", "tan_khe", "thuy_lam", "cong_an_tinh")
ATTACKS = {
    "an_binh": {"VP04": 1e20},
    "tan_khe": {"VP02": -50.0},
    "thuy_lam": {"TCD01": 1e15},
    "cong_an_tinh": {"VP04": 2_500_000.0, "PCTN10": 600_000_000.0, "PCTN11": 500_000_000.0},
}


@pytest.fixture(scope="module")
def province(tmp_path_factory, catalogue, registry, ctx):
    root = tmp_path_factory.mktemp("plausibility")
    base = consistent_figures(catalogue, {})
    figures: dict[tuple[str, str], dict[str, float]] = {}
    for q in (Q2, Q3):
        for code in UNITS:
            values = dict(base)
            if q == Q3:
                values |= ATTACKS.get(code, {})
                if code == "tp_minh_son":
                    values["TCD01"] = base["TCD04"] + base["TCD13"] + base["TCD22"] + 7
            figures[(code, q.label)] = values
            context = TemplateContext(registry.province_name, registry.get(code), q, load_province_config().cutoff)
            path = root / "raw" / q.label / f"{q.label}_{code}.xlsx"
            write_submission(path, catalogue, context, values, date(q.year, q.quarter * 3, 20))
    run_ingest(root / "raw", root / "processed", ctx)
    data = ReportData.load(Q3.label, root / "processed")
    return root, data, figures


def _value_row(data, unit: str, code: str):
    v = data.values
    rows = v[(v["unit_code"] == unit) & (v["indicator"] == code) & (v["period"] == Q3.label)]
    assert len(rows) == 1
    return rows.iloc[0]


def _province(data, code: str) -> float:
    p = data.province
    return float(p[(p["period"] == Q3.label) & (p["indicator"] == code)]["value"].iloc[0])


def _issue(data, rule: str, unit: str):
    i = data.issues
    found = i[(i["rule"] == rule) & (i["unit_code"] == unit)]
    assert len(found) == 1, found
    return found.iloc[0]


def _where(catalogue, code: str) -> tuple[str, str]:
    layout = template_layout(catalogue).set_index("indicator")
    return layout.at[code, "sheet"], layout.at[code, "cell"]


def test_a_districts_1e20_is_excluded_and_listed_with_file_and_cell(province, catalogue):
    _, data, figures = province
    row = _value_row(data, "an_binh", "VP04")
    assert math.isnan(row["value"]) and row["status"] == "excluded"
    assert row["raw"] == "100000000000000000000"  # the cell's own digits, never a float's
    assert (row["source_file"], row["sheet"], row["cell"]) == ("2021Q3/2021Q3_an_binh.xlsx", *_where(catalogue, "VP04"))
    issue = _issue(data, "implausible_value", "an_binh")
    assert issue["severity"] == "error" and issue["file"] == "2021Q3/2021Q3_an_binh.xlsx"
    assert (issue["sheet"], issue["cell"]) == _where(catalogue, "VP04")
    assert "không đưa vào tổng hợp" in issue["message"] and "1.000.000" in issue["message"]
    others = sum(figures[(u, Q3.label)]["VP04"] for u in UNITS if u != "an_binh")
    assert _province(data, "VP04") == others  # 3 × base + 2.500.000, by hand from the figures typed


def test_the_police_large_real_counts_pass(province):
    _, data, _ = province
    assert _value_row(data, "cong_an_tinh", "VP04")["value"] == 2_500_000
    assert _value_row(data, "cong_an_tinh", "PCTN11")["value"] == 500_000_000
    issues = data.issues
    assert issues[(issues["unit_code"] == "cong_an_tinh") & (issues["rule"] == "implausible_value")].empty


def test_a_negative_count_is_excluded_from_the_total(province):
    _, data, figures = province
    row = _value_row(data, "tan_khe", "VP02")
    assert math.isnan(row["value"]) and row["status"] == "excluded" and row["raw"] == "-50"
    issue = _issue(data, "negative_value", "tan_khe")
    assert issue["severity"] == "error" and "“-50”" in issue["message"] and "-50.0" not in issue["message"]
    total = _province(data, "VP02")
    assert total == sum(figures[(u, Q3.label)]["VP02"] for u in UNITS if u != "tan_khe") and total >= 0


def test_tcd01_1e15_is_excluded(province):
    _, data, figures = province
    assert _value_row(data, "thuy_lam", "TCD01")["status"] == "excluded"
    assert _issue(data, "implausible_value", "thuy_lam")["indicator"] == "TCD01"
    assert _province(data, "TCD01") == sum(figures[(u, Q3.label)]["TCD01"] for u in UNITS if u != "thuy_lam")
    assert (
        comparisons.unit_values(data.values, data.catalogue)
        .query("unit_code == 'thuy_lam' and indicator == 'TCD01' and period == '2021Q3'")["value"]
        .isna()
        .all()
    )


def test_a_sum_that_does_not_add_up_stays_in_and_is_marked(province):
    _, data, figures = province
    row = _value_row(data, "tp_minh_son", "TCD01")
    assert row["status"] != "excluded" and row["value"] == figures[("tp_minh_son", Q3.label)]["TCD01"]
    issues = data.issues
    marked = issues[(issues["unit_code"] == "tp_minh_son") & issues["rule"].str.startswith("rule:")]
    assert not marked.empty and (marked["period"] == Q3.label).all()


def test_narrative_and_word_draft_leave_the_impossible_out(province, tmp_path):
    _, data, _ = province
    text = " ".join(p.text for p in build_narrative(data, exact=True))
    document = docx.Document(write_docx(data, tmp_path / "bao-cao.docx"))
    text += " ".join(p.text for p in document.paragraphs)
    text += " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "100.000.000.000" not in text and "1.000.000.000.000.000" not in text
    negative = [text[max(0, m.start() - 60) : m.end() + 20] for m in re.finditer(r"(?<![\w/])[-−]\s?\d", text)]
    assert not negative  # no "−3 cơ sở kinh doanh"


def test_excel_table_shows_the_excluded_figure_as_excluded_with_file_and_cell(province, catalogue, tmp_path):
    _, data, _ = province
    ws = openpyxl.load_workbook(write_tables(data, tmp_path / "bang.xlsx"))["05-VP"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    an_binh = next(r for r in rows if r[0] == "VP04" and r[3] == "Huyện An Bình")
    assert an_binh[4] is None
    sheet, cell = _where(catalogue, "VP04")
    assert "bị loại" in an_binh[9] and "2021Q3/2021Q3_an_binh.xlsx" in an_binh[9] and f"{sheet}!{cell}" in an_binh[9]
    numbers = [v for r in rows for v in r[4:9] if isinstance(v, int | float)]
    assert max(numbers) < 1e9


def test_caps_by_kind_of_unit_with_a_default(catalogue):
    assert catalogue.cap("VP04", "district") == 1e6
    assert catalogue.cap("VP04", "agency") == 1e7
    assert catalogue.cap("VP04", "commune") == 1e6  # a commune is at most a former district's size
    assert catalogue.cap("VP04", "village") == 1e7  # a kind without its own cap: the default
    assert catalogue.cap("PCTN11", "agency") == 1e10  # the indicator's own cap replaces its unit's
    assert catalogue.cap("XLD19", "agency") is None  # rates: none


@pytest.mark.parametrize(
    "caps, match",
    [("{city: 5}", "loại đơn vị"), ("{default: -1}", "số dương"), ("{default: .inf}", "số dương"), ("[1]", "bảng")],
)
def test_malformed_caps_are_refused(caps, match):
    text = (
        'version: "t"\nunits_of_measure:\n  - {code: "lượt", integer: true, caps: ' + caps + "}\n"
        'areas:\n  - {code: AA, sheet: "01-AA", title: "A", form: "Biểu 01"}\n'
        'indicators:\n  - {code: AA01, area: AA, number: "1", name: "Tổng", unit: "lượt", aggregation: sum}\n'
        "rules: []\n"
    )
    with pytest.raises(CatalogueError, match=match):
        parse_catalogue(text)
