"""Text from files never becomes markup, and every page forbids script (issue 11, item 10).

The attack: a file named ``2021Q3_an_binh`<img src=x onerror="alert(document.domain)">`.xlsx`` (the unit is read
from its content, so it is accepted as Huyện An Bình's 2021Q3 submission). Its name was written into a Markdown
code span on the unit page; the backtick closed the span and nbconvert's Markdown renderer passed the <img> through
with its onerror script. Now the name is escaped (`analysis.core.escape`) and shows as the characters it holds.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from bs4 import BeautifulSoup
from IPython.core.formatters import format_display_data
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from analysis.compare.report_data import ReportData
from analysis.core import escape
from analysis.core.config import load_province_config
from analysis.core.units import load_units
from analysis.ingest.run import run_ingest
from analysis.ingest.submission import IngestContext
from analysis.report import html_page, index_page
from analysis.views import house, sections
from analysis.views import notebook as nb_views
from tests.small_province import QUARTER, write_province

ATTACK = '2021Q3_an_binh`<img src=x onerror="alert(document.domain)">`.xlsx'
HOSTILE = 'a`b` <img src=x onerror="alert(1)"> *em* _u_ **b** | c | [l](javascript:x) $x^2$ # h &amp; \\ ~s~'


def rendered_text(markdown: str) -> tuple[str, BeautifulSoup]:
    """What nbconvert's Markdown renderer (the one of the report pages) shows for `markdown`."""
    soup = BeautifulSoup(markdown2html_mistune(markdown), "html.parser")
    return soup.get_text(), soup


# ------------------------------------------------------------------------------------------------ the helper


@pytest.mark.parametrize(
    "text",
    ["`code`", "<b>bold</b>", "*a* and **b**", "_x_ and __y__", "a | b | c", HOSTILE, ATTACK, "1. not a list"],
)
def test_markdown_escape_renders_exactly_the_characters(text):
    shown, soup = rendered_text(f"Tệp {escape.md(text)} hết.")
    assert shown.strip() == f"Tệp {text} hết."
    assert [tag.name for tag in soup.find_all()] == ["p"]  # no code, em, strong, img, a, h1 …


def test_markdown_escape_puts_line_breaks_on_one_line():
    shown, soup = rendered_text(escape.md("dòng một\n# dòng hai\r\n- ba\x0bbốn\u2028năm"))
    assert shown.strip() == "dòng một # dòng hai - ba bốn năm"
    assert [tag.name for tag in soup.find_all()] == ["p"]


def test_markdown_escape_keeps_a_table_cell_in_its_cell():
    """A bar in a cell would split it into two cells of a Markdown table."""
    table = f"| Tệp | Lý do |\n|---|---|\n| {escape.md('a|b.xlsx')} | {escape.md('x | y')} |\n"
    soup = BeautifulSoup(markdown2html_mistune(table), "html.parser")
    assert [td.get_text() for td in soup.find_all("td")] == ["a|b.xlsx", "x | y"]


def test_html_escape_makes_tags_and_attributes_inert():
    assert escape.html('<img src=x onerror="a()">') == "&lt;img src=x onerror=&quot;a()&quot;&gt;"
    assert escape.html("it's") == "it&#x27;s"
    assert escape.html("a\x00b\x0bc") == "ab c"  # control characters (Excel's _x000B_) dropped, a break a space


# ------------------------------------------------------------------------------------------ the unit page


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, catalogue):
    """The small province with An Bình's 2021Q3 file renamed to the attack, ingested; its registry in use."""
    province = write_province(tmp_path_factory.mktemp("xss"), catalogue)
    shutil.move(province.raw / "2021Q3" / "2021Q3_an_binh.xlsx", province.raw / "2021Q3" / ATTACK)
    registry = load_units(province.config / "units.yaml")
    settings = load_province_config(province.config / "province.yaml")
    run_ingest(province.raw, province.processed, IngestContext.load(catalogue, registry, settings))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_CONFIG", str(province.config))
        yield ReportData.load(QUARTER, province.processed)


def shown_by(monkeypatch, call) -> list:
    """The display outputs of `call()` (as a kernel would send them), without a kernel."""
    outputs = []

    def display(obj, metadata=None):
        data, meta = format_display_data(obj)
        outputs.append(nbformat.v4.new_output("display_data", data, metadata={**meta, **(metadata or {})}))

    monkeypatch.setattr(nb_views, "display", display)
    call()
    return outputs


def unit_page(data: ReportData, monkeypatch) -> str:
    """The unit summary's page as the report exports it (one code cell, its outputs, the report template)."""
    outputs = shown_by(monkeypatch, lambda: sections.unit_summary(data, "an_binh"))
    assert outputs
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("sections.unit_summary(data, 'an_binh')")
    cell.outputs = outputs
    nb.cells = [cell]
    nb.metadata.update(title="Hồ sơ đơn vị: Huyện An Bình — Quý III/2021", index_href="../index.html")
    nb.metadata["house_css"] = house.css()
    return html_page.to_html(nb)


def test_the_attack_file_name_is_text_on_the_unit_page(attacked, monkeypatch):
    assert attacked.completeness_now().set_index("unit_code").loc["an_binh", "source_file"] == f"2021Q3/{ATTACK}"
    page = unit_page(attacked, monkeypatch)
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.find_all("img")  # the name's <img> is not an element
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    assert f"tệp “2021Q3/{ATTACK}”" in soup.get_text()  # shown as the characters it holds
    assert '&lt;img src=x onerror="alert(document.domain)"&gt;' in page or "&lt;img src=x onerror=&quot;" in page


# ------------------------------------------------------------------------------------------ the policy


def csp_of(page: str) -> str:
    soup = BeautifulSoup(page, "html.parser")
    metas = soup.head.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert len(metas) == 1
    return metas[0]["content"]


def test_every_page_type_declares_the_policy(attacked, monkeypatch):
    for page in (unit_page(attacked, monkeypatch), index_page.render(attacked, [], attacked_built())):
        policy = csp_of(page)
        assert policy == house.CONTENT_SECURITY_POLICY
        assert "default-src 'none'" in policy and "img-src data:" in policy
        assert "script-src" not in policy  # no script allowed at all: default-src 'none' covers it
        assert "<script" not in page


def test_the_policy_comes_before_any_style_or_image(attacked, monkeypatch):
    page = unit_page(attacked, monkeypatch)
    assert page.index("Content-Security-Policy") < page.index("<style")


def test_the_index_shows_the_attack_name_as_text(attacked):
    page = index_page.render(attacked, [], attacked_built())
    assert "<img" not in page  # the index lists no file by this name, and would escape it


def attacked_built():
    from datetime import datetime

    return datetime(2021, 10, 1, 8, 30)
