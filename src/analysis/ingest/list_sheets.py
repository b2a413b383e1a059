"""Read a sheet that is a list form (02/PCTN corruption cases, 03/PCTN legal documents, `catalogue.lists`): its
header row is found by the fields' heading words (any row, any column: an inserted column shifts nothing), each row
below whose required field is filled is an item, up to the "Ghi chú" line or the signatures. Every field keeps its
text and its cell."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.catalogue.lists import ListForm
from analysis.catalogue.versions import Version
from analysis.core.text import fold
from analysis.ingest import official_header as header
from analysis.ingest.checks import fmt_raw
from analysis.ingest.official import is_total_label
from analysis.ingest.submission import Submission
from analysis.ingest.workbook import SheetGrid, cell_ref

HEADER_ROWS = 40  # rows of a sheet searched for the header row
MIN_FIELDS = 2  # fields whose heading must be found, the required ones among them
_END_WORDS = ("nguoi lap bieu", "thu truong", "ky ten", "xac nhan cua")  # the signature block ends the list
# its place-and-date line, filled in or not, as the whole cell (a date inside an item's text ends nothing)
_DATE_LINE_RE = re.compile(r"^(?:[a-z ]{0,60} )?ngay(?: \d{1,2})? thang(?: \d{1,2})? nam(?: \d{4})?$")


@dataclass(frozen=True)
class ListItem:
    """One row of a list: its order in the sheet, its row, and (field, text, cell) per filled field."""

    item: int
    row: int
    fields: tuple[tuple[str, str, str], ...]

    def text(self, field: str) -> str:
        return next((t for f, t, _ in self.fields if f == field), "")


@dataclass(frozen=True)
class ListIssue:
    severity: str
    kind: str
    message: str
    cell: str = ""


@dataclass(frozen=True)
class ListSheet:
    sheet: str
    form: ListForm
    header_row: int
    columns: dict[str, int]  # field -> 0-based column
    items: tuple[ListItem, ...]
    issues: tuple[ListIssue, ...]

    @property
    def rows(self) -> range:
        """From the header row to the last item (what `extract` must not read as the file's unit or period)."""
        last = max((i.row for i in self.items), default=self.header_row)
        return range(self.header_row, last + 1)


def _columns(grid: SheetGrid, row: int, form: ListForm) -> dict[str, int]:
    """field -> column of the header row `row`: each header cell goes to the field it names most specifically."""
    found: dict[str, tuple[int, int]] = {}  # field -> (score, column)
    for col in range(len(grid.rows[row])):
        text = header.cell_text(grid, row, col)
        if not text:
            continue
        scores = [(f.score(text), f.code) for f in form.fields]
        score, code = max(scores)
        if score and (code not in found or score > found[code][0]):
            found[code] = (score, col)
    return {code: col for code, (_, col) in found.items()}


def _names_required(grid: SheetGrid, row: int, forms: Sequence[ListForm]) -> bool:
    """Whether a cell of `row` holds a required field's heading (a quick test before the header is matched)."""
    texts = [f" {fold(v)} " for v in grid.rows[row] if isinstance(v, str) and v.strip()]
    needed = {h for form in forms for f in form.fields if f.required for h in f.folded}
    return any(h in t for t in texts for h in needed)


def _header(grid: SheetGrid, forms: Sequence[ListForm]) -> tuple[ListForm, int, dict[str, int]] | None:
    """The form and header row whose fields' headings are found best (the required ones among them)."""
    best = None
    for row in range(min(len(grid.rows), HEADER_ROWS)):
        if not _names_required(grid, row, forms):
            continue
        for i, form in enumerate(forms):
            columns = _columns(grid, row, form)
            required = all(f.code in columns for f in form.fields if f.required)
            if required and len(columns) >= MIN_FIELDS and (best is None or len(columns) > len(best[2])):
                best = (form, row, columns, i)
    return best[:3] if best else None


def _ends(row: Sequence[object]) -> bool:
    if header.is_note_line(row):
        return True
    texts = [fold(v) for v in row if isinstance(v, str)]
    return any(t.startswith(_END_WORDS) or _DATE_LINE_RE.match(t) for t in texts)


def _text(grid: SheetGrid, row: int, col: int) -> str:
    raw = grid.value(row, col)
    text = fmt_raw(raw) if not isinstance(raw, str) else raw
    return " ".join(text.split())


def _numbering_row(grid: SheetGrid, row: int, columns: dict[str, int]) -> bool:
    """The printed column numbers under the header ("1", "(2)", "A")."""
    texts = [_text(grid, row, c) for c in columns.values()]
    filled = [t for t in texts if t]
    return bool(filled) and all(header.printed_number(t) is not None or len(t) == 1 for t in filled)


def read_list_sheet(grid: SheetGrid, forms: Sequence[ListForm]) -> ListSheet | None:
    """The sheet read as the list form it is (None: it is none of `forms`)."""
    found = _header(grid, forms)
    if found is None:
        return None
    form, head, columns = found
    required = [f.code for f in form.fields if f.required]
    items, issues = [], []
    for row in range(head + 1, len(grid.rows)):
        if _ends(grid.rows[row]):
            break
        texts = {code: _text(grid, row, col) for code, col in columns.items()}
        if not any(texts.values()) or (row == head + 1 and _numbering_row(grid, row, columns)):
            continue
        if any(is_total_label(t) for t in texts.values() if t):
            continue
        if not all(texts[code] for code in required):
            cell = cell_ref(row, columns[required[0]])
            issues.append(ListIssue(
                "warning", "list_item_incomplete",
                f"Trang “{grid.name}”, dòng {row + 1}: có nội dung nhưng không ghi "
                f"“{form.field(required[0]).name}” (ô {cell}); dòng không được đưa vào danh sách {form.code}",
                cell,
            ))  # fmt: skip
            continue
        fields = tuple((code, text, cell_ref(row, columns[code])) for code, text in texts.items() if text)
        items.append(ListItem(len(items) + 1, row, tuple(sorted(fields, key=lambda f: columns[f[0]]))))
    return ListSheet(grid.name, form, head, columns, tuple(items), tuple(issues))


def keep_lists(sub: Submission, found: list[ListSheet], version: Version | None) -> None:
    """The items of the list forms onto `sub`, with the sheets' issues; a list form the quarter's forms do not
    have is still read, with a warning."""
    for sheet in found:
        for issue in sheet.issues:
            sub.issue(issue.severity, issue.kind, issue.message, sheet.sheet, issue.cell)
        if version is not None and version.code not in sheet.form.versions:
            sub.issue(
                "warning",
                "list_not_in_version",
                f"Trang “{sheet.sheet}” là {sheet.form.code} ({sheet.form.title}), biểu không có trong bộ biểu mẫu "
                f"áp dụng cho {sub.period.vn} (phiên bản {version.code}); danh sách vẫn được đọc",
                sheet.sheet,
            )
        sub.lists += [
            (sheet.form.code, item.item, field, text, sheet.sheet, cell)
            for item in sheet.items
            for field, text, cell in item.fields
        ]


def only_lists(sub: Submission) -> Submission:
    """A file with list forms only (no figure): read for its lists, never in place of the unit's figures."""
    sub.status = "lists"
    count = len({(form, item) for form, item, *_ in sub.lists})
    sub.reason = f"Tệp chỉ có biểu danh sách ({count} mục), không có số liệu"
    return sub
