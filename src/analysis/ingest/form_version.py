"""A file's figures against the form version of its quarter: figures of concepts the quarter's forms do not carry are
kept out (each listed), and a file whose rows are those of another version's forms is said to be on outdated forms.
"""

from __future__ import annotations

from analysis.catalogue.model import Catalogue
from analysis.ingest.extract import FoundValue
from analysis.ingest.submission import Submission

MAX_LISTED = 8  # cells named in one warning


def check_version(sub: Submission, values: list[FoundValue], catalogue: Catalogue) -> list[FoundValue]:
    """`values` whose concept the version of the file's quarter carries; a warning for the others (naming their
    cells) and, when the file matches another version better, one saying which."""
    if sub.period is None or not catalogue.versions:
        return values
    version = catalogue.versions.for_quarter(sub.period)
    view = catalogue.for_version(version)
    carried = {item.code for item in view.indicators}
    outside = [v for v in values if v.indicator not in carried]
    present = {v.indicator for v in values}
    match = catalogue.versions.best_match(present, prefer=version)
    if match is not None and match != version:
        sub.issue(
            "warning",
            "outdated_form",
            f"Tệp dùng mẫu biểu của phiên bản {match.code} ({match.title}), nhưng {sub.period.vn} áp dụng phiên bản "
            f"{version.code} ({version.title}); số liệu được đọc theo chỉ tiêu, chỉ tiêu không còn trong biểu mẫu "
            "không được tính",
        )
    if outside:
        cells = ", ".join(f"{v.indicator} ({v.sheet}!{v.cell})" for v in outside[:MAX_LISTED])
        more = f" và {len(outside) - MAX_LISTED} chỉ tiêu khác" if len(outside) > MAX_LISTED else ""
        sub.issue(
            "warning",
            "not_in_version",
            f"{len(outside)} chỉ tiêu không có trong biểu mẫu áp dụng cho {sub.period.vn} (phiên bản {version.code}), "
            f"không được tính: {cells}{more}",
            outside[0].sheet,
            outside[0].cell,
            outside[0].indicator,
        )
    return [v for v in values if v.indicator in carried]
