"""One concept's figure on a row of an official form: its one printed column, or the sum of several (the
carried-over letters of 01/XLD 2021 are columns 2+3+4), as an `extract.FoundValue` with the cell it came from."""

from __future__ import annotations

import math
from collections.abc import Sequence

from analysis.ingest.checks import fmt_raw
from analysis.ingest.extract import FoundValue
from analysis.ingest.numbers import ParsedValue, parse_cell
from analysis.ingest.workbook import SheetGrid, cell_ref

_UNKNOWN = ("invalid", "formula_no_cache")  # a part that makes a sum unknown


def read_part(grid: SheetGrid, row: int, col: int, integer: bool) -> ParsedValue:
    """One cell's figure; a formula Excel never calculated is no figure."""
    if grid.formulas.get((row, col)) is False:
        return ParsedValue(None, False, "formula_no_cache", "công thức chưa được tính (không có giá trị lưu)")
    return parse_cell(grid.value(row, col), integer_unit=integer)


def concept_value(
    grid: SheetGrid, row: int, concept: str, numbers: Sequence[int], cols: Sequence[int], integer: bool
) -> FoundValue:
    """The figure of `concept` on `row` from its printed columns `numbers` (at `cols`); lineage: the first cell,
    and for a sum, the columns and cells summed in its note."""
    parts = [read_part(grid, row, c, integer) for c in cols]
    formulas = [grid.formulas.get((row, c)) for c in cols]
    if len(cols) == 1:
        parsed, raw = parts[0], grid.value(row, cols[0])
    else:
        cells = ", ".join(cell_ref(row, c) for c in cols)
        parsed = summed(parts, f"tổng cột {'+'.join(map(str, numbers))} (ô {cells})")
        raw = " + ".join(fmt_raw(grid.value(row, c)) or "(trống)" for c in cols)
    return FoundValue(
        indicator=concept,
        sheet=grid.name,
        row=row,
        col=cols[0],
        raw=raw,
        parsed=parsed,
        formula="no_cache" if False in formulas else ("cached" if True in formulas else "none"),
        merged_part=any(_inside_merge(grid, row, c) for c in cols),
    )


def _inside_merge(grid: SheetGrid, row: int, col: int) -> bool:
    """The cell lies inside a merged range but is not its top-left."""
    origin = grid.merged_origin(row, col) if grid.merged else None
    return origin is not None and origin != (row, col)


def summed(parts: Sequence[ParsedValue], what: str) -> ParsedValue:
    """Several printed columns as one figure: unknown if a part cannot be read, missing if every part is, else the
    sum of the parts given (approximate if any is); `what` says which columns were summed."""
    unknown = next((p for p in parts if p.status in _UNKNOWN), None)
    if unknown is not None:
        return ParsedValue(None, False, unknown.status, _join(what, unknown.note))
    given = [p for p in parts if p.value is not None]
    notes = _join(what, *(p.note for p in parts))
    if not given:
        status = "not_available" if any(p.status == "not_available" for p in parts) else "blank"
        return ParsedValue(None, False, status, notes)
    status = "number" if all(p.status == "number" for p in given) else "text_number"
    total = float(f"{math.fsum(p.value for p in given):.12g}") + 0.0
    return ParsedValue(total, any(p.approx for p in given), status, notes)


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)
