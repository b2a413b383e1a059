"""The post-reform demo province (issue 12, item 5): `python -m analysis demo --province hoa-giang` writes a whole
workspace; the small scale of the same scenario (4 districts → 10 communes, 2 agencies, 2024Q3–2026Q3) is
deterministic, a valid workspace, ingests file by file to the right unit, and its province totals are the truth's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.core import vnformat
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter
from analysis.core.units import load_units
from analysis.core.workspace import create, is_workspace
from analysis.demo.generator import SCENARIOS, DemoConfigExists, generate_demo
from analysis.ingest.run import run_ingest
from analysis.ingest.submission import IngestContext

SCENARIO = SCENARIOS["hoa-giang"]
REFORM = Quarter(2025, 3)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hoa-giang") / "ws"
    generate_demo(root, SCENARIO, "small")
    return root


@pytest.fixture(scope="module")
def tables(small, catalogue) -> dict[str, pd.DataFrame]:
    registry = load_units(small / "config" / "units.yaml")
    settings = load_province_config(small / "config" / "province.yaml")
    processed = small.parent / "processed"
    run_ingest(small / "data" / "raw", processed, IngestContext.load(catalogue, registry, settings))
    names = ("values", "submissions", "issues", "completeness", "lists", "manual")
    return {name: pd.read_csv(processed / f"{name}.csv", dtype={"raw": str}) for name in names}


@pytest.fixture(scope="module")
def manifest(small) -> pd.DataFrame:
    return pd.read_csv(small / "data" / "raw" / "MANIFEST.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def truth(small) -> pd.DataFrame:
    return pd.read_csv(small / "data" / "raw" / "TRUTH.csv")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_runs_are_byte_identical(small, tmp_path):
    generate_demo(tmp_path / "again", SCENARIO, "small")
    assert _files(tmp_path / "again") == _files(small)


def test_it_is_a_workspace_of_the_reform(small):
    assert is_workspace(small)
    assert (small / "data" / "processed").is_dir() and (small / "reports").is_dir()
    settings = load_province_config(small / "config" / "province.yaml")
    assert settings.reform is not None and settings.reform.transition_quarter == REFORM
    assert settings.reform.effective.isoformat() == "2025-07-01" and settings.reform.reported_by == "communes"
    assert (settings.cutoff.start_day, settings.cutoff.end_day, settings.deadline_days) == (15, 14, 7)
    registry = load_units(small / "config" / "units.yaml")
    assert registry.province_name == "Tỉnh Hòa Giang"
    by_type = {t: [u for u in registry.units if u.type == t] for t in ("district", "commune", "agency")}
    assert len(by_type["district"]) == 4 and len(by_type["commune"]) == 10
    assert all(u.valid_to == REFORM.previous() for u in by_type["district"])
    assert all(u.valid_from == REFORM for u in by_type["commune"])
    assert {u.kind for u in by_type["commune"]} == {"xa", "phuong", "dac_khu"}
    new, former = [u for u in by_type["agency"] if u.valid_from == REFORM], [u for u in by_type["agency"] if u.valid_to]
    assert [u.name for u in new] == ["Công an tỉnh", "Thanh tra tỉnh"]
    assert "Công an tỉnh Hòa An" in {u.name for u in former} and "Thanh tra tỉnh Giang Sơn" in {u.name for u in former}


def test_the_full_scenario_is_a_province_of_today(tmp_path):
    from analysis.demo.province import build_province
    from analysis.demo.scenario import load_scenario

    scenario = load_scenario(SCENARIO)
    assert (scenario.figures.quarters[0].label, scenario.figures.quarters[-1].label) == ("2024Q1", "2026Q3")
    province = build_province(scenario.province, scenario.figures.quarters[0], 1, scenario.scale)
    types = [u["type"] for u in province.units["units"]]
    assert types.count("district") == 20 and 110 <= types.count("commune") <= 130
    assert types.count("agency") == 2 * 5 + 8
    (tmp_path / "units.yaml").write_text(province.units_yaml(), encoding="utf-8")
    registry = load_units(tmp_path / "units.yaml")  # names and keys valid together
    assert sum(u.kind == "dac_khu" for u in registry.units) == 1


def test_every_file_is_accepted_under_the_unit_and_quarter_of_the_manifest(tables, manifest):
    every = tables["submissions"]
    subs = every[every["unit_source"] != "consolidated"].set_index("file")  # a file's own, not its rows
    assert sorted(subs.index) == sorted(manifest["file"])
    assert (every["status"] != "rejected").all()
    expected = manifest.set_index("file")
    assert (subs.loc[expected.index, "unit_code"] == expected["unit_code"]).all()
    assert (subs.loc[expected.index, "period"] == expected["period"]).all()


@pytest.mark.parametrize(
    ("file", "unit"),
    [
        ("2025Q2/2025Q2_h_an_binh.xlsx", "h_an_binh"),  # "H. An Bình", before the reform
        ("2025Q3/2025Q3_xa_an_binh.xlsx", "xa_an_binh"),  # "X. An Bình", after it
        ("2025Q4/2025Q4_xa_an_binh.xlsx", "xa_an_binh"),  # the former district's title block
        ("2025Q3/2025Q3_xa_tan_phu.xlsx", "xa_tan_phu"),  # the old district template of another name
        ("2024Q4/2024Q4_h_co_tien.xlsx", "h_co_tien"),  # the island district …
        ("2025Q4/2025Q4_dk_co_tien.xlsx", "dk_co_tien"),  # … and the đặc khu of the same name
        ("2026Q3/P.Dong Hai quy 3.xlsx", "p_dong_hai"),
        ("nhan-qua-email/xa_binh_loi.xlsx", "xa_binh_loi"),
    ],
)
def test_a_commune_and_the_former_district_of_its_name_are_told_apart(tables, file, unit):
    subs = tables["submissions"].set_index("file")
    assert subs.loc[file, "unit_code"] == unit


def test_the_inspectorates_consolidated_files_give_a_row_per_unit_and_the_own_files_win(tables, truth):
    subs = tables["submissions"]
    for file, quarter in (
        ("2025Q3/2025Q3_thanh_tra_tinh_tong-hop-01TCD-01XLD.xlsx", "2025Q3"),
        ("2026Q2/2026Q2_thanh_tra_tinh_tong-hop-01TCD.xlsx", "2026Q2"),
    ):
        rows = subs[subs["file"] == file]
        own = rows[rows["unit_source"] != "consolidated"]
        assert list(zip(own["unit_code"], own["status"], strict=True)) == [("thanh_tra_tinh", "consolidated")]
        of_units = rows[rows["unit_source"] == "consolidated"]
        filed = set(subs[(subs["period"] == quarter) & (subs["unit_source"] != "consolidated")]["unit_code"])
        assert set(of_units["unit_code"]) == filed - {"thanh_tra_tinh"}  # every other unit of the quarter
        assert (of_units["status"] == "superseded").all()  # each sent its own file, which is used
    issues = tables["issues"]
    mismatch = issues[issues["rule"] == "consolidated_mismatch"]
    assert set(zip(mismatch["file"], mismatch["unit_code"], strict=True)) == {
        ("2025Q3/2025Q3_p_hoa_an.xlsx", "p_hoa_an"),
        ("2025Q3/2025Q3_thanh_tra_tinh_tong-hop-01TCD-01XLD.xlsx", "p_hoa_an"),
    }
    told = mismatch["message"].iloc[0]
    visits = _truth_of(truth, "p_hoa_an", "2025Q3", "TCD01")
    assert f"TCD01: {vnformat.auto(visits)} (01-TCD!" in told and f"{vnformat.auto(visits + 2)} (01-TCD!C" in told
    assert not (issues["rule"] == "official_total_mismatch").any()


def test_units_filing_the_printed_forms_give_their_figures(tables, truth):
    values = tables["values"]
    for file, unit, quarter in (
        ("2025Q3/2025Q3_p_dong_hai.xlsx", "p_dong_hai", "2025Q3"),
        ("2026Q1/2026Q1_xa_binh_loi.xlsx", "xa_binh_loi", "2026Q1"),
    ):
        got = values[values["source_file"] == file].set_index("indicator")
        for indicator in ("TCD01", "TCD13", "TCD29", "VP04"):
            if indicator in got.index:
                assert got.loc[indicator, "value"] == _truth_of(truth, unit, quarter, indicator), (file, indicator)
        assert got.loc["TCD01", "cell"] == "C15"  # printed column 1, the unit's row below the numbering row
    xld = values[(values["source_file"] == "2025Q3/2025Q3_p_dong_hai.xlsx") & (values["indicator"] == "XLD17")]
    assert xld["sheet"].tolist() == ["02-XLD (bổ sung)"]  # the province's own addition, one-column


def test_the_inspectorates_list_forms_go_into_the_lists_table(tables):
    lists = tables["lists"]
    cases = lists[(lists["form"] == "02/PCTN") & (lists["field"] == "case")]
    assert set(zip(cases["unit_code"], cases["period"], cases["item"], strict=True)) == {
        ("thanh_tra_tinh", "2026Q1", 1),
        ("thanh_tra_tinh", "2026Q1", 2),
    }
    assert list(cases["cell"]) == ["B11", "B12"]  # the template's list sheet: header row 10
    documents = lists[lists["form"] == "03/PCTN"].set_index("field")
    assert documents.loc["not_fixed", "value"] == "x" and documents.loc["issuer", "value"] == "UBND tỉnh"
    assert set(lists["file"]) == {"2026Q1/2026Q1_thanh_tra_tinh.xlsx"}  # nothing from the other units' blank lists


def test_late_and_missing_units(tables):
    completeness = tables["completeness"]
    missing = completeness[completeness["status"] == "missing"]
    assert set(zip(missing["unit_code"], missing["period"], strict=True)) == {
        ("thanh_tra_tinh_hoa_an", "2024Q4"),
        ("p_tra_ly", "2026Q1"),
        ("xa_binh_loi", "2025Q4"),
    }
    late = completeness[completeness["status"] == "late"]
    assert set(zip(late["unit_code"], late["period"], strict=True)) == {
        ("tp_giang_son", "2025Q1"),
        ("p_tra_ly", "2025Q3"),
        ("xa_binh_loi", "2026Q2"),
    }


def _truth_of(truth: pd.DataFrame, unit: str, period: str, indicator: str) -> float:
    row = truth[(truth["unit_code"] == unit) & (truth["period"] == period) & (truth["indicator"] == indicator)]
    return float(row["value"].iloc[0])


def test_province_totals_are_the_truths_but_for_the_messy_cases_that_change_a_figure(tables, truth):
    subs = tables["submissions"]
    accepted = set(subs.loc[subs["status"] == "accepted", "file"])
    values = tables["values"]
    values = values[values["source_file"].isin(accepted) | (values["status"] == "manual")]  # a typo entered right
    indicators = ["TCD01", "TCD02", "TCD21", "VP01", "VP04", "XLD01"]
    got = values[values["indicator"].isin(indicators)].groupby(["period", "indicator"])["value"].sum()
    sent = truth[(truth["submitted"] == 1) & truth["indicator"].isin(indicators)]
    expected = sent.groupby(["period", "indicator"])["value"].sum()
    # by hand, from the scenario's cases: a figure the file changes on purpose
    expected[("2026Q3", "XLD01")] += 7  # p_hoa_an: a total typed 7 above its parts (kept, flagged)
    expected[("2024Q4", "TCD21")] -= _truth_of(truth, "tp_giang_son", "2024Q4", "TCD21")  # its row deleted
    expected[("2024Q3", "TCD02")] -= _truth_of(truth, "tp_hoa_an", "2024Q3", "TCD02")  # a formula never calculated
    expected[("2026Q3", "TCD21")] -= _truth_of(truth, "p_bac_thanh", "2026Q3", "TCD21")  # typed as "-"
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
    periods = sorted(got.index.get_level_values(0).unique())
    assert periods == [q.label for q in (Quarter(2024, 3) + i for i in range(9))]


def test_the_analysts_hand_entry_replaces_a_typo_and_the_conflict_names_the_files_figure(tables, truth):
    true = _truth_of(truth, "p_tra_ly", "2026Q3", "TCD01")
    v = tables["values"]
    (row,) = v[(v["unit_code"] == "p_tra_ly") & (v["period"] == "2026Q3") & (v["indicator"] == "TCD01")].itertuples()
    assert (row.value, row.status) == (true, "manual")
    assert (row.source_file, row.sheet, row.cell) == ("manual/so-lieu-nhap-tay.xlsx", "Nhập tay", "D2")
    (m,) = tables["manual"].itertuples()
    assert (m.outcome, m.unit_value, m.unit_file) == ("replaced", true * 10, "2026Q3/2026Q3_p_tra_ly.xlsx")
    assert (m.entered_by, m.entered_on) == ("Nguyễn Thị Lan", "2026-10-14")
    issues = tables["issues"]
    (conflict,) = issues.loc[issues["rule"] == "manual_conflict", "message"]
    assert f"{vnformat.auto(true)} khác số liệu đơn vị báo cáo {vnformat.auto(true * 10)}" in conflict


def test_province_totals_keep_their_order_across_the_reform(truth):
    totals = truth[truth["indicator"] == "TCD01"].groupby("period")["value"].sum()
    before, after = totals[totals.index < "2025Q3"].mean(), totals[totals.index >= "2025Q3"].mean()
    assert 0.6 < after / before < 1.5


def test_the_demo_replaces_a_sample_configuration_never_an_offices(tmp_path):
    from analysis.demo import generator

    create(tmp_path / "moi", "test")
    generator._check_config(tmp_path / "moi" / "config")  # the sample of `init`: the demo may replace it
    own = tmp_path / "van-phong" / "config"
    own.mkdir(parents=True)
    (own / "units.yaml").write_text("province: {code: that, name: Tỉnh Thật}\n", encoding="utf-8")
    with pytest.raises(DemoConfigExists, match="không ghi đè"):
        generator._check_config(own)


# ------------------------------------------------------------------------------------------- whole reports


def _pre_reform_columns(headers: list[str], quarter: Quarter) -> list[int]:
    """Columns of a unit table that show or compare with a quarter before the reform."""
    found = []
    roman = {"I": 1, "II": 2, "III": 3, "IV": 4}
    for i, header in enumerate(headers):
        named = re.search(r"[Qq]uý (IV|III|II|I)/(\d{4})", header)
        same = re.search(r"cùng kỳ năm (\d{4})", header)
        shown = Quarter(int(named.group(2)), roman[named.group(1)]) if named else None
        compared = Quarter(int(same.group(1)), quarter.quarter) if same else None
        if any(q is not None and q < REFORM for q in (shown, compared)):
            found.append(i)
    return found


def _commune_cells_against_pre_reform(page: Path, quarter: Quarter) -> list[str]:
    """Every cell of the page's tables in a pre-reform column: "—" or "không so sánh được …" only."""
    cells = []
    for table in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("table"):
        headers = [th.get_text(" ", strip=True) for th in table.find_all("th")]
        columns = _pre_reform_columns(headers, quarter)
        for tr in table.find_all("tr"):
            tds = [td.get_text(" ", strip=True) for td in tr.find_all(["th", "td"])]
            if len(tds) == len(headers) and tr.find("td"):
                cells += [tds[i] for i in columns]
    return cells


@pytest.mark.slow
def test_from_an_empty_folder_the_demo_reports_both_sides_of_the_reform(tmp_path):
    ws = tmp_path / "hoa-giang"
    env = {k: v for k, v in os.environ.items() if k not in ("ANALYSIS_ROOT", "ANALYSIS_CONFIG")}
    demo = [sys.executable, "-m", "analysis", "demo", "--province", "hoa-giang", "--scale", "small", "--out", str(ws)]
    run = subprocess.run(demo, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    registry = load_units(ws / "config" / "units.yaml")
    communes = [u.code for u in registry.units if u.type == "commune"]
    for label in ("2026Q3", "2025Q3"):
        argv = [sys.executable, "-m", "analysis", "--workspace", str(ws), "report", "--quarter", label, "--quiet"]
        run = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr
        built = re.search(r"Đã lập (\d+)/(\d+) trang báo cáo", run.stdout)
        assert built and built.group(1) == built.group(2), run.stdout
        quarter = Quarter.parse(label)
        for code in communes:
            page = ws / "reports" / label / "don-vi" / f"{code}.html"
            cells = _commune_cells_against_pre_reform(page, quarter)
            assert all(c == "—" or c.startswith("không so sánh được") for c in cells), (code, cells)
            if label == "2025Q3":
                assert any(c.startswith("không so sánh được") for c in cells), code
    # the list forms' page (TT 06/2025 has 02/PCTN, 03/PCTN) is the analysts': outside the shared folder, not linked
    internal = ws / "reports" / "noi-bo" / "2026Q3" / "danh-sach-noi-bo.html"
    assert "NỘI BỘ" in internal.read_text(encoding="utf-8")
    assert "danh-sach-noi-bo" not in (ws / "reports" / "2026Q3" / "index.html").read_text(encoding="utf-8")
    assert not list((ws / "reports" / "2026Q3").rglob("danh-sach-noi-bo.html"))
    assert not (ws / "reports" / "noi-bo" / "2025Q3").exists()  # TT 01/2024's forms have no list form
    truth = pd.read_csv(ws / "data" / "raw" / "TRUTH.csv").query("submitted == 1 and indicator == 'TCD01'")
    total = truth.groupby("period")["value"].sum()  # no messy case changes TCD01
    overview = {label: _overview_text(ws, label) for label in ("2026Q3", "2025Q3")}
    assert f"Tổng số lượt tiếp công dân: {vnformat.auto(total['2026Q3'])} lượt" in overview["2026Q3"]
    # the change against 2024Q3 at province level, on the 20 districts' (here 4) and agencies' figures
    change = vnformat.percent(abs(total["2025Q3"] / total["2024Q3"] - 1) * 100)
    word = "tăng" if total["2025Q3"] > total["2024Q3"] else "giảm"
    assert f"Tổng số lượt tiếp công dân: {vnformat.auto(total['2025Q3'])} lượt" in overview["2025Q3"]
    assert f"{word} {change} so với cùng kỳ năm 2024 ({vnformat.auto(total['2024Q3'])})" in overview["2025Q3"]
    assert (
        "quý III/2025: 10/10 đơn vị cấp xã" in overview["2025Q3"]
        and "(quý III/2024): 4/4 huyện và 4/4 cơ quan" in overview["2025Q3"]
    )
    # no unit is in both quarters: said once above the figures, not after each change
    assert "Không có đơn vị nào có số liệu ở cả quý III/2025 và quý III/2024" in overview["2025Q3"]
    assert "không có đơn vị báo cáo ở cả" not in overview["2025Q3"]
    assert "Quý III/2025 là quý chuyển tiếp: từ 1/7/2025 không còn cấp huyện" in overview["2025Q3"]
    assert "do các xã, phường, đặc khu báo cáo" in overview["2025Q3"]
    # the comparison page: each former district and province of 2025Q3 against 2024Q3, worded by the one rule
    rows = _area_rows(ws / "reports" / "2025Q3" / "so-sanh-don-vi.html")
    by_unit = truth.set_index(["unit_code", "period"])["value"]
    parents = _parents()
    for district in set(parents.values()):
        now = sum(by_unit[(c, "2025Q3")] for c, d in parents.items() if d == district)
        before = by_unit[(district, "2024Q3")]
        said = ("tăng " if now > before else "giảm ") + vnformat.percent(abs(now / before - 1) * 100)
        said += " (ước tính)" if district != "h_co_tien" else ""
        assert rows[registry.get(district).name][7] == said, district
    hoa_an = ("tp_hoa_an", "h_an_binh")
    now = sum(by_unit[(c, "2025Q3")] for c, d in parents.items() if d in hoa_an)
    before = sum(by_unit[(d, "2024Q3")] for d in hoa_an)
    said = ("tăng " if now > before else "giảm ") + vnformat.percent(abs(now / before - 1) * 100)
    assert rows["Tỉnh Hòa An"][7] == said  # the crossing ward stays inside the former province: no estimate
    assert "Thành phố Giang Sơn (có xã, phường, thị trấn cũ được chia về nhiều xã, phường mới)" in overview_of(
        ws, "so-sanh-don-vi"
    )


def _area_rows(page: Path) -> dict[str, list[str]]:
    """Area name → the cells of its first row (Tổng số lượt tiếp công dân) in the page's area tables."""
    rows = {}
    for table in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("table"):
        heading = table.find("th").get_text(strip=True)
        if heading not in ("Tỉnh, thành phố cũ", "Cấp huyện cũ"):
            continue
        for tr in table.find_all("tr")[1:]:
            cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            if cells[0]:
                rows[cells[0]] = cells
    return rows


def overview_of(ws: Path, page: str) -> str:
    text = (ws / "reports" / "2025Q3" / f"{page}.html").read_text(encoding="utf-8")
    return " ".join(BeautifulSoup(text, "html.parser").get_text(" ").split())


def _overview_text(ws: Path, label: str) -> str:
    page = (ws / "reports" / label / "tong-quan-tinh.html").read_text(encoding="utf-8")
    return " ".join(BeautifulSoup(page, "html.parser").get_text(" ").split())


def test_after_the_switch_the_report_says_once_which_forms_it_cannot_compare(small, tables):
    from analysis.compare.report_data import ReportData
    from analysis.narrative.build import build_narrative
    from analysis.narrative.scope import form_change_sentence

    data = ReportData.load("2025Q4", small.parent / "processed")  # the first quarter on TT 06/2025's forms
    assert form_change_sentence(data) == (
        "Từ quý IV/2025, báo cáo theo biểu mẫu của Thông tư số 06/2025/TT-TTCP; không so sánh được với quý III/2025 "
        "và cùng kỳ năm 2024 do thay đổi biểu mẫu: các chỉ tiêu của Biểu số 01/PCTN (kết quả phát hiện, xử lý tham "
        "nhũng)."
    )
    paragraphs = {p.heading: p.text for p in build_narrative(data)}
    pctn = paragraphs["Công tác phòng, chống tham nhũng"]
    assert "không so sánh được với quý III/2025 do thay đổi biểu mẫu" in pctn
    assert "tăng" not in pctn.split("(")[1].split(")")[0]  # no change against the other definition
    # the year's sum would mix quý I–III on TT 01/2024 with quý IV on TT 06/2025: not made, and said why
    assert "Không cộng lũy kế năm 2025 về số vụ tham nhũng được phát hiện" in pctn
    assert "do biểu mẫu thay đổi từ quý IV/2025." in pctn and "Chưa có số liệu năm 2025" not in pctn
    # the forms that continue are compared as before
    assert "so với quý III/2025" in paragraphs["Công tác tiếp công dân"]
    assert "thay đổi biểu mẫu" not in paragraphs["Công tác tiếp công dân"]
    before = ReportData.load("2025Q3", small.parent / "processed")  # both quarters compared on TT 01/2024
    assert form_change_sentence(before) == ""


# --- the crosswalk's views (issue 14): the demo's conversion has Thị trấn An Bình joining Phường Bắc Thành of the
# city (a ward formed from two districts) and Phường Bến Giang Nam split between two wards of Thành phố Giang Sơn


@pytest.fixture()
def area_data(small, tables, monkeypatch):
    from analysis.compare.report_data import ReportData

    monkeypatch.setenv("ANALYSIS_CONFIG", str(small / "config"))
    return lambda quarter: ReportData.load(quarter, small.parent / "processed")


def _parents() -> dict[str, str]:
    """commune → the district it was formed from, as the scenario says (not through the crosswalk)."""
    from analysis.demo.province import build_province
    from analysis.demo.scenario import load_scenario

    scenario = load_scenario(SCENARIO, "small")
    return build_province(scenario.province, scenario.figures.quarters[0], 1, scenario.scale).parent


def test_the_demo_crosswalk_is_imported_from_its_conversion_table(small):
    import yaml

    data = yaml.safe_load((small / "config" / "crosswalk.yaml").read_text(encoding="utf-8"))
    assert len(data["communes"]) == 3 + 3 + 3 + 1  # the small scale: 3 communes of each district, Cô Tiên's one
    assert data["without_predecessor"] == [] and data["not_in_registry"] == []
    bac_thanh = {w["ward"]: w for w in data["communes"]["p_bac_thanh"]["predecessors"]}
    assert bac_thanh["Thị trấn An Bình"]["district_unit"] == "h_an_binh" and bac_thanh["Phường Bắc Thành"]["main"]
    assert data["communes"]["p_ben_giang"]["predecessors"][-1] == {
        "ward": "Phường Bến Giang Nam", "district": "Thành phố Giang Sơn", "district_unit": "tp_giang_son",
        "province": "Tỉnh Giang Sơn", "divided": True,
    }  # fmt: skip
    assert {(d["district"], d["reason"]) for d in data["approximate_districts"]} == {
        ("Thành phố Hòa An", "crossing"), ("Huyện An Bình", "crossing"), ("Thành phố Giang Sơn", "divided")
    }  # fmt: skip
    assert data["agencies"]["cong_an_tinh"]["predecessors"] == ["cong_an_tinh_hoa_an", "cong_an_tinh_giang_son"]
    assert (
        (small / "data" / "external" / "chuyen-doi-dia-gioi-2025.csv")
        .read_text(encoding="utf-8-sig")
        .startswith("STT,Tỉnh (cũ),Huyện (cũ),Xã (cũ),Tỉnh (mới),Xã (mới),Tách một phần\n")
    )


def test_former_districts_provinces_and_agencies_of_2025q3_against_2024q3_are_the_truths_sums(small, area_data, truth):
    data = area_data("2025Q3")
    tcd = truth[truth["indicator"] == "TCD01"].set_index(["unit_code", "period"])["value"]
    parents = _parents()
    cmp = data.area_comparison.query("indicator == 'TCD01'").set_index(["view", "area"])
    for district in set(parents.values()):
        now = sum(tcd[(c, "2025Q3")] for c, d in parents.items() if d == district)  # main predecessor: own district
        row = cmp.loc[("district", district)]
        assert (row["value"], row["last_year"]) == (now, tcd[(district, "2024Q3")]), district
        assert row["approximate_last_year"] == (district != "h_co_tien"), district
    hoa_an = cmp.loc[("province", "tinh_hoa_an")]
    assert hoa_an["last_year"] == tcd[("tp_hoa_an", "2024Q3")] + tcd[("h_an_binh", "2024Q3")]
    assert not hoa_an["approximate_last_year"]  # the ward crossing districts stays inside Tỉnh Hòa An
    police = cmp.loc[("agency", "cong_an_tinh")]
    assert police["last_year"] == tcd[("cong_an_tinh_hoa_an", "2024Q3")] + tcd[("cong_an_tinh_giang_son", "2024Q3")]


def test_a_former_district_missing_a_commune_is_not_compared(area_data, truth):
    cmp = area_data("2026Q1").area_comparison.query("indicator == 'TCD01'").set_index(["view", "area"])
    giang_son = cmp.loc[("district", "tp_giang_son")]  # Phường Trà Lý sent nothing for 2026Q1
    assert giang_son["status_previous"] == giang_son["status_last_year"] == "incomplete"
    assert pd.isna(giang_son["pct_last_year"]) and not giang_son["approximate_last_year"]
    hoa_an = cmp.loc[("district", "tp_hoa_an")]  # complete on both sides: compared, an estimate across the reform
    assert hoa_an["last_year"] == _truth_of(truth, "tp_hoa_an", "2025Q1", "TCD01")
    now = sum(_truth_of(truth, c, "2026Q1", "TCD01") for c, d in _parents().items() if d == "tp_hoa_an")
    assert hoa_an["value"] == now and hoa_an["approximate_last_year"]
    assert hoa_an["pct_last_year"] == pytest.approx((now / hoa_an["last_year"] - 1) * 100)


def test_the_excel_tables_have_a_sheet_per_view(area_data, tmp_path):
    import openpyxl

    from analysis.exports.xlsx import write_tables

    book = openpyxl.load_workbook(write_tables(area_data("2025Q3"), tmp_path / "bang.xlsx"))
    assert book.sheetnames[-4:] == ["Tỉnh cũ", "Huyện cũ", "Cơ quan hợp nhất", "Nguồn số liệu"]
    ws = book["Huyện cũ"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    first = next(r for r in rows if r[0] == "TCD01" and r[3] == "Thành phố Hòa An")
    assert "so với cùng kỳ" not in (first[9] or "") and "ước tính, do điều chỉnh địa giới" in first[9]
    co_tien = next(r for r in rows if r[0] == "TCD01" and r[3] == "Huyện Cô Tiên")
    assert not co_tien[9] and co_tien[8].endswith("%")  # exact: a change, no note


def test_a_broken_crosswalk_is_said_and_stops_nothing(small, tables, tmp_path, monkeypatch):
    import shutil

    from analysis.compare.report_data import ReportData

    config = tmp_path / "config"
    shutil.copytree(small / "config", config)
    text = (config / "crosswalk.yaml").read_text(encoding="utf-8")
    (config / "crosswalk.yaml").write_text(text.replace("  p_hoa_an:\n", "  p_khong_co:\n", 1), encoding="utf-8")
    monkeypatch.setenv("ANALYSIS_CONFIG", str(config))
    data = ReportData.load("2025Q3", small.parent / "processed")
    assert data.succession is None and data.area_comparison.empty
    assert data.succession_error == "crosswalk.yaml: “p_khong_co” không phải là xã, phường, đặc khu trong units.yaml"
    assert not data.province_comparison.empty  # the rest of the report as before
