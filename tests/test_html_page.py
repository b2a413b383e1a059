"""Code-free pages from executed notebooks (the exporter without nbconvert's BeautifulSoup pass)."""

from __future__ import annotations

import base64
import copy

import nbformat
from bs4 import BeautifulSoup

from analysis.report import html_page

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def executed_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["title"] = "Trang thử — Quý III/2021"
    nb.metadata["index_href"] = "../index.html"
    note = nbformat.v4.new_markdown_cell("Ghi chú cho chuyên viên")
    note.metadata["tags"] = [html_page.ANALYST_ONLY_TAG]
    code = nbformat.v4.new_code_cell("secret_code_line = 1")
    code.outputs = [
        nbformat.v4.new_output("display_data", {"text/markdown": "## Tiếp công dân"}),
        nbformat.v4.new_output(
            "display_data",
            {"image/png": PNG},
            metadata={"image/png": {"alt": 'Lượt tiếp "công dân" <quý III>', "width": 720}},
        ),
        nbformat.v4.new_output("display_data", {"image/png": PNG}),  # no alt given
    ]
    nb.cells = [note, code]
    return nb


def test_page_without_code_with_alt_texts_and_focusable_outputs():
    soup = BeautifulSoup(html_page.to_html(executed_notebook()), "html.parser")
    text = soup.get_text(" ")
    assert "Tiếp công dân" in text
    assert "secret_code_line" not in text and "Ghi chú cho chuyên viên" not in text
    assert [img["alt"] for img in soup.find_all("img")] == ['Lượt tiếp "công dân" <quý III>', "Hình minh họa"]
    outputs = soup.select("div.jp-OutputArea-output")
    assert len(outputs) == 3 and all(div.get("tabindex") == "0" for div in outputs)
    assert soup.html["lang"] == "vi"
    assert not soup.find_all("script", src=True)  # nothing from the network
    assert soup.find("a", href="../index.html")


def test_one_exporter_serves_every_page():
    assert html_page.exporter() is html_page.exporter()
    nb = executed_notebook()
    first = html_page.to_html(copy.deepcopy(nb))
    again = html_page.to_html(copy.deepcopy(nb))
    assert first == again  # nothing left over from the page before
    assert "Tiếp công dân" in BeautifulSoup(first, "html.parser").get_text() and first.count("<img") == 2


def test_page_declares_the_policy_and_drops_script_outputs():
    """Every page forbids script and anything from outside (issue 11, item 10); a javascript output is left out."""
    from analysis.views import house

    nb = executed_notebook()
    nb.cells[1].outputs.append(nbformat.v4.new_output("display_data", {"application/javascript": "alert(1)"}))
    page = html_page.to_html(nb)
    soup = BeautifulSoup(page, "html.parser")
    metas = soup.head.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert [m["content"] for m in metas] == [house.CONTENT_SECURITY_POLICY]
    assert page.index("Content-Security-Policy") < page.index("<style")
    assert "alert(1)" not in page and not soup.find_all("script")
    assert all(img["src"].startswith("data:image/png;base64,") for img in soup.find_all("img"))


def test_a_printed_page_is_a4_with_headings_kept_with_what_follows():
    """Printing (looked at with `chromium --headless --print-to-pdf`: the overview went from 30 Letter pages with
    stranded headings and a squeezed indicator column to 19 A4 pages): the rules travel in every page."""
    page = html_page.to_html(executed_notebook())
    assert "@page { size: A4;" in page
    screen, _, printed = page.partition("@media print {")
    assert "break-after: avoid" in printed and "table-header-group" in printed and "min-width: 15em" in printed
