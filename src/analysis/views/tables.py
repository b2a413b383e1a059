"""Report tables as display frames: Vietnamese headers, Vietnamese number format, changes in words.

A frame's change cells also carry their direction for the page (`frame.attrs["cell_class"]`: column → one CSS class
per row, "tang" / "giam" / ""), so nothing downstream reads a direction back from the words.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.core import vnformat
from analysis.core.periods import Quarter
from analysis.views.wording import change_of, change_text, direction_class, last_year_label, previous_label

NAME = "Chỉ tiêu"
UNIT = "Đơn vị tính"
CELL_CLASS = "cell_class"


def _changes(rows: list[dict], columns: dict[str, list]) -> pd.DataFrame:
    """The frame of `rows`, with the CSS class of each change cell (`columns`: heading → Change per row)."""
    frame = pd.DataFrame(rows)
    frame.attrs[CELL_CLASS] = {heading: [direction_class(c) for c in changes] for heading, changes in columns.items()}
    return frame


def comparison_table(cmp: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, codes: list[str]) -> pd.DataFrame:
    """One row per indicator in `codes` order: this quarter, previous quarter, same quarter last year, changes."""
    rows = cmp.set_index("indicator")
    out, changes = [], {previous_label(quarter): [], last_year_label(quarter): []}
    for code in codes:
        ind = catalogue.indicator(code)
        row = rows.loc[code] if code in rows.index else pd.Series(dtype=object)
        previous, last_year = change_of(row, "previous", ind.unit), change_of(row, "last_year", ind.unit)
        changes[previous_label(quarter)].append(previous)
        changes[last_year_label(quarter)].append(last_year)
        out.append(
            {
                NAME: ind.name,
                UNIT: ind.unit,
                quarter.vn_title: vnformat.figure(row.get("value"), ind.unit),
                quarter.previous().vn_title: vnformat.figure(row.get("previous"), ind.unit),
                previous_label(quarter): change_text(previous),
                quarter.same_quarter_last_year().vn_title: vnformat.figure(row.get("last_year"), ind.unit),
                last_year_label(quarter): change_text(last_year),
            }
        )
    return _changes(out, changes)


def ytd_table(ytd: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, codes: list[str]) -> pd.DataFrame:
    """Year-to-date sums against the same span last year."""
    rows = ytd.set_index("indicator")
    label_now = quarter.ytd_vn[0].upper() + quarter.ytd_vn[1:]
    label_before = Quarter(quarter.year - 1, quarter.quarter).ytd_vn
    out, changes = [], {last_year_label(quarter): []}
    for code in codes:
        ind = catalogue.indicator(code)
        if code not in rows.index:
            continue
        r = rows.loc[code]
        change = change_of(r, "last_year", ind.unit)
        changes[last_year_label(quarter)].append(change)
        out.append(
            {
                NAME: ind.name,
                UNIT: ind.unit,
                label_now: vnformat.figure(r["value"], ind.unit),
                label_before[0].upper() + label_before[1:]: vnformat.figure(r["last_year"], ind.unit),
                last_year_label(quarter): change_text(change),
            }
        )
    return _changes(out, changes)


def ranking_table(unit_cmp: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, code: str) -> pd.DataFrame:
    """Units ranked by this quarter's figure of one indicator, with their changes."""
    ind = catalogue.indicator(code)
    rows = unit_cmp[unit_cmp["indicator"] == code].sort_values(["rank", "unit_name"], na_position="last")
    changes = {
        label: [change_of(r, base, ind.unit) for _, r in rows.iterrows()]
        for label, base in ((previous_label(quarter), "previous"), (last_year_label(quarter), "last_year"))
    }
    out = [
        {
            "Xếp hạng": "—" if pd.isna(r["rank"]) else str(int(r["rank"])),
            "Đơn vị": r["unit_name"],
            quarter.vn_title: vnformat.figure(r["value"], ind.unit),
            **{label: change_text(column[i]) for label, column in changes.items()},
        }
        for i, (_, r) in enumerate(rows.iterrows())
    ]
    frame = _changes(out, changes)
    return frame if len(frame) else pd.DataFrame(columns=["Xếp hạng", "Đơn vị", quarter.vn_title, *changes])
