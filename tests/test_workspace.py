"""An office's workspace outside the repository (issue 12, item 1): `init` makes one, every command works inside it
or with `--workspace`, the package's notebooks and wording are used unless the workspace has its own copies, and a
copy older than the package's is named, never silently used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis import __version__
from analysis.cli import main
from analysis.core import workspace
from analysis.core.config import load_province_config, project_root
from analysis.core.units import load_units
from analysis.narrative.templates import load_templates
from tests.small_province import QUARTER, REPO, write_config, write_submissions

NOTEBOOK = "02-tong-quan-tinh.ipynb"
MARKER = "ĐÂY LÀ BẢN SAO CỦA VĂN PHÒNG"


@pytest.fixture(autouse=True)
def own_environment(monkeypatch) -> None:
    """`--workspace` sets ANALYSIS_ROOT for the process (kernels inherit it): undone after each test."""
    for name in ("ANALYSIS_ROOT", "ANALYSIS_CONFIG"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


@pytest.fixture
def ws(tmp_path, monkeypatch) -> Path:
    """A new workspace made by `init`, this process inside it (as an analyst who opened a terminal there)."""
    folder = tmp_path / "van-phong"
    assert main(["init", str(folder)]) == 0
    monkeypatch.chdir(folder / "data")
    return folder


def test_init_writes_a_workspace_with_sample_configuration_that_loads(ws, capsys):
    assert project_root() == ws.resolve()
    registry = load_units()
    assert registry.province_name == "Tỉnh Mẫu"
    assert {u.type for u in registry.units} == {"commune", "agency"}
    assert load_province_config().first_period.label == "2025Q3"
    assert "thư mục con" in (ws / "data" / "raw" / "README.txt").read_text(encoding="utf-8")
    assert "SỐ LIỆU NHẬP TAY ĐƯỢC DÙNG" in (ws / "data" / "manual" / "README.txt").read_text(encoding="utf-8")
    assert (ws / "data" / "manual" / "so-lieu-nhap-tay.xlsx").is_file()  # the empty book to type into
    assert (ws / "data" / "processed").is_dir() and (ws / "reports").is_dir()
    assert sorted(p.name for p in (ws / "notebooks").glob("*.ipynb")) == sorted(
        p.name for p in (REPO / "notebooks").glob("*.ipynb")
    )
    assert workspace.outdated_copies() == []  # fresh copies are the package's


def test_init_never_overwrites_a_workspace(ws, capsys):
    (ws / "config" / "units.yaml").write_text("# của văn phòng\n", encoding="utf-8")
    assert main(["init", str(ws)]) == 2
    assert "đã là thư mục làm việc" in capsys.readouterr().err
    assert (ws / "config" / "units.yaml").read_text(encoding="utf-8") == "# của văn phòng\n"


def test_a_folder_that_is_not_a_workspace_is_refused_in_words(tmp_path, capsys):
    assert main(["--workspace", str(tmp_path), "indicators"]) == 2
    err = capsys.readouterr().err
    assert "không phải là thư mục làm việc" in err and f"python -m analysis init {tmp_path}" in err


def test_the_workspace_option_after_the_command_works_too(ws, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "mau.xlsx"
    code = main(["template", "--workspace", str(ws), "--unit", "xa_an_binh", "--quarter", "2026Q3", "--out", str(out)])
    assert code == 0 and out.is_file()
    assert "Xã An Bình" in capsys.readouterr().out


def stamped_copy(ws: Path, digest: str | None) -> Path:
    copy = ws / "notebooks" / NOTEBOOK
    nb = json.loads(copy.read_text(encoding="utf-8"))
    if digest is None:
        nb["metadata"].pop(workspace.STAMP_KEY)
    else:
        nb["metadata"][workspace.STAMP_KEY]["copied_from"] = {"version": "0.1.0", "digest": digest}
    copy.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return copy


def test_a_copy_of_an_older_package_notebook_is_named(ws):
    copy = stamped_copy(ws, "0" * 64)
    found = workspace.outdated_copies()
    assert [c.path for c in found] == [copy]
    assert "phiên bản 0.1.0" in found[0].reason and "vẫn dùng bản sao này" in found[0].reason


def test_a_copy_without_a_stamp_is_named(ws):
    copy = stamped_copy(ws, None)
    assert [c.path for c in workspace.outdated_copies()] == [copy]


def test_an_analysts_own_edit_of_a_current_copy_is_not_outdated(ws):
    copy = ws / "notebooks" / NOTEBOOK
    nb = json.loads(copy.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "Ghi chú của văn phòng", "id": "x"})
    copy.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    assert workspace.outdated_copies() == []  # the stamp still names the package notebook as it is


def test_the_repository_uses_its_own_notebooks_and_has_no_copies(monkeypatch):
    monkeypatch.setenv("ANALYSIS_ROOT", str(REPO))
    assert workspace.notebook_path(NOTEBOOK) == REPO / "notebooks" / NOTEBOOK
    assert workspace.outdated_copies() == []


def test_update_notebooks_keeps_the_analysts_changed_copy(ws, capsys):
    copy = ws / "notebooks" / NOTEBOOK
    nb = json.loads(copy.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": MARKER, "id": "x"})
    copy.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    assert main(["init", str(ws), "--update-notebooks"]) == 0
    assert MARKER in (ws / "notebooks" / "cu" / NOTEBOOK).read_text(encoding="utf-8")
    assert MARKER not in copy.read_text(encoding="utf-8")


def test_the_workspace_wording_is_used_and_an_older_version_named(ws, catalogue):
    package = yaml.safe_load((REPO / "src" / "analysis" / "narrative" / "narrative.yaml").read_text(encoding="utf-8"))
    own = {**package, "version": package["version"] - 1}
    own["phrases"] = {**package["phrases"], "unchanged": "GIỮ NGUYÊN (lời văn của văn phòng)"}
    (ws / "config" / "narrative.yaml").write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    assert load_templates(catalogue=catalogue).phrases["unchanged"] == "GIỮ NGUYÊN (lời văn của văn phòng)"
    found = workspace.outdated_copies()
    assert [c.path for c in found] == [ws / "config" / "narrative.yaml"]
    assert f"lời văn phiên bản {package['version'] - 1}" in found[0].reason


@pytest.mark.slow
def test_report_in_a_workspace_outside_the_repository_uses_its_copy_and_names_it(tmp_path, catalogue):
    """The small province as an office's workspace in tmp_path, run from another folder with --workspace."""
    ws = tmp_path / "van-phong"
    write_config(ws / "config")
    write_submissions(ws / "data" / "raw", ws / "config", catalogue)
    workspace.update_notebooks(ws, __version__)
    copy = stamped_copy(ws, "0" * 64)  # copied from an older package notebook …
    nb = json.loads(copy.read_text(encoding="utf-8"))
    nb["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "source": MARKER, "id": "ban-sao"})
    copy.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")  # … and changed by the office
    env = {k: v for k, v in os.environ.items() if k not in ("ANALYSIS_ROOT", "ANALYSIS_CONFIG")}
    argv = [sys.executable, "-m", "analysis", "--workspace", str(ws), "report", "--quarter", QUARTER, "--quiet"]
    run = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "Đã lập 6/6 trang báo cáo" in run.stdout
    assert "cũ hơn bản của chương trình (1)" in run.stdout and str(copy) in run.stdout
    page = (ws / "reports" / QUARTER / "tong-quan-tinh.html").read_text(encoding="utf-8")
    assert MARKER in page  # the workspace's copy ran
    assert (ws / "data" / "processed" / "manifest.json").is_file()  # the workspace's own data folders


def test_a_new_workspace_without_files_says_to_copy_them(ws):
    from analysis.compare.report_data import ParameterError, ReportData
    from analysis.ingest.run import run_ingest

    run_ingest(ws / "data" / "raw", ws / "data" / "processed")
    with pytest.raises(ParameterError, match="Chưa có số liệu của kỳ nào") as caught:
        ReportData.load("2026Q3")
    assert "data/raw" in str(caught.value)
