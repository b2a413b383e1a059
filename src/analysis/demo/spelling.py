"""How units write names other ways: without diacritics, in decomposed Unicode, with the old tone placement; and
the place name a unit signs with ("An Bình, ngày …")."""

from __future__ import annotations

import re
import unicodedata

from analysis.core.text import deaccent, nfc
from analysis.core.units import Unit

_TYPE_PREFIXES = ("Thành phố ", "Thị xã ", "Huyện ", "Xã ", "Phường ", "Đặc khu ")
_PROVINCE_PREFIX = "Tỉnh "
# New-style tone on the first vowel of a syllable-final "oa", "oe", "uy" ("hóa", "thủy"); "qu" + y never changes.
_NEW_STYLE_RE = re.compile(r"(?<![qQ])([òóỏõọÒÓỎÕỌ][aeAE]|[ùúủũụÙÚỦŨỤ][yY])(?![^\W\d_])")


def without_marks(text: str) -> str:
    """No diacritics, capitals kept: "Thị xã Hòa Lạc" → "Thi xa Hoa Lac".

    :func:`analysis.core.text.deaccent` also lower-cases (it makes matching keys), so each character is folded
    alone and its capital restored: the text is then what a unit typing without a Vietnamese keyboard writes.
    """
    return "".join(deaccent(ch).upper() if ch.isupper() else deaccent(ch) or ch for ch in nfc(text))


def decomposed(text: str) -> str:
    """Unicode NFD, as some keyboards and macOS file names write Vietnamese (the opposite of core.text.nfc)."""
    return unicodedata.normalize("NFD", text)


def old_tones(text: str) -> str:
    """The old tone placement, the inverse of core.text.canonical_tones: "Thủy" → "Thuỷ", "hóa" → "hoá"."""

    def move(match: re.Match[str]) -> str:
        base, tone = decomposed(match.group(1)[0])
        return base + nfc(match.group(1)[1] + tone)

    return _NEW_STYLE_RE.sub(move, nfc(text))


def place_of(unit: Unit, province_name: str) -> str:
    """Where the unit signs: its name without the type word; a provincial agency signs in the province's town."""
    for prefix in _TYPE_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return province_name.removeprefix(_PROVINCE_PREFIX)


def unit_forms(unit: Unit, province_name: str) -> dict[str, str]:
    """The ways a scenario's text templates may write the unit ({name_ascii}, {place_nfd}, …)."""
    place = place_of(unit, province_name)
    return {
        "unit": unit.code,
        "name": unit.name,
        "name_upper": unit.name.upper(),
        "name_ascii": without_marks(unit.name),
        "name_nfd": decomposed(unit.name),
        "name_old_tones": old_tones(unit.name),
        "place": place,
        "place_nfd": decomposed(place),
        "place_ascii": without_marks(place),
    }
