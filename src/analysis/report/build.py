"""`python -m analysis report`: one command from raw submissions to shareable, code-free HTML.

Shape: `ensure_processed` (re-ingest only when raw files or configuration changed) → `plan_jobs` (each notebook of
report.yaml, per-unit ones once per reporting unit) → `run_jobs` (papermill in parallel worker processes, then
nbconvert to self-contained HTML without code) → `write_index` → the finished folder replaces the previous one in a
single rename, so an interrupted run leaves the previous report intact.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from analysis.compare.report_data import PROCESSED_ENV, ParameterError, ReportData
from analysis.core import memory, signals, workspace
from analysis.core.lock import folder_lock
from analysis.core.outputs import atomic_path
from analysis.core.periods import Quarter
from analysis.core.signals import StopRequest, sigterm_as_interrupt
from analysis.core.workers import cap
from analysis.ingest.run import run_ingest
from analysis.report import archive, folders, index_page, internal_page, unit_pages
from analysis.report import executed as executed_nb
from analysis.report import files as report_files
from analysis.report.jobs import Job, JobResult, notebook_registry, plan_jobs
from analysis.views import figure_cache, freshness, house

KERNEL = "python3"
EXECUTION_TIMEOUT = 600
FRESHNESS_FILE = ".kiem-tra-du-lieu.json"  # the run's one freshness check, for its notebooks (views.freshness)
FIGURE_CACHE = ".figure-cache"  # beside the quarters' folders: charts drawn by earlier builds (figure_cache)
# what each kernel imports as soon as it starts, before its first notebook
WARM_UP = (
    "import analysis.compare.report_data\nfrom analysis.views import charts, figure_cache, notebook, quality, sections"
)
STOPPED = "Đã dừng theo yêu cầu (Ctrl+C)"
EXPORT_WEIGHT = 2.0  # run time of the Excel or Word export relative to a unit profile (NotebookSpec.weight)


@dataclass
class ReportResult:
    folder: Path
    results: list[JobResult] = field(default_factory=list)
    reingested: bool = False
    outdated: list[workspace.OutdatedCopy] = field(default_factory=list)  # the workspace's copies older than ours
    internal: Path | None = None  # the analysts' internal page of list forms (`internal_page`), when written

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]


# ------------------------------------------------------------------------------------------- processed data


def ensure_processed(raw_dir: Path, processed_dir: Path) -> bool:
    """Bring the processed data up to date (incremental ingest: only new or changed files are parsed).

    True when anything changed since the processed data were built."""
    result = run_ingest(raw_dir, processed_dir)
    return bool(result.run and result.run.changed)


# ------------------------------------------------------------------------------------------------------ run


def _start_worker(
    staging: Path,
    processed_dir: Path,
    figure_cache_dir: Path | None,
    parent_pid: int | None = None,
    raw_dir: Path | None = None,
) -> None:
    """Set up a report worker process: its kernel inherits the processed-data path (no path in the notebooks), the
    raw folder (for the freshness check) and the figure cache, starts now and imports the report modules, and is
    shut down when the worker exits."""
    import signal

    # Ctrl+C: the main process stops handing out notebooks (run_jobs); here it interrupts the notebook running in
    # this worker's kernel, which does not get the terminal's signal itself, so the worker is free within seconds
    signal.signal(signal.SIGINT, _interrupt_kernel)
    # SIGTERM, also what Linux sends when the main process dies (even by SIGKILL): kill the kernel, remove its
    # folder and end now
    signal.signal(signal.SIGTERM, _end_now)
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    # jsonschema (imported by nbformat) builds ~150 Lark grammars for URI formats when rfc3987-syntax is installed:
    # 2.4 s per process, for a format check notebook validation never uses. Without it jsonschema skips that format.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import multiprocessing.util

    from analysis.report import kernels

    os.environ[PROCESSED_ENV] = str(processed_dir.resolve())
    if raw_dir is not None:
        os.environ[freshness.RAW_ENV] = str(raw_dir.resolve())
    os.environ[freshness.CHECKED_ENV] = str((staging / FRESHNESS_FILE).resolve())
    if figure_cache_dir is not None:
        os.environ[figure_cache.CACHE_ENV] = str(figure_cache_dir.resolve())
    multiprocessing.util.Finalize(None, kernels.shutdown, exitpriority=10)
    try:
        kernels.warm_up(staging, WARM_UP)
    except Exception:  # noqa: BLE001 - the first notebook starts a kernel again and reports what goes wrong
        kernels.discard()


def _die_with_parent(parent_pid: int) -> None:
    """Linux: SIGTERM to this worker when the main process dies, however it dies."""
    import signal

    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # already gone
        _end_now()


def _end_now(*_: object) -> None:
    kill_now = getattr(sys.modules.get("analysis.report.kernels"), "kill_now", None)  # None: no kernel yet
    try:
        if kill_now is not None:
            kill_now()
    finally:
        os._exit(143)


_stopping = False  # in a worker: Ctrl+C was pressed, run nothing more
STOP_GRACE_SECONDS = 20  # after Ctrl+C, a worker whose notebook has not stopped ends (its kernel killed)


def _interrupt_kernel(*_: object) -> None:
    global _stopping
    _stopping = True
    # not imported yet (or still being imported): no kernel to interrupt
    interrupt = getattr(sys.modules.get("analysis.report.kernels"), "interrupt", None)
    if interrupt is not None:
        interrupt()
    if hasattr(signal, "SIGALRM"):  # a kernel interrupted between two messages may never answer again: the
        signal.signal(signal.SIGALRM, _end_now)  # worker then ends by itself (its kernel killed) after a grace
        signal.alarm(STOP_GRACE_SECONDS)


def open_workers(
    staging: Path,
    processed_dir: Path,
    workers: int,
    figure_cache_dir: Path | None = None,
    raw_dir: Path | None = None,
) -> ProcessPoolExecutor:
    """The report's worker processes, started now: each starts its kernel and imports the report modules in it
    while the caller goes on (checking the processed data, planning the notebooks)."""
    pool = ProcessPoolExecutor(
        max_workers=max(1, workers),
        initializer=_start_worker,
        initargs=(staging, processed_dir, figure_cache_dir, os.getpid(), raw_dir),
    )
    for _ in range(max(1, workers)):  # start every worker now (forked ones all start with the first task)
        pool.submit(int)
    return pool


def notebook_file(file: str) -> Path:
    """The notebook a job runs: the workspace's copy when there is one, else the package's."""
    return workspace.notebook_path(file)


def run_job(job: Job, staging: Path, processed_dir: Path) -> JobResult:
    """Execute one notebook with papermill on this worker's kernel and export it to code-free HTML."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from analysis.report import kernels

    start = time.perf_counter()
    if _stopping:  # handed to this worker before the main process cancelled what was queued
        return JobResult(job, False, 0.0, STOPPED)
    executed = staging / "notebooks" / f"{job.output}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        kernels.current(staging)
        papermill.execute_notebook(
            str(notebook_file(job.spec.file)),
            str(executed),
            parameters=job.parameters,
            engine_name=kernels.ENGINE,
            kernel_name=KERNEL,
            cwd=str(staging),  # figures_dir "figures" is relative to the report folder
            progress_bar=False,
            execution_timeout=EXECUTION_TIMEOUT,
            request_save_on_cell_execute=False,  # written once at the end (or where it failed: kernels.py)
        )
    except PapermillExecutionError as exc:
        kernels.discard()
        executed_nb.scrub_paths(executed, job)
        cell = executed_nb.source_cell_number(executed, exc.cell_index)
        message = f"Sổ tay {job.spec.file} ({job.output}) lỗi ở ô số {cell}: {exc.ename}: {exc.evalue}"
        return JobResult(job, False, time.perf_counter() - start, message)
    except Exception as exc:  # kernel died, notebook missing, timeout: this notebook fails, the others go on
        kernels.discard()
        message = f"Sổ tay {job.spec.file} ({job.output}) không chạy được: {type(exc).__name__}: {exc}"
        return JobResult(job, False, time.perf_counter() - start, message)
    executed_nb.scrub_paths(executed, job)
    export_html(executed, staging / f"{job.output}.html", job)
    memory.give_back()
    return JobResult(job, True, time.perf_counter() - start)


def export_html(executed: Path, target: Path, job: Job) -> None:
    """Self-contained HTML without code: inputs and prompts excluded, images inline, no script from the network."""
    import nbformat

    from analysis.report import html_page

    nb = nbformat.read(executed, as_version=4)
    title = job.spec.title if not job.unit_name else f"{job.spec.title}: {job.unit_name}"
    nb.metadata["title"] = f"{title} — {_quarter_title(job.parameters['quarter'])}"
    nb.metadata["index_href"] = "../" * job.output.count("/") + "index.html"
    nb.metadata["house_css"] = house.css()
    body = html_page.to_html(nb)
    with atomic_path(target) as tmp:
        tmp.write_text(body, encoding="utf-8")


def _quarter_title(label: str) -> str:
    return Quarter.parse(label).vn_title


def run_jobs(
    jobs: list[Job],
    staging: Path,
    processed_dir: Path,
    workers: int,
    progress: bool = True,
    exports: tuple[Callable[[], None], ...] = (),
    pool: ProcessPoolExecutor | None = None,
) -> list[JobResult]:
    """Run notebooks (longest first) and `exports` in the worker processes of `pool` (else new ones), with a
    progress bar on stderr.

    Each worker keeps one kernel for all its notebooks (`analysis.report.kernels`). An export that fails raises here."""
    from tqdm import tqdm

    results: list[JobResult] = []
    bar = tqdm(total=len(jobs), desc="Chạy sổ tay", unit="sổ", file=sys.stderr, disable=not progress)
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(open_workers(staging, processed_dir, min(workers, len(jobs) + len(exports))))
        # longest first (stable: registry order among equals), so neither worker is left with a long one at the end
        tasks = [(job.spec.weight, functools.partial(run_job, job, staging, processed_dir), job) for job in jobs]
        tasks += [(EXPORT_WEIGHT, export, None) for export in exports]
        submitted = [(pool.submit(task), job) for _, task, job in sorted(tasks, key=lambda t: -t[0])]
        futures = {future: job for future, job in submitted if job is not None}
        pending_exports = [future for future, job in submitted if job is None]
        stop = StopRequest()
        try:
            with stop.deferred():
                _collect(futures, pending_exports, results, bar, stop)
        except BaseException:  # Ctrl+C (workers interrupt their kernels) or a failed export: start nothing more
            for future, _ in submitted:
                future.cancel()
            raise
    bar.close()
    order = {job.output: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.job.output])


# --------------------------------------------------------------------------------------------------- report


def _collect(futures: dict, exports: list, results: list[JobResult], bar: object, stop: StopRequest) -> None:
    """Wait for every notebook, then every export; a stop request is raised between two waits, never inside one."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        for future in done:
            results.append(future.result())
            bar.update()
        stop.raise_if_requested()
    while exports:
        done, _ = wait(exports, timeout=0.2)
        exports = [f for f in exports if f not in done]
        for future in done:
            future.result()
        stop.raise_if_requested()


def build_report(
    quarter: str,
    out_root: Path,
    raw_dir: Path,
    processed_dir: Path,
    workers: int | None = None,
    unit: str | None = None,
    progress: bool = True,
) -> ReportResult:
    """Build reports/QUARTER: executed notebooks, HTML pages, figures and index.html. With `unit`, that unit's page
    and the province's pages are built again; the other units' pages are kept from the previous report. `workers`
    is capped by cores and memory (`core.workers.cap`). The report folder and the processed data are locked for the
    run: another report or an ingest on them is refused with a message naming this run (`core.lock`)."""
    label = _quarter_label(quarter)
    if label is None:  # not even a quarter: ReportData says so, listing the valid ones
        ensure_processed(raw_dir, processed_dir)
        ReportData.load(quarter, processed_dir)
    with sigterm_as_interrupt(), folder_lock(out_root, "report"), folder_lock(processed_dir, "report"):
        staging = out_root / f".{label}.dang-lap"
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "figures").mkdir(parents=True)
        cache_dir = out_root / FIGURE_CACHE
        # kernels start and import while this process brings the processed data up to date
        pool = open_workers(staging, processed_dir, cap(workers, "report").count, cache_dir, raw_dir)
        try:
            reingested = ensure_processed(raw_dir, processed_dir)
            freshness.record(processed_dir, raw_dir, staging / FRESHNESS_FILE)
            data = ReportData.load(quarter, processed_dir)  # validates the quarter (and the unit below)
            if unit:
                data.unit(unit)
            exports = _exports(label, processed_dir, staging)
            planned = plan_jobs(data, unit)
            keys, results = unit_pages.reuse(data, planned, out_root / label, staging)
            to_run = [j for j in planned if j.output not in {r.job.output for r in results}]
            results += run_jobs(to_run, staging, processed_dir, 0, progress, exports, pool)
            pool.shutdown(wait=True)
            (staging / FRESHNESS_FILE).unlink(missing_ok=True)  # the index checks again below
            order = {j.output: i for i, j in enumerate(planned)}
            results.sort(key=lambda r: order[r.job.output])
            if unit:
                results += folders.carry_over(
                    out_root / label, staging, plan_jobs(data), {r.job.output for r in results}
                )
            unit_pages.write_keys(staging, out_root / label, keys, results)
            built = datetime.now()
            internal, linked = internal_page.place(data, built, staging, out_root)
            index_page.write(staging / "index.html", data, results, built, raw_dir, linked)
            archive.write(staging, label, index_page.render(data, results, built, raw_dir, linked, archive=True))
        except BaseException:
            with signals.ignored():  # another Ctrl+C must not leave workers writing into a removed folder
                _interrupt_workers(pool)
                pool.shutdown(wait=True, cancel_futures=True)
                shutil.rmtree(staging, ignore_errors=True)
            raise
        folders.replace(staging, out_root / label)
    figure_cache.prune(cache_dir)
    outdated = workspace.outdated_copies([spec.file for spec in notebook_registry()])
    return ReportResult(out_root / label, results, reingested, outdated, internal)


def _interrupt_workers(pool: ProcessPoolExecutor) -> None:
    """What Ctrl+C does to the workers (they interrupt their kernels' notebooks and run nothing more), for a stop
    the workers did not see themselves (SIGTERM to this process only, a failed export)."""
    import signal

    for process in list((getattr(pool, "_processes", None) or {}).values()):  # private, no public equivalent
        with contextlib.suppress(OSError, ValueError):
            os.kill(process.pid, signal.SIGINT)


def _quarter_label(quarter: str) -> str | None:
    try:
        return Quarter.from_user(quarter).label
    except ValueError:
        return None


def _exports(label: str, processed_dir: Path, staging: Path) -> tuple[Callable[[], None], ...]:
    """The Excel tables and the Word draft, written by worker processes beside the notebooks (their modules are
    imported there, not here)."""
    return tuple(functools.partial(_export, kind, label, processed_dir, staging) for kind in ("tables", "word"))


def _export(kind: str, quarter: str, processed_dir: Path, staging: Path) -> None:
    """Write one report file from the processed data; runs in a worker process."""
    if _stopping:
        return
    data = ReportData.load(quarter, processed_dir)
    if kind == "tables":
        from analysis.exports import xlsx as export_tables

        export_tables.write_tables(data, staging / report_files.table_name(quarter))
    else:
        from analysis.exports import docx as export_docx

        export_docx.write_docx(data, staging / report_files.docx_name(quarter))
    del data
    ReportData.forget()  # this process's notebooks run in its kernel: the worker needs no copy of the data kept
    memory.give_back()  # the data, workbook or document freed: their pages to the system


__all__ = ["ParameterError", "ReportResult", "build_report", "ensure_processed"]
