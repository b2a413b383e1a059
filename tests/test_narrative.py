"""Narrative paragraphs on the hand-made quarter (tests/narrative_quarter.py), written with the tests' own templates
(tests/narrative_fixture.yaml): the logic, not the shipped wording. Every expected text is worked out by hand from
the figures and the fixture phrases ("tăng {pct} / {base}", "THIẾU {period}: {names}." …).
"""

from __future__ import annotations

import re

import mistune
import pytest
from bs4 import BeautifulSoup

from analysis.narrative.build import Paragraph, build_narrative, render_markdown, render_text
from tests.narrative_quarter import CATALOGUE, fixture_data, fixture_templates

TEMPLATES = fixture_templates()
NOT_SENT = "chưa gửi Thanh tra tỉnh"


def paragraphs(quarter: str = "2021Q3", exact: bool = True, templates=TEMPLATES) -> dict[str, Paragraph]:
    return {p.area: p for p in build_narrative(fixture_data(quarter), exact=exact, templates=templates)}


@pytest.fixture(scope="module")
def exact() -> dict[str, Paragraph]:
    return paragraphs(exact=True)


@pytest.fixture(scope="module")
def spoken() -> dict[str, Paragraph]:
    return paragraphs(exact=False)


def test_one_paragraph_per_area_in_catalogue_order(exact) -> None:
    assert list(exact) == [a.code for a in CATALOGUE.areas]
    assert exact["TCD"].heading == "TCD-HEAD"
    assert exact["DV"].heading == "DV-HEAD Quý III/2021"  # headings are templates too


def test_a_whole_paragraph(exact) -> None:
    """Changes both ways, coverage said once, a missing base, year to date, missing figures at the end."""
    assert exact["TCD"].text == (
        "TCD-OPEN quý III/2021: "
        # 7.048 vs 6.473: +8,88%; vs 6.655: +5,91%; 2 of the 3 expected units, and both units in either base
        "T1 7.048 lượt [tăng 8,9% / quý II/2021 | tăng 5,9% / CK 2020] "
        "<2/3 đv; chưa gửi Thanh tra tỉnh; quý II/2021 2/2 đv; quý III/2020 2/2 đv>. "
        # 900 vs 1.000: −10,0%; vs 900: unchanged; the same coverage note is not said again
        "T3 900 vụ việc [giảm 10,0% / quý II/2021 | = CK 2020]. "
        # 50 vs 0: new; no 2020Q3, so its coverage note (no side for 2020Q3) differs from T1's and is said
        "T2 50 [mới / quý II/2021 | thiếu gốc quý III/2020] <2/3 đv; chưa gửi Thanh tra tỉnh; quý II/2021 2/2 đv>. "
        # 19.521 vs 12.655: +54,26%
        "Y1 9 tháng đầu năm 2021: 19.521 lượt [tăng 54,3% / CK lũy kế 2020]. "
        # 1.000 + 900, no 2021Q1: a partial year is not compared
        "Y3 1.900 vụ việc [thiếu quý / CK lũy kế 2020] <2/3 quý>. "
        "THIẾU quý III/2021: số kỳ thủ trưởng tiếp công dân định kỳ, đột xuất + "
        "số lượt thủ trưởng tiếp công dân định kỳ, đột xuất."
    )


def test_coverage_is_said_once_per_paragraph(exact) -> None:
    assert exact["TCD"].text.count(NOT_SENT) == 2  # T1 and T3 share the note (said with T1); T2 has no 2020Q3
    # a new paragraph says it again
    assert exact["PCTN"].text.count(NOT_SENT) == 1
    assert exact["DV"].text.count(NOT_SENT) == 1


def test_coverage_names_units_not_received_blank_and_estimates(exact) -> None:
    # PCTN01: 3 from An Hòa, Bình Yên sent its report but left the cell blank, Thanh tra tỉnh sent nothing
    assert exact["PCTN"].text.startswith(
        "P1 3 vụ [giảm 25,0% / quý II/2021 | thiếu gốc quý III/2020] "
        "<1/3 đv; chưa gửi Thanh tra tỉnh; trống ô Huyện Bình Yên; quý II/2021 2/2 đv>. "
    )
    assert exact["DV"].text == "D1 302 buổi <2/3 đv; chưa gửi Thanh tra tỉnh; quý II/2021 2/2 đv; ước tính>."


def test_missing_figures_move_to_the_end_of_their_paragraph(exact) -> None:
    text = exact["PCTN"].text
    assert "P2" not in text  # the breakdown is missing: its sentence is left out …
    assert text.endswith(  # … and said once at the end; the key figure before it is still said
        "THIẾU quý III/2021: số vụ tham nhũng phát hiện qua kiểm tra, thanh tra, giám sát + "
        "số vụ tham nhũng phát hiện qua phản ánh, tố cáo."
    )


def test_rates_and_the_zero_base_sentence(exact) -> None:
    assert exact["GQ"].text == (
        # 238/316 = 75,32% vs 210/300 = 70,0%: +5,3 points
        "G5 238/316 vụ việc = 75,3% [tăng 5,3 đ / quý II/2021 | thiếu gốc quý III/2020]. "
        "G5F 238/316 75,3%. "
        # GQ15 = 0/0: a sentence that needs its figure is replaced; {GQ15.rate} alone says the 0/0
        "KHÔNG PHÁT SINH tố cáo thuộc thẩm quyền quý III/2021 (tỷ lệ giải quyết tố cáo). "
        "G15R 0/0 vụ việc = không tính. "
        # year to date: 140 + 70 + 238 / 300 + 316
        "YG5 448/616. "
        # the 0/0 covers one quarter of three: missing over the nine months, not "không phát sinh"
        "THIẾU 9 tháng đầu năm 2021: tỷ lệ giải quyết tố cáo."
    )


def test_multiples_previous_figures_and_a_partial_base_year(exact) -> None:
    assert exact["VP"].text == (
        # 455 and 95; 604 vs 455: +32,75%
        "V0 455 người 95 người tăng 32,7% / quý II/2021. "
        # 604 / 95 = 6,36 and 50 / 8 = 6,25 (+535,8% and +525%): said as multiples
        "V1 604 & 50 cơ sở [gấp 6,4 / CK 2020; gấp 6,3 / CK 2020]. "
        "V4 20.480 trường hợp | 20.480 trường hợp | trên 20 nghìn trường hợp. "
        # 2020 has only its third quarter: not compared
        "YV4 55.410 trường hợp [gốc thiếu quý 9 tháng đầu năm 2020]."
    )


def test_no_multiples_when_the_setting_is_null() -> None:
    text = paragraphs(templates=fixture_templates(settings={"multiple_from_pct": None}))["VP"].text
    assert "V1 604 & 50 cơ sở [tăng 535,8% / CK 2020; tăng 525,0% / CK 2020]." in text  # 509/95, 42/8


def test_approximate_figures(spoken) -> None:
    assert spoken["TCD"].text.startswith("TCD-OPEN quý III/2021: T1 trên 7.000 lượt [tăng 8,9% / quý II/2021")
    assert "Y1 9 tháng đầu năm 2021: trên 19 nghìn lượt" in spoken["TCD"].text  # 19.521
    vp = spoken["VP"].text
    assert "V0 trên 450 người 95 người" in vp  # 455; below 100 exact
    assert "V1 trên 600 & 50 cơ sở [gấp 6,4 / CK 2020" in vp  # changes are the same in both modes
    assert "V4 trên 20 nghìn trường hợp | 20.480 trường hợp | trên 20 nghìn trường hợp." in vp  # .exact stays exact
    assert spoken["GQ"].text == paragraphs()["GQ"].text  # rates are never rounded


def test_areas_without_templates_get_the_generic_paragraph(exact) -> None:
    xld = exact["XLD"]
    assert xld.heading == CATALOGUE.area("XLD").title
    assert xld.text.startswith(f"{CATALOGUE.area('XLD').title}: THIẾU quý III/2021: tổng số đơn + ")
    generic = paragraphs(templates=fixture_templates(areas={}))
    assert set(generic) == {a.code for a in CATALOGUE.areas}
    # VP04 is VP's third key indicator; VP01's sentence said the coverage note already
    assert (
        "G vi phạm trật tự, an toàn giao thông bị xử lý = 20.480 trường hợp "
        "[tăng 2,8% / quý II/2021 | tăng 3,0% / CK 2020]."
    ) in generic["VP"].text


def test_year_to_date_from_the_second_quarter_on() -> None:
    q1 = render_text(paragraphs("2021Q1").values())
    assert "Y1" not in q1 and "YV4" not in q1 and "GY" not in q1
    q2 = render_text(paragraphs("2021Q2").values())
    assert "Y1 6 tháng đầu năm 2021: " in q2


def test_a_rate_attribute_of_a_plain_sentence_is_missing_without_its_pair() -> None:
    areas = {"GQ": {"sentences": ["R {GQ05.rate}.", "Y {GQ05.ytd_rate}."]}}
    text = paragraphs("2020Q3", templates=fixture_templates(areas=areas))["GQ"].text
    assert text == (
        "THIẾU quý III/2020: tỷ lệ giải quyết khiếu nại. THIẾU 9 tháng đầu năm 2020: tỷ lệ giải quyết khiếu nại."
    )


def test_no_number_is_printed_as_nan_or_a_placeholder(exact, spoken) -> None:
    for found in (exact, spoken):
        for p in found.values():
            assert not re.search(r"\bnan\b|\bNone\b|\binf\b|[{}]", p.text, re.IGNORECASE), p.text
            assert "  " not in p.text and " ." not in p.text and " ," not in p.text


def test_render_text_and_markdown(exact) -> None:
    found = list(exact.values())
    text = render_text(found)
    lines = text.splitlines()
    assert lines[:3] == ["TCD-HEAD", exact["TCD"].text, ""]
    assert text.count("\n\n") == len(found) - 1
    md = render_markdown(found)
    assert md.startswith("### TCD\\-HEAD\n\nTCD\\-OPEN quý III/2021\\: T1")
    assert md.count("\n### ") == len(found) - 1
    assert render_markdown([Paragraph("X", "A*B", "1_2 [x]")]) == "### A\\*B\n\n1\\_2 \\[x\\]\n"
    # rendered as nbconvert renders notebook Markdown, every paragraph shows exactly its text
    soup = BeautifulSoup(mistune.html(md), "html.parser")
    assert [h.get_text() for h in soup.find_all("h3")] == [p.heading for p in found]
    assert [t.get_text() for t in soup.find_all("p")] == [p.text for p in found]
