"""Read a sheet filled in the circulars' own printed layout (forms 01/TCD, 01/XLD … of Thông tư 02/2021, 01/2024).

The numbering row maps each printed column number to a column (so an inserted "Mã đơn vị" or an unnumbered column
shifts nothing); without one, columns are found by their heading words. The layout is the one whose width and
heading words fit; each row below is a unit (named in the "Đơn vị" column, matched by the caller's `unit_of`) or a
total, up to the "Ghi chú" line. Each concept's figure is the sum of its printed columns, as `extract.FoundValue`s
with their cells; a total row is checked against the sum of the unit rows, column by column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from analysis.core import vnformat
from analysis.core.text import label_key
from analysis.ingest import official_header as header
from analysis.ingest.extract import FoundValue
from analysis.ingest.official_values import concept_value, read_part
from analysis.ingest.workbook import SheetGrid, cell_ref

MIN_WORD_SHARE = 0.5  # share of a layout's worded columns whose heading words must be found
MIN_WORD_COLUMNS = 2  # columns found by heading words for a sheet with no numbering row to be read
# "Tổng cộng", "Cộng", "Tổng số", "Tổng", "Toàn tỉnh", "Tổng cộng toàn tỉnh", as label keys
_TOTAL_LABELS = frozenset({"tong cong", "cong", "tong so", "tong", "toan tinh", "tong cong toan tinh"})


@dataclass(frozen=True)
class OfficialColumn:
    """One concept of a form: its printed column number(s) (the figure is their sum) and heading words."""

    concept: str  # indicator code, e.g. "TCD01"
    numbers: tuple[int, ...]
    words: tuple[str, ...] = ()  # heading words expected in the column's header path, as printed


@dataclass(frozen=True)
class OfficialLayout:
    """One version of one form: how many numbered data columns it prints and where each concept stands."""

    form: str  # "01/TCD"
    version: str  # "2021.1"
    width: int  # count of numbered data columns printed
    columns: tuple[OfficialColumn, ...]
    integer: frozenset[str] = frozenset()  # concepts counted in whole numbers

    @property
    def name(self) -> str:
        return f"{self.form} (phiên bản {self.version})"


@dataclass(frozen=True)
class OfficialIssue:
    severity: str  # error | warning
    kind: str  # official_total_mismatch, official_unknown_unit …
    message: str  # Vietnamese, naming the sheet and the cell
    cell: str = ""


@dataclass(frozen=True)
class OfficialRow:
    """One row of the table: a unit (its code, or None when its name is not known) or a total."""

    label: str
    unit: str | None
    row: int
    is_total: bool
    values: tuple[FoundValue, ...]
    label_cell: str = ""
    label_col: int = 0

    def value(self, concept: str) -> FoundValue | None:
        return next((v for v in self.values if v.indicator == concept), None)


@dataclass(frozen=True)
class OfficialSheet:
    sheet: str
    layout: OfficialLayout
    numbering_row: int | None  # None: columns found by heading words
    columns: Mapping[int, int]  # printed number -> 0-based column
    unit_col: int | None
    rows: tuple[OfficialRow, ...]
    issues: tuple[OfficialIssue, ...]

    @property
    def units(self) -> tuple[OfficialRow, ...]:
        return tuple(r for r in self.rows if not r.is_total)

    @property
    def totals(self) -> tuple[OfficialRow, ...]:
        return tuple(r for r in self.rows if r.is_total)


@dataclass(frozen=True)
class _Frame:
    """Where the table is: the layout chosen, its columns, the header band, the first data row."""

    layout: OfficialLayout
    columns: dict[int, int]
    band: range
    first_row: int
    numbering: header.Numbering | None


def read_official_sheet(
    grid: SheetGrid,
    layouts: Sequence[OfficialLayout],
    expected: OfficialLayout | None,
    unit_of: Callable[[str], str | None],
) -> OfficialSheet | None:
    """The sheet read through the official layout it is printed in; None when it is in none of `layouts` (no
    numbering row and no heading match): the caller then reads it as a one-column sheet. `expected` is the layout
    of the file's period (a warning when the sheet is in another); `unit_of` gives a unit's code from its name."""
    frame = _frame(grid, layouts, expected)
    if frame is None:
        return None
    issues = _frame_issues(grid, frame, expected)
    cols = sorted(frame.columns.values())
    data = [r for r in _rows_below(grid, frame.first_row) if any(header.is_number(grid.value(r, c)) for c in cols)]
    unit_col = header.unit_column(grid, frame.band, min(cols), data)
    rows = tuple(_row(grid, frame, r, unit_col, min(cols), unit_of) for r in data)
    issues += _unit_issues(grid.name, rows) + _total_issues(grid, frame, rows)
    return OfficialSheet(
        grid.name, frame.layout, frame.numbering.row if frame.numbering else None, frame.columns, unit_col, rows,
        tuple(issues),
    )  # fmt: skip


# --- which layout, which columns


def _frame(grid: SheetGrid, layouts: Sequence[OfficialLayout], expected: OfficialLayout | None) -> _Frame | None:
    numbering = header.find_numbering(grid)
    if numbering is not None:
        band = header.header_band(grid, numbering.row)
        paths = header.column_paths(grid, band, numbering.columns.values())
        layout = _by_numbering(layouts, expected, numbering, paths)
        return _Frame(layout, dict(numbering.columns), band, numbering.row + 1, numbering) if layout else None
    for start in header.data_starts(grid):
        band = header.header_band(grid, start)
        paths = header.column_paths(grid, band, range(len(grid.rows[start])))
        found = _by_words(layouts, expected, paths)
        if found is not None:
            return _Frame(found[0], found[1], band, start, None)
    return None


def _worded(layout: OfficialLayout) -> list[OfficialColumn]:
    return [c for c in layout.columns if c.words]


def _numbers(layout: OfficialLayout) -> set[int]:
    return {n for c in layout.columns for n in c.numbers}


def _word_share(layout: OfficialLayout, matched: Callable[[OfficialColumn], bool]) -> float:
    worded = _worded(layout)
    return sum(map(matched, worded)) / len(worded) if worded else 1.0


def _by_numbering(
    layouts: Sequence[OfficialLayout],
    expected: OfficialLayout | None,
    numbering: header.Numbering,
    paths: dict[int, str],
) -> OfficialLayout | None:
    """The layout whose width is the largest printed number and whose heading words match best."""

    def matched(layout: OfficialLayout) -> Callable[[OfficialColumn], bool]:
        return lambda c: all(header.has_words(paths[numbering.columns[n]], c.words) for n in c.numbers)

    scored = [
        (layout.width == numbering.largest, _word_share(layout, matched(layout)), layout == expected, -i, layout)
        for i, layout in enumerate(layouts)
        if _numbers(layout) <= numbering.columns.keys()
    ]
    scored = [s for s in scored if s[1] >= MIN_WORD_SHARE]
    return max(scored, key=lambda s: s[:4])[-1] if scored else None


def _by_words(
    layouts: Sequence[OfficialLayout], expected: OfficialLayout | None, paths: dict[int, str]
) -> tuple[OfficialLayout, dict[int, int]] | None:
    """With no numbering row: the layout most of whose columns are found by their heading words."""
    scored = []
    for i, layout in enumerate(layouts):
        mapping = header.columns_by_words(paths, [(c.numbers, c.words) for c in layout.columns])
        share = _word_share(layout, lambda c, m=mapping: all(n in m for n in c.numbers))
        if _worded(layout) and share >= MIN_WORD_SHARE and len(mapping) >= MIN_WORD_COLUMNS:
            scored.append((share, layout == expected, -i, layout, mapping))
    best = max(scored, key=lambda s: s[:3], default=None)
    return (best[3], best[4]) if best else None


def _frame_issues(grid: SheetGrid, frame: _Frame, expected: OfficialLayout | None) -> list[OfficialIssue]:
    """Warnings about the frame itself: no numbering row, another width, another version than the period's."""
    issues = []
    layout, sheet = frame.layout, grid.name
    first_col = min(frame.columns.values())
    if frame.numbering is None:
        cell = cell_ref(max(frame.first_row - 1, 0), first_col)
        issues.append(_warning(
            "official_numbering_missing", cell,
            f"Trang “{sheet}”: không thấy dòng đánh số cột (1, 2, 3, …) dưới tiêu đề biểu (ô {cell}); các cột được "
            f"nhận theo tiêu đề cột của mẫu {layout.name}",
        ))  # fmt: skip
    else:
        cell = cell_ref(frame.numbering.row, first_col)
        if layout.width != frame.numbering.largest:
            issues.append(_warning(
                "official_width_mismatch", cell,
                f"Trang “{sheet}”: dòng đánh số cột (ô {cell}) có {frame.numbering.largest} cột, mẫu {layout.name} "
                f"có {layout.width} cột; số liệu được đọc theo số thứ tự cột",
            ))  # fmt: skip
    for column in layout.columns:
        if not all(n in frame.columns for n in column.numbers):
            issues.append(_warning(
                "official_column_missing", "",
                f"Trang “{sheet}”: không tìm thấy cột {'+'.join(map(str, column.numbers))} của mẫu {layout.name} "
                f"(chỉ tiêu {column.concept}) theo tiêu đề cột; chỉ tiêu này không được đọc từ trang",
            ))  # fmt: skip
    if expected is not None and layout != expected:
        cell = cell_ref(frame.numbering.row if frame.numbering else frame.first_row, first_col)
        issues.append(_warning(
            "official_version_mismatch", cell,
            f"Trang “{sheet}”: biểu được lập theo mẫu {layout.name}, trong khi kỳ báo cáo của tệp dùng mẫu "
            f"{expected.name}; số liệu được đọc theo mẫu {layout.name}",
        ))  # fmt: skip
    return issues


def _warning(kind: str, cell: str, message: str) -> OfficialIssue:
    return OfficialIssue("warning", kind, message, cell)


# --- rows and values


def _rows_below(grid: SheetGrid, first: int) -> range:
    """The rows from `first` up to the "Ghi chú" line (or the end of the sheet)."""
    end = next((r for r in range(first, len(grid.rows)) if header.is_note_line(grid.rows[r])), len(grid.rows))
    return range(first, end)


def _label(grid: SheetGrid, row: int, unit_col: int | None, first_numbered: int) -> tuple[str, int]:
    """The row's label and its column: the unit column's text, else the first text left of the numbers."""
    cols = ([unit_col] if unit_col is not None else []) + list(range(first_numbered))
    for c in cols:
        text = header.cell_text(grid, row, c)
        if text and not header.is_number(text):
            return " ".join(text.split()), c
    return "", unit_col if unit_col is not None else 0


def is_total_label(label: str) -> bool:
    """ "Tổng cộng", "Cộng", "Tổng số", "Tổng", "Toàn tỉnh" (any case, with or without diacritics, numbering or a
    final "(…)")."""
    return label_key(label) in _TOTAL_LABELS


def _row(
    grid: SheetGrid, frame: _Frame, row: int, unit_col: int | None, first: int, unit_of: Callable[[str], str | None]
) -> OfficialRow:
    label, label_col = _label(grid, row, unit_col, first)
    total = is_total_label(label)
    unit = unit_of(label) if label and not total else None
    integer = frame.layout.integer
    values = tuple(
        concept_value(grid, row, c.concept, c.numbers, [frame.columns[n] for n in c.numbers], c.concept in integer)
        for c in frame.layout.columns
        if all(n in frame.columns for n in c.numbers)
    )
    return OfficialRow(label, unit, row, total, values, cell_ref(row, label_col), label_col)


# --- checks


def _unit_issues(sheet: str, rows: tuple[OfficialRow, ...]) -> list[OfficialIssue]:
    """A unit row whose name is missing or not known (kept, not assigned), a unit given twice."""
    issues, seen = [], {}
    for r in rows:
        if r.is_total:
            continue
        if not r.label:
            issues.append(_warning(
                "official_unit_missing", r.label_cell,
                f"Trang “{sheet}”, dòng {r.row + 1}: có số liệu nhưng không ghi tên đơn vị (ô {r.label_cell}); dòng "
                "được giữ nhưng chưa gán cho đơn vị nào",
            ))  # fmt: skip
        elif r.unit is None:
            issues.append(_warning(
                "official_unknown_unit", r.label_cell,
                f"Trang “{sheet}”, ô {r.label_cell}: “{r.label}” không có trong danh sách đơn vị; dòng được giữ nhưng "
                "chưa gán cho đơn vị nào",
            ))  # fmt: skip
        elif r.unit in seen:
            issues.append(_warning(
                "official_duplicate_unit", r.label_cell,
                f"Trang “{sheet}”, ô {r.label_cell}: “{r.label}” là cùng đơn vị với dòng ô {seen[r.unit]}",
            ))  # fmt: skip
        else:
            seen[r.unit] = r.label_cell
    return issues


def _total_issues(grid: SheetGrid, frame: _Frame, rows: tuple[OfficialRow, ...]) -> list[OfficialIssue]:
    """Each total row against the sum of the unit rows, printed column by printed column."""
    units = [r for r in rows if not r.is_total]
    if not units:
        return []
    integer = {n for c in frame.layout.columns if c.concept in frame.layout.integer for n in c.numbers}
    issues = []
    for total in (r for r in rows if r.is_total):
        for number, col in sorted(frame.columns.items()):
            printed = read_part(grid, total.row, col, number in integer).value
            if printed is None:
                continue
            figures = [read_part(grid, u.row, col, number in integer).value for u in units]
            summed = math.fsum(v for v in figures if v is not None)
            if not math.isclose(printed, summed, rel_tol=1e-9, abs_tol=1e-9):
                cell = cell_ref(total.row, col)
                issues.append(OfficialIssue(
                    "error", "official_total_mismatch",
                    f"Trang “{grid.name}”, cột {number}: dòng tổng cộng ô {cell} = {vnformat.auto(printed)}, "
                    f"tổng các đơn vị = {vnformat.auto(summed)}",
                    cell,
                ))  # fmt: skip
    return issues


__all__ = [
    "OfficialColumn",
    "OfficialIssue",
    "OfficialLayout",
    "OfficialRow",
    "OfficialSheet",
    "is_total_label",
    "read_official_sheet",
]
