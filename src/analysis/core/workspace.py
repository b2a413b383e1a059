"""An office's workspace: any folder holding ``config/province.yaml`` and ``config/units.yaml``, with ``data/raw/``,
``data/processed/`` and ``reports/`` inside it. The repository root is the workspace of the 2021 demo province.

Catalogue, templates and notebooks come from the installed package; a workspace may hold its own copies:
``notebooks/*.ipynb`` (for JupyterLab, made by ``init``) and ``config/narrative.yaml`` (the wording). The report
uses a workspace's copy when there is one, and `outdated_copies` names each copy older than the package's: a
notebook copy carries the digest of the package notebook it was copied from (``metadata.analysis.copied_from``),
a wording copy its ``version``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from analysis.core.config import project_root, read_yaml
from analysis.core.mistakes import UserMistake

ROOT_ENV = "ANALYSIS_ROOT"
CONFIG_FILES = ("province.yaml", "units.yaml")
NARRATIVE_COPY = Path("config") / "narrative.yaml"
STAMP_KEY = "analysis"


class NotAWorkspace(UserMistake):
    """A folder given as a workspace that holds no configuration; the message says how to make one."""

    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"Thư mục {folder} không phải là thư mục làm việc (thiếu config/province.yaml hoặc config/units.yaml). "
            f"Tạo thư mục làm việc mới bằng: python -m analysis init {folder}"
        )


def is_workspace(folder: Path) -> bool:
    return all((folder / "config" / name).is_file() for name in CONFIG_FILES)


def use(folder: str | Path) -> Path:
    """Make `folder` the workspace of this process and of the processes it starts (kernels, workers)."""
    root = Path(folder).expanduser().resolve()
    if not is_workspace(root):
        raise NotAWorkspace(root)
    os.environ[ROOT_ENV] = str(root)
    return root


def package_notebooks() -> Path:
    """The notebooks that come with the package: ``notebooks/`` of the checkout the package is installed from."""
    return Path(__file__).resolve().parents[3] / "notebooks"


def notebook_path(file: str) -> Path:
    """The notebook `file` the report runs: the workspace's copy when there is one, else the package's."""
    own = project_root() / "notebooks" / file
    return own if own.is_file() else package_notebooks() / file


def narrative_path() -> Path | None:
    """The workspace's own wording (``config/narrative.yaml``), None when it uses the package's."""
    own = project_root() / NARRATIVE_COPY
    return own if own.is_file() else None


def notebook_digest(path: Path) -> str:
    """A digest of what a notebook does (each cell's type and source; not outputs, ids or metadata)."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    parts = [[c.get("cell_type"), "".join(c.get("source", ""))] for c in cells]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def copy_notebook(source: Path, target: Path, version: str) -> None:
    """Copy a package notebook into a workspace, stamped with what it was copied from."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    stamp = {"copied_from": {"version": version, "digest": notebook_digest(source)}}
    nb.setdefault("metadata", {})[STAMP_KEY] = stamp
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class OutdatedCopy:
    """A workspace copy older than the package's: which file, what it was copied from, in Vietnamese."""

    path: Path
    reason: str

    @property
    def message(self) -> str:
        return f"{self.path}: {self.reason}"


def outdated_copies(files: list[str] | None = None) -> list[OutdatedCopy]:
    """The workspace's copies (of the notebooks `files`, default all it has, and of the wording) that are older
    than the package's; none when the workspace uses the package's own files (the repository)."""
    root = project_root()
    found = []
    own_dir, package_dir = root / "notebooks", package_notebooks()
    if own_dir.resolve() != package_dir.resolve():
        names = files if files is not None else sorted(p.name for p in own_dir.glob("*.ipynb"))
        for name in names:
            copy, original = own_dir / name, package_dir / name
            if copy.is_file() and original.is_file():
                reason = _notebook_staleness(copy, original)
                if reason:
                    found.append(OutdatedCopy(copy, reason))
    wording = narrative_path()
    if wording is not None:
        reason = _wording_staleness(wording)
        if reason:
            found.append(OutdatedCopy(wording, reason))
    return found


def _notebook_staleness(copy: Path, original: Path) -> str:
    try:
        stamp = json.loads(copy.read_text(encoding="utf-8")).get("metadata", {}).get(STAMP_KEY, {})
    except (OSError, ValueError):
        return "không đọc được bản sao sổ tay"
    copied = stamp.get("copied_from") if isinstance(stamp, dict) else None
    if not isinstance(copied, dict):
        return "bản sao không ghi nguồn (không rõ chép từ phiên bản nào); hãy so với sổ tay của gói và chép lại"
    if copied.get("digest") == notebook_digest(original):
        return ""
    return (
        f"bản sao chép từ phiên bản {copied.get('version', 'không rõ')}, sổ tay của gói đã thay đổi từ đó; "
        "báo cáo vẫn dùng bản sao này — hãy xóa nó (để dùng bản của gói) hoặc chép lại bằng "
        "python -m analysis init --update-notebooks"
    )


def _wording_staleness(copy: Path) -> str:
    package = read_yaml(Path(str(resources.files("analysis.narrative") / "narrative.yaml")))
    try:
        own = read_yaml(copy)
    except ValueError as exc:
        return str(exc)
    theirs, ours = own.get("version"), package.get("version")
    if isinstance(theirs, int) and isinstance(ours, int) and theirs >= ours:
        return ""
    return (
        f"lời văn phiên bản {theirs!r}, của gói là phiên bản {ours!r}; báo cáo vẫn dùng bản của thư mục làm việc — "
        "hãy đối chiếu với src/analysis/narrative/narrative.yaml và cập nhật, rồi sửa 'version'"
    )


# ------------------------------------------------------------------------------------------------ init


class WorkspaceExists(ValueError):
    """`init` on a folder that is a workspace already: nothing is overwritten."""

    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"Thư mục {folder} đã là thư mục làm việc (có config/province.yaml): không ghi đè. Để chép lại các sổ "
            f"tay của gói: python -m analysis init {folder} --update-notebooks"
        )


def _sample(name: str) -> str:
    return (resources.files("analysis.core") / "new_workspace" / name).read_text(encoding="utf-8")


def create(folder: str | Path, version: str) -> list[Path]:
    """A new workspace in `folder` (created, or empty of configuration): sample configuration commented in
    Vietnamese, ``data/raw/README.txt`` and ``data/manual/README.txt`` (figures entered by hand), empty
    ``data/processed/`` and ``reports/``, the package's notebooks
    (stamped copies for JupyterLab). Returns the files written."""
    root = Path(folder).expanduser().resolve()
    if (root / "config" / "province.yaml").exists() or (root / "config" / "units.yaml").exists():
        raise WorkspaceExists(root)
    written = []
    for name, target in (
        ("province.yaml", root / "config" / "province.yaml"),
        ("units.yaml", root / "config" / "units.yaml"),
        ("raw-README.txt", root / "data" / "raw" / "README.txt"),
        ("manual-README.txt", root / "data" / "manual" / "README.txt"),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_sample(name), encoding="utf-8")
        written.append(target)
    for empty in (root / "data" / "processed", root / "reports"):
        empty.mkdir(parents=True, exist_ok=True)
    return written + update_notebooks(root, version)


def update_notebooks(folder: str | Path, version: str) -> list[Path]:
    """Copy the package's notebooks into the workspace's ``notebooks/``; a copy that differs is kept first as
    ``notebooks/cu/<name>`` (the analyst's own changes are never lost). Returns the notebooks written."""
    root = Path(folder).expanduser().resolve()
    own = root / "notebooks"
    if own.resolve() == package_notebooks().resolve():
        return []  # the repository: its notebooks are the package's
    written = []
    for source in sorted(package_notebooks().glob("*.ipynb")):
        target = own / source.name
        if target.is_file() and notebook_digest(target) != notebook_digest(source):
            (own / "cu").mkdir(parents=True, exist_ok=True)
            os.replace(target, own / "cu" / source.name)
        copy_notebook(source, target, version)
        written.append(target)
    return written
