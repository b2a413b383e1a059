"""The report's notebook runs: which notebooks there are (`report.yaml`), one job per page, and what a run gave."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from analysis.compare.report_data import ReportData
from analysis.core.config import yaml_load


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    file: str
    title: str
    per_unit: bool = False
    weight: float = 1.0  # relative run time: the longest notebooks start first


@cache
def notebook_registry() -> tuple[NotebookSpec, ...]:
    data = yaml_load(resources.files("analysis.report").joinpath("report.yaml").read_text(encoding="utf-8"))
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
    carried: bool = False  # a page kept from the previous report (a build for one unit), not built now
    reused: bool = False  # a unit's page copied from the previous report: nothing it shows changed (unit_pages)

    @property
    def title(self) -> str:
        """How the index lists the page: the notebook's title, or the unit's name for a per-unit page."""
        return self.job.unit_name or self.job.spec.title

    @property
    def notebook_title(self) -> str:
        """The notebook's title (for a per-unit page, the title of the whole group)."""
        return self.job.spec.title

    @property
    def href(self) -> str:
        """The page, relative to the report folder."""
        return f"{self.job.output}.html"

    @property
    def per_unit(self) -> bool:
        return self.job.spec.per_unit


def plan_jobs(data: ReportData, unit: str | None = None) -> list[Job]:
    """Every notebook run of the report (per-unit notebooks once per unit that reported this quarter).

    The province's pages save their figures at print quality into figures/ (for the Word report); a unit's page
    does so only in a build for that unit (`report --unit`): drawing every unit's charts twice would cost a third
    of a unit page's time, for pictures seldom pasted."""
    base = {"quarter": data.quarter.label, "processed_dir": "", "figures_dir": "figures"}
    units = [data.unit(unit).code] if unit else data.units_reporting()
    per_unit = {**base, "figures_dir": "figures" if unit else ""}
    jobs = []
    for spec in notebook_registry():
        if spec.per_unit:
            jobs += [
                Job(spec, f"don-vi/{code}", {**per_unit, "unit": code}, data.registry.get(code).name) for code in units
            ]
        else:
            jobs.append(Job(spec, spec.name, base))
    return jobs
