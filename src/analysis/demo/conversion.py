"""The demo province's ward-level conversion of the reform (a scenario's ``province: conversion:`` block), written
the way an office would type it from its province's resolution: one row per former ward and new commune, Vietnamese
headers ("Tỉnh (cũ)", "Huyện (cũ)", "Xã (cũ)", "Tỉnh (mới)", "Xã (mới)", "Tách một phần"). The workspace's
``config/crosswalk.yaml`` is then imported from it by the same code as ``units import-crosswalk``.

Each commune is formed from the former ward of its name (a đặc khu from the former township, "Thị trấn Cô Tiên") and
one more ("Xã Tân Phú Đông", a suffix per commune of its district); besides, ``moved`` wards join a commune of another
district and ``divided`` wards are split between several communes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analysis.demo.scenario import ScenarioError

__all__ = ["HEADERS", "conversion_rows", "conversion_csv"]

HEADERS = ("STT", "Tỉnh (cũ)", "Huyện (cũ)", "Xã (cũ)", "Tỉnh (mới)", "Xã (mới)", "Tách một phần")
FILE = "data/external/chuyen-doi-dia-gioi-2025.csv"  # in the workspace


def _own_ward(commune: str) -> str:
    return "Thị trấn " + commune.removeprefix("Đặc khu ") if commune.startswith("Đặc khu ") else commune


def _other_ward(commune: str, suffix: str) -> str:
    kind, _, place = commune.partition(" ")
    kind = "Phường" if kind == "Phường" else "Xã"
    if commune.startswith("Đặc khu "):
        place = commune.removeprefix("Đặc khu ")
    return f"{kind} {place} {suffix}"


def conversion_rows(raw: Mapping[str, Any], scale: Mapping[str, Any]) -> list[tuple[str, str, str, str, str, bool]]:
    """(former province, district, ward, new province, new commune, divided) for the province block `raw` cut to
    `scale`, in the order of the block; a moved or divided ward naming a district or commune the scale drops is a
    ScenarioError."""
    spec = raw.get("conversion") or {}
    suffixes = spec.get("suffixes") or ["Đông"]
    new = raw["name"]
    rows, kept, districts = [], set(), {}
    for old in raw["former_provinces"]:
        for d in old["districts"][: scale.get("districts")]:
            districts[d["name"]] = old["name"]
            for i, commune in enumerate(d["communes"][: scale.get("communes")]):
                kept.add(commune)
                for ward in (_own_ward(commune), _other_ward(commune, suffixes[i % len(suffixes)])):
                    rows.append((old["name"], d["name"], ward, new, commune, False))
    for kind in ("moved", "divided"):
        for case in spec.get(kind) or []:
            targets = case["to"] if isinstance(case["to"], list) else [case["to"]]
            missing = [case["district"]] if case["district"] not in districts else []
            missing += [t for t in targets if t not in kept]
            if missing:
                raise ScenarioError(f"conversion {kind}: {', '.join(missing)} not in the province at this scale")
            province = districts[case["district"]]
            rows += [(province, case["district"], case["ward"], new, t, kind == "divided") for t in targets]
    return rows


def conversion_csv(raw: Mapping[str, Any], scale: Mapping[str, Any]) -> str:
    """The conversion table as CSV text (UTF-8, opened in Excel with the BOM the writer adds)."""
    lines = [",".join(HEADERS)]
    for i, (province, district, ward, new, commune, divided) in enumerate(conversion_rows(raw, scale), start=1):
        lines.append(",".join([str(i), province, district, ward, new, commune, "x" if divided else ""]))
    return "\n".join(lines) + "\n"
