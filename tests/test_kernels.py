"""One kernel per report worker, reused across notebooks: clean namespace each time, replaced after a failure."""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

import analysis.report.build as report
from analysis.report.build import run_jobs
from analysis.report.jobs import Job, NotebookSpec

# the notebooks folder reaches the workers through a monkeypatch, which only forked processes inherit
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="worker processes must be forked"),
]

QUARTER = "2021Q3"


def write_notebook(folder: Path, name: str, *sources: str) -> NotebookSpec:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell('quarter = ""')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_code_cell(s) for s in sources)]
    nbformat.write(nb, folder / f"{name}.ipynb")
    return NotebookSpec(name, f"{name}.ipynb", name)


PID = "import os\nprint('pid', os.getpid())"


def kernel_pid(staging: Path, name: str) -> int:
    nb = nbformat.read(staging / "notebooks" / f"{name}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    return int(text.split("pid", 1)[1].split()[0])


@pytest.fixture
def notebooks(tmp_path, monkeypatch) -> dict[str, NotebookSpec]:
    folder = tmp_path / "so-tay"
    folder.mkdir()
    specs = {
        "dat-bien": write_notebook(folder, "dat-bien", "secret = 42", PID),
        "kiem-tra": write_notebook(folder, "kiem-tra", "assert 'secret' not in globals(), 'biến còn sót'", PID),
        "hong": write_notebook(folder, "hong", PID, "raise RuntimeError('hỏng có chủ ý')"),
        "treo": write_notebook(folder, "treo", PID, "import time\ntime.sleep(300)"),
        "chet": write_notebook(folder, "chet", PID, "import os\nos._exit(1)"),
    }
    monkeypatch.setattr(report, "notebook_file", lambda file: folder / file)  # workers are forked: the patch carries
    return specs


def run(specs: list[NotebookSpec], tmp_path: Path) -> tuple[list[report.JobResult], Path]:
    staging = tmp_path / "bao-cao"
    staging.mkdir(exist_ok=True)
    jobs = [Job(spec, spec.name, {"quarter": QUARTER}) for spec in specs]
    return run_jobs(jobs, staging, tmp_path, workers=1, progress=False), staging


def test_one_worker_reuses_its_kernel_and_clears_the_namespace(notebooks, tmp_path):
    results, staging = run([notebooks["dat-bien"], notebooks["kiem-tra"]], tmp_path)
    assert [r.ok for r in results] == [True, True], [r.error for r in results]
    assert kernel_pid(staging, "dat-bien") == kernel_pid(staging, "kiem-tra")  # same kernel, yet no `secret`


def test_executed_cells_are_numbered_from_one_in_every_notebook(notebooks, tmp_path):
    results, staging = run([notebooks["dat-bien"], notebooks["kiem-tra"]], tmp_path)
    assert all(r.ok for r in results)
    for name in ("dat-bien", "kiem-tra"):
        nb = nbformat.read(staging / "notebooks" / f"{name}.ipynb", as_version=4)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), (name, counts)


def test_a_failed_notebook_gets_its_kernel_replaced(notebooks, tmp_path):
    results, staging = run([notebooks["dat-bien"], notebooks["hong"], notebooks["kiem-tra"]], tmp_path)
    assert [r.ok for r in results] == [True, False, True]
    assert "hỏng có chủ ý" in results[1].error and "ô số 3" in results[1].error  # cell 3 as the analyst counts
    assert kernel_pid(staging, "dat-bien") == kernel_pid(staging, "hong")
    assert kernel_pid(staging, "kiem-tra") != kernel_pid(staging, "hong")  # a fresh kernel after the failure
    assert (staging / "kiem-tra.html").is_file() and not (staging / "hong.html").exists()


def test_names_a_notebook_imported_or_defined_are_gone_too(notebooks, tmp_path):
    folder = report.notebook_file("x").parent
    first = write_notebook(
        folder, "nhap", "import json as jj\ndef helper():\n    return 1\nclass K: pass\n_keep = 1", "helper()"
    )
    second = write_notebook(
        folder,
        "sau",
        "left = [n for n in ('jj', 'helper', 'K', '_keep', '_2', '_3') if n in globals()]\nassert not left, left",
    )
    results, _ = run([first, second], tmp_path)
    assert [r.ok for r in results] == [True, True], [r.error for r in results]


def test_kernels_leave_no_socket_files_behind(notebooks, tmp_path):
    before = set(Path(tempfile.gettempdir()).glob("analysis-kernel-*"))
    results, _ = run([notebooks["dat-bien"], notebooks["hong"], notebooks["kiem-tra"]], tmp_path)  # two kernels
    assert [r.ok for r in results] == [True, False, True]
    assert set(Path(tempfile.gettempdir()).glob("analysis-kernel-*")) == before


def test_a_notebook_past_the_time_limit_fails_and_the_next_one_runs(notebooks, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "EXECUTION_TIMEOUT", 3)
    start = time.monotonic()
    results, staging = run([notebooks["treo"], notebooks["kiem-tra"]], tmp_path)
    assert time.monotonic() - start < 60
    assert [r.ok for r in results] == [False, True]
    assert "Timeout" in results[0].error or "timed out" in results[0].error, results[0].error
    assert (staging / "notebooks" / "treo.ipynb").is_file(), results[0].error  # kept to look into


def test_a_kernel_that_dies_fails_its_notebook_only(notebooks, tmp_path):
    start = time.monotonic()
    results, staging = run([notebooks["chet"], notebooks["kiem-tra"]], tmp_path)
    assert time.monotonic() - start < 60
    assert [r.ok for r in results] == [False, True]
    assert "DeadKernel" in results[0].error or "died" in results[0].error, results[0].error
