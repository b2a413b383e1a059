from __future__ import annotations

import dataclasses
import functools
import operator
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from analysis.catalogue.load import load_catalogue
from analysis.catalogue.model import FRAME_DTYPES, Catalogue, CatalogueError, Indicator
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
    assert dict(frame.dtypes.astype(str)) == FRAME_DTYPES
    scalar_fields = {f.name for f in dataclasses.fields(Indicator)} - {"aliases"}
    assert set(frame.columns) == scalar_fields | {"is_input", "area_title", "form", "sheet"}
    assert len(frame) == len(catalogue.indicators)
    assert list(frame["code"]) == [item.code for item in catalogue.indicators]
    row = frame.set_index("code").loc["GQ05"]
    assert row["area_title"] == catalogue.area("GQ").title
    assert not row["is_input"]
    assert row["scale"] == 100.0
    assert frame["parent"].isna().sum() > 0


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


Mutation = Callable[[dict[str, Any]], None]


def _set(*path: str | int, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path
        functools.reduce(operator.getitem, parents, data)[last] = value

    return mutate


def _delete(*path: str | int) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path
        del functools.reduce(operator.getitem, parents, data)[last]

    return mutate


def _append(key: str, entry: dict[str, Any]) -> Mutation:
    return lambda data: data[key].append(entry)


# (what is broken, how, a fragment of the message: it names the offending entry)
BROKEN = [
    ("duplicate code", _append("indicators", _indicator("AA03", "Đơn khác")), "AA03.*trùng"),
    ("unknown parent", _set("indicators", 2, "parent", value="AA09"), "AA03.*AA09"),
    ("parent in another area", _set("indicators", 4, "parent", value="AA01"), "BB01.*lĩnh vực khác"),
    ("parent after child", _set("indicators", 0, "parent", value="AA02"), "AA01.*phải đứng trước"),
    ("ratio without denominator", _delete("indicators", 3, "denominator"), "AA04.*denominator"),
    ("ratio of a ratio", _set("indicators", 3, "numerator", value="AA04"), "AA04.*numerator"),
    ("sum with numerator", _set("indicators", 0, "numerator", value="AA02"), "AA01.*numerator"),
    ("rule on an unknown code", _set("rules", 0, "right", value="AA02 + AA07"), "AA-R1.*AA07"),
    ("rule on a ratio", _set("rules", 0, "left", value="AA04"), "AA-R1.*AA04"),
    ("rule expression that does not parse", _set("rules", 0, "right", value="AA02 * 2"), "AA-R1"),
    ("unknown rule operator", _set("rules", 0, "operator", value="equals"), "AA-R1.*operator"),
    ("unknown missing strategy", _set("rules", 0, "missing", value="skip"), "AA-R1.*missing"),
    ("unknown severity", _set("rules", 0, "severity", value="fatal"), "AA-R1.*severity"),
    ("name differing in case", _set("indicators", 4, "name", value="TỔNG SỐ ĐƠN"), "BB01.*AA01"),
    ("name differing in diacritics and spaces", _set("indicators", 4, "name", value="Tong so  don"), "BB01.*AA01"),
    ("name differing by a final space", _set("indicators", 4, "name", value="tổng số đơn "), "BB01.*AA01"),
    ("name differing in punctuation", _set("indicators", 4, "name", value="Tổng số, đơn"), "BB01.*AA01"),
    ("name differing in numbering", _set("indicators", 4, "name", value="2.1. Tổng số đơn"), "BB01.*AA01"),
    ("name differing in a final (…)", _set("indicators", 4, "name", value="Tổng số đơn (cũ)"), "BB01.*AA01"),
    ("name without a letter", _set("indicators", 4, "name", value="(1)"), "BB01.*đối chiếu"),
    ("alias naming another", _set("indicators", 4, "aliases", value=["Đơn tiếp nhận trong kỳ"]), "BB01.*AA03"),
    ("short name naming another", _set("indicators", 4, "short_name", value="Tổng số đơn"), "BB01.*tên ngắn.*AA01"),
    ("unknown unit", _set("indicators", 1, "unit", value="hồ sơ"), "AA02.*hồ sơ"),
    ("unknown area", _append("indicators", _indicator("CC01", "Chỉ tiêu lạ", area="CC")), "CC01.*CC"),
    ("code without its area prefix", _set("indicators", 4, "code", value="AA05"), "AA05.*BB"),
    ("unknown key (a typo)", _set("indicators", 3, "numerater", value="AA02"), "AA04.*numerater"),
    ("name not NFC", _set("indicators", 4, "name", value=unicodedata.normalize("NFD", "Số đơn đã xử lý")), "BB01.*NFC"),
    ("bad sheet name", _set("areas", 1, "sheet", value="02/BB"), "BB"),
    ("number not text", _set("indicators", 1, "number", value=1.1), "AA02.*number"),
]


@pytest.mark.parametrize(("mutate", "message"), [pytest.param(m, msg, id=case) for case, m, msg in BROKEN])
def test_a_broken_catalogue_is_refused_naming_the_entry(tmp_path: Path, mutate: Mutation, message: str) -> None:
    data = _base()
    mutate(data)
    with pytest.raises(CatalogueError, match=message):
        _load(tmp_path, data)


def test_names_differing_only_in_punctuation_are_refused(tmp_path: Path) -> None:
    """Ingest matches rows by `text.label_key`, which drops punctuation: these two would be one label to it."""
    data = _base()
    data["indicators"][0]["name"] = "Số vụ, việc"
    data["indicators"][4]["name"] = "Số vụ việc"
    with pytest.raises(CatalogueError, match="BB01.*'Số vụ việc'.*AA01"):
        _load(tmp_path, data)


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("indicators: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="YAML"):
        load_catalogue(path)
