"""Everything a report notebook needs for one quarter, loaded and checked once.

Notebooks call `ReportData.load(quarter, processed_dir)` and then only read attributes and call methods: no logic in
notebooks. Parameters are validated here: an unknown quarter or unit gives a Vietnamese message listing valid ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import pandas as pd

from analysis.catalogue.load import load_catalogue
from analysis.catalogue.model import Catalogue, Indicator
from analysis.compare import areas, comparability, continuity, coverage, published
from analysis.compare import comparisons as compare
from analysis.core.config import ProvinceConfig, Reform, config_dir, load_province_config, project_root
from analysis.core.mistakes import UserMistake
from analysis.core.outputs import read_table
from analysis.core.periods import DEFAULT_CUTOFF, CutoffRule, Quarter, quarter_range
from analysis.core.succession import FILE, Succession, SuccessionError, load_succession
from analysis.core.units import Unit, UnitRegistry, load_units
from analysis.ingest.generation import MANIFEST_FILE, read_tables
from analysis.ingest.schema import TABLES, frame


class ParameterError(UserMistake):
    """A notebook or report parameter that does not name something in the data (message in Vietnamese)."""


PROCESSED_ENV = "ANALYSIS_PROCESSED_DIR"  # set by the report runner, so notebooks carry no local paths


def processed_path(processed_dir: str | Path | None) -> Path:
    """The processed-data folder: as given (relative to the working directory); else $ANALYSIS_PROCESSED_DIR;
    else the project's data/processed."""
    if processed_dir:
        return Path(processed_dir)
    return Path(os.environ.get(PROCESSED_ENV) or project_root() / "data" / "processed")


def available_quarters(processed_dir: str | Path | None = None) -> list[str]:
    values = read_table(processed_path(processed_dir), "values")
    return sorted(values["period"].unique())


def parse_quarter_parameter(quarter: str | Quarter, valid: list[str]) -> Quarter:
    """The quarter parameter as a Quarter, if the data has it; ParameterError listing valid quarters otherwise."""
    try:
        q, spelling = Quarter.from_user(quarter), ""  # "2021Q3", "quý III/2021", "Q3/2021", "III/2021"
    except ValueError as exc:
        q, spelling = None, str(exc)
    if not valid:
        raise ParameterError(
            f"Chưa có số liệu của kỳ nào (kỳ yêu cầu: {quarter!r}): chưa có tệp báo cáo nào được chấp nhận. Hãy chép "
            "các tệp báo cáo của đơn vị vào thư mục data/raw (xem các tệp bị từ chối ở trên, nếu có) rồi chạy lại"
        )
    if q is None:
        raise ParameterError(f"{spelling}. Các kỳ có số liệu: {', '.join(valid)}")
    if q.label not in valid:
        raise ParameterError(
            f"Kỳ báo cáo không hợp lệ hoặc chưa có số liệu: {quarter!r} ({q.vn}). Các kỳ có số liệu: {', '.join(valid)}"
        )
    return q


_last_loaded: list = []  # [source state, ReportData]: the last data loaded in this process


def _source_state(quarter: str | Quarter, folder: Path) -> tuple:
    """What a loaded ReportData depends on: the quarter asked for, the processed tables, the catalogue and the unit
    registry (paths, modification times and sizes)."""
    sources = [folder / f"{name}.parquet" for name in TABLES] + [folder / MANIFEST_FILE]
    sources += [folder.parent / published.FOLDER]  # a quarter published (renamed into it) is a new state
    package = resources.files("analysis.catalogue")
    sources += [
        Path(str(package / "catalogue.yaml")),
        Path(str(package / "versions.yaml")),
        Path(str(package / "lists.yaml")),
        config_dir() / "units.yaml",
        config_dir() / FILE,
    ]
    sources += [config_dir() / "province.yaml"]
    stats = []
    for path in sources:
        try:
            st = path.stat()
        except OSError:
            stats.append((str(path), None))
            continue
        stats.append((str(path.resolve()), st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size))  # a rewrite
        # by outputs.atomic_path is a new file (inode) even within the file system's timestamp granularity
    return (str(quarter), tuple(stats))


@dataclass(frozen=True)
class ReportData:
    """Read-only: one loaded object serves every notebook a kernel runs (see `load`); derive, never assign."""

    quarter: Quarter
    catalogue: Catalogue
    registry: UnitRegistry
    values: pd.DataFrame
    submissions: pd.DataFrame
    issues: pd.DataFrame
    completeness: pd.DataFrame
    folder: Path | None = None  # the processed-data folder the tables were read from (None: built in memory)
    province_config: ProvinceConfig | None = None  # cut-off rule and reform (None: default cut-off, no reform)
    # the list forms' items (02/PCTN cases, 03/PCTN documents): for the analysts' internal page only
    lists: pd.DataFrame = field(default_factory=lambda: frame([], "lists"))
    # the reform's crosswalk (config/crosswalk.yaml): the area views by former district, province and agency
    succession: Succession | None = None
    # the quarters published (`python -m analysis publish`) and every figure of theirs revised since
    publications: dict[str, published.Publication] = field(default_factory=dict)
    revisions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=published.REVISION_COLUMNS))
    # the figures entered by hand (data/manual) and what became of each (`ingest.manual_apply`)
    manual: pd.DataFrame = field(default_factory=lambda: frame([], "manual"))
    # why config/crosswalk.yaml could not be used (the views then say so, nothing else stops)
    succession_error: str = ""

    @classmethod
    def forget(cls) -> None:
        """Drop the data `load` keeps for its next call (a process that will not read them again)."""
        _last_loaded.clear()

    @classmethod
    def load(cls, quarter: str | Quarter, processed_dir: str | Path | None = None) -> ReportData:
        """The data for `quarter`; the same object again while nothing it was built from has changed (a report
        worker's kernel runs one notebook per unit on the same data: tables and comparisons are computed once)."""
        folder = processed_path(processed_dir)
        if not (folder / "values.parquet").exists():
            raise ParameterError(
                f"Chưa có dữ liệu đã xử lý trong {folder.name}/: hãy chạy `python -m analysis ingest` trước"
            )
        key = _source_state(quarter, folder)
        if _last_loaded and _last_loaded[0] == key:
            return _last_loaded[1]
        tables = read_tables(folder)  # all of one ingest run (InconsistentTables, in Vietnamese, otherwise)
        valid = sorted(tables["values"]["period"].unique())
        chosen = parse_quarter_parameter(quarter, valid)
        registry, settings = load_units(), load_province_config()
        try:
            succession, succession_error = load_succession(config_dir() / FILE, registry, settings.reform), ""
        except SuccessionError as err:
            succession, succession_error = None, str(err)
        publications = published.load_publications(folder.parent / published.FOLDER)
        revised = published.revisions(publications, tables["values"])
        if settings.compare_with_published:
            tables = published.with_published(tables, publications, chosen)
        data = cls(
            quarter=chosen,
            catalogue=load_catalogue().for_quarter(chosen),  # the quarter's forms (every concept known by code)
            registry=registry,
            folder=folder,
            province_config=settings,
            succession=succession,
            succession_error=succession_error,
            publications=publications,
            revisions=revised,
            **tables,
        )
        _last_loaded[:] = [key, data]
        return data

    # ---------------------------------------------------------------- parameters

    def unit(self, code: str) -> Unit:
        """The unit parameter, checked: ParameterError listing the units that reported this quarter."""
        codes = self.units_reporting()
        if code not in codes:
            listed = ", ".join(f"{c} ({self.registry.get(c).name})" for c in codes)
            raise ParameterError(
                f"Đơn vị không hợp lệ hoặc không có số liệu {self.quarter.vn}: {code!r}. Chọn một trong: {listed}"
            )
        return self.registry.get(code)

    def units_reporting(self) -> list[str]:
        """Unit codes with an accepted submission this quarter, in registry order."""
        return list(self._units_reporting)

    @cached_property
    def _units_reporting(self) -> tuple[str, ...]:
        present = set(self.values.loc[self.values["period"] == self.quarter.label, "unit_code"])
        return tuple(u.code for u in self.registry.units if u.code in present)

    @property
    def reform(self) -> Reform | None:
        """The reform configured in province.yaml, None when none."""
        return self.province_config.reform if self.province_config else None

    @property
    def compares_published(self) -> bool:
        """Whether comparisons with a published quarter use its published figures (province.yaml
        `compare_with_published`, on by default)."""
        return self.province_config is None or self.province_config.compare_with_published

    @property
    def cutoff(self) -> CutoffRule:
        return self.province_config.cutoff if self.province_config else DEFAULT_CUTOFF

    # ---------------------------------------------------------------- tables

    @cached_property
    def periods(self) -> list[str]:
        """All quarters from the first in the data to the report quarter."""
        first = Quarter.parse(self.values["period"].min())
        return [q.label for q in quarter_range(first, self.quarter)]

    @cached_property
    def province(self) -> pd.DataFrame:
        return compare.province_values(self.values, self.catalogue, self.completeness)

    @cached_property
    def by_unit(self) -> pd.DataFrame:
        return compare.unit_values(self.values, self.catalogue)

    @cached_property
    def province_comparison(self) -> pd.DataFrame:
        """The province's comparison, each side's coverage (units_reporting/_expected[_<base>]) and like for like
        (`coverage.like_for_like`)."""
        cmp = compare.compare(self.province, self.quarter)
        now = self.province[["period", "indicator", "units_reporting", "units_expected"]]
        return (
            cmp.merge(now[now["period"] == self.quarter.label].drop(columns="period"), on="indicator", how="left")
            .merge(coverage.side_coverage(self.province, self.quarter), on="indicator", how="left")
            .merge(coverage.like_for_like(self.by_unit, self.catalogue, self.quarter), on="indicator", how="left")
            .pipe(_lfl_defaults)
            .pipe(comparability.judge, self.catalogue, self.quarter)
        )

    @cached_property
    def coverage(self) -> pd.DataFrame:
        """period, unit_type, expected, reported for this quarter and the quarters it is compared with."""
        periods = [self.quarter.label, *(q.label for q in coverage.base_quarters(self.quarter).values())]
        return coverage.coverage_by_type(self.completeness, self.registry, periods)

    @cached_property
    def province_ytd(self) -> pd.DataFrame:
        ytd = compare.year_to_date(self.province, self.catalogue, self.quarter)
        return continuity.mark_ytd_form_changes(ytd, self.catalogue, self.quarter)

    @cached_property
    def unit_comparison(self) -> pd.DataFrame:
        cmp = coverage.with_since(compare.compare(self.by_unit, self.quarter, ["unit_code"]), self.registry)
        types = {u.code: u.type for u in self.registry.units}
        cmp = comparability.judge(cmp, self.catalogue, self.quarter)
        cmp = cmp.assign(unit_type=cmp["unit_code"].map(types))
        cmp = compare.rank_units(cmp)
        # units of this quarter: those expected now and any that reported now (not the former districts' rows)
        now = {u.code for u in self.registry.active(self.quarter)} | set(cmp.loc[cmp["value"].notna(), "unit_code"])
        cmp = cmp[cmp["unit_code"].isin(now)].reset_index(drop=True)
        names = {u.code: u.name for u in self.registry.units}
        return cmp.assign(unit_name=cmp["unit_code"].map(names))

    @cached_property
    def area_values(self) -> pd.DataFrame:
        """Figures by former province, former district and today's agency with its predecessors, every quarter
        (`compare.areas`); empty without a crosswalk."""
        if self.succession is None:
            return pd.DataFrame(columns=[*areas.KEYS, "period", "indicator", "value"])
        return areas.area_values(self.values, self.catalogue, self.completeness, self.succession)

    @cached_property
    def area_comparison(self) -> pd.DataFrame:
        """This quarter's comparison of every area, judged by the one rule; empty without a crosswalk."""
        if self.succession is None:
            return pd.DataFrame(columns=[*areas.KEYS, "indicator", "area_name", "value"])
        coverage = areas.area_coverage(self.completeness, self.succession)
        return areas.area_comparison(self.area_values, coverage, self.catalogue, self.quarter, self.succession)

    @cached_property
    def outliers(self) -> pd.DataFrame:
        # a unit's own history of the same definition only (never across a change of forms)
        return compare.outliers(continuity.same_definition(self.by_unit, self.catalogue, self.quarter), self.quarter)

    def indicator(self, code: str) -> Indicator:
        return self.catalogue.indicator(code)

    def key_indicators(self, area: str | None = None) -> list[Indicator]:
        return [i for i in self.catalogue.indicators if i.key and (area is None or i.area == area)]

    def trend(self, code: str, unit_code: str | None = None) -> pd.DataFrame:
        """period, value (and coverage for the province) of one indicator over all quarters up to the report's."""
        if unit_code is None:
            table = self.province[self.province["indicator"] == code]
        else:
            own = self.of_unit("by_unit", unit_code)
            table = own[own["indicator"] == code]
        periods = pd.Index(self.periods, name="period")  # one row per period (the unit's, or the province's)
        return table.drop(columns=["indicator"]).set_index("period").reindex(periods).reset_index()

    def of_unit(self, table: str, unit_code: str) -> pd.DataFrame:
        """The rows of one unit in `table` ("by_unit", "unit_comparison"): a unit's page reads its own rows many
        times, and at a province's scale (130+ units) filtering the whole table each time is most of its cost."""
        if table not in self._splits:
            frame = getattr(self, table)
            groups = {code: rows for code, rows in frame.groupby("unit_code", sort=False, observed=True)}
            self._splits[table] = (groups, frame.iloc[0:0])
        groups, empty = self._splits[table]
        return groups.get(unit_code, empty)

    @cached_property
    def _splits(self) -> dict[str, tuple[dict[str, pd.DataFrame], pd.DataFrame]]:
        return {}

    def completeness_now(self) -> pd.DataFrame:
        return self.completeness[self.completeness["period"] == self.quarter.label]


def _lfl_defaults(cmp: pd.DataFrame) -> pd.DataFrame:
    """Indicators without unit figures in either quarter: the same (empty) sets, no common unit."""
    fill = {}
    for base in coverage.BASES:
        fill[f"units_differ_{base}"] = False
        fill[f"common_units_{base}"] = 0
        fill[f"lfl_status_{base}"] = "no_data"
    types = {c: ("bool" if c.startswith("units_differ") else "int64") for c in fill if not c.startswith("lfl_status")}
    return cmp.fillna(fill).astype(types)
