"""One cell's raw content → :class:`ParsedValue`.

Vietnamese conventions: the dot groups thousands ("7.000"), the comma is the decimal sign ("12,5").
A dash means zero ("không phát sinh"); "x", "…", "chưa có số liệu" mean missing. Qualifiers such as "trên",
"khoảng", "ước" keep the number but set ``approx``. :func:`parse_cell` never raises.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from analysis.core.text import deaccent

__all__ = ["EXCLUDED", "ParsedValue", "STATUSES", "parse_cell"]

# EXCLUDED is never returned by `parse_cell`: `ingest.checks.exclude` gives it to a figure kept out of every total
EXCLUDED = "excluded"
STATUSES = ("number", "text_number", "zero_dash", "zero_word", "blank", "not_available", "invalid", EXCLUDED)


@dataclass(frozen=True)
class ParsedValue:
    """A cell's value: ``value`` None means missing; ``status`` is one of :data:`STATUSES`."""

    value: float | None
    approx: bool
    status: str
    note: str = ""


_BLANK = ParsedValue(None, False, "blank")

_DASHES = frozenset({"-", "--", "---", "–", "—", "−", "‐", "‑", "―", "- -"})
_ZERO_WORDS = frozenset({"khong", "khong co", "ko", "k", "khong phat sinh", "kps", "chua phat sinh"})
_NA_WORDS = frozenset({"x", "xx", "n/a", "na", "chua co", "chua co so lieu", "khong co so lieu", "kcs", "chua bao cao"})
_DOTS_RE = re.compile(r"[.…·\s]+")
_EXCEL_ERROR_RE = re.compile(r"#(?:div/0!|name\?|null!|num!|ref!|value!|spill!|calc!|getting_data|n/a)")
_SPACES_RE = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")

# qualifiers (on deaccent()ed text)
_PREFIX_RE = re.compile(
    r"^(?:tren duoi|tren|hon|khoang|gan|xap xi|uoc tinh|uoc|du kien|duoi|toi thieu|it nhat|chung|tam|"
    r"~|≈|>=|<=|>|<|≥|≤)\s*"
)
_SUFFIX_RE = re.compile(r"\s*(?:\+|\(\s*(?:uoc tinh|uoc|khoang|du kien)\s*\)|(?<=\d)\s+(?:uoc tinh|uoc))$")
_PAREN_NOTE_RE = re.compile(r"\s*\(([^()\d]*)\)$")
_PERCENT_RE = re.compile(r"\s*%$")
_SIGN_RE = re.compile(r"^([+\-−–])\s*")
# number, optional multiplier word, optional unit words ("lượt", "cơ sở", "triệu đồng", "m2")
_CORE_RE = re.compile(
    r"^(?P<num>[0-9][0-9.,]*(?:\s[0-9]{3})*[0-9.,]*)"
    r"(?:\s*(?P<mult>nghin|ngan)(?![a-z]))?"
    r"(?P<unit>\s*(?:m2|m\^2|km2|ha)|\s+[^\W\d_][^\d]*)?$"
)
_INT_RE = re.compile(r"[0-9]+")
_DOT_GROUPS_RE = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
_DOT_GROUPS_DEC_RE = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+,[0-9]+")
_COMMA_DEC_RE = re.compile(r"[0-9]+,[0-9]+")
_COMMA_GROUP_RE = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")
_COMMA_GROUPS_DEC_RE = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+\.[0-9]+")
_DOT_DEC_RE = re.compile(r"[0-9]+\.[0-9]+")
_SPACE_GROUPS_RE = re.compile(r"[1-9][0-9]{0,2}(?: [0-9]{3})+(?:,[0-9]+)?")


def parse_cell(raw: object, integer_unit: bool = False) -> ParsedValue:
    """Interpret one cell as returned by python-calamine (float/int/str/bool/date/None). Never raises.

    ``integer_unit``: the indicator counts things (lượt, người, vụ), so "1,234" is read as 1234, not 1.234.
    """
    try:
        return _parse(raw, integer_unit)
    except (ValueError, TypeError, ArithmeticError) as exc:  # safety net: a cell must never stop ingestion
        return ParsedValue(None, False, "invalid", f"không đọc được giá trị {_quote(raw)} ({type(exc).__name__})")


def _parse(raw: object, integer_unit: bool) -> ParsedValue:
    if raw is None:
        return _BLANK
    if isinstance(raw, bool):
        return ParsedValue(None, False, "invalid", f"ô chứa giá trị đúng/sai ({raw}), không phải số")
    if isinstance(raw, (int, float, Decimal, Fraction)):
        return _from_number(raw)
    if isinstance(raw, (datetime, date, time, timedelta)):
        return ParsedValue(
            None, False, "invalid", f"Excel đã tự chuyển ô này thành ngày/giờ ({raw}); cần nhập lại dạng số"
        )
    if isinstance(raw, str):
        return _from_text(raw, integer_unit)
    number = _as_number(raw)  # numpy scalars and the like
    if number is not None:
        return _from_number(number)
    return ParsedValue(None, False, "invalid", f"kiểu dữ liệu không đọc được: {type(raw).__name__}")


def _as_number(raw: object) -> float | None:
    if hasattr(raw, "__index__"):
        try:
            return float(raw.__index__())  # type: ignore[attr-defined]
        except (TypeError, ValueError, OverflowError):
            return None
    if hasattr(raw, "__float__"):
        try:
            return float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return None
    return None


def _from_number(raw: int | float | Decimal | Fraction) -> ParsedValue:
    try:
        x = float(raw)
    except OverflowError:
        return ParsedValue(None, False, "invalid", f"số quá lớn: {_quote(raw)}")
    if math.isnan(x):
        return _BLANK
    if math.isinf(x):
        return ParsedValue(None, False, "invalid", f"số không hữu hạn: {_quote(raw)}")
    return ParsedValue(_clean(x), False, "number")


def _clean(x: float) -> float:
    """Round away binary noise of a non-integral float to 12 significant digits and 9 decimals
    (7000.000000001 → 7000.0, 0.1 + 0.2 → 0.3); -0.0 → 0.0."""
    if x.is_integer():
        return x + 0.0
    return round(float(f"{x:.12g}"), 9) + 0.0


def _quote(raw: object) -> str:
    text = str(raw)
    if len(text) > 60:
        text = text[:57] + "…"
    return f"“{text}”"


# fast path for the common case: "7000", "7.000", "-5", "1.234.567"
_SIMPLE_RE = re.compile(r"[ \t]*(-?)([0-9]{1,15}|[1-9][0-9]{0,2}(?:\.[0-9]{3}){1,4})[ \t]*")


@lru_cache(maxsize=65536)
def _from_text(raw: str, integer_unit: bool) -> ParsedValue:
    if m := _SIMPLE_RE.fullmatch(raw):
        value = float(m.group(2).replace(".", ""))
        return ParsedValue(-value if m.group(1) and value else value, False, "text_number")
    s = _SPACES_RE.sub(" ", unicodedata.normalize("NFKC", raw)).strip()
    if not s:
        return _BLANK
    shown = _quote(_SPACES_RE.sub(" ", unicodedata.normalize("NFC", raw)).strip())
    if s in _DASHES:
        return ParsedValue(0.0, False, "zero_dash", f"dấu {shown} được hiểu là 0 (không phát sinh)")
    if not _DOTS_RE.sub("", s):
        return ParsedValue(None, False, "not_available", f"{shown} được hiểu là chưa có số liệu")
    low = deaccent(s)
    if _EXCEL_ERROR_RE.match(low):
        return ParsedValue(None, False, "invalid", f"ô chứa lỗi công thức Excel {shown}")
    key = " ".join(low.replace(".", " ").split()) if "/" not in low else low
    if key in _ZERO_WORDS:
        return ParsedValue(0.0, False, "zero_word", f"{shown} được hiểu là 0 (không phát sinh)")
    if key in _NA_WORDS:
        return ParsedValue(None, False, "not_available", f"{shown} được hiểu là chưa có số liệu")
    parsed = _parse_number_text(low, shown, integer_unit)
    if parsed is None:
        return ParsedValue(None, False, "invalid", f"không đọc được số từ {shown}")
    if parsed.value is not None and not math.isfinite(parsed.value):
        return ParsedValue(None, False, "invalid", f"số quá lớn: {shown}")
    return parsed


def _parse_number_text(low: str, shown: str, integer_unit: bool) -> ParsedValue | None:
    """Qualifiers, sign, %, number, multiplier and unit words on deaccent()ed text; None if not a number."""
    notes: list[str] = []
    approx = False
    while (m := _PREFIX_RE.match(low)) and m.end() < len(low):
        approx, low = True, low[m.end() :]
    if m := _SUFFIX_RE.search(low):
        approx, low = True, low[: m.start()]
    if m := _PAREN_NOTE_RE.search(low):
        notes.append(f"bỏ qua ghi chú trong ngoặc ({shown})")
        low = low[: m.start()]
    if m := _PERCENT_RE.search(low):
        notes.append("bỏ dấu %")
        low = low[: m.start()]
    sign = 1.0
    if m := _SIGN_RE.match(low):
        sign = -1.0 if m.group(1) != "+" else 1.0
        low = low[m.end() :]
    m = _CORE_RE.match(low)
    if m is None:
        return None
    number = _read_digits(m.group("num").rstrip(" "), integer_unit, notes)
    if number is None:
        return None
    if m.group("mult"):
        number *= 1000.0
        notes.append("'nghìn'/'ngàn' = ×1000")
    if m.group("unit") and m.group("unit").strip():
        notes.append(f"bỏ qua chữ chỉ đơn vị sau số ({shown})")
    if approx:
        notes.insert(0, "số ước tính/xấp xỉ")
    return ParsedValue(sign * number + 0.0, approx, "text_number", "; ".join(notes))


def _read_digits(num: str, integer_unit: bool, notes: list[str]) -> float | None:
    """Digits with Vietnamese (or, where unambiguous, English) separators → float; None if malformed."""
    if " " in num:
        if not _SPACE_GROUPS_RE.fullmatch(num):
            return None
        num = num.replace(" ", "")
    if len(num) > 1 and num[-1] in ".," and num[-2].isdigit():
        notes.append(f"bỏ dấu '{num[-1]}' ở cuối")
        num = num[:-1]
    if _INT_RE.fullmatch(num):
        return float(num)
    if _DOT_GROUPS_RE.fullmatch(num):
        return float(num.replace(".", ""))
    if _DOT_GROUPS_DEC_RE.fullmatch(num):
        return float(num.replace(".", "").replace(",", "."))
    if _COMMA_GROUP_RE.fullmatch(num) and (integer_unit or num.count(",") > 1):
        notes.append("dấu ',' được hiểu là dấu phân cách hàng nghìn")
        return float(num.replace(",", ""))
    if _COMMA_DEC_RE.fullmatch(num):
        if _COMMA_GROUP_RE.fullmatch(num):
            notes.append("dấu ',' được hiểu là dấu thập phân")
        return float(num.replace(",", "."))
    if _COMMA_GROUPS_DEC_RE.fullmatch(num):
        notes.append("số viết kiểu tiếng Anh: ',' phân cách hàng nghìn, '.' là dấu thập phân")
        return float(num.replace(",", ""))
    if _DOT_DEC_RE.fullmatch(num):
        notes.append("dấu '.' được hiểu là dấu thập phân (kiểu tiếng Anh)")
        return float(num)
    return None
