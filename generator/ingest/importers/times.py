"""Timestamps as form tools write them, and the day/month order of a whole file.

Tools write the time of a response in their owner's locale: `2022/11/30 10:39:41 PM GMT+1`
(Google Forms' CSV download), `30/11/2022 22:39:41` (a British Google Sheet), `11/30/22
22:39` (Microsoft Forms' CSV), `11/30/2022 10:39:41 PM` (SurveyMonkey), `Nov 30, 2022
10:39 PM` (Jotform), `2022-11-30 21:39:41` (Typeform, Tally). Whether `03/04/2026` is
3 April or 4 March cannot be told from one value; `settle_date_order` reads the whole
column and, when no value tells, refuses rather than guesses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}

_CLOCK = (r"(?:[ T,]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6})\d*)?)?"
          r"\s*(?P<half>[AaPp]\.?\s?[Mm]\.?)?)?")
_ZONE = r"\s*(?:(?:GMT|UTC)\s*(?P<sign>[+-])(?P<zone_hour>\d{1,2})(?::?(?P<zone_minute>\d{2}))?|(?P<utc>GMT|UTC|Z))?"
NUMERIC = re.compile(r"^(?P<a>\d{1,4})[/.-](?P<b>\d{1,2})[/.-](?P<c>\d{2}|\d{4})\.?" + _CLOCK + _ZONE + r"$")
WORDED = re.compile(r"^(?:(?P<month_first>[A-Za-z]{3,9})\.? (?P<day_first>\d{1,2}),? (?P<year_first>\d{4})"
                    r"|(?P<day>\d{1,2}) (?P<month>[A-Za-z]{3,9})\.? (?P<year>\d{4}))" + _CLOCK + _ZONE + r"$")

DATE_ORDERS = ("auto", "mdy", "dmy")
# regions whose people write the month first (everyone else writes the day first)
MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "UM", "VI"})


class AmbiguousDates(ValueError):
    """No timestamp in the file tells whether its dates are day/month or month/day."""


def order_for_locale(locale: str | None) -> str:
    """`mdy` or `dmy` for a locale with a region (`en-US`, `en_GB`); `auto` without one."""
    if not locale:
        return "auto"
    parts = re.split(r"[-_]", locale.strip())
    region = next((part.upper() for part in parts[1:] if len(part) == 2 and part.isalpha()), None)
    if region is None:
        return "auto"
    return "mdy" if region in MONTH_FIRST_REGIONS else "dmy"


def settle_date_order(values: Iterable[str]) -> str | None:
    """`dmy` or `mdy` when the values tell; None when no value needs an order.

    Raises AmbiguousDates (with an example) when values need one and none tells, and
    ValueError when some can only be day-first and others only month-first.
    """
    example = ""
    day_first = month_first = False
    for value in values:
        match = NUMERIC.match(value.strip())
        if match is None or len(match["a"]) == 4:
            continue
        example = example or value.strip()
        first, second = int(match["a"]), int(match["b"])
        day_first = day_first or first > 12
        month_first = month_first or second > 12
    if day_first and month_first:
        raise ValueError("some dates are day/month and others month/day")
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    if example:
        raise AmbiguousDates(example)
    return None


def parse_moment(text: str, date_order: str, timezone: ZoneInfo | None, naive_is_utc: bool) -> dt.datetime:
    """An aware datetime from any supported form; ValueError naming the text when not a time."""
    shown = text[:40]
    value = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace(" UTC", "Z").replace(" GMT", "Z"))
    except ValueError:
        parsed = None
    if parsed is None:
        match = NUMERIC.match(value) or WORDED.match(value)
        if match is None:
            raise ValueError(f"'{shown}' is not a date and time this importer knows")
        year, month, day = _date_parts(match, date_order, shown)
        hour = int(match["hour"] or 0)
        if match["half"]:
            if not 1 <= hour <= 12:
                raise ValueError(f"'{shown}' is not a real time")
            hour = hour % 12 + (12 if match["half"][0] in "Pp" else 0)
        microsecond = int((match["fraction"] or "0").ljust(6, "0"))
        try:
            parsed = dt.datetime(year, month, day, hour, int(match["minute"] or 0), int(match["second"] or 0), microsecond)
        except ValueError:
            raise ValueError(f"'{shown}' is not a real date and time") from None
        parsed = parsed.replace(tzinfo=_zone_of(match))
    if parsed.tzinfo is None:
        if naive_is_utc:
            return parsed.replace(tzinfo=dt.UTC)
        return parsed.replace(tzinfo=timezone) if timezone is not None else parsed.astimezone()
    return parsed


def _date_parts(match: re.Match[str], date_order: str, shown: str) -> tuple[int, int, int]:
    """Year, month and day of a matched date."""
    groups = match.groupdict()
    if groups.get("month_first") or groups.get("month"):
        name = (groups.get("month_first") or groups.get("month") or "").casefold()
        if name not in MONTHS:
            raise ValueError(f"'{shown}' names no month")
        if groups.get("month_first"):
            return int(groups["year_first"]), MONTHS[name], int(groups["day_first"])
        return int(groups["year"]), MONTHS[name], int(groups["day"])
    a, b, c = match["a"], match["b"], match["c"]
    if len(a) == 4:
        return int(a), int(b), int(c)
    if len(a) == 3:
        raise ValueError(f"'{shown}' is not a date")
    year = int(c) + (2000 if len(c) == 2 else 0)  # form tools date their responses in this century
    if date_order == "dmy":
        return year, int(b), int(a)
    if date_order == "mdy":
        return year, int(a), int(b)
    raise ValueError(f"'{shown}' could be day/month or month/day")


def _zone_of(match: re.Match[str]) -> dt.tzinfo | None:
    if match["utc"]:
        return dt.UTC
    if match["sign"]:
        hours, minutes = int(match["zone_hour"]), int(match["zone_minute"] or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(f"'{match.string[:40]}' has no real time zone offset")
        offset = dt.timedelta(hours=hours, minutes=minutes)
        return dt.timezone(offset if match["sign"] == "+" else -offset)
    return None
