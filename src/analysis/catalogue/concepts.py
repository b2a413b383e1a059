"""The concept table: every input concept of the catalogue against every form version — where each version's forms
carry it ("01/XLD cột 9") and whether it is new there, continues, changed its definition or ended.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue.model import Catalogue
from analysis.catalogue.versions import Version

STATUSES = ("first", "same", "new", "changed", "ended", "absent")
COLUMNS = ["concept", "version", "form", "column", "status", "reason"]


def _where(version: Version, concept: str) -> tuple[str, str]:
    """(form code, printed column: "9", "2+3+4", "" for a row of a form without official columns)."""
    for form in version.forms:
        column = form.column_of(concept)
        if column is not None:
            return form.code, "+".join(str(n) for n in column.numbers)
        if concept in form.concepts:
            return form.code, ""
    return "", ""


def _status(concept: str, version: Version, previous: Version | None) -> str:
    carried, before = concept in version.concepts, previous is not None and concept in previous.concepts
    if previous is None:
        return "first" if carried else "absent"
    if not carried:
        return "ended" if before else "absent"
    if not before:
        return "new"
    return "changed" if version.change_reason(concept) else "same"


def concept_table(catalogue: Catalogue) -> pd.DataFrame:
    """One row per input concept and version (columns `COLUMNS`), concepts in catalogue order, versions oldest
    first; empty for a catalogue without versions."""
    whole = catalogue.whole or catalogue
    rows = []
    versions = whole.versions.items
    for item in whole.input_indicators():
        for i, version in enumerate(versions):
            form, column = _where(version, item.code)
            status = _status(item.code, version, versions[i - 1] if i else None)
            rows.append([item.code, version.code, form, column, status, version.change_reason(item.code) or ""])
    return pd.DataFrame(rows, columns=COLUMNS)


def version_columns(catalogue: Catalogue, version: Version) -> pd.DataFrame:
    """code, version, form_code, form_column, series_since of each input indicator of `version` (series_since: the
    quarter label its unbroken series starts, "" when it runs back to the earliest version)."""
    whole = catalogue.whole or catalogue
    rows = []
    for item in whole.for_version(version).input_indicators():
        form, column = _where(version, item.code)
        since = whole.versions.series_start(item.code, version.first_quarter)
        rows.append([item.code, version.code, form, column, since.label if since else ""])
    return pd.DataFrame(rows, columns=["code", "version", "form_code", "form_column", "series_since"])
