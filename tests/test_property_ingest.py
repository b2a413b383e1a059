"""Property test: a template filled with random figures and disturbed in random ways (rows inserted and swapped,
header shifted, sheets renamed and hidden, code column deleted, numbers typed as Vietnamese text) is ingested with
every figure either recovered exactly or reported as missing — never silently wrong."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from analysis.catalogue.template import COLUMNS, FIRST_DATA_ROW
from analysis.demo.sheet_edits import shift_rows
from analysis.ingest.run import ingest


def _vn_text(x: int) -> str:
    return f"{x:,}".replace(",", ".")


def disturb(wb: Workbook, plan: dict) -> None:
    sheets = wb.worksheets[1:]
    for i, ws in enumerate(sheets):
        ws.protection.sheet = False
        if plan["text_numbers"]:
            for row in range(FIRST_DATA_ROW, ws.max_row + 1):
                cell = ws.cell(row=row, column=COLUMNS["value"])
                if isinstance(cell.value, int) and cell.value >= 1000:
                    cell.value = _vn_text(cell.value)
        if plan["swap"] and ws.max_row > FIRST_DATA_ROW + 3:
            a, b = FIRST_DATA_ROW, FIRST_DATA_ROW + 2
            for col in COLUMNS.values():
                ws.cell(row=a, column=col).value, ws.cell(row=b, column=col).value = (
                    ws.cell(row=b, column=col).value,
                    ws.cell(row=a, column=col).value,
                )
        if plan["insert_at"] is not None:
            shift_rows(ws, FIRST_DATA_ROW + plan["insert_at"] % 5 + 1, 2)
        if plan["shift_header"]:
            shift_rows(ws, 1, plan["shift_header"])
        if plan["drop_codes"]:
            for rng in list(ws.merged_cells.ranges):
                ws.unmerge_cells(str(rng))
            ws.delete_cols(COLUMNS["code"])
        if plan["rename"]:
            ws.title = f"Sheet{i + 1}"
    if plan["hide"]:
        sheets[1].sheet_state = "hidden"
    if plan["reverse"]:
        for ws in list(sheets):
            wb.move_sheet(ws, offset=-wb.index(ws) + 1)


PLANS = st.fixed_dictionaries(
    {
        "text_numbers": st.booleans(),
        "swap": st.booleans(),
        "insert_at": st.none() | st.integers(0, 20),
        "shift_header": st.integers(0, 4),
        "drop_codes": st.booleans(),
        "rename": st.booleans(),
        "hide": st.booleans(),
        "reverse": st.booleans(),
    }
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=PLANS, seed=st.integers(0, 10**6))
def test_disturbed_template_values_recovered_or_reported(make_submission, ctx, forms, plan, seed):
    import random

    rng = random.Random(seed)
    unit_type = ctx.registry.units[0].type  # make_submission's unit
    values = {}
    for ind in forms.input_indicators():  # large figures, but possible ones (under the catalogue's cap)
        top = int(min(250_000, forms.cap(ind.code, unit_type) or 250_000))
        values[ind.code] = float(rng.choice([0, rng.randint(1, 99), rng.randint(1000, top)]))
    with tempfile.TemporaryDirectory() as folder:
        path = make_submission(name="x.xlsx", values=values, edits=[lambda wb: disturb(wb, plan)], folder=Path(folder))
        result = ingest(path.parent, ctx)
    subs = result.tables["submissions"]
    assert subs["status"].tolist() == ["accepted"], subs["reason"].tolist()
    got = result.tables["values"].set_index("indicator")["value"]
    issues = result.tables["issues"]
    missing_reported = " ".join(issues.loc[issues["rule"] == "missing_indicators", "message"])
    for code, expected in values.items():
        if code in got.index:
            assert got[code] == expected, (code, got[code], expected, plan)
        else:
            assert code in missing_reported, (code, plan)
