"""Dates and durations as time trackers write them: `2026-11-03`, `11/03/2026`, `1:30`, `1.5`, `01:30:00`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from generator.errors import RapportError, shorten

ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
SLASHED = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T,].*)?$")
CLOCK = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")
DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$|^[.,]\d+$")
DATE_ORDERS = ("auto", "mdy", "dmy")


def date_order(texts: Iterable[str], given: str, shown: str, usual: str | None = None) -> tuple[str, bool]:
    """`mdy` or `dmy` for the file's slashed dates, from a day above 12, and whether it was assumed.

    When the file cannot tell, the tool's own default order (`usual`) is taken and said so;
    without one the import stops and asks.
    """
    if given != "auto":
        return given, False
    day_first = month_first = False
    example = ""
    for text in texts:
        found = SLASHED.match(text.strip())
        if not found:
            continue
        first, separator, second = int(found.group(1)), found.group(2), int(found.group(3))
        if separator == "." or first > 12:  # 03.11.2026 is written day first wherever dots are used
            day_first = True
        elif second > 12:
            month_first = True
        else:
            example = example or text.strip()
    if day_first and month_first:
        raise RapportError(f"{shown}: its dates mix day-first and month-first forms; export them again in one form "
                           "(or as YYYY-MM-DD)")
    if day_first:
        return "dmy", False
    if month_first or not example:
        return "mdy", False
    if usual is not None:
        return usual, True
    raise RapportError(f"{shown}: a date such as '{shorten(example, 20)}' can be read day first or month first, and no "
                       "date in the file tells which: run again with --date-order dmy (31/12/2026) or --date-order mdy "
                       "(12/31/2026)")


def parse_date(text: str, order: str) -> dt.date | None:
    """The date written in `text` (ISO or slashed in `order`), or None."""
    value = text.strip()
    try:
        iso = ISO.match(value)
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        slashed = SLASHED.match(value)
        if slashed:
            first, second, year = int(slashed.group(1)), int(slashed.group(3)), int(slashed.group(4))
            year += 2000 if year < 100 else 0
            month, day = (second, first) if order == "dmy" or slashed.group(2) == "." else (first, second)
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def parse_duration(text: str, unit: str = "hours") -> float | None:
    """Seconds in `1:30` (h:mm), `01:30:00` (h:mm:ss), `1.5` or `1,5` (decimal `unit`: hours or minutes), or None."""
    value = text.strip()
    clock = CLOCK.match(value)
    if clock:
        return int(clock.group(1)) * 3600 + int(clock.group(2)) * 60 + int(clock.group(3) or 0)
    if DECIMAL.match(value):
        number = float(value.replace(",", "."))
        return number * (60 if unit == "minutes" else 3600)
    return None
