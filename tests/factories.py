"""Factories of test submissions: the real template filled with given figures and a report date, and
rule-consistent figures, built on the template's public pieces (not on the demo's files)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from analysis.catalogue.model import Catalogue
from analysis.catalogue.rules import check_rules
from analysis.catalogue.template import (
    DATE_LINE_PLACEHOLDER,
    INFO_FIELDS,
    INFO_SHEET,
    TemplateContext,
    build_template,
    template_layout,
)
from analysis.core.periods import Quarter
from analysis.core.units import Unit
from analysis.demo.figures import Consistent

Values = dict[str, float]
Edit = Callable[[Workbook], None]
_REPORT_DATE_LABEL = next(label for label, key in INFO_FIELDS if key == "report_date")


@dataclass(frozen=True)
class Filing:
    """A unit's submission to write: whose, which quarter, which figures (code → value), signed when."""

    unit: Unit
    quarter: Quarter
    values: Values
    path: str
    report_date: date | None


def fill_template(wb: Workbook, filing: Filing, catalogue: Catalogue) -> None:
    """Type the filing's figures into the input cells (blank where it has none) and its report date into the
    info sheet and each sheet's signature line ("An Bình, ngày 20 tháng 09 năm 2021"); the rows are those of the
    forms of the filing's quarter (or of the one version `catalogue` already is)."""
    if catalogue.whole is None:
        catalogue = catalogue.for_quarter(filing.quarter)
    layout = template_layout(catalogue).set_index("indicator")
    for ind in catalogue.input_indicators():
        value = filing.values.get(ind.code)
        sheet, cell = layout.at[ind.code, "sheet"], layout.at[ind.code, "cell"]
        wb[sheet][cell].value = int(value) if value is not None and float(value).is_integer() else value
    if filing.report_date:
        _sign(wb, filing.unit, filing.report_date)


def _sign(wb: Workbook, unit: Unit, signed: date) -> None:
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows(min_col=4, max_col=4):
            if row[0].value == DATE_LINE_PLACEHOLDER:
                row[0].value = f"{unit.name}, ngày {signed:%d} tháng {signed:%m} năm {signed.year}"
    info = wb[INFO_SHEET]
    for label, value in info.iter_rows(max_col=2):
        if isinstance(label.value, str) and label.value.startswith(_REPORT_DATE_LABEL):
            value.value = datetime(signed.year, signed.month, signed.day)


def filled_template(
    catalogue: Catalogue, context: TemplateContext, values: Values, report_date: date | None
) -> Workbook:
    """The template for `context`'s unit and quarter with `values` typed in and signed on `report_date`."""
    wb = build_template(catalogue, context)
    fill_template(wb, Filing(context.unit, context.quarter, values, "", report_date), catalogue)
    return wb


def write_submission(
    path: Path,
    catalogue: Catalogue,
    context: TemplateContext,
    values: Values,
    report_date: date | None,
    edits: Iterable[Edit] = (),
) -> Path:
    """Write the filled template to `path` (folders made), after applying `edits` to the workbook."""
    wb = filled_template(catalogue, context, values, report_date)
    for edit in edits:
        edit(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def renamed_unit(name: str, new: str) -> Edit:
    """Every mention of the unit `name` (title block, unit lines, info sheet, signature) written as `new`."""

    def edit(wb: Workbook) -> None:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.value = cell.value.replace(name, new).replace(name.upper(), new.upper())

    return edit


def consistent_figures(catalogue: Catalogue, totals: dict[str, float]) -> Values:
    """Figures for every input indicator that keep every rule of the catalogue, with the given totals."""
    fixer = Consistent(catalogue)
    values = {ind.code: float(101 + i) for i, ind in enumerate(catalogue.input_indicators())}
    fixer.repair(values, random.Random(0))
    for code, total in totals.items():
        fixer.set_total(values, code, float(total))
    assert all(values[c] == t for c, t in totals.items()) and not check_rules(values, catalogue.rules)
    return values
