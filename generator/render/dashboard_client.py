"""One page per client: the agreement, the metrics of docs/metrics.md with reasons, what to do next, charts,
every response and the notes; its print stylesheet makes it the renewal meeting's client review."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from generator.charts.data import Response
from generator.render.dashboard_common import DUE_DAYS, RENEWAL_DAYS, DashboardSite, days_between, money, status
from generator.render.dashboard_html import answer_list
from generator.write import OutputFile

SCALE_TOP = {"rating": 5, "nps": 10}


@dataclass(frozen=True)
class Action:
    """One thing to do next, why, and where to do it."""

    title: str
    detail: str
    href: str = ""
    link: str = ""


def answer_text(kind: str, value: str) -> str:
    """An answer as the page shows it: '4 of 5', 'Helpdesk, Backups', '—' when unanswered."""
    if value == "":
        return "—"
    if kind in SCALE_TOP:
        return f"{value} of {SCALE_TOP[kind]}"
    if kind == "multi":
        return ", ".join(value.split(";"))
    return value


def response_views(responses: list[Response]) -> list[dict[str, Any]]:
    """Each response with an anchor and every answer, newest first."""
    return [
        {"anchor": f"response-{index}", "response": response,
         "answers": answer_list((q.label, answer_text(q.type, value), q.type == "text") for q, value in response.answers())}
        for index, response in enumerate(responses, start=1)
    ]


def detractor_anchor(views: list[dict[str, Any]], day: dt.date | None, score: int | None, kind: str) -> str:
    """The anchor of the response that gave the latest low answer of this kind."""
    for view in views:
        response = view["response"]
        if response.date == day and any(q.type == kind and (kind != "rating" or q.csat) and value == str(score)
                                        for q, value in response.answers()):
            return "#" + view["anchor"]
    return "#responses"


def next_actions(site: DashboardSite, row: dict[str, Any], views: list[dict[str, Any]]) -> list[Action]:
    """What to do next, most pressing first: follow up, call, visit, survey, prepare the renewal."""
    if not row["active"]:
        return []
    targets, as_of, actions = site.portfolio.settings.targets, site.as_of, []
    if row["latest_nps"] is not None and row["latest_nps"] <= targets.detractor_max_nps:
        actions.append(Action("Follow up the detractor", f"latest NPS answer {row['latest_nps']} on {row['latest_nps_date']}",
                              detractor_anchor(views, row["latest_nps_date"], row["latest_nps"], "nps"), "Read the response"))
    elif row["latest_csat"] is not None and row["latest_csat"] <= targets.unhappy_max_rating:
        actions.append(Action("Follow up the unhappy answer", f"latest CSAT answer {row['latest_csat']} of 5 on {row['latest_csat_date']}",
                              detractor_anchor(views, row["latest_csat_date"], row["latest_csat"], "rating"), "Read the response"))
    since = row["days_since_contact"]
    if since is None or since >= targets.no_contact_days:
        actions.append(Action("Call or write", "no contact logged" if since is None else f"no contact for {since} days"))
    this_month = str(as_of)[:7]
    visits = next((m.onsite for m in site.charts.data.months.get(row["id"], ()) if m.month == this_month), 0)
    if row["onsite_min"] and visits < row["onsite_min"]:
        last = f"; last on-site visit {row['last_onsite']} ({row['days_since_onsite']} days ago)" if row["last_onsite"] else "; no on-site visit logged"
        actions.append(Action("Book an on-site visit", f"{visits} of the minimum {row['onsite_min']} this month so far{last}"))
    due = row["survey_next_due"]
    if due is not None and (due - as_of).days <= DUE_DAYS:
        when = f"overdue since {due}" if row["survey_overdue"] else f"due on {due} (in {(due - as_of).days} days)"
        actions.append(Action("Send the survey", when, "../invitations.html", "Personal links and a ready e-mail"))
    days = row["days_to_renewal"]
    if days is not None and days <= RENEWAL_DAYS:
        actions.append(Action("Prepare the renewal meeting", f"renewal on {row['next_renewal']}, in {days} days; print this page as the client review"))
    return actions


def client_path(row: dict[str, Any]) -> str:
    """A client page's path under `dashboard/`."""
    return f"clients/{row['id']}.html"


def render_client(site: DashboardSite, row: dict[str, Any]) -> OutputFile:
    """`dashboard/clients/<id>.html`, or the last build's when the client's inputs are the same."""
    path, inputs = client_path(row), site.client_inputs(row)
    reused = site.reused(path, inputs)
    if reused is not None:
        return reused
    client = row["client"]
    views = response_views(site.charts.data.by_client_responses.get(row["id"], []))
    agreement = client.agreement
    return site.page(
        "dashboard_client.html", path, "client", inputs,
        row=row, client=client, status=status(row), fee=money(agreement.monthly_fee),
        actions=next_actions(site, row, views), figures=site.charts.clients.get(row["id"], []), responses=views,
        due_in=days_between(row["survey_next_due"], site.as_of),
        tel="tel:" + re.sub(r"[^0-9+]", "", client.contact.phone or ""),  # a tel: URL has no spaces
    )


def render_clients(site: DashboardSite, rows: list[dict[str, Any]] | None = None) -> list[OutputFile]:
    """Every client page, or those of some rows of `site.charts.data.clients`."""
    return [render_client(site, row) for row in (site.charts.data.clients if rows is None else rows)]
