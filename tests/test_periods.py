from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.periods import (
    CutoffRule,
    Quarter,
    find_dates,
    find_periods,
    parse_date,
    parse_date_range,
    parse_period,
    period_dates,
    quarter_for_date,
    quarter_for_range,
    quarter_range,
    ytd_dates,
)

Q3 = Quarter(2021, 3)
quarters = st.builds(Quarter, st.integers(2000, 2099), st.integers(1, 4))


# --- Quarter


@pytest.mark.parametrize("q", [0, 5, -1])
def test_quarter_validates_quarter(q):
    with pytest.raises(ValueError):
        Quarter(2021, q)


def test_quarter_rejects_non_int():
    with pytest.raises(TypeError):
        Quarter(2021, "3")  # type: ignore[arg-type]


@pytest.mark.parametrize("label", ["2021Q3", "2021q3", " 2021Q3 "])
def test_quarter_parse(label):
    assert Quarter.parse(label) == Q3


@pytest.mark.parametrize("label", ["2021Q5", "2021Q0", "Q3/2021", "2021-Q3", "21Q3", "2021Q3x", "", "quý III/2021"])
def test_quarter_parse_strict(label):
    with pytest.raises(ValueError, match="Kỳ báo cáo không hợp lệ.*invalid quarter label"):
        Quarter.parse(label)


@pytest.mark.parametrize(
    "text",
    [
        "2021Q3",
        "2021q3",
        "2021-Q3",
        "Q3/2021",
        "q3-2021",
        "III/2021",
        "quý III/2021",
        "Quý III/2021",
        "QUÝ III/2021",
        " Quý 3 năm 2021 ",
        "quy III/2021",
        "Quý III - 2021",
    ],
)
def test_quarter_from_user_accepts_the_ways_people_write_it(text):
    assert Quarter.from_user(text) == Q3


def test_quarter_from_user_passes_a_quarter_through():
    assert Quarter.from_user(Q3) is Q3


@pytest.mark.parametrize(
    "text",
    ["2021Q5", "Q5/2021", "9/2021", "VIII/2021", "2021", "III", "quý III/2021 và quý IV/2021", "2021Q3x", "", "abc"],
)
def test_quarter_from_user_refuses_what_is_not_one_quarter_listing_the_spellings(text):
    with pytest.raises(ValueError, match=r"Kỳ báo cáo không hợp lệ.*2021Q3, Q3/2021, III/2021, quý III/2021"):
        Quarter.from_user(text)


def test_quarter_labels():
    assert Q3.label == "2021Q3"
    assert str(Q3) == "2021Q3"
    assert Q3.roman == "III"
    assert Q3.vn == "quý III/2021"
    assert Q3.vn_title == "Quý III/2021"
    assert [Quarter(2021, q).roman for q in range(1, 5)] == ["I", "II", "III", "IV"]


def test_quarter_arithmetic():
    assert Q3.previous() == Quarter(2021, 2)
    assert Q3.next() == Quarter(2021, 4)
    assert Quarter(2021, 1).previous() == Quarter(2020, 4)
    assert Quarter(2021, 4).next() == Quarter(2022, 1)
    assert Q3.same_quarter_last_year() == Quarter(2020, 3)
    q = Q3
    assert q + 2 == Quarter(2022, 1)
    assert q - 3 == Quarter(2020, 4)
    assert q + 0 == Q3
    assert q - Quarter(2020, 1) == 6


def test_quarter_order():
    assert Quarter(2020, 4) < Quarter(2021, 1) < Q3
    assert sorted([Q3, Quarter(2020, 1), Quarter(2021, 1)]) == [Quarter(2020, 1), Quarter(2021, 1), Q3]


def test_year_to_date():
    assert Q3.year_to_date() == (Quarter(2021, 1), Quarter(2021, 2), Q3)
    assert Quarter(2021, 1).year_to_date() == (Quarter(2021, 1),)


@pytest.mark.parametrize(
    ("q", "text"),
    [(1, "quý I/2021"), (2, "6 tháng đầu năm 2021"), (3, "9 tháng đầu năm 2021"), (4, "năm 2021")],
)
def test_ytd_vn(q, text):
    assert Quarter(2021, q).ytd_vn == text


def test_quarter_range():
    assert quarter_range(Quarter(2020, 3), Quarter(2021, 2)) == [
        Quarter(2020, 3),
        Quarter(2020, 4),
        Quarter(2021, 1),
        Quarter(2021, 2),
    ]
    assert quarter_range(Q3, Q3) == [Q3]
    assert quarter_range(Q3, Quarter(2021, 1)) == []


# --- parse_period


@pytest.mark.parametrize(
    "text",
    [
        "Quý III/2021",
        "Quý 3 năm 2021",
        "QIII.2021",
        "Q3-2021",
        "III/2021",
        "quý III năm 2021",
        "BÁO CÁO QUÝ III NĂM 2021",
        "Kỳ báo cáo: Quý III/2021",
        "2021Q3",
        "2021q3",
        "2021-Q3",
        "2021_Q3",
        "Q3/2021",
        "quy 3 - 2021",
        "2021Q3_an_binh.xlsx",
        "BC quy 3-2021 huyen X.xlsx",
        "Q3.2021",
        "Quy III-2021",
        "QUY III/2021",
        "quý 03/2021",
        "Quí III/2021",
        "BÁO CÁO CÔNG TÁC QUÝ III VÀ 9 THÁNG ĐẦU NĂM 2021",
        "Năm 2021 Quý III",
        "data/raw/2021Q3/2021Q3_an_binh.xlsx",
        unicodedata.normalize("NFD", "Kỳ báo cáo: Quý III/2021"),
        "Quý\u00a0III/2021",
    ],
)
def test_parse_period_finds_q3_2021(text):
    assert parse_period(text) == Q3


def test_parse_period_q4_2020():
    assert parse_period("Quý IV/2020") == Quarter(2020, 4)
    assert parse_period("quy iv nam 2020") == Quarter(2020, 4)
    assert parse_period("Quý I/2021") == Quarter(2021, 1)
    assert parse_period("Quý II/2021") == Quarter(2021, 2)


@pytest.mark.parametrize(
    "text",
    [
        "14/9/2021",
        "15/06/2021",
        "năm 2021",
        "Năm 2021",
        "VIII/2021",
        "XIII/2021",
        "Quý V/2021",
        "Q5-2021",
        "Q0/2021",
        "Quý III/1999",
        "9/2021",
        "tháng 3/2021",
        "6 tháng đầu năm 2021",
        "Quyết định số 1/QĐ-UBND ngày 14/9/2021",
        "Q32021",
        "",
        "Báo cáo công tác",
    ],
)
def test_parse_period_rejects(text):
    assert parse_period(text) is None
    assert find_periods(text) == []


def test_two_different_quarters_are_ambiguous():
    text = "Quý III/2021 so với quý III/2020"
    assert parse_period(text) is None
    assert find_periods(text) == [Q3, Quarter(2020, 3)]


def test_same_quarter_twice_is_fine():
    assert parse_period("2021Q3/2021Q3_an_binh - Quý III/2021.xlsx") == Q3
    assert find_periods("2021Q3/2021Q3_an_binh - Quý III/2021.xlsx") == [Q3]


@given(quarters)
def test_quarter_round_trips(q):
    assert Quarter.parse(q.label) == q
    assert parse_period(q.vn) == q
    assert parse_period(q.vn_title) == q
    assert parse_period(q.label) == q
    assert parse_period(f"Báo cáo {q.vn_title.upper()} của huyện") == q


@given(st.text())
def test_parse_period_never_raises(text):
    found = find_periods(text)
    assert parse_period(text) == (found[0] if len(found) == 1 else None)


# --- cut-off dates


@pytest.mark.parametrize(
    ("q", "start", "end"),
    [
        (Q3, date(2021, 6, 15), date(2021, 9, 14)),
        (Quarter(2021, 1), date(2020, 12, 15), date(2021, 3, 14)),
        (Quarter(2021, 2), date(2021, 3, 15), date(2021, 6, 14)),
        (Quarter(2021, 4), date(2021, 9, 15), date(2021, 12, 14)),
    ],
)
def test_period_dates_default(q, start, end):
    assert period_dates(q) == (start, end)


def test_period_dates_tt03_2013():
    rule = CutoffRule(start_day=16, end_day=15)
    assert rule == CutoffRule.tt03_2013()
    assert period_dates(Quarter(2021, 1), rule) == (date(2020, 12, 16), date(2021, 3, 15))
    assert period_dates(Q3, rule) == (date(2021, 6, 16), date(2021, 9, 15))


def test_period_dates_calendar():
    rule = CutoffRule(start_day=1, end_day=0)
    assert rule == CutoffRule.calendar()
    assert period_dates(Quarter(2021, 1), rule) == (date(2021, 1, 1), date(2021, 3, 31))
    assert period_dates(Quarter(2021, 2), rule) == (date(2021, 4, 1), date(2021, 6, 30))
    assert period_dates(Q3, rule) == (date(2021, 7, 1), date(2021, 9, 30))
    assert period_dates(Quarter(2021, 4), rule) == (date(2021, 10, 1), date(2021, 12, 31))


def test_ytd_dates():
    assert ytd_dates(Q3) == (date(2020, 12, 15), date(2021, 9, 14))
    assert ytd_dates(Quarter(2021, 4)) == (date(2020, 12, 15), date(2021, 12, 14))


@pytest.mark.parametrize(("start_day", "end_day"), [(15, 15), (1, 14), (16, 0), (29, 28), (0, -1)])
def test_cutoff_rule_validates(start_day, end_day):
    with pytest.raises(ValueError):
        CutoffRule(start_day, end_day)


def test_cutoff_rule_vn():
    assert "ngày 14" in CutoffRule().vn
    assert "dương lịch" in CutoffRule.calendar().vn


@pytest.mark.parametrize(
    ("d", "q"),
    [
        (date(2021, 9, 14), Q3),
        (date(2021, 9, 15), Quarter(2021, 4)),
        (date(2021, 12, 20), Quarter(2022, 1)),
        (date(2021, 6, 15), Q3),
        (date(2021, 6, 14), Quarter(2021, 2)),
        (date(2021, 1, 1), Quarter(2021, 1)),
    ],
)
def test_quarter_for_date(d, q):
    assert quarter_for_date(d) == q


def test_quarter_for_date_calendar():
    assert quarter_for_date(date(2021, 9, 30), CutoffRule.calendar()) == Q3
    assert quarter_for_date(date(2021, 10, 1), CutoffRule.calendar()) == Quarter(2021, 4)


@pytest.mark.parametrize("rule", [CutoffRule(), CutoffRule.tt03_2013(), CutoffRule.calendar()])
@given(q=quarters)
def test_period_dates_consistent_with_quarter_for_date(rule, q):
    start, end = period_dates(q, rule)
    assert quarter_for_date(start, rule) == q
    assert quarter_for_date(end, rule) == q
    assert period_dates(q.next(), rule)[0] == date.fromordinal(end.toordinal() + 1)


# --- dates in text


@pytest.mark.parametrize(
    "text",
    [
        "20/9/2021",
        "20-09-2021",
        "20.9.2021",
        "ngày 20 tháng 9 năm 2021",
        "Ngày 20 tháng 09, năm 2021",
        "2021-09-20",
        "Ngày lập báo cáo: 20/09/2021",
        unicodedata.normalize("NFD", "ngày 20 tháng 9 năm 2021"),
    ],
)
def test_parse_date(text):
    assert parse_date(text) == date(2021, 9, 20)


def test_parse_date_signature_line():
    assert parse_date("An Bình, ngày 05 tháng 10 năm 2021") == date(2021, 10, 5)


@pytest.mark.parametrize("text", ["", "abc", "31/2/2021", "ngày 32 tháng 1 năm 2021", "13/13/2021", "1.234.567"])
def test_parse_date_none(text):
    assert parse_date(text) is None


def test_parse_date_accepts_date_objects():
    assert parse_date(date(2021, 9, 20)) == date(2021, 9, 20)
    assert parse_date(datetime(2021, 9, 20, 10, 30)) == date(2021, 9, 20)


def test_find_dates():
    assert find_dates("từ 15/6/2021 đến 14/9/2021") == [date(2021, 6, 15), date(2021, 9, 14)]


@pytest.mark.parametrize(
    "text",
    [
        "Số liệu tính từ ngày 15/6/2021 đến ngày 14/9/2021",
        "(Từ 15/6/2021 đến 14/9/2021)",
        "từ ngày 15 tháng 6 năm 2021 đến ngày 14 tháng 9 năm 2021",
        "Từ 15/06/2021 - 14/09/2021",
        "từ ngày 15/6 đến hết ngày 14/9/2021",
    ],
)
def test_parse_date_range(text):
    assert parse_date_range(text) == (date(2021, 6, 15), date(2021, 9, 14))


def test_parse_date_range_year_without_start_year():
    assert parse_date_range("từ ngày 15/12 đến ngày 14/3/2021") == (date(2020, 12, 15), date(2021, 3, 14))


@pytest.mark.parametrize("text", ["", "ngày 14/9/2021", "từ 14/9/2021 đến 15/6/2021", "14/9/2021 và 15/6/2021"])
def test_parse_date_range_none(text):
    assert parse_date_range(text) is None


def test_quarter_for_range():
    assert quarter_for_range(date(2021, 6, 15), date(2021, 9, 14), CutoffRule()) == Q3
    assert quarter_for_range(date(2021, 7, 1), date(2021, 9, 30), CutoffRule.calendar()) == Q3
    assert quarter_for_range(date(2021, 7, 1), date(2021, 9, 30), CutoffRule()) == Quarter(2021, 4)


def test_quarter_for_range_rejects_long_or_reversed():
    assert quarter_for_range(date(2020, 12, 15), date(2021, 9, 14), CutoffRule()) is None  # 9 months
    assert quarter_for_range(date(2021, 9, 14), date(2021, 6, 15), CutoffRule()) is None


@given(st.text())
def test_date_parsers_never_raise(text):
    parse_date(text)
    parse_date_range(text)
    find_dates(text)
