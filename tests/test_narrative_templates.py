"""Templates: broken ones are refused with a message naming the template and the field (one table of cases, on the
tests' own templates); the shipped narrative.yaml is well-formed, agrees with the schema, and on the shipped demo
province still says the figures of the real Q3/2021 report."""

from __future__ import annotations

import copy
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from analysis.compare.change import KINDS, Change
from analysis.compare.report_data import ReportData
from analysis.narrative.build import build_narrative, render_text
from analysis.narrative.schema import ATTRIBUTES, GLOBAL_FIELDS, PHRASE_FIELDS, NarrativeTemplateError, fields
from analysis.narrative.templates import AreaTemplates, NarrativeTemplates, load_templates, templates_from_mapping
from analysis.narrative.wording import SAYINGS
from tests.narrative_quarter import CATALOGUE, SOURCE, fixture_data, fixture_mapping, fixture_templates

PROCESSED = Path(__file__).resolve().parents[1] / "data" / "processed"
SHIPPED = resources.files("analysis.narrative").joinpath("narrative.yaml").read_text(encoding="utf-8")


def _with(path: str, value: Any) -> dict[str, Any]:
    """The fixture mapping with the entry at a dotted ``path`` set to ``value`` (None deletes it)."""
    data = copy.deepcopy(fixture_mapping())
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return data


def _tcd_sentence(text: str) -> dict[str, Any]:
    """The fixture mapping with ``text`` as TCD's second sentence."""
    return _with("areas.TCD.sentences", ["Trong {quarter}.", text])


SENTENCE = f"{SOURCE} › areas.TCD.sentences[1]"
BROKEN = [
    # (case, the mapping, what the message names)
    ("unknown indicator", _tcd_sentence("Đã tiếp {TCD99}."), [SENTENCE, "{TCD99}"]),
    ("unknown attribute", _tcd_sentence("Đã tiếp {TCD01.soluong}."), [SENTENCE, "{TCD01.soluong}"]),
    ("rate attribute of a count", _tcd_sentence("{TCD01.rate}"), [SENTENCE, "{TCD01.rate}", "tỷ lệ"]),
    ("ytd rate attribute of a count", _tcd_sentence("{TCD01.ytd_fraction}"), [SENTENCE, "{TCD01.ytd_fraction}"]),
    ("misspelt global field", _tcd_sentence("Trong {quater}."), [SENTENCE, "{quater}"]),
    ("dunder attribute", _tcd_sentence("{TCD01.__class__}"), [SENTENCE, "{TCD01.__class__}"]),
    ("indexing", _tcd_sentence("{TCD01[0]}"), [SENTENCE, "{TCD01[0]}"]),
    ("format spec", _tcd_sentence("{TCD01:>10}"), [SENTENCE, "{TCD01}"]),
    ("conversion", _tcd_sentence("{TCD01!r}"), [SENTENCE, "{TCD01}"]),
    ("attribute of a global field", _tcd_sentence("{quarter.year}"), [SENTENCE, "{quarter.year}"]),
    ("empty placeholder", _tcd_sentence("{}"), [SENTENCE, "{}"]),
    ("{it} outside the generic sentences", _tcd_sentence("{it}"), [SENTENCE, "{it}"]),
    ("unbalanced braces", _with("areas.TCD.opening", "Tiếp dân {TCD01"), ["areas.TCD.opening", "ngoặc"]),
    ("heading", _with("areas.TCD.heading", "{TCD01.nope}"), ["areas.TCD.heading", "{TCD01.nope}"]),
    ("year to date", _with("areas.TCD.year_to_date", ["{ytd}", "{XX1}"]), ["areas.TCD.year_to_date[1]", "{XX1}"]),
    ("not a list", _with("areas.TCD.sentences", "một câu"), ["areas.TCD.sentences", "danh sách"]),
    ("unknown area key", _with("areas.TCD.closing", "Hết."), ["areas.TCD", "heading, opening"]),
    ("unknown area", _with("areas.XYZ", {"sentences": []}), ["areas.XYZ", "'XYZ'"]),
    ("phrase field", _with("phrases.increase", "tăng {percent}"), ["phrases.increase", "{percent}", "{pct}"]),
    ("phrase with no fields", _with("phrases.missing_value", "{base}"), ["phrases.missing_value", "không có"]),
    ("missing phrase", _with("phrases.about_same", None), ["phrases thiếu", "about_same"]),
    ("unknown phrase", _with("phrases.sideways", "ngang"), ["phrases có khóa lạ", "sideways"]),
    ("generic sentence", _with("generic.sentence", "{it.nope}"), ["generic.sentence", "{it.nope}"]),
    ("{it} in the generic opening", _with("generic.opening", "{it.title}:"), ["generic.opening", "{it.title}"]),
    ("multiple not a number", _with("settings.multiple_from_pct", "nhiều"), ["settings.multiple_from_pct"]),
    ("multiple a boolean", _with("settings.multiple_from_pct", True), ["settings.multiple_from_pct"]),
    ("unknown top-level key", _with("extras", {}), ["khóa lạ", "extras"]),
]


@pytest.mark.parametrize(("mapping", "named"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_a_broken_template_is_refused_naming_the_template_and_the_field(mapping, named) -> None:
    with pytest.raises(NarrativeTemplateError) as error:
        templates_from_mapping(mapping, CATALOGUE, SOURCE)
    for part in named:
        assert part in str(error.value)


def test_a_template_not_checked_when_loaded_still_fails_clearly_when_filled_in() -> None:
    checked = fixture_templates()
    unchecked = NarrativeTemplates(
        source="tay.yaml",
        phrases=checked.phrases,
        areas={"TCD": AreaTemplates("TCD", "Tiếp dân", "", ("{TCD99} lượt.",))},
        generic_opening=checked.generic_opening,
        generic_sentence=checked.generic_sentence,
        generic_year_to_date=checked.generic_year_to_date,
    )
    with pytest.raises(NarrativeTemplateError, match=r"tay\.yaml › areas\.TCD\.sentences\[0\].*\{TCD99\}"):
        build_narrative(fixture_data(), templates=unchecked)


def test_templates_are_data_an_analyst_can_reword() -> None:
    templates = fixture_templates(areas={"TCD": {"heading": "I. Tiếp dân", "sentences": ["{quarter_title}: {TCD01}."]}})
    first = build_narrative(fixture_data(), exact=False, templates=templates)[0]
    assert (first.heading, first.text) == ("I. Tiếp dân", "Quý III/2021: trên 7.000 lượt.")


# ------------------------------------------------------------------------------------------ the schema, one place


def test_every_attribute_is_said_and_every_change_kind_has_its_phrase() -> None:
    assert set(SAYINGS) == set(ATTRIBUTES)
    assert set(KINDS) <= set(PHRASE_FIELDS)
    for kind, amount in (("increase", "pct"), ("increase_points", "points"), ("increase_multiple", "times")):
        assert amount in PHRASE_FIELDS[kind]


def test_the_header_of_narrative_yaml_lists_the_placeholders_of_the_schema() -> None:
    header = SHIPPED.split("\nversion:")[0]
    placeholders = set(re.findall(r"\{([A-Za-z_]+\d*)(?:\.(\w+))?\}", header))
    globals_ = {key for key, attribute in placeholders if not re.fullmatch(r"[A-Z]+\d+", key)}
    attributes = {attribute for key, attribute in placeholders if re.fullmatch(r"[A-Z]+\d+", key)}
    assert globals_ == set(GLOBAL_FIELDS)
    assert attributes == set(ATTRIBUTES)


def test_the_shipped_phrases_are_written_with_the_placeholders_they_may_use() -> None:
    """As the comment of narrative.yaml says: a phrase shows its placeholders, but for {base}, {base_period} in a
    change and {base_period}, {year} in a base."""
    for name, text in load_templates().phrases.items():
        written = {field for field, _, _ in fields(text, name)}
        unshown = {"base", "base_period"} if "base" in PHRASE_FIELDS[name] else set()
        unshown |= {"base_period", "year"} if name.startswith("base_") else set()
        assert written <= PHRASE_FIELDS[name], name
        assert PHRASE_FIELDS[name] - written <= unshown, name


# ------------------------------------------------------------------------------------------ the shipped wording


def test_the_shipped_templates_load_against_the_catalogue_and_cover_every_area() -> None:
    templates = load_templates()
    assert templates.source == "narrative.yaml"
    assert set(templates.areas) == {a.code for a in CATALOGUE.areas}
    assert set(templates.phrases) == set(PHRASE_FIELDS)
    words = {"base": "B", "base_period": "P", "period": "Q"}
    for kind in KINDS:  # every kind of change can be said with the shipped phrases
        assert Change(kind, "1,0%", "1,0", "2").say(templates.phrases, **words)


def test_the_shipped_wording_says_the_figures_of_the_real_report(tmp_path, ctx) -> None:
    """The shipped demo province, ingested here, gives the spoken figures of the real Q3/2021 report."""
    from analysis.ingest.run import run_ingest

    run_ingest(PROCESSED.parent / "raw" / "demo", tmp_path, ctx)
    data = ReportData.load("2021Q3", tmp_path)
    text = render_text(build_narrative(data, exact=False))
    for expected in ("trên 7.000 lượt", "trên 600 cá nhân và 50 cơ sở kinh doanh", "trên 20 nghìn trường hợp"):
        assert expected in text
    assert not re.search(r"\bnan\b|[{}]", text, re.IGNORECASE)
    assert "Lũy kế 9 tháng đầu năm 2021" in render_text(build_narrative(data, exact=True))
