"""The completeness table: per quarter and unit, whether a report was expected and received, and on time.

Built with joins: the units the registry expects (unit × quarter within each unit's validity) outer-joined with
the accepted submissions, each quarter's deadline as a column; one row per quarter and unit that was expected or
reported, by quarter then unit code.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analysis.core.config import ProvinceConfig
from analysis.core.periods import Quarter, period_dates, quarter_range
from analysis.core.units import Unit
from analysis.ingest import schema
from analysis.ingest.record import Entry
from analysis.ingest.submission import IngestContext

_KEYS = ["q", "unit_code"]  # q: Quarter.index


def completeness_table(entries: list[Entry], ctx: IngestContext) -> pd.DataFrame:
    """Expected vs received reports per unit and quarter, from the first configured quarter (or the first one
    reported) to the last one reported, with on-time status where a deadline is configured."""
    accepted = [e for e in entries if e.sub.status == "accepted"]
    if not accepted:
        return schema.frame([], "completeness")
    periods = [e.sub.period for e in accepted]
    quarters = _quarters(quarter_range(min(ctx.province.first_period, *periods), max(periods)), ctx.province)
    units = _units([*ctx.registry.units, *(e.sub.unit for e in accepted)])
    rows = (
        _expected(units, quarters)
        .merge(_received(accepted), on=_KEYS, how="outer", indicator="found")
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
            indicators_reported=rows["indicators_reported"].fillna(0),
            indicators_expected=len(ctx.catalogue.input_indicators()),
            status=completeness_status(expected, received, on_time, rows["deadline"] != ""),
        )[schema.columns("completeness")],
        "completeness",
    )


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


def _received(accepted: list[Entry]) -> pd.DataFrame:
    """One row per accepted submission (one per unit and quarter after supersession)."""
    return pd.DataFrame(
        [
            (
                e.sub.period.index,
                e.sub.unit.code,
                e.sub.report_date.isoformat() if e.sub.report_date else "",
                e.sub.file,
                e.n_reported,
            )
            for e in accepted
        ],  # fmt: skip
        columns=[*_KEYS, "report_date", "source_file", "indicators_reported"],
    )
