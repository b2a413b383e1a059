"""The completeness table: per quarter and unit, whether a report was expected and received, and on time.

Built with joins: the units the registry expects (unit × quarter within each unit's validity) outer-joined with
the accepted submissions, each quarter's deadline as a column, and the notes of files filed under this unit and
quarter by their names but read as another (`notes`); one row per quarter and unit that was expected or reported,
by quarter then unit code. Timeliness belongs to the first complete submission (`first_file`): a later correction
supplies the figures (`source_file`, `corrected`, `correction_date`) but never makes a unit late.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analysis.catalogue.assignment import owed_areas, owed_inputs
from analysis.core.config import ProvinceConfig
from analysis.core.periods import Quarter, period_dates, quarter_range
from analysis.core.units import Unit
from analysis.ingest import schema
from analysis.ingest.across import named_for_other_unit
from analysis.ingest.manual_apply import STATUS as MANUAL  # a unit and quarter reported by hand only (no file)
from analysis.ingest.record import Entry
from analysis.ingest.submission import IngestContext

_KEYS = ["q", "unit_code"]  # q: Quarter.index


def completeness_table(
    entries: list[Entry], ctx: IngestContext, by_hand: Mapping[tuple[str, str], tuple[str, int]] | None = None
) -> pd.DataFrame:
    """Expected vs received reports per unit and quarter, from the first configured quarter (or the first one
    reported) to the last one reported, with on-time status where a deadline is configured. `by_hand`: (quarter
    label, unit code) → (file, figures) of the figures entered by hand (`ingest.manual_apply.reported_by_hand`): a
    unit and quarter with no accepted file but such figures is received, with status "manual"."""
    accepted = [e for e in entries if e.sub.status == "accepted"]
    received = _received(entries, by_hand or {})
    if received.empty:
        return schema.frame([], "completeness")
    notes = _notes(entries)
    periods = [Quarter.from_index(q) for q in [*received["q"], *notes["q"]]]
    quarters = _quarters(quarter_range(min(ctx.province.first_period, *periods), max(periods)), ctx.province)
    units = _units([*ctx.registry.units, *(e.sub.unit for e in accepted)])
    rows = (
        _expected(units, quarters)
        .merge(received, on=_KEYS, how="outer", indicator="found")
        .merge(notes, on=_KEYS, how="left", validate="one_to_one")
        .merge(quarters, on="q", validate="many_to_one")
        .merge(units.drop(columns=["valid_from", "valid_to"]), on="unit_code", validate="many_to_one")
        .sort_values(_KEYS, ignore_index=True)
    )
    expected, received = rows["found"] != "right_only", rows["found"] != "left_only"
    report_date = rows["report_date"].fillna("")
    known = received & (rows["deadline"] != "") & (report_date != "")
    on_time = (report_date <= rows["deadline"]).astype("boolean").where(known)
    return schema.frame(
        rows.assign(
            expected=expected,
            received=received,
            on_time=on_time,
            report_date=report_date,
            source_file=rows["source_file"].fillna(""),
            first_file=rows["first_file"].fillna(""),
            corrected=rows["corrected"].fillna(False).astype(bool),
            correction_date=rows["correction_date"].fillna(""),
            notes=rows["notes"].fillna(""),
            note_files=rows["note_files"].fillna(""),
            indicators_reported=rows["indicators_reported"].fillna(0),
            indicators_expected=[
                _inputs_of(ctx, Quarter.from_index(q), code, kind)
                for q, code, kind in zip(rows["q"], rows["unit_code"], rows["unit_type"], strict=True)
            ],
            status=np.where(
                rows["by_hand"].eq(True).to_numpy(),
                MANUAL,
                completeness_status(expected, received, on_time, rows["deadline"] != ""),
            ),
        )[schema.columns("completeness")],
        "completeness",
    )


def _inputs_of(ctx: IngestContext, quarter: Quarter, unit_code: str, unit_type: str) -> int:
    """How many figures the forms of `quarter` ask of a unit: its version's input indicators of the areas it owes."""
    forms = ctx.catalogue.for_quarter(quarter)
    return owed_inputs(forms, owed_areas(forms, ctx.province, unit_code, unit_type))


def completeness_status(
    expected: pd.Series, received: pd.Series, on_time: pd.Series, has_deadline: pd.Series
) -> np.ndarray:
    """Per row, a code of `labels.yaml`'s completeness_status: on_time | late | received_undated (a deadline but no
    report date) | received (no deadline configured) | missing | not_expected (neither expected nor received)."""
    undated = on_time.isna().to_numpy()
    conditions = [
        ~received & expected,
        ~received,
        undated & has_deadline,
        undated,
        on_time.fillna(False).to_numpy(bool),
    ]
    codes = ["missing", "not_expected", "received_undated", "received", "on_time"]
    return np.select([np.asarray(c, dtype=bool) for c in conditions], codes, default="late")


def _quarters(quarters: list[Quarter], province: ProvinceConfig) -> pd.DataFrame:
    """One row per quarter: its index, label and deadline (ISO date, "" when none is configured)."""
    deadlines = [_deadline(q, province) for q in quarters]
    return pd.DataFrame(
        {
            "q": [q.index for q in quarters],
            "period": [q.label for q in quarters],
            "deadline": [d.isoformat() if d else "" for d in deadlines],
        }
    )


def _deadline(q: Quarter, province: ProvinceConfig) -> date | None:
    if province.deadline_days is None:
        return None
    return period_dates(q, province.cutoff)[1] + timedelta(days=province.deadline_days)


def _units(units: list[Unit]) -> pd.DataFrame:
    """One row per unit code (the last unit given for a code wins), with its validity as quarter indices (open
    ends as ±inf, the bounds `Unit.active_in` reads)."""
    by_code = {u.code: u for u in units}
    return pd.DataFrame(
        [
            (
                u.code,
                u.name,
                u.type,
                u.valid_from.index if u.valid_from else -math.inf,
                u.valid_to.index if u.valid_to else math.inf,
            )
            for u in by_code.values()
        ],  # fmt: skip
        columns=["unit_code", "unit_name", "unit_type", "valid_from", "valid_to"],
    )


def _expected(units: pd.DataFrame, quarters: pd.DataFrame) -> pd.DataFrame:
    """Unit × quarter where the unit is expected: the quarter within its validity."""
    grid = quarters[["q"]].merge(units[["unit_code", "valid_from", "valid_to"]], how="cross")
    return grid.loc[(grid["valid_from"] <= grid["q"]) & (grid["q"] <= grid["valid_to"]), _KEYS]


def _received(entries: list[Entry], by_hand: Mapping[tuple[str, str], tuple[str, int]]) -> pd.DataFrame:
    """One row per accepted submission (one per unit and quarter after supersession), timed by the first complete
    submission of its unit and quarter (`first_complete`); then one per unit and quarter reported only by hand."""
    read: dict[tuple[str, int], list[Entry]] = defaultdict(list)
    for e in entries:
        if e.sub.status != "rejected" and e.sub.unit and e.sub.period and not named_for_other_unit(e.sub):
            read[(e.sub.unit.code, e.sub.period.index)].append(e)
    rows = []
    for used in (e for e in entries if e.sub.status == "accepted"):
        first = first_complete(used, read[(used.sub.unit.code, used.sub.period.index)])
        corrected = first is not used
        rows.append(
            (
                used.sub.period.index,
                used.sub.unit.code,
                _iso(first.sub.report_date),
                used.sub.file,
                used.n_reported,
                first.sub.file,
                corrected,
                _iso(used.sub.report_date) if corrected else "",
                False,
            )
        )
    sent = {(e.sub.period.label, e.sub.unit.code) for e in entries if e.sub.status == "accepted"}
    for (period, unit), (file, n) in sorted(by_hand.items()):
        if (period, unit) not in sent:
            rows.append((Quarter.parse(period).index, unit, "", file, n, "", False, "", True))
    columns = [*_KEYS, "report_date", "source_file", "indicators_reported", "first_file", "corrected"]
    return pd.DataFrame(rows, columns=[*columns, "correction_date", "by_hand"]).astype({"q": "int64"})


def first_complete(used: Entry, read: list[Entry]) -> Entry:
    """The submission whose report date decides timeliness: the earliest dated one of the unit and quarter that
    reports at least as many figures as the one used (a correction of figures, not a completion); else `used`."""
    complete = [e for e in read if e.sub.report_date and e.n_reported >= used.n_reported]
    return min(complete, key=lambda e: (e.sub.report_date, e.sub.file), default=used)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _notes(entries: list[Entry]) -> pd.DataFrame:
    """Per quarter and unit named by a file's names, what that file turned out to be instead (codes of labels.yaml's
    `completeness_note`, ";"-joined, and the files): a copy of another quarter renamed as this one, or a file named
    for this unit whose content names another."""
    found: dict[tuple[int, str], dict[str, None]] = defaultdict(dict)
    files: dict[tuple[int, str], dict[str, None]] = defaultdict(dict)
    for e in entries:
        s = e.sub
        if s.status == "rejected" or not s.unit or not s.period:
            continue
        if s.path_period and s.path_period != s.period:
            found[(s.path_period.index, s.unit.code)]["named_for_quarter"] = None
            files[(s.path_period.index, s.unit.code)][s.file] = None
        if named_for_other_unit(s):
            found[(s.period.index, s.path_unit.code)]["named_for_unit"] = None
            files[(s.period.index, s.path_unit.code)][s.file] = None
    rows = [(q, unit, ";".join(codes), ";".join(files[(q, unit)])) for (q, unit), codes in found.items()]
    return pd.DataFrame(rows, columns=[*_KEYS, "notes", "note_files"]).astype({"q": "int64"})
