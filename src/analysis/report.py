"""`python -m analysis report`: one command from raw submissions to shareable, code-free HTML.

Shape: `ensure_processed` (re-ingest only when raw files or configuration changed) → `plan_jobs` (each notebook of
report.yaml, per-unit ones once per reporting unit) → `run_jobs` (papermill in parallel worker processes, then
nbconvert to self-contained HTML without code) → `write_index` → the finished folder replaces the previous one in a
single rename, so an interrupted run leaves the previous report intact.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from analysis import export_docx, export_tables, index_page
from analysis.config import project_root
from analysis.ingest import run_ingest
from analysis.outputs import atomic_path
from analysis.report_data import PROCESSED_ENV, ParameterError, ReportData

KERNEL = "python3"
EXECUTION_TIMEOUT = 600
ANALYST_ONLY_TAG = "bo-khi-xuat-ban"  # cells for analysts in JupyterLab, left out of the published HTML


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    file: str
    title: str
    per_unit: bool = False


@cache
def notebook_registry() -> tuple[NotebookSpec, ...]:
    data = yaml.safe_load(resources.files("analysis").joinpath("report.yaml").read_text(encoding="utf-8"))
    return tuple(NotebookSpec(**entry) for entry in data["notebooks"])


@dataclass(frozen=True)
class Job:
    spec: NotebookSpec
    output: str  # path of the HTML inside the report folder, without suffix: "tong-quan-tinh", "don-vi/an_binh"
    parameters: dict
    unit_name: str = ""


@dataclass
class JobResult:
    job: Job
    ok: bool
    seconds: float
    error: str = ""


@dataclass
class ReportResult:
    folder: Path
    results: list[JobResult] = field(default_factory=list)
    reingested: bool = False

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]


# ------------------------------------------------------------------------------------------- processed data


def ensure_processed(raw_dir: Path, processed_dir: Path) -> bool:
    """Bring the processed data up to date (incremental ingest: only new or changed files are parsed).

    True when anything changed since the processed data were built."""
    result = run_ingest(raw_dir, processed_dir)
    return bool(result.run and result.run.changed)


# ----------------------------------------------------------------------------------------------------- plan


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def plan_jobs(data: ReportData, unit: str | None = None) -> list[Job]:
    """Every notebook run of the report (per-unit notebooks once per unit that reported this quarter)."""
    base = {"quarter": data.quarter.label, "processed_dir": "", "figures_dir": "figures"}
    units = [data.unit(unit).code] if unit else data.units_reporting()
    jobs = []
    for spec in notebook_registry():
        if spec.per_unit:
            jobs += [
                Job(spec, f"don-vi/{code}", {**base, "unit": code}, data.registry.get(code).name) for code in units
            ]
        else:
            jobs.append(Job(spec, spec.name, base))
    return jobs


# ------------------------------------------------------------------------------------------------------ run


def run_job(job: Job, staging: Path, processed_dir: Path) -> JobResult:
    """Execute one notebook with papermill and export it to code-free HTML. Runs in a worker process."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    executed = staging / "notebooks" / f"{job.output}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    os.environ[PROCESSED_ENV] = str(processed_dir.resolve())  # the kernel inherits it: no path in the notebook
    try:
        papermill.execute_notebook(
            str(notebooks_dir() / job.spec.file),
            str(executed),
            parameters=job.parameters,
            kernel_name=KERNEL,
            cwd=str(staging),  # figures_dir "figures" is relative to the report folder
            progress_bar=False,
            execution_timeout=EXECUTION_TIMEOUT,
        )
    except PapermillExecutionError as exc:
        _scrub_paths(executed, job)
        cell = _source_cell_number(executed, exc.cell_index)
        message = f"Sổ tay {job.spec.file} ({job.output}) lỗi ở ô số {cell}: {exc.ename}: {exc.evalue}"
        return JobResult(job, False, time.perf_counter() - start, message)
    except Exception as exc:  # kernel died, notebook missing, timeout: this notebook fails, the others go on
        message = f"Sổ tay {job.spec.file} ({job.output}) không chạy được: {type(exc).__name__}: {exc}"
        return JobResult(job, False, time.perf_counter() - start, message)
    _scrub_paths(executed, job)
    export_html(executed, staging / f"{job.output}.html", job)
    return JobResult(job, True, time.perf_counter() - start)


def _source_cell_number(executed: Path, index: int) -> int:
    """1-based number of the failing cell in the notebook as the analyst sees it (without papermill's injected cell)."""
    import nbformat

    cells = nbformat.read(executed, as_version=4).cells[: index + 1]
    return sum("injected-parameters" not in c.metadata.get("tags", []) for c in cells)


def _scrub_paths(executed: Path, job: Job) -> None:
    """papermill records absolute input/output paths (user names, folder layout): keep them relative."""
    import nbformat

    if not executed.exists():
        return
    nb = nbformat.read(executed, as_version=4)
    meta = nb.metadata.get("papermill", {})
    meta["input_path"] = f"notebooks/{job.spec.file}"
    meta["output_path"] = f"notebooks/{job.output}.ipynb"
    with atomic_path(executed) as tmp:
        nbformat.write(nb, tmp)


def export_html(executed: Path, target: Path, job: Job) -> None:
    """Self-contained HTML without code: inputs and prompts excluded, images inline, no script from the network."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(executed, as_version=4)
    title = job.spec.title if not job.unit_name else f"{job.spec.title}: {job.unit_name}"
    nb.metadata["title"] = f"{title} — {_quarter_title(job.parameters['quarter'])}"
    nb.metadata["index_href"] = "../" * job.output.count("/") + "index.html"
    exporter = HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(resources.files("analysis") / "templates")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.language_code = "vi"
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={ANALYST_ONLY_TAG}, enabled=True), True)
    body, _ = exporter.from_notebook_node(nb)
    with atomic_path(target) as tmp:
        tmp.write_text(body, encoding="utf-8")


def _quarter_title(label: str) -> str:
    from analysis.periods import Quarter

    return Quarter.parse(label).vn_title


def run_jobs(
    jobs: list[Job], staging: Path, processed_dir: Path, workers: int, progress: bool = True
) -> list[JobResult]:
    """Run notebooks in parallel worker processes, with a progress bar on stderr."""
    from tqdm import tqdm

    results: list[JobResult] = []
    bar = tqdm(total=len(jobs), desc="Chạy sổ tay", unit="sổ", file=sys.stderr, disable=not progress)
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        futures = {pool.submit(run_job, job, staging, processed_dir): job for job in jobs}
        for future in as_completed(futures):
            results.append(future.result())
            bar.update()
    bar.close()
    order = {job.output: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.job.output])


# --------------------------------------------------------------------------------------------------- report


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def build_report(
    quarter: str,
    out_root: Path,
    raw_dir: Path,
    processed_dir: Path,
    workers: int | None = None,
    unit: str | None = None,
    progress: bool = True,
) -> ReportResult:
    """Build reports/QUARTER: executed notebooks, HTML pages, figures and index.html."""
    reingested = ensure_processed(raw_dir, processed_dir)
    data = ReportData.load(quarter, processed_dir)  # validates the quarter (and the unit below)
    if unit:
        data.unit(unit)
    final = out_root / data.quarter.label
    staging = out_root / f".{data.quarter.label}.dang-lap"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "figures").mkdir(parents=True)
    jobs = plan_jobs(data, unit)
    results = run_jobs(jobs, staging, processed_dir, workers or default_workers(), progress)
    export_tables.write_tables(data, staging / export_tables.table_name(data.quarter.label))
    export_docx.write_docx(data, staging / export_docx.docx_name(data.quarter.label))
    index_page.write(staging / "index.html", data, results, datetime.now())
    _replace_folder(staging, final)
    return ReportResult(final, results, reingested)


def _replace_folder(staging: Path, final: Path) -> None:
    """Swap the finished report in: the old one is moved aside first and removed only after the swap."""
    old = final.with_name(f".{final.name}.cu")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


__all__ = ["ParameterError", "ReportResult", "build_report", "ensure_processed", "notebook_registry"]
