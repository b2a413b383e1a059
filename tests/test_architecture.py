"""The house by stages: the layering contract in pyproject.toml holds, no module imports itself back round a
cycle, and modules stay small enough to read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
MAX_MODULE_LINES = 400


def test_the_layering_contract_is_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("analysis", exclude_type_checking_imports=True)


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    """Every import, lazy ones inside functions included: no module is reached back from what it imports."""
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.append(" → ".join((module, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_a_cycle_is_found_when_there_is_one(tmp_path, monkeypatch) -> None:
    pkg = tmp_path / "cyclic"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from cyclic import b\n")
    (pkg / "b.py").write_text("from cyclic import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    g = grimp.build_graph("cyclic")
    assert g.find_shortest_chain(importer="cyclic.a", imported="cyclic.b")
    assert g.find_shortest_chain(importer="cyclic.b", imported="cyclic.a")


def test_modules_are_small() -> None:
    sizes = {p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in
             PACKAGE.rglob("*.py")}  # fmt: skip
    large = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not large, f"modules over {MAX_MODULE_LINES} lines: {large}"


def test_every_stage_says_what_it_is() -> None:
    """Each subpackage opens with a docstring: `ls src/analysis` and the first lines show the pipeline."""
    stages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    expected = ["catalogue", "cli", "compare", "core", "demo", "exports", "ingest", "narrative", "report", "views"]
    assert stages == sorted(expected)
    for stage in stages:
        text = (PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")
        assert text.startswith('"""'), stage
