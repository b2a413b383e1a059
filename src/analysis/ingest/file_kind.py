"""What a file that is not the spreadsheet its name says really is, in words an analyst knows ("văn bản Word
(.docx)", "tệp PDF"), so a rejection says "tệp Word đổi đuôi .xlsx" rather than a missing zip member.

Judged from the first bytes (magic numbers), the members of a zip container, or the stream names of an OLE2
(Office 97–2003) container, which are stored in UTF-16 in its directory.
"""

from __future__ import annotations

from pathlib import Path

# zip containers by the member that identifies them (the first match wins)
ZIP_KINDS = (
    ("word/document.xml", "văn bản Word (.docx)"),
    ("ppt/presentation.xml", "bản trình chiếu PowerPoint (.pptx)"),
    ("content.xml", "tệp LibreOffice/OpenOffice (.ods, .odt)"),
    ("xl/workbook.bin", "bảng tính Excel nhị phân (.xlsb)"),
)
# OLE2 containers by a stream name
OLE2_STREAMS = (
    ("EncryptionInfo", "encrypted"),
    ("WordDocument", "văn bản Word cũ (.doc)"),
    ("PowerPoint Document", "bản trình chiếu PowerPoint cũ (.ppt)"),
    ("Workbook", "bảng tính Excel cũ (.xls)"),
    ("Book", "bảng tính Excel cũ (.xls)"),
)
MAGIC = (
    (b"%PDF", "tệp PDF"),
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf", "tệp nén 7-Zip"),
    (b"{\\rtf", "văn bản RTF"),
)
OLE2_SCAN_BYTES = 8 * 1024**2  # the directory of a submission-sized file lies well within


def zip_kind(names: set[str]) -> str:
    """What a zip container without a workbook part holds."""
    for member, kind in ZIP_KINDS:
        if member in names:
            return kind
    return "tệp nén (.zip)"


def ole2_kind(path: Path) -> str | None:
    """ "encrypted" for a password-protected Office file, the kind of an Office 97–2003 file, None if not told."""
    with path.open("rb") as fh:
        data = fh.read(OLE2_SCAN_BYTES)
    for stream, kind in OLE2_STREAMS:
        if stream.encode("utf-16-le") + b"\x00\x00" in data:
            return kind
    return None


def head_kind(head: bytes) -> str | None:
    """What the first bytes of a non-Office file say it is: PDF, an image, a web page, plain text; None if unknown."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "trang web (HTML/XML), thường do phần mềm xuất báo cáo tạo ra"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte letter cut at the end of the head is still text
        text = head[: exc.start].decode("utf-8") if exc.start > len(head) - 4 else ""
    if text and all(ch.isprintable() or ch in "\t\r\n" for ch in text):
        return "tệp văn bản thường (chữ hoặc CSV)"
    return None


def renamed(kind: str, suffix: str) -> str:
    """The rejection reason for a file of another kind named like a spreadsheet."""
    return (
        f"Tệp này là {kind} nhưng mang đuôi {suffix}, chương trình không đọc được: đề nghị đơn vị mở bằng Excel rồi "
        "lưu lại dạng .xlsx (File > Save As), hoặc gửi đúng tệp báo cáo"
    )
