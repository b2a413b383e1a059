"""The tables of a run, from its entries (and, for values and issues, the record store), in `schema`'s columns
and dtypes; `write_tables` runs the steps across files and stages them (stamped with the run's generation)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import pandas as pd

from analysis.core.outputs import Staging, write_chunks, write_table
from analysis.ingest import manual_apply, schema
from analysis.ingest.across import check_unexpected, resolve_supersession
from analysis.ingest.agreement import check_consolidated
from analysis.ingest.completeness import completeness_table
from analysis.ingest.generation import stamp
from analysis.ingest.manual import ManualEntries
from analysis.ingest.record import Entry
from analysis.ingest.records import RecordStore
from analysis.ingest.submission import IngestContext

CHUNK_ROWS = 50_000  # rows of the values and issues tables held in memory at once while they are written


def _frames(rows: Iterable[list], table: str) -> Iterator[pd.DataFrame]:
    """Rows of `table` in frames of at most CHUNK_ROWS rows (at least one frame, empty when there are no rows)."""
    rows = iter(rows)
    first = True
    while (chunk := list(itertools.islice(rows, CHUNK_ROWS))) or first:
        first = False
        yield schema.frame(chunk, table)


def value_frames(
    entries: list[Entry], store: RecordStore, found: Iterable[manual_apply.Outcome] = ()
) -> Iterator[pd.DataFrame]:
    """The values table in chunks: accepted submissions by quarter and unit (one each), values in catalogue order,
    with the hand entries applied (`manual_apply`)."""
    accepted = sorted(
        (e for e in entries if e.sub.status == "accepted"), key=lambda e: (e.sub.period.label, e.sub.unit.code)
    )
    groups = (((e.sub.period.label, e.sub.unit.code), _file_rows(e, store)) for e in accepted)
    return _frames(manual_apply.merged_rows(groups, list(found)), "values")


def _file_rows(e: Entry, store: RecordStore) -> Iterator[list]:
    for row in store.values(e.offset):
        yield [e.sub.unit.code, e.sub.unit.name, e.sub.period.label, *row[:7], e.sub.file, *row[7:]]


def issue_frames(
    entries: list[Entry],
    store: RecordStore,
    manual: ManualEntries | None = None,
    found: Iterable = (),
    rechecked: dict[int, list] | None = None,
) -> Iterator[pd.DataFrame]:
    """The issues table in chunks, by file: a file's own issues, those found across files, then (if it stays
    accepted) its rule violations (`rechecked` ones where hand entries changed its figures); then the hand entries'
    files."""
    ordered = sorted(entries, key=lambda e: (e.sub.file, e.sub.part))
    own = (row for e in ordered for row in _issue_rows(e, store, (rechecked or {}).get(e.offset)))
    by_hand = manual_apply.issue_rows(manual or ManualEntries(), list(found))
    return _frames(itertools.chain(own, by_hand), "issues")


def _issue_rows(e: Entry, store: RecordStore, rules: list | None = None) -> Iterator[list]:
    s = e.sub
    with_rules = s.status == "accepted" and sum(e.rules) > 0
    stored = store.issues(e.offset) if e.n_own or with_rules else []
    added = [[i.sheet, i.cell, i.severity, i.rule, i.message, i.indicator] for i in s.issues]
    if rules is None:
        rules = stored[e.n_own :] if with_rules else []
    kept = stored[: e.n_own] + added + rules
    unit, period = (s.unit.code if s.unit else ""), (s.period.label if s.period else "")
    for sheet, cell, severity, rule, message, indicator in kept:
        yield [s.file, sheet, cell, severity, rule, message, unit, period, indicator, s.status]


def list_frames(entries: list[Entry], store: RecordStore) -> Iterator[pd.DataFrame]:
    """The lists table in chunks: the items of the list forms of the files used, by quarter, unit and file."""
    used = sorted(
        (e for e in entries if e.n_lists and e.sub.status in schema.USED_STATUSES and e.sub.unit and e.sub.period),
        key=lambda e: (e.sub.period.label, e.sub.unit.code, e.sub.file),
    )
    rows = (
        [e.sub.file, e.sub.unit.code, e.sub.unit.name, e.sub.period.label, *row]
        for e in used
        for row in store.lists(e.offset)
    )
    return _frames(rows, "lists")


def submissions_table(entries: list[Entry]) -> pd.DataFrame:
    """One row per submission, by file name (a consolidated file's own first, then its rows' in file order): what
    was found, what became of it, its counts of values and issues."""
    rows = [_submission_row(e) for e in entries]
    return schema.frame(rows, "submissions").sort_values("file", kind="stable").reset_index(drop=True)


def _submission_row(e: Entry) -> list:
    s = e.sub
    unit_code, unit_name = (s.unit.code, s.unit.name) if s.unit else ("", "")
    period = s.period.label if s.period else ""
    report_date = s.report_date.isoformat() if s.report_date else ""
    identity = [s.file, s.sha256, s.size_bytes, unit_code, unit_name, period, report_date]
    outcome = [s.status, s.reason, s.superseded_by, s.unit_source, s.period_source]
    return identity + outcome + [e.n_values, *e.severities()]


def write_tables(
    entries: list[Entry],
    store: RecordStore,
    ctx: IngestContext,
    staging: Staging,
    generation: str,
    manual: ManualEntries | None = None,
) -> None:
    """The steps that look across files, then the tables written into `staging` (moved into place by its
    commit; values and issues chunk by chunk from the store), each Parquet file stamped with `generation`."""
    subs = [e.sub for e in entries]
    resolve_supersession(subs)
    check_consolidated(entries, store)
    check_unexpected(subs)
    manual = manual or ManualEntries()
    figures = manual_apply.FileFigures(entries, store)
    found = manual_apply.outcomes(figures, manual)
    rechecked = manual_apply.recheck_rules(figures, found, ctx.catalogue)
    out_dir, meta = staging.folder, stamp(generation)
    write_chunks(value_frames(entries, store, found), out_dir, "values", staging, meta)
    write_table(submissions_table(entries), out_dir, "submissions", staging, meta)
    write_chunks(issue_frames(entries, store, manual, found, rechecked), out_dir, "issues", staging, meta)
    write_chunks(list_frames(entries, store), out_dir, "lists", staging, meta)
    write_table(schema.frame(manual_apply.table_rows(found), "manual"), out_dir, "manual", staging, meta)
    by_hand = manual_apply.reported_by_hand(found)
    write_table(completeness_table(entries, ctx, by_hand), out_dir, "completeness", staging, meta)
