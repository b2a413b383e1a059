"""A demo scenario (`scenario_2021.yaml`, `scenario_hoa_giang.yaml` beside this module): the province's quarters,
seed, calibration targets and magnitudes, the messy cases, and optionally a province of its own (`province:`, read by
`analysis.demo.province`) with smaller `scales:`; read, checked, and planned into the filings to write."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from analysis.catalogue.assignment import owed_areas
from analysis.catalogue.model import Catalogue
from analysis.core.config import ProvinceConfig
from analysis.core.periods import Quarter, period_dates, quarter_range
from analysis.core.units import Unit, UnitRegistry
from analysis.demo.edits import EDIT_KINDS, PlanContext, apply_edits
from analysis.demo.figures import FigurePlan, Figures, province_figures
from analysis.demo.workbook import Filing

SCENARIO = Path(__file__).with_name("scenario_2021.yaml")


@dataclass(frozen=True)
class Case:
    """One messy file: whose (a unit code or a role "district 3"), which quarter, its edits, what the manifest says."""

    unit: str
    quarter: Quarter
    edits: tuple[dict[str, Any], ...]
    description: str


@dataclass(frozen=True)
class Scenario:
    """A province and period of the demo: how its figures are made, where its files land, its messy cases."""

    name: str
    figures: FigurePlan
    saved_at: datetime  # timestamps of every file that was not saved at a time of its own
    path: str  # template of a file's path
    description: str  # manifest text of a file no case edits
    missing: tuple[tuple[str, Quarter], ...]  # (unit, quarter) never submitted
    cases: tuple[Case, ...]
    province: dict[str, Any] | None = None  # a province of its own (analysis.demo.province); None: the repository's
    scale: dict[str, Any] = field(default_factory=dict)  # how much of `province` (districts, communes, agencies)
    truth: str | None = None  # file name of the truth (each unit's figures before messy edits), None: not written
    # figures the analyst entered by hand (data/manual): unit, quarter, code, reason, entered_by, entered_on, document;
    # the figure is the unit's true one (a case puts a typo in its file)
    manual: tuple[dict[str, Any], ...] = ()


class ScenarioError(ValueError):
    """The scenario file is malformed."""


def load_scenario(path: str | Path = SCENARIO, scale: str | None = None) -> Scenario:
    """Read and check a scenario file; `scale` names one of its `scales:` (its `first`/`last` quarters replace the
    scenario's, the rest cuts its province)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    scales = raw.get("scales", {})
    if scale is not None and scale not in scales:
        raise ScenarioError(f"{path}: no scale {scale!r} (known: {', '.join(sorted(scales)) or 'none'})")
    cut = dict(scales.get(scale, {})) if scale else {}
    raw |= {key: cut.pop(key) for key in ("first", "last") if key in cut}
    quarters = tuple(quarter_range(Quarter.parse(raw["first"]), Quarter.parse(raw["last"])))
    totals = {Quarter.parse(q): dict(targets) for q, targets in raw["province_totals"].items()}
    if not set(totals) <= set(quarters):
        raise ScenarioError(f"{path}: province_totals outside {quarters[0].label}–{quarters[-1].label}")
    plan = FigurePlan(
        seed=raw["seed"],
        quarters=quarters,
        province_totals=totals,
        magnitudes=dict(raw["magnitudes"]),
        indicator_magnitudes=dict(raw.get("indicator_magnitudes", {})),
        default_magnitude=raw["default_magnitude"],
        rounding=raw.get("rounding", "floor"),
    )
    return Scenario(
        name=raw["name"],
        figures=plan,
        saved_at=raw["saved_at"],
        path=raw["path"],
        description=raw["description"],
        missing=tuple((m["unit"], Quarter.parse(m["quarter"])) for m in raw.get("missing", [])),
        cases=tuple(_case(entry, path) for entry in raw.get("cases", [])),
        province=raw.get("province"),
        scale=cut,
        truth=raw.get("truth"),
        manual=tuple(raw.get("manual", [])),
    )


def _case(entry: dict[str, Any], path: str | Path) -> Case:
    edits = tuple(entry["edits"])
    for edit in edits:
        for kind in [edit.get("kind"), *(e.get("kind") for e in edit.get("edits", []))]:
            if kind not in EDIT_KINDS:
                raise ScenarioError(f"{path}: unknown edit kind {kind!r} (known: {', '.join(sorted(EDIT_KINDS))})")
    return Case(str(entry["unit"]), Quarter.parse(str(entry["quarter"])), edits, entry["description"])


def resolve_unit(registry: UnitRegistry, ref: str) -> Unit:
    """A unit code, or a role "<type> <n>": the n-th unit of that type in the registry, counting from 1."""
    kind, _, number = ref.rpartition(" ")
    if kind and number.isdigit():
        of_type = [u for u in registry.units if u.type == kind]
        if not 1 <= int(number) <= len(of_type):
            raise ScenarioError(f"no {ref!r}: the registry has {len(of_type)} units of type {kind!r}")
        return of_type[int(number) - 1]
    return registry.get(ref)


def _on_time_date(q: Quarter, province: ProvinceConfig, rng: random.Random) -> date:
    end = period_dates(q, province.cutoff)[1]
    return end + timedelta(days=rng.randint(1, max(1, (province.deadline_days or 7) - 1)))


@dataclass(frozen=True)
class Plan:
    """What the demo writes: its files, and the truth (every unit's figures per quarter before messy edits; the
    keys of `missing` were never sent)."""

    filings: list[Filing]
    figures: Figures
    missing: frozenset[tuple[str, Quarter]]


def plan_filings(
    catalogue: Catalogue, registry: UnitRegistry, province: ProvinceConfig, scenario: Scenario, rng: random.Random
) -> list[Filing]:
    """Every file of the demo province (`plan`)."""
    return plan(catalogue, registry, province, scenario, rng).filings


def plan(
    catalogue: Catalogue,
    registry: UnitRegistry,
    province: ProvinceConfig,
    scenario: Scenario,
    rng: random.Random,
    sizes: dict[str, float] | None = None,
    province_names: dict[str, str] | None = None,
) -> Plan:
    """One on-time filing per active unit and quarter (but the missing ones), then the scenario's cases applied to
    theirs. `sizes`: each unit's size factor (default by rank); `province_names`: the province a unit's file is
    headed with when not the registry's (a former province)."""
    figures = _owed_only(province_figures(catalogue, registry, scenario.figures, rng, sizes), catalogue, registry,
                         province)  # fmt: skip
    missing = frozenset((resolve_unit(registry, ref).code, q) for ref, q in scenario.missing)
    filings: list[Filing] = []
    for q in scenario.figures.quarters:
        for unit in registry.units:
            if not unit.active_in(q) or (unit.code, q) in missing:
                continue
            filings.append(
                Filing(
                    unit=unit,
                    quarter=q,
                    values=dict(figures[(unit.code, q)]),
                    path=scenario.path.format(quarter=q.label, unit=unit.code),
                    report_date=_on_time_date(q, province, rng),
                    description=scenario.description,
                    province_name=(province_names or {}).get(unit.code),
                )
            )
    ctx = PlanContext(catalogue, province, registry.province_name, filings=filings)
    _apply_cases(scenario.cases, {(f.unit.code, f.quarter): f for f in filings}, registry, ctx)
    return Plan(filings + ctx.added, figures, missing)


def _owed_only(figures: Figures, catalogue: Catalogue, registry: UnitRegistry, province: ProvinceConfig) -> Figures:
    """Each unit's figures of the areas it owes only (province.yaml's forms_owed and roles)."""
    out: Figures = {}
    for (code, quarter), values in figures.items():
        unit = registry.get(code)
        owed = set(owed_areas(catalogue, province, unit.code, unit.type))
        out[(code, quarter)] = {k: v for k, v in values.items() if catalogue.indicator(k).area in owed}
    return out


def _apply_cases(
    cases: tuple[Case, ...], filings: dict[tuple[str, Quarter], Filing], registry: UnitRegistry, ctx: PlanContext
) -> None:
    """Each case's edits on its own filing (one case a filing), and its description."""
    done: set[tuple[str, Quarter]] = set()
    for case in cases:
        key = (resolve_unit(registry, case.unit).code, case.quarter)
        where = f"case for {case.unit} ({key[0]}) in {case.quarter.label}"
        if key in done:
            raise ScenarioError(f"{where}: a case before edits the same file (put its edits in one case)")
        if key not in filings:
            raise ScenarioError(f"{where}: the unit files nothing then")
        done.add(key)
        fields = apply_edits(filings[key], list(case.edits), ctx)
        filings[key].description = case.description.format(**fields)
