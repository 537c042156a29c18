"""The survey and renewal calendar: `dashboard/calendar.ics` (icalendar) and the same as a page.

Per active client: the date the next survey is due, the next renewal, and the date by which
the next on-site visit is due — the end of this month while it has fewer visits than the
client's minimum, else the end of next month. DTSTAMP is the report date, so the same data
gives the same file.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import markupsafe

from generator.charts.data import MonthRow
from generator.files import OutputFile
from generator.plurals import plural
from generator.render.dashboard_common import DashboardSite
from generator.render.paging import pages

KIND_ORDER = {"survey": 0, "renewal": 1, "visit": 2}
KIND_NAMES = {"survey": "Survey due", "renewal": "Renewal", "visit": "On-site visit due"}
OVERDUE = ' <span class="bad">overdue</span>'


@dataclass(frozen=True)
class Event:
    """One all-day calendar entry."""

    day: dt.date
    kind: str         # "survey", "renewal" or "visit"
    client_id: str
    name: str
    summary: str
    detail: str

    @property
    def uid(self) -> str:
        """Stable across builds: the same event keeps its identity in the consultant's calendar."""
        return f"{self.kind}-{self.client_id}-{self.day.isoformat()}@rapport"


def month_end(day: dt.date, months_ahead: int = 0) -> dt.date:
    """The last day of the month `months_ahead` after `day`'s month."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months_ahead, 12)
    return dt.date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])


# what the calendar reads of an active client's metrics row; with its on-site visits this month, all it shows of it
EVENT_FIELDS = ("id", "name", "survey_next_due", "survey_overdue", "last_response", "next_renewal", "risk", "onsite_min")
EventRow = tuple[Any, ...]  # the entries of EVENT_FIELDS, then the visits this month


def event_rows(site: DashboardSite) -> list[EventRow]:
    """What the calendar is made from (besides the report date): of each active client, the entries of
    EVENT_FIELDS and its on-site visits this month (0 without a minimum, when none are shown)."""
    data = site.charts.data
    this_month = site.as_of.isoformat()[:7]
    return [(*(row[field] for field in EVENT_FIELDS), _visits(data.months.get(row["id"], ()), this_month) if row["onsite_min"] else 0)
            for row in data.clients if row["active"]]


def _visits(months: Sequence[MonthRow], month: str) -> int:
    """The on-site visits of the first of `months` (oldest first: DashboardData.months) that is `month`, else 0; looked
    for from the newest, where the report's month is (four years of months a client, a thousand clients)."""
    found = 0
    for each in reversed(months):
        if each.month < month:
            break
        if each.month == month:
            found = each.onsite
    return found


def events(site: DashboardSite, rows: list[EventRow]) -> list[Event]:
    """Every event of `rows` (`event_rows`), by date, kind and client."""
    as_of = site.as_of
    found = []
    for cid, name, due, overdue, last_response, renewal, risk, minimum, visits in rows:
        if due is not None:
            late = " (overdue)" if overdue else ""
            found.append(Event(due, "survey", cid, name, f"Survey due{late}: {name}",
                               f"send the survey to {name}; last response {last_response or 'none'}"))
        if renewal is not None:
            found.append(Event(renewal, "renewal", cid, name, f"Renewal: {name}", f"agreement renews; risk {risk}"))
        if minimum:
            if visits < minimum:
                found.append(Event(month_end(as_of), "visit", cid, name, f"On-site visit due: {name}",
                                   f"{plural(minimum - visits, 'more on-site visit')} this month "
                                   f"(minimum {minimum} a month, {visits} so far)"))
            else:
                found.append(Event(month_end(as_of, 1), "visit", cid, name, f"On-site visit due: {name}",
                                   f"minimum {minimum} on-site visit{'s' if minimum != 1 else ''} next month"))
    return sorted(found, key=lambda e: (e.day, KIND_ORDER[e.kind], e.name.casefold(), e.client_id))


def ics(site: DashboardSite, items: list[Event]) -> bytes:
    """The events as an iCalendar file.

    Written line by line here rather than through the icalendar package, which escapes, types
    and folds every property character by character (a third of a second for 1,000 clients);
    the bytes are the same as its `Calendar.to_ical()` (tests/test_build.py compares them).
    """
    business = site.portfolio.settings.business.name
    stamp = _day(site.as_of) + "T000000Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rapport//Client dashboards//EN", "CALSCALE:GREGORIAN",
             # an extension property: written as it is, not escaped as TEXT (line breaks aside)
             _fold("X-WR-CALNAME:" + _one_line(f"{business}: surveys, renewals and visits"))]
    stamp = f"DTSTAMP:{stamp}"
    for item in items:
        start, end = _all_day(item.day)
        lines += [
            "BEGIN:VEVENT",
            _fold("SUMMARY:" + _text(item.summary)),
            start,
            end,
            stamp,
            _fold("UID:" + _text(item.uid)),
            _fold("DESCRIPTION:" + _text(item.detail)),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@functools.lru_cache(maxsize=4096)  # a few hundred days, each of many events
def _all_day(day: dt.date) -> tuple[str, str]:
    """An all-day event's DTSTART and DTEND lines."""
    return f"DTSTART;VALUE=DATE:{_day(day)}", f"DTEND;VALUE=DATE:{_day(day + dt.timedelta(days=1))}"


def _day(day: dt.date) -> str:
    """A DATE value: `YYYYMMDD`."""
    return day.isoformat().replace("-", "")


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 (and icalendar) do: backslash, `;`, `,` and line breaks."""
    return (value.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _one_line(value: str) -> str:
    """A value written as it is, but for line breaks, which a content line cannot hold."""
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str, limit: int = 75) -> str:
    """Fold a content line into pieces under `limit` octets, as icalendar does.

    A piece never ends in the backslash of an escape (`\\;`), which some clients misread.
    """
    if len(line) < limit and (line.isascii() or len(line.encode("utf-8")) < limit):
        return line
    if line.isascii():
        return _fold_ascii(line, limit)
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if current and size + width >= limit:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                pieces.append("".join(current))
                current, size = [carried], len(carried.encode("utf-8"))
            else:
                pieces.append("".join(current))
                current, size = [], 0
        current.append(char)
        size += width
    if current:
        pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _fold_ascii(line: str, limit: int) -> str:
    """`_fold` of a line of one-octet characters: pieces of `limit - 1` characters, one fewer where
    the piece would end in an escape's backslash (or a `^`), which then starts the next piece."""
    pieces = []
    start, full = 0, limit - 1
    while len(line) - start >= limit:  # a full piece, and a character after it
        end = start + full
        if full > 1 and line[end - 1] in "\\^":
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return "\r\n ".join(pieces)


def table_rows(items: list[Event], as_of: dt.date) -> markupsafe.Markup:
    """The page's rows for some events (thousands in a large portfolio: built here, not in a loop)."""
    rows = []
    for item in items:
        day = item.day.isoformat()
        late = OVERDUE if item.kind == "survey" and item.day < as_of else ""
        rows.append(f'<tr class="{item.kind}"><td><time datetime="{day}">{day}</time></td><td>{KIND_NAMES[item.kind]}{late}</td>'
                    f'<th scope="row"><a href="clients/{escape(item.client_id)}.html">{escape(item.name)}</a></th>'
                    f"<td>{escape(item.detail)}</td></tr>\n")
    return markupsafe.Markup("".join(rows))


def render_calendar(site: DashboardSite, rows: list[EventRow]) -> list[OutputFile]:
    """`dashboard/calendar.ics` (every event of `rows`, `event_rows`) and `dashboard/calendar.html`, `calendar-2.html`, …
    (`dashboards.page_size` events a page, by date, under a heading per month)."""
    items = events(site, rows)
    size = site.charts.reports.attention.limits.page_size
    counts = {kind: sum(1 for e in items if e.kind == kind) for kind in KIND_ORDER}
    files = [OutputFile("dashboard/calendar.ics", ics(site, items))]
    for pager, chunk in pages(items, size, "calendar.html"):
        months: dict[str, list[Event]] = {}
        for item in chunk:
            months.setdefault(item.day.isoformat()[:7], []).append(item)
        files.append(site.page("dashboard_calendar.html", pager.path, "calendar", pager=pager, counts=counts,
                               months={month: table_rows(found, site.as_of) for month, found in months.items()}))
    return files
