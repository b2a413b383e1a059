"""One file to send to leaders: the report's pages, the Word draft and the Excel tables in a .zip.

Leaders receive the report by e-mail and chat apps, which take one file, not a folder. The archive holds what is
meant for them: the index, the province's pages, every unit's page, the Word draft and the Excel tables. Left out:
the executed notebooks (`notebooks/`, for analysts), the print-quality figures (`figures/`, for the Word report,
already inside the Word draft where it uses them) and the internal page of case lists (`internal_page`), whatever
province.yaml says about sharing it. The archive's index is written for it: it links nothing the archive leaves out.

Written into the staging folder with the rest, so it is replaced together with the pages it holds.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from analysis.core.outputs import atomic_path
from analysis.report import files as report_files
from analysis.report.internal_page import PAGE as INTERNAL_PAGE

LEFT_OUT_FOLDERS = ("notebooks", "figures")
_STORED = (".png", ".zip", ".docx", ".xlsx")  # already compressed


def members(folder: Path, quarter_label: str) -> list[Path]:
    """The files of the report folder the archive holds (relative, sorted), its index excepted."""
    name = report_files.archive_name(quarter_label)
    kept = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.parts[0] in LEFT_OUT_FOLDERS or relative.name.startswith("."):
            continue
        if relative.as_posix() in (name, INTERNAL_PAGE, "index.html"):
            continue
        kept.append(relative)
    return kept


def write(folder: Path, quarter_label: str, index_html: str) -> Path:
    """Write the archive into `folder` (the report being built); `index_html`: the archive's own index page. Every
    member sits under one folder named like the report (``bao-cao-2021Q3/``), so unpacking makes one folder."""
    target = folder / report_files.archive_name(quarter_label)
    top = f"bao-cao-{quarter_label}"
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(f"{top}/index.html", index_html)
        for relative in members(folder, quarter_label):
            kind = zipfile.ZIP_STORED if relative.suffix in _STORED else zipfile.ZIP_DEFLATED
            archive.write(folder / relative, f"{top}/{relative.as_posix()}", compress_type=kind)
    return target


__all__ = ["LEFT_OUT_FOLDERS", "members", "write"]
