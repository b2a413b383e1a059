"""A report run that is killed or stopped leaves nothing behind: no worker, no kernel, no socket folder or
connection file in the temporary folder, and the previous report intact; a build for one unit keeps the other
units' pages.

Each run gets a temporary folder of its own (TMPDIR), so "nothing left" is checked on that folder alone.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import analysis.report.build as report
from analysis.report.build import build_report, ensure_processed
from tests.small_province import QUARTER, REPO, UNITS, write_province

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")]
GONE_WITHIN = 5.0  # seconds


@pytest.fixture(scope="module")
def site(tmp_path_factory, catalogue):
    province = write_province(tmp_path_factory.mktemp("tien-trinh"), catalogue)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_CONFIG", str(province.config))
        mp.delenv("ANALYSIS_ROOT", raising=False)
        ensure_processed(province.raw, province.processed)
        yield province


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            tree.setdefault(int(stat[1]), []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start_report(site, out: Path, tmp: Path) -> subprocess.Popen:
    """`report` in a process group of its own, with its own TMPDIR; returns once its notebooks are running."""
    tmp.mkdir()
    argv = [sys.executable, "-m", "analysis", "report", "--quarter", QUARTER, "--raw", str(site.raw)]
    argv += ["--processed", str(site.processed), "--out", str(out), "--quiet", "--jobs", "2"]
    env = {**os.environ, "ANALYSIS_CONFIG": str(site.config), "TMPDIR": str(tmp)}
    build = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    staging = out / f".{QUARTER}.dang-lap"
    deadline = time.monotonic() + 90
    while not any(staging.glob("notebooks/*.ipynb")) and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.1)
    assert build.poll() is None, build.communicate()[1].decode()
    return build


def wait_gone(pids: set[int]) -> list[int]:
    deadline = time.monotonic() + GONE_WITHIN
    left = sorted(pids)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = [pid for pid in left if alive(pid)]
    return left


def kernel_folders(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir())


def test_sigkill_of_the_report_leaves_no_process_and_no_file(site, tmp_path):
    build = start_report(site, tmp_path / "reports", tmp_path / "tmp")
    run = descendants(build.pid)
    assert len(run) >= 4, run  # two workers and their kernels
    assert kernel_folders(tmp_path / "tmp"), "the kernels keep their sockets in TMPDIR"
    build.kill()
    build.communicate(timeout=30)
    assert wait_gone(run) == []
    assert kernel_folders(tmp_path / "tmp") == []


def watching_kernels(tmp: Path, count: int) -> None:
    """Wait until `count` kernels run their watcher: both kernels are up, so "gone within 5 s" is about the
    watcher, not about a kernel still starting on a loaded machine."""
    deadline = time.monotonic() + 60
    while len(list(tmp.glob("*/watching"))) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(list(tmp.glob("*/watching"))) >= count, kernel_folders(tmp)


def test_sigkill_of_the_whole_process_group_still_ends_the_kernels(site, tmp_path):
    """Workers killed too (nothing in them runs): the kernels, in sessions of their own, notice and clean up."""
    build = start_report(site, tmp_path / "reports", tmp_path / "tmp")
    watching_kernels(tmp_path / "tmp", 2)
    run = descendants(build.pid)
    os.killpg(build.pid, signal.SIGKILL)
    build.communicate(timeout=30)
    assert wait_gone(run) == []
    assert kernel_folders(tmp_path / "tmp") == []


def test_sigterm_stops_the_report_like_ctrl_c(site, tmp_path):
    out = tmp_path / "reports"
    build = start_report(site, out, tmp_path / "tmp")
    run = descendants(build.pid)
    build.terminate()  # to the main process only
    _, err = build.communicate(timeout=120)
    message = err.decode("utf-8")
    assert build.returncode == 130, message
    assert "Đã dừng theo yêu cầu" in message and "Traceback" not in message
    assert wait_gone(run) == []
    assert kernel_folders(tmp_path / "tmp") == []
    assert sorted(p.name for p in out.iterdir() if p.name != report.FIGURE_CACHE) == []  # no staging folder left


def test_kernel_folders_of_dead_processes_are_swept(tmp_path, monkeypatch):
    from analysis.report import kernels

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{kernels.FOLDER_PREFIX}{int(dead.stdout)}-abc"
    mine = tmp_path / f"{kernels.FOLDER_PREFIX}{os.getpid()}-def"
    other = tmp_path / "something-else"
    for folder in (stale, mine, other):
        folder.mkdir()
        (folder / "kernel.json").write_text("{}")
    kernels.sweep_orphans()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])


def test_a_build_for_one_unit_keeps_the_other_units_pages(site, tmp_path):
    out = tmp_path / "reports"
    full = build_report(QUARTER, out, site.raw, site.processed, workers=2, progress=False)
    assert not full.failed
    before = {u: (out / QUARTER / "don-vi" / f"{u}.html").read_bytes() for u in UNITS}
    assert not list((out / QUARTER / "figures").glob("2021q3-an-binh-*.png"))  # a unit's charts: on its page only
    one = build_report(QUARTER, out, site.raw, site.processed, workers=2, unit="an_binh", progress=False)
    assert not one.failed
    pages = out / QUARTER / "don-vi"
    assert sorted(p.stem for p in pages.glob("*.html")) == sorted(UNITS)
    assert (pages / "tp_minh_son.html").read_bytes() == before["tp_minh_son"]  # kept as it was
    assert (pages / "cong_an_tinh.html").read_bytes() == before["cong_an_tinh"]
    assert sorted(r.job.output for r in one.results if r.carried) == ["don-vi/cong_an_tinh", "don-vi/tp_minh_son"]
    index = (out / QUARTER / "index.html").read_text(encoding="utf-8")
    for unit in UNITS:
        assert f"don-vi/{unit}.html" in index
    assert (out / QUARTER / "notebooks" / "don-vi" / "tp_minh_son.ipynb").is_file()
    # a build for one unit saves that unit's charts at print quality; the next build for another unit keeps them
    made = [p.name for p in (out / QUARTER / "figures").glob("2021q3-an-binh-*.png")]
    assert made == ["2021q3-an-binh-dien-bien.png"]
    other = build_report(QUARTER, out, site.raw, site.processed, workers=2, unit="tp_minh_son", progress=False)
    assert not other.failed
    kept = sorted(p.name for p in (out / QUARTER / "figures").glob("2021q3-*-dien-bien.png"))
    assert kept == ["2021q3-an-binh-dien-bien.png", "2021q3-tp-minh-son-dien-bien.png"]


def test_a_build_for_one_unit_without_a_previous_report_has_that_unit_only(site, tmp_path):
    out = tmp_path / "reports"
    one = build_report(QUARTER, out, site.raw, site.processed, workers=1, unit="an_binh", progress=False)
    assert not one.failed and not [r for r in one.results if r.carried]
    assert sorted(p.stem for p in (out / QUARTER / "don-vi").glob("*.html")) == ["an_binh"]
    shutil.rmtree(out)


def test_sigkill_of_ingest_leaves_no_process_and_no_file(tmp_path):
    """The demo's submissions (a few seconds of parsing): killed once its parser workers are at work."""
    raw, out, tmp = REPO / "data" / "raw" / "demo", tmp_path / "processed", tmp_path / "tmp"
    tmp.mkdir()
    argv = [sys.executable, "-m", "analysis", "ingest", "--raw", str(raw), "--out", str(out)]
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("ANALYSIS_CONFIG", None)
    run = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(descendants(run.pid)) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    workers = descendants(run.pid)
    assert run.poll() is None and len(workers) >= 2, run.communicate()[1].decode()
    run.kill()
    run.communicate(timeout=30)
    assert wait_gone(workers) == []
    assert kernel_folders(tmp) == []


def test_ctrl_c_of_ingest_stops_it_in_plain_words(tmp_path):
    """Ctrl+C reaches the parser workers too (one process group): no worker prints a traceback."""
    raw, out = REPO / "data" / "raw" / "demo", tmp_path / "processed"
    argv = [sys.executable, "-m", "analysis", "ingest", "--raw", str(raw), "--out", str(out)]
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_CONFIG"}
    run = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(descendants(run.pid)) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    workers = descendants(run.pid)
    os.killpg(run.pid, signal.SIGINT)
    _, err = run.communicate(timeout=60)
    message = err.decode("utf-8")
    assert run.returncode == 130, message
    assert "Đã dừng theo yêu cầu" in message and "Traceback" not in message
    assert wait_gone(workers) == []
    assert not (out / "values.parquet").exists()  # nothing half-written in place


# ------------------------------------------------------------------------------------------ one writer at a time


def pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_second_report_on_the_same_folder_is_refused_and_the_first_completes(site, tmp_path):
    out = tmp_path / "reports"
    first = start_report(site, out, tmp_path / "tmp")
    argv = [sys.executable, "-m", "analysis", "report", "--quarter", QUARTER, "--raw", str(site.raw)]
    argv += ["--processed", str(site.processed), "--out", str(out), "--quiet", "--jobs", "1"]
    env = {**os.environ, "ANALYSIS_CONFIG": str(site.config)}
    second = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 3, second.stderr
    assert f"pid {first.pid}" in second.stderr and "lập báo cáo (report)" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err.decode()
    # the same pages as a report built alone
    alone = build_report(QUARTER, tmp_path / "alone", site.raw, site.processed, workers=2, progress=False)
    assert not alone.failed
    assert pages(out / QUARTER) == pages(tmp_path / "alone" / QUARTER)
    assert not (out / ".dang-su-dung.lock").exists() and not (site.processed / ".dang-su-dung.lock").exists()


def test_an_ingest_while_a_report_reads_the_data_is_refused(site, tmp_path):
    out = tmp_path / "reports"
    report_run = start_report(site, out, tmp_path / "tmp")
    argv = [sys.executable, "-m", "analysis", "ingest", "--raw", str(site.raw), "--out", str(site.processed)]
    env = {**os.environ, "ANALYSIS_CONFIG": str(site.config)}
    ingest = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert ingest.returncode == 3, ingest.stderr
    assert f"pid {report_run.pid}" in ingest.stderr and str(site.processed) in ingest.stderr
    _, err = report_run.communicate(timeout=300)
    assert report_run.returncode == 0, err.decode()


def test_a_unit_page_is_kept_while_nothing_it_shows_changes(site, tmp_path):
    from analysis.report.unit_pages import KEYS_FILE

    raw, processed, out = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"
    shutil.copytree(site.raw, raw)
    shutil.copytree(site.processed, processed)
    first = build_report(QUARTER, out, raw, processed, workers=2, progress=False)
    assert not first.failed and not [r for r in first.results if r.reused]
    pages = out / QUARTER / "don-vi"
    before = {u: (pages / f"{u}.html").read_bytes() for u in UNITS}
    again = build_report(QUARTER, out, raw, processed, workers=2, progress=False)
    assert sorted(r.job.output for r in again.results if r.reused) == sorted(f"don-vi/{u}" for u in UNITS)
    assert {u: (pages / f"{u}.html").read_bytes() for u in UNITS} == before
    assert (out / QUARTER / "notebooks" / "don-vi" / "an_binh.ipynb").is_file()
    # An Bình's TCD01 entered by hand as 201 (the file says 200): its page is built again, the others are kept
    (tmp_path / "manual").mkdir()
    (tmp_path / "manual" / "nhap-tay.csv").write_text(
        "Đơn vị,Kỳ báo cáo,Chỉ tiêu,Số liệu,Lý do,Người nhập,Ngày nhập\n"
        "an_binh,2021Q3,TCD01,201,Gọi điện,Lan,15/10/2021\n",
        encoding="utf-8",
    )
    fixed = build_report(QUARTER, out, raw, processed, workers=2, progress=False)
    assert not fixed.failed
    assert sorted(r.job.output for r in fixed.results if r.reused) == ["don-vi/cong_an_tinh", "don-vi/tp_minh_son"]
    tcd01 = re.compile(r"Tổng số lượt tiếp công dân</td><td[^>]*>lượt</td><td[^>]*>([\d.]+)<")  # the quarter's cell
    assert tcd01.search(before["an_binh"].decode("utf-8")).group(1) == "200"
    assert tcd01.search((pages / "an_binh.html").read_text(encoding="utf-8")).group(1) == "201"
    assert (pages / "tp_minh_son.html").read_bytes() == before["tp_minh_son"]
    # a damaged record of the keys: every page is built again
    (out / QUARTER / KEYS_FILE).write_text("{không phải json", encoding="utf-8")
    rebuilt = build_report(QUARTER, out, raw, processed, workers=2, progress=False)
    assert not [r for r in rebuilt.results if r.reused] and not rebuilt.failed
