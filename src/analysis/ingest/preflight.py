"""Cheap checks on an untrusted file before any spreadsheet parser sees it.

Parsers do not defend themselves: python-calamine aborts the whole process on a 1.5 KB .xlsx declaring a cell at
XFD1048576 (an uncatchable allocation failure), and no library caps how far a zip may unpack. So before parsing:
the file size, what kind of file it really is (zip, OLE2, encrypted), the zip's total unpacked size, member count and
compression ratios, and the extent of every sheet (declared and actual cell references), all against configurable
limits. Reading the sheet XML here is bounded by the unpacked-size cap and streamed in chunks.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analysis.ingest.file_kind import head_kind, ole2_kind, renamed, zip_kind
from analysis.ingest.workbook import WorkbookError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_REF_RE = re.compile(rb'\sr="([A-Z]*)(\d+)"')  # only <row> and <c> carry an r="…" attribute in sheet XML
_DANGEROUS_XML = (b"<!DOCTYPE", b"<!ENTITY")
_DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Caps for one submission file (config/province.yaml `limits` may override each)."""

    max_file_bytes: int = 50 * 1024**2
    max_unzipped_bytes: int = 200 * 1024**2
    max_zip_members: int = 2_000
    max_compression_ratio: float = 200.0  # per member larger than 1 MiB unpacked
    max_rows: int = 20_000
    max_columns: int = 200


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check(path: Path, limits: Limits = Limits()) -> None:
    """Raise WorkbookError (Vietnamese reason, English detail) when the file must not be parsed."""
    size = path.stat().st_size
    if size == 0:
        raise WorkbookError("Tệp rỗng (0 byte)", "empty file")
    if size > limits.max_file_bytes:
        raise WorkbookError(
            f"Tệp quá lớn ({size / 1024**2:.1f} MB, giới hạn {limits.max_file_bytes / 1024**2:.0f} MB)",
            f"file size {size} > {limits.max_file_bytes}",
        )
    with path.open("rb") as fh:
        head = fh.read(4096)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".ods"):
        if head.startswith(OLE2_MAGIC) and suffix != ".ods":
            kind = ole2_kind(path)
            if kind in (None, "encrypted"):  # Excel keeps a password-protected .xlsx in an OLE2 container
                raise WorkbookError(
                    "Tệp Excel được đặt mật khẩu (mã hóa), không đọc được; hãy gỡ mật khẩu và gửi lại",
                    "encrypted OOXML (OLE2 container)",
                )
            raise WorkbookError(renamed(kind, suffix), f"OLE2 file ({kind}) named {suffix}")
        if not head.startswith(ZIP_MAGIC):
            kind = head_kind(head)
            raise WorkbookError(
                renamed(kind, suffix)
                if kind
                else f"Tệp không phải là tệp {suffix} thật (có thể là tệp khác được đổi tên)",
                "not a zip container",
            )
        _check_zip(path, limits, suffix)
    elif suffix == ".xls" and not head.startswith(OLE2_MAGIC):
        if head.startswith(ZIP_MAGIC):
            raise WorkbookError(
                "Tệp này là bảng tính dạng .xlsx nhưng mang đuôi .xls: đổi đuôi tên tệp thành .xlsx rồi chép lại vào "
                "thư mục báo cáo",
                "zip container named .xls",
            )
        kind = head_kind(head)
        raise WorkbookError(
            renamed(kind, suffix) if kind else "Tệp không phải là tệp .xls thật (có thể là tệp khác được đổi tên)",
            "not an OLE2 file",
        )


def _check_zip(path: Path, limits: Limits, suffix: str) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_zip_members:
                raise WorkbookError("Tệp có cấu trúc bất thường (quá nhiều thành phần)", f"{len(infos)} zip members")
            total = sum(i.file_size for i in infos)
            if total > limits.max_unzipped_bytes:
                raise WorkbookError(
                    f"Tệp giải nén ra quá lớn ({total / 1024**2:.0f} MB); nghi là tệp độc hại (zip bomb)",
                    f"unzipped size {total} > {limits.max_unzipped_bytes}",
                )
            for info in infos:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > 1024**2 and ratio > limits.max_compression_ratio:
                    raise WorkbookError(
                        f"Tệp có tỷ lệ nén bất thường ({ratio:.0f}:1); nghi là tệp độc hại (zip bomb)",
                        f"member {info.filename} ratio {ratio:.0f}",
                    )
            names = {i.filename for i in infos}
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    _check_no_doctype(zf, info.filename)
            if suffix == ".ods":
                if "content.xml" not in names:
                    raise WorkbookError("Tệp .ods bị hỏng (thiếu nội dung)", "no content.xml")
                return
            if "xl/workbook.xml" not in names:
                raise WorkbookError(renamed(zip_kind(names), suffix), "no xl/workbook.xml")
            for name in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
                _check_extent(zf, name, limits)
    except zipfile.BadZipFile as exc:
        raise WorkbookError("Tệp bị hỏng hoặc không đầy đủ (có thể gửi thiếu)", f"bad zip: {exc}") from exc


def _check_no_doctype(zf: zipfile.ZipFile, member: str) -> None:
    """Spreadsheet XML never needs a DTD: entity declarations (billion laughs, external entities) are refused."""
    with zf.open(member) as fh:
        head = fh.read(4096)
    if any(marker in head for marker in _DANGEROUS_XML):
        raise WorkbookError(
            "Tệp chứa khai báo XML không được phép (DOCTYPE/ENTITY); nghi là tệp độc hại", f"DTD in {member}"
        )


def _check_extent(zf: zipfile.ZipFile, member: str, limits: Limits) -> None:
    """The largest row and column referenced in a sheet, declared (<dimension>) or used, within the limits."""
    max_row = max_col = 0
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            if not max_row:
                dim = _DIMENSION_RE.search(data)
                if dim:
                    col, row = (dim.group(3), dim.group(4)) if dim.group(3) else (dim.group(1), dim.group(2))
                    max_row, max_col = int(row), _column_number(col)
                    _within(member, max_row, max_col, limits)
            for m in _REF_RE.finditer(data):
                if m.group(1):
                    max_col = max(max_col, _column_number(m.group(1)))
                max_row = max(max_row, int(m.group(2)))
            _within(member, max_row, max_col, limits)
            tail = data[-256:]


def _within(member: str, rows: int, cols: int, limits: Limits) -> None:
    sheet = member.rsplit("/", 1)[-1]
    if rows > limits.max_rows or cols > limits.max_columns:
        raise WorkbookError(
            f"Trang tính quá lớn ({rows:,} dòng × {cols:,} cột; giới hạn {limits.max_rows:,} × "
            f"{limits.max_columns:,})".replace(",", "."),
            f"{sheet}: {rows} rows x {cols} columns",
        )
