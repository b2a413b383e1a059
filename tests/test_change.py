"""How a change is said (analysis.compare.change): the kind and its amounts, hand-checked case by case."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.compare.change import KINDS, Change, cells, changes, describe
from analysis.compare.comparisons import compare
from analysis.core.periods import Quarter

NAN = math.nan


@pytest.mark.parametrize(
    ("status", "value", "base", "unit", "multiple", "expected"),
    [
        # 7.048 vs 6.473: +575 / 6.473 = +8,883%
        ("increase", 7048, 6473, "lượt", 100, Change("increase", pct="8,9%")),
        # 900 vs 1.000: −10%
        ("decrease", 900, 1000, "lượt", 100, Change("decrease", pct="10,0%")),
        # a rate 60,0% → 62,4%: 2,4 percentage points (not +4,0%)
        ("increase", 62.4, 60.0, "%", 100, Change("increase_points", points="2,4")),
        ("decrease", 70.0, 75.3, "%", 100, Change("decrease_points", points="5,3")),
        # a rate up from 0%: points, never "new"
        ("new", 5.0, 0.0, "%", 100, Change("increase_points", points="5,0")),
        # 100 → 640: +540% ≥ 100%: ×6,4
        ("increase", 640, 100, "lượt", 100, Change("increase_multiple", times="6,4")),
        ("increase", 200, 100, "lượt", 100, Change("increase_multiple", times="2")),  # +100% exactly; ",0" dropped
        ("increase", 50, 8, "cơ sở", 100, Change("increase_multiple", times="6,3")),  # 6,25 rounds half up
        ("increase", 199, 100, "lượt", 100, Change("increase", pct="99,0%")),  # below the threshold
        ("increase", 640, 100, "lượt", None, Change("increase", pct="540,0%")),  # no multiples at all
        ("increase", 640, 100, "lượt", 600, Change("increase", pct="540,0%")),
        # 10.004 vs 10.000: +0,04% rounds to 0,0
        ("increase", 10004, 10000, "lượt", 100, Change("about_same")),
        ("decrease", 60.0, 60.04, "%", 100, Change("about_same")),  # −0,04 points
        ("unchanged", 900, 900, "lượt", 100, Change("unchanged")),
        ("new", 5, 0, "lượt", 100, Change("new")),  # 0 → 5
        ("decrease", -3, 0, "triệu đồng", 100, Change("new")),  # from 0: nothing to divide by
        ("no_base", 604, NAN, "người", 100, Change("no_base")),
        ("no_data", NAN, 95, "người", 100, Change("no_data")),
    ],
)
def test_describe(status, value, base, unit, multiple, expected) -> None:
    change = value - base
    pct = change / base * 100 if base else NAN
    assert describe(status, pct, change, unit, value, base, multiple) == expected


def test_the_multiple_threshold_defaults_to_one_hundred_percent() -> None:
    assert describe("increase", 540.0, 540, "lượt", 640, 100).kind == "increase_multiple"


def test_every_kind_is_listed() -> None:
    assert len(KINDS) == len(set(KINDS)) == 13
    listed = {"increase_points", "increase_multiple", "about_same", "no_base", "not_comparable", "form_changed"}
    assert listed | {"incomplete"} <= set(KINDS)


def test_say_fills_the_words_of_the_kind() -> None:
    words = {"increase": "tăng {pct} so với {base}", "increase_points": "tăng {points} điểm %", "new": "mới phát sinh"}
    assert Change("increase", pct="8,9%").say(words, base="quý II/2021") == "tăng 8,9% so với quý II/2021"
    assert Change("increase_points", points="2,4").say(words) == "tăng 2,4 điểm %"
    assert Change("new").say(words, base="quý II/2021") == "mới phát sinh"
    assert Change("increase", pct="8,9%").amounts() == {"pct": "8,9%", "points": "", "times": "", "since": ""}
    since = describe("not_comparable", None, None, "lượt", since="1/7/2025")
    assert since == Change("not_comparable", since="1/7/2025")


CELL_WORDS = {
    "increase": "tăng {pct}",
    "decrease": "giảm {pct}",
    "increase_points": "tăng {points} điểm %",
    "decrease_points": "giảm {points} điểm %",
    "increase_multiple": "gấp {times} lần",
    "about_same": "tương đương",
    "unchanged": "không thay đổi",
    "new": "mới phát sinh",
    "no_base": "không có số liệu kỳ so sánh",
    "no_data": "không có số liệu",
}


def test_cells_of_a_comparison_frame() -> None:
    """A table column: compare()'s columns in, one cell of words per row out."""
    rows = [
        ("2021Q3", "A", 7048.0),
        ("2021Q2", "A", 6473.0),  # +8,9%
        ("2021Q3", "R", 62.4),
        ("2021Q2", "R", 60.0),  # a rate: +2,4 points
        ("2021Q3", "B", 640.0),
        ("2021Q2", "B", 100.0),  # +540%: a table keeps the percent
        ("2021Q3", "C", 5.0),
        ("2021Q2", "C", 0.0),  # from 0
        ("2021Q3", "D", 3.0),  # nothing in 2021Q2
    ]
    table = pd.DataFrame(rows, columns=["period", "indicator", "value"])
    cmp = compare(table, Quarter(2021, 3)).set_index("indicator").loc[["A", "R", "B", "C", "D"]]
    units = pd.Series(["lượt", "%", "lượt", "lượt", "lượt"], index=cmp.index)
    said = cells(cmp, "previous", units, CELL_WORDS)
    assert list(said) == ["tăng 8,9%", "tăng 2,4 điểm %", "tăng 540,0%", "mới phát sinh", "không có số liệu kỳ so sánh"]
    assert list(said.index) == list(cmp.index)
    assert cells(cmp, "previous", units, CELL_WORDS, multiple_from_pct=100)["B"] == "gấp 6,4 lần"
    assert list(changes(cmp, "last_year", "lượt").map(lambda c: c.kind)) == ["no_base"] * 5
