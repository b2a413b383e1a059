"""The tables ingest writes: their names, and each table's columns in order with their dtypes (defined here
only; readers such as `compare.report_data` take the table names from here)."""

from __future__ import annotations

import pandas as pd

SCHEMA: dict[str, dict[str, str]] = {
    "values": {
        "unit_code": "str",
        "unit_name": "str",
        "period": "str",
        "indicator": "str",
        "value": "float64",
        "approx": "bool",
        "status": "str",
        "raw": "str",
        "note": "str",
        "remark": "str",
        "source_file": "str",
        "sheet": "str",
        "cell": "str",
    },
    "submissions": {
        "file": "str",
        "sha256": "str",
        "size_bytes": "int64",
        "unit_code": "str",
        "unit_name": "str",
        "period": "str",
        "report_date": "str",
        "status": "str",
        "reason": "str",
        "superseded_by": "str",
        "unit_source": "str",
        "period_source": "str",
        "n_values": "int64",
        "n_errors": "int64",
        "n_warnings": "int64",
    },
    "issues": {
        "file": "str",
        "sheet": "str",
        "cell": "str",
        "severity": "str",
        "rule": "str",
        "message": "str",
        "unit_code": "str",
        "period": "str",
        "indicator": "str",
        "submission_status": "str",
    },
    "lists": {
        "file": "str",
        "unit_code": "str",
        "unit_name": "str",
        "period": "str",
        "form": "str",
        "item": "int64",
        "field": "str",
        "value": "str",
        "sheet": "str",
        "cell": "str",
    },
    "manual": {  # the figures entered by hand (`ingest.manual`) and what became of each (`ingest.manual_apply`)
        "unit_code": "str",
        "unit_name": "str",
        "period": "str",
        "indicator": "str",
        "value": "float64",
        "approx": "bool",
        "raw": "str",
        "reason": "str",
        "entered_by": "str",
        "entered_on": "str",
        "document": "str",
        "file": "str",
        "sheet": "str",
        "cell": "str",
        "line": "int64",
        "outcome": "str",
        "unit_value": "float64",
        "unit_file": "str",
        "unit_sheet": "str",
        "unit_cell": "str",
    },
    "completeness": {
        "period": "str",
        "unit_code": "str",
        "unit_name": "str",
        "unit_type": "str",
        "expected": "bool",
        "received": "bool",
        "on_time": "boolean",
        "report_date": "str",
        "deadline": "str",
        "source_file": "str",
        "first_file": "str",
        "corrected": "bool",
        "correction_date": "str",
        "indicators_reported": "int64",
        "indicators_expected": "int64",
        "status": "str",
        "notes": "str",
        "note_files": "str",
    },
}
TABLES: tuple[str, ...] = tuple(SCHEMA)
# submission statuses whose content is used: a file (or a unit's row of a consolidated file) accepted, a
# consolidated file used through its units' rows (its own issues, such as a wrong total row, concern the figures),
# a file of list forms only (its items go into the lists table)
USED_STATUSES: tuple[str, ...] = ("accepted", "consolidated", "lists")  # "lists": a file of list forms only


def columns(table: str) -> list[str]:
    """The columns of `table`, in order."""
    return list(SCHEMA[table])


def frame(rows: list | pd.DataFrame, table: str) -> pd.DataFrame:
    """`rows` (lists in column order, dicts or a frame by column) as `table`: its columns, in order, and dtypes."""
    return pd.DataFrame(rows, columns=columns(table)).astype(SCHEMA[table])
