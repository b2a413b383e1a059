"""Report sections: each call shows a heading, sentences built from computed values, a table and its charts.

The notebooks are a list of these calls; everything they compute lives in `compare`, `quality`, `tables`, `charts`.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Indicator
from analysis.compare.coverage import NOT_COMPARABLE
from analysis.compare.report_data import ReportData
from analysis.core import escape, labels, vnformat
from analysis.views import charts, manual_entries, quality, revised, tables
from analysis.views import notebook as nb
from analysis.views.across_units import (  # the comparison page's sections (notebooks call them here too)
    scope,
)
from analysis.views.charts import svg_grid
from analysis.views.tables import TEXT_COLUMNS
from analysis.views.wording import (
    change_of,
    change_text,
    comparison_clause,
    coverage_note,
    last_year_phrase,
    like_for_like_clause,
    like_for_like_of,
    previous_phrase,
)


def _area_codes(data: ReportData, area: str) -> list[str]:
    return [i.code for i in data.catalogue.indicators_in(area)]


def _headline(data: ReportData, ind: Indicator, row: pd.Series) -> str:
    """ "- Tổng số lượt tiếp công dân: **7.048 lượt**; tăng 8,9% so với quý II/2021 (6.473), …"."""
    q = data.quarter
    value = vnformat.with_unit(row["value"], ind.unit) if pd.notna(row["value"]) else "không có số liệu"
    note = coverage_note(row, q)
    clauses = []
    for base, quarter_base, phrase in (
        ("previous", q.previous(), previous_phrase(q)),
        ("last_year", q.same_quarter_last_year(), last_year_phrase(q)),
    ):
        clause = comparison_clause(change_of(row, base, ind.unit), quarter_base, phrase)
        compared = row[f"status_{base}"] in ("increase", "decrease", "unchanged")
        shown = [vnformat.figure(row[base], ind.unit)] if compared else []
        same = like_for_like_clause(like_for_like_of(row, base, ind.unit), row.get(f"common_units_{base}"), phrase)
        brackets = "; ".join([*shown, *([same] if same else [])])
        clauses.append(clause + (f" ({brackets})" if brackets else ""))
    return f"- {ind.name}: **{value}**{' ' + note if note else ''}; {'; '.join(clauses)}."


# ------------------------------------------------------------------------------------------------ province


def province_headlines(data: ReportData) -> None:
    cmp = data.province_comparison.set_index("indicator")
    lines = [_headline(data, ind, cmp.loc[ind.code]) for ind in data.key_indicators() if ind.code in cmp.index]
    nb.md("\n".join(lines))
    scope(data)


def province_narrative(data: ReportData) -> None:
    """The draft paragraphs of the report (figures rounded as reports speak them; exact ones in the tables)."""
    from analysis.narrative.build import build_narrative, render_markdown
    from analysis.narrative.scope import scope_sentences

    lead = escape.md(" ".join(scope_sentences(data)))
    nb.md(f"## Dự thảo nội dung báo cáo\n\n{lead}\n\n{render_markdown(build_narrative(data, exact=False))}")


def province_area(data: ReportData, area_code: str, figures_dir: str | None = None) -> None:
    area = data.catalogue.area(area_code)
    q = data.quarter
    nb.md(f"## {area.title}\n\n*{area.form}*")
    cmp = data.province_comparison
    row = cmp.set_index("indicator").iloc[0] if len(cmp) else None
    note = coverage_note(row, q) if row is not None else ""
    codes = _area_codes(data, area_code)
    said = f"Số liệu toàn tỉnh là tổng số liệu các đơn vị; tỷ lệ tính lại từ tổng tử số và mẫu số. {note}".strip()
    nb.table(
        tables.comparison_table(cmp, data.catalogue, q, codes),
        TEXT_COLUMNS,
        note=" ".join(filter(None, [said, revised.revised_note(data, codes), manual_entries.manual_note(data, codes)])),
    )
    for ind in data.key_indicators(area_code):
        title = f"{ind.short_name} toàn tỉnh qua các quý"
        nb.chart(
            charts.province_trend, data.trend(ind.code), title, ind.unit, highlight=q.label,
            name=f"{q.label}-tinh-{ind.code}-{ind.short_name}", figures_dir=figures_dir,
        )  # fmt: skip


def province_ytd(data: ReportData) -> None:
    q = data.quarter
    if q.quarter == 1:
        return
    nb.md(f"## Lũy kế {q.ytd_vn}")
    codes = [i.code for i in data.key_indicators()]
    nb.table(tables.ytd_table(data.province_ytd, data.catalogue, q, codes), TEXT_COLUMNS)


# ------------------------------------------------------------------------------------------------- quality


def rejected_files(data: ReportData) -> None:
    """The quarter's rejected files, first on the quality page: what each is, why it was refused, what to do."""
    table = quality.rejected_files(data)
    nb.md("## Tệp bị từ chối")
    if table.empty:
        nb.md("Không có tệp nào bị từ chối.")
        return
    note = "Số liệu của các tệp này không được tính vào báo cáo cho đến khi tệp được sửa hoặc gửi lại."
    nb.table(table, TEXT_COLUMNS, note=note)


def revisions(data: ReportData) -> None:
    """The published quarters and every figure of theirs changed since (nothing when none is published)."""
    if not data.publications:
        return
    said = ", ".join(f"{p.quarter.vn} (ngày {vnformat.iso_day(p.day.isoformat())})" for p in data.publications.values())
    nb.md(f"## Số liệu điều chỉnh sau khi công bố\n\nCác quý đã công bố: {said}.")
    table = quality.revisions_table(data)
    if table.empty:
        nb.md("Không có số liệu nào của các quý đã công bố bị điều chỉnh.")
        return
    how = (
        "so sánh với các quý này dùng số liệu đã công bố"
        if data.compares_published
        else "so sánh dùng số liệu hiện nay"
    )
    nb.table(table, TEXT_COLUMNS, note=f"Số liệu điều chỉnh: {how} (province.yaml: compare_with_published).")


def manual(data: ReportData) -> None:
    """The figures the analyst entered by hand for the quarters the report shows, and the lines that could not be
    used (nothing when there are none)."""
    wrong = quality.manual_line_errors(data)
    if data.manual.empty and wrong.empty:
        return
    nb.md(
        "## Số liệu nhập tay\n\nSố liệu do cán bộ tổng hợp nhập tay (thư mục data/manual), kèm lý do, người nhập, "
        "ngày nhập và văn bản nguồn. Khi đơn vị cũng báo cáo số liệu đó, **số liệu nhập tay được dùng**; xóa dòng "
        "nhập tay để dùng lại số liệu của đơn vị."
    )
    table = manual_entries.manual_table(data)
    if table.empty:
        nb.md(f"Không có số liệu nhập tay cho {data.quarter.vn} và các kỳ so sánh.")
    else:
        nb.table(table, TEXT_COLUMNS)
    if other := manual_entries.other_quarters(data):
        nb.md(escape.md(other))
    if len(wrong):
        nb.md(f"### Dòng nhập tay không dùng được ({len(wrong)})")
        nb.table(wrong, TEXT_COLUMNS, note="Các dòng này bị bỏ qua cho đến khi được sửa.")


UNUSUAL_SHOWN = 15  # unusual figures shown on a page (about a screenful); the rest folded below


def unusual_figures(data: ReportData, unit_code: str | None = None) -> None:
    """The unusual figures worth a call (the province's, or one unit's), most unusual first: the first
    UNUSUAL_SHOWN in a table, the rest folded below it."""
    table = quality.outlier_table(data, unit_code)
    note = quality.outlier_note(data.quarter)
    if table.empty:
        said = f"Không có số liệu nào của {data.quarter.vn} khác hẳn các quý trước của đơn vị."
        nb.html_block(f'<p>{escape.html(said)}</p><p class="ghi-chu">{escape.html(note)}</p>')
        return
    if len(table) <= UNUSUAL_SHOWN:
        nb.table(table, TEXT_COLUMNS, note=note)
        return
    shown = (
        f"{UNUSUAL_SHOWN} số liệu khác thường nhất trong {vnformat.number(len(table))}; các số liệu còn lại ở dưới. "
    )
    nb.table(table.head(UNUSUAL_SHOWN), TEXT_COLUMNS, note=shown + note)
    rest = table.iloc[UNUSUAL_SHOWN:]
    nb.folded(f"Xem thêm {vnformat.number(len(rest))} số liệu", nb.table_html(rest, TEXT_COLUMNS))


def submission_notes(data: ReportData) -> None:
    """Corrections and misfiled files under a unit's name, beside the completeness heatmap (nothing when none)."""
    table = quality.submission_notes(data)
    if table.empty:
        return
    nb.md("### Ghi chú về bản nộp của các đơn vị")
    nb.table(table, TEXT_COLUMNS)


# --------------------------------------------------------------------------------------------------- units


# ---------------------------------------------------------------------------------------------- one unit


def unit_summary(data: ReportData, unit_code: str) -> None:
    unit = data.unit(unit_code)
    now = data.completeness_now().set_index("unit_code")
    row = now.loc[unit_code]
    date = vnformat.iso_day(row["report_date"]) or "không ghi ngày"
    status = labels.label("completeness_status", row["status"])
    issues = quality.current_issues(data)
    own = issues[issues["unit_code"] == unit_code]
    note = quality.submission_note(row)
    figures = data.of_unit("unit_comparison", unit_code)
    refused = figures[figures["status_last_year"] == NOT_COMPARABLE]  # the rule's verdict: no figures in a base quarter
    if len(refused):
        since = change_of(refused.iloc[0], "last_year", "")
        note = "; ".join(filter(None, [note, f"So với các quý trước {unit.valid_from.vn}: {change_text(since)}"]))
    from analysis.narrative.scope import transition_sentence

    transition = transition_sentence(data)
    nb.md(
        f"# {escape.md(unit.name)} — {data.quarter.vn_title}\n\n"
        + (f"{escape.md(transition)}\n\n" if transition else "")
        + f"Tình trạng báo cáo: **{escape.md(status)}** (ngày báo cáo: {date}; tệp “{escape.md(row['source_file'])}”). "
        + (f"{escape.md(note)}. " if note else "")
        + f"Kiểm tra số liệu: {int((own['severity'] == 'error').sum())} lỗi, "
        f"{int((own['severity'] == 'warning').sum())} cảnh báo."
    )


def unit_area(data: ReportData, unit_code: str, area_code: str) -> None:
    area = data.catalogue.area(area_code)
    own = data.of_unit("unit_comparison", unit_code)
    nb.md(f"## {area.title}\n\n*{area.form}*")
    codes = _area_codes(data, area_code)
    notes = [revised.revised_note(data, codes, unit_code), manual_entries.manual_note(data, codes, unit_code)]
    note = " ".join(filter(None, notes))
    nb.table(tables.comparison_table(own, data.catalogue, data.quarter, codes), TEXT_COLUMNS, note=note)


def unit_trends(data: ReportData, unit_code: str, figures_dir: str | None = None) -> None:
    unit = data.unit(unit_code)
    q = data.quarter
    nb.md("## Diễn biến các chỉ tiêu chính qua các quý")
    panels = [(ind.short_name, data.trend(ind.code, unit_code), ind.unit) for ind in data.key_indicators()]
    title = f"Các chỉ tiêu chính của {unit.name} qua các quý"
    nb.svg(svg_grid.trend_grid_svg(panels, title, q.label))  # one per unit: drawn by the browser (svg_grid)
    name = f"{q.label}-{unit_code}-dien-bien"
    nb.save_chart(charts.trend_grid, panels, title, q.label, name=name, figures_dir=figures_dir)


def unit_ranks(data: ReportData, unit_code: str) -> None:
    own = data.of_unit("unit_comparison", unit_code)
    own = own[own["indicator"].isin([i.code for i in data.key_indicators()])]
    nb.md("## Vị trí so với các đơn vị khác")
    rows = []
    for ind in data.key_indicators():
        r = own[own["indicator"] == ind.code]
        if r.empty:
            continue
        r = r.iloc[0]
        rank = "—" if pd.isna(r["rank"]) else f"{int(r['rank'])}/{int(r['units_ranked'])}"
        value = vnformat.figure(r["value"], ind.unit)
        rows.append({tables.NAME: ind.name, tables.UNIT: ind.unit, data.quarter.vn_title: value, "Xếp hạng": rank})
    peers = labels.label("unit_count", data.unit(unit_code).type)
    nb.table(
        pd.DataFrame(rows),
        TEXT_COLUMNS,
        note=f"Xếp hạng trong các {peers} theo số liệu từ lớn đến nhỏ (1 = lớn nhất); không hàm ý tốt hay xấu.",
    )
