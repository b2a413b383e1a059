"""What the analyst must act on: rejected files and error-level problems, each with its file, its unit (guessed from
the file name when the file did not say), the reason in plain Vietnamese and what to do.

One list everywhere: the end of `ingest` and `report` (`console_lines`), the index page and the quality page
(`rejected_table`, `error_table`, `counts`). A quarter's list holds the rejected files of that quarter and those
whose quarter could not be told (they may be this quarter's), and the errors of the files used for its figures;
without a quarter, every file. Files replaced by a newer version are not problems (they are listed elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.core import labels, vnformat
from analysis.core.escape import one_line
from analysis.core.units import UnitRegistry
from analysis.ingest.manual_apply import STATUS as MANUAL
from analysis.ingest.schema import USED_STATUSES

FILE, UNIT, REASON, ACTION, WHERE, MESSAGE = "Tệp", "Đơn vị", "Lý do", "Cách xử lý", "Vị trí", "Nội dung"
GUESSED = " (đoán theo tên tệp)"
UNKNOWN_UNIT = "Không rõ"


@dataclass(frozen=True)
class Counts:
    """Files and problems of one scope: `errors` counts every error, in used and in rejected files alike."""

    files: int
    rejected: int
    errors: int
    data_errors: int  # errors in the files used for the figures
    warnings: int


def _scope(frame: pd.DataFrame, quarter: str | None) -> pd.DataFrame:
    """The rows of `quarter` and those without a quarter (all rows without `quarter`)."""
    if quarter is None:
        return frame
    return frame[frame["period"].isin([quarter, ""])]


def _rejected(submissions: pd.DataFrame, quarter: str | None) -> pd.DataFrame:
    return _scope(submissions[submissions["status"] == "rejected"], quarter)


READ = (*USED_STATUSES, MANUAL)  # the files whose content is used: the units' and the hand entries'


def _errors(issues: pd.DataFrame, quarter: str | None, status: tuple[str, ...] = READ) -> pd.DataFrame:
    errors = issues[(issues["severity"] == "error") & issues["submission_status"].isin(status)]
    if quarter is None:
        return errors
    used = errors["submission_status"].isin(USED_STATUSES)
    return errors[(used & (errors["period"] == quarter)) | (~used & errors["period"].isin([quarter, ""]))]


def counts(submissions: pd.DataFrame, issues: pd.DataFrame, quarter: str | None = None) -> Counts:
    """How many files, rejected files and problems `quarter` (or the whole folder) has."""
    every = _errors(issues, quarter, (*READ, "rejected"))
    warnings = issues[(issues["severity"] == "warning") & issues["submission_status"].isin(READ)]
    if quarter is not None:
        warnings = warnings[warnings["period"] == quarter]
    return Counts(
        files=len(_scope(submissions, quarter)),
        rejected=len(_rejected(submissions, quarter)),
        errors=len(every),
        data_errors=int(every["submission_status"].isin(USED_STATUSES).sum()),
        warnings=len(warnings),
    )


def what_to_do(rule: str) -> str:
    """The action for an issue's rule code (labels.yaml, group what_to_do; catalogue rules share one)."""
    words = labels.group("what_to_do")
    key = "rule" if rule.startswith("rule:") else rule
    return words.get(key, words["default"])


def unit_of(file: str, unit_name: str, registry: UnitRegistry) -> str:
    """The unit a file belongs to: as read, else guessed from its file and folder names, else "Không rõ"."""
    if unit_name:
        return unit_name
    guessed = registry.find_in_text(file.rsplit(".", 1)[0].replace("/", " / "))
    return guessed.name + GUESSED if guessed else UNKNOWN_UNIT


def _rejection_rule(file: str, reason: str, issues: pd.DataFrame) -> str:
    own = issues[(issues["file"] == file) & (issues["severity"] == "error")]
    exact = own[own["message"] == reason]
    chosen = exact if len(exact) else own
    return str(chosen["rule"].iloc[-1]) if len(chosen) else ""


def rejected_table(
    submissions: pd.DataFrame, issues: pd.DataFrame, registry: UnitRegistry, quarter: str | None = None
) -> pd.DataFrame:
    """One row per rejected file: file, unit (maybe guessed), reason, what to do."""
    rows = _rejected(submissions, quarter)
    return pd.DataFrame(
        {
            FILE: rows["file"].tolist(),
            UNIT: [unit_of(f, u, registry) for f, u in zip(rows["file"], rows["unit_name"], strict=True)],
            REASON: rows["reason"].tolist(),
            ACTION: [
                what_to_do(_rejection_rule(f, r, issues)) for f, r in zip(rows["file"], rows["reason"], strict=True)
            ],
        },
        columns=[FILE, UNIT, REASON, ACTION],
    )


def error_table(issues: pd.DataFrame, registry: UnitRegistry, quarter: str | None = None) -> pd.DataFrame:
    """One row per error in a file used for the figures: unit, file, sheet!cell, message, what to do."""
    rows = _errors(issues, quarter)
    names = {u.code: u.name for u in registry.units}
    return pd.DataFrame(
        {
            UNIT: [
                names.get(c) or (labels.label("submission_status", MANUAL) if s == MANUAL else UNKNOWN_UNIT)
                for c, s in zip(rows["unit_code"], rows["submission_status"], strict=True)
            ],
            FILE: rows["file"].tolist(),
            WHERE: [vnformat.place(s, c) for s, c in zip(rows["sheet"], rows["cell"], strict=True)],
            MESSAGE: rows["message"].tolist(),
            ACTION: [what_to_do(r) for r in rows["rule"]],
        },
        columns=[UNIT, FILE, WHERE, MESSAGE, ACTION],
    )


def console_lines(
    submissions: pd.DataFrame,
    issues: pd.DataFrame,
    registry: UnitRegistry,
    quarter: str | None = None,
    limit: int = 20,
) -> list[str]:
    """The end of a run in plain text: counts, every rejected file, then the errors (the first `limit`)."""
    c = counts(submissions, issues, quarter)
    lines = [
        f"Tổng cộng: {c.files} tệp, {c.rejected} tệp bị từ chối, {c.errors} lỗi "
        f"({c.data_errors} lỗi số liệu trong tệp được sử dụng), {c.warnings} cảnh báo."
    ]
    rejected = rejected_table(submissions, issues, registry, quarter)
    if len(rejected):
        lines.append(f"Tệp bị từ chối ({len(rejected)}) — số liệu của các tệp này KHÔNG được tính:")
    for r in rejected.map(one_line).itertuples(index=False):  # no control character reaches the terminal
        lines += [f"  - {r[0]} — đơn vị: {r[1]}", f"      Lý do: {r[2]}", f"      Cách xử lý: {r[3]}"]
    errors = error_table(issues, registry, quarter)
    if len(errors):
        lines.append(f"Lỗi số liệu cần xem lại ({len(errors)}; đầy đủ trong issues.csv):")
    for r in errors.head(limit).map(one_line).itertuples(index=False):
        lines += [f"  - {r[1]} {r[2]} ({r[0]}): {r[3]}", f"      Cách xử lý: {r[4]}"]
    if len(errors) > limit:
        lines.append(f"  … và {len(errors) - limit} lỗi khác (xem issues.csv).")
    return lines
