"""The checks on one file's own values, run in the worker that parsed it: repeated indicators, each value
(unreadable, negative, fractional counts, estimates, label/code mismatch, merged cells), typed-in rates against the
unit's own figures, indicators missing from an area, and the catalogue's validation rules."""

from __future__ import annotations

import math
from datetime import date, datetime

from analysis.catalogue.model import Catalogue
from analysis.catalogue.rules import check_rules, rule_codes
from analysis.ingest.extract import FoundValue
from analysis.ingest.numbers import ParsedValue
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


def check_values(sub: Submission, ctx: IngestContext) -> None:
    """Each kept value on its own: unreadable or uncalculated, negative, a fraction of a count, an estimate, a row
    label naming another indicator than its code, a value cell inside a merged range."""
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
                f"{ind.name}: đơn vị ghi “{fmt_raw(v.raw)}” nhưng tính lại từ số liệu "
                f"({ind.numerator}/{ind.denominator}) là {shown.replace('.', ',')}; dùng giá trị tính lại",
                v.sheet,
                v.cell,
                v.indicator,
            )


def check_missing(sub: Submission, catalogue: Catalogue) -> None:
    """One warning per area whose input indicators are not all in the file."""
    present = {v.indicator for v in sub.values}
    for area in catalogue.areas:
        missing = [i.code for i in catalogue.indicators_in(area.code) if i.is_input and i.code not in present]
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
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)
