"""The printed frame of an official form (Thông tư 02/2021, 01/2024): the numbering row, the header band above the
data, each column's header path, the column of unit names, and columns found by their heading words.

Everything is found by content: a numbering row is a row whose numbers read 1, 2, …, n from left to right ("1",
"(1)", 1.0, "1=4+13+22"), with only label marks ("MS", "A", "B") or empty cells beside them; a header path is the
text of every header cell above a column, each cell's text taken from its merged range's origin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis.core.text import fold
from analysis.ingest.numbers import parse_cell
from analysis.ingest.workbook import Cell, SheetGrid

MAX_SCAN_ROWS = 60  # rows searched for the numbering row or the first data row
MIN_NUMBERED = 3  # a numbering row numbers at least this many columns
HEADER_DEPTH = 4  # header rows above the numbering row (the forms print 2 to 4)

# "1", "(1)", "1.", "1=4+13+22", "9=11+12+13 =14+15+16+17 =18+22", "18 = 19+20+21"
_NUMBER_CELL_RE = re.compile(r"\(?\s*(\d{1,3})\s*\)?\.?\s*(?:=.*)?", re.DOTALL)
_MARKS = frozenset({"ms", "ma so", "stt", "a", "b", "c", "d"})  # printed over the label columns
UNIT_HEADINGS = frozenset({"don vi", "ten don vi", "co quan don vi", "ten co quan don vi", "don vi bao cao"})
_NOTE_LINE_RE = re.compile(r"^(?:\d+ )?ghi chu\b")


@dataclass(frozen=True)
class Numbering:
    """The numbering row: its index and the column each printed number stands over."""

    row: int
    columns: dict[int, int]  # printed number -> 0-based column

    @property
    def largest(self) -> int:
        return max(self.columns)


def printed_number(raw: object) -> int | None:
    """The column number a numbering cell prints: 1.0, "1", "(1)", "1=4+13+22" → 1; None for anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return int(raw) if float(raw).is_integer() and 1 <= raw <= 999 else None
    match = _NUMBER_CELL_RE.fullmatch(raw.strip()) if isinstance(raw, str) else None
    return int(match.group(1)) if match else None


def numbering_in_row(row: Sequence[object]) -> dict[int, int] | None:
    """Printed number -> column when `row` is a numbering row (1..n in column order, label marks or empty cells
    between), else None."""
    columns: dict[int, int] = {}
    for col, raw in enumerate(row):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        number = printed_number(raw)
        if number is None:
            if isinstance(raw, str) and fold(raw) in _MARKS:
                continue
            return None
        if number != len(columns) + 1:
            return None
        columns[number] = col
    return columns if len(columns) >= MIN_NUMBERED else None


def find_numbering(grid: SheetGrid) -> Numbering | None:
    """The first numbering row of the sheet; a last number printed over a "Ghi chú" column is not a data column."""
    for r, row in enumerate(grid.rows[:MAX_SCAN_ROWS]):
        columns = numbering_in_row(row)
        if columns is None:
            continue
        last = max(columns)
        if "ghi chu" in column_path(grid, header_band(grid, r), columns[last]):
            columns = {n: c for n, c in columns.items() if n != last}
        return Numbering(r, columns) if len(columns) >= MIN_NUMBERED else None
    return None


def cell_text(grid: SheetGrid, row: int, col: int) -> str:
    """The text shown in a cell: its own, or its merged range's origin's; "" for numbers and blanks."""
    raw = grid.value(row, col)
    if raw == "" and grid.merged:
        origin = grid.merged_origin(row, col)
        raw = grid.value(*origin) if origin else ""
    return raw.strip() if isinstance(raw, str) else ""


def _origin(grid: SheetGrid, row: int, col: int) -> Cell:
    return (grid.merged_origin(row, col) if grid.merged else None) or (row, col)


def _header_like(grid: SheetGrid, row: int) -> bool:
    """A header row shows at least two distinct header cells (a title or period line shows one) and no figure."""
    cells = grid.rows[row] if row < len(grid.rows) else []
    origins = {_origin(grid, row, c) for c in range(len(cells)) if cell_text(grid, row, c)}
    return len(origins) >= 2 and not any(is_number(v) for v in cells)


def header_band(grid: SheetGrid, end: int) -> range:
    """The header rows right above row `end` (the numbering row or the first data row)."""
    top = end
    while top > 0 and end - top < HEADER_DEPTH and _header_like(grid, top - 1):
        top -= 1
    return range(top, end)


def column_path(grid: SheetGrid, band: range, col: int) -> str:
    """The folded header path of a column: each header cell above it once, top to bottom."""
    seen: set[Cell] = set()
    parts = []
    for r in band:
        origin = _origin(grid, r, col)
        if origin in seen:
            continue
        seen.add(origin)
        text = grid.value(*origin)
        if isinstance(text, str) and text.strip():
            parts.append(fold(text))
    return " ".join(parts)


def column_paths(grid: SheetGrid, band: range, cols: Iterable[int]) -> dict[int, str]:
    return {c: column_path(grid, band, c) for c in cols}


def has_words(path: str, words: Sequence[str]) -> bool:
    """Every heading phrase (as printed) stands in the folded path, whole words only."""
    padded = f" {path} "
    return bool(words) and all(f" {fold(w)} " in padded for w in words)


Wanted = Sequence[tuple[tuple[int, ...], tuple[str, ...]]]  # (printed numbers, heading words) of each concept


def columns_by_words(paths: dict[int, str], wanted: Wanted) -> dict[int, int]:
    """Printed number -> column for each (numbers, words) whose words find as many columns as it has numbers (in
    column order); a single column takes the most specific path (shortest). The most specific words go first."""
    mapping: dict[int, int] = {}
    for numbers, words in sorted(wanted, key=lambda w: -sum(len(fold(x)) for x in w[1])):
        free = [c for c in sorted(paths) if c not in mapping.values() and has_words(paths[c], words)]
        if len(numbers) == 1 and free:
            free = [min(free, key=lambda c: (len(paths[c]), c))]
        if words and len(free) == len(numbers):
            mapping.update(zip(numbers, free, strict=True))
    return mapping


def is_number(raw: object) -> bool:
    return parse_cell(raw).value is not None


def data_starts(grid: SheetGrid) -> list[int]:
    """Rows that may be the first data row of a table with no numbering row: a number in the row, a header row
    right above it."""
    return [
        r
        for r in range(1, min(len(grid.rows), MAX_SCAN_ROWS))
        if any(is_number(v) for v in grid.rows[r]) and _header_like(grid, r - 1)
    ]


def unit_column(grid: SheetGrid, band: range, first_numbered: int, rows: Sequence[int]) -> int | None:
    """The column of unit names left of the numbered ones: headed "Đơn vị"/"Tên đơn vị"/"Cơ quan, đơn vị", else the
    first column holding text (not numbers) in the data rows."""
    for c in range(first_numbered):
        if any(fold(cell_text(grid, r, c)) in UNIT_HEADINGS for r in band):
            return c
    for c in range(first_numbered):
        if any(cell_text(grid, r, c) and not is_number(grid.value(r, c)) for r in rows):
            return c
    return None


def is_note_line(row: Sequence[object]) -> bool:
    """The "27. Ghi chú:" line below the table: its first filled cell starts with "Ghi chú"."""
    first = next((v for v in row if v not in ("", None)), "")
    return isinstance(first, str) and bool(_NOTE_LINE_RE.match(fold(first)))
