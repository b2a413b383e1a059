"""`python -m analysis report`: raw submissions → reports/<quarter>/ with code-free HTML, figures and index.html.

The fixture province is small enough to check by hand: three units (Thành phố Minh Sơn, Huyện An Bình, Công an
tỉnh), registered in a three-unit `config/units.yaml` in a temporary folder (ANALYSIS_CONFIG for this module; worker
processes and kernels inherit it), report 2020Q3, 2021Q2 and 2021Q3 with rule-consistent figures; TCD01 is
120/180/300, 100/150/250 and 100/200/300, so the province has 600 in 2021Q3 (tăng 20,0% so với quý II/2021).
The full report is built once per module; tests that need another build use their own output folder.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from PIL import Image

import analysis.report.build as report
import analysis.report.jobs as jobs
from analysis.cli import main
from analysis.report.build import ParameterError, build_report, ensure_processed
from analysis.report.jobs import NotebookSpec
from tests.small_province import NAMES, QUARTER, REPO, UNITS, write_province

pytestmark = pytest.mark.slow

MAIN_PAGES = ("chat-luong-du-lieu", "tong-quan-tinh", "so-sanh-don-vi")
PAGES = MAIN_PAGES + tuple(f"don-vi/{u}" for u in UNITS)
# Vietnamese text each page must show (the quality page's tables are empty: no issues in the fixture files)
PAGE_TEXT = {
    "chat-luong-du-lieu": "3/3 đơn vị đã gửi báo cáo",
    "tong-quan-tinh": "Chỉ tiêu",
    "so-sanh-don-vi": "Xếp hạng",
    **{f"don-vi/{u}": "Chỉ tiêu" for u in UNITS},
}
ANALYST_TAG = "bo-khi-xuat-ban"
BROKEN = NotebookSpec("trang-hong", "99-trang-hong.ipynb", "Trang hỏng để thử")
BROKEN_MESSAGE = "hỏng có chủ ý"


# ----------------------------------------------------------------------------------------------- fixture data


@pytest.fixture(scope="module")
def site(tmp_path_factory, catalogue):
    """The small province's config and raw files; ANALYSIS_CONFIG points at its config for the whole module."""
    province = write_province(tmp_path_factory.mktemp("bao-cao"), catalogue)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_CONFIG", str(province.config))
        mp.delenv("ANALYSIS_ROOT", raising=False)
        yield province


@dataclass(frozen=True)
class Built:
    result: report.ReportResult
    folder: Path
    started: datetime
    finished: datetime


@pytest.fixture(scope="module")
def built(site) -> Built:
    started = datetime.now()
    result = build_report(QUARTER, site.root / "reports", site.raw, site.processed, workers=2, progress=False)
    finished = datetime.now()
    return Built(result, site.root / "reports" / QUARTER, started, finished)


def write_broken_notebook(path: Path) -> None:
    """A notebook shaped like the real ones (parameters first) whose 2nd cell raises."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell('quarter = "2021Q3"\nprocessed_dir = ""\nfigures_dir = ""')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell(f'raise RuntimeError("{BROKEN_MESSAGE}")')]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def broken_notebooks(site) -> Path:
    """A notebooks folder with the four real notebooks and the broken one."""
    folder = site.root / "so-tay"
    folder.mkdir()
    for spec in jobs.notebook_registry():
        shutil.copy(REPO / "notebooks" / spec.file, folder / spec.file)
    write_broken_notebook(folder / BROKEN.file)
    return folder


@pytest.fixture(scope="module")
def broken_build(site, broken_notebooks) -> Built:
    """The report with the real notebooks plus one that fails (worker processes are forked: patches carry over)."""
    specs = jobs.notebook_registry() + (BROKEN,)
    out = site.root / "reports-hong"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jobs, "notebook_registry", lambda: specs)
        mp.setattr(report, "notebook_file", lambda file: broken_notebooks / file)
        started = datetime.now()
        result = build_report(QUARTER, out, site.raw, site.processed, workers=2, unit="an_binh", progress=False)
        finished = datetime.now()
    return Built(result, out / QUARTER, started, finished)


# ---------------------------------------------------------------------------------------------------- helpers


def html_of(folder: Path, page: str) -> str:
    return (folder / f"{page}.html").read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["style", "script"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Balance(HTMLParser):
    """Checks that every element is closed, in order (void elements aside)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'} at {self.getpos()}")
            if tag in self.stack:
                del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag) :]
        else:
            self.stack.pop()


def assert_well_formed(html: str) -> None:
    parser = _Balance()
    parser.feed(html)
    parser.close()
    assert parser.doctype.lower() == "doctype html"
    assert not parser.problems, parser.problems
    assert not parser.stack, f"unclosed: {parser.stack}"


def assert_200_dpi(pngs: list[Path]) -> None:
    assert pngs
    for png in pngs:
        with Image.open(png) as image:
            assert image.format == "PNG"
            assert image.info["dpi"] == pytest.approx((200, 200), abs=0.5), png.name


# ------------------------------------------------------------------------------------------------ the report


def test_report_folder_layout(built, site):
    result, folder = built.result, built.folder
    assert result.folder == folder
    assert result.reingested  # first build: the processed folder was empty
    assert not result.failed, [r.error for r in result.failed]
    assert [r.job.output for r in result.results] == list(PAGES)
    assert (folder / "index.html").is_file()
    for page in PAGES:
        assert (folder / f"{page}.html").is_file(), page
        assert (folder / "notebooks" / f"{page}.ipynb").is_file(), page
    assert sorted(p.name for p in (folder / "don-vi").iterdir()) == sorted(f"{u}.html" for u in UNITS)
    assert_200_dpi(sorted((folder / "figures").glob("*.png")))
    for name in ("2021q3-tinh-tcd01-luot-tiep-cong-dan.png", "2021q3-don-vi-tcd01-luot-tiep-cong-dan.png"):
        assert (folder / "figures" / name).is_file()
    assert not (folder / "figures" / "2021q3-an-binh-dien-bien.png").exists()  # a unit's: in a build for that unit
    # no staging left behind; the figure cache stays beside the quarters
    assert sorted(p.name for p in (site.root / "reports").iterdir()) == [report.FIGURE_CACHE, QUARTER]


def test_index_links_every_page(built):
    soup = BeautifulSoup(html_of(built.folder, "index"), "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    for href in hrefs:
        assert (built.folder / href).exists(), href
    assert {f"{page}.html" for page in PAGES} <= set(hrefs)
    assert "figures/" in hrefs
    links = {a.get_text(strip=True): a["href"] for a in soup.find_all("a", href=True)}
    for code, name in NAMES.items():
        assert links[name] == f"don-vi/{code}.html"
    # the unit pages by type of unit: the districts, then the provincial agencies
    groups = {h.get_text(strip=True): [a.get_text(strip=True) for a in h.find_next("ul")("a")] for h in soup("h3")}
    assert groups == {
        "Cấp huyện (2 huyện)": ["Thành phố Minh Sơn", "Huyện An Bình"],
        "Cơ quan cấp tỉnh (1 cơ quan)": ["Công an tỉnh"],
    }


def test_the_index_filter_box_is_its_one_script_allowed_by_its_hash(built):
    import base64
    import hashlib

    html = html_of(built.folder, "index")
    soup = BeautifulSoup(html, "html.parser")
    (script,) = soup("script")
    digest = base64.b64encode(hashlib.sha256(script.string.encode()).digest()).decode()
    policy = soup.head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert policy.endswith(f"; script-src 'sha256-{digest}'") and "unsafe-inline'; base-uri" in policy
    box = soup.find("input", id="loc-don-vi")
    assert box.parent.name == "p" and box.parent.has_attr("hidden")  # shown by the script: no dead box without it
    filtered = [el.get_text(" ", strip=True) for el in soup.select("[data-loc]")]
    assert sum(el.name == "li" for el in soup.select("[data-loc]")) == len(NAMES)  # every unit page's link …
    assert sum(el.name == "tr" for el in soup.select("[data-loc]")) == len(NAMES)  # … and its row of the table
    assert all(any(name in line for line in filtered) for name in NAMES.values())


def test_index_summarises_the_quarter(built):
    html = html_of(built.folder, "index")
    assert_well_formed(html)
    assert re.search(r'<html[^>]*\blang="vi"', html)
    assert '<meta charset="utf-8">' in html
    assert unicodedata.is_normalized("NFC", html)
    text = visible_text(html)
    assert "quý III/2021" in text
    assert "3/3 đơn vị đã nộp báo cáo" in text
    assert "Không lập được" not in text and "không lập được" not in text
    match = re.search(r"Lập lúc (\d{2}):(\d{2}) ngày (\d{2})/(\d{2})/(\d{4})", text)
    assert match, text
    hour, minute, day, month, year = map(int, match.groups())
    stamp = datetime(year, month, day, hour, minute)
    assert built.started.replace(second=0, microsecond=0) <= stamp <= built.finished


@pytest.mark.parametrize("page", PAGES)
def test_page_is_code_free_self_contained_and_vietnamese(built, page):
    html = html_of(built.folder, page)
    assert re.search(r'<html[^>]*\blang="vi"', html)
    assert unicodedata.is_normalized("NFC", html)
    text = visible_text(html)
    for code in ("ReportData.load", "import ", "from analysis", "sections.", "nb.md(", "processed_dir"):
        assert code not in html, code
    assert PAGE_TEXT[page] in text
    assert "Quý III/2021" in text
    # images inline, nothing fetched from the network (offices work offline)
    soup = BeautifulSoup(html, "html.parser")
    images, drawings = soup.find_all("img"), soup.find_all("svg")
    assert images or drawings  # a unit's trend panels are SVG drawn by the browser (charts.svg_grid)
    assert all(img["src"].startswith("data:image/png;base64,") for img in images)
    assert all(not d.find_all(["image", "use", "a", "foreignobject"]) for d in drawings)  # no link out of the SVG
    assert not re.search(r"<script[^>]*\bsrc=", html, re.I)
    assert not re.search(r"<link[^>]*\bhref=[\"']?(https?:)?//", html, re.I)
    assert not re.search(r"@import\s+(url\()?[\"']?(https?:)?//", html, re.I)


def test_analyst_only_cells_left_out_of_pages(built):
    for spec in jobs.notebook_registry():
        source = nbformat.read(REPO / "notebooks" / spec.file, as_version=4)
        tagged = [c.source for c in source.cells if ANALYST_TAG in c.metadata.get("tags", [])]
        assert tagged, spec.file
        # the longest run of plain words in the cell (Markdown markers split it)
        fragments = [f.strip(" :.") for s in tagged for f in re.split(r"\*\*|`", s)]
        longest = max(fragments, key=len)
        assert len(longest) > 30
        pages = [f"don-vi/{u}" for u in UNITS] if spec.per_unit else [spec.name]
        for page in pages:
            text = visible_text(html_of(built.folder, page))
            assert "Sổ tay" not in text, page
            assert " ".join(longest.split()) not in text, page
            executed = nbformat.read(built.folder / "notebooks" / f"{page}.ipynb", as_version=4)
            assert any(ANALYST_TAG in c.metadata.get("tags", []) for c in executed.cells)  # kept for analysts


def _report_files(folder: Path, suffix: str) -> list[Path]:
    return sorted(folder.rglob(f"*{suffix}"))


def test_pages_carry_no_local_paths(built, site):
    for path in _report_files(built.folder, ".html"):
        html = path.read_text(encoding="utf-8")
        assert str(site.root) not in html, path
        assert "/work/" not in html and str(REPO) not in html, path


def test_executed_notebooks_carry_no_absolute_paths(built, site):
    absolute = re.compile(r"(?<!\.\.)" + re.escape(str(site.root)))
    for path in _report_files(built.folder, ".ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "/work/" not in text and str(REPO) not in text, path
        assert not absolute.search(text), path


def test_executed_notebooks_do_not_reveal_folders_outside_the_project(built, site):
    for path in _report_files(built.folder, ".ipynb"):
        text = path.read_text(encoding="utf-8")
        assert str(site.root) not in text, path
        assert ".dang-lap" not in text, path


def test_image_alt_text_is_not_an_english_placeholder(built):
    for page in PAGES:
        assert "No description has been provided" not in html_of(built.folder, page), page


# -------------------------------------------------------------------------------------------- processed data


def test_ensure_processed_reingests_only_when_inputs_change(site, tmp_path, monkeypatch):
    from analysis.ingest.incremental import CACHE_FILE

    raw = tmp_path / "raw"
    shutil.copytree(site.raw, raw)
    processed = tmp_path / "processed"
    assert ensure_processed(raw, processed) is True
    assert (processed / "values.parquet").is_file() and (processed / CACHE_FILE).is_file()
    assert ensure_processed(raw, processed) is False

    touched = raw / "2021Q3" / "2021Q3_an_binh.xlsx"
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 60 * 10**9))
    assert ensure_processed(raw, processed) is False  # touched, same content: nothing to re-read
    assert ensure_processed(raw, processed) is False

    shutil.copy(touched, raw / "2021Q3" / "2021Q3_an_binh_ban-sua.xlsx")
    assert ensure_processed(raw, processed) is True
    assert ensure_processed(raw, processed) is False

    config = tmp_path / "config"
    shutil.copytree(site.config, config)
    monkeypatch.setenv("ANALYSIS_CONFIG", str(config))
    assert ensure_processed(raw, processed) is False  # same configuration, other folder
    with (config / "province.yaml").open("a", encoding="utf-8") as f:
        f.write("\n# sửa cấu hình\n")
    assert ensure_processed(raw, processed) is False  # a comment changes nothing that is read
    text = (config / "province.yaml").read_text(encoding="utf-8")
    (config / "province.yaml").write_text(text.replace("deadline_days: 7", "deadline_days: 9"), encoding="utf-8")
    assert "deadline_days: 9" in (config / "province.yaml").read_text(encoding="utf-8")
    assert ensure_processed(raw, processed) is True  # a setting that is read: everything parsed again

    (processed / "values.parquet").unlink()
    assert ensure_processed(raw, processed) is True  # a table missing: rebuilt


# ---------------------------------------------------------------------------------------------- parameters


def test_unknown_quarter_lists_valid_quarters(built, site):
    out = site.root / "reports-ky-sai"
    with pytest.raises(ParameterError) as info:
        build_report("2030Q1", out, site.raw, site.processed, workers=1, progress=False)
    message = str(info.value)
    assert "2030Q1" in message and "2020Q3, 2021Q2, 2021Q3" in message
    assert not out.exists() or not any(out.iterdir())  # nothing half-built


def test_unknown_unit_lists_valid_units(built, site):
    out = site.root / "reports-don-vi-sai"
    with pytest.raises(ParameterError) as info:
        build_report(QUARTER, out, site.raw, site.processed, workers=1, unit="khong_co", progress=False)
    message = str(info.value)
    assert "khong_co" in message
    for code, name in NAMES.items():
        assert f"{code} ({name})" in message
    assert not out.exists() or not any(out.iterdir())


def test_cli_unknown_quarter_exits_2_with_message(built, site, capsys):
    out = site.root / "reports-cli"
    argv = ["report", "--quarter", "2030Q1", "--raw", str(site.raw), "--processed", str(site.processed)]
    code = main([*argv, "--out", str(out), "--jobs", "1", "--quiet"])
    captured = capsys.readouterr()
    assert code == 2
    assert "Kỳ báo cáo không hợp lệ" in captured.err and "2030Q1" in captured.err and "2021Q3" in captured.err
    assert "Traceback" not in captured.err


# ------------------------------------------------------------------------------------------- failing notebook


def test_failing_notebook_is_reported_and_the_others_still_built(broken_build):
    result, folder = broken_build.result, broken_build.folder
    assert [r.job.output for r in result.failed] == [BROKEN.name]
    error = result.failed[0].error
    assert BROKEN.file in error and "RuntimeError" in error and BROKEN_MESSAGE in error
    assert [r.job.output for r in result.results if r.ok] == [*MAIN_PAGES, "don-vi/an_binh"]
    for page in (*MAIN_PAGES, "don-vi/an_binh"):
        assert (folder / f"{page}.html").is_file(), page
    assert not (folder / f"{BROKEN.name}.html").exists()
    kept = folder / "notebooks" / f"{BROKEN.name}.ipynb"  # kept to look into
    executed = nbformat.read(kept, as_version=4)
    assert "/work/" not in kept.read_text(encoding="utf-8")
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any(o.output_type == "error" and BROKEN_MESSAGE in o.evalue for o in errors)
    index = html_of(folder, "index")
    text = visible_text(index)
    assert BROKEN_MESSAGE in text and f"{BROKEN.title} — không lập được" in text
    assert f'href="{BROKEN.name}.html"' not in index
    assert sorted(p.name for p in folder.parent.iterdir()) == [report.FIGURE_CACHE, QUARTER]


def test_failing_notebook_error_names_the_cell_as_the_analyst_sees_it(broken_build):
    assert "ô số 2" in broken_build.result.failed[0].error


def test_cli_exits_1_when_a_notebook_fails(site, broken_notebooks, monkeypatch, capsys):
    monkeypatch.setattr(jobs, "notebook_registry", lambda: (BROKEN,))
    monkeypatch.setattr(report, "notebook_file", lambda file: broken_notebooks / file)
    out = site.root / "reports-cli-hong"
    argv = ["report", "--quarter", QUARTER, "--raw", str(site.raw), "--processed", str(site.processed)]
    code = main([*argv, "--out", str(out), "--jobs", "1", "--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    assert BROKEN.file in captured.err and BROKEN_MESSAGE in captured.err
    assert "0/1 trang" in captured.out
    assert (out / QUARTER / "index.html").is_file()


# ------------------------------------------------------------------------------------------------ rebuilding


def test_second_build_replaces_the_first_completely(site, monkeypatch):
    quality = next(s for s in jobs.notebook_registry() if s.name == "chat-luong-du-lieu")
    monkeypatch.setattr(jobs, "notebook_registry", lambda: (quality,))  # one quick notebook is enough here
    out = site.root / "reports-lap-lai"
    first = build_report(QUARTER, out, site.raw, site.processed, workers=1, progress=False)
    assert not first.failed
    stray = out / QUARTER / "ban-nhap-cu.html"
    stray.write_text("cũ", encoding="utf-8")
    (out / QUARTER / "don-vi").mkdir()
    (out / QUARTER / "don-vi" / "cu.html").write_text("cũ", encoding="utf-8")

    second = build_report(QUARTER, out, site.raw, site.processed, workers=1, progress=False)
    assert not second.failed
    assert not stray.exists() and not (out / QUARTER / "don-vi").exists()
    assert (out / QUARTER / "index.html").is_file() and (out / QUARTER / "chat-luong-du-lieu.html").is_file()
    # no ".2021Q3.dang-lap" nor ".2021Q3.cu"
    assert sorted(p.name for p in out.iterdir()) == [report.FIGURE_CACHE, QUARTER]


def test_every_page_links_back_to_the_index(built):
    for page in PAGES:
        path = built.folder / f"{page}.html"
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        back = soup.select_one("nav.muc-luc a")
        assert back is not None and "Mục lục" in back.get_text(), page
        assert (path.parent / back["href"]).resolve() == (built.folder / "index.html").resolve(), page


def test_ctrl_c_stops_the_build_and_keeps_the_previous_report(site, built):
    """What a terminal's Ctrl+C does: SIGINT to the process group (main process and workers; the kernels run in
    sessions of their own and are interrupted by their workers)."""
    out = site.root / "reports"
    index = (built.folder / "index.html").read_bytes()
    staging = out / f".{QUARTER}.dang-lap"
    shutil.rmtree(out / report.FIGURE_CACHE)  # every chart drawn again: the build is still running when interrupted
    argv = [sys.executable, "-m", "analysis", "report", "--quarter", QUARTER, "--raw", str(site.raw)]
    argv += ["--processed", str(site.processed), "--out", str(out), "--quiet"]
    build = subprocess.Popen(
        argv, env={**os.environ, "ANALYSIS_CONFIG": str(site.config)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL), os.setpgrp()),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(staging.glob("notebooks/*.ipynb")) and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.1)  # notebooks are being run
    os.killpg(build.pid, signal.SIGINT)
    _, err = build.communicate(timeout=120)
    message = err.decode("utf-8")
    assert build.returncode == 130, message
    assert "Đã dừng theo yêu cầu" in message and "Traceback" not in message
    assert (built.folder / "index.html").read_bytes() == index  # the previous report, untouched
    assert not staging.exists()


def test_the_archive_for_leaders_holds_the_pages_and_files_not_the_notebooks_or_figures(built):
    import zipfile

    path = built.folder / f"ban-gui-lanh-dao-{QUARTER}.zip"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        index = archive.read(f"bao-cao-{QUARTER}/index.html").decode("utf-8")
    assert all(n.startswith(f"bao-cao-{QUARTER}/") for n in names)  # unpacks into one folder
    held = sorted(n.removeprefix(f"bao-cao-{QUARTER}/") for n in names)
    expected = [f"{p}.html" for p in PAGES] + [
        "index.html", f"bang-so-lieu-{QUARTER}.xlsx", f"bao-cao-{QUARTER}.docx"
    ]  # fmt: skip
    assert held == sorted(expected)
    # the archive's index links only what it holds (the folder's index also offers the archive and figures/)
    links = {a["href"] for a in BeautifulSoup(index, "html.parser").find_all("a", href=True)}
    assert links <= set(held) and f"don-vi/{UNITS[0]}.html" in links
    folder_links = {a["href"] for a in BeautifulSoup(html_of(built.folder, "index"), "html.parser")("a", href=True)}
    assert {path.name, "figures/"} <= folder_links and not {path.name, "figures/"} & links
    with zipfile.ZipFile(path) as archive:  # the same pages as the folder's
        page = archive.read(f"bao-cao-{QUARTER}/don-vi/{UNITS[0]}.html")
    assert page == (built.folder / "don-vi" / f"{UNITS[0]}.html").read_bytes()
