"""The workbook an analyst fills with hand entries (`ingest.manual` reads it): the header row in the words the
reader knows, columns wide enough to type in, dates shown dd/mm/yyyy. `python -m analysis init` puts an empty one
in a new workspace's data/manual/; the post-reform demo writes its entries with it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from analysis.ingest.manual import WORDS

FILE = "so-lieu-nhap-tay.xlsx"
SHEET = "Nhập tay"
WIDTHS = {"unit": 26, "period": 14, "indicator": 12, "value": 12, "reason": 48, "entered_by": 20,
          "entered_on": 13, "document": 40}  # fmt: skip


def write_entries_book(path: Path, rows: Iterable[dict[str, object]] = (), stamp: datetime | None = None) -> Path:
    """Write the workbook at `path` with `rows` (each a field → value mapping of `WORDS`' fields); `stamp` fixes
    the document's times (a demo's bytes do not depend on the day it was made)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    fields = list(WORDS)
    ws.append([WORDS[f] for f in fields])
    for c, field in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=c)
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[cell.column_letter].width = WIDTHS[field]
    for row in rows:
        ws.append([row.get(f) for f in fields])
        ws.cell(row=ws.max_row, column=fields.index("entered_on") + 1).number_format = "dd/mm/yyyy"
    ws.freeze_panes = "A2"
    if stamp is not None:
        wb.properties.created = wb.properties.modified = stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
