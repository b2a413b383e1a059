"""Indicator catalogue (areas, indicators, validation rules) loaded from YAML into frozen dataclasses.

``load_catalogue()`` reads the packaged ``catalogue.yaml`` once; ``load_catalogue(path)`` reads another file.
Every integrity problem raises ``CatalogueError`` naming the offending entry (messages in Vietnamese).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.catalogue.rules import MISSING_STRATEGIES, OPERATORS, SEVERITIES, parse_expression
from analysis.core.config import yaml_load

AGGREGATIONS: tuple[str, ...] = ("sum", "ratio")

_AREA_CODE = re.compile(r"[A-Z]+")
_SHEET_FORBIDDEN = set("[]:*?/\\")
_SHEET_MAX = 31
_TOP_KEYS = frozenset({"version", "units_of_measure", "areas", "indicators", "rules"})
_UNIT_KEYS = frozenset({"code", "integer"})
_AREA_KEYS = frozenset({"code", "sheet", "title", "form", "aliases"})
_INDICATOR_KEYS = frozenset(
    {
        "code",
        "area",
        "number",
        "name",
        "short_name",
        "unit",
        "parent",
        "aggregation",
        "numerator",
        "denominator",
        "scale",
        "higher_is_better",
        "key",
        "aliases",
        "description",
        "sum_over_quarters",
    }
)
_RULE_KEYS = frozenset({"code", "name", "left", "operator", "right", "missing", "severity"})


class CatalogueError(ValueError):
    """The catalogue file is malformed or inconsistent."""


@dataclass(frozen=True)
class UnitOfMeasure:
    """A unit of measure; ``integer`` units only take whole numbers (counts)."""

    code: str
    integer: bool


@dataclass(frozen=True)
class Area:
    """A reporting area = one sheet of the submission template. ``order`` is the 0-based file position."""

    code: str
    sheet: str
    title: str
    form: str
    aliases: tuple[str, ...] = ()
    order: int = 0


@dataclass(frozen=True)
class Indicator:
    """One row of the template. ``order`` is the 0-based position in the catalogue file."""

    code: str
    area: str
    number: str
    name: str
    short_name: str
    unit: str
    parent: str | None
    aggregation: str
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    higher_is_better: bool | None = None
    key: bool = False
    aliases: tuple[str, ...] = ()
    description: str = ""
    order: int = 0
    # False for figures that carry over from the previous period (a balance, or a total that includes the balance):
    # adding them over quarters would count the same case several times, so no year-to-date sum is made.
    sum_over_quarters: bool = True

    def ratio(self, values: Mapping[str, float | None]) -> float | None:
        """This ratio recomputed from its numerator and denominator (None when either is missing or the base is 0).

        The one place a rate is computed: for a unit from its own figures, for the province from summed figures —
        never as an average of unit rates.
        """
        if self.aggregation != "ratio":
            raise ValueError(f"{self.code} is not a ratio")
        num, den = values.get(self.numerator), values.get(self.denominator)
        if num is None or den is None or num != num or den != den or den == 0:
            return None
        return float(num) / float(den) * self.scale

    @property
    def is_input(self) -> bool:
        """False for ratios: they are derived from sums, never typed by units."""
        return self.aggregation != "ratio"


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
class Catalogue:
    """The whole catalogue, with lookups by code."""

    version: str
    areas: tuple[Area, ...]
    indicators: tuple[Indicator, ...]
    rules: tuple[Rule, ...]
    units_of_measure: tuple[UnitOfMeasure, ...]
    _indicator_index: dict[str, Indicator] = field(init=False, repr=False, compare=False)
    _area_index: dict[str, Area] = field(init=False, repr=False, compare=False)
    _unit_index: dict[str, UnitOfMeasure] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_indicator_index", {item.code: item for item in self.indicators})
        object.__setattr__(self, "_area_index", {item.code: item for item in self.areas})
        object.__setattr__(self, "_unit_index", {item.code: item for item in self.units_of_measure})

    def indicator(self, code: str) -> Indicator:
        """The indicator with this code; KeyError if unknown."""
        try:
            return self._indicator_index[code]
        except KeyError:
            raise KeyError(f"Không có chỉ tiêu mã {code!r} trong danh mục") from None

    def area(self, code: str) -> Area:
        """The area with this code; KeyError if unknown."""
        try:
            return self._area_index[code]
        except KeyError:
            raise KeyError(f"Không có lĩnh vực mã {code!r} trong danh mục") from None

    def indicators_in(self, area_code: str) -> tuple[Indicator, ...]:
        """Indicators of one area, in file order; KeyError if the area is unknown."""
        self.area(area_code)
        return tuple(item for item in self.indicators if item.area == area_code)

    def input_indicators(self) -> tuple[Indicator, ...]:
        """Indicators that units type in (every non-ratio), in file order."""
        return tuple(item for item in self.indicators if item.is_input)

    def is_integer(self, code: str) -> bool:
        """True when the indicator's unit of measure only takes whole numbers."""
        unit = self.indicator(code).unit
        try:
            return self._unit_index[unit].integer
        except KeyError:
            raise KeyError(f"Chỉ tiêu {code}: đơn vị tính {unit!r} không có trong danh mục") from None

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator, in file order, with its area's title, form and sheet."""
        rows = [_indicator_row(item, self.area(item.area)) for item in self.indicators]
        frame = pd.DataFrame(rows, columns=list(_FRAME_COLUMNS))
        return frame.astype(_FRAME_COLUMNS)


_FRAME_COLUMNS: dict[str, str] = {
    "code": "str",
    "area": "str",
    "area_title": "str",
    "form": "str",
    "sheet": "str",
    "number": "str",
    "name": "str",
    "short_name": "str",
    "unit": "str",
    "parent": "str",
    "aggregation": "str",
    "numerator": "str",
    "denominator": "str",
    "scale": "float64",
    "higher_is_better": "boolean",
    "key": "bool",
    "is_input": "bool",
    "description": "str",
    "order": "int64",
}


def _indicator_row(item: Indicator, area: Area) -> dict[str, Any]:
    return {
        "code": item.code,
        "area": item.area,
        "area_title": area.title,
        "form": area.form,
        "sheet": area.sheet,
        "number": item.number,
        "name": item.name,
        "short_name": item.short_name,
        "unit": item.unit,
        "parent": item.parent,
        "aggregation": item.aggregation,
        "numerator": item.numerator,
        "denominator": item.denominator,
        "scale": item.scale,
        "higher_is_better": item.higher_is_better,
        "key": item.key,
        "is_input": item.is_input,
        "description": item.description,
        "order": item.order,
    }


# --------------------------------------------------------------------------------------------- loading


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue; without ``path``, the packaged ``catalogue.yaml`` (cached)."""
    if path is None:
        return _load_packaged()
    path = Path(path)
    return parse_catalogue(path.read_text(encoding="utf-8"), source=str(path))


@functools.cache
def _load_packaged() -> Catalogue:
    text = resources.files("analysis.catalogue").joinpath("catalogue.yaml").read_text(encoding="utf-8")
    return parse_catalogue(text, source="catalogue.yaml")


def parse_catalogue(text: str, source: str = "<chuỗi>") -> Catalogue:
    """Build a validated Catalogue from YAML text."""
    try:
        raw = yaml_load(text)
    except yaml.YAMLError as error:
        raise CatalogueError(f"{source}: YAML không hợp lệ: {error}") from error
    top = _Fields(raw, f"Danh mục {source}", _TOP_KEYS)
    units = tuple(_unit(entry, order) for order, entry in enumerate(top.entries("units_of_measure")))
    areas = tuple(_area(entry, order) for order, entry in enumerate(top.entries("areas")))
    indicators = tuple(_indicator(entry, order) for order, entry in enumerate(top.entries("indicators")))
    rules = tuple(_rule(entry, order) for order, entry in enumerate(top.entries("rules")))
    catalogue = Catalogue(top.text("version"), areas, indicators, rules, units)
    _validate(catalogue)
    return catalogue


class _Fields:
    """Typed access to one YAML mapping; every error names the entry."""

    def __init__(self, raw: Any, where: str, allowed: frozenset[str]) -> None:
        if not isinstance(raw, Mapping):
            raise CatalogueError(f"{where}: phải là một bảng khóa–giá trị (mapping)")
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            raise CatalogueError(f"{where}: khóa không hợp lệ {', '.join(unknown)}")
        self.raw, self.where = raw, where

    def fail(self, message: str) -> CatalogueError:
        return CatalogueError(f"{self.where}: {message}")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw.get(key)
        if value is None:
            if default is None:
                raise self.fail(f"thiếu '{key}'")
            return default
        return _clean_text(value, f"{self.where}, '{key}'")

    def optional_text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.text(key)

    def flag(self, key: str, default: bool | None) -> bool | None:
        value = self.raw.get(key, default)
        if value is not None and not isinstance(value, bool):
            raise self.fail(f"'{key}' phải là true, false hoặc null")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key) or []
        if not isinstance(value, list):
            raise self.fail(f"'{key}' phải là một danh sách chuỗi")
        return tuple(_clean_text(item, f"{self.where}, '{key}'") for item in value)

    def entries(self, key: str) -> list[Any]:
        value = self.raw.get(key)
        if not isinstance(value, list):
            raise self.fail(f"'{key}' phải là một danh sách")
        return value


def _clean_text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise CatalogueError(f"{where}: phải là chuỗi, không phải {type(value).__name__} ({value!r})")
    if not value.strip():
        raise CatalogueError(f"{where}: không được để trống")
    if not unicodedata.is_normalized("NFC", value):
        raise CatalogueError(f"{where}: chuỗi chưa chuẩn hóa Unicode NFC: {value!r}")
    return value.strip()


def _entry_name(kind: str, raw: Any, order: int) -> str:
    code = raw.get("code") if isinstance(raw, Mapping) else None
    return f"{kind} {code!r}" if isinstance(code, str) else f"{kind} thứ {order + 1}"


def _unit(raw: Any, order: int) -> UnitOfMeasure:
    fields = _Fields(raw, _entry_name("Đơn vị tính", raw, order), _UNIT_KEYS)
    integer = fields.flag("integer", None)
    if integer is None:
        raise fields.fail("thiếu 'integer' (true/false)")
    return UnitOfMeasure(fields.text("code"), integer)


def _area(raw: Any, order: int) -> Area:
    fields = _Fields(raw, _entry_name("Lĩnh vực", raw, order), _AREA_KEYS)
    area = Area(
        code=fields.text("code"),
        sheet=fields.text("sheet"),
        title=fields.text("title"),
        form=fields.text("form"),
        aliases=fields.strings("aliases"),
        order=order,
    )
    if not _AREA_CODE.fullmatch(area.code):
        raise fields.fail("mã lĩnh vực chỉ gồm chữ in hoa không dấu")
    if len(area.sheet) > _SHEET_MAX or _SHEET_FORBIDDEN & set(area.sheet):
        raise fields.fail(f"tên trang tính {area.sheet!r} dài quá {_SHEET_MAX} ký tự hoặc chứa []:*?/\\")
    return area


def _indicator(raw: Any, order: int) -> Indicator:
    fields = _Fields(raw, _entry_name("Chỉ tiêu", raw, order), _INDICATOR_KEYS)
    name = fields.text("name")
    aggregation = fields.text("aggregation")
    if aggregation not in AGGREGATIONS:
        raise fields.fail(f"'aggregation' phải là một trong {', '.join(AGGREGATIONS)}")
    return Indicator(
        code=fields.text("code"),
        area=fields.text("area"),
        number=fields.text("number"),
        name=name,
        short_name=fields.text("short_name", default=name),
        unit=fields.text("unit"),
        parent=fields.optional_text("parent"),
        aggregation=aggregation,
        numerator=fields.optional_text("numerator"),
        denominator=fields.optional_text("denominator"),
        scale=_scale(fields, aggregation),
        higher_is_better=fields.flag("higher_is_better", None),
        key=bool(fields.flag("key", False)),
        aliases=fields.strings("aliases"),
        description=fields.optional_text("description") or "",
        order=order,
        sum_over_quarters=bool(fields.flag("sum_over_quarters", True)),
    )


def _scale(fields: _Fields, aggregation: str) -> float:
    value = fields.raw.get("scale")
    if value is None:
        return 1.0
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise fields.fail("'scale' phải là số dương")
    if aggregation != "ratio" and value != 1:
        raise fields.fail("'scale' chỉ dùng cho chỉ tiêu tỷ lệ (aggregation: ratio)")
    return float(value)


def _rule(raw: Any, order: int) -> Rule:
    fields = _Fields(raw, _entry_name("Quy tắc", raw, order), _RULE_KEYS)
    rule = Rule(
        code=fields.text("code"),
        name=fields.text("name"),
        left=_expression_text(fields, "left"),
        operator=fields.text("operator"),
        right=_expression_text(fields, "right"),
        missing=fields.text("missing", default="skip_if_any_missing"),
        severity=fields.text("severity", default="error"),
    )
    for key, value, allowed in (
        ("operator", rule.operator, OPERATORS),
        ("missing", rule.missing, MISSING_STRATEGIES),
        ("severity", rule.severity, SEVERITIES),
    ):
        if value not in allowed:
            raise fields.fail(f"'{key}' = {value!r} không hợp lệ; phải là một trong {', '.join(allowed)}")
    return rule


def _expression_text(fields: _Fields, key: str) -> str:
    """Expressions may be written as a bare number in YAML (``right: 0``)."""
    value = fields.raw.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return fields.text(key)


# ------------------------------------------------------------------------------------------ integrity


def _validate(catalogue: Catalogue) -> None:
    """Cross-entry integrity checks; raise CatalogueError naming the first offending entry."""
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
    """Names unique after folding; an alias may not stand for another indicator's name or alias."""
    names: dict[str, str] = {}
    for item in catalogue.indicators:
        folded = _fold(item.name)
        if folded in names:
            raise CatalogueError(f"Chỉ tiêu {item.code!r}: tên {item.name!r} trùng với chỉ tiêu {names[folded]!r}")
        names[folded] = item.code
    labels = dict(names)
    for item in catalogue.indicators:
        for alias in item.aliases:
            owner = labels.setdefault(_fold(alias), item.code)
            if owner != item.code:
                raise CatalogueError(f"Chỉ tiêu {item.code!r}: tên khác {alias!r} trùng với tên của chỉ tiêu {owner!r}")


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


def _fold(text: str) -> str:
    """Lowercase, strip diacritics (đ → d) and collapse spaces, for uniqueness checks."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())
