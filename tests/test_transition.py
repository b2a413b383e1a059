"""The reform's transition quarter: `reform` in province.yaml, and the sentence wherever that quarter is compared.

With the 15 → 14 cut-off, quý III/2025 runs 15/6–14/9/2025 and the districts existed until 30/6/2025 (communes from
1/7/2025). With the 16 → 15 cut-off of Circular 03/2013 it starts on 16/6/2025.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.catalogue.load import load_catalogue
from analysis.compare.report_data import ReportData
from analysis.core.config import ProvinceConfig, Reform, load_province_config
from analysis.core.periods import CutoffRule, Quarter
from analysis.core.units import UnitRegistry
from analysis.narrative.scope import transition_sentence

GOOD = {
    "cutoff": {"start_day": 15, "end_day": 14},
    "deadline_days": 7,
    "first_period": "2024Q1",
    "report_title": "Báo cáo công tác nội chính",
}
REFORM = {"transition_quarter": "2025Q3", "effective": "2025-07-01", "reported_by": "communes"}
COMMUNES = (
    "Quý III/2025 là quý chuyển tiếp: từ 1/7/2025 không còn cấp huyện; số liệu cả quý do các xã, phường, đặc khu "
    "báo cáo, gồm cả số liệu các huyện đã tiếp nhận từ 15/6/2025 đến 30/6/2025."
)
DISTRICTS = (
    "Quý III/2025 là quý chuyển tiếp: từ 1/7/2025 không còn cấp huyện; các huyện báo cáo số liệu từ 15/6/2025 đến "
    "30/6/2025, các xã, phường, đặc khu báo cáo từ 1/7/2025."
)


REGISTRY = UnitRegistry.from_mapping(
    {"province": {"code": "t", "name": "Tỉnh T"}, "units": [{"code": "x", "name": "Xã X", "type": "commune"}]},
    source="test",
)


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ configuration


def test_no_reform_block_is_no_reform(tmp_path):
    assert load_province_config(write(tmp_path, GOOD)).reform is None


def test_the_reform_block_is_read(tmp_path):
    reform = load_province_config(write(tmp_path, {**GOOD, "reform": REFORM})).reform
    assert reform == Reform(Quarter(2025, 3), date(2025, 7, 1), "communes")


def test_an_unquoted_yaml_date_is_read_too(tmp_path):
    path = tmp_path / "province.yaml"
    text = yaml.safe_dump(GOOD, allow_unicode=True)
    text += 'reform:\n  transition_quarter: "2025Q3"\n  effective: 2025-07-01\n  reported_by: districts\n'
    path.write_text(text, encoding="utf-8")
    assert load_province_config(path).reform == Reform(Quarter(2025, 3), date(2025, 7, 1), "districts")


@pytest.mark.parametrize(
    ("reform", "key", "words"),
    [
        ("2025Q3", "reform", "phải có đúng ba khóa"),
        ({"transition_quarter": "2025Q3", "effective": "2025-07-01"}, "reform", "phải có đúng ba khóa"),
        ({**REFORM, "extra": 1}, "reform", "phải có đúng ba khóa"),
        ({**REFORM, "transition_quarter": "Q3/2025"}, "reform.transition_quarter", "phải là quý dạng 2020Q1"),
        ({**REFORM, "effective": "1/7/2025"}, "reform.effective", "phải là ngày dạng 2025-07-01"),
        # outside quý III/2025's data (15/6 – 14/9/2025), or its first day (nothing to cut)
        ({**REFORM, "effective": "2025-09-15"}, "reform.effective", "15/6/2025 – 14/9/2025"),
        ({**REFORM, "effective": "2025-06-15"}, "reform.effective", "sau ngày đầu kỳ"),
        ({**REFORM, "reported_by": "xa"}, "reform.reported_by", "['communes', 'districts']"),
    ],
)
def test_a_bad_reform_block_names_file_and_key(tmp_path, reform, key, words):
    path = write(tmp_path, {**GOOD, "reform": reform})
    with pytest.raises(ValueError) as exc:
        load_province_config(path)
    message = str(exc.value)
    assert str(path) in message and f"'{key}'" in message and words in message


# ----------------------------------------------------------------------------------------------- the sentence


def data(quarter: str, reported_by: str = "communes", cutoff: CutoffRule | None = None) -> ReportData:
    cutoff = cutoff or CutoffRule(15, 14)
    reform = Reform(Quarter(2025, 3), date(2025, 7, 1), reported_by)
    registry = REGISTRY
    return ReportData(
        quarter=Quarter.parse(quarter),
        catalogue=load_catalogue(),
        registry=registry,
        values=pd.DataFrame(),
        submissions=pd.DataFrame(),
        issues=pd.DataFrame(),
        completeness=pd.DataFrame(),
        province_config=ProvinceConfig(cutoff, 7, Quarter(2024, 1), "Báo cáo", reform=reform),
    )


@pytest.mark.parametrize(
    "quarter",
    [
        "2025Q3",  # the current quarter
        "2025Q4",  # its previous quarter is the transition quarter
        "2026Q3",  # the same quarter last year
        "2026Q4",  # the year to date last year (quý I–IV/2025) holds it
    ],
)
@pytest.mark.parametrize(("reported_by", "sentence"), [("communes", COMMUNES), ("districts", DISTRICTS)])
def test_the_transition_quarter_is_said_wherever_it_is_compared(quarter, reported_by, sentence):
    assert transition_sentence(data(quarter, reported_by)) == sentence


@pytest.mark.parametrize("quarter", ["2025Q2", "2026Q1", "2026Q2", "2027Q3"])
def test_not_said_when_the_transition_quarter_is_not_compared(quarter):
    # 2026Q2: quý I–II/2026 against quý I–II/2025 and quý I/2026; 2025Q2: before the reform
    assert transition_sentence(data(quarter)) == ""


def test_the_first_day_comes_from_the_cutoff_rule():
    sentence = transition_sentence(data("2025Q3", "districts", CutoffRule.tt03_2013()))
    assert "các huyện báo cáo số liệu từ 16/6/2025 đến 30/6/2025" in sentence


def test_no_reform_configured_says_nothing():
    plain = ReportData(
        quarter=Quarter(2025, 3),
        catalogue=load_catalogue(),
        registry=REGISTRY,
        values=pd.DataFrame(),
        submissions=pd.DataFrame(),
        issues=pd.DataFrame(),
        completeness=pd.DataFrame(),
    )
    assert plain.reform is None and transition_sentence(plain) == ""
