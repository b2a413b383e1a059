"""Numbers as Vietnamese readers expect them: 7.000 (dot groups thousands), 1.234,5 and 12,5% (comma decimal).

Every number a person reads — tables, chart labels, narrative — goes through these functions.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MISSING_TEXT = "—"


def _is_missing(x: object) -> bool:
    """None, NaN, ±infinity and anything that is not a number: shown as missing, never formatted."""
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError, OverflowError):
        return True


def _round_half_up(x: float, decimals: int) -> float:
    """Round as Excel and readers do (2,5 → 3), not Python's half-to-even. Never raises: a number too large for the
    precision asked (≥ 1e28 with the default decimal context) has no digits after the point to round, so it is
    returned as it is; ±infinity and NaN too."""
    if not math.isfinite(x) or abs(x) >= 1e15:  # a float ≥ 1e15 has no fractional part worth rounding
        return x
    try:
        return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError, OverflowError):
        return x


FLOAT_DIGITS = 15  # significant digits a float holds exactly; past them a large float's digits are binary noise


def _digits(x: float) -> float | Decimal:
    """A non-negative figure ready for formatting: beyond 1e15 its first 15 significant digits and zeros after
    (1e20 + 16384 → 100.000.000.000.000.000.000, never the float's noise)."""
    return Decimal(f"{x:.{FLOAT_DIGITS}g}") if x >= 1e15 else x


def number(x: float | int | None, decimals: int = 0, missing: str = MISSING_TEXT, sign: bool = False) -> str:
    """7048 → "7.048"; 1234.5 (decimals=1) → "1.234,5"; -12 → "-12"; None/NaN → "—"; sign=True → "+7,8" (a
    change: "+" when it rounds above zero)."""
    if _is_missing(x):
        return missing
    value = _round_half_up(float(x), decimals)
    if value == 0:
        value = 0.0  # no "-0"
    text = f"{_digits(abs(value)):,.{decimals}f}"  # "1,234.5"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return ("-" if value < 0 else "+" if sign and value > 0 else "") + text


def auto(x: float | int | None, missing: str = MISSING_TEXT) -> str:
    """Whole numbers without decimals, others with one: 7048 → "7.048", 305.6 → "305,6"."""
    if _is_missing(x):
        return missing
    return number(x, 0 if float(x).is_integer() else 1, missing)


def percent(x: float | None, decimals: int = 1, missing: str = MISSING_TEXT, sign: bool = False) -> str:
    """12.5 → "12,5%" (x is already in percent); sign=True → "+12,5%"."""
    if _is_missing(x):
        return missing
    return number(x, decimals, sign=sign) + "%"


def change_words(pct: float | None, decimals: int = 1) -> str:
    """Signed percent change as report prose: 9.3 → "tăng 9,3%", -0.4 → "giảm 0,4%", 0 → "không thay đổi"."""
    if _is_missing(pct):
        return "không so sánh được"
    rounded = _round_half_up(float(pct), decimals)
    if rounded == 0:
        return "không thay đổi" if float(pct) == 0 else "tương đương"
    return f"{'tăng' if rounded > 0 else 'giảm'} {percent(abs(rounded), decimals)}"


def figure(x: float | int | None, unit: str) -> str:
    """A figure without its unit of measure: rates as "75,3%", others as `auto` ("7.048", "305,6")."""
    return percent(x) if unit == "%" else auto(x)


def with_unit(x: float | int | None, unit: str) -> str:
    """7048, "lượt" → "7.048 lượt"; a rate keeps its % sign: 75.3, "%" → "75,3%"."""
    if unit == "%" or _is_missing(x):
        return percent(x)
    return f"{auto(x)} {unit}"


def place(sheet: str, cell: str) -> str:
    """Where in a file: "01-TCD!E13"; a CSV file's cell has no sheet ("D2"); a sheet without a cell is the sheet."""
    return f"{sheet}!{cell}" if sheet and cell else sheet or cell


def iso_day(iso: str) -> str:
    """An ISO date ("2021-09-20") as Vietnamese write it ("20/09/2021"); "" stays ""."""
    return "/".join(reversed(iso.split("-"))) if iso else ""
