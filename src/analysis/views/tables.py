"""Report tables as display frames: Vietnamese headers, Vietnamese number format, changes in words."""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.core import vnformat
from analysis.core.periods import Quarter
from analysis.views.wording import change_text, last_year_label, previous_label

NAME = "Chỉ tiêu"
UNIT = "Đơn vị tính"


def comparison_table(cmp: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, codes: list[str]) -> pd.DataFrame:
    """One row per indicator in `codes` order: this quarter, previous quarter, same quarter last year, changes."""
    rows = cmp.set_index("indicator")
    out = []
    for code in codes:
        ind = catalogue.indicator(code)
        get = (rows.loc[code] if code in rows.index else pd.Series(dtype=object)).get
        out.append(
            {
                NAME: ind.name,
                UNIT: ind.unit,
                quarter.vn_title: vnformat.figure(get("value"), ind.unit),
                quarter.previous().vn_title: vnformat.figure(get("previous"), ind.unit),
                previous_label(quarter): change_text(
                    get("status_previous") or "no_data", get("pct_previous"), get("change_previous"), ind.unit
                ),
                quarter.same_quarter_last_year().vn_title: vnformat.figure(get("last_year"), ind.unit),
                last_year_label(quarter): change_text(
                    get("status_last_year") or "no_data", get("pct_last_year"), get("change_last_year"), ind.unit
                ),
            }
        )
    return pd.DataFrame(out)


def ytd_table(ytd: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, codes: list[str]) -> pd.DataFrame:
    """Year-to-date sums against the same span last year."""
    rows = ytd.set_index("indicator")
    label_now = quarter.ytd_vn[0].upper() + quarter.ytd_vn[1:]
    label_before = Quarter(quarter.year - 1, quarter.quarter).ytd_vn
    out = []
    for code in codes:
        ind = catalogue.indicator(code)
        if code not in rows.index:
            continue
        r = rows.loc[code]
        out.append(
            {
                NAME: ind.name,
                UNIT: ind.unit,
                label_now: vnformat.figure(r["value"], ind.unit),
                label_before[0].upper() + label_before[1:]: vnformat.figure(r["last_year"], ind.unit),
                last_year_label(quarter): change_text(
                    r["status_last_year"], r["pct_last_year"], r["change_last_year"], ind.unit
                ),
            }
        )
    return pd.DataFrame(out)


def ranking_table(unit_cmp: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, code: str) -> pd.DataFrame:
    """Units ranked by this quarter's figure of one indicator, with their changes."""
    ind = catalogue.indicator(code)
    rows = unit_cmp[unit_cmp["indicator"] == code].sort_values(["rank", "unit_name"], na_position="last")
    return pd.DataFrame(
        {
            "Xếp hạng": rows["rank"].map(lambda r: "—" if pd.isna(r) else str(int(r))),
            "Đơn vị": rows["unit_name"],
            quarter.vn_title: rows["value"].map(lambda v: vnformat.figure(v, ind.unit)),
            previous_label(quarter): [
                change_text(s, p, c, ind.unit)
                for s, p, c in zip(rows["status_previous"], rows["pct_previous"], rows["change_previous"], strict=True)
            ],
            last_year_label(quarter): [
                change_text(s, p, c, ind.unit)
                for s, p, c in zip(
                    rows["status_last_year"], rows["pct_last_year"], rows["change_last_year"], strict=True
                )
            ],
        }
    )
