from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.periods import Quarter
from analysis.core.units import Unit, UnitRegistry, load_units, unit_key

REPO_UNITS = load_units()


@pytest.fixture
def reg() -> UnitRegistry:
    return REPO_UNITS


def write_units(tmp_path: Path, units: list[dict], province: dict | None = None) -> Path:
    path = tmp_path / "units.yaml"
    data = {"province": province or {"code": "minh_son", "name": "Tỉnh Minh Sơn"}, "units": units}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def district(code: str, name: str, **extra) -> dict:
    return {"code": code, "name": name, "type": "district", **extra}


# --- the repo's file


def test_repo_units_file(reg):
    assert reg.province_code == "minh_son"
    assert reg.province_name == "Tỉnh Minh Sơn"
    types = [u.type for u in reg.units]
    assert types.count("district") == 10
    assert types.count("agency") == 3
    districts = [u.name for u in reg.units if u.type == "district"]
    assert sum(n.startswith("Thành phố") for n in districts) == 1
    assert 1 <= sum(n.startswith("Thị xã") for n in districts) <= 2
    assert all(n.startswith(("Thành phố", "Thị xã", "Huyện")) for n in districts)
    for u in reg.units:
        assert u.code == u.code.lower()
        assert unicodedata.is_normalized("NFC", u.name)


def test_get(reg):
    assert reg.get("an_binh").name == "Huyện An Bình"
    with pytest.raises(KeyError, match="an_binh"):
        reg.get("khong_co")


def test_unit_types(reg):
    assert reg.get("an_binh").type_vn == "cấp huyện"
    assert reg.get("cong_an_tinh").type_vn == "cơ quan cấp tỉnh"


def test_active(reg):
    so_y_te = reg.get("so_y_te")
    assert not so_y_te.active_in(Quarter(2020, 4))
    assert so_y_te.active_in(Quarter(2021, 1))
    assert so_y_te not in reg.active(Quarter(2020, 1))
    assert len(reg.active(Quarter(2021, 3))) == 13
    assert all(u.type == "agency" for u in reg.active(Quarter(2025, 3)))


def test_active_in_bounds():
    u = Unit("x_y", "Huyện X Y", "district", (), Quarter(2020, 2), Quarter(2021, 1))
    assert not u.active_in(Quarter(2020, 1))
    assert u.active_in(Quarter(2020, 2))
    assert u.active_in(Quarter(2021, 1))
    assert not u.active_in(Quarter(2021, 2))


# --- match


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Thành phố Minh Sơn", "tp_minh_son"),
        ("TP. Minh Sơn", "tp_minh_son"),
        ("TP Minh Sơn", "tp_minh_son"),
        ("T.P Minh Son", "tp_minh_son"),
        ("UBND thành phố Minh Sơn", "tp_minh_son"),
        ("Ủy ban nhân dân TP. Minh Sơn", "tp_minh_son"),
        ("Uỷ ban nhân dân thành phố Minh Sơn", "tp_minh_son"),
        ("THÀNH PHỐ MINH SƠN", "tp_minh_son"),
        ("Huyện An Bình", "an_binh"),
        ("H. An Bình", "an_binh"),
        ("huyen an binh", "an_binh"),
        ("  Huyện   An\u00a0Bình ", "an_binh"),
        ("UBND HUYỆN AN BÌNH", "an_binh"),
        ("An Bình", "an_binh"),
        ("huyen-an-binh", "an_binh"),
        ("huyen_an_binh", "an_binh"),
        ("an_binh", "an_binh"),
        ("Huyện An Bình, tỉnh Minh Sơn", "an_binh"),
        ("Thị xã Hòa Lạc", "tx_hoa_lac"),
        ("Thị xã Hoà Lạc", "tx_hoa_lac"),
        ("TX. Hoá Lạc", "tx_hoa_lac"),
        ("tx hoa lac", "tx_hoa_lac"),
        ("Huyện Thuỷ Lâm", "thuy_lam"),
        ("Huyện Thủy Lâm", "thuy_lam"),
        ("Huyện Vĩnh Xuyên", "tx_vinh_xuyen"),
        ("Công an tỉnh", "cong_an_tinh"),
        ("CA tỉnh", "cong_an_tinh"),
        ("CÔNG AN TỈNH MINH SƠN", "cong_an_tinh"),
        ("Thanh tra tỉnh", "thanh_tra_tinh"),
        ("Thanh tra tỉnh Minh Sơn", "thanh_tra_tinh"),
        ("Sở Y tế", "so_y_te"),
        ("SỞ Y TẾ TỈNH MINH SƠN", "so_y_te"),
    ],
)
def test_match(reg, text, code):
    unit = reg.match(text)
    assert unit is not None and unit.code == code
    assert reg.match(unicodedata.normalize("NFD", text)) == unit


@pytest.mark.parametrize(
    "text",
    [
        "Tỉnh Minh Sơn",
        "UBND tỉnh Minh Sơn",
        "Minh Sơn",
        "tinh minh son",
        "Huyện Không Có",
        "Thanh tra huyện An Bình",
        "An",
        "",
        "   ",
        "UBND",
    ],
)
def test_match_none(reg, text):
    assert reg.match(text) is None


def test_unit_key():
    assert unit_key("UBND T.P. Minh Sơn") == "tp minh son"
    assert unit_key("Ủy ban nhân dân huyện An Bình") == "huyen an binh"
    assert unit_key("H. An Bình") == "huyen an binh"
    assert unit_key("Thị xã Hoà Lạc") == "tx hoa lac"


# --- find_in_text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Đơn vị báo cáo: UBND huyện An Bình", "an_binh"),
        ("2021Q3_huyen-an-binh_v2.xlsx", "an_binh"),
        ("H. An Binh", "an_binh"),
        ("2021Q3/2021Q3_an_binh.xlsx", "an_binh"),
        ("UBND TỈNH MINH SƠN\nUBND HUYỆN AN BÌNH", "an_binh"),
        ("Thanh tra huyện An Bình", "an_binh"),
        ("2021Q3_tp_minh_son.xlsx", "tp_minh_son"),
        ("BÁO CÁO CỦA UBND THÀNH PHỐ MINH SƠN", "tp_minh_son"),
        ("BC quy 3 - TX Hoà Lạc.xlsx", "tx_hoa_lac"),
        ("CÔNG AN TỈNH MINH SƠN", "cong_an_tinh"),
        ("2021Q3_cong_an_tinh.xlsx", "cong_an_tinh"),
        ("Sở Y tế tỉnh Minh Sơn báo cáo", "so_y_te"),
        ("Quy III-2021/Huyen Thuy Lam", "thuy_lam"),
    ],
)
def test_find_in_text(reg, text, code):
    unit = reg.find_in_text(text)
    assert unit is not None and unit.code == code


@pytest.mark.parametrize(
    "text",
    [
        "Báo cáo của UBND tỉnh Minh Sơn",
        "2021Q3_minh_son.xlsx",
        "huyện An Bình và huyện Tân Khê",
        "2021Q3_bao_cao.xlsx",
        "",
    ],
)
def test_find_in_text_none(reg, text):
    assert reg.find_in_text(text) is None


def test_find_in_text_longest_name_wins(tmp_path):
    path = write_units(
        tmp_path,
        [district("an_binh", "Huyện An Bình"), district("tay_an_binh", "Huyện Tây An Bình")],
    )
    reg = UnitRegistry.from_yaml(path)
    assert reg.find_in_text("UBND huyện Tây An Bình").code == "tay_an_binh"
    assert reg.find_in_text("UBND huyện An Bình").code == "an_binh"


def test_find_in_text_overlapping_names_longest_wins_at_any_position(tmp_path):
    units = [
        district("an_binh", "Huyện An Bình"),
        district("tay_an_binh", "Huyện Tây An Bình"),
        district("binh_son", "Huyện Bình Sơn"),
    ]
    reg = UnitRegistry.from_yaml(write_units(tmp_path, units))
    # "tay an binh" (longer) and "an binh" start at different words; "an binh" and "binh son" overlap
    assert reg.find_in_text("Báo cáo Tây An Bình quý III").code == "tay_an_binh"
    assert reg.find_in_text("UBND huyện An Bình Sơn").code == "an_binh"  # "huyen an binh" outlasts "binh son"
    assert reg.find_in_text("xã An Bình Sơn").code == "binh_son"  # "binh son" is longer than "an binh"
    assert reg.find_in_text("Tây An Bình, Bình Sơn") is None  # … two different units named: ambiguous
    assert reg.find_in_text("Tây An Bình và Tây An Bình").code == "tay_an_binh"  # the same unit twice


def test_find_in_text_equal_length_overlap_the_earlier_name_wins(tmp_path):
    units = [district("an_binh", "Huyện An Bình"), district("binh_an", "Huyện Bình An")]
    reg = UnitRegistry.from_yaml(write_units(tmp_path, units))
    assert reg.find_in_text("xã An Bình An").code == "an_binh"
    assert reg.find_in_text("xã Bình An Bình").code == "binh_an"


def test_find_in_text_needs_whole_words(tmp_path):
    reg = UnitRegistry.from_yaml(write_units(tmp_path, [district("an_binh", "Huyện An Bình")]))
    assert reg.find_in_text("Thanh An Bình").code == "an_binh"
    assert reg.find_in_text("Xuân An Bìnhh") is None
    assert reg.find_in_text("Huyện Ân Bình").code == "an_binh"  # diacritics folded
    assert reg.find_in_text("tânan bình") is None


def _reference_find(reg: UnitRegistry, text: str) -> str | None:
    """The former implementation: one alternation regex of every key, tried at every position; a name right after
    the word "tỉnh" is a province's, not a unit's."""
    from analysis.core.units import _canon_text

    keys = reg._index.search_units
    alts = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    s = _canon_text(text)
    hits = sorted(
        ((m.start(), m.start() + len(m.group(1)), m.group(1)) for m in re.finditer(rf"(?=(?<!\S)({alts})(?!\S))", s)),
        key=lambda h: (h[0] - h[1], h[0]),
    )
    hits = [h for h in hits if s[: h[0]].split()[-1:] != ["tinh"]]
    taken: list[tuple[int, int]] = []
    found = set()
    for start, end, key in hits:
        if all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            found.add(keys[key].code)
    return found.pop() if len(found) == 1 else None


WORDS = ["huyện", "an", "bình", "tây", "tân", "khê", "thị", "xã", "tp", "công", "tỉnh", "minh", "sơn", "sở", "y", "tế"]


@given(st.lists(st.sampled_from(WORDS + ["-", "_", "2021Q3", "UBND", "thành phố", " "]), max_size=12))
def test_find_in_text_same_as_the_former_regex(words):
    text = " ".join(words)
    found = REPO_UNITS.find_in_text(text)
    assert (found.code if found else None) == _reference_find(REPO_UNITS, text)


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> UnitRegistry:
    names = [f"Huyện Mẫu {i:05d}" for i in range(10_000)]
    units = [district(f"mau_{i:05d}", name) for i, name in enumerate(names)]
    units.append(district("mau_lon", "Huyện Mẫu 00001 Mở Rộng"))
    return UnitRegistry.from_yaml(write_units(tmp_path_factory.mktemp("national"), units))


def test_find_in_text_with_10000_units(national):
    assert len(national) == 10_001
    assert national.find_in_text("BÁO CÁO CỦA UBND HUYỆN MẪU 09999 QUÝ III").code == "mau_09999"
    assert national.find_in_text("2021Q3_mau_00042.xlsx").code == "mau_00042"
    assert national.find_in_text("Huyện Mẫu 00001 Mở Rộng").code == "mau_lon"  # longest name wins
    assert national.find_in_text("Huyện Mẫu 00001").code == "mau_00001"
    assert national.find_in_text("Huyện Mẫu 00001 và Huyện Mẫu 00002") is None
    assert national.find_in_text("Huyện Mẫu 10000") is None


def test_find_in_text_with_10000_units_is_fast(national):
    texts = [f"Đơn vị báo cáo: UBND huyện Mẫu {i:05d} - quý III/2021" for i in range(0, 10_000, 10)]
    start = time.perf_counter()
    assert [national.find_in_text(t).code for t in texts] == [f"mau_{i:05d}" for i in range(0, 10_000, 10)]
    assert time.perf_counter() - start < 1.0  # 1,000 lookups: the regex took ~50 s, the word index ~10 ms


@given(st.text())
def test_matchers_never_raise(text):
    REPO_UNITS.match(text)
    REPO_UNITS.find_in_text(text)


# --- validation


def test_bare_name_only_when_unique(tmp_path):
    path = write_units(tmp_path, [district("h_tan_an", "Huyện Tân An"), district("tx_tan_an", "Thị xã Tân An")])
    reg = UnitRegistry.from_yaml(path)
    assert reg.match("Tân An") is None
    assert reg.match("Huyện Tân An").code == "h_tan_an"
    assert reg.match("TX Tân An").code == "tx_tan_an"


def test_alias_collision_raises_naming_both_units(tmp_path):
    path = write_units(
        tmp_path,
        [district("an_binh", "Huyện An Bình"), district("tan_khe", "Huyện Tân Khê", aliases=["H. An Binh"])],
    )
    with pytest.raises(ValueError, match=r"an_binh.*tan_khe"):
        UnitRegistry.from_yaml(path)


def test_duplicate_code_raises(tmp_path):
    path = write_units(tmp_path, [district("an_binh", "Huyện An Bình"), district("an_binh", "Huyện Tân Khê")])
    with pytest.raises(ValueError, match="an_binh"):
        UnitRegistry.from_yaml(path)


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        ({"code": "x_a", "name": "Huyện X", "type": "village"}, "type"),
        ({"code": "An Binh", "name": "Huyện An Bình", "type": "district"}, "code"),
        ({"code": "an_binh", "type": "district"}, "name"),
        (
            {"code": "an_binh", "name": "Huyện An Bình", "type": "district", "valid_from": "Q3/2021"},
            "valid_from",
        ),
        (
            {
                "code": "an_binh",
                "name": "Huyện An Bình",
                "type": "district",
                "valid_from": "2021Q3",
                "valid_to": "2021Q1",
            },
            "valid_to",
        ),
        ({"code": "an_binh", "name": "Huyện An Bình", "type": "district", "alias": ["x"]}, "alias"),
        (
            {"code": "an_binh", "name": "Huyện An Bình", "type": "district", "aliases": ["Tỉnh Minh Sơn"]},
            "Minh Sơn",
        ),
    ],
)
def test_invalid_unit_raises(tmp_path, unit, message):
    with pytest.raises(ValueError, match=message):
        UnitRegistry.from_yaml(write_units(tmp_path, [unit]))


def test_missing_file_raises_value_error(tmp_path):
    with pytest.raises(ValueError, match="missing.yaml.*cannot read"):
        UnitRegistry.from_yaml(tmp_path / "missing.yaml")


def test_load_units_default_follows_config_dir(tmp_path, monkeypatch):
    write_units(tmp_path, [district("an_binh", "Huyện An Bình")])
    monkeypatch.setenv("ANALYSIS_CONFIG", str(tmp_path))
    assert load_units().codes == ("an_binh",)
