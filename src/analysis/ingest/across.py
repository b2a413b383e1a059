"""The steps that look across files, on the entries of a run: identity checks (the same file or the same figures
under two units' names), supersession (per unit and quarter the latest accepted file wins, never silently across a
unit named otherwise) and units reporting for a quarter they are not expected in.

The identity checks compare claims — one unit's report inside one file (`Claim`): a consolidated file gives one
claim per unit row. Precedence between a unit's own file and its row in a consolidated file (the provincial
inspectorate's 01/TCD): the unit's own latest file wins, the row is kept as superseded and, where the two disagree,
the file used gets a warning showing both figures and cells (`check_consolidated`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date

from analysis.core.periods import Quarter
from analysis.core.units import Unit
from analysis.ingest.submission import Submission


@dataclass(frozen=True)
class Claim:
    """One unit's report inside one file: whose content, whose name (file or folder), which figures."""

    sub: Submission
    unit: Unit
    name_unit: Unit | None  # the unit the file and folder names name, None when they name none
    figures: str  # digest of the unit's figures, "" when trivial (all zero or blank, or nearly)

    @property
    def named_for(self) -> str:
        """The unit this claim is filed under by its names, else by its content."""
        return (self.name_unit or self.unit).code


def claims(subs: list[Submission]) -> list[Claim]:
    """The claims of every submission that was read (not rejected): a file's own, and each row of a consolidated
    file."""
    return [Claim(s, s.unit, s.path_unit, s.figures) for s in subs if s.status != "rejected" and s.unit]


def named_for_other_unit(s: Submission) -> bool:
    """The file or folder name names another unit than the content does."""
    return bool(s.unit and s.path_unit and s.path_unit.code != s.unit.code)


def check_identity(subs: list[Submission]) -> None:
    """Errors on byte-identical files filed under two units' names; warnings on the same non-trivial figures
    reported under two units (figures all zero or blank are nobody's fingerprint)."""
    found = claims(subs)
    for group in _grouped([c for c in found if not c.sub.part], lambda c: c.sub.sha256):  # rows share their file
        if len({c.named_for for c in group}) > 1:
            for c in group:
                others = ", ".join(f"{o.sub.file} ({_unit_word(o)})" for o in group if o.sub is not c.sub)
                c.sub.issue(
                    "error",
                    "duplicate_file_units",
                    f"Tệp giống hệt từng byte với tệp của đơn vị khác: {others}; chỉ một đơn vị có thể đúng — "
                    "hãy hỏi lại đơn vị đã gửi",
                )
    for group in _grouped(found, lambda c: c.figures):
        if len({c.unit.code for c in group}) > 1:
            for c in group:
                others = [o for o in group if o.unit.code != c.unit.code and o.sub.sha256 != c.sub.sha256]
                if others:
                    listed = ", ".join(f"{o.unit.name} {o.sub.period.vn} ({o.sub.file})" for o in others)
                    c.sub.issue(
                        "warning",
                        "duplicate_figures_units",
                        f"Số liệu giống hệt số liệu của {listed}; có thể đơn vị gửi nhầm số liệu của đơn vị khác",
                    )


def _grouped(found: list[Claim], key: Callable[[Claim], Hashable]) -> list[list[Claim]]:
    """Claims sharing a non-empty key, groups of two or more."""
    groups: dict[Hashable, list[Claim]] = defaultdict(list)
    for c in found:
        if key(c):
            groups[key(c)].append(c)
    return [g for g in groups.values() if len(g) > 1]


def _unit_word(c: Claim) -> str:
    return f"tên tệp ghi {c.name_unit.name}" if c.name_unit else f"nội dung ghi {c.unit.name}"


def resolve_supersession(subs: list[Submission]) -> None:
    """The identity checks first, then per unit and quarter the latest accepted file wins (report date in the file,
    then file time); a unit's own file wins over its row in a consolidated file. A file whose name names another
    unit than its content never wins over one whose name agrees: both files get an error naming each other."""
    check_identity(subs)
    groups: dict[tuple[str, Quarter], list[Submission]] = defaultdict(list)
    for s in subs:
        if s.status == "accepted":
            groups[(s.unit.code, s.period)].append(s)
    for group in groups.values():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=lambda s: (not s.part, not named_for_other_unit(s), *_recency(s)), reverse=True)
        winner = ordered[0]
        if any(named_for_other_unit(s) for s in group):
            _flag_unit_conflict(ordered)
        for s in ordered[1:]:
            s.status, s.superseded_by = "superseded", winner.file
            s.reason = f"Đã có bản nộp mới hơn của cùng đơn vị và kỳ: {winner.file}{_saved_earlier(s, winner)}"
            if s.part and not winner.part:
                s.reason = f"Dòng của {s.unit.name} trong tệp tổng hợp; dùng tệp riêng của đơn vị: {winner.file}"
            if named_for_other_unit(s) or named_for_other_unit(winner):
                s.reason = f"Không dùng thay cho {winner.file}: tên tệp hoặc thư mục ghi đơn vị khác nội dung"
            s.issue("warning", "superseded", s.reason)


def _flag_unit_conflict(ordered: list[Submission]) -> None:
    """An error on every file of a unit and quarter when one of them is named for another unit."""
    listed = "; ".join(
        f"{s.file} (tên ghi {s.path_unit.name if s.path_unit else 'không rõ đơn vị'}, nội dung ghi {s.unit.name})"
        for s in ordered
    )
    for s in ordered:
        s.issue(
            "error",
            "supersession_unit_conflict",
            f"Các tệp cùng {ordered[0].unit.name} {ordered[0].period.vn} nhưng tên tệp hoặc thư mục ghi đơn vị khác "
            f"nội dung: {listed}. Dùng {ordered[0].file}; không tự động thay thế — hãy so sánh hai tệp và hỏi lại "
            "đơn vị",
        )


def _saved_earlier(loser: Submission, winner: Submission) -> str:
    """The word owed when the kept file wins by its report date yet was saved before the file it replaces."""
    by_date = (winner.report_date or date.min) > (loser.report_date or date.min)
    if not (by_date and _saved(loser) > _saved(winner)):
        return ""
    written = f"ghi ngày báo cáo {winner.report_date:%d/%m/%Y}" if winner.report_date else "có ngày báo cáo"
    return (
        f" (tệp được giữ {written}, muộn hơn tệp này, nhưng được lưu sớm hơn; nếu tệp này mới là bản sửa, "
        "hãy đề nghị đơn vị sửa ngày báo cáo trong tệp)"
    )


def _saved(s: Submission) -> float:
    return s.modified.timestamp() if s.modified else s.mtime


def _recency(s: Submission) -> tuple:
    """What orders the files of one unit and quarter: report date in the file, then file times, then name."""
    return (s.report_date or date.min, _saved(s), s.mtime, s.file)


def check_unexpected(subs: list[Submission]) -> None:
    """A warning on each accepted file of a unit the registry does not expect for its quarter."""
    for s in subs:
        if s.status == "accepted" and not s.unit.active_in(s.period):
            s.issue(
                "warning",
                "unexpected_unit",
                f"{s.unit.name} không thuộc danh sách đơn vị báo cáo {s.period.vn}",
            )
