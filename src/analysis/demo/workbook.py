"""The demo's files: the template filled with a filing's figures, its edits applied, written with fixed timestamps
(byte-stable output) and the cached values of formulas as Excel would have saved them; or the form retyped by the
unit as .xls or .ods."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from analysis.catalogue.assignment import owed_areas
from analysis.catalogue.model import Catalogue
from analysis.catalogue.official_template import (
    FormRow,
    build_official_template,
    write_official_sheet,
)
from analysis.catalogue.template import COLUMNS, FIRST_DATA_ROW, TemplateContext, build_template
from analysis.catalogue.versions import VersionForm
from analysis.core.config import ProvinceConfig
from analysis.core.periods import Quarter
from analysis.core.units import Unit, UnitRegistry
from analysis.demo.spelling import place_of

Values = dict[str, float]


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
    province_name: str | None = None  # the province heading the file when not the registry's (a former province)
    forms_quarter: Quarter | None = None  # a unit reusing the template of another quarter: that quarter's forms
    layout: str = "one-column"  # one-column | official (the printed forms) | consolidated (`rows`, forms `areas`)
    rows: tuple[tuple[Unit, Values], ...] = ()  # a consolidated file: each unit's row
    areas: tuple[str, ...] = ()  # a consolidated file: the forms it prints


def signed_line(place: str, day: date) -> str:
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def fill_template(
    wb: Workbook, filing: Filing, catalogue: Catalogue, place: str, skip: frozenset[str] = frozenset()
) -> None:
    """Type each figure into the template's input cell, and the signature date ("`place`, ngày …"); the areas
    `skip` names are printed otherwise (official layout)."""
    for area in catalogue.areas:
        if area.sheet not in wb.sheetnames or area.code in skip:  # an area the unit does not owe, or printed
            continue
        ws = wb[area.sheet]
        for i, ind in enumerate(catalogue.indicators_in(area.code)):
            if ind.is_input:
                value = filing.values.get(ind.code)
                cell = ws.cell(row=FIRST_DATA_ROW + i, column=COLUMNS["value"])
                cell.value = int(value) if value is not None and float(value).is_integer() else value
        if filing.report_date:
            row = FIRST_DATA_ROW + len(catalogue.indicators_in(area.code)) + 1
            ws.cell(row=row, column=4).value = signed_line(place, filing.report_date)
    if filing.report_date:
        info = wb.worksheets[0]
        for row in info.iter_rows(min_row=1, max_row=12, max_col=2):
            if isinstance(row[0].value, str) and row[0].value.startswith("Ngày lập báo cáo"):
                row[1].value = datetime(filing.report_date.year, filing.report_date.month, filing.report_date.day)


def write_filing(
    filing: Filing,
    out_dir: Path,
    catalogue: Catalogue,
    registry: UnitRegistry,
    province: ProvinceConfig,
    saved_at: datetime,
) -> Path:
    """Write one filing under `out_dir` on the forms of its quarter; files not saved at a time of their own are
    stamped `saved_at`."""
    catalogue = catalogue.for_quarter(filing.forms_quarter or filing.quarter)
    target = out_dir / filing.path
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = filing.modified or saved_at
    if filing.fmt in ("xls", "ods"):
        _write_retyped(filing, target, catalogue)
        if filing.fmt == "ods":
            finalise_zip(target, {}, stamp, saved_at)
        return target
    province_name = filing.province_name or registry.province_name
    owed = owed_areas(catalogue, province, filing.unit.code, filing.unit.type)
    context = TemplateContext(province_name, filing.unit, filing.quarter, province.cutoff, owed)
    place = place_of(filing.unit, province_name)
    if filing.layout == "consolidated":
        wb = _consolidated(filing, catalogue, context, place)
    elif filing.layout == "official":
        wb = build_official_template(catalogue, context)
        fill_template(wb, filing, catalogue, place, _fill_official(wb, filing, catalogue, context, place))
    else:
        wb = build_template(catalogue, context)
        fill_template(wb, filing, catalogue, place)
    for edit in filing.edits:
        edit(wb, filing)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.save(target)
    finalise_zip(target, filing.formulas, stamp, saved_at)
    return target


def _official_forms(catalogue: Catalogue, quarter: Quarter, areas) -> dict[str, VersionForm]:
    """The forms of `areas` the quarter's version prints with numbered columns."""
    version = catalogue.version_of(quarter)
    forms = {a: version.form(a) for a in areas} if version else {}
    return {a: f for a, f in forms.items() if f is not None and f.printed}


def _fill_official(wb: Workbook, filing: Filing, catalogue: Catalogue, context, place: str) -> frozenset[str]:
    """The official sheets of a unit's own file written again with its row and total filled; their areas."""
    forms = _official_forms(catalogue, filing.quarter, [a.code for a in catalogue.areas if a.sheet in wb.sheetnames])
    signed = signed_line(place, filing.report_date) if filing.report_date else ""
    for area, form in forms.items():
        sheet = catalogue.area(area).sheet
        index = wb.sheetnames.index(sheet)
        wb.remove(wb[sheet])
        ws = wb.create_sheet(sheet, index)
        row = FormRow(filing.unit.name, filing.values)
        write_official_sheet(ws, form, context, [row], filing.values, catalogue.integer_codes(), signed)
    return frozenset(forms)


def _consolidated(filing: Filing, catalogue: Catalogue, context, place: str) -> Workbook:
    """A consolidated file: the forms `filing.areas` in the printed layout, a row per unit and the total row."""
    wb = Workbook()
    wb.remove(wb.active)
    signed = signed_line(place, filing.report_date) if filing.report_date else ""
    for area, form in _official_forms(catalogue, filing.quarter, filing.areas).items():
        ws = wb.create_sheet(catalogue.area(area).sheet)
        rows = [FormRow(unit.name, values) for unit, values in filing.rows]
        concepts = {c.concept for c in form.columns}
        total = {k: sum(v.get(k) or 0 for _, v in filing.rows) for k in concepts}
        write_official_sheet(ws, form, context, rows, total, catalogue.integer_codes(), signed)
    return wb


def finalise_zip(
    path: Path, cached: dict[tuple[str, str], float], stamp: datetime, zipped_at: datetime | None = None
) -> None:
    """Fixed timestamps (byte-stable output: the document's `stamp`, every member's `zipped_at`, default `stamp`)
    and cached values for formulas, as Excel would have saved them."""
    zip_time = (zipped_at or stamp).timetuple()[:6]
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
            info = zipfile.ZipInfo(name, date_time=zip_time)
            info.compress_type = compress_type  # an .ods keeps its "mimetype" member stored, first
            zf.writestr(info, data)
    out.replace(path)


def _sheet_files(zf: zipfile.ZipFile) -> dict[str, str]:
    from analysis.ingest.workbook import _sheet_members

    return _sheet_members(zf, set(zf.namelist()))


def _fix_core_times(data: bytes, stamp: datetime) -> bytes:
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + iso + rb"\g<2>", data)


def _with_cached_value(data: bytes, cell: str, value: float) -> bytes:
    shown = str(int(value)) if float(value).is_integer() else repr(value)
    ref = rb'(<c r="' + cell.encode() + rb'"[^>]*>\s*<f>[^<]*</f>'
    pattern = re.compile(ref + rb"\s*)<v\s*/>|" + ref + rb"\s*)<v>\s*</v>|" + ref + rb")(\s*</c>)")
    match = pattern.search(data)
    if not match:
        raise AssertionError(f"formula cell {cell} not found for its cached value")
    head = next(g for g in match.groups()[:3] if g is not None)
    tail = match.group(4) or b""
    return data[: match.start()] + head + b"<v>" + shown.encode() + b"</v>" + tail + data[match.end() :]


def _write_retyped(filing: Filing, target: Path, catalogue: Catalogue) -> None:
    """A unit that retyped the form in its own layout: no code column, labels only (.xls or .ods)."""
    rows: list[list[object]] = [
        [f"UBND {filing.unit.name.upper()}"],
        ["BÁO CÁO KẾT QUẢ CÔNG TÁC NỘI CHÍNH, PHÒNG CHỐNG THAM NHŨNG VÀ DÂN VẬN"],
        [f"Quý {filing.quarter.quarter} năm {filing.quarter.year}"],
        [],
        ["STT", "Nội dung", "ĐVT", "Kết quả"],
    ]
    for area in catalogue.areas:
        rows.append([area.form, area.title.upper(), "", ""])
        for ind in catalogue.indicators_in(area.code):
            if ind.is_input:
                value = filing.values.get(ind.code)
                rows.append([ind.number, ind.name, ind.unit, int(value) if value is not None else ""])
    rows += [[], ["", "", f"Ngày {filing.report_date:%d/%m/%Y}" if filing.report_date else ""]]
    if filing.fmt == "xls":
        _write_xls(rows, target)
    else:
        import pandas as pd
        from odf.element import Element

        # odfpy declares in every document each namespace any document of the process used (one class-level
        # dict): cleared, an .ods is the same whatever was written before it (byte-stable output)
        Element.namespaces.clear()
        width = max(len(row) for row in rows)
        frame = pd.DataFrame([row + [""] * (width - len(row)) for row in rows]).astype(object)
        with pd.ExcelWriter(target, engine="odf") as writer:
            frame.to_excel(writer, sheet_name="Báo cáo", header=False, index=False)


def _write_xls(rows: list[list[object]], target: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Bao cao")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value != "":
                sheet.write(r, c, value)
    book.save(str(target))
