"""The catalogue's integrity checks across entries: unique codes and sheets, references that exist, parents before
their children in the same area, ratios of inputs, labels ingest can tell apart, rules over input indicators.
Each raises ``CatalogueError`` naming the first offending entry."""

from __future__ import annotations

import re
from collections.abc import Callable

from analysis.catalogue.model import Catalogue, CatalogueError, Indicator
from analysis.catalogue.rules import parse_expression
from analysis.core.text import label_key


def validate(catalogue: Catalogue) -> None:
    """Every check, in order; raise CatalogueError naming the first offending entry."""
    for check in _CHECKS:
        check(catalogue)


def _check_unique_codes(catalogue: Catalogue) -> None:
    for kind, items in (
        ("Đơn vị tính", catalogue.units_of_measure),
        ("Lĩnh vực", catalogue.areas),
        ("Chỉ tiêu", catalogue.indicators),
        ("Quy tắc", catalogue.rules),
    ):
        seen: set[str] = set()
        for item in items:
            if item.code in seen:
                raise CatalogueError(f"{kind} {item.code!r}: mã bị trùng")
            seen.add(item.code)
    sheets: set[str] = set()
    for area in catalogue.areas:
        if area.sheet.casefold() in sheets:
            raise CatalogueError(f"Lĩnh vực {area.code!r}: tên trang tính {area.sheet!r} bị trùng")
        sheets.add(area.sheet.casefold())


def _check_references(catalogue: Catalogue) -> None:
    areas = {area.code for area in catalogue.areas}
    units = {unit.code for unit in catalogue.units_of_measure}
    for item in catalogue.indicators:
        where = f"Chỉ tiêu {item.code!r}"
        if item.area not in areas:
            raise CatalogueError(f"{where}: lĩnh vực {item.area!r} không có trong danh mục")
        if not re.fullmatch(rf"{re.escape(item.area)}[0-9]{{2}}", item.code):
            raise CatalogueError(f"{where}: mã phải gồm mã lĩnh vực {item.area} và hai chữ số")
        if item.unit not in units:
            raise CatalogueError(f"{where}: đơn vị tính {item.unit!r} không có trong units_of_measure")


def _check_parents(catalogue: Catalogue) -> None:
    seen: dict[str, Indicator] = {}
    known = {item.code for item in catalogue.indicators}
    for item in catalogue.indicators:
        if item.parent is not None:
            where = f"Chỉ tiêu {item.code!r}"
            if item.parent not in known:
                raise CatalogueError(f"{where}: chỉ tiêu cha {item.parent!r} không có trong danh mục")
            if item.parent not in seen:
                raise CatalogueError(f"{where}: chỉ tiêu cha {item.parent!r} phải đứng trước chỉ tiêu con")
            if seen[item.parent].area != item.area:
                raise CatalogueError(f"{where}: chỉ tiêu cha {item.parent!r} thuộc lĩnh vực khác")
        seen[item.code] = item


def _check_ratios(catalogue: Catalogue) -> None:
    by_code = {item.code: item for item in catalogue.indicators}
    integer_units = {unit.code for unit in catalogue.units_of_measure if unit.integer}
    for item in catalogue.indicators:
        where = f"Chỉ tiêu {item.code!r}"
        if item.aggregation != "ratio":
            if item.numerator is not None or item.denominator is not None:
                raise CatalogueError(f"{where}: chỉ chỉ tiêu tỷ lệ mới có numerator/denominator")
            continue
        for role, code in (("numerator", item.numerator), ("denominator", item.denominator)):
            if code is None:
                raise CatalogueError(f"{where}: chỉ tiêu tỷ lệ thiếu '{role}'")
            if code not in by_code or not by_code[code].is_input:
                raise CatalogueError(f"{where}: '{role}' {code!r} phải là chỉ tiêu nhập liệu trong danh mục")
        if item.unit in integer_units:
            raise CatalogueError(f"{where}: chỉ tiêu tỷ lệ không dùng đơn vị tính số nguyên {item.unit!r}")


def _check_labels(catalogue: Catalogue) -> None:
    """Every label a row is matched by (name, short name, aliases) stands for one indicator, under the matcher's
    own key (`text.label_key`, as `ingest.extract.IndicatorIndex` uses it). Names first: a clash names the indicator
    whose name it is."""
    owners: dict[str, str] = {}
    for item in catalogue.indicators:
        key = _label(item, "tên", item.name)
        if key in owners:
            raise CatalogueError(f"Chỉ tiêu {item.code!r}: tên {item.name!r} trùng với chỉ tiêu {owners[key]!r}")
        owners[key] = item.code
    for item in catalogue.indicators:
        for kind, label in (("tên ngắn", item.short_name), *(("tên khác", alias) for alias in item.aliases)):
            owner = owners.setdefault(_label(item, kind, label), item.code)
            if owner != item.code:
                raise CatalogueError(f"Chỉ tiêu {item.code!r}: {kind} {label!r} trùng với tên của chỉ tiêu {owner!r}")


def _label(item: Indicator, kind: str, label: str) -> str:
    """The matching key of one label; a label without a letter or digit to match by is refused."""
    key = label_key(label)
    if not key:
        raise CatalogueError(f"Chỉ tiêu {item.code!r}: {kind} {label!r} không có chữ hoặc số để đối chiếu")
    return key


def _check_rules(catalogue: Catalogue) -> None:
    inputs = {item.code for item in catalogue.input_indicators()}
    known = {item.code for item in catalogue.indicators}
    for rule in catalogue.rules:
        where = f"Quy tắc {rule.code!r}"
        for side in (rule.left, rule.right):
            try:
                codes = parse_expression(side).codes
            except ValueError as error:
                raise CatalogueError(f"{where}: {error}") from error
            for code in codes:
                if code not in known:
                    raise CatalogueError(f"{where}: chỉ tiêu {code!r} không có trong danh mục")
                if code not in inputs:
                    raise CatalogueError(f"{where}: chỉ tiêu {code!r} là tỷ lệ tự tính, không dùng được")


_CHECKS: tuple[Callable[[Catalogue], None], ...] = (
    _check_unique_codes,
    _check_references,
    _check_parents,
    _check_ratios,
    _check_labels,
    _check_rules,
)
