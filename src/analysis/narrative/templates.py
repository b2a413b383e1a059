"""The wording of the narrative, read from ``narrative.yaml`` and checked against the catalogue when it is loaded.

Per area a heading, an opening and sentence templates; the phrases every sentence shares; the generic paragraph of
areas without an entry; settings. What a template may name is declared in :mod:`analysis.narrative.schema`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from analysis.catalogue.load import load_catalogue
from analysis.catalogue.model import Catalogue
from analysis.core import workspace
from analysis.core.config import yaml_load
from analysis.narrative.schema import (
    ATTRIBUTES,
    GLOBAL_FIELDS,
    IT,
    LATER_PHRASES,
    PHRASE_FIELDS,
    RATE_NEEDS,
    NarrativeTemplateError,
    fields,
    split_field,
    unknown_field,
)

__all__ = [
    "AreaTemplates",
    "NarrativeTemplates",
    "check_template",
    "default_phrases",
    "load_templates",
    "template_id",
    "templates_from_mapping",
]

TEMPLATE_FILE = "narrative.yaml"
TOP_KEYS = frozenset({"version", "settings", "phrases", "areas", "generic"})
AREA_KEYS = frozenset({"heading", "opening", "sentences", "year_to_date"})
GENERIC_DEFAULTS = {
    "opening": "{area_title}:",
    "sentence": "{it.title} là {it} ({it.changes}{it.like_for_like}){it.coverage}.",
    "year_to_date": "Lũy kế {ytd}, {it.name} là {it.ytd} ({it.ytd_change}).",
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


def template_id(source: str, where: str) -> str:
    """ "narrative.yaml › areas.TCD.sentences[0]": where a template stands, for messages."""
    return f"{source} › {where}"


def check_template(template: str, where: str, catalogue: Catalogue, allow_it: bool = False) -> None:
    """Every placeholder of ``template`` names a global field or an indicator and a known attribute."""
    for name, spec, conversion in fields(template, where):
        if not name:
            raise unknown_field(where, name, "chỗ trống {} không có tên / empty placeholder")
        if spec or conversion:
            raise unknown_field(where, name, "không dùng định dạng (:…) hay chuyển đổi (!…) / no format spec")
        if "[" in name:
            raise unknown_field(where, name, "không dùng chỉ số […] / no indexing")
        key, attribute = split_field(name)
        if key in GLOBAL_FIELDS:
            if attribute:
                raise unknown_field(where, name, f"{{{key}}} không có thuộc tính / has no attributes")
            continue
        code = None
        if key != IT or not allow_it:
            try:
                code = catalogue.indicator(key).code
            except KeyError:
                raise unknown_field(where, name, f"không có chỉ tiêu mã {key!r} trong danh mục") from None
        if attribute not in ATTRIBUTES:
            raise unknown_field(where, name, f"không có thuộc tính {attribute!r}")
        if code is not None and ATTRIBUTES[attribute] in RATE_NEEDS and catalogue.indicator(code).is_input:
            raise unknown_field(where, name, f"{code} không phải chỉ tiêu tỷ lệ / only rates have .{attribute}")


def _check_phrase(name: str, text: Any, source: str) -> str:
    where = template_id(source, f"phrases.{name}")
    allowed = PHRASE_FIELDS[name]
    for field_name, spec, conversion in fields(text, where):
        if field_name not in allowed or spec or conversion:
            listed = ", ".join("{" + f + "}" for f in sorted(allowed)) or "không có"
            raise NarrativeTemplateError(
                f"{where}: trường không hợp lệ {{{field_name}}}; câu này dùng được: {listed} / "
                f"unknown template key {{{field_name}}}"
            )
    return text


def _read_yaml(path: str | Path | None) -> tuple[Any, str]:
    """The wording given, else the workspace's own (``config/narrative.yaml``), else the package's."""
    path = path or workspace.narrative_path()
    if path is None:
        text = resources.files("analysis.narrative").joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")
        return yaml_load(text), TEMPLATE_FILE
    p = Path(path)
    return yaml_load(p.read_text(encoding="utf-8")), p.name


@lru_cache(maxsize=1)
def _package_phrases() -> Mapping[str, Any]:
    """The phrases of the package's own ``narrative.yaml`` (never a workspace's copy)."""
    text = resources.files("analysis.narrative").joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")
    return yaml_load(text)["phrases"]


def _phrases_from(raw: Any, source: str) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise NarrativeTemplateError(f"{source}: thiếu mục 'phrases' / missing 'phrases'")
    unknown = sorted(set(raw) - set(PHRASE_FIELDS))
    if unknown:
        raise NarrativeTemplateError(f"{source}: phrases có khóa lạ {unknown} / unknown phrases")
    later = LATER_PHRASES - set(raw)
    if later:  # an older wording file: the phrases added since come from the package
        raw = {**{name: _package_phrases()[name] for name in later}, **raw}
    missing = sorted(set(PHRASE_FIELDS) - set(raw))
    if missing:
        raise NarrativeTemplateError(f"{source}: phrases thiếu {missing} / missing phrases")
    return {name: _check_phrase(name, raw[name], source) for name in PHRASE_FIELDS}


@lru_cache(maxsize=1)
def default_phrases() -> Mapping[str, str]:
    """The phrases of the packaged ``narrative.yaml``."""
    data, source = _read_yaml(None)
    return _phrases_from(data.get("phrases"), source)


def _string_list(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise NarrativeTemplateError(f"{where}: cần một danh sách câu / must be a list of strings")
    return tuple(raw)


def _multiple_from(settings: Any, source: str) -> float | None:
    multiple = settings.get("multiple_from_pct", 100) if isinstance(settings, Mapping) else 100
    if multiple is not None and (isinstance(multiple, bool) or not isinstance(multiple, int | float)):
        raise NarrativeTemplateError(f"{source}: settings.multiple_from_pct phải là số hoặc null / must be a number")
    return None if multiple is None else float(multiple)


def _area_from(code: str, raw: Any, catalogue: Catalogue, source: str) -> AreaTemplates:
    where = template_id(source, f"areas.{code}")
    try:
        area = catalogue.area(code)
    except KeyError:
        raise NarrativeTemplateError(f"{where}: không có lĩnh vực mã {code!r} trong danh mục") from None
    if not isinstance(raw, Mapping) or set(raw) - AREA_KEYS:
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
    return entry


def _areas_from(raw: Any, catalogue: Catalogue, source: str) -> dict[str, AreaTemplates]:
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise NarrativeTemplateError(f"{source}: 'areas' phải là bảng mã lĩnh vực → mẫu câu / must be a mapping")
    return {code: _area_from(code, entry, catalogue, source) for code, entry in raw.items()}


def _generic_from(raw: Any, catalogue: Catalogue, source: str) -> dict[str, str]:
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise NarrativeTemplateError(f"{source}: 'generic' phải là bảng khóa / must be a mapping")
    parts = {key: raw.get(key, default) for key, default in GENERIC_DEFAULTS.items()}
    for key, text in parts.items():
        check_template(text, template_id(source, f"generic.{key}"), catalogue, allow_it=key != "opening")
    return parts


def templates_from_mapping(data: Any, catalogue: Catalogue, source: str = "<narrative>") -> NarrativeTemplates:
    """Build and check the templates from the parsed YAML structure."""
    if not isinstance(data, Mapping):
        raise NarrativeTemplateError(f"{source}: cần một bảng khóa: giá trị / must be a mapping")
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise NarrativeTemplateError(f"{source}: khóa lạ {unknown} / unknown keys")
    phrases = _phrases_from(data.get("phrases"), source)
    multiple = _multiple_from(data.get("settings") or {}, source)
    areas = _areas_from(data.get("areas"), catalogue, source)
    generic = _generic_from(data.get("generic"), catalogue, source)
    return NarrativeTemplates(
        source=source,
        phrases=phrases,
        areas=areas,
        generic_opening=generic["opening"],
        generic_sentence=generic["sentence"],
        generic_year_to_date=generic["year_to_date"],
        multiple_from_pct=multiple,
    )


def load_templates(path: str | Path | None = None, catalogue: Catalogue | None = None) -> NarrativeTemplates:
    """The packaged ``narrative.yaml`` (or another file), checked against the catalogue."""
    data, source = _read_yaml(path)
    return templates_from_mapping(data, catalogue or load_catalogue(), source)
