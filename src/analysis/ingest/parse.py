"""Parsing: the files of a raw folder (`discover`), one file → a `Submission` (`parse_submission`: read, extract,
resolve its unit and period, check its values), and every file parsed in isolated workers (`parse_stream`), each
yielding its encoded record."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path

from analysis.core.periods import find_periods
from analysis.core.units import UnitRegistry
from analysis.ingest import preflight
from analysis.ingest.checks import check_missing, check_typed_ratios, check_values, deduplicate
from analysis.ingest.extract import Located, extract_sheet, vote
from analysis.ingest.isolation import iter_isolated
from analysis.ingest.record import record_of
from analysis.ingest.submission import IngestContext, Submission
from analysis.ingest.workbook import SUPPORTED_SUFFIXES, WorkbookError, read_workbook

REJECTED_SUFFIXES = (".xlsb", ".xltx", ".xltm")  # listed, so that each is rejected with a reason
FAILURE_REASONS = {  # the worker parsing a file died, hung or raised
    "crash": "Trình đọc tệp bị dừng bất thường khi đọc tệp này (tệp hỏng, quá lớn hoặc có thể độc hại)",
    "timeout": "Đọc tệp quá thời gian cho phép (tệp hỏng, quá lớn hoặc có thể độc hại)",
    "error": "Lỗi không lường trước khi đọc tệp",
}


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
    """The file's digest, size and modification time, onto `sub`."""
    stat = path.stat()
    sub.sha256, sub.size_bytes, sub.mtime = file_sha256(path), stat.st_size, stat.st_mtime
    return sub


def _parse(path: Path, sub: Submission, ctx: IngestContext) -> Submission:
    """Read, extract every sheet, resolve the unit and period, keep one value per indicator, check them."""
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
    kept = deduplicate(sub, values)
    sub.values = [v for v in kept if v.indicator not in ctx.index.derived]
    check_values(sub, ctx)
    check_typed_ratios(sub, [v for v in kept if v.indicator in ctx.index.derived], ctx.catalogue)
    check_missing(sub, ctx.catalogue)
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
