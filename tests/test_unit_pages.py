"""A unit page's key hashes that unit's own rows: computed for every unit from one pass over each table."""

from __future__ import annotations

import pandas as pd

from analysis.report.unit_pages import _row_hashes


def test_each_units_row_hashes_are_those_of_its_rows_alone():
    table = pd.DataFrame(
        {"unit_code": ["b", "a", "b", "c"], "indicator": ["X", "X", "Y", "X"], "value": [1.0, 2.0, None, 4.0]}
    )
    columns, by_unit = _row_hashes(table)
    assert columns == ["unit_code", "indicator", "value"]
    for code in "abc":
        own = table[table["unit_code"] == code].astype(str)
        assert by_unit[code] == pd.util.hash_pandas_object(own, index=False).to_numpy().tobytes()
    assert len(by_unit["b"]) == 16  # its two rows, in table order


def test_a_change_in_one_units_row_leaves_the_others_hashes_alone():
    table = pd.DataFrame({"unit_code": ["a", "b"], "value": [1.0, 2.0]})
    _, before = _row_hashes(table)
    _, after = _row_hashes(table.assign(value=[1.0, 3.0]))
    assert before["a"] == after["a"] and before["b"] != after["b"]


def test_an_empty_table_gives_no_unit_rows():
    assert _row_hashes(pd.DataFrame(columns=["unit_code", "value"])) == (["unit_code", "value"], {})
