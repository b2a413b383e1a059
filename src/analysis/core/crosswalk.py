"""The ward-level conversion of the 1/7/2025 reform (former province, district and ward → new province and ward),
read from a published table as it is (CSV or Excel; headers matched by their words, Vietnamese or English, so a copy
such as vietnamadminunits' ``convert_legacy_2025_simple.csv`` loads unchanged), and each new commune's predecessors.

A former ward split across several new communes (``divided``) makes every former district holding one approximate:
its area is not a whole set of new communes. Each new commune has one main predecessor: in the former district that
gave it most wards (the first in the table on a tie), the ward of its own name, else the first ward not divided,
else the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.core.periods import Quarter
from analysis.core.text import fold
from analysis.core.units import UnitRegistry

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


def approximate_districts(conversion: pd.DataFrame) -> set[tuple[str, str]]:
    """(former province, former district) of every district holding a divided ward."""
    divided = conversion[conversion["divided"]]
    return set(zip(divided["old_province"], divided["old_district"], strict=True))


@dataclass(frozen=True)
class Crosswalk:
    """The province's communes with their former wards, matched to the unit registry; what did not match."""

    province: str
    rows: pd.DataFrame  # predecessors() of the province, with `unit` (commune code) and `district_unit` ("" unknown)
    not_in_registry: tuple[str, ...]  # new communes of the table the registry does not have
    without_predecessor: tuple[str, ...]  # communes of the registry (codes) the table gives no former ward
    approximate: tuple[tuple[str, str], ...]  # (former province, former district) holding a divided ward


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
    districts = {name: code(name, before, "district") for name in table["old_district"].unique()}
    table = table.assign(unit=table["new_ward"].map(communes), district_unit=table["old_district"].map(districts))
    given = set(table["unit"])
    expected = [u.code for u in registry.units if u.type == "commune" and u.active_in(transition)]
    return Crosswalk(
        province=province,
        rows=table,
        not_in_registry=tuple(name for name, unit in communes.items() if not unit),
        without_predecessor=tuple(c for c in expected if c not in given),
        approximate=tuple(sorted(approximate_districts(ours))),
    )


def crosswalk_yaml(crosswalk: Crosswalk, source: str) -> str:
    """config/crosswalk.yaml: per commune its former wards (district, province, divided, main), the approximate
    former districts and what did not match."""
    communes = {}
    for unit, group in crosswalk.rows[crosswalk.rows["unit"] != ""].groupby("unit", sort=False):
        communes[unit] = {"name": group["new_ward"].iloc[0], "predecessors": [_ward(r) for r in group.itertuples()]}
    data = {
        "province": crosswalk.province,
        "source": source,
        "communes": communes,
        "approximate_districts": [{"province": p, "district": d} for p, d in crosswalk.approximate],
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
    "# (huyện, tỉnh cũ); divided: xã cũ được chia cho nhiều xã mới (số liệu theo huyện cũ là ước tính); main: xã cũ\n"
    "# chính. Tạo bằng `python -m analysis units import-crosswalk TỆP`; sửa tay được, chạy lại lệnh sẽ ghi đè.\n"
)
