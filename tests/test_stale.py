"""Nothing stale (issue 11, item 19): after the raw folder or the configuration changed, every notebook run says at
the top, in Vietnamese, that the figures are older than the data (the check never re-ingests: see
`analysis.views.freshness`).

The trial: the small province ingested, then a new file added to the raw folder (an_binh's correction for 2021Q3);
notebook 04 run with papermill showed the old figures without a word.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import papermill
import pytest
from bs4 import BeautifulSoup

from analysis.core.config import load_province_config
from analysis.core.units import load_units
from analysis.ingest.run import run_ingest
from analysis.ingest.submission import IngestContext
from analysis.views import freshness
from tests.small_province import QUARTER, Province, write_province

REPO = Path(__file__).resolve().parents[1]
ADDED = "2021Q3/2021Q3_an_binh_<i>bo-sung.xlsx"  # a name with markup, shown as text


@pytest.fixture
def province(tmp_path, catalogue, monkeypatch) -> Province:
    """The small province, ingested; its configuration in use (the kernels inherit it), its raw folder known."""
    province = write_province(tmp_path, catalogue)
    monkeypatch.setenv("ANALYSIS_CONFIG", str(province.config))
    monkeypatch.setenv(freshness.RAW_ENV, str(province.raw))
    registry = load_units(province.config / "units.yaml")
    settings = load_province_config(province.config / "province.yaml")
    run_ingest(province.raw, province.processed, IngestContext.load(catalogue, registry, settings))
    return province


def add_correction(province: Province) -> None:
    shutil.copy(province.raw / "2021Q3" / "2021Q3_an_binh.xlsx", province.raw / ADDED)


def test_fresh_data_are_not_stale(province):
    found = freshness.check(province.processed)
    assert found.checked and not found.stale
    assert freshness.banner_html(found) == ""


def test_a_report_checks_once_and_its_notebooks_read_that_check(province, tmp_path, monkeypatch):
    add_correction(province)  # stale: the recorded check must say so too
    kept = tmp_path / "checked.json"
    made = freshness.record(province.processed, province.raw, kept)
    monkeypatch.setenv(freshness.CHECKED_ENV, str(kept))

    def no_scan(*_):
        raise AssertionError("the raw folder scanned again")

    monkeypatch.setattr(freshness, "scan_raw", no_scan)
    assert freshness.check(province.processed) == made and made.added == (ADDED,)


def test_a_recorded_check_no_longer_holds_once_the_data_were_read_again(province, tmp_path, monkeypatch):
    kept = tmp_path / "checked.json"
    freshness.record(province.processed, province.raw, kept)
    monkeypatch.setenv(freshness.CHECKED_ENV, str(kept))
    add_correction(province)
    cache = province.processed / "ingest-cache.json"
    os.utime(cache, ns=(cache.stat().st_atime_ns, cache.stat().st_mtime_ns + 10**9))  # another ingest's record
    assert freshness.check(province.processed).added == (ADDED,)  # checked again, not the recorded "fresh"
    kept.write_text("{not json", encoding="utf-8")  # a damaged record: checked again
    assert freshness.check(province.processed).added == (ADDED,)


def test_an_added_file_is_named_in_the_warning(province):
    add_correction(province)
    found = freshness.check(province.processed)
    assert found.added == (ADDED,) and not found.changed and not found.removed and not found.config_changed
    banner = BeautifulSoup(freshness.banner_html(found), "html.parser")
    assert not banner.find("i")  # the name's markup is text
    text = banner.get_text(" ")
    assert "Số liệu chưa được cập nhật" in text and "1 tệp mới" in text and f"“{ADDED}”" in text
    assert "chưa tính" in text and "python -m analysis ingest" in text


def test_changed_and_removed_files_are_told(province):
    changed = province.raw / "2021Q3" / "2021Q3_tp_minh_son.xlsx"
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))
    (province.raw / "2020Q3" / "2020Q3_cong_an_tinh.xlsx").unlink()
    found = freshness.check(province.processed)
    assert found.changed == ("2021Q3/2021Q3_tp_minh_son.xlsx",)
    assert found.removed == ("2020Q3/2020Q3_cong_an_tinh.xlsx",)
    assert "1 tệp đã sửa" in freshness.banner_html(found) and "1 tệp đã xóa" in freshness.banner_html(found)


def test_a_configuration_change_is_told(province):
    settings = province.config / "province.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n# sửa cấu hình\n", encoding="utf-8")
    assert not freshness.check(province.processed).stale  # a comment changes nothing the parse depends on
    text = settings.read_text(encoding="utf-8").replace("first_period: 2020Q3", "first_period: 2020Q4")
    settings.write_text(text, encoding="utf-8")
    found = freshness.check(province.processed)
    assert found.config_changed and "cấu hình" in freshness.banner_html(found)


def test_ingest_again_makes_the_data_fresh(province, catalogue):
    add_correction(province)
    assert freshness.check(province.processed).stale
    registry = load_units(province.config / "units.yaml")
    settings = load_province_config(province.config / "province.yaml")
    run_ingest(province.raw, province.processed, IngestContext.load(catalogue, registry, settings))
    assert not freshness.check(province.processed).stale


def test_the_raw_folder_ingest_recorded_is_checked_without_being_told(province, monkeypatch):
    """A processed folder elsewhere than the project's, its raw folder not given: the one ingest read is checked."""
    monkeypatch.delenv(freshness.RAW_ENV)
    add_correction(province)
    found = freshness.check(province.processed)
    assert found.checked and found.added == (ADDED,)


def test_an_unknown_raw_folder_is_not_checked(province, monkeypatch):
    """The raw folder ingest read is gone and none is given: nothing is claimed."""
    monkeypatch.delenv(freshness.RAW_ENV)
    add_correction(province)
    moved = province.raw.with_name("raw-moved")
    province.raw.rename(moved)
    assert not freshness.check(province.processed).checked
    assert freshness.check(province.processed, moved).stale  # given explicitly: checked


def test_skipped_items_do_not_make_the_data_stale(province, catalogue, tmp_path):
    """A link out of the raw folder is skipped by ingest (recorded as a rejection): not a change afterwards."""
    outside = tmp_path / "outside.xlsx"
    outside.write_bytes(b"secret")
    (province.raw / "lien-ket.xlsx").symlink_to(outside)
    assert freshness.check(province.processed).added == ("lien-ket.xlsx",)  # new since the last ingest
    registry = load_units(province.config / "units.yaml")
    settings = load_province_config(province.config / "province.yaml")
    run_ingest(province.raw, province.processed, IngestContext.load(catalogue, registry, settings))
    assert not freshness.check(province.processed).stale


def test_the_index_warns_at_the_top(province, monkeypatch):
    from datetime import datetime

    from analysis.compare.report_data import ReportData
    from analysis.report import index_page

    monkeypatch.delenv(freshness.RAW_ENV)  # the report passes its raw folder
    data = ReportData.load(QUARTER, province.processed)
    built = datetime(2021, 10, 1, 8, 0)
    assert "canh-bao-cu" not in index_page.render(data, [], built, province.raw)
    add_correction(province)
    page = BeautifulSoup(index_page.render(data, [], built, province.raw), "html.parser")
    banner = page.select_one("div.canh-bao-cu")
    assert banner is not None and ADDED in banner.get_text()
    assert banner.find_next("h2").get_text() == "Tình hình nộp báo cáo"  # above everything else


@pytest.mark.slow
def test_notebook_run_after_a_file_was_added_shows_the_warning_first(province, tmp_path):
    add_correction(province)
    nb = papermill.execute_notebook(
        str(REPO / "notebooks" / "04-ho-so-don-vi.ipynb"),
        str(tmp_path / "04.ipynb"),
        parameters={"quarter": QUARTER, "processed_dir": str(province.processed), "unit": "an_binh"},
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    first = outputs[0]["data"]["text/html"]
    assert "Số liệu chưa được cập nhật" in first and "1 tệp mới" in first
    assert "&lt;i&gt;bo-sung" in first
    assert outputs[1]["data"]["text/markdown"].startswith("# Huyện An Bình")  # then the page as before
