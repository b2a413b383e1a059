"""The crosswalk's views on the comparison page and in the Excel tables: figures by former province, former district
and today's agency against its predecessors (`compare.areas`), worded by the one rule (`compare.comparability`).

An estimate (an area whose boundary the reform adjusted, compared across it) keeps its number and says so: the
change cell reads "tăng 8,3% (ước tính)" and the note says why; a refused comparison is words, never a number.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.compare.areas import sides
from analysis.compare.coverage import BASES, base_quarters
from analysis.compare.report_data import ReportData
from analysis.core import escape, labels, vnformat
from analysis.core.periods import Quarter, vn_date
from analysis.core.succession import VIEWS
from analysis.views import charts, tables
from analysis.views import notebook as nb
from analysis.views.across_units import change_matrix
from analysis.views.sections import TEXT_COLUMNS
from analysis.views.wording import (
    change_of,
    change_text,
    direction_class,
    last_year_label,
    last_year_phrase,
    previous_label,
)

__all__ = ["area_note", "area_table", "area_views", "estimated", "intro", "shown"]


def reasons_words(reasons: str) -> list[str]:
    """ "crossing,divided" → the words of each reason (labels.yaml group boundary_change)."""
    return [labels.label("boundary_change", r) for r in reasons.split(",") if r]


def estimated(row: pd.Series | dict, base: str) -> bool:
    """Whether the row's change against `base` is an estimate (the rule's approximate_<base>)."""
    flag = row.get(f"approximate_{base}")
    return bool(flag) and not pd.isna(flag)


def area_note(row: pd.Series | dict, quarter: Quarter, why: bool = True) -> str:
    """What the change cells cannot show: why a figure is an estimate (when `why`; a page says it once above the
    table), which side lacks units (received/expected)."""
    notes = []
    if why and any(estimated(row, b) for b in BASES):
        reasons = reasons_words(str(row.get("reasons") or ""))
        notes.append(labels.label("boundary_change", "approximate") + (f" ({'; '.join(reasons)})" if reasons else ""))
    for suffix, q in sides(quarter):
        expected, received = row.get(f"units_expected{suffix}"), row.get(f"units_received{suffix}")
        if not row.get(f"complete{suffix}") and expected is not None and not pd.isna(expected) and expected > 0:
            notes.append(f"{q.vn}: {int(received or 0)}/{int(expected)} đơn vị báo cáo")
    return "; ".join(notes)


def _change_cell(row: pd.Series, base: str, unit: str):
    change = change_of(row, base, unit)
    text = change_text(change)
    return change, text + (" (ước tính)" if estimated(row, base) else "")


def area_table(cmp: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, codes: list[str]) -> pd.DataFrame:
    """The rows of one view (in its order) for the indicators `codes`: grouped by area, each with this quarter, the
    previous quarter, the same quarter last year, the changes and the note."""
    view = cmp["view"].iloc[0] if len(cmp) else "district"
    heading = labels.label("area_heading", view)
    order = {c: i for i, c in enumerate(codes)}
    rows = cmp[cmp["indicator"].isin(codes)].assign(_i=lambda d: d["indicator"].map(order))
    rows = rows.sort_values(["order", "_i"], kind="stable")
    headings = {"previous": previous_label(quarter), "last_year": last_year_label(quarter)}
    out, changes = [], {h: [] for h in headings.values()}
    previous_area = None
    for _, r in rows.iterrows():
        ind = catalogue.indicator(r["indicator"])
        name = r["area_name"] if r["area"] != previous_area else ""  # each area named once, over its rows
        previous_area = r["area"]
        line = {heading: name, tables.NAME: ind.name, tables.UNIT: ind.unit}
        line[quarter.vn_title] = vnformat.figure(r["value"], ind.unit)
        for base, base_q in base_quarters(quarter).items():
            change, text = _change_cell(r, base, ind.unit)
            changes[headings[base]].append(change)
            line[base_q.vn_title] = vnformat.figure(r[base], ind.unit)
            line[headings[base]] = text
        line["Ghi chú"] = area_note(r, quarter, why=False)
        out.append(line)
    frame = pd.DataFrame(out)
    if len(frame) and not frame["Ghi chú"].any():
        frame = frame.drop(columns="Ghi chú")
    frame.attrs[tables.CELL_CLASS] = {h: [direction_class(c) for c in cs] for h, cs in changes.items()}
    return frame


def _estimates(cmp: pd.DataFrame) -> pd.DataFrame:
    """The areas the rule made an estimate for some comparison of this quarter (one row each)."""
    flagged = cmp[[f"approximate_{b}" for b in BASES]].fillna(False).astype(bool).any(axis=1)
    return cmp[flagged].drop_duplicates(["view", "area"])


def intro(data: ReportData) -> str:
    """What the views are, which areas' comparisons are estimates and why, once."""
    reform = data.reform
    assert reform is not None
    t = reform.transition_quarter
    both = (
        " (quý này cộng cả số liệu các huyện báo cáo trước ngày sắp xếp)" if reform.reported_by == "districts" else ""
    )
    text = (
        f"Số liệu theo địa bàn trước khi sắp xếp đơn vị hành chính ngày {vn_date(reform.effective)}: trước {t.vn} là "
        f"số liệu các huyện và cơ quan của các tỉnh cũ báo cáo; từ {t.vn} là tổng số liệu các xã, phường, đặc khu kế "
        f"thừa{both}, mỗi xã tính vào huyện, tỉnh cũ của xã, phường, thị trấn cũ chính."
    )
    estimates = _estimates(data.area_comparison)
    if len(estimates):
        by_reason = estimates.assign(reason=estimates["reasons"].str.split(",")).explode("reason")
        why = [
            f"{', '.join(group['area_name'])} ({reasons_words(reason)[0]})"
            for reason, group in by_reason.groupby("reason", sort=True)
        ]
        text += (
            " So sánh qua thời điểm sắp xếp chỉ là ước tính (do điều chỉnh địa giới hành chính) đối với: "
            + "; ".join(why)
            + "."
        )
    return text + " Không so sánh khi địa bàn có đơn vị chưa gửi báo cáo ở một trong hai kỳ."


def shown(data: ReportData) -> bool:
    """Whether the report shows the views: the workspace has a crosswalk and the quarter is the transition quarter
    or later (before it, an area is only its former units)."""
    succession = data.succession
    return succession is not None and data.quarter >= succession.transition and not data.area_comparison.empty


def area_views(data: ReportData, figures_dir: str | None = None) -> None:
    """The section of the comparison page (nothing when not :func:`shown`; what is wrong with the crosswalk when it
    cannot be used)."""
    if data.succession_error:
        why = escape.md(data.succession_error)
        nb.md(f"## Theo địa bàn trước khi sắp xếp\n\nKhông lập được số liệu theo địa bàn cũ: {why}")
        return
    if not shown(data):
        return
    cmp, q = data.area_comparison, data.quarter
    keys = data.key_indicators()
    nb.md(f"## Theo địa bàn trước khi sắp xếp\n\n{escape.md(intro(data))}")
    for view in VIEWS:
        rows = cmp[cmp["view"] == view]
        if rows.empty:
            continue
        nb.md(f"### {labels.label('area_view', view)}")
        if view == "district":
            starred = set(_estimates(rows[rows["indicator"].isin([i.code for i in keys])])["area"])
            names = rows.drop_duplicates("area")
            names = names.assign(label=names["area_name"] + names["area"].isin(starred).map({True: " *", False: ""}))
            matrix = change_matrix(
                rows.merge(names[["area", "label"]], on="area"), keys, "last_year", "label", names["label"].tolist()
            )
            title = f"{q.vn_title}: thay đổi {last_year_phrase(q)} theo huyện cũ (* ước tính)"
            nb.chart(charts.change_heatmap, matrix, title, name=f"{q.label}-huyen-cu-so-voi-cung-ky",
                     figures_dir=figures_dir)  # fmt: skip
        text = (*TEXT_COLUMNS, *labels.group("area_heading").values())
        nb.table(area_table(rows, data.catalogue, q, [i.code for i in keys]), text)
