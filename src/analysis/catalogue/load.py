"""Loading the catalogue: YAML → the frozen dataclasses of `model`, each entry read with typed access (`_Fields`)
that names the entry in every error, then the integrity checks of `checks`.

``load_catalogue()`` reads the packaged ``catalogue.yaml`` once; ``load_catalogue(path)`` reads another file.
Every problem raises ``CatalogueError`` naming the offending entry (messages in Vietnamese).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from analysis.catalogue.checks import validate
from analysis.catalogue.model import (
    AGGREGATIONS,
    DEFAULT_CAP,
    Area,
    Caps,
    Catalogue,
    CatalogueError,
    Indicator,
    UnitOfMeasure,
)
from analysis.catalogue.rules import MISSING_STRATEGIES, OPERATORS, SEVERITIES, Rule
from analysis.catalogue.versions import VersionError, Versions, parse_versions
from analysis.core.config import yaml_load
from analysis.core.units import UNIT_TYPES

_AREA_CODE = re.compile(r"[A-Z]+")
_SHEET_FORBIDDEN = set("[]:*?/\\")
_SHEET_MAX = 31
_POSITION = "order"  # a field taken from the entry's place in the file, never written in it


def _keys(cls: type) -> frozenset[str]:
    """The YAML keys of an entry: the fields of its dataclass except its position."""
    return frozenset(f.name for f in dataclasses.fields(cls)) - {_POSITION}


_TOP_KEYS = frozenset({"version", "units_of_measure", "areas", "indicators", "rules"})
_UNIT_KEYS = _keys(UnitOfMeasure)
_AREA_KEYS = _keys(Area)
_INDICATOR_KEYS = _keys(Indicator)
_RULE_KEYS = _keys(Rule)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue; without ``path``, the packaged ``catalogue.yaml`` (cached)."""
    if path is None:
        return _load_packaged()
    path = Path(path)
    return parse_catalogue(path.read_text(encoding="utf-8"), source=str(path))


@functools.cache
def _load_packaged() -> Catalogue:
    package = resources.files("analysis.catalogue")
    catalogue = parse_catalogue(package.joinpath("catalogue.yaml").read_text(encoding="utf-8"), "catalogue.yaml")
    return with_versions(catalogue, package.joinpath("versions.yaml").read_text(encoding="utf-8"), "versions.yaml")


def with_versions(catalogue: Catalogue, text: str, source: str = "versions.yaml") -> Catalogue:
    """`catalogue` with the form versions of `text` (YAML), checked against its concepts and areas."""
    try:
        raw = yaml_load(text)
        versions: Versions = parse_versions(
            raw,
            frozenset(item.code for item in catalogue.input_indicators()),
            frozenset(area.code for area in catalogue.areas),
        )
    except (yaml.YAMLError, VersionError) as error:
        raise CatalogueError(f"{source}: {error}") from error
    return dataclasses.replace(catalogue, versions=versions)


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
    validate(catalogue)
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
    return UnitOfMeasure(fields.text("code"), integer, _caps(fields))


def _caps(fields: _Fields) -> Caps:
    """`caps: {default: 1.0e+7, district: 1.0e+6}`: positive finite numbers keyed by a kind of unit or "default"."""
    value = fields.raw.get("caps")
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not value:
        raise fields.fail("'caps' phải là bảng loại đơn vị → số lớn nhất có thể (ví dụ {default: 1.0e+7})")
    allowed = (DEFAULT_CAP, *UNIT_TYPES)
    caps = []
    for kind, cap in value.items():
        if kind not in allowed:
            raise fields.fail(f"'caps': loại đơn vị {kind!r} không hợp lệ; phải là một trong {', '.join(allowed)}")
        if isinstance(cap, bool) or not isinstance(cap, int | float) or not math.isfinite(cap) or cap <= 0:
            raise fields.fail(f"'caps': giá trị của {kind!r} phải là số dương hữu hạn (đang là {cap!r})")
        caps.append((str(kind), float(cap)))
    return tuple(sorted(caps))


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
        caps=_caps(fields),
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
