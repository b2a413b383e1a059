"""The reform's crosswalk as the report reads it (``config/crosswalk.yaml``, written by ``units import-crosswalk``):
which units make up each former district, each former province and each of today's agencies on either side of the
transition quarter, and which of these areas continue only approximately.

Three views (codes in the data, words at the edge):

* ``province`` — a former province merged into today's: before the transition quarter the sum of its districts,
  from it the sum of the communes whose main predecessor lies in it;
* ``district`` — a former district: before, the district's own figures; from, the sum of the communes whose main
  predecessor lies in it;
* ``agency`` — one of today's agencies: before, the sum of the former provinces' agencies it took over.

When the districts report the transition quarter's days before the reform (``reported_by: districts``), that
quarter's area figure is the districts' part and the communes' part together.

An area is approximate ("ước tính, do điều chỉnh địa giới") when its communes do not hold exactly its former wards:
a commune counted with it (by main predecessor) holds a ward of another area, or a ward of it went to a commune
counted elsewhere (``crossing``); a former district also when one of its wards was divided between communes
(``divided``), even if the pieces stayed inside.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.core.config import Reform
from analysis.core.periods import Quarter
from analysis.core.text import slug
from analysis.core.units import UnitRegistry

__all__ = ["AFTER", "BEFORE", "VIEWS", "Succession", "SuccessionError", "boundary_changes", "load_succession"]

VIEWS = ("province", "district", "agency")  # in the order pages and sheets show them
BEFORE, AFTER = "before", "after"
FILE = "crosswalk.yaml"


class SuccessionError(ValueError):
    """A crosswalk file that does not fit the unit registry (message in Vietnamese, naming the file and entry)."""


def boundary_changes(rows: pd.DataFrame, commune: str, area: list[str], divided: bool) -> dict[tuple, set[str]]:
    """Areas (tuples of the `area` columns) whose communes, counted by main predecessor, do not hold exactly their
    former wards, with the reasons ("crossing", and "divided" when `divided`). `rows`: one per (commune, former
    ward) with columns `commune`, `area`, ``divided``, ``main``."""
    if rows.empty:
        return {}
    keyed = rows.assign(_area=list(zip(*(rows[c] for c in area), strict=True)))
    counted = keyed[keyed["main"]].drop_duplicates(commune).set_index(commune)["_area"]
    keyed = keyed.assign(_counted=keyed[commune].map(counted))
    reasons: dict[tuple, set[str]] = defaultdict(set)
    crossing = keyed[keyed["_area"] != keyed["_counted"]]
    for a in [*crossing["_area"], *crossing["_counted"]]:
        reasons[a].add("crossing")
    if divided:
        for a in keyed.loc[keyed["divided"], "_area"]:
            reasons[a].add("divided")
    return dict(reasons)


@dataclass(frozen=True)
class Succession:
    """Who makes up each area of each view, before and from the transition quarter."""

    transition: Quarter
    reported_by: str  # the reform's `reported_by`: "districts" adds the districts' part to the transition quarter
    members: pd.DataFrame  # view, area, side (before/after), unit_code
    areas: pd.DataFrame  # view, area, area_name, parent (a district's former province), order, approximate, reasons
    source: str  # where the crosswalk came from (its file and digest)

    def sides(self, period: str) -> tuple[str, ...]:
        """Which members a quarter's figure sums: before the transition, from it (and in it, both when the
        districts report its first days)."""
        q = Quarter.parse(period)
        if q < self.transition:
            return (BEFORE,)
        if q == self.transition and self.reported_by == "districts":
            return (BEFORE, AFTER)
        return (AFTER,)

    def communes_by_district(self) -> pd.DataFrame:
        """unit_code, area, area_name, order: the former district each of today's communes is counted with (that of
        its main predecessor), in the crosswalk's order of districts."""
        counted = self.members[(self.members["view"] == "district") & (self.members["side"] == AFTER)]
        names = self.areas.loc[self.areas["view"] == "district", ["area", "area_name", "order"]]
        return counted.merge(names, on="area", how="left", validate="many_to_one")[
            ["unit_code", "area", "area_name", "order"]
        ]

    def membership(self, periods: list[str]) -> pd.DataFrame:
        """unit_code, period, view, area: every unit whose figure of a period counts in an area."""
        frames = [self.members[self.members["side"].isin(self.sides(p))].assign(period=p) for p in periods]
        columns = ["unit_code", "period", "view", "area"]
        return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def _wards(data: dict, registry: UnitRegistry, where: str) -> pd.DataFrame:
    """One row per (commune, former ward) of the file, every code checked against the registry."""
    rows = []
    for code, commune in (data.get("communes") or {}).items():
        if code not in registry.codes or registry.get(code).type != "commune":
            raise SuccessionError(f"{where}: “{code}” không phải là xã, phường, đặc khu trong units.yaml")
        wards = commune.get("predecessors") or []
        if sum(bool(w.get("main")) for w in wards) != 1:
            raise SuccessionError(f"{where}: xã {code} phải có đúng một xã cũ chính (main: true)")
        for w in wards:
            district = w.get("district_unit") or ""
            if district and (district not in registry.codes or registry.get(district).type != "district"):
                raise SuccessionError(f"{where}: xã {code}: huyện cũ “{district}” không có trong units.yaml")
            rows.append((code, w["ward"], w["district"], district, w["province"], bool(w.get("divided")),
                         bool(w.get("main"))))  # fmt: skip
    columns = ["unit", "ward", "district", "district_unit", "province", "divided", "main"]
    return pd.DataFrame(rows, columns=columns)


def _agency_members(data: dict, registry: UnitRegistry, before: Quarter, where: str) -> list[tuple]:
    """Today's agency after; before, its predecessors and itself when it already reported then."""
    rows = []
    for code, agency in (data.get("agencies") or {}).items():
        for unit in [code, *(agency.get("predecessors") or [])]:
            if unit not in registry.codes or registry.get(unit).type != "agency":
                raise SuccessionError(f"{where}: “{unit}” không phải là cơ quan cấp tỉnh trong units.yaml")
        rows.append(("agency", code, AFTER, code))
        rows += [("agency", code, BEFORE, p) for p in agency.get("predecessors") or []]
        if registry.get(code).active_in(before):
            rows.append(("agency", code, BEFORE, code))
    return rows


def _district_area(wards: pd.DataFrame) -> pd.Series:
    """A former district's area code: its unit code, else the slug of its province and name."""
    fallback = (wards["province"] + " " + wards["district"]).map(slug)
    return wards["district_unit"].where(wards["district_unit"] != "", fallback)


def from_mapping(data: dict, registry: UnitRegistry, reform: Reform, where: str = FILE) -> Succession:
    """The succession of a parsed crosswalk file (see :func:`load_succession`)."""
    wards = _wards(data, registry, where)
    wards = wards.assign(district_area=_district_area(wards), province_area=wards["province"].map(slug))
    main = wards[wards["main"].astype(bool)]
    pairs = set(zip(wards["province_area"], wards["district_unit"], strict=True))
    members = [("province", a, BEFORE, d) for a, d in pairs]
    members += [("district", d, BEFORE, d) for d in set(wards["district_unit"])]
    members = [m for m in members if m[3]]  # a former district not in the registry has no figures before
    members += [("province", a, AFTER, u) for a, u in zip(main["province_area"], main["unit"], strict=True)]
    members += [("district", a, AFTER, u) for a, u in zip(main["district_area"], main["unit"], strict=True)]
    members += _agency_members(data, registry, reform.transition_quarter.previous(), where)
    table = pd.DataFrame(members, columns=["view", "area", "side", "unit_code"]).drop_duplicates()
    return Succession(
        transition=reform.transition_quarter,
        reported_by=reform.reported_by,
        members=table.sort_values(["view", "area", "side", "unit_code"]).reset_index(drop=True),
        areas=_areas(wards, data, registry),
        source=str(data.get("source") or ""),
    )


def _areas(wards: pd.DataFrame, data: dict, registry: UnitRegistry) -> pd.DataFrame:
    """Each area with its name, a district's former province, the order it is shown in and why it is approximate."""
    changed = {
        "province": boundary_changes(wards, "unit", ["province_area"], divided=False),
        "district": boundary_changes(wards, "unit", ["district_area"], divided=True),
    }
    rows = []
    provinces = list(dict.fromkeys(wards["province"]))
    for order, name in enumerate(provinces):
        rows.append(("province", slug(name), name, "", order, changed["province"].get((slug(name),), set())))
    districts = wards.drop_duplicates("district_area")
    districts = districts.sort_values("province", key=lambda s: s.map(provinces.index), kind="stable")
    repeated = set(districts.loc[districts["district"].duplicated(), "district"])  # "Huyện Châu Thành" of two
    for order, d in enumerate(districts.itertuples()):
        reasons = changed["district"].get((d.district_area,), set())
        name = f"{d.district} ({d.province})" if d.district in repeated else d.district
        rows.append(("district", d.district_area, name, d.province, order, reasons))
    for order, code in enumerate(data.get("agencies") or {}):
        rows.append(("agency", code, registry.get(code).name, "", order, set()))
    table = pd.DataFrame(rows, columns=["view", "area", "area_name", "parent", "order", "reasons"])
    return table.assign(
        approximate=table["reasons"].map(bool), reasons=table["reasons"].map(lambda r: ",".join(sorted(r)))
    )


def load_succession(path: str | Path, registry: UnitRegistry, reform: Reform | None) -> Succession | None:
    """The workspace's crosswalk, None when it has none (or no reform is configured); SuccessionError naming the
    file when it does not fit the registry."""
    path = Path(path)
    if reform is None or not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise SuccessionError(f"{path.name}: không đọc được ({err})") from err
    if not isinstance(data, dict):
        raise SuccessionError(f"{path.name}: cần các mục communes, agencies")
    try:
        return from_mapping(data, registry, reform, path.name)
    except (KeyError, TypeError, AttributeError) as err:  # a hand edit without a field, or an entry without a value
        raise SuccessionError(f"{path.name}: thiếu hoặc sai mục {err} (xem chú thích đầu tệp)") from err
