"""Codes → the words a person reads, from ``labels.yaml`` beside this module: one place for every display word of a
code (completeness and submission status, severity, unit type …).

Tables keep the codes; pages, Excel, Word and the label columns of the CSV files call :func:`label` or
:func:`label_column` at the edge. An unknown code is a programming error (KeyError naming the group and code), never
a silent blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

import pandas as pd

from analysis.core.config import yaml_load

__all__ = ["CSV_LABELS", "group", "label", "label_column", "with_label_columns"]

# table → (code column, label group): the label columns added to the CSV files analysts open in Excel
CSV_LABELS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "submissions": (("status", "submission_status"),),
    "issues": (("severity", "severity"), ("submission_status", "submission_status")),
    "completeness": (("status", "completeness_status"), ("unit_type", "unit_type")),
}
LABEL_SUFFIX = "_label"


@cache
def _all() -> Mapping[str, Mapping[str, str]]:
    text = resources.files("analysis.core").joinpath("labels.yaml").read_text(encoding="utf-8")
    data = yaml_load(text)
    shape_ok = isinstance(data, dict) and all(isinstance(v, dict) for v in data.values())
    assert shape_ok, "labels.yaml must map group → code → text"
    return {name: dict(codes) for name, codes in data.items()}


def group(name: str) -> Mapping[str, str]:
    """Every code of one group with its words, in file order."""
    try:
        return _all()[name]
    except KeyError:
        raise KeyError(f"labels.yaml has no group {name!r}") from None


def label(name: str, code: str) -> str:
    """The words for ``code`` in group ``name``: ``label("severity", "error")`` → "Lỗi"."""
    words = group(name)
    try:
        return words[code]
    except KeyError:
        raise KeyError(f"labels.yaml, group {name!r}: no code {code!r} (known: {', '.join(words)})") from None


def label_column(codes: pd.Series, name: str) -> pd.Series:
    """A column of codes as words ("" stays ""); KeyError for a code the group does not know."""
    words = group(name)
    unknown = sorted(set(codes.dropna()) - set(words) - {""})
    if unknown:
        raise KeyError(f"labels.yaml, group {name!r}: no code {unknown} (known: {', '.join(words)})")
    return codes.map(lambda c: words.get(c, "")).astype("str")


def with_label_columns(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """``df`` with a ``<column>_label`` column in words after each coded column of ``table`` (CSV for people)."""
    out = df
    for column, name in CSV_LABELS.get(table, ()):
        position = out.columns.get_loc(column) + 1
        out = out.copy() if out is df else out
        out.insert(position, column + LABEL_SUFFIX, label_column(df[column], name))
    return out


def unit_group_heading(unit_type: str, count: int) -> str:
    """The heading of the units of one type: "Cấp xã (125 đơn vị cấp xã)", "Cơ quan cấp tỉnh (8 cơ quan)"."""
    from analysis.core import vnformat

    return f"{label('unit_type', unit_type)} ({vnformat.number(count)} {label('unit_count', unit_type)})"


def district_group_heading(district: str, unit_type: str, count: int) -> str:
    """The heading of today's communes counted with one former district: "Huyện Hòa An (cũ) — 14 đơn vị cấp xã";
    `district` "": the communes the crosswalk places in none."""
    from analysis.core import vnformat

    where = f"{district} (cũ)" if district else "Chưa có trong bảng chuyển đổi"
    return f"{where} — {vnformat.number(count)} {label('unit_count', unit_type)}"
