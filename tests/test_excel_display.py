"""What a PC shows of the workbook's figures, whatever its locale: the cells' formats and their text as LibreOffice
displays them (converted to CSV "as shown", with an English locale, the case that showed 7,048 and 8.9%)."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess

import pytest
from openpyxl import Workbook, load_workbook

from analysis.exports.cells import COUNT_FORMAT, set_change, set_figure

FIGURES = [  # (value, unit, what a Vietnamese reader must see), each checked by hand
    (7048, "lượt", "7.048"),
    (1_234_567, "lượt", "1.234.567"),
    (1000, "đơn", "1.000"),
    (999, "đơn", "999"),
    (0, "vụ việc", "0"),
    (305.6, "triệu đồng", "305,6"),
    (2543.0, "triệu đồng", "2.543"),
    (85.25, "%", "85,3%"),
    (100, "%", "100,0%"),
]
CHANGES = [(8.94, False, "+8,9%"), (-3.0, False, "-3,0%"), (7.8, True, "+7,8 điểm %"), (0.0, False, "0,0%")]


def _sheet(path):
    wb = Workbook()
    ws = wb.active
    for row, (value, unit, _) in enumerate(FIGURES, start=1):
        set_figure(ws, row, 1, value, unit)
    for row, (value, points, _) in enumerate(CHANGES, start=1):
        set_change(ws, row, 2, value, points)
    wb.save(path)


def test_whole_counts_are_numbers_with_literal_dots_and_decimals_are_text(tmp_path):
    _sheet(tmp_path / "so.xlsx")
    ws = load_workbook(tmp_path / "so.xlsx").active
    for row, (value, unit, _) in enumerate(FIGURES, start=1):
        cell = ws.cell(row=row, column=1)
        if unit != "%" and float(value).is_integer():
            assert (cell.data_type, cell.value, cell.number_format) == ("n", value, COUNT_FORMAT)
        else:
            assert cell.data_type == "s" and cell.alignment.horizontal == "right"
    assert all(ws.cell(row=r, column=2).data_type == "s" for r in range(1, len(CHANGES) + 1))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_shows_the_figures_the_vietnamese_way_on_an_english_pc(tmp_path):
    _sheet(tmp_path / "so.xlsx")
    env = {**os.environ, "LC_ALL": "en_US.UTF-8", "LANG": "en_US.UTF-8", "HOME": str(tmp_path)}
    argv = [
        "soffice",
        f"-env:UserInstallation=file://{tmp_path / 'profile'}",
        "--headless",
        "--convert-to",
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",  # UTF-8, cells as shown
        "--outdir",
        str(tmp_path),
        str(tmp_path / "so.xlsx"),
    ]
    subprocess.run(argv, check=True, capture_output=True, timeout=180, env=env)
    with (tmp_path / "so.csv").open(encoding="utf-8") as fh:
        shown = list(csv.reader(fh))
    assert [r[0] for r in shown] == [said for *_, said in FIGURES]
    assert [r[1] for r in shown[: len(CHANGES)]] == [said for *_, said in CHANGES]
