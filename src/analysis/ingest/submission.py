"""What one parse of a file produces and what every parse needs: `Issue`, `Submission`, `IngestContext`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from analysis.catalogue.assignment import check_assignment
from analysis.catalogue.lists import ListForms, load_lists
from analysis.catalogue.load import load_catalogue
from analysis.catalogue.model import Catalogue
from analysis.core.config import ProvinceConfig, load_province_config
from analysis.core.periods import Quarter
from analysis.core.units import Unit, UnitRegistry, load_units
from analysis.ingest import preflight
from analysis.ingest.extract import FoundValue, IndicatorIndex
from analysis.ingest.isolation import WorkerLimits


@dataclass
class Issue:
    """One problem found in a file, at a cell when it has one (`rule` is its code, `message` in Vietnamese)."""

    file: str
    sheet: str
    cell: str
    severity: str  # error | warning
    rule: str
    message: str
    indicator: str = ""


@dataclass
class Submission:
    """One unit's report in one file as its parse found it: facts, unit and period (and where they came from),
    values and issues. A file is one submission, and a consolidated file one more per other unit it has a row for
    (`parts`, each with `part` set to its unit's code)."""

    file: str  # path relative to the raw folder, POSIX separators
    sha256: str = ""
    size_bytes: int = 0
    mtime: float = 0.0
    unit: Unit | None = None
    unit_source: str = ""
    period: Quarter | None = None
    period_source: str = ""
    path_unit: Unit | None = None  # the one unit the file and folder names name (None when none or several)
    path_period: Quarter | None = None  # the one quarter the file and folder names name
    figures: str = ""  # digest of its figures when they are non-trivial (not all zero or blank), else ""
    report_date: date | None = None
    modified: datetime | None = None
    status: str = "accepted"
    reason: str = ""
    superseded_by: str = ""
    part: str = ""  # a unit's row in a consolidated file: that unit's code ("" for the file's own submission)
    values: list[FoundValue] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    parts: list[Submission] = field(default_factory=list)  # the other units' rows of a consolidated file
    lists: list[tuple[str, int, str, str, str, str]] = field(default_factory=list)  # list forms' fields: form,
    # item, field, text, sheet, cell (`list_sheets`)

    @property
    def key(self) -> str:
        """What names this submission among a run's: its file, and for a consolidated row the unit's code."""
        return f"{self.file}#{self.part}" if self.part else self.file

    def row_of(self, unit: Unit) -> Submission:
        """An empty submission for `unit`'s row in this (consolidated) file: the file's facts, period and date."""
        return Submission(
            file=self.file,
            sha256=self.sha256,
            size_bytes=self.size_bytes,
            mtime=self.mtime,
            unit=unit,
            unit_source="consolidated",
            period=self.period,
            period_source=self.period_source,
            report_date=self.report_date,
            modified=self.modified,
            part=unit.code,
        )

    def issue(self, severity: str, rule: str, message: str, sheet: str = "", cell: str = "", indicator: str = ""):
        self.issues.append(Issue(self.file, sheet, cell, severity, rule, message, indicator))

    def reject(self, reason: str, rule: str, sheet: str = "", cell: str = "") -> Submission:
        self.status, self.reason = "rejected", reason
        self.issue("error", rule, reason, sheet, cell)
        return self


@dataclass(frozen=True)
class IngestContext:
    """What every parse needs: catalogue and its label index, unit registry, province settings, limits."""

    catalogue: Catalogue
    index: IndicatorIndex
    registry: UnitRegistry
    province: ProvinceConfig
    limits: preflight.Limits = preflight.Limits()
    worker_limits: WorkerLimits = WorkerLimits()
    lists: ListForms = ListForms(())  # the list forms (02/PCTN, 03/PCTN) read into the lists table

    @classmethod
    def load(
        cls,
        catalogue: Catalogue | None = None,
        registry: UnitRegistry | None = None,
        province: ProvinceConfig | None = None,
    ) -> IngestContext:
        catalogue = catalogue or load_catalogue()
        registry = registry or load_units()
        province = province or load_province_config()
        check_assignment(catalogue, province, registry.codes)
        return cls(
            catalogue=catalogue,
            index=IndicatorIndex.build(catalogue),
            registry=registry,
            province=province,
            lists=load_lists(),
        )
