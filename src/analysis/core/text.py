"""Vietnamese text normalisation shared by every matcher.

* :func:`nfc` – Unicode NFC (what files *should* contain).
* :func:`canonical_tones` – NFC plus one tone placement for ``oa``/``oe``/``uy`` ("hoá" → "hóa").
* :func:`fold` – the matching key: no case, no diacritics, punctuation runs → one space.
* :func:`slug` – :func:`fold` with ``_`` instead of spaces (unit codes, file names).
* :func:`deaccent` – like :func:`fold` but punctuation is kept (for regexes that need ``/`` ``-`` ``.``).
* :func:`label_key` – :func:`fold` of a row label without its numbering or final "(…)": how ingest matches an
  indicator's row, and so how the catalogue tells its labels apart.
* :func:`admin_text` / :func:`admin_key` – :func:`fold` of an administrative unit's name with its type words
  canonicalised ("T.P." → "tp", "P." → "phuong"), and without a leading "UBND"/"Đảng ủy" (how units are matched).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["nfc", "canonical_tones", "fold", "slug", "deaccent", "label_key", "admin_text", "admin_key"]

_CACHE = 65536

# The five Vietnamese tone marks as combining characters: grave, acute, hook above, tilde, dot below.
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def _toned(bases: str) -> str:
    return "".join(unicodedata.normalize("NFC", b + t) for b in bases for t in _TONES)


# Old style puts the tone on the second vowel of a final "oa", "oe", "uy" ("hoá", "thuỷ"); the new style
# (and this project's canonical form) puts it on the first ("hóa", "thủy"). Only when the diphthong ends the
# syllable: "hoàng", "huỳnh" are the same in both styles. "qu" + y is consonant + vowel: "quý" never changes.
_OLD_TONE_RE = re.compile(
    rf"(?<![qQ])([oO])([{_toned('aeAE')}])(?![^\W\d_])|(?<![qQ])([uU])([{_toned('yY')}])(?![^\W\d_])"
)
# toned vowel → (bare vowel, combining tone mark)
_SPLIT = {c: (unicodedata.normalize("NFD", c)[0], unicodedata.normalize("NFD", c)[1]) for c in _toned("aeyAEY")}


def _move_tone(m: re.Match[str]) -> str:
    first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    bare, tone = _SPLIT[second]
    return unicodedata.normalize("NFC", first + tone) + bare


_NON_ALNUM_RE = re.compile(r"[\W_]+")
_NUMBERING_RE = re.compile(r"^(?:\d+(?: \d+)*|[a-z]|[ivx]+)\s+")  # on a folded label: "1 1 ", "a ", "iv "
_PARENTHESIS_RE = re.compile(r"\([^)]*\)\s*$")
_SPACE_RE = re.compile(r"\s+")
# "Đ"/"đ" do not decompose; U+00D0/U+00F0 (eth) are common look-alike typos for them.
_D_TABLE = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})


def nfc(s: str) -> str:
    """Return ``s`` in Unicode NFC."""
    return unicodedata.normalize("NFC", s)


@lru_cache(maxsize=_CACHE)
def canonical_tones(s: str) -> str:
    """NFC and new-style tone placement: "hoá" → "hóa", "thuỷ" → "thủy", "Khoà" → "Khòa"."""
    s = unicodedata.normalize("NFC", s)
    if s.isascii():
        return s
    return _OLD_TONE_RE.sub(_move_tone, s)


@lru_cache(maxsize=_CACHE)
def deaccent(s: str) -> str:
    """Lower-case, strip all diacritics (đ → d), NFKC compatibility forms, whitespace runs → one space.

    Punctuation is kept: ``"Quý III/2021"`` → ``"quy iii/2021"``.
    """
    s = s.lower()
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s.translate(_D_TABLE))
        s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return _SPACE_RE.sub(" ", s).strip()


@lru_cache(maxsize=_CACHE)
def fold(s: str) -> str:
    """Matching key: ``"  TP. Hoà  Bình "`` → ``"tp hoa binh"``.

    Lower case, no diacritics (đ → d), every run of non-alphanumeric characters → one space, stripped.
    (Stripping all diacritics makes tone placement irrelevant, so the result equals folding
    :func:`canonical_tones` of ``s``.)
    """
    return _NON_ALNUM_RE.sub(" ", deaccent(s)).strip()


def slug(s: str) -> str:
    """:func:`fold` with ``_`` for spaces: ``"Huyện An Bình"`` → ``"huyen_an_binh"``."""
    return fold(s).replace(" ", "_")


def label_key(s: str) -> str:
    """Matching key of a row label: folded, without leading numbering ("1.1.", "a)", "-") or a final "(…)"."""
    return _NUMBERING_RE.sub("", fold(_PARENTHESIS_RE.sub("", s)))


# How type words of unit names are written, folded → canonical: "Thành phố"/"TP."/"T.P" → "tp", "Thị xã"/"TX." →
# "tx", "H." → "huyen", "X." → "xa", "P." → "phuong", "Ủy ban nhân dân" → "ubnd". Tried longest first, so that
# "t p" (T.P.) is read before "p" (P.); "TP." folds to one word "tp" and never holds a "p".
_ADMIN_WORDS = {"thanh pho": "tp", "t p": "tp", "thi xa": "tx", "t x": "tx", "h": "huyen", "x": "xa", "p": "phuong"}
_ADMIN_WORDS |= {"uy ban nhan dan": "ubnd", "u b n d": "ubnd"}
_ADMIN_RE = re.compile(r"(?<!\S)(" + "|".join(sorted(map(re.escape, _ADMIN_WORDS), key=len, reverse=True)) + r")(?!\S)")
ADMIN_TYPE_WORDS = ("tp", "tx", "huyen", "quan", "thi tran", "xa", "phuong", "dac khu")  # canonical, in key order
# "UBND xã …", "Ủy ban nhân dân phường …", "Đảng ủy xã …" (the party committee reports too): the unit is the same
_LEADING_ADMIN_RE = re.compile(r"^(?:ubnd\s+|dang uy\s+(?=(?:" + "|".join(ADMIN_TYPE_WORDS) + r")\s))+")


@lru_cache(maxsize=_CACHE)
def admin_text(s: str) -> str:
    """:func:`fold` with type words canonicalised everywhere: "UBND T.P. Minh Sơn, P.Đông Hải" → "ubnd tp minh son
    phuong dong hai"."""
    return _ADMIN_RE.sub(lambda m: _ADMIN_WORDS[m.group(1)], fold(s))


def admin_key(s: str) -> str:
    """The matching key of a whole unit name: "UBND T.P. Minh Sơn" → "tp minh son", "Đảng ủy P. Đông Hải" →
    "phuong dong hai"."""
    return _LEADING_ADMIN_RE.sub("", admin_text(s))
