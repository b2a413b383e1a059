"""Reporting-unit registry (``config/units.yaml``) and tolerant unit-name matching.

Names are compared as keys built with :func:`analysis.core.text.fold` (no case, no diacritics, no punctuation),
with administrative prefixes canonicalised: "Thành phố"/"TP."/"T.P" → ``tp``, "Thị xã"/"TX." → ``tx``,
"Huyện"/"H." → ``huyen``, and "UBND"/"Ủy ban nhân dân" dropped. Each unit gets

* explicit keys – its code, name and aliases (must not collide between units: ValueError), and for provincial
  agencies the name with and without the province ("Công an tỉnh", "Công an tỉnh Minh Sơn");
* bare keys – the name without its type word ("an binh", "cong an"), used only when unique among units and
  never equal to the province's own name ("Minh Sơn" alone matches nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.core.periods import Quarter
from analysis.core.text import fold, nfc

__all__ = ["Unit", "UnitRegistry", "UNIT_TYPES", "load_units", "unit_key"]

UNIT_TYPES = {"district": "cấp huyện", "agency": "cơ quan cấp tỉnh"}
_CODE_RE = re.compile(r"[a-z][a-z0-9_]*")
_UNIT_FIELDS = {"code", "name", "type", "aliases", "valid_from", "valid_to"}

_PREFIX_WORDS = {
    "thanh pho": "tp",
    "t p": "tp",
    "thi xa": "tx",
    "t x": "tx",
    "h": "huyen",
    "uy ban nhan dan": "ubnd",
    "u b n d": "ubnd",
}
_PREFIX_RE = re.compile(
    r"(?<!\S)(" + "|".join(sorted(map(re.escape, _PREFIX_WORDS), key=len, reverse=True)) + r")(?!\S)"
)
_TYPE_TOKENS = ("tp", "tx", "huyen", "quan", "thi tran", "xa", "phuong")
_LEADING_ADMIN_RE = re.compile(r"^(?:ubnd\s+)+")
_WORD_RE = re.compile(r"\S+")


@lru_cache(maxsize=65536)
def _canon_text(text: str) -> str:
    """fold() with prefix words canonicalised everywhere ("thanh pho" → "tp", "h" → "huyen", …)."""
    return _PREFIX_RE.sub(lambda m: _PREFIX_WORDS[m.group(1)], fold(text))


def unit_key(text: str) -> str:
    """The matching key of a whole unit name: "UBND T.P. Minh Sơn" → "tp minh son"."""
    return _LEADING_ADMIN_RE.sub("", _canon_text(text))


def _bare(key: str) -> str | None:
    """The key without its type word: "huyen an binh" → "an binh"; "cong an tinh" → "cong an"."""
    for t in _TYPE_TOKENS:
        if key.startswith(t + " "):
            return key[len(t) + 1 :]
    if key.endswith(" tinh"):
        return key[: -len(" tinh")]
    return None


@dataclass(frozen=True)
class Unit:
    """One reporting unit (a district-level unit or a provincial agency)."""

    code: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    valid_from: Quarter | None = None
    valid_to: Quarter | None = None

    def active_in(self, q: Quarter) -> bool:
        """Whether the unit is expected to report for quarter ``q``."""
        return (self.valid_from is None or self.valid_from <= q) and (self.valid_to is None or q <= self.valid_to)

    @property
    def type_vn(self) -> str:
        """ "cấp huyện" / "cơ quan cấp tỉnh"."""
        return UNIT_TYPES[self.type]


@dataclass(frozen=True)
class _Index:
    by_code: dict[str, Unit]
    exact: dict[str, Unit]  # explicit keys + unique bare keys
    search_units: dict[str, Unit]  # keys looked for inside longer texts
    max_words: dict[str, int]  # first word of those keys → most words in a key beginning with it
    province_suffix: str  # " tinh minh son": dropped from a whole-text match


@dataclass(frozen=True)
class UnitRegistry:
    """All reporting units of the province, with name matching."""

    province_code: str
    province_name: str
    units: tuple[Unit, ...]
    _index: _Index = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _build_index(self))

    # --- loading
    @classmethod
    def from_yaml(cls, path: str | Path) -> UnitRegistry:
        """Load and validate ``units.yaml``; ValueError naming the file and the problem."""
        from analysis.core.config import read_yaml

        p = Path(path)
        return cls.from_mapping(read_yaml(p), source=str(p))

    @classmethod
    def from_mapping(cls, data: Any, source: str = "<units>") -> UnitRegistry:
        """Build from the parsed YAML structure (``{"province": {...}, "units": [...]}``)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("province"), Mapping):
            raise ValueError(f"{source}: cần khóa 'province' {{code, name}} và 'units' / missing 'province'")
        prov = data["province"]
        code, name = prov.get("code"), prov.get("name")
        if not isinstance(code, str) or not _CODE_RE.fullmatch(code) or not isinstance(name, str):
            raise ValueError(f"{source}: 'province' cần code (chữ thường, '_') và name / invalid 'province'")
        raw_units = data.get("units")
        if not isinstance(raw_units, list) or not raw_units:
            raise ValueError(f"{source}: 'units' phải là danh sách đơn vị khác rỗng / 'units' must be a list")
        units = tuple(_unit_from(u, i, source) for i, u in enumerate(raw_units))
        seen: dict[str, int] = {}
        for i, u in enumerate(units):
            if u.code in seen:
                raise ValueError(
                    f"{source}: mã đơn vị '{u.code}' bị trùng (mục {seen[u.code]} và {i}) / duplicate code"
                )
            seen[u.code] = i
        try:
            return cls(code, nfc(name.strip()), units)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None

    # --- lookup
    @property
    def codes(self) -> tuple[str, ...]:
        """Unit codes in file order."""
        return tuple(u.code for u in self.units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def get(self, code: str) -> Unit:
        """The unit with this code; KeyError listing the valid codes."""
        unit = self._index.by_code.get(code)
        if unit is not None:
            return unit
        raise KeyError(f"Không có đơn vị mã {code!r} / unknown unit code; các mã hợp lệ: {', '.join(self.codes)}")

    def active(self, q: Quarter) -> tuple[Unit, ...]:
        """Units expected to report for quarter ``q``."""
        return tuple(u for u in self.units if u.active_in(q))

    def match(self, text: str) -> Unit | None:
        """The unit whose name (written any way) is the whole ``text``; None if none."""
        if not isinstance(text, str):
            return None
        key = unit_key(text)
        idx = self._index
        if key in idx.exact:
            return idx.exact[key]
        if key.endswith(idx.province_suffix):  # "Huyện An Bình, tỉnh Minh Sơn", "Công an tỉnh Minh Sơn"
            short = key[: -len(idx.province_suffix)]
            return idx.exact.get(short) or idx.exact.get(short + " tinh")
        return None

    def find_in_text(self, text: str) -> Unit | None:
        """A unit named inside a longer text (title line, file or folder name); longest name wins where names
        overlap; None if nothing or two different units are found."""
        idx = self._index
        if not isinstance(text, str) or not idx.search_units:
            return None
        spans = _key_spans(_canon_text(text), idx.search_units, idx.max_words)
        spans = sorted(spans, key=lambda h: (h[0] - h[1], h[0]))
        taken: list[tuple[int, int]] = []
        found: set[str] = set()
        for start, end, key in spans:
            if all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))
                found.add(idx.search_units[key].code)
        return self.get(found.pop()) if len(found) == 1 else None


def _key_spans(s: str, keys: Mapping[str, Unit], max_words: Mapping[str, int]) -> Iterator[tuple[int, int, str]]:
    """(start, end, key) of the longest key that starts at a word of `s` and ends at the end of a word.

    A key is folded text (no leading or trailing space), so it starts where a word starts and ends where one ends;
    at each word only the spans up to the longest key beginning with that word are looked up, longest first."""
    words = list(_WORD_RE.finditer(s))
    for i, word in enumerate(words):
        start = word.start()
        for last in reversed(words[i : i + max_words.get(word.group(), 0)]):
            key = s[start : last.end()]
            if key in keys:
                yield start, last.end(), key
                break


def _unit_from(raw: Any, i: int, source: str) -> Unit:
    where = f"{source}: units[{i}]"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} phải là một bảng khóa: giá trị / must be a mapping")
    unknown = set(raw) - _UNIT_FIELDS
    if unknown:
        raise ValueError(f"{where}: khóa không hợp lệ {sorted(unknown)} / unknown keys")
    code, name, typ = raw.get("code"), raw.get("name"), raw.get("type")
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
        raise ValueError(f"{where}: 'code' phải là chữ thường không dấu, số và '_' (đang là {code!r})")
    where = f"{source}: đơn vị '{code}'"
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: thiếu 'name' / missing name")
    if typ not in UNIT_TYPES:
        raise ValueError(f"{where}: 'type' phải là một trong {sorted(UNIT_TYPES)} (đang là {typ!r})")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ValueError(f"{where}: 'aliases' phải là danh sách tên / must be a list of strings")
    valid_from = _quarter_or_none(raw.get("valid_from"), f"{where}: 'valid_from'")
    valid_to = _quarter_or_none(raw.get("valid_to"), f"{where}: 'valid_to'")
    if valid_from and valid_to and valid_to < valid_from:
        raise ValueError(f"{where}: valid_to ({valid_to}) trước valid_from ({valid_from})")
    return Unit(code, nfc(name.strip()), typ, tuple(nfc(a.strip()) for a in aliases), valid_from, valid_to)


def _quarter_or_none(value: Any, where: str) -> Quarter | None:
    if value is None:
        return None
    try:
        return Quarter.parse(str(value))
    except ValueError:
        raise ValueError(f"{where} phải là quý dạng 2020Q1 hoặc null (đang là {value!r})") from None


def _explicit_keys(u: Unit, province_key: str, province_bare: str) -> set[str]:
    """Code, name and aliases; agencies also with/without the province ("cong an tinh [minh son]")."""
    keys = {fold(u.code)}
    suffix = f" {province_key}"
    for text in (u.name, *u.aliases):
        k = unit_key(text)
        if not k or k in (province_key, province_bare):
            raise ValueError(f"đơn vị '{u.code}': tên/bí danh {text!r} không dùng được để nhận diện đơn vị")
        keys.add(k)
        if k.endswith(" tinh"):
            keys.add(f"{k} {province_bare}")
        elif k.endswith(suffix) and k.startswith(("so ", "ban ")):
            keys.add(k[: -len(suffix)])
    return keys


def _province_keys(name: str) -> tuple[str, str]:
    """("tinh minh son", "minh son") for "Tỉnh Minh Sơn"."""
    key = unit_key(name)
    for prefix in ("tinh ", "tp "):
        if key.startswith(prefix):
            return key, key[len(prefix) :]
    return key, key


def _build_index(reg: UnitRegistry) -> _Index:
    province_key, province_bare = _province_keys(reg.province_name)
    owner: dict[str, Unit] = {}
    bare_owners: dict[str, set[str]] = {}
    for u in reg.units:
        for k in _explicit_keys(u, province_key, province_bare):
            other = owner.get(k)
            if other is not None and other.code != u.code:
                raise ValueError(
                    f"Tên/bí danh '{k}' trùng giữa hai đơn vị '{other.code}' ({other.name}) "
                    f"và '{u.code}' ({u.name}) / alias key collides between units {other.code} and {u.code}"
                )
            owner[k] = u
            b = _bare(k)
            if b and len(b) >= 3 and not b.isdigit() and b != province_bare:
                bare_owners.setdefault(b, set()).add(u.code)
    by_code = {u.code: u for u in reg.units}
    exact = dict(owner)
    search_units = dict(owner)
    for b, codes in bare_owners.items():
        if len(codes) == 1 and b not in owner:
            exact[b] = by_code[next(iter(codes))]
            # "an binh" (from "huyen an binh") may be searched in texts; "cong an" / "thanh tra" (from
            # "cong an tinh") also name district bodies ("Thanh tra huyện An Bình"): whole-text match only.
            if exact[b].type != "agency":
                search_units[b] = exact[b]
    return _Index(by_code, exact, search_units, _max_words(search_units), f" {province_key}")


def _max_words(keys: Iterable[str]) -> dict[str, int]:
    """First word of each key → the most words of any key beginning with it (how far a match may reach)."""
    longest: dict[str, int] = {}
    for key in keys:
        words = key.split()
        if words:
            longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return longest


def load_units(path: str | Path | None = None) -> UnitRegistry:
    """Load the unit registry (default ``config_dir()/"units.yaml"``)."""
    if path is None:
        from analysis.core.config import config_dir

        path = config_dir() / "units.yaml"
    return UnitRegistry.from_yaml(path)
