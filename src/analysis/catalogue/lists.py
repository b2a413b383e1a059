"""List forms (``lists.yaml``): reports that are lists of items, not figures — 02/PCTN (corruption cases) and 03/PCTN
(legal documents with loopholes) of TT 06/2025 — with their fields, the versions that have them and where their
fields come from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from analysis.core.config import yaml_load
from analysis.core.text import fold

LIST_STATUSES = ("official", "secondary", "unverified")


class ListFormError(ValueError):
    """lists.yaml is malformed (message in Vietnamese, naming the entry)."""


@dataclass(frozen=True)
class ListField:
    code: str  # English, in the data ("case", "agency")
    headings: tuple[str, ...]  # printed heading words, the first is the field's name on pages
    required: bool = False  # a row without it is not an item

    @property
    def name(self) -> str:
        return self.headings[0]

    @cached_property
    def folded(self) -> tuple[str, ...]:
        """Its headings folded, each padded with a space either side (whole words)."""
        return tuple(f" {f} " for h in self.headings if (f := fold(h)))

    def score(self, header: str) -> int:
        """How specifically a header cell names this field: the length of its longest heading standing in the
        folded cell as whole words (0: not named)."""
        padded = f" {fold(header)} "
        return max((len(f) for f in self.folded if f in padded), default=0)


@dataclass(frozen=True)
class ListForm:
    code: str  # "02/PCTN"
    area: str
    versions: tuple[str, ...]
    title: str
    source: str
    status: str
    fields: tuple[ListField, ...]

    @property
    def sheet(self) -> str:
        """The sheet name a template gives it: "02-PCTN"."""
        return self.code.replace("/", "-")

    def field(self, code: str) -> ListField:
        return next(f for f in self.fields if f.code == code)


@dataclass(frozen=True)
class ListForms:
    items: tuple[ListForm, ...]

    def for_version(self, version: str | None) -> tuple[ListForm, ...]:
        """The list forms of a catalogue version (every one when `version` is None)."""
        return tuple(f for f in self.items if version is None or version in f.versions)

    def get(self, code: str) -> ListForm:
        for form in self.items:
            if form.code == code:
                return form
        raise KeyError(f"Không có biểu danh sách {code!r}")


def parse_lists(raw: Any, versions: frozenset[str], areas: frozenset[str]) -> ListForms:
    """lists.yaml's content, checked against the catalogue's version codes and areas."""
    if not isinstance(raw, dict) or not isinstance(raw.get("lists"), list):
        raise ListFormError("lists.yaml: cần khóa “lists” là một danh sách biểu")
    forms = []
    for i, entry in enumerate(raw["lists"], 1):
        where = f"lists.yaml, biểu thứ {i}"
        try:
            fields = tuple(
                ListField(str(f["code"]), tuple(str(h) for h in f["heading"]), bool(f.get("required", False)))
                for f in entry["fields"]
            )
            form = ListForm(
                code=str(entry["code"]),
                area=str(entry["area"]),
                versions=tuple(str(v) for v in entry["versions"]),
                title=str(entry["title"]),
                source=str(entry["source"]),
                status=str(entry["status"]),
                fields=fields,
            )
        except (KeyError, TypeError) as exc:
            raise ListFormError(f"{where}: thiếu hoặc sai trường {exc}") from exc
        if form.area not in areas:
            raise ListFormError(f"{where} ({form.code}): không có lĩnh vực {form.area!r}")
        if unknown := sorted(set(form.versions) - versions):
            raise ListFormError(f"{where} ({form.code}): không có phiên bản {', '.join(unknown)}")
        if form.status not in LIST_STATUSES:
            raise ListFormError(f"{where} ({form.code}): status phải là một trong {', '.join(LIST_STATUSES)}")
        if not any(f.required for f in form.fields) or len({f.code for f in form.fields}) != len(form.fields):
            raise ListFormError(f"{where} ({form.code}): cần ít nhất một trường required, mã trường không trùng")
        forms.append(form)
    return ListForms(tuple(forms))


@lru_cache(maxsize=1)
def load_lists() -> ListForms:
    """The packaged list forms, checked against the packaged catalogue."""
    from analysis.catalogue.load import load_catalogue

    catalogue = load_catalogue()
    text = resources.files("analysis.catalogue").joinpath("lists.yaml").read_text(encoding="utf-8")
    versions = frozenset(v.code for v in catalogue.versions.items)
    return parse_lists(yaml_load(text), versions, frozenset(a.code for a in catalogue.areas))
