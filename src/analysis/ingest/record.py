"""A parsed file as a stored record and back: the worker encodes its summary, value rows and issue rows
(`record_of`) for the record store (`records`); the parent keeps only an `Entry` per file (`entry_of`), the same
for a file parsed now and one reused from the cache, for the steps that look across files."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from analysis.catalogue.model import Catalogue
from analysis.core.periods import Quarter
from analysis.core.units import UnitRegistry
from analysis.ingest.checks import fmt_raw, rule_issues
from analysis.ingest.extract import FoundValue
from analysis.ingest.records import encode_body
from analysis.ingest.submission import Issue, Submission

MIN_NONZERO_FIGURES = 5  # fewer non-zero figures (a small commune's quiet quarter) are not a fingerprint


def figures_digest(values: list[FoundValue]) -> str:
    """A digest of the figures a file reports (indicator → value), "" when fewer than MIN_NONZERO_FIGURES of them
    are non-zero: the same digest under two units means one unit's figures under another's name."""
    reported = sorted((v.indicator, v.parsed.value) for v in values if v.parsed.value is not None)
    if sum(value != 0 for _, value in reported) < MIN_NONZERO_FIGURES:
        return ""
    return hashlib.sha256(json.dumps(reported).encode()).hexdigest()


def record_of(sub: Submission, catalogue: Catalogue) -> tuple[dict, bytes]:
    """(summary, encoded body) of a parsed submission, for the store. The body holds its value rows, in indicator
    order, and its issue rows: its own issues, then the rule violations (found now, counted only if the submission
    stays accepted)."""
    forms = catalogue.for_quarter(sub.period) if sub.period else catalogue  # the rules of the quarter's forms
    rules = rule_issues(sub, forms) if sub.status == "accepted" else []
    order = {ind.code: ind.order for ind in catalogue.indicators}
    values = sorted(sub.values, key=lambda v: order[v.indicator])
    summary = {
        "file": sub.file,
        "part": sub.part,
        "sha256": sub.sha256,
        "size_bytes": sub.size_bytes,
        "mtime": sub.mtime,
        "unit": sub.unit.code if sub.unit else None,
        "unit_source": sub.unit_source,
        "period": sub.period.label if sub.period else None,
        "period_source": sub.period_source,
        "path_unit": sub.path_unit.code if sub.path_unit else None,
        "path_period": sub.path_period.label if sub.path_period else None,
        "figures": figures_digest(values),
        "report_date": sub.report_date.isoformat() if sub.report_date else None,
        "modified": sub.modified.isoformat() if sub.modified else None,
        "status": sub.status,
        "reason": sub.reason,
        "n_values": len(values),
        "n_reported": sum(v.parsed.value is not None for v in values),
        "n_own": len(sub.issues),
        "n_list_items": len({(form, item) for form, item, *_ in sub.lists}),
        "own": _severities(sub.issues),
        "rules": _severities(rules),
    }
    value_rows = [
        [v.indicator, v.parsed.value, v.parsed.approx, v.parsed.status, fmt_raw(v.raw), v.parsed.note, v.remark,
         v.sheet, v.cell]
        for v in values
    ]  # fmt: skip
    issue_rows = [[i.sheet, i.cell, i.severity, i.rule, i.message, i.indicator] for i in sub.issues + rules]
    return summary, encode_body(value_rows, issue_rows, [list(row) for row in sub.lists])


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
    n_lists: int = 0  # items of list forms (stored after its issues)

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
        path_unit=registry.get(summary["path_unit"]) if summary.get("path_unit") else None,
        path_period=Quarter.parse(summary["path_period"]) if summary.get("path_period") else None,
        figures=summary.get("figures", ""),
        report_date=date.fromisoformat(summary["report_date"]) if summary["report_date"] else None,
        modified=datetime.fromisoformat(summary["modified"]) if summary["modified"] else None,
        status=summary["status"],
        reason=summary["reason"],
        part=summary.get("part", ""),
    )
    own, rules = summary["own"], summary["rules"]
    counts = summary["n_values"], summary["n_reported"], summary["n_own"]
    return Entry(sub, offset, *counts, (own[0], own[1]), (rules[0], rules[1]), summary.get("n_list_items", 0))
