"""The demo's numbers: random but consistent figures (the catalogue's rules hold) for every unit and quarter, key
province totals calibrated exactly to a scenario's targets."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from analysis.catalogue.model import Catalogue, Indicator
from analysis.catalogue.rules import Rule, check_rules, parse_expression
from analysis.core.periods import Quarter
from analysis.core.units import Unit, UnitRegistry

Values = dict[str, float]
Figures = dict[tuple[str, Quarter], Values]


@dataclass(frozen=True)
class FigurePlan:
    """What the numbers are made from (the scenario's `seed`, quarters, `province_totals` and magnitudes)."""

    seed: int
    quarters: tuple[Quarter, ...]
    province_totals: dict[Quarter, dict[str, int]]  # calibration targets, exact
    magnitudes: dict[str, float]  # typical leaf figure of a mid-sized district, by unit of measure
    indicator_magnitudes: dict[str, float]  # exceptions, by indicator code
    default_magnitude: float
    rounding: str = "floor"  # of raw integer figures: "floor", or "stochastic" (unbiased for small units' figures)

    def magnitude(self, indicator: Indicator) -> float:
        by_unit = self.magnitudes.get(indicator.unit, self.default_magnitude)
        return self.indicator_magnitudes.get(indicator.code, by_unit)


@dataclass
class Consistent:
    """Makes a unit's figures satisfy the catalogue's rules by adjusting totals and parts."""

    catalogue: Catalogue
    defining: dict[str, list[str]] = field(default_factory=dict)  # total -> parts of its first equality rule

    def __post_init__(self) -> None:
        for rule in self.catalogue.rules:
            left = parse_expression(rule.left)
            right = parse_expression(rule.right)
            if rule.operator == "equal_to" and _single(left) and _all_plus_codes(right):
                self.defining.setdefault(left.codes[0], list(right.codes))

    def set_total(self, values: Values, code: str, target: float) -> None:
        """Set `code` to `target`, spreading the change over its parts (recursively) so its sum rule holds."""
        values[code] = target
        parts = self.defining.get(code)
        if not parts:
            return
        integer = self.catalogue.is_integer(code)
        for part, amount in zip(parts, _allocate(target, [values[p] for p in parts], integer), strict=True):
            self.set_total(values, part, amount)

    def repair(self, values: Values, rng: random.Random, passes: int = 30) -> Values:
        """Adjust `values` in place until no rule is broken (at most `passes` rounds); return them."""
        for _ in range(passes):
            violations = check_rules(values, self.catalogue.rules)
            if not violations:
                return values
            for violation in violations:
                self._repair_one(values, violation.rule, rng)
        remaining = [v.rule.code for v in check_rules(values, self.catalogue.rules)]
        raise AssertionError(f"demo figures still break rules after {passes} passes: {remaining}")

    def _repair_one(self, values: Values, rule: Rule, rng: random.Random) -> None:
        left, right = parse_expression(rule.left), parse_expression(rule.right)
        rhs = right.evaluate(values, "never_skip")
        lhs = left.evaluate(values, "never_skip")
        if not _single(left):
            return
        code = left.codes[0]
        integer = self.catalogue.is_integer(code)
        if rule.operator == "equal_to":
            if code in self.defining and self.defining[code] != list(right.codes) and _all_plus_codes(right):
                # a second breakdown of an already defined total: spread the total over this breakdown
                for part, amount in zip(
                    right.codes, _allocate(lhs, [values[p] for p in right.codes], integer), strict=True
                ):
                    self.set_total(values, part, amount)
            else:
                self.set_total(values, code, rhs)
        elif rule.operator in ("less_than_or_equal_to", "less_than") and lhs > rhs:
            share = rng.uniform(0.55, 0.95)
            self.set_total(values, code, _round(rhs * share, integer))
        elif rule.operator in ("greater_than_or_equal_to", "greater_than") and lhs < rhs:
            self.set_total(values, code, rhs)


def _single(expr) -> bool:
    return len(expr.terms) == 1 and expr.terms[0][0] == 1 and isinstance(expr.terms[0][1], str)


def _all_plus_codes(expr) -> bool:
    return all(sign == 1 and isinstance(term, str) for sign, term in expr.terms)


def _round(x: float, integer: bool) -> float:
    return float(math.floor(x)) if integer else round(x, 1)


def _allocate(total: float, weights: list[float], integer: bool) -> list[float]:
    """Split `total` in proportion to `weights` (largest remainder for integers, so parts sum exactly)."""
    if not weights:
        return []
    weights = [max(w, 0.0) for w in weights]
    if sum(weights) == 0:
        weights = [1.0] * len(weights)
    shares = [total * w / sum(weights) for w in weights]
    if not integer:
        parts = [round(s, 1) for s in shares]
        parts[-1] = round(total - sum(parts[:-1]), 1)
        return parts
    parts = [math.floor(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: shares[i] - parts[i], reverse=True)
    for i in order[: int(round(total - sum(parts)))]:
        parts[i] += 1
    return [float(p) for p in parts]


def unit_size(unit: Unit, index: int) -> float:
    """A fixed size factor per unit from its rank within its type: the city is biggest, agencies vary."""
    if unit.type == "agency":
        return 0.5 + 0.25 * index
    return 2.2 if index == 0 else 0.7 + 0.12 * ((index * 7) % 9)


def random_figures(
    catalogue: Catalogue, plan: FigurePlan, unit: Unit, size: float, quarter: Quarter, rng: random.Random
) -> Values:
    """Raw random figures for every input indicator (not yet consistent): a level of the unit's own that stays
    from quarter to quarter, times a quarterly swing of ±15%."""
    seasonal = 1.0 + 0.06 * ((quarter.quarter + quarter.year) % 3 - 1)
    values: Values = {}
    for ind in catalogue.input_indicators():
        level = random.Random(f"{plan.seed}/{unit.code}/{ind.code}").uniform(0.4, 1.6)
        x = plan.magnitude(ind) * size * seasonal * level * rng.uniform(0.85, 1.15)
        if plan.rounding == "stochastic" and catalogue.is_integer(ind.code):
            x += rng.random()  # floor(x + u) is x on average: a commune's 0.4 is not always 0
        values[ind.code] = _round(x, catalogue.is_integer(ind.code))
    return values


def rank_sizes(registry: UnitRegistry) -> dict[str, float]:
    """Each unit's size factor from its rank within its type (`unit_size`)."""
    units = registry.units
    rank = {u.code: [v.code for v in units if v.type == u.type].index(u.code) for u in units}
    return {u.code: unit_size(u, rank[u.code]) for u in units}


def province_figures(
    catalogue: Catalogue,
    registry: UnitRegistry,
    plan: FigurePlan,
    rng: random.Random,
    sizes: dict[str, float] | None = None,
) -> Figures:
    """Consistent figures for every unit and quarter, key totals calibrated to the plan's province totals; a unit's
    magnitudes scaled by its size factor (`sizes`, default `rank_sizes`)."""
    fixers: dict[str, Consistent] = {}  # by form version: each quarter's figures are those of its forms
    figures: Figures = {}
    units = registry.units
    sizes = sizes or rank_sizes(registry)
    for q in plan.quarters:
        forms = catalogue.for_quarter(q)
        fixer = fixers.setdefault(forms.version, Consistent(forms))
        active = [u for u in units if u.active_in(q)]
        for unit in active:
            raw = random_figures(forms, plan, unit, sizes[unit.code], q, rng)
            figures[(unit.code, q)] = fixer.repair(raw, rng)
        _calibrate(figures, fixer, [u.code for u in active], q, plan.province_totals.get(q, {}), rng)
    return figures


def _calibrate(
    figures: Figures,
    fixer: Consistent,
    unit_codes: list[str],
    quarter: Quarter,
    targets: dict[str, int],
    rng: random.Random,
) -> None:
    """Scale each target indicator across units so the province total equals the target exactly."""
    for code, target in targets.items():
        current = [figures[(u, quarter)][code] for u in unit_codes]
        for u, amount in zip(unit_codes, _allocate(target, current, integer=True), strict=True):
            fixer.set_total(figures[(u, quarter)], code, amount)
    for u in unit_codes:
        fixer.repair(figures[(u, quarter)], rng)
        for code in targets:
            assert figures[(u, quarter)][code] >= 0, f"negative demo figure {code} for {u}"
    for code, target in targets.items():
        total = sum(figures[(u, quarter)][code] for u in unit_codes)
        assert total == target, f"calibration of {code} in {quarter}: {total} != {target} (a rule repair moved it)"
