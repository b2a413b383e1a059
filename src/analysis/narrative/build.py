"""Vietnamese narrative drafts of the quarterly report: one paragraph per area, written from the computed comparisons.

The wording lives in ``narrative.yaml`` (:mod:`~analysis.narrative.templates`); the figures of the quarter in one
frame (:mod:`~analysis.narrative.facts`), said by :mod:`~analysis.narrative.wording`. This module fills the
templates in: :func:`build_narrative` → :class:`Paragraph` list; :func:`render_text`, :func:`render_markdown`.

Templates are filled with ``str.format_map`` and :class:`FigureFields`, a mapping that words each placeholder when
it is read; nothing is evaluated. An unknown placeholder raises :class:`NarrativeTemplateError` naming the template
and the placeholder. A sentence whose figure is missing is left out and the figure named at the paragraph's end; a
rate of 0/0 is said in words, never printed as a gap or a division.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.core import escape
from analysis.narrative.schema import (
    ATTRIBUTES,
    GLOBAL_FIELDS,
    IT,
    NOW,
    RATE,
    YTD,
    YTD_RATE,
    fields,
    split_field,
    unknown_field,
)
from analysis.narrative.templates import NarrativeTemplates, load_templates, template_id
from analysis.narrative.wording import Wording, lower_first

if TYPE_CHECKING:
    from analysis.compare.report_data import ReportData

__all__ = ["FigureFields", "Paragraph", "build_narrative", "render_markdown", "render_text"]


@dataclass(frozen=True)
class Paragraph:
    area: str
    heading: str
    text: str


class FigureFields(Mapping[str, Any]):
    """The mapping ``str.format_map`` reads a template's placeholders from, resolved lazily.

    ``{quarter}`` and the other global fields are strings; ``{TCD01}`` is a figure object whose attributes
    (``.change_previous``, ``.rate`` …) are worded only when a template asks for them. Any other name raises
    :class:`NarrativeTemplateError` naming the template and the placeholder.
    """

    def __init__(self, wording: Wording, template_id: str, it: str | None = None, area_title: str = "") -> None:
        self._wording = wording
        self._template_id = template_id
        self._it = it
        self._globals = {**wording.globals, "area_title": area_title}

    def __getitem__(self, key: str) -> Any:
        if key in self._globals:
            return self._globals[key]
        code = self._it if key == IT and self._it else key
        if code in self._wording.rows:
            return _Figure(self._wording, code, self._template_id)
        raise unknown_field(self._template_id, key, f"không có chỉ tiêu mã {key!r} trong danh mục")

    def __contains__(self, key: object) -> bool:
        return key in self._globals or key in self._wording.rows or (key == IT and self._it is not None)

    def __iter__(self) -> Iterator[str]:
        yield from self._globals
        yield from sorted(self._wording.rows)

    def __len__(self) -> int:
        return len(self._globals) + len(self._wording.rows)


class _Figure:
    """``{TCD01}`` in a template: formats as the figure, and answers the attributes of :data:`ATTRIBUTES`."""

    __slots__ = ("_wording", "_code", "_template_id")

    def __init__(self, wording: Wording, code: str, template_id: str) -> None:
        self._wording = wording
        self._code = code
        self._template_id = template_id

    def __format__(self, spec: str) -> str:
        if spec:
            raise unknown_field(self._template_id, f"{self._code}:{spec}", "không dùng định dạng / no format spec")
        return self._wording.attribute(self._code, "")

    def __str__(self) -> str:
        return self._wording.attribute(self._code, "")

    def __getattr__(self, name: str) -> str:
        if name.startswith("_") or name not in ATTRIBUTES:
            raise unknown_field(self._template_id, f"{self._code}.{name}", f"không có thuộc tính {name!r}")
        return self._wording.attribute(self._code, name)


_SPACES = re.compile(r"[ \t]+")
_SPACE_BEFORE = re.compile(r" +([,.;:)])")
_SPACE_AFTER = re.compile(r"\( +")


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    return _SPACE_AFTER.sub("(", text).strip()


class _ParagraphWriter:
    """The sentences of one paragraph: those with a figure missing are left out and named once at its end."""

    def __init__(self, wording: Wording, area_title: str) -> None:
        self.wording = wording
        self.area_title = area_title
        self.missing_now: dict[str, None] = {}
        self.missing_ytd: dict[str, None] = {}
        self.changed_ytd: dict[str, Any] = {}  # year-to-date sums a change of forms leaves out -> its quarter
        wording.start_paragraph()

    def _needs(self, template: str, where: str, it: str | None) -> tuple[list[str], list[str]]:
        """The indicators whose figure this quarter / year to date the template cannot do without."""
        rows = self.wording.rows
        now: dict[str, None] = {}
        ytd: dict[str, None] = {}
        for name, _, _ in fields(template, where):
            key, attribute = split_field(name)
            code = it if key == IT else key
            if code not in rows:
                continue
            need = ATTRIBUTES.get(attribute)
            if need == NOW or (need == RATE and rows[code]["state"] == "missing"):
                now[code] = None
            elif need == YTD or (need == YTD_RATE and rows[code]["ytd_state"] == "missing"):
                ytd[code] = None
        return list(now), list(ytd)

    def _off_forms(self, template: str, where: str, it: str | None) -> bool:
        """Whether the template names an indicator the quarter's forms do not carry (a sentence on COVID-19 rules
        in 2025): such a sentence is not said, and its figure is not "missing" either."""
        for name, _, _ in fields(template, where):
            key, _ = split_field(name)
            code = it if key == IT else key
            if key not in GLOBAL_FIELDS and code is not None and code not in self.wording.rows and self._known(code):
                return True
        return False

    def _known(self, code: str) -> bool:
        """A concept of the catalogue, of any version (an unknown code fails clearly when filled in)."""
        try:
            self.wording.catalogue.indicator(code)
        except KeyError:
            return False
        return True

    def sentence(self, template: str, where: str, it: str | None = None) -> str:
        """One template filled in; "" when one of its figures is missing (said once at the paragraph's end, see
        :meth:`missing_sentences`); the zero-base sentence when one of its rates is 0/0."""
        rows = self.wording.rows
        if self._off_forms(template, where, it):
            return ""
        needs_now, needs_ytd = self._needs(template, where, it)
        now = [(c, rows[c]["state"]) for c in needs_now]
        ytd = [(c, rows[c]["ytd_state"]) for c in needs_ytd]
        if all(state == "ok" for _, state in (*now, *ytd)):
            return _tidy(template.format_map(FigureFields(self.wording, where, it, self.area_title)))
        self.missing_now.update((c, None) for c, state in now if state == "missing")
        for code, state in ytd:
            if state == "missing":
                since = rows[code]["ytd_since"]
                (self.changed_ytd if since is not None else self.missing_ytd)[code] = since
        q = self.wording.q
        return " ".join([*self._zero_bases(now, q.vn), *self._zero_bases(ytd, q.ytd_vn)])

    def missing_sentences(self) -> list[str]:
        """ "Chưa có số liệu quý III/2021 về …": the figures of this paragraph's sentences left out."""
        ph, q, out = self.wording.ph, self.wording.q, []
        for codes, period in ((self.missing_now, q.vn), (self.missing_ytd, q.ytd_vn)):
            if codes:
                names = ph["names_separator"].join(lower_first(self.wording.indicator(c).name) for c in codes)
                out.append(ph["no_data_sentence"].format_map({"period": period, "names": names}))
        for since in dict.fromkeys(self.changed_ytd.values()):
            codes = [c for c, s in self.changed_ytd.items() if s == since]
            names = ph["names_separator"].join(lower_first(self.wording.indicator(c).name) for c in codes)
            words = {"period": q.ytd_vn, "names": names, "since": since.vn}
            out.append(ph["ytd_form_changed_sentence"].format_map(words))
        return out

    def _zero_bases(self, states: list[tuple[str, str]], period: str) -> list[str]:
        out = []
        for code in (c for c, s in states if s == "zero_base"):
            ind = self.wording.indicator(code)
            denominator = self.wording.indicator(ind.denominator).short_name if ind.denominator else ""
            words = {"period": period, "name": lower_first(ind.name), "denominator": lower_first(denominator)}
            out.append(self.wording.ph["zero_base_sentence"].format_map(words))
        return out


def _area_paragraph(
    wording: Wording, templates: NarrativeTemplates, area_code: str, area_title: str, with_ytd: bool
) -> Paragraph | None:
    """The paragraph of one area: its own templates, else the generic ones over its key indicators (or None)."""
    writer, src = _ParagraphWriter(wording, area_title), templates.source
    entry = templates.areas.get(area_code)
    if entry is not None:
        where = f"areas.{area_code}"
        heading = writer.sentence(entry.heading, template_id(src, f"{where}.heading")) or area_title
        parts = [(entry.opening, f"{where}.opening", None)]
        parts += [(s, f"{where}.sentences[{i}]", None) for i, s in enumerate(entry.sentences)]
        if with_ytd:
            parts += [(s, f"{where}.year_to_date[{i}]", None) for i, s in enumerate(entry.year_to_date)]
    else:
        keys = [i.code for i in wording.catalogue.indicators_in(area_code) if i.key]
        if not keys:
            return None
        heading = area_title
        parts = [(templates.generic_opening, "generic.opening", None)]
        parts += [(templates.generic_sentence, "generic.sentence", c) for c in keys]
        if with_ytd:
            parts += [(templates.generic_year_to_date, "generic.year_to_date", c) for c in keys]
    said = [writer.sentence(text, template_id(src, where), it) for text, where, it in parts]
    text = _tidy(" ".join(part for part in (*said, *writer.missing_sentences()) if part))
    return Paragraph(area=area_code, heading=heading, text=text)


def build_narrative(
    data: ReportData, exact: bool = False, templates: NarrativeTemplates | None = None
) -> list[Paragraph]:
    """One paragraph per area of the catalogue (in catalogue order), with exact or approximate figures.

    Areas with an entry in the templates use it; others get the generic paragraph from their key indicators (and
    no paragraph when they have none). Year-to-date sentences are added from quý II on.
    """
    templates = templates or load_templates(catalogue=data.catalogue)
    wording = Wording(data, exact, templates)
    with_ytd = data.quarter.quarter > 1
    paragraphs = (_area_paragraph(wording, templates, area.code, area.title, with_ytd) for area in data.catalogue.areas)
    return [p for p in paragraphs if p is not None]


def render_text(paragraphs: Iterable[Paragraph]) -> str:
    """Plain text: each heading on its own line, its paragraph below, a blank line between areas."""
    return "\n\n".join(f"{p.heading}\n{p.text}" for p in paragraphs) + "\n"


def render_markdown(paragraphs: Iterable[Paragraph], level: int = 3) -> str:
    """Markdown: a ``###`` heading per area and its paragraph (Markdown characters in the text escaped)."""
    marks = "#" * level
    blocks = [f"{marks} {escape.md(p.heading)}\n\n{escape.md(p.text)}" for p in paragraphs]
    return "\n\n".join(blocks) + "\n"
