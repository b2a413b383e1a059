"""The report's index.html: what the quarter's report holds, how complete the data are, links to every page."""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core.outputs import atomic_path

if TYPE_CHECKING:
    from analysis.compare.report_data import ReportData
    from analysis.report.build import JobResult

STATUS_CLASS = {
    "Đã nộp đúng hạn": "ok",
    "Nộp muộn": "muon",
    "Chưa nộp": "thieu",
    "Đã nộp (không rõ ngày báo cáo)": "chua-ro",
    "Đã nộp": "ok",
}

CSS = """
body { font-family: "Times New Roman", "DejaVu Serif", serif; color: #1a1a1a; margin: 0; background: #f4f6f8; }
main { max-width: 1000px; margin: 0 auto; padding: 1.5em 2em 3em; background: #fff; min-height: 100vh; }
h1 { font-size: 1.8em; border-bottom: 3px solid #0072B2; padding-bottom: .3em; margin-bottom: .2em; }
h2 { font-size: 1.3em; color: #0b3d66; margin-top: 1.5em; }
p.meta { color: #555; margin-top: 0; }
.tomtat { display: flex; gap: 1em; flex-wrap: wrap; margin: 1em 0; }
.o { border: 1px solid #c9d3dd; border-radius: 6px; padding: .6em 1em; min-width: 10em; background: #f9fbfc; }
.o b { display: block; font-size: 1.6em; font-family: "DejaVu Sans", Arial, sans-serif; }
ul.trang li { margin: .4em 0; font-size: 1.1em; }
ul.don-vi { columns: 2; }
table { border-collapse: collapse; font-family: "DejaVu Sans", Arial, sans-serif; font-size: .9em; }
th { background: #dce6f1; border: 1px solid #9aa9b9; padding: 4px 8px; }
td { border: 1px solid #c9d3dd; padding: 3px 8px; }
td.ok { color: #0b5e3b; } td.muon { color: #9c5b00; font-weight: bold; }
td.thieu { color: #b02a00; font-weight: bold; } td.chua-ro { color: #0b3d66; }
.loi { background: #fdecea; border-left: 4px solid #D55E00; padding: .5em 1em; }
a { color: #0b5394; }
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
    main_pages = [r for r in results if not r.job.spec.per_unit]
    unit_pages = [r for r in results if r.job.spec.per_unit]
    failed = [r for r in results if not r.ok]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        f"<title>Báo cáo {e(q.vn)} — {e(data.registry.province_name)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>Báo cáo số liệu {e(q.vn)}</h1>",
        f'<p class="meta">{e(data.registry.province_name)} · Lập lúc {built:%H:%M} ngày {built:%d/%m/%Y}</p>',
        "<h2>Tình hình nộp báo cáo</h2>",
        '<div class="tomtat">',
        _box(f"{int(expected['received'].sum())}/{len(expected)}", "đơn vị đã nộp báo cáo"),
        _box(str(status.get("Đã nộp đúng hạn", 0)), "nộp đúng hạn"),
        _box(str(status.get("Nộp muộn", 0)), "nộp muộn"),
        _box(str(status.get("Chưa nộp", 0)), "chưa nộp"),
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
        parts.append(f"<h2>{e(unit_pages[0].job.spec.title)} ({len(unit_pages)} đơn vị)</h2><ul class='don-vi'>")
        parts += [_link(r, r.job.unit_name) for r in unit_pages]
        parts.append("</ul>")
    parts.append("<h2>Chi tiết theo đơn vị</h2>")
    order = {u.code: i for i, u in enumerate(data.registry.units)}
    parts.append(_completeness_table(now.sort_values("unit_code", key=lambda c: c.map(order))))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def downloads(quarter_label: str) -> list[tuple[str, str]]:
    from analysis.report.files import docx_name, table_name

    return [
        (docx_name(quarter_label), "Dự thảo báo cáo (Word): nội dung theo từng lĩnh vực, bảng và biểu đồ"),
        (table_name(quarter_label), "Bảng số liệu (Excel): toàn tỉnh và từng đơn vị, theo lĩnh vực"),
    ]


def _box(number: str, label: str) -> str:
    return f'<div class="o"><b>{html.escape(number)}</b>{html.escape(label)}</div>'


def _link(result: JobResult, label: str | None = None) -> str:
    text = html.escape(label or result.job.spec.title)
    if not result.ok:
        return f"<li>{text} — <i>không lập được</i></li>"
    return f'<li><a href="{html.escape(result.job.output)}.html">{text}</a></li>'


def _completeness_table(now) -> str:
    rows = []
    for r in now.itertuples():
        date = "" if not r.report_date else "/".join(reversed(r.report_date.split("-")))
        rows.append(
            f"<tr><td>{html.escape(r.unit_name)}</td>"
            f'<td class="{STATUS_CLASS.get(r.status, "")}">{html.escape(r.status)}</td>'
            f"<td>{html.escape(date)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Đơn vị</th><th>Tình trạng</th><th>Ngày báo cáo</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
