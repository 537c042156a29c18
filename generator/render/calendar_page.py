"""The survey and renewal calendar: `dashboard/calendar.ics` (icalendar) and the same as a page.

Per active client: the date the next survey is due, the next renewal, and the date by which
the next on-site visit is due — the end of this month while it has fewer visits than the
client's minimum, else the end of next month. DTSTAMP is the report date, so the same data
gives the same file.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from html import escape

import icalendar
import markupsafe
from icalendar.prop import vDDDTypes, vText

from generator.render.dashboard_common import DashboardSite
from generator.write import OutputFile

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


def events(site: DashboardSite) -> list[Event]:
    """Every event, by date, kind and client."""
    data, as_of = site.charts.data, site.as_of
    this_month = as_of.isoformat()[:7]
    found = []
    for row in data.clients:
        if not row["active"]:
            continue
        cid, name = row["id"], row["name"]
        due = row["survey_next_due"]
        if due is not None:
            late = " (overdue)" if row["survey_overdue"] else ""
            found.append(Event(due, "survey", cid, name, f"Survey due{late}: {name}",
                               f"send the survey to {name}; last response {row['last_response'] or 'none'}"))
        if row["next_renewal"] is not None:
            found.append(Event(row["next_renewal"], "renewal", cid, name, f"Renewal: {name}",
                               f"agreement renews; risk {row['risk']}"))
        minimum = row["onsite_min"]
        if minimum:
            visits = next((m.onsite for m in data.months.get(cid, ()) if m.month == this_month), 0)
            if visits < minimum:
                found.append(Event(month_end(as_of), "visit", cid, name, f"On-site visit due: {name}",
                                   f"{minimum - visits} more on-site visit{'s' if minimum - visits != 1 else ''} this month "
                                   f"(minimum {minimum} a month, {visits} so far)"))
            else:
                found.append(Event(month_end(as_of, 1), "visit", cid, name, f"On-site visit due: {name}",
                                   f"minimum {minimum} on-site visit{'s' if minimum != 1 else ''} next month"))
    return sorted(found, key=lambda e: (e.day, KIND_ORDER[e.kind], e.name.casefold(), e.client_id))


def ics(site: DashboardSite, items: list[Event]) -> bytes:
    """The events as an iCalendar file.

    Properties are set as typed values rather than through `Component.add`, which infers each
    type again: a third faster for the thousands of events of a large portfolio.
    """
    business = site.portfolio.settings.business.name
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Rapport//Client dashboards//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{business}: surveys, renewals and visits")
    stamp = vDDDTypes(dt.datetime.combine(site.as_of, dt.time(0, 0), tzinfo=dt.timezone.utc))
    for item in items:
        event = icalendar.Event()
        event["UID"] = vText(item.uid)
        event["DTSTAMP"] = stamp
        event["DTSTART"] = vDDDTypes(item.day)  # VALUE=DATE: an all-day event
        event["DTEND"] = vDDDTypes(item.day + dt.timedelta(days=1))
        event["SUMMARY"] = vText(item.summary)
        event["DESCRIPTION"] = vText(item.detail)
        cal.add_component(event)
    return cal.to_ical()


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


def render_calendar(site: DashboardSite) -> list[OutputFile]:
    """`dashboard/calendar.ics` and `dashboard/calendar.html`."""
    items = events(site)
    months: dict[str, list[Event]] = {}
    for item in items:
        months.setdefault(item.day.strftime("%Y-%m"), []).append(item)
    page = site.page("dashboard_calendar.html", "calendar.html", "calendar",
                     months={month: table_rows(found, site.as_of) for month, found in months.items()},
                     counts={kind: sum(1 for e in items if e.kind == kind) for kind in KIND_ORDER})
    return [OutputFile("dashboard/calendar.ics", ics(site, items)), page]
