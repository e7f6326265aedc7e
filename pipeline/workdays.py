"""Working days: the official Chinese calendar plus the user's ``rules/calendar.yml``.

A day is a working day when it is a weekday that is not a public holiday, or a weekend
day declared a make-up working day (调休). The official schedule comes from the
``chinesecalendar`` package; ``rules/calendar.yml`` adds years the package does not know
yet (and may correct it). A year neither knows is counted Monday–Friday, and the
result is flagged approximate instead of failing (the package raises
NotImplementedError outside its data).
"""
from __future__ import annotations

import datetime as dt
import weakref
from functools import lru_cache

from .rules import RuleError, RuleSet, register_schema

CALENDAR_FILE = "calendar.yml"

# A date list item: a quoted ISO string (or an unquoted YAML date, which PyYAML reads
# as a date object: that is not a JSON type, so "not any JSON type" lets it through).
_DATE_ITEM = {
    "not": {"type": ["array", "object", "boolean", "null", "number"]},
    "pattern": r"^\d{4}-\d{2}-\d{2}$",
    "format": "date",           # a real day: 2021-02-30 is refused with its line
}
# Flat lists (years as mapping keys would be YAML integers, which rule tooling reads as
# names); a year counts as known as soon as one of its days is listed.
_DATES = {"type": "array", "items": _DATE_ITEM}
register_schema(
    CALENDAR_FILE,
    {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "version": {"type": "integer"},
            "description": {"type": "string"},
            "holidays": _DATES,
            "workdays": _DATES,
            # a festival's date in each year (春节: ["2022-02-01", …])
            "festivals": {"type": "object", "additionalProperties": _DATES},
            # a festival on the same day every year (元旦: "01-01")
            "fixed_festivals": {"type": "object",
                                "additionalProperties": {"type": "string", "pattern": r"^\d{2}-\d{2}$"}},
        },
    },
)


class _Calendar:
    """The user's additions, parsed once per RuleSet."""

    def __init__(self, rules: RuleSet | None):
        self.holidays: set[dt.date] = set()
        self.workdays: set[dt.date] = set()
        self.years: set[int] = set()
        data = (rules.get(CALENDAR_FILE) if rules is not None else None) or {}
        for key, target in (("holidays", self.holidays), ("workdays", self.workdays)):
            for d in data.get(key) or []:
                day = _as_date(d, key)
                target.add(day)
                self.years.add(day.year)
        both = self.holidays & self.workdays
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise RuleError(f"{CALENDAR_FILE}: listed both as holiday and as workday: {listed}")


def _as_date(value, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleError(f"{CALENDAR_FILE}: {key}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


_CACHE: dict[int, tuple[weakref.ref, _Calendar]] = {}
_NO_RULES = _Calendar(None)


def _calendar(rules: RuleSet | None) -> _Calendar:
    if rules is None:
        return _NO_RULES
    hit = _CACHE.get(id(rules))
    if hit is not None and hit[0]() is rules:
        return hit[1]
    cal = _Calendar(rules)
    _CACHE[id(rules)] = (weakref.ref(rules), cal)
    return cal


def day_status(d: dt.date, rules: RuleSet | None = None) -> tuple[bool, bool]:
    """(is a working day, known exactly). Unknown years fall back to Monday–Friday."""
    cal = _calendar(rules)
    if d in cal.holidays:
        return False, True
    if d in cal.workdays:
        return True, True
    if d.year in cal.years:
        return d.weekday() < 5, True
    cc = _official()
    if cc is not None:
        try:
            return bool(cc.is_workday(d)), True
        except (NotImplementedError, KeyError, ValueError):
            pass                      # a year outside the package's data
    return d.weekday() < 5, False


@lru_cache(maxsize=1)
def _official():
    try:
        import chinese_calendar
    except ImportError:               # without the package every year is approximate
        return None
    return chinese_calendar


def is_workday(d: dt.date, rules: RuleSet | None = None) -> bool:
    return day_status(d, rules)[0]


def add_workdays(start: dt.date, n: int, rules: RuleSet | None = None) -> tuple[dt.date | None, bool]:
    """The n-th working day after ``start`` (``start`` itself not counted), and whether
    any day on the way was counted without calendar data (Monday–Friday guess).

    ``add_workdays(date(2021, 6, 4), 20)`` is 2021-07-05 (the Dragon Boat holiday on
    2021-06-14 is skipped), like ``chinese_calendar.find_workday(20, date(2021, 6, 4))``.
    n <= 0 gives ``start`` itself; a count that would pass 9999-12-31 gives None.
    """
    n = int(n)
    d = start
    approximate = False
    counted = 0
    while counted < n:
        if d >= dt.date.max:           # counting past 9999-12-31: no such day
            return None, False
        d += dt.timedelta(days=1)
        work, exact = day_status(d, rules)
        if not exact:
            approximate = True
        if work:
            counted += 1
    return d, approximate


def festival_day(name: str, year: int, rules: RuleSet | None) -> dt.date | None:
    """The date of a festival in ``year`` from rules/calendar.yml: `fixed_festivals` (元旦,
    国庆节) or the listed dates of `festivals` (春节, 元宵节…); None for a year not listed."""
    data = (rules.get(CALENDAR_FILE) if rules is not None else None) or {}
    fixed = (data.get("fixed_festivals") or {}).get(name)
    if fixed:
        month, mday = (int(x) for x in fixed.split("-"))
        return dt.date(year, month, mday)
    for d in (data.get("festivals") or {}).get(name) or []:
        when = _as_date(d, "festivals")
        if when.year == year:
            return when
    return None
