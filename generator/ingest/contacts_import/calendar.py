"""Contacts from an iCalendar export (Google Calendar, Outlook, Apple Calendar): one row per visit.

Recurring events are expanded by `recurring_ical_events` (RRULE, RDATE, EXDATE, moved
occurrences by RECURRENCE-ID, Google's X-WR-TIMEZONE) within the tracked range. An
occurrence's date is its start's date in the event's own time zone (a UTC time is shown in
`timezone`, a floating time is taken as written); minutes are the real time between start
and end. Cancelled events and all-day events are skipped and counted (README.md says why).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from generator.errors import RapportError, shorten
from generator.ingest.contacts_import.matching import ClientMatcher, kind_for
from generator.ingest.contacts_import.records import Candidate, ContactRow, LeftOut, Parsed, clean_text, minutes_text
from generator.model import Client

DEFAULT_KIND = "onsite"
# far beyond a consultant's years of visits, calls and meetings
MAX_OCCURRENCES = 50_000


@dataclass(frozen=True)
class Range:
    """The days to import: from `first` to `last`, and `now` when `last` is today (no future events)."""

    first: dt.date
    last: dt.date
    now: dt.datetime | None = None


def read_calendar(path: Path, shown: str, clients: list[Client], starts: Mapping[str, dt.date], days: Range,
                  kinds: Mapping[str, str], timezone: ZoneInfo | None) -> Parsed:
    """Every occurrence in `days` as a keyed contact row, or listed when it names no single client."""
    calendar = _parse(path, shown)
    recurring = _recurring_uids(calendar)
    parsed = Parsed("ics", first=days.first, last=days.last)
    parsed.complete_uids = frozenset(str(event.get("UID", "")) for event in calendar.walk("VEVENT") if event.get("UID"))
    matcher = ClientMatcher(clients)
    for event in _occurrences(calendar, shown, days, parsed):
        _read_occurrence(event, shown, recurring, matcher, starts, days, kinds, timezone, parsed)
    return parsed


def _occurrences(calendar: icalendar.Calendar, shown: str, days: Range, parsed: Parsed) -> list[Any]:
    """Every occurrence from the day before `first` to the day after `last`.

    Series repeating more often than daily are left out first: no visit repeats every hour,
    and an every-second rule would expand into millions of events before anything is said.
    """
    too_often: set[str] = set()
    broken: set[str] = set()
    events: list[Any] = list(calendar.walk("VEVENT"))  # typed loosely: a property may be any of icalendar's types
    for event in events:
        uid = str(event.get("UID", ""))
        problem = _broken(event)
        if problem:
            summary = str(event.get("SUMMARY", "") or "")
            parsed.left_out.append(LeftOut(f"{shown}: event '{clean_text(summary, 60)}' (UID {shorten(uid, 60)})", "",
                                           summary, problem, uid))
            broken.add(uid)
        elif str(event["RRULE"].get("FREQ", [""])[0] if event.get("RRULE") else "").upper() in ("SECONDLY", "MINUTELY", "HOURLY"):
            too_often.add(uid)
    if too_often:
        parsed.ignored["series repeating more often than daily"] += len(too_often)
    if too_often or broken:
        calendar.subcomponents = [component for component in calendar.subcomponents
                                  if not (component.name == "VEVENT" and str(component.get("UID", "")) in too_often | broken)]
    try:
        found = list(recurring_ical_events.of(calendar, skip_bad_series=True).between(
            days.first - dt.timedelta(days=1), days.last + dt.timedelta(days=2)))
    except Exception as exc:  # the expander raises its own types for broken rules; any of them is a file error
        raise RapportError(f"{shown}: cannot expand its recurring events ({exc})") from None
    if len(found) > MAX_OCCURRENCES:
        raise RapportError(f"{shown}: more than {MAX_OCCURRENCES:,} events between {days.first} and {days.last}; "
                           "nothing was imported (export a shorter date range)")
    return found


def _parse(path: Path, shown: str) -> icalendar.Calendar:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RapportError(f"{shown}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                           "an iCalendar file is UTF-8 (RFC 5545)") from None
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise RapportError(f"{shown}: not an iCalendar file (expected BEGIN:VCALENDAR on its first line)")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise RapportError(f"{shown}: not a readable iCalendar file ({exc})") from None
    if not calendars:
        raise RapportError(f"{shown}: no calendar in the file (expected BEGIN:VCALENDAR … END:VCALENDAR)")
    first: icalendar.Calendar = calendars[0]
    for extra in calendars[1:]:
        for component in extra.subcomponents:
            first.add_component(component)
    return first


def _broken(event: Any) -> str:
    """Why an event cannot be placed in time (its start or its rule unreadable), or ''."""
    if event.get("DTSTART") is None:
        return "has no DTSTART (expected the time the event starts)"
    for name in ("DTSTART", "DTEND", "RRULE", "RECURRENCE-ID"):
        if event.get(name) is None:
            continue
        try:
            value = event[name]
            _ = value.get("FREQ") if name == "RRULE" else value.dt
        except Exception as exc:  # icalendar keeps an unreadable value and raises on its use
            return f"{name} cannot be read ({shorten(str(exc), 100)})"
    return ""


def _recurring_uids(calendar: icalendar.Calendar) -> set[str]:
    """UIDs of series: their occurrences are keyed by UID and RECURRENCE-ID, a single event by its UID."""
    return {str(event.get("UID", "")) for event in calendar.walk("VEVENT")
            if event.get("RRULE") or event.get("RDATE") or event.get("RECURRENCE-ID")}


def _read_occurrence(event: Any, shown: str, recurring: set[str], matcher: ClientMatcher, starts: Mapping[str, dt.date],
                     days: Range, kinds: Mapping[str, str], timezone: ZoneInfo | None, parsed: Parsed) -> None:
    summary = str(event.get("SUMMARY", "") or "")
    location = str(event.get("LOCATION", "") or "")
    start = event["DTSTART"].dt if event.get("DTSTART") is not None else None
    if not isinstance(start, dt.datetime):
        if isinstance(start, dt.date) and days.first <= start <= days.last:
            parsed.ignored["all-day (no time: not a visit)"] += 1
        return
    end = _end(event, start)
    local = _local(start, timezone)
    date = local.date()
    if date < days.first or date > days.last or (days.now is not None and _is_after(start, days.now)):
        # outside the range, not counted: a calendar runs on for years either side of it
        return
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        parsed.ignored["cancelled"] += 1
        return
    where = f"{shown}: {date.isoformat()} {local:%H:%M} '{clean_text(summary, 60)}'"
    key = _key(event, summary, start, recurring)
    found = matcher.in_texts([summary, location])
    if found.client is None:
        parsed.left_out.append(LeftOut(where, date.isoformat(), summary, found.reason, key))
        return
    if date < starts.get(found.client, days.first):
        parsed.ignored["before the client's agreement or tracking start"] += 1
        return
    seconds = (_utc(end) - _utc(start)).total_seconds() if start.tzinfo else (end - start).total_seconds()
    if seconds < 0:
        parsed.left_out.append(LeftOut(where, date.isoformat(), summary, "ends before it starts", key))
        return
    # the description too: that is where Google and Outlook put the Meet, Teams or Zoom link
    description = str(event.get("DESCRIPTION", "") or "")
    kind = kind_for([summary, location, *_categories(event), description], kinds, DEFAULT_KIND)
    row = ContactRow(date.isoformat(), found.client, kind, "", minutes_text(seconds), clean_text(summary))
    parsed.candidates.append(Candidate(key, row, where))


def _end(event: Any, start: dt.datetime) -> dt.datetime:
    """DTEND, else DTSTART + DURATION, else the start itself (RFC 5545: a zero-length event)."""
    if event.get("DTEND") is not None and isinstance(event["DTEND"].dt, dt.datetime):
        end: dt.datetime = event["DTEND"].dt
        return end
    if event.get("DURATION") is not None and isinstance(event["DURATION"].dt, dt.timedelta):
        return start + event["DURATION"].dt
    return start


def _categories(event: Any) -> list[str]:
    """CATEGORIES as plain words (Outlook writes its colour categories there)."""
    value = event.get("CATEGORIES")
    values = value if isinstance(value, list) else [value] if value is not None else []
    return [str(category) for item in values for category in getattr(item, "cats", [item])]


def _local(start: dt.datetime, timezone: ZoneInfo | None) -> dt.datetime:
    """The start as the attendee saw it: in its own zone; a UTC time in `timezone` (else this computer's)."""
    if start.tzinfo is None:
        return start
    if start.utcoffset() == dt.timedelta(0) and str(start.tzinfo) in ("UTC", "Etc/UTC", "Z", "tzutc()"):
        return start.astimezone(timezone) if timezone else start.astimezone()
    return start


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment


def _is_after(start: dt.datetime, now: dt.datetime) -> bool:
    return _utc(start) > now if start.tzinfo else start > now.astimezone().replace(tzinfo=None)


def _key(event: Any, summary: str, start: dt.datetime, recurring: set[str]) -> str:
    """UID for a single event (so a new time updates it); UID#RECURRENCE-ID for an occurrence of a series."""
    uid = str(event.get("UID", "") or "")
    if not uid:
        # RFC 5545 requires a UID; without one the start and title are all there is to know it by
        uid = "no-uid-" + hashlib.sha256(f"{start.isoformat()}|{summary}".encode()).hexdigest()[:16]
    if uid not in recurring:
        return uid
    recurrence = event.get("RECURRENCE-ID")
    moment = recurrence.dt if recurrence is not None else start
    if isinstance(moment, dt.datetime):
        stamp = _utc(moment).strftime("%Y%m%dT%H%M%S") + ("Z" if moment.tzinfo else "")
    else:
        stamp = moment.strftime("%Y%m%d")
    return f"{uid}#{stamp}"
