"""Where the project lives and the province settings in ``config/province.yaml``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from analysis.core.periods import CutoffRule, Quarter, period_dates, vn_date
from analysis.core.text import nfc

__all__ = ["project_root", "config_dir", "ProvinceConfig", "Reform", "REPORTED_BY", "load_province_config", "yaml_load"]

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~8x faster on the catalogue


def yaml_load(text: str) -> Any:
    """``yaml.safe_load`` through libyaml when PyYAML has it (same results, same YAMLError on bad input)."""
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


_MARKER = Path("config") / "province.yaml"


def project_root() -> Path:
    """The repository root: ``$ANALYSIS_ROOT``, else the nearest directory above the working directory that
    contains ``config/province.yaml``, else the checkout this module belongs to (``src/analysis/core/../../..``)."""
    env = os.environ.get("ANALYSIS_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    cwd = Path.cwd().resolve()
    for d in (cwd, *cwd.parents):
        if (d / _MARKER).is_file():
            return d
    return Path(__file__).resolve().parents[3]


def config_dir() -> Path:
    """``$ANALYSIS_CONFIG``, else ``project_root()/"config"``."""
    env = os.environ.get("ANALYSIS_CONFIG")
    if env:
        return Path(env).expanduser().resolve()
    return project_root() / "config"


REPORTED_BY = ("communes", "districts")  # who reports the transition quarter's days before the reform


@dataclass(frozen=True)
class Reform:
    """The administrative reform a reporting quarter cuts through (``reform`` in ``province.yaml``).

    ``reported_by`` "communes": the communes report the whole quarter, including what the former districts received
    from its first day; "districts": the districts report up to the day before ``effective``, the communes from it.
    """

    transition_quarter: Quarter
    effective: date  # the day communes replaced districts (inside the transition quarter's data period)
    reported_by: str  # one of REPORTED_BY


@dataclass(frozen=True)
class ProvinceConfig:
    """Province-wide settings."""

    cutoff: CutoffRule
    deadline_days: int | None  # on time when report date <= period end + deadline_days; None = no deadline
    first_period: Quarter  # first quarter expected in completeness tables
    report_title: str
    reform: Reform | None = None  # None: no reform configured
    # which areas (forms) a kind of unit owes: a role (of `roles`) or a unit type → area codes; a kind not listed
    # owes every area. `roles`: unit code → role ("cong_an_tinh: police"). Checked against the catalogue where used.
    forms_owed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    roles: tuple[tuple[str, str], ...] = ()
    # the list forms (02/PCTN cases, 03/PCTN documents) name cases and agencies: their page is written for the
    # analysts outside the report folder that is shared, unless `share_lists: true`
    share_lists: bool = False
    # a comparison with a quarter already published (`python -m analysis publish`) uses the figures leaders signed,
    # noting any revision since; false: the current figures
    compare_with_published: bool = True

    def kind_of(self, unit_code: str, unit_type: str) -> str:
        """The kind a unit owes forms as: its role when it has one, else its type."""
        return dict(self.roles).get(unit_code, unit_type)

    def areas_owed(self, unit_code: str, unit_type: str) -> tuple[str, ...] | None:
        """The areas a unit owes (None: every area)."""
        return dict(self.forms_owed).get(self.kind_of(unit_code, unit_type))


def _err(path: Path, key: str, problem: str) -> ValueError:
    return ValueError(f"{path}: khóa '{key}' {problem} / key '{key}': invalid value")


def _int(path: Path, key: str, value: Any, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise _err(path, key, f"phải là số nguyên từ {lo} đến {hi} (đang là {value!r})")
    return value


def _cutoff(path: Path, value: Any) -> CutoffRule:
    if not isinstance(value, Mapping) or set(value) != {"start_day", "end_day"}:
        raise _err(path, "cutoff", f"phải có đúng hai khóa start_day và end_day (đang là {value!r})")
    start = _int(path, "cutoff.start_day", value["start_day"], 1, 28)
    end = _int(path, "cutoff.end_day", value["end_day"], 0, 27)
    try:
        return CutoffRule(start_day=start, end_day=end)
    except ValueError as exc:
        raise _err(path, "cutoff", f"không hợp lệ: {exc}") from None


def _quarter(path: Path, key: str, value: Any) -> Quarter:
    try:
        return Quarter.parse(str(value))
    except ValueError:
        raise _err(path, key, f"phải là quý dạng 2020Q1 (đang là {value!r})") from None


def _date(path: Path, key: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _err(path, key, f"phải là ngày dạng 2025-07-01 (đang là {value!r})") from None


def _reform(path: Path, value: Any, cutoff: CutoffRule) -> Reform | None:
    """The optional ``reform`` block: transition_quarter, effective (inside that quarter's data), reported_by."""
    if value is None:
        return None
    keys = ("transition_quarter", "effective", "reported_by")
    if not isinstance(value, Mapping) or set(value) != set(keys):
        raise _err(path, "reform", f"phải có đúng ba khóa {', '.join(keys)} (đang là {value!r})")
    quarter = _quarter(path, "reform.transition_quarter", value["transition_quarter"])
    effective = _date(path, "reform.effective", value["effective"])
    start, end = period_dates(quarter, cutoff)
    if not start < effective <= end:
        raise _err(
            path,
            "reform.effective",
            f"phải là một ngày trong kỳ số liệu {quarter.vn} ({vn_date(start)} – {vn_date(end)}), sau ngày đầu kỳ "
            f"(đang là {vn_date(effective)})",
        )
    reported_by = value["reported_by"]
    if reported_by not in REPORTED_BY:
        raise _err(path, "reform.reported_by", f"phải là một trong {list(REPORTED_BY)} (đang là {reported_by!r})")
    return Reform(transition_quarter=quarter, effective=effective, reported_by=reported_by)


def read_yaml(path: Path) -> Mapping[str, Any]:
    """A YAML mapping from a configuration file; ValueError naming the file when it cannot be read."""
    try:
        data = yaml_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: không đọc được tệp cấu hình / cannot read config file ({exc})") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: tệp YAML không hợp lệ / invalid YAML ({exc})") from None
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: tệp cấu hình phải là một bảng khóa: giá trị / config must be a mapping")
    return data


def load_province_config(path: str | Path | None = None) -> ProvinceConfig:
    """Read ``province.yaml`` (default ``config_dir()/"province.yaml"``); ValueError naming file and key.

    Required keys: ``cutoff`` {start_day, end_day}, ``deadline_days`` (int ≥ 0 or null), ``first_period``,
    ``report_title``; optional ``reform`` {transition_quarter, effective, reported_by}. Other keys are ignored (other
    modules may keep their settings in the same file).
    """
    p = Path(path) if path is not None else config_dir() / "province.yaml"
    data = read_yaml(p)
    missing = [k for k in ("cutoff", "deadline_days", "first_period", "report_title") if k not in data]
    if missing:
        raise _err(p, missing[0], "bị thiếu (các khóa bắt buộc: cutoff, deadline_days, first_period, report_title)")
    deadline = data["deadline_days"]
    title = data["report_title"]
    if not isinstance(title, str) or not title.strip():
        raise _err(p, "report_title", f"phải là một dòng chữ khác rỗng (đang là {title!r})")
    cutoff = _cutoff(p, data["cutoff"])
    return ProvinceConfig(
        cutoff=cutoff,
        deadline_days=None if deadline is None else _int(p, "deadline_days", deadline, 0, 366),
        first_period=_quarter(p, "first_period", data["first_period"]),
        report_title=nfc(" ".join(title.split())),
        reform=_reform(p, data.get("reform"), cutoff),
        forms_owed=_forms_owed(p, data.get("forms_owed")),
        roles=_roles(p, data.get("roles")),
        share_lists=_bool(p, "share_lists", data.get("share_lists", False)),
        compare_with_published=_bool(p, "compare_with_published", data.get("compare_with_published", True)),
    )


def _bool(path: Path, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _err(path, key, f"phải là true hoặc false (đang là {value!r})")
    return value


def _forms_owed(path: Path, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The optional ``forms_owed`` block: kind of unit (role or type) → list of area codes."""
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not all(
        isinstance(areas, list) and all(isinstance(a, str) for a in areas) for areas in value.values()
    ):
        raise _err(path, "forms_owed", f"phải là bảng loại đơn vị → danh sách mã lĩnh vực (đang là {value!r})")
    return tuple((str(kind), tuple(areas)) for kind, areas in value.items())


def _roles(path: Path, value: Any) -> tuple[tuple[str, str], ...]:
    """The optional ``roles`` block: unit code → role (a key of ``forms_owed``)."""
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not all(isinstance(role, str) for role in value.values()):
        raise _err(path, "roles", f"phải là bảng mã đơn vị → vai trò (đang là {value!r})")
    roles = tuple((str(code), role) for code, role in value.items())
    return roles
