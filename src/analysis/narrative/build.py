"""Vietnamese narrative drafts of the quarterly report: one paragraph per area, written from the computed comparisons.

The wording lives in ``narrative.yaml``: per area a heading, an opening and a list of sentence templates with
placeholders (``{quarter}``, ``{TCD01}``, ``{TCD01.change_previous}``, ``{GQ05.rate}`` …), plus the phrases every
sentence shares (how a change, a rate or a partial coverage is said). This module only supplies the figures:

* :func:`approximate` — a figure as spoken in reports ("trên 7.000", "trên 20 nghìn"): never above the true value,
  at least 90% of it;
* :func:`build_narrative` → :class:`Paragraph` list; :func:`render_text`, :func:`render_markdown`.

Templates are filled with ``str.format_map`` and a mapping that resolves each placeholder lazily; nothing is
evaluated. Every template is checked when loaded, and an unknown placeholder raises :class:`NarrativeTemplateError`
naming the template and the placeholder. A figure that is missing, a change from a zero or missing base and a
province total that does not cover every expected unit are said in words, never printed as a gap or a division.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from analysis.catalogue.model import Catalogue, Indicator, load_catalogue
from analysis.core import vnformat
from analysis.core.config import yaml_load
from analysis.core.periods import Quarter

if TYPE_CHECKING:
    from analysis.compare.report_data import ReportData

__all__ = [
    "Approximation",
    "AreaTemplates",
    "NarrativeTemplateError",
    "NarrativeTemplates",
    "Paragraph",
    "FigureFields",
    "approximate",
    "approximate_parts",
    "build_narrative",
    "check_template",
    "default_phrases",
    "figure",
    "figure_number",
    "load_templates",
    "rate_text",
    "render_markdown",
    "render_text",
    "templates_from_mapping",
]

TEMPLATE_FILE = "narrative.yaml"


class NarrativeTemplateError(ValueError):
    """A narrative template is malformed or names a placeholder that does not exist."""


@dataclass(frozen=True)
class Paragraph:
    area: str
    heading: str
    text: str


# ------------------------------------------------------------------------------------------ approximate figures

OVER = "trên"
THOUSAND = "nghìn"
EXACT_BELOW = 100  # small counts are always said exactly ("50 cơ sở")
THOUSANDS_FROM = 10_000  # from here on in "nghìn" ("trên 20 nghìn")
_SMALL_STEPS = (1000, 500, 100, 50, 10)  # roundest first


class Approximation(NamedTuple):
    """How a figure is said approximately: ``rounded`` (≤ the value, ≥ 90% of it), with "trên" when ``over``."""

    rounded: float
    over: bool
    thousands: bool
    text: str


def _large_steps(x: float) -> list[int]:
    """10^k, 5·10^(k−1), 10^(k−1), … down to 1000, for 10^k ≤ x."""
    step = 10 ** (len(str(int(x))) - 1)
    steps = []
    while step >= 1000:
        steps.append(step)
        if step // 2 >= 1000:
            steps.append(step // 2)
        step //= 10
    return steps


def approximate_parts(value: float) -> Approximation:
    """The roundest figure ≤ ``value`` and ≥ 90% of it (see :func:`approximate`); ValueError for NaN/inf."""
    x = float(value)
    if math.isnan(x) or math.isinf(x):
        raise ValueError(f"Không làm tròn được giá trị {value!r} / cannot approximate {value!r}")
    if x < EXACT_BELOW:  # small counts, and negatives (never a count), stay exact
        return Approximation(x, False, False, vnformat.auto(x))
    rounded = x
    for step in _SMALL_STEPS if x < THOUSANDS_FROM else _large_steps(x):
        candidate = math.floor(x / step) * step
        if candidate * 10 >= x * 9:  # ≥ 90% of the value (exact for whole numbers)
            rounded = float(candidate)
            break
    thousands = x >= THOUSANDS_FROM
    number = f"{vnformat.number(rounded / 1000)} {THOUSAND}" if thousands else vnformat.number(rounded)
    over = rounded < x
    return Approximation(rounded, over, thousands, f"{OVER} {number}" if over else number)


def approximate(value: float) -> str:
    """A figure as reports speak it, never above the truth and at least 90% of it.

    7048 → "trên 7.000", 604 → "trên 600", 7000 → "7.000", 50 → "50" (below 100: exact), 20480 → "trên 20 nghìn",
    12345 → "trên 12 nghìn". The roundest number ≤ value and ≥ 0,9 × value wins (multiples of 1000, then 500, 100,
    50, 10; from 10.000 up in "nghìn"); "trên" only when it is strictly below the value.
    """
    return approximate_parts(value).text


def _missing(x: object) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def figure_number(value: float | None, exact: bool = True, missing: str = "chưa có số liệu") -> str:
    """A count without its unit: "7.048" (exact) or "trên 7.000" (approximate); ``missing`` for None/NaN."""
    if _missing(value):
        return missing
    return vnformat.auto(value) if exact else approximate(float(value))  # type: ignore[arg-type]


def figure(value: float | None, unit: str, exact: bool = True, missing: str = "chưa có số liệu") -> str:
    """A figure with its unit: "7.048 lượt", "trên 7.000 lượt"; a rate: "75,3%"; ``missing`` for None/NaN."""
    if _missing(value):
        return missing
    if unit == "%":
        return vnformat.percent(value)
    return f"{figure_number(value, exact)} {unit}"


def _fraction(num: float, den: float) -> str:
    return f"{vnformat.auto(num)}/{vnformat.auto(den)}"


def rate_text(
    num: float | None,
    den: float | None,
    unit: str,
    scale: float = 100.0,
    phrases: Mapping[str, str] | None = None,
) -> str:
    """ "238/316 vụ việc, đạt tỷ lệ 75,3%"; 0/0 → "0/0 vụ việc (không tính tỷ lệ vì tổng số bằng 0)"."""
    ph = phrases or default_phrases()
    if _missing(num) or _missing(den):
        return ph["missing_value"]
    words = {"numerator": vnformat.auto(num), "denominator": vnformat.auto(den), "unit": unit}
    if float(den) == 0:  # type: ignore[arg-type]
        return ph["rate_zero_base"].format_map(words)
    return ph["rate"].format_map({**words, "rate": vnformat.percent(float(num) / float(den) * scale)})  # type: ignore


# ------------------------------------------------------------------------------------------------ templates

GLOBAL_FIELDS = (
    "quarter",
    "quarter_title",
    "previous_quarter",
    "last_year_quarter",
    "year",
    "last_year",
    "ytd",
    "ytd_title",
    "province",
    "province_title",
    "area_title",
)
# attributes of an indicator placeholder; "" is the bare {TCD01}
NOW_ATTRIBUTES = frozenset({"", "bare", "exact", "approx", "change_previous", "change_last_year", "changes"})
RATE_ATTRIBUTES = frozenset({"rate", "fraction"})
YTD_ATTRIBUTES = frozenset({"ytd", "ytd_bare", "ytd_change"})
YTD_RATE_ATTRIBUTES = frozenset({"ytd_rate", "ytd_fraction"})
INFO_ATTRIBUTES = frozenset(
    {"previous", "last_year", "coverage", "ytd_coverage", "name", "title", "short_name", "unit"}
)
ATTRIBUTES = NOW_ATTRIBUTES | RATE_ATTRIBUTES | YTD_ATTRIBUTES | YTD_RATE_ATTRIBUTES | INFO_ATTRIBUTES
RATIO_ONLY = RATE_ATTRIBUTES | YTD_RATE_ATTRIBUTES
IT = "it"  # the indicator a generic sentence is about

# the placeholders each phrase may use
PHRASE_FIELDS: dict[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "base_previous": "base_period year",
        "base_last_year": "base_period year",
        "base_ytd": "base_period year",
        "increase": "pct base base_period",
        "decrease": "pct base base_period",
        "increase_points": "points base base_period",
        "decrease_points": "points base base_period",
        "increase_multiple": "times base base_period",
        "about_same": "base base_period",
        "unchanged": "base base_period",
        "new": "base base_period",
        "no_base": "base base_period",
        "no_base_zero": "base base_period",
        "no_base_both": "previous_period last_year_period",
        "no_data": "period",
        "ytd_partial_base": "base base_period",
        "ytd_incomplete": "base base_period",
        "changes_separator": "",
        "rate": "numerator denominator unit rate",
        "rate_zero_base": "numerator denominator unit",
        "missing_value": "",
        "coverage": "parts",
        "coverage_units": "reporting expected",
        "coverage_not_received": "units",
        "coverage_blank": "units",
        "coverage_estimate": "",
        "parts_separator": "",
        "list_separator": "",
        "names_separator": "",
        "ytd_coverage": "reported span",
        "no_data_sentence": "period names",
        "zero_base_sentence": "period name denominator",
    }.items()
}


@dataclass(frozen=True)
class AreaTemplates:
    """The wording of one area's paragraph."""

    area: str
    heading: str
    opening: str
    sentences: tuple[str, ...]
    year_to_date: tuple[str, ...] = ()


@dataclass(frozen=True)
class NarrativeTemplates:
    """All the wording of the narrative, checked against the catalogue."""

    source: str
    phrases: Mapping[str, str]
    areas: Mapping[str, AreaTemplates]
    generic_opening: str
    generic_sentence: str
    generic_year_to_date: str
    multiple_from_pct: float | None = 100.0


def _template_id(source: str, where: str) -> str:
    return f"{source} › {where}"


def _fields(template: str, template_id: str) -> list[tuple[str, str | None, str | None]]:
    """(field_name, format_spec, conversion) of each placeholder; NarrativeTemplateError for broken braces."""
    if not isinstance(template, str):
        raise NarrativeTemplateError(f"{template_id}: mẫu câu phải là chuỗi ký tự / template must be a string")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise NarrativeTemplateError(
            f"{template_id}: dấu ngoặc {{ }} không khớp ({exc}); viết {{{{ và }}}} cho dấu ngoặc thật / "
            f"unbalanced braces in {template!r}"
        ) from None
    return [(name, spec, conv) for _, name, spec, conv in parsed if name is not None]


def _split_field(name: str) -> tuple[str, str]:
    key, _, attribute = name.partition(".")
    return key, attribute


def _unknown_field(template_id: str, name: str, reason: str) -> NarrativeTemplateError:
    return NarrativeTemplateError(
        f"{template_id}: trường không hợp lệ {{{name}}} — {reason}. Trường dùng được: "
        f"{', '.join('{' + f + '}' for f in GLOBAL_FIELDS)}, {{MÃ}} và {{MÃ.thuộc_tính}} với thuộc tính "
        f"{', '.join(sorted(a for a in ATTRIBUTES if a))} / unknown template key {{{name}}}"
    )


def check_template(template: str, template_id: str, catalogue: Catalogue, allow_it: bool = False) -> None:
    """Every placeholder of ``template`` names a global field or an indicator and a known attribute."""
    for name, spec, conversion in _fields(template, template_id):
        if not name:
            raise _unknown_field(template_id, name, "chỗ trống {} không có tên / empty placeholder")
        if spec or conversion:
            raise _unknown_field(template_id, name, "không dùng định dạng (:…) hay chuyển đổi (!…) / no format spec")
        if "[" in name:
            raise _unknown_field(template_id, name, "không dùng chỉ số […] / no indexing")
        key, attribute = _split_field(name)
        if key in GLOBAL_FIELDS:
            if attribute:
                raise _unknown_field(template_id, name, f"{{{key}}} không có thuộc tính / has no attributes")
            continue
        if key == IT and allow_it:
            code = None
        else:
            try:
                code = catalogue.indicator(key).code
            except KeyError:
                raise _unknown_field(template_id, name, f"không có chỉ tiêu mã {key!r} trong danh mục") from None
        if attribute not in ATTRIBUTES:
            raise _unknown_field(template_id, name, f"không có thuộc tính {attribute!r}")
        if code is not None and attribute in RATIO_ONLY and catalogue.indicator(code).is_input:
            raise _unknown_field(template_id, name, f"{code} không phải chỉ tiêu tỷ lệ / only rates have .{attribute}")


def _check_phrase(name: str, text: Any, source: str) -> str:
    template_id = _template_id(source, f"phrases.{name}")
    allowed = PHRASE_FIELDS[name]
    for field_name, spec, conversion in _fields(text, template_id):
        if field_name not in allowed or spec or conversion:
            listed = ", ".join("{" + f + "}" for f in sorted(allowed)) or "không có"
            raise NarrativeTemplateError(
                f"{template_id}: trường không hợp lệ {{{field_name}}}; câu này dùng được: {listed} / "
                f"unknown template key {{{field_name}}}"
            )
    return text


def _read_yaml(path: str | Path | None) -> tuple[Any, str]:
    if path is None:
        text = resources.files("analysis.narrative").joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")
        return yaml_load(text), TEMPLATE_FILE
    p = Path(path)
    return yaml_load(p.read_text(encoding="utf-8")), p.name


def _phrases_from(raw: Any, source: str) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise NarrativeTemplateError(f"{source}: thiếu mục 'phrases' / missing 'phrases'")
    unknown = sorted(set(raw) - set(PHRASE_FIELDS))
    if unknown:
        raise NarrativeTemplateError(f"{source}: phrases có khóa lạ {unknown} / unknown phrases")
    missing = sorted(set(PHRASE_FIELDS) - set(raw))
    if missing:
        raise NarrativeTemplateError(f"{source}: phrases thiếu {missing} / missing phrases")
    return {name: _check_phrase(name, raw[name], source) for name in PHRASE_FIELDS}


@lru_cache(maxsize=1)
def default_phrases() -> Mapping[str, str]:
    """The phrases of the packaged ``narrative.yaml``."""
    data, source = _read_yaml(None)
    return _phrases_from(data.get("phrases"), source)


def _string_list(raw: Any, template_id: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise NarrativeTemplateError(f"{template_id}: cần một danh sách câu / must be a list of strings")
    return tuple(raw)


def templates_from_mapping(data: Any, catalogue: Catalogue, source: str = "<narrative>") -> NarrativeTemplates:
    """Build and check the templates from the parsed YAML structure."""
    if not isinstance(data, Mapping):
        raise NarrativeTemplateError(f"{source}: cần một bảng khóa: giá trị / must be a mapping")
    unknown = sorted(set(data) - {"version", "settings", "phrases", "areas", "generic"})
    if unknown:
        raise NarrativeTemplateError(f"{source}: khóa lạ {unknown} / unknown keys")
    phrases = _phrases_from(data.get("phrases"), source)
    settings = data.get("settings") or {}
    multiple = settings.get("multiple_from_pct", 100) if isinstance(settings, Mapping) else 100
    if multiple is not None and (isinstance(multiple, bool) or not isinstance(multiple, int | float)):
        raise NarrativeTemplateError(f"{source}: settings.multiple_from_pct phải là số hoặc null / must be a number")

    areas: dict[str, AreaTemplates] = {}
    raw_areas = data.get("areas") or {}
    if not isinstance(raw_areas, Mapping):
        raise NarrativeTemplateError(f"{source}: 'areas' phải là bảng mã lĩnh vực → mẫu câu / must be a mapping")
    for code, raw in raw_areas.items():
        where = _template_id(source, f"areas.{code}")
        try:
            area = catalogue.area(code)
        except KeyError:
            raise NarrativeTemplateError(f"{where}: không có lĩnh vực mã {code!r} trong danh mục") from None
        if not isinstance(raw, Mapping) or set(raw) - {"heading", "opening", "sentences", "year_to_date"}:
            raise NarrativeTemplateError(
                f"{where}: cần các khóa heading, opening, sentences, year_to_date / expected those keys"
            )
        entry = AreaTemplates(
            area=code,
            heading=raw.get("heading") or area.title,
            opening=raw.get("opening") or "",
            sentences=_string_list(raw.get("sentences"), f"{where}.sentences"),
            year_to_date=_string_list(raw.get("year_to_date"), f"{where}.year_to_date"),
        )
        check_template(entry.heading, f"{where}.heading", catalogue)
        check_template(entry.opening, f"{where}.opening", catalogue)
        for kind in ("sentences", "year_to_date"):
            for i, sentence in enumerate(getattr(entry, kind)):
                check_template(sentence, f"{where}.{kind}[{i}]", catalogue)
        areas[code] = entry

    generic = data.get("generic") or {}
    if not isinstance(generic, Mapping):
        raise NarrativeTemplateError(f"{source}: 'generic' phải là bảng khóa / must be a mapping")
    parts = {
        "opening": generic.get("opening", "{area_title}:"),
        "sentence": generic.get("sentence", "{it.title} là {it} ({it.changes}){it.coverage}."),
        "year_to_date": generic.get("year_to_date", "Lũy kế {ytd}, {it.name} là {it.ytd} ({it.ytd_change})."),
    }
    for key, text in parts.items():
        check_template(text, _template_id(source, f"generic.{key}"), catalogue, allow_it=key != "opening")
    return NarrativeTemplates(
        source=source,
        phrases=phrases,
        areas=areas,
        generic_opening=parts["opening"],
        generic_sentence=parts["sentence"],
        generic_year_to_date=parts["year_to_date"],
        multiple_from_pct=None if multiple is None else float(multiple),
    )


def load_templates(path: str | Path | None = None, catalogue: Catalogue | None = None) -> NarrativeTemplates:
    """The packaged ``narrative.yaml`` (or another file), checked against the catalogue."""
    data, source = _read_yaml(path)
    return templates_from_mapping(data, catalogue or load_catalogue(), source)


# ------------------------------------------------------------------------------------------------ figures


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _about_zero(x: float) -> bool:
    return vnformat.number(abs(x), 1) == "0,0"


class _Facts:
    """One quarter's figures and how each is said; the resolver behind :class:`FigureFields`."""

    def __init__(self, data: ReportData, exact: bool, templates: NarrativeTemplates) -> None:
        self.q: Quarter = data.quarter
        self.catalogue = data.catalogue
        self.exact = exact
        self.ph = templates.phrases
        self.multiple_from_pct = templates.multiple_from_pct
        self.cmp = data.province_comparison.set_index("indicator")
        province = data.province
        self.province = province.set_index(["period", "indicator"]).sort_index()
        self.ytd = data.province_ytd.set_index("indicator") if self.q.quarter > 1 else None
        self.ytd_span = [q.label for q in self.q.year_to_date()]
        self.ytd_base_span = [q.label for q in self.q.same_quarter_last_year().year_to_date()]
        self.codes = {i.code for i in self.catalogue.indicators}
        self.area_title = ""
        self.start_paragraph()
        self.globals = self._globals(data)
        self._coverage_facts(data)

    # ---------------------------------------------------------------- context

    def _globals(self, data: ReportData) -> dict[str, str]:
        q = self.q
        province = data.registry.province_name
        return {
            "quarter": q.vn,
            "quarter_title": q.vn_title,
            "previous_quarter": q.previous().vn,
            "last_year_quarter": q.same_quarter_last_year().vn,
            "year": str(q.year),
            "last_year": str(q.year - 1),
            "ytd": q.ytd_vn,
            "ytd_title": _upper_first(q.ytd_vn),
            "province": _lower_first(province),
            "province_title": province,
            "area_title": "",
        }

    def _coverage_facts(self, data: ReportData) -> None:
        now = data.completeness_now()
        expected = now[now["expected"].astype(bool)]
        self.expected_units = list(expected["unit_code"])
        self.unit_names = dict(zip(now["unit_code"], now["unit_name"], strict=False))
        self.received = set(expected.loc[expected["received"].astype(bool), "unit_code"])
        order = {code: i for i, code in enumerate(data.registry.codes)}
        self.expected_units.sort(key=lambda c: order.get(c, len(order)))
        values = data.values[(data.values["period"] == self.q.label) & data.values["value"].notna()]
        reported = values.groupby("indicator")["unit_code"].agg(set).to_dict()
        self.has_figure: dict[str, set[str]] = {}
        for ind in self.catalogue.indicators:
            if ind.is_input:
                self.has_figure[ind.code] = reported.get(ind.code, set())
            else:
                self.has_figure[ind.code] = reported.get(ind.numerator, set()) & reported.get(ind.denominator, set())

    def start_paragraph(self) -> None:
        """A coverage note is said once per paragraph, missing figures at its end: forget the previous ones."""
        self._seen_coverage = set()
        self.missing_now: dict[str, None] = {}
        self.missing_ytd: dict[str, None] = {}

    def indicator(self, code: str) -> Indicator:
        return self.catalogue.indicator(code)

    def _row(self, code: str) -> pd.Series | None:
        return self.cmp.loc[code] if code in self.cmp.index else None

    def _province_cell(self, period: str, code: str, column: str) -> Any:
        key = (period, code)
        if column not in self.province.columns or key not in self.province.index:
            return None
        return self.province.at[key, column]

    def _pair(self, periods: Iterable[str], code: str) -> tuple[float, float] | None:
        """Summed (numerator, denominator) of a rate over ``periods``; None when no period has the pair."""
        nums, dens = [], []
        for period in periods:
            num, den = self._province_cell(period, code, "ratio_num"), self._province_cell(period, code, "ratio_den")
            if not _missing(num) and not _missing(den):
                nums.append(float(num))
                dens.append(float(den))
        return (sum(nums), sum(dens)) if nums else None

    def value(self, code: str) -> float | None:
        row = self._row(code)
        return None if row is None or _missing(row["value"]) else float(row["value"])

    def state(self, code: str) -> str:
        """ "ok", "missing" or "zero_base" (a rate of 0/0) for this quarter's figure."""
        if self.indicator(code).is_input:
            return "missing" if self.value(code) is None else "ok"
        pair = self._pair([self.q.label], code)
        if pair is None:
            return "missing"
        return "zero_base" if pair[1] == 0 else "ok"

    def ytd_state(self, code: str) -> str:
        """As :meth:`state`, year to date; a 0/0 over only some of the quarters is missing, not "không phát sinh"."""
        if self.indicator(code).is_input:
            return "missing" if self.ytd_value(code) is None else "ok"
        pair = self._pair(self.ytd_span, code)
        if pair is None:
            return "missing"
        if pair[1] == 0:
            complete = self._quarters_with_figure(code, self.ytd_span) == len(self.ytd_span)
            return "zero_base" if complete else "missing"
        return "ok"

    def ytd_value(self, code: str) -> float | None:
        if self.ytd is None or code not in self.ytd.index or _missing(self.ytd.at[code, "value"]):
            return None
        return float(self.ytd.at[code, "value"])

    # ---------------------------------------------------------------- wording

    def figure(self, value: float | None, ind: Indicator, exact: bool | None = None, bare: bool = False) -> str:
        exact = self.exact if exact is None else exact
        missing = self.ph["missing_value"]
        if bare and ind.unit != "%":
            return figure_number(value, exact, missing)
        return figure(value, ind.unit, exact, missing)

    def _change(
        self,
        ind: Indicator,
        status: str,
        pct: float | None,
        change: float | None,
        value: float | None,
        base_value: float | None,
        words: dict[str, str],
    ) -> str:
        ph = self.ph
        if ind.unit == "%" and status == "new":  # a rate up from 0%: a change in points, not "new"
            status = "increase"
        if status in ("increase", "decrease"):
            if ind.unit == "%":
                if _about_zero(change):  # type: ignore[arg-type]
                    return ph["about_same"].format_map(words)
                points = vnformat.number(abs(change), 1)  # type: ignore[arg-type]
                return ph[f"{status}_points"].format_map({**words, "points": points})
            if _missing(pct):
                return ph["new"].format_map(words)
            if _about_zero(pct):  # type: ignore[arg-type]
                return ph["about_same"].format_map(words)
            if status == "increase" and self.multiple_from_pct is not None and pct >= self.multiple_from_pct:
                times = vnformat.number(value / base_value, 1).removesuffix(",0")  # type: ignore[operator]
                return ph["increase_multiple"].format_map({**words, "times": times})
            return ph[status].format_map({**words, "pct": vnformat.percent(abs(pct))})  # type: ignore[arg-type]
        if status == "unchanged":
            return ph["unchanged"].format_map(words)
        if status == "new":
            return ph["new"].format_map(words)
        if status == "no_data":
            return ph["no_data"].format_map({"period": self.q.vn})
        return ph["no_base"].format_map(words)

    def change(self, code: str, base: str) -> str:
        """The clause comparing this quarter with the previous quarter or the same quarter last year."""
        ind = self.indicator(code)
        base_q = self.q.previous() if base == "previous" else self.q.same_quarter_last_year()
        name = {"base_period": base_q.vn, "year": str(base_q.year)}
        words = {"base": self.ph[f"base_{base}"].format_map(name), "base_period": base_q.vn}
        row = self._row(code)
        if row is None:
            return self.ph["no_data"].format_map({"period": self.q.vn})
        status = row[f"status_{base}"]
        if status == "no_base" and not ind.is_input:
            pair = self._pair([base_q.label], code)
            if pair is not None and pair[1] == 0:
                return self.ph["no_base_zero"].format_map(words)
        return self._change(ind, status, row[f"pct_{base}"], row[f"change_{base}"], row["value"], row[base], words)

    def changes(self, code: str) -> str:
        """Both clauses; one clause when neither base period has a figure."""
        row = self._row(code)
        if row is not None and row["status_previous"] == row["status_last_year"] == "no_base":
            periods = {"previous_period": self.q.previous().vn, "last_year_period": self.q.same_quarter_last_year().vn}
            return self.ph["no_base_both"].format_map(periods)
        return self.ph["changes_separator"].join((self.change(code, "previous"), self.change(code, "last_year")))

    def ytd_change(self, code: str) -> str:
        ind = self.indicator(code)
        base_q = self.q.same_quarter_last_year()
        name = {"base_period": base_q.ytd_vn, "year": str(base_q.year)}
        words = {"base": self.ph["base_ytd"].format_map(name), "base_period": base_q.ytd_vn}
        if self.ytd is None or code not in self.ytd.index:
            return self.ph["no_data"].format_map({"period": self.q.ytd_vn})
        row = self.ytd.loc[code]
        status = row["status_last_year"]
        if status == "no_data":
            return self.ph["no_data"].format_map({"period": self.q.ytd_vn})
        if int(row["quarters_reported"]) < int(row["quarters_in_span"]):
            return self.ph["ytd_incomplete"].format_map(words)
        base_quarters = self._quarters_with_figure(code, self.ytd_base_span)
        if status != "no_base" and base_quarters < len(self.ytd_base_span):
            return self.ph["ytd_partial_base"].format_map(words)
        if status == "no_base" and not ind.is_input:
            pair = self._pair(self.ytd_base_span, code)
            if pair is not None and pair[1] == 0:
                return self.ph["no_base_zero"].format_map(words)
        return self._change(
            ind, status, row["pct_last_year"], row["change_last_year"], row["value"], row["last_year"], words
        )

    def _quarters_with_figure(self, code: str, periods: list[str]) -> int:
        column = "value" if self.indicator(code).is_input else "ratio_den"
        return sum(not _missing(self._province_cell(p, code, column)) for p in periods)

    def _names(self, codes: Iterable[str]) -> str:
        return self.ph["list_separator"].join(self.unit_names.get(c, c) for c in codes)

    def coverage(self, code: str) -> str:
        """ "" or " (số liệu của 12/13 đơn vị; chưa có báo cáo của …)"; said once per paragraph."""
        ph = self.ph
        parts = []
        row = self._row(code)
        if row is not None:
            reporting, expected = row.get("units_reporting"), row.get("units_expected")
            if not _missing(reporting) and not _missing(expected) and int(reporting) < int(expected):
                parts.append(ph["coverage_units"].format_map({"reporting": int(reporting), "expected": int(expected)}))
                lacking = [c for c in self.expected_units if c not in self.has_figure.get(code, set())]
                not_received = [c for c in lacking if c not in self.received]
                blank = [c for c in lacking if c in self.received]
                if not_received:
                    parts.append(ph["coverage_not_received"].format_map({"units": self._names(not_received)}))
                if blank:
                    parts.append(ph["coverage_blank"].format_map({"units": self._names(blank)}))
        approx = self._province_cell(self.q.label, code, "approx")
        if self.indicator(code).is_input and not _missing(approx) and bool(approx):
            parts.append(ph["coverage_estimate"])
        if not parts:
            return ""
        text = ph["coverage"].format_map({"parts": ph["parts_separator"].join(parts)})
        if text in self._seen_coverage:
            return ""
        self._seen_coverage.add(text)
        return text

    def ytd_coverage(self, code: str) -> str:
        if self.ytd is None or code not in self.ytd.index:
            return ""
        reported, span = int(self.ytd.at[code, "quarters_reported"]), int(self.ytd.at[code, "quarters_in_span"])
        if reported >= span:
            return ""
        return self.ph["ytd_coverage"].format_map({"reported": reported, "span": span})

    def rate(self, code: str, periods: list[str], fraction: bool) -> str:
        ind = self.indicator(code)
        pair = self._pair(periods, code)
        if pair is None:
            return self.ph["missing_value"]
        if fraction:
            return _fraction(*pair)
        unit = self.indicator(ind.numerator).unit if ind.numerator else ind.unit
        return rate_text(pair[0], pair[1], unit, ind.scale, self.ph)

    def attribute(self, code: str, attribute: str) -> str:
        """The text of ``{code.attribute}`` (``attribute`` "" for ``{code}``)."""
        ind = self.indicator(code)
        match attribute:
            case "" | "exact" | "approx" | "bare":
                exact = {"exact": True, "approx": False}.get(attribute)
                return self.figure(self.value(code), ind, exact, bare=attribute == "bare")
            case "change_previous":
                return self.change(code, "previous")
            case "change_last_year":
                return self.change(code, "last_year")
            case "changes":
                return self.changes(code)
            case "previous" | "last_year":
                row = self._row(code)
                return self.figure(None if row is None else row[attribute], ind)
            case "coverage":
                return self.coverage(code)
            case "rate" | "fraction":
                return self.rate(code, [self.q.label], attribute == "fraction")
            case "ytd" | "ytd_bare":
                return self.figure(self.ytd_value(code), ind, bare=attribute == "ytd_bare")
            case "ytd_change":
                return self.ytd_change(code)
            case "ytd_coverage":
                return self.ytd_coverage(code)
            case "ytd_rate" | "ytd_fraction":
                return self.rate(code, self.ytd_span, attribute == "ytd_fraction")
            case "name":
                return _lower_first(ind.name)
            case "title":
                return ind.name
            case "short_name":
                return _lower_first(ind.short_name)
            case "unit":
                return ind.unit
        raise AssertionError(attribute)  # pragma: no cover - check_template admits only ATTRIBUTES

    # ---------------------------------------------------------------- sentences

    def sentence(self, template: str, template_id: str, it: str | None = None) -> str:
        """One template filled in; "" when one of its figures is missing (said once at the paragraph's end, see
        :meth:`missing_sentences`); the zero-base sentence when one of its rates is 0/0."""
        needs_now: dict[str, None] = {}
        needs_ytd: dict[str, None] = {}
        for name, _, _ in _fields(template, template_id):
            key, attribute = _split_field(name)
            code = it if key == IT else key
            if code not in self.codes:
                continue
            if attribute in NOW_ATTRIBUTES:
                needs_now[code] = None
            elif attribute in YTD_ATTRIBUTES:
                needs_ytd[code] = None
            elif attribute in RATE_ATTRIBUTES and self.state(code) == "missing":
                needs_now[code] = None
            elif attribute in YTD_RATE_ATTRIBUTES and self.ytd_state(code) == "missing":
                needs_ytd[code] = None
        now = [(c, self.state(c)) for c in needs_now]
        ytd = [(c, self.ytd_state(c)) for c in needs_ytd]
        if all(state == "ok" for _, state in (*now, *ytd)):
            return _tidy(template.format_map(FigureFields(self, template_id, it)))
        self.missing_now.update((c, None) for c, state in now if state == "missing")
        self.missing_ytd.update((c, None) for c, state in ytd if state == "missing")
        return " ".join([*self._zero_bases(now, self.q.vn), *self._zero_bases(ytd, self.q.ytd_vn)])

    def missing_sentences(self) -> list[str]:
        """ "Chưa có số liệu quý III/2021 về …": the figures of this paragraph's sentences left out."""
        out = []
        for codes, period in ((self.missing_now, self.q.vn), (self.missing_ytd, self.q.ytd_vn)):
            if codes:
                names = self.ph["names_separator"].join(_lower_first(self.indicator(c).name) for c in codes)
                out.append(self.ph["no_data_sentence"].format_map({"period": period, "names": names}))
        return out

    def _zero_bases(self, states: list[tuple[str, str]], period: str) -> list[str]:
        out = []
        for code in (c for c, s in states if s == "zero_base"):
            ind = self.indicator(code)
            words = {
                "period": period,
                "name": _lower_first(ind.name),
                "denominator": _lower_first(self.indicator(ind.denominator).short_name) if ind.denominator else "",
            }
            out.append(self.ph["zero_base_sentence"].format_map(words))
        return out


class FigureFields(Mapping[str, Any]):
    """The mapping ``str.format_map`` reads a template's placeholders from, resolved lazily.

    ``{quarter}`` and the other global fields are strings; ``{TCD01}`` is a figure object whose attributes
    (``.change_previous``, ``.rate`` …) are worded only when a template asks for them. Any other name raises
    :class:`NarrativeTemplateError` naming the template and the placeholder.
    """

    def __init__(self, facts: _Facts, template_id: str, it: str | None = None) -> None:
        self._facts = facts
        self._template_id = template_id
        self._it = it

    def __getitem__(self, key: str) -> Any:
        facts = self._facts
        if key in facts.globals:
            return facts.area_title if key == "area_title" else facts.globals[key]
        code = self._it if key == IT and self._it else key
        if code in facts.codes:
            return _Figure(facts, code, self._template_id)
        raise _unknown_field(self._template_id, key, f"không có chỉ tiêu mã {key!r} trong danh mục")

    def __contains__(self, key: object) -> bool:
        return key in self._facts.globals or key in self._facts.codes or (key == IT and self._it is not None)

    def __iter__(self) -> Iterator[str]:
        yield from self._facts.globals
        yield from sorted(self._facts.codes)

    def __len__(self) -> int:
        return len(self._facts.globals) + len(self._facts.codes)


class _Figure:
    """``{TCD01}`` in a template: formats as the figure, and answers the attributes of :data:`ATTRIBUTES`."""

    __slots__ = ("_facts", "_code", "_template_id")

    def __init__(self, facts: _Facts, code: str, template_id: str) -> None:
        self._facts = facts
        self._code = code
        self._template_id = template_id

    def __format__(self, spec: str) -> str:
        if spec:
            raise _unknown_field(self._template_id, f"{self._code}:{spec}", "không dùng định dạng / no format spec")
        return self._facts.attribute(self._code, "")

    def __str__(self) -> str:
        return self._facts.attribute(self._code, "")

    def __getattr__(self, name: str) -> str:
        if name.startswith("_") or name not in ATTRIBUTES:
            raise _unknown_field(self._template_id, f"{self._code}.{name}", f"không có thuộc tính {name!r}")
        return self._facts.attribute(self._code, name)


_SPACES = re.compile(r"[ \t]+")
_SPACE_BEFORE = re.compile(r" +([,.;:)])")
_SPACE_AFTER = re.compile(r"\( +")


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    return _SPACE_AFTER.sub("(", text).strip()


# ------------------------------------------------------------------------------------------------ paragraphs


def build_narrative(
    data: ReportData, exact: bool = False, templates: NarrativeTemplates | None = None
) -> list[Paragraph]:
    """One paragraph per area of the catalogue (in catalogue order), with exact or approximate figures.

    Areas with an entry in the templates use it; others get the generic paragraph from their key indicators (and
    no paragraph when they have none). Year-to-date sentences are added from quý II on.
    """
    templates = templates or load_templates(catalogue=data.catalogue)
    facts = _Facts(data, exact, templates)
    src = templates.source
    with_ytd = data.quarter.quarter > 1
    paragraphs = []
    for area in data.catalogue.areas:
        facts.area_title = area.title
        facts.start_paragraph()
        entry = templates.areas.get(area.code)
        if entry is not None:
            where = f"areas.{area.code}"
            heading = facts.sentence(entry.heading, _template_id(src, f"{where}.heading")) or area.title
            opening = facts.sentence(entry.opening, _template_id(src, f"{where}.opening"))
            sentences = [
                facts.sentence(s, _template_id(src, f"{where}.sentences[{i}]")) for i, s in enumerate(entry.sentences)
            ]
            if with_ytd:
                sentences += [
                    facts.sentence(s, _template_id(src, f"{where}.year_to_date[{i}]"))
                    for i, s in enumerate(entry.year_to_date)
                ]
        else:
            keys = [i.code for i in data.catalogue.indicators_in(area.code) if i.key]
            if not keys:
                continue
            heading = area.title
            opening = facts.sentence(templates.generic_opening, _template_id(src, "generic.opening"))
            sentences = [
                facts.sentence(templates.generic_sentence, _template_id(src, "generic.sentence"), c) for c in keys
            ]
            if with_ytd:
                sentences += [
                    facts.sentence(templates.generic_year_to_date, _template_id(src, "generic.year_to_date"), c)
                    for c in keys
                ]
        text = _tidy(" ".join(part for part in (opening, *sentences, *facts.missing_sentences()) if part))
        paragraphs.append(Paragraph(area=area.code, heading=heading, text=text))
    return paragraphs


def render_text(paragraphs: Iterable[Paragraph]) -> str:
    """Plain text: each heading on its own line, its paragraph below, a blank line between areas."""
    return "\n\n".join(f"{p.heading}\n{p.text}" for p in paragraphs) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def render_markdown(paragraphs: Iterable[Paragraph], level: int = 3) -> str:
    """Markdown: a ``###`` heading per area and its paragraph (Markdown characters in the text escaped)."""
    marks = "#" * level
    blocks = [f"{marks} {_md_escape(p.heading)}\n\n{_md_escape(p.text)}" for p in paragraphs]
    return "\n\n".join(blocks) + "\n"


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)
