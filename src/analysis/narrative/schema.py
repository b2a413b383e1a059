"""What a template of ``narrative.yaml`` may name: the one declaration of its placeholders and phrases.

* :data:`GLOBAL_FIELDS` — ``{quarter}``, ``{ytd}`` …;
* :data:`ATTRIBUTES` — ``{TCD01.<attribute>}`` → the figure it needs (``""`` is the bare ``{TCD01}``);
* :data:`PHRASE_FIELDS` — each shared phrase → the placeholders it may use.

The header comment of ``narrative.yaml`` lists the same placeholders (a test keeps the two in step). Also the parsing
of a template's placeholders and the error that names the template and the placeholder.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

__all__ = [
    "ATTRIBUTES",
    "GLOBAL_FIELDS",
    "IT",
    "LATER_PHRASES",
    "PHRASE_FIELDS",
    "NarrativeTemplateError",
    "fields",
    "split_field",
    "unknown_field",
]


class NarrativeTemplateError(ValueError):
    """A narrative template is malformed or names a placeholder that does not exist."""


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
IT = "it"  # the indicator a generic sentence is about

# What an attribute needs: "now" this quarter's figure, "ytd" the year-to-date figure, "rate" / "ytd_rate" the
# numerator and denominator of a rate (rates only), "info" nothing (said even without a figure).
NOW, YTD, RATE, YTD_RATE, INFO = "now", "ytd", "rate", "ytd_rate", "info"
RATE_NEEDS = frozenset({RATE, YTD_RATE})  # the needs only a rate has
ATTRIBUTES: Mapping[str, str] = {
    **dict.fromkeys(("", "bare", "exact", "approx", "change_previous", "change_last_year", "changes"), NOW),
    **dict.fromkeys(("rate", "fraction"), RATE),
    **dict.fromkeys(("ytd", "ytd_bare", "ytd_change"), YTD),
    **dict.fromkeys(("ytd_rate", "ytd_fraction"), YTD_RATE),
    **dict.fromkeys(("previous", "last_year", "coverage", "ytd_coverage", "name", "title", "short_name", "unit"), INFO),
    "like_for_like": INFO,
}

_BASE = "base base_period"
_PHRASES = {
    "base_previous base_last_year base_ytd": "base_period year",
    "increase decrease": f"pct {_BASE}",
    "increase_points decrease_points": f"points {_BASE}",
    "increase_multiple": f"times {_BASE}",
    "about_same unchanged new no_base no_base_zero ytd_partial_base ytd_incomplete": _BASE,
    "no_base_both": "previous_period last_year_period",
    "no_data": "period",
    "rate": "numerator denominator unit rate",
    "rate_zero_base": "numerator denominator unit",
    "coverage": "parts",
    "coverage_units": "reporting expected",
    "coverage_not_received coverage_blank": "units",
    "ytd_coverage": "reported span",
    "no_data_sentence": "period names",
    "not_comparable": f"since {_BASE}",
    "form_changed incomplete": _BASE,
    "coverage_base": "base_period reporting expected",
    "like_for_like": "units change",
    "like_for_like_none": "period base_period",
    "units_disjoint": "period base_period",
    "published_base": "base_period day",
    "published_revised": "count",
    "units_coverage": "period now previous_period previous last_year_period last_year year",
    "units_of_type": "reported expected type",
    "transition_communes": "quarter_title effective start last_district_day",
    "transition_districts": "quarter_title effective start last_district_day",
    "units_none types_separator types_last_separator": "",
    "zero_base_sentence": "period name denominator",
    "form_change_scope": "first basis bases names",
    "ytd_form_changed_sentence": "period names since",
    "changes_separator missing_value coverage_estimate parts_separator list_separator names_separator": "",
}
PHRASE_FIELDS: Mapping[str, frozenset[str]] = {
    name: frozenset(allowed.split()) for names, allowed in _PHRASES.items() for name in names.split()
}
# phrases added after version 1 of narrative.yaml: a wording file without them uses the package's (a workspace's
# older copy keeps working; `core.workspace` names it as outdated)
LATER_PHRASES = frozenset(
    {
        *("not_comparable", "coverage_base", "like_for_like", "like_for_like_none", "units_coverage"),
        *("units_of_type", "units_none", "types_separator", "types_last_separator"),
        *("transition_communes", "transition_districts", "units_disjoint", "form_changed"),
        *("form_change_scope", "ytd_form_changed_sentence", "incomplete", "published_base", "published_revised"),
    }
)


def fields(template: str, template_id: str) -> list[tuple[str, str | None, str | None]]:
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


def split_field(name: str) -> tuple[str, str]:
    """ "TCD01.changes" → ("TCD01", "changes"); "TCD01" → ("TCD01", "")."""
    key, _, attribute = name.partition(".")
    return key, attribute


def unknown_field(template_id: str, name: str, reason: str) -> NarrativeTemplateError:
    """The error for ``{name}`` in the template ``template_id``, listing the placeholders that may be used."""
    return NarrativeTemplateError(
        f"{template_id}: trường không hợp lệ {{{name}}} — {reason}. Trường dùng được: "
        f"{', '.join('{' + f + '}' for f in GLOBAL_FIELDS)}, {{MÃ}} và {{MÃ.thuộc_tính}} với thuộc tính "
        f"{', '.join(sorted(a for a in ATTRIBUTES if a))} / unknown template key {{{name}}}"
    )
