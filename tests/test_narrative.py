"""Narrative drafts: formatting helpers, approximate figures, templates, and paragraphs on a hand-made quarter.

The fixture province has three units: Huyện An Hòa and Huyện Bình Yên report every quarter; Thanh tra tỉnh is
expected in 2021Q3 only and sends nothing. Every expected figure is worked out by hand next to the data.
"""

from __future__ import annotations

import math
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from analysis.catalogue.model import load_catalogue
from analysis.compare.report_data import ReportData
from analysis.core.periods import Quarter
from analysis.core.units import UnitRegistry
from analysis.narrative.build import (
    AreaTemplates,
    NarrativeTemplateError,
    NarrativeTemplates,
    Paragraph,
    approximate,
    approximate_parts,
    build_narrative,
    figure,
    figure_number,
    load_templates,
    rate_text,
    render_markdown,
    render_text,
    templates_from_mapping,
)

NAN = np.nan
CATALOGUE = load_catalogue()
PROCESSED = Path(__file__).resolve().parents[1] / "data" / "processed"


# ------------------------------------------------------------------------------------------ formatting helpers


@pytest.mark.parametrize(
    ("value", "unit", "exact", "expected"),
    [
        (0, "lượt", True, "0 lượt"),
        (0, "lượt", False, "0 lượt"),
        (1, "lượt", True, "1 lượt"),
        (999, "lượt", True, "999 lượt"),
        (999, "lượt", False, "trên 900 lượt"),
        (1000, "lượt", True, "1.000 lượt"),
        (1000, "lượt", False, "1.000 lượt"),
        (7049, "lượt", True, "7.049 lượt"),
        (7049, "lượt", False, "trên 7.000 lượt"),
        (20480, "trường hợp", True, "20.480 trường hợp"),
        (20480, "trường hợp", False, "trên 20 nghìn trường hợp"),
        (2731.2, "triệu đồng", True, "2.731,2 triệu đồng"),
        (2731.2, "triệu đồng", False, "trên 2.500 triệu đồng"),
        (-12, "lượt", True, "-12 lượt"),
        (-12, "lượt", False, "-12 lượt"),
        (-5000, "lượt", False, "-5.000 lượt"),  # never a count: said exactly
        (12.5, "%", True, "12,5%"),
        (75.316, "%", False, "75,3%"),  # rates are never rounded down to a round number
        (NAN, "lượt", True, "chưa có số liệu"),
        (None, "lượt", False, "chưa có số liệu"),
        (NAN, "%", True, "chưa có số liệu"),
    ],
)
def test_figure(value, unit, exact, expected) -> None:
    assert figure(value, unit, exact) == expected


def test_figure_number_has_no_unit() -> None:
    assert figure_number(7048, exact=True) == "7.048"
    assert figure_number(7048, exact=False) == "trên 7.000"
    assert figure_number(float("nan")) == "chưa có số liệu"


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (238, 316, "238/316 vụ việc, đạt tỷ lệ 75,3%"),  # 238 / 316 = 75,316 %
        (1407, 1407, "1.407/1.407 vụ việc, đạt tỷ lệ 100,0%"),
        (0, 5, "0/5 vụ việc, đạt tỷ lệ 0,0%"),
        (0, 0, "0/0 vụ việc (không tính tỷ lệ vì tổng số bằng 0)"),
        (NAN, 10, "chưa có số liệu"),
        (3, None, "chưa có số liệu"),
    ],
)
def test_rate_text(num, den, expected) -> None:
    text = rate_text(num, den, "vụ việc")
    assert text == expected
    assert "nan" not in text.lower()


# ------------------------------------------------------------------------------------------ approximate figures


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7048, "trên 7.000"),
        (604, "trên 600"),
        (50, "50"),
        (20480, "trên 20 nghìn"),
        (7000, "7.000"),
        (99, "99"),
        (100, "100"),
        (101, "trên 100"),
        (999, "trên 900"),
        (1049, "trên 1.000"),
        (12345, "trên 12 nghìn"),
        (10000, "10 nghìn"),
        (105000, "trên 100 nghìn"),
        (2456, "trên 2.400"),  # 2.000 and 2.500 are not ≥ 90%; 2.400 is
        (0, "0"),
        (1, "1"),
        (45.5, "45,5"),
        (7000.5, "trên 7.000"),
    ],
)
def test_approximate(value, expected) -> None:
    assert approximate(value) == expected


def test_approximate_parts() -> None:
    parts = approximate_parts(20480)
    assert (parts.rounded, parts.over, parts.thousands, parts.text) == (20000, True, True, "trên 20 nghìn")
    exact = approximate_parts(7000)
    assert (exact.rounded, exact.over, exact.thousands) == (7000, False, False)
    small = approximate_parts(50)
    assert (small.rounded, small.over) == (50, False)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), None])
def test_approximate_refuses_what_is_not_a_number(value) -> None:
    with pytest.raises((ValueError, TypeError)):
        approximate(value)


def spoken_value(text: str) -> int:
    """ "trên 20 nghìn" → 20000, "trên 7.000" → 7000, "50" → 50."""
    match = re.fullmatch(r"(trên )?([\d.]+)( nghìn)?", text)
    assert match, text
    number = int(match.group(2).replace(".", ""))
    return number * 1000 if match.group(3) else number


def check_approximation(n: int) -> None:
    text = approximate(n)
    said = spoken_value(text)
    assert said <= n, (n, text)  # never above the truth
    assert said * 10 >= n * 9, (n, text)  # at least 90% of it
    assert text.startswith("trên ") == (said < n), (n, text)  # "trên" exactly when rounded down
    if n < 100:
        assert text == str(n)


@given(st.integers(min_value=0, max_value=10**7))
def test_approximate_never_exceeds_and_keeps_ninety_percent(n: int) -> None:
    check_approximation(n)


def test_approximate_exhaustively_up_to_thirty_thousand() -> None:
    for n in range(30_001):  # every boundary of the small steps and the switch to "nghìn"
        check_approximation(n)


# ------------------------------------------------------------------------------------------ fixture quarter

UNITS = UnitRegistry.from_mapping(
    {
        "province": {"code": "thu_nghiem", "name": "Tỉnh Thử Nghiệm"},
        "units": [
            {"code": "an_hoa", "name": "Huyện An Hòa", "type": "district"},
            {"code": "binh_yen", "name": "Huyện Bình Yên", "type": "district"},
            {"code": "thanh_tra_tinh", "name": "Thanh tra tỉnh", "type": "agency"},
        ],
    },
    source="test",
)
NAMES = {u.code: u.name for u in UNITS.units}
PERIODS = ["2020Q1", "2020Q2", "2020Q3", "2021Q1", "2021Q2", "2021Q3"]

# indicator → period → (An Hòa, Bình Yên); None = no row at all
FIGURES: dict[str, dict[str, tuple[float, float]]] = {
    # up: 7.048 vs 6.473 (+575 = +8,88%) and vs 6.655 (+393 = +5,91%);
    # year to date 6.000 + 6.473 + 7.048 = 19.521 vs 3.000 + 3.000 + 6.655 = 12.655 (+54,26%)
    "TCD01": {
        "2020Q1": (2000, 1000),
        "2020Q2": (2000, 1000),
        "2020Q3": (3655, 3000),
        "2021Q1": (3000, 3000),
        "2021Q2": (3473, 3000),
        "2021Q3": (4048, 3000),
    },
    # down: 900 vs 1.000 (−10,0%); unchanged vs 900 in 2020Q3; no 2021Q1, no 2020Q1–Q2 (partial years)
    "TCD03": {"2020Q3": (500, 400), "2021Q2": (600, 400), "2021Q3": (500, 400)},
    # from zero: 50 vs 0 ("mới phát sinh"); no 2020Q3 (missing base)
    "TCD02": {"2021Q1": (0, 0), "2021Q2": (0, 0), "2021Q3": (30, 20)},
    # GQ05 = GQ03 / GQ01: 238/316 = 75,3% vs 210/300 = 70,0% (+5,3 points); no 2020Q3
    "GQ01": {"2021Q2": (200, 100), "2021Q3": (200, 116)},
    "GQ03": {"2021Q2": (140, 70), "2021Q3": (150, 88)},
    # GQ15 = GQ10 / GQ07 = 0/0: no denunciation this quarter
    "GQ07": {"2021Q3": (0, 0)},
    "GQ10": {"2021Q3": (0, 0)},
    # Bình Yên left the figure blank: 1 of 3 units
    "PCTN01": {"2021Q2": (2, 2), "2021Q3": (3, NAN)},
    # the three headline figures of the real report
    "VP01": {"2020Q3": (50, 45), "2021Q2": (300, 155), "2021Q3": (404, 200)},  # 604 vs 455 and 95 (×6,4)
    "VP02": {"2020Q3": (4, 4), "2021Q2": (20, 16), "2021Q3": (30, 20)},  # 50 vs 36 and 8
    # 20.480; year to date 15.000 + 19.930 + 20.480 = 55.410, but 2020 has only its third quarter
    "VP04": {
        "2020Q3": (11875, 8000),
        "2021Q1": (10000, 5000),
        "2021Q2": (11930, 8000),
        "2021Q3": (12480, 8000),
    },
    # An Hòa wrote "trên 200" (an estimate)
    "DV01": {"2021Q2": (200, 100), "2021Q3": (200, 102)},
}
ESTIMATES = {("an_hoa", "2021Q3", "DV01")}


def fixture_values() -> pd.DataFrame:
    rows = []
    for code, by_period in FIGURES.items():
        for period, pair in by_period.items():
            for unit, value in zip(("an_hoa", "binh_yen"), pair, strict=True):
                rows.append(
                    {
                        "unit_code": unit,
                        "unit_name": NAMES[unit],
                        "period": period,
                        "indicator": code,
                        "value": float(value),
                        "approx": (unit, period, code) in ESTIMATES,
                        "status": "blank" if math.isnan(value) else "number",
                    }
                )
    return pd.DataFrame(rows).astype({"value": "float64", "approx": "bool"})


def fixture_completeness() -> pd.DataFrame:
    rows = [
        {"period": p, "unit_code": u, "expected": True, "received": True}
        for p in PERIODS
        for u in ("an_hoa", "binh_yen")
    ]
    rows.append({"period": "2021Q3", "unit_code": "thanh_tra_tinh", "expected": True, "received": False})
    frame = pd.DataFrame(rows)
    frame["unit_name"] = frame["unit_code"].map(NAMES)
    frame["unit_type"] = frame["unit_code"].map({u.code: u.type for u in UNITS.units})
    return frame


def fixture_data(quarter: str = "2021Q3") -> ReportData:
    return ReportData(
        quarter=Quarter.parse(quarter),
        catalogue=CATALOGUE,
        registry=UNITS,
        values=fixture_values(),
        submissions=pd.DataFrame(),
        issues=pd.DataFrame(),
        completeness=fixture_completeness(),
    )


@pytest.fixture(scope="module")
def exact() -> dict[str, Paragraph]:
    return {p.area: p for p in build_narrative(fixture_data(), exact=True)}


@pytest.fixture(scope="module")
def spoken() -> dict[str, Paragraph]:
    return {p.area: p for p in build_narrative(fixture_data(), exact=False)}


def test_one_paragraph_per_area_in_catalogue_order(exact) -> None:
    assert list(exact) == [a.code for a in CATALOGUE.areas]
    assert exact["TCD"].heading == "Công tác tiếp công dân"
    assert exact["TCD"].text.startswith("Công tác tiếp công dân: Trong quý III/2021,")


def test_increase_in_both_comparisons_and_the_unit_that_did_not_report(exact) -> None:
    assert (
        "Trong quý III/2021, các cơ quan hành chính nhà nước của tỉnh đã tiếp 7.048 lượt người đến khiếu nại, tố cáo, "
        "kiến nghị, phản ánh (tăng 8,9% so với quý II/2021; tăng 5,9% so với cùng kỳ năm 2020) "
        "(số liệu của 2/3 đơn vị; chưa có báo cáo của Thanh tra tỉnh)."
    ) in exact["TCD"].text


def test_the_same_coverage_note_is_said_once_per_paragraph(exact) -> None:
    assert exact["TCD"].text.count("chưa có báo cáo của Thanh tra tỉnh") == 1


def test_decrease_and_unchanged(exact) -> None:
    assert (
        "đã tiếp nhận 900 vụ việc khiếu nại, tố cáo, kiến nghị, phản ánh "
        "(giảm 10,0% so với quý II/2021; không thay đổi so với cùng kỳ năm 2020)."
    ) in exact["TCD"].text


def test_from_zero_and_missing_base(exact) -> None:
    assert (
        "Số người được tiếp là 50 người (mới phát sinh so với quý II/2021; chưa có số liệu quý III/2020 để so sánh)."
    ) in exact["TCD"].text


def test_a_missing_figure_is_said_at_the_end_of_its_paragraph_not_left_blank(exact) -> None:
    # TCD12 and TCD13 have no figure at all this quarter: their sentence is left out and said at the end
    assert exact["TCD"].text.endswith(
        "Chưa có số liệu quý III/2021 về số kỳ thủ trưởng tiếp công dân định kỳ, đột xuất; "
        "số lượt thủ trưởng tiếp công dân định kỳ, đột xuất."
    )
    assert "Thủ trưởng các cơ quan" not in exact["TCD"].text
    assert "Chưa có số liệu quý III/2021 về tổng số vụ phạm tội được phát hiện; " in exact["TP"].text
    assert "Chưa có số liệu 9 tháng đầu năm 2021 về tổng số vụ phạm tội được phát hiện" in exact["TP"].text


def test_a_missing_breakdown_does_not_hide_the_key_figure(exact) -> None:
    # PCTN02–04 (the breakdown of PCTN01) are missing; PCTN01 is still said
    text = exact["PCTN"].text
    assert "đã phát hiện 3 vụ tham nhũng" in text
    assert "Chưa có số liệu quý III/2021 về số vụ tham nhũng phát hiện qua kiểm tra, thanh tra, giám sát; " in text


def test_rate_from_the_province_sums(exact) -> None:
    assert (
        "Về khiếu nại, đã giải quyết 238/316 vụ việc, đạt tỷ lệ 75,3% "
        "(tăng 5,3 điểm phần trăm so với quý II/2021; chưa có số liệu quý III/2020 để so sánh)."
    ) in exact["GQ"].text


def test_rate_of_zero_over_zero_is_worded(exact) -> None:
    text = exact["GQ"].text
    assert "Trong quý III/2021 không phát sinh tố cáo thuộc thẩm quyền nên chưa tính tỷ lệ giải quyết tố cáo." in text
    # year to date the 0/0 covers 2021Q3 only: not "không phát sinh" over nine months, but missing
    assert "Trong 9 tháng đầu năm 2021 không phát sinh" not in text
    # rates are not summed over quarters when their base carries over (cases within competence include the
    # previous period's): the year-to-date sentence speaks of cases resolved instead
    assert "tỷ lệ giải quyết tố cáo" not in text.split("Lũy kế")[-1]


def test_unit_that_reported_but_left_the_figure_blank(exact) -> None:
    # 3 vs 2 + 2 = 4 in 2021Q2: −25%
    assert (
        "đã phát hiện 3 vụ tham nhũng (giảm 25,0% so với quý II/2021; chưa có số liệu quý III/2020 để so sánh) "
        "(số liệu của 1/3 đơn vị; chưa có báo cáo của Thanh tra tỉnh; Huyện Bình Yên chưa báo cáo số liệu này)"
    ) in exact["PCTN"].text


def test_estimates_are_flagged(exact) -> None:
    assert "có đơn vị báo số liệu ước tính" in exact["DV"].text


def test_headline_sentences_exact_and_spoken(exact, spoken) -> None:
    assert "đã tiếp 7.048 lượt người" in exact["TCD"].text
    assert "đã tiếp trên 7.000 lượt người" in spoken["TCD"].text
    assert "đã xử lý 604 cá nhân và 50 cơ sở kinh doanh vi phạm" in exact["VP"].text
    assert "đã xử lý trên 600 cá nhân và 50 cơ sở kinh doanh vi phạm" in spoken["VP"].text
    assert "tăng gấp 6,4 lần so với cùng kỳ năm 2020" in exact["VP"].text  # 604 / 95 = 6,36
    assert "Đã xử lý 20.480 trường hợp vi phạm trật tự, an toàn giao thông" in exact["VP"].text
    assert "Đã xử lý trên 20 nghìn trường hợp vi phạm trật tự, an toàn giao thông" in spoken["VP"].text
    # rates and changes are the same in both modes
    assert "238/316 vụ việc, đạt tỷ lệ 75,3%" in spoken["GQ"].text


def test_year_to_date(exact, spoken) -> None:
    text = exact["TCD"].text
    assert (
        "Lũy kế 9 tháng đầu năm 2021, đã tiếp 19.521 lượt người đến khiếu nại, tố cáo, kiến nghị, phản ánh "
        "(tăng 54,3% so với cùng kỳ năm 2020)"
    ) in text
    # TCD03 has no 2021Q1: a partial year is not compared with a full one
    assert (
        "Số vụ việc được tiếp trong 9 tháng đầu năm 2021 là 1.900 vụ việc "
        "(chưa đủ số liệu các quý nên chưa so sánh với cùng kỳ năm 2020) (số liệu của 2/3 quý)."
    ) in text
    # VP04 has the whole of 2021 but only 2020Q3 of last year: not compared either
    assert (
        "Số trường hợp vi phạm trật tự, an toàn giao thông bị xử lý trong 9 tháng đầu năm 2021 là 55.410 trường hợp "
        "(chưa đủ số liệu 9 tháng đầu năm 2020 để so sánh)."
    ) in exact["VP"].text
    assert "Lũy kế 9 tháng đầu năm 2021, đã tiếp trên 19 nghìn lượt người" in spoken["TCD"].text


def test_year_to_date_from_the_second_quarter_only() -> None:
    q1 = render_text(build_narrative(fixture_data("2021Q1"), exact=True))
    assert "Lũy kế" not in q1
    q2 = render_text(build_narrative(fixture_data("2021Q2"), exact=True))
    assert "Lũy kế 6 tháng đầu năm 2021" in q2


def test_no_number_is_printed_as_nan_or_a_placeholder(exact, spoken) -> None:
    for paragraphs in (exact, spoken):
        for p in paragraphs.values():
            assert not re.search(r"\bnan\b|\bNone\b|\binf\b|[{}]", p.text, re.IGNORECASE), p.text
            assert "  " not in p.text and " ." not in p.text and " ," not in p.text


def test_render_text_and_markdown(exact) -> None:
    paragraphs = list(exact.values())
    text = render_text(paragraphs)
    lines = text.splitlines()
    assert lines[0] == "Công tác tiếp công dân"
    assert lines[1].startswith("Công tác tiếp công dân: Trong quý III/2021")
    assert lines[2] == ""
    assert text.count("\n\n") == len(paragraphs) - 1
    md = render_markdown(paragraphs)
    assert md.startswith("### Công tác tiếp công dân\n\nCông tác tiếp công dân: Trong quý III/2021")
    assert md.count("\n### ") == len(paragraphs) - 1
    assert render_markdown([Paragraph("X", "A*B", "1_2 [x]")]) == "### A\\*B\n\n1\\_2 \\[x\\]\n"


# ------------------------------------------------------------------------------------------ templates


def custom(areas: dict, **extra) -> NarrativeTemplates:
    """The packaged phrases with other area templates."""
    data = yaml.safe_load(resources.files("analysis.narrative").joinpath("narrative.yaml").read_text(encoding="utf-8"))
    data["areas"] = areas
    data.update(extra)
    return templates_from_mapping(data, CATALOGUE, "test.yaml")


def test_the_packaged_templates_load_and_cover_every_area() -> None:
    templates = load_templates()
    assert set(templates.areas) == {a.code for a in CATALOGUE.areas}


def test_templates_are_data_an_analyst_can_reword() -> None:
    templates = custom(
        {"TCD": {"heading": "I. Tiếp dân", "opening": "", "sentences": ["{quarter_title}: {TCD01.bare} lượt."]}}
    )
    paragraphs = {p.area: p for p in build_narrative(fixture_data(), exact=False, templates=templates)}
    assert paragraphs["TCD"] == Paragraph("TCD", "I. Tiếp dân", "Quý III/2021: trên 7.000 lượt.")


def test_areas_without_templates_get_the_generic_paragraph() -> None:
    templates = custom({})
    paragraphs = {p.area: p for p in build_narrative(fixture_data(), exact=True, templates=templates)}
    assert set(paragraphs) == {a.code for a in CATALOGUE.areas}
    vp = paragraphs["VP"]
    assert vp.heading == CATALOGUE.area("VP").title
    assert vp.text.startswith(f"{CATALOGUE.area('VP').title}: ")
    assert "Số trường hợp vi phạm trật tự, an toàn giao thông bị xử lý là 20.480 trường hợp" in vp.text


@pytest.mark.parametrize(
    ("sentence", "named"),
    [
        ("Đã tiếp {TCD99}.", "{TCD99}"),
        ("Đã tiếp {TCD01.soluong}.", "{TCD01.soluong}"),
        ("Đã tiếp {TCD01.rate}.", "{TCD01.rate}"),  # only rates have .rate
        ("Trong {quater}.", "{quater}"),
        ("{TCD01.__class__}", "{TCD01.__class__}"),
        ("{TCD01[0]}", "{TCD01[0]}"),
        ("{TCD01:>10}", "{TCD01}"),
        ("{quarter.year}", "{quarter.year}"),
        ("{}", "{}"),
        ("{it}", "{it}"),  # only generic sentences have {it}
    ],
)
def test_unknown_template_key_names_the_template_and_the_key(sentence, named) -> None:
    with pytest.raises(NarrativeTemplateError) as error:
        custom({"TCD": {"sentences": ["Trong {quarter}.", sentence]}})
    message = str(error.value)
    assert "test.yaml › areas.TCD.sentences[1]" in message
    assert named in message


def test_unbalanced_braces_and_unknown_phrases_are_reported() -> None:
    with pytest.raises(NarrativeTemplateError, match=r"areas\.TCD\.opening.*ngoặc"):
        custom({"TCD": {"opening": "Tiếp dân {TCD01", "sentences": []}})
    with pytest.raises(NarrativeTemplateError, match=r"phrases\.increase.*\{percent\}"):
        data_phrases = dict(load_templates().phrases, increase="tăng {percent}")
        custom({}, phrases=data_phrases)
    with pytest.raises(NarrativeTemplateError, match="XYZ"):
        custom({"XYZ": {"sentences": []}})


def test_the_lazy_mapping_refuses_unknown_keys_too() -> None:
    """Templates built without the loader's check still fail clearly when they are filled in."""
    checked = custom({})
    unchecked = NarrativeTemplates(
        source="tay.yaml",
        phrases=checked.phrases,
        areas={"TCD": AreaTemplates("TCD", "Tiếp dân", "", ("{TCD99} lượt.",))},
        generic_opening=checked.generic_opening,
        generic_sentence=checked.generic_sentence,
        generic_year_to_date=checked.generic_year_to_date,
    )
    with pytest.raises(NarrativeTemplateError, match=r"tay\.yaml › areas\.TCD\.sentences\[0\].*\{TCD99\}"):
        build_narrative(fixture_data(), templates=unchecked)


# ------------------------------------------------------------------------------------------ demo province


def test_demo_province_spoken_figures(tmp_path, ctx) -> None:
    """The shipped demo province, ingested here, reproduces the figures of the real Q3/2021 report."""
    from analysis.ingest.run import run_ingest

    run_ingest(PROCESSED.parent / "raw" / "demo", tmp_path, ctx)
    data = ReportData.load("2021Q3", tmp_path)
    text = render_text(build_narrative(data, exact=False))
    for expected in ("trên 7.000 lượt", "trên 600 cá nhân", "50 cơ sở", "trên 20 nghìn trường hợp"):
        assert expected in text
    assert not re.search(r"\bnan\b|[{}]", text, re.IGNORECASE)
    exact_text = render_text(build_narrative(data, exact=True))
    assert "7.048 lượt" in exact_text
    assert "Lũy kế 9 tháng đầu năm 2021" in exact_text
