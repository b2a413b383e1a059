"""The checks on one file's own values, run in the worker that parsed it: repeated indicators, each value
(unreadable, negative, fractional counts, estimates, label/code mismatch, merged cells), typed-in rates against the
unit's own figures, indicators missing from an area, and the catalogue's validation rules."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from analysis.catalogue.model import Catalogue
from analysis.catalogue.rules import check_rules, rule_codes
from analysis.core import vnformat
from analysis.ingest.extract import FoundValue
from analysis.ingest.numbers import EXCLUDED, ParsedValue
from analysis.ingest.submission import IngestContext, Issue, Submission

RATIO_TOLERANCE = 0.15  # percentage points: a rate typed with one decimal may differ by rounding


def deduplicate(sub: Submission, values: list[FoundValue]) -> list[FoundValue]:
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
    """Two read values agree (both empty, or equal to rounding)."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


FLOAT_EXACT = 2.0**53  # beyond this a float no longer holds every whole number: more digits than it keeps


def check_values(sub: Submission, ctx: IngestContext) -> None:
    """Each kept value on its own: unreadable or uncalculated, negative, impossible (above its cap in the
    catalogue), a fraction of a count, an estimate, too many digits, a row label naming another indicator than its
    code, a value cell inside a merged range. A negative or impossible figure is then excluded (`exclude`): the
    one place a value is kept out of totals, comparisons, the narrative and the exports. A file with no figure at
    all is a blank template and is rejected."""
    if sub.values and all(v.parsed.status == "blank" for v in sub.values):
        sub.reject(
            "Tệp mẫu trống: không có số liệu nào được nhập (mọi ô số liệu đều để trống); "
            "hãy nhập số liệu (ghi 0 hoặc “-” nếu không phát sinh) rồi gửi lại",
            "blank_template",
        )
        return
    unit_type = sub.unit.type if sub.unit else ""
    kept = []
    for v in sub.values:
        reason = _check_value(sub, ctx, v, unit_type)
        kept.append(exclude(v, reason) if reason else v)
    sub.values = kept


def _check_value(sub: Submission, ctx: IngestContext, v: FoundValue, unit_type: str) -> str:
    """The issues of one value; the reason it must be excluded ("" when it stays in)."""
    p: ParsedValue = v.parsed
    shown = quoted(v.raw)
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
        sub.issue("error", "invalid_number", f"{name}: {p.note or f'không đọc được số từ {shown}'}", **where)
    _check_form(sub, ctx, v, name, where)
    if p.value is None:
        return ""
    if abs(p.value) >= FLOAT_EXACT:
        sub.issue(
            "warning",
            "imprecise_number",
            f"{name}: số {shown} có quá nhiều chữ số (hơn 15); các chữ số cuối không được giữ chính xác",
            **where,
        )
    cap = ctx.catalogue.cap(v.indicator, unit_type)
    if p.value < 0:
        sub.issue("error", "negative_value", f"{name}: số âm {shown}; không đưa vào tổng hợp", **where)
        return "số âm"
    if cap is not None and p.value > cap:
        sub.issue(
            "error",
            "implausible_value",
            f"{name}: {shown} vượt quá mức tối đa có thể của một {_unit_kind(sub)} trong một quý "
            f"({vnformat.auto(cap)}); không đưa vào tổng hợp, hãy kiểm tra lại ô {v.sheet}!{v.cell}",
            **where,
        )
        return "vượt mức tối đa có thể"
    if v.indicator in ctx.index.integer and not float(p.value).is_integer():
        sub.issue("warning", "non_integer", f"{name}: chỉ tiêu đếm số nhưng có số lẻ {shown}", **where)
    return ""


def _check_form(sub: Submission, ctx: IngestContext, v: FoundValue, name: str, where: dict[str, str]) -> None:
    """What is worth a word whatever the figure: an estimate, a label naming another indicator, a merged cell."""
    if v.parsed.approx:
        sub.issue("warning", "approx_value", f"{name}: số liệu ước tính {quoted(v.raw)}", **where)
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


def _unit_kind(sub: Submission) -> str:
    """ "đơn vị cấp huyện", "cơ quan cấp tỉnh", "đơn vị"."""
    kind = sub.unit.type_vn if sub.unit else ""
    return f"đơn vị {kind}" if kind.startswith("cấp") or not kind else kind


def exclude(v: FoundValue, reason: str) -> FoundValue:
    """`v` kept out of every total: no value, status "excluded", its raw text, sheet and cell kept (lineage), the
    reason as its note."""
    return replace(v, parsed=ParsedValue(None, v.parsed.approx, EXCLUDED, f"không đưa vào tổng hợp: {reason}"))


def quoted(raw: object) -> str:
    """A cell's content for a message: “-50”, “12,5”, “(trống)” — numbers in Vietnamese notation."""
    if raw is None or raw == "":
        return "(trống)"
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return f"“{vnformat.auto(raw)}”" if math.isfinite(raw) else f"“{raw}”"
    return f"“{fmt_raw(raw)}”"


def check_typed_ratios(sub: Submission, typed: list[FoundValue], catalogue: Catalogue) -> None:
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
                f"{ind.name}: đơn vị ghi {quoted(v.raw)} nhưng tính lại từ số liệu "
                f"({ind.numerator}/{ind.denominator}) là {shown.replace('.', ',')}; dùng giá trị tính lại",
                v.sheet,
                v.cell,
                v.indicator,
            )


def check_missing(
    sub: Submission, catalogue: Catalogue, owed: tuple[str, ...] | None = None, asked: frozenset[str] | None = None
) -> None:
    """One warning per area the unit owes (`owed`, default every area) whose input indicators (of those `asked`,
    default all: a consolidated file's row is asked only the columns it prints) are not all in the file; one note
    per area it does not owe but sent figures for (they are read all the same)."""
    present = {v.indicator for v in sub.values}
    figures = {v.indicator for v in sub.values if v.parsed.value is not None}
    for area in catalogue.areas:
        if owed is not None and area.code not in owed:
            sent = [i.code for i in catalogue.indicators_in(area.code) if i.code in figures]
            if sent:
                sub.issue(  # a warning, the lightest severity: noted, nothing to fix
                    "warning",
                    "not_owed",
                    f"{area.form} ({area.title}): đơn vị không phải báo cáo biểu này nhưng đã gửi "
                    f"{len(sent)} chỉ tiêu; số liệu vẫn được đọc và tổng hợp",
                )
            continue
        missing = [
            i.code
            for i in catalogue.indicators_in(area.code)
            if i.is_input and i.code not in present and (asked is None or i.code in asked)
        ]
        if missing:
            sub.issue(
                "warning",
                "missing_indicators",
                f"{area.form} ({area.title}): thiếu {len(missing)} chỉ tiêu: {', '.join(missing)}",
            )


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


def fmt_raw(raw: object) -> str:
    """A cell's raw content as text for the tables and messages ("12" for 12.0, ISO dates)."""
    if raw is None:
        return ""
    if isinstance(raw, date | datetime):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():  # beyond 2**53 the shortest digits that read back, no noise
        return str(int(raw)) if abs(raw) < FLOAT_EXACT else format(Decimal(repr(raw)), "f")
    return str(raw)
