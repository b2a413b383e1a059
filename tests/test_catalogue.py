from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from analysis.catalogue.model import Catalogue, CatalogueError, load_catalogue
from analysis.catalogue.rules import check_rules

# ------------------------------------------------------------------------------ the packaged catalogue


def test_packaged_catalogue_loads_once(catalogue: Catalogue) -> None:
    assert catalogue.version == "2021.1"
    assert 90 <= len(catalogue.indicators) <= 120
    assert load_catalogue() is catalogue


def test_areas_in_template_order(catalogue: Catalogue) -> None:
    assert [area.code for area in catalogue.areas] == ["TCD", "XLD", "GQ", "PCTN", "VP", "TP", "DV"]
    assert [area.order for area in catalogue.areas] == list(range(7))
    assert catalogue.area("TCD").form == "Biểu số 01/TCD"
    assert catalogue.area("XLD").form == "Biểu số 01/XLD"
    assert catalogue.area("PCTN").form == "Biểu số 01/PCTN"


def test_every_area_has_indicators(catalogue: Catalogue) -> None:
    for area in catalogue.areas:
        assert catalogue.indicators_in(area.code), area.code


@pytest.mark.parametrize(
    ("code", "unit", "key"),
    [
        ("TCD01", "lượt", True),
        ("VP01", "người", True),
        ("VP02", "cơ sở", True),
        ("VP03", "triệu đồng", False),
        ("VP04", "trường hợp", True),
    ],
)
def test_required_codes(catalogue: Catalogue, code: str, unit: str, key: bool) -> None:
    indicator = catalogue.indicator(code)
    assert indicator.unit == unit
    assert indicator.key is key
    assert indicator.is_input


def test_required_names_say_what_they_count(catalogue: Catalogue) -> None:
    assert "lượt" in catalogue.indicator("TCD01").name
    assert "cá nhân" in catalogue.indicator("VP01").name
    assert "COVID-19" in catalogue.indicator("VP01").name
    assert "cơ sở kinh doanh" in catalogue.indicator("VP02").name
    assert "giao thông" in catalogue.indicator("VP04").name


def test_tcd_identities_follow_the_form(catalogue: Catalogue) -> None:
    rules = {rule.code: rule for rule in catalogue.rules}
    assert (rules["TCD-R1"].left, rules["TCD-R1"].operator) == ("TCD01", "equal_to")
    assert rules["TCD-R1"].right == "TCD04 + TCD13 + TCD22"
    assert rules["TCD-R2"].right == "TCD05 + TCD14 + TCD23"
    assert rules["TCD-R3"].right == "TCD06 + TCD07 + TCD15 + TCD16 + TCD24 + TCD25"


def test_tcd_has_the_29_form_columns(catalogue: Catalogue) -> None:
    codes = {item.code for item in catalogue.indicators_in("TCD")}
    assert codes == {f"TCD{column:02d}" for column in range(1, 30)}


def test_required_rule_operators_are_used(catalogue: Catalogue) -> None:
    operators = {rule.operator for rule in catalogue.rules}
    assert {"equal_to", "less_than_or_equal_to", "greater_than_or_equal_to", "compulsory_pair"} <= operators
    assert {rule.missing for rule in catalogue.rules} == {
        "skip_if_any_missing",
        "skip_if_all_missing",
        "never_skip",
    }


def test_ratios_are_derived_from_inputs(catalogue: Catalogue) -> None:
    ratios = [item for item in catalogue.indicators if item.aggregation == "ratio"]
    assert ratios
    for item in ratios:
        assert not item.is_input
        assert item.unit == "%" and item.scale == 100
        assert catalogue.indicator(item.numerator).is_input
        assert catalogue.indicator(item.denominator).is_input
    assert catalogue.indicator("GQ05").numerator == "GQ03"
    assert catalogue.indicator("GQ05").denominator == "GQ01"
    assert all(item.is_input for item in catalogue.input_indicators())
    assert len(catalogue.input_indicators()) == len(catalogue.indicators) - len(ratios)


def test_is_integer(catalogue: Catalogue) -> None:
    assert catalogue.is_integer("TCD01")
    assert catalogue.is_integer("XLD01")
    assert not catalogue.is_integer("VP03")
    assert not catalogue.is_integer("GQ05")


def test_higher_is_better(catalogue: Catalogue) -> None:
    assert catalogue.indicator("TCD01").higher_is_better is None
    assert catalogue.indicator("VP07").higher_is_better is False
    assert catalogue.indicator("VP08").higher_is_better is False
    assert catalogue.indicator("TP01").higher_is_better is False
    assert catalogue.indicator("TP09").higher_is_better is True
    assert catalogue.indicator("PCTN11").higher_is_better is True


def test_unknown_code_raises_key_error(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError, match="XYZ99"):
        catalogue.indicator("XYZ99")
    with pytest.raises(KeyError, match="ABC"):
        catalogue.area("ABC")


def test_indicators_in_keeps_file_order(catalogue: Catalogue) -> None:
    xld = catalogue.indicators_in("XLD")
    assert [item.code for item in xld[:3]] == ["XLD01", "XLD02", "XLD03"]
    orders = [item.order for item in xld]
    assert orders == sorted(orders)


def test_children_follow_parents_in_same_area(catalogue: Catalogue) -> None:
    assert catalogue.indicator("TCD04").parent == "TCD01"
    for item in catalogue.indicators:
        if item.parent:
            parent = catalogue.indicator(item.parent)
            assert parent.area == item.area and parent.order < item.order


def test_text_is_nfc_vietnamese(catalogue: Catalogue) -> None:
    for item in catalogue.indicators:
        for text in (item.name, item.short_name, *item.aliases):
            assert unicodedata.is_normalized("NFC", text), item.code
    assert all(unicodedata.is_normalized("NFC", rule.name) for rule in catalogue.rules)


def test_zero_and_empty_submissions_break_no_rule(catalogue: Catalogue) -> None:
    zeros = {item.code: 0.0 for item in catalogue.input_indicators()}
    assert check_rules(zeros, catalogue.rules) == []
    assert check_rules({}, catalogue.rules) == []


def test_consistent_tcd_submission_passes_and_broken_one_fails(catalogue: Catalogue) -> None:
    values = {item.code: 0.0 for item in catalogue.indicators_in("TCD")}
    values.update({"TCD01": 120, "TCD04": 100, "TCD13": 15, "TCD22": 5, "TCD12": 3})
    tcd_rules = [rule for rule in catalogue.rules if rule.code.startswith("TCD-")]
    assert check_rules(values, tcd_rules) == []
    values["TCD22"] = 3
    assert [violation.rule.code for violation in check_rules(values, tcd_rules)] == ["TCD-R1"]


def test_to_frame(catalogue: Catalogue) -> None:
    frame = catalogue.to_frame()
    expected = {
        "code",
        "area",
        "area_title",
        "form",
        "sheet",
        "number",
        "name",
        "short_name",
        "unit",
        "parent",
        "aggregation",
        "numerator",
        "denominator",
        "scale",
        "higher_is_better",
        "key",
        "is_input",
        "description",
    }
    assert expected <= set(frame.columns)
    assert len(frame) == len(catalogue.indicators)
    assert list(frame["code"]) == [item.code for item in catalogue.indicators]
    row = frame.set_index("code").loc["GQ05"]
    assert row["area_title"] == catalogue.area("GQ").title
    assert not row["is_input"]
    assert row["scale"] == 100.0
    assert frame["parent"].isna().sum() > 0
    assert frame["scale"].dtype == "float64"


# ------------------------------------------------------------------------------ integrity errors


def _base() -> dict[str, Any]:
    """A small valid catalogue; tests break one thing at a time."""
    return {
        "version": "test",
        "units_of_measure": [
            {"code": "đơn", "integer": True},
            {"code": "%", "integer": False},
        ],
        "areas": [
            {"code": "AA", "sheet": "01-AA", "title": "Lĩnh vực A", "form": "Biểu số 01/AA"},
            {"code": "BB", "sheet": "02-BB", "title": "Lĩnh vực B", "form": "Biểu số 01/BB"},
        ],
        "indicators": [
            _indicator("AA01", "Tổng số đơn", number="1"),
            _indicator("AA02", "Đơn kỳ trước chuyển sang", number="1.1", parent="AA01"),
            _indicator("AA03", "Đơn tiếp nhận trong kỳ", number="1.2", parent="AA01"),
            {
                **_indicator("AA04", "Tỷ lệ đơn chuyển sang", number="2"),
                "unit": "%",
                "aggregation": "ratio",
                "numerator": "AA02",
                "denominator": "AA01",
                "scale": 100,
            },
            _indicator("BB01", "Số đơn đã xử lý", area="BB", number="1"),
        ],
        "rules": [
            {
                "code": "AA-R1",
                "name": "Tổng bằng tổng các phần",
                "left": "AA01",
                "operator": "equal_to",
                "right": "AA02 + AA03",
                "missing": "skip_if_any_missing",
                "severity": "error",
            },
        ],
    }


def _indicator(
    code: str, name: str, *, area: str = "AA", number: str = "1", parent: str | None = None
) -> dict[str, Any]:
    return {
        "code": code,
        "area": area,
        "number": number,
        "name": name,
        "unit": "đơn",
        "parent": parent,
        "aggregation": "sum",
        "higher_is_better": None,
        "key": False,
    }


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _load(tmp_path: Path, data: dict[str, Any]) -> Catalogue:
    return load_catalogue(_write(tmp_path, data))


def test_base_fixture_is_valid(tmp_path: Path) -> None:
    catalogue = _load(tmp_path, _base())
    assert [item.code for item in catalogue.indicators_in("AA")] == ["AA01", "AA02", "AA03", "AA04"]
    assert catalogue.indicator("AA04").scale == 100.0
    assert catalogue.indicator("AA01").short_name == "Tổng số đơn"
    assert catalogue.indicator("AA01").description == ""
    assert catalogue.area("BB").aliases == ()


def test_duplicate_code(tmp_path: Path) -> None:
    data = _base()
    data["indicators"].append(_indicator("AA03", "Đơn khác"))
    with pytest.raises(CatalogueError, match="AA03.*trùng"):
        _load(tmp_path, data)


def test_unknown_parent(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][2]["parent"] = "AA09"
    with pytest.raises(CatalogueError, match="AA03.*AA09"):
        _load(tmp_path, data)


def test_parent_in_another_area(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][4]["parent"] = "AA01"
    with pytest.raises(CatalogueError, match="BB01.*lĩnh vực khác"):
        _load(tmp_path, data)


def test_parent_after_child(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][0]["parent"] = "AA02"
    with pytest.raises(CatalogueError, match="AA01.*phải đứng trước"):
        _load(tmp_path, data)


def test_ratio_without_denominator(tmp_path: Path) -> None:
    data = _base()
    del data["indicators"][3]["denominator"]
    with pytest.raises(CatalogueError, match="AA04.*denominator"):
        _load(tmp_path, data)


def test_ratio_of_a_ratio(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][3]["numerator"] = "AA04"
    with pytest.raises(CatalogueError, match="AA04.*numerator"):
        _load(tmp_path, data)


def test_sum_with_numerator(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][0]["numerator"] = "AA02"
    with pytest.raises(CatalogueError, match="AA01.*numerator"):
        _load(tmp_path, data)


def test_rule_referencing_unknown_code(tmp_path: Path) -> None:
    data = _base()
    data["rules"][0]["right"] = "AA02 + AA07"
    with pytest.raises(CatalogueError, match="AA-R1.*AA07"):
        _load(tmp_path, data)


def test_rule_referencing_ratio(tmp_path: Path) -> None:
    data = _base()
    data["rules"][0]["left"] = "AA04"
    with pytest.raises(CatalogueError, match="AA-R1.*AA04"):
        _load(tmp_path, data)


def test_rule_expression_that_does_not_parse(tmp_path: Path) -> None:
    data = _base()
    data["rules"][0]["right"] = "AA02 * 2"
    with pytest.raises(CatalogueError, match="AA-R1"):
        _load(tmp_path, data)


@pytest.mark.parametrize(("key", "value"), [("operator", "equals"), ("missing", "skip"), ("severity", "fatal")])
def test_rule_unknown_enumeration(tmp_path: Path, key: str, value: str) -> None:
    data = _base()
    data["rules"][0][key] = value
    with pytest.raises(CatalogueError, match=f"AA-R1.*{key}"):
        _load(tmp_path, data)


@pytest.mark.parametrize("duplicate", ["TỔNG SỐ ĐƠN", "Tong so  don", "tổng số đơn "])
def test_duplicate_folded_name(tmp_path: Path, duplicate: str) -> None:
    data = _base()
    data["indicators"][4]["name"] = duplicate
    with pytest.raises(CatalogueError, match="BB01.*AA01"):
        _load(tmp_path, data)


def test_alias_colliding_with_another_name(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][4]["aliases"] = ["Đơn tiếp nhận trong kỳ"]
    with pytest.raises(CatalogueError, match="BB01.*AA03"):
        _load(tmp_path, data)


def test_unknown_unit(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][1]["unit"] = "hồ sơ"
    with pytest.raises(CatalogueError, match="AA02.*hồ sơ"):
        _load(tmp_path, data)


def test_unknown_area(tmp_path: Path) -> None:
    data = _base()
    data["indicators"].append(_indicator("CC01", "Chỉ tiêu lạ", area="CC"))
    with pytest.raises(CatalogueError, match="CC01.*CC"):
        _load(tmp_path, data)


def test_code_must_carry_area_prefix(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][4]["code"] = "AA05"
    with pytest.raises(CatalogueError, match="AA05.*BB"):
        _load(tmp_path, data)


def test_unknown_key_is_a_typo(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][3]["numerater"] = "AA02"
    with pytest.raises(CatalogueError, match="AA04.*numerater"):
        _load(tmp_path, data)


def test_non_nfc_name(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][4]["name"] = unicodedata.normalize("NFD", "Số đơn đã xử lý")
    with pytest.raises(CatalogueError, match="BB01.*NFC"):
        _load(tmp_path, data)


def test_bad_sheet_name(tmp_path: Path) -> None:
    data = _base()
    data["areas"][1]["sheet"] = "02/BB"
    with pytest.raises(CatalogueError, match="BB"):
        _load(tmp_path, data)


def test_number_must_be_text(tmp_path: Path) -> None:
    data = _base()
    data["indicators"][1]["number"] = 1.1
    with pytest.raises(CatalogueError, match="AA02.*number"):
        _load(tmp_path, data)


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("indicators: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="YAML"):
        load_catalogue(path)
