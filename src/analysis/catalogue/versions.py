"""Catalogue versions (``versions.yaml``): the form set of each reporting circular, the quarters it governs and the
concepts it carries, and the one rule of continuity across them.

A version governs from its ``first_quarter`` (the reporting quarter whose data window holds the circular's in-force
date) up to the next version's; the earliest also governs every quarter before it. A concept (an indicator code of
``catalogue.yaml``) continues from one version to the next when both carry it and the later one does not list it
as ``changed``. :meth:`Versions.series_start` is the first quarter of a concept's unbroken series: a figure may be
compared with, summed with or judged against another only from that quarter on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.core.periods import DEFAULT_CUTOFF, Quarter, quarter_for_date

BASIS_STATUSES = ("official", "secondary", "unverified")


class VersionError(ValueError):
    """versions.yaml is malformed or inconsistent (message in Vietnamese, naming the entry)."""


@dataclass(frozen=True)
class FormColumn:
    """A numbered column of an official form: the concept it holds, its printed number(s) (the figure is their sum)
    and its printed heading path ("Tiếp thường xuyên › Số lượt tiếp")."""

    concept: str
    numbers: tuple[int, ...]
    heading: str

    @property
    def levels(self) -> tuple[str, ...]:
        """The heading path's levels, as printed: ("Tiếp thường xuyên", "Số lượt tiếp")."""
        return tuple(part.strip() for part in self.heading.split("›") if part.strip())

    @property
    def label(self) -> str:
        """ "cột 9", "cột 2+3+4"."""
        return "cột " + "+".join(str(n) for n in self.numbers)


@dataclass(frozen=True)
class VersionForm:
    """The form(s) of one reporting area in one version."""

    area: str
    code: str
    title: str
    source: str
    checked: bool
    width: int | None = None  # numbered data columns printed; None: no official layout modelled
    columns: tuple[FormColumn, ...] = ()
    own: tuple[str, ...] = ()  # the province's additions beside the official columns
    concepts_only: tuple[str, ...] = ()  # concepts of a form without an official layout modelled

    @property
    def concepts(self) -> tuple[str, ...]:
        return (*(c.concept for c in self.columns), *self.own, *self.concepts_only)

    @property
    def printed(self) -> bool:
        """Whether its numbered columns are modelled (an official layout to read and to write)."""
        return self.width is not None and bool(self.columns)

    def column_of(self, concept: str) -> FormColumn | None:
        return next((c for c in self.columns if c.concept == concept), None)


@dataclass(frozen=True)
class Basis:
    """The legal basis of a version and where its dates come from."""

    document: str
    signed: dt.date
    in_force: dt.date
    source: str
    status: str


@dataclass(frozen=True)
class Version:
    code: str
    title: str
    basis: Basis
    first_quarter: Quarter
    forms: tuple[VersionForm, ...]
    changed: tuple[tuple[str, str], ...] = ()  # (concept, why its definition differs from the previous version's)

    @property
    def concepts(self) -> frozenset[str]:
        """The input concepts this version's forms carry (ratios are added by the catalogue)."""
        return frozenset(code for form in self.forms for code in form.concepts)

    def form(self, area: str) -> VersionForm | None:
        return next((f for f in self.forms if f.area == area), None)

    def change_reason(self, concept: str) -> str | None:
        return dict(self.changed).get(concept)


@dataclass(frozen=True)
class Versions:
    """All versions, oldest first."""

    items: tuple[Version, ...]

    def __bool__(self) -> bool:
        return bool(self.items)

    def for_quarter(self, quarter: Quarter) -> Version:
        """The version governing `quarter` (the earliest for any quarter before it)."""
        if not self.items:
            raise LookupError("Danh mục không có phiên bản biểu mẫu nào")
        governing = [v for v in self.items if v.first_quarter <= quarter]
        return governing[-1] if governing else self.items[0]

    def get(self, code: str) -> Version:
        for version in self.items:
            if version.code == code:
                return version
        raise KeyError(f"Không có phiên bản biểu mẫu {code!r}; có: {', '.join(v.code for v in self.items)}")

    def best_match(self, concepts: set[str], prefer: Version | None = None) -> Version | None:
        """The version whose forms fit a file's concepts best: the fewest of them it lacks, then `prefer` (the
        version of the file's quarter), then the most it carries; None for a file of no concept."""
        if not concepts or not self.items:
            return None

        def score(v: Version) -> tuple[int, int, int]:
            return (-len(concepts - v.concepts), v == prefer, len(concepts & v.concepts))

        return max(self.items, key=score)

    def series_start(self, concept: str, quarter: Quarter) -> Quarter | None:
        """The first quarter from which `concept` has had the definition it has in `quarter`: walking back, the
        series ends at a version that lacks the concept or after one that lists it as changed. None when the series
        runs back to the earliest version, or when the version of `quarter` does not carry the concept (see
        `comparable`)."""
        index = self.items.index(self.for_quarter(quarter))
        if concept not in self.items[index].concepts:
            return None
        while index > 0 and concept in self.items[index - 1].concepts and not self.items[index].change_reason(concept):
            index -= 1
        return None if index == 0 else self.items[index].first_quarter

    def comparable(self, concept: str, quarter: Quarter, base: Quarter) -> bool:
        """Whether `concept` in `quarter` may be set against `base` (same definition in both)."""
        if concept not in self.for_quarter(quarter).concepts:
            return False
        start = self.series_start(concept, max(quarter, base))
        first = min(quarter, base)
        return concept in self.for_quarter(first).concepts and (start is None or first >= start)


# ---------------------------------------------------------------------------------------------- loading


def parse_versions(raw: Any, concepts: frozenset[str], areas: frozenset[str], cutoff=DEFAULT_CUTOFF) -> Versions:
    """Versions from the parsed YAML, checked against the catalogue's input concepts and areas."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("versions"), list) or not raw["versions"]:
        raise VersionError("versions.yaml: phải có danh sách 'versions' không rỗng")
    items = tuple(_version(entry, concepts, areas, cutoff) for entry in raw["versions"])
    codes = [v.code for v in items]
    if len(set(codes)) != len(codes):
        raise VersionError(f"versions.yaml: mã phiên bản trùng nhau: {codes}")
    firsts = [v.first_quarter for v in items]
    if firsts != sorted(firsts) or len(set(firsts)) != len(firsts):
        raise VersionError("versions.yaml: các phiên bản phải xếp theo quý áp dụng đầu tiên, tăng dần, không trùng")
    for previous, version in zip(items, items[1:], strict=False):
        for concept, _ in version.changed:
            if concept not in previous.concepts or concept not in version.concepts:
                raise VersionError(
                    f"Phiên bản {version.code}: 'changed' {concept} phải có trong cả phiên bản này và {previous.code}"
                )
    if items[0].changed:
        raise VersionError(f"Phiên bản {items[0].code}: phiên bản đầu tiên không có 'changed'")
    return Versions(items)


def _version(raw: Any, concepts: frozenset[str], areas: frozenset[str], cutoff) -> Version:
    where = f"Phiên bản {raw.get('code')!r}" if isinstance(raw, Mapping) else "Phiên bản"
    fields = _require(raw, where, {"code", "title", "basis", "first_quarter", "forms"}, {"changed"})
    basis = _basis(fields["basis"], where)
    first = _quarter(fields["first_quarter"], f"{where}, 'first_quarter'")
    governed = quarter_for_date(basis.in_force, cutoff)
    if first != governed:
        raise VersionError(
            f"{where}: 'first_quarter' {first.label} trái quy tắc: ngày hiệu lực {basis.in_force:%d/%m/%Y} thuộc "
            f"{governed.vn}, nên phiên bản áp dụng từ {governed.label}"
        )
    forms = tuple(_form(entry, f"{where}, biểu", concepts, areas) for entry in _list(fields["forms"], where, "forms"))
    seen = [f.area for f in forms]
    if sorted(seen) != sorted(areas):
        raise VersionError(f"{where}: phải có đúng một biểu cho mỗi lĩnh vực {sorted(areas)}; đang có {seen}")
    carried = [c for f in forms for c in f.concepts]
    doubled = sorted({c for c in carried if carried.count(c) > 1})
    if doubled:
        raise VersionError(f"{where}: chỉ tiêu có ở nhiều chỗ: {', '.join(doubled)}")
    changed = fields.get("changed") or {}
    if not isinstance(changed, Mapping):
        raise VersionError(f"{where}: 'changed' phải là bảng chỉ tiêu → lý do")
    return Version(
        code=_text(fields["code"], f"{where}, 'code'"),
        title=_text(fields["title"], f"{where}, 'title'"),
        basis=basis,
        first_quarter=first,
        forms=forms,
        changed=tuple((str(k), _text(v, f"{where}, 'changed' {k}")) for k, v in changed.items()),
    )


def _basis(raw: Any, where: str) -> Basis:
    fields = _require(raw, f"{where}, 'basis'", {"document", "signed", "in_force", "source", "status"})
    status = fields["status"]
    if status not in BASIS_STATUSES:
        raise VersionError(f"{where}, 'basis': 'status' phải là một trong {', '.join(BASIS_STATUSES)}")
    dates = {}
    for key in ("signed", "in_force"):
        if not isinstance(fields[key], dt.date):
            raise VersionError(f"{where}, 'basis': '{key}' phải là ngày dạng YYYY-MM-DD")
        dates[key] = fields[key]
    return Basis(_text(fields["document"], where), dates["signed"], dates["in_force"], _text(fields["source"], where),
                 status)  # fmt: skip


def _form(raw: Any, where: str, concepts: frozenset[str], areas: frozenset[str]) -> VersionForm:
    fields = _require(raw, where, {"area", "code", "title", "layout"}, {"columns", "own", "concepts"})
    area = fields["area"]
    where = f"{where} {fields['code']!r}"
    if area not in areas:
        raise VersionError(f"{where}: lĩnh vực {area!r} không có trong danh mục")
    layout = _require(fields["layout"], f"{where}, 'layout'", {"source", "checked"}, {"width"})
    columns = tuple(_column(entry, where) for entry in fields.get("columns") or [])
    if bool(columns) == bool(fields.get("concepts")):
        raise VersionError(f"{where}: phải có đúng một trong 'columns' (biểu chính thức) hoặc 'concepts'")
    width = layout.get("width")
    if columns:
        if not isinstance(width, int) or width < max(n for c in columns for n in c.numbers):
            raise VersionError(f"{where}: 'layout.width' phải là số cột được đánh số, không nhỏ hơn cột lớn nhất")
        numbers = [n for c in columns for n in c.numbers]
        if len(set(numbers)) != len(numbers):
            raise VersionError(f"{where}: một cột được gán cho nhiều chỉ tiêu")
    form = VersionForm(
        area=area,
        code=_text(fields["code"], where),
        title=_text(fields["title"], where),
        source=_text(layout["source"], f"{where}, 'layout.source'"),
        checked=bool(layout["checked"]),
        width=width if columns else None,
        columns=columns,
        own=tuple(fields.get("own") or ()),
        concepts_only=tuple(fields.get("concepts") or ()),
    )
    unknown = sorted(set(form.concepts) - concepts)
    if unknown:
        raise VersionError(f"{where}: chỉ tiêu không có (hoặc là tỷ lệ tự tính) trong danh mục: {', '.join(unknown)}")
    return form


def _column(raw: Any, where: str) -> FormColumn:
    fields = _require(raw, f"{where}, cột", {"concept", "col", "heading"})
    col = fields["col"]
    numbers = tuple(col) if isinstance(col, list) else (col,)
    if not numbers or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in numbers):
        raise VersionError(f"{where}, cột của {fields['concept']}: 'col' phải là số cột dương hoặc danh sách số cột")
    return FormColumn(str(fields["concept"]), numbers, _text(fields["heading"], where))


def _require(raw: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise VersionError(f"{where}: phải là một bảng khóa–giá trị")
    missing = sorted(required - set(raw))
    unknown = sorted(set(raw) - required - set(optional))
    if missing or unknown:
        raise VersionError(f"{where}: thiếu {missing} / khóa không hợp lệ {unknown}")
    return raw


def _list(value: Any, where: str, key: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise VersionError(f"{where}: '{key}' phải là danh sách không rỗng")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise VersionError(f"{where}: phải là chuỗi không rỗng")
    return value.strip()


def _quarter(value: Any, where: str) -> Quarter:
    try:
        return Quarter.parse(str(value))
    except ValueError as error:
        raise VersionError(f"{where}: {error}") from None
