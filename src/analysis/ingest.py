"""Ingest: a folder of unit submissions → tidy, validated tables with lineage.

Shape: `discover` files → `parse_submission` each (never raises: a broken file becomes a rejected submission) →
`resolve_supersession` (latest file per unit and quarter wins) → `validate` rules → `completeness` → `save`.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from analysis import preflight, vnformat
from analysis.catalogue import Catalogue, load_catalogue
from analysis.config import ProvinceConfig, load_province_config
from analysis.extract import FoundValue, IndicatorIndex, Located, extract_sheet, vote
from analysis.isolation import WorkerLimits, map_isolated
from analysis.numbers import ParsedValue
from analysis.outputs import write_table
from analysis.periods import Quarter, find_periods, period_dates, quarter_range
from analysis.rules import check_rules, rule_codes
from analysis.units import Unit, UnitRegistry, load_units
from analysis.workbook import SUPPORTED_SUFFIXES, WorkbookError, read_workbook

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


@dataclass
class IngestResult:
    submissions: list[Submission]  # empty when an incremental run found nothing changed (tables read back)
    tables: dict[str, pd.DataFrame]
    run: object = None  # the incremental run's counts, when there was one

    def summary_vn(self) -> str:
        status = Counter(self.tables["submissions"]["status"])
        severity = Counter(self.tables["issues"]["severity"]) if len(self.tables["issues"]) else Counter()
        parts = ", ".join(f"{status.get(k, 0)} {v}" for k, v in STATUS_VN.items())
        return (
            f"Đã xử lý {len(self.tables['submissions'])} tệp: {parts}. "
            f"Vấn đề phát hiện: {severity.get('error', 0)} lỗi, {severity.get('warning', 0)} cảnh báo. "
            f"{vnformat.number(len(self.tables['values']))} giá trị số liệu."
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


def _file_facts(path: Path, sub: Submission) -> Submission:
    stat = path.stat()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    sub.sha256, sub.size_bytes, sub.mtime = digest.hexdigest(), stat.st_size, stat.st_mtime
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


def validate(subs: list[Submission], catalogue: Catalogue) -> None:
    """Run the catalogue's validation rules on every accepted submission."""
    for s in subs:
        if s.status != "accepted":
            continue
        by_code = {v.indicator: v for v in s.values}
        values = {code: v.parsed.value for code, v in by_code.items()}
        for violation in check_rules(values, catalogue.rules):
            anchor = next((by_code[c] for c in rule_codes(violation.rule) if c in by_code), None)
            s.issue(
                violation.rule.severity,
                f"rule:{violation.rule.code}",
                violation.message,
                anchor.sheet if anchor else "",
                anchor.cell if anchor else "",
                anchor.indicator if anchor else "",
            )


# ----------------------------------------------------------------------------------------------------- tables


def _fmt_raw(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, date | datetime):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def values_table(subs: list[Submission], catalogue: Catalogue) -> pd.DataFrame:
    order = {ind.code: ind.order for ind in catalogue.indicators}
    rows = [
        {
            "unit_code": s.unit.code,
            "unit_name": s.unit.name,
            "period": s.period.label,
            "indicator": v.indicator,
            "value": v.parsed.value,
            "approx": v.parsed.approx,
            "status": v.parsed.status,
            "raw": _fmt_raw(v.raw),
            "note": v.parsed.note,
            "remark": v.remark,
            "source_file": s.file,
            "sheet": v.sheet,
            "cell": v.cell,
            "_order": order[v.indicator],
        }
        for s in subs
        if s.status == "accepted"
        for v in s.values
    ]
    df = pd.DataFrame(rows, columns=[*VALUE_COLUMNS, "_order"])
    return (
        df.sort_values(["period", "unit_code", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
        .astype({"value": "float64", "approx": "bool"})
    )


def submissions_table(subs: list[Submission]) -> pd.DataFrame:
    rows = []
    for s in subs:
        severity = Counter(i.severity for i in s.issues)
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
                "n_values": len(s.values),
                "n_errors": severity.get("error", 0),
                "n_warnings": severity.get("warning", 0),
            }
        )
    df = pd.DataFrame(rows, columns=SUBMISSION_COLUMNS)
    return df.sort_values("file", kind="stable").reset_index(drop=True).astype({"size_bytes": "int64"})


def issues_table(subs: list[Submission]) -> pd.DataFrame:
    rows = [
        {
            "file": i.file,
            "sheet": i.sheet,
            "cell": i.cell,
            "severity": i.severity,
            "rule": i.rule,
            "message": i.message,
            "unit_code": s.unit.code if s.unit else "",
            "period": s.period.label if s.period else "",
            "indicator": i.indicator,
            "submission_status": s.status,
        }
        for s in subs
        for i in s.issues
    ]
    df = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    return df.sort_values(["file"], kind="stable").reset_index(drop=True)


def completeness_table(subs: list[Submission], ctx: IngestContext) -> pd.DataFrame:
    """Expected vs received reports per unit and quarter, with on-time status where a deadline is configured."""
    accepted = {(s.unit.code, s.period): s for s in subs if s.status == "accepted"}
    if not accepted:
        return pd.DataFrame(columns=COMPLETENESS_COLUMNS)
    last = max(q for _, q in accepted)
    first = min(ctx.province.first_period, min(q for _, q in accepted))
    n_inputs = len(ctx.catalogue.input_indicators())
    rows = []
    for q in quarter_range(first, last):
        deadline = _deadline(q, ctx.province)
        units = {u.code: u for u in ctx.registry.active(q)}
        units.update({code: s.unit for (code, p), s in accepted.items() if p == q})
        for code in sorted(units):
            unit, s = units[code], accepted.get((code, q))
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
                    "indicators_reported": sum(v.parsed.value is not None for v in s.values) if s else 0,
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


# ------------------------------------------------------------------------------------------------------- run


FAILURE_REASONS = {
    "crash": "Trình đọc tệp bị dừng bất thường khi đọc tệp này (tệp hỏng, quá lớn hoặc có thể độc hại)",
    "timeout": "Đọc tệp quá thời gian cho phép (tệp hỏng, quá lớn hoặc có thể độc hại)",
    "error": "Lỗi không lường trước khi đọc tệp",
}


def parse_all(paths: list[Path], raw_dir: Path, ctx: IngestContext, workers: int | None = None) -> list[Submission]:
    """Parse every file in isolated worker processes: a parser crash, memory blow-up or hang rejects that file."""

    def failed(path: Path, kind: str, detail: str) -> Submission:
        sub = _file_facts(path, Submission(file=path.relative_to(raw_dir).as_posix()))
        return sub.reject(f"{FAILURE_REASONS[kind]} ({detail})", f"parser_{kind}")

    parse = functools.partial(parse_submission, raw_dir=raw_dir, ctx=ctx)
    return map_isolated(parse, paths, failed, workers, ctx.worker_limits)


def ingest(raw_dir: str | Path, ctx: IngestContext | None = None, workers: int | None = None) -> IngestResult:
    """Parse every submission under `raw_dir` and build the four tables (nothing written)."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"Không tìm thấy thư mục dữ liệu gốc: {raw_dir}")
    ctx = ctx or IngestContext.load()
    return finish(parse_all(discover(raw_dir), raw_dir, ctx, workers), ctx)


def finish(subs: list[Submission], ctx: IngestContext) -> IngestResult:
    """The steps that look across files, then the four tables."""
    resolve_supersession(subs)
    check_unexpected(subs)
    validate(subs, ctx.catalogue)
    tables = {
        "values": values_table(subs, ctx.catalogue),
        "submissions": submissions_table(subs),
        "issues": issues_table(subs),
        "completeness": completeness_table(subs, ctx),
    }
    return IngestResult(subs, tables)


def save(result: IngestResult, out_dir: str | Path) -> list[Path]:
    """Write every table as CSV and Parquet (each file atomically)."""
    out_dir = Path(out_dir)
    written = []
    for name in TABLES:
        written += write_table(result.tables[name], out_dir, name)
    return written


def run_ingest(
    raw_dir: str | Path,
    out_dir: str | Path,
    ctx: IngestContext | None = None,
    workers: int | None = None,
    force: bool = False,
) -> IngestResult:
    """Ingest into `out_dir`, parsing only files that changed since the last run there (see `incremental`)."""
    from analysis.incremental import run_incremental

    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"Không tìm thấy thư mục dữ liệu gốc: {raw_dir}")
    run = run_incremental(raw_dir, Path(out_dir), ctx or IngestContext.load(), workers, force)
    run.result.run = run
    return run.result


__all__ = ["IngestContext", "IngestResult", "Issue", "Submission", "finish", "ingest", "run_ingest", "save"]
