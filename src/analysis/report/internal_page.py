"""The analysts' internal page of a quarter: the list forms (02/PCTN corruption cases, 03/PCTN legal documents with
loopholes). They name cases, agencies and people's matters, so the page is written outside the report folder that
is shared with leaders (`reports/noi-bo/QUARTER/`), marked as internal, and never linked from the shared index —
unless province.yaml says `share_lists: true`, when it goes into the report folder and the index links it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalogue.lists import ListForms, load_lists
from analysis.core.escape import html as esc
from analysis.core.outputs import atomic_path
from analysis.core.periods import Quarter
from analysis.report.index_page import html_table
from analysis.views import house
from analysis.views.lists import list_table

if TYPE_CHECKING:
    from analysis.compare.report_data import ReportData

PAGE = "danh-sach-noi-bo.html"
INTERNAL_FOLDER = "noi-bo"  # beside the quarters' report folders
TITLE = "Danh sách vụ việc và văn bản (nội bộ)"
CSS = """
main { max-width: 1200px; margin: 0 auto; padding: 1.5em 2em 3em; }
.noi-bo { border: 3px solid #b00020; color: #b00020; padding: .6em 1em; font-weight: bold; margin: 1em 0; }
table.bang { border-collapse: collapse; font-size: .95em; margin: .5em 0 1em; }
table.bang th, table.bang td { border: 1px solid var(--border-light); padding: .3em .5em; vertical-align: top; }
table.bang th { background: var(--header-fill); }
"""


def target(out_root: Path, quarter: Quarter, shared: bool) -> Path:
    """Where the page goes: inside the quarter's report folder only when the configuration shares it."""
    return (out_root / quarter.label if shared else out_root / INTERNAL_FOLDER / quarter.label) / PAGE


def render(lists: pd.DataFrame, forms: ListForms, quarter: Quarter, province: str, built: datetime, shared: bool):
    """The page: the internal banner, then per list form of the quarter's version (or with items) its table."""
    banner = "NỘI BỘ — trang dành cho chuyên viên tổng hợp, ghi tên vụ việc, cơ quan, đơn vị. " + (
        "Trang được đưa vào thư mục báo cáo theo cấu hình (province.yaml: share_lists: true)."
        if shared
        else "Không gửi kèm báo cáo qua thư điện tử, Zalo hay in phát hành."
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        house.csp_meta(),
        f"<title>{esc(TITLE)} — {esc(quarter.vn)}</title>",
        f"<style>{house.css()}{CSS}</style></head><body><main>",
        f"<h1>{esc(TITLE)} — {esc(quarter.vn)}</h1>",
        f'<p class="meta">{esc(province)} · Lập lúc {built:%H:%M} ngày {built:%d/%m/%Y}</p>',
        f'<p class="noi-bo">{esc(banner)}</p>',
    ]
    for form in forms.items:
        table = list_table(lists, form, quarter.label)
        parts.append(f"<h2>Biểu số {esc(form.code)}: {esc(form.title)} ({len(table)} mục)</h2>")
        if table.empty:
            parts.append(f"<p>Chưa có mục nào trong {esc(quarter.vn)}.</p>")
        else:
            parts.append(html_table(table, "bang"))
        parts.append(f'<p class="meta">Nguồn các cột của biểu: {esc(form.source)}</p>')
    parts.append("</main></body></html>")
    return "\n".join(parts)


def page(data: ReportData, built: datetime, shared: bool) -> str | None:
    """The page of `data`'s quarter, when its forms have list forms or it has list items (else None)."""
    version = data.catalogue.version_of(data.quarter)
    now = data.lists[data.lists["period"] == data.quarter.label]
    shown = tuple(
        f for f in load_lists().items if (version and version.code in f.versions) or (now["form"] == f.code).any()
    )
    if not shown:
        return None
    return render(data.lists, ListForms(shown), data.quarter, data.registry.province_name, built, shared)


def place(data: ReportData, built: datetime, staging: Path, out_root: Path) -> tuple[Path | None, str | None]:
    """Write the quarter's page where the configuration says: inside the report being built (`staging`, moved into
    place with it; the index links it) or outside the folder that is shared. Returns where it will be, and the
    index's link (None: not linked)."""
    shared = bool(data.province_config and data.province_config.share_lists)
    html = page(data, built, shared)
    if html is None:
        return None, None
    if shared:
        write(staging / PAGE, html)
        return target(out_root, data.quarter, shared), PAGE
    return write(target(out_root, data.quarter, shared), html), None


def write(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
