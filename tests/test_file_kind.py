"""A file that is not the spreadsheet its name says is rejected saying what it really is."""

from __future__ import annotations

import io
import zipfile

import pytest

from analysis.ingest.file_kind import head_kind, renamed
from analysis.ingest.preflight import check
from analysis.ingest.workbook import WorkbookError

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def _ole2(*streams: str) -> bytes:
    """An OLE2 header and a directory naming these streams (UTF-16, as the format stores them)."""
    return OLE2 + b"\x00" * 504 + b"".join(s.encode("utf-16-le") + b"\x00\x00" + b"\x00" * 40 for s in streams)


def _reason(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(WorkbookError) as info:
        check(path)
    return info.value.reason


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("bao-cao.xlsx", _zip({"word/document.xml": "<w:document/>"}), "là văn bản Word (.docx) nhưng mang đuôi .xlsx"),
        ("bao-cao.xlsx", _zip({"ppt/presentation.xml": "<p/>"}), "bản trình chiếu PowerPoint (.pptx)"),
        ("bao-cao.xlsx", _zip({"mimetype": "application/vnd.oasis", "content.xml": "<c/>"}), "tệp LibreOffice"),
        ("bao-cao.xlsx", _zip({"anh.jpg": "x"}), "Tệp này là tệp nén (.zip) nhưng mang đuôi .xlsx"),
        ("bao-cao.xlsx", _ole2("Root Entry", "WordDocument", "1Table"), "văn bản Word cũ (.doc) nhưng mang đuôi .xlsx"),
        ("bao-cao.xlsx", _ole2("Root Entry", "Workbook"), "Tệp này là bảng tính Excel cũ (.xls) nhưng mang đuôi .xlsx"),
        ("bao-cao.xlsx", _ole2("Root Entry", "EncryptionInfo", "EncryptedPackage"), "đặt mật khẩu"),
        ("bao-cao.xlsx", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "trang web (HTML/XML)"),
        ("bao-cao.xls", b"\xef\xbb\xbf<!DOCTYPE html><html><table></table></html>", "trang web (HTML/XML)"),
        ("bao-cao.xls", _zip({"xl/workbook.xml": "<workbook/>"}), "bảng tính dạng .xlsx nhưng mang đuôi .xls"),
        ("bao-cao.xlsx", "STT;Chỉ tiêu;Số liệu\n1;Lượt tiếp;7.048\n".encode(), "tệp văn bản thường (chữ hoặc CSV)"),
        ("bao-cao.xlsx", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "Tệp này là ảnh JPEG"),
    ],
    ids=["docx", "pptx", "odf-text", "plain-zip", "doc", "xls", "encrypted", "html", "html-xls", "xlsx-as-xls",
         "csv", "jpeg"],
)  # fmt: skip
def test_a_renamed_file_is_named_for_what_it_is(tmp_path, name, data, said):
    reason = _reason(tmp_path, name, data)
    assert said in reason
    assert "xl/workbook.xml" not in reason


def test_the_reason_says_what_to_do():
    assert renamed("văn bản Word (.docx)", ".xlsx") == (
        "Tệp này là văn bản Word (.docx) nhưng mang đuôi .xlsx, chương trình không đọc được: đề nghị đơn vị mở bằng "
        "Excel rồi lưu lại dạng .xlsx (File > Save As), hoặc gửi đúng tệp báo cáo"
    )


def test_an_unknown_ole2_file_is_taken_for_a_password_protected_one(tmp_path):
    assert "đặt mật khẩu" in _reason(tmp_path, "bao-cao.xlsx", OLE2 + b"\x00" * 4000)


def test_text_cut_inside_a_letter_is_still_text():
    head = "Báo cáo quý III".encode()[:-1] + "ý".encode()[:1]  # the head ends half-way through "ý"
    assert head_kind(head) == "tệp văn bản thường (chữ hoặc CSV)"


def test_binary_noise_is_not_named():
    assert head_kind(b"\x00\x01\x02\xfe\xfd") is None
