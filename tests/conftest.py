"""Shared fixtures: the packaged catalogue, the repo's unit registry, and a factory of filled submissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from analysis.catalogue.load import load_catalogue
from analysis.catalogue.model import Catalogue
from analysis.catalogue.template import TemplateContext
from analysis.core.config import load_province_config
from analysis.core.periods import Quarter
from analysis.core.units import UnitRegistry, load_units
from analysis.ingest.run import IngestContext
from tests.factories import Edit, write_submission

Q3 = Quarter(2021, 3)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def forms(catalogue) -> Catalogue:
    """The catalogue as the forms of quarter III/2021 print it (the quarter of `make_submission`'s files)."""
    return catalogue.for_quarter(Q3)


@pytest.fixture(scope="session")
def registry() -> UnitRegistry:
    return load_units()


@pytest.fixture(scope="session")
def ctx(catalogue, registry) -> IngestContext:
    return IngestContext.load(catalogue, registry, load_province_config())


@pytest.fixture(scope="session")
def known_values(catalogue) -> dict[str, float]:
    """A distinct, recognisable number per input indicator of the forms of quarter III/2021 (101, 102, …); not
    rule-consistent on purpose."""
    return {ind.code: float(101 + i) for i, ind in enumerate(catalogue.for_quarter(Q3).input_indicators())}


@pytest.fixture
def make_submission(tmp_path, catalogue, registry, known_values) -> Callable[..., Path]:
    """Write a template filled with `values` for a unit and quarter, after applying `edits` to the workbook."""

    def make(
        name: str = "sub.xlsx",
        unit_code: str | None = None,
        quarter: Quarter = Q3,
        values: dict[str, float] | None = None,
        edits: list[Edit] = (),
        report_date: date | None = date(2021, 9, 20),
        folder: Path | None = None,
    ) -> Path:
        unit = registry.get(unit_code) if unit_code else registry.units[0]
        context = TemplateContext(registry.province_name, unit, quarter, load_province_config().cutoff)
        figures = dict(known_values if values is None else values)
        return write_submission((folder or tmp_path / "raw") / name, catalogue, context, figures, report_date, edits)

    return make
