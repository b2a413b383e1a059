"""How each figure of one quarter is said: the text of ``{TCD01}``, ``{TCD01.changes}``, ``{GQ05.rate}`` ….

:class:`Wording` reads the row of :func:`~analysis.narrative.facts.quarter_facts` an indicator has and words it with
the phrases of ``narrative.yaml``; a change is classified by :func:`analysis.compare.change.describe` and said with
the phrase of its kind. A coverage note is said once per paragraph (:meth:`Wording.start_paragraph`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from analysis.catalogue.model import Indicator
from analysis.compare.change import Change, describe
from analysis.compare.coverage import DISJOINT, NO_COMMON
from analysis.core import vnformat
from analysis.core.periods import Quarter
from analysis.narrative.approximate import figure, figure_number, is_missing
from analysis.narrative.facts import quarter_facts
from analysis.narrative.templates import default_phrases

if TYPE_CHECKING:
    from analysis.compare.report_data import ReportData
    from analysis.narrative.templates import NarrativeTemplates

__all__ = ["SAYINGS", "Wording", "global_fields", "lower_first", "rate_text"]


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def rate_text(
    num: float | None,
    den: float | None,
    unit: str,
    scale: float = 100.0,
    phrases: Mapping[str, str] | None = None,
) -> str:
    """ "238/316 vụ việc, đạt tỷ lệ 75,3%"; 0/0 → "0/0 vụ việc (không tính tỷ lệ vì tổng số bằng 0)"."""
    ph = phrases or default_phrases()
    if is_missing(num) or is_missing(den):
        return ph["missing_value"]
    words = {"numerator": vnformat.auto(num), "denominator": vnformat.auto(den), "unit": unit}
    if float(den) == 0:  # type: ignore[arg-type]
        return ph["rate_zero_base"].format_map(words)
    return ph["rate"].format_map({**words, "rate": vnformat.percent(float(num) / float(den) * scale)})  # type: ignore


def global_fields(data: ReportData) -> dict[str, str]:
    """{quarter} "quý III/2021", {ytd}, {province} … ({area_title} is filled in per paragraph)."""
    q = data.quarter
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
        "province": lower_first(province),
        "province_title": province,
        "area_title": "",
    }


class Wording:
    """One quarter's figures (one row per indicator) and how each is said."""

    def __init__(self, data: ReportData, exact: bool, templates: NarrativeTemplates) -> None:
        self.q: Quarter = data.quarter
        self.catalogue = data.catalogue
        self.exact = exact
        self.ph = templates.phrases
        self.multiple_from_pct = templates.multiple_from_pct
        self.rows: dict[str, dict[str, Any]] = quarter_facts(data).to_dict("index")
        now = data.completeness_now()
        self.unit_names = dict(zip(now["unit_code"], now["unit_name"], strict=False))
        self.globals = global_fields(data)
        self.start_paragraph()

    def start_paragraph(self) -> None:
        """A coverage note is said once per paragraph: forget the notes of the previous one."""
        self._seen_coverage: set[str] = set()

    def indicator(self, code: str) -> Indicator:
        return self.catalogue.indicator(code)

    def attribute(self, code: str, attribute: str) -> str:
        """The text of ``{code.attribute}`` (``attribute`` "" for ``{code}``)."""
        return SAYINGS[attribute](self, code)

    # ---------------------------------------------------------------- figures

    def figure(self, code: str, column: str, exact: bool | None = None, bare: bool = False) -> str:
        """The figure in ``column`` of the indicator's row, with its unit unless ``bare`` (rates keep their %)."""
        ind, value = self.indicator(code), self.rows[code][column]
        exact = self.exact if exact is None else exact
        missing = self.ph["missing_value"]
        if bare and ind.unit != "%":
            return figure_number(value, exact, missing)
        return figure(value, ind.unit, exact, missing)

    def rate(self, code: str, span: str, fraction: bool = False) -> str:
        """ "238/316 vụ việc, đạt tỷ lệ 75,3%" (or "238/316") from the pair summed over ``span``."""
        ind, row = self.indicator(code), self.rows[code]
        num, den = row[f"{span}_num"], row[f"{span}_den"]
        if is_missing(num) or is_missing(den):
            return self.ph["missing_value"]
        if fraction:
            return f"{vnformat.auto(num)}/{vnformat.auto(den)}"
        unit = self.indicator(ind.numerator).unit if ind.numerator else ind.unit
        return rate_text(num, den, unit, ind.scale, self.ph)

    # ---------------------------------------------------------------- changes

    def _change(self, code: str, status: str, pct: str, change: str, value: str, base_value: str) -> Change:
        """The change of one indicator's row, from the named columns (a comparison's or its like for like)."""
        row = self.rows[code]
        amounts = (row[pct], row[change], self.indicator(code).unit, row[value], row[base_value])
        return describe(row[status], *amounts, self.multiple_from_pct)

    def _said(self, code: str, base: str, words: dict[str, str], prefix: str = "") -> str:
        """The change of ``{prefix}value`` against ``{prefix}{base}``, with the phrase of its kind."""
        p = prefix
        change = self._change(
            code, f"{p}status_{base}", f"{p}pct_{base}", f"{p}change_{base}", f"{p}value", f"{p}{base}"
        )
        return change.say(self.ph, **words)

    def change(self, code: str, base: str) -> str:
        """The clause comparing this quarter with the previous quarter or the same quarter last year."""
        base_q = self.q.previous() if base == "previous" else self.q.same_quarter_last_year()
        name = {"base_period": base_q.vn, "year": str(base_q.year)}
        words = {"base": self.ph[f"base_{base}"].format_map(name), "base_period": base_q.vn, "period": self.q.vn}
        row = self.rows[code]
        if row[f"status_{base}"] == "no_base" and not self.indicator(code).is_input and row[f"{base}_den"] == 0:
            return self.ph["no_base_zero"].format_map(words)
        return self._said(code, base, words)

    def like_for_like(self, code: str) -> str:
        """ "" when both quarters compared have the figure from the same units; else per base the change over the
        units present in both ("; riêng 15 đơn vị báo cáo cả hai kỳ: tăng 4,1% so với cùng kỳ năm 2020")."""
        row, ph, parts = self.rows[code], self.ph, []
        for base in ("previous", "last_year"):
            if not row[f"units_differ_{base}"] or row[f"lfl_status_{base}"] == DISJOINT:  # said once (scope)
                continue
            base_q = self.q.previous() if base == "previous" else self.q.same_quarter_last_year()
            if row[f"lfl_status_{base}"] == NO_COMMON:
                parts.append(ph["like_for_like_none"].format_map({"period": self.q.vn, "base_period": base_q.vn}))
                continue
            name = {"base_period": base_q.vn, "year": str(base_q.year)}
            words = {"base": ph[f"base_{base}"].format_map(name), "base_period": base_q.vn, "period": self.q.vn}
            columns = (f"lfl_status_{base}", f"like_for_like_{base}", f"lfl_change_{base}", f"lfl_value_{base}")
            change = self._change(code, *columns, f"lfl_{base}")
            units = int(row[f"common_units_{base}"])
            parts.append(ph["like_for_like"].format_map({"units": units, "change": change.say(ph, **words)}))
        return "".join(parts)

    def changes(self, code: str) -> str:
        """Both clauses; one clause when neither base period has a figure."""
        row = self.rows[code]
        if row["status_previous"] == row["status_last_year"] == "no_base":
            periods = {"previous_period": self.q.previous().vn, "last_year_period": self.q.same_quarter_last_year().vn}
            return self.ph["no_base_both"].format_map(periods)
        return self.ph["changes_separator"].join((self.change(code, "previous"), self.change(code, "last_year")))

    def ytd_change(self, code: str) -> str:
        """The year to date against the same span last year; not compared when either span lacks quarters."""
        base_q, ph, row = self.q.same_quarter_last_year(), self.ph, self.rows[code]
        name = {"base_period": base_q.ytd_vn, "year": str(base_q.year)}
        words = {"base": ph["base_ytd"].format_map(name), "base_period": base_q.ytd_vn, "period": self.q.ytd_vn}
        status = row["ytd_status_last_year"]
        if status == "no_data":
            return ph["no_data"].format_map(words)
        if row["ytd_quarters_reported"] < row["ytd_quarters_in_span"]:
            return ph["ytd_incomplete"].format_map(words)
        if status != "no_base" and row["ytd_base_figures"] < len(base_q.year_to_date()):
            return ph["ytd_partial_base"].format_map(words)
        if status == "no_base" and not self.indicator(code).is_input and row["ytd_base_den"] == 0:
            return ph["no_base_zero"].format_map(words)
        return self._said(code, "last_year", words, prefix="ytd_")

    # ---------------------------------------------------------------- coverage

    def _names(self, codes: tuple[str, ...]) -> str:
        return self.ph["list_separator"].join(self.unit_names.get(c, c) for c in codes)

    def _sides(self, row: Mapping[str, Any]) -> list[tuple[str | None, Any, Any]]:
        """(base period or None for this quarter, units reporting, units expected) of each side compared."""
        bases = (("previous", self.q.previous()), ("last_year", self.q.same_quarter_last_year()))
        now = [(None, row["units_reporting"], row["units_expected"])]
        return now + [(q.vn, row[f"units_reporting_{b}"], row[f"units_expected_{b}"]) for b, q in bases]

    def coverage(self, code: str) -> str:
        """ "" or " (số liệu của 12/13 đơn vị; chưa có báo cáo của …; quý II/2021: 13/13 đơn vị; …)": when a side of
        the comparisons is incomplete, every side with figures is said; said once per paragraph."""
        ph, row = self.ph, self.rows[code]
        sides = [(p, int(r), int(e)) for p, r, e in self._sides(row) if not is_missing(r) and not is_missing(e)]
        parts = []
        if any(r < e for _, r, e in sides):
            for period, reporting, expected in sides:
                words = {"base_period": period, "reporting": reporting, "expected": expected}
                parts.append(ph["coverage_base" if period else "coverage_units"].format_map(words))
                if period is None and row["not_received"]:
                    parts.append(ph["coverage_not_received"].format_map({"units": self._names(row["not_received"])}))
                if period is None and row["blank"]:
                    parts.append(ph["coverage_blank"].format_map({"units": self._names(row["blank"])}))
        if self.indicator(code).is_input and row["approx"]:
            parts.append(ph["coverage_estimate"])
        if not parts:
            return ""
        text = ph["coverage"].format_map({"parts": ph["parts_separator"].join(parts)})
        if text in self._seen_coverage:
            return ""
        self._seen_coverage.add(text)
        return text

    def ytd_coverage(self, code: str) -> str:
        """ "" or " (số liệu của 2/3 quý)" when the year to date lacks quarters."""
        row = self.rows[code]
        reported, span = row["ytd_quarters_reported"], row["ytd_quarters_in_span"]
        if is_missing(reported) or reported >= span:
            return ""
        return self.ph["ytd_coverage"].format_map({"reported": int(reported), "span": int(span)})


# each attribute of schema.ATTRIBUTES → how it is said
SAYINGS: Mapping[str, Callable[[Wording, str], str]] = {
    "": lambda w, c: w.figure(c, "value"),
    "bare": lambda w, c: w.figure(c, "value", bare=True),
    "exact": lambda w, c: w.figure(c, "value", exact=True),
    "approx": lambda w, c: w.figure(c, "value", exact=False),
    "change_previous": lambda w, c: w.change(c, "previous"),
    "change_last_year": lambda w, c: w.change(c, "last_year"),
    "changes": Wording.changes,
    "previous": lambda w, c: w.figure(c, "previous"),
    "last_year": lambda w, c: w.figure(c, "last_year"),
    "coverage": Wording.coverage,
    "like_for_like": Wording.like_for_like,
    "rate": lambda w, c: w.rate(c, "now"),
    "fraction": lambda w, c: w.rate(c, "now", fraction=True),
    "ytd": lambda w, c: w.figure(c, "ytd_value"),
    "ytd_bare": lambda w, c: w.figure(c, "ytd_value", bare=True),
    "ytd_change": Wording.ytd_change,
    "ytd_coverage": Wording.ytd_coverage,
    "ytd_rate": lambda w, c: w.rate(c, "ytd"),
    "ytd_fraction": lambda w, c: w.rate(c, "ytd", fraction=True),
    "name": lambda w, c: lower_first(w.indicator(c).name),
    "title": lambda w, c: w.indicator(c).name,
    "short_name": lambda w, c: lower_first(w.indicator(c).short_name),
    "unit": lambda w, c: w.indicator(c).unit,
}
