"""What the comparisons of a quarter cover, said once before the figures (narrative, pages, Word).

* :func:`units_coverage_sentence` — the units behind each side, by unit type: "Đơn vị báo cáo quý III/2026: 118/120
  xã và 7/8 cơ quan; quý II/2026: …; cùng kỳ năm 2025 (quý III/2025): 20/20 huyện và 16/16 cơ quan.";
* :func:`transition_sentence` — the reform's transition quarter (``province.yaml`` ``reform``), whenever it is one of
  the quarters compared (this quarter, the previous one, the same quarter last year, or inside a year to date).

The words are the phrases of ``narrative.yaml`` (``units_coverage`` …, ``transition_communes``,
``transition_districts``); unit types are counted with the words of ``labels.yaml`` group ``unit_count``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

import pandas as pd

from analysis.compare import continuity
from analysis.compare.coverage import DISJOINT, base_quarters
from analysis.core import labels
from analysis.core.periods import Quarter, period_dates, vn_date
from analysis.narrative.templates import default_phrases
from analysis.narrative.wording import lower_first

if TYPE_CHECKING:
    from analysis.compare.report_data import ReportData

__all__ = [
    "compared_quarters",
    "form_change_sentence",
    "published_sentences",
    "scope_sentences",
    "transition_sentence",
    "units_coverage_sentence",
]


def _type_word(unit_type: str) -> str:
    words = labels.group("unit_count")
    return words.get(unit_type, words["other"])


def _side(coverage: pd.DataFrame, period: str, ph: Mapping[str, str]) -> str:
    rows = coverage[coverage["period"] == period]
    if rows.empty:
        return ph["units_none"]
    parts = [
        ph["units_of_type"].format_map({"reported": reported, "expected": expected, "type": _type_word(unit_type)})
        for unit_type, expected, reported in rows[["unit_type", "expected", "reported"]].itertuples(index=False)
    ]
    if len(parts) == 1:
        return parts[0]
    return ph["types_separator"].join(parts[:-1]) + ph["types_last_separator"] + parts[-1]


def units_coverage_sentence(data: ReportData, phrases: Mapping[str, str] | None = None) -> str:
    """Each side's units reporting/expected by unit type (from completeness), in one sentence."""
    ph, q = phrases or default_phrases(), data.quarter
    bases = base_quarters(q)
    return ph["units_coverage"].format_map(
        {
            "period": q.vn,
            "now": _side(data.coverage, q.label, ph),
            "previous_period": bases["previous"].vn,
            "previous": _side(data.coverage, bases["previous"].label, ph),
            "last_year_period": bases["last_year"].vn,
            "last_year": _side(data.coverage, bases["last_year"].label, ph),
            "year": str(bases["last_year"].year),
        }
    )


def compared_quarters(quarter: Quarter) -> set[Quarter]:
    """Every quarter a report of ``quarter`` compares: itself, the previous quarter, the same quarter last year and
    the quarters of both years to date."""
    last_year = quarter.same_quarter_last_year()
    return {quarter, quarter.previous(), last_year, *quarter.year_to_date(), *last_year.year_to_date()}


def transition_sentence(data: ReportData, phrases: Mapping[str, str] | None = None) -> str:
    """ "Quý III/2025 là quý chuyển tiếp: …" when the reform's transition quarter is compared, else ""."""
    reform = data.reform
    if reform is None or reform.transition_quarter not in compared_quarters(data.quarter):
        return ""
    ph = phrases or default_phrases()
    start = period_dates(reform.transition_quarter, data.cutoff)[0]
    words = {
        "quarter_title": reform.transition_quarter.vn_title,
        "effective": vn_date(reform.effective),
        "start": vn_date(start),
        "last_district_day": vn_date(reform.effective - timedelta(days=1)),
    }
    return ph[f"transition_{reform.reported_by}"].format_map(words)


def disjoint_sentences(data: ReportData, phrases: Mapping[str, str] | None = None) -> list[str]:
    """Per quarter compared in which no unit has figures that this quarter's units have (``coverage.DISJOINT``)."""
    ph, province = phrases or default_phrases(), data.province_comparison
    return [
        ph["units_disjoint"].format_map({"period": data.quarter.vn, "base_period": q.vn})
        for base, q in base_quarters(data.quarter).items()
        if (province.get(f"lfl_status_{base}", pd.Series(dtype=str)) == DISJOINT).any()
    ]


def form_change_sentence(data: ReportData, phrases: Mapping[str, str] | None = None) -> str:
    """ "Từ quý IV/2025, báo cáo theo biểu mẫu của …; không so sánh được với … do thay đổi biểu mẫu: …" when a
    quarter compared is on other forms for some figures, else "". A form all of whose figures changed is named as
    the form, else its figures are named."""
    catalogue, q = data.catalogue, data.quarter
    version = catalogue.version_of(q)
    if version is None:
        return ""
    refused = {base: continuity.not_comparable_codes(catalogue, q, bq) for base, bq in base_quarters(q).items()}
    inputs = [i for i in catalogue.for_quarter(q).indicators if i.is_input]
    codes = {i.code for i in inputs if any(i.code in r for r in refused.values())}
    if not codes:
        return ""
    names = []
    for area in catalogue.for_quarter(q).areas:
        of_area = [i for i in inputs if i.area == area.code]
        changed = [i for i in of_area if i.code in codes]
        if changed and len(changed) == len(of_area):
            names.append(f"các chỉ tiêu của {area.form} ({lower_first(area.title)})")
        else:
            names.extend(lower_first(i.name) for i in changed)
    ph = phrases or default_phrases()
    bases = [
        bq.vn if base == "previous" else f"cùng kỳ năm {bq.year}"
        for base, bq in base_quarters(q).items()
        if refused[base] & codes
    ]
    words = {
        "first": version.first_quarter.vn,
        "basis": version.basis.document.split(" của ")[0],  # "Thông tư số 06/2025/TT-TTCP"
        "bases": " và ".join(bases),
        "names": ph["names_separator"].join(names),
    }
    return ph["form_change_scope"].format_map(words)


def published_sentences(data: ReportData, phrases: Mapping[str, str] | None = None) -> list[str]:
    """Per quarter compared that was published (when comparisons use the published figures): its day, and the
    number of its figures revised since."""
    if not data.compares_published:
        return []
    ph, said = phrases or default_phrases(), []
    for q in dict.fromkeys(base_quarters(data.quarter).values()):
        publication = data.publications.get(q.label)
        if publication is None:
            continue
        text = ph["published_base"].format_map({"base_period": q.vn, "day": vn_date(publication.day)})
        count = int((data.revisions["period"] == q.label).sum())
        said.append(text + (ph["published_revised"].format_map({"count": count}) if count else ""))
    return said


def scope_sentences(data: ReportData, phrases: Mapping[str, str] | None = None) -> list[str]:
    """The transition sentence (when it applies), the units' coverage sentence, one per quarter compared with
    which no unit is in common, and the figures a change of forms leaves uncompared."""
    found = [
        transition_sentence(data, phrases),
        units_coverage_sentence(data, phrases),
        *disjoint_sentences(data, phrases),
        form_change_sentence(data, phrases),
        *published_sentences(data, phrases),
    ]
    return [s for s in found if s]
