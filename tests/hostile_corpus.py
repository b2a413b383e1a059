"""A corpus of broken and hostile submissions, made by code, each with the outcome ingest must give it.

`write_corpus(folder, good_template_bytes)` writes every case and returns the expectations: file name →
(status, rule, words the reason must contain). Status "skipped" means the file is not a submission at all.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
EMPTY_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'count="0" uniqueCount="0"/>'
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    "<si><t>&lol4;</t></si></sst>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    "<si><t>&xxe;</t></si></sst>"
)


def xlsx(sheet_body: str, strings: str = EMPTY_STRINGS, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx with one sheet whose <sheetData> is `sheet_body`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + sheet_body + "</worksheet>")
        zf.writestr("xl/sharedStrings.xml", strings)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


def numbers_sheet(rows: int) -> str:
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, rows + 1))
    return f"<sheetData>{body}</sheetData>"


def zip_bomb() -> bytes:
    """A sheet of ~40 MB of zeros-like XML compressed about 1000:1."""
    filler = "<row/>" * 7_000_000
    return xlsx(f"<sheetData>{filler}</sheetData>")


def many_members() -> bytes:
    return xlsx("<sheetData/>", extra={f"xl/media/image{i}.bin": b"x" for i in range(2_500)})


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[bytes], bytes]  # from the bytes of a good filled template
    status: str  # rejected | accepted | skipped
    rule: str = ""
    reason_words: tuple[str, ...] = ()


def _truncate(good: bytes) -> bytes:
    return good[: len(good) // 2]


def _corrupt_member(good: bytes) -> bytes:
    """A real template whose first sheet's XML is cut off mid-element (zip intact)."""
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 3]
            zf.writestr(info.filename, data)
    return out.getvalue()


CASES: tuple[Case, ...] = (
    Case(
        "corner-cell.xlsx",
        lambda g: xlsx(
            '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData>'
        ),
        "rejected",
        "unreadable_file",
        ("quá lớn",),
    ),  # fmt: skip
    Case(
        "declared-huge-dimension.xlsx",
        lambda g: xlsx('<dimension ref="A1:XFD1048576"/><sheetData/>'),
        "rejected",
        "unreadable_file",
        ("quá lớn",),
    ),  # fmt: skip
    Case(
        "column-beyond-xfd.xlsx",
        lambda g: xlsx('<sheetData><row r="1"><c r="ZZZZ1"><v>1</v></c></row></sheetData>'),
        "rejected",
        "unreadable_file",
        ("quá lớn",),
    ),  # fmt: skip
    Case("100000-rows.xlsx", lambda g: xlsx(numbers_sheet(100_000)), "rejected", "unreadable_file", ("quá lớn",)),
    Case(
        "billion-laughs.xlsx",
        lambda g: xlsx(numbers_sheet(1), strings=BILLION_LAUGHS),
        "rejected",
        "unreadable_file",
        ("XML",),
    ),  # fmt: skip
    Case(
        "external-entity.xlsx",
        lambda g: xlsx(numbers_sheet(1), strings=EXTERNAL_ENTITY),
        "rejected",
        "unreadable_file",
        ("XML",),
    ),  # fmt: skip
    Case("zip-bomb.xlsx", lambda g: zip_bomb(), "rejected", "unreadable_file", ("zip bomb",)),
    Case("many-members.xlsx", lambda g: many_members(), "rejected", "unreadable_file", ("cấu trúc",)),
    Case("encrypted.xlsx", lambda g: OLE2 + b"\x00" * 4000, "rejected", "unreadable_file", ("mật khẩu",)),
    Case("truncated.xlsx", _truncate, "rejected", "unreadable_file", ("hỏng",)),
    Case("corrupt-sheet-xml.xlsx", _corrupt_member, "rejected", "unreadable_file", ()),
    Case(
        "pdf-named.xlsx",
        lambda g: b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n" * 20,
        "rejected",
        "unreadable_file",
        ("Tệp này là tệp PDF nhưng mang đuôi .xlsx",),
    ),  # fmt: skip
    Case(
        "text-named.xlsx",
        lambda g: "Báo cáo quý III/2021 xem tệp đính kèm".encode(),
        "rejected",
        "unreadable_file",
        ("tệp văn bản thường",),
    ),  # fmt: skip
    Case(
        "png-named.xlsx", lambda g: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "rejected", "unreadable_file", ("ảnh PNG",)
    ),  # fmt: skip
    Case("empty-file.xlsx", lambda g: b"", "rejected", "unreadable_file", ("rỗng",)),
    Case(
        "no-workbook-part.xlsx",
        lambda g: _zip({"[Content_Types].xml": CONTENT_TYPES}),
        "rejected",
        "unreadable_file",
        ("tệp nén (.zip)",),
    ),  # fmt: skip
    Case("plain-zip.xlsx", lambda g: _zip({"readme.txt": "xin chào"}), "rejected", "unreadable_file", ()),
    Case("empty-workbook.xlsx", lambda g: xlsx("<sheetData/>"), "rejected", "no_indicators", ("chỉ tiêu",)),
    Case("unrelated-data.xlsx", lambda g: xlsx(numbers_sheet(50)), "rejected", "no_indicators", ("chỉ tiêu",)),
    Case("binary.xlsb", lambda g: b"PK\x03\x04" + b"\x00" * 200, "rejected", "unsupported_format", (".xlsb",)),
    Case("template.xltx", lambda g: g, "rejected", "unsupported_format", (".xltx",)),
    Case("text-named.xls", lambda g: b"STT\tChi tieu\n1\tabc\n", "rejected", "unreadable_file", ("văn bản thường",)),
    Case("ole2-garbage.xls", lambda g: OLE2 + b"\xff" * 3000, "rejected", "unreadable_file", ()),
    Case("text-named.ods", lambda g: b"not an ods", "rejected", "unreadable_file", ("tệp văn bản thường",)),
    Case(
        "zip-without-content.ods",
        lambda g: _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}),
        "rejected",
        "unreadable_file",
        ("ods",),
    ),  # fmt: skip
    Case("~$locked-by-excel.xlsx", lambda g: b"\x00lock owner", "skipped"),
    Case(".hidden-copy.xlsx", lambda g: g, "skipped"),
    Case("notes.docx", lambda g: b"PK\x03\x04 not a submission", "skipped"),
    Case("scan.pdf", lambda g: b"%PDF-1.4", "skipped"),
    Case("good-copy.xlsx", lambda g: g, "superseded"),  # the same report sent twice: the later saved copy wins
    Case("good-copy-again.xlsm", lambda g: g, "accepted"),
)


def _zip(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def write_corpus(folder: Path, good: bytes) -> dict[str, Case]:
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        (folder / case.name).write_bytes(case.make(good))
    os.utime(folder / "good-copy.xlsx", (1_630_000_000, 1_630_000_000))
    os.utime(folder / "good-copy-again.xlsm", (1_630_000_600, 1_630_000_600))
    return {case.name: case for case in CASES}
