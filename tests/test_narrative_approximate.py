"""Figures as reports speak them ("trên 7.000"), a figure with its unit, and a rate with its pair."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.narrative.approximate import approximate, approximate_parts, figure, figure_number
from analysis.narrative.wording import rate_text
from tests.narrative_quarter import fixture_templates

NAN = np.nan
PHRASES = fixture_templates().phrases  # rate "{numerator}/{denominator} {unit} = {rate}", missing_value "?"


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
        (455, "trên 450"),  # 400 < 409,5 = 90%; 450 is
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


@pytest.mark.parametrize(
    ("value", "unit", "exact", "expected"),
    [
        (0, "lượt", True, "0 lượt"),
        (0, "lượt", False, "0 lượt"),
        (999, "lượt", True, "999 lượt"),
        (999, "lượt", False, "trên 900 lượt"),
        (1000, "lượt", False, "1.000 lượt"),
        (7049, "lượt", True, "7.049 lượt"),
        (7049, "lượt", False, "trên 7.000 lượt"),
        (20480, "trường hợp", False, "trên 20 nghìn trường hợp"),
        (2731.2, "triệu đồng", True, "2.731,2 triệu đồng"),
        (2731.2, "triệu đồng", False, "trên 2,5 tỷ đồng"),  # 2.500 ≥ 90% of 2.731,2; in tỷ from a thousand million
        (1442.5, "triệu đồng", False, "trên 1,4 tỷ đồng"),
        (12345, "triệu đồng", False, "trên 12 tỷ đồng"),  # not "trên 12 nghìn triệu đồng"
        (3000, "triệu đồng", False, "3 tỷ đồng"),
        (950, "triệu đồng", False, "trên 900 triệu đồng"),  # below a thousand million: in triệu
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
    assert figure_number(float("nan"), missing="?") == "?"


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (238, 316, "238/316 vụ việc = 75,3%"),  # 238 / 316 = 75,316 %
        (1407, 1407, "1.407/1.407 vụ việc = 100,0%"),
        (0, 5, "0/5 vụ việc = 0,0%"),
        (0, 0, "0/0 vụ việc = không tính"),
        (NAN, 10, "?"),
        (3, None, "?"),
    ],
)
def test_rate_text(num, den, expected) -> None:
    assert rate_text(num, den, "vụ việc", phrases=PHRASES) == expected
