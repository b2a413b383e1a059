"""The report's index.html: what the quarter's report holds, how complete the data are, links to every page."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.compare import unit_groups
from analysis.core import labels, vnformat
from analysis.core.escape import html as esc
from analysis.core.outputs import atomic_path
from analysis.core.periods import vn_date
from analysis.report.files import archive_name, docx_name, table_name
from analysis.views import freshness, house, problems

if TYPE_CHECKING:
    from analysis.compare.report_data import ReportData
    from analysis.report.jobs import JobResult

# completeness status code → CSS class of its cell
STATUS_CLASS = {
    "on_time": "ok",
    "late": "muon",
    "missing": "thieu",
    "received_undated": "chua-ro",
    "received": "ok",
    "manual": "chua-ro",
    "not_expected": "",
}

CSS = """
body { font-family: var(--font-text); color: var(--text); margin: 0; background: #f4f6f8; }
main { max-width: 1000px; margin: 0 auto; padding: 1.5em 2em 3em; background: #fff; min-height: 100vh; }
h1 { font-size: 1.8em; border-bottom: 3px solid var(--accent); padding-bottom: .3em; margin-bottom: .2em; }
h2 { font-size: 1.3em; color: var(--heading); margin-top: 1.5em; }
p.meta { color: var(--muted); margin-top: 0; }
.tomtat { display: flex; gap: 1em; flex-wrap: wrap; margin: 1em 0; }
.o { border: 1px solid var(--border-light); border-radius: 6px; padding: .6em 1em; min-width: 10em;
  background: #f9fbfc; }
.o b { display: block; font-size: 1.6em; font-family: var(--font-figures); }
ul.trang li { margin: .4em 0; font-size: 1.1em; }
ul.don-vi { columns: 16em; margin-top: .3em; }
h4 { margin: .8em 0 0; font-size: 1em; color: var(--heading); }
p.loc input { font: inherit; padding: .25em .5em; width: 18em; }
#loc-ket-qua { color: var(--muted); margin-left: .5em; }
table { border-collapse: collapse; font-family: var(--font-figures); font-size: .9em; }
th { background: var(--header-fill); border: 1px solid var(--border); padding: 4px 8px; }
td { border: 1px solid var(--border-light); padding: 3px 8px; }
td.ok { color: #0b5e3b; } td.muon { color: #9c5b00; font-weight: bold; }
td.thieu { color: #b02a00; font-weight: bold; } td.chua-ro { color: var(--heading); }
.loi { background: #fdecea; border-left: 4px solid #D55E00; padding: .5em 1em; }
.o.co-loi { border-color: #D55E00; background: #fdecea; }
table.van-de { font-family: var(--font-text); font-size: .95em; margin: .5em 0 1em; }
table.van-de td { vertical-align: top; }
"""
MAX_ERRORS_LISTED = 20  # on the index; the quality page lists every one
# The filter box over the unit pages and the table of units: typing "hoa an" keeps the lines holding "Hòa An" (case
# and Vietnamese marks ignored, đ as d) and the group headings that still have one. The page's only script, allowed
# by its hash (`house.csp_meta`); without script (some mail viewers) the box stays hidden and the lists whole.
FILTER_SCRIPT = """(function () {
  var box = document.getElementById("loc-don-vi"), said = document.getElementById("loc-ket-qua");
  if (!box) return;
  function key(text) {
    return text.normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").replace(/[\\u0111\\u0110]/g, "d")
      .toLowerCase().replace(/\\s+/g, " ").trim();
  }
  var lines = Array.prototype.slice.call(document.querySelectorAll("[data-loc]"));
  var keys = lines.map(function (el) { return key(el.textContent); });
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-nhom]"));
  box.parentNode.hidden = false;
  box.addEventListener("input", function () {
    var wanted = key(box.value), shown = 0;
    lines.forEach(function (el, i) {
      var keep = !wanted || keys[i].indexOf(wanted) >= 0;
      el.hidden = !keep;
      if (keep && el.tagName === "LI") shown++;
    });
    groups.forEach(function (g) { g.hidden = !g.querySelector("li[data-loc]:not([hidden])"); });
    said.textContent = wanted ? shown + " trang đơn vị" : "";
  });
})();"""


def write(
    target: Path,
    data: ReportData,
    results: list[JobResult],
    built: datetime,
    raw_dir: Path | None = None,
    internal: str | None = None,
) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(render(data, results, built, raw_dir, internal), encoding="utf-8")


def render(
    data: ReportData,
    results: list[JobResult],
    built: datetime,
    raw_dir: Path | None = None,
    internal: str | None = None,
    archive: bool = False,
) -> str:
    """The index; with `raw_dir` (else as `views.freshness` finds it) a warning when the data are stale; `internal`:
    the analysts' internal page, linked only when the configuration puts it in the report folder. `archive`: the
    index of the archive for leaders (`report.archive`), which links neither the internal page nor the figures."""
    q = data.quarter
    now = data.completeness_now()
    expected = now[now["expected"]]
    status = Counter(expected["status"])
    count = problems.counts(data.submissions, data.issues, q.label)
    main_pages = [r for r in results if not r.per_unit]
    unit_pages = [r for r in results if r.per_unit]
    failed = [r for r in results if not r.ok]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        house.csp_meta(*([FILTER_SCRIPT] if unit_pages else [])),
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        f"<title>Báo cáo {esc(q.vn)} — {esc(data.registry.province_name)}</title>",
        f"<style>{house.css()}{CSS}</style></head><body><main>",
        f"<h1>Báo cáo số liệu {esc(q.vn)}</h1>",
        f'<p class="meta">{esc(data.registry.province_name)} · Lập lúc {built:%H:%M} ngày {built:%d/%m/%Y}</p>',
        _stale_banner(data, raw_dir),
        "<h2>Tình hình nộp báo cáo</h2>",
        '<div class="tomtat">',
        _box(f"{int(expected['received'].sum())}/{len(expected)}", "đơn vị đã nộp báo cáo"),
        _box(str(status.get("on_time", 0)), "nộp đúng hạn"),
        _box(str(status.get("late", 0)), "nộp muộn"),
        _box(str(status.get("missing", 0)), "chưa nộp"),
        _box(str(count.errors), "lỗi cần xem lại", alarm=count.errors > 0),
        _box(str(count.rejected), "tệp bị từ chối", alarm=count.rejected > 0),
        "</div>",
        *_problems(data, count, main_pages),
    ]
    if failed:
        parts.append('<div class="loi"><p><b>Một số trang không lập được:</b></p><ul>')
        parts += [f"<li>{esc(r.error)}</li>" for r in failed]
        parts.append("</ul></div>")
    parts += _published(data)
    parts.append('<h2>Các trang báo cáo</h2><ul class="trang">')
    parts += [_link(r) for r in main_pages]
    if internal and not archive:
        parts.append(f'<li><a href="{esc(internal)}">Danh sách vụ việc và văn bản</a> (nội bộ)</li>')
    parts.append("</ul>")
    parts.append("<h2>Tệp để soạn báo cáo</h2><ul class='trang'>")
    for name, label in downloads(q.label, archive):
        parts.append(f'<li><a href="{esc(name)}">{esc(label)}</a></li>')
    parts.append("</ul>")
    if not archive:
        parts.append(
            '<p class="meta">Hình vẽ (PNG, 200 dpi) để dán vào báo cáo Word nằm trong thư mục '
            '<a href="figures/">figures/</a>.</p>'
        )
    if unit_pages:
        parts.append(f"<h2>{esc(unit_pages[0].notebook_title)} ({len(unit_pages)} đơn vị)</h2>")
        parts += _unit_links(data, unit_pages)
    parts.append("<h2>Chi tiết theo đơn vị</h2>")
    order = {u.code: i for i, u in enumerate(data.registry.units)}
    parts.append(_completeness_table(now.sort_values("unit_code", key=lambda c: c.map(order))))
    if unit_pages:
        parts.append(f"<script>{FILTER_SCRIPT}</script>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _published(data: ReportData) -> list[str]:
    """The quarters leaders signed (`python -m analysis publish`), and how many of their figures changed since."""
    if not data.publications:
        return []
    items = []
    for label, pub in sorted(data.publications.items()):
        revised = int((data.revisions["period"] == label).sum())
        note = f"; {revised} số liệu điều chỉnh sau đó (xem trang Chất lượng số liệu)" if revised else ""
        items.append(f"<li>{esc(pub.quarter.vn_title)}: công bố ngày {esc(vn_date(pub.day))}{esc(note)}</li>")
    return ["<h2>Các quý đã công bố</h2><ul>", *items, "</ul>"]


def _stale_banner(data: ReportData, raw_dir: Path | None) -> str:
    """The stale-data warning of every page, when the raw files changed after the data were read."""
    return freshness.banner_html(freshness.check(data.folder, raw_dir)) if data.folder is not None else ""


def _problems(data: ReportData, count: problems.Counts, pages: list[JobResult]) -> list[str]:
    """Rejected files in their own table first, then the errors in the files used (the first ones)."""
    q = data.quarter.label
    parts = []
    rejected = problems.rejected_table(data.submissions, data.issues, data.registry, q)
    if len(rejected):
        parts.append(f"<h2>Tệp bị từ chối ({len(rejected)}) — số liệu không được tính</h2>")
        parts.append(html_table(rejected))
    errors = problems.error_table(data.issues, data.registry, q)
    if len(errors):
        quality = next((r for r in pages if r.ok and r.href.startswith("chat-luong")), None)
        where = f'<a href="{esc(quality.href)}">{esc(quality.title)}</a>' if quality else "trang Chất lượng số liệu"
        parts.append(f"<h2>Lỗi số liệu cần xem lại ({count.data_errors})</h2>")
        parts.append(html_table(errors.head(MAX_ERRORS_LISTED)))
        if len(errors) > MAX_ERRORS_LISTED:
            parts.append(f'<p class="meta">… và {len(errors) - MAX_ERRORS_LISTED} lỗi khác: xem {where}.</p>')
    return parts


def html_table(frame: pd.DataFrame, css_class: str = "van-de") -> str:
    """`frame` as an HTML table, every cell escaped."""
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def downloads(quarter_label: str, archive: bool = False) -> list[tuple[str, str]]:
    """The report's files beside its pages; the archive for leaders is listed except in the archive itself."""
    files = [
        (docx_name(quarter_label), "Dự thảo báo cáo (Word): nội dung theo từng lĩnh vực, bảng và biểu đồ"),
        (table_name(quarter_label), "Bảng số liệu (Excel): toàn tỉnh và từng đơn vị, theo lĩnh vực"),
    ]
    if not archive:
        files.append(
            (
                archive_name(quarter_label),
                "Bản gửi lãnh đạo (một tệp .zip): mục lục, các trang báo cáo, dự thảo Word và bảng Excel; "
                "không gồm sổ tay, hình in và danh sách nội bộ",
            )
        )
    return files


def _box(number: str, label: str, alarm: bool = False) -> str:
    return f'<div class="o{" co-loi" if alarm else ""}"><b>{esc(number)}</b>{esc(label)}</div>'


def _unit_links(data: ReportData, pages: list[JobResult]) -> list[str]:
    """The unit pages by type of unit (communes or districts first, provincial agencies last) and, where the
    crosswalk is known, communes by former district; a filter box above (`FILTER_SCRIPT`)."""
    page_of = {r.job.parameters["unit"]: r for r in pages}
    groups = unit_groups.by_former_district(data.registry, page_of, data.succession)
    types = list(dict.fromkeys(g.unit_type for g in groups))
    parts = [
        '<p class="loc" hidden><label for="loc-don-vi">Tìm đơn vị:</label> '
        '<input type="search" id="loc-don-vi" autocomplete="off" placeholder="gõ tên, không cần dấu"> '
        '<span id="loc-ket-qua" aria-live="polite"></span></p>'
    ]
    for unit_type in types:
        own = [g for g in groups if g.unit_type == unit_type]
        parts.append("<section data-nhom>")
        if len(types) > 1:
            count = sum(len(g.codes) for g in own)
            parts.append(f"<h3>{esc(labels.unit_group_heading(unit_type, count))}</h3>")
        for group in own:
            if group.district or group.unplaced:
                heading = labels.district_group_heading(group.district, unit_type, len(group.codes))
                parts.append(f"<div data-nhom><h4>{esc(heading)}</h4>")
            parts += ["<ul class='don-vi'>", *(_link(page_of[c], filtered=True) for c in group.codes), "</ul>"]
            if group.district or group.unplaced:
                parts.append("</div>")
        parts.append("</section>")
    return parts


def _link(result: JobResult, filtered: bool = False) -> str:
    text = esc(result.title)
    li = "<li data-loc>" if filtered else "<li>"
    if not result.ok:
        return f"{li}{text} — <i>không lập được</i></li>"
    return f'{li}<a href="{esc(result.href)}">{text}</a></li>'


def _completeness_table(now) -> str:
    rows = []
    for r in now.itertuples():
        date = vnformat.iso_day(r.report_date)
        rows.append(
            f"<tr data-loc><td>{esc(r.unit_name)}</td>"
            f'<td class="{STATUS_CLASS[r.status]}">{esc(labels.label("completeness_status", r.status))}</td>'
            f"<td>{esc(date)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Đơn vị</th><th>Tình trạng</th><th>Ngày báo cáo</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
