"""Calendar arithmetic for the sample: month steps, working days and believable local timestamps."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from functools import cache

DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, the day clamped to the month's end (31 Aug + 6 → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, days_in(year, month + 1)))


def days_in(year: int, month: int) -> int:
    """How many days this month has."""
    return calendar.monthrange(year, month)[1]


def month_index(day: dt.date) -> int:
    """A number per month that grows by one each month (years × 12 + month − 1)."""
    return day.year * 12 + day.month - 1


@cache
def weekdays(index: int) -> tuple[dt.date, ...]:
    """Monday–Friday dates of the month with this `month_index`."""
    year, month = divmod(index, 12)
    first = dt.date(year, month + 1, 1)
    return tuple(d for d in (first + k * DAY for k in range(days_in(year, month + 1))) if d.weekday() < 5)


def central_offset(day: dt.date) -> int:
    """UTC offset in hours of US Central time (DST: 2nd Sunday of March to 1st Sunday of November)."""
    march = dt.date(day.year, 3, 8)
    november = dt.date(day.year, 11, 1)
    dst_start = march + (6 - march.weekday()) * DAY
    dst_end = november + (6 - november.weekday()) * DAY
    return -5 if dst_start <= day < dst_end else -6


def timestamp(rng: random.Random, day: dt.date, utc: bool = False) -> tuple[str, float]:
    """An ISO 8601 time on `day` (local, or UTC when `utc`) and its instant for sorting."""
    hour = rng.choices((7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
                       (1, 4, 7, 8, 7, 5, 6, 7, 7, 6, 4, 3, 2, 2))[0]
    minute, second = rng.randrange(60), rng.randrange(60)
    offset = central_offset(day)
    instant = (day.toordinal() * 86400 + hour * 3600 + minute * 60 + second) - offset * 3600
    if utc and hour - offset < 24:
        return f"{day.isoformat()}T{hour - offset:02d}:{minute:02d}:{second:02d}Z", instant
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}{offset:+03d}:00", instant
