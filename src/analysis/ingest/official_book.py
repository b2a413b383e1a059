"""The sheets of a file printed in the circulars' own layout, read through the catalogue's versions (`official`),
and how their rows split between the file's sender and the units a consolidated file reports for.

A unit's own file gives its own row (or, with no unit row, its total row); a consolidated file — the provincial
inspectorate's 01/TCD with a row per commune and agency — gives every unit named in a row its own figures, each
with its cell. The sender keeps its own row, if it has one; a total row is only checked against the unit rows.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, replace

from analysis.catalogue.model import Catalogue
from analysis.catalogue.versions import Version, VersionForm
from analysis.core.periods import Quarter
from analysis.ingest.extract import FoundValue, Located, SheetResult
from analysis.ingest.official import (
    OfficialColumn,
    OfficialLayout,
    OfficialRow,
    OfficialSheet,
    read_official_sheet,
)
from analysis.ingest.submission import IngestContext
from analysis.ingest.workbook import SheetGrid


@dataclass(frozen=True)
class Layouts:
    """Every official layout the catalogue's versions model, each with its reporting area."""

    items: tuple[tuple[OfficialLayout, str], ...]

    @classmethod
    def of(cls, catalogue: Catalogue) -> Layouts:
        return cls(
            tuple(
                (layout, form.area)
                for version in catalogue.versions.items
                for form in version.forms
                if (layout := _layout(version, form, catalogue)) is not None
            )
        )

    @property
    def layouts(self) -> list[OfficialLayout]:
        return [layout for layout, _ in self.items]

    def area(self, layout: OfficialLayout) -> str:
        return next(area for known, area in self.items if known == layout)

    def of_version(self, version: Version | None, area: str) -> OfficialLayout | None:
        """The layout `version` prints for `area` (None without one)."""
        if version is None:
            return None
        return next((lay for lay, a in self.items if lay.version == version.code and a == area), None)


def _layout(version: Version, form: VersionForm, catalogue: Catalogue) -> OfficialLayout | None:
    """A version's form as the reader's layout; None for a form without numbered columns modelled."""
    if not form.printed:
        return None
    columns = tuple(OfficialColumn(c.concept, c.numbers, c.levels) for c in form.columns)
    integer = frozenset(c.concept for c in form.columns) & catalogue.integer_codes()
    return OfficialLayout(form.code, version.code, form.width, columns, integer)


def read_official(
    grid: SheetGrid, layouts: Layouts, version: Version | None, unit_of: Callable[[str], str | None]
) -> OfficialSheet | None:
    """The sheet read through the layout it is printed in (None: not an official layout); when the version of the
    file's quarter (`version`) prints that form otherwise, read again with it expected, so that the sheet is
    read through it on a tie and named as of another version when it is not."""
    if not layouts.items:
        return None
    sheet = read_official_sheet(grid, layouts.layouts, None, unit_of)
    if sheet is None:
        return None
    expected = layouts.of_version(version, layouts.area(sheet.layout))
    if expected is None or expected == sheet.layout:
        return sheet
    return read_official_sheet(grid, layouts.layouts, expected, unit_of)


def outside_table(result: SheetResult, sheet: OfficialSheet) -> SheetResult:
    """What `extract` found on an official sheet, without the values it guessed from the headings and without the
    unit names and periods of the table's own rows (each row names a unit: none of them is the file's sender)."""
    return outside_rows(result, {r.row for r in sheet.rows})


def outside_rows(result: SheetResult, rows: Container[int]) -> SheetResult:
    """What `extract` found on a sheet, without values and without the unit names and periods of `rows` (a table
    whose rows name units and dates: an official form's, a list form's)."""

    def kept(found: list[Located]) -> list[Located]:
        return [item for item in found if item.row not in rows]

    return replace(
        result,
        values=[],
        units=kept(result.units),
        periods=kept(result.periods),
        unit_texts=kept(result.unit_texts),
        unit_cells=kept(result.unit_cells),
    )


def unit_rows(sheets: Sequence[OfficialSheet]) -> list[OfficialRow]:
    """The rows naming a known unit, sheet by sheet, the first row of a unit per sheet (a repeat is warned of)."""
    rows = []
    for sheet in sheets:
        seen: set[str] = set()
        for row in sheet.units:
            if row.unit is not None and row.unit not in seen:
                seen.add(row.unit)
                rows.append(row)
    return rows


def sole_unit(sheets: Sequence[OfficialSheet]) -> str | None:
    """The one unit the tables name, when they name exactly one (a unit's own file with its row)."""
    units = {row.unit for row in unit_rows(sheets)}
    return units.pop() if len(units) == 1 else None


def sole_unit_mention(sheets: Sequence[OfficialSheet], unit: object) -> Located:
    """Where the one unit row names its unit, as a mention for the vote on the file's unit."""
    row = next(r for r in unit_rows(sheets) if r.unit is not None)
    sheet = next(s for s in sheets if row in s.rows)
    return Located(unit, sheet.sheet, row.row, row.label_col)


@dataclass(frozen=True)
class Split:
    """The figures of a file's official sheets: the sender's, and each other unit's (consolidated rows)."""

    own: list[FoundValue]
    parts: dict[str, list[FoundValue]]  # unit code -> its row's figures, in file order
    consolidated: bool  # the tables name several units


def split_rows(sheets: Sequence[OfficialSheet], sender: str | None) -> Split:
    """The sender's figures (its own rows; with no unit row at all, the total rows) and every other unit's."""
    rows = unit_rows(sheets)
    units = list(dict.fromkeys(row.unit for row in rows))
    if not rows:
        own = [v for sheet in sheets for total in sheet.totals[:1] for v in total.values]
        return Split(own, {}, False)
    if len(units) == 1 and (sender is None or units[0] == sender):
        return Split([v for row in rows for v in row.values], {}, False)
    own = [v for row in rows if row.unit == sender for v in row.values]
    parts: dict[str, list[FoundValue]] = {}
    for row in rows:
        if row.unit != sender:
            parts.setdefault(row.unit, []).extend(row.values)
    return Split(own, parts, True)


def areas_read(sheets: Sequence[OfficialSheet], layouts: Layouts) -> tuple[str, ...]:
    """The reporting areas whose forms the official sheets print, in sheet order."""
    return tuple(dict.fromkeys(layouts.area(sheet.layout) for sheet in sheets))


def official_tables(
    grids: list[SheetGrid], ctx: IngestContext, layouts: Layouts, quarter: Quarter | None, candidates: Sequence[int]
) -> dict[int, OfficialSheet]:
    """The sheets (of the indices `candidates`) printed in a circular's own layout, by sheet index, read through
    the version of `quarter`."""
    if not layouts.items:
        return {}
    version = ctx.catalogue.version_of(quarter) if quarter else None

    def unit_of(label: str) -> str | None:
        unit = ctx.registry.find_in_text(label, quarter)
        return unit.code if unit is not None else None

    read = {i: read_official(grids[i], layouts, version, unit_of) for i in candidates}
    return {i: table for i, table in read.items() if table is not None}
