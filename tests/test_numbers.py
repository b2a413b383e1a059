from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.numbers import STATUSES, ParsedValue, parse_cell


def format_vn(n: int) -> str:
    """Vietnamese thousands grouping with dots: 1234567 → "1.234.567"."""
    sign = "-" if n < 0 else ""
    digits = str(abs(n))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + ".".join(groups)


def test_format_vn_helper():
    assert format_vn(0) == "0"
    assert format_vn(999) == "999"
    assert format_vn(1234567) == "1.234.567"
    assert format_vn(-7000) == "-7.000"


# --- native cells


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (7000, 7000.0),
        (7000.0, 7000.0),
        (12.5, 12.5),
        (0, 0.0),
        (-3, -3.0),
        (7000.000000001, 7000.0),
        (0.1 + 0.2, 0.3),
    ],
)
def test_native_numbers(raw, value):
    assert parse_cell(raw) == ParsedValue(value, False, "number")


def test_native_number_keeps_large_integers():
    assert parse_cell(1234567890123.0).value == 1234567890123.0


@pytest.mark.parametrize("raw", [True, False])
def test_bool_is_invalid(raw):
    p = parse_cell(raw)
    assert (p.value, p.status) == (None, "invalid")
    assert p.note


@pytest.mark.parametrize("raw", [date(2021, 9, 14), datetime(2021, 9, 14, 8, 0), time(7, 0), timedelta(days=2)])
def test_dates_are_invalid_with_note(raw):
    p = parse_cell(raw)
    assert (p.value, p.status) == (None, "invalid")
    assert "ngày" in p.note


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", "\t\n", float("nan")])
def test_blank(raw):
    assert parse_cell(raw) == ParsedValue(None, False, "blank")


def test_infinite_is_invalid():
    assert parse_cell(float("inf")).status == "invalid"


# --- text numbers


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("7.000", 7000.0),
        ("1.234.567", 1234567.0),
        ("1.234,5", 1234.5),
        ("12,5", 12.5),
        ("7 000", 7000.0),
        ("7\u00a0000", 7000.0),
        ("1 234 567", 1234567.0),
        ("+5", 5.0),
        ("-5", -5.0),
        ("0", 0.0),
        ("42", 42.0),
        (" 42 ", 42.0),
        ("0,5", 0.5),
    ],
)
def test_text_numbers(raw, value):
    p = parse_cell(raw)
    assert (p.value, p.approx, p.status) == (value, False, "text_number")


@pytest.mark.parametrize(("raw", "value"), [("7.000 lượt", 7000.0), ("50 cơ sở", 50.0), ("12 vụ việc", 12.0)])
def test_trailing_unit_word_ignored_with_note(raw, value):
    p = parse_cell(raw)
    assert (p.value, p.status) == (value, "text_number")
    assert "đơn vị" in p.note


def test_percent_dropped_with_note():
    p = parse_cell("12,5%")
    assert (p.value, p.status) == (12.5, "text_number")
    assert "%" in p.note


def test_comma_is_decimal_by_default():
    p = parse_cell("1,234")
    assert p.value == pytest.approx(1.234)
    assert "thập phân" in p.note


def test_comma_groups_thousands_for_integer_units():
    p = parse_cell("1,234", integer_unit=True)
    assert p.value == 1234.0
    assert "nghìn" in p.note
    assert parse_cell("12,5", integer_unit=True).value == 12.5


def test_several_commas_are_thousands():
    assert parse_cell("1,234,567").value == 1234567.0


def test_dot_with_three_digits_is_always_thousands():
    assert parse_cell("7.000").value == 7000.0
    assert parse_cell("7.000", integer_unit=True).value == 7000.0


def test_dot_without_three_digits_is_english_decimal():
    p = parse_cell("1.5")
    assert p.value == 1.5
    assert "thập phân" in p.note
    assert parse_cell("12.75").value == 12.75


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("trên 600", 600.0),
        ("hơn 600", 600.0),
        ("khoảng 50", 50.0),
        ("gần 30", 30.0),
        ("xấp xỉ 50", 50.0),
        ("ước 600", 600.0),
        ("ước tính 600", 600.0),
        ("600 (ước)", 600.0),
        ("600 (ước tính)", 600.0),
        ("~50", 50.0),
        ("≈50", 50.0),
        ("600+", 600.0),
        ("trên 20 nghìn", 20000.0),
        ("Trên 7.000 lượt", 7000.0),
        ("tren 600", 600.0),
    ],
)
def test_qualifiers_mark_approx(raw, value):
    p = parse_cell(raw)
    assert (p.value, p.approx, p.status) == (value, True, "text_number")


@pytest.mark.parametrize(("raw", "value"), [("20 nghìn", 20000.0), ("20 ngàn", 20000.0), ("1,5 nghìn", 1500.0)])
def test_thousand_word_multiplies_without_approx(raw, value):
    p = parse_cell(raw)
    assert (p.value, p.approx) == (value, False)


# --- zero and missing


@pytest.mark.parametrize("raw", ["-", "–", "—", "--", " - "])
def test_dash_is_zero(raw):
    p = parse_cell(raw)
    assert (p.value, p.status) == (0.0, "zero_dash")
    assert "không phát sinh" in p.note


@pytest.mark.parametrize("raw", ["không", "Không", "không có", "Không có", "ko", "k", "KHÔNG"])
def test_zero_words(raw):
    p = parse_cell(raw)
    assert (p.value, p.status) == (0.0, "zero_word")
    assert p.note


@pytest.mark.parametrize(
    "raw",
    ["x", "X", "...", "…", "n/a", "N/A", "chưa có", "chưa có số liệu", "Không có số liệu", "kcs", "KCS"],
)
def test_not_available(raw):
    p = parse_cell(raw)
    assert (p.value, p.status) == (None, "not_available")
    assert p.note


@pytest.mark.parametrize("raw", ["abc", "12a3", "1.2.3,4,5", "1.23.4", "12 5", "5 vụ/12 người", "trên", "#REF!"])
def test_invalid_text(raw):
    p = parse_cell(raw)
    assert (p.value, p.status) == (None, "invalid")
    assert raw in p.note


def test_negative_is_a_number():
    assert parse_cell("-5") == ParsedValue(-5.0, False, "text_number")


# --- properties

cells = st.one_of(st.none(), st.floats(), st.integers(), st.text(), st.booleans())


@given(cells, st.booleans())
def test_parse_cell_never_raises(raw, integer_unit):
    p = parse_cell(raw, integer_unit=integer_unit)
    assert p.status in STATUSES
    assert p.value is None or math.isfinite(p.value)
    if p.status in ("blank", "not_available", "invalid"):
        assert p.value is None
    else:
        assert p.value is not None


@given(st.text(), st.booleans())
def test_parse_cell_never_raises_on_text(raw, integer_unit):
    assert parse_cell(raw, integer_unit).status in STATUSES


@given(st.integers(min_value=-(10**15), max_value=10**15), st.booleans())
def test_vietnamese_integers_round_trip(n, integer_unit):
    p = parse_cell(format_vn(n), integer_unit=integer_unit)
    assert p.value == float(n)
    assert not p.approx


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_vietnamese_decimals_round_trip(n, cents):
    text = f"{format_vn(n)},{cents:02d}"
    assert parse_cell(text).value == pytest.approx(n + cents / 100)
