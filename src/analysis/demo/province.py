"""A demo province of its own (a scenario's `province:` block): its units and settings, written as the workspace's
`config/units.yaml` and `config/province.yaml`, and the size of each unit's figures.

The block names two (or more) former provinces, each with its districts and each district with the communes formed
from it on the reform's effective date; the agencies once per kind (each former province had the first
`former_agencies` of them, the new province has them all). Districts and former agencies report up to the quarter
before the reform's transition quarter, communes and the new agencies from it. A scale (`scales:` in the scenario)
keeps the first districts of each former province, the first communes of each district and the first agencies.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from analysis.core.periods import Quarter
from analysis.core.text import slug

__all__ = ["DemoProvince", "build_province", "unit_code"]

_CODE_PREFIXES = {"Thành phố": "tp", "Thị xã": "tx", "Huyện": "h", "Xã": "xa", "Phường": "p", "Đặc khu": "dk"}
_CITY_SIZE = 2.2  # a city's figures against a mid-sized district's (as analysis.demo.figures.unit_size)


@dataclass(frozen=True)
class DemoProvince:
    """The demo's own configuration and what its figures are made from."""

    units: dict[str, Any]  # config/units.yaml
    settings: dict[str, Any]  # config/province.yaml
    sizes: dict[str, float]  # unit code → size factor of its figures
    former_province: dict[str, str]  # code of a unit of a former province → that province's name
    parent: dict[str, str]  # commune code → code of the former district it was formed from

    def units_yaml(self) -> str:
        return _HEADER_UNITS + _dump(self.units)

    def settings_yaml(self) -> str:
        return _HEADER_SETTINGS + _dump(self.settings)


def unit_code(name: str) -> str:
    """ "Huyện An Bình" → "h_an_binh", "Phường Đông Hải" → "p_dong_hai"; other names: their slug."""
    for word, prefix in _CODE_PREFIXES.items():
        if name.startswith(word + " "):
            return f"{prefix}_{slug(name[len(word) + 1 :])}"
    return slug(name)


def build_province(raw: Mapping[str, Any], first: Quarter, seed: int, scale: Mapping[str, Any]) -> DemoProvince:
    """The province of a scenario's `province:` block, cut to `scale` (districts, communes per district, agencies),
    its data expected from `first`."""
    settings = {k: v for k, v in raw["settings"].items() if k != "reform"}
    settings |= {"first_period": first.label, "reform": raw["settings"]["reform"]}
    reform = Quarter.parse(str(settings["reform"]["transition_quarter"]))
    districts, communes, agencies, new_agencies = [], [], [], []
    sizes: dict[str, float] = {}
    former: dict[str, str] = {}
    parent: dict[str, str] = {}
    roles: dict[str, str] = {}
    kinds = raw["agencies"][: scale.get("agencies")]
    for old in raw["former_provinces"]:
        place = old["name"].removeprefix("Tỉnh ")
        for d in old["districts"][: scale.get("districts")]:
            code = unit_code(d["name"])
            districts.append(_unit(code, d["name"], "district", valid_to=reform.previous()))
            sizes[code] = _district_size(d["name"], len(districts) - 1)
            former[code] = old["name"]
            names = d["communes"][: scale.get("communes")]
            weights = [random.Random(f"{seed}/{n}/size").uniform(0.6, 1.4) for n in names]
            for name, weight in zip(names, weights, strict=True):
                c = unit_code(name)
                communes.append(_unit(c, name, "commune", valid_from=reform))
                sizes[c] = sizes[code] * weight / sum(weights)
                parent[c] = code
        for j, kind in enumerate(kinds[: raw["former_agencies"]]):
            name = _former_agency(kind["name"], place)
            agencies.append(_unit(slug(name), name, "agency", valid_to=reform.previous()))
            sizes[slug(name)] = _agency_size(j) / len(raw["former_provinces"])
            former[slug(name)] = old["name"]
            if "role" in kind:
                roles[slug(name)] = kind["role"]
    for j, kind in enumerate(kinds):
        new_agencies.append(_unit(kind["code"], kind["name"], "agency", valid_from=reform))
        sizes[kind["code"]] = _agency_size(j)
        if "role" in kind:
            roles[kind["code"]] = kind["role"]
    if roles:  # which forms each agency owes (province.yaml's forms_owed), for the units this scale keeps
        settings["roles"] = roles
    units = {"province": {"code": raw["code"], "name": raw["name"]}}
    units["units"] = districts + agencies + communes + new_agencies
    return DemoProvince(units, settings, sizes, former, parent)


def _unit(code: str, name: str, typ: str, valid_from: Quarter | None = None, valid_to: Quarter | None = None) -> dict:
    return {
        "code": code,
        "name": name,
        "type": typ,
        "valid_from": valid_from.label if valid_from else None,
        "valid_to": valid_to.label if valid_to else None,
    }


def _former_agency(name: str, place: str) -> str:
    """ "Công an tỉnh" of Hòa An → "Công an tỉnh Hòa An"; "Sở Y tế" → "Sở Y tế tỉnh Hòa An"."""
    return f"{name} {place}" if name.endswith(" tỉnh") else f"{name} tỉnh {place}"


def _district_size(name: str, index: int) -> float:
    return _CITY_SIZE if name.startswith("Thành phố ") else 0.7 + 0.12 * ((index * 7) % 9)


def _agency_size(index: int) -> float:
    return 0.5 + 0.25 * (index % 4)


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=120)


_HEADER_UNITS = """\
# Đơn vị báo cáo của TỈNH GIẢ ĐỊNH (dữ liệu mẫu, mọi tên đều hư cấu), do `python -m analysis demo` tạo ra.
# Reporting units of a SYNTHETIC demo province (generated by `python -m analysis demo`; all names are fictional).
# The districts and former provinces' agencies report up to the quarter before the reform, the communes (xã,
# phường, đặc khu) and the new province's agencies from the transition quarter (see config/province.yaml).
"""
_HEADER_SETTINGS = """\
# Cấu hình của TỈNH GIẢ ĐỊNH (dữ liệu mẫu), do `python -m analysis demo` tạo ra.
# Settings of a SYNTHETIC demo province (generated by `python -m analysis demo`): cut-off 15 -> 14, deadline 7
# days; the reform of 1/7/2025 cuts through quý III/2025, which the communes report in full.
"""
