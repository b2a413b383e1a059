"""Reporting-unit registry (``config/units.yaml``) and tolerant unit-name matching.

Names are compared as keys (:func:`analysis.core.text.admin_key`: folded, type words canonicalised, "TP." → ``tp``,
"P." → ``phuong``, a leading "UBND"/"Đảng ủy" dropped). Each unit gets

* explicit keys – code, name, aliases; agencies also with and without the province ("Công an tỉnh [Minh Sơn]").
  Two units share one only when their validity (of the unit, and of a dated alias) does not overlap, e.g. a former
  district and the commune that took its name; else ValueError;
* bare keys – the name without its type word ("an binh", "cong an"), never the province's own name ("Minh Sơn"
  alone matches nothing); used when unique, or when the quarter tells the units apart.

Given the quarter of the file, a dated alias matches only in its quarters and a name of several units means the one
active in it; without a quarter such a name matches none (an explicit key wins over another unit's bare key).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from analysis.core.periods import Quarter
from analysis.core.text import ADMIN_TYPE_WORDS, fold, nfc
from analysis.core.text import admin_key as unit_key
from analysis.core.text import admin_text as _canon_text

__all__ = ["Alias", "Unit", "UnitRegistry", "UNIT_TYPES", "COMMUNE_KINDS", "load_units", "unit_key"]

UNIT_TYPES = {"district": "cấp huyện", "commune": "cấp xã", "agency": "cơ quan cấp tỉnh"}
COMMUNE_KINDS = {"xa": "xã", "phuong": "phường", "dac_khu": "đặc khu"}  # kind → Vietnamese word
_CODE_RE = re.compile(r"[a-z][a-z0-9_]*")
_UNIT_FIELDS = {"code", "name", "type", "aliases", "valid_from", "valid_to"}
_ALIAS_FIELDS = {"name", "valid_from", "valid_to"}

_WORD_RE = re.compile(r"\S+")


def _bare(key: str) -> str | None:
    """The key without its type word: "huyen an binh" → "an binh"; "cong an tinh" → "cong an"."""
    for t in ADMIN_TYPE_WORDS:
        if key.startswith(t + " "):
            return key[len(t) + 1 :]
    return key[: -len(" tinh")] if key.endswith(" tinh") else None


def _within(q: Quarter, valid_from: Quarter | None, valid_to: Quarter | None) -> bool:
    return (valid_from is None or valid_from <= q) and (valid_to is None or q <= valid_to)


@dataclass(frozen=True)
class Alias:
    """A unit's other name used only in some quarters (a former name): ``{name, valid_from, valid_to}``."""

    name: str
    valid_from: Quarter | None = None
    valid_to: Quarter | None = None


@dataclass(frozen=True)
class Unit:
    """One reporting unit: a district-level unit (historic), a commune-level unit or a provincial agency."""

    code: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    valid_from: Quarter | None = None
    valid_to: Quarter | None = None
    dated_aliases: tuple[Alias, ...] = ()

    def active_in(self, q: Quarter) -> bool:
        """Whether the unit is expected to report for quarter ``q``."""
        return _within(q, self.valid_from, self.valid_to)

    @property
    def type_vn(self) -> str:
        """ "cấp huyện" / "cấp xã" / "cơ quan cấp tỉnh"."""
        return UNIT_TYPES[self.type]

    @property
    def kind(self) -> str | None:
        """A commune's kind read from its name: "xa", "phuong", "dac_khu"; None for other units."""
        key = unit_key(self.name) if self.type == "commune" else ""
        return next((k for k in COMMUNE_KINDS if key.startswith(k.replace("_", " ") + " ")), None)

    @property
    def kind_vn(self) -> str | None:
        """ "xã" / "phường" / "đặc khu" (None when the name does not say)."""
        return COMMUNE_KINDS.get(self.kind or "")


class _Entry(NamedTuple):
    """One unit a key may name: in the quarters of its alias (None: always); explicit (0) or bare (1) key."""

    unit: Unit
    valid_from: Quarter | None
    valid_to: Quarter | None
    rank: int = 0


@dataclass(frozen=True)
class _Index:
    by_code: dict[str, Unit]
    exact: dict[str, Unit]  # keys naming one unit at all times (explicit keys + unique bare keys)
    shared: dict[str, tuple[_Entry, ...]]  # keys naming several units, or a dated alias: resolved by quarter
    search_units: dict[str, Unit]  # keys looked for inside longer texts
    search_shared: dict[str, tuple[_Entry, ...]]
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

    @property
    def needs_quarter(self) -> bool:
        """Whether some name is told apart only by the quarter (a name of several units, or a dated alias)."""
        return bool(self._index.shared)

    def _lookup(self, key: str, quarter: Quarter | None) -> Unit | None:
        idx = self._index
        if key in idx.exact:
            return idx.exact[key]
        return _resolve(idx.shared[key], quarter) if key in idx.shared else None

    def match(self, text: str, quarter: Quarter | None = None) -> Unit | None:
        """The unit whose name (written any way) is the whole ``text``; None if none. With ``quarter`` (the
        period of the file), a name of several units means the one active in it."""
        if not isinstance(text, str):
            return None
        key = unit_key(text)
        idx = self._index
        if key in idx.exact or key in idx.shared:
            return self._lookup(key, quarter)
        if key.endswith(idx.province_suffix):  # "Huyện An Bình, tỉnh Minh Sơn", "Công an tỉnh Minh Sơn"
            short = key[: -len(idx.province_suffix)]
            return self._lookup(short, quarter) or self._lookup(short + " tinh", quarter)
        return None

    def find_in_text(self, text: str, quarter: Quarter | None = None) -> Unit | None:
        """A unit named inside a longer text (title line, file or folder name); longest name wins where names
        overlap; None if nothing or two different units are found. With ``quarter``, names of several units mean
        the one active in it, and of two units found, the only one active in it is kept."""
        idx = self._index
        if not isinstance(text, str) or not (idx.search_units or idx.search_shared):
            return None
        spans = _key_spans(_canon_text(text), (idx.search_units, idx.search_shared), idx.max_words)
        spans = sorted(spans, key=lambda h: (h[0] - h[1], h[0]))
        taken: list[tuple[int, int]] = []
        found: dict[str, Unit] = {}
        for start, end, key in spans:
            if all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))  # a name of several units hides the shorter names inside it
                unit = idx.search_units.get(key) or _resolve(idx.search_shared.get(key, ()), quarter)
                if unit is not None:
                    found[unit.code] = unit
        if len(found) > 1 and quarter is not None:
            found = {c: u for c, u in found.items() if u.active_in(quarter)}
        return next(iter(found.values())) if len(found) == 1 else None


def _resolve(entries: Iterable[_Entry], quarter: Quarter | None) -> Unit | None:
    """The unit a shared key names: with a quarter, among the entries valid in it those of units active in it (if
    any); then the only unit of an explicit key, or else the only unit; None when several."""
    if quarter is not None:
        entries = [e for e in entries if _within(quarter, e.valid_from, e.valid_to)]
        entries = [e for e in entries if e.unit.active_in(quarter)] or entries
    for candidates in ([e for e in entries if e.rank == 0], list(entries)):
        if candidates:
            units = {e.unit for e in candidates}
            return units.pop() if len(units) == 1 else None
    return None


def _key_spans(s: str, keys: tuple[Mapping, ...], max_words: Mapping[str, int]) -> Iterator[tuple[int, int, str]]:
    """(start, end, key) of the longest key that starts at a word of `s` and ends at the end of a word.

    A key is folded text (no leading or trailing space), so it starts where a word starts and ends where one ends;
    at each word the spans up to the longest key beginning with it, longest first; none after "tỉnh" (a province)."""
    words = list(_WORD_RE.finditer(s))
    for i, word in enumerate(words):
        start = word.start()
        if i and words[i - 1].group() == "tinh":
            continue
        for last in reversed(words[i : i + max_words.get(word.group(), 0)]):
            key = s[start : last.end()]
            if any(key in k for k in keys):
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
    if not isinstance(aliases, list):
        raise ValueError(f"{where}: 'aliases' phải là danh sách tên / must be a list of strings")
    dated = [_alias_from(a, where) for a in aliases]
    valid_from, valid_to = _span(raw, where)
    plain = tuple(a.name for a in dated if a.valid_from is None and a.valid_to is None)
    timed = tuple(a for a in dated if a.valid_from is not None or a.valid_to is not None)
    return Unit(code, nfc(name.strip()), typ, plain, valid_from, valid_to, timed)


def _alias_from(raw: Any, where: str) -> Alias:
    """A plain name, or ``{name, valid_from, valid_to}`` (a name used only in those quarters)."""
    if isinstance(raw, str) and raw.strip():
        return Alias(nfc(raw.strip()))
    name = raw.get("name") if isinstance(raw, Mapping) else None
    if not isinstance(name, str) or not name.strip() or set(raw) - _ALIAS_FIELDS:
        raise ValueError(
            f"{where}: 'aliases' phải là danh sách tên, hoặc {{name, valid_from, valid_to}} cho tên dùng trong một "
            f"thời gian (đang là {raw!r}) / must be a list of strings or dated names"
        )
    return Alias(nfc(name.strip()), *_span(raw, f"{where}: bí danh {name.strip()!r}"))


def _span(raw: Mapping, where: str) -> tuple[Quarter | None, Quarter | None]:
    valid_from = _quarter_or_none(raw.get("valid_from"), f"{where}: 'valid_from'")
    valid_to = _quarter_or_none(raw.get("valid_to"), f"{where}: 'valid_to'")
    if valid_from and valid_to and valid_to < valid_from:
        raise ValueError(f"{where}: valid_to ({valid_to}) trước valid_from ({valid_from})")
    return valid_from, valid_to


def _quarter_or_none(value: Any, where: str) -> Quarter | None:
    if value is None:
        return None
    try:
        return Quarter.parse(str(value))
    except ValueError:
        raise ValueError(f"{where} phải là quý dạng 2020Q1 hoặc null (đang là {value!r})") from None


def _explicit_keys(u: Unit, province_key: str, province_bare: str) -> Iterator[tuple[str, _Entry]]:
    """Code, name and aliases (each with its alias dates); agencies also with/without the province."""
    yield fold(u.code), _Entry(u, None, None)
    suffix = f" {province_key}"
    for alias in (Alias(u.name), *map(Alias, u.aliases), *u.dated_aliases):
        k = unit_key(alias.name)
        if not k or k in (province_key, province_bare):
            raise ValueError(f"đơn vị '{u.code}': tên/bí danh {alias.name!r} không dùng được để nhận diện đơn vị")
        entry = _Entry(u, alias.valid_from, alias.valid_to)
        yield k, entry
        if k.endswith(" tinh"):
            yield f"{k} {province_bare}", entry
        elif k.endswith(suffix) and k.startswith(("so ", "ban ")):
            yield k[: -len(suffix)], entry


def _province_keys(name: str) -> tuple[str, str]:
    """("tinh minh son", "minh son") for "Tỉnh Minh Sơn"."""
    key = unit_key(name)
    for prefix in ("tinh ", "tp "):
        if key.startswith(prefix):
            return key, key[len(prefix) :]
    return key, key


def _overlap(a: _Entry, b: _Entry) -> bool:
    """Whether two entries can both name their unit in some quarter (alias dates within the unit's validity)."""
    starts = [q for e in (a, b) for q in (e.valid_from, e.unit.valid_from) if q is not None]
    ends = [q for e in (a, b) for q in (e.valid_to, e.unit.valid_to) if q is not None]
    return not starts or not ends or max(starts) <= min(ends)


def _build_index(reg: UnitRegistry) -> _Index:
    province_key, province_bare = _province_keys(reg.province_name)
    owner: dict[str, list[_Entry]] = {}
    bare_owners: dict[str, list[_Entry]] = {}
    for u in reg.units:
        for k, entry in _explicit_keys(u, province_key, province_bare):
            clash = next((o.unit for o in owner.get(k, ()) if o.unit.code != u.code and _overlap(o, entry)), None)
            if clash is not None:
                raise ValueError(
                    f"Tên/bí danh '{k}' trùng giữa hai đơn vị '{clash.code}' ({clash.name}) và '{u.code}' ({u.name}) "
                    f"trong cùng thời gian / alias key collides between units {clash.code} and {u.code}"
                )
            owner.setdefault(k, []).append(entry)
            b = _bare(k)
            if b and len(b) >= 3 and not b.isdigit() and b != province_bare:
                bare_owners.setdefault(b, []).append(entry._replace(rank=1))
    keys = dict(owner)
    for b, entries in bare_owners.items():
        explicit = owner.get(b, [])  # the bare name of a unit of other quarters than its explicit owners
        keys[b] = explicit + [e for e in entries if not any(_overlap(e, o) for o in explicit)]
    exact, shared = _split(keys)
    # "an binh" (from "huyen an binh") may be searched in texts; "cong an" / "thanh tra" (from "cong an tinh")
    # also name district bodies ("Thanh tra huyện An Bình"): whole-text match only.
    searched = {k: [e for e in es if e.rank == 0 or e.unit.type != "agency"] for k, es in keys.items()}
    search_units, search_shared = _split(searched)
    by_code = {u.code: u for u in reg.units}
    max_words = _max_words([*search_units, *search_shared])
    return _Index(by_code, exact, shared, search_units, search_shared, max_words, f" {province_key}")


def _split(keys: Mapping[str, list[_Entry]]) -> tuple[dict[str, Unit], dict[str, tuple[_Entry, ...]]]:
    """Keys naming one unit at all times (→ the unit) and keys needing the quarter (→ their entries)."""
    undated = {k for k, es in keys.items() if any(e.valid_from is None and e.valid_to is None for e in es)}
    one = {k: es[0].unit for k, es in keys.items() if k in undated and len({e.unit for e in es}) == 1}
    return one, {k: tuple(es) for k, es in keys.items() if es and k not in one}


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
