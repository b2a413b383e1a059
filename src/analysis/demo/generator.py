"""Deterministic generator of the synthetic demo province (`python -m analysis demo`).

Every unit in `config/units.yaml` submits the real template for each quarter 2020Q1–2021Q3, filled with random
but internally consistent figures (the catalogue's validation rules hold), and then edited the way real units edit
files: each messy case the ingest must survive appears at least once (see `data/raw/README.md` for the list).
Province totals for 2021Q3 are calibrated to the figures of the real Q3/2021 report (over 7,000 visits, over 600
individuals and exactly 50 businesses handled for COVID-19 rules, over 20 thousand traffic violations).

The names are fictional and every number is made up. Same code, same files: the random generator is seeded and
the workbooks are written with fixed timestamps.
"""

from __future__ import annotations

import math
import random
import shutil
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from analysis.catalogue.model import Catalogue, load_catalogue
from analysis.catalogue.rules import check_rules, parse_expression
from analysis.catalogue.template import COLUMNS, FIRST_DATA_ROW, TemplateContext, build_template
from analysis.core.config import ProvinceConfig, load_province_config
from analysis.core.periods import Quarter, period_dates, quarter_range
from analysis.core.units import Unit, UnitRegistry, load_units

SEED = 20211015
FIRST = Quarter(2020, 1)
LAST = Quarter(2021, 3)
FIXED_ZIP_TIME = (2021, 10, 15, 8, 0, 0)

# Province totals per quarter of the key figures. 2021Q3 is the real Q3/2021 report (ingest must reproduce it from
# the messy files); earlier quarters are a plausible made-up path (COVID-19 waves in 2020Q2 and 2021Q2–Q3).
PROVINCE_SERIES = {
    "TCD01": [6420, 5310, 6655, 6890, 6120, 6473, 7048],
    "VP01": [152, 388, 95, 64, 210, 455, 604],
    "VP02": [12, 31, 8, 5, 17, 36, 50],
    "VP04": [19120, 15480, 19875, 21340, 18760, 19930, 20480],
}
TARGETS_2021Q3 = {code: series[-1] for code, series in PROVINCE_SERIES.items()}

# Typical size of a leaf figure of a mid-sized district per quarter, by unit of measure.
BASE_MAGNITUDE = {
    "lượt": 120,
    "người": 15,
    "vụ việc": 12,
    "vụ": 6,
    "đoàn": 1,
    "đơn": 45,
    "cơ sở": 4,
    "trường hợp": 400,
    "triệu đồng": 150,
    "kỳ": 3,
    "buổi": 20,
    "mô hình": 2,
    "điểm": 1,
    "văn bản": 10,
}
# Figures whose typical size differs from their unit of measure's (road deaths are few, not "người" in general).
CODE_MAGNITUDE = {"VP07": 7, "VP08": 3, "VP09": 5}
Values = dict[str, float]


# ---------------------------------------------------------------------------------------------- the numbers


@dataclass
class Consistent:
    """Makes a unit's figures satisfy the catalogue's rules by adjusting totals and parts."""

    catalogue: Catalogue
    defining: dict[str, list[str]] = field(default_factory=dict)  # total -> parts of its first equality rule

    def __post_init__(self) -> None:
        for rule in self.catalogue.rules:
            left = parse_expression(rule.left)
            right = parse_expression(rule.right)
            if rule.operator == "equal_to" and _single(left) and _all_plus_codes(right):
                self.defining.setdefault(left.codes[0], list(right.codes))

    def set_total(self, values: Values, code: str, target: float) -> None:
        """Set `code` to `target`, spreading the change over its parts (recursively) so its sum rule holds."""
        values[code] = target
        parts = self.defining.get(code)
        if not parts:
            return
        integer = self.catalogue.is_integer(code)
        for part, amount in zip(parts, _allocate(target, [values[p] for p in parts], integer), strict=True):
            self.set_total(values, part, amount)

    def repair(self, values: Values, rng: random.Random, passes: int = 30) -> Values:
        for _ in range(passes):
            violations = check_rules(values, self.catalogue.rules)
            if not violations:
                return values
            for violation in violations:
                self._repair_one(values, violation.rule, rng)
        remaining = [v.rule.code for v in check_rules(values, self.catalogue.rules)]
        raise AssertionError(f"demo figures still break rules after {passes} passes: {remaining}")

    def _repair_one(self, values: Values, rule, rng: random.Random) -> None:
        left, right = parse_expression(rule.left), parse_expression(rule.right)
        rhs = right.evaluate(values, "never_skip")
        lhs = left.evaluate(values, "never_skip")
        if not _single(left):
            return
        code = left.codes[0]
        integer = self.catalogue.is_integer(code)
        if rule.operator == "equal_to":
            if code in self.defining and self.defining[code] != list(right.codes) and _all_plus_codes(right):
                # a second breakdown of an already defined total: spread the total over this breakdown
                for part, amount in zip(
                    right.codes, _allocate(lhs, [values[p] for p in right.codes], integer), strict=True
                ):
                    self.set_total(values, part, amount)
            else:
                self.set_total(values, code, rhs)
        elif rule.operator in ("less_than_or_equal_to", "less_than") and lhs > rhs:
            share = rng.uniform(0.55, 0.95)
            self.set_total(values, code, _round(rhs * share, integer))
        elif rule.operator in ("greater_than_or_equal_to", "greater_than") and lhs < rhs:
            self.set_total(values, code, rhs)


def _single(expr) -> bool:
    return len(expr.terms) == 1 and expr.terms[0][0] == 1 and isinstance(expr.terms[0][1], str)


def _all_plus_codes(expr) -> bool:
    return all(sign == 1 and isinstance(term, str) for sign, term in expr.terms)


def _round(x: float, integer: bool) -> float:
    return float(math.floor(x)) if integer else round(x, 1)


def _allocate(total: float, weights: list[float], integer: bool) -> list[float]:
    """Split `total` in proportion to `weights` (largest remainder for integers, so parts sum exactly)."""
    if not weights:
        return []
    weights = [max(w, 0.0) for w in weights]
    if sum(weights) == 0:
        weights = [1.0] * len(weights)
    shares = [total * w / sum(weights) for w in weights]
    if not integer:
        parts = [round(s, 1) for s in shares]
        parts[-1] = round(total - sum(parts[:-1]), 1)
        return parts
    parts = [math.floor(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: shares[i] - parts[i], reverse=True)
    for i in order[: int(round(total - sum(parts)))]:
        parts[i] += 1
    return [float(p) for p in parts]


def unit_size(unit: Unit, index: int) -> float:
    """A fixed size factor per unit from its rank within its type: the city is biggest, agencies vary."""
    if unit.type == "agency":
        return 0.5 + 0.25 * index
    return 2.2 if index == 0 else 0.7 + 0.12 * ((index * 7) % 9)


def random_figures(catalogue: Catalogue, unit: Unit, size: float, quarter: Quarter, rng: random.Random) -> Values:
    """Raw random figures for every input indicator (not yet consistent): a level of the unit's own that stays
    from quarter to quarter, times a quarterly swing of ±15%."""
    seasonal = 1.0 + 0.06 * ((quarter.quarter + quarter.year) % 3 - 1)
    values: Values = {}
    for ind in catalogue.input_indicators():
        level = random.Random(f"{SEED}/{unit.code}/{ind.code}").uniform(0.4, 1.6)
        base = CODE_MAGNITUDE.get(ind.code, BASE_MAGNITUDE.get(ind.unit, 10))
        x = base * size * seasonal * level * rng.uniform(0.85, 1.15)
        values[ind.code] = _round(x, catalogue.is_integer(ind.code))
    return values


def province_figures(
    catalogue: Catalogue, registry: UnitRegistry, rng: random.Random
) -> dict[tuple[str, Quarter], Values]:
    """Consistent figures for every unit and quarter, key totals calibrated to PROVINCE_SERIES."""
    fixer = Consistent(catalogue)
    figures: dict[tuple[str, Quarter], Values] = {}
    units = registry.units
    rank = {u.code: [v.code for v in units if v.type == u.type].index(u.code) for u in units}
    for i, q in enumerate(quarter_range(FIRST, LAST)):
        active = [u for u in units if u.active_in(q)]
        for unit in active:
            raw = random_figures(catalogue, unit, unit_size(unit, rank[unit.code]), q, rng)
            figures[(unit.code, q)] = fixer.repair(raw, rng)
        targets = {code: series[i] for code, series in PROVINCE_SERIES.items()}
        _calibrate(figures, fixer, [u.code for u in active], q, targets, rng)
    return figures


def _calibrate(
    figures: dict[tuple[str, Quarter], Values],
    fixer: Consistent,
    unit_codes: list[str],
    quarter: Quarter,
    targets: dict[str, int],
    rng: random.Random,
) -> None:
    """Scale each target indicator across units so the province total equals the target exactly."""
    for code, target in targets.items():
        current = [figures[(u, quarter)][code] for u in unit_codes]
        for u, amount in zip(unit_codes, _allocate(target, current, integer=True), strict=True):
            fixer.set_total(figures[(u, quarter)], code, amount)
    for u in unit_codes:
        fixer.repair(figures[(u, quarter)], rng)
        for code in targets:
            assert figures[(u, quarter)][code] >= 0, f"negative demo figure {code} for {u}"
    for code, target in targets.items():
        total = sum(figures[(u, quarter)][code] for u in unit_codes)
        assert total == target, f"calibration of {code} in {quarter}: {total} != {target} (a rule repair moved it)"


# ------------------------------------------------------------------------------------------ the workbooks


@dataclass
class Filing:
    """One file a unit sends: which figures, how it was edited, where it lands, when it was signed."""

    unit: Unit
    quarter: Quarter
    values: Values
    path: str
    report_date: date | None
    edits: list[Callable[[Workbook, Filing], None]] = field(default_factory=list)
    formulas: dict[tuple[str, str], float] = field(default_factory=dict)  # (sheet, cell) -> cached value
    fmt: str = "xlsx"  # xlsx | xlsm | xls | ods
    modified: datetime | None = None
    description: str = ""


def fill_template(wb: Workbook, filing: Filing, catalogue: Catalogue) -> None:
    """Type each figure into the template's input cell and the signature date."""
    for area in catalogue.areas:
        ws = wb[area.sheet]
        for i, ind in enumerate(catalogue.indicators_in(area.code)):
            if ind.is_input:
                value = filing.values.get(ind.code)
                cell = ws.cell(row=FIRST_DATA_ROW + i, column=COLUMNS["value"])
                cell.value = int(value) if value is not None and float(value).is_integer() else value
        if filing.report_date:
            ws.cell(row=FIRST_DATA_ROW + len(catalogue.indicators_in(area.code)) + 1, column=4).value = (
                f"{_place(filing.unit)}, ngày {filing.report_date.day:02d} tháng {filing.report_date.month:02d} "
                f"năm {filing.report_date.year}"
            )
    if filing.report_date:
        info = wb.worksheets[0]
        for row in info.iter_rows(min_row=1, max_row=12, max_col=2):
            if isinstance(row[0].value, str) and row[0].value.startswith("Ngày lập báo cáo"):
                row[1].value = datetime(filing.report_date.year, filing.report_date.month, filing.report_date.day)


def _place(unit: Unit) -> str:
    for prefix in ("Thành phố ", "Thị xã ", "Huyện "):
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return "Minh Sơn"


def write_filing(
    filing: Filing, out_dir: Path, catalogue: Catalogue, registry: UnitRegistry, province: ProvinceConfig
) -> Path:
    target = out_dir / filing.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if filing.fmt in ("xls", "ods"):
        _write_retyped(filing, target, catalogue)
        if filing.fmt == "ods":
            _finalise_zip(target, {}, filing.modified or datetime(2021, 10, 15, 8, 0, 0))
        return target
    context = TemplateContext(registry.province_name, filing.unit, filing.quarter, province.cutoff)
    wb = build_template(catalogue, context)
    fill_template(wb, filing, catalogue)
    for edit in filing.edits:
        edit(wb, filing)
    stamp = filing.modified or datetime(2021, 10, 15, 8, 0, 0)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.save(target)
    _finalise_zip(target, filing.formulas, stamp)
    return target


def _finalise_zip(path: Path, cached: dict[tuple[str, str], float], stamp: datetime) -> None:
    """Fixed timestamps (byte-stable output) and cached values for formulas, as Excel would have saved them."""
    with zipfile.ZipFile(path) as zf:
        members = [(info.filename, info.compress_type, zf.read(info.filename)) for info in zf.infolist()]
        sheet_files = _sheet_files(zf) if cached else {}
    out = path.with_suffix(path.suffix + ".tmp")
    with zipfile.ZipFile(out, "w") as zf:
        for name, compress_type, data in members:
            if name == "docProps/core.xml":
                data = _fix_core_times(data, stamp)
            for (sheet, cell), value in cached.items():
                if sheet_files.get(sheet) == name:
                    data = _with_cached_value(data, cell, value)
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = compress_type  # an .ods keeps its "mimetype" member stored, first
            zf.writestr(info, data)
    out.replace(path)


def _sheet_files(zf: zipfile.ZipFile) -> dict[str, str]:
    from analysis.ingest.workbook import _sheet_members

    return _sheet_members(zf, set(zf.namelist()))


def _fix_core_times(data: bytes, stamp: datetime) -> bytes:
    import re

    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + iso + rb"\g<2>", data)


def _with_cached_value(data: bytes, cell: str, value: float) -> bytes:
    import re

    shown = str(int(value)) if float(value).is_integer() else repr(value)
    pattern = re.compile(
        rb'(<c r="'
        + cell.encode()
        + rb'"[^>]*>\s*<f>[^<]*</f>\s*)<v\s*/>|(<c r="'
        + cell.encode()
        + rb'"[^>]*>\s*<f>[^<]*</f>\s*)<v>\s*</v>|(<c r="'
        + cell.encode()
        + rb'"[^>]*>\s*<f>[^<]*</f>)(\s*</c>)'
    )
    match = pattern.search(data)
    if not match:
        raise AssertionError(f"formula cell {cell} not found for its cached value")
    head = next(g for g in match.groups()[:3] if g is not None)
    tail = match.group(4) or b""
    return data[: match.start()] + head + b"<v>" + shown.encode() + b"</v>" + tail + data[match.end() :]


def _write_retyped(filing: Filing, target: Path, catalogue: Catalogue) -> None:
    """A unit that retyped the form in its own layout: no code column, labels only (.xls or .ods)."""
    title_rows = [
        [f"UBND {filing.unit.name.upper()}"],
        ["BÁO CÁO KẾT QUẢ CÔNG TÁC NỘI CHÍNH, PHÒNG CHỐNG THAM NHŨNG VÀ DÂN VẬN"],
        [f"Quý {filing.quarter.quarter} năm {filing.quarter.year}"],
        [],
        ["STT", "Nội dung", "ĐVT", "Kết quả"],
    ]
    rows: list[list[object]] = list(title_rows)
    for area in catalogue.areas:
        rows.append([area.form, area.title.upper(), "", ""])
        for ind in catalogue.indicators_in(area.code):
            if ind.is_input:
                value = filing.values.get(ind.code)
                rows.append([ind.number, ind.name, ind.unit, int(value) if value is not None else ""])
    rows += [[], ["", "", f"Ngày {filing.report_date:%d/%m/%Y}" if filing.report_date else ""]]
    if filing.fmt == "xls":
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("Bao cao")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "":
                    sheet.write(r, c, value)
        book.save(str(target))
    else:
        import pandas as pd

        frame = pd.DataFrame(rows).astype(object).where(lambda d: d.notna(), "")
        with pd.ExcelWriter(target, engine="odf") as writer:
            frame.to_excel(writer, sheet_name="Báo cáo", header=False, index=False)


# ------------------------------------------------------------------------------------------- the mess


def _sheet(wb: Workbook, catalogue: Catalogue, area_code: str) -> Worksheet:
    return wb[catalogue.area(area_code).sheet]


def _row_of(catalogue: Catalogue, code: str) -> tuple[str, int]:
    ind = catalogue.indicator(code)
    position = [i.code for i in catalogue.indicators_in(ind.area)].index(code)
    return catalogue.area(ind.area).sheet, FIRST_DATA_ROW + position


def _shift_rows(ws: Worksheet, idx: int, amount: int) -> None:
    """insert_rows/delete_rows that also move merged ranges (openpyxl leaves them behind)."""
    moved = [r for r in ws.merged_cells.ranges if r.min_row >= idx]
    for rng in moved:
        ws.unmerge_cells(str(rng))
    if amount > 0:
        ws.insert_rows(idx, amount)
    else:
        ws.delete_rows(idx, -amount)
    for rng in moved:
        rng.shift(0, amount)
        ws.merge_cells(str(rng))
    ws.protection.sheet = False  # people who edit the layout have unprotected the sheet


def edit_insert_rows(catalogue: Catalogue, area: str, after_code: str) -> Callable:
    def edit(wb: Workbook, filing: Filing) -> None:
        sheet, row = _row_of(catalogue, after_code)
        ws = wb[sheet]
        _shift_rows(ws, row + 1, 2)
        ws.cell(row=row + 1, column=3, value="Trong đó: số liệu chi tiết theo xã, thị trấn (xem phụ lục)")
        ws.cell(row=row + 2, column=3, value="")

    edit.__doc__ = f"rows inserted in {area} after {after_code}"
    return edit


def edit_delete_row(catalogue: Catalogue, code: str) -> Callable:
    def edit(wb: Workbook, filing: Filing) -> None:
        sheet, row = _row_of(catalogue, code)
        _shift_rows(wb[sheet], row, -1)
        filing.values.pop(code, None)

    return edit


def edit_swap_rows(catalogue: Catalogue, code_a: str, code_b: str) -> Callable:
    def edit(wb: Workbook, filing: Filing) -> None:
        sheet, row_a = _row_of(catalogue, code_a)
        _, row_b = _row_of(catalogue, code_b)
        ws = wb[sheet]
        for col in COLUMNS.values():
            a, b = ws.cell(row=row_a, column=col), ws.cell(row=row_b, column=col)
            a.value, b.value = b.value, a.value

    return edit


def edit_shift_header(rows: int) -> Callable:
    def edit(wb: Workbook, filing: Filing) -> None:
        for ws in wb.worksheets[1:]:
            _shift_rows(ws, 1, rows)
            ws.cell(row=1, column=1, value="ĐẢNG BỘ " + filing.unit.name.upper())
            ws.cell(row=2, column=1, value="Số: 125/BC-UBND")

    return edit


def edit_sheets(catalogue: Catalogue) -> Callable:
    """Rename, reorder and hide sheets; add extra ones."""

    def edit(wb: Workbook, filing: Filing) -> None:
        areas = [a.code for a in catalogue.areas]
        wb[catalogue.area(areas[0]).sheet].title = "Tiep dan"
        wb[catalogue.area(areas[1]).sheet].title = "Sheet2"
        last = wb[catalogue.area(areas[-1]).sheet]
        wb.move_sheet(last, offset=-(len(wb.sheetnames) - 2))
        wb[catalogue.area(areas[2]).sheet].sheet_state = "hidden"
        extra = wb.create_sheet("Ghi chú")
        extra["A1"] = "Danh sách các xã chưa gửi số liệu: không có"
        extra["A2"] = 12
        junk = wb.create_sheet("Sheet3")
        junk["B2"] = 2021
        junk["B3"] = "Tổng"

    return edit


def edit_merge_value(catalogue: Catalogue, code_merge_note: str, code_merge_down: str) -> Callable:
    def edit(wb: Workbook, filing: Filing) -> None:
        sheet, row = _row_of(catalogue, code_merge_note)
        ws = wb[sheet]
        ws.merge_cells(start_row=row, start_column=COLUMNS["value"], end_row=row, end_column=COLUMNS["note"])
        sheet2, row2 = _row_of(catalogue, code_merge_down)
        ws2 = wb[sheet2]
        ws2.cell(row=row2 + 1, column=COLUMNS["value"]).value = None
        ws2.merge_cells(start_row=row2, start_column=COLUMNS["value"], end_row=row2 + 1, end_column=COLUMNS["value"])

    return edit


def edit_cells(catalogue: Catalogue, typed: dict[str, object]) -> Callable:
    """Type text (or anything) into the value cells of the given indicators."""

    def edit(wb: Workbook, filing: Filing) -> None:
        for code, value in typed.items():
            sheet, row = _row_of(catalogue, code)
            wb[sheet].cell(row=row, column=COLUMNS["value"]).value = value

    return edit


def edit_formulas(catalogue: Catalogue, totals: list[str], cached: bool) -> Callable:
    """Replace totals by SUM formulas of their parts (with Excel's cached result, or never calculated)."""

    def edit(wb: Workbook, filing: Filing) -> None:
        fixer = Consistent(catalogue)
        for code in totals:
            sheet, row = _row_of(catalogue, code)
            refs = ",".join(f"E{_row_of(catalogue, p)[1]}" for p in fixer.defining[code])
            cell = wb[sheet].cell(row=row, column=COLUMNS["value"])
            cell.value = f"=SUM({refs})"
            if cached:
                filing.formulas[(sheet, cell.coordinate)] = filing.values[code]

    return edit


def edit_header_lines(unit_line: str | None = None, period_line: str | None = None) -> Callable:
    """Rewrite the unit and period lines of every sheet the way a unit typed them."""

    def edit(wb: Workbook, filing: Filing) -> None:
        for ws in wb.worksheets:
            for row in ws.iter_rows(min_row=1, max_row=12):
                for cell in row:
                    if not isinstance(cell.value, str):
                        continue
                    if unit_line and (
                        cell.value.startswith("Đơn vị báo cáo") or cell.value == filing.unit.name.upper()
                    ):
                        cell.value = unit_line if cell.value.startswith("Đơn vị") else unit_line.upper()
                    if unit_line and cell.value == filing.unit.name:
                        cell.value = unit_line
                    if period_line and (cell.value.startswith("Kỳ báo cáo") or cell.value == filing.quarter.vn_title):
                        cell.value = period_line
                    if period_line and cell.value.startswith("BÁO CÁO CÔNG TÁC"):
                        cell.value = "BÁO CÁO CÔNG TÁC NỘI CHÍNH, PHÒNG, CHỐNG THAM NHŨNG VÀ DÂN VẬN"

    return edit


# ------------------------------------------------------------------------------------------- the province


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _strip_marks(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def _vn(x: float) -> str:
    whole = f"{int(x):,}".replace(",", ".")
    return whole if float(x).is_integer() else f"{whole},{str(round(x % 1, 1))[2:]}"


def _on_time_date(q: Quarter, province: ProvinceConfig, rng: random.Random) -> date:
    end = period_dates(q, province.cutoff)[1]
    return end + timedelta(days=rng.randint(1, max(1, (province.deadline_days or 7) - 1)))


def plan_filings(
    catalogue: Catalogue, registry: UnitRegistry, province: ProvinceConfig, rng: random.Random
) -> list[Filing]:
    """Every file of the demo province, the messy ones included."""
    figures = province_figures(catalogue, registry, rng)
    units = list(registry.units)
    districts = [u for u in units if u.type == "district"]
    agencies = [u for u in units if u.type == "agency"]
    filings: list[Filing] = []
    for q in quarter_range(FIRST, LAST):
        for unit in units:
            if not unit.active_in(q):
                continue
            if q == Quarter(2020, 2) and unit == agencies[1]:
                continue  # never submitted: shows as missing in completeness
            filings.append(
                Filing(
                    unit=unit,
                    quarter=q,
                    values=dict(figures[(unit.code, q)]),
                    path=f"{q.label}/{q.label}_{unit.code}.xlsx",
                    report_date=_on_time_date(q, province, rng),
                    description="bản nộp theo mẫu",
                )
            )
    by_key = {(f.unit.code, f.quarter): f for f in filings}

    def get(unit: Unit, q: Quarter) -> Filing:
        return by_key[(unit.code, q)]

    q3, q2, q1 = Quarter(2021, 3), Quarter(2021, 2), Quarter(2021, 1)
    d = districts
    ta = catalogue.indicators_in
    first_area, second_area = catalogue.areas[0].code, catalogue.areas[1].code
    tcd = [i.code for i in ta(first_area) if i.is_input]
    xld = [i.code for i in ta(second_area) if i.is_input]
    leaves = [c for c in (i.code for i in catalogue.input_indicators()) if c not in Consistent(catalogue).defining]
    totals = [c for c in Consistent(catalogue).defining if catalogue.indicator(c).area == first_area]

    # 1. rows inserted, deleted, reordered; header rows shifted
    f = get(d[1], q3)
    f.edits += [edit_insert_rows(catalogue, first_area, tcd[2]), edit_swap_rows(catalogue, xld[-1], xld[-2])]
    f.description = "chèn thêm dòng; đổi chỗ hai dòng"
    f = get(d[2], q3)
    deletable = [c for c in leaves if not _in_any_rule(catalogue, c) and c not in TARGETS_2021Q3]
    f.edits += [edit_delete_row(catalogue, deletable[0]), edit_shift_header(3)]
    f.description = f"xóa dòng {deletable[0]}; dịch tiêu đề xuống 3 dòng"
    # 2. sheets renamed, reordered, hidden, extra sheets
    f = get(d[3], q3)
    f.edits.append(edit_sheets(catalogue))
    f.description = "đổi tên, đổi thứ tự, ẩn trang tính; thêm trang tính"
    # 3. merged cells
    f = get(d[4], q2)
    merge_down = [c for c in leaves if c not in TARGETS_2021Q3 and not _in_any_rule(catalogue, c)]
    f.edits.append(edit_merge_value(catalogue, tcd[0], merge_down[1]))
    f.description = "ô số liệu gộp ô"
    # 4. numbers typed as text with Vietnamese separators; qualifiers; "-", "không", 0, blank
    f = get(d[0], q3)
    decimal = next(i.code for i in catalogue.input_indicators() if not catalogue.is_integer(i.code))
    f.values[decimal] = f.values[decimal] + 0.5 if f.values[decimal] % 1 == 0 else f.values[decimal]
    rate = next(i for i in catalogue.indicators if not i.is_input)
    typed_rate = f"{rate.ratio(f.values):.1f}".replace(".", ",") + "%"
    f.edits.append(
        edit_cells(
            catalogue,
            {
                "TCD01": _vn(f.values["TCD01"]),
                "VP04": _vn(f.values["VP04"]),
                decimal: _vn(f.values[decimal]),
                rate.code: typed_rate,
            },
        )
    )
    f.description = (
        f"số gõ dạng chữ: dấu chấm phân cách hàng nghìn, dấu phẩy thập phân, tỷ lệ “{typed_rate}” gõ đè công thức"
    )
    f = get(d[5], q3)
    small = [c for c in leaves if 10 < f.values[c] < 1000 and c not in TARGETS_2021Q3][:3]
    f.edits.append(
        edit_cells(
            catalogue,
            {
                small[0]: f"trên {_vn(f.values[small[0]])}",
                small[1]: f"khoảng {_vn(f.values[small[1]])}",
                small[2]: f"{_vn(f.values[small[2]])} (ước)",
            },
        )
    )
    f.description = "số liệu ước tính: “trên”, “khoảng”, “(ước)”"
    f = get(d[6], q3)
    zeros = [c for c in leaves if not _in_any_rule(catalogue, c)][:4]
    for c in zeros[:3]:
        f.values[c] = 0.0
    f.edits.append(edit_cells(catalogue, {zeros[0]: "-", zeros[1]: "không", zeros[2]: 0, zeros[3]: None}))
    f.values.pop(zeros[3])
    f.description = "“-”, “không”, 0 và ô trống"
    # 5. formulas: cached values, and a formula never calculated
    f = get(d[7], q3)
    f.edits.append(edit_formulas(catalogue, totals[:2], cached=True))
    f.description = "tổng tính bằng công thức (có giá trị lưu sẵn)"
    f = get(d[7], q1)
    f.edits.append(edit_formulas(catalogue, totals[1:2], cached=False))
    f.description = "công thức chưa được tính (không có giá trị lưu)"
    # 6. unit names and periods written other ways; period disagreeing with the file name
    variants = [
        (d[0], q1, f"UBND TP. {_place(d[0])}", "Quý 1 năm 2021"),
        (d[1], q1, _strip_marks(d[1].name), "QI.2021"),
        (d[2], q1, _nfd(d[2].name), "Q1-2021"),
        (d[3], q1, "H. " + _nfd(_place(d[3])), "I/2021"),
        (d[4], q1, d[4].name.replace("Hòa", "Hoá").replace("Thủy", "Thuỷ"), "quý I năm 2021"),
    ]
    for unit, q, unit_line, period_line in variants:
        f = get(unit, q)
        f.edits.append(edit_header_lines(unit_line, period_line))
        f.description = f"tên đơn vị “{unit_line}”, kỳ “{period_line}”"
    f = get(d[8], q3)
    f.path = f"{q3.label}/bao-cao-quy-2-2021_{d[8].code}.xlsx"
    f.description = "tên tệp ghi nhầm quý II trong thư mục quý III"
    f = get(d[9 % len(d)], q2)
    f.path = f"nhan-qua-email/{d[9 % len(d)].code}.xlsx"
    f.description = "tệp để ngoài thư mục quý, tên tệp không ghi kỳ"
    # 7. totals disagreeing with their parts
    f = get(d[9 % len(d)], q3)
    parent = next(c for c in Consistent(catalogue).defining if catalogue.indicator(c).area == second_area)
    f.edits.append(edit_cells(catalogue, {parent: int(f.values[parent]) + 7}))
    f.description = f"tổng {parent} lệch với các thành phần"
    # 8. revised resubmission: the first version had wrong numbers; and one file sent twice
    first = get(agencies[0], q3)
    wrong = Filing(
        unit=first.unit,
        quarter=q3,
        values={k: v * 2 for k, v in first.values.items()},
        path=f"{q3.label}/{first.unit.code}_lan1.xlsx",
        report_date=period_dates(q3, province.cutoff)[1] + timedelta(days=1),
        description="bản nộp lần 1 (sai, đã được thay thế)",
    )
    first.report_date = period_dates(q3, province.cutoff)[1] + timedelta(days=4)
    first.path = f"{q3.label}/{first.unit.code}_ban-sua-doi.xlsx"
    first.description = "bản sửa đổi nộp lại (thay thế bản lần 1)"
    filings.append(wrong)
    twice = get(agencies[1], q1)
    twice.report_date = None
    twice.modified = datetime(2021, 3, 20, 9, 30)
    twice.path = f"{q1.label}/usb/{twice.unit.code}.xlsx"
    twice.description = "gửi hai lần (email và USB), không ghi ngày; bản USB lưu sau nên được dùng"
    older = Filing(
        unit=twice.unit,
        quarter=q1,
        values=dict(twice.values),
        path=f"{q1.label}/email/{twice.unit.code}.xlsx",
        report_date=None,
        modified=datetime(2021, 3, 18, 16, 0),
        description="bản gửi qua email (cũ hơn bản USB)",
    )
    filings.append(older)
    # 9. late submission
    late = get(d[5], q2)
    late.report_date = period_dates(q2, province.cutoff)[1] + timedelta(days=(province.deadline_days or 7) + 12)
    late.description = "nộp muộn"
    # 10. other formats: .xlsm, .xls and .ods retyped by the unit (labels only, no code column)
    f = get(d[6], q2)
    f.fmt, f.path = "xlsm", f"{q2.label}/{q2.label}_{d[6].code}.xlsm"
    f.description = "định dạng .xlsm"
    f = get(agencies[2], q1)
    f.fmt, f.path = "xls", f"{q1.label}/{q1.label}_{agencies[2].code}.xls"
    f.description = "định dạng .xls, đơn vị tự gõ lại biểu (không có cột mã số)"
    f = get(agencies[0], Quarter(2020, 4))
    f.fmt, f.path = "ods", f"2020Q4/2020Q4_{agencies[0].code}.ods"
    f.description = "định dạng .ods (LibreOffice), đơn vị tự gõ lại biểu"
    return filings


def _in_any_rule(catalogue: Catalogue, code: str) -> bool:
    from analysis.catalogue.rules import rule_codes

    return any(code in rule_codes(rule) for rule in catalogue.rules)


def generate_demo(out_dir: str | Path) -> list[Path]:
    """Write the demo province into `out_dir` (replacing what the generator wrote there before)."""
    out_dir = Path(out_dir)
    catalogue, registry, province = load_catalogue(), load_units(), load_province_config()
    rng = random.Random(SEED)
    filings = plan_filings(catalogue, registry, province, rng)
    staging = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    written = [write_filing(f, staging, catalogue, registry, province) for f in sorted(filings, key=lambda f: f.path)]
    (staging / "MANIFEST.csv").write_text(_manifest(filings), encoding="utf-8")
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return [out_dir / p.relative_to(staging) for p in written]


def _manifest(filings: list[Filing]) -> str:
    lines = ["file,unit_code,period,report_date,description"]
    for f in sorted(filings, key=lambda f: f.path):
        date_text = f.report_date.isoformat() if f.report_date else ""
        lines.append(f'{f.path},{f.unit.code},{f.quarter.label},{date_text},"{f.description}"')
    return "\n".join(lines) + "\n"
