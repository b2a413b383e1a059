"""Names of the files a report folder holds beside its pages (light: the index page needs them, not the writers)."""

from __future__ import annotations


def table_name(quarter_label: str) -> str:
    """The Excel tables: ``bang-so-lieu-2021Q3.xlsx``."""
    return f"bang-so-lieu-{quarter_label}.xlsx"


def docx_name(quarter_label: str) -> str:
    """The Word draft: ``bao-cao-2021Q3.docx``."""
    return f"bao-cao-{quarter_label}.docx"


def archive_name(quarter_label: str) -> str:
    """The archive to send to leaders (`report.archive`): ``ban-gui-lanh-dao-2021Q3.zip``."""
    return f"ban-gui-lanh-dao-{quarter_label}.zip"


__all__ = ["archive_name", "docx_name", "table_name"]
