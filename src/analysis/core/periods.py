"""The one registry of period logic.

* :class:`Quarter` – a reporting quarter (``2021Q3``), arithmetic and Vietnamese labels.
* :func:`parse_period` / :func:`find_periods` – how people write a quarter in titles, file and folder names.
* :class:`CutoffRule`, :func:`period_dates`, :func:`quarter_for_date` – reporting quarters are not calendar
  quarters: data are counted from a cut-off day to a cut-off day.
* :func:`parse_date` / :func:`parse_date_range` / :func:`quarter_for_range` – dates as printed on the forms.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import overload

from analysis.core.text import deaccent

__all__ = [
    "Quarter",
    "quarter_range",
    "parse_period",
    "find_periods",
    "CutoffRule",
    "DEFAULT_CUTOFF",
    "period_dates",
    "ytd_dates",
    "vn_date",
    "quarter_for_date",
    "parse_date",
    "find_dates",
    "parse_date_range",
    "quarter_for_range",
]

_ROMAN = ("I", "II", "III", "IV")
_ROMAN_VALUE = {r.lower(): i for i, r in enumerate(_ROMAN, start=1)}
_LABEL_RE = re.compile(r"(\d{4})[Qq]([1-4])")
_MIN_YEAR, _MAX_YEAR = 1, 9999


@dataclass(frozen=True, order=True)
class Quarter:
    """A reporting quarter; ordered by (year, quarter)."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        for name in ("year", "quarter"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"Quarter.{name} phải là số nguyên / must be an int, got {v!r}")
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"Quý phải từ 1 đến 4 / quarter must be 1..4, got {self.quarter}")
        if not _MIN_YEAR <= self.year <= _MAX_YEAR:
            raise ValueError(f"Năm không hợp lệ / year out of range: {self.year}")

    @classmethod
    def parse(cls, label: str) -> Quarter:
        """Strict ``"2021Q3"`` (or ``"2021q3"``); surrounding spaces are ignored."""
        m = _LABEL_RE.fullmatch(label.strip()) if isinstance(label, str) else None
        if m is None:
            raise ValueError(
                f"Kỳ báo cáo không hợp lệ: {label!r} (cần dạng 2021Q3) / "
                f"invalid quarter label {label!r} (expected e.g. 2021Q3)"
            )
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def from_user(cls, text: str | Quarter) -> Quarter:
        """A quarter as a person types it: ``"2021Q3"``, ``"2021-Q3"``, ``"Q3/2021"``, ``"III/2021"``,
        ``"quý III/2021"``, ``"Quý 3 năm 2021"`` (the whole text must be one quarter)."""
        if isinstance(text, Quarter):
            return text
        s = deaccent(str(text)).strip() if text is not None else ""
        for rx in _PERIOD_RES:
            if m := rx.fullmatch(s):
                return _quarter_of(m)
        raise ValueError(
            f"Kỳ báo cáo không hợp lệ: {text!r}. Viết kỳ theo một trong các dạng: 2021Q3, Q3/2021, III/2021, "
            f"quý III/2021"
        )

    @property
    def label(self) -> str:
        """``"2021Q3"``."""
        return f"{self.year}Q{self.quarter}"

    @property
    def roman(self) -> str:
        """``"III"``."""
        return _ROMAN[self.quarter - 1]

    @property
    def vn(self) -> str:
        """``"quý III/2021"``."""
        return f"quý {self.roman}/{self.year}"

    @property
    def vn_title(self) -> str:
        """``"Quý III/2021"``."""
        return f"Quý {self.roman}/{self.year}"

    @property
    def index(self) -> int:
        """Quarters since year 0 (for arithmetic)."""
        return self.year * 4 + self.quarter - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        """Inverse of :attr:`index`."""
        year, q0 = divmod(index, 4)
        return cls(year, q0 + 1)

    def previous(self) -> Quarter:
        """The quarter before ("so với quý trước")."""
        return self - 1

    def next(self) -> Quarter:
        """The quarter after."""
        return self + 1

    def same_quarter_last_year(self) -> Quarter:
        """ "cùng kỳ năm trước"."""
        return Quarter(self.year - 1, self.quarter)

    def __add__(self, n: int) -> Quarter:
        if not isinstance(n, int) or isinstance(n, bool):
            return NotImplemented
        return Quarter.from_index(self.index + n)

    __radd__ = __add__

    @overload
    def __sub__(self, other: int) -> Quarter: ...
    @overload
    def __sub__(self, other: Quarter) -> int: ...

    def __sub__(self, other: int | Quarter) -> Quarter | int:
        """``q - 1`` is the previous quarter; ``q2 - q1`` is the number of quarters between them."""
        if isinstance(other, Quarter):
            return self.index - other.index
        if not isinstance(other, int) or isinstance(other, bool):
            return NotImplemented
        return Quarter.from_index(self.index - other)

    def year_to_date(self) -> tuple[Quarter, ...]:
        """Q1 … self of the same year."""
        return tuple(Quarter(self.year, q) for q in range(1, self.quarter + 1))

    @property
    def ytd_vn(self) -> str:
        """Year-to-date wording: "quý I/2021", "6 tháng đầu năm 2021", "9 tháng đầu năm 2021", "năm 2021"."""
        if self.quarter == 1:
            return self.vn
        if self.quarter == 4:
            return f"năm {self.year}"
        return f"{self.quarter * 3} tháng đầu năm {self.year}"

    def __str__(self) -> str:
        return self.label


def quarter_range(start: Quarter, end: Quarter) -> list[Quarter]:
    """All quarters from ``start`` to ``end`` inclusive (empty if ``end < start``)."""
    return [Quarter.from_index(i) for i in range(start.index, end.index + 1)]


# --- parsing periods
# All patterns run on deaccent(text): lower case, no diacritics, punctuation kept
# ("Quý III/2021" → "quy iii/2021").

_YEAR = r"(?P<year>20\d\d)(?!\d)"
_TOKEN = r"(?:(?P<roman>iv|iii|ii|i)(?![a-z])|0?(?P<arabic>[1-4])(?!\d))"
_QWORD = r"(?<![a-z0-9])(?:quy|qui|q)"
_GAP = r"[\s/\-–—._,:]*"
# "quý III và 9 tháng đầu năm 2021", "quý II, 6 tháng năm 2021"
_YTD = r"(?:\s*(?:va|,|;|&)\s*(?:6|9|sau|chin)\s*thang(?:\s*dau)?)?"

_PERIOD_RES = (
    # Quý III/2021, Quý 3 năm 2021, QIII.2021, Q3-2021, quy 3 - 2021, Kỳ báo cáo: Quý III/2021
    re.compile(rf"{_QWORD}[\s._\-]*{_TOKEN}{_YTD}{_GAP}(?:nam{_GAP})?{_YEAR}"),
    # 2021Q3, 2021-Q3, 2021_Q3, năm 2021 quý III
    re.compile(rf"(?<!\d)(?P<year>20\d\d)[\s\-_]{{0,3}}(?:quy|qui|q)[\s._\-]*{_TOKEN}"),
    # III/2021, IV-2020 (roman only: "9/2021" is a month; not inside "VIII/2021")
    re.compile(r"(?<![a-z0-9])(?P<roman>iv|iii|ii|i)\s*[/\-–.]\s*(?P<year>20\d\d)(?!\d)"),
)


def _quarter_of(m: re.Match[str]) -> Quarter:
    roman = m.group("roman")
    q = _ROMAN_VALUE[roman] if roman else int(m.group("arabic"))
    return Quarter(int(m.group("year")), q)


@lru_cache(maxsize=16384)
def _find_periods(text: str) -> tuple[Quarter, ...]:
    s = deaccent(text)
    if "20" not in s:
        return ()
    hits: list[tuple[int, Quarter]] = []
    for rx in _PERIOD_RES:
        hits.extend((m.start(), _quarter_of(m)) for m in rx.finditer(s))
    hits.sort(key=lambda h: h[0])
    return tuple(dict.fromkeys(q for _, q in hits))


def find_periods(text: str) -> list[Quarter]:
    """All distinct quarters written in ``text``, in order of appearance."""
    if not isinstance(text, str):
        return []
    return list(_find_periods(text))


def parse_period(text: str) -> Quarter | None:
    """The quarter written somewhere in ``text``; ``None`` if none or if two different quarters occur."""
    found = find_periods(text)
    return found[0] if len(found) == 1 else None


# --- cut-off dates


@dataclass(frozen=True)
class CutoffRule:
    """Which days a reporting quarter's data cover.

    A quarter ends on ``end_day`` of its last month (``end_day=0``: the last day of that month) and starts
    the day after the previous quarter ends, so quarters never overlap or leave gaps. ``start_day`` is that
    day of the month and must equal ``end_day + 1`` (``1`` for ``end_day=0``):

    * ``CutoffRule()`` (15 → 14, provincial decisions after Decree 09/2019):
      Q3 = 15/6 – 14/9, Q1 = 15/12 – 14/3.
    * ``CutoffRule(16, 15)`` (Circular 03/2013/TT-TTCP): Q3 = 16/6 – 15/9, Q1 = 16/12 – 15/3.
    * ``CutoffRule(1, 0)`` (calendar quarters): Q3 = 1/7 – 30/9.

    With ``start_day > 1`` the quarter starts in the month before its first month (June for Q3).
    """

    start_day: int = 15
    end_day: int = 14

    def __post_init__(self) -> None:
        if not isinstance(self.end_day, int) or not 0 <= self.end_day <= 27:
            raise ValueError(f"end_day phải từ 0 đến 27 / end_day must be 0..27, got {self.end_day!r}")
        if self.start_day != self.end_day + 1:
            raise ValueError(
                f"start_day phải bằng end_day + 1 (={self.end_day + 1}) / start_day must be end_day + 1, "
                f"got start_day={self.start_day!r}, end_day={self.end_day!r}"
            )

    @classmethod
    def calendar(cls) -> CutoffRule:
        """Calendar quarters (1/7 – 30/9)."""
        return cls(1, 0)

    @classmethod
    def tt03_2013(cls) -> CutoffRule:
        """Circular 03/2013/TT-TTCP: 16th of the month before → 15th of the last month."""
        return cls(16, 15)

    @property
    def vn(self) -> str:
        """Vietnamese description for reports and the data dictionary."""
        if self.end_day == 0:
            return "theo quý dương lịch (từ ngày 01 tháng đầu quý đến ngày cuối tháng cuối quý)"
        return f"từ ngày {self.start_day:02d} tháng cuối quý trước đến ngày {self.end_day:02d} tháng cuối quý"


DEFAULT_CUTOFF = CutoffRule()


def _end_of(year: int, month: int, rule: CutoffRule) -> date:
    day = rule.end_day or calendar.monthrange(year, month)[1]
    return date(year, month, day)


def period_dates(q: Quarter, rule: CutoffRule = DEFAULT_CUTOFF) -> tuple[date, date]:
    """First and last day of the data of quarter ``q``: Q3/2021 → (2021-06-15, 2021-09-14) by default."""
    prev = q - 1
    end = _end_of(q.year, q.quarter * 3, rule)
    start = _end_of(prev.year, prev.quarter * 3, rule) + timedelta(days=1)
    return start, end


def ytd_dates(q: Quarter, rule: CutoffRule = DEFAULT_CUTOFF) -> tuple[date, date]:
    """First and last day of the year-to-date data (9 months 2021 → 2020-12-15 … 2021-09-14)."""
    return period_dates(Quarter(q.year, 1), rule)[0], period_dates(q, rule)[1]


def vn_date(d: date) -> str:
    """A day as Vietnamese reports write it: 2025-07-01 → "1/7/2025"."""
    return f"{d.day}/{d.month}/{d.year}"


def quarter_for_date(d: date, rule: CutoffRule = DEFAULT_CUTOFF) -> Quarter:
    """The reporting quarter whose data include day ``d`` (2021-09-15 → 2021Q4, 2021-12-20 → 2022Q1)."""
    year, month = d.year, d.month
    if rule.end_day and d.day > rule.end_day:
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return Quarter(year, (month - 1) // 3 + 1)


# --- dates in text

_DATE_RES = (
    # 20/9/2021, 20-09-2021, 20.9.2021 (same separator twice)
    re.compile(r"(?<![\d.,/])(?P<d>\d{1,2})\s*(?P<sep>[/\-.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>\d{4})(?!\d)"),
    # 2021-09-20, 2021/09/20
    re.compile(r"(?<![\d.,/\-])(?P<y>\d{4})(?P<sep>[/\-.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d])"),
    # ngày 05 tháng 10 năm 2021, 05 tháng 10, năm 2021
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\s*thang\s*(?P<m>\d{1,2})[\s,]*nam\s*(?P<y>\d{4})(?!\d)"),
)
# "từ ngày 15/6 đến ngày 14/9/2021": a start without its year
_SHORT_START_RE = re.compile(
    r"(?<![a-z])tu\s*(?:ngay\s*)?(?P<d>\d{1,2})\s*(?:[/\-.]|\s*thang\s*)\s*(?P<m>\d{1,2})\s*"
    r"(?:den|toi|[-–—])\s*(?:het\s*)?(?:ngay\s*)?(?=\d)"
)
_RANGE_LINK_RE = re.compile(r"\s*[,;)]?\s*(?:den|toi|[-–—]|~)\s*(?:het\s*)?(?:ngay\s*)?")
_MIN_DATE_YEAR, _MAX_DATE_YEAR = 1900, 2099


def _make_date(y: int, m: int, d: int) -> date | None:
    if not _MIN_DATE_YEAR <= y <= _MAX_DATE_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


@lru_cache(maxsize=16384)
def _find_dates(text: str) -> tuple[tuple[int, int, date | None], ...]:
    s = deaccent(text)
    hits = []
    for rx in _DATE_RES:
        for m in rx.finditer(s):
            found = _make_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            hits.append((m.start(), m.end(), found))
    hits.sort(key=lambda h: h[0])
    return tuple(hits)


def find_dates(text: str) -> list[date]:
    """All valid dates written in ``text`` in order (invalid ones like 31/2/2021 are skipped)."""
    if not isinstance(text, str):
        return []
    return [d for _, _, d in _find_dates(text) if d is not None]


def parse_date(text: str | date) -> date | None:
    """The first valid date in ``text`` ("20/9/2021", "ngày 05 tháng 10 năm 2021", "2021-09-20"), else None.

    A ``date``/``datetime`` (a real Excel date cell) is returned as a ``date``.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    found = find_dates(text)
    return found[0] if found else None


def parse_date_range(text: str) -> tuple[date, date] | None:
    """ "Số liệu tính từ ngày 15/6/2021 đến ngày 14/9/2021" → (2021-06-15, 2021-09-14); None if not found."""
    if not isinstance(text, str):
        return None
    s = deaccent(text)
    hits = [h for h in _find_dates(text) if h[2] is not None]
    for (_, end1, d1), (start2, _, d2) in zip(hits, hits[1:], strict=False):
        if _RANGE_LINK_RE.fullmatch(s, end1, start2) and d1 <= d2:  # type: ignore[operator]
            return d1, d2  # type: ignore[return-value]
    return _short_start_range(s, hits)


def _short_start_range(s: str, hits: list[tuple[int, int, date | None]]) -> tuple[date, date] | None:
    for m in _SHORT_START_RE.finditer(s):
        end = next((d for start, _, d in hits if start == m.end()), None)
        if end is None:
            continue
        begin = _make_date(end.year, int(m.group("m")), int(m.group("d")))
        if begin is not None and begin > end:
            begin = _make_date(end.year - 1, int(m.group("m")), int(m.group("d")))
        if begin is not None:
            return begin, end
    return None


def quarter_for_range(start: date, end: date, rule: CutoffRule = DEFAULT_CUTOFF) -> Quarter | None:
    """The quarter whose data period contains ``end``; None if reversed or longer than 200 days."""
    if end < start or (end - start).days > 200:
        return None
    return quarter_for_date(end, rule)
