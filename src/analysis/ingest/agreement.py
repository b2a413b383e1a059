"""A unit's figures used against its row in a consolidated file that was not used (`across.resolve_supersession`
decides which): where they disagree, both submissions get a warning showing both figures and their cells."""

from __future__ import annotations

import math

from analysis.core import vnformat
from analysis.ingest.record import Entry
from analysis.ingest.records import RecordStore

MAX_LISTED = 8  # disagreeing figures named in one warning
_INDICATOR, _VALUE, _SHEET, _CELL = 0, 1, 7, 8  # columns of a stored value row (`record.record_of`)


def check_consolidated(entries: list[Entry], store: RecordStore) -> None:
    """Every superseded consolidated row against the submission used for its unit and quarter."""
    used = {(e.sub.file, e.sub.unit.code, e.sub.period): e for e in entries if e.sub.status == "accepted"}
    for row in entries:
        s = row.sub
        if not s.part or s.status != "superseded":
            continue
        winner = used.get((s.superseded_by, s.unit.code, s.period))
        if winner is None:
            continue
        differences = _differences(store.values(winner.offset), store.values(row.offset))
        if differences:
            _warn(winner, row, differences)


def _differences(used: list[list], row: list[list]) -> list[tuple[list, list]]:
    """(used, row) value rows of the indicators both give, whose figures differ (a figure against a blank too)."""
    by_code = {r[_INDICATOR]: r for r in used}
    return [
        (by_code[r[_INDICATOR]], r)
        for r in row
        if r[_INDICATOR] in by_code and not _same(by_code[r[_INDICATOR]][_VALUE], r[_VALUE])
    ]


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _shown(r: list) -> str:
    figure = "trống" if r[_VALUE] is None else vnformat.auto(r[_VALUE])
    return f"{figure} ({r[_SHEET]}!{r[_CELL]})"


def _warn(winner: Entry, row: Entry, differences: list[tuple[list, list]]) -> None:
    w, s = winner.sub, row.sub
    listed = "; ".join(f"{u[_INDICATOR]}: {_shown(u)} và {_shown(r)}" for u, r in differences[:MAX_LISTED])
    more = f"; và {len(differences) - MAX_LISTED} chỉ tiêu khác" if len(differences) > MAX_LISTED else ""
    told = f"{len(differences)} số liệu của {s.unit.name} {s.period.vn} khác nhau giữa {w.file} và dòng của đơn vị"
    message = f"{told} trong tệp tổng hợp {s.file}: {listed}{more}; dùng số liệu của {w.file} — hãy đối chiếu"
    first = differences[0][0]
    w.issue("warning", "consolidated_mismatch", message, first[_SHEET], first[_CELL], first[_INDICATOR])
    s.issue("warning", "consolidated_mismatch", message, differences[0][1][_SHEET], differences[0][1][_CELL],
            first[_INDICATOR])  # fmt: skip
