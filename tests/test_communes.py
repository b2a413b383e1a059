"""Units of today (issue 12, item 2): the commune type (xã, phường, đặc khu), how communes are written, units that
share a base name across types and periods told apart by the type word and by the file's quarter, dated aliases,
and ingest matching a file in its own quarter. Tiny hand-written registries; no demo data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from analysis.catalogue.template import TemplateContext
from analysis.core import labels
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter
from analysis.core.units import UnitRegistry
from analysis.ingest.run import IngestContext, ingest
from tests.factories import renamed_unit, write_submission

PROVINCE = {"code": "minh_son", "name": "Tỉnh Minh Sơn"}
Q2_2021, Q3_2021 = Quarter(2021, 2), Quarter(2021, 3)
Q2_2025, Q3_2025, Q3_2026 = Quarter(2025, 2), Quarter(2025, 3), Quarter(2026, 3)


def registry(*units: dict) -> UnitRegistry:
    return UnitRegistry.from_mapping({"province": PROVINCE, "units": list(units)})


def unit(code: str, name: str, typ: str, valid_from: str | None = None, valid_to: str | None = None, **extra) -> dict:
    return {"code": code, "name": name, "type": typ, "valid_from": valid_from, "valid_to": valid_to, **extra}


OLD = "2025Q2"  # last quarter of the districts
NEW = "2025Q3"  # first quarter of the communes

# Today's communes and agencies, with the districts they replaced (codes not equal to the bare names, so that a
# bare "An Bình" is the base name of both the former district and the commune).
TODAY = registry(
    unit("h_an_binh", "Huyện An Bình", "district", valid_to=OLD),
    unit("tp_hoa_lac", "Thành phố Hòa Lạc", "district", valid_to=OLD),
    unit("tx_tan_phu", "Thị xã Tân Phú", "district", valid_to=OLD),
    unit("xa_an_binh", "Xã An Bình", "commune", valid_from=NEW),
    unit("p_dong_hai", "Phường Đông Hải", "commune", valid_from=NEW),
    unit("p_hoa_lac", "Phường Hòa Lạc", "commune", valid_from=NEW),
    unit("xa_tan_phu", "Xã Tân Phú", "commune", valid_from=NEW),
    unit("dk_hon_ngoc", "Đặc khu Hòn Ngọc", "commune", valid_from=NEW),
    unit("cong_an_tinh", "Công an tỉnh", "agency"),
)


# --- the commune type


def test_commune_type_is_accepted_with_its_kind_read_from_the_name():
    assert TODAY.get("xa_an_binh").type == "commune"
    assert TODAY.get("xa_an_binh").type_vn == "cấp xã"
    kinds = {code: (TODAY.get(code).kind, TODAY.get(code).kind_vn) for code in ("xa_an_binh", "p_dong_hai")}
    assert kinds == {"xa_an_binh": ("xa", "xã"), "p_dong_hai": ("phuong", "phường")}
    assert (TODAY.get("dk_hon_ngoc").kind, TODAY.get("dk_hon_ngoc").kind_vn) == ("dac_khu", "đặc khu")
    assert TODAY.get("tx_tan_phu").kind is None and TODAY.get("cong_an_tinh").kind is None  # not a commune
    assert registry(unit("an_binh", "An Bình", "commune")).get("an_binh").kind is None  # the name does not say


def test_unknown_type_is_refused_in_vietnamese():
    with pytest.raises(ValueError, match=r"'type' phải là một trong \['agency', 'commune', 'district'\]"):
        registry(unit("thon_a", "Thôn A", "village"))


def test_unit_type_label_and_caps_of_communes(catalogue):
    assert labels.label("unit_type", "commune") == "Cấp xã"
    for ind in catalogue.input_indicators():
        assert catalogue.cap(ind.code, "commune") == catalogue.cap(ind.code, "district")


# --- how communes are written


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Xã An Bình", "xa_an_binh"),
        ("X. An Bình", "xa_an_binh"),
        ("X.An Bình", "xa_an_binh"),
        ("xã An Bình", "xa_an_binh"),
        ("XÃ AN BÌNH", "xa_an_binh"),
        ("Xa An Binh", "xa_an_binh"),
        ("UBND xã An Bình", "xa_an_binh"),
        ("Ủy ban nhân dân xã An Bình", "xa_an_binh"),
        ("Đảng ủy xã An Bình", "xa_an_binh"),
        ("Đảng uỷ xã An Bình", "xa_an_binh"),
        ("Xã An Bình, tỉnh Minh Sơn", "xa_an_binh"),
        ("Phường Đông Hải", "p_dong_hai"),
        ("P. Đông Hải", "p_dong_hai"),
        ("P.Đông Hải", "p_dong_hai"),
        ("phuong dong hai", "p_dong_hai"),
        ("Ủy ban nhân dân phường Đông Hải", "p_dong_hai"),
        ("Uỷ ban nhân dân phường Đông Hải", "p_dong_hai"),
        ("Đảng ủy phường Đông Hải", "p_dong_hai"),
        ("UBND P. Đông Hải", "p_dong_hai"),
        ("Đông Hải", "p_dong_hai"),  # a unique base name
        ("Phường Hòa Lạc", "p_hoa_lac"),
        ("Phường Hoà Lạc", "p_hoa_lac"),  # old tone placement
        ("P. Hoà Lạc", "p_hoa_lac"),
        ("Đặc khu Hòn Ngọc", "dk_hon_ngoc"),
        ("đặc khu Hòn Ngọc", "dk_hon_ngoc"),
        ("Dac khu Hon Ngoc", "dk_hon_ngoc"),
        ("UBND đặc khu Hòn Ngọc", "dk_hon_ngoc"),
        ("xa_an_binh", "xa_an_binh"),
        ("xa-an-binh", "xa_an_binh"),
    ],
)
def test_commune_names_match(text, code):
    assert TODAY.match(text).code == code
    assert TODAY.find_in_text(f"BÁO CÁO CỦA {text.upper()} QUÝ III").code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026Q3_xa_an_binh.xlsx", "xa_an_binh"),
        ("2026Q3-xa-an-binh.xlsx", "xa_an_binh"),
        ("2026Q3_x_an_binh.xlsx", "xa_an_binh"),
        ("2026Q3_phuong_dong_hai.xlsx", "p_dong_hai"),
        ("2026Q3_p_dong_hai.xlsx", "p_dong_hai"),
        ("2026Q3/P.Đông Hải - báo cáo.xlsx", "p_dong_hai"),
        ("BC quy 3 - Phường Hoà Lạc.xlsx", "p_hoa_lac"),
        ("2026Q3_dac_khu_hon_ngoc.xlsx", "dk_hon_ngoc"),
        ("Đơn vị báo cáo: Đảng ủy phường Đông Hải", "p_dong_hai"),
        ("BÁO CÁO CỦA ĐẢNG ỦY XÃ AN BÌNH", "xa_an_binh"),
    ],
)
def test_commune_names_in_texts_and_file_names(text, code):
    assert TODAY.find_in_text(text).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("TP. Hòa Lạc", "tp_hoa_lac"),  # the "P." of "TP." is no phường
        ("TP.Hòa Lạc", "tp_hoa_lac"),
        ("T.P Hòa Lạc", "tp_hoa_lac"),
        ("T.P. Hoà Lạc", "tp_hoa_lac"),
        ("T. P. Hòa Lạc", "tp_hoa_lac"),
        ("Thành phố Hòa Lạc", "tp_hoa_lac"),
        ("P. Hòa Lạc", "p_hoa_lac"),
        ("TX. Tân Phú", "tx_tan_phu"),  # the "X." of "TX." is no xã
        ("T.X Tân Phú", "tx_tan_phu"),
        ("Thị xã Tân Phú", "tx_tan_phu"),
        ("X. Tân Phú", "xa_tan_phu"),
        ("Xã Tân Phú", "xa_tan_phu"),
        ("H. An Bình", "h_an_binh"),
        ("UBND huyện An Bình", "h_an_binh"),
    ],
)
def test_abbreviations_of_communes_do_not_break_the_others(text, code):
    assert TODAY.match(text).code == code
    assert TODAY.find_in_text(f"2021Q3 - {text}.xlsx").code == code


def test_party_committee_of_a_province_body_is_not_dropped():
    reg = registry(unit("dang_uy_khoi", "Đảng ủy Khối cơ quan tỉnh", "agency"), unit("xa_a", "Xã An Bình", "commune"))
    assert reg.match("Đảng ủy Khối cơ quan tỉnh").code == "dang_uy_khoi"
    assert reg.match("Khối cơ quan tỉnh") is None  # "Đảng ủy" is dropped only before a type word


# --- one base name, two types and two periods


@pytest.mark.parametrize(
    ("text", "quarter", "code"),
    [
        # the type word decides, whatever the quarter
        ("Xã An Bình", None, "xa_an_binh"),
        ("Xã An Bình", Q3_2021, "xa_an_binh"),
        ("Xã An Bình", Q3_2026, "xa_an_binh"),
        ("Huyện An Bình", None, "h_an_binh"),
        ("Huyện An Bình", Q3_2026, "h_an_binh"),
        ("H. An Bình", Q3_2021, "h_an_binh"),
        ("Thành phố Hòa Lạc", Q3_2026, "tp_hoa_lac"),
        ("P. Hòa Lạc", Q3_2021, "p_hoa_lac"),
        # no type word: the quarter decides; without one, nothing
        ("An Bình", None, None),
        ("An Bình", Q3_2021, "h_an_binh"),
        ("An Bình", Q2_2025, "h_an_binh"),
        ("An Bình", Q3_2025, "xa_an_binh"),
        ("An Bình", Q3_2026, "xa_an_binh"),
        ("Hòa Lạc", None, None),
        ("Hoà Lạc", Q3_2021, "tp_hoa_lac"),
        ("Hoa Lac", Q3_2026, "p_hoa_lac"),
        ("UBND Tân Phú", Q2_2025, "tx_tan_phu"),
        ("UBND Tân Phú", Q3_2025, "xa_tan_phu"),
    ],
)
def test_same_base_name_across_types_and_periods(text, quarter, code):
    found = TODAY.match(text, quarter=quarter)
    assert (found.code if found else None) == code
    in_text = TODAY.find_in_text(f"Báo cáo quý - {text}", quarter=quarter)
    assert (in_text.code if in_text else None) == code


@pytest.mark.parametrize(
    ("text", "quarter", "code"),
    [
        ("2021Q3_an_binh.xlsx", Q3_2021, "h_an_binh"),
        ("2026Q3_an_binh.xlsx", Q3_2026, "xa_an_binh"),
        ("2026Q3_an_binh.xlsx", None, None),
        ("2026Q3_huyen_an_binh.xlsx", Q3_2026, "h_an_binh"),
        ("2021Q3_xa_an_binh.xlsx", Q3_2021, "xa_an_binh"),
        ("2026Q3/hoa_lac.xlsx", Q3_2026, "p_hoa_lac"),
    ],
)
def test_file_names_are_matched_in_their_quarter(text, quarter, code):
    found = TODAY.find_in_text(text, quarter)
    assert (found.code if found else None) == code


def test_of_two_units_named_the_one_active_in_the_quarter_is_kept():
    text = "UBND xã An Bình (trước đây thuộc huyện An Bình)"
    assert TODAY.find_in_text(text) is None
    assert TODAY.find_in_text(text, Q3_2026).code == "xa_an_binh"
    assert TODAY.find_in_text("UBND xã An Bình, Công an tỉnh", Q3_2026) is None  # both active: still ambiguous


def test_a_code_equal_to_the_base_name_wins_without_a_quarter():
    reg = registry(
        unit("an_binh", "Huyện An Bình", "district", valid_to=OLD),
        unit("xa_an_binh", "Xã An Bình", "commune", valid_from=NEW),
    )
    assert reg.match("An Bình").code == "an_binh"  # as before the communes came
    assert reg.match("An Bình", Q3_2021).code == "an_binh"
    assert reg.match("An Bình", Q3_2026).code == "xa_an_binh"
    assert reg.find_in_text("2026Q3_an_binh.xlsx", Q3_2026).code == "xa_an_binh"


def test_base_name_of_two_units_of_the_same_time_stays_ambiguous():
    reg = registry(unit("xa_tan_an", "Xã Tân An", "commune"), unit("p_tan_an", "Phường Tân An", "commune"))
    assert reg.match("Tân An") is None and reg.match("Tân An", Q3_2026) is None
    assert reg.match("Xã Tân An").code == "xa_tan_an" and reg.match("P. Tân An").code == "p_tan_an"


def test_a_unit_not_active_in_the_quarter_is_still_matched_when_it_is_the_only_one():
    assert TODAY.match("Thị xã Tân Phú", Q3_2026).code == "tx_tan_phu"  # reported late, or sent by mistake
    assert TODAY.match("Đông Hải", Q3_2021).code == "p_dong_hai"


# --- shared aliases of units of other times


def shared_alias(commune_from: str) -> UnitRegistry:
    return registry(
        unit("tx_dong_hai", "Thị xã Đông Hải", "district", valid_to=OLD, aliases=["UBND Đông Hải"]),
        unit("p_dong_hai", "Phường Đông Hải", "commune", valid_from=commune_from, aliases=["Đông Hải"]),
    )


def test_an_alias_may_be_shared_by_units_whose_validity_does_not_overlap():
    reg = shared_alias(NEW)
    assert reg.match("Đông Hải") is None  # two units, no quarter: ambiguous
    assert reg.match("Đông Hải", Q3_2021).code == "tx_dong_hai"
    assert reg.match("UBND Đông Hải", Q3_2026).code == "p_dong_hai"
    assert reg.find_in_text("2026Q3_dong_hai.xlsx", Q3_2026).code == "p_dong_hai"
    assert reg.find_in_text("2021Q3_dong_hai.xlsx", Q3_2021).code == "tx_dong_hai"


def test_an_alias_shared_by_units_of_overlapping_validity_is_refused():
    with pytest.raises(ValueError, match=r"dong hai.*tx_dong_hai.*p_dong_hai"):
        shared_alias(OLD)  # both exist in 2025Q2


def test_an_alias_shared_with_an_undated_unit_is_refused():
    with pytest.raises(ValueError, match=r"an_binh.*tan_khe"):
        registry(
            unit("an_binh", "Xã An Bình", "commune"),
            unit("tan_khe", "Xã Tân Khê", "commune", aliases=["X. An Bình"]),
        )


# --- aliases with dates (a unit that changed name)


def renamed() -> UnitRegistry:
    return registry(
        unit(
            "p_binh_minh",
            "Phường Bình Minh",
            "commune",
            aliases=["UBND P. Bình Minh", {"name": "Xã Bình Minh", "valid_to": "2023Q4"}],
        ),
        unit(
            "so_noi_vu",
            "Sở Nội vụ",
            "agency",
            aliases=[{"name": "Sở Lao động - Thương binh và Xã hội", "valid_to": "2025Q1"}],
        ),
        unit("xa_moi", "Xã Tân Mới", "commune", aliases=[{"name": "Xã Tân Mới Một", "valid_from": "2027Q1"}]),
    )


def test_dated_alias_matches_only_in_its_quarters():
    reg = renamed()
    unit_ = reg.get("p_binh_minh")
    assert unit_.aliases == ("UBND P. Bình Minh",) and unit_.dated_aliases[0].valid_to == Quarter(2023, 4)
    assert reg.match("Xã Bình Minh").code == "p_binh_minh"  # no quarter: always
    assert reg.match("Xã Bình Minh", Quarter(2023, 4)).code == "p_binh_minh"
    assert reg.match("Xã Bình Minh", Quarter(2024, 1)) is None
    assert reg.match("Phường Bình Minh", Quarter(2021, 1)).code == "p_binh_minh"  # its own name: always
    assert reg.match("Bình Minh", Quarter(2026, 3)).code == "p_binh_minh"
    assert reg.match("Sở Lao động - Thương binh và Xã hội", Q3_2021).code == "so_noi_vu"
    assert reg.match("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI TỈNH MINH SƠN", Q3_2021).code == "so_noi_vu"
    assert reg.match("Sở Lao động - Thương binh và Xã hội", Q3_2025) is None
    assert reg.find_in_text("2021Q3_xa_binh_minh.xlsx", Q3_2021).code == "p_binh_minh"
    assert reg.find_in_text("2026Q3_xa_binh_minh.xlsx", Q3_2026) is None
    assert (
        reg.match("Xã Tân Mới Một", Q3_2026) is None and reg.match("Xã Tân Mới Một", Quarter(2027, 1)).code == "xa_moi"
    )


def test_former_name_passed_on_to_another_unit():
    """A commune's former name is the name of a commune formed later: one name, two units in turn."""
    reg = registry(
        unit("xa_a", "Xã Hòa An", "commune", aliases=[{"name": "Xã Hòa Bình", "valid_to": OLD}]),
        unit("xa_b", "Xã Hòa Bình", "commune", valid_from=NEW),
    )
    assert reg.match("Xã Hòa Bình") is None
    assert reg.match("Xã Hoà Bình", Q3_2021).code == "xa_a"
    assert reg.match("Xa Hoa Binh", Q3_2026).code == "xa_b"
    with pytest.raises(ValueError, match="xa_a.*xa_b"):
        registry(
            unit("xa_a", "Xã Hòa An", "commune", aliases=[{"name": "Xã Hòa Bình", "valid_to": NEW}]),
            unit("xa_b", "Xã Hòa Bình", "commune", valid_from=NEW),
        )


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ({"name": "Xã Cũ", "valid_to": "Q2/2025"}, "valid_to"),
        ({"name": "Xã Cũ", "valid_from": "2025Q3", "valid_to": "2025Q1"}, "valid_to"),
        ({"valid_to": "2025Q2"}, "aliases"),
        ({"name": "Xã Cũ", "until": "2025Q2"}, "aliases"),
        ({"name": "  ", "valid_to": "2025Q2"}, "aliases"),
        (3, "aliases"),
    ],
)
def test_invalid_dated_alias_is_refused(alias, message):
    with pytest.raises(ValueError, match=message):
        registry(unit("xa_moi", "Xã Mới", "commune", aliases=[alias]))


# --- ingest: a file is matched in its own quarter

IN_BOTH = registry(
    unit("h_an_binh", "Huyện An Bình", "district", valid_to=OLD),
    unit("xa_an_binh", "Xã An Bình", "commune", valid_from=NEW),
    unit("cong_an_tinh", "Công an tỉnh", "agency"),
)


def submit(raw: Path, catalogue, known_values, name: str, code: str, quarter: Quarter, text: str | None) -> None:
    unit_ = IN_BOTH.get(code)
    context = TemplateContext(IN_BOTH.province_name, unit_, quarter, load_province_config().cutoff)
    edits = [renamed_unit(unit_.name, text)] if text else []
    signed = date(quarter.year, 3 * quarter.quarter - 1, 20)
    write_submission(raw / name, catalogue, context, known_values, signed, edits)


def test_ingest_matches_each_file_in_its_quarter(tmp_path, catalogue, known_values):
    raw = tmp_path / "raw"
    submit(raw, catalogue, known_values, "2026Q3/Xã An Bình.xlsx", "xa_an_binh", Q3_2026, None)
    submit(raw, catalogue, known_values, "2026Q3/2026Q3_an_binh.xlsx", "xa_an_binh", Q3_2026, "An Bình")
    submit(raw, catalogue, known_values, "2021Q3/An Bình.xlsx", "h_an_binh", Q3_2021, "An Bình")
    submit(raw, catalogue, known_values, "2021Q2/2021Q2_an_binh.xlsx", "h_an_binh", Q2_2021, "Đơn vị gửi")
    ctx = IngestContext.load(catalogue, IN_BOTH, load_province_config())
    result = ingest(raw, ctx)
    subs = result.tables["submissions"].set_index("file")
    got = subs[["unit_code", "period", "unit_source"]].to_dict("index")
    assert got == {
        "2026Q3/Xã An Bình.xlsx": {"unit_code": "xa_an_binh", "period": "2026Q3", "unit_source": "content"},
        "2026Q3/2026Q3_an_binh.xlsx": {"unit_code": "xa_an_binh", "period": "2026Q3", "unit_source": "content"},
        "2021Q3/An Bình.xlsx": {"unit_code": "h_an_binh", "period": "2021Q3", "unit_source": "content"},
        "2021Q2/2021Q2_an_binh.xlsx": {"unit_code": "h_an_binh", "period": "2021Q2", "unit_source": "file name"},
    }
    assert (subs["status"] != "rejected").all()
    issues = result.tables["issues"]
    assert not issues["rule"].isin(["unit_mismatch_path", "unit_conflict", "unknown_unit"]).any()
    # the bare "An Bình" of the content is a unit once the quarter is known; "Đơn vị gửi" is none
    assert issues.loc[issues["rule"] == "unit_not_in_list", "file"].tolist() == ["2021Q2/2021Q2_an_binh.xlsx"]


def test_ingest_without_the_quarter_of_the_content_takes_it_from_the_path(tmp_path, catalogue, known_values):
    raw = tmp_path / "raw"
    submit(raw, catalogue, known_values, "2026Q3/2026Q3_an_binh.xlsx", "xa_an_binh", Q3_2026, "An Bình")
    submit(raw, catalogue, known_values, "2021Q3_an_binh.xlsx", "h_an_binh", Q3_2021, "An Bình")
    ctx = IngestContext.load(catalogue, IN_BOTH, load_province_config())
    subs = ingest(raw, ctx).tables["submissions"].set_index("file")
    assert subs["unit_code"].to_dict() == {
        "2026Q3/2026Q3_an_binh.xlsx": "xa_an_binh",
        "2021Q3_an_binh.xlsx": "h_an_binh",
    }


OLD_FORM = registry(
    unit("h_dong_phong", "Huyện Đông Phong", "district", valid_to=OLD),
    unit("xa_phu_loc", "Xã Phú Lộc", "commune", valid_from=NEW),
)


def district_header(text: str, cells: tuple[str, ...]):
    """The former district's name left in cells of the first data sheet (a commune filling the old form)."""

    def edit(wb: Workbook) -> None:
        for cell in cells:
            wb.worksheets[1][cell] = text

    return edit


@pytest.mark.parametrize("cells", [("A1",), ("A1", "A2", "A3")], ids=["named once", "named more than the commune"])
def test_a_commune_on_the_former_districts_form_is_the_commune_with_a_warning(tmp_path, catalogue, known_values, cells):
    raw = tmp_path / "raw"
    context = TemplateContext(
        OLD_FORM.province_name, OLD_FORM.get("xa_phu_loc"), Q3_2026, load_province_config().cutoff
    )
    edits = [district_header("UBND HUYỆN ĐÔNG PHONG", cells)]
    write_submission(raw / "2026Q3_phu_loc.xlsx", catalogue, context, known_values, date(2026, 9, 18), edits)
    result = ingest(raw, IngestContext.load(catalogue, OLD_FORM, load_province_config()))
    sub = result.tables["submissions"].iloc[0]
    assert (sub["unit_code"], sub["status"]) == ("xa_phu_loc", "accepted")
    issues = result.tables["issues"]
    assert not issues["rule"].isin(["unit_conflict", "unexpected_unit"]).any()
    warning = issues.loc[issues["rule"] == "inactive_unit_named", "message"].tolist()
    assert len(warning) == 1 and "Huyện Đông Phong" in warning[0] and "quý III/2026" in warning[0]


FORMER_PROVINCE = registry(
    unit("tp_hoa_an", "Thành phố Hòa An", "district", valid_to=OLD),
    unit("phuong_hoa_an", "Phường Hòa An", "commune", valid_from=NEW),
)


@pytest.mark.parametrize(
    ("text", "quarter", "expected"),
    [
        ("UBND TỈNH HÒA AN", Quarter(2024, 3), None),  # the former province that gave the city its name
        ("(Mẫu biểu do UBND Tỉnh Hòa An ban hành)", Quarter(2024, 3), None),
        ("UBND THÀNH PHỐ HÒA AN, TỈNH HÒA AN", Quarter(2024, 3), "tp_hoa_an"),
        ("Hòa An", Quarter(2024, 3), "tp_hoa_an"),  # a bare name: the unit active then
        ("Hòa An", Quarter(2026, 3), "phuong_hoa_an"),
    ],
)
def test_a_name_after_tinh_is_a_province_not_a_unit(text, quarter, expected):
    found = FORMER_PROVINCE.find_in_text(text, quarter)
    assert (found.code if found else None) == expected
