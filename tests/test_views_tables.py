"""Display tables say a change in the words of labels.yaml and carry its direction for the page as a code, so the
page never reads a direction back from the words."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalogue.load import load_catalogue
from analysis.core.periods import Quarter
from analysis.views import notebook, tables

Q = Quarter(2021, 3)


def _cmp(**rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{"indicator": code, **row} for code, row in rows.items()])
    for base in ("previous", "last_year"):
        frame[f"change_{base}"] = frame["value"] - frame[base]
        frame[f"pct_{base}"] = frame[f"change_{base}"] / frame[base] * 100
    return frame


def test_changes_are_worded_and_classed_by_kind() -> None:
    # TCD01 (lượt): 6.473 → 7.048 = +8,9%; 7.048 against 7.048 = unchanged.
    # GQ05 (a rate, %): 65,8 → 63,4 = −2,4 points; 100 → 100,04: rounds to 0,0 points = about the same.
    cmp = _cmp(
        TCD01={"value": 7048.0, "previous": 6473.0, "last_year": 7048.0,
               "status_previous": "increase", "status_last_year": "unchanged"},
        GQ05={"value": 63.4, "previous": 65.8, "last_year": 63.36,
              "status_previous": "decrease", "status_last_year": "increase"},
    )  # fmt: skip
    table = tables.comparison_table(cmp, load_catalogue(), Q, ["TCD01", "GQ05"])
    assert list(table["So với quý II/2021"]) == ["tăng 8,9%", "giảm 2,4 điểm phần trăm"]
    assert list(table["So với cùng kỳ năm 2020"]) == ["không thay đổi", "tương đương"]
    classes = table.attrs[tables.CELL_CLASS]
    assert classes == {"So với quý II/2021": ["tang", "giam"], "So với cùng kỳ năm 2020": ["", ""]}
    html = notebook.table_html(table, (tables.NAME,))
    assert html.count('class="tang"') == 1 and html.count('class="giam"') == 1


def test_a_cell_that_only_looks_like_a_change_is_not_coloured() -> None:
    frame = pd.DataFrame({"Đơn vị": ["Huyện Tăng Bình"], "Ghi chú": ["tăng ca"]})
    assert "tang" not in notebook.table_html(frame, ("Đơn vị", "Ghi chú"))


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2021q3-tinh-TCD01-Lượt tiếp công dân", "2021q3-tinh-tcd01-luot-tiep-cong-dan"),
        ("2021q3-don-vi-PCTN11-Tài sản tham nhũng đã thu hồi", "2021q3-don-vi-pctn11-tai-san-tham-nhung-da-thu-hoi"),
        ("Đơn vị / Đặc khu  Côn Đảo", "don-vi-dac-khu-con-dao"),  # đ → d, runs of anything else → one '-'
        ("???", "hinh"),
    ],
)
def test_a_figure_file_is_named_in_plain_letters(label, expected):
    assert notebook.safe_name(label) == expected
