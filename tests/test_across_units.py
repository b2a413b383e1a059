"""The comparison page at a province's scale: units by type, heatmaps of a readable size, long rankings folded."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from analysis.views import across_units
from analysis.views import notebook as nb


def province(communes: int, agencies: int) -> SimpleNamespace:
    """What the grouping reads of a quarter's data: the registry's units and the units compared."""
    units = [SimpleNamespace(code=f"xa_{i:03d}", name=f"Xã {i:03d}", type="commune") for i in range(communes)]
    units += [SimpleNamespace(code=f"so_{i}", name=f"Sở {i}", type="agency") for i in range(agencies)]
    units.insert(1, units.pop())  # an agency between two communes in the registry: grouped all the same
    compared = pd.DataFrame({"unit_name": [u.name for u in units]})
    return SimpleNamespace(registry=SimpleNamespace(units=units), unit_comparison=compared, succession=None)


def with_districts(data: SimpleNamespace, district_of: dict[str, tuple[int, str]]) -> SimpleNamespace:
    """`data` with a crosswalk counting each listed commune with a former district (order, name)."""
    rows = [(code, f"h{order}", name, order) for code, (order, name) in district_of.items()]
    table = pd.DataFrame(rows, columns=["unit_code", "area", "area_name", "order"])
    data.succession = SimpleNamespace(communes_by_district=lambda: table)
    return data


def test_units_are_grouped_by_type_local_units_first():
    groups = across_units.unit_groups(province(3, 2))
    assert groups == [("commune", ["Xã 000", "Xã 001", "Xã 002"]), ("agency", ["Sở 1", "Sở 0"])]  # registry order


def test_a_small_province_keeps_one_heatmap():
    (chunk,) = across_units.heatmap_chunks(province(10, 3))
    assert chunk[0] == "" and len(chunk[1]) == 13


def test_a_large_province_gets_heatmaps_of_at_most_15_units_of_one_type():
    chunks = across_units.heatmap_chunks(province(125, 8))
    sizes = [len(units) for _, units in chunks]
    assert sizes == [14] * 8 + [13, 8]  # 125 communes in 9 even runs, then the 8 agencies on their own
    assert chunks[0][0] == "Cấp xã (125 đơn vị cấp xã), 1–14"
    assert chunks[8][0] == "Cấp xã (125 đơn vị cấp xã), 113–125"
    assert chunks[9][0] == "Cơ quan cấp tỉnh (8 cơ quan)"
    assert all(name.startswith("Sở") for name in chunks[9][1])


def test_communes_run_by_former_district_where_the_crosswalk_is_known():
    data = province(30, 2)
    district_of = {f"xa_{i:03d}": (1, "Huyện Bắc") for i in range(0, 12)}  # listed second in the crosswalk
    district_of |= {f"xa_{i:03d}": (0, "Huyện Nam") for i in range(12, 29)}  # 17: more than one heatmap holds
    chunks = across_units.heatmap_chunks(with_districts(data, district_of))
    assert [(heading, len(units)) for heading, units in chunks] == [
        ("Huyện Nam (cũ) — 17 đơn vị cấp xã, 1–9", 9),
        ("Huyện Nam (cũ) — 17 đơn vị cấp xã, 10–17", 8),
        ("Huyện Bắc (cũ) — 12 đơn vị cấp xã", 12),
        ("Chưa có trong bảng chuyển đổi — 1 đơn vị cấp xã", 1),  # xa_029: no former ward in the crosswalk
        ("Cơ quan cấp tỉnh (2 cơ quan)", 2),
    ]
    assert chunks[2][1][0] == "Xã 000" and chunks[3][1] == ["Xã 029"]


def test_a_long_ranking_shows_its_first_and_last_units_and_folds_the_whole_list(monkeypatch):
    shown, folded = [], []
    monkeypatch.setattr(nb, "table", lambda frame, columns=(), note="": shown.append((frame, note)))
    monkeypatch.setattr(nb, "folded", lambda summary, html: folded.append((summary, html)))
    table = pd.DataFrame({"Xếp hạng": [str(i) for i in range(1, 126)], "Đơn vị": [f"Xã {i}" for i in range(125)]})
    table.attrs["cell_class"] = {"Đơn vị": ["tang" if i % 2 else "giam" for i in range(125)]}
    across_units._ranking(table, 125)
    ((short, note),) = shown
    # the shown rows keep the direction of their change cells (the gap row has none)
    assert short.attrs["cell_class"]["Đơn vị"] == ["giam", "tang"] * 5 + [""] + ["tang", "giam"] * 5
    assert list(short["Xếp hạng"]) == [str(i) for i in range(1, 11)] + ["…"] + [str(i) for i in range(116, 126)]
    assert "10 đơn vị đầu và 10 đơn vị cuối" in note
    ((summary, html),) = folded
    assert summary == "Xem đủ 125 đơn vị" and html.count("<tr>") == 126  # the header and every unit


def test_a_short_ranking_is_shown_whole(monkeypatch):
    shown, folded = [], []
    monkeypatch.setattr(nb, "table", lambda frame, columns=(), note="": shown.append(frame))
    monkeypatch.setattr(nb, "folded", lambda summary, html: folded.append(summary))
    across_units._ranking(pd.DataFrame({"Xếp hạng": [str(i) for i in range(1, 21)]}), 20)
    assert len(shown[0]) == 20 and not folded
