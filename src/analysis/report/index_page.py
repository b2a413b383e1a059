"""The report's index.html: what the quarter's report holds, how complete the data are, links to every page."""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core import labels
from analysis.core.outputs import atomic_path
from analysis.report.files import docx_name, table_name
from analysis.views import house

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
ul.don-vi { columns: 2; }
table { border-collapse: collapse; font-family: var(--font-figures); font-size: .9em; }
th { background: var(--header-fill); border: 1px solid var(--border); padding: 4px 8px; }
td { border: 1px solid var(--border-light); padding: 3px 8px; }
td.ok { color: #0b5e3b; } td.muon { color: #9c5b00; font-weight: bold; }
td.thieu { color: #b02a00; font-weight: bold; } td.chua-ro { color: var(--heading); }
.loi { background: #fdecea; border-left: 4px solid #D55E00; padding: .5em 1em; }
"""


def write(target: Path, data: ReportData, results: list[JobResult], built: datetime) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(render(data, results, built), encoding="utf-8")


def render(data: ReportData, results: list[JobResult], built: datetime) -> str:
    q = data.quarter
    e = html.escape
    now = data.completeness_now()
    expected = now[now["expected"]]
    status = Counter(expected["status"])
    issues = data.issues[(data.issues["period"] == q.label) & (data.issues["submission_status"] == "accepted")]
    severity = Counter(issues["severity"])
    main_pages = [r for r in results if not r.per_unit]
    unit_pages = [r for r in results if r.per_unit]
    failed = [r for r in results if not r.ok]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        f"<title>Báo cáo {e(q.vn)} — {e(data.registry.province_name)}</title>",
        f"<style>{house.css()}{CSS}</style></head><body><main>",
        f"<h1>Báo cáo số liệu {e(q.vn)}</h1>",
        f'<p class="meta">{e(data.registry.province_name)} · Lập lúc {built:%H:%M} ngày {built:%d/%m/%Y}</p>',
        "<h2>Tình hình nộp báo cáo</h2>",
        '<div class="tomtat">',
        _box(f"{int(expected['received'].sum())}/{len(expected)}", "đơn vị đã nộp báo cáo"),
        _box(str(status.get("on_time", 0)), "nộp đúng hạn"),
        _box(str(status.get("late", 0)), "nộp muộn"),
        _box(str(status.get("missing", 0)), "chưa nộp"),
        _box(str(severity.get("error", 0)), "lỗi số liệu cần xem lại"),
        "</div>",
    ]
    if failed:
        parts.append('<div class="loi"><p><b>Một số trang không lập được:</b></p><ul>')
        parts += [f"<li>{e(r.error)}</li>" for r in failed]
        parts.append("</ul></div>")
    parts.append('<h2>Các trang báo cáo</h2><ul class="trang">')
    parts += [_link(r) for r in main_pages]
    parts.append("</ul>")
    parts.append("<h2>Tệp để soạn báo cáo</h2><ul class='trang'>")
    for name, label in downloads(q.label):
        parts.append(f'<li><a href="{e(name)}">{e(label)}</a></li>')
    parts.append("</ul>")
    parts.append(
        '<p class="meta">Hình vẽ (PNG, 200 dpi) để dán vào báo cáo Word nằm trong thư mục '
        '<a href="figures/">figures/</a>.</p>'
    )
    if unit_pages:
        parts.append(f"<h2>{e(unit_pages[0].notebook_title)} ({len(unit_pages)} đơn vị)</h2><ul class='don-vi'>")
        parts += [_link(r) for r in unit_pages]
        parts.append("</ul>")
    parts.append("<h2>Chi tiết theo đơn vị</h2>")
    order = {u.code: i for i, u in enumerate(data.registry.units)}
    parts.append(_completeness_table(now.sort_values("unit_code", key=lambda c: c.map(order))))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def downloads(quarter_label: str) -> list[tuple[str, str]]:
    return [
        (docx_name(quarter_label), "Dự thảo báo cáo (Word): nội dung theo từng lĩnh vực, bảng và biểu đồ"),
        (table_name(quarter_label), "Bảng số liệu (Excel): toàn tỉnh và từng đơn vị, theo lĩnh vực"),
    ]


def _box(number: str, label: str) -> str:
    return f'<div class="o"><b>{html.escape(number)}</b>{html.escape(label)}</div>'


def _link(result: JobResult) -> str:
    text = html.escape(result.title)
    if not result.ok:
        return f"<li>{text} — <i>không lập được</i></li>"
    return f'<li><a href="{html.escape(result.href)}">{text}</a></li>'


def _completeness_table(now) -> str:
    rows = []
    for r in now.itertuples():
        date = "" if not r.report_date else "/".join(reversed(r.report_date.split("-")))
        rows.append(
            f"<tr><td>{html.escape(r.unit_name)}</td>"
            f'<td class="{STATUS_CLASS[r.status]}">{html.escape(labels.label("completeness_status", r.status))}</td>'
            f"<td>{html.escape(date)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Đơn vị</th><th>Tình trạng</th><th>Ngày báo cáo</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
