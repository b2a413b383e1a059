"""The ward-level conversion of the 1/7/2025 reform (former province, district and ward → new province and ward),
read from a published table as it is (CSV or Excel; headers matched by their words, Vietnamese or English, so a copy
such as vietnamadminunits' ``convert_legacy_2025_simple.csv`` loads unchanged), and each new commune's predecessors.

Each new commune has one main predecessor: in the former district that gave it most wards (the first in the table
on a tie), the ward of its own name, else the first ward not divided, else the first. A former district is
approximate when its area is no whole set of new communes: one of its wards was split across several new communes
(``divided``), or a new commune holds wards of it and of another district (``crossing``). Measured on the whole
vietnamadminunits table: Phú Thọ 482 rows, 148 communes, 3 districts with a divided ward, 3 crossing communes; Hà
Nội 64 crossing communes; Lào Cai none divided but 12 crossing, so the split wards alone would miss most.

Today's agencies are matched to the former provinces' by name: "Sở Y tế tỉnh Hòa An" and "Sở Y tế tỉnh Giang Sơn"
→ "Sở Y tế"; a former agency of no (or several) agencies of today is listed, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.core.periods import Quarter
from analysis.core.succession import boundary_changes
from analysis.core.text import fold
from analysis.core.units import UnitRegistry, unit_key

# field -> the whole headers (folded, camelCase split) that name it
HEADERS: dict[str, tuple[str, ...]] = {
    "old_province": ("province", "old province", "legacy province", "tinh cu", "ten tinh cu", "tinh thanh cu"),
    "old_district": ("district", "old district", "legacy district", "huyen cu", "ten huyen cu", "quan huyen cu"),
    "old_ward": ("ward", "old ward", "legacy ward", "xa cu", "ten xa cu", "phuong xa cu", "xa phuong cu"),
    "new_province": ("new province", "tinh moi", "ten tinh moi", "tinh thanh moi"),
    "new_ward": ("new ward", "xa moi", "ten xa moi", "phuong xa moi", "xa phuong moi"),
    "divided": ("is divided ward", "divided", "divided ward", "tach mot phan", "chia tach"),
}
REQUIRED = ("old_district", "old_ward", "new_ward")
_TRUE = {"true", "1", "x", "co", "yes"}
_CAMEL = re.compile(r"([a-z])([A-Z])")


class CrosswalkError(ValueError):
    """A conversion table that cannot be read (message in Vietnamese, naming the file)."""


def _key(header: object) -> str:
    return fold(_CAMEL.sub(r"\1 \2", str(header)))


def columns_of(headers: list[object], source: str) -> dict[str, object]:
    """field -> the header naming it; CrosswalkError naming the file when a required field has none."""
    found = {}
    for field, names in HEADERS.items():
        match = next((h for h in headers if _key(h) in names), None)
        if match is not None:
            found[field] = match
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise CrosswalkError(
            f"{source}: không tìm thấy cột {', '.join(missing)} (tỉnh, huyện, xã cũ; xã mới) trong tiêu đề: "
            f"{', '.join(map(str, headers))}"
        )
    return found


def read_conversion(path: str | Path) -> pd.DataFrame:
    """The table at `path` as rows (old_province, old_district, old_ward, new_province, new_ward, divided), in file
    order, texts stripped; a former ward given for several new communes is divided whatever its flag says."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        raw = pd.read_excel(path, dtype=str, engine="calamine").fillna("")
    else:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    columns = columns_of(list(raw.columns), path.name)
    out = pd.DataFrame({field: raw[columns[field]].str.strip() if field in columns else "" for field in HEADERS})
    flagged = out["divided"].map(lambda v: fold(v) in _TRUE)
    repeated = out.duplicated(["old_province", "old_district", "old_ward"], keep=False)
    return out.assign(divided=flagged | repeated)


def predecessors(conversion: pd.DataFrame, new_province: str | None = None) -> pd.DataFrame:
    """One row per (new commune, former ward) of `new_province` (all when None), with `main` marking each new
    commune's main predecessor ward."""
    rows = conversion if new_province is None else conversion[conversion["new_province"] == new_province]
    rows = rows.reset_index(drop=True)
    district = rows.groupby(["new_ward", "old_province", "old_district"], sort=False)
    ranked = rows.assign(
        wards=district["old_ward"].transform("size"),  # the former district that gave most wards …
        seen=district.ngroup(),  # … the first in the table on a tie
        same=[fold(o) == fold(n) for o, n in zip(rows["old_ward"], rows["new_ward"], strict=True)],
        whole=~rows["divided"],
        order=range(len(rows)),
    ).sort_values(["wards", "seen", "same", "whole", "order"], ascending=[False, True, False, False, True])
    main = rows.index.isin(ranked.drop_duplicates("new_ward").index)
    return rows.assign(main=main)


def approximate_districts(conversion: pd.DataFrame) -> dict[tuple[str, str], set[str]]:
    """(former province, former district) → why its area is no whole set of new communes: a ward of it divided
    ("divided"), or a new commune with wards of it and of another district ("crossing";
    `analysis.core.succession.boundary_changes`)."""
    table = predecessors(conversion)
    return boundary_changes(table, "new_ward", ["old_province", "old_district"], divided=True)


@dataclass(frozen=True)
class Crosswalk:
    """The province's communes with their former wards, matched to the unit registry; what did not match."""

    province: str
    rows: pd.DataFrame  # predecessors() of the province, with `unit` (commune code) and `district_unit` ("" unknown)
    not_in_registry: tuple[str, ...]  # new communes of the table the registry does not have
    without_predecessor: tuple[str, ...]  # communes of the registry (codes) the table gives no former ward
    approximate: tuple[tuple[str, str, str], ...]  # (former province, former district, reasons) not a whole set
    agencies: dict[str, tuple[str, ...]]  # today's agency code → the former provinces' agencies it took over
    agencies_unmatched: tuple[str, ...]  # former agencies (codes) of no agency of today


def build_crosswalk(conversion: pd.DataFrame, registry: UnitRegistry, transition: Quarter) -> Crosswalk:
    """The registry's province in `conversion`: each new commune matched by its name in the transition quarter,
    each former district by its name in the quarter before; what cannot be matched is listed, never guessed."""
    province = registry.province_name
    named = conversion["new_province"].map(fold)
    ours = conversion[named == fold(province)] if named.any() else conversion  # a table of one province may omit it
    table = predecessors(ours)
    before = transition.previous()

    def code(name: str, quarter: Quarter, unit_type: str) -> str:
        unit = registry.match(name, quarter)
        return unit.code if unit is not None and unit.type == unit_type else ""

    communes = {name: code(name, transition, "commune") for name in table["new_ward"].unique()}
    pairs = table[["old_province", "old_district"]].drop_duplicates()
    repeated = set(pairs.loc[pairs["old_district"].duplicated(), "old_district"])  # "Huyện Châu Thành" of two
    districts = {  # a name two former provinces share is matched only with its province ("… tỉnh Bến Tre")
        (p, d): code(f"{d} {p}" if d in repeated else d, before, "district") for p, d in pairs.itertuples(index=False)
    }
    keys = list(zip(table["old_province"], table["old_district"], strict=True))
    table = table.assign(unit=table["new_ward"].map(communes), district_unit=[districts[k] for k in keys])
    given = set(table["unit"])
    expected = [u.code for u in registry.units if u.type == "commune" and u.active_in(transition)]
    return Crosswalk(
        province=province,
        rows=table,
        not_in_registry=tuple(name for name, unit in communes.items() if not unit),
        without_predecessor=tuple(c for c in expected if c not in given),
        approximate=tuple((p, d, ",".join(sorted(r))) for (p, d), r in sorted(approximate_districts(ours).items())),
        **_agencies(registry, transition, list(dict.fromkeys(ours["old_province"]))),
    )


def _agency_key(name: str, places: list[str]) -> str:
    """ "Sở Y tế tỉnh Hòa An" → "so y te" (without the former province and a final "tỉnh"); "Công an tỉnh" →
    "cong an"."""
    key = unit_key(name)
    for place in places:
        key = key.removesuffix(" " + place)
    return key.removesuffix(" tinh")


def _agencies(registry: UnitRegistry, transition: Quarter, provinces: list[str]) -> dict:
    """Each agency of today with the former agencies of the same name and a former province's place name; a former
    agency matching none, or several, is listed, never guessed."""
    places = [unit_key(p).removeprefix("tinh ").removeprefix("tp ") for p in provinces if p]
    before = transition.previous()
    former = [u for u in registry.units if u.type == "agency" and u.active_in(before) and not u.active_in(transition)]
    today = [u for u in registry.units if u.type == "agency" and u.active_in(transition)]
    keys = {u.code: _agency_key(u.name, places) for u in today}
    agencies: dict[str, list[str]] = {}
    unmatched = []
    for unit in former:
        key = unit_key(unit.name)
        named = any(key.endswith(" " + p) for p in places)
        successors = [code for code, k in keys.items() if k == _agency_key(unit.name, places)] if named else []
        if len(successors) == 1:
            agencies.setdefault(successors[0], []).append(unit.code)
        else:
            unmatched.append(unit.code)
    ordered = {code: tuple(agencies[code]) for code in keys if code in agencies}
    return {"agencies": ordered, "agencies_unmatched": tuple(unmatched)}


def crosswalk_yaml(crosswalk: Crosswalk, source: str, registry: UnitRegistry) -> str:
    """config/crosswalk.yaml: per commune its former wards (district, province, divided, main), per agency of today
    the former agencies it took over, the approximate former districts and what did not match."""

    def name_of(code: str) -> str:
        return registry.get(code).name

    communes = {}
    for unit, group in crosswalk.rows[crosswalk.rows["unit"] != ""].groupby("unit", sort=False):
        communes[unit] = {"name": group["new_ward"].iloc[0], "predecessors": [_ward(r) for r in group.itertuples()]}
    data = {
        "province": crosswalk.province,
        "source": source,
        "communes": communes,
        "agencies": {
            code: {"name": name_of(code), "predecessors": list(former)} for code, former in crosswalk.agencies.items()
        },
        "approximate_districts": [{"province": p, "district": d, "reason": r} for p, d, r in crosswalk.approximate],
        "agencies_unmatched": list(crosswalk.agencies_unmatched),
        "not_in_registry": list(crosswalk.not_in_registry),
        "without_predecessor": list(crosswalk.without_predecessor),
    }
    return _HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def _ward(r) -> dict:
    """One former ward of a commune, as the YAML keeps it (flags only when set)."""
    ward = {"ward": r.old_ward, "district": r.old_district, "district_unit": r.district_unit or None}
    ward["province"] = r.old_province
    return ward | ({"divided": True} if r.divided else {}) | ({"main": True} if r.main else {})


_HEADER = (
    "# Kế thừa địa giới sau sắp xếp ngày 1/7/2025: mỗi xã, phường, đặc khu với các xã, phường, thị trấn cũ hợp thành\n"
    "# (huyện, tỉnh cũ); divided: xã cũ được chia cho nhiều xã mới; main: xã cũ chính (xã mới được tính vào huyện,\n"
    "# tỉnh cũ của xã cũ chính); agencies: cơ quan cấp tỉnh hiện nay và các cơ quan của tỉnh cũ được hợp nhất vào.\n"
    "# approximate_districts (huyện cũ có số liệu ước tính, do điều chỉnh địa giới) chỉ để xem: được tính lại từ\n"
    "# các mục trên mỗi lần lập báo cáo. Tạo bằng `python -m analysis units import-crosswalk TỆP`; sửa tay được,\n"
    "# chạy lại lệnh sẽ ghi đè.\n"
)
