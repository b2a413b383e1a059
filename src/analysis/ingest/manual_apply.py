"""How hand entries (`ingest.manual`) meet the figures of the units' files, with one precedence: **the analyst's entry
wins**. It is made after checking with the unit (or from the signed archive), so it replaces the figure of the unit's
file for the same unit, quarter and indicator until the analyst removes it; the conflict is a warning on the entry's
line naming both figures and the file's cell, so a unit's later corrected file is never silently overruled. An entry
equal to the file's figure leaves the file's figure (and its lineage) in place and says the line can go. An entry
with no figure from any file adds it, and its unit and quarter count as reported by hand in the completeness table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from analysis.catalogue.model import Catalogue
from analysis.catalogue.rules import check_rules, rule_codes
from analysis.core import vnformat
from analysis.ingest.manual import ManualEntries, ManualEntry
from analysis.ingest.record import Entry
from analysis.ingest.records import RecordStore

STATUS = "manual"  # values.status, issues.submission_status and completeness.status of a hand entry
ADDED, REPLACED, SAME = "added", "replaced", "same"  # manual.outcome


@dataclass(frozen=True)
class Outcome:
    """One entry and what became of it: `outcome` one of ADDED, REPLACED, SAME; for REPLACED and SAME, the unit's
    figure and where it is in its file."""

    entry: ManualEntry
    outcome: str
    file_value: float | None = None
    file: str = ""
    sheet: str = ""
    cell: str = ""
    file_raw: str = ""  # what the unit's cell holds (a figure kept out, such as 1e20, has no value but this)


class FileFigures:
    """The value rows (by indicator) of the accepted files that hand entries touch, each read from the store once."""

    def __init__(self, entries: list[Entry], store: RecordStore) -> None:
        self.accepted = {(e.sub.period.label, e.sub.unit.code): e for e in entries if e.sub.status == "accepted"}
        self._store, self._rows = store, {}

    def of(self, e: Entry) -> dict[str, list]:
        if e.offset not in self._rows:
            self._rows[e.offset] = {row[0]: row for row in self._store.values(e.offset)}
        return self._rows[e.offset]


def outcomes(figures: FileFigures, manual: ManualEntries) -> list[Outcome]:
    """Each hand entry against the accepted file of its unit and quarter."""
    found = []
    for m in manual.entries:
        e = figures.accepted.get(m.group)
        if e is None:
            found.append(Outcome(m, ADDED))
            continue
        row = figures.of(e).get(m.indicator)
        if row is None:
            found.append(Outcome(m, ADDED))
            continue
        value, sheet, cell = row[1], row[7], row[8]
        same = value is not None and math.isclose(value, m.value, rel_tol=1e-9, abs_tol=1e-9)
        found.append(Outcome(m, SAME if same else REPLACED, value, e.sub.file, sheet, cell, row[4]))
    return found


def recheck_rules(figures: FileFigures, found: list[Outcome], catalogue: Catalogue) -> dict[int, list]:
    """The catalogue's rules on the figures used for each accepted file some of whose figures an entry replaced or
    completed: its issue rows (anchored at the file's cells, keyed by the file's store offset) in place of the rule
    violations of the file alone — a total fixed by hand is no longer an error to take up with the unit. Each
    entry's `rules` counts are set to the new ones."""
    touched: dict[tuple[str, str], list[ManualEntry]] = {}
    for o in found:
        if o.outcome != SAME and o.entry.group in figures.accepted:
            touched.setdefault(o.entry.group, []).append(o.entry)
    out: dict[int, list] = {}
    for group, mine in touched.items():
        e = figures.accepted[group]
        rows = figures.of(e)
        by_hand = {m.indicator: m for m in mine}
        values = {code: row[1] for code, row in rows.items()} | {c: m.value for c, m in by_hand.items()}
        issues = []
        for v in check_rules(values, catalogue.for_quarter(e.sub.period).rules):
            anchor = next((c for c in rule_codes(v.rule) if c in rows), None)
            sheet, cell = (rows[anchor][7], rows[anchor][8]) if anchor else ("", "")
            entered = [by_hand[c] for c in rule_codes(v.rule) if c in by_hand]
            lines = ", ".join(f"{m.file} dòng {m.line}" for m in entered)
            message = v.message + (f" (gồm số liệu nhập tay: {lines})" if entered else "")
            issues.append([sheet, cell, v.rule.severity, f"rule:{v.rule.code}", message, anchor or ""])
        out[e.offset] = issues
        e.rules = (sum(i[2] == "error" for i in issues), sum(i[2] == "warning" for i in issues))
    return out


def value_row(m: ManualEntry) -> list:
    """An entry as a row of the values table."""
    return [m.unit_code, m.unit_name, m.period, m.indicator, m.value, m.approx, STATUS, m.raw, "", "", m.file,
            m.sheet, m.cell]  # fmt: skip


def merged_rows(groups: Iterable[tuple[tuple[str, str], Iterator[list]]], found: list[Outcome]) -> Iterator[list]:
    """The values rows by (quarter, unit) with the entries applied: a replaced figure's row swapped for the
    entry's, added entries after their unit's rows, a unit and quarter with entries only in its sorted place.
    `groups` are (key, rows) in key order."""
    used = {o.entry.key: o.entry for o in found if o.outcome == REPLACED}
    added: dict[tuple[str, str], list[ManualEntry]] = {}
    for o in found:
        if o.outcome == ADDED:
            added.setdefault(o.entry.group, []).append(o.entry)
    pending = sorted(added)
    for key, rows in groups:
        while pending and pending[0] < key:
            yield from map(value_row, added[pending.pop(0)])
        for row in rows:
            entry = used.get((row[2], row[0], row[3]))
            yield value_row(entry) if entry else row
        if pending and pending[0] == key:
            yield from map(value_row, added[pending.pop(0)])
    for key in pending:
        yield from map(value_row, added[key])


def issue_rows(manual: ManualEntries, found: list[Outcome]) -> Iterator[list]:
    """The issues of the hand entries' files: unusable lines, then each entry that meets a unit's figure."""
    for i in manual.issues:
        yield [i.file, i.sheet, i.cell, i.severity, i.rule, i.message, "", "", i.indicator, STATUS]
    for o in found:
        if o.outcome == ADDED:
            continue
        m = o.entry
        where = f"tệp {o.file}, ô {vnformat.place(o.sheet, o.cell)}"
        if o.outcome == SAME:
            rule = "manual_same"
            message = (
                f"Số liệu nhập tay, dòng {m.line}: trùng với số liệu đơn vị đã báo cáo ({where}); "
                "dùng số liệu của đơn vị, có thể xóa dòng nhập tay này"
            )
        else:
            rule, shown = "manual_conflict", _figure(o.file_value, o.file_raw)
            message = (
                f"Số liệu nhập tay, dòng {m.line}: {vnformat.auto(m.value)} khác số liệu đơn vị báo cáo {shown} "
                f"({where}); dùng số liệu nhập tay (lý do: {m.reason})"
            )
        yield [m.file, m.sheet, m.cell, "warning", rule, message, m.unit_code, m.period, m.indicator, STATUS]


def _figure(value: float | None, raw: str) -> str:
    """The unit's figure as the conflict says it: the number, what its cell holds when that is no usable figure."""
    if value is not None:
        return vnformat.auto(value)
    return f"“{raw}” (không dùng được)" if raw else "(để trống)"


def table_rows(found: list[Outcome]) -> list[list]:
    """The manual table: one row per usable entry, by quarter, unit and indicator's line order."""
    rows = []
    for o in sorted(found, key=lambda o: (o.entry.period, o.entry.unit_code, o.entry.file, o.entry.line)):
        m = o.entry
        rows.append(
            [m.unit_code, m.unit_name, m.period, m.indicator, m.value, m.approx, m.raw, m.reason, m.entered_by,
             m.entered_on, m.document, m.file, m.sheet, m.cell, m.line, o.outcome,
             math.nan if o.file_value is None else o.file_value, o.file, o.sheet, o.cell]
        )  # fmt: skip
    return rows


def reported_by_hand(found: list[Outcome]) -> dict[tuple[str, str], tuple[str, int]]:
    """(quarter, unit) reported by no file but by hand: the first entry's file and how many figures."""
    out: dict[tuple[str, str], tuple[str, int]] = {}
    for o in found:
        if o.outcome == ADDED:
            file, n = out.get(o.entry.group, (o.entry.file, 0))
            out[o.entry.group] = (file, n + 1)
    return out
