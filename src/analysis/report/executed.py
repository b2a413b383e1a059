"""An executed notebook as the report keeps it: paths made relative, cells numbered from 1, the failing cell's
number as the analyst sees it."""

from __future__ import annotations

from pathlib import Path

from analysis.core.outputs import atomic_path
from analysis.report.jobs import Job


def source_cell_number(executed: Path, index: int) -> int:
    """1-based number of the failing cell in the notebook as the analyst sees it (without papermill's injected cell)."""
    import nbformat

    cells = nbformat.read(executed, as_version=4).cells[: index + 1]
    return sum("injected-parameters" not in c.metadata.get("tags", []) for c in cells)


def scrub_paths(executed: Path, job: Job) -> None:
    """papermill records absolute input/output paths (user names, folder layout): keep them relative; number the
    executed cells from 1 as a fresh kernel would."""
    import nbformat

    if not executed.exists():
        return
    nb = nbformat.read(executed, as_version=4)
    meta = nb.metadata.get("papermill", {})
    meta["input_path"] = f"notebooks/{job.spec.file}"
    meta["output_path"] = f"notebooks/{job.output}.ipynb"
    executed_cells = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count") is not None]
    for number, cell in enumerate(executed_cells, start=1):  # the reused kernel counts on across notebooks
        cell.execution_count = number
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = number
    with atomic_path(executed) as tmp:
        nbformat.write(nb, tmp)
