"""Vietnamese number formatting: dot groups thousands, comma is the decimal mark, "—" for a missing figure.

Every expected string below is written by hand from the Vietnamese convention (7.000; 1.234,5; 12,5%), not copied
from the functions' output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.core.vnformat import MISSING_TEXT, auto, change_words, number, percent, with_unit

NAN = float("nan")

# ---------------------------------------------------------------------------------------------- number


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0, "0"),
        (1, "1"),
        (999, "999"),  # below a thousand: no separator
        (1000, "1.000"),  # the first thousands group
        (7049, "7.049"),
        (20480, "20.480"),
        (1234567, "1.234.567"),  # two groups
        (-1234, "-1.234"),  # the minus sign goes before the grouped digits
        (-12, "-12"),
        (7049.0, "7.049"),  # a float that is whole prints like the int
        (np.int64(7049), "7.049"),  # numpy scalars, as they come out of pandas
        (np.float64(20480.0), "20.480"),
    ],
)
def test_number_groups_thousands_with_dots(x, expected: str) -> None:
    assert number(x) == expected


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),  # dot groups thousands, comma before the decimals
        (0.5, 1, "0,5"),
        (-1234.5, 1, "-1.234,5"),
        (1234567.25, 2, "1.234.567,25"),
        (7, 1, "7,0"),  # a fixed number of decimals is kept even for a whole number
        (12.34, 1, "12,3"),  # 12.34 → 12.3 (the 4 rounds down)
    ],
)
def test_number_with_decimals_uses_a_decimal_comma(x, decimals: int, expected: str) -> None:
    assert number(x, decimals) == expected


@pytest.mark.parametrize(("x", "decimals"), [(-0.04, 1), (-0.0, 0), (-0.4, 0), (-0.004, 2)])
def test_number_never_prints_minus_zero(x: float, decimals: int) -> None:
    # -0.04 rounded to one decimal is 0.0: "0,0", not "-0,0"; -0.4 rounded to a whole number is 0: "0", not "-0".
    expected = "0" if decimals == 0 else "0," + "0" * decimals
    assert number(x, decimals) == expected


@pytest.mark.parametrize("x", [None, NAN, np.nan, np.float64("nan")])
def test_number_missing_is_a_dash(x) -> None:
    assert number(x) == "—"
    assert number(x) == MISSING_TEXT
    assert number(x, 1) == "—"


def test_number_missing_text_can_be_chosen() -> None:
    assert number(None, missing="") == ""
    assert number(NAN, missing="x") == "x"


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (0.5, 0, "1"),  # half rounds up, as in Excel's ROUND and in school arithmetic
        (2.5, 0, "3"),  # Python's round(2.5) is 2 (banker's rounding)
        (-2.5, 0, "-3"),  # away from zero for negatives
        (1234.25, 1, "1.234,3"),  # 1234.25 is exact in binary, so this is a true tie
    ],
)
def test_number_rounds_half_away_from_zero_like_excel(x: float, decimals: int, expected: str) -> None:
    assert number(x, decimals) == expected


# ------------------------------------------------------------------------------------------------ auto


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0, "0"),
        (7048, "7.048"),  # whole: no decimals
        (7048.0, "7.048"),  # whole float: no decimals either
        (305.6, "305,6"),  # not whole: one decimal
        (1234.5, "1.234,5"),
        (-1234.5, "-1.234,5"),
        (2.04, "2,0"),  # not whole: one decimal, even when that decimal is 0
        (None, "—"),
        (NAN, "—"),
    ],
)
def test_auto_whole_numbers_without_decimals_others_with_one(x, expected: str) -> None:
    assert auto(x) == expected


# --------------------------------------------------------------------------------------------- percent


@pytest.mark.parametrize(
    ("x", "kwargs", "expected"),
    [
        (12.5, {}, "12,5%"),
        (12.5, {"sign": True}, "+12,5%"),
        (-3.2, {"sign": True}, "-3,2%"),  # a negative keeps its own minus, no "+"
        (75.3, {}, "75,3%"),
        (100, {}, "100,0%"),  # one decimal by default
        (1234.5, {}, "1.234,5%"),  # grouped like any number
        (89.2157, {"decimals": 2}, "89,22%"),
        (33.3333, {"decimals": 0}, "33%"),
        (0, {"sign": True}, "0,0%"),  # zero gets no sign
        (0.04, {"sign": True}, "0,0%"),  # rounds to 0,0: no "+0,0%"
        (-0.04, {"sign": True}, "0,0%"),  # rounds to 0,0: no "-0,0%"
        (None, {}, "—"),
        (NAN, {"sign": True}, "—"),
    ],
)
def test_percent(x, kwargs: dict, expected: str) -> None:
    assert percent(x, **kwargs) == expected


# ---------------------------------------------------------------------------------------- change_words


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (9.3, "tăng 9,3%"),
        (-0.4, "giảm 0,4%"),  # the word carries the direction, the number has no minus
        (-25, "giảm 25,0%"),
        (150, "tăng 150,0%"),
        (1234.5, "tăng 1.234,5%"),
        (0, "không thay đổi"),
        (0.0, "không thay đổi"),
        (0.04, "tương đương"),  # not zero, but 0,0% once rounded: neither "tăng 0,0%" nor "không thay đổi"
        (-0.04, "tương đương"),
        (NAN, "không so sánh được"),  # e.g. the base was 0 or missing
        (None, "không so sánh được"),
    ],
)
def test_change_words(pct, expected: str) -> None:
    assert change_words(pct) == expected


def test_change_words_decimals() -> None:
    # 9.347 with two decimals → 9,35; with none → 9
    assert change_words(9.347, decimals=2) == "tăng 9,35%"
    assert change_words(-9.347, decimals=0) == "giảm 9%"


# ------------------------------------------------------------------------------------------- with_unit


@pytest.mark.parametrize(
    ("x", "unit", "expected"),
    [
        (7048, "lượt", "7.048 lượt"),
        (20480, "người", "20.480 người"),
        (305.6, "triệu đồng", "305,6 triệu đồng"),
        (0, "vụ", "0 vụ"),
        (75.3, "%", "75,3%"),  # a rate keeps its % sign, no space
        (89.2157, "%", "89,2%"),
        (None, "%", "—"),
    ],
)
def test_with_unit(x, unit: str, expected: str) -> None:
    assert with_unit(x, unit) == expected


def test_with_unit_missing_count_is_a_bare_dash() -> None:
    assert with_unit(None, "lượt") == "—"
    assert with_unit(math.nan, "người") == "—"
