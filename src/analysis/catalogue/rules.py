"""DHIS2-style validation rules: the `Rule` itself, expression parsing and evaluation on one submission's values.

An expression is a sum of signed terms, each an indicator code or a numeric constant
(``"TCD04 + TCD13 + TCD22"``, ``"XLD01 - XLD02"``, ``"0"``). Expressions are parsed by a tiny
tokenizer, never by ``eval``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

OPERATORS: tuple[str, ...] = (
    "equal_to",
    "not_equal_to",
    "less_than",
    "less_than_or_equal_to",
    "greater_than",
    "greater_than_or_equal_to",
    "compulsory_pair",
    "exclusive_pair",
)
PAIR_OPERATORS: frozenset[str] = frozenset({"compulsory_pair", "exclusive_pair"})
MISSING_STRATEGIES: tuple[str, ...] = ("skip_if_any_missing", "skip_if_all_missing", "never_skip")
SEVERITIES: tuple[str, ...] = ("error", "warning")

_TOLERANCE = 1e-6
_TOKEN = re.compile(r"\s*(?:(?P<code>[A-Z]+[0-9]+)|(?P<number>[0-9]+(?:\.[0-9]+)?)|(?P<sign>[+-]))")

Term = tuple[int, str | float]


@dataclass(frozen=True)
class Rule:
    """A validation rule: ``left operator right`` with a missing-value strategy."""

    code: str
    name: str
    left: str
    operator: str
    right: str
    missing: str = "skip_if_any_missing"
    severity: str = "error"


@dataclass(frozen=True)
class Expression:
    """A parsed expression: signed terms, each an indicator code or a numeric constant."""

    terms: tuple[Term, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """Indicator codes referenced, in order of first appearance."""
        return tuple(dict.fromkeys(operand for _, operand in self.terms if isinstance(operand, str)))

    def evaluate(self, values: Mapping[str, float | None], missing: str) -> float | None:
        """Sum of the terms, or None when this side must be skipped under the missing strategy."""
        if missing not in MISSING_STRATEGIES:
            raise ValueError(f"Cách xử lý số liệu thiếu không hợp lệ: {missing!r}")
        resolved = [(sign, operand, _operand_value(values, operand)) for sign, operand in self.terms]
        code_values = [value for _, operand, value in resolved if isinstance(operand, str)]
        absent = sum(value is None for value in code_values)
        if missing == "skip_if_any_missing" and absent:
            return None
        if missing == "skip_if_all_missing" and code_values and absent == len(code_values):
            return None
        return float(sum(sign * (value or 0.0) for sign, _, value in resolved))

    def has_values(self, values: Mapping[str, float | None]) -> bool:
        """True when at least one referenced code has a value (or the expression is constant)."""
        if not self.codes:
            return True
        return any(lookup_value(values, code) is not None for code in self.codes)

    def __str__(self) -> str:
        """Canonical text that parses back to the same expression: ``"TCD04 + TCD13 - 2"``."""
        parts: list[str] = []
        for position, (sign, operand) in enumerate(self.terms):
            text = operand if isinstance(operand, str) else _constant_text(operand)
            if position == 0:
                parts.append(text if sign > 0 else f"-{text}")
            else:
                parts.append(f"{'+' if sign > 0 else '-'} {text}")
        return " ".join(parts)


@dataclass(frozen=True)
class RuleViolation:
    """One rule that a submission's values break, with a Vietnamese message."""

    rule: Rule
    left_value: float | None
    right_value: float | None
    message: str


def lookup_value(values: Mapping[str, float | None], code: str) -> float | None:
    """The value of ``code`` as a float, or None when absent, None, NaN or not a number."""
    raw = values.get(code)
    if raw is None:
        return None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _operand_value(values: Mapping[str, float | None], operand: str | float) -> float | None:
    return lookup_value(values, operand) if isinstance(operand, str) else float(operand)


def _tokenize(text: str) -> list[tuple[str, str]]:
    """Split an expression into (kind, text) tokens; raise ValueError on any other character."""
    tokens: list[tuple[str, str]] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None:
            bad = stripped[position:].lstrip()[:1]
            raise ValueError(f"Biểu thức {text!r}: ký tự không hợp lệ {bad!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


@functools.cache
def parse_expression(text: str) -> Expression:
    """Parse ``"TCD04 + TCD13 - 2"`` into an Expression; raise ValueError on anything else."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"Biểu thức rỗng hoặc không phải chuỗi: {text!r}")
    terms: list[Term] = []
    sign, state = 1, "start"  # state: start | after_sign | after_operand
    for kind, token in _tokenize(text):
        if kind == "sign":
            if state == "after_sign":
                raise ValueError(f"Biểu thức {text!r}: hai dấu liền nhau")
            sign, state = (1 if token == "+" else -1), "after_sign"
            continue
        if state == "after_operand":
            raise ValueError(f"Biểu thức {text!r}: thiếu dấu + hoặc - trước {token!r}")
        terms.append((sign, token if kind == "code" else float(token)))
        sign, state = 1, "after_operand"
    if state != "after_operand":
        raise ValueError(f"Biểu thức {text!r}: kết thúc bằng dấu, thiếu số hạng")
    return Expression(tuple(terms))


def rule_codes(rule: Rule) -> tuple[str, ...]:
    """All indicator codes a rule references, left side first, without repeats."""
    codes = parse_expression(rule.left).codes + parse_expression(rule.right).codes
    return tuple(dict.fromkeys(codes))


def _close(left: float, right: float) -> bool:
    return math.isclose(left, right, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE)


_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "equal_to": _close,
    "not_equal_to": lambda a, b: not _close(a, b),
    "less_than": lambda a, b: a < b and not _close(a, b),
    "less_than_or_equal_to": lambda a, b: a < b or _close(a, b),
    "greater_than": lambda a, b: a > b and not _close(a, b),
    "greater_than_or_equal_to": lambda a, b: a > b or _close(a, b),
}


def check_rules(values: Mapping[str, float | None], rules: Iterable[Rule]) -> list[RuleViolation]:
    """Evaluate each rule on one submission's values; return the violations in rule order."""
    violations = (check_rule(values, rule) for rule in rules)
    return [violation for violation in violations if violation is not None]


def check_rule(values: Mapping[str, float | None], rule: Rule) -> RuleViolation | None:
    """Evaluate one rule; None when it holds or is skipped for missing values."""
    left, right = parse_expression(rule.left), parse_expression(rule.right)
    if rule.operator in PAIR_OPERATORS:
        return _check_pair(values, rule, left, right)
    if rule.operator not in _COMPARISONS:
        raise ValueError(f"Quy tắc {rule.code}: phép so sánh không hỗ trợ {rule.operator!r}")
    left_value = left.evaluate(values, rule.missing)
    right_value = right.evaluate(values, rule.missing)
    if left_value is None or right_value is None:
        return None
    if _COMPARISONS[rule.operator](left_value, right_value):
        return None
    message = f"{rule.name}: {_side(left, left_value)} nhưng {_side(right, right_value)}"
    return RuleViolation(rule, left_value, right_value, message)


def _check_pair(
    values: Mapping[str, float | None], rule: Rule, left: Expression, right: Expression
) -> RuleViolation | None:
    """compulsory_pair / exclusive_pair: only whether each side has values matters."""
    left_has, right_has = left.has_values(values), right.has_values(values)
    left_value = left.evaluate(values, "skip_if_all_missing")
    right_value = right.evaluate(values, "skip_if_all_missing")
    if rule.operator == "compulsory_pair":
        if left_has == right_has:
            return None
        present, absent = (_side(left, left_value), right) if left_has else (_side(right, right_value), left)
        message = f"{rule.name}: có {present} nhưng {absent} để trống"
    else:
        if not (left_has and right_has):
            return None
        message = f"{rule.name}: {_side(left, left_value)} và {_side(right, right_value)} không được cùng có số liệu"
    return RuleViolation(rule, left_value, right_value, message)


def _side(expression: Expression, value: float | None) -> str:
    """``"TCD04 + TCD13 = 118"``, or just the number for a constant side."""
    if not expression.codes:
        return _format_number(value)
    return f"{expression} = {_format_number(value)}"


def _constant_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _format_number(value: float | None, decimals: int = 3) -> str:
    """Vietnamese style: dot groups thousands, comma is the decimal sign (1.234; 12,5)."""
    if value is None or math.isnan(value):
        return "—"
    rounded = round(float(value), decimals)
    if rounded == int(rounded):
        return f"{int(rounded):,}".replace(",", ".")
    text = f"{rounded:,.{decimals}f}".rstrip("0")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
