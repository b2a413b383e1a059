"""The report folder: a finished build swapped in whole, and a build for one unit keeping the other units' pages."""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.report.jobs import Job, JobResult


def replace(staging: Path, final: Path) -> None:
    """Swap the finished report in: the old one is moved aside first and removed only after the swap."""
    old = final.with_name(f".{final.name}.cu")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def carry_over(previous: Path, staging: Path, planned: list[Job], built: set[str]) -> list[JobResult]:
    """The per-unit pages of `previous` (the report being replaced) that this build did not make, copied into
    `staging` with their executed notebooks and figures, for the units the full report would have."""
    from analysis.views.notebook import safe_name  # (IPython and matplotlib: not for the main process's start)

    carried = []
    for job in planned:
        page = previous / f"{job.output}.html"
        if not job.spec.per_unit or job.output in built or not page.is_file():
            continue
        code = job.parameters["unit"]
        quarter = job.parameters["quarter"]
        notebook = previous / "notebooks" / f"{job.output}.ipynb"
        files = [page, *([notebook] if notebook.is_file() else [])]
        files += sorted((previous / "figures").glob(f"{safe_name(f'{quarter}-{code}')}-*.png"))
        for source in files:
            target = staging / source.relative_to(previous)
            if target.exists():  # made by this build (a unit whose code begins with this one's: "an", "an_binh")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        carried.append(JobResult(job, True, 0.0, carried=True))
    return carried
