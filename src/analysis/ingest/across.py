"""The steps that look across files, on the entries of a run: supersession (per unit and quarter the latest
accepted file wins) and units reporting for a quarter they are not expected in."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from analysis.core.periods import Quarter
from analysis.ingest.submission import Submission


def resolve_supersession(subs: list[Submission]) -> None:
    """Per unit and quarter, the latest accepted file wins (report date in the file, then file time)."""
    groups: dict[tuple[str, Quarter], list[Submission]] = defaultdict(list)
    for s in subs:
        if s.status == "accepted":
            groups[(s.unit.code, s.period)].append(s)
    for group in groups.values():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=_recency, reverse=True)
        winner = ordered[0]
        for s in ordered[1:]:
            s.status, s.superseded_by = "superseded", winner.file
            s.reason = f"Đã có bản nộp mới hơn của cùng đơn vị và kỳ: {winner.file}"
            s.issue("warning", "superseded", s.reason)


def _recency(s: Submission) -> tuple:
    """What orders the files of one unit and quarter: report date in the file, then file times, then name."""
    modified = s.modified.timestamp() if s.modified else s.mtime
    return (s.report_date or date.min, modified, s.mtime, s.file)


def check_unexpected(subs: list[Submission]) -> None:
    """A warning on each accepted file of a unit the registry does not expect for its quarter."""
    for s in subs:
        if s.status == "accepted" and not s.unit.active_in(s.period):
            s.issue(
                "warning",
                "unexpected_unit",
                f"{s.unit.name} không thuộc danh sách đơn vị báo cáo {s.period.vn}",
            )
