"""Published quarters (issue 15, first step): publish 2025Q3 of the post-reform demo (small scale), a unit corrects
one figure afterwards, and the 2026Q3 report compares with what leaders signed, says a revision exists, lists it."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from analysis.cli import main
from analysis.compare.published import AlreadyPublished, load_publications, publish, revisions
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter
from analysis.core.units import load_units
from analysis.demo.generator import SCENARIOS, generate_demo
from analysis.ingest.generation import read_tables
from analysis.ingest.run import run_ingest
from analysis.ingest.submission import IngestContext

Q3_2025 = Quarter(2025, 3)


def _ingest(ws: Path, catalogue) -> None:
    registry = load_units(ws / "config" / "units.yaml")
    settings = load_province_config(ws / "config" / "province.yaml")
    run_ingest(ws / "data" / "raw", ws / "data" / "processed", IngestContext.load(catalogue, registry, settings))


def _correct(ws: Path, unit: str, code: str, value: int) -> Path:
    """The unit's later file for 2025Q3: its first file with `code` set to `value`, dated 5/11/2025."""
    first = ws / "data" / "raw" / "2025Q3" / f"2025Q3_{unit}.xlsx"
    book = openpyxl.load_workbook(first)
    book["Thông tin chung"]["B7"] = datetime.datetime(2025, 11, 5)
    cell = next(c for row in book["01-TCD"].iter_rows() for c in row if c.value == code)
    value_cell = next(c for c in book["01-TCD"][cell.row] if isinstance(c.value, (int, float)))
    old = value_cell.value
    value_cell.value = value
    target = first.with_name(f"2025Q3_{unit}_dieu-chinh.xlsx")
    book.save(target)
    return old


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, catalogue) -> tuple[Path, float]:
    ws = tmp_path_factory.mktemp("published") / "ws"
    generate_demo(ws, SCENARIOS["hoa-giang"], "small")
    _ingest(ws, catalogue)
    (ws / "reports" / "2025Q3").mkdir(parents=True)
    (ws / "reports" / "2025Q3" / "index.html").write_text("<html>quý III/2025</html>", encoding="utf-8")
    argv = ["--workspace", str(ws), "publish", "--quarter", "2025Q3", "--date", "2025-10-20", "--note", "Số 12/BC"]
    with pytest.MonkeyPatch.context() as env:  # --workspace sets ANALYSIS_ROOT for the process: not for other tests
        env.setenv("ANALYSIS_ROOT", str(ws))  # undone at the end, whatever main sets it to
        assert main(argv) == 0
    signed = read_tables(ws / "data" / "processed", ["values"])["values"]
    signed = signed.query("period == '2025Q3' and indicator == 'TCD01'")["value"].sum()
    old = _correct(ws, "p_hoa_an", "TCD01", 999)
    _ingest(ws, catalogue)
    return ws, signed, old


def test_the_published_record_is_the_quarters_figures_with_its_day_note_and_report(workspace):
    ws, signed, _ = workspace
    record = ws / "data" / "published" / "2025Q3"
    meta = yaml.safe_load((record / "published.yaml").read_text(encoding="utf-8"))
    assert (meta["quarter"], meta["published_on"], meta["note"]) == ("2025Q3", "2025-10-20", "Số 12/BC")
    assert len(meta["report_sha256"]) == 64
    pub = load_publications(ws / "data" / "published")["2025Q3"]
    assert pub.day == datetime.date(2025, 10, 20) and set(pub.values["period"]) == {"2025Q3"}
    assert pub.values.query("indicator == 'TCD01'")["value"].sum() == signed


def test_publishing_again_is_refused_unless_replaced_and_the_replaced_record_is_kept(workspace, tmp_path):
    ws, _, _ = workspace
    folder = tmp_path / "published"
    shutil.copytree(ws / "data" / "published", folder)
    tables = read_tables(ws / "data" / "processed", ["values", "completeness"])
    with pytest.raises(AlreadyPublished, match="quý III/2025 đã được công bố"):
        publish(tables, Q3_2025, folder, datetime.date(2025, 12, 1), "", "x", "0")
    publish(tables, Q3_2025, folder, datetime.date(2025, 12, 1), "ký lại", "x", "0", replace=True)
    assert (folder / ".replaced" / "2025Q3-2025-10-20" / "published.yaml").is_file()
    assert "2025-12-01" in (folder / "2025Q3" / "published.yaml").read_text(encoding="utf-8")


def test_the_same_tables_day_and_note_give_the_same_record(workspace, tmp_path):
    ws, _, _ = workspace
    tables = read_tables(ws / "data" / "processed", ["values", "completeness"])
    a = publish(tables, Q3_2025, tmp_path / "a", datetime.date(2025, 10, 20), "n", "d", "0")
    b = publish(tables, Q3_2025, tmp_path / "b", datetime.date(2025, 10, 20), "n", "d", "0")
    assert {p.name: p.read_bytes() for p in a.iterdir()} == {p.name: p.read_bytes() for p in b.iterdir()}


def test_a_later_correction_is_a_revision_with_its_file(workspace):
    ws, _, old = workspace
    current = read_tables(ws / "data" / "processed", ["values"])["values"]
    revised = revisions(load_publications(ws / "data" / "published"), current)
    tcd = revised[revised["indicator"] == "TCD01"]
    assert len(tcd) == 1
    row = tcd.iloc[0]
    assert (row["unit_code"], row["period"], row["published"], row["current"]) == ("p_hoa_an", "2025Q3", old, 999)
    assert row["source_file"].endswith("2025Q3_p_hoa_an_dieu-chinh.xlsx")


def test_the_next_years_comparison_uses_the_published_figure_and_says_a_revision_exists(workspace, monkeypatch):
    from analysis.compare.report_data import ReportData
    from analysis.narrative.scope import scope_sentences

    ws, signed, old = workspace
    monkeypatch.setenv("ANALYSIS_CONFIG", str(ws / "config"))
    data = ReportData.load("2026Q3", ws / "data" / "processed")
    tcd = data.province_comparison.set_index("indicator").loc["TCD01"]
    assert tcd["last_year"] == signed  # not signed - old + 999
    said = " ".join(scope_sentences(data))
    assert "Số liệu quý III/2025 dùng để so sánh là số liệu đã công bố ngày 20/10/2025." in said
    assert "Sau khi công bố có 1 số liệu được điều chỉnh (danh sách ở trang Chất lượng số liệu)" in said
    assert len(data.revisions) == 1  # the one figure the unit corrected
    settings = (ws / "config" / "province.yaml").read_text(encoding="utf-8")
    config = ws.parent / "config-current"
    shutil.copytree(ws / "config", config)
    (config / "province.yaml").write_text(settings + "compare_with_published: false\n", encoding="utf-8")
    monkeypatch.setenv("ANALYSIS_CONFIG", str(config))
    current = ReportData.load("2026Q3", ws / "data" / "processed")
    assert current.province_comparison.set_index("indicator").loc["TCD01", "last_year"] == signed - old + 999
    assert "đã công bố" not in " ".join(scope_sentences(current))


@pytest.mark.slow
def test_the_2026q3_report_shows_the_publication_and_lists_the_revision(workspace):
    import os
    import subprocess
    import sys

    from bs4 import BeautifulSoup

    ws, _, old = workspace
    env = {k: v for k, v in os.environ.items() if k not in ("ANALYSIS_ROOT", "ANALYSIS_CONFIG")}
    argv = [sys.executable, "-m", "analysis", "--workspace", str(ws), "report", "--quarter", "2026Q3", "--quiet"]
    run = subprocess.run(argv, cwd=ws, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr

    def text(page: str) -> str:
        html = (ws / "reports" / "2026Q3" / page).read_text(encoding="utf-8")
        return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())

    assert "Các quý đã công bố Quý III/2025: công bố ngày 20/10/2025; 1 số liệu điều chỉnh sau đó" in text("index.html")
    quality = text("chat-luong-du-lieu.html")
    assert "Số liệu điều chỉnh sau khi công bố" in quality
    listed = f"Phường Hòa An quý III/2025 Tổng số lượt tiếp công dân {old:.0f} 999"
    assert f"{listed} 2025Q3/2025Q3_p_hoa_an_dieu-chinh.xlsx 01-TCD!E13 20/10/2025" in quality
    assert "dùng để so sánh là số liệu đã công bố ngày 20/10/2025" in text("tong-quan-tinh.html")


def test_tables_say_what_was_signed_and_what_the_figure_is_now(workspace, monkeypatch, tmp_path):
    import openpyxl

    from analysis.compare.report_data import ReportData
    from analysis.core import vnformat
    from analysis.exports.xlsx import write_tables
    from analysis.views.revised import revised_note, revision_of

    ws, signed, old = workspace
    monkeypatch.setenv("ANALYSIS_CONFIG", str(ws / "config"))
    data = ReportData.load("2026Q3", ws / "data" / "processed")
    now = signed - old + 999
    province = f"quý III/2025 đã công bố {vnformat.auto(signed)}, hiện nay {vnformat.auto(now)}"
    assert revision_of(data, None, "TCD01", "lượt") == f"số liệu điều chỉnh: {province}"  # the province's sum
    assert (
        revision_of(data, "p_hoa_an", "TCD01", "lượt")
        == f"số liệu điều chỉnh: quý III/2025 đã công bố {old:.0f}, hiện nay 999"
    )
    assert revision_of(data, "p_dong_hai", "TCD01", "lượt") == ""  # its figures did not change
    assert revised_note(data, ["TCD01", "TCD02"], "p_hoa_an").startswith(
        "Số liệu điều chỉnh sau khi công bố (so sánh vẫn dùng số liệu đã công bố): Tổng số lượt tiếp công dân: quý"
    )
    book = openpyxl.load_workbook(write_tables(data, tmp_path / "bang.xlsx"))
    notes = [r[9].value or "" for r in book["01-TCD"].iter_rows(min_row=5) if r[0].value == "TCD01"]
    assert sum("số liệu điều chỉnh: quý III/2025" in n for n in notes) == 2  # the province's row and Phường Hòa An's
