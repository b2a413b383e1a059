"""Report tables as display frames: Vietnamese headers, Vietnamese number format, changes in words.

A frame's change cells also carry their direction for the page (`frame.attrs["cell_class"]`: column → one CSS class
per row, "tang" / "giam" / ""), so nothing downstream reads a direction back from the words.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.core import vnformat
from analysis.core.periods import Quarter
from analysis.views.wording import (
    change_of,
    change_text,
    direction_class,
    last_year_label,
    like_for_like_of,
    like_for_like_text,
    previous_label,
)

NAME = "Chỉ tiêu"
UNIT = "Đơn vị tính"
CELL_CLASS = "cell_class"
NOT_COMPARABLE_CELL = "không so sánh được"  # the reason once, in the unit's summary


def _changes(rows: list[dict], columns: dict[str, list]) -> pd.DataFrame:
    """The frame of `rows`, with the CSS class of each change cell (`columns`: heading → Change per row)."""
    frame = pd.DataFrame(rows)
    frame.attrs[CELL_CLASS] = {heading: [direction_class(c) for c in changes] for heading, changes in columns.items()}
    return frame


def like_for_like_label(quarter: Quarter, base: str) -> str:
    """Column heading: "So với quý II/2021, cùng đơn vị báo cáo cả hai kỳ"."""
    heading = previous_label(quarter) if base == "previous" else last_year_label(quarter)
    return f"{heading}, cùng đơn vị báo cáo cả hai kỳ"


def _lfl_bases(cmp: pd.DataFrame, codes: list[str]) -> list[str]:
    """The bases for which some indicator of `codes` has its figures from different sets of units."""
    rows = cmp[cmp["indicator"].isin(codes)]
    return [b for b in ("previous", "last_year") if f"units_differ_{b}" in rows and rows[f"units_differ_{b}"].any()]


def comparison_table(cmp: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, codes: list[str]) -> pd.DataFrame:
    """One row per indicator in `codes` order: this quarter, previous quarter, same quarter last year, changes; and
    when the units behind a base differ, the change over the units that reported in both (like for like)."""
    rows = cmp.set_index("indicator")
    lfl = _lfl_bases(cmp, codes)
    headings = {"previous": previous_label(quarter), "last_year": last_year_label(quarter)}
    out, changes = [], {h: [] for h in headings.values()} | {like_for_like_label(quarter, b): [] for b in lfl}
    for code in codes:
        ind = catalogue.indicator(code)
        row = rows.loc[code] if code in rows.index else pd.Series(dtype=object)
        line = {
            NAME: ind.name,
            UNIT: ind.unit,
            quarter.vn_title: vnformat.figure(row.get("value"), ind.unit),
        }
        for base, base_q in (("previous", quarter.previous()), ("last_year", quarter.same_quarter_last_year())):
            change = change_of(row, base, ind.unit)
            changes[headings[base]].append(change)
            line[base_q.vn_title] = vnformat.figure(row.get(base), ind.unit)
            # a unit's table says why it cannot compare once, above it (sections.unit_summary): the cell stays short
            line[headings[base]] = NOT_COMPARABLE_CELL if change.kind == "not_comparable" else change_text(change)
            if base in lfl:
                same = like_for_like_of(row, base, ind.unit)
                changes[like_for_like_label(quarter, base)].append(same or change_of({}, base, ind.unit))
                line[like_for_like_label(quarter, base)] = like_for_like_text(
                    same, row.get(f"common_units_{base}"), under_heading=True
                )
        out.append(line)
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
    ordered = unit_cmp[unit_cmp["indicator"] == code].sort_values(["rank", "unit_name"], na_position="last")
    rows = ordered.to_dict("records")  # plain dicts: a Series per row cost most of a 133-unit ranking's time
    changes = {
        label: [change_of(r, base, ind.unit) for r in rows]
        for label, base in ((previous_label(quarter), "previous"), (last_year_label(quarter), "last_year"))
    }
    out = [
        {
            "Xếp hạng": "—" if pd.isna(r["rank"]) else str(int(r["rank"])),
            "Đơn vị": r["unit_name"],
            quarter.vn_title: vnformat.figure(r["value"], ind.unit),
            **{label: change_text(column[i]) for label, column in changes.items()},
        }
        for i, r in enumerate(rows)
    ]
    frame = _changes(out, changes)
    return frame if len(frame) else pd.DataFrame(columns=["Xếp hạng", "Đơn vị", quarter.vn_title, *changes])


# the columns of display frames that hold words (left-aligned, wrapping) rather than figures
TEXT_COLUMNS = (
    NAME,
    "Đơn vị",
    "Tệp",
    "Nội dung",
    "Lý do",
    "Vị trí",
    "Cách xử lý",
    "Tình trạng",
    "Ghi chú",
    "Người nhập",
)
