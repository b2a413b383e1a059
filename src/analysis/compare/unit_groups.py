"""The units of a quarter in the groups a reader finds them in: by type of unit (communes or districts first,
provincial agencies last) and, where the reform's crosswalk is known, today's communes by the former district of their
main predecessor (`core.succession`). Pages rank, chart and list units within these groups: a provincial agency is no
commune's peer, and 125 communes read as a dozen former districts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.core import labels

if TYPE_CHECKING:
    from analysis.core.succession import Succession
    from analysis.core.units import UnitRegistry

TYPE_ORDER = ("commune", "district", "agency")


@dataclass(frozen=True)
class UnitGroup:
    unit_type: str
    codes: tuple[str, ...]
    district: str = ""  # the former district's name, for communes grouped by it ("" otherwise)
    unplaced: bool = False  # communes the crosswalk gives no former district


def by_type(registry: UnitRegistry, codes: Iterable[str]) -> list[tuple[str, list[str]]]:
    """`codes` by type of unit (TYPE_ORDER, then any other type), each in registry order."""
    present = set(codes)
    groups: dict[str, list[str]] = {t: [] for t in TYPE_ORDER}
    for unit in registry.units:
        if unit.code in present:
            groups.setdefault(unit.type, []).append(unit.code)
    return [(t, found) for t, found in groups.items() if found]


def by_former_district(registry: UnitRegistry, codes: Iterable[str], succession: Succession | None) -> list[UnitGroup]:
    """`by_type`, today's communes split by former district (in the crosswalk's order, registry order inside) when
    a crosswalk is known; communes it does not place come last in a group of their own."""
    groups = []
    district_of = _districts(succession)
    for unit_type, found in by_type(registry, codes):
        if unit_type != "commune" or not district_of:
            groups.append(UnitGroup(unit_type, tuple(found)))
            continue
        placed: dict[tuple[int, str], list[str]] = {}
        for code in found:
            placed.setdefault(district_of.get(code, (1 << 30, "")), []).append(code)
        for (_, name), members in sorted(placed.items()):
            groups.append(UnitGroup(unit_type, tuple(members), name, unplaced=not name))
    return groups


def headed(groups: list[UnitGroup]) -> list[tuple[str, UnitGroup]]:
    """Each group with the heading a reader sees above it: "Cấp xã (125 đơn vị cấp xã)", or the former
    district's "Huyện Hòa An (cũ) — 14 đơn vị cấp xã" when communes run by district."""
    count: dict[str, int] = {}
    for g in groups:
        count[g.unit_type] = count.get(g.unit_type, 0) + len(g.codes)
    return [
        (
            labels.district_group_heading(g.district, g.unit_type, len(g.codes))
            if g.district or g.unplaced
            else labels.unit_group_heading(g.unit_type, count[g.unit_type]),
            g,
        )
        for g in groups
    ]


def _districts(succession: Succession | None) -> dict[str, tuple[int, str]]:
    """commune code → (order, name) of the former district it is counted with."""
    if succession is None:
        return {}
    table = succession.communes_by_district().dropna(subset=["area_name"])
    return {r.unit_code: (int(r.order), str(r.area_name)) for r in table.itertuples(index=False)}


__all__ = ["TYPE_ORDER", "UnitGroup", "by_former_district", "by_type"]
