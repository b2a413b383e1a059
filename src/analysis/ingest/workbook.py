"""Read any submission workbook (.xlsx, .xlsm, .xls, .ods) into plain grids with python-calamine.

Besides cell values, a grid knows its merged ranges, whether the sheet is hidden, and — for .xlsx/.xlsm — which cells
hold formulas and whether Excel stored a calculated (cached) value for them. calamine returns only cached values and
silently drops a formula that was never calculated, so that information comes from the sheet XML itself.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import python_calamine as pc
from defusedxml import ElementTree

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ZIP_SUFFIXES = (".xlsx", ".xlsm")

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF_RE = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f\b")
_CACHED_RE = re.compile(rb"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>")
_MODIFIED_RE = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")
_ERROR_TYPE_RE = re.compile(rb'\bt="e"')
# a whole number with more digits than a float keeps: its text is kept as the cell's content (calamine gives a float)
_LONG_NUMBER_RE = re.compile(rb"<(?:\w+:)?v>(-?[0-9]{16,})</(?:\w+:)?v>")
_SPECIAL_HINT_RE = re.compile(rb'\bt="e"|<(?:\w+:)?v>-?[0-9]{16,}<')

Cell = tuple[int, int]  # 0-based (row, column)


class WorkbookError(Exception):
    """A file that cannot be read as a workbook; `reason` is Vietnamese, `detail` English."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason} ({detail})" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class SheetGrid:
    """One sheet: values from A1 (row-major, '' for empty), merged ranges, visibility, formula cells."""

    name: str
    rows: list[list[object]]
    visible: bool = True
    merged: list[tuple[Cell, Cell]] = field(default_factory=list)
    formulas: dict[Cell, bool] = field(default_factory=dict)  # cell -> has a cached value
    # cells whose text calamine does not give: a cached formula error ("#DIV/0!", read as blank), a number with
    # more digits than a float keeps; already put into `rows`
    texts: dict[Cell, str] = field(default_factory=dict)
    _merged_index: tuple[dict[Cell, Cell], list] | None = field(default=None, repr=False, compare=False)

    def value(self, row: int, col: int) -> object:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return ""

    def merged_origin(self, row: int, col: int) -> Cell | None:
        """Top-left cell of the merged range containing (row, col), if any."""
        if self._merged_index is None:
            self._merged_index = _index_merged(self.merged)
        index, large = self._merged_index
        origin = index.get((row, col))
        if origin is not None or not large:
            return origin
        for (r0, c0), (r1, c1) in large:
            if r0 <= row <= r1 and c0 <= col <= c1:
                return (r0, c0)
        return None


MERGED_INDEX_LIMIT = 10_000  # cells of one merged range worth indexing; larger ranges are checked one by one


def _index_merged(merged: list[tuple[Cell, Cell]]) -> tuple[dict[Cell, Cell], list]:
    index: dict[Cell, Cell] = {}
    large = []
    for (r0, c0), (r1, c1) in merged:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MERGED_INDEX_LIMIT:
            large.append(((r0, c0), (r1, c1)))
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                index[(r, c)] = (r0, c0)
    return index, large


@dataclass
class WorkbookData:
    path: Path
    sheets: list[SheetGrid]
    modified: datetime | None = None  # document property "modified", when the file has it


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> "E13"."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def read_workbook(path: str | Path) -> WorkbookData:
    """Read every sheet of a workbook. Raises WorkbookError with a Vietnamese reason when it cannot."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise WorkbookError(
            f"Định dạng tệp {suffix or '(không có đuôi)'} không được hỗ trợ; hãy lưu lại dưới dạng .xlsx",
            f"unsupported format {suffix}",
        )
    try:
        book = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError as exc:
        raise WorkbookError("Tệp được đặt mật khẩu, không đọc được", f"password protected: {exc}") from exc
    except Exception as exc:  # calamine raises several exception types for broken files
        raise WorkbookError("Tệp bị hỏng hoặc không phải tệp Excel", f"{type(exc).__name__}: {exc}") from exc
    formulas: dict[str, dict[Cell, bool]] = {}
    texts: dict[str, dict[Cell, str]] = {}
    modified = None
    if suffix in ZIP_SUFFIXES:
        formulas, texts, modified = _xlsx_formulas_and_modified(path)
    sheets = []
    try:
        for meta in book.sheets_metadata:
            if str(meta.typ) != "SheetTypeEnum.WorkSheet":
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or []) if suffix != ".ods" else []
            sheets.append(
                SheetGrid(
                    name=meta.name,
                    rows=rows,
                    visible=str(meta.visible) == "SheetVisibleEnum.Visible",
                    merged=merged,
                    formulas=formulas.get(meta.name, {}),
                    texts=_put_texts(rows, texts.get(meta.name, {})),
                )
            )
    except Exception as exc:
        raise WorkbookError("Không đọc được nội dung trang tính", f"{type(exc).__name__}: {exc}") from exc
    finally:
        book.close()
    if not sheets:
        raise WorkbookError("Tệp không có trang tính nào", "no worksheets")
    return WorkbookData(path=path, sheets=sheets, modified=modified)


def _put_texts(rows: list[list[object]], texts: dict[Cell, str]) -> dict[Cell, str]:
    """Put each cell's own text into the grid (where the grid has the cell)."""
    for (row, col), text in texts.items():
        if row < len(rows) and col < len(rows[row]):
            rows[row][col] = text
    return texts


def _special_cells(data: bytes) -> dict[Cell, str]:
    """Cells of a sheet's XML holding an error value ("#DIV/0!", "#N/A") or a whole number too long for a float."""
    cells: dict[Cell, str] = {}
    for match in _CELL_RE.finditer(data):
        attributes, body = match.group(1), match.group(2) or b""
        ref = _REF_RE.search(attributes)
        if ref is None:
            continue
        cached = _CACHED_RE.search(body)
        if _ERROR_TYPE_RE.search(attributes) and cached:
            text = cached.group(1)
        elif (long := _LONG_NUMBER_RE.search(body)) and b't="' not in attributes.replace(b't="n"', b""):
            text = long.group(1)
        else:
            continue
        cells[(int(ref.group(2)) - 1, _col_index(ref.group(1)))] = text.decode("utf-8", "replace")
    return cells


def _xlsx_formulas_and_modified(
    path: Path,
) -> tuple[dict[str, dict[Cell, bool]], dict[str, dict[Cell, str]], datetime | None]:
    """Formula cells per sheet name (with whether a cached value is stored), the cells whose own text calamine
    does not give (`_special_cells`), and the document's modified time."""
    result: dict[str, dict[Cell, bool]] = {}
    texts: dict[str, dict[Cell, str]] = {}
    modified = None
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "docProps/core.xml" in names:
                match = _MODIFIED_RE.search(zf.read("docProps/core.xml"))
                if match:
                    modified = _parse_w3c_datetime(match.group(1).decode("ascii", "replace"))
            for sheet_name, member in _sheet_members(zf, names).items():
                data = zf.read(member)
                if _FORMULA_RE.search(data):
                    result[sheet_name] = _formula_cells(data)
                if _SPECIAL_HINT_RE.search(data):
                    texts[sheet_name] = _special_cells(data)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return {}, {}, None
    return result, texts, modified


def _sheet_members(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Map sheet names to their XML members through workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{_NS_PKG_REL}}}Relationship")}
    members = {}
    for sheet in workbook.iter(f"{{{_NS_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_NS_REL}}}id"), "")
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        if member in names:
            members[sheet.get("name")] = member
    return members


def _formula_cells(data: bytes) -> dict[Cell, bool]:
    cells: dict[Cell, bool] = {}
    for match in _CELL_RE.finditer(data):
        body = match.group(2)
        if not body or not _FORMULA_RE.search(body):
            continue
        ref = _REF_RE.search(match.group(1))
        if not ref:
            continue
        cell = (int(ref.group(2)) - 1, _col_index(ref.group(1)))
        cells[cell] = bool(_CACHED_RE.search(body))
    return cells


def _parse_w3c_datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
