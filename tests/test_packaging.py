"""The install instructions stay in step: environment.yml vs pyproject.toml, README quick start vs CI."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
_CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:>=\s*([0-9][0-9A-Za-z.]*))?\s*$")
_FENCE = re.compile(r"^```bash\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def _lower_bound(requirement: Requirement) -> Version | None:
    bounds = [Version(spec.version) for spec in requirement.specifier if spec.operator == ">="]
    return max(bounds) if bounds else None


def _pyproject_deps() -> dict[str, Version | None]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    deps = {}
    for spec in specs:
        requirement = Requirement(spec)
        deps[_normalise(requirement.name)] = _lower_bound(requirement)
    return deps


def _environment_deps() -> dict[str, Version | None]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = {}
    for entry in env["dependencies"]:
        if isinstance(entry, dict):  # the `pip:` sub-list (installs the package itself)
            assert set(entry) == {"pip"}, entry
            continue
        match = _CONDA_SPEC.match(entry)
        assert match, f"unexpected conda spec {entry!r}"
        name, bound = _normalise(match.group(1)), match.group(2)
        if name in {"python", "pip"}:
            continue
        deps[name] = Version(bound) if bound else None
    return deps


def _quick_start() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, re.DOTALL | re.MULTILINE)
    assert match, "README.md has no '## Quick start' section"
    return match.group(1)


def _squash(command: str) -> str:
    return "".join(command.split())


# ------------------------------------------------------------------------------------------- dependencies


def test_helpers_read_conda_and_pep508_specs():
    assert _CONDA_SPEC.match("python-calamine>=0.3").groups() == ("python-calamine", "0.3")
    assert _lower_bound(Requirement("pandas>=3.0,<4")) == Version("3")
    assert _normalise("Python_Calamine") == "python-calamine"


def test_environment_yml_installs_the_same_packages_as_pyproject():
    assert sorted(_environment_deps()) == sorted(_pyproject_deps())


def test_environment_yml_and_pyproject_agree_on_lower_bounds():
    conda, pip = _environment_deps(), _pyproject_deps()
    differing = {name: (conda[name], pip[name]) for name in conda.keys() & pip.keys() if conda[name] != pip[name]}
    assert differing == {}


def test_environment_yml_installs_the_package_itself_in_editable_mode():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_lists = [entry["pip"] for entry in env["dependencies"] if isinstance(entry, dict)]
    assert pip_lists == [["-e ."]]


# ------------------------------------------------------------------------------------------- quick start


def test_readme_quick_start_has_exactly_two_bash_commands():
    blocks = _FENCE.findall(_quick_start())
    assert len(blocks) == 2
    for block in blocks:
        assert len(block.strip().splitlines()) == 1, block


def test_readme_test_command_is_the_one_ci_runs():
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert ci_lines[0].startswith("#!") and "bash" in ci_lines[0]
    test_command = _FENCE.findall(_quick_start())[1]
    assert _squash(test_command) == _squash(ci_lines[-1])
