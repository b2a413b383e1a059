"""The comparison page's sections: the units side by side, each compared only with units of its own type.

At a province's scale (130+ communes beside a few provincial agencies) every section stays readable: heatmaps hold at
most HEATMAP_UNITS units, rankings are per type of unit with the first and last RANKED_SHOWN units shown and the
whole list folded below, and a chart of one indicator shows the CHART_UNITS largest figures of the local units.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Indicator
from analysis.compare import unit_groups as grouping
from analysis.compare.coverage import NOT_COMPARABLE
from analysis.compare.report_data import ReportData
from analysis.core import escape, labels, vnformat
from analysis.core.runs import even_runs
from analysis.views import charts, tables
from analysis.views import notebook as nb
from analysis.views.charts import svg_heatmap
from analysis.views.charts.style import POINTS_SUFFIX
from analysis.views.tables import TEXT_COLUMNS
from analysis.views.wording import change_of, change_text, last_year_phrase, previous_phrase

HEATMAP_UNITS = 15  # units (columns) in one heatmap: beyond, the labels and cells no longer read
RANKED_SHOWN = 10  # a long ranking shows its first and last units; the whole list is folded below
CHART_UNITS = 15  # units in a chart of one indicator (the largest figures; the table has them all)


def scope(data: ReportData) -> None:
    """What the comparisons cover: the transition quarter (when compared) and each side's units by unit type."""
    from analysis.narrative.scope import scope_sentences

    nb.md(escape.md(" ".join(scope_sentences(data))))


def unit_groups(data: ReportData) -> list[tuple[str, list[str]]]:
    """The quarter's compared units by type (communes or districts first, provincial agencies last), as (type,
    names in registry order): rankings and heatmaps compare a unit with units of its own type only."""
    names = _names(data)
    return [(t, [names[c] for c in codes]) for t, codes in grouping.by_type(data.registry, names)]


def heatmap_chunks(data: ReportData) -> list[tuple[str, list[str]]]:
    """The units in runs of at most HEATMAP_UNITS, each with its heading ("" when one heatmap holds them all): a
    type never shares a heatmap with another, and communes run by former district where the crosswalk is known
    (a district of more than HEATMAP_UNITS communes in even runs)."""
    names = _names(data)
    groups = grouping.by_former_district(data.registry, names, data.succession)
    if len(names) <= HEATMAP_UNITS:
        return [("", [names[c] for g in groups for c in g.codes])]
    chunks = []
    for heading, group in grouping.headed(groups):
        runs = even_runs(group.codes, HEATMAP_UNITS)
        start = 0
        for part in runs:
            where = f", {start + 1}–{start + len(part)}" if len(runs) > 1 else ""
            chunks.append((f"{heading}{where}", [names[c] for c in part]))
            start += len(part)
    return chunks


def _names(data: ReportData) -> dict[str, str]:
    """code → name of the units compared this quarter."""
    present = set(data.unit_comparison["unit_name"].unique())
    return {u.code: u.name for u in data.registry.units if u.name in present}


def change_heatmaps(data: ReportData, figures_dir: str | None = None) -> None:
    """Percent change of each key indicator (rows) in each unit (columns), on the previous quarter and last year;
    at a province's scale one heatmap per run of units of one type (`heatmap_chunks`), as SVG on the page only (ten
    heatmaps of 15 units are not a figure for the Word report, and drawn by matplotlib they were a third of the
    report's drawing time); there rates read in points on a scale of their own."""
    q = data.quarter
    cmp = data.unit_comparison
    chunks = heatmap_chunks(data)
    for base, phrase, name in (
        ("previous", previous_phrase(q), "so-voi-quy-truoc"),
        ("last_year", last_year_phrase(q), "so-voi-cung-ky"),
    ):
        if len(chunks) > 1:
            nb.md(f"### Thay đổi {phrase}")
        for heading, units in chunks:
            matrix = change_matrix(cmp, data.key_indicators(), base, "unit_name", units)
            title = f"{q.vn_title}: thay đổi {phrase}" + (f" — {heading}" if heading else "")
            if len(chunks) > 1:  # runs of units (a province's scale): for the page only, drawn by the browser
                nb.svg(svg_heatmap.change_heatmap_svg(matrix, title))
            else:  # one heatmap: a figure for the Word report too
                nb.chart(
                    charts.change_heatmap, matrix, title, name=f"{q.label}-ban-do-nhiet-{name}", figures_dir=figures_dir
                )
        _not_comparable_note(data, base)
    scope(data)


def change_matrix(cmp: pd.DataFrame, keys: list[Indicator], base: str, column: str, order: list[str]) -> pd.DataFrame:
    """Indicators (rows, short names) × `column` values in `order`: the percent change against `base`, for a rate
    the change in percentage points (as in the tables); a comparison refused is empty (grey)."""
    rates = {i.code for i in keys if i.unit == "%"}
    shown = cmp.assign(shown=cmp[f"pct_{base}"].where(~cmp["indicator"].isin(rates), cmp[f"change_{base}"]))
    return (
        shown[shown["indicator"].isin([i.code for i in keys])]
        .pivot_table(index="indicator", columns=column, values="shown", aggfunc="first", dropna=False)
        .reindex(index=[i.code for i in keys], columns=order)
        .rename(index={i.code: i.short_name + (POINTS_SUFFIX if i.code in rates else "") for i in keys})
    )


def _not_comparable_note(data: ReportData, base: str) -> None:
    """The units a heatmap shows in grey because they did not exist in the base quarter, and why."""
    cmp = data.unit_comparison
    rows = cmp[cmp[f"status_{base}"] == NOT_COMPARABLE].drop_duplicates("unit_code")
    if rows.empty:
        return
    base_q = data.quarter.previous() if base == "previous" else data.quarter.same_quarter_last_year()
    said = [f"{r['unit_name']}: {change_text(change_of(r, base, ''))}" for _, r in rows.iterrows()]
    nb.md(escape.md(f"Ô xám khi so với {base_q.vn}: {'; '.join(said)}."))


def indicator_across_units(data: ReportData, code: str, figures_dir: str | None = None) -> None:
    """One key indicator across the units: per type of unit its ranking (a long one shows its first and last
    units, the whole list folded below), and a chart of the local units' largest figures."""
    ind = data.indicator(code)
    q = data.quarter
    nb.md(f"### {ind.name}")
    rows = data.unit_comparison[data.unit_comparison["indicator"] == code]
    groups = unit_groups(data)
    for unit_type, _ in groups:
        own = rows[rows["unit_type"] == unit_type]
        if len(groups) > 1:
            nb.md(f"#### {labels.unit_group_heading(unit_type, len(own))}")
        _ranking(tables.ranking_table(own, data.catalogue, q, code), len(own))
    if not groups:
        return
    local = rows[rows["unit_type"] == groups[0][0]].sort_values(["rank", "unit_name"], na_position="last")
    shown = local.head(CHART_UNITS)
    frame = shown[["unit_name", "value", "previous", "last_year"]].rename(columns={"value": "current"}, errors="raise")
    words = {
        "current": q.vn_title,
        "previous": q.previous().vn_title,
        "last_year": q.same_quarter_last_year().vn_title,
    }
    whose = labels.label("unit_count", groups[0][0])
    limited = f" ({len(shown)} {whose} có số liệu lớn nhất)" if len(local) > len(shown) else ""
    title = f"{ind.short_name} theo đơn vị — {q.vn_title}{limited}"
    nb.chart(
        charts.units_side_by_side, frame, title, ind.unit, words, name=f"{q.label}-don-vi-{code}-{ind.short_name}",
        figures_dir=figures_dir,
    )  # fmt: skip


def _ranking(table: pd.DataFrame, count: int) -> None:
    """A ranking table; past 2 × RANKED_SHOWN rows its first and last RANKED_SHOWN, the whole list folded below."""
    if len(table) <= 2 * RANKED_SHOWN:
        nb.table(table, TEXT_COLUMNS)
        return
    gap = pd.DataFrame([{c: "…" for c in table.columns}])
    short = pd.concat([table.head(RANKED_SHOWN), gap, table.tail(RANKED_SHOWN)], ignore_index=True)
    classes = table.attrs.get(tables.CELL_CLASS, {})  # the direction of each change cell, kept for the rows shown
    short.attrs[tables.CELL_CLASS] = {
        column: [*kinds[:RANKED_SHOWN], "", *kinds[-RANKED_SHOWN:]] for column, kinds in classes.items()
    }
    note = f"{RANKED_SHOWN} đơn vị đầu và {RANKED_SHOWN} đơn vị cuối bảng xếp hạng; danh sách đủ ở dưới."
    nb.table(short, TEXT_COLUMNS, note=note)
    nb.folded(f"Xem đủ {vnformat.number(count)} đơn vị", nb.table_html(table, TEXT_COLUMNS))
