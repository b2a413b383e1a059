from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from analysis.core.config import ProvinceConfig, Reform, config_dir, load_province_config, project_root
from analysis.core.periods import CutoffRule, Quarter

REPO = Path(__file__).resolve().parents[1]

GOOD = {
    "cutoff": {"start_day": 15, "end_day": 14},
    "deadline_days": 7,
    "first_period": "2020Q1",
    "report_title": "Báo cáo công tác nội chính",
}


def write(tmp_path: Path, data: object, name: str = "province.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("ANALYSIS_ROOT", raising=False)
    monkeypatch.delenv("ANALYSIS_CONFIG", raising=False)


def test_repo_province_config():
    cfg = load_province_config()
    assert cfg == ProvinceConfig(
        cutoff=CutoffRule(15, 14),
        deadline_days=7,
        first_period=Quarter(2020, 1),
        report_title=cfg.report_title,
        reform=Reform(Quarter(2025, 3), date(2025, 7, 1), "communes"),  # the demo's districts end in 2025Q2
    )
    assert cfg.report_title.startswith("Báo cáo công tác")


def test_project_root_from_cwd(monkeypatch):
    monkeypatch.chdir(REPO / "tests")
    assert project_root() == REPO
    assert config_dir() == REPO / "config"


def test_project_root_walks_up_to_a_config_dir(tmp_path, monkeypatch):
    (tmp_path / "config").mkdir()
    write(tmp_path / "config", GOOD)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert project_root() == tmp_path.resolve()


def test_project_root_falls_back_to_package_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert project_root() == REPO


def test_env_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
    assert project_root() == tmp_path.resolve()
    assert config_dir() == tmp_path.resolve() / "config"
    monkeypatch.setenv("ANALYSIS_CONFIG", str(tmp_path / "other"))
    assert config_dir() == (tmp_path / "other").resolve()


def test_load_from_config_dir_env(tmp_path, monkeypatch):
    write(
        tmp_path,
        {**GOOD, "deadline_days": None, "first_period": "2021Q3", "cutoff": {"start_day": 1, "end_day": 0}},
    )
    monkeypatch.setenv("ANALYSIS_CONFIG", str(tmp_path))
    cfg = load_province_config()
    assert cfg.deadline_days is None
    assert cfg.first_period == Quarter(2021, 3)
    assert cfg.cutoff == CutoffRule.calendar()


def test_extra_keys_are_ignored(tmp_path):
    assert load_province_config(write(tmp_path, {**GOOD, "outlier_z": 3})).deadline_days == 7


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"deadline_days": -1}, "deadline_days"),
        ({"deadline_days": "7"}, "deadline_days"),
        ({"deadline_days": True}, "deadline_days"),
        ({"first_period": "Q1/2020"}, "first_period"),
        ({"first_period": 2020}, "first_period"),
        ({"cutoff": {"start_day": 15, "end_day": 15}}, "cutoff"),
        ({"cutoff": {"start": 15, "end": 14}}, "cutoff"),
        ({"cutoff": "15-14"}, "cutoff"),
        ({"cutoff": {"start_day": 15, "end_day": 40}}, "cutoff.end_day"),
        ({"report_title": ""}, "report_title"),
        ({"report_title": None}, "report_title"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path, change, key):
    path = write(tmp_path, {**GOOD, **change})
    with pytest.raises(ValueError) as exc:
        load_province_config(path)
    assert str(path) in str(exc.value)
    assert f"'{key}'" in str(exc.value)


@pytest.mark.parametrize("key", list(GOOD))
def test_missing_key(tmp_path, key):
    data = {k: v for k, v in GOOD.items() if k != key}
    with pytest.raises(ValueError, match=f"'{key}'"):
        load_province_config(write(tmp_path, data))


def test_not_a_mapping_or_missing_file(tmp_path):
    with pytest.raises(ValueError, match="province.yaml"):
        load_province_config(write(tmp_path, ["a", "b"]))
    with pytest.raises(ValueError, match="missing.yaml"):
        load_province_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("cutoff: [unclosed", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yaml"):
        load_province_config(bad)
