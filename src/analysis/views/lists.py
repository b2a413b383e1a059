"""The list forms of a quarter as tables a person reads (02/PCTN cases, 03/PCTN documents): one row per item, its
unit, its fields in printed order under their printed names, and where it was read. These name cases and
agencies: they are shown on the analysts' internal page only (`report.internal_page`)."""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.lists import ListForm

UNIT, NUMBER, WHERE = "Đơn vị", "STT", "Nguồn (tệp, ô)"


def list_table(lists: pd.DataFrame, form: ListForm, quarter: str) -> pd.DataFrame:
    """The items of `form` in `quarter` (the `lists` table, tidy) as one row per item, by unit then item order."""
    rows = lists[(lists["form"] == form.code) & (lists["period"] == quarter)]
    names = {f.code: f.name for f in form.fields}
    columns = [UNIT, NUMBER, *names.values(), WHERE]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    wide = (
        rows.pivot_table(
            index=["unit_name", "file", "item"], columns="field", values="value", aggfunc="first", sort=False
        )
        .reindex(columns=list(names))
        .astype(object)
    )
    first = rows.groupby(["unit_name", "file", "item"], sort=False)[["sheet", "cell"]].first()
    where = first["sheet"] + "!" + first["cell"]
    return (
        wide.rename(columns=names, errors="raise")
        .fillna("")
        .assign(**{WHERE: [f"{file} · {at}" for (_, file, _), at in where.items()]})
        .reset_index()
        .sort_values(["unit_name", "file", "item"], kind="stable")
        .rename(columns={"unit_name": UNIT, "item": NUMBER}, errors="raise")
        .drop(columns="file")
        .reset_index(drop=True)[columns]
    )
