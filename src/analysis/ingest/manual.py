"""Figures the analyst enters by hand: a correction agreed with a unit by telephone, history copied from an archived
consolidated report. They live in the workspace's ``data/manual/`` (beside ``data/raw/``, which keeps only what the
units sent), as .xlsx or .csv files with one figure per line under a header row found by its words:

    Đơn vị | Kỳ báo cáo | Chỉ tiêu | Số liệu | Lý do | Người nhập | Ngày nhập | Văn bản nguồn (optional)

A unit is written by code or name, a quarter any way a report writes it ("quý III/2025", "2025Q3"), an indicator
by code or name, a figure the Vietnamese way ("1.250"). Each line is checked; a wrong one is an error naming its file
and line, and is left out (`read_manual` never raises). How an entry meets the units' own files is `apply`'s:
the analyst's entry wins (`ingest.manual_apply`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from analysis.catalogue.model import Catalogue
from analysis.core import vnformat
from analysis.core.periods import Quarter, parse_date, parse_period, period_dates, vn_date
from analysis.core.text import deaccent
from analysis.core.units import UnitRegistry
from analysis.ingest import preflight
from analysis.ingest.checks import fmt_raw
from analysis.ingest.extract import IndicatorIndex
from analysis.ingest.numbers import parse_cell
from analysis.ingest.submission import Issue
from analysis.ingest.workbook import WorkbookError, cell_ref, read_workbook

FOLDER = "manual"  # data/manual/ of a workspace
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
# the header row: each field and the words its column heading starts with (deaccented, lower case), longest first
HEADINGS: dict[str, tuple[str, ...]] = {
    "unit": ("ma don vi", "ten don vi", "don vi", "unit"),
    "period": ("ky bao cao", "quy bao cao", "quy", "ky", "period", "quarter"),
    "indicator": ("ma chi tieu", "ten chi tieu", "chi tieu", "indicator"),
    "value": ("so lieu", "gia tri", "value"),
    "reason": ("ly do", "reason"),
    "entered_by": ("nguoi nhap", "nguoi thuc hien", "entered by"),
    "entered_on": ("ngay nhap", "ngay", "entered on", "date"),
    "document": ("van ban nguon", "van ban", "nguon", "tai lieu", "source"),
}
REQUIRED = ("unit", "period", "indicator", "value", "reason", "entered_by", "entered_on")
# the headings as the template and the messages write them
WORDS = {
    "unit": "Đơn vị",
    "period": "Kỳ báo cáo",
    "indicator": "Chỉ tiêu",
    "value": "Số liệu",
    "reason": "Lý do",
    "entered_by": "Người nhập",
    "entered_on": "Ngày nhập",
    "document": "Văn bản nguồn",
}
HEADER_ROWS = 30  # rows searched for the header


@dataclass(frozen=True)
class ManualEntry:
    """One figure entered by hand, as read and checked; `file` relative to the workspace (POSIX), `cell` the
    figure's own cell ("D5"; for a CSV file, where Excel shows it), `line` its row number."""

    unit_code: str
    unit_name: str
    period: str
    indicator: str
    value: float
    approx: bool
    raw: str
    reason: str
    entered_by: str
    entered_on: str  # ISO date
    document: str
    file: str
    sheet: str
    cell: str
    line: int

    @property
    def key(self) -> tuple[str, str, str]:
        return self.period, self.unit_code, self.indicator

    @property
    def group(self) -> tuple[str, str]:
        """(quarter, unit): the submission the entry belongs to."""
        return self.period, self.unit_code


@dataclass(frozen=True)
class ManualEntries:
    """Every usable hand entry of a workspace (one per unit, quarter and indicator) and the problems of its files."""

    entries: tuple[ManualEntry, ...] = ()
    issues: tuple[Issue, ...] = ()
    folder: str = ""  # where they were read (resolved), for `views.freshness`; not part of the digest

    @property
    def digest(self) -> str:
        """What the tables depend on: every entry and problem (a change re-writes the tables, parses nothing)."""
        return hashlib.sha256(repr((self.entries, self.issues)).encode()).hexdigest()


def manual_folder(raw_dir: Path) -> Path:
    """Where the hand entries of a raw folder are: ``manual/`` beside it (a workspace's data/manual)."""
    return raw_dir.parent / FOLDER


def read_manual(
    folder: Path, catalogue: Catalogue, registry: UnitRegistry, limits: preflight.Limits | None = None
) -> ManualEntries:
    """The hand entries of every file in `folder` (any depth, in name order), each file named from the folder's
    own name ("manual/2025-hoa-an.xlsx")."""
    if not folder.is_dir():
        return ManualEntries()
    reader = _Reader(catalogue, IndicatorIndex.build(catalogue), registry)
    for path in sorted(p for p in folder.rglob("*") if _is_entry_file(p)):
        name = f"{folder.name}/{path.relative_to(folder).as_posix()}"
        try:
            sheets = _sheets(path, limits or preflight.Limits())
        except (WorkbookError, OSError, UnicodeDecodeError, csv.Error) as exc:
            reason = exc.reason if isinstance(exc, WorkbookError) else _unreadable(exc)
            reader.error(name, "", "", "manual_unreadable", f"Không đọc được tệp số liệu nhập tay: {reason}")
            continue
        reader.read_file(name, sheets)
    return ManualEntries(tuple(reader.entries.values()), tuple(reader.issues), str(folder.resolve()))


def _is_entry_file(p: Path) -> bool:
    return p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", ".", "_"))


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "tệp CSV không phải mã UTF-8; hãy lưu lại bằng Excel, chọn “CSV UTF-8”"
    return f"{type(exc).__name__}: {exc}"


def _sheets(path: Path, limits: preflight.Limits) -> list[tuple[str, list[list[object]]]]:
    """(sheet name, rows) of a workbook's visible sheets; a CSV file is one sheet named ""."""
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        return [("", [list(row) for row in csv.reader(io.StringIO(text), dialect)])]
    preflight.check(path, limits)  # read in the main process: never a file that could abort it
    return [(s.name, s.rows) for s in read_workbook(path).sheets if s.visible]


def heading_field(text: object) -> str | None:
    """The field a column heading names ("Số liệu (nhập tay)" → "value"), None for another heading."""
    words = re.sub(r"[^a-z0-9 ]+", " ", deaccent(str(text)).lower()).split()
    key = " ".join(words)
    for field, starts in HEADINGS.items():
        if any(key == s or key.startswith(s + " ") for s in starts):
            return field
    return None


def header_of(rows: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    """The header row (0-based) and the column of each field it names, when it names every required field."""
    for r, row in enumerate(rows[:HEADER_ROWS]):
        columns: dict[str, int] = {}
        for c, text in enumerate(row):
            field = heading_field(text) if isinstance(text, str) else None
            if field and field not in columns:
                columns[field] = c
        if all(f in columns for f in REQUIRED):
            return r, columns
    return None


class _Reader:
    """Reads files one after another, keeping the first entry of each figure and every problem."""

    def __init__(self, catalogue: Catalogue, index: IndicatorIndex, registry: UnitRegistry) -> None:
        self.catalogue, self.index, self.registry = catalogue, index, registry
        self.entries: dict[tuple[str, str, str], ManualEntry] = {}
        self.issues: list[Issue] = []
        self._inputs: dict[str, set[str]] = {}  # per quarter, the input indicators of its forms

    def error(self, file: str, sheet: str, cell: str, rule: str, message: str, indicator: str = "") -> None:
        self.issues.append(Issue(file, sheet, cell, "error", rule, message, indicator))

    def read_file(self, name: str, sheets: list[tuple[str, list[list[object]]]]) -> None:
        found = [(sheet, rows, header) for sheet, rows in sheets if (header := header_of(rows))]
        if not found:
            needed = ", ".join(WORDS[f] for f in REQUIRED)
            self.error(name, "", "", "manual_no_header", f"Không tìm thấy dòng tiêu đề; cần các cột: {needed}")
        for sheet, rows, (at, columns) in found:
            for r in range(at + 1, len(rows)):
                cells = {f: _text(rows[r][c]) if c < len(rows[r]) else "" for f, c in columns.items()}
                raws = {f: rows[r][c] if c < len(rows[r]) else None for f, c in columns.items()}
                if any(cells.values()):
                    self._line(name, sheet, r, cells, raws, columns)

    def _line(self, name: str, sheet: str, r: int, cells: dict, raws: dict, columns: dict[str, int]) -> None:
        where = cell_ref(r, columns["value"])
        place = f"dòng {r + 1}"
        problem, entry = self._check(name, sheet, r, cells, raws, where)
        if problem:
            self.error(name, sheet, where, "manual_invalid", f"Số liệu nhập tay, {place}: {problem}; dòng bị bỏ qua")
            return
        first = self.entries.get(entry.key)
        if first is not None:
            self.error(
                name, sheet, where, "manual_duplicate",
                f"Số liệu nhập tay, {place}: trùng đơn vị, kỳ và chỉ tiêu với dòng {first.line} "
                f"(tệp {first.file}); dùng dòng {first.line}, dòng này bị bỏ qua",
                entry.indicator,
            )  # fmt: skip
            return
        self.entries[entry.key] = entry
        if entry.indicator in self.index.integer and not entry.value.is_integer():
            said = f"Số liệu nhập tay, {place}: chỉ tiêu đếm số nhưng có số lẻ {vnformat.auto(entry.value)}"
            self.issues.append(Issue(name, sheet, where, "warning", "non_integer", said, entry.indicator))

    def _check(
        self, name: str, sheet: str, r: int, cells: dict, raws: dict, where: str
    ) -> tuple[str, ManualEntry | None]:
        """(what is wrong, "" when nothing; the entry when the line is usable)."""
        missing = [WORDS[f] for f in REQUIRED if not cells[f]]
        if missing:
            return f"thiếu {', '.join(missing)}", None
        quarter = parse_period(cells["period"])
        if quarter is None:
            return f"không đọc được kỳ báo cáo “{cells['period']}” (ghi như “quý III/2025” hoặc “2025Q3”)", None
        unit = self.registry.match(cells["unit"], quarter)
        if unit is None:
            return f"không có đơn vị “{cells['unit']}” trong danh sách đơn vị (config/units.yaml)", None
        if not unit.active_in(quarter):
            return f"{unit.name} không thuộc danh sách đơn vị báo cáo {quarter.vn}", None
        code, problem = self._indicator(cells["indicator"], quarter)
        if problem:
            return problem, None
        parsed = parse_cell(raws["value"], code in self.index.integer)
        if parsed.value is None:
            return f"số liệu “{cells['value']}” không phải là một số", None
        if parsed.value < 0:
            return f"số liệu âm “{cells['value']}”", None
        cap = self.catalogue.cap(code, unit.type)
        if cap is not None and parsed.value > cap:
            return f"số liệu “{cells['value']}” vượt quá mức tối đa có thể trong một quý ({vnformat.auto(cap)})", None
        day = _day(raws["entered_on"], cells["entered_on"])
        if day is None:
            return f"không đọc được ngày nhập “{cells['entered_on']}” (ghi như “15/10/2025”)", None
        if period_dates(quarter)[0] > day:
            return f"{quarter.vn} chưa bắt đầu vào ngày nhập {vn_date(day)} (kiểm tra năm của kỳ báo cáo)", None
        entry = ManualEntry(
            unit.code, unit.name, quarter.label, code, float(parsed.value), parsed.approx, fmt_raw(raws["value"]),
            cells["reason"], cells["entered_by"], day.isoformat(), cells.get("document", ""),
            name, sheet, where, r + 1,
        )  # fmt: skip
        return "", entry

    def _indicator(self, text: str, quarter: Quarter) -> tuple[str, str]:
        """(code, "") for an indicator a unit reports in `quarter`'s forms; ("", what is wrong) otherwise."""
        code = self.index.by_code(text) or self.index.by_label(text)
        if code is None:
            return "", f"không có chỉ tiêu “{text}” trong danh mục (ghi mã chỉ tiêu, như trong biểu mẫu)"
        name = self.catalogue.indicator(code).name
        if code in self.index.derived:
            return "", f"“{name}” là tỷ lệ, được tính từ các số liệu thành phần; hãy nhập các số liệu đó"
        if quarter.label not in self._inputs:
            self._inputs[quarter.label] = {i.code for i in self.catalogue.for_quarter(quarter).input_indicators()}
        if code not in self._inputs[quarter.label]:
            return "", f"chỉ tiêu “{name}” không có trong biểu mẫu áp dụng cho {quarter.vn}"
        return code, ""


EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's serial dates (1900 system, past its leap-year bug)


def _day(raw: object, text: str) -> date | None:
    """The day of entry: an Excel date, an Excel serial number (a date cell formatted General: 46309), or typed."""
    if isinstance(raw, date):
        return parse_date(raw)
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 20_000 <= raw <= 80_000 and raw == int(raw):
        return EXCEL_EPOCH + timedelta(days=int(raw))
    return parse_date(text)


def _text(raw: object) -> str:
    return "" if raw is None else (raw.isoformat() if isinstance(raw, date) else fmt_raw(raw).strip())
