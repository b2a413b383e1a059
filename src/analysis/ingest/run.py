"""Ingest: a folder of unit submissions → tidy, validated tables with lineage.

Shape: `discover` files → `parse_submission` each in a worker (never raises: a broken file becomes a rejected
submission), its validation rules checked and its record encoded there → as each arrives, the record goes to the
on-disk store (`records`), leaving a small `Entry` in memory → `resolve_supersession` (latest file per unit and
quarter wins) and the other steps that look across files, on the entries → the tables, written chunk by chunk from
the store (`write_tables`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analysis.catalogue.model import Catalogue, load_catalogue
from analysis.catalogue.rules import check_rules, rule_codes
from analysis.core import vnformat
from analysis.core.config import ProvinceConfig, load_province_config
from analysis.core.outputs import read_table, write_chunks, write_table
from analysis.core.periods import Quarter, find_periods, period_dates, quarter_range
from analysis.core.units import Unit, UnitRegistry, load_units
from analysis.ingest import preflight
from analysis.ingest.extract import FoundValue, IndicatorIndex, Located, extract_sheet, vote
from analysis.ingest.isolation import WorkerLimits, iter_isolated
from analysis.ingest.numbers import ParsedValue
from analysis.ingest.records import RecordStore, encode_body
from analysis.ingest.workbook import SUPPORTED_SUFFIXES, WorkbookError, read_workbook

REJECTED_SUFFIXES = (".xlsb", ".xltx", ".xltm")
TABLES = ("values", "submissions", "issues", "completeness")

VALUE_COLUMNS = [
    "unit_code",
    "unit_name",
    "period",
    "indicator",
    "value",
    "approx",
    "status",
    "raw",
    "note",
    "remark",
    "source_file",
    "sheet",
    "cell",
]
SUBMISSION_COLUMNS = [
    "file",
    "sha256",
    "size_bytes",
    "unit_code",
    "unit_name",
    "period",
    "report_date",
    "status",
    "reason",
    "superseded_by",
    "unit_source",
    "period_source",
    "n_values",
    "n_errors",
    "n_warnings",
]
ISSUE_COLUMNS = [
    "file",
    "sheet",
    "cell",
    "severity",
    "rule",
    "message",
    "unit_code",
    "period",
    "indicator",
    "submission_status",
]
COMPLETENESS_COLUMNS = [
    "period",
    "unit_code",
    "unit_name",
    "unit_type",
    "expected",
    "received",
    "on_time",
    "report_date",
    "deadline",
    "source_file",
    "indicators_reported",
    "indicators_expected",
    "status",
]

STATUS_VN = {"accepted": "được chấp nhận", "superseded": "bị thay thế", "rejected": "bị từ chối"}


@dataclass
class Issue:
    file: str
    sheet: str
    cell: str
    severity: str  # error | warning
    rule: str
    message: str
    indicator: str = ""


@dataclass
class Submission:
    file: str  # path relative to the raw folder, POSIX separators
    sha256: str = ""
    size_bytes: int = 0
    mtime: float = 0.0
    unit: Unit | None = None
    unit_source: str = ""
    period: Quarter | None = None
    period_source: str = ""
    report_date: date | None = None
    modified: datetime | None = None
    status: str = "accepted"
    reason: str = ""
    superseded_by: str = ""
    values: list[FoundValue] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def issue(self, severity: str, rule: str, message: str, sheet: str = "", cell: str = "", indicator: str = ""):
        self.issues.append(Issue(self.file, sheet, cell, severity, rule, message, indicator))

    def reject(self, reason: str, rule: str, sheet: str = "", cell: str = "") -> Submission:
        self.status, self.reason = "rejected", reason
        self.issue("error", rule, reason, sheet, cell)
        return self


@dataclass(frozen=True)
class IngestContext:
    catalogue: Catalogue
    index: IndicatorIndex
    registry: UnitRegistry
    province: ProvinceConfig
    limits: preflight.Limits = preflight.Limits()
    worker_limits: WorkerLimits = WorkerLimits()

    @classmethod
    def load(
        cls,
        catalogue: Catalogue | None = None,
        registry: UnitRegistry | None = None,
        province: ProvinceConfig | None = None,
    ) -> IngestContext:
        catalogue = catalogue or load_catalogue()
        return cls(
            catalogue=catalogue,
            index=IndicatorIndex.build(catalogue),
            registry=registry or load_units(),
            province=province or load_province_config(),
        )


class Tables(Mapping[str, pd.DataFrame]):
    """The four tables of an output folder, each read (from Parquet) when first used: a run never holds them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._loaded: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(name)
        if name not in self._loaded:
            self._loaded[name] = read_table(self.folder, name)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)

    def rows(self, name: str) -> int:
        """Rows of a table, without reading it when it is not read yet (Parquet metadata)."""
        if name in self._loaded:
            return len(self._loaded[name])
        return pq.ParquetFile(self.folder / f"{name}.parquet").metadata.num_rows


@dataclass
class IngestResult:
    tables: Tables
    run: object = None  # the incremental run's counts

    def summary_vn(self) -> str:
        status = Counter(self.tables["submissions"]["status"])
        severity = Counter(self.tables["issues"]["severity"]) if len(self.tables["issues"]) else Counter()
        parts = ", ".join(f"{status.get(k, 0)} {v}" for k, v in STATUS_VN.items())
        return (
            f"Đã xử lý {len(self.tables['submissions'])} tệp: {parts}. "
            f"Vấn đề phát hiện: {severity.get('error', 0)} lỗi, {severity.get('warning', 0)} cảnh báo. "
            f"{vnformat.number(self.tables.rows('values'))} giá trị số liệu."
        )

    @property
    def has_errors(self) -> bool:
        return bool((self.tables["issues"]["severity"] == "error").any())


# --------------------------------------------------------------------------------------------------- discover


def discover(raw_dir: Path) -> list[Path]:
    """Every spreadsheet-like file under `raw_dir` (any depth), sorted; Excel lock files and hidden files skipped."""
    suffixes = SUPPORTED_SUFFIXES + REJECTED_SUFFIXES
    found = [
        p
        for p in raw_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in suffixes
        and not p.name.startswith(("~$", "."))
        and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts[:-1])
    ]
    return sorted(found, key=lambda p: p.relative_to(raw_dir).as_posix())


# ------------------------------------------------------------------------------------------------------ parse


def parse_submission(path: Path, raw_dir: Path, ctx: IngestContext) -> Submission:
    """One file → a Submission. Never raises: anything unexpected rejects this file only."""
    sub = Submission(file=path.relative_to(raw_dir).as_posix())
    try:
        return _parse(path, sub, ctx)
    except Exception as exc:  # one broken file must never stop the others
        return sub.reject(f"Lỗi không lường trước khi đọc tệp: {type(exc).__name__}: {exc}", "unexpected_error")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _file_facts(path: Path, sub: Submission) -> Submission:
    stat = path.stat()
    sub.sha256, sub.size_bytes, sub.mtime = file_sha256(path), stat.st_size, stat.st_mtime
    return sub


def _parse(path: Path, sub: Submission, ctx: IngestContext) -> Submission:
    _file_facts(path, sub)
    if path.suffix.lower() in REJECTED_SUFFIXES:
        return sub.reject(
            f"Định dạng {path.suffix} không được hỗ trợ; hãy lưu lại dưới dạng Excel .xlsx theo mẫu",
            "unsupported_format",
        )
    try:
        preflight.check(path, ctx.limits)
        book = read_workbook(path)
    except WorkbookError as exc:
        return sub.reject(exc.reason, "unreadable_file")
    sub.modified = book.modified
    sheets = [extract_sheet(grid, ctx.index, ctx.registry, ctx.province.cutoff) for grid in book.sheets]
    hidden = {grid.name for grid in book.sheets if not grid.visible}
    values = [v for s in sheets for v in s.values]
    for name in sorted(hidden & {v.sheet for v in values}):
        sub.issue(
            "warning",
            "hidden_sheet",
            f"Trang tính “{name}” bị ẩn nhưng có số liệu; số liệu vẫn được đọc",
            name,
        )
    if not values:
        return sub.reject("Không tìm thấy chỉ tiêu nào của mẫu biểu (mã số hoặc tên chỉ tiêu)", "no_indicators")
    _resolve_unit(sub, [u for s in sheets for u in s.units], ctx.registry)
    _resolve_period(sub, [p for s in sheets for p in s.periods])
    dates = [d for s in sheets for d in s.report_dates]
    sub.report_date = max((d.value for d in dates), default=None)
    if sub.status == "rejected":
        return sub
    kept = _deduplicate(sub, values)
    sub.values = [v for v in kept if v.indicator not in ctx.index.derived]
    _check_values(sub, ctx)
    _check_typed_ratios(sub, [v for v in kept if v.indicator in ctx.index.derived], ctx.catalogue)
    _check_missing(sub, ctx.catalogue)
    return sub


def _path_text(file: str) -> str:
    return file.rsplit(".", 1)[0].replace("/", " / ")


def _resolve_unit(sub: Submission, found: list[Located], registry: UnitRegistry) -> None:
    unit, distinct = vote(found)
    if len(distinct) > 1:
        names = "; ".join(f"{u.name} ({_where(found, u)})" for u in distinct)
        sub.issue("error", "unit_conflict", f"Tệp ghi nhiều đơn vị khác nhau: {names}; dùng “{unit.name}”")
    path_unit = registry.find_in_text(_path_text(sub.file))
    if unit is None and path_unit is not None:
        unit = path_unit
        sub.unit_source = "file name"
        sub.issue(
            "warning",
            "unit_from_filename",
            f"Không thấy tên đơn vị trong nội dung; lấy theo tên tệp: {unit.name}",
        )
    elif unit is not None:
        sub.unit_source = "content"
    if unit is None:
        sub.reject("Không xác định được đơn vị báo cáo (không có trong nội dung lẫn tên tệp)", "unknown_unit")
        return
    sub.unit = unit


def _resolve_period(sub: Submission, found: list[Located]) -> None:
    period, distinct = vote(found)
    if len(distinct) > 1:
        labels = "; ".join(f"{q.vn_title} ({_where(found, q)})" for q in distinct)
        sub.issue(
            "error",
            "period_conflict",
            f"Tệp ghi nhiều kỳ báo cáo khác nhau: {labels}; dùng {period.vn_title}",
        )
    path_periods = find_periods(_path_text(sub.file))
    path_period = path_periods[0] if len(path_periods) == 1 else None
    if period is None and path_period is not None:
        period = path_period
        sub.period_source = "file name"
        sub.issue(
            "warning",
            "period_from_filename",
            f"Không thấy kỳ báo cáo trong nội dung; lấy theo tên tệp: {period.vn_title}",
        )
    elif period is not None:
        sub.period_source = "content"
        others = [q for q in path_periods if q != period]
        if others:
            sub.issue(
                "warning",
                "period_mismatch_path",
                f"Kỳ báo cáo trong nội dung ({period.vn_title}) khác kỳ ghi ở tên tệp hoặc thư mục "
                f"({', '.join(q.vn_title for q in others)}); dùng kỳ trong nội dung",
            )
    if period is None:
        if sub.status != "rejected":
            sub.reject("Không xác định được kỳ báo cáo (không có trong nội dung lẫn tên tệp)", "unknown_period")
        return
    sub.period = period


def _where(found: list[Located], value: object) -> str:
    first = next(item for item in found if item.value == value)
    return f"{first.sheet}!{first.cell}"


def _deduplicate(sub: Submission, values: list[FoundValue]) -> list[FoundValue]:
    """Keep the first occurrence of each indicator; flag repeats (an error when the numbers differ)."""
    kept: dict[str, FoundValue] = {}
    for v in values:
        first = kept.get(v.indicator)
        if first is None:
            kept[v.indicator] = v
            continue
        same = _same(first.parsed.value, v.parsed.value)
        sub.issue(
            "warning" if same else "error",
            "duplicate_indicator",
            f"Chỉ tiêu {v.indicator} xuất hiện nhiều lần: {first.sheet}!{first.cell} và {v.sheet}!{v.cell}"
            + ("" if same else " với số liệu khác nhau")
            + f"; dùng {first.sheet}!{first.cell}",
            v.sheet,
            v.cell,
            v.indicator,
        )
    return list(kept.values())


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _check_values(sub: Submission, ctx: IngestContext) -> None:
    for v in sub.values:
        p: ParsedValue = v.parsed
        shown = f"“{v.raw}”" if v.raw != "" else "(trống)"
        name = ctx.catalogue.indicator(v.indicator).name
        where = dict(sheet=v.sheet, cell=v.cell, indicator=v.indicator)
        if p.status == "formula_no_cache":
            sub.issue(
                "error",
                "formula_no_cache",
                f"{name}: ô có công thức nhưng chưa có giá trị tính sẵn; hãy mở tệp bằng Excel, tính lại và lưu",
                **where,
            )
        elif p.status == "invalid":
            sub.issue("error", "invalid_number", f"{name}: không đọc được số từ {shown}. {p.note}".strip(), **where)
        if p.value is not None and p.value < 0:
            sub.issue("error", "negative_value", f"{name}: số âm {shown}", **where)
        elif p.value is not None and v.indicator in ctx.index.integer and not float(p.value).is_integer():
            sub.issue("warning", "non_integer", f"{name}: chỉ tiêu đếm số nhưng có số lẻ {shown}", **where)
        if p.approx:
            sub.issue("warning", "approx_value", f"{name}: số liệu ước tính {shown}", **where)
        if v.label_conflict:
            other = ctx.catalogue.indicator(v.label_conflict).name
            sub.issue(
                "warning",
                "label_code_mismatch",
                f"Mã số {v.indicator} nhưng tên dòng là “{other}” ({v.label_conflict}); dùng theo mã số",
                **where,
            )
        if v.merged_part:
            sub.issue("warning", "merged_value_cell", f"{name}: ô số liệu nằm trong vùng ô gộp", **where)


RATIO_TOLERANCE = 0.15  # percentage points: a rate typed with one decimal may differ by rounding


def _check_typed_ratios(sub: Submission, typed: list[FoundValue], catalogue: Catalogue) -> None:
    """A rate the unit typed over the template's formula must agree with its own figures (it is never stored)."""
    own = {v.indicator: v.parsed.value for v in sub.values}
    for v in typed:
        if v.parsed.value is None or v.parsed.status not in ("number", "text_number"):
            continue
        ind = catalogue.indicator(v.indicator)
        expected = ind.ratio(own)
        if expected is None or abs(expected - v.parsed.value) > RATIO_TOLERANCE:
            shown = "không tính được (thiếu số liệu hoặc mẫu số bằng 0)" if expected is None else f"{expected:.1f}"
            sub.issue(
                "warning",
                "ratio_mismatch",
                f"{ind.name}: đơn vị ghi “{_fmt_raw(v.raw)}” nhưng tính lại từ số liệu "
                f"({ind.numerator}/{ind.denominator}) là {shown.replace('.', ',')}; dùng giá trị tính lại",
                v.sheet,
                v.cell,
                v.indicator,
            )


def _check_missing(sub: Submission, catalogue: Catalogue) -> None:
    present = {v.indicator for v in sub.values}
    for area in catalogue.areas:
        missing = [i.code for i in catalogue.indicators_in(area.code) if i.is_input and i.code not in present]
        if missing:
            sub.issue(
                "warning",
                "missing_indicators",
                f"{area.form} ({area.title}): thiếu {len(missing)} chỉ tiêu: {', '.join(missing)}",
            )


# --------------------------------------------------------------------------------------------- the stored record
#
# The worker that parsed a submission also checks its rules and encodes its record (summary, values as table rows,
# issues); the parent appends it to the record store (`records`) as it arrives and keeps only an `Entry` per file,
# for the steps that look across files; the tables are then written chunk by chunk from the store.


def rule_issues(sub: Submission, catalogue: Catalogue) -> list[Issue]:
    """The catalogue's validation rules on one submission's own values (no rule looks across files), anchored at
    the first cell of the rule that is present."""
    by_code = {v.indicator: v for v in sub.values}
    values = {code: v.parsed.value for code, v in by_code.items()}
    found = []
    for violation in check_rules(values, catalogue.rules):
        anchor = next((by_code[c] for c in rule_codes(violation.rule) if c in by_code), None)
        where = (anchor.sheet, anchor.cell) if anchor else ("", "")
        rule, message = f"rule:{violation.rule.code}", violation.message
        found.append(
            Issue(sub.file, *where, violation.rule.severity, rule, message, anchor.indicator if anchor else "")
        )
    return found


def record_of(sub: Submission, catalogue: Catalogue) -> tuple[dict, bytes]:
    """(summary, encoded body) of a parsed submission, for the store. The body holds its value rows, in indicator
    order, and its issue rows: its own issues, then the rule violations (found now, counted only if the submission
    stays accepted)."""
    rules = rule_issues(sub, catalogue) if sub.status == "accepted" else []
    order = {ind.code: ind.order for ind in catalogue.indicators}
    values = sorted(sub.values, key=lambda v: order[v.indicator])
    summary = {
        "file": sub.file,
        "sha256": sub.sha256,
        "size_bytes": sub.size_bytes,
        "mtime": sub.mtime,
        "unit": sub.unit.code if sub.unit else None,
        "unit_source": sub.unit_source,
        "period": sub.period.label if sub.period else None,
        "period_source": sub.period_source,
        "report_date": sub.report_date.isoformat() if sub.report_date else None,
        "modified": sub.modified.isoformat() if sub.modified else None,
        "status": sub.status,
        "reason": sub.reason,
        "n_values": len(values),
        "n_reported": sum(v.parsed.value is not None for v in values),
        "n_own": len(sub.issues),
        "own": _severities(sub.issues),
        "rules": _severities(rules),
    }
    value_rows = [
        [v.indicator, v.parsed.value, v.parsed.approx, v.parsed.status, _fmt_raw(v.raw), v.parsed.note, v.remark,
         v.sheet, v.cell]
        for v in values
    ]  # fmt: skip
    issue_rows = [[i.sheet, i.cell, i.severity, i.rule, i.message, i.indicator] for i in sub.issues + rules]
    return summary, encode_body(value_rows, issue_rows)


def _severities(issues: list[Issue]) -> list[int]:
    """[errors, warnings]."""
    count = Counter(i.severity for i in issues)
    return [count.get("error", 0), count.get("warning", 0)]


@dataclass
class Entry:
    """One parsed file as the steps across files see it: the submission without its values and issues (those
    stay in the record store at `offset`; its `issues` here are only those the steps across files add)."""

    sub: Submission
    offset: int
    n_values: int
    n_reported: int
    n_own: int  # its own issues (stored first, then its rule violations)
    own: tuple[int, int]  # its own issues: errors, warnings
    rules: tuple[int, int]  # its rule violations: errors, warnings

    def severities(self) -> tuple[int, int]:
        """Errors and warnings in the end: its own, those added across files, the rules' if it is accepted."""
        added = _severities(self.sub.issues)
        rules = self.rules if self.sub.status == "accepted" else (0, 0)
        return self.own[0] + added[0] + rules[0], self.own[1] + added[1] + rules[1]


def entry_of(summary: dict, offset: int, registry: UnitRegistry) -> Entry:
    """The in-memory entry of a stored record (the same for a file parsed now and one reused from the cache)."""
    sub = Submission(
        file=summary["file"],
        sha256=summary["sha256"],
        size_bytes=summary["size_bytes"],
        mtime=summary["mtime"],
        unit=registry.get(summary["unit"]) if summary["unit"] else None,
        unit_source=summary["unit_source"],
        period=Quarter.parse(summary["period"]) if summary["period"] else None,
        period_source=summary["period_source"],
        report_date=date.fromisoformat(summary["report_date"]) if summary["report_date"] else None,
        modified=datetime.fromisoformat(summary["modified"]) if summary["modified"] else None,
        status=summary["status"],
        reason=summary["reason"],
    )
    own, rules = summary["own"], summary["rules"]
    counts = summary["n_values"], summary["n_reported"], summary["n_own"]
    return Entry(sub, offset, *counts, (own[0], own[1]), (rules[0], rules[1]))


# --------------------------------------------------------------------------------------- across submissions


def resolve_supersession(subs: list[Submission]) -> None:
    """Per unit and quarter, the latest accepted file wins (report date in the file, then file time)."""
    groups: dict[tuple[str, Quarter], list[Submission]] = defaultdict(list)
    for s in subs:
        if s.status == "accepted":
            groups[(s.unit.code, s.period)].append(s)
    for group in groups.values():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=_recency, reverse=True)
        winner = ordered[0]
        for s in ordered[1:]:
            s.status, s.superseded_by = "superseded", winner.file
            s.reason = f"Đã có bản nộp mới hơn của cùng đơn vị và kỳ: {winner.file}"
            s.issue("warning", "superseded", s.reason)


def _recency(s: Submission) -> tuple:
    modified = s.modified.timestamp() if s.modified else s.mtime
    return (s.report_date or date.min, modified, s.mtime, s.file)


def check_unexpected(subs: list[Submission]) -> None:
    for s in subs:
        if s.status == "accepted" and not s.unit.active_in(s.period):
            s.issue(
                "warning",
                "unexpected_unit",
                f"{s.unit.name} không thuộc danh sách đơn vị báo cáo {s.period.vn}",
            )


# ----------------------------------------------------------------------------------------------------- tables

CHUNK_ROWS = 50_000  # rows of the values and issues tables held in memory at once while they are written


def _fmt_raw(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, date | datetime):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _frames(rows: Iterable[list], columns: list[str], dtypes: dict[str, str]) -> Iterator[pd.DataFrame]:
    """Rows in DataFrames of at most CHUNK_ROWS rows (at least one frame, empty when there are no rows)."""
    rows = iter(rows)
    first = True
    while (chunk := list(itertools.islice(rows, CHUNK_ROWS))) or first:
        first = False
        yield pd.DataFrame(chunk, columns=columns).astype(dtypes)


def value_frames(entries: list[Entry], store: RecordStore) -> Iterator[pd.DataFrame]:
    """The values table in chunks: accepted submissions by quarter and unit (one each), values in catalogue order."""
    accepted = sorted(
        (e for e in entries if e.sub.status == "accepted"), key=lambda e: (e.sub.period.label, e.sub.unit.code)
    )
    rows = (
        [e.sub.unit.code, e.sub.unit.name, e.sub.period.label, *row[:7], e.sub.file, *row[7:]]
        for e in accepted
        for row in store.values(e.offset)
    )
    return _frames(rows, VALUE_COLUMNS, {"value": "float64", "approx": "bool"})


def issue_frames(entries: list[Entry], store: RecordStore) -> Iterator[pd.DataFrame]:
    """The issues table in chunks, by file: a file's own issues, those found across files, then (if it stays
    accepted) its rule violations."""
    return _frames(
        (row for e in sorted(entries, key=lambda e: e.sub.file) for row in _issue_rows(e, store)), ISSUE_COLUMNS, {}
    )


def _issue_rows(e: Entry, store: RecordStore) -> Iterator[list]:
    s = e.sub
    with_rules = s.status == "accepted" and sum(e.rules) > 0
    stored = store.issues(e.offset) if e.n_own or with_rules else []
    added = [[i.sheet, i.cell, i.severity, i.rule, i.message, i.indicator] for i in s.issues]
    kept = stored[: e.n_own] + added + (stored[e.n_own :] if with_rules else [])
    unit, period = (s.unit.code if s.unit else ""), (s.period.label if s.period else "")
    for sheet, cell, severity, rule, message, indicator in kept:
        yield [s.file, sheet, cell, severity, rule, message, unit, period, indicator, s.status]


def submissions_table(entries: list[Entry]) -> pd.DataFrame:
    rows = []
    for e in entries:
        s = e.sub
        errors, warnings = e.severities()
        rows.append(
            {
                "file": s.file,
                "sha256": s.sha256,
                "size_bytes": s.size_bytes,
                "unit_code": s.unit.code if s.unit else "",
                "unit_name": s.unit.name if s.unit else "",
                "period": s.period.label if s.period else "",
                "report_date": s.report_date.isoformat() if s.report_date else "",
                "status": s.status,
                "reason": s.reason,
                "superseded_by": s.superseded_by,
                "unit_source": s.unit_source,
                "period_source": s.period_source,
                "n_values": e.n_values,
                "n_errors": errors,
                "n_warnings": warnings,
            }
        )
    df = pd.DataFrame(rows, columns=SUBMISSION_COLUMNS)
    return df.sort_values("file", kind="stable").reset_index(drop=True).astype({"size_bytes": "int64"})


def completeness_table(entries: list[Entry], ctx: IngestContext) -> pd.DataFrame:
    """Expected vs received reports per unit and quarter, with on-time status where a deadline is configured."""
    accepted = {(e.sub.unit.code, e.sub.period): e for e in entries if e.sub.status == "accepted"}
    if not accepted:
        return pd.DataFrame(columns=COMPLETENESS_COLUMNS)
    last = max(q for _, q in accepted)
    first = min(ctx.province.first_period, min(q for _, q in accepted))
    n_inputs = len(ctx.catalogue.input_indicators())
    rows = []
    for q in quarter_range(first, last):
        deadline = _deadline(q, ctx.province)
        units = {u.code: u for u in ctx.registry.active(q)}
        units.update({code: e.sub.unit for (code, p), e in accepted.items() if p == q})
        for code in sorted(units):
            unit, e = units[code], accepted.get((code, q))
            s = e.sub if e else None
            on_time = None
            if s is not None and deadline is not None and s.report_date is not None:
                on_time = s.report_date <= deadline
            rows.append(
                {
                    "period": q.label,
                    "unit_code": code,
                    "unit_name": unit.name,
                    "unit_type": unit.type,
                    "expected": unit.active_in(q),
                    "received": s is not None,
                    "on_time": on_time,
                    "report_date": s.report_date.isoformat() if s and s.report_date else "",
                    "deadline": deadline.isoformat() if deadline else "",
                    "source_file": s.file if s else "",
                    "indicators_reported": e.n_reported if e else 0,
                    "indicators_expected": n_inputs,
                    "status": _completeness_status(s is not None, on_time, deadline is not None),
                }
            )
    return pd.DataFrame(rows, columns=COMPLETENESS_COLUMNS).astype(
        {"expected": "bool", "received": "bool", "on_time": "boolean"}
    )


def _deadline(q: Quarter, province: ProvinceConfig) -> date | None:
    if province.deadline_days is None:
        return None
    return period_dates(q, province.cutoff)[1] + timedelta(days=province.deadline_days)


def _completeness_status(received: bool, on_time: bool | None, has_deadline: bool) -> str:
    if not received:
        return "Chưa nộp"
    if on_time is None:
        return "Đã nộp" if not has_deadline else "Đã nộp (không rõ ngày báo cáo)"
    return "Đã nộp đúng hạn" if on_time else "Nộp muộn"


def write_tables(entries: list[Entry], store: RecordStore, ctx: IngestContext, out_dir: Path) -> None:
    """The steps that look across files, then the four tables written into `out_dir` (each file atomically;
    values and issues chunk by chunk from the store)."""
    subs = [e.sub for e in entries]
    resolve_supersession(subs)
    check_unexpected(subs)
    write_chunks(value_frames(entries, store), out_dir, "values")
    write_table(submissions_table(entries), out_dir, "submissions")
    write_chunks(issue_frames(entries, store), out_dir, "issues")
    write_table(completeness_table(entries, ctx), out_dir, "completeness")


# ------------------------------------------------------------------------------------------------------- run


FAILURE_REASONS = {
    "crash": "Trình đọc tệp bị dừng bất thường khi đọc tệp này (tệp hỏng, quá lớn hoặc có thể độc hại)",
    "timeout": "Đọc tệp quá thời gian cho phép (tệp hỏng, quá lớn hoặc có thể độc hại)",
    "error": "Lỗi không lường trước khi đọc tệp",
}


def parse_record(path: Path, raw_dir: Path, ctx: IngestContext) -> tuple[dict, bytes]:
    """One file parsed, its rules checked and its record encoded — all in the worker: the parent only stores it."""
    return record_of(parse_submission(path, raw_dir, ctx), ctx.catalogue)


def parse_stream(
    paths: list[Path], raw_dir: Path, ctx: IngestContext, workers: int | None = None
) -> Iterator[tuple[dict, bytes]]:
    """Parse every file in isolated worker processes, yielding each record (`record_of`) as it arrives (in no set
    order): a parser crash, memory blow-up or hang rejects that file."""

    def failed(path: Path, kind: str, detail: str) -> tuple[dict, bytes]:
        sub = _file_facts(path, Submission(file=path.relative_to(raw_dir).as_posix()))
        return record_of(sub.reject(f"{FAILURE_REASONS[kind]} ({detail})", f"parser_{kind}"), ctx.catalogue)

    parse = functools.partial(parse_record, raw_dir=raw_dir, ctx=ctx)
    for _, record in iter_isolated(parse, paths, failed, workers, ctx.worker_limits):
        yield record


def ingest(raw_dir: str | Path, ctx: IngestContext | None = None, workers: int | None = None) -> IngestResult:
    """Parse every submission under `raw_dir` and return the four tables in memory (a full run in a temporary
    folder, so it is exactly what `run_ingest` writes)."""
    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        result = run_ingest(raw_dir, tmp, ctx, workers, force=True)
        for name in TABLES:
            result.tables[name]  # read now: the folder goes away
    return result


def run_ingest(
    raw_dir: str | Path,
    out_dir: str | Path,
    ctx: IngestContext | None = None,
    workers: int | None = None,
    force: bool = False,
) -> IngestResult:
    """Ingest into `out_dir`, parsing only files that changed since the last run there (see `incremental`)."""
    from analysis.ingest.incremental import run_incremental

    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"Không tìm thấy thư mục dữ liệu gốc: {raw_dir}")
    run = run_incremental(raw_dir, Path(out_dir), ctx or IngestContext.load(), workers, force)
    run.result.run = run
    return run.result


__all__ = ["IngestContext", "IngestResult", "Issue", "Submission", "Tables", "ingest", "run_ingest"]
