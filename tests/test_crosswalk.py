"""The reform's ward-level conversion read from a published copy as it is (issue 14, first step): the verbatim
Phú Thọ extract of vietnamadminunits (tests/data/crosswalk, MIT, see its NOTICE.md) and small hand-made tables."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from analysis.cli import main
from analysis.core.crosswalk import CrosswalkError, approximate_districts, predecessors, read_conversion
from analysis.core.text import slug

PHU_THO = Path(__file__).parent / "data" / "crosswalk" / "phu_tho_small.csv"


@pytest.fixture(scope="module")
def phu_tho():
    return read_conversion(PHU_THO)


def test_a_published_copy_loads_as_it_is(phu_tho):
    assert len(phu_tho) == 42
    assert set(phu_tho["old_province"]) == {"Tỉnh Hòa Bình", "Tỉnh Phú Thọ", "Tỉnh Vĩnh Phúc"}
    assert set(phu_tho["old_district"]) == {"Huyện Lương Sơn", "Huyện Yên Lập", "Huyện Bình Xuyên"}
    assert set(phu_tho["new_province"]) == {"Tỉnh Phú Thọ"}
    first = phu_tho.iloc[0]
    assert (first["old_ward"], first["new_ward"]) == ("Thị trấn Lương Sơn", "Xã Lương Sơn")


def test_every_new_commune_has_predecessors_and_one_main(phu_tho):
    table = predecessors(phu_tho, "Tỉnh Phú Thọ")
    communes = set(table["new_ward"])
    assert len(communes) == 13  # counted by hand in the extract
    assert table.groupby("new_ward")["main"].sum().eq(1).all()
    main = table[table["main"]].set_index("new_ward")
    assert main.loc["Xã Liên Sơn", "old_ward"] == "Xã Liên Sơn"  # the ward of its own name, not the split Cao Sơn
    assert main.loc["Xã Lương Sơn", "old_ward"] == "Thị trấn Lương Sơn"  # the first ward not divided
    assert main.loc["Xã Sơn Lương", "old_district"] == "Huyện Yên Lập"
    assert main.loc["Xã Trung Sơn", "old_ward"] == "Xã Trung Sơn"  # the unchanged commune


def test_the_split_ward_is_flagged_and_its_district_approximate(phu_tho):
    divided = phu_tho[phu_tho["divided"]]
    assert list(zip(divided["old_ward"], divided["new_ward"], strict=True)) == [
        ("Xã Cao Sơn", "Xã Liên Sơn"),
        ("Xã Cao Sơn", "Xã Lương Sơn"),
    ]
    assert approximate_districts(phu_tho) == {("Tỉnh Hòa Bình", "Huyện Lương Sơn"): {"divided"}}


def test_a_commune_formed_across_two_districts_makes_both_approximate():
    table = pd.DataFrame(
        [  # Xã Lạc Hồng of Huyện An Bình also takes a whole ward of Huyện Đại Đồng; Xã Đồng Tâm stays inside
            ("Tỉnh Hòa An", "Huyện An Bình", "Xã Lạc Hồng", "Tỉnh Hòa Giang", "Xã Lạc Hồng", False),
            ("Tỉnh Hòa An", "Huyện An Bình", "Xã Lạc Thủy", "Tỉnh Hòa Giang", "Xã Lạc Hồng", False),
            ("Tỉnh Hòa An", "Huyện Đại Đồng", "Xã Đồng Tây", "Tỉnh Hòa Giang", "Xã Lạc Hồng", False),
            ("Tỉnh Hòa An", "Huyện Đại Đồng", "Xã Đồng Tâm", "Tỉnh Hòa Giang", "Xã Đồng Tâm", False),
            ("Tỉnh Hòa An", "Huyện Yên Khánh", "Xã Yên Khánh", "Tỉnh Hòa Giang", "Xã Yên Khánh", False),
        ],
        columns=["old_province", "old_district", "old_ward", "new_province", "new_ward", "divided"],
    )
    assert approximate_districts(table) == {
        ("Tỉnh Hòa An", "Huyện An Bình"): {"crossing"},  # Xã Lạc Hồng is counted here, with a ward of Đại Đồng
        ("Tỉnh Hòa An", "Huyện Đại Đồng"): {"crossing"},  # … which its successors no longer hold
    }


def test_vietnamese_headers_and_a_split_found_by_repetition_alone(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["STT", "Tỉnh (cũ)", "Huyện (cũ)", "Xã (cũ)", "Tỉnh (mới)", "Xã (mới)"])
    ws.append([1, "Tỉnh Hòa An", "Huyện An Bình", "Xã Bình Lợi", "Tỉnh Hòa Giang", "Xã An Bình"])
    ws.append([2, "Tỉnh Hòa An", "Huyện An Bình", "Xã Bình Lợi", "Tỉnh Hòa Giang", "Xã Tân Phú"])
    ws.append([3, "Tỉnh Hòa An", "Huyện An Bình", "Thị trấn An Bình", "Tỉnh Hòa Giang", "Xã An Bình"])
    book.save(tmp_path / "bang-chuyen-doi.xlsx")
    table = read_conversion(tmp_path / "bang-chuyen-doi.xlsx")
    assert list(table["divided"]) == [True, True, False]  # no flag column: a ward given twice is split
    main = predecessors(table).query("main").set_index("new_ward")["old_ward"].to_dict()
    assert main == {"Xã An Bình": "Thị trấn An Bình", "Xã Tân Phú": "Xã Bình Lợi"}


def test_a_table_without_the_new_commune_is_refused_naming_the_file(tmp_path):
    (tmp_path / "thieu.csv").write_text("province,district,ward\nTỉnh A,Huyện B,Xã C\n", encoding="utf-8")
    with pytest.raises(CrosswalkError, match=r"thieu.csv: không tìm thấy cột new_ward"):
        read_conversion(tmp_path / "thieu.csv")


# --- the import command, for a workspace of Phú Thọ (its communes of the extract, the three former districts)

COMMUNES = ["Xã Lương Sơn", "Xã Liên Sơn", "Xã Cao Dương", "Xã Yên Lập", "Xã Sơn Lương", "Xã Xuân Viên",
            "Xã Trung Sơn", "Xã Thượng Long", "Xã Minh Hòa", "Xã Bình Nguyên", "Xã Bình Xuyên", "Xã Bình Tuyền",
            "Xã Xuân Lãng"]  # fmt: skip
DISTRICTS = ["Huyện Lương Sơn", "Huyện Yên Lập", "Huyện Bình Xuyên"]


def _workspace(tmp_path: Path, extra_commune: str | None = None) -> Path:
    config = tmp_path / "config"
    config.mkdir()
    units = [{"code": f"h_{slug(n[6:])}", "name": n, "type": "district", "valid_to": "2025Q2"} for n in DISTRICTS]
    names = COMMUNES + ([extra_commune] if extra_commune else [])
    units += [{"code": f"xa_{slug(n[3:])}", "name": n, "type": "commune", "valid_from": "2025Q3"} for n in names]
    (config / "units.yaml").write_text(
        yaml.safe_dump({"province": {"code": "phu_tho", "name": "Tỉnh Phú Thọ"}, "units": units}, allow_unicode=True),
        encoding="utf-8",
    )
    (config / "province.yaml").write_text(
        "cutoff: {start_day: 15, end_day: 14}\ndeadline_days: 7\nfirst_period: 2024Q1\nreport_title: Báo cáo\n"
        'reform: {transition_quarter: 2025Q3, effective: "2025-07-01", reported_by: communes}\n',
        encoding="utf-8",
    )
    return config


def test_import_crosswalk_writes_each_commune_with_its_former_wards(tmp_path, monkeypatch, capsys):
    config = _workspace(tmp_path, extra_commune="Xã Không Có Trong Bảng")
    monkeypatch.setenv("ANALYSIS_CONFIG", str(config))
    assert main(["units", "import-crosswalk", str(PHU_THO)]) == 0
    said = capsys.readouterr().out
    assert "13 xã, phường, đặc khu với 42 xã cũ" in said
    assert "Huyện Lương Sơn (Tỉnh Hòa Bình)" in said
    assert "không có xã cũ nào trong bảng (1): xa_khong_co_trong_bang" in said
    data = yaml.safe_load((config / "crosswalk.yaml").read_text(encoding="utf-8"))
    assert len(data["communes"]) == 13 and data["not_in_registry"] == []
    lien_son = data["communes"]["xa_lien_son"]
    assert lien_son["name"] == "Xã Liên Sơn"
    assert [w["ward"] for w in lien_son["predecessors"]] == ["Xã Cao Sơn", "Xã Cư Yên", "Xã Liên Sơn"]
    assert (
        lien_son["predecessors"][0]["divided"] is True and lien_son["predecessors"][0]["district_unit"] == "h_luong_son"
    )
    assert [w["ward"] for w in lien_son["predecessors"] if w.get("main")] == ["Xã Liên Sơn"]
    assert data["approximate_districts"] == [
        {"province": "Tỉnh Hòa Bình", "district": "Huyện Lương Sơn", "reason": "divided"}
    ]
    assert "phu_tho_small.csv (sha256 705d30d6" in data["source"]


def test_import_crosswalk_maps_the_former_provinces_agencies_to_todays(tmp_path, monkeypatch, capsys):
    config = _workspace(tmp_path)
    units = yaml.safe_load((config / "units.yaml").read_text(encoding="utf-8"))
    former = [("ca_hb", "Công an tỉnh Hòa Bình"), ("ca_vp", "Công an tỉnh Vĩnh Phúc"),
              ("yt_hb", "Sở Y tế tỉnh Hòa Bình"), ("yt_vp", "Sở Y tế tỉnh Vĩnh Phúc"),
              ("bql", "Ban Quản lý các khu công nghiệp")]  # fmt: skip
    units["units"] += [{"code": c, "name": n, "type": "agency", "valid_to": "2025Q2"} for c, n in former]
    today = [("cong_an_tinh", "Công an tỉnh"), ("so_y_te", "Sở Y tế"), ("so_noi_vu", "Sở Nội vụ")]
    units["units"] += [{"code": c, "name": n, "type": "agency", "valid_from": "2025Q3"} for c, n in today]
    (config / "units.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("ANALYSIS_CONFIG", str(config))
    assert main(["units", "import-crosswalk", str(PHU_THO)]) == 0
    said = capsys.readouterr().out
    assert "4 cơ quan của tỉnh cũ hợp nhất vào 2 cơ quan hiện nay" in said
    assert "không tìm thấy cơ quan hiện nay cùng tên (1): bql" in said  # no former province in its name: not guessed
    data = yaml.safe_load((config / "crosswalk.yaml").read_text(encoding="utf-8"))
    assert data["agencies"] == {
        "cong_an_tinh": {"name": "Công an tỉnh", "predecessors": ["ca_hb", "ca_vp"]},
        "so_y_te": {"name": "Sở Y tế", "predecessors": ["yt_hb", "yt_vp"]},
    }
    assert data["agencies_unmatched"] == ["bql"]
