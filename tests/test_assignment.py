"""Which unit owes which forms (issue 13 item 3): province.yaml's forms_owed by role or unit type; completeness and
"missing" count only what is owed; a form sent but not owed is read and noted."""

from __future__ import annotations

import dataclasses

import pytest
from openpyxl import load_workbook

from analysis.catalogue.assignment import AssignmentError, check_assignment, owed_areas
from analysis.catalogue.template import TemplateContext, build_template
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter
from analysis.ingest.run import ingest
from analysis.ingest.submission import IngestContext

Q3 = Quarter(2021, 3)
OWED = (("inspectorate", ("TCD", "XLD", "GQ", "PCTN")),)


@pytest.fixture
def province():
    """The repo's province with Thanh tra tỉnh as an inspectorate owing four areas."""
    return dataclasses.replace(load_province_config(), forms_owed=OWED, roles=(("thanh_tra_tinh", "inspectorate"),))


def test_the_config_reads_forms_owed_and_roles(tmp_path):
    base = tmp_path / "p.yaml"
    base.write_text(
        "cutoff: {start_day: 15, end_day: 14}\ndeadline_days: 7\nfirst_period: 2020Q1\nreport_title: Báo cáo\n"
        + "forms_owed: {inspectorate: [TCD, XLD]}\nroles: {thanh_tra_tinh: inspectorate}\n",
        encoding="utf-8",
    )
    config = load_province_config(base)
    assert config.areas_owed("thanh_tra_tinh", "agency") == ("TCD", "XLD")
    assert config.areas_owed("cong_an_tinh", "agency") is None  # not listed: every area
    assert config.kind_of("thanh_tra_tinh", "agency") == "inspectorate"


def test_a_unit_owes_its_roles_areas_and_others_every_area(catalogue, province):
    forms = catalogue.for_quarter(Q3)
    assert owed_areas(forms, province, "thanh_tra_tinh", "agency") == ("TCD", "XLD", "GQ", "PCTN")
    assert owed_areas(forms, province, "cong_an_tinh", "agency") == ("TCD", "XLD", "GQ", "PCTN", "VP", "TP", "DV")


@pytest.mark.parametrize(
    ("owed", "roles", "message"),
    [
        (OWED, (("khong_co", "inspectorate"),), "roles: không có đơn vị mã 'khong_co'"),
        (OWED, (("thanh_tra_tinh", "police"),), "roles.thanh_tra_tinh: vai trò 'police' không có trong forms_owed"),
        ((("inspectorate", ("TCD", "ZZ")),), (), "forms_owed.inspectorate: không có lĩnh vực ZZ"),
    ],
)
def test_a_wrong_assignment_is_refused_naming_the_key(catalogue, registry, owed, roles, message):
    province = dataclasses.replace(load_province_config(), forms_owed=owed, roles=roles)
    with pytest.raises(AssignmentError, match=message):
        check_assignment(catalogue, province, registry.codes)


def test_the_template_of_a_unit_holds_only_the_forms_it_owes(catalogue, registry, province, tmp_path):
    unit = registry.get("thanh_tra_tinh")
    owed = owed_areas(catalogue.for_quarter(Q3), province, unit.code, unit.type)
    build_template(catalogue, TemplateContext(registry.province_name, unit, Q3, province.cutoff, owed)).save(
        tmp_path / "t.xlsx"
    )
    assert load_workbook(tmp_path / "t.xlsx").sheetnames == ["Thông tin chung", "01-TCD", "02-XLD", "03-GQ", "04-PCTN"]


def test_missing_counts_only_what_is_owed_and_a_form_not_owed_is_read_and_noted(
    make_submission, catalogue, registry, province, known_values, tmp_path
):
    ctx = IngestContext.load(catalogue, registry, province)
    raw = tmp_path / "raw"
    without_dv = {code: v for code, v in known_values.items() if not code.startswith("DV")}
    make_submission("tt.xlsx", unit_code="thanh_tra_tinh", values=without_dv, folder=raw)
    result = ingest(raw, ctx)
    issues = result.tables["issues"]
    missing = " ".join(issues.loc[issues["rule"] == "missing_indicators", "message"])
    assert "Dân vận" not in missing and "DV01" not in missing  # DV is not owed: its absence is no problem
    noted = issues.loc[issues["rule"] == "not_owed", "message"].tolist()
    assert len(noted) == 2 and noted[0].startswith("Biểu số 01/VP (")  # VP and TP sent, not owed
    assert "đơn vị không phải báo cáo biểu này nhưng đã gửi 9 chỉ tiêu" in noted[0]
    values = result.tables["values"]
    assert {"VP01", "TP01"} <= set(values["indicator"])  # read all the same
    completeness = result.tables["completeness"]
    row = completeness[(completeness["unit_code"] == "thanh_tra_tinh") & (completeness["period"] == "2021Q3")]
    inputs = [i for i in catalogue.for_quarter(Q3).input_indicators() if i.area in ("TCD", "XLD", "GQ", "PCTN")]
    assert row["indicators_expected"].tolist() == [len(inputs)]
    other = completeness[(completeness["unit_code"] == "cong_an_tinh") & (completeness["period"] == "2021Q3")]
    assert other["indicators_expected"].tolist() == [len(catalogue.for_quarter(Q3).input_indicators())]
    assert row["status"].tolist() == ["on_time"]  # the factory's report date, 20/9/2021
