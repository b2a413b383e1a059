"""Find what a submission says in its grids — by content, never by fixed cell address.

For each sheet: locate indicator rows by code (column "Mã số") or, failing that, by label; pick the value column
from the header words above the first indicator row (the current period's column, not "cùng kỳ" or "ghi chú"),
falling back to the column with numbers; read each value with `numbers.parse_cell`. Unit, period and report date
are taken from the text around the table (title block, info sheet, signature line).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from analysis.catalogue.model import Catalogue
from analysis.core.periods import (
    CutoffRule,
    Quarter,
    find_periods,
    parse_date,
    parse_date_range,
    quarter_for_range,
)
from analysis.core.text import fold, label_key
from analysis.core.units import Unit, UnitRegistry
from analysis.ingest.numbers import ParsedValue, parse_cell
from analysis.ingest.workbook import SheetGrid, cell_ref

MAX_KEY_COLUMNS = 8  # code and label columns are searched among the first columns only
HEADER_DEPTH = 6  # rows above the first indicator row searched for header words
TOP_ROWS_WITHOUT_TABLE = 30  # rows of a sheet without indicators searched for unit/period (info sheets)

_VALUE_HEADER_GOOD = (
    "ky nay",
    "quy nay",
    "ky bao cao",
    "trong ky",
    "so lieu",
    "ket qua",
    "so luong",
    "thuc hien",
)
_VALUE_HEADER_BAD = (
    "cung ky",
    "ky truoc",
    "quy truoc",
    "nam truoc",
    "so sanh",
    "ghi chu",
    "don vi tinh",
    "dvt",
    "ty le",
    "luy ke",
    "ke hoach",
    "chi tieu",
    "ma so",
    "stt",
)
_REPORT_DATE_LABELS = ("ngay lap", "ngay bao cao", "ngay gui", "ngay ky")
_ESTIMATE_RE = re.compile(r"\buoc\b")
# where a report date is written: a labelled field ("Ngày lập báo cáo: 20/09/2021", or the label in the cell to the
# left), or the place-and-date line of the title block or the signature ("An Bình, ngày 20 tháng 9 năm 2021") as
# the whole cell; never a date inside a sentence ("Theo kế hoạch ngày 31/12/2099", "Quyết định số 12 ngày …")
_PLACE_DATE_RE = re.compile(
    r"^(?:(?P<place>[a-z ]{1,60}) )?ngay (?:\d{1,2} thang \d{1,2} nam \d{4}|(?P<short>\d{1,2} \d{1,2} \d{4}))$"
)
_NOT_A_PLACE_RE = re.compile(
    r"\b(?:theo|can cu|ke hoach|quyet dinh|van ban|cong van|thong bao|du kien|thoi han|han nop|so lieu|tinh den)\b"
)
_NOT_A_PLACE = ("tu", "den", "truoc", "sau", "han", "vao", "trong")  # a whole "place" that is a preposition
_UNIT_LABELS = ("don vi bao cao", "don vi gui bao cao", "ten don vi")  # not "Đơn vị: người" (a measure)
_DIGIT_RE = re.compile(r"\d")


@dataclass(frozen=True)
class IndicatorIndex:
    """Lookups from what people write in a row to an indicator code."""

    codes: frozenset[str]
    labels: dict[str, str]
    integer: frozenset[str]
    derived: frozenset[str]  # ratios: located so a typed-in rate can be checked, never stored as data

    @classmethod
    def build(cls, catalogue: Catalogue) -> IndicatorIndex:
        inputs = catalogue.indicators
        counts: Counter[str] = Counter()
        pairs: list[tuple[str, str]] = []
        for ind in inputs:
            keys = {label_key(t) for t in (ind.name, ind.short_name, *ind.aliases)}
            for key in keys - {""}:
                counts[key] += 1
                pairs.append((key, ind.code))
        labels = {key: code for key, code in pairs if counts[key] == 1}
        return cls(
            codes=frozenset(ind.code for ind in inputs),
            labels=labels,
            integer=catalogue.integer_codes(),
            derived=frozenset(ind.code for ind in inputs if not ind.is_input),
        )

    def by_code(self, raw: object) -> str | None:
        if not isinstance(raw, str):
            return None
        code = raw.strip().upper().replace(" ", "")
        return code if code in self.codes else None

    def by_label(self, raw: object) -> str | None:
        if not isinstance(raw, str):
            return None
        return self.labels.get(label_key(raw))


@dataclass(frozen=True)
class FoundValue:
    indicator: str
    sheet: str
    row: int
    col: int
    raw: object
    parsed: ParsedValue
    formula: str = "none"  # none | cached | no_cache
    label_conflict: str | None = None  # indicator the row label names, when it differs from the code
    merged_part: bool = False  # the value cell lies inside a merged range but is not its top-left
    remark: str = ""  # the unit's own note on this row ("Ghi chú" column), free text

    @property
    def cell(self) -> str:
        return cell_ref(self.row, self.col)


@dataclass(frozen=True)
class Located:
    """Something found in the text: what, and the cell it came from."""

    value: object
    sheet: str
    row: int
    col: int

    @property
    def cell(self) -> str:
        return cell_ref(self.row, self.col)


@dataclass
class SheetResult:
    sheet: str
    values: list[FoundValue] = field(default_factory=list)
    units: list[Located] = field(default_factory=list)
    periods: list[Located] = field(default_factory=list)
    report_dates: list[Located] = field(default_factory=list)
    unit_texts: list[Located] = field(default_factory=list)  # unit fields naming no unit of the registry
    unit_cells: list[Located] = field(default_factory=list)  # texts searched for a unit (matched again by quarter)
    value_col: int | None = None
    first_row: int | None = None


def extract_sheet(grid: SheetGrid, index: IndicatorIndex, registry: UnitRegistry, cutoff: CutoffRule) -> SheetResult:
    """Everything one sheet says: indicator values with their cells, unit/period mentions, report dates."""
    result = SheetResult(sheet=grid.name)
    rows = _indicator_rows(grid, index)
    if not rows:
        _find_metadata(grid, registry, cutoff, TOP_ROWS_WITHOUT_TABLE, None, result)
        return result
    key_col, first = _key_column(rows), min(rows)
    # column headers right of the labels ("Quý II/2021 | Quý III/2021") describe columns, not the report's period
    _find_metadata(grid, registry, cutoff, first, (first - HEADER_DEPTH, key_col), result, frozenset(rows))
    sheet_period, _ = vote(result.periods)
    value_col = _value_column(grid, rows, key_col, sheet_period)
    result.first_row = first
    result.value_col = value_col
    if value_col is None:
        return result
    note_col = _note_column(grid, first, value_col)
    for row, (code, label_conflict, _) in sorted(rows.items()):
        raw = grid.value(row, value_col)
        formula = grid.formulas.get((row, value_col))
        if formula is False:
            parsed = ParsedValue(None, False, "formula_no_cache", "công thức chưa được tính (không có giá trị lưu)")
        else:
            parsed = parse_cell(raw, integer_unit=code in index.integer)
        remark = grid.value(row, note_col) if note_col is not None else ""
        if parsed.value is not None and not parsed.approx and _says_estimate(remark):
            parsed = replace(parsed, approx=True, note=_join(parsed.note, f"ghi chú của đơn vị: “{remark.strip()}”"))
        origin = grid.merged_origin(row, value_col) if grid.merged else None
        result.values.append(
            FoundValue(
                indicator=code,
                sheet=grid.name,
                row=row,
                col=value_col,
                raw=raw,
                parsed=parsed,
                formula="none" if formula is None else ("cached" if formula else "no_cache"),
                label_conflict=label_conflict,
                merged_part=origin is not None and origin != (row, value_col),
                remark=remark.strip() if isinstance(remark, str) else "",
            )
        )
    return result


def _note_column(grid: SheetGrid, first_row: int, value_col: int) -> int | None:
    """The "Ghi chú" column right of the values, if the sheet has one."""
    width = max((len(r) for r in grid.rows[max(0, first_row - HEADER_DEPTH) : first_row]), default=0)
    return next((c for c in range(value_col + 1, width) if "ghi chu" in _header_text(grid, first_row, c)), None)


def _says_estimate(remark: object) -> bool:
    """A unit's note saying the figure is an estimate ("ước", "ước tính", "số ước")."""
    return isinstance(remark, str) and bool(_ESTIMATE_RE.search(fold(remark)))


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _indicator_rows(grid: SheetGrid, index: IndicatorIndex) -> dict[int, tuple[str, str | None, int]]:
    """Rows that hold an indicator: row -> (code, code the label names if it disagrees, right-most key column)."""
    found: dict[int, tuple[str, str | None, int]] = {}
    for r, row in enumerate(grid.rows):
        by_code = by_label = None
        key_col = -1
        for c, raw in enumerate(row[:MAX_KEY_COLUMNS]):
            if not isinstance(raw, str) or not raw:
                continue
            code, label = index.by_code(raw), index.by_label(raw)
            if code or label:
                key_col = c
            by_code = by_code or code
            by_label = by_label or label
        if by_code:
            found[r] = (by_code, by_label if by_label and by_label != by_code else None, key_col)
        elif by_label:
            found[r] = (by_label, None, key_col)
    return found


def _key_column(rows: dict[int, tuple[str, str | None, int]]) -> int:
    """The column of codes/labels most rows agree on; values are to its right."""
    return Counter(key_col for _, _, key_col in rows.values()).most_common(1)[0][0]


def _value_column(
    grid: SheetGrid, rows: dict[int, tuple[str, str | None, int]], key_col: int, period: Quarter | None
) -> int | None:
    """The column of this period's figures: by header words, else the column right of the labels with numbers."""
    first = min(rows)
    width = max(len(grid.rows[r]) for r in rows)
    candidates = range(key_col + 1, width)
    scores = {c: _header_score(grid, first, c, period) for c in candidates}
    best = max(scores.items(), key=lambda kv: (kv[1], -kv[0]), default=(None, 0))
    if best[0] is not None and best[1] > 0:
        return best[0]
    numeric = {c: sum(_is_numberish(grid.value(r, c)) for r in rows) for c in candidates if scores[c] >= 0}
    col, count = max(numeric.items(), key=lambda kv: (kv[1], -kv[0]), default=(None, 0))
    return col if count else None


def _header_text(grid: SheetGrid, first_row: int, col: int) -> str:
    parts = []
    for r in range(max(0, first_row - HEADER_DEPTH), first_row):
        raw = grid.value(r, col)
        if raw == "" and grid.merged:
            origin = grid.merged_origin(r, col)
            raw = grid.value(*origin) if origin else ""
        if isinstance(raw, str):
            parts.append(fold(raw))
    return " ".join(parts)


def _header_score(grid: SheetGrid, first_row: int, col: int, period: Quarter | None) -> int:
    text = _header_text(grid, first_row, col)
    if not text:
        return 0
    if any(word in text for word in _VALUE_HEADER_BAD):
        return -5
    score = sum(2 for word in _VALUE_HEADER_GOOD if word in text)
    named = find_periods(text)
    if named and period is not None and period not in named:
        return -5  # another quarter's column (e.g. the previous quarter, for comparison)
    return score + (3 if named else 0)


def _is_numberish(raw: object) -> bool:
    return parse_cell(raw).status in ("number", "text_number", "zero_dash", "zero_word")


def _find_metadata(
    grid: SheetGrid,
    registry: UnitRegistry,
    cutoff: CutoffRule,
    top_limit: int,
    header_band: tuple[int, int] | None,
    result: SheetResult,
    skip_rows: frozenset[int] = frozenset(),
) -> None:
    """Unit and period mentions in the top rows (outside the column headers given as (first row, key column));
    report dates where a report date is written (`report_date_at`), anywhere but in the indicator rows."""
    band_row, band_col = header_band or (top_limit, -1)
    for r, row in enumerate(grid.rows):
        for c, raw in enumerate(row):
            if isinstance(raw, str) and not raw.strip():
                continue
            if isinstance(raw, str) and r < top_limit and not (r >= band_row and c > band_col):
                _unit_and_period(raw, registry, cutoff, Located(None, grid.name, r, c), result)
                _unit_text(row, c, registry, Located(None, grid.name, r, c), result)
            found = None if r in skip_rows else report_date_at(row, c)
            if found is not None:
                result.report_dates.append(Located(found, grid.name, r, c))


def report_date_at(row: list, c: int) -> date | None:
    """The report date cell `c` of `row` gives, when it is where a report date is written: a field labelled
    "Ngày lập báo cáo" (in the cell or in the nearest filled cell to its left), or a place-and-date line that is
    the whole cell ("An Bình, ngày 20 tháng 9 năm 2021"); None for a date inside a sentence or a note."""
    raw = row[c]
    if isinstance(raw, datetime | date):
        return (raw.date() if isinstance(raw, datetime) else raw) if _labels_report_date(_left_of(row, c)) else None
    if not isinstance(raw, str) or not _DIGIT_RE.search(raw):
        return None
    if _labels_report_date(raw) or _labels_report_date(_left_of(row, c)):
        return parse_date(raw)
    match = _PLACE_DATE_RE.fullmatch(fold(raw))
    place = match["place"] if match else None
    if match is None or (place and (place in _NOT_A_PLACE or _NOT_A_PLACE_RE.search(place))):
        return None
    return parse_date(raw)


def _left_of(row: list, c: int) -> object:
    """The nearest filled cell left of column `c` ("" when none)."""
    return next((row[i] for i in range(c - 1, -1, -1) if row[i] not in ("", None)), "")


def _labels_report_date(label: object) -> bool:
    return isinstance(label, str) and fold(label).startswith(_REPORT_DATE_LABELS)


def _unit_text(row: list, c: int, registry: UnitRegistry, where: Located, result: SheetResult) -> None:
    """The text of a unit field ("Đơn vị báo cáo: …", or the cell right of that label) that names no unit of the
    registry: kept so the analyst is told which name was not found."""
    raw = row[c]
    label, _, rest = raw.partition(":")
    if fold(label) not in _UNIT_LABELS:
        return
    if not rest.strip():
        rest = next((v for v in row[c + 1 :] if isinstance(v, str) and v.strip()), "")
    if rest.strip() and registry.find_in_text(rest) is None:
        result.unit_texts.append(replace(where, value=" ".join(rest.split())))


def _unit_and_period(raw: str, registry: UnitRegistry, cutoff: CutoffRule, where: Located, result: SheetResult) -> None:
    unit = registry.find_in_text(raw)
    if unit is not None:
        result.units.append(Located(unit, where.sheet, where.row, where.col))
    if registry.needs_quarter:  # names told apart by the file's period, known once every sheet is read
        result.unit_cells.append(Located(raw, where.sheet, where.row, where.col))
    periods = find_periods(raw)
    if len(periods) == 1:
        result.periods.append(Located(periods[0], where.sheet, where.row, where.col))
    elif not periods:
        span = parse_date_range(raw)
        quarter = quarter_for_range(*span, cutoff) if span else None
        if quarter is not None:
            result.periods.append(Located(quarter, where.sheet, where.row, where.col))


def vote(found: list[Located]) -> tuple[object | None, list[object]]:
    """The most mentioned value (ties: first mentioned) and all distinct values, in order of first mention."""
    if not found:
        return None, []
    counts = Counter(item.value for item in found)
    distinct = list(dict.fromkeys(item.value for item in found))
    best = max(distinct, key=lambda v: counts[v])
    return best, distinct


__all__ = [
    "FoundValue",
    "IndicatorIndex",
    "Located",
    "SheetResult",
    "Quarter",
    "Unit",
    "extract_sheet",
    "label_key",
    "vote",
]
