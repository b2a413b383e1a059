"""Catalogue versions (issue 13): the form set of each circular, the quarters it governs, concepts across versions,
the quarter's forms at ingest, and comparisons refused across a changed definition."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from analysis.catalogue.concepts import concept_table
from analysis.catalogue.load import with_versions
from analysis.catalogue.model import CatalogueError
from analysis.catalogue.template import TemplateContext, build_template
from analysis.cli import main
from analysis.compare.change import describe
from analysis.compare.comparability import FORM_CHANGED, judge
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter
from analysis.ingest.run import ingest
from analysis.ingest.submission import IngestContext
from analysis.views.wording import change_text, comparison_clause
from tests.factories import write_submission

Q = Quarter.parse


# ------------------------------------------------------------------------------------------------ which version


@pytest.mark.parametrize(
    ("quarter", "version"),
    [
        ("2020Q1", "2021.1"),  # the earliest version reads every older quarter
        ("2021Q2", "2021.1"),  # TT 02/2021 in force 10/5/2021: within 15/3–14/6/2021
        ("2023Q4", "2021.1"),
        ("2024Q1", "2024.1"),  # TT 01/2024 in force 05/3/2024: within 15/12/2023–14/3/2024
        ("2025Q3", "2024.1"),  # 15/6–14/9/2025 closed before TT 06/2025 took effect
        ("2025Q4", "2025.1"),  # TT 06/2025 in force 30/9/2025: within 15/9–14/12/2025
        ("2026Q3", "2025.1"),
    ],
)
def test_the_quarter_picks_the_version(catalogue, quarter, version):
    assert catalogue.for_quarter(Q(quarter)).version == version


def test_every_version_starts_in_the_quarter_holding_its_in_force_date(catalogue):
    starts = {v.code: (v.basis.in_force, v.first_quarter.label) for v in catalogue.versions.items}
    assert starts == {
        "2021.1": (date(2021, 5, 10), "2021Q2"),
        "2024.1": (date(2024, 3, 5), "2024Q1"),
        "2025.1": (date(2025, 9, 30), "2025Q4"),
    }


def _versions_yaml(first_quarter: str) -> str:
    raw = {
        "versions": [
            {
                "code": "t.1",
                "title": "Thử",
                "basis": {
                    "document": "TT",
                    "signed": date(2024, 1, 20),
                    "in_force": date(2024, 3, 5),
                    "source": "thử",
                    "status": "official",
                },  # fmt: skip
                "first_quarter": first_quarter,
                "forms": [
                    {
                        "area": "TCD",
                        "code": "01/TCD",
                        "title": "T",
                        "layout": {"source": "s", "checked": True},
                        "concepts": ["TCD01"],
                    }
                ],  # fmt: skip
            }
        ]
    }
    return yaml.safe_dump(raw, allow_unicode=True)


def test_a_first_quarter_against_the_rule_is_refused(catalogue):
    tcd_only = catalogue.__class__(
        "t", catalogue.areas[:1], catalogue.indicators_in("TCD"), (), catalogue.units_of_measure
    )
    assert with_versions(tcd_only, _versions_yaml("2024Q1")).versions.items[0].first_quarter == Q("2024Q1")
    with pytest.raises(CatalogueError, match=r"'first_quarter' 2024Q2 trái quy tắc.*05/03/2024 thuộc quý I/2024"):
        with_versions(tcd_only, _versions_yaml("2024Q2"))


# ------------------------------------------------------------------------------------------------ concepts


def test_concepts_continue_start_change_and_end(catalogue):
    versions = catalogue.versions
    assert versions.comparable("TCD01", Q("2025Q4"), Q("2025Q3"))  # 01/TCD column 1 in all three
    assert versions.comparable("XLD05", Q("2024Q1"), Q("2023Q1"))  # column 9 → column 6, the same definition
    assert not versions.comparable("XLD20", Q("2024Q1"), Q("2023Q4"))  # new in 2024.1
    assert versions.comparable("XLD20", Q("2025Q4"), Q("2024Q4"))
    assert not versions.comparable("PCTN01", Q("2025Q4"), Q("2025Q3"))  # 01/PCTN rebuilt by TT 06/2025
    assert not versions.comparable("PCTN01", Q("2026Q3"), Q("2025Q3"))
    assert versions.comparable("PCTN01", Q("2026Q4"), Q("2025Q4"))  # both under the new definition
    assert not versions.comparable("VP01", Q("2024Q1"), Q("2023Q1"))  # COVID-19 left the province's form in 2024
    assert versions.series_start("PCTN01", Q("2026Q1")) == Q("2025Q4")
    assert versions.series_start("XLD20", Q("2026Q1")) == Q("2024Q1")
    assert versions.series_start("TCD01", Q("2026Q1")) is None  # unbroken since the earliest version


def test_the_concept_table_says_where_each_version_keeps_a_concept(catalogue):
    table = concept_table(catalogue).set_index(["concept", "version"])
    assert tuple(table.loc[("XLD05", "2021.1"), ["form", "column", "status"]]) == ("01/XLD", "9", "first")
    assert tuple(table.loc[("XLD05", "2024.1"), ["form", "column", "status"]]) == ("01/XLD", "6", "same")
    assert tuple(table.loc[("XLD02", "2021.1"), ["form", "column"]]) == ("01/XLD", "2+3+4")  # by signer, summed
    assert table.loc[("XLD20", "2021.1"), "status"] == "absent"
    assert tuple(table.loc[("XLD20", "2024.1"), ["column", "status"]]) == ("5", "new")
    assert table.loc[("VP01", "2024.1"), "status"] == "ended"
    assert table.loc[("PCTN05", "2025.1"), "status"] == "changed"
    assert "xây dựng lại" in table.loc[("PCTN05", "2025.1"), "reason"]
    assert table.loc[("TCD29", "2025.1"), "column"] == "29"


# ------------------------------------------------------------------------------------------------ templates


def _template(catalogue, registry, quarter: str, tmp_path):
    context = TemplateContext(
        registry.province_name, registry.get("an_binh"), Q(quarter), load_province_config().cutoff
    )
    path = tmp_path / f"{quarter}.xlsx"
    build_template(catalogue, context).save(path)
    return load_workbook(path)


def test_templates_of_two_versions_print_different_forms(catalogue, registry, tmp_path):
    before, after = (_template(catalogue, registry, q, tmp_path) for q in ("2024Q2", "2026Q1"))
    assert (before["02-XLD"]["A4"].value, after["02-XLD"]["A4"].value) == ("Biểu số 01/XLD", "Biểu số 02/XLD")
    assert (before["03-GQ"]["A4"].value, after["03-GQ"]["A4"].value) == (
        "Biểu số 01/KQGQ, 03/KQGQ",
        "Biểu số 03/GQKN, 04/GQTC",
    )
    codes_2021 = [c.value for c in _template(catalogue, registry, "2021Q3", tmp_path)["05-VP"]["B"]]
    codes_2024 = [c.value for c in before["05-VP"]["B"]]
    assert "VP01" in codes_2021 and "VP01" not in codes_2024
    assert "XLD20" in [c.value for c in before["02-XLD"]["B"]]


@pytest.mark.parametrize("quarter", ["2024Q2", "2026Q1"])
def test_any_quarters_template_can_be_filled_from_the_indicators_listing(
    capsys, registry, catalogue, tmp_path, quarter
):
    assert main(["indicators", "--format", "csv", "--quarter", quarter]) == 0
    listing = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    inputs = listing[listing["is_input"] == "True"]
    context = TemplateContext(
        registry.province_name, registry.get("an_binh"), Q(quarter), load_province_config().cutoff
    )
    wb = build_template(catalogue, context)
    typed = {}
    for i, row in enumerate(inputs.itertuples(index=False)):  # by the listing's sheet and cell only
        typed[row.code] = float(201 + i)
        wb[row.sheet][row.cell].value = typed[row.code]
    raw = tmp_path / "raw"
    raw.mkdir()
    wb.save(raw / "an_binh.xlsx")
    ctx = IngestContext.load(catalogue, registry)
    values = ingest(raw, ctx).tables["values"].set_index("indicator")["value"].to_dict()
    assert values == typed


# ------------------------------------------------------------------------------------------------ ingest


def _issues(result, rule: str) -> pd.DataFrame:
    issues = result.tables["issues"]
    return issues[issues["rule"] == rule]


def test_a_2021_form_sent_for_a_2024_quarter_keeps_out_what_the_2024_forms_dropped(
    tmp_path, catalogue, registry, ctx, known_values
):
    quarter = Q("2024Q3")
    context = TemplateContext(registry.province_name, registry.get("an_binh"), quarter, load_province_config().cutoff)
    forms_2021 = catalogue.for_quarter(Q("2021Q3"))
    write_submission(tmp_path / "raw" / "cu.xlsx", forms_2021, context, known_values, date(2024, 9, 18))
    result = ingest(tmp_path / "raw", ctx)
    values = result.tables["values"]
    assert result.tables["submissions"]["status"].tolist() == ["accepted"]
    assert not {"VP01", "VP02", "VP03"} & set(values["indicator"])
    kept_out = _issues(result, "not_in_version")
    assert len(kept_out) == 1
    message = kept_out["message"].iloc[0]
    assert "3 chỉ tiêu không có trong biểu mẫu áp dụng cho quý III/2024 (phiên bản 2024.1)" in message
    assert "VP01 (05-VP!E13)" in message and "VP03 (05-VP!E15)" in message
    outdated = _issues(result, "outdated_form")["message"].tolist()
    assert outdated == [
        "Tệp dùng mẫu biểu của phiên bản 2021.1 (Biểu mẫu theo Thông tư số 02/2021/TT-TTCP), nhưng quý III/2024 áp "
        "dụng phiên bản 2024.1 (Biểu mẫu theo Thông tư số 01/2024/TT-TTCP); số liệu được đọc theo chỉ tiêu, chỉ "
        "tiêu không còn trong biểu mẫu không được tính"
    ]
    missing = " ".join(_issues(result, "missing_indicators")["message"])
    assert "XLD20" in missing  # the 2024 form's new column, absent from the old form


def test_a_2024_form_sent_after_the_switch_is_read_and_its_printed_codes_named(
    tmp_path, catalogue, registry, ctx, known_values
):
    quarter = Q("2026Q1")
    context = TemplateContext(registry.province_name, registry.get("an_binh"), quarter, load_province_config().cutoff)
    forms_2024 = catalogue.for_quarter(Q("2025Q3"))
    covid = ("VP01", "VP02", "VP03")  # not on the 2024 forms
    figures = {code: value for code, value in known_values.items() if code not in covid} | {"XLD20": 7.0}
    write_submission(tmp_path / "raw" / "cu.xlsx", forms_2024, context, figures, date(2026, 3, 18))
    result = ingest(tmp_path / "raw", ctx)
    assert result.tables["submissions"]["status"].tolist() == ["accepted"]
    got = result.tables["values"].set_index("indicator")["value"].to_dict()
    assert got == figures
    outdated = _issues(result, "outdated_form")
    assert list(zip(outdated["sheet"], outdated["cell"], strict=True)) == [
        ("02-XLD", "A4"),
        ("03-GQ", "A4"),  # "Biểu số 01/KQGQ, 03/KQGQ": one warning for the sheet
    ]
    assert (
        outdated["message"]
        .iloc[0]
        .startswith(
            "Trang “02-XLD” in mẫu “Biểu số 01/XLD” của phiên bản 2024.1 (Biểu mẫu theo Thông tư số 01/2024/TT-TTCP), "
            "nhưng quý I/2026 áp dụng phiên bản 2025.1"
        )
    )
    assert _issues(result, "not_in_version").empty


# ------------------------------------------------------------------------------------------------ comparisons


def test_a_comparison_across_a_changed_definition_is_refused_never_a_number(catalogue):
    cmp = pd.DataFrame(
        {
            "indicator": ["TCD01", "PCTN01", "PCTN12", "XLD20"],
            "value": [120.0, 3.0, 50.0, 4.0],
            "previous": [100.0, 2.0, 40.0, 5.0],
            "last_year": [90.0, 1.0, 25.0, 6.0],
        }
    )
    for base in ("previous", "last_year"):
        cmp[f"change_{base}"] = cmp["value"] - cmp[base]
        cmp[f"pct_{base}"] = cmp[f"change_{base}"] / cmp[base] * 100
        cmp[f"status_{base}"] = "increase"
    out = judge(cmp, catalogue, Q("2025Q4")).set_index("indicator")
    # 2025Q4 against 2025Q3 and 2024Q4: 01/PCTN changed (and so the recovery rate PCTN12, of its parts)
    assert out.loc["PCTN01", "status_previous"] == out.loc["PCTN12", "status_last_year"] == FORM_CHANGED
    assert pd.isna(out.loc["PCTN01", "pct_previous"]) and pd.isna(out.loc["PCTN12", "change_last_year"])
    assert out.loc["TCD01", "status_previous"] == "increase" and out.loc["TCD01", "pct_previous"] == 20.0
    assert out.loc["XLD20", "status_last_year"] == "increase"  # carried by 2024.1 and 2025.1 alike


def test_a_refused_comparison_is_said_in_words():
    change = describe(FORM_CHANGED, None, None, "vụ")
    assert change_text(change) == "không so sánh được do thay đổi biểu mẫu"
    assert comparison_clause(change, Q("2025Q3"), "so với quý III/2025") == (
        "so với quý III/2025: không so sánh được do thay đổi biểu mẫu"
    )


def test_a_year_to_date_sum_never_mixes_two_definitions(catalogue):
    from analysis.compare.continuity import mark_ytd_form_changes

    ytd = pd.DataFrame(
        {
            "indicator": ["TCD01", "PCTN01"],
            "value": [400.0, 12.0],
            "last_year": [380.0, 10.0],
            "change_last_year": [20.0, 2.0],
            "pct_last_year": [5.26, 20.0],
            "status_last_year": ["increase", "increase"],
        }
    )
    # 2025Q4: 01/PCTN of TT 06/2025 from quý IV, the 2024 one in quý I–III: no sum over the year, no comparison
    switch = mark_ytd_form_changes(ytd, catalogue, Q("2025Q4")).set_index("indicator")
    assert pd.isna(switch.loc["PCTN01", "value"]) and switch.loc["PCTN01", "status_last_year"] == FORM_CHANGED
    assert switch.loc["TCD01", "value"] == 400.0 and switch.loc["TCD01", "status_last_year"] == "increase"
    # 2026Q3: this year on one definition (a sum), last year's quý I–III on the other (no comparison)
    after = mark_ytd_form_changes(ytd, catalogue, Q("2026Q3")).set_index("indicator")
    assert after.loc["PCTN01", "value"] == 12.0
    assert pd.isna(after.loc["PCTN01", "last_year"]) and after.loc["PCTN01", "status_last_year"] == FORM_CHANGED


def test_a_units_history_for_outliers_stops_at_a_change_of_forms(catalogue):
    from analysis.compare.continuity import same_definition

    periods = ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    table = pd.DataFrame(
        {"period": periods * 2, "indicator": ["PCTN01"] * 4 + ["TCD01"] * 4, "value": [1.0, 2.0, 3.0, 4.0] * 2}
    )
    kept = same_definition(table, catalogue, Q("2026Q1"))
    assert kept.groupby("indicator")["period"].apply(list).to_dict() == {
        "PCTN01": ["2025Q4", "2026Q1"],
        "TCD01": periods,
    }
