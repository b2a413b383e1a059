"""A file's figures against the form version of its quarter: figures of concepts the quarter's forms do not carry are
kept out (each listed), and a file on another version's forms — by its rows, or by the form codes printed in its
title blocks ("Biểu số 01/XLD" where the quarter's forms print "Biểu số 02/XLD") — is said to be on outdated forms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.catalogue.model import Catalogue
from analysis.catalogue.versions import Version
from analysis.core.periods import Quarter
from analysis.core.text import fold
from analysis.ingest.extract import FoundValue
from analysis.ingest.submission import Submission
from analysis.ingest.workbook import SheetGrid, cell_ref

MAX_LISTED = 8  # cells named in one warning
TITLE_ROWS = 12  # rows of a sheet searched for its printed form code
_FORM_CODE = re.compile(r"\bbieu (?:so |mau )?(\d{2}) ([a-z]+)\b")  # in folded text: "bieu so 02 xld"


def _codes(version: Version) -> set[str]:
    """The form codes a version prints, folded ("01 xld")."""
    return {fold(code) for form in version.forms for code in form.code.split(",")}


def printed_forms(grids: Sequence[SheetGrid]) -> list[tuple[str, str, str]]:
    """(sheet, cell, folded form code "01 xld") of every "Biểu số 01/XLD" in the title rows of the sheets."""
    found = []
    for grid in grids:
        for r, row in enumerate(grid.rows[:TITLE_ROWS]):
            for c, raw in enumerate(row):
                if isinstance(raw, str) and "/" in raw:
                    for match in _FORM_CODE.finditer(fold(raw)):
                        found.append((grid.name, cell_ref(r, c), f"{match.group(1)} {match.group(2)}"))
    return found


def _printed_mismatch(sub: Submission, version: Version, versions: Sequence[Version], grids: Sequence[SheetGrid]):
    """A warning per sheet printing a form code of another version only (not of the quarter's)."""
    own = _codes(version)
    for sheet, cell, code in printed_forms(grids):
        others = [v for v in versions if v != version and code in _codes(v)]
        if code in own or not others:
            continue
        sub.issue(
            "warning",
            "outdated_form",
            f"Trang “{sheet}” in mẫu “Biểu số {code.replace(' ', '/').upper()}” của phiên bản {others[-1].code} "
            f"({others[-1].title}), "
            f"nhưng {sub.period.vn} áp dụng phiên bản {version.code} ({version.title}); số liệu vẫn được đọc theo "
            "chỉ tiêu, hãy đề nghị đơn vị dùng mẫu mới",
            sheet,
            cell,
        )


def carried_concepts(catalogue: Catalogue, version: Version) -> set[str]:
    """The indicator codes (inputs and ratios) of `version`'s forms."""
    return {item.code for item in catalogue.for_version(version).indicators}


def in_version(values: list[FoundValue], catalogue: Catalogue, period: Quarter | None) -> list[FoundValue]:
    """`values` whose concept the version of `period` carries (all of them without versions or period)."""
    if period is None or not catalogue.versions:
        return values
    carried = carried_concepts(catalogue, catalogue.versions.for_quarter(period))
    return [v for v in values if v.indicator in carried]


def check_version(
    sub: Submission, values: list[FoundValue], catalogue: Catalogue, grids: Sequence[SheetGrid] = ()
) -> list[FoundValue]:
    """`values` whose concept the version of the file's quarter carries; a warning for the others (naming their
    cells) and, when the file matches another version better (its rows, or the form codes its sheets print), one
    saying which."""
    if sub.period is None or not catalogue.versions:
        return values
    version = catalogue.versions.for_quarter(sub.period)
    _printed_mismatch(sub, version, catalogue.versions.items, grids)
    carried = carried_concepts(catalogue, version)
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
