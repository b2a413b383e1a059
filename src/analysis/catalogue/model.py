"""The indicator catalogue as frozen dataclasses: units of measure, areas, indicators (rules: `rules.Rule`) and the
whole `Catalogue` with its lookups. `load` reads them from YAML, `checks` holds the integrity checks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.catalogue.rules import Rule, rule_codes
from analysis.catalogue.versions import Version, Versions
from analysis.core.periods import Quarter

AGGREGATIONS: tuple[str, ...] = ("sum", "ratio")


class CatalogueError(ValueError):
    """The catalogue file is malformed or inconsistent."""


Caps = tuple[tuple[str, float], ...]  # (unit type or "default", largest possible figure of one unit in one quarter)
DEFAULT_CAP = "default"


def cap_for(caps: Caps, unit_type: str) -> float | None:
    """The cap for a kind of unit: its own, else the default; None when there is none."""
    found = dict(caps)
    return found.get(unit_type, found.get(DEFAULT_CAP))


@dataclass(frozen=True)
class UnitOfMeasure:
    """A unit of measure; ``integer`` units only take whole numbers (counts). ``caps``: per kind of unit, the
    largest figure one unit can possibly report in a quarter (above it the figure is impossible, not unusual)."""

    code: str
    integer: bool
    caps: Caps = ()


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
    # this indicator's own caps (see `UnitOfMeasure.caps`), replacing its unit of measure's where given
    caps: Caps = ()

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
class Catalogue:
    """The whole catalogue, with lookups by code."""

    version: str
    areas: tuple[Area, ...]
    indicators: tuple[Indicator, ...]
    rules: tuple[Rule, ...]
    units_of_measure: tuple[UnitOfMeasure, ...]
    # the form sets of the circulars (versions.yaml); empty for a catalogue read alone (tests, a custom file)
    versions: Versions = Versions(())
    # a view of one version (`for_version`) keeps the whole catalogue it was cut from; None for the whole one
    whole: Catalogue | None = field(default=None, repr=False, compare=False)
    _indicator_index: dict[str, Indicator] = field(init=False, repr=False, compare=False)
    _area_index: dict[str, Area] = field(init=False, repr=False, compare=False)
    _unit_index: dict[str, UnitOfMeasure] = field(init=False, repr=False, compare=False)
    _views: dict[str, Catalogue] = field(init=False, repr=False, compare=False)  # for_version, by version code

    def __post_init__(self) -> None:
        object.__setattr__(self, "_views", {})
        object.__setattr__(self, "_indicator_index", {item.code: item for item in self.indicators})
        object.__setattr__(self, "_area_index", {item.code: item for item in self.areas})
        object.__setattr__(self, "_unit_index", {item.code: item for item in self.units_of_measure})

    def version_of(self, quarter: Quarter) -> Version | None:
        """The form version governing `quarter` (None for a catalogue without versions)."""
        return self.versions.for_quarter(quarter) if self.versions else None

    def for_quarter(self, quarter: Quarter) -> Catalogue:
        """The catalogue as the forms of `quarter` print it: that version's concepts (and the ratios of them), the
        rules among them, each area's form code; the whole catalogue when it has no versions."""
        version = self.version_of(quarter)
        return self if version is None else self.for_version(version)

    def for_version(self, version: Version) -> Catalogue:
        """The catalogue restricted to one version (see `for_quarter`); made once per version."""
        if self.whole is not None:
            return self.whole.for_version(version)
        if version.code not in self._views:
            self._views[version.code] = self._restricted(version)
        return self._views[version.code]

    def _restricted(self, version: Version) -> Catalogue:
        carried = version.concepts
        kept = tuple(
            item
            for item in self.indicators
            if item.code in carried or (not item.is_input and {item.numerator, item.denominator} <= carried)
        )
        codes = {item.code for item in kept}
        areas = tuple(_versioned_area(area, version) for area in self.areas)
        rules = tuple(rule for rule in self.rules if set(rule_codes(rule)) <= codes)
        return dataclasses.replace(self, version=version.code, areas=areas, indicators=kept, rules=rules, whole=self)

    def indicator(self, code: str) -> Indicator:
        """The indicator with this code; KeyError if unknown. A version's view knows every concept of the whole
        catalogue by its code (a figure of another quarter's forms), though it lists only its own."""
        try:
            return self._indicator_index[code]
        except KeyError:
            if self.whole is not None:
                return self.whole.indicator(code)
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

    def integer_codes(self) -> frozenset[str]:
        """The indicators counted in whole numbers."""
        return frozenset(item.code for item in self.indicators if self.is_integer(item.code))

    def cap(self, code: str, unit_type: str) -> float | None:
        """The largest possible figure of indicator `code` for one unit of `unit_type` in one quarter: the
        indicator's own cap, else its unit of measure's; None when neither has one (ratios, rates)."""
        item = self.indicator(code)
        own = cap_for(item.caps, unit_type)
        if own is not None:
            return own
        unit = self._unit_index.get(item.unit)
        return cap_for(unit.caps, unit_type) if unit else None

    def _caps_text(self, item: Indicator) -> str:
        """The caps that apply to an indicator, as text: "default: 10000000; district: 1000000" ("" for none)."""
        unit = self._unit_index.get(item.unit)
        caps = dict(unit.caps if unit else ()) | dict(item.caps)
        return "; ".join(f"{kind}: {cap:.0f}" for kind, cap in sorted(caps.items()))

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator, in file order, with its area's title, form and sheet (columns: `FRAME_DTYPES`)."""
        rows = [_frame_row(item, self.area(item.area), self._caps_text(item)) for item in self.indicators]
        return pd.DataFrame(rows, columns=list(FRAME_DTYPES)).astype(FRAME_DTYPES)


def _versioned_area(area: Area, version: Version) -> Area:
    form = version.form(area.code)
    return area if form is None else dataclasses.replace(area, form=f"Biểu số {form.code}")


# Catalogue.to_frame: each Indicator field whose type is listed here is a column with this dtype (`aliases` is not),
# in field order; then the columns that are not fields of the indicator.
_FIELD_DTYPES = {"str": "str", "str | None": "str", "float": "float64", "bool": "bool", "bool | None": "boolean",
                 "int": "int64", "Caps": "str"}  # fmt: skip
_FRAME_FIELDS = {f.name: _FIELD_DTYPES[f.type] for f in dataclasses.fields(Indicator) if f.type in _FIELD_DTYPES}
FRAME_DTYPES: dict[str, str] = _FRAME_FIELDS | {"is_input": "bool", "area_title": "str", "form": "str", "sheet": "str"}


def _frame_row(item: Indicator, area: Area, caps: str) -> dict[str, Any]:
    own = {name: getattr(item, name) for name in _FRAME_FIELDS} | {"caps": caps}
    return own | {"is_input": item.is_input, "area_title": area.title, "form": area.form, "sheet": area.sheet}
