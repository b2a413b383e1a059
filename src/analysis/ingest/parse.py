"""Parsing: the files of a raw folder (`discover`), one file → a `Submission` (`parse_submission`: read, extract,
read the sheets printed in a circular's layout (`official_book`), resolve its unit and period, check its values;
a consolidated file also gives one submission per other unit it has a row for), and every file parsed in isolated
workers (`parse_stream`), each yielding its encoded records."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from analysis.catalogue.assignment import owed_areas
from analysis.core.digest import file_sha256
from analysis.core.periods import Quarter, find_periods, period_dates
from analysis.core.units import Unit, UnitRegistry
from analysis.ingest import preflight
from analysis.ingest.checks import check_missing, check_typed_ratios, check_values, deduplicate
from analysis.ingest.discover import Discovery, scan
from analysis.ingest.extract import MAX_KEY_COLUMNS, FoundValue, Located, SheetResult, extract_sheet, vote
from analysis.ingest.form_version import check_version, in_version
from analysis.ingest.isolation import iter_isolated
from analysis.ingest.list_sheets import keep_lists, only_lists, read_list_sheet
from analysis.ingest.official_book import (
    Layouts,
    areas_read,
    official_tables,
    outside_rows,
    outside_table,
    sole_unit,
    sole_unit_mention,
    split_rows,
)
from analysis.ingest.record import record_of
from analysis.ingest.submission import IngestContext, Submission
from analysis.ingest.workbook import SUPPORTED_SUFFIXES, SheetGrid, WorkbookError, read_workbook

MIN_CODED = 3  # indicator rows found by their code that make a sheet one-column
REJECTED_SUFFIXES = (".xlsb", ".xltx", ".xltm")  # listed, so that each is rejected with a reason
FAILURE_REASONS = {  # the worker parsing a file died, hung or raised
    "crash": "Trình đọc tệp bị dừng bất thường khi đọc tệp này (tệp hỏng, quá lớn hoặc có thể độc hại)",
    "timeout": "Đọc tệp quá thời gian cho phép (tệp hỏng, quá lớn hoặc có thể độc hại)",
    "error": "Lỗi không lường trước khi đọc tệp",
}


def discover(raw_dir: Path) -> list[Path]:
    """Every spreadsheet-like file under `raw_dir` (any depth), sorted; Excel lock files and hidden files skipped,
    no link followed out of the folder (`discover.scan`, which also lists what it skipped and why)."""
    return scan_raw(raw_dir).paths


def scan_raw(raw_dir: Path) -> Discovery:
    """The files to parse under `raw_dir` and the items skipped, each with a reason (`discover.skipped_records`)."""
    return scan(raw_dir, SUPPORTED_SUFFIXES + REJECTED_SUFFIXES)


def parse_submission(path: Path, raw_dir: Path, ctx: IngestContext) -> Submission:
    """One file → a Submission. Never raises: anything unexpected rejects this file only."""
    sub = Submission(file=path.relative_to(raw_dir).as_posix())
    try:
        return _parse(path, sub, ctx)
    except Exception as exc:  # one broken file must never stop the others
        return sub.reject(f"Lỗi không lường trước khi đọc tệp: {type(exc).__name__}: {exc}", "unexpected_error")


def _file_facts(path: Path, sub: Submission, max_hash_bytes: int | None) -> Submission:
    """The file's size, modification time and, when it is at most `max_hash_bytes` (None: never), its digest onto
    `sub`: a file over the size cap is rejected by its size alone, without reading it."""
    stat = path.stat()
    sub.size_bytes, sub.mtime = stat.st_size, stat.st_mtime
    if max_hash_bytes is not None and stat.st_size <= max_hash_bytes:
        sub.sha256 = file_sha256(path)
    return sub


def _parse(path: Path, sub: Submission, ctx: IngestContext) -> Submission:
    """Read, extract every sheet, resolve the unit and period, keep one value per indicator, check them."""
    _file_facts(path, sub, ctx.limits.max_file_bytes)
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
    candidates = [i for i, (grid, s) in enumerate(zip(book.sheets, sheets, strict=True)) if not _coded(grid, s, ctx)]
    hint = _period_hint([p for s in sheets for p in s.periods], sub.file)
    layouts = Layouts.of(ctx.catalogue)
    tables = official_tables(book.sheets, ctx, layouts, hint, candidates)
    lists = {
        i: found
        for i in candidates
        if i not in tables and (found := read_list_sheet(book.sheets[i], ctx.lists.items)) is not None
    }
    sheets = [outside_table(s, tables[i]) if i in tables else s for i, s in enumerate(sheets)]
    sheets = [outside_rows(s, lists[i].rows) if i in lists else s for i, s in enumerate(sheets)]
    hidden = {grid.name for grid in book.sheets if not grid.visible}
    values = [v for s in sheets for v in s.values]
    table_values = [v for t in tables.values() for r in t.rows for v in r.values]
    for name in sorted(hidden & {v.sheet for v in values + table_values}):
        sub.issue(
            "warning",
            "hidden_sheet",
            f"Trang tính “{name}” bị ẩn nhưng có số liệu; số liệu vẫn được đọc",
            name,
        )
    if not values and not table_values and not any(found.items for found in lists.values()):
        return sub.reject("Không tìm thấy chỉ tiêu nào của mẫu biểu (mã số hoặc tên chỉ tiêu)", "no_indicators")
    periods = [p for s in sheets for p in s.periods]
    quarter = _period_hint(periods, sub.file)  # the unit is matched in it: a name may be of two units of other times
    units, texts = _content_units(sheets, ctx.registry, quarter)
    official = list(tables.values())
    if (sole := sole_unit(official)) is not None:  # a unit's own file on the printed form: its row names it
        units.append(sole_unit_mention(official, ctx.registry.get(sole)))
    _resolve_unit(sub, units, texts, ctx.registry, quarter)
    _resolve_period(sub, periods)
    _resolve_report_date(sub, [d for s in sheets for d in s.report_dates], ctx)
    for table in official:
        for found in table.issues:
            sub.issue(found.severity, found.kind, found.message, table.sheet, found.cell)
    split = split_rows(official, sub.unit.code if sub.unit else None)
    if sub.period is not None:
        printed = (areas_read(official, layouts), frozenset(c.concept for t in official for c in t.layout.columns))
        sub.parts = [_row(sub, ctx.registry.get(code), figures, ctx, printed) for code, figures in split.parts.items()]
    keep_lists(sub, list(lists.values()), ctx.catalogue.version_of(sub.period) if sub.period else None)
    if sub.status == "rejected":
        return sub
    if split.consolidated and not values and not split.own:
        return _only_rows(sub)
    if not values and not split.own and sub.lists:
        return only_lists(sub)
    return _check(sub, check_version(sub, deduplicate(sub, values + split.own), ctx.catalogue, book.sheets), ctx)


def _only_rows(sub: Submission) -> Submission:
    """A consolidated file without figures of its sender's own: used only through its units' rows."""
    sub.status = "consolidated"
    sub.reason = (
        f"Tệp tổng hợp của {sub.unit.name}: số liệu của {len(sub.parts)} đơn vị được tách theo từng dòng; tệp không có "
        f"dòng số liệu riêng của {sub.unit.name}"
    )
    return sub


Printed = tuple[tuple[str, ...], frozenset[str]]  # the areas and the concepts a consolidated file prints


def _row(sub: Submission, unit: Unit, figures: list[FoundValue], ctx: IngestContext, printed: Printed) -> Submission:
    """`unit`'s row in a consolidated file, a submission of its own: the figures of its quarter's forms, checked."""
    row = sub.row_of(unit)
    return _check(row, deduplicate(row, in_version(figures, ctx.catalogue, sub.period)), ctx, printed)


def _check(
    sub: Submission,
    kept: list[FoundValue],
    ctx: IngestContext,
    printed: Printed | None = None,
) -> Submission:
    """Check the values kept (one per indicator): each on its own, typed-in ratios, the areas the unit owes (for
    a unit's row in a consolidated file, `printed`: only the areas and the columns the file prints)."""
    sub.values = [v for v in kept if v.indicator not in ctx.index.derived]
    check_values(sub, ctx)
    check_typed_ratios(sub, [v for v in kept if v.indicator in ctx.index.derived], ctx.catalogue)
    forms = ctx.catalogue.for_quarter(sub.period) if sub.period else ctx.catalogue
    owed = owed_areas(forms, ctx.province, sub.unit.code, sub.unit.type) if sub.unit else None
    if printed is not None:
        owed = tuple(a for a in (owed or ()) if a in printed[0])
    check_missing(sub, forms, owed, printed[1] if printed is not None else None)
    return sub


def _coded(grid: SheetGrid, sheet: SheetResult, ctx: IngestContext) -> bool:
    """A one-column sheet: its indicator rows carry their codes ("TCD01" in a "Mã số" column); never a form printed
    in a circular's layout or a list form (neither prints our codes), so those readers skip it."""
    coded = (
        v for v in sheet.values if any(ctx.index.by_code(c) == v.indicator for c in grid.rows[v.row][:MAX_KEY_COLUMNS])
    )
    return sum(1 for _ in itertools.islice(coded, MIN_CODED)) >= MIN_CODED


def _path_text(file: str) -> str:
    return file.rsplit(".", 1)[0].replace("/", " / ")


def _path_units(file: str, registry: UnitRegistry, quarter: Quarter | None = None) -> list[Unit]:
    """The units each folder name and the file name name (matched in `quarter`), in path order, each once."""
    parts = file.rsplit(".", 1)[0].split("/")
    return list(dict.fromkeys(u for part in parts if (u := registry.find_in_text(part, quarter)) is not None))


def _period_hint(found: list[Located], file: str) -> Quarter | None:
    """The period `_resolve_period` will keep (the most mentioned in the content, else the only one in the path),
    without its issues: the quarter in which unit names are matched."""
    period, _ = vote(found)
    path_periods = find_periods(_path_text(file))
    return period if period is not None else (path_periods[0] if len(path_periods) == 1 else None)


def _content_units(
    sheets: list[SheetResult], registry: UnitRegistry, quarter: Quarter | None
) -> tuple[list[Located], list[Located]]:
    """The units the content names, and its unit fields naming none; when the registry has names told apart only
    by the quarter, every text is matched again in the file's quarter."""
    units = [u for s in sheets for u in s.units]
    texts = [t for s in sheets for t in s.unit_texts]
    if quarter is None or not registry.needs_quarter:
        return units, texts
    cells = [c for s in sheets for c in s.unit_cells]
    units = [replace(c, value=u) for c in cells if (u := registry.find_in_text(c.value, quarter)) is not None]
    return units, [t for t in texts if registry.find_in_text(t.value, quarter) is None]


def _resolve_unit(
    sub: Submission, found: list[Located], texts: list[Located], registry: UnitRegistry, quarter: Quarter | None = None
) -> None:
    found = _active_first(sub, found, quarter)
    unit, distinct = vote(found)
    if len(distinct) > 1:
        names = "; ".join(f"{u.name} ({_where(found, u)})" for u in distinct)
        sub.issue("error", "unit_conflict", f"Tệp ghi nhiều đơn vị khác nhau: {names}; dùng “{unit.name}”")
    path_units = _path_units(sub.file, registry, quarter)
    sub.path_unit = path_units[0] if len(path_units) == 1 else None
    path_unit = registry.find_in_text(_path_text(sub.file), quarter)
    if unit is None and path_unit is not None:
        unit = path_unit
        sub.unit_source = "file name"
        sub.issue("warning", *_unit_from_path(unit, texts))
    elif unit is not None:
        sub.unit_source = "content"
        others = [u for u in path_units if u != unit]
        if others:
            sub.issue(
                "warning",
                "unit_mismatch_path",
                f"Đơn vị ghi trong nội dung ({unit.name}) khác đơn vị ghi ở tên tệp hoặc thư mục "
                f"({', '.join(u.name for u in others)}); dùng đơn vị trong nội dung — hãy kiểm tra tệp có bị "
                "gửi nhầm hoặc chép từ đơn vị khác không",
            )
    if unit is None:
        sub.reject(_no_unit_reason(texts), "unknown_unit")
        return
    sub.unit = unit


def _active_first(sub: Submission, found: list[Located], quarter: Quarter | None) -> list[Located]:
    """The mentions of units that report in the file's quarter, when there are any: a commune's file on the former
    district's form still names the district in its title or signature (a warning, not a conflict of units)."""
    if quarter is None:
        return found
    active = [item for item in found if item.value.active_in(quarter)]
    if not active or len(active) == len(found):
        return found
    gone = list(dict.fromkeys(item.value for item in found if not item.value.active_in(quarter)))
    names = "; ".join(f"{u.name} ({_where(found, u)})" for u in gone)
    sub.issue(
        "warning",
        "inactive_unit_named",
        f"Tệp còn ghi tên đơn vị không báo cáo {quarter.vn}: {names} — có thể đơn vị dùng mẫu hoặc tệp cũ; "
        "lấy đơn vị báo cáo kỳ này ghi trong tệp",
    )
    return active


def _unit_from_path(unit: Unit, texts: list[Located]) -> tuple[str, str]:
    """(rule, message) of a unit taken from the file name: the content names none, or names one not in the list."""
    if texts:
        return (
            "unit_not_in_list",
            f"Đơn vị ghi trong nội dung (“{texts[0].value}”, {texts[0].sheet}!{texts[0].cell}) không có trong danh "
            f"sách đơn vị báo cáo; lấy theo tên tệp: {unit.name}",
        )
    return "unit_from_filename", f"Không thấy tên đơn vị trong nội dung; lấy theo tên tệp: {unit.name}"


def _no_unit_reason(texts: list[Located]) -> str:
    if texts:
        return (
            f"Đơn vị ghi trong nội dung (“{texts[0].value}”, {texts[0].sheet}!{texts[0].cell}) không có trong danh "
            "sách đơn vị báo cáo, tên tệp cũng không ghi đơn vị nào trong danh sách"
        )
    return "Không xác định được đơn vị báo cáo (không có trong nội dung lẫn tên tệp)"


def _resolve_report_date(sub: Submission, found: list[Located], ctx: IngestContext) -> None:
    """The latest plausible report date written in the file; a date after today, or before the period's first
    day, is a warning and not used (neither for which file is newer nor for timeliness)."""
    today = run_date()
    start = period_dates(sub.period, ctx.province.cutoff)[0] if sub.period else None
    kept = []
    for day in dict.fromkeys(d.value for d in found):
        where = next(f"{d.sheet}!{d.cell}" for d in found if d.value == day)
        if day > today:
            why = f"sau ngày xử lý ({today:%d/%m/%Y})"
        elif start is not None and day < start:
            why = f"trước ngày đầu kỳ báo cáo ({start:%d/%m/%Y})"
        else:
            kept.append(day)
            continue
        rule = "report_date_future" if day > today else "report_date_too_early"
        sub.issue("warning", rule, f"Ngày báo cáo {day:%d/%m/%Y} ({where}) {why}; không dùng ngày này")
    sub.report_date = max(kept, default=None)


def run_date() -> date:
    """Today, the day of the run: a report date after it is not plausible."""
    return date.today()


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
    sub.path_period = path_period
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


def parse_record(path: Path, raw_dir: Path, ctx: IngestContext) -> list[tuple[dict, bytes]]:
    """One file parsed, its rules checked and its records encoded (its own, then one per other unit's row of a
    consolidated file) — all in the worker: the parent only stores them."""
    sub = parse_submission(path, raw_dir, ctx)
    return [record_of(s, ctx.catalogue) for s in (sub, *sub.parts)]


def parse_stream(
    paths: list[Path], raw_dir: Path, ctx: IngestContext, workers: int | None = None
) -> Iterator[list[tuple[dict, bytes]]]:
    """Parse every file in isolated worker processes, yielding each file's records (`parse_record`) as they arrive
    (in no set order): a parser crash, memory blow-up or hang rejects that file."""

    def failed(path: Path, kind: str, detail: str) -> list[tuple[dict, bytes]]:
        sub = _file_facts(path, Submission(file=path.relative_to(raw_dir).as_posix()), None)  # never read again
        return [record_of(sub.reject(f"{FAILURE_REASONS[kind]} ({detail})", f"parser_{kind}"), ctx.catalogue)]

    parse = functools.partial(parse_record, raw_dir=raw_dir, ctx=ctx)
    for _, records in iter_isolated(parse, paths, failed, workers, ctx.worker_limits):
        yield records
