from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.catalogue.rules import Expression, Rule, check_rules, parse_expression, rule_codes


def _rule(left: str, operator: str, right: str, missing: str = "skip_if_any_missing") -> Rule:
    return Rule(
        code="T-R1",
        name="Quy tắc thử",
        left=left,
        operator=operator,
        right=right,
        missing=missing,
        severity="error",
    )


def _violated(values: dict, left: str, operator: str, right: str, missing: str = "skip_if_any_missing") -> bool:
    return bool(check_rules(values, [_rule(left, operator, right, missing)]))


# ------------------------------------------------------------------------------ parsing


def test_parse_sum_of_codes() -> None:
    expression = parse_expression("TCD04 + TCD13 + TCD22")
    assert expression.terms == ((1, "TCD04"), (1, "TCD13"), (1, "TCD22"))
    assert expression.codes == ("TCD04", "TCD13", "TCD22")


def test_parse_difference_constants_and_spacing() -> None:
    assert parse_expression("XLD01-XLD02").terms == ((1, "XLD01"), (-1, "XLD02"))
    assert parse_expression("0").terms == ((1, 0.0),)
    assert parse_expression("0").codes == ()
    assert parse_expression(" -PCTN01 + 2.5 ").terms == ((-1, "PCTN01"), (1, 2.5))
    assert parse_expression("GQ01 + GQ01").codes == ("GQ01",)


def test_parse_is_cached() -> None:
    assert parse_expression("TCD01 + TCD02") is parse_expression("TCD01 + TCD02")


@pytest.mark.parametrize(
    "text",
    [
        "TCD01 * 2",
        "__import__('os')",
        "",
        "   ",
        "TCD01 +",
        "TCD01 TCD02",
        "+ - TCD01",
        "tcd01",
        "(TCD01)",
        "TCD01 / TCD02",
        "1e3",
        "TCD01 + 1,5",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_expression(text)


def test_expression_text() -> None:
    assert str(parse_expression("TCD04+TCD13 -TCD22")) == "TCD04 + TCD13 - TCD22"
    assert str(parse_expression("-VP01 + 1234.5 - 0")) == "-VP01 + 1234.5 - 0"


_OPERANDS = st.one_of(
    st.sampled_from(["AB01", "CD12", "XLD05"]),
    st.integers(0, 10**9).map(float),
    st.decimals(0, 10**6, places=3).map(float),
)


@given(st.lists(st.tuples(st.sampled_from([1, -1]), _OPERANDS), min_size=1))
def test_text_round_trip(terms: list[tuple[int, str | float]]) -> None:
    expression = Expression(tuple(terms))
    assert parse_expression(str(expression)) == expression


def test_rule_codes_left_side_first() -> None:
    rule = _rule("TCD01", "equal_to", "TCD04 + TCD13 + TCD01")
    assert rule_codes(rule) == ("TCD01", "TCD04", "TCD13")


# ------------------------------------------------------------------------------ missing values


def test_evaluate_strategies() -> None:
    expression = parse_expression("A01 + A02 - A03")
    full = {"A01": 10, "A02": 5, "A03": 3}
    partial = {"A01": 10, "A02": None, "A03": math.nan}
    for strategy in ("skip_if_any_missing", "skip_if_all_missing", "never_skip"):
        assert expression.evaluate(full, strategy) == 12
    assert expression.evaluate(partial, "skip_if_any_missing") is None
    assert expression.evaluate(partial, "skip_if_all_missing") == 10
    assert expression.evaluate(partial, "never_skip") == 10
    assert expression.evaluate({}, "skip_if_all_missing") is None
    assert expression.evaluate({}, "never_skip") == 0
    with pytest.raises(ValueError):
        expression.evaluate(full, "skip")


def test_skip_if_any_missing() -> None:
    assert not _violated({"A01": 10, "A02": 4}, "A01", "equal_to", "A02 + A03")
    assert _violated({"A01": 10, "A02": 4, "A03": 5}, "A01", "equal_to", "A02 + A03")
    assert not _violated({"A02": 4, "A03": 5}, "A01", "equal_to", "A02 + A03")


def test_skip_if_all_missing() -> None:
    strategy = "skip_if_all_missing"
    assert _violated({"A01": 10, "A02": 4}, "A01", "equal_to", "A02 + A03", strategy)
    assert not _violated({"A01": 4, "A02": 4}, "A01", "equal_to", "A02 + A03", strategy)
    assert not _violated({"A01": 10}, "A01", "equal_to", "A02 + A03", strategy)
    assert not _violated({"A02": 4}, "A01", "equal_to", "A02 + A03", strategy)


def test_never_skip_counts_missing_as_zero() -> None:
    strategy = "never_skip"
    assert _violated({"A02": 4}, "A01", "equal_to", "A02 + A03", strategy)
    assert not _violated({}, "A01", "equal_to", "A02 + A03", strategy)
    assert _violated({"A01": 3}, "A01", "less_than_or_equal_to", "A02", strategy)


def test_nan_and_none_are_missing() -> None:
    assert not _violated({"A01": math.nan, "A02": 5}, "A01", "equal_to", "A02")
    assert not _violated({"A01": None, "A02": 5}, "A01", "equal_to", "A02")


# ------------------------------------------------------------------------------ operators


@pytest.mark.parametrize(
    ("operator", "holds", "breaks"),
    [
        ("equal_to", (5, 5), (5, 6)),
        ("not_equal_to", (5, 6), (5, 5)),
        ("less_than", (4, 5), (5, 5)),
        ("less_than_or_equal_to", (5, 5), (6, 5)),
        ("greater_than", (6, 5), (5, 5)),
        ("greater_than_or_equal_to", (5, 5), (4, 5)),
    ],
)
def test_comparison_operators(operator: str, holds: tuple[int, int], breaks: tuple[int, int]) -> None:
    assert not _violated({"A01": holds[0], "A02": holds[1]}, "A01", operator, "A02")
    assert _violated({"A01": breaks[0], "A02": breaks[1]}, "A01", operator, "A02")


def test_less_than_or_equal_to_strict_case() -> None:
    assert not _violated({"A01": 4, "A02": 5}, "A01", "less_than_or_equal_to", "A02")


def test_float_tolerance() -> None:
    assert not _violated({"A01": 0.3, "A02": 0.1, "A03": 0.2}, "A01", "equal_to", "A02 + A03")
    assert not _violated({"A01": 0.3, "A02": 0.1, "A03": 0.2}, "A01", "greater_than_or_equal_to", "A02 + A03")
    assert _violated({"A01": 0.3, "A02": 0.1, "A03": 0.2}, "A01", "greater_than", "A02 + A03")
    assert _violated({"A01": 1_000_000, "A02": 1_000_010}, "A01", "equal_to", "A02")


def test_constant_side() -> None:
    assert _violated({"A01": -1}, "A01", "greater_than_or_equal_to", "0")
    assert not _violated({"A01": 0}, "A01", "greater_than_or_equal_to", "0")


def test_compulsory_pair() -> None:
    left, right = "A01 + A02", "A03"
    assert not _violated({}, left, "compulsory_pair", right, "never_skip")
    assert not _violated({"A01": 2, "A03": 1.5}, left, "compulsory_pair", right, "never_skip")
    assert _violated({"A02": 2}, left, "compulsory_pair", right, "never_skip")
    assert _violated({"A03": 1.5, "A01": math.nan}, left, "compulsory_pair", right, "never_skip")
    assert not _violated({"A01": 0, "A03": 0}, left, "compulsory_pair", right, "skip_if_any_missing")


def test_exclusive_pair() -> None:
    assert not _violated({}, "A01", "exclusive_pair", "A02", "never_skip")
    assert not _violated({"A01": 1}, "A01", "exclusive_pair", "A02", "never_skip")
    assert not _violated({"A02": 1}, "A01", "exclusive_pair", "A02", "never_skip")
    assert _violated({"A01": 1, "A02": 0}, "A01", "exclusive_pair", "A02", "never_skip")


def test_unknown_operator() -> None:
    with pytest.raises(ValueError):
        check_rules({"A01": 1, "A02": 1}, [_rule("A01", "about_equal", "A02")])


# ------------------------------------------------------------------------------ violations and messages


def test_violation_message_and_values() -> None:
    rule = Rule(
        code="TCD-R1",
        name="Tổng lượt tiếp bằng tổng lượt tiếp thường xuyên, thủ trưởng tiếp và ủy quyền tiếp",
        left="TCD01",
        operator="equal_to",
        right="TCD04 + TCD13 + TCD22",
        missing="skip_if_any_missing",
        severity="error",
    )
    values = {"TCD01": 1234, "TCD04": 1000, "TCD13": 200, "TCD22": 32.5}
    [violation] = check_rules(values, [rule])
    assert violation.rule is rule
    assert violation.left_value == 1234 and violation.right_value == 1232.5
    assert violation.message == (
        "Tổng lượt tiếp bằng tổng lượt tiếp thường xuyên, thủ trưởng tiếp và ủy quyền tiếp: "
        "TCD01 = 1.234 nhưng TCD04 + TCD13 + TCD22 = 1.232,5"
    )


def test_compulsory_pair_message_names_the_empty_side() -> None:
    [violation] = check_rules({"VP04": 12500}, [_rule("VP04", "compulsory_pair", "VP06", "never_skip")])
    assert violation.message == "Quy tắc thử: có VP04 = 12.500 nhưng VP06 để trống"
    assert violation.right_value is None


def test_violations_keep_rule_order() -> None:
    rules = [
        Rule("R-2", "Hai", "A01", "less_than", "A02"),
        Rule("R-1", "Một", "A01", "equal_to", "A02"),
        Rule("R-3", "Ba", "A01", "greater_than_or_equal_to", "A02"),
    ]
    violations = check_rules({"A01": 7, "A02": 5}, rules)
    assert [violation.rule.code for violation in violations] == ["R-2", "R-1"]
