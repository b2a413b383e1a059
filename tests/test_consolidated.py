"""Files in the circulars' printed layout through the whole ingest: a consolidated 01/TCD (the provincial
inspectorate's, a row per unit) gives each unit its own submission with lineage to its cells, its total row is
checked, a unit's own file wins over its row, and a unit's own file on the printed form gives its own figures.

Each fixture is one small workbook written here with the official-layout writer (`write_official_sheet`): the
29 numbered columns of 01/TCD under four header rows (rows 10–13), the numbering row 14, unit rows from row 15,
the "Tổng cộng" row after them. The figures are hand-picked per test and checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from analysis.catalogue.official_template import FormRow, write_official_sheet
from analysis.catalogue.template import TemplateContext
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter
from analysis.ingest.generation import read_tables
from analysis.ingest.run import ingest, run_ingest
from tests.test_generation import assert_same_tables

Q3 = Quarter(2021, 3)
SIGNED = "Minh Sơn, ngày 25 tháng 9 năm 2021"


def tcd(a: int, b: int, c: int) -> dict[str, float]:
    """Figures of 01/TCD that keep its identities: visits a (regular), b (the head, on one day), c (delegated, on
    one day); one person and one first-time case per visit."""
    return {
        "TCD01": a + b + c, "TCD02": a + b + c, "TCD03": a + b + c,
        "TCD04": a, "TCD05": a, "TCD06": a, "TCD07": 0,
        "TCD12": int(b > 0), "TCD13": b, "TCD14": b, "TCD15": b, "TCD16": 0,
        "TCD21": int(c > 0), "TCD22": c, "TCD23": c, "TCD24": c, "TCD25": 0,
    }  # fmt: skip


def write_tcd(
    path: Path, registry, sender: str, rows: list[tuple[str, dict]], total: dict | None = None, catalogue=None
) -> Path:
    """A workbook with one sheet "01-TCD" in the printed layout of 01/TCD (version of quarter III/2021)."""
    form = catalogue.version_of(Q3).form("TCD")
    context = TemplateContext(registry.province_name, registry.get(sender), Q3, load_province_config().cutoff)
    book = Workbook()
    ws = book.active
    ws.title = "01-TCD"
    figures = [FormRow(label, values) for label, values in rows]
    if total is None:
        total = {k: sum(v.get(k, 0) for _, v in rows) for k in {k for _, v in rows for k in v}}
    write_official_sheet(ws, form, context, figures, total=total, signed=SIGNED)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture
def raw(tmp_path) -> Path:
    return tmp_path / "raw"


def by_unit(tables, file: str) -> dict:
    subs = tables["submissions"]
    return {r.unit_code: r for r in subs[subs["file"] == file].itertuples()}


def figures(tables, unit: str) -> dict[str, tuple[float, str, str]]:
    values = tables["values"]
    rows = values[values["unit_code"] == unit]
    return {r.indicator: (r.value, r.sheet, r.cell) for r in rows.itertuples()}


# --- a consolidated file


def test_each_unit_row_becomes_that_units_submission_with_its_cells(raw, registry, catalogue, ctx):
    rows = [("Huyện An Bình", tcd(7, 3, 2)), ("Huyện Tân Khê", tcd(10, 0, 5)), ("Thị xã Hòa Lạc", tcd(4, 1, 0))]
    write_tcd(raw / "thanh-tra-tinh" / "tong-hop-01-TCD.xlsx", registry, "thanh_tra_tinh", rows, catalogue=catalogue)
    tables = ingest(raw, ctx).tables
    file = "thanh-tra-tinh/tong-hop-01-TCD.xlsx"
    subs = by_unit(tables, file)
    assert set(subs) == {"thanh_tra_tinh", "an_binh", "tan_khe", "tx_hoa_lac"}
    assert subs["thanh_tra_tinh"].status == "consolidated"  # no row of its own: used through the rows
    assert {u: (subs[u].status, subs[u].unit_source, subs[u].period) for u in ("an_binh", "tan_khe", "tx_hoa_lac")} == {
        u: ("accepted", "consolidated", "2021Q3") for u in ("an_binh", "tan_khe", "tx_hoa_lac")
    }
    # row 15 is An Bình, 16 Tân Khê, 17 Hòa Lạc; column C is printed column 1, F column 4, O column 13, X column 22
    an_binh = figures(tables, "an_binh")
    assert an_binh["TCD01"] == (12.0, "01-TCD", "C15")
    assert an_binh["TCD04"] == (7.0, "01-TCD", "F15")
    assert an_binh["TCD13"] == (3.0, "01-TCD", "O15")
    assert an_binh["TCD22"] == (2.0, "01-TCD", "X15")
    assert figures(tables, "tan_khe")["TCD01"] == (15.0, "01-TCD", "C16")
    assert figures(tables, "tx_hoa_lac")["TCD22"] == (0.0, "01-TCD", "X17")
    assert len(an_binh) == 29  # every column of the form, blank ones included
    values = tables["values"]
    assert set(values[values["unit_code"] == "an_binh"]["source_file"]) == {file}
    issues = tables["issues"]
    assert not (issues["rule"] == "official_total_mismatch").any()
    assert not issues[issues["unit_code"] == "an_binh"]["rule"].str.startswith("rule:").any()  # identities hold
    # a row's unit owes more forms than the file prints: only figures of the forms it prints can be missing
    assert not ((issues["unit_code"] == "an_binh") & (issues["rule"] == "missing_indicators")).any()


def test_a_wrong_total_row_is_an_error_naming_its_cell(raw, registry, catalogue, ctx):
    rows = [("Huyện An Bình", tcd(7, 3, 2)), ("Huyện Tân Khê", tcd(10, 0, 5))]
    total = {k: a + b for (k, a), b in zip(tcd(7, 3, 2).items(), tcd(10, 0, 5).values(), strict=True)}
    total["TCD04"] = 18  # 7 + 10 = 17
    write_tcd(raw / "tong-hop.xlsx", registry, "thanh_tra_tinh", rows, total, catalogue)
    tables = ingest(raw, ctx).tables
    issues = tables["issues"]
    wrong = issues[issues["rule"] == "official_total_mismatch"]
    assert list(zip(wrong["severity"], wrong["sheet"], wrong["cell"], wrong["unit_code"], strict=True)) == [
        ("error", "01-TCD", "F17", "thanh_tra_tinh")
    ]  # the total row is row 17; printed column 4 is column F
    assert wrong["message"].iloc[0] == "Trang “01-TCD”, cột 4: dòng tổng cộng ô F17 = 18, tổng các đơn vị = 17"
    assert wrong["submission_status"].iloc[0] == "consolidated"
    assert figures(tables, "an_binh")["TCD04"] == (7.0, "01-TCD", "F15")  # the rows are still used


def test_the_senders_own_row_stays_the_senders(raw, registry, catalogue, ctx):
    rows = [("Thanh tra tỉnh", tcd(2, 1, 0)), ("Huyện An Bình", tcd(7, 3, 2))]
    write_tcd(raw / "tong-hop.xlsx", registry, "thanh_tra_tinh", rows, catalogue=catalogue)
    tables = ingest(raw, ctx).tables
    subs = by_unit(tables, "tong-hop.xlsx")
    assert (subs["thanh_tra_tinh"].status, subs["thanh_tra_tinh"].unit_source) == ("accepted", "content")
    assert (subs["an_binh"].status, subs["an_binh"].unit_source) == ("accepted", "consolidated")
    assert figures(tables, "thanh_tra_tinh")["TCD01"] == (3.0, "01-TCD", "C15")
    assert figures(tables, "an_binh")["TCD01"] == (12.0, "01-TCD", "C16")


def test_an_unknown_unit_row_is_kept_out_with_a_warning(raw, registry, catalogue, ctx):
    rows = [("Huyện An Bình", tcd(7, 3, 2)), ("Huyện Không Có", tcd(1, 0, 0))]
    write_tcd(raw / "tong-hop.xlsx", registry, "thanh_tra_tinh", rows, catalogue=catalogue)
    tables = ingest(raw, ctx).tables
    assert set(by_unit(tables, "tong-hop.xlsx")) == {"thanh_tra_tinh", "an_binh"}
    issues = tables["issues"]
    unknown = issues[issues["rule"] == "official_unknown_unit"]
    assert list(unknown["cell"]) == ["B16"]
    assert "“Huyện Không Có” không có trong danh sách đơn vị" in unknown["message"].iloc[0]


# --- a unit's own file against its row


def test_the_units_own_file_wins_and_a_disagreement_shows_both_cells(raw, registry, catalogue, ctx, make_submission):
    own = {**tcd(7, 3, 2), "TCD01": 12.0}
    make_submission(name="an-binh.xlsx", unit_code="an_binh", values=own)
    rows = [("Huyện An Bình", {**tcd(7, 3, 2), "TCD04": 8, "TCD01": 13}), ("Huyện Tân Khê", tcd(10, 0, 5))]
    write_tcd(raw / "tong-hop.xlsx", registry, "thanh_tra_tinh", rows, catalogue=catalogue)
    tables = ingest(raw, ctx).tables
    subs = tables["submissions"]
    an_binh = subs[subs["unit_code"] == "an_binh"].set_index("file")
    assert an_binh.loc["an-binh.xlsx", "status"] == "accepted"
    assert an_binh.loc["tong-hop.xlsx", "status"] == "superseded"
    assert an_binh.loc["tong-hop.xlsx", "superseded_by"] == "an-binh.xlsx"
    assert "dùng tệp riêng của đơn vị: an-binh.xlsx" in an_binh.loc["tong-hop.xlsx", "reason"]
    assert figures(tables, "an_binh")["TCD01"][0] == 12.0
    issues = tables["issues"]
    told = issues[(issues["rule"] == "consolidated_mismatch") & (issues["file"] == "an-binh.xlsx")]
    assert len(told) == 1 and told["severity"].iloc[0] == "warning"
    message = told["message"].iloc[0]
    used = figures(tables, "an_binh")  # the one-column template's sheet is also "01-TCD"
    assert f"TCD01: 12 (01-TCD!{used['TCD01'][2]}) và 13 (01-TCD!C15)" in message
    assert f"TCD04: 7 (01-TCD!{used['TCD04'][2]}) và 8 (01-TCD!F15)" in message
    assert message.startswith("2 số liệu của Huyện An Bình quý III/2021 khác nhau giữa an-binh.xlsx")
    assert figures(tables, "tan_khe")["TCD01"] == (15.0, "01-TCD", "C16")  # the other row is used


def test_an_agreeing_row_is_superseded_without_a_warning(raw, registry, catalogue, ctx, make_submission):
    make_submission(name="an-binh.xlsx", unit_code="an_binh", values=tcd(7, 3, 2))
    rows = [("Huyện An Bình", tcd(7, 3, 2)), ("Huyện Tân Khê", tcd(10, 0, 5))]
    write_tcd(raw / "tong-hop.xlsx", registry, "thanh_tra_tinh", rows, catalogue=catalogue)
    tables = ingest(raw, ctx).tables
    subs = tables["submissions"]
    assert list(subs[subs["unit_code"] == "an_binh"].sort_values("file")["status"]) == ["accepted", "superseded"]
    assert not (tables["issues"]["rule"] == "consolidated_mismatch").any()
    assert not tables["issues"]["rule"].isin(["duplicate_file_units", "duplicate_figures_units"]).any()


# --- a unit's own file on the printed form


def test_a_units_own_file_gives_its_own_row(raw, registry, catalogue, ctx):
    write_tcd(raw / "an-binh-tcd.xlsx", registry, "an_binh", [("Huyện An Bình", tcd(7, 3, 2))], catalogue=catalogue)
    tables = ingest(raw, ctx).tables
    subs = tables["submissions"]
    assert list(zip(subs["unit_code"], subs["status"], subs["report_date"], strict=True)) == [
        ("an_binh", "accepted", "2021-09-25")
    ]
    assert figures(tables, "an_binh")["TCD13"] == (3.0, "01-TCD", "O15")
    assert not (tables["issues"]["rule"] == "official_total_mismatch").any()


def test_a_units_own_file_with_only_the_total_row_gives_the_total(raw, registry, catalogue, ctx):
    write_tcd(raw / "an-binh-tcd.xlsx", registry, "an_binh", [], total=tcd(7, 3, 2), catalogue=catalogue)
    tables = ingest(raw, ctx).tables
    assert list(tables["submissions"]["unit_code"]) == ["an_binh"]
    assert figures(tables, "an_binh")["TCD01"] == (12.0, "01-TCD", "C15")  # the total row is row 15


# --- incremental runs


def test_a_consolidated_file_is_reused_unchanged_by_the_next_run(raw, registry, catalogue, ctx, tmp_path):
    rows = [("Huyện An Bình", tcd(7, 3, 2)), ("Huyện Tân Khê", tcd(10, 0, 5))]
    write_tcd(raw / "tong-hop.xlsx", registry, "thanh_tra_tinh", rows, catalogue=catalogue)
    out = tmp_path / "out"
    run_ingest(raw, out, ctx)
    (raw / "tong-hop.xlsx").touch()  # touched, same content: its three records are copied, not parsed
    again = run_ingest(raw, out, ctx)
    assert (again.run.parsed, again.run.reused) == (0, 1)
    assert_same_tables(read_tables(out), ingest(raw, ctx).tables)
    assert len(read_tables(out)["submissions"]) == 3


# --- the official-layout template


def test_the_official_template_filled_in_is_read_back(raw, registry, catalogue, ctx):
    from analysis.catalogue.official_template import build_official_template

    context = TemplateContext(registry.province_name, registry.get("an_binh"), Q3, load_province_config().cutoff)
    book = build_official_template(catalogue, context)
    assert book.sheetnames[:4] == ["Thông tin chung", "01-TCD", "02-XLD", "02-XLD (bổ sung)"]
    ws = book["01-TCD"]
    assert [ws.cell(row=14, column=c).value for c in (1, 2, 3, 31)] == ["A", "B", 1, 29]  # the numbering row
    assert (ws["B15"].value, ws["B16"].value, ws["C16"].value) == ("Huyện An Bình", "Tổng cộng", "=SUM(C15:C15)")
    ws["C15"], ws["F15"] = 12, 7
    xld = book["02-XLD"]
    numbering = next(r for r in range(10, 20) if xld.cell(row=r, column=3).value == 1)
    for printed, value in ((2, 1), (3, 2), (4, 3)):  # carried over: the sum of printed columns 2, 3 and 4
        xld.cell(row=numbering + 1, column=2 + printed, value=value)
    for row in range(numbering + 2, numbering + 3):  # the total row's formulas have no cached value here
        for col in range(3, 3 + 26):
            xld.cell(row=row, column=col, value=None)
    for col in range(3, 3 + 29):
        ws.cell(row=16, column=col, value=None)
    raw.mkdir()
    book.save(raw / "an-binh.xlsx")
    tables = ingest(raw, ctx).tables
    got = figures(tables, "an_binh")
    assert got["TCD01"] == (12.0, "01-TCD", "C15")
    assert got["TCD04"] == (7.0, "01-TCD", "F15")
    assert got["XLD02"][0] == 6.0 and got["XLD02"][1:] == ("02-XLD", f"D{numbering + 1}")
